// The Cache Manager of one machine. A file system calls it as NTFS calls Cc:
//
//   CcInitializeCacheMap on the first cached read or write of a file object, CcCopyRead /
//   CcCopyWrite for cached I/O, CcMdlRead / CcPrepareMdlWrite and their completions,
//   CcSetFileSizes when sizes change, CcPurgeCacheSection and CcFlushCache for coherency and
//   FlushFileBuffers, CcCanIWrite for write throttling, CcUninitializeCacheMap at cleanup.
//
// The cached data lives in the stream's segment (kernel/mm), shared with mapped views. Cc's own
// System worker threads run the lazy writer (./lazy-writer.ts), read-ahead (./read-ahead.ts)
// and lazy close; its timer is armed only while there is work, as ReactOS's ScanActive.

import { KEvent, KeWaitForSingleObject, KSemaphore, KTimer, BugCheck, type Co, type KThread } from '../ke/index.ts'
import { FO, type FileObject, type SectionObjectPointers } from '../io/file-object.ts'
import type { IoStatusBlock } from '../io/irp.ts'
import type { IoManager } from '../io/iomgr.ts'
import { NT_SUCCESS, STATUS, type NTSTATUS } from '../nt/status.ts'
import { FsRtlHeaderOf } from '../mm/fsrtl-header.ts'
import type { MemoryManager } from '../mm/memory-manager.ts'
import { noteMilestone } from '../mm/milestone.ts'
import { PAGING_SYNC, resolvePages } from '../mm/paging.ts'
import { flushSegment } from '../mm/section.ts'
import { PAGE_DIRTY, PAGE_MODIFIED, Segment, type Page } from '../mm/segment.ts'
import { DEFAULT_CC_SETTINGS, PAGE_SIZE, PAGES_PER_VIEW, pickSettings, TICKS_PER_MS, type CcSettings, type SettingInput } from '../mm/settings.ts'
import { PrivateCacheMap, SharedCacheMap, type CACHE_MANAGER_CALLBACKS, type CC_FILE_SIZES } from './cache-map.ts'
import { lazyWriteScan, writeBehind } from './lazy-writer.ts'
import { noteRead } from './read-ahead.ts'

/** bugcheck CACHE_MANAGER (0x34): Cc was called for a file object it does not know */
const CACHE_MANAGER = 0x34

const managers = new WeakMap<IoManager, CacheManager>()

/** the Cache Manager of the machine an I/O manager belongs to, if one was started */
export function CcOf(io: IoManager): CacheManager | undefined {
  return managers.get(io)
}

export interface WorkItem {
  readonly name: string
  readonly routine: () => Co<void>
}

/** an MDL over cached pages (CcMdlRead / CcPrepareMdlWrite) */
export interface CcMdl {
  readonly fileObject: FileObject
  readonly offset: number
  readonly length: number
  /** the bytes: what was read, or where the caller puts what it writes */
  readonly data: Uint8Array
  readonly write: boolean
  readonly pages: Page[]
  completed: boolean
}

export interface CacheManagerOptions {
  settings?: { readonly [key: string]: SettingInput }
  registerThread?: (thread: KThread) => void
}

export class CacheManager {
  readonly settings: CcSettings
  readonly maps = new Set<SharedCacheMap>()
  /** streams with dirty pages, in the order they became dirty (the lazy writer's list) */
  readonly dirtyList: SharedCacheMap[] = []
  /** unused cache maps waiting for their lazy close */
  readonly closeList: SharedCacheMap[] = []
  private nextMapId = 1
  // the worker threads and their queues (express: read-ahead; regular: everything else)
  private readonly express: WorkItem[] = []
  private readonly regular: WorkItem[] = []
  private readonly workAvailable: KSemaphore
  readonly workers: KThread[] = []
  private busy = 0
  // the lazy writer's scan timer (LazyWriter.ScanTimer / ScanActive)
  private readonly scanTimer: KTimer
  scanActive = false
  scanQueued = false
  /** writers waiting in CcCanIWrite */
  throttled = 0
  /** signalled whenever the lazy writer finished a pass (throttled writers re-check) */
  readonly writeBehindDone: KEvent
  stopped = false

