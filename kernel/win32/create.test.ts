import { describe, expect, it } from 'vitest'
import { ACCESS } from '../nt/access.ts'
import { CREATE_DISPOSITION as D, CREATE_OPTIONS as O, CREATE_RESULT, OBJ_ATTRIBUTES } from '../nt/file.ts'
import { STATUS } from '../nt/status.ts'
import { CREATION_DISPOSITION as CD, FILE_FLAG as F, INVALID_HANDLE_VALUE } from './constants.ts'
import { CloseHandle, CreateFileW, createFileParameters } from './create.ts'
import { ERROR, GetLastError, RtlGetLastNtStatus } from './errors.ts'
import { testMachine } from './test-machine.ts'

const GR = ACCESS.GENERIC_READ
const GW = ACCESS.GENERIC_WRITE

describe('CreateFileW → NtCreateFile', () => {
  it('maps each creation disposition as kernelbase does', () => {
    const d = (c: number) => createFileParameters({ DesiredAccess: GR, ShareMode: 0, CreationDisposition: c, FlagsAndAttributes: 0 })?.CreateDisposition
    expect(d(CD.CREATE_NEW)).toBe(D.FILE_CREATE)
    expect(d(CD.CREATE_ALWAYS)).toBe(D.FILE_OVERWRITE_IF)
    expect(d(CD.OPEN_EXISTING)).toBe(D.FILE_OPEN)
    expect(d(CD.OPEN_ALWAYS)).toBe(D.FILE_OPEN_IF)
    expect(d(CD.TRUNCATE_EXISTING)).toBe(D.FILE_OVERWRITE)
    expect(d(0)).toBeUndefined()
    expect(d(6)).toBeUndefined()
  })
  it('adds SYNCHRONIZE | FILE_READ_ATTRIBUTES, non-directory and synchronous I/O by default, case-insensitive names', () => {
    const p = createFileParameters({ DesiredAccess: GR | GW, ShareMode: 1, CreationDisposition: CD.OPEN_ALWAYS, FlagsAndAttributes: 0x80 })!
    expect(p.DesiredAccess).toBe((GR | GW | ACCESS.SYNCHRONIZE | ACCESS.FILE_READ_ATTRIBUTES) >>> 0)
    expect(p.CreateOptions).toBe(O.FILE_NON_DIRECTORY_FILE | O.FILE_SYNCHRONOUS_IO_NONALERT)
    expect(p.Attributes).toBe(OBJ_ATTRIBUTES.OBJ_CASE_INSENSITIVE)
    expect(p.FileAttributes).toBe(0x80)
    expect(p.ShareAccess).toBe(1)
  })
  it('maps every FILE_FLAG_* to its create option', () => {
    const o = (f: number) => createFileParameters({ DesiredAccess: GR, ShareMode: 0, CreationDisposition: CD.OPEN_EXISTING, FlagsAndAttributes: f })!
    expect(o(F.FILE_FLAG_BACKUP_SEMANTICS).CreateOptions).toBe(O.FILE_OPEN_FOR_BACKUP_INTENT | O.FILE_SYNCHRONOUS_IO_NONALERT)
    expect(o(F.FILE_FLAG_OVERLAPPED).CreateOptions).toBe(O.FILE_NON_DIRECTORY_FILE)
    expect(o(F.FILE_FLAG_NO_BUFFERING).CreateOptions & O.FILE_NO_INTERMEDIATE_BUFFERING).toBeTruthy()
    expect(o(F.FILE_FLAG_SEQUENTIAL_SCAN).CreateOptions & O.FILE_SEQUENTIAL_ONLY).toBeTruthy()
    expect(o(F.FILE_FLAG_RANDOM_ACCESS).CreateOptions & O.FILE_RANDOM_ACCESS).toBeTruthy()
    expect(o(F.FILE_FLAG_WRITE_THROUGH).CreateOptions & O.FILE_WRITE_THROUGH).toBeTruthy()
    expect(o(F.FILE_FLAG_OPEN_REPARSE_POINT).CreateOptions & O.FILE_OPEN_REPARSE_POINT).toBeTruthy()
    expect(o(F.FILE_FLAG_OPEN_NO_RECALL).CreateOptions & O.FILE_OPEN_NO_RECALL).toBeTruthy()
    expect(o(F.FILE_FLAG_OPEN_REQUIRING_OPLOCK).CreateOptions & O.FILE_OPEN_REQUIRING_OPLOCK).toBeTruthy()
    const doc = o(F.FILE_FLAG_DELETE_ON_CLOSE)
    expect(doc.CreateOptions & O.FILE_DELETE_ON_CLOSE).toBeTruthy()
    expect(doc.DesiredAccess & ACCESS.DELETE).toBeTruthy()
    expect(o(F.FILE_FLAG_POSIX_SEMANTICS).Attributes).toBe(0)
  })
})

