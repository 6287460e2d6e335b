import { describe, expect, it } from 'vitest'
import { KEvent, KeWaitForSingleObject } from '../ke/index.ts'
import { NtQueryInformationFile } from '../io/services/index.ts'
import { ACCESS } from '../nt/access.ts'
import { CREATE_DISPOSITION, CREATE_OPTIONS, IO_REPARSE, OBJ_ATTRIBUTES } from '../nt/file.ts'
import { FILE_INFORMATION_CLASS } from '../nt/infoclass.ts'
import type { Machine } from '../machine.ts'
import {
  FltAllocateCallbackData,
  FltCancelFileOpen,
  FltClose,
  FltCreateFile,
  FltCreateFileEx,
  FltPerformSynchronousIo,
  FltQueryInformationFile,
  FltWriteFile,
  InitializeObjectAttributes,
  IoReplaceFileObjectName,
  ObDereferenceObject,
  ZwClose,
  ZwCreateFile,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  IRP_MJ,
  NT_SUCCESS,
  STATUS,
  ref,
  statusNameOf,
  type Co,
  type FLT_CALLBACK_DATA,
  type FLT_RELATED_OBJECTS,
  type FileObject,
} from './test-exports.ts'
import { bootMachine, close, filterModule, lines, makeFile, mark, open, read, run, SHARE_ALL } from './test-support.ts'

const pass = () => FLT_PREOP_SUCCESS_WITH_CALLBACK
const done = () => FLT_POSTOP_FINISHED_PROCESSING

/** a filter that sees everything and registers for the majors given */
function watcher(m: Machine, name: string, altitude: string, majors = [IRP_MJ.IRP_MJ_CREATE, IRP_MJ.IRP_MJ_READ, IRP_MJ.IRP_MJ_WRITE, IRP_MJ.IRP_MJ_CLEANUP, IRP_MJ.IRP_MJ_CLOSE, IRP_MJ.IRP_MJ_QUERY_INFORMATION]): void {
  const r = m.fltmc.load(filterModule(name, altitude, () => ({ OperationRegistration: majors.map((MajorFunction) => ({ MajorFunction, PreOperation: pass, PostOperation: done })) })))
  expect(r.statusName).toBe('STATUS_SUCCESS')
}

