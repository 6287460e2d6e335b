// IRP_MJ_QUERY_INFORMATION and IRP_MJ_SET_INFORMATION dispatch: the classes are in
// ./query-info.ts, ./set-info.ts and ./rename.ts. Queries take the file's resource shared,
// sets exclusive; rename, link and disposition also hold the volume's resource exclusive,
// since they change directories.

import { KePreemptionPoint, type Co } from '../../ke/index.ts'
import type { EResource } from '../../ke/index.ts'
import type { DeviceObject } from '../../io/device.ts'
import { IoGetCurrentIrpStackLocation, type Irp } from '../../io/irp.ts'
import { FILE_INFORMATION_CLASS as C } from '../../nt/infoclass.ts'
import { IRP_FLAGS } from '../../nt/irp.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import { completeIrp } from './complete.ts'
import { queryInformation } from './query-info.ts'
import { setRenameOrLink } from './rename.ts'
import { setAllocation, setBasicInformation, setDisposition, setEndOfFile, setPosition, setValidDataLength } from './set-info.ts'
import { ccbOf, type Ccb } from './structures.ts'
import { checkDescendantOplocks, checkOplock, checkReplacedTargetOplocks } from './oplock.ts'
import { storeFailure, vcbOf } from './volume.ts'

/** IRP_MJ_QUERY_INFORMATION dispatch */
export function* ntfsQueryInformation(device: DeviceObject, irp: Irp): Co<NTSTATUS> {
  const vcb = vcbOf(device)
  const sp = IoGetCurrentIrpStackLocation(irp)
  const ccb = ccbOf(sp.FileObject)
  const params = sp.Parameters.QueryFile
  if (!ccb || !params) return completeIrp(irp, STATUS.STATUS_INVALID_PARAMETER)
  if (vcb.dismounted) return completeIrp(irp, STATUS.STATUS_VOLUME_DISMOUNTED)
  yield* ccb.fcb.Resource.acquireShared()
  try {
    const length = Math.min(params.Length, irp.SystemBuffer?.length ?? 0)
    const r = queryInformation(ccb, params.FileInformationClass, length)
    if (r.information > 0) irp.SystemBuffer!.set(r.bytes)
    return completeIrp(irp, r.status, r.information)
  } catch (e) {
    return completeIrp(irp, storeFailure(e))
  } finally {
    ccb.fcb.Resource.release()
  }
}

const VOLUME_WIDE = new Set<number>([
  C.FileRenameInformation,
  C.FileRenameInformationEx,
  C.FileLinkInformation,
  C.FileLinkInformationEx,
  C.FileDispositionInformation,
  C.FileDispositionInformationEx,
])

/** IRP_MJ_SET_INFORMATION dispatch */
export function* ntfsSetInformation(device: DeviceObject, irp: Irp): Co<NTSTATUS> {
  const vcb = vcbOf(device)
  const sp = IoGetCurrentIrpStackLocation(irp)
  const ccb = ccbOf(sp.FileObject)
  const params = sp.Parameters.SetFile
  if (!ccb || !params) return completeIrp(irp, STATUS.STATUS_INVALID_PARAMETER)
  if (vcb.dismounted) return completeIrp(irp, STATUS.STATUS_VOLUME_DISMOUNTED)
  yield* KePreemptionPoint('NtfsCommonSetInformation')
  // sizes, rename/link/short name and delete break oplocks ("Checking the Oplock State of an IRP_MJ_SET_INFORMATION operation")
  const oplockStatus = yield* checkOplock(ccb, irp)
  if (oplockStatus !== STATUS.STATUS_SUCCESS) return completeIrp(irp, oplockStatus)
  yield* checkDescendantOplocks(ccb, irp)
  yield* checkReplacedTargetOplocks(ccb, irp)
  const cls = params.FileInformationClass
  const held: EResource[] = []
  if (VOLUME_WIDE.has(cls)) {
    yield* vcb.Resource.acquireExclusive()
    held.push(vcb.Resource)
  }
  // the lazy writer's size update (IRP_PAGING_IO, AdvanceOnly) comes while it holds the file
  // shared through AcquireForLazyWrite: it must not ask for it exclusive (FastFat does the same)
  const lazyWriterUpdate = (irp.Flags & IRP_FLAGS.IRP_PAGING_IO) !== 0 && cls === C.FileEndOfFileInformation && params.AdvanceOnly
  if (lazyWriterUpdate) yield* ccb.fcb.Resource.acquireShared()
  else yield* ccb.fcb.Resource.acquireExclusive()
  held.push(ccb.fcb.Resource)
  let status: NTSTATUS
  try {
    status = setInformation(ccb, cls, irp.SystemBuffer?.subarray(0, params.Length) ?? new Uint8Array(0), params.AdvanceOnly, sp)
  } catch (e) {
    status = storeFailure(e)
  } finally {
    for (const r of held.reverse()) r.release()
  }
  return completeIrp(irp, status)
}

function setInformation(ccb: Ccb, cls: number, buf: Uint8Array, advanceOnly: boolean, sp: ReturnType<typeof IoGetCurrentIrpStackLocation>): NTSTATUS {
  if (ccb.fcb.fileDeleted) return STATUS.STATUS_FILE_DELETED
  switch (cls) {
    case C.FileBasicInformation:
      if (ccb.fcb.kind === 'volume') return STATUS.STATUS_INVALID_PARAMETER
      return setBasicInformation(ccb, buf)
    case C.FileDispositionInformation:
      if (buf.length < 1) return STATUS.STATUS_INFO_LENGTH_MISMATCH
      // FILE_DISPOSITION_INFORMATION.DeleteFile is a BOOLEAN: any non-zero byte deletes
      return setDisposition(ccb, buf[0] !== 0 ? 1 : 0)
    case C.FileDispositionInformationEx:
      if (buf.length < 4) return STATUS.STATUS_INFO_LENGTH_MISMATCH
      return setDisposition(ccb, new DataView(buf.buffer, buf.byteOffset, 4).getUint32(0, true))
    case C.FilePositionInformation:
      return setPosition(ccb, buf)
    case C.FileEndOfFileInformation:
      return setEndOfFile(ccb, buf, advanceOnly)
    case C.FileAllocationInformation:
      return setAllocation(ccb, buf)
    case C.FileValidDataLengthInformation:
      return setValidDataLength(ccb, buf)
    case C.FileRenameInformation:
    case C.FileRenameInformationEx:
    case C.FileLinkInformation:
    case C.FileLinkInformationEx:
      return setRenameOrLink(ccb, cls, buf, sp)
    default:
      // documented (MS-FSA 2.1.5.14): a class the file system does not support
      return STATUS.STATUS_INVALID_PARAMETER
  }
}
