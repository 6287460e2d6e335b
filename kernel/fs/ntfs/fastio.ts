// NTFS's FAST_IO_DISPATCH and its FsFilter callbacks. The fast paths follow FsRtlCopyRead /
// FsRtlCopyWrite (FsRtl's generic fast I/O, which NTFS's own NtfsCopyReadA/NtfsCopyWriteA
// mirror): they only run on a file object whose cache is initialized, take the file's resource,
// ask FastIoCheckIfPossible (through the top of the stack) when byte-range locks make fast I/O
// questionable, and decline — FALSE, the I/O manager then sends the IRP — whenever the IRP path
// must decide (a write past the allocation, an append-only handle, write-through, dirty data
// over the threshold, a deleted or cleaned-up file). Each call is traced at `fs`; a declined one
// completes with STATUS_FLT_DISALLOW_FAST_IO, which Process Monitor shows as FAST IO DISALLOWED.

import type { Co } from '../../ke/index.ts'
import type { DeviceObject, FastIoDispatch } from '../../io/device.ts'
import { FO, type FileObject } from '../../io/file-object.ts'
import type { IoStatusBlock, Irp } from '../../io/irp.ts'
import { ACCESS } from '../../nt/access.ts'
import { FILE_INFORMATION_CLASS as C, fileInformationClassName } from '../../nt/infoclass.ts'
import { decodeFileInformation, hasFileInformationCodec } from '../../rtl/structs/fileinfo.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import type { CcMdl } from '../../cc/cache-manager.ts'
import { FS_FILTER_SECTION_SYNC_TYPE, type FS_FILTER_CALLBACKS } from '../../mm/fsrtl.ts'
import { traceOpEnd, traceOpStart } from '../../mm/op-trace.ts'
import { Segment } from '../../mm/segment.ts'
import { FsRtlCurrentOplock, FsRtlOplockIsFastIoPossible, oplockAllowsFastIo, oplockBreakInProgress } from '../../fsrtl/index.ts'
import { oplockOf } from './oplock.ts'
import { queryInformation } from './query-info.ts'
import { refreshHeader, setStreamSizes } from './sizes.ts'
import { ccbOf, type Ccb, type Scb } from './structures.ts'
import { storeFailure } from './volume.ts'

/** An IO_STATUS_BLOCK that also carries the MDL chain of MdlRead / PrepareMdlWrite. */
export type MdlStatusBlock = IoStatusBlock & { MdlChain?: CcMdl }

const DECLINED = STATUS.STATUS_FLT_DISALLOW_FAST_IO

/**
 * FsRtl's view of whether fast I/O may go ahead (NtfsIsIoPossible): not while an oplock break
 * waits for its acknowledgement; byte-range locks and oplocks make it questionable, so that
 * FastIoCheckIfPossible decides for the caller's handle.
 */
export function fastIoPossible(scb: Scb): 'FastIoIsPossible' | 'FastIoIsQuestionable' | 'FastIoIsNotPossible' {
  if (scb.kind !== 'data' || scb.fcb.fileDeleted) return 'FastIoIsNotPossible'
  const oplock = oplockOf(scb)
  if (!FsRtlOplockIsFastIoPossible(oplock)) return oplockBreakInProgress(oplock) ? 'FastIoIsNotPossible' : 'FastIoIsQuestionable'
  if (FsRtlCurrentOplock(oplock)) return 'FastIoIsQuestionable'
  return scb.fileLock.isEmpty ? 'FastIoIsPossible' : 'FastIoIsQuestionable'
}

function usable(ccb: Ccb | undefined): ccb is Ccb {
  if (!ccb || ccb.scb.kind !== 'data') return false
  if (ccb.vcb.dismounted || ccb.fcb.fileDeleted) return false
  return !ccb.flags.cleanedUp && (ccb.fileObject.Flags & FO.FO_CLEANUP_COMPLETE) === 0
}

