// NtLockFile / NtUnlockFile (IRP_MJ_LOCK_CONTROL) and NtFlushBuffersFile.

import type { Co } from '../../ke/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { IRP_MJ, IRP_MN_LOCK_CONTROL, SL_FLAGS_LOCK } from '../../nt/irp.ts'
import { STATUS } from '../../nt/status.ts'
import type { IoManager } from '../iomgr.ts'
import { sendFileIrp } from './file-irp.ts'
import type { ServiceResult } from './handles.ts'

export interface LockArgs {
  FileHandle: number
  ByteOffset: number
  Length: number
  Key?: number
  FailImmediately?: boolean
  ExclusiveLock?: boolean
}

/** NtLockFile: needs read or write access to the file (documented) */
export function* NtLockFile(io: IoManager, a: LockArgs): Co<ServiceResult> {
  if (a.Length < 0 || a.ByteOffset < 0) return { status: STATUS.STATUS_INVALID_PARAMETER, information: 0 }
  const r = yield* sendFileIrp(io, a.FileHandle, 'NtLockFile', { any: ACCESS.FILE_READ_DATA | ACCESS.FILE_WRITE_DATA }, IRP_MJ.IRP_MJ_LOCK_CONTROL, IRP_MN_LOCK_CONTROL.IRP_MN_LOCK, (_irp, sp) => {
    sp.Flags = (a.FailImmediately ? SL_FLAGS_LOCK.SL_FAIL_IMMEDIATELY : 0) | (a.ExclusiveLock ? SL_FLAGS_LOCK.SL_EXCLUSIVE_LOCK : 0)
    sp.Parameters.LockControl = { ByteOffset: a.ByteOffset, Length: a.Length, Key: a.Key ?? 0 }
  })
  return { status: r.status, information: r.information }
}

/** NtUnlockFile */
export function* NtUnlockFile(io: IoManager, a: { FileHandle: number; ByteOffset: number; Length: number; Key?: number }): Co<ServiceResult> {
  const r = yield* sendFileIrp(io, a.FileHandle, 'NtUnlockFile', { any: ACCESS.FILE_READ_DATA | ACCESS.FILE_WRITE_DATA }, IRP_MJ.IRP_MJ_LOCK_CONTROL, IRP_MN_LOCK_CONTROL.IRP_MN_UNLOCK_SINGLE, (_irp, sp) => {
    sp.Parameters.LockControl = { ByteOffset: a.ByteOffset, Length: a.Length, Key: a.Key ?? 0 }
  })
  return { status: r.status, information: r.information }
}

/** NtFlushBuffersFile: needs write access (documented: STATUS_ACCESS_DENIED otherwise) */
export function* NtFlushBuffersFile(io: IoManager, a: { FileHandle: number }): Co<ServiceResult> {
  const r = yield* sendFileIrp(io, a.FileHandle, 'NtFlushBuffersFile', { any: ACCESS.FILE_WRITE_DATA | ACCESS.FILE_APPEND_DATA }, IRP_MJ.IRP_MJ_FLUSH_BUFFERS, 0, () => {})
  return { status: r.status, information: r.information }
}
