// The Memory Manager of one machine: the segments (control areas) of files, the mapped page
// writer, trimming of clean pages, and what a power loss does to memory. The Cache Manager and
// the section services reach it through MmOf(io).

import { KEvent, KeWaitForSingleObject, KTimer, type Co, type KThread } from '../ke/index.ts'
import type { FileObject, SectionObjectPointers } from '../io/file-object.ts'
import type { IoManager } from '../io/iomgr.ts'
import { NT_SUCCESS } from '../nt/status.ts'
import { ObDereferenceObject, ObReferenceObject } from '../ob/index.ts'
import { FsRtlAcquireFileForModWriteEx, FsRtlReleaseFileForModWrite } from './fsrtl.ts'
import { noteMilestone } from './milestone.ts'
import { PAGING_ASYNC, writePages } from './paging.ts'
import { PAGE_MODIFIED, Segment, type SegmentHolder, type SegmentKind } from './segment.ts'
import { DEFAULT_MM_SETTINGS, PAGE_SIZE, pickSettings, TICKS_PER_MS, type MmSettings, type SettingInput } from './settings.ts'

const managers = new WeakMap<IoManager, MemoryManager>()

/** the Memory Manager of the machine an I/O manager belongs to, if one was started */
export function MmOf(io: IoManager): MemoryManager | undefined {
  return managers.get(io)
}

export interface MemoryManagerOptions {
  settings?: { readonly [key: string]: SettingInput }
  /** records a System thread as the machine's (so traces name its process) */
  registerThread?: (thread: KThread) => void
  /** most bytes of clean pages kept before the least recently used are trimmed */
  residentLimitBytes?: number
}

export class MemoryManager {
  readonly settings: MmSettings
  readonly segments = new Set<Segment>()
  private nextSegmentId = 1
  private readonly writerTimer: KTimer
  private readonly writerWake: KEvent
  private writerArmed = false
  private writerBusy = false
  readonly writerThread: KThread
  /** set at power loss: nothing more is written */
  stopped = false
  residentLimitPages: number
  private residentPages = 0

  constructor(
    readonly io: IoManager,
    opts: MemoryManagerOptions = {},
  ) {
    this.settings = pickSettings(DEFAULT_MM_SETTINGS, opts.settings)
    this.residentLimitPages = Math.ceil((opts.residentLimitBytes ?? 256 * 1024 * 1024) / PAGE_SIZE)
    this.writerWake = new KEvent(io.ke, 'synchronization', false, 'MiMappedPageWriter wake')
    this.writerTimer = new KTimer(io.ke, 'notification', 'MiMappedPageWriter timer')
    this.writerThread = io.ke.createThread(io.system, 'MiMappedPageWriter', () => this.mappedPageWriter(), { system: true, priority: 17 })
    opts.registerThread?.(this.writerThread)
    managers.set(io, this)
  }

  // ---- segments ----------------------------------------------------------------------------

  /**
   * The data segment of the stream a file object is open on (SectionObjectPointer->
   * DataSectionObject), created on first use; a new one references the file object.
   */
  dataSegmentFor(fo: FileObject, kind: SegmentKind = 'data'): Segment {
    const sop = fo.SectionObjectPointer
    if (!sop) throw new Error(`Mm: FO#${fo.id} (${fo.traceName}) has no section object pointers`)
    const slot: keyof SectionObjectPointers = kind === 'image' ? 'ImageSectionObject' : 'DataSectionObject'
    const existing = sop[slot]
    if (existing instanceof Segment && !existing.deleted) return existing
    ObReferenceObject(fo)
    const seg = new Segment(kind, fo, this.nextSegmentId++)
    seg.lastUse = this.io.ke.now
    sop[slot] = seg
    this.segments.add(seg)
    if (kind === 'data') noteMilestone(fo, 'section created')
    return seg
  }

  /** a segment backed by the paging file (a section without a file) */
  pagefileSegment(): Segment {
    const seg = new Segment('pagefile', undefined, this.nextSegmentId++)
    this.segments.add(seg)
    return seg
  }

  hold(seg: Segment, who: SegmentHolder): void {
    if (who === 'cache') seg.cacheHolds++
    else seg.sectionHolds++
  }

  /** drops a hold; the segment goes when nothing holds it and nothing is left to write */
  *release(seg: Segment, who: SegmentHolder): Co<void> {
    if (who === 'cache') seg.cacheHolds--
    else seg.sectionHolds--
    yield* this.deleteIfUnused(seg)
  }