  constructor(
    readonly io: IoManager,
    readonly mm: MemoryManager,
    opts: CacheManagerOptions = {},
  ) {
    this.settings = pickSettings(DEFAULT_CC_SETTINGS, opts.settings)
    mm.residentLimitPages = Math.ceil(this.settings.systemCacheBytes / PAGE_SIZE)
    this.workAvailable = new KSemaphore(io.ke, 0, 0x7fffffff, 'Cc work')
    this.writeBehindDone = new KEvent(io.ke, 'notification', false, 'Cc write-behind pass')
    this.scanTimer = new KTimer(io.ke, 'notification', 'LazyWriter.ScanTimer')
    for (let i = 0; i < this.settings.workerThreads; i++) {
      const t = io.ke.createThread(io.system, `Cc worker ${i}`, () => this.worker(), { system: true, priority: 13 })
      opts.registerThread?.(t)
      this.workers.push(t)
    }
    managers.set(io, this)
  }

  get maxWriteBehindPages(): number {
    return Math.max(1, Math.floor(this.settings.maxWriteBehindBytes / PAGE_SIZE))
  }

  get totalDirtyPages(): number {
    let n = 0
    for (const m of this.dirtyList) n += m.segment.dirtyPages
    return n
  }

  // ---- work queues ---------------------------------------------------------------------------

  queue(item: WorkItem, express = false): void {
    if (this.stopped) return
    ;(express ? this.express : this.regular).push(item)
    this.workAvailable.release(1)
  }

  private *worker(): Co<void> {
    for (;;) {
      yield* KeWaitForSingleObject(this.workAvailable, undefined, 'Cc work queue')
      const item = this.express.shift() ?? this.regular.shift()
      if (!item || this.stopped) continue
      this.busy++
      try {
        yield* item.routine()
      } finally {
        this.busy--
      }
    }
  }

  /** nothing queued, running or scheduled: no lazy write, read-ahead or lazy close to come */
  get idle(): boolean {
    return this.stopped || (!this.scanActive && this.busy === 0 && this.express.length === 0 && this.regular.length === 0)
  }

  /**
   * CcScheduleLazyWriteScan: with noDelay the scan runs at once; otherwise an idle lazy writer
   * starts after the first delay (3 s), an active one rescans every interval (1 s).
   */
  scheduleScan(noDelay = false): void {
    if (this.stopped) return
    if (noDelay) {
      this.scanActive = true
      this.scanTimer.set(0, 0, () => this.queueScan())
      return
    }
    if (this.scanActive) return
    this.scanActive = true
    this.scanTimer.set(this.settings.lazyWriterFirstDelayMs * TICKS_PER_MS, 0, () => this.queueScan())
  }

  /** the scan's next pass, one interval from now (only the scan itself calls this) */
  rescheduleScan(): void {
    if (this.stopped) return
    this.scanTimer.set(this.settings.lazyWriterIntervalMs * TICKS_PER_MS, 0, () => this.queueScan())
  }

  private queueScan(): void {
    if (this.scanQueued) return
    this.scanQueued = true
    this.queue({ name: 'lazy write scan', routine: () => lazyWriteScan(this) })
  }

  // ---- cache maps --------------------------------------------------------------------------

  /** the shared cache map of a stream, if it is cached */
  sharedMapOf(sop: SectionObjectPointers | undefined): SharedCacheMap | undefined {
    const m = sop?.SharedCacheMap
    return m instanceof SharedCacheMap && !m.deleted ? m : undefined
  }

  private mapOf(fo: FileObject, routine: string): SharedCacheMap {
    const m = this.sharedMapOf(fo.SectionObjectPointer)
    if (!m) throw new BugCheck(CACHE_MANAGER, `${routine} on FO#${fo.id} (${fo.traceName}), which has no cache map`, { params: [fo.id] })
    return m
  }

