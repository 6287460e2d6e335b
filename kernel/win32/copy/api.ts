// CopyFile2, CopyFileExW and CopyFileW over the copy engine. CopyFile2 reports progress as
// COPYFILE2 messages and returns an HRESULT; CopyFileExW's progress routine sees
// CALLBACK_STREAM_SWITCH when a stream starts and CALLBACK_CHUNK_FINISHED after each chunk, and
// answers PROGRESS_CONTINUE/CANCEL/STOP/QUIET (the same numbers as COPYFILE2's actions).
// Cancelling (or *pbCancel) fails with ERROR_REQUEST_ABORTED and deletes the partial
// destination; PROGRESS_STOP keeps it (CopyFileEx documentation, "lpProgressRoutine").

import type { Co } from '../../ke/index.ts'
import { COPY_FILE, COPYFILE2_MESSAGE_ACTION as A } from '../constants.ts'
import { SetLastError, RtlNtStatusToDosError } from '../errors.ts'
import { currentThread, type Win32Env } from '../env.ts'
import { copyFileEngine, type CopyOutcome } from './engine.ts'
import type { CopyAction, CopyMessage } from './progress.ts'

/** HRESULT_FROM_WIN32 */
export function hresultFromWin32(error: number): number {
  return error === 0 ? 0 : (0x80070000 | (error & 0xffff)) >>> 0
}

function recordFailure(env: Win32Env, o: CopyOutcome): void {
  const t = currentThread(env)
  if (o.status !== 0) RtlNtStatusToDosError(t, o.status)
  SetLastError(t, o.error)
}

/** COPYFILE2_EXTENDED_PARAMETERS by its field names */
export interface CopyFile2Parameters {
  CopyFlags?: number
  /** pfCancel: read before every chunk */
  Cancel?: () => boolean
  /** pProgressRoutine */
  ProgressRoutine?: (m: CopyMessage) => CopyAction
}

/** CopyFile2: an HRESULT (S_OK, or HRESULT_FROM_WIN32 of the error) */
export function* CopyFile2(env: Win32Env, existingFileName: string, newFileName: string, p: CopyFile2Parameters = {}): Co<{ hresult: number; outcome: CopyOutcome }> {
  const o = yield* copyFileEngine(env, { existingFileName, newFileName, flags: p.CopyFlags ?? 0, progress: p.ProgressRoutine, cancelled: p.Cancel })
  if (!o.ok) recordFailure(env, o)
  return { hresult: hresultFromWin32(o.error), outcome: o }
}

/** one call of an LPPROGRESS_ROUTINE, by its parameter names */
export interface ProgressRoutineCall {
  readonly CallbackReason: 'CALLBACK_CHUNK_FINISHED' | 'CALLBACK_STREAM_SWITCH'
  readonly StreamNumber: number
  readonly TotalFileSize: number
  readonly TotalBytesTransferred: number
  readonly StreamSize: number
  readonly StreamBytesTransferred: number
}

export interface CopyFileExParameters {
  /** lpProgressRoutine: answers PROGRESS_* */
  ProgressRoutine?: (c: ProgressRoutineCall) => number
  /** pbCancel */
  Cancel?: () => boolean
  CopyFlags?: number
}

/** CopyFileExW's progress routine as a COPYFILE2 callback */
export function progressAsCopyFile2(routine: (c: ProgressRoutineCall) => number): (m: CopyMessage) => CopyAction {
  return (m) => {
    const base = { StreamNumber: m.StreamNumber, TotalFileSize: m.TotalFileSize, TotalBytesTransferred: m.TotalBytesTransferred, StreamSize: m.StreamSize, StreamBytesTransferred: m.StreamBytesTransferred }
    let reason: ProgressRoutineCall['CallbackReason'] | undefined
    if (m.Type === 'COPYFILE2_CALLBACK_STREAM_STARTED') reason = 'CALLBACK_STREAM_SWITCH'
    else if (m.Type === 'COPYFILE2_CALLBACK_CHUNK_FINISHED') reason = 'CALLBACK_CHUNK_FINISHED'
    // unverified: an empty stream gets one CALLBACK_CHUNK_FINISHED with nothing transferred
    else if (m.Type === 'COPYFILE2_CALLBACK_STREAM_FINISHED' && m.StreamSize === 0) reason = 'CALLBACK_CHUNK_FINISHED'
    if (!reason) return A.COPYFILE2_PROGRESS_CONTINUE
    return routine({ CallbackReason: reason, ...base }) as CopyAction
  }
}

/** CopyFileExW: TRUE or FALSE with the last error */
export function* CopyFileExW(env: Win32Env, existingFileName: string, newFileName: string, p: CopyFileExParameters = {}): Co<{ ok: boolean; outcome: CopyOutcome }> {
  const o = yield* copyFileEngine(env, {
    existingFileName,
    newFileName,
    flags: p.CopyFlags ?? 0,
    progress: p.ProgressRoutine ? progressAsCopyFile2(p.ProgressRoutine) : undefined,
    cancelled: p.Cancel,
  })
  if (!o.ok) recordFailure(env, o)
  return { ok: o.ok, outcome: o }
}

/** CopyFileW */
export function* CopyFileW(env: Win32Env, existingFileName: string, newFileName: string, failIfExists: boolean): Co<boolean> {
  const r = yield* CopyFileExW(env, existingFileName, newFileName, { CopyFlags: failIfExists ? COPY_FILE.COPY_FILE_FAIL_IF_EXISTS : 0 })
  return r.ok
}