  /**
   * Deletes a segment nobody holds once its modified pages are written (the mapped page writer
   * calls this again after writing): the pages go, the section object pointer is cleared, and
   * the file object reference is dropped — IRP_MJ_CLOSE when it was the last.
   */
  *deleteIfUnused(seg: Segment): Co<void> {
    if (seg.deleted || seg.holds > 0 || seg.mappedViews > 0 || seg.reads.length > 0) return
    if (seg.modifiedPages > 0 && !this.stopped) {
      this.armWriter()
      return
    }
    seg.deleted = true
    this.residentPages = Math.max(0, this.residentPages - seg.pages.size)
    seg.discard()
    this.segments.delete(seg)
    const fo = seg.fileObject
    if (!fo) return
    const sop = fo.SectionObjectPointer
    if (sop) {
      if (sop.DataSectionObject === seg) sop.DataSectionObject = undefined
      if (sop.ImageSectionObject === seg) sop.ImageSectionObject = undefined
    }
    yield* ObDereferenceObject(fo)
  }

  /** accounts pages a segment gained, and trims the least recently used clean pages over the limit */
  touched(seg: Segment, before: number): void {
    seg.lastUse = this.io.ke.now
    this.residentPages += seg.pages.size - before
    if (this.residentPages <= this.residentLimitPages) return
    // trim to 90% of the limit, least recently used segments first, the one in use last (its
    // oldest pages first), so that trimming happens in batches rather than page by page
    const target = Math.floor(this.residentLimitPages * 0.9)
    const order = [...this.segments].filter((s) => s !== seg).sort((a, b) => a.lastUse - b.lastUse || a.id - b.id)
    order.push(seg)
    for (const s of order) {
      if (this.residentPages <= target) break
      this.residentPages -= s.trim(this.residentPages - target)
    }
  }

  /** pages dropped by a purge */
  purged(count: number): void {
    this.residentPages = Math.max(0, this.residentPages - count)
  }

  /** user views map the stream (MmCanFileBeTruncated / CcPurgeCacheSection refuse then) */
  isUserMapped(sop: SectionObjectPointers | undefined): boolean {
    const seg = sop?.DataSectionObject
    return seg instanceof Segment && !seg.deleted && seg.mappedViews > 0
  }

  // ---- the mapped page writer --------------------------------------------------------------

  /** pages were modified through a mapped view: the writer runs after its interval */
  noteModified(): void {
    this.armWriter()
  }

  private armWriter(): void {
    if (this.writerArmed || this.stopped) return
    this.writerArmed = true
    this.writerTimer.set(this.settings.mappedPageWriterIntervalMs * TICKS_PER_MS, 0, () => this.writerWake.set())
  }

  /**
   * MiMappedPageWriter: writes modified pages of mapped files, each run bracketed by
   * AcquireForModWrite / ReleaseForModWrite (observed: EndingOffset is the end of the write),
   * with asynchronous non-cached paging writes. A file that cannot be acquired without waiting
   * keeps its pages for the next pass.
   */
  private *mappedPageWriter(): Co<void> {
    const maxPages = Math.max(1, Math.floor(this.settings.mappedWriteMaxBytes / PAGE_SIZE))
    for (;;) {
      yield* KeWaitForSingleObject(this.writerWake, undefined, 'mapped page writer work queue')
      this.writerArmed = false
      if (this.stopped) continue
      this.writerBusy = true
      let retry = false
      for (const seg of [...this.segments]) {
        if (seg.modifiedPages === 0 || seg.deleted) continue
        const fo = seg.fileObject
        let from = 0
        for (;;) {
          const run = seg.firstRun(PAGE_MODIFIED, from, Number.POSITIVE_INFINITY, maxPages)
          if (!run || this.stopped) break
          from = run.first + run.count
          if (!fo) {
            seg.clean(run.first, run.count)
            continue
          }
          const ending = (run.first + run.count) * PAGE_SIZE
          const st = yield* FsRtlAcquireFileForModWriteEx(this.io, fo, ending)
          if (!NT_SUCCESS(st)) {
            retry = true
            break
          }
          try {
            yield* writePages(this.io, seg, run.first, run.count, PAGING_ASYNC)
          } finally {
            yield* FsRtlReleaseFileForModWrite(this.io, fo)
          }
        }
        yield* this.deleteIfUnused(seg)
      }
      this.writerBusy = false
      if (retry || [...this.segments].some((s) => s.modifiedPages > 0)) this.armWriter()
    }
  }

  /** the mapped page writer has nothing to write and nothing scheduled */
  get idle(): boolean {
    return this.stopped || (!this.writerArmed && !this.writerBusy)
  }

  // ---- power loss --------------------------------------------------------------------------

  /** the plug is pulled: every page in memory is gone, dirty or not, and nothing runs again */
  powerLoss(): void {
    this.stopped = true
    this.writerTimer.cancel()
    for (const seg of this.segments) seg.discard()
    this.residentPages = 0
  }
}
