// Read-ahead (CcScheduleReadAhead / CcPerformReadAhead). A read that continues where the
// previous read of the same file object ended — or any read of a file opened with
// FILE_SEQUENTIAL_ONLY — schedules the range after it, rounded up to the read-ahead granularity
// (twice that for FILE_SEQUENTIAL_ONLY, Windows Internals ch. 11). A Cc worker (System, the
// express queue) reads it with asynchronous non-cached paging reads of at most 1 MB, under the
// file system's AcquireForReadAhead. A later read of those pages finds them in memory, or waits
// for the read in flight.

import type { Co } from '../ke/index.ts'
import { FO } from '../io/file-object.ts'
import { FsRtlHeaderOf } from '../mm/fsrtl-header.ts'
import { PAGING_ASYNC, resolvePages } from '../mm/paging.ts'
import { PAGE_SIZE } from '../mm/settings.ts'
import type { PrivateCacheMap, SharedCacheMap } from './cache-map.ts'
import type { CacheManager } from './cache-manager.ts'

function roundUp(n: number, unit: number): number {
  return Math.ceil(n / unit) * unit
}

/** records a cached read and schedules read-ahead when the access is sequential */
export function noteRead(cc: CacheManager, pcm: PrivateCacheMap, offset: number, length: number): void {
  const fo = pcm.fileObject
  const seqOnly = (fo.Flags & FO.FO_SEQUENTIAL_ONLY) !== 0
  const sequential = seqOnly || (pcm.lastReadEnd >= 0 && offset === pcm.lastReadEnd)
  const end = offset + length
  pcm.lastReadEnd = end
  if (!sequential || fo.Flags & FO.FO_RANDOM_ACCESS) return
  const m = pcm.sharedCacheMap
  const fileSize = FsRtlHeaderOf(m.fileObject)?.FileSize ?? m.fileSize
  const amount = roundUp(length, cc.settings.readAheadGranularityBytes) * (seqOnly ? 2 : 1)
  const start = Math.max(roundUp(end, PAGE_SIZE), pcm.readAheadEnd)
  const stop = Math.min(roundUp(end + amount, PAGE_SIZE), roundUp(fileSize, PAGE_SIZE))
  if (stop <= start) return
  pcm.readAheadEnd = stop
  cc.queue({ name: `read-ahead ${fo.traceName}`, routine: () => performReadAhead(cc, m, start, stop) }, true)
}

/** CcPerformReadAhead: the range's missing pages, read on a Cc worker */
export function* performReadAhead(cc: CacheManager, m: SharedCacheMap, start: number, stop: number): Co<void> {
  if (m.deleted || cc.stopped) return
  // unverified: Windows waits here; a read-ahead that cannot have the file at once is dropped, so
  // Cc's few workers are never all held by a file some writer holds exclusive
  if (!(yield* m.callbacks.AcquireForReadAhead(m.lazyWriteContext, false))) return
  try {
    const h = FsRtlHeaderOf(m.fileObject)
    const seg = m.segment
    const before = seg.pages.size
    yield* resolvePages(cc.io, seg, start / PAGE_SIZE, stop / PAGE_SIZE, {
      flags: PAGING_ASYNC,
      clusterPages: Math.max(1, Math.floor(cc.settings.readAheadMaxBytes / PAGE_SIZE)),
      stopAt: stop / PAGE_SIZE,
      fileSize: h?.FileSize ?? m.fileSize,
      validData: h?.ValidDataLength,
    })
    cc.mm.touched(seg, before)
  } finally {
    m.callbacks.ReleaseFromReadAhead(m.lazyWriteContext)
  }
}
