// ReadFile, WriteFile, SetFilePointerEx, SetEndOfFile, FlushFileBuffers, GetFileSizeEx.
// SetEndOfFile is FileEndOfFileInformation followed by FileAllocationInformation with the same
// value, as the Notepad-save captures show (shared/reference/irp-sequences.md §3.3, Win7 and
// Win10 1709 [O]; Wine's SetEndOfFile sets only the end of file and is not followed here).

import type { Co } from '../ke/index.ts'
import * as nt from '../io/services/index.ts'
import { NT_SUCCESS, STATUS } from '../nt/status.ts'
import { MOVE_METHOD } from './constants.ts'
import { ERROR } from './errors.ts'
import { failWith, setError, type Win32Env } from './env.ts'
import { queryInfo, setInfo } from './ntinfo.ts'

export interface ReadFileArgs {
  File: number
  NumberOfBytesToRead: number
  /** OVERLAPPED.Offset/OffsetHigh: the read is at this offset (undefined: the file pointer) */
  Offset?: number
}

/** ReadFile: TRUE with the bytes read; end of file on a read at the file pointer is TRUE with none */
export function* ReadFile(env: Win32Env, a: ReadFileArgs): Co<{ ok: boolean; data: Uint8Array }> {
  const r = yield* nt.NtReadFile(env.io, { FileHandle: a.File, Length: a.NumberOfBytesToRead, ByteOffset: a.Offset })
  if (r.status === STATUS.STATUS_END_OF_FILE && a.Offset === undefined) return { ok: true, data: new Uint8Array(0) }
  if (r.status === STATUS.STATUS_PENDING) {
    // an overlapped handle: the caller waits for the handle (GetOverlappedResult)
    setError(env, ERROR.ERROR_IO_PENDING)
    return { ok: false, data: new Uint8Array(0) }
  }
  if (!NT_SUCCESS(r.status)) {
    failWith(env, r.status)
    return { ok: false, data: new Uint8Array(0) }
  }
  return { ok: true, data: r.data ?? new Uint8Array(0) }
}

export interface WriteFileArgs {
  File: number
  Buffer: Uint8Array
  Offset?: number
}

/** WriteFile */
export function* WriteFile(env: Win32Env, a: WriteFileArgs): Co<{ ok: boolean; written: number }> {
  const r = yield* nt.NtWriteFile(env.io, { FileHandle: a.File, Data: a.Buffer, ByteOffset: a.Offset })
  if (r.status === STATUS.STATUS_PENDING) {
    setError(env, ERROR.ERROR_IO_PENDING)
    return { ok: false, written: 0 }
  }
  if (!NT_SUCCESS(r.status)) {
    failWith(env, r.status)
    return { ok: false, written: 0 }
  }
  return { ok: true, written: r.information }
}

/** SetFilePointerEx: the new position from FILE_BEGIN, the current position or the end of file */
export function* SetFilePointerEx(env: Win32Env, a: { File: number; DistanceToMove: number; MoveMethod: number }): Co<{ ok: boolean; position: number }> {
  let base = 0
  if (a.MoveMethod === MOVE_METHOD.FILE_CURRENT) {
    const q = yield* queryInfo(env, a.File, 'FilePositionInformation')
    if (!q.value) {
      failWith(env, q.status)
      return { ok: false, position: 0 }
    }
    base = q.value.CurrentByteOffset
  } else if (a.MoveMethod === MOVE_METHOD.FILE_END) {
    const q = yield* queryInfo(env, a.File, 'FileStandardInformation')
    if (!q.value) {
      failWith(env, q.status)
      return { ok: false, position: 0 }
    }
    base = q.value.EndOfFile
  } else if (a.MoveMethod !== MOVE_METHOD.FILE_BEGIN) {
    setError(env, ERROR.ERROR_INVALID_PARAMETER)
    return { ok: false, position: 0 }
  }
  const position = base + a.DistanceToMove
  if (position < 0) {
    setError(env, ERROR.ERROR_NEGATIVE_SEEK)
    return { ok: false, position: 0 }
  }
  const st = yield* setInfo(env, a.File, 'FilePositionInformation', { CurrentByteOffset: position })
  if (!NT_SUCCESS(st)) {
    failWith(env, st)
    return { ok: false, position: 0 }
  }
  return { ok: true, position }
}

/** SetEndOfFile: the file's size becomes the file pointer; then its allocation, as observed */
export function* SetEndOfFile(env: Win32Env, file: number): Co<boolean> {
  const q = yield* queryInfo(env, file, 'FilePositionInformation')
  if (!q.value) {
    failWith(env, q.status)
    return false
  }
  return yield* setEndOfFileTo(env, file, q.value.CurrentByteOffset)
}

/** the two IRPs of SetEndOfFile for a known size (the copy engine's pre-allocation uses it) */
export function* setEndOfFileTo(env: Win32Env, file: number, size: number): Co<boolean> {
  const eof = yield* setInfo(env, file, 'FileEndOfFileInformation', { EndOfFile: size })
  if (!NT_SUCCESS(eof)) {
    failWith(env, eof)
    return false
  }
  const alloc = yield* setInfo(env, file, 'FileAllocationInformation', { AllocationSize: size })
  if (!NT_SUCCESS(alloc)) {
    failWith(env, alloc)
    return false
  }
  return true
}

/** FlushFileBuffers */
export function* FlushFileBuffers(env: Win32Env, file: number): Co<boolean> {
  const r = yield* nt.NtFlushBuffersFile(env.io, { FileHandle: file })
  if (!NT_SUCCESS(r.status)) {
    failWith(env, r.status)
    return false
  }
  return true
}

/** GetFileSizeEx */
export function* GetFileSizeEx(env: Win32Env, file: number): Co<{ ok: boolean; size: number }> {
  const q = yield* queryInfo(env, file, 'FileStandardInformation')
  if (!q.value) {
    failWith(env, q.status)
    return { ok: false, size: 0 }
  }
  return { ok: true, size: q.value.EndOfFile }
}
