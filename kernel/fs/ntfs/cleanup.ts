// IRP_MJ_CLEANUP (NtfsCommonCleanup): the last handle of a file object went. In this order:
// other modules' per-handle state (change-notify IRPs, oplocks), the handle's byte-range locks,
// its share access, the timestamps of data it wrote, FILE_DELETE_ON_CLOSE (the link becomes
// delete pending), and, when this was the last handle through a delete-pending link, the link
// itself — and the file with it when that was its last name and no handle remains.
//
// Cleanup is not close: file objects stay referenced (by the Cache and Memory Managers) and
// IRP_MJ_CLOSE comes later. The file object's private cache map goes here
// (CcUninitializeCacheMap); a stream deleted here takes its cached data with it.

import { KePreemptionPoint, type Co } from '../../ke/index.ts'
import type { DeviceObject } from '../../io/device.ts'
import { IoGetCurrentIrpStackLocation, type Irp } from '../../io/irp.ts'
import { IoRemoveShareAccess } from '../../io/share-access.ts'
import { FILE_ACTION, FILE_ATTRIBUTE, FILE_NOTIFY_CHANGE } from '../../nt/file.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import { completeIrp } from './complete.ts'
import { deleteIfNameless, deleteRecordNow, deleteStreamNow, removeLink } from './delete.ts'
import { reportChange } from './notify.ts'
import { ccbOf, type Ccb } from './structures.ts'
import { touchAccess, touchWrite } from './times.ts'
import { storeFailure, vcbOf } from './volume.ts'

/** IRP_MJ_CLEANUP dispatch */
export function* ntfsCleanup(device: DeviceObject, irp: Irp): Co<NTSTATUS> {
  const vcb = vcbOf(device)
  const sp = IoGetCurrentIrpStackLocation(irp)
  const ccb = ccbOf(sp.FileObject)
  if (!ccb) return completeIrp(irp, STATUS.STATUS_SUCCESS)
  yield* KePreemptionPoint('NtfsCommonCleanup')
  yield* vcb.Resource.acquireExclusive()
  let status: NTSTATUS = STATUS.STATUS_SUCCESS
  try {
    commonCleanup(ccb, irp)
  } catch (e) {
    status = storeFailure(e)
  } finally {
    vcb.Resource.release()
  }
  // documented: cleanup does not fail; a store failure is still reported to the caller's trace
  return completeIrp(irp, status)
}

function commonCleanup(ccb: Ccb, irp: Irp): void {
  const { scb, fcb, vcb, fileObject: fo } = ccb
  if (ccb.flags.cleanedUp) return
  ccb.flags.cleanedUp = true
  for (const hook of vcb.cleanupHooks) hook(ccb)

  // FsRtlFastUnlockAll for the handle's process, and lock requests that can no longer be granted
  const process = irp.Thread?.process
  scb.fileLock.unlockAll(fo, process)
  scb.fileLock.cancelWaitersOf(fo)
  IoRemoveShareAccess(fo, scb.shareAccess)

  // data written through this handle: the times are stamped now, and ARCHIVE is set
  if (ccb.modified && fcb.read()) {
    touchWrite(fcb, ccb)
    const r = fcb.read()!
    if (!r.isDirectory && !(r.std.fileAttributes & FILE_ATTRIBUTE.FILE_ATTRIBUTE_ARCHIVE)) {
      vcb.store.setStandardInfo(fcb.record, { fileAttributes: r.std.fileAttributes | FILE_ATTRIBUTE.FILE_ATTRIBUTE_ARCHIVE })
    }
    if (ccb.link) {
      reportChange(vcb, ccb.link.parent, ccb.link.name, FILE_ACTION.FILE_ACTION_MODIFIED, FILE_NOTIFY_CHANGE.FILE_NOTIFY_CHANGE_LAST_WRITE | (ccb.sizeChanged ? FILE_NOTIFY_CHANGE.FILE_NOTIFY_CHANGE_SIZE : 0))
    }
  }

  // reads through this handle move LastAccessTime, when the volume updates it at all
  // (unverified: NTFS updates it lazily, within the hour; cleanup is when it is stamped here)
  if (ccb.accessed && !vcb.settings.disableLastAccessUpdate) touchAccess(fcb, ccb)

  // FILE_DELETE_ON_CLOSE: at this handle's cleanup the name (or the stream) becomes delete pending
  // (observed, WinBtrfs delete tests: a second handle then sees DeletePending and may clear it)
  if (ccb.flags.deleteOnClose && !ccb.flags.openedById && fcb.read()) {
    if (!scb.isDefaultStream && scb.kind === 'data') scb.deletePending = true
    else if (ccb.link) {
      // observed (WinBtrfs delete tests): a non-empty directory opened with FILE_DELETE_ON_CLOSE stays
      if (!fcb.isDirectory || vcb.store.isEmptyDirectory(fcb.record)) fcb.deletePendingLinks.add(vcb.linkKey(ccb.link))
    }
  }

  // CcUninitializeCacheMap: this file object's cache map goes; the stream's stays for the lazy
  // writer and lazy close (or goes with the stream below, if this cleanup deletes it)
  vcb.cache?.uninitialize(fo)

  fcb.cleanupCount--
  scb.cleanupCount--
  if (scb.kind === 'volume') vcb.volumeCleanupCount--
  let linkHandlesLeft = 0
  if (ccb.link) {
    const key = vcb.linkKey(ccb.link)
    linkHandlesLeft = (fcb.linkCleanupCounts.get(key) ?? 1) - 1
    if (linkHandlesLeft > 0) fcb.linkCleanupCounts.set(key, linkHandlesLeft)
    else fcb.linkCleanupCounts.delete(key)
  }
  if (fcb.kind === 'volume' || !fcb.read()) return

  // a named stream whose deletion is pending goes with its last handle
  if (scb.deletePending && scb.cleanupCount === 0) {
    scb.deletePending = false
    deleteStreamNow(vcb, fcb, scb.streamName, ccb.link ?? fcb.links()[0])
    scb.streamDeleted = true
    // a new open of the same name makes a new stream (close.ts leaves a replaced SCB alone)
    if (fcb.scbs.get(scb.key) === scb) fcb.scbs.delete(scb.key)
  }

  // the last handle through a delete-pending link removes the link; with POSIX semantics the
  // handle that set the disposition removes it (observed, WinBtrfs deleteexfile6: the entry is
  // listed until that handle closes, and gone while a second handle is still open)
  const posixNow = ccb.posixDelete && ccb.link !== undefined && fcb.deletePendingLinks.has(vcb.linkKey(ccb.link))
  if (ccb.link && (linkHandlesLeft === 0 || posixNow) && fcb.deletePendingLinks.has(vcb.linkKey(ccb.link))) {
    if (fcb.isDirectory && !vcb.store.isEmptyDirectory(fcb.record)) {
      // unverified: entries were added after the disposition was set; the directory stays
      fcb.deletePendingLinks.delete(vcb.linkKey(ccb.link))
    } else {
      removeLink(vcb, fcb, ccb.link)
      deleteIfNameless(vcb, fcb)
    }
  }

  // a file whose names are all gone goes with its last handle
  if (fcb.posixDeleted && fcb.cleanupCount === 0) deleteRecordNow(vcb, fcb)
}
