// The scenario's volume before the run (`volume.files`, made through the same NT services a
// program would use, with tracing off) and after it (`expect.files`, checked the same way).

import type { Co } from '../../ke/index.ts'
import type { Machine } from '../../machine.ts'
import * as nt from '../../io/services/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_DISPOSITION as D, CREATE_OPTIONS as O, FILE_ATTRIBUTE, SHARE_ACCESS as S } from '../../nt/file.ts'
import { FILE_INFORMATION_CLASS as C } from '../../nt/infoclass.ts'
import { NT_SUCCESS, STATUS, statusName } from '../../nt/status.ts'
import { decodeFileInformation, encodeFileInformation } from '../../rtl/structs/fileinfo.ts'
import type { Scenario, VolumeFile, FileExpectation } from '../types.ts'
import type { Failure } from './run.ts'
import { int64ToNumber } from './values.ts'
import { encodeReparseInput } from './reparse-input.ts'

const SHARE_ALL = S.FILE_SHARE_READ | S.FILE_SHARE_WRITE | S.FILE_SHARE_DELETE
const SYNC = O.FILE_SYNCHRONOUS_IO_NONALERT

/** deterministic content for `size:` files: a repeating, position-dependent byte pattern */
export function patternBytes(size: number, offset = 0): Uint8Array {
  const b = new Uint8Array(size)
  for (let i = 0; i < size; i++) {
    const p = offset + i
    b[i] = (p * 31 + (p >>> 8) * 7 + (p >>> 16)) & 0xff
  }
  return b
}

function where(s: { source: { file: string; line: number; col: number } }): string {
  return `${s.source.file}:${s.source.line}:${s.source.col}`
}

/** runs `body` on a System thread with tracing off, to completion */
function runQuietly(machine: Machine, name: string, body: () => Co<void>): string | undefined {
  const wasTracing = machine.trace.enabled
  machine.trace.enabled = false
  let done = false
  const t = machine.ke.createThread(machine.system, name, function* () {
    yield* body()
    done = true
  })
  machine.registerThread(machine.system, t.tid)
  const outcome = machine.ke.runUntil(() => done, { deadline: machine.ke.now + 3600 * 10_000_000 })
  machine.trace.enabled = wasTracing
  if (outcome === 'done') return undefined
  if (outcome === 'bugcheck') return `bugcheck ${machine.ke.bugcheck?.codeName}: ${machine.ke.bugcheck?.message}`
  return `${name} did not finish (${outcome})`
}

function* ensureParents(machine: Machine, ntPath: string): Co<void> {
  const parts = ntPath.split('\\')
  // \??\C:\a\b\file → directories \??\C:\a and \??\C:\a\b
  for (let i = 3; i < parts.length - 1; i++) {
    const dir = parts.slice(0, i + 1).join('\\')
    const r = yield* nt.NtCreateFile(machine.io, {
      FileName: dir,
      DesiredAccess: ACCESS.FILE_LIST_DIRECTORY | ACCESS.SYNCHRONIZE,
      ShareAccess: SHARE_ALL,
      CreateDisposition: D.FILE_OPEN_IF,
      CreateOptions: O.FILE_DIRECTORY_FILE | SYNC,
    })
    if (r.handle !== undefined) yield* nt.NtClose(machine.io, { Handle: r.handle })
  }
}

