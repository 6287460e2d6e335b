// The lazy writer: a scan on a Cc worker thread, every second while there is work (the first
// one 3 s after the cache became dirty), that queues one eighth of the dirty pages for
// write-behind and closes cache maps nobody uses any more (Windows Internals ch. 11; ReactOS
// ntoskrnl/cc/lazywrite.c for the timer protocol).
//
// Write-behind of a stream, on the scan's thread (System): AcquireForLazyWrite (the file
// system's callback), then per run of dirty pages of at most 1 MB: AcquireForCcFlush → a
// non-cached paging write (IRP_NOCACHE | IRP_PAGING_IO | IRP_SYNCHRONOUS_PAGING_IO) →
// ReleaseForCcFlush; then the file size update the file system hears as
// IRP_MJ_SET_INFORMATION FileEndOfFileInformation with AdvanceOnly and IRP_PAGING_IO
// (observed: flags 0x42 after each lazy write, ZFSin #149).

import type { Co } from '../ke/index.ts'
import { IRP_FLAGS, IRP_MJ } from '../nt/irp.ts'
import { FILE_INFORMATION_CLASS } from '../nt/infoclass.ts'
import { NT_SUCCESS } from '../nt/status.ts'
import { FsRtlAcquireFileForCcFlushEx, FsRtlReleaseFileForCcFlush } from '../mm/fsrtl.ts'
import { FsRtlHeaderOf } from '../mm/fsrtl-header.ts'
import { PAGING_SYNC, writePages } from '../mm/paging.ts'
import { PAGE_DIRTY } from '../mm/segment.ts'
import { TICKS_PER_MS } from '../mm/settings.ts'
import { FSRTL_CACHE_TOP_LEVEL_IRP, withTopLevelIrp } from '../mm/top-level.ts'
import type { SharedCacheMap } from './cache-map.ts'
import type { CacheManager } from './cache-manager.ts'

/** one pass of the lazy writer */
export function* lazyWriteScan(cc: CacheManager): Co<void> {
  cc.scanQueued = false
  if (cc.stopped) return
  const dirty = cc.dirtyList.filter((m) => !m.deleted && m.segment.dirtyPages > 0)
  const total = dirty.reduce((n, m) => n + m.segment.dirtyPages, 0)
  // one eighth of the dirty pages, but at least one write-behind's worth (unverified: Windows
  // rounds each stream's share up so that small amounts of dirty data do not linger); all of
  // it when writers are throttled
  let target = total <= cc.settings.lazyWriterFraction ? total : Math.ceil(total / cc.settings.lazyWriterFraction)
  target = Math.max(target, Math.min(total, cc.maxWriteBehindPages))
  if (cc.throttled > 0) target = total
  for (const m of dirty) {
    if (target <= 0) break
    // FILE_ATTRIBUTE_TEMPORARY: no lazy writing while the file is open (Windows Internals)
    if (m.temporary && m.openCount > 0) continue
    const budget = Math.min(m.segment.dirtyPages, target)
    target -= budget
    yield* writeBehind(cc, m, budget)
  }
  cc.afterWrite()
  // lazy close: cache maps unused for long enough, with nothing left to write
  const delay = cc.settings.lazyCloseDelayMs * TICKS_PER_MS
  for (const m of [...cc.closeList]) {
    if (m.openCount > 0 || m.segment.dirtyPages > 0 || m.unusedSince === undefined) continue
    if (cc.io.ke.now - m.unusedSince < delay) continue
    yield* cc.deleteCacheMap(m)
  }
  if (cc.stopped) return
  if (cc.dirtyList.length > 0 || cc.closeList.length > 0) cc.rescheduleScan()
  else cc.scanActive = false
}

/** CcWriteBehind: writes up to `budget` dirty pages of a stream, then updates its valid data length */
export function* writeBehind(cc: CacheManager, m: SharedCacheMap, budget: number): Co<void> {
  if (m.deleted || cc.stopped) return
  const seg = m.segment
  const fo = m.fileObject
  if (!(yield* m.callbacks.AcquireForLazyWrite(m.lazyWriteContext, true))) return
  let wrote = false
  try {
    let from = 0
    while (budget > 0 && !cc.stopped) {
      const run = seg.firstRun(PAGE_DIRTY, from, Number.POSITIVE_INFINITY, Math.min(budget, cc.maxWriteBehindPages))
      if (!run) break
      from = run.first + run.count
      budget -= run.count
      const st = yield* FsRtlAcquireFileForCcFlushEx(cc.io, fo)
      if (!NT_SUCCESS(st)) break
      try {
        // unverified: a failed lazy write ("Delayed Write Failed") loses the data, as on Windows
        const thread = cc.io.ke.currentThread
        yield* withTopLevelIrp(thread, FSRTL_CACHE_TOP_LEVEL_IRP, () => writePages(cc.io, seg, run.first, run.count, PAGING_SYNC))
        wrote = true
      } finally {
        yield* FsRtlReleaseFileForCcFlush(cc.io, fo)
      }
    }
    if (wrote && !cc.stopped) yield* setValidData(cc, m)
  } finally {
    m.callbacks.ReleaseFromLazyWrite(m.lazyWriteContext)
  }
}

/**
 * CcSetValidData: the file system moves the valid data length on disk forward to what the cache
 * has written (FastFat's "lazy write of file sizes" in FatSetEndOfFileInfo).
 */
function* setValidData(cc: CacheManager, m: SharedCacheMap): Co<void> {
  const fo = m.fileObject
  const h = FsRtlHeaderOf(fo)
  if (!h) return
  const eof = Math.min(h.ValidDataLength, h.FileSize)
  const { irp, sp, device } = cc.io.buildIrp(fo, IRP_MJ.IRP_MJ_SET_INFORMATION)
  irp.RequestorMode = 'KernelMode'
  irp.Flags = IRP_FLAGS.IRP_PAGING_IO | IRP_FLAGS.IRP_SYNCHRONOUS_PAGING_IO
  const buf = new Uint8Array(8)
  new DataView(buf.buffer).setBigInt64(0, BigInt(eof), true)
  irp.SystemBuffer = buf
  sp.Parameters.SetFile = {
    Length: 8,
    FileInformationClass: FILE_INFORMATION_CLASS.FileEndOfFileInformation,
    FileObject: undefined,
    ReplaceIfExists: false,
    AdvanceOnly: true,
    ClusterCount: 0,
    DeleteHandle: undefined,
  }
  yield* cc.io.sendAndWait(device, irp)
}
