import { describe, expect, it } from 'vitest'
import { NtReadFile, NtSetInformationFile } from '../io/services/index.ts'
import { FILE_INFORMATION_CLASS } from '../nt/infoclass.ts'
import { encodeRenameInformation } from '../rtl/structs/fileinfo.ts'
import type { Machine } from '../machine.ts'
import {
  FltGetDestinationFileNameInformation,
  FltGetFileNameInformation,
  FltParseFileNameInformation,
  FltReleaseFileNameInformation,
  FLT_FILE_NAME_NORMALIZED,
  FLT_FILE_NAME_OPENED,
  FLT_FILE_NAME_QUERY_ALWAYS_ALLOW_CACHE_LOOKUP,
  FLT_FILE_NAME_QUERY_CACHE_ONLY,
  FLT_FILE_NAME_QUERY_DEFAULT,
  FLT_FILE_NAME_SHORT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  IRP_MJ,
  NT_SUCCESS,
  ref,
  statusNameOf,
  type Co,
  type FLT_CALLBACK_DATA,
  type FLT_FILE_NAME_INFORMATION,
  type FLT_RELATED_OBJECTS,
} from './test-exports.ts'
import { bootMachine, close, filterModule, makeFile, mark, open, run } from './test-support.ts'

const VOL = '\\Device\\HarddiskVolume1'

function* nameOf(Data: FLT_CALLBACK_DATA, options: number): Co<string> {
  const n = ref<FLT_FILE_NAME_INFORMATION>()
  const st = yield* FltGetFileNameInformation(Data, options, n)
  if (!NT_SUCCESS(st)) return statusNameOf(st)
  const name = n.value!.Name
  FltReleaseFileNameInformation(n.value!)
  return name
}

/** a filter that asks for names in the given callbacks and logs them */
function namer(m: Machine, log: string[], majors: number[], options: number[], where: 'pre' | 'post' | 'both' = 'both'): void {
  const pre = function* (Data: FLT_CALLBACK_DATA): Co<number> {
    if (where !== 'post') for (const o of options) log.push(`pre ${Data.Iopb.MajorFunction} ${o.toString(16)} ${yield* nameOf(Data, o)}`)
    return where === 'pre' ? FLT_PREOP_SUCCESS_NO_CALLBACK : FLT_PREOP_SUCCESS_WITH_CALLBACK
  }
  const post = function* (Data: FLT_CALLBACK_DATA): Co<number> {
    for (const o of options) log.push(`post ${Data.Iopb.MajorFunction} ${o.toString(16)} ${yield* nameOf(Data, o)}`)
    return FLT_POSTOP_FINISHED_PROCESSING
  }
  const r = m.fltmc.load(filterModule('namer', '360000', () => ({ OperationRegistration: majors.map((MajorFunction) => ({ MajorFunction, PreOperation: pre, PostOperation: post })) })))
  expect(r.statusName).toBe('STATUS_SUCCESS')
}