  /**
   * CcInitializeCacheMap: the stream's shared cache map (created on first use, with its data
   * section) and this file object's private cache map.
   */
  initializeCacheMap(fo: FileObject, sizes: CC_FILE_SIZES, callbacks: CACHE_MANAGER_CALLBACKS, lazyWriteContext: unknown): void {
    if (fo.PrivateCacheMap instanceof PrivateCacheMap) return
    const sop = fo.SectionObjectPointer
    if (!sop) throw new BugCheck(CACHE_MANAGER, `CcInitializeCacheMap on FO#${fo.id} (${fo.traceName}) without section object pointers`)
    let m = this.sharedMapOf(sop)
    if (!m) {
      const seg = this.mm.dataSegmentFor(fo)
      this.mm.hold(seg, 'cache')
      m = new SharedCacheMap(this.nextMapId++, sop, seg, seg.fileObject ?? fo, callbacks, lazyWriteContext, sizes, (fo.Flags & FO.FO_TEMPORARY_FILE) !== 0)
      sop.SharedCacheMap = m
      this.maps.add(m)
    }
    m.openCount++
    if (m.unusedSince !== undefined) {
      m.unusedSince = undefined
      const i = this.closeList.indexOf(m)
      if (i >= 0) this.closeList.splice(i, 1)
    }
    fo.PrivateCacheMap = new PrivateCacheMap(m, fo)
    noteMilestone(fo, 'cache initialized')
  }

  /**
   * CcUninitializeCacheMap (at cleanup): the private map goes; with a truncate size the cached
   * data past it goes too. When no file object uses the stream's cache any more, the lazy
   * writer writes what is dirty and closes it later (lazy close).
   */
  uninitializeCacheMap(fo: FileObject, truncateSize?: number): void {
    const pcm = fo.PrivateCacheMap
    if (!(pcm instanceof PrivateCacheMap)) return
    fo.PrivateCacheMap = undefined
    const m = pcm.sharedCacheMap
    m.openCount--
    if (truncateSize !== undefined) this.purgeSegment(m.segment, truncateSize, Number.POSITIVE_INFINITY)
    if (m.openCount === 0 && !m.deleted) {
      m.unusedSince = this.io.ke.now
      this.closeList.push(m)
      this.scheduleScan()
    }
  }

  /** deletes an unused, clean cache map: its hold on the segment goes (IRP_MJ_CLOSE may follow) */
  *deleteCacheMap(m: SharedCacheMap): Co<void> {
    if (m.deleted) return
    m.deleted = true
    this.maps.delete(m)
    if (m.sop.SharedCacheMap === m) m.sop.SharedCacheMap = undefined
    const d = this.dirtyList.indexOf(m)
    if (d >= 0) this.dirtyList.splice(d, 1)
    const c = this.closeList.indexOf(m)
    if (c >= 0) this.closeList.splice(c, 1)
    yield* this.mm.release(m.segment, 'cache')
  }

  // ---- copy interface ----------------------------------------------------------------------

  private faultOptions(m: SharedCacheMap, first: number) {
    const h = FsRtlHeaderOf(m.fileObject)
    return {
      flags: PAGING_SYNC,
      clusterPages: this.mm.settings.pageFaultClusterPages,
      // a fault through a cache view does not cross the view (VACB)
      stopAt: (Math.floor(first / PAGES_PER_VIEW) + 1) * PAGES_PER_VIEW,
      fileSize: h?.FileSize ?? m.fileSize,
      validData: h?.ValidDataLength,
    }
  }

  /** makes [first, end) resident, one cache view at a time; false when `wait` is false and it would block */
  private *resident(m: SharedCacheMap, first: number, end: number, wait: boolean): Co<NTSTATUS | 'would-wait'> {
    const seg = m.segment
    for (let p = first; p < end; ) {
      if (seg.pages.has(p)) {
        p++
        continue
      }
      if (!wait) return 'would-wait'
      const viewEnd = Math.min(end, (Math.floor(p / PAGES_PER_VIEW) + 1) * PAGES_PER_VIEW)
      const before = seg.pages.size
      const st = yield* resolvePages(this.io, seg, p, viewEnd, this.faultOptions(m, p))
      this.mm.touched(seg, before)
      if (!NT_SUCCESS(st)) return st
      p = viewEnd
    }
    return STATUS.STATUS_SUCCESS
  }