/** runs a fast I/O body and records it at `fs`: TRUE with the body's status, or FAST IO DISALLOWED */
function* traced(device: DeviceObject, fo: FileObject | undefined, op: string, params: Record<string, unknown>, iosb: IoStatusBlock, body: () => Co<boolean>, output?: () => Record<string, unknown> | undefined): Co<boolean> {
  const io = device.io
  const t = traceOpStart(io, device, fo, op, params)
  let ok = false
  try {
    ok = yield* body()
  } finally {
    traceOpEnd(io, t, ok ? iosb.Status : DECLINED, ok ? iosb.Information : 0, ok ? output?.() : undefined)
  }
  return ok
}

function process(device: DeviceObject): unknown {
  return device.io.ke.current?.process
}

/** FastIoCheckIfPossible of the device at the top of the file object's stack (FsRtlCopyRead asks it) */
function* checkThroughTop(device: DeviceObject, fo: FileObject, offset: number, length: number, wait: boolean, key: number, forRead: boolean): Co<boolean> {
  const top = device.io.topDeviceFor(fo)
  const check = top.DriverObject.FastIoDispatch?.FastIoCheckIfPossible
  if (!check) return false
  const iosb: IoStatusBlock = { Status: STATUS.STATUS_SUCCESS, Information: 0 }
  return yield* check(fo, offset, length, wait, key, forRead, iosb, top)
}

function queryFast(cls: number, op: string) {
  return function* (fo: FileObject, wait: boolean, out: Uint8Array, iosb: IoStatusBlock, device: DeviceObject): Co<boolean> {
    const ccb = ccbOf(fo)
    let fields: Record<string, unknown> | undefined
    return yield* traced(device, fo, op, { FileInformationClass: cls, Length: out.length }, iosb, function* () {
      if (!ccb || ccb.vcb.dismounted || ccb.fcb.fileDeleted) return false
      if (!(yield* ccb.fcb.Resource.acquireShared(wait))) return false
      try {
        const r = queryInformation(ccb, cls, out.length)
        if (r.status !== STATUS.STATUS_SUCCESS) return false
        out.set(r.bytes.subarray(0, Math.min(r.information, out.length)))
        iosb.Status = r.status
        iosb.Information = r.information
        const name = fileInformationClassName(cls)
        if (name && hasFileInformationCodec(name)) fields = decodeFileInformation(name, r.bytes) as unknown as Record<string, unknown>
        return true
      } catch (e) {
        storeFailure(e)
        return false
      } finally {
        ccb.fcb.Resource.release()
      }
    }, () => fields)
  }
}