describe('file names', () => {
  it('pre-create: opened names from the file object, normalized names from the file system; post-create from the file system', () => {
    const m = bootMachine()
    run(m, function* () {
      yield* makeFile(m, 'C:\\Documents and Settings\\Long File Name.txt', 'x')
    })
    const log: string[] = []
    namer(m, log, [IRP_MJ.IRP_MJ_CREATE], [FLT_FILE_NAME_OPENED | FLT_FILE_NAME_QUERY_DEFAULT, FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT])
    run(m, function* () {
      const h = yield* open(m, 'C:\\DOCUME~1\\LONGFI~1.TXT')
      expect(h.name).toBe('STATUS_SUCCESS')
      const n = yield* open(m, 'C:\\documents and settings\\new.txt', { disposition: 2 /* FILE_CREATE */ })
      expect(n.name).toBe('STATUS_SUCCESS')
    })
    expect(log).toEqual([
      `pre 0 102 ${VOL}\\DOCUME~1\\LONGFI~1.TXT`,
      `pre 0 101 ${VOL}\\Documents and Settings\\Long File Name.txt`,
      `post 0 102 ${VOL}\\Documents and Settings\\Long File Name.txt`,
      `post 0 101 ${VOL}\\Documents and Settings\\Long File Name.txt`,
      `pre 0 102 ${VOL}\\documents and settings\\new.txt`,
      // only the final component is missing: the parent is normalized, the rest kept as given
      `pre 0 101 ${VOL}\\Documents and Settings\\new.txt`,
      `post 0 102 ${VOL}\\Documents and Settings\\new.txt`,
      `post 0 101 ${VOL}\\Documents and Settings\\new.txt`,
    ])
  })

  it('the normalizing opens and the name queries are filter-initiated I/O below the instance, visible in the trace', () => {
    const m = bootMachine()
    const log: string[] = []
    namer(m, log, [IRP_MJ.IRP_MJ_CREATE], [FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT], 'post')
    const from = mark(m)
    run(m, function* () {
      yield* open(m, 'C:\\q.txt')
    })
    const ev = m.trace.events.filter((e) => e.seq > from)
    const q = ev.filter((e) => e.op === 'IRP_MJ_QUERY_INFORMATION' && e.at === 'fs' && e.phase === 'dispatch')
    expect(q.map((e) => e.minor)).toEqual(['FileNormalizedNameInformation'])
    // the filter's own post-create is still running when its query reaches the file system
    expect(ev.findIndex((e) => e.at === 'namer@360000' && e.phase === 'post')).toBeLessThan(ev.indexOf(q[0]!))
  })

  it('caches names, answers CACHE_ONLY from the cache, and forgets them when the file is renamed', () => {
    const m = bootMachine()
    const log: string[] = []
    namer(m, log, [IRP_MJ.IRP_MJ_READ], [FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_CACHE_ONLY, FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT, FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_CACHE_ONLY], 'pre')
    run(m, function* () {
      yield* makeFile(m, 'C:\\old.txt', 'data')
      const h = yield* open(m, 'C:\\old.txt', { access: 0x120089 | 0x10000 })
      const from = mark(m)
      yield* readFile(m, h.handle)
      const queries = m.trace.events.filter((e) => e.seq > from && e.op === 'IRP_MJ_QUERY_INFORMATION' && e.at === 'fs' && e.phase === 'dispatch').length
      expect(queries).toBe(1)
      const r = yield* NtSetInformationFile(m.io, { FileHandle: h.handle, FileInformationClass: FILE_INFORMATION_CLASS.FileRenameInformation, FileInformation: encodeRenameInformation({ ReplaceIfExists: false, RootDirectory: 0n, FileName: '\\??\\C:\\new.txt' }) })
      expect(statusNameOf(r.status)).toBe('STATUS_SUCCESS')
      yield* readFile(m, h.handle)
    })
    expect(log).toEqual([
      'pre 3 201 STATUS_FLT_NAME_CACHE_MISS',
      `pre 3 101 ${VOL}\\old.txt`,
      `pre 3 201 ${VOL}\\old.txt`,
      'pre 3 201 STATUS_FLT_NAME_CACHE_MISS',
      `pre 3 101 ${VOL}\\new.txt`,
      `pre 3 201 ${VOL}\\new.txt`,
    ])
  })

  it('a post-rename asks for the name and gets the new one (the cache is forgotten when the file system completes)', () => {
    const m = bootMachine()
    const log: string[] = []
    namer(m, log, [IRP_MJ.IRP_MJ_SET_INFORMATION], [FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_ALWAYS_ALLOW_CACHE_LOOKUP])
    run(m, function* () {
      yield* makeFile(m, 'C:\\before.txt', 'data')
      const h = yield* open(m, 'C:\\before.txt', { access: 0x120089 | 0x10000 })
      const r = yield* NtSetInformationFile(m.io, { FileHandle: h.handle, FileInformationClass: FILE_INFORMATION_CLASS.FileRenameInformation, FileInformation: encodeRenameInformation({ ReplaceIfExists: false, RootDirectory: 0n, FileName: '\\??\\C:\\after.txt' }) })
      expect(statusNameOf(r.status)).toBe('STATUS_SUCCESS')
      yield* close(m, h.handle)
    })
    expect(log.filter((l) => l.startsWith('pre 6') || l.startsWith('post 6'))).toEqual([`pre 6 401 ${VOL}\\before.txt`, `post 6 401 ${VOL}\\after.txt`])
  })

  it('after cleanup only the cache can answer (STATUS_FLT_INVALID_NAME_REQUEST otherwise)', () => {
    const m = bootMachine()
    const log: string[] = []
    namer(m, log, [IRP_MJ.IRP_MJ_CLEANUP, IRP_MJ.IRP_MJ_CLOSE], [FLT_FILE_NAME_OPENED | FLT_FILE_NAME_QUERY_DEFAULT, FLT_FILE_NAME_OPENED | FLT_FILE_NAME_QUERY_ALWAYS_ALLOW_CACHE_LOOKUP])
    run(m, function* () {
      const h = yield* open(m, 'C:\\c.txt')
      yield* close(m, h.handle)
    })
    expect(log).toEqual([
      `pre 18 102 ${VOL}\\c.txt`,
      `pre 18 402 ${VOL}\\c.txt`,
      'post 18 102 STATUS_FLT_INVALID_NAME_REQUEST',
      `post 18 402 ${VOL}\\c.txt`,
      'pre 2 102 STATUS_FLT_INVALID_NAME_REQUEST',
      `pre 2 402 ${VOL}\\c.txt`,
      'post 2 102 STATUS_FLT_INVALID_NAME_REQUEST',
      `post 2 402 ${VOL}\\c.txt`,
    ])
  })

  it('short names come from the file system after the create; not in pre-create', () => {
    const m = bootMachine()
    const log: string[] = []
    namer(m, log, [IRP_MJ.IRP_MJ_CREATE], [FLT_FILE_NAME_SHORT | FLT_FILE_NAME_QUERY_DEFAULT])
    run(m, function* () {
      yield* open(m, 'C:\\A long name.text')
    })
    expect(log).toEqual(['pre 0 103 STATUS_FLT_INVALID_NAME_REQUEST', 'post 0 103 ALONGN~1.TEX'])
  })

  it('FltParseFileNameInformation splits volume, parent directory, final component, extension and stream', () => {
    const m = bootMachine()
    const parsed: Partial<FLT_FILE_NAME_INFORMATION>[] = []
    const r = m.fltmc.load(
      filterModule('parser', '360000', () => ({
        OperationRegistration: [
          {
            MajorFunction: IRP_MJ.IRP_MJ_CREATE,
            *PreOperation(Data) {
              const n = ref<FLT_FILE_NAME_INFORMATION>()
              yield* FltGetFileNameInformation(Data, FLT_FILE_NAME_OPENED | FLT_FILE_NAME_QUERY_DEFAULT, n)
              FltParseFileNameInformation(n.value!)
              const { Volume, Share, ParentDir, FinalComponent, Extension, Stream, NamesParsed } = n.value!
              parsed.push({ Volume, Share, ParentDir, FinalComponent, Extension, Stream, NamesParsed })
              return FLT_PREOP_SUCCESS_NO_CALLBACK
            },
          },
        ],
      })),
    )
    expect(r.statusName).toBe('STATUS_SUCCESS')
    run(m, function* () {
      yield* open(m, 'C:\\docs\\Test Results.txt:stream1', { disposition: 5 })
    })
    expect(parsed).toEqual([{ Volume: VOL, Share: '', ParentDir: '\\docs\\', FinalComponent: 'Test Results.txt:stream1', Extension: 'txt', Stream: ':stream1', NamesParsed: 15 }])
  })

  it('FltGetDestinationFileNameInformation resolves a rename target to the volume name', () => {
    const m = bootMachine()
    const got: string[] = []
    const r = m.fltmc.load(
      filterModule('dest', '360000', () => ({
        OperationRegistration: [
          {
            MajorFunction: IRP_MJ.IRP_MJ_SET_INFORMATION,
            *PreOperation(Data, FltObjects: FLT_RELATED_OBJECTS) {
              const p = Data.Iopb.Parameters.SetFileInformation
              if (p.FileInformationClass !== FILE_INFORMATION_CLASS.FileRenameInformation) return FLT_PREOP_SUCCESS_NO_CALLBACK
              const buf = p.InfoBuffer!
              const len = new DataView(buf.buffer, buf.byteOffset).getUint32(16, true)
              const target = new TextDecoder('utf-16le').decode(buf.subarray(20, 20 + len))
              for (const fmt of [FLT_FILE_NAME_OPENED, FLT_FILE_NAME_NORMALIZED]) {
                const n = ref<FLT_FILE_NAME_INFORMATION>()
                const st = yield* FltGetDestinationFileNameInformation(FltObjects.Instance, FltObjects.FileObject!, null, target, len, fmt | FLT_FILE_NAME_QUERY_DEFAULT, n)
                got.push(NT_SUCCESS(st) ? n.value!.Name : statusNameOf(st))
              }
              return FLT_PREOP_SUCCESS_NO_CALLBACK
            },
          },
        ],
      })),
    )
    expect(r.statusName).toBe('STATUS_SUCCESS')
    run(m, function* () {
      yield* makeFile(m, 'C:\\Some Folder\\a.txt', 'a')
      const h = yield* open(m, 'C:\\Some Folder\\a.txt', { access: 0x120089 | 0x10000 })
      yield* NtSetInformationFile(m.io, { FileHandle: h.handle, FileInformationClass: FILE_INFORMATION_CLASS.FileRenameInformation, FileInformation: encodeRenameInformation({ ReplaceIfExists: false, RootDirectory: 0n, FileName: '\\??\\C:\\SOMEFO~1\\b.txt' }) })
      yield* NtSetInformationFile(m.io, { FileHandle: h.handle, FileInformationClass: FILE_INFORMATION_CLASS.FileRenameInformation, FileInformation: encodeRenameInformation({ ReplaceIfExists: false, RootDirectory: 0n, FileName: 'c.txt' }) })
    })
    expect(got).toEqual([`${VOL}\\SOMEFO~1\\b.txt`, `${VOL}\\Some Folder\\b.txt`, `${VOL}\\Some Folder\\c.txt`, `${VOL}\\Some Folder\\c.txt`])
  })
})

function* readFile(m: Machine, handle: number): Co<void> {
  yield* NtReadFile(m.io, { FileHandle: handle, ByteOffset: 0, Length: 4 })
}
