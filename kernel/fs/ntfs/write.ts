// IRP_MJ_WRITE (NtfsCommonWrite). Rules:
// - FILE_WRITE_TO_END_OF_FILE writes at the end of file, and so does every write through a
//   handle granted FILE_APPEND_DATA without FILE_WRITE_DATA (observed, WinBtrfs io tests: an
//   append-only handle's write "at 0" lands at the end and the position follows it);
// - a write past end of file extends it (and its allocation); bytes between the old valid data
//   length and the write read as zeros;
// - paging I/O never extends the file (the Memory Manager writes whole pages: what lies past
//   end of file is dropped);
// - a shared lock anywhere over the range, or another owner's exclusive lock →
//   STATUS_FILE_LOCK_CONFLICT;
// - a synchronous file object's position moves past what was written;
// - the times are stamped at this handle's cleanup (./times.ts), FO_FILE_MODIFIED marks it;
// - with a Cache Manager attached, a cached write lands in the cache (the new end of file goes
//   to the volume at once), a non-cached one flushes and purges the cached range first, and
//   write-through has the written range flushed before the write completes.

import { KePreemptionPoint, type Co } from '../../ke/index.ts'
import type { DeviceObject } from '../../io/device.ts'
import { FO } from '../../io/file-object.ts'
import { IoGetCurrentIrpStackLocation, type Irp, type IoStackLocation } from '../../io/irp.ts'
import { ACCESS } from '../../nt/access.ts'
import { SL_FLAGS_READ_WRITE } from '../../nt/irp.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import { completeIrp, outcome, type Outcome } from './complete.ts'
import { checkDataRequest, isNonCached, isPagingIo, misaligned, startingOffset } from './rw-common.ts'
import { refreshHeader, setStreamSizes, writeStreamData } from './sizes.ts'
import { FSRTL_CACHE_TOP_LEVEL_IRP, IoGetTopLevelIrp } from '../../mm/top-level.ts'
import { ccbOf, type Ccb } from './structures.ts'
import { checkOplock } from './oplock.ts'
import { isMdlRequest, mdlWrite } from './mdl-io.ts'
import { storeFailure, vcbOf } from './volume.ts'

/** IRP_MJ_WRITE dispatch */
export function* ntfsWrite(device: DeviceObject, irp: Irp): Co<NTSTATUS> {
  vcbOf(device)
  const sp = IoGetCurrentIrpStackLocation(irp)
  const ccb = ccbOf(sp.FileObject)
  const params = sp.Parameters.Write
  if (!ccb || !params) return completeIrp(irp, STATUS.STATUS_INVALID_PARAMETER)
  yield* KePreemptionPoint('NtfsCommonWrite')
  // oplock breaks a (non-paging) write causes, waited for before the file's resources are taken
  const oplockStatus = yield* checkOplock(ccb, irp)
  if (oplockStatus !== STATUS.STATUS_SUCCESS) return completeIrp(irp, oplockStatus)
  const paging = isPagingIo(irp)
  const vcb = ccb.vcb
  // CcCanIWrite before any lock is taken: a cached writer waits while dirty data is over the threshold
  if (vcb.cache && !paging && !isNonCached(irp, ccb.fileObject)) yield* vcb.cache.canIWrite(params.Length)
  // paging writes share the paging resource (the lazy writer or mapped page writer holds the
  // file through its acquire callback); every other write holds the file exclusive
  const resource = paging ? ccb.fcb.PagingIoResource : ccb.fcb.Resource
  if (paging) yield* resource.acquireShared()
  else yield* resource.acquireExclusive()
  let r: Outcome
  try {
    r = yield* commonWrite(ccb, irp, sp, params.ByteOffset, params.Length, params.Key)
  } catch (e) {
    r = outcome(storeFailure(e))
  } finally {
    resource.release()
  }
  return completeIrp(irp, r.status, r.information)
}

