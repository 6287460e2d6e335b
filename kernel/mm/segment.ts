// A file's pages in memory: what Windows keeps in a SEGMENT / CONTROL_AREA (the data section of
// a stream, SectionObjectPointer->DataSectionObject, or its image section). The Cache Manager's
// views and every mapped view of the file share these pages, which is what keeps cached and
// mapped I/O coherent. Each page is VALID once read from the file (or zeroed), DIRTY when
// written through the cache (the lazy writer's work) and MODIFIED when written through a
// mapped view (the mapped page writer's work).
//
// The control area holds a reference on the file object it was created for; it is dropped when
// the segment is deleted, and that is when IRP_MJ_CLOSE reaches the file system.

import { KEvent, type Scheduler } from '../ke/index.ts'
import type { FileObject } from '../io/file-object.ts'
import { PAGE_SHIFT, PAGE_SIZE } from './settings.ts'

export const PAGE_VALID = 1
/** written through the cache: the lazy writer writes it */
export const PAGE_DIRTY = 2
/** written through a mapped view: the mapped page writer writes it */
export const PAGE_MODIFIED = 4

export interface Page {
  readonly data: Uint8Array
  state: number
  /** MDLs and in-progress transfers that keep the page from being trimmed */
  pins: number
}

/** a page read in flight: other faults on its pages wait for it (a transition page) */
export interface InflightRead {
  readonly first: number
  readonly end: number
  readonly done: KEvent
}

export type SegmentKind = 'data' | 'image' | 'pagefile'

/** who holds a segment: the cache map, section objects (views hold their section) */
export type SegmentHolder = 'cache' | 'section'

export class Segment {
  readonly pages = new Map<number, Page>()
  dirtyPages = 0
  modifiedPages = 0
  /** bounds of the pages that may be DIRTY or MODIFIED (search hints: no such page lies outside) */
  private lowDirty = Number.POSITIVE_INFINITY
  private highDirty = -1
  /** every purge bumps it, so a read that raced a purge does not install stale pages */
  purgeGeneration = 0
  readonly reads: InflightRead[] = []
  /** SharedCacheMap (Cc) */
  cacheHolds = 0
  /** section objects (user sections; mapped views hold their section) */
  sectionHolds = 0
  /** mapped user views (MmCanFileBeTruncated, CcPurgeCacheSection) */
  mappedViews = 0
  /** mapped views that can write */
  writableViews = 0
  deleted = false
  /** when the segment was last used (trimming takes the least recently used first) */
  lastUse = 0

  constructor(
    readonly kind: SegmentKind,
    /** the file object whose reference the segment holds (undefined for pagefile-backed memory) */
    readonly fileObject: FileObject | undefined,
    readonly id: number,
  ) {}

  get holds(): number {
    return this.cacheHolds + this.sectionHolds
  }

  get residentPages(): number {
    return this.pages.size
  }

  page(index: number): Page | undefined {
    return this.pages.get(index)
  }

  /** the in-flight read covering a page, if any */
  inflightAt(index: number): InflightRead | undefined {
    for (const r of this.reads) if (index >= r.first && index < r.end) return r
    return undefined
  }

  startRead(ke: Scheduler, first: number, count: number): InflightRead {
    const r: InflightRead = { first, end: first + count, done: new KEvent(ke, 'notification', false, `page read ${first}+${count}`) }
    this.reads.push(r)
    return r
  }

  endRead(r: InflightRead): void {
    const i = this.reads.indexOf(r)
    if (i >= 0) this.reads.splice(i, 1)
    r.done.set()
  }

