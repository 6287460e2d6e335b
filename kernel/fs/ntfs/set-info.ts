// IRP_MJ_SET_INFORMATION classes other than rename and link (./rename.ts): basic information
// (times and attributes), disposition (delete), position, end of file, allocation and valid
// data length. Rules from MS-FSA 2.1.5.14 and what WinBtrfs's tests observed on NTFS.

import { FO } from '../../io/file-object.ts'
import { Segment } from '../../mm/segment.ts'
import { FILE_ACTION, FILE_ATTRIBUTE, FILE_DISPOSITION_FLAGS, FILE_NOTIFY_CHANGE } from '../../nt/file.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import { i64, view } from '../../rtl/structs/buffer.ts'
import { settableAttributes } from './attributes.ts'
import { notifyDirectoryDeleted } from './dirctrl-notify.ts'
import { reportChange } from './notify.ts'
import { refreshHeader, setStreamSizes, streamInfo, validDataOnDisk } from './sizes.ts'
import type { Ccb } from './structures.ts'
import { systemTime, touchChange } from './times.ts'

const A = FILE_ATTRIBUTE
const DF = FILE_DISPOSITION_FLAGS

// ---------------------------------------------------------------------------------------------
// FileBasicInformation

/**
 * MS-FSCC 2.4.7 / MS-FSA 2.1.5.14.2: a time of 0 leaves it alone; -1 leaves it and stops this
 * handle's operations from changing it; -2 lets them change it again; any other negative
 * value is invalid. Attributes 0 leave them alone; DIRECTORY on a file and TEMPORARY on a
 * directory are invalid; FILE_ATTRIBUTE_NORMAL alone clears them.
 */
export function setBasicInformation(ccb: Ccb, buf: Uint8Array): NTSTATUS {
  const { fcb, vcb } = ccb
  const r = fcb.read()
  if (!r) return STATUS.STATUS_FILE_DELETED
  if (buf.length < 40) return STATUS.STATUS_INFO_LENGTH_MISMATCH
  const dv = view(buf)
  const t = [i64(dv, 0), i64(dv, 8), i64(dv, 16), i64(dv, 24)] as const
  for (const v of t) if (v < -2n) return STATUS.STATUS_INVALID_PARAMETER
  const attrs = dv.getUint32(32, true)
  if (attrs & A.FILE_ATTRIBUTE_DIRECTORY && !r.isDirectory) return STATUS.STATUS_INVALID_PARAMETER
  if (attrs & A.FILE_ATTRIBUTE_TEMPORARY && r.isDirectory) return STATUS.STATUS_INVALID_PARAMETER

  const patch: { creationTime?: bigint; lastAccessTime?: bigint; lastWriteTime?: bigint; changeTime?: bigint; fileAttributes?: number } = {}
  const [creation, access, write, change] = t
  let filter = 0
  if (creation > 0n) {
    patch.creationTime = creation
    filter |= FILE_NOTIFY_CHANGE.FILE_NOTIFY_CHANGE_CREATION
  }
  const control = (v: bigint, key: 'lastAccess' | 'lastWrite' | 'change'): void => {
    if (v === -1n) ccb.time[key] = 'frozen'
    else if (v === -2n) ccb.time[key] = 'auto'
    else if (v > 0n) ccb.time[key] = 'user'
  }
  if (access > 0n) {
    patch.lastAccessTime = access
    filter |= FILE_NOTIFY_CHANGE.FILE_NOTIFY_CHANGE_LAST_ACCESS
  }
  if (write > 0n) {
    patch.lastWriteTime = write
    filter |= FILE_NOTIFY_CHANGE.FILE_NOTIFY_CHANGE_LAST_WRITE
  }
  if (change > 0n) patch.changeTime = change
  control(access, 'lastAccess')
  control(write, 'lastWrite')
  control(change, 'change')
  if (attrs !== 0) {
    // the reparse, sparse, compressed and encrypted bits are not set this way; they stay as they are
    const kept = r.std.fileAttributes & ~(settableAttributes(0xffffffff) | A.FILE_ATTRIBUTE_NORMAL)
    let next = (kept | settableAttributes(attrs)) >>> 0
    if (r.isDirectory) next &= ~A.FILE_ATTRIBUTE_TEMPORARY
    if (next !== r.std.fileAttributes) filter |= FILE_NOTIFY_CHANGE.FILE_NOTIFY_CHANGE_ATTRIBUTES
    patch.fileAttributes = next
  }
  // a metadata change: ChangeTime moves unless the caller gave it or stopped it for this handle
  if (change === 0n && ccb.time.change === 'auto' && (attrs !== 0 || creation > 0n || access > 0n || write > 0n)) patch.changeTime = systemTime(vcb)
  if (Object.keys(patch).length > 0) vcb.store.setStandardInfo(fcb.record, patch)
  if (filter && ccb.link) reportChange(vcb, ccb.link.parent, ccb.link.name, FILE_ACTION.FILE_ACTION_MODIFIED, filter)
  return STATUS.STATUS_SUCCESS
}

