import { describe, expect, it } from 'vitest'
import { STATUS } from '../nt/status.ts'
import { BaseSetLastNTError, ERROR, errorName, GetLastError, RtlGetLastNtStatus, RtlNtStatusToDosErrorNoTeb, SetLastError } from './errors.ts'
import { testMachine } from './test-machine.ts'

describe('RtlNtStatusToDosError', () => {
  it('maps the statuses file APIs see to their Win32 errors', () => {
    const cases: [number, number][] = [
      [STATUS.STATUS_SUCCESS, ERROR.ERROR_SUCCESS],
      [STATUS.STATUS_OBJECT_NAME_NOT_FOUND, ERROR.ERROR_FILE_NOT_FOUND],
      [STATUS.STATUS_OBJECT_PATH_NOT_FOUND, ERROR.ERROR_PATH_NOT_FOUND],
      [STATUS.STATUS_OBJECT_NAME_COLLISION, ERROR.ERROR_ALREADY_EXISTS],
      [STATUS.STATUS_SHARING_VIOLATION, ERROR.ERROR_SHARING_VIOLATION],
      [STATUS.STATUS_ACCESS_DENIED, ERROR.ERROR_ACCESS_DENIED],
      [STATUS.STATUS_DELETE_PENDING, ERROR.ERROR_ACCESS_DENIED],
      [STATUS.STATUS_FILE_IS_A_DIRECTORY, ERROR.ERROR_ACCESS_DENIED],
      [STATUS.STATUS_CANNOT_DELETE, ERROR.ERROR_ACCESS_DENIED],
      [STATUS.STATUS_DIRECTORY_NOT_EMPTY, ERROR.ERROR_DIR_NOT_EMPTY],
      [STATUS.STATUS_NOT_A_DIRECTORY, ERROR.ERROR_DIRECTORY],
      [STATUS.STATUS_NOT_SAME_DEVICE, ERROR.ERROR_NOT_SAME_DEVICE],
      [STATUS.STATUS_END_OF_FILE, ERROR.ERROR_HANDLE_EOF],
      [STATUS.STATUS_NO_MORE_FILES, ERROR.ERROR_NO_MORE_FILES],
      [STATUS.STATUS_BUFFER_OVERFLOW, ERROR.ERROR_MORE_DATA],
      [STATUS.STATUS_INVALID_DEVICE_REQUEST, ERROR.ERROR_INVALID_FUNCTION],
      [STATUS.STATUS_DISK_FULL, ERROR.ERROR_DISK_FULL],
      [STATUS.STATUS_OBJECT_NAME_INVALID, ERROR.ERROR_INVALID_NAME],
      [STATUS.STATUS_NOT_A_REPARSE_POINT, ERROR.ERROR_NOT_A_REPARSE_POINT],
      [STATUS.STATUS_CANCELLED, ERROR.ERROR_OPERATION_ABORTED],
      [STATUS.STATUS_FILE_LOCK_CONFLICT, ERROR.ERROR_LOCK_VIOLATION],
      [STATUS.STATUS_INVALID_HANDLE, ERROR.ERROR_INVALID_HANDLE],
    ]
    for (const [s, e] of cases) expect(errorName(RtlNtStatusToDosErrorNoTeb(s)), `0x${s.toString(16)}`).toBe(errorName(e))
  })
  it('applies ntdll special cases: customer codes, 0xD…, HRESULT_FROM_WIN32 and unknown codes', () => {
    expect(RtlNtStatusToDosErrorNoTeb(0xe0001234)).toBe(0xe0001234) // customer bit: unchanged
    expect(RtlNtStatusToDosErrorNoTeb(0xd0000034)).toBe(ERROR.ERROR_FILE_NOT_FOUND) // read as 0xC0000034
    expect(RtlNtStatusToDosErrorNoTeb(0x80070005)).toBe(5)
    expect(RtlNtStatusToDosErrorNoTeb(0xc0010057)).toBe(0x57)
    expect(RtlNtStatusToDosErrorNoTeb(0xc0ffee00)).toBe(ERROR.ERROR_MR_MID_NOT_FOUND)
    // 1:1 rows pass the status through
    expect(RtlNtStatusToDosErrorNoTeb(STATUS.STATUS_OBJECTID_EXISTS)).toBe(STATUS.STATUS_OBJECTID_EXISTS >>> 0)
  })
  it('names errors, ERROR_SUCCESS for 0 and the number for an unknown code', () => {
    expect(errorName(2)).toBe('ERROR_FILE_NOT_FOUND')
    expect(errorName(0)).toBe('ERROR_SUCCESS')
    expect(errorName(99999)).toBe('99999')
  })
  it('keeps the last error and last status per thread', () => {
    const tm = testMachine()
    const a = tm.run(function* (env) {
      const t = env.io.ke.currentThread
      BaseSetLastNTError(t, STATUS.STATUS_SHARING_VIOLATION)
      return { e: GetLastError(t), s: RtlGetLastNtStatus(t) }
    })
    expect(a).toEqual({ e: ERROR.ERROR_SHARING_VIOLATION, s: STATUS.STATUS_SHARING_VIOLATION })
    // another thread starts clean; SetLastError leaves the last status alone
    const b = tm.run(function* (env) {
      const t = env.io.ke.currentThread
      const before = GetLastError(t)
      SetLastError(t, ERROR.ERROR_FILE_EXISTS)
      return { before, e: GetLastError(t), s: RtlGetLastNtStatus(t) }
    })
    expect(b).toEqual({ before: 0, e: ERROR.ERROR_FILE_EXISTS, s: 0 })
  })
})