function* commonWrite(ccb: Ccb, irp: Irp, sp: IoStackLocation, requestedOffset: number, length: number, key: number): Co<Outcome> {
  const { scb, vcb, fileObject: fo } = ccb
  const bad = checkDataRequest(ccb, irp)
  if (bad !== undefined) return outcome(bad)
  const paging = isPagingIo(irp)
  const start = startingOffset(fo, requestedOffset, true)
  if ('status' in start) return outcome(start.status)
  const appendOnly = (ccb.grantedAccess & ACCESS.FILE_APPEND_DATA) !== 0 && (ccb.grantedAccess & ACCESS.FILE_WRITE_DATA) === 0
  const toEof = !paging && (start.offset === 'eof' || appendOnly)
  const nonCached = isNonCached(irp, fo)
  if (nonCached && !paging && start.offset !== 'eof' && misaligned(vcb.store.geometry.bytesPerSector, start.offset, length)) {
    return outcome(STATUS.STATUS_INVALID_PARAMETER)
  }
  if (isMdlRequest(sp)) {
    // IRP_MN_MDL: the data goes into the Cache Manager's pages, not through a buffer
    refreshHeader(scb)
    const at = start.offset === 'eof' || toEof ? scb.header.FileSize : start.offset
    if (!scb.fileLock.canWrite(fo, irp.Thread?.process, key, at, length)) return outcome(STATUS.STATUS_FILE_LOCK_CONFLICT)
    return yield* mdlWrite(ccb, irp, sp, at, length)
  }
  if (length === 0) return outcome(STATUS.STATUS_SUCCESS, 0)
  const buffer = irp.UserBuffer
  if (!buffer || buffer.length < length) return outcome(STATUS.STATUS_INVALID_USER_BUFFER)

  refreshHeader(scb)
  const oldSize = scb.header.FileSize
  const offset = toEof ? oldSize : (start.offset as number)
  let n = length
  if (paging) {
    // the Memory Manager's page writes stop at end of file
    if (offset >= oldSize) return outcome(STATUS.STATUS_SUCCESS, 0)
    n = Math.min(n, oldSize - offset)
    // the lazy writer's pages past the valid data in memory hold nothing valid: valid data on
    // disk moves only as far as the cache made it valid (then its AdvanceOnly update confirms it)
    if (IoGetTopLevelIrp(irp.Thread) === FSRTL_CACHE_TOP_LEVEL_IRP) {
      const valid = scb.header.ValidDataLength
      if (offset >= valid) return outcome(STATUS.STATUS_SUCCESS, n)
      n = Math.min(n, valid - offset)
    }
  } else if (!scb.fileLock.canWrite(fo, irp.Thread?.process, key, offset, n)) {
    return outcome(STATUS.STATUS_FILE_LOCK_CONFLICT)
  }
  const data = buffer.subarray(0, n)
  const writeThrough = (fo.Flags & FO.FO_WRITE_THROUGH) !== 0 || (sp.Flags & SL_FLAGS_READ_WRITE.SL_WRITE_THROUGH) !== 0
  if (!nonCached && vcb.cache) {
    // the data waits in the cache, valid in memory only until the lazy writer writes it; the new
    // end of file is metadata, on the volume at once (set after the copy, so that the cache
    // zeroes rather than reads the part of a page past the old end)
    const st = yield* vcb.cache.copyWrite(scb, fo, offset, data)
    if (st !== STATUS.STATUS_SUCCESS) return outcome(st)
    if (offset + n > oldSize) setStreamSizes(scb, { size: offset + n })
    if (offset + n > scb.cachedValidData) scb.cachedValidData = offset + n
    refreshHeader(scb)
    if (writeThrough) {
      const wt = yield* vcb.cache.writeThrough(scb, offset, n)
      if (wt !== STATUS.STATUS_SUCCESS) return outcome(wt)
    }
  } else {
    // coherency (FastFat NonCachedIo): a non-cached write has the cache write what it holds
    // dirty for the range, then drops the range, so no stale copy stays cached
    if (vcb.cache && !paging) {
      const st = yield* vcb.cache.flush(scb, offset, n, true)
      if (st !== STATUS.STATUS_SUCCESS) return outcome(st)
    }
    writeStreamData(scb, offset, data)
    if (vcb.cache && !paging) vcb.cache.purge(scb, offset, n)
  }
  if (vcb.cache && scb.header.FileSize !== oldSize) vcb.cache.setFileSizes(scb)
  if (writeThrough) vcb.store.flush()
  if (!paging) {
    ccb.modified = true
    fo.Flags |= FO.FO_FILE_MODIFIED
    if (scb.header.FileSize !== oldSize) {
      ccb.sizeChanged = true
      fo.Flags |= FO.FO_FILE_SIZE_CHANGED
    }
    if (fo.Flags & FO.FO_SYNCHRONOUS_IO) fo.CurrentByteOffset = offset + n
  }
  return outcome(STATUS.STATUS_SUCCESS, n)
}