/** NTFS's FAST_IO_DISPATCH */
export function ntfsFastIoDispatch(): FastIoDispatch {
  return {
    *FastIoCheckIfPossible(fo, offset, length, _wait, lockKey, checkForRead, iosb, device) {
      const ccb = ccbOf(fo)
      return yield* traced(device, fo, 'FASTIO_CHECK_IF_POSSIBLE', { FileOffset: offset, Length: length, LockKey: lockKey, CheckForReadOperation: checkForRead }, iosb, function* () {
        if (!usable(ccb)) return false
        // an operation that would break an oplock goes by IRP, where the break is made and waited for
        if (!oplockAllowsFastIo(oplockOf(ccb.scb), fo, checkForRead ? 'read' : 'write')) return false
        const lock = ccb.scb.fileLock
        const p = process(device)
        const ok = checkForRead ? lock.canRead(fo, p, lockKey, offset, length) : lock.canWrite(fo, p, lockKey, offset, length)
        iosb.Status = STATUS.STATUS_SUCCESS
        iosb.Information = 0
        return ok
      })
    },

    /** FsRtlCopyRead */
    *FastIoRead(fo, offset, length, wait, lockKey, buffer, iosb, device) {
      const ccb = ccbOf(fo)
      return yield* traced(device, fo, 'FASTIO_READ', { ByteOffset: offset, Length: length }, iosb, function* () {
        if (!usable(ccb)) return false
        const { scb, vcb } = ccb
        const cc = vcb.cc
        if (!cc || !fo.PrivateCacheMap) return false
        if (length === 0) {
          iosb.Status = STATUS.STATUS_SUCCESS
          iosb.Information = 0
          return true
        }
        if (!(yield* scb.fcb.Resource.acquireShared(wait))) return false
        try {
          refreshHeader(scb)
          const possible = fastIoPossible(scb)
          if (possible === 'FastIoIsNotPossible') return false
          if (possible === 'FastIoIsQuestionable' && !(yield* checkThroughTop(device, fo, offset, length, wait, lockKey, true))) return false
          const size = scb.header.FileSize
          if (offset >= size) {
            iosb.Status = STATUS.STATUS_END_OF_FILE
            iosb.Information = 0
            return true
          }
          const n = Math.min(length, size - offset)
          const st = yield* cc.copyRead(fo, offset, buffer.subarray(0, n), wait)
          if (st !== STATUS.STATUS_SUCCESS) return false
          iosb.Status = STATUS.STATUS_SUCCESS
          iosb.Information = n
          if (fo.Flags & FO.FO_SYNCHRONOUS_IO) fo.CurrentByteOffset = offset + n
          fo.Flags |= FO.FO_FILE_FAST_IO_READ
          ccb.accessed = true
          return true
        } finally {
          scb.fcb.Resource.release()
        }
      })
    },

    /** FsRtlCopyWrite */
    *FastIoWrite(fo, offset, length, wait, lockKey, buffer, iosb, device) {
      const ccb = ccbOf(fo)
      return yield* traced(device, fo, 'FASTIO_WRITE', { ByteOffset: offset, Length: length }, iosb, function* () {
        if (!usable(ccb)) return false
        const { scb, vcb } = ccb
        const cc = vcb.cc
        if (!cc || !fo.PrivateCacheMap) return false
        // unverified: NTFS leaves write-through to the IRP path
        if (fo.Flags & FO.FO_WRITE_THROUGH) return false
        // an append-only handle writes at end of file: the IRP path decides where that is
        if (ccb.grantedAccess & ACCESS.FILE_APPEND_DATA && !(ccb.grantedAccess & ACCESS.FILE_WRITE_DATA)) return false
        if (length === 0) {
          iosb.Status = STATUS.STATUS_SUCCESS
          iosb.Information = 0
          return true
        }
        // CcCanIWrite without waiting: over the dirty threshold the IRP path waits instead
        if (!(yield* cc.canIWrite(length, false))) return false
        if (!(yield* scb.fcb.Resource.acquireExclusive(wait))) return false
        try {
          refreshHeader(scb)
          const possible = fastIoPossible(scb)
          if (possible === 'FastIoIsNotPossible') return false
          // observed (Win10 1903): writes that need more allocation come as FAST IO DISALLOWED, then the IRP
          if (offset + length > scb.header.AllocationSize) return false
          if (possible === 'FastIoIsQuestionable' && !(yield* checkThroughTop(device, fo, offset, length, wait, lockKey, false))) return false
          const oldSize = scb.header.FileSize
          const st = yield* cc.copyWrite(fo, offset, buffer.subarray(0, length), wait)
          if (st !== STATUS.STATUS_SUCCESS) return false
          if (offset + length > oldSize) setStreamSizes(scb, { size: offset + length })
          if (offset + length > scb.cachedValidData) scb.cachedValidData = offset + length
          refreshHeader(scb)
          if (scb.header.FileSize !== oldSize) {
            vcb.cache?.setFileSizes(scb)
            ccb.sizeChanged = true
            fo.Flags |= FO.FO_FILE_SIZE_CHANGED
          }
          ccb.modified = true
          fo.Flags |= FO.FO_FILE_MODIFIED
          if (fo.Flags & FO.FO_SYNCHRONOUS_IO) fo.CurrentByteOffset = offset + length
          iosb.Status = STATUS.STATUS_SUCCESS
          iosb.Information = length
          return true
        } catch (e) {
          storeFailure(e)
          return false
        } finally {
          scb.fcb.Resource.release()
        }
      })
    },

    FastIoQueryBasicInfo: queryFast(C.FileBasicInformation, 'FASTIO_QUERY_BASIC_INFO'),
    FastIoQueryStandardInfo: queryFast(C.FileStandardInformation, 'FASTIO_QUERY_STANDARD_INFO'),
    FastIoQueryNetworkOpenInfo: queryFast(C.FileNetworkOpenInformation, 'FASTIO_QUERY_NETWORK_OPEN_INFO'),

    /** FsRtlFastLock: granted at once, or refused at once with FailImmediately; a lock that must wait goes as an IRP */
    *FastIoLock(fo, offset, length, proc, key, failImmediately, exclusiveLock, iosb, device) {
      const ccb = ccbOf(fo)
      return yield* traced(device, fo, 'FASTIO_LOCK', { ByteOffset: offset, Length: length, Key: key, FailImmediately: failImmediately, ExclusiveLock: exclusiveLock }, iosb, function* () {
        if (!usable(ccb)) return false
        if (offset < 0 || length < 0 || !Number.isSafeInteger(offset + length)) return false
        // a lock breaks level 2 oplocks and those of other handles: that takes the IRP path
        if (!oplockAllowsFastIo(oplockOf(ccb.scb), fo, 'lock')) return false
        const req = { offset, length, exclusive: exclusiveLock, key, fileObject: fo, process: proc }
        if (ccb.scb.fileLock.tryLock(req)) iosb.Status = STATUS.STATUS_SUCCESS
        else if (failImmediately) iosb.Status = STATUS.STATUS_LOCK_NOT_GRANTED
        else return false
        iosb.Information = 0
        return true
      })
    },
    *FastIoUnlockSingle(fo, offset, length, proc, key, iosb, device) {
      const ccb = ccbOf(fo)
      return yield* traced(device, fo, 'FASTIO_UNLOCK_SINGLE', { ByteOffset: offset, Length: length, Key: key }, iosb, function* () {
        if (!ccb || ccb.scb.kind !== 'data') return false
        if (!oplockAllowsFastIo(oplockOf(ccb.scb), fo, 'lock')) return false
        iosb.Status = ccb.scb.fileLock.unlockSingle(fo, proc, offset, length, key)
        iosb.Information = 0
        return true
      })
    },
    *FastIoUnlockAll(fo, proc, iosb, device) {
      const ccb = ccbOf(fo)
      return yield* traced(device, fo, 'FASTIO_UNLOCK_ALL', {}, iosb, function* () {
        if (!ccb || ccb.scb.kind !== 'data') return false
        if (!oplockAllowsFastIo(oplockOf(ccb.scb), fo, 'lock')) return false
        ccb.scb.fileLock.unlockAll(fo, proc)
        iosb.Status = STATUS.STATUS_SUCCESS
        iosb.Information = 0
        return true
      })
    },
    *FastIoUnlockAllByKey(fo, proc, key, iosb, device) {
      const ccb = ccbOf(fo)
      return yield* traced(device, fo, 'FASTIO_UNLOCK_ALL_BY_KEY', { Key: key }, iosb, function* () {
        if (!ccb || ccb.scb.kind !== 'data') return false
        if (!oplockAllowsFastIo(oplockOf(ccb.scb), fo, 'lock')) return false
        ccb.scb.fileLock.unlockAllByKey(fo, proc, key)
        iosb.Status = STATUS.STATUS_SUCCESS
        iosb.Information = 0
        return true
      })
    },

    /**
     * observed (Win10 1903, 3,107 of 3,107 QueryOpen events): FAST IO DISALLOWED, and the I/O
     * manager opens the file. unverified: whether NTFS itself or a filter of that machine declined.
     */
    *FastIoQueryOpen(irp: Irp, _out: Uint8Array, device: DeviceObject) {
      const fo = irp.Stack[irp.CurrentLocation - 1]?.FileObject ?? irp.OriginalFileObject
      const iosb: IoStatusBlock = { Status: STATUS.STATUS_SUCCESS, Information: 0 }
      return yield* traced(device, fo, 'FASTIO_QUERY_OPEN', {}, iosb, function* () {
        return false
      })
    },

    /** FsRtlMdlReadDev: the MDL comes back in the status block's MdlChain */
    *MdlRead(fo, offset, length, lockKey, iosb, device) {
      const ccb = ccbOf(fo)
      return yield* traced(device, fo, 'FASTIO_MDL_READ', { ByteOffset: offset, Length: length }, iosb, function* () {
        if (!usable(ccb) || !ccb.vcb.cc || !fo.PrivateCacheMap) return false
        const { scb } = ccb
        yield* scb.fcb.Resource.acquireShared()
        try {
          refreshHeader(scb)
          if (fastIoPossible(scb) !== 'FastIoIsPossible' && !(yield* checkThroughTop(device, fo, offset, length, true, lockKey, true))) return false
          if (offset >= scb.header.FileSize) {
            iosb.Status = STATUS.STATUS_END_OF_FILE
            iosb.Information = 0
            return true
          }
          const n = Math.min(length, scb.header.FileSize - offset)
          const r = yield* ccb.vcb.cc.mdlRead(fo, offset, n)
          if (r.status !== STATUS.STATUS_SUCCESS || !r.mdl) return false
          ;(iosb as MdlStatusBlock).MdlChain = r.mdl
          iosb.Status = STATUS.STATUS_SUCCESS
          iosb.Information = n
          return true
        } finally {
          scb.fcb.Resource.release()
        }
      })
    },
    *MdlReadComplete(fo, mdl, device) {
      const ccb = ccbOf(fo)
      const iosb: IoStatusBlock = { Status: STATUS.STATUS_SUCCESS, Information: 0 }
      return yield* traced(device, fo, 'FASTIO_MDL_READ_COMPLETE', {}, iosb, function* () {
        if (!ccb?.vcb.cc) return false
        ccb.vcb.cc.mdlReadComplete(mdl as CcMdl)
        return true
      })
    },
    /** FsRtlPrepareMdlWriteDev: the MDL comes back in the status block's MdlChain */
    *PrepareMdlWrite(fo, offset, length, lockKey, iosb, device) {
      const ccb = ccbOf(fo)
      return yield* traced(device, fo, 'FASTIO_PREPARE_MDL_WRITE', { ByteOffset: offset, Length: length }, iosb, function* () {
        if (!usable(ccb) || !ccb.vcb.cc || !fo.PrivateCacheMap) return false
        const { scb, vcb } = ccb
        const cc = ccb.vcb.cc
        if (!(yield* cc.canIWrite(length, false))) return false
        yield* scb.fcb.Resource.acquireExclusive()
        try {
          refreshHeader(scb)
          if (offset + length > scb.header.AllocationSize) return false
          if (fastIoPossible(scb) !== 'FastIoIsPossible' && !(yield* checkThroughTop(device, fo, offset, length, true, lockKey, false))) return false
          if (offset + length > scb.header.FileSize) {
            setStreamSizes(scb, { size: offset + length })
            vcb.cache?.setFileSizes(scb)
          }
          const r = yield* cc.prepareMdlWrite(fo, offset, length)
          if (r.status !== STATUS.STATUS_SUCCESS || !r.mdl) return false
          if (offset + length > scb.cachedValidData) scb.cachedValidData = offset + length
          refreshHeader(scb)
          ccb.modified = true
          fo.Flags |= FO.FO_FILE_MODIFIED
          ;(iosb as MdlStatusBlock).MdlChain = r.mdl
          iosb.Status = STATUS.STATUS_SUCCESS
          iosb.Information = length
          return true
        } finally {
          scb.fcb.Resource.release()
        }
      })
    },
    *MdlWriteComplete(fo, offset, mdl, device) {
      const ccb = ccbOf(fo)
      const iosb: IoStatusBlock = { Status: STATUS.STATUS_SUCCESS, Information: 0 }
      return yield* traced(device, fo, 'FASTIO_MDL_WRITE_COMPLETE', { ByteOffset: offset }, iosb, function* () {
        if (!ccb?.vcb.cc) return false
        ccb.vcb.cc.mdlWriteComplete(fo, offset, mdl as CcMdl)
        return true
      })
    },

    // the acquire and release routines FsRtl calls through the top of the stack; FsRtl traces them

    /** NtfsAcquireFileForNtCreateSection: the file exclusive while the section is made */
    *AcquireFileForNtCreateSection(fo) {
      const ccb = ccbOf(fo)
      if (ccb) yield* ccb.fcb.Resource.acquireExclusive()
    },
    *ReleaseFileForNtCreateSection(fo) {
      const ccb = ccbOf(fo)
      if (ccb) ccb.fcb.Resource.release()
    },
    /**
     * the mapped page writer may not wait: shared, or exclusive when the write reaches past the
     * valid data length (FsRtlAcquireFileForModWriteEx's rule); busy → STATUS_CANT_WAIT
     */
    *AcquireForModWrite(fo, endingOffset) {
      const ccb = ccbOf(fo)
      if (!ccb) return STATUS.STATUS_INVALID_PARAMETER
      refreshHeader(ccb.scb)
      const r = ccb.fcb.Resource
      const ok = endingOffset > ccb.scb.header.ValidDataLength ? yield* r.acquireExclusive(false) : yield* r.acquireShared(false)
      return ok ? STATUS.STATUS_SUCCESS : STATUS.STATUS_CANT_WAIT
    },
    *ReleaseForModWrite(fo) {
      const ccb = ccbOf(fo)
      if (!ccb) return STATUS.STATUS_INVALID_PARAMETER
      ccb.fcb.Resource.release()
      return STATUS.STATUS_SUCCESS
    },
    /**
     * around every flush of cached data: the paging resource shared (the main resource is the
     * flusher's business: the lazy writer holds it through AcquireForLazyWrite, FlushFileBuffers
     * through the flush IRP, a write-through flush runs while its writer holds it)
     */
    *AcquireForCcFlush(fo) {
      const ccb = ccbOf(fo)
      if (!ccb) return STATUS.STATUS_INVALID_PARAMETER
      yield* ccb.fcb.PagingIoResource.acquireShared()
      return STATUS.STATUS_SUCCESS
    },
    *ReleaseForCcFlush(fo) {
      const ccb = ccbOf(fo)
      if (!ccb) return STATUS.STATUS_INVALID_PARAMETER
      ccb.fcb.PagingIoResource.release()
      return STATUS.STATUS_SUCCESS
    },
  }
}