function* makeFile(machine: Machine, f: VolumeFile): Co<string | undefined> {
  const io = machine.io
  yield* ensureParents(machine, f.ntPath)
  const r = yield* nt.NtCreateFile(io, {
    FileName: f.ntPath,
    DesiredAccess: ACCESS.GENERIC_READ | ACCESS.GENERIC_WRITE | ACCESS.SYNCHRONIZE,
    ShareAccess: SHARE_ALL,
    CreateDisposition: f.directory ? D.FILE_OPEN_IF : D.FILE_OVERWRITE_IF,
    CreateOptions: (f.directory ? O.FILE_DIRECTORY_FILE : O.FILE_NON_DIRECTORY_FILE) | SYNC | (f.reparse ? O.FILE_OPEN_REPARSE_POINT : 0),
  })
  if (r.handle === undefined) return `cannot create ${f.path}: ${statusName(r.status)}`
  const h = r.handle
  try {
    const content = f.content ?? (f.size !== undefined ? patternBytes(int64ToNumber(f.size)) : undefined)
    if (content && content.length > 0) {
      const w = yield* nt.NtWriteFile(io, { FileHandle: h, ByteOffset: 0, Data: content })
      if (!NT_SUCCESS(w.status)) return `cannot write ${f.path}: ${statusName(w.status)}`
    }
    for (const s of f.streams) {
      const sr = yield* nt.NtCreateFile(io, {
        FileName: `${f.ntPath}:${s.name}`,
        DesiredAccess: ACCESS.GENERIC_WRITE | ACCESS.SYNCHRONIZE,
        ShareAccess: SHARE_ALL,
        CreateDisposition: D.FILE_OVERWRITE_IF,
        CreateOptions: SYNC,
      })
      if (sr.handle === undefined) return `cannot create stream ${f.path}:${s.name}: ${statusName(sr.status)}`
      const data = s.content ?? (s.size !== undefined ? patternBytes(int64ToNumber(s.size)) : new Uint8Array(0))
      if (data.length > 0) yield* nt.NtWriteFile(io, { FileHandle: sr.handle, ByteOffset: 0, Data: data })
      yield* nt.NtClose(io, { Handle: sr.handle })
    }
    const t = f.times
    if (f.attributes !== undefined || t.CreationTime !== undefined || t.LastAccessTime !== undefined || t.LastWriteTime !== undefined || t.ChangeTime !== undefined) {
      const enc = encodeFileInformation(
        'FileBasicInformation',
        {
          CreationTime: t.CreationTime ?? 0,
          LastAccessTime: t.LastAccessTime ?? 0,
          LastWriteTime: t.LastWriteTime ?? 0,
          ChangeTime: t.ChangeTime ?? 0,
          FileAttributes: f.attributes === undefined ? 0 : f.attributes === 0 ? FILE_ATTRIBUTE.FILE_ATTRIBUTE_NORMAL : f.attributes,
        } as never,
        40,
      )
      const sr = yield* nt.NtSetInformationFile(io, { FileHandle: h, FileInformationClass: C.FileBasicInformation, FileInformation: enc.bytes })
      if (!NT_SUCCESS(sr.status)) return `cannot set attributes or times of ${f.path}: ${statusName(sr.status)}`
    }
    if (f.reparse) {
      const buf = encodeReparseInput(f.reparse)
      const fr = yield* nt.NtFsControlFile(io, { FileHandle: h, FsControlCode: 0x000900a4, InputBuffer: buf })
      if (!NT_SUCCESS(fr.status)) return `cannot set the reparse point of ${f.path}: ${statusName(fr.status)}`
    }
  } finally {
    yield* nt.NtClose(io, { Handle: h })
  }
  return undefined
}

export function populateVolume(machine: Machine, scenario: Scenario): Failure | undefined {
  let problem: Failure | undefined
  const err = runQuietly(machine, 'volume setup', function* () {
    for (const f of scenario.volume.files) {
      const e = yield* makeFile(machine, f)
      if (e) {
        problem = { where: scenario.file, message: `volume.files: ${e}` }
        return
      }
    }
  })
  if (err) return { where: scenario.file, message: `volume.files: ${err}` }
  return problem
}