  /**
   * CcCopyRead: copies [offset, offset+out.length) from the cache; pages not in memory are read
   * with synchronous paging reads in this thread (clustered). Returns undefined when `wait` is
   * false and the data is not all in memory (the fast I/O path then declines).
   */
  *copyRead(fo: FileObject, offset: number, out: Uint8Array, wait = true): Co<NTSTATUS | undefined> {
    const m = this.mapOf(fo, 'CcCopyRead')
    const seg = m.segment
    if (out.length === 0) return STATUS.STATUS_SUCCESS
    const first = Math.floor(offset / PAGE_SIZE)
    const end = Math.ceil((offset + out.length) / PAGE_SIZE)
    for (;;) {
      const st = yield* this.resident(m, first, end, wait)
      if (st === 'would-wait') return undefined
      if (!NT_SUCCESS(st)) return st
      // a purge may have taken pages while this thread waited for a later view: fault again
      if (this.allResident(seg, first, end)) break
    }
    seg.read(offset, out)
    const pcm = fo.PrivateCacheMap
    if (pcm instanceof PrivateCacheMap) noteRead(this, pcm, offset, out.length)
    return STATUS.STATUS_SUCCESS
  }

  private allResident(seg: Segment, first: number, end: number): boolean {
    for (let p = first; p < end; p++) if (!seg.pages.has(p)) return false
    return true
  }

  /**
   * Readies [offset, offset+length) for a write: a partial page keeps its old contents (read
   * when it holds valid data, zeros beyond valid data), whole pages need no read.
   */
  private *prepareWrite(m: SharedCacheMap, offset: number, length: number, wait: boolean): Co<NTSTATUS | 'would-wait'> {
    const seg = m.segment
    const first = Math.floor(offset / PAGE_SIZE)
    const end = Math.ceil((offset + length) / PAGE_SIZE)
    for (;;) {
      const before = seg.pages.size
      // the pages the write covers whole need no read: zero pages (one allocation for them all)
      const wholeFirst = Math.ceil(offset / PAGE_SIZE)
      const wholeEnd = Math.floor((offset + length) / PAGE_SIZE)
      if (wholeEnd > wholeFirst) seg.zeroPages(wholeFirst, wholeEnd - wholeFirst)
      for (const p of [first, end - 1]) {
        if (seg.pages.has(p)) continue
        if (!wait) return 'would-wait'
        const st = yield* resolvePages(this.io, seg, p, p + 1, { ...this.faultOptions(m, p), clusterPages: 1 })
        if (!NT_SUCCESS(st)) return st
      }
      this.mm.touched(seg, before)
      if (this.allResident(seg, first, end)) return STATUS.STATUS_SUCCESS
    }
  }

  /** marks a stream dirty for the lazy writer */
  private dirtied(m: SharedCacheMap): void {
    if (!m.onDirtyList) {
      m.onDirtyList = true
      this.dirtyList.push(m)
    }
    this.scheduleScan()
  }

  /**
   * CcCopyWrite: the data lands in cached pages marked dirty; the lazy writer writes them later.
   * The file system has set the new file size first when the write extends the file.
   */
  *copyWrite(fo: FileObject, offset: number, data: Uint8Array, wait = true): Co<NTSTATUS | undefined> {
    const m = this.mapOf(fo, 'CcCopyWrite')
    if (data.length === 0) return STATUS.STATUS_SUCCESS
    const st = yield* this.prepareWrite(m, offset, data.length, wait)
    if (st === 'would-wait') return undefined
    if (!NT_SUCCESS(st)) return st
    m.segment.write(offset, data, PAGE_DIRTY)
    this.dirtied(m)
    return STATUS.STATUS_SUCCESS
  }

  /**
   * CcCanIWrite: a cached write that would take dirty data over the threshold waits (when it
   * may) while the lazy writer is told to write at once; a writer that may not wait is refused.
   */
  *canIWrite(bytes: number, wait: boolean): Co<boolean> {
    const threshold = Math.floor(this.settings.dirtyPageThresholdBytes / PAGE_SIZE)
    const pages = Math.ceil(bytes / PAGE_SIZE)
    const over = (): boolean => {
      const dirty = this.totalDirtyPages
      return dirty > 0 && dirty + pages > threshold
    }
    if (!over()) return true
    if (!wait) return false
    while (over() && !this.stopped) {
      this.throttled++
      this.writeBehindDone.reset()
      this.scheduleScan(true)
      yield* KeWaitForSingleObject(this.writeBehindDone, undefined, 'CcCanIWrite (dirty page threshold)')
      this.throttled--
    }
    return true
  }

