// IRP_MJ_LOCK_CONTROL (FsRtlProcessFileLock): IRP_MN_LOCK, IRP_MN_UNLOCK_SINGLE,
// IRP_MN_UNLOCK_ALL, IRP_MN_UNLOCK_ALL_BY_KEY on the stream's FILE_LOCK (./filelock.ts).
// A lock that conflicts fails at once with STATUS_LOCK_NOT_GRANTED when SL_FAIL_IMMEDIATELY is
// set; otherwise the IRP is pended and completed when the conflicting locks go (LockFileEx
// without LOCKFILE_FAIL_IMMEDIATELY waits). Locks are only for files: a directory or volume
// open → STATUS_INVALID_PARAMETER.

import type { Co } from '../../ke/index.ts'
import type { DeviceObject } from '../../io/device.ts'
import { IoGetCurrentIrpStackLocation, IoMarkIrpPending, type Irp } from '../../io/irp.ts'
import { IRP_MN_LOCK_CONTROL, SL_FLAGS_LOCK } from '../../nt/irp.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import { completeIrp } from './complete.ts'
import { ccbOf } from './structures.ts'
import { checkOplock } from './oplock.ts'
import { vcbOf } from './volume.ts'

/** IRP_MJ_LOCK_CONTROL dispatch */
export function* ntfsLockControl(device: DeviceObject, irp: Irp): Co<NTSTATUS> {
  const vcb = vcbOf(device)
  const sp = IoGetCurrentIrpStackLocation(irp)
  const ccb = ccbOf(sp.FileObject)
  const p = sp.Parameters.LockControl
  if (!ccb || !p) return completeIrp(irp, STATUS.STATUS_INVALID_PARAMETER)
  if (vcb.dismounted) return completeIrp(irp, STATUS.STATUS_VOLUME_DISMOUNTED)
  if (ccb.scb.kind !== 'data') return completeIrp(irp, STATUS.STATUS_INVALID_PARAMETER)
  if (ccb.fcb.fileDeleted) return completeIrp(irp, STATUS.STATUS_FILE_DELETED)
  // every byte-range lock operation checks the oplock state ("Checking the Oplock State of an IRP_MJ_LOCK_CONTROL operation")
  const oplockStatus = yield* checkOplock(ccb, irp)
  if (oplockStatus !== STATUS.STATUS_SUCCESS) return completeIrp(irp, oplockStatus)
  const fo = ccb.fileObject
  const process = irp.Thread?.process
  const lock = ccb.scb.fileLock
  switch (sp.MinorFunction) {
    case IRP_MN_LOCK_CONTROL.IRP_MN_LOCK: {
      // documented (LockFileEx): the range may lie past end of file; a negative one is invalid
      if (p.ByteOffset < 0 || p.Length < 0 || !Number.isSafeInteger(p.ByteOffset + p.Length)) return completeIrp(irp, STATUS.STATUS_INVALID_PARAMETER)
      const req = { offset: p.ByteOffset, length: p.Length, exclusive: (sp.Flags & SL_FLAGS_LOCK.SL_EXCLUSIVE_LOCK) !== 0, key: p.Key, fileObject: fo, process }
      if (lock.tryLock(req)) return completeIrp(irp, STATUS.STATUS_SUCCESS)
      if (sp.Flags & SL_FLAGS_LOCK.SL_FAIL_IMMEDIATELY) return completeIrp(irp, STATUS.STATUS_LOCK_NOT_GRANTED)
      IoMarkIrpPending(irp)
      lock.wait(req, irp)
      return STATUS.STATUS_PENDING
    }
    case IRP_MN_LOCK_CONTROL.IRP_MN_UNLOCK_SINGLE:
      return completeIrp(irp, lock.unlockSingle(fo, process, p.ByteOffset, p.Length, p.Key))
    case IRP_MN_LOCK_CONTROL.IRP_MN_UNLOCK_ALL:
      lock.unlockAll(fo, process)
      return completeIrp(irp, STATUS.STATUS_SUCCESS)
    case IRP_MN_LOCK_CONTROL.IRP_MN_UNLOCK_ALL_BY_KEY:
      lock.unlockAllByKey(fo, process, p.Key)
      return completeIrp(irp, STATUS.STATUS_SUCCESS)
    default:
      return completeIrp(irp, STATUS.STATUS_INVALID_DEVICE_REQUEST)
  }
}