describe('filter-initiated I/O', () => {
  it('FltCreateFile with an instance: only the instances below see the create and every later request on that file object', () => {
    const m = bootMachine()
    watcher(m, 'above', '300000')
    watcher(m, 'below', '100000')
    const r = m.fltmc.load(
      filterModule('opener', '200000', (handle) => ({
        OperationRegistration: [
          {
            MajorFunction: IRP_MJ.IRP_MJ_QUERY_INFORMATION,
            *PreOperation(_Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): Co<number> {
              const h = ref<number>()
              const fo = ref<FileObject>()
              const oa = InitializeObjectAttributes('\\??\\C:\\side.txt', OBJ_ATTRIBUTES.OBJ_KERNEL_HANDLE | OBJ_ATTRIBUTES.OBJ_CASE_INSENSITIVE)
              const st = yield* FltCreateFileEx(handle.value!, FltObjects.Instance, h, fo, ACCESS.GENERIC_WRITE | ACCESS.SYNCHRONIZE, oa, null, null, 0, SHARE_ALL, CREATE_DISPOSITION.FILE_OVERWRITE_IF, CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_NONALERT, null, 0, 0)
              expect(statusNameOf(st)).toBe('STATUS_SUCCESS')
              const data = new TextEncoder().encode('side')
              yield* FltWriteFile(FltObjects.Instance, fo.value!, 0, data.length, data, 0, null)
              yield* ObDereferenceObject(fo.value!)
              yield* FltClose(h.value!)
              return FLT_PREOP_SUCCESS_NO_CALLBACK
            },
          },
        ],
      })),
    )
    expect(r.statusName).toBe('STATUS_SUCCESS')
    const from = mark(m)
    run(m, function* () {
      const h = yield* open(m, 'C:\\main.txt')
      yield* queryStandard(m, h.handle)
      const s = yield* open(m, 'C:\\side.txt')
      expect((yield* read(m, s.handle, 4)).text).toBe('side')
    })
    // let the lazy writer run
    m.runFor(30 * 10_000_000)
    const side = m.trace.events.filter((e) => e.seq > from && e.path === 'C:\\side.txt' && e.phase === 'pre')
    // the side file's own requests: create, write, cleanup and the lazy writer's paging write, seen
    // only below the opener; the cache map still uses its file object while the application's open
    // of the file caches through it, so no close comes yet
    const fo = side[0]!.fileObject
    expect(side.filter((e) => e.fileObject === fo && e.op.startsWith('IRP_MJ_')).map((e) => `${e.at} ${e.op}`)).toEqual([
      'below@100000 IRP_MJ_CREATE',
      'below@100000 IRP_MJ_WRITE',
      'below@100000 IRP_MJ_CLEANUP',
      'below@100000 IRP_MJ_WRITE',
    ])
    // the application's own open of it is seen by everyone
    expect(side.filter((e) => e.fileObject !== fo && e.op === 'IRP_MJ_CREATE').map((e) => e.at)).toEqual(['above@300000', 'below@100000'])
  })

  it('ZwCreateFile from a pre-create enters at the top: every filter, the caller included, sees it nested in the trace', () => {
    const m = bootMachine()
    watcher(m, 'above', '300000')
    const r = m.fltmc.load(
      filterModule('zw', '200000', () => ({
        OperationRegistration: [
          {
            MajorFunction: IRP_MJ.IRP_MJ_CREATE,
            *PreOperation(Data: FLT_CALLBACK_DATA): Co<number> {
              if (!Data.Iopb.TargetFileObject!.FileName.endsWith('main.txt')) return FLT_PREOP_SUCCESS_NO_CALLBACK
              const h = ref<number>()
              const st = yield* ZwCreateFile(h, ACCESS.GENERIC_READ | ACCESS.SYNCHRONIZE, InitializeObjectAttributes('\\??\\C:\\log.txt', OBJ_ATTRIBUTES.OBJ_KERNEL_HANDLE), null, null, 0, SHARE_ALL, CREATE_DISPOSITION.FILE_OPEN_IF, CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_NONALERT, null, 0)
              if (NT_SUCCESS(st)) yield* ZwClose(h.value!)
              return FLT_PREOP_SUCCESS_WITH_CALLBACK
            },
            PostOperation: done,
          },
        ],
      })),
    )
    expect(r.statusName).toBe('STATUS_SUCCESS')
    const from = mark(m)
    run(m, function* () {
      yield* open(m, 'C:\\main.txt')
    })
    const ev = m.trace.events.filter((e) => e.seq > from && e.op === 'IRP_MJ_CREATE' && e.at !== 'fs')
    expect(ev.map((e) => `${e.at} ${e.phase} ${e.path} depth ${e.depth ?? 0}`)).toEqual([
      'above@300000 pre C:\\main.txt depth 0',
      'zw@200000 pre C:\\main.txt depth 0',
      // the nested create, issued from zw's pre-create: above sees it again, and so does zw
      'above@300000 pre C:\\log.txt depth 1',
      'zw@200000 pre C:\\log.txt depth 1',
      'above@300000 post C:\\log.txt depth 1',
      'zw@200000 post C:\\main.txt depth 0',
      'above@300000 post C:\\main.txt depth 0',
    ])
  })

  it('unbounded recursion through ZwCreateFile overflows the kernel stack: bugcheck 0x7F naming the recursion', () => {
    const m = bootMachine()
    const r = m.fltmc.load(
      filterModule('recurse', '200000', () => ({
        OperationRegistration: [
          {
            MajorFunction: IRP_MJ.IRP_MJ_CREATE,
            *PreOperation(): Co<number> {
              // every create opens a log file first: which is a create too
              const h = ref<number>()
              yield* ZwCreateFile(h, ACCESS.GENERIC_READ | ACCESS.SYNCHRONIZE, InitializeObjectAttributes('\\??\\C:\\log.txt', 0), null, null, 0, SHARE_ALL, CREATE_DISPOSITION.FILE_OPEN_IF, CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_NONALERT, null, 0)
              return FLT_PREOP_SUCCESS_NO_CALLBACK
            },
          },
        ],
      })),
    )
    expect(r.statusName).toBe('STATUS_SUCCESS')
    expect(() => run(m, function* () {
      yield* open(m, 'C:\\main.txt')
    })).toThrow(/UNEXPECTED_KERNEL_MODE_TRAP/)
    const bc = m.info().bugcheck!
    expect(bc.params[0]).toBe('0x0000000000000008')
    expect(bc.culprit).toMatch(/^recurse — /)
    expect(bc.context).toMatch(/IRP_MJ_CREATE C:\\main.txt[\s\S]*recurse — [\s\S]*IRP_MJ_CREATE C:\\log.txt[\s\S]*IRP_MJ_CREATE C:\\log.txt/)
    expect(bc.message).toMatch(/nested I\/O requests/)
  })

  it('a wait that can never be satisfied is a deadlock the wait chain explains', () => {
    const m = bootMachine()
    const never = new KEvent(m.ke, 'notification', false, 'the scanner service reply')
    const r = m.fltmc.load(
      filterModule('waiter', '200000', () => ({
        OperationRegistration: [
          {
            MajorFunction: IRP_MJ.IRP_MJ_CREATE,
            *PreOperation(): Co<number> {
              yield* KeWaitForSingleObject(never, undefined, 'the scanner service reply')
              return FLT_PREOP_SUCCESS_NO_CALLBACK
            },
          },
        ],
      })),
    )
    expect(r.statusName).toBe('STATUS_SUCCESS')
    expect(() => run(m, function* () {
      yield* open(m, 'C:\\main.txt')
    })).toThrow(/blocked[\s\S]*app\.exe:\d+ \(main\): the scanner service reply/)
  })

  it('FltAllocateCallbackData + FltPerformSynchronousIo, and FltQueryInformationFile after cleanup', () => {
    const m = bootMachine()
    const got: string[] = []
    const r = m.fltmc.load(
      filterModule('q', '200000', () => ({
        OperationRegistration: [
          {
            MajorFunction: IRP_MJ.IRP_MJ_CLEANUP,
            PreOperation: pass,
            *PostOperation(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): Co<number> {
              const buf = new Uint8Array(24)
              const n = ref<number>()
              const st = yield* FltQueryInformationFile(FltObjects.Instance, FltObjects.FileObject!, buf, 24, FILE_INFORMATION_CLASS.FileStandardInformation, n)
              got.push(`post-cleanup query ${statusNameOf(st)} EndOfFile=${new DataView(buf.buffer).getBigInt64(8, true)}`)
              const cbd = ref<FLT_CALLBACK_DATA>()
              FltAllocateCallbackData(FltObjects.Instance, FltObjects.FileObject!, cbd)
              const d = cbd.value!
              d.Iopb.MajorFunction = IRP_MJ.IRP_MJ_QUERY_INFORMATION
              d.Iopb.Parameters.QueryFileInformation.FileInformationClass = FILE_INFORMATION_CLASS.FileStandardInformation
              d.Iopb.Parameters.QueryFileInformation.Length = 24
              d.Iopb.Parameters.QueryFileInformation.InfoBuffer = new Uint8Array(24)
              yield* FltPerformSynchronousIo(d)
              got.push(`perform ${statusNameOf(d.IoStatus.Status)} ${d.IoStatus.Information}`)
              void Data
              return FLT_POSTOP_FINISHED_PROCESSING
            },
          },
        ],
      })),
    )
    expect(r.statusName).toBe('STATUS_SUCCESS')
    run(m, function* () {
      yield* makeFile(m, 'C:\\c.txt', '12345')
    })
    expect(got).toEqual(['post-cleanup query STATUS_SUCCESS EndOfFile=5', 'perform STATUS_SUCCESS 24'])
  })

  it('FltCreateFile below the instance, reparse points followed, FltClose cleans up and closes', () => {
    const m = bootMachine()
    const got: string[] = []
    const r = m.fltmc.load(
      filterModule('creator', '200000', (handle) => ({
        InstanceSetupCallback: function* (FltObjects) {
          const h = ref<number>()
          const st = yield* FltCreateFile(handle.value!, FltObjects.Instance, h, ACCESS.GENERIC_WRITE | ACCESS.SYNCHRONIZE, InitializeObjectAttributes('\\??\\C:\\meta.dat', OBJ_ATTRIBUTES.OBJ_KERNEL_HANDLE), null, null, 0, 0, CREATE_DISPOSITION.FILE_OVERWRITE_IF, CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_NONALERT, null, 0, 0)
          got.push(`setup create ${statusNameOf(st)}`)
          if (NT_SUCCESS(st)) got.push(`close ${statusNameOf(yield* FltClose(h.value!))}`)
          return STATUS.STATUS_SUCCESS
        },
      })),
    )
    expect(r.statusName).toBe('STATUS_SUCCESS')
    expect(got).toEqual(['setup create STATUS_SUCCESS', 'close STATUS_SUCCESS'])
    const ops = m.trace.events.filter((e) => e.path === 'C:\\meta.dat' && e.at === 'fs' && e.phase === 'dispatch').map((e) => e.op)
    expect(ops).toEqual(['IRP_MJ_CREATE', 'IRP_MJ_CLEANUP', 'IRP_MJ_CLOSE'])
  })

  it('FltCancelFileOpen in post-create: cleanup and close go below, the create fails above', () => {
    const m = bootMachine()
    watcher(m, 'above', '300000', [IRP_MJ.IRP_MJ_CREATE, IRP_MJ.IRP_MJ_CLEANUP, IRP_MJ.IRP_MJ_CLOSE])
    watcher(m, 'below', '100000', [IRP_MJ.IRP_MJ_CREATE, IRP_MJ.IRP_MJ_CLEANUP, IRP_MJ.IRP_MJ_CLOSE])
    const r = m.fltmc.load(
      filterModule('scanner', '200000', () => ({
        OperationRegistration: [
          {
            MajorFunction: IRP_MJ.IRP_MJ_CREATE,
            PreOperation: pass,
            PostOperation: (Data, FltObjects) => {
              if (NT_SUCCESS(Data.IoStatus.Status) && FltObjects.FileObject!.FileName.endsWith('.bad')) {
                FltCancelFileOpen(FltObjects.Instance, FltObjects.FileObject!)
                Data.IoStatus = { Status: STATUS.STATUS_ACCESS_DENIED, Information: 0 }
              }
              return FLT_POSTOP_FINISHED_PROCESSING
            },
          },
        ],
      })),
    )
    expect(r.statusName).toBe('STATUS_SUCCESS')
    const from = mark(m)
    const st = run(m, function* () {
      return (yield* open(m, 'C:\\virus.bad')).name
    })
    expect(st).toBe('STATUS_ACCESS_DENIED')
    expect(lines(m, from, { at: (a) => a !== 'fs' })).toEqual([
      'above@300000 pre IRP_MJ_CREATE',
      'scanner@200000 pre IRP_MJ_CREATE',
      'below@100000 pre IRP_MJ_CREATE',
      'below@100000 post IRP_MJ_CREATE STATUS_SUCCESS',
      'scanner@200000 post IRP_MJ_CREATE STATUS_SUCCESS',
      'below@100000 pre IRP_MJ_CLEANUP',
      'below@100000 post IRP_MJ_CLEANUP STATUS_SUCCESS',
      'below@100000 pre IRP_MJ_CLOSE',
      'below@100000 post IRP_MJ_CLOSE STATUS_SUCCESS',
      'above@300000 post IRP_MJ_CREATE STATUS_ACCESS_DENIED',
    ])
  })
})

