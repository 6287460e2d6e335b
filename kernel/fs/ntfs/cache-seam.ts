// Where the Cache Manager slots into NTFS's read and write paths (NtfsCommonRead/Write call
// CcCopyRead/CcCopyWrite for cached I/O; the Cache Manager then sends non-cached paging I/O
// back down, which the driver serves from the volume). Until a Cache Manager is attached to a
// volume (Vcb.cache), cached requests are served from the volume directly, as non-cached I/O.

import type { Co } from '../../ke/index.ts'
import type { FileObject } from '../../io/file-object.ts'
import type { Scb } from './structures.ts'

export interface NtfsCacheSeam {
  /** CcCopyRead (initializing the cache map on first use): fills `out` from [offset, offset+out.length) */
  copyRead(scb: Scb, fo: FileObject, offset: number, out: Uint8Array): Co<void>
  /** CcCopyWrite: the data lands in the cache; the lazy writer writes it later */
  copyWrite(scb: Scb, fo: FileObject, offset: number, data: Uint8Array): Co<void>
  /** CcSetFileSizes after the driver changed a stream's sizes (SCB header updated first) */
  setFileSizes(scb: Scb): void
  /** CcFlushCache for the stream (FlushFileBuffers, write-through) */
  flush(scb: Scb): Co<void>
  /** CcPurgeCacheSection over [offset, end) of the stream (truncation, non-cached writes) */
  purge(scb: Scb, offset: number, length: number): void
}
