// Where the Cache Manager slots into NTFS's read and write paths (NtfsCommonRead/Write call
// CcCopyRead/CcCopyWrite for cached I/O; the Cache Manager then sends non-cached paging I/O
// back down, which the driver serves from the volume). Until a Cache Manager is attached to a
// volume (Vcb.cache), cached requests are served from the volume directly, as non-cached I/O.
// The implementation over kernel/cc is ./cache-attach.ts.

import type { Co } from '../../ke/index.ts'
import type { FileObject } from '../../io/file-object.ts'
import type { NTSTATUS } from '../../nt/status.ts'
import type { Scb } from './structures.ts'

export interface NtfsCacheSeam {
  /** CcCopyRead (initializing the cache map on first use): fills `out` from [offset, offset+out.length) */
  copyRead(scb: Scb, fo: FileObject, offset: number, out: Uint8Array): Co<NTSTATUS>
  /** CcCopyWrite: the data lands in the cache; the lazy writer writes it later */
  copyWrite(scb: Scb, fo: FileObject, offset: number, data: Uint8Array): Co<NTSTATUS>
  /** CcCanIWrite with Wait: a cached writer waits here (before taking any lock) while dirty data is over the threshold */
  canIWrite(bytes: number): Co<void>
  /** write-through of a cached write: the range is flushed before the write completes */
  writeThrough(scb: Scb, offset: number, length: number): Co<NTSTATUS>
  /** CcSetFileSizes after the driver changed a stream's sizes (SCB header updated first) */
  setFileSizes(scb: Scb): void
  /**
   * CcFlushCache for the stream, or a range of it (FlushFileBuffers; with onlyIfDirty the
   * coherency flush before non-cached I/O, which does nothing when nothing is dirty)
   */
  flush(scb: Scb, offset?: number, length?: number, onlyIfDirty?: boolean): Co<NTSTATUS>
  /** CcPurgeCacheSection over [offset, offset+length) (to the end when length is undefined); false while user views map it */
  purge(scb: Scb, offset: number, length?: number): boolean
  /** zeroes what the cache holds of [from, to) in place (FSCTL_SET_ZERO_DATA on a cached stream) */
  zeroCached(scb: Scb, from: number, to: number): void
  /** CcUninitializeCacheMap at cleanup (a truncate size drops the cached data past it) */
  uninitialize(fo: FileObject, truncateSize?: number): void
  /** MmCanFileBeTruncated's answer: user views map the stream */
  isUserMapped(scb: Scb): boolean
}