  /**
   * installs pages read from the file; pages that became valid meanwhile are kept. The pages
   * are views of `buffer` (a fresh buffer each read owns), so a cluster costs no copy.
   */
  install(first: number, buffer: Uint8Array, count: number): void {
    for (let i = 0; i < count; i++) {
      if (this.pages.has(first + i)) continue
      this.pages.set(first + i, { data: buffer.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE), state: PAGE_VALID, pins: 0 })
    }
  }

  /** a valid page of zeros (beyond valid data or end of file: no read needed) */
  zeroPage(index: number): Page {
    let p = this.pages.get(index)
    if (!p) {
      p = { data: new Uint8Array(PAGE_SIZE), state: PAGE_VALID, pins: 0 }
      this.pages.set(index, p)
    }
    return p
  }

  /** valid zero pages for every page of [first, first+count) not resident (one allocation for all) */
  zeroPages(first: number, count: number): void {
    let missing = 0
    for (let i = first; i < first + count; i++) if (!this.pages.has(i)) missing++
    if (missing === 0) return
    const buffer = new Uint8Array(missing * PAGE_SIZE)
    let k = 0
    for (let i = first; i < first + count; i++) {
      if (this.pages.has(i)) continue
      this.pages.set(i, { data: buffer.subarray(k * PAGE_SIZE, (k + 1) * PAGE_SIZE), state: PAGE_VALID, pins: 0 })
      k++
    }
  }

  /** copies resident bytes [offset, offset+out.length) into out; every page must be valid */
  read(offset: number, out: Uint8Array): void {
    let done = 0
    while (done < out.length) {
      const pos = offset + done
      const p = this.pages.get(pos >>> PAGE_SHIFT)
      if (!p) throw new Error(`segment ${this.id}: page ${pos >>> PAGE_SHIFT} is not resident`)
      const inPage = pos & (PAGE_SIZE - 1)
      const n = Math.min(PAGE_SIZE - inPage, out.length - done)
      out.set(p.data.subarray(inPage, inPage + n), done)
      done += n
    }
  }

  /** writes bytes into resident pages and marks them with `bit` (PAGE_DIRTY or PAGE_MODIFIED) */
  write(offset: number, data: Uint8Array, bit: number): void {
    let done = 0
    while (done < data.length) {
      const pos = offset + done
      const index = pos >>> PAGE_SHIFT
      const p = this.pages.get(index)
      if (!p) throw new Error(`segment ${this.id}: page ${index} is not resident`)
      const inPage = pos & (PAGE_SIZE - 1)
      const n = Math.min(PAGE_SIZE - inPage, data.length - done)
      p.data.set(data.subarray(done, done + n), inPage)
      this.mark(index, p, bit)
      done += n
    }
  }

  /** sets DIRTY or MODIFIED on a resident page */
  mark(index: number, p: Page, bit: number): void {
    if (bit === PAGE_DIRTY && !(p.state & PAGE_DIRTY)) this.dirtyPages++
    if (bit === PAGE_MODIFIED && !(p.state & PAGE_MODIFIED)) this.modifiedPages++
    p.state |= bit
    if (index < this.lowDirty) this.lowDirty = index
    if (index > this.highDirty) this.highDirty = index
  }

  /** clears DIRTY and MODIFIED from [first, first+count) */
  clean(first: number, count: number): void {
    for (let i = first; i < first + count; i++) {
      const p = this.pages.get(i)
      if (!p) continue
      if (p.state & PAGE_DIRTY) this.dirtyPages--
      if (p.state & PAGE_MODIFIED) this.modifiedPages--
      p.state &= ~(PAGE_DIRTY | PAGE_MODIFIED)
    }
    if (first <= this.lowDirty && first + count > this.lowDirty) this.advanceLow()
    this.resetHintsIfClean()
  }

  private advanceLow(): void {
    while (this.lowDirty <= this.highDirty && !((this.pages.get(this.lowDirty)?.state ?? 0) & (PAGE_DIRTY | PAGE_MODIFIED))) this.lowDirty++
  }

  private resetHintsIfClean(): void {
    if (this.dirtyPages === 0 && this.modifiedPages === 0) {
      this.lowDirty = Number.POSITIVE_INFINITY
      this.highDirty = -1
    }
  }

  /** a copy of [first, first+count) pages (missing pages read as zeros) */
  snapshot(first: number, count: number): Uint8Array {
    const out = new Uint8Array(count * PAGE_SIZE)
    for (let i = 0; i < count; i++) {
      const p = this.pages.get(first + i)
      if (p) out.set(p.data, i * PAGE_SIZE)
    }
    return out
  }

  /**
   * The first run of pages in [from, to) with any bit of `mask`, at most `max` pages long, or
   * undefined.
   */
  firstRun(mask: number, from: number, to: number, max: number): { first: number; count: number } | undefined {
    if ((mask & PAGE_DIRTY ? this.dirtyPages : 0) + (mask & PAGE_MODIFIED ? this.modifiedPages : 0) === 0) return undefined
    const end = Math.min(to, this.highDirty + 1)
    for (let i = Math.max(from, this.lowDirty); i < end; i++) {
      const p = this.pages.get(i)
      if (!p || !(p.state & mask)) continue
      let count = 1
      while (count < max && i + count < end && ((this.pages.get(i + count)?.state ?? 0) & mask)) count++
      return { first: i, count }
    }
    return undefined
  }

  highestPage(): number {
    let h = -1
    for (const i of this.pages.keys()) if (i > h) h = i
    return h
  }

  /**
   * Drops the pages of [fromByte, toByte): whole pages go (dirty data with them); the bytes of a
   * partial first page at and after fromByte become zeros. Returns the pages dropped.
   */
  purge(fromByte: number, toByte: number): number {
    this.purgeGeneration++
    const firstWhole = Math.ceil(fromByte / PAGE_SIZE)
    const partial = fromByte & (PAGE_SIZE - 1)
    if (partial !== 0) {
      const p = this.pages.get(fromByte >>> PAGE_SHIFT)
      if (p) p.data.fill(0, partial, toByte >= (firstWhole << PAGE_SHIFT) ? PAGE_SIZE : partial + (toByte - fromByte))
    }
    const lastExclusive = toByte === Number.POSITIVE_INFINITY ? Number.POSITIVE_INFINITY : Math.ceil(toByte / PAGE_SIZE)
    let dropped = 0
    const drop = (i: number, p: Page): void => {
      if (p.state & PAGE_DIRTY) this.dirtyPages--
      if (p.state & PAGE_MODIFIED) this.modifiedPages--
      this.pages.delete(i)
      dropped++
    }
    if (lastExclusive - firstWhole < this.pages.size) {
      for (let i = firstWhole; i < lastExclusive; i++) {
        const p = this.pages.get(i)
        if (p) drop(i, p)
      }
    } else {
      for (const [i, p] of [...this.pages]) if (i >= firstWhole && i < lastExclusive) drop(i, p)
    }
    this.resetHintsIfClean()
    return dropped
  }

  /** drops clean, unpinned pages (trimming); returns how many went */
  trim(max: number): number {
    let n = 0
    // a Map iterates in insertion order (oldest pages first) and tolerates deletion meanwhile
    for (const [i, p] of this.pages) {
      if (n >= max) break
      if (p.state & (PAGE_DIRTY | PAGE_MODIFIED) || p.pins > 0) continue
      this.pages.delete(i)
      n++
    }
    return n
  }

  /** power loss: everything in memory is gone */
  discard(): void {
    this.pages.clear()
    this.dirtyPages = 0
    this.modifiedPages = 0
    this.lowDirty = Number.POSITIVE_INFINITY
    this.highDirty = -1
    this.purgeGeneration++
  }
}