// ---------------------------------------------------------------------------------------------
// FileDispositionInformation / FileDispositionInformationEx

/**
 * Marks the handle's link (or named stream) for deletion, or clears it. Observed on NTFS
 * (WinBtrfs delete, create and rename tests):
 * - a read-only file or directory → STATUS_CANNOT_DELETE, unless
 *   FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE;
 * - a directory with entries → STATUS_DIRECTORY_NOT_EMPTY;
 * - an open by file id → STATUS_INVALID_PARAMETER;
 * - FILE_DISPOSITION_POSIX_SEMANTICS takes the name away when this handle is cleaned up, even
 *   with other handles open; the file lives on for them, and clearing the disposition then
 *   fails with STATUS_FILE_DELETED;
 * - FILE_DISPOSITION_ON_CLOSE changes the handle's FILE_DELETE_ON_CLOSE; setting it on a
 *   handle opened without it → STATUS_NOT_SUPPORTED;
 * - a mapped image section → STATUS_CANNOT_DELETE (MmFlushImageSection for delete fails).
 */
export function setDisposition(ccb: Ccb, flags: number): NTSTATUS {
  const { fcb, scb, vcb, fileObject: fo } = ccb
  const del = (flags & DF.FILE_DISPOSITION_DELETE) !== 0
  if (fcb.kind === 'volume') return STATUS.STATUS_INVALID_PARAMETER
  if (ccb.flags.openedById) return STATUS.STATUS_INVALID_PARAMETER
  if (fcb.record === vcb.store.rootRecord) return STATUS.STATUS_CANNOT_DELETE
  const r = fcb.read()
  if (!r) return STATUS.STATUS_FILE_DELETED

  if (flags & DF.FILE_DISPOSITION_ON_CLOSE) {
    if (!ccb.flags.deleteOnClose) return del ? STATUS.STATUS_NOT_SUPPORTED : STATUS.STATUS_SUCCESS
    if (!del) {
      ccb.flags.deleteOnClose = false
      fo.Flags &= ~FO.FO_DELETE_ON_CLOSE
    }
    return STATUS.STATUS_SUCCESS
  }

  const isStream = scb.kind === 'data' && scb.streamName !== ''
  if (!del) {
    if (fcb.posixDeleted) return STATUS.STATUS_FILE_DELETED
    if (isStream) scb.deletePending = false
    else if (ccb.link) {
      fcb.deletePendingLinks.delete(vcb.linkKey(ccb.link))
      for (const c of fcb.ccbs) c.posixDelete = false
    }
    fo.DeletePending = false
    return STATUS.STATUS_SUCCESS
  }

  if (fcb.posixDeleted) return STATUS.STATUS_SUCCESS
  if (r.std.fileAttributes & A.FILE_ATTRIBUTE_READONLY && !(flags & DF.FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE)) return STATUS.STATUS_CANNOT_DELETE
  if (isStream) {
    scb.deletePending = true
    fo.DeletePending = true
    return STATUS.STATUS_SUCCESS
  }
  if (r.isDirectory && !vcb.store.isEmptyDirectory(fcb.record)) return STATUS.STATUS_DIRECTORY_NOT_EMPTY
  const links = fcb.links()
  // MmFlushImageSection(MmFlushForDelete) fails while the data section has user references
  // (section objects or mapped views: WRK mmsup; documented for DeleteFile: "fails ... as a
  // memory-mapped file"); the cache's own section does not count
  const data = scb.sectionObjectPointers.DataSectionObject
  if (data instanceof Segment && !data.deleted && (data.sectionHolds > 0 || data.mappedViews > 0)) return STATUS.STATUS_CANNOT_DELETE
  const image = scb.sectionObjectPointers.ImageSectionObject !== undefined
  // observed: a mapped image with more than one link may lose one, unless FORCE_IMAGE_SECTION_CHECK
  if (image && (links.length <= 1 || flags & DF.FILE_DISPOSITION_FORCE_IMAGE_SECTION_CHECK)) return STATUS.STATUS_CANNOT_DELETE
  if (!ccb.link) return STATUS.STATUS_INVALID_PARAMETER

  // with POSIX semantics the name goes at this handle's cleanup, whatever other handles remain
  fcb.deletePendingLinks.add(vcb.linkKey(ccb.link))
  ccb.posixDelete = (flags & DF.FILE_DISPOSITION_POSIX_SEMANTICS) !== 0
  fo.DeletePending = true
  // FsRtlCheckNotifyForDelete: change-notify requests on the directory complete with STATUS_DELETE_PENDING
  if (r.isDirectory) notifyDirectoryDeleted(vcb, fcb)
  return STATUS.STATUS_SUCCESS
}