describe('CreateFileW on a volume', () => {
  it('sends the translated create and reports ERROR_ALREADY_EXISTS when CREATE_ALWAYS overwrites', () => {
    const tm = testMachine()
    tm.make({ 'C:\\a.txt': 'old' })
    const r = tm.run(function* (env) {
      const c = yield* CreateFileW(env, { FileName: 'C:\\a.txt', DesiredAccess: GR | GW, ShareMode: 1, CreationDisposition: CD.CREATE_ALWAYS, FlagsAndAttributes: 0x80 })
      const e = GetLastError(env.io.ke.currentThread)
      yield* CloseHandle(env, c.handle)
      return { c, e }
    })
    expect(r.c.information).toBe(CREATE_RESULT.FILE_OVERWRITTEN)
    expect(r.e).toBe(ERROR.ERROR_ALREADY_EXISTS)
    const create = tm.trace().find((e) => e.op === 'IRP_MJ_CREATE' && e.at === 'fs' && e.phase === 'dispatch')!
    expect(create.params['CreateDisposition']).toBe(D.FILE_OVERWRITE_IF)
    expect(create.params['ShareAccess']).toBe(1)
    expect(create.params['CreateOptions']).toBe(O.FILE_NON_DIRECTORY_FILE | O.FILE_SYNCHRONOUS_IO_NONALERT)
  })
  it('clears the last error when it creates, and fails CREATE_NEW on an existing name with ERROR_FILE_EXISTS', () => {
    const tm = testMachine()
    const r = tm.run(function* (env) {
      const t = env.io.ke.currentThread
      const a = yield* CreateFileW(env, { FileName: 'C:\\n.txt', DesiredAccess: GW, ShareMode: 0, CreationDisposition: CD.CREATE_NEW, FlagsAndAttributes: 0 })
      const e1 = GetLastError(t)
      yield* CloseHandle(env, a.handle)
      const b = yield* CreateFileW(env, { FileName: 'C:\\n.txt', DesiredAccess: GW, ShareMode: 0, CreationDisposition: CD.CREATE_NEW, FlagsAndAttributes: 0 })
      return { a: a.information, e1, b: b.handle, e2: GetLastError(t), s2: RtlGetLastNtStatus(t) }
    })
    expect(r).toEqual({ a: CREATE_RESULT.FILE_CREATED, e1: 0, b: INVALID_HANDLE_VALUE, e2: ERROR.ERROR_FILE_EXISTS, s2: STATUS.STATUS_OBJECT_NAME_COLLISION })
  })
  it('fails on a missing file, a missing path, a directory without backup semantics and an empty name', () => {
    const tm = testMachine()
    tm.make({ 'C:\\dir\\': '' })
    const errs = tm.run(function* (env) {
      const t = env.io.ke.currentThread
      const out: string[] = []
      for (const [name, flags] of [['C:\\none.txt', 0], ['C:\\none\\x.txt', 0], ['C:\\dir', 0], ['C:\\dir', F.FILE_FLAG_BACKUP_SEMANTICS], ['', 0]] as const) {
        const r = yield* CreateFileW(env, { FileName: name, DesiredAccess: GR, ShareMode: 7, CreationDisposition: CD.OPEN_EXISTING, FlagsAndAttributes: flags })
        out.push(r.handle === INVALID_HANDLE_VALUE ? String(GetLastError(t)) : 'ok')
        if (r.handle !== INVALID_HANDLE_VALUE) yield* CloseHandle(env, r.handle)
      }
      return out
    })
    expect(errs).toEqual([String(ERROR.ERROR_FILE_NOT_FOUND), String(ERROR.ERROR_PATH_NOT_FOUND), String(ERROR.ERROR_ACCESS_DENIED), 'ok', String(ERROR.ERROR_PATH_NOT_FOUND)])
  })
  it('CloseHandle of a bad handle fails with ERROR_INVALID_HANDLE', () => {
    const tm = testMachine()
    const r = tm.run(function* (env) {
      const ok = yield* CloseHandle(env, 0x1234)
      return { ok, e: GetLastError(env.io.ke.currentThread) }
    })
    expect(r).toEqual({ ok: false, e: ERROR.ERROR_INVALID_HANDLE })
  })
})