  /**
   * Write-through (FILE_WRITE_THROUGH or SL_WRITE_THROUGH): the written range is flushed by a
   * Cc worker while the writer waits (observed, Win10 1903: the System thread's paging write
   * carries Write Through and comes before the application's write completes).
   */
  *writeThrough(fo: FileObject, offset: number, length: number): Co<IoStatusBlock> {
    const sop = fo.SectionObjectPointer
    const done = new KEvent(this.io.ke, 'notification', false, 'Cc write-through')
    let result: IoStatusBlock = { Status: STATUS.STATUS_SUCCESS, Information: 0 }
    this.queue({
      name: 'write-through flush',
      routine: function* (this: CacheManager): Co<void> {
        try {
          result = yield* this.flushCache(sop, offset, length, { writeThrough: true })
        } finally {
          done.set()
        }
      }.bind(this),
    })
    yield* KeWaitForSingleObject(done, undefined, 'write-through flush')
    return result
  }

  // ---- sizes, purge, flush -----------------------------------------------------------------

  /** CcSetFileSizes: a smaller file loses its cached pages past the new end */
  setFileSizes(sop: SectionObjectPointers | undefined, sizes: CC_FILE_SIZES): void {
    const m = this.sharedMapOf(sop)
    const seg = sop?.DataSectionObject
    if (sizes.FileSize < (m?.fileSize ?? Number.POSITIVE_INFINITY) && seg instanceof Segment && !seg.deleted) this.purgeSegment(seg, sizes.FileSize, Number.POSITIVE_INFINITY)
    if (m) m.fileSize = sizes.FileSize
  }

  private purgeSegment(seg: Segment, from: number, to: number): void {
    const had = seg.dirtyPages
    this.mm.purged(seg.purge(from, to))
    if (had > 0 && seg.dirtyPages === 0) this.writeBehindDone.set()
  }

  /**
   * CcPurgeCacheSection: drops cached pages of [offset, offset+length) (all when length is
   * undefined), dirty or not. Refused (false) while user views map the stream, as MmPurgeSection is.
   */
  purgeCacheSection(sop: SectionObjectPointers | undefined, offset: number, length?: number): boolean {
    const seg = sop?.DataSectionObject
    if (!(seg instanceof Segment) || seg.deleted) return true
    if (seg.mappedViews > 0) return false
    this.purgeSegment(seg, offset, length === undefined ? Number.POSITIVE_INFINITY : offset + length)
    return true
  }

  /**
   * Zeroes the resident pages' bytes of [from, to) in place, dirty or not (the file system zeroes
   * the same range on the volume; a dirty page keeps its mark so the zeros are written too).
   */
  zeroCachedRange(sop: SectionObjectPointers | undefined, from: number, to: number): void {
    const seg = sop?.DataSectionObject
    if (!(seg instanceof Segment) || seg.deleted || to <= from) return
    for (let p = Math.floor(from / PAGE_SIZE); p < Math.ceil(to / PAGE_SIZE); p++) {
      const page = seg.pages.get(p)
      if (!page) continue
      const start = Math.max(from, p * PAGE_SIZE) - p * PAGE_SIZE
      const end = Math.min(to, (p + 1) * PAGE_SIZE) - p * PAGE_SIZE
      page.data.fill(0, start, end)
    }
  }

  /**
   * CcFlushCache: writes the dirty and modified pages of [offset, offset+length) (everything when
   * length is undefined) in this thread, each write of at most the write-behind size bracketed
   * by AcquireForCcFlush / ReleaseForCcFlush; with nothing to write the pair still comes
   * (observed, Win10 1903 FlushBuffersFile).
   */
  *flushCache(sop: SectionObjectPointers | undefined, offset = 0, length?: number, opts: { writeThrough?: boolean; onlyIfDirty?: boolean } = {}): Co<IoStatusBlock> {
    const seg = sop?.DataSectionObject
    if (!(seg instanceof Segment) || seg.deleted || !seg.fileObject || this.stopped) return { Status: STATUS.STATUS_SUCCESS, Information: 0 }
    const first = Math.floor(offset / PAGE_SIZE)
    const end = length === undefined ? Number.POSITIVE_INFINITY : Math.ceil((offset + length) / PAGE_SIZE)
    const r = yield* flushSegment(this.io, seg, first, end, this.maxWriteBehindPages, { writeThrough: opts.writeThrough, pairWhenClean: !opts.onlyIfDirty })
    this.afterWrite()
    return r
  }