describe('reparse from a filter', () => {
  it('IoReplaceFileObjectName + STATUS_REPARSE/IO_REPARSE: the I/O manager sends a new create through every filter; the first file object gets no cleanup or close', () => {
    const m = bootMachine()
    watcher(m, 'above', '380000', [IRP_MJ.IRP_MJ_CREATE, IRP_MJ.IRP_MJ_CLEANUP, IRP_MJ.IRP_MJ_CLOSE])
    watcher(m, 'below', '100000', [IRP_MJ.IRP_MJ_CREATE, IRP_MJ.IRP_MJ_CLEANUP, IRP_MJ.IRP_MJ_CLOSE])
    const r = m.fltmc.load(
      filterModule('simrep', '371100', () => ({
        OperationRegistration: [
          {
            MajorFunction: IRP_MJ.IRP_MJ_CREATE,
            PreOperation: (Data, FltObjects) => {
              const fo = FltObjects.FileObject!
              if (!fo.FileName.toLowerCase().startsWith('\\x\\y\\')) return FLT_PREOP_SUCCESS_NO_CALLBACK
              IoReplaceFileObjectName(fo, `${FltObjects.Volume.name}\\a\\b\\${fo.FileName.slice('\\x\\y\\'.length)}`)
              Data.IoStatus = { Status: STATUS.STATUS_REPARSE, Information: IO_REPARSE }
              return FLT_PREOP_COMPLETE
            },
          },
        ],
      })),
    )
    expect(r.statusName).toBe('STATUS_SUCCESS')
    run(m, function* () {
      yield* makeFile(m, 'C:\\a\\b\\z.txt', 'redirected')
    })
    const from = mark(m)
    const text = run(m, function* () {
      const h = yield* open(m, 'C:\\x\\y\\z.txt', { disposition: CREATE_DISPOSITION.FILE_OPEN })
      expect(h.name).toBe('STATUS_SUCCESS')
      const t = (yield* read(m, h.handle, 10)).text
      yield* close(m, h.handle)
      return t
    })
    expect(text).toBe('redirected')
    const ev = m.trace.events.filter((e) => e.seq > from && e.at !== 'fs' && e.op !== 'IRP_MJ_READ')
    expect(ev.map((e) => `${e.at} ${e.phase} ${e.op} ${e.path}${e.status ? ' ' + e.status : ''}`)).toEqual([
      'above@380000 pre IRP_MJ_CREATE C:\\x\\y\\z.txt',
      'simrep@371100 pre IRP_MJ_CREATE C:\\x\\y\\z.txt',
      'above@380000 post IRP_MJ_CREATE C:\\x\\y\\z.txt STATUS_REPARSE',
      'above@380000 pre IRP_MJ_CREATE C:\\a\\b\\z.txt',
      'simrep@371100 pre IRP_MJ_CREATE C:\\a\\b\\z.txt',
      'below@100000 pre IRP_MJ_CREATE C:\\a\\b\\z.txt',
      'below@100000 post IRP_MJ_CREATE C:\\a\\b\\z.txt STATUS_SUCCESS',
      'above@380000 post IRP_MJ_CREATE C:\\a\\b\\z.txt STATUS_SUCCESS',
      'above@380000 pre IRP_MJ_CLEANUP C:\\a\\b\\z.txt',
      'below@100000 pre IRP_MJ_CLEANUP C:\\a\\b\\z.txt',
      'below@100000 post IRP_MJ_CLEANUP C:\\a\\b\\z.txt STATUS_SUCCESS',
      'above@380000 post IRP_MJ_CLEANUP C:\\a\\b\\z.txt STATUS_SUCCESS',
      'above@380000 pre IRP_MJ_CLOSE C:\\a\\b\\z.txt',
      'below@100000 pre IRP_MJ_CLOSE C:\\a\\b\\z.txt',
      'below@100000 post IRP_MJ_CLOSE C:\\a\\b\\z.txt STATUS_SUCCESS',
      'above@380000 post IRP_MJ_CLOSE C:\\a\\b\\z.txt STATUS_SUCCESS',
    ])
    // two file objects: the discarded one was never cleaned up nor closed
    const fos = [...new Set(ev.map((e) => e.fileObject))]
    expect(fos).toHaveLength(2)
    const first = m.io.fileObjects.get(Number(fos[0]!.slice(2)))!
    expect(first.state).toBe('reparsed')
    expect(ev.filter((e) => e.fileObject === fos[0]).map((e) => e.op)).toEqual(['IRP_MJ_CREATE', 'IRP_MJ_CREATE', 'IRP_MJ_CREATE'])
  })
})

function* queryStandard(m: Machine, handle: number): Co<number> {
  const r = yield* NtQueryInformationFile(m.io, { FileHandle: handle, FileInformationClass: FILE_INFORMATION_CLASS.FileStandardInformation, Length: 24 })
  return r.status
}
