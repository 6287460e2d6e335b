// IRP_MJ_READ (NtfsCommonRead). Rules (observed on NTFS by WinBtrfs io tests; MS-FSA 2.1.5.2):
// - a read starting at or past end of file fails with STATUS_END_OF_FILE and reads nothing;
// - a read crossing end of file returns the bytes up to it;
// - bytes past ValidDataLength read as zeros;
// - a zero-length read succeeds with nothing;
// - another owner's exclusive byte-range lock over the range → STATUS_FILE_LOCK_CONFLICT;
// - a synchronous file object's position moves past what was read (not for paging I/O).
// Cached reads go through the Cache Manager when one is attached (./cache-seam.ts); a
// non-cached read first has the cache write what it holds dirty for the range.

import { KePreemptionPoint, type Co } from '../../ke/index.ts'
import type { DeviceObject } from '../../io/device.ts'
import { FO } from '../../io/file-object.ts'
import { IoGetCurrentIrpStackLocation, type Irp } from '../../io/irp.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import { completeIrp, outcome, type Outcome } from './complete.ts'
import { checkDataRequest, isNonCached, isPagingIo, misaligned, startingOffset } from './rw-common.ts'
import { refreshHeader } from './sizes.ts'
import { checkOplock } from './oplock.ts'
import { isMdlRequest, mdlRead } from './mdl-io.ts'
import { IRP_MN_READ_WRITE } from '../../nt/irp.ts'
import { ccbOf, type Ccb } from './structures.ts'
import { storeFailure, vcbOf } from './volume.ts'

/** IRP_MJ_READ dispatch */
export function* ntfsRead(device: DeviceObject, irp: Irp): Co<NTSTATUS> {
  vcbOf(device)
  const sp = IoGetCurrentIrpStackLocation(irp)
  const ccb = ccbOf(sp.FileObject)
  const params = sp.Parameters.Read
  if (!ccb || !params) return completeIrp(irp, STATUS.STATUS_INVALID_PARAMETER)
  yield* KePreemptionPoint('NtfsCommonRead')
  // oplock breaks a read causes, waited for before the file's resources are taken
  const oplockStatus = yield* checkOplock(ccb, irp)
  if (oplockStatus !== STATUS.STATUS_SUCCESS) return completeIrp(irp, oplockStatus)
  const paging = isPagingIo(irp)
  const resource = paging ? ccb.fcb.PagingIoResource : ccb.fcb.Resource
  yield* resource.acquireShared()
  let r: Outcome
  try {
    r = yield* commonRead(ccb, irp, params.ByteOffset, params.Length, params.Key)
  } catch (e) {
    r = outcome(storeFailure(e))
  } finally {
    resource.release()
  }
  return completeIrp(irp, r.status, r.information)
}

function* commonRead(ccb: Ccb, irp: Irp, requestedOffset: number, length: number, key: number): Co<Outcome> {
  const { scb, fcb, vcb, fileObject: fo } = ccb
  const bad = checkDataRequest(ccb, irp)
  if (bad !== undefined) return outcome(bad)
  const start = startingOffset(fo, requestedOffset, false)
  if ('status' in start) return outcome(start.status)
  if (start.offset === 'eof') return outcome(STATUS.STATUS_INVALID_PARAMETER)
  const offset = start.offset
  const paging = isPagingIo(irp)
  const nonCached = isNonCached(irp, fo)
  if (nonCached && !paging && misaligned(vcb.store.geometry.bytesPerSector, offset, length)) return outcome(STATUS.STATUS_INVALID_PARAMETER)
  if (length === 0) return outcome(STATUS.STATUS_SUCCESS, 0)
  const sp = IoGetCurrentIrpStackLocation(irp)
  if (isMdlRequest(sp)) {
    // IRP_MN_MDL: the caller gets the Cache Manager's pages, not a copy
    if (!(sp.MinorFunction & IRP_MN_READ_WRITE.IRP_MN_COMPLETE) && !scb.fileLock.canRead(fo, irp.Thread?.process, key, offset, length)) return outcome(STATUS.STATUS_FILE_LOCK_CONFLICT)
    return yield* mdlRead(ccb, irp, sp, offset, length)
  }
  const buffer = irp.UserBuffer
  if (!buffer || buffer.length < length) return outcome(STATUS.STATUS_INVALID_USER_BUFFER)

  refreshHeader(scb)
  const size = scb.header.FileSize
  if (offset >= size) return outcome(STATUS.STATUS_END_OF_FILE, 0)
  if (!paging && !scb.fileLock.canRead(fo, irp.Thread?.process, key, offset, length)) return outcome(STATUS.STATUS_FILE_LOCK_CONFLICT)
  const n = Math.min(length, size - offset)
  if (!nonCached && vcb.cache) {
    const st = yield* vcb.cache.copyRead(scb, fo, offset, buffer.subarray(0, n))
    if (st !== STATUS.STATUS_SUCCESS) return outcome(st)
  } else {
    // coherency (FastFat NonCachedIo): what the cache holds dirty for the range is written first
    if (!paging && vcb.cache) {
      const st = yield* vcb.cache.flush(scb, offset, n, true)
      if (st !== STATUS.STATUS_SUCCESS) return outcome(st)
    }
    buffer.set(vcb.store.readStream(fcb.record, scb.streamName, offset, n))
  }
  if (fo.Flags & FO.FO_SYNCHRONOUS_IO && !paging) fo.CurrentByteOffset = offset + n
  if (!paging) ccb.accessed = true
  return outcome(STATUS.STATUS_SUCCESS, n)
}