// ---------------------------------------------------------------------------------------------
// sizes

function dataStreamOrInvalid(ccb: Ccb): NTSTATUS | undefined {
  // observed (WinBtrfs io tests): end of file or allocation on a directory → STATUS_INVALID_PARAMETER
  if (ccb.scb.kind !== 'data') return STATUS.STATUS_INVALID_PARAMETER
  if (!streamInfo(ccb.scb)) return STATUS.STATUS_FILE_DELETED
  return undefined
}

function markSizeChange(ccb: Ccb, sizeChanged: boolean): void {
  // a size change through a handle counts as writing through it (times stamped at its cleanup)
  ccb.modified = true
  ccb.fileObject.Flags |= FO.FO_FILE_MODIFIED
  if (sizeChanged) {
    ccb.sizeChanged = true
    ccb.fileObject.Flags |= FO.FO_FILE_SIZE_CHANGED
  }
  const cache = ccb.vcb.cache
  if (cache) cache.setFileSizes(ccb.scb)
}

/**
 * FileEndOfFileInformation. AdvanceOnly (the lazy writer's call) only ever moves ValidDataLength
 * forward up to end of file (MS-FSA 2.1.5.14.4 is silent; FastFat FatSetEndOfFileInfo).
 */
export function setEndOfFile(ccb: Ccb, buf: Uint8Array, advanceOnly: boolean): NTSTATUS {
  const bad = dataStreamOrInvalid(ccb)
  if (bad !== undefined) return bad
  if (buf.length < 8) return STATUS.STATUS_INFO_LENGTH_MISMATCH
  const eof = Number(i64(view(buf), 0))
  if (eof < 0 || !Number.isSafeInteger(eof)) return STATUS.STATUS_INVALID_PARAMETER
  const { scb } = ccb
  refreshHeader(scb)
  if (advanceOnly) {
    // the lazy writer's call: the valid data length on disk catches up with what it wrote
    if (eof > validDataOnDisk(scb) && eof <= scb.header.FileSize) setStreamSizes(scb, { validDataLength: eof })
    return STATUS.STATUS_SUCCESS
  }
  const old = scb.header.FileSize
  if (eof === old) return STATUS.STATUS_SUCCESS
  // MmCanFileBeTruncated: a mapped view keeps the file from shrinking (documented, SetEndOfFile)
  if (eof < old && ccb.vcb.cache?.isUserMapped(scb)) return STATUS.STATUS_USER_MAPPED_FILE
  if (eof < old && ccb.vcb.cache) ccb.vcb.cache.purge(scb, eof)
  // growing keeps ValidDataLength (the new bytes read as zeros); shrinking pulls it back
  setStreamSizes(scb, { size: eof, allocated: Math.max(eof, eof < old ? 0 : scb.header.AllocationSize) })
  markSizeChange(ccb, true)
  return STATUS.STATUS_SUCCESS
}