/**
 * NTFS's FsFilter callbacks: for NtCreateSection (SyncTypeCreateSection) it tells Mm whether the
 * file has writers — STATUS_FILE_LOCKED_WITH_WRITERS when a handle with write access or a
 * writable mapping exists, STATUS_FILE_LOCKED_WITH_ONLY_READERS otherwise (observed, Win10 1903
 * and 1709: a file opened for read gives 0x12A, one open for read/write 0x12B).
 */
export function ntfsFsFilterCallbacks(): FS_FILTER_CALLBACKS {
  return {
    *PreAcquireForSectionSynchronization(data): Co<NTSTATUS> {
      if (data.Parameters.SyncType !== FS_FILTER_SECTION_SYNC_TYPE.SyncTypeCreateSection) return STATUS.STATUS_SUCCESS
      const ccb = ccbOf(data.FileObject)
      if (!ccb) return STATUS.STATUS_SUCCESS
      const seg = ccb.scb.sectionObjectPointers.DataSectionObject
      const writableViews = seg instanceof Segment && !seg.deleted ? seg.writableViews : 0
      return ccb.scb.shareAccess.Writers > 0 || writableViews > 0 ? STATUS.STATUS_FILE_LOCKED_WITH_WRITERS : STATUS.STATUS_FILE_LOCKED_WITH_ONLY_READERS
    },
  }
}
