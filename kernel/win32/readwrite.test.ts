import { describe, expect, it } from 'vitest'
import { ACCESS } from '../nt/access.ts'
import { CREATION_DISPOSITION as CD, MOVE_METHOD } from './constants.ts'
import { CloseHandle, CreateFileW } from './create.ts'
import { ERROR, GetLastError } from './errors.ts'
import { GetFileSizeEx, ReadFile, SetEndOfFile, SetFilePointerEx, WriteFile } from './readwrite.ts'
import { fsOps, testMachine } from './test-machine.ts'

const enc = (s: string) => new TextEncoder().encode(s)
const dec = (b: Uint8Array) => new TextDecoder().decode(b)

describe('ReadFile, WriteFile, SetFilePointerEx, SetEndOfFile', () => {
  it('SetEndOfFile is FileEndOfFileInformation then FileAllocationInformation at the file pointer (Notepad save, observed)', () => {
    const tm = testMachine()
    tm.make({ 'C:\\n.txt': 'a much longer old text' })
    tm.clearTrace()
    const size = tm.run(function* (env) {
      const h = (yield* CreateFileW(env, { FileName: 'C:\\n.txt', DesiredAccess: ACCESS.GENERIC_READ | ACCESS.GENERIC_WRITE, ShareMode: 1, CreationDisposition: CD.OPEN_ALWAYS, FlagsAndAttributes: 0x80 })).handle
      yield* WriteFile(env, { File: h, Buffer: enc('hello') })
      yield* SetEndOfFile(env, h)
      const s = yield* GetFileSizeEx(env, h)
      yield* CloseHandle(env, h)
      return s.size
    })
    expect(size).toBe(5)
    expect(fsOps(tm.trace()).slice(0, 5)).toEqual([
      'CreateFile C:\\n.txt',
      'WriteFile C:\\n.txt',
      'SetEndOfFileInformationFile C:\\n.txt',
      'SetAllocationInformationFile C:\\n.txt',
      'QueryStandardInformationFile C:\\n.txt',
    ])
    const eof = tm.trace().find((e) => e.minor === 'FileEndOfFileInformation' && e.phase === 'complete')!
    expect(eof.detail).toContain('EndOfFile: 5')
    expect(dec(tm.read('C:\\n.txt')!)).toBe('hello')
  })
  it('reads at the file pointer, moves it from the end, and reads nothing at the end of file', () => {
    const tm = testMachine()
    tm.make({ 'C:\\r.txt': 'abcdefgh' })
    const r = tm.run(function* (env) {
      const h = (yield* CreateFileW(env, { FileName: 'C:\\r.txt', DesiredAccess: ACCESS.GENERIC_READ, ShareMode: 1, CreationDisposition: CD.OPEN_EXISTING, FlagsAndAttributes: 0 })).handle
      const a = yield* ReadFile(env, { File: h, NumberOfBytesToRead: 3 })
      const p = yield* SetFilePointerEx(env, { File: h, DistanceToMove: -2, MoveMethod: MOVE_METHOD.FILE_END })
      const b = yield* ReadFile(env, { File: h, NumberOfBytesToRead: 10 })
      const c = yield* ReadFile(env, { File: h, NumberOfBytesToRead: 10 })
      const at = yield* ReadFile(env, { File: h, NumberOfBytesToRead: 2, Offset: 1 })
      const past = yield* ReadFile(env, { File: h, NumberOfBytesToRead: 2, Offset: 100 })
      const eofError = GetLastError(env.io.ke.currentThread)
      const neg = yield* SetFilePointerEx(env, { File: h, DistanceToMove: -100, MoveMethod: MOVE_METHOD.FILE_CURRENT })
      const negError = GetLastError(env.io.ke.currentThread)
      yield* CloseHandle(env, h)
      return { a: dec(a.data), p: p.position, b: dec(b.data), c: c.ok && c.data.length, at: dec(at.data), past: past.ok, eofError, neg: neg.ok, negError }
    })
    expect(r).toEqual({ a: 'abc', p: 6, b: 'gh', c: 0, at: 'bc', past: false, eofError: ERROR.ERROR_HANDLE_EOF, neg: false, negError: ERROR.ERROR_NEGATIVE_SEEK })
  })
  it('WriteFile without write access fails with ERROR_ACCESS_DENIED', () => {
    const tm = testMachine()
    tm.make({ 'C:\\w.txt': 'x' })
    const r = tm.run(function* (env) {
      const h = (yield* CreateFileW(env, { FileName: 'C:\\w.txt', DesiredAccess: ACCESS.GENERIC_READ, ShareMode: 7, CreationDisposition: CD.OPEN_EXISTING, FlagsAndAttributes: 0 })).handle
      const w = yield* WriteFile(env, { File: h, Buffer: enc('y') })
      return { ok: w.ok, e: GetLastError(env.io.ke.currentThread) }
    })
    expect(r).toEqual({ ok: false, e: ERROR.ERROR_ACCESS_DENIED })
  })
})
