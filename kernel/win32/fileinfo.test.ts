import { describe, expect, it } from 'vitest'
import { ACCESS } from '../nt/access.ts'
import { FILE_ATTRIBUTE } from '../nt/file.ts'
import { CREATION_DISPOSITION as CD, FILE_INFO_BY_HANDLE_CLASS as H, INVALID_FILE_ATTRIBUTES } from './constants.ts'
import { CloseHandle, CreateFileW } from './create.ts'
import { ERROR, GetLastError } from './errors.ts'
import { GetFileAttributesExW, GetFileAttributesW, SetFileAttributesW, SetFileInformationByHandle } from './fileinfo.ts'
import { fsOps, testMachine } from './test-machine.ts'

describe('file information', () => {
  it('GetFileAttributesW is a query-only open with FileBasicInformation; a missing file is INVALID_FILE_ATTRIBUTES', () => {
    const tm = testMachine()
    tm.make({ 'C:\\a.txt': 'abc' })
    tm.clearTrace()
    const r = tm.run(function* (env) {
      const a = yield* GetFileAttributesW(env, 'C:\\a.txt')
      const b = yield* GetFileAttributesW(env, 'C:\\b.txt')
      return { a, b, e: GetLastError(env.io.ke.currentThread) }
    })
    expect(r).toEqual({ a: FILE_ATTRIBUTE.FILE_ATTRIBUTE_ARCHIVE, b: INVALID_FILE_ATTRIBUTES, e: ERROR.ERROR_FILE_NOT_FOUND })
    // the query open first: NTFS declines it (FAST IO DISALLOWED) and the I/O manager opens the file
    expect(fsOps(tm.trace()).slice(0, 4)).toEqual(['QueryOpen C:\\a.txt STATUS_FLT_DISALLOW_FAST_IO', 'CreateFile C:\\a.txt', 'QueryBasicInformationFile C:\\a.txt', 'CloseFile C:\\a.txt'])
  })
  it('GetFileAttributesExW gives the size and times; SetFileAttributesW sets with zero times and 0 as NORMAL', () => {
    const tm = testMachine()
    tm.make({ 'C:\\a.txt': 'abcdef' })
    tm.clearTrace()
    const r = tm.run(function* (env) {
      const x = yield* GetFileAttributesExW(env, 'C:\\a.txt')
      yield* SetFileAttributesW(env, 'C:\\a.txt', FILE_ATTRIBUTE.FILE_ATTRIBUTE_READONLY)
      const ro = yield* GetFileAttributesW(env, 'C:\\a.txt')
      yield* SetFileAttributesW(env, 'C:\\a.txt', 0)
      return { size: x!.FileSizeLow, high: x!.FileSizeHigh, ro, after: yield* GetFileAttributesW(env, 'C:\\a.txt') }
    })
    expect(r).toEqual({ size: 6, high: 0, ro: FILE_ATTRIBUTE.FILE_ATTRIBUTE_READONLY, after: FILE_ATTRIBUTE.FILE_ATTRIBUTE_NORMAL })
    const set = tm.trace().find((e) => e.minor === 'FileBasicInformation' && e.op === 'IRP_MJ_SET_INFORMATION' && e.phase === 'complete')!
    expect(set.detail).toContain('CreationTime: 1/1/1601')
  })
  it('SetFileInformationByHandle maps FILE_INFO_BY_HANDLE_CLASS to the NT class and converts rename targets', () => {
    const tm = testMachine()
    tm.make({ 'C:\\a.txt': '0123456789', 'C:\\d\\': '' })
    tm.clearTrace()
    const r = tm.run(function* (env) {
      const h = (yield* CreateFileW(env, { FileName: 'C:\\a.txt', DesiredAccess: ACCESS.GENERIC_READ | ACCESS.GENERIC_WRITE | ACCESS.DELETE, ShareMode: 0, CreationDisposition: CD.OPEN_EXISTING, FlagsAndAttributes: 0 })).handle
      const eof = yield* SetFileInformationByHandle(env, { File: h, FileInformationClass: H.FileEndOfFileInfo, FileInformation: { EndOfFile: 4 } })
      const ren = yield* SetFileInformationByHandle(env, { File: h, FileInformationClass: H.FileRenameInfo, FileInformation: { ReplaceIfExists: false, FileName: 'C:\\d\\b.txt' } })
      const bad = yield* SetFileInformationByHandle(env, { File: h, FileInformationClass: H.FileStandardInfo, FileInformation: {} })
      const e = GetLastError(env.io.ke.currentThread)
      yield* CloseHandle(env, h)
      return { eof, ren, bad, e }
    })
    expect(r).toEqual({ eof: true, ren: true, bad: false, e: ERROR.ERROR_INVALID_PARAMETER })
    expect(new TextDecoder().decode(tm.read('C:\\d\\b.txt'))).toBe('0123')
    const ren = tm.trace().find((e) => e.minor === 'FileRenameInformation' && e.phase === 'complete')!
    expect(ren.detail).toContain('FileName: C:\\d\\b.txt')
  })
})
