// NtLockFile / NtUnlockFile (FastIoLock / FastIoUnlockSingle first, then IRP_MJ_LOCK_CONTROL),
// the unlock-all of a process's last handle (FastIoUnlockAll, then IRP_MN_UNLOCK_ALL), and
// NtFlushBuffersFile.

import type { Co } from '../../ke/index.ts'
import type { EProcess } from '../../ob/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { IRP_FLAGS, IRP_MJ, IRP_MN_LOCK_CONTROL, SL_FLAGS_LOCK } from '../../nt/irp.ts'
import { STATUS } from '../../nt/status.ts'
import type { FileObject } from '../file-object.ts'
import type { IoStatusBlock } from '../irp.ts'
import type { IoManager } from '../iomgr.ts'
import { sendFileIrp } from './file-irp.ts'
import { referenceFile, type ServiceResult } from './handles.ts'

export interface LockArgs {
  FileHandle: number
  ByteOffset: number
  Length: number
  Key?: number
  FailImmediately?: boolean
  ExclusiveLock?: boolean
}

const LOCK_ACCESS = ACCESS.FILE_READ_DATA | ACCESS.FILE_WRITE_DATA

/** the process a byte-range lock belongs to, as the file system sees it (the calling thread's) */
function lockOwner(io: IoManager): unknown {
  return io.ke.current?.process
}

/**
 * NtLockFile: needs read or write access to the file (documented). The I/O manager marks the
 * file object (LockOperation) so that closing the process's last handle unlocks its ranges, then
 * tries FastIoLock on any file object (NtLockFile, WRK); a FALSE answer sends the IRP.
 */
export function* NtLockFile(io: IoManager, a: LockArgs): Co<ServiceResult> {
  if (a.Length < 0 || a.ByteOffset < 0) return { status: STATUS.STATUS_INVALID_PARAMETER, information: 0 }
  const ref = referenceFile(io, a.FileHandle, 0, LOCK_ACCESS)
  if ('status' in ref) return { status: ref.status, information: 0 }
  const fo = ref.fo
  fo.assertUsable('NtLockFile')
  fo.LockOperation = true
  const top = io.topDeviceFor(fo)
  const fast = top.DriverObject.FastIoDispatch?.FastIoLock
  if (fast) {
    const iosb: IoStatusBlock = { Status: STATUS.STATUS_SUCCESS, Information: 0 }
    if (yield* fast(fo, a.ByteOffset, a.Length, lockOwner(io), a.Key ?? 0, a.FailImmediately ?? false, a.ExclusiveLock ?? false, iosb, top)) return { status: iosb.Status, information: iosb.Information }
  }
  const r = yield* sendFileIrp(io, a.FileHandle, 'NtLockFile', { any: LOCK_ACCESS }, IRP_MJ.IRP_MJ_LOCK_CONTROL, IRP_MN_LOCK_CONTROL.IRP_MN_LOCK, (_irp, sp) => {
    sp.Flags = (a.FailImmediately ? SL_FLAGS_LOCK.SL_FAIL_IMMEDIATELY : 0) | (a.ExclusiveLock ? SL_FLAGS_LOCK.SL_EXCLUSIVE_LOCK : 0)
    sp.Parameters.LockControl = { ByteOffset: a.ByteOffset, Length: a.Length, Key: a.Key ?? 0 }
  })
  return { status: r.status, information: r.information }
}

/** NtUnlockFile: FastIoUnlockSingle first (NtUnlockFile, WRK), then the IRP */
export function* NtUnlockFile(io: IoManager, a: { FileHandle: number; ByteOffset: number; Length: number; Key?: number }): Co<ServiceResult> {
  const ref = referenceFile(io, a.FileHandle, 0, LOCK_ACCESS)
  if ('status' in ref) return { status: ref.status, information: 0 }
  const fo = ref.fo
  fo.assertUsable('NtUnlockFile')
  const top = io.topDeviceFor(fo)
  const fast = top.DriverObject.FastIoDispatch?.FastIoUnlockSingle
  if (fast) {
    const iosb: IoStatusBlock = { Status: STATUS.STATUS_SUCCESS, Information: 0 }
    if (yield* fast(fo, a.ByteOffset, a.Length, lockOwner(io), a.Key ?? 0, iosb, top)) return { status: iosb.Status, information: iosb.Information }
  }
  const r = yield* sendFileIrp(io, a.FileHandle, 'NtUnlockFile', { any: LOCK_ACCESS }, IRP_MJ.IRP_MJ_LOCK_CONTROL, IRP_MN_LOCK_CONTROL.IRP_MN_UNLOCK_SINGLE, (_irp, sp) => {
    sp.Parameters.LockControl = { ByteOffset: a.ByteOffset, Length: a.Length, Key: a.Key ?? 0 }
  })
  return { status: r.status, information: r.information }
}

/**
 * IopCloseFile's unlock: when a process closes its last handle to a file object that has had
 * byte-range locks (LockOperation), its locks are released — FastIoUnlockAll, or an
 * IRP_MJ_LOCK_CONTROL / IRP_MN_UNLOCK_ALL when that returns FALSE — before any cleanup.
 */
export function* unlockAllOnClose(io: IoManager, fo: FileObject, process: EProcess): Co<void> {
  if (!fo.LockOperation) return
  for (const [, entry] of process.handles) if (entry.object === fo) return
  const top = io.topDeviceFor(fo)
  const fast = top.DriverObject.FastIoDispatch?.FastIoUnlockAll
  if (fast) {
    const iosb: IoStatusBlock = { Status: STATUS.STATUS_SUCCESS, Information: 0 }
    if (yield* fast(fo, lockOwner(io), iosb, top)) return
  }
  const { irp, device } = io.buildIrp(fo, IRP_MJ.IRP_MJ_LOCK_CONTROL, IRP_MN_LOCK_CONTROL.IRP_MN_UNLOCK_ALL)
  // unverified: the flags of IopCloseFile's unlock-all IRP (a synchronous API call)
  irp.Flags = IRP_FLAGS.IRP_SYNCHRONOUS_API
  yield* io.sendAndWait(device, irp)
}

/** NtFlushBuffersFile: needs write access (documented: STATUS_ACCESS_DENIED otherwise) */
export function* NtFlushBuffersFile(io: IoManager, a: { FileHandle: number }): Co<ServiceResult> {
  const r = yield* sendFileIrp(io, a.FileHandle, 'NtFlushBuffersFile', { any: ACCESS.FILE_WRITE_DATA | ACCESS.FILE_APPEND_DATA }, IRP_MJ.IRP_MJ_FLUSH_BUFFERS, 0, () => {})
  return { status: r.status, information: r.information }
}
