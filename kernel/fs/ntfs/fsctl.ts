// IRP_MJ_FILE_SYSTEM_CONTROL (NtfsCommonFileSystemControl). IRP_MN_USER_FS_REQUEST carries the
// FSCTLs below; mounting is done by mountNtfsVolume (./driver.ts), so IRP_MN_MOUNT_VOLUME and
// the other minor functions are not handled here. An FSCTL this driver does not implement fails
// with STATUS_INVALID_DEVICE_REQUEST, as NTFS's default case does.

import type { Co } from '../../ke/index.ts'
import type { DeviceObject } from '../../io/device.ts'
import { IoGetCurrentIrpStackLocation, type Irp } from '../../io/irp.ts'
import { FSCTL, IRP_MN_FILE_SYSTEM_CONTROL } from '../../nt/irp.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import { completeIrp } from './complete.ts'
import { result, type FsctlRequest, type FsctlResult } from './fsctl-common.ts'
import { getCompression, getRetrievalPointers, queryAllocatedRanges, setCompression, setSparse, setZeroData } from './fsctl-data.ts'
import { createOrGetObjectId, deleteObjectId, getObjectId, setObjectId, setObjectIdExtended } from './fsctl-objectid.ts'
import { deleteReparsePoint, getReparsePoint, setReparsePoint } from './fsctl-reparse.ts'
import { getNtfsVolumeData, isVolumeDirty, lockVolume, queryUsnJournal, unlockVolume } from './fsctl-volume.ts'
import { isOplockFsctl } from '../../fsrtl/index.ts'
import { checkOplock, oplockFsctl } from './oplock.ts'
import { ccbOf } from './structures.ts'
import { storeFailure, vcbOf } from './volume.ts'

type Handler = (req: FsctlRequest) => FsctlResult

/** unverified: no offloaded data transfer (ODX) on this volume's storage */
const noOffload: Handler = () => result(STATUS.STATUS_INVALID_DEVICE_REQUEST)

/** handlers that change the volume take the FCB exclusively; the others share it */
const HANDLERS = new Map<number, { run: Handler; changes: boolean }>([
  [FSCTL.FSCTL_SET_REPARSE_POINT, { run: setReparsePoint, changes: true }],
  [FSCTL.FSCTL_GET_REPARSE_POINT, { run: getReparsePoint, changes: false }],
  [FSCTL.FSCTL_DELETE_REPARSE_POINT, { run: deleteReparsePoint, changes: true }],
  [FSCTL.FSCTL_CREATE_OR_GET_OBJECT_ID, { run: createOrGetObjectId, changes: true }],
  [FSCTL.FSCTL_GET_OBJECT_ID, { run: getObjectId, changes: false }],
  [FSCTL.FSCTL_SET_OBJECT_ID, { run: setObjectId, changes: true }],
  [FSCTL.FSCTL_SET_OBJECT_ID_EXTENDED, { run: setObjectIdExtended, changes: true }],
  [FSCTL.FSCTL_DELETE_OBJECT_ID, { run: deleteObjectId, changes: true }],
  [FSCTL.FSCTL_GET_NTFS_VOLUME_DATA, { run: getNtfsVolumeData, changes: false }],
  [FSCTL.FSCTL_IS_VOLUME_DIRTY, { run: isVolumeDirty, changes: false }],
  [FSCTL.FSCTL_LOCK_VOLUME, { run: lockVolume, changes: true }],
  [FSCTL.FSCTL_UNLOCK_VOLUME, { run: unlockVolume, changes: true }],
  [FSCTL.FSCTL_QUERY_USN_JOURNAL, { run: queryUsnJournal, changes: false }],
  [FSCTL.FSCTL_SET_COMPRESSION, { run: setCompression, changes: true }],
  [FSCTL.FSCTL_GET_COMPRESSION, { run: getCompression, changes: false }],
  [FSCTL.FSCTL_SET_SPARSE, { run: setSparse, changes: true }],
  [FSCTL.FSCTL_SET_ZERO_DATA, { run: setZeroData, changes: true }],
  [FSCTL.FSCTL_QUERY_ALLOCATED_RANGES, { run: queryAllocatedRanges, changes: false }],
  [FSCTL.FSCTL_GET_RETRIEVAL_POINTERS, { run: getRetrievalPointers, changes: false }],
  [FSCTL.FSCTL_OFFLOAD_READ, { run: noOffload, changes: false }],
  [FSCTL.FSCTL_OFFLOAD_WRITE, { run: noOffload, changes: false }],
])

/** IRP_MJ_FILE_SYSTEM_CONTROL dispatch */
export function* fsctlDispatch(device: DeviceObject, irp: Irp): Co<NTSTATUS> {
  const sp = IoGetCurrentIrpStackLocation(irp)
  if (sp.MinorFunction !== IRP_MN_FILE_SYSTEM_CONTROL.IRP_MN_USER_FS_REQUEST && sp.MinorFunction !== IRP_MN_FILE_SYSTEM_CONTROL.IRP_MN_KERNEL_CALL) {
    return completeIrp(irp, STATUS.STATUS_INVALID_DEVICE_REQUEST)
  }
  const p = sp.Parameters.FileSystemControl
  const ccb = ccbOf(sp.FileObject)
  if (!p || !ccb) return completeIrp(irp, STATUS.STATUS_INVALID_PARAMETER)
  const vcb = ccb.vcb ?? vcbOf(device)
  if (vcb.dismounted) return completeIrp(irp, STATUS.STATUS_VOLUME_DISMOUNTED)
  const code = p.FsControlCode >>> 0
  // the oplock FSCTLs go to the FsRtl oplock package, which pends or completes the IRP itself
  if (isOplockFsctl(code)) return oplockFsctl(ccb, irp)
  const handler = HANDLERS.get(code)
  if (!handler) return completeIrp(irp, STATUS.STATUS_INVALID_DEVICE_REQUEST)
  const input = (irp.SystemBuffer ?? new Uint8Array(0)).subarray(0, p.InputBufferLength)
  const outputLength = Math.min(p.OutputBufferLength, irp.OutputBuffer?.length ?? 0)
  const req: FsctlRequest = { vcb, ccb, irp, code: p.FsControlCode >>> 0, input, outputLength }
  // FSCTL_SET_ZERO_DATA breaks oplocks as a write does ("Checking the Oplock State of IRP_MJ_FILE_SYSTEM_CONTROL")
  if (code === FSCTL.FSCTL_SET_ZERO_DATA >>> 0) {
    const st = yield* checkOplock(ccb, irp)
    if (st !== STATUS.STATUS_SUCCESS) return completeIrp(irp, st)
  }
  const res = ccb.fcb.Resource
  if (handler.changes) yield* res.acquireExclusive()
  else yield* res.acquireShared()
  let out: FsctlResult
  try {
    if (ccb.fcb.fileDeleted) out = result(STATUS.STATUS_FILE_DELETED)
    else out = handler.run(req)
  } catch (e) {
    out = result(storeFailure(e))
  } finally {
    res.release()
  }
  const bytes = out.output ?? new Uint8Array(0)
  if (bytes.length > 0 && irp.OutputBuffer) irp.OutputBuffer.set(bytes.subarray(0, outputLength))
  return completeIrp(irp, out.status, Math.min(bytes.length, outputLength))
}