function* checkOne(machine: Machine, e: FileExpectation): Co<string | undefined> {
  const io = machine.io
  const r = yield* nt.NtCreateFile(io, {
    FileName: e.ntPath,
    DesiredAccess: ACCESS.GENERIC_READ | ACCESS.SYNCHRONIZE,
    ShareAccess: SHARE_ALL,
    CreateDisposition: D.FILE_OPEN,
    CreateOptions: SYNC | O.FILE_OPEN_REPARSE_POINT,
  })
  if (!e.exists) {
    if (r.handle !== undefined) {
      yield* nt.NtClose(io, { Handle: r.handle })
      return `${e.path} exists, expected it not to`
    }
    return r.status === STATUS.STATUS_OBJECT_NAME_NOT_FOUND || r.status === STATUS.STATUS_OBJECT_PATH_NOT_FOUND
      ? undefined
      : `${e.path}: expected it not to exist, but opening it gave ${statusName(r.status)}`
  }
  if (r.handle === undefined) return `${e.path} does not exist (${statusName(r.status)})`
  const h = r.handle
  try {
    const q = yield* nt.NtQueryInformationFile(io, { FileHandle: h, FileInformationClass: C.FileStandardInformation, Length: 24 })
    if (!NT_SUCCESS(q.status) || !q.buffer) return `${e.path}: FileStandardInformation failed with ${statusName(q.status)}`
    const std = decodeFileInformation('FileStandardInformation', q.buffer)
    if (e.directory !== undefined && std.Directory !== e.directory) return `${e.path}: expected ${e.directory ? 'a directory' : 'a file'}`
    if (e.size !== undefined && std.EndOfFile !== int64ToNumber(e.size)) return `${e.path}: size ${std.EndOfFile}, expected ${String(e.size)}`
    if (e.content !== undefined) {
      const rd = yield* nt.NtReadFile(io, { FileHandle: h, ByteOffset: 0, Length: Math.max(Number(std.EndOfFile), e.content.length) + 1 })
      const got = rd.data ?? new Uint8Array(0)
      if (!sameBytes(got, e.content)) return `${e.path}: content ${preview(got)}, expected ${preview(e.content)}`
    }
    if (e.attributes !== undefined) {
      const b = yield* nt.NtQueryInformationFile(io, { FileHandle: h, FileInformationClass: C.FileBasicInformation, Length: 40 })
      const basic = b.buffer ? decodeFileInformation('FileBasicInformation', b.buffer) : undefined
      const want = e.attributes === 0 ? FILE_ATTRIBUTE.FILE_ATTRIBUTE_NORMAL : e.attributes
      if (!basic || basic.FileAttributes !== want) return `${e.path}: attributes 0x${(basic?.FileAttributes ?? 0).toString(16)}, expected 0x${want.toString(16)}`
    }
    for (const s of e.streams ?? []) {
      const sr = yield* nt.NtCreateFile(io, { FileName: `${e.ntPath}:${s.name}`, DesiredAccess: ACCESS.GENERIC_READ | ACCESS.SYNCHRONIZE, ShareAccess: SHARE_ALL, CreateDisposition: D.FILE_OPEN, CreateOptions: SYNC })
      if (sr.handle === undefined) return `${e.path}:${s.name} does not exist (${statusName(sr.status)})`
      const want = s.content ?? (s.size !== undefined ? patternBytes(int64ToNumber(s.size)) : undefined)
      if (want) {
        const rd = yield* nt.NtReadFile(io, { FileHandle: sr.handle, ByteOffset: 0, Length: want.length + 1 })
        if (!sameBytes(rd.data ?? new Uint8Array(0), want)) {
          yield* nt.NtClose(io, { Handle: sr.handle })
          return `${e.path}:${s.name}: content ${preview(rd.data ?? new Uint8Array(0))}, expected ${preview(want)}`
        }
      }
      yield* nt.NtClose(io, { Handle: sr.handle })
    }
  } finally {
    yield* nt.NtClose(io, { Handle: h })
  }
  return undefined
}

export function checkFiles(machine: Machine, scenario: Scenario): ({ ok: true } | { ok: false; failure: Failure })[] {
  const out: ({ ok: true } | { ok: false; failure: Failure })[] = []
  if (machine.state !== 'running') return out
  runQuietly(machine, 'volume check', function* () {
    for (const e of scenario.expect.files) {
      const problem = yield* checkOne(machine, e)
      out.push(problem ? { ok: false, failure: { where: where(e), message: `expect.files: ${problem}` } } : { ok: true })
    }
  })
  return out
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

function preview(b: Uint8Array): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(b.subarray(0, 64))
  const printable = /^[\x20-\x7e\r\n\t]*$/.test(text)
  return printable ? JSON.stringify(text) + (b.length > 64 ? `… (${b.length} bytes)` : '') : `${b.length} bytes`
}