/** FileAllocationInformation: below end of file it truncates the file (MS-FSA 2.1.5.14.1) */
export function setAllocation(ccb: Ccb, buf: Uint8Array): NTSTATUS {
  const bad = dataStreamOrInvalid(ccb)
  if (bad !== undefined) return bad
  if (buf.length < 8) return STATUS.STATUS_INFO_LENGTH_MISMATCH
  const alloc = Number(i64(view(buf), 0))
  if (alloc < 0 || !Number.isSafeInteger(alloc)) return STATUS.STATUS_INVALID_PARAMETER
  const { scb } = ccb
  refreshHeader(scb)
  const old = scb.header.FileSize
  if (alloc < old) {
    if (ccb.vcb.cache?.isUserMapped(scb)) return STATUS.STATUS_USER_MAPPED_FILE
    if (ccb.vcb.cache) ccb.vcb.cache.purge(scb, alloc)
    setStreamSizes(scb, { size: alloc, allocated: alloc })
    markSizeChange(ccb, true)
  } else {
    setStreamSizes(scb, { allocated: alloc })
    markSizeChange(ccb, false)
  }
  return STATUS.STATUS_SUCCESS
}

/**
 * FileValidDataLengthInformation (SetFileValidData). Observed (WinBtrfs io tests): a value
 * below the current valid data length or beyond end of file → STATUS_INVALID_PARAMETER.
 * unverified: SeManageVolumePrivilege is not checked (no token model).
 */
export function setValidDataLength(ccb: Ccb, buf: Uint8Array): NTSTATUS {
  const bad = dataStreamOrInvalid(ccb)
  if (bad !== undefined) return bad
  if (buf.length < 8) return STATUS.STATUS_INFO_LENGTH_MISMATCH
  const vdl = Number(i64(view(buf), 0))
  const { scb } = ccb
  refreshHeader(scb)
  if (vdl < scb.header.ValidDataLength || vdl > scb.header.FileSize) return STATUS.STATUS_INVALID_PARAMETER
  if (vdl !== scb.header.ValidDataLength) setStreamSizes(scb, { validDataLength: vdl })
  touchChange(ccb.fcb, ccb)
  return STATUS.STATUS_SUCCESS
}

/** FilePositionInformation (the I/O manager answers it for synchronous handles itself) */
export function setPosition(ccb: Ccb, buf: Uint8Array): NTSTATUS {
  if (buf.length < 8) return STATUS.STATUS_INFO_LENGTH_MISMATCH
  const pos = Number(i64(view(buf), 0))
  if (pos < 0) return STATUS.STATUS_INVALID_PARAMETER
  const fo = ccb.fileObject
  // documented: with FILE_NO_INTERMEDIATE_BUFFERING the position must be sector-aligned
  if (fo.Flags & FO.FO_NO_INTERMEDIATE_BUFFERING && pos % ccb.vcb.store.geometry.bytesPerSector !== 0) return STATUS.STATUS_INVALID_PARAMETER
  fo.CurrentByteOffset = pos
  return STATUS.STATUS_SUCCESS
}