  /** after dirty pages were written: throttled writers re-check, clean streams leave the list */
  afterWrite(): void {
    for (let i = this.dirtyList.length - 1; i >= 0; i--) {
      const m = this.dirtyList[i]!
      if (m.segment.dirtyPages === 0) {
        m.onDirtyList = false
        this.dirtyList.splice(i, 1)
      }
    }
    this.writeBehindDone.set()
  }

  // ---- MDL interface -----------------------------------------------------------------------

  /** CcMdlRead: the cached pages of the range, locked until CcMdlReadComplete */
  *mdlRead(fo: FileObject, offset: number, length: number): Co<{ status: NTSTATUS; mdl?: CcMdl }> {
    const m = this.mapOf(fo, 'CcMdlRead')
    const data = new Uint8Array(length)
    const st = yield* this.copyRead(fo, offset, data, true)
    if (st === undefined || !NT_SUCCESS(st)) return { status: st ?? STATUS.STATUS_CANT_WAIT }
    const pages = this.pin(m.segment, offset, length)
    return { status: STATUS.STATUS_SUCCESS, mdl: { fileObject: fo, offset, length, data, write: false, pages, completed: false } }
  }

  /** CcMdlReadComplete */
  mdlReadComplete(mdl: CcMdl): void {
    this.unpin(mdl)
  }

  /** CcPrepareMdlWrite: cached pages for the range, locked; the caller fills `data` */
  *prepareMdlWrite(fo: FileObject, offset: number, length: number): Co<{ status: NTSTATUS; mdl?: CcMdl }> {
    const m = this.mapOf(fo, 'CcPrepareMdlWrite')
    const st = yield* this.prepareWrite(m, offset, length, true)
    if (st === 'would-wait' || !NT_SUCCESS(st)) return { status: st === 'would-wait' ? STATUS.STATUS_CANT_WAIT : st }
    const data = new Uint8Array(length)
    m.segment.read(offset, data)
    const pages = this.pin(m.segment, offset, length)
    return { status: STATUS.STATUS_SUCCESS, mdl: { fileObject: fo, offset, length, data, write: true, pages, completed: false } }
  }

  /** CcMdlWriteComplete: what the caller put in the MDL becomes dirty cached data */
  mdlWriteComplete(fo: FileObject, offset: number, mdl: CcMdl): void {
    const m = this.mapOf(fo, 'CcMdlWriteComplete')
    if (!mdl.completed) m.segment.write(offset, mdl.data, PAGE_DIRTY)
    this.unpin(mdl)
    this.dirtied(m)
  }

  private pin(seg: Segment, offset: number, length: number): Page[] {
    const out: Page[] = []
    for (let p = Math.floor(offset / PAGE_SIZE); p < Math.ceil((offset + length) / PAGE_SIZE); p++) {
      const page = seg.pages.get(p)
      if (page) {
        page.pins++
        out.push(page)
      }
    }
    return out
  }

  private unpin(mdl: CcMdl): void {
    if (mdl.completed) throw new BugCheck(CACHE_MANAGER, `an MDL of ${mdl.fileObject.traceName} was completed twice`)
    mdl.completed = true
    for (const p of mdl.pages) p.pins--
  }

  // ---- whole-machine operations ------------------------------------------------------------

  /**
   * Writes everything dirty and closes every unused cache map now, outside the lazy writer's
   * schedule (a volume prepared before a run: its files were written long before it starts).
   */
  *settle(): Co<void> {
    for (const m of [...this.maps]) if (m.segment.dirtyPages > 0) yield* writeBehind(this, m, Number.POSITIVE_INFINITY)
    for (const m of [...this.closeList]) if (m.openCount === 0 && m.segment.dirtyPages === 0) yield* this.deleteCacheMap(m)
    this.afterWrite()
    // nothing left: the lazy writer goes idle, its next scan 3 s after the cache is dirtied again
    if (this.dirtyList.length === 0 && this.closeList.length === 0) {
      this.scanTimer.cancel()
      this.scanActive = false
    }
  }

  /** the plug is pulled: dirty data is lost and the Cache Manager stops */
  powerLoss(): void {
    this.stopped = true
    this.scanTimer.cancel()
    this.express.length = 0
    this.regular.length = 0
    this.dirtyList.length = 0
    this.closeList.length = 0
  }
}
