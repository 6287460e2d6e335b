// Cluster allocation through the volume bitmap ($Bitmap's data: one bit per cluster, set when
// in use). The whole bitmap is kept in memory; every change is written through to the
// metadata cache by the `persist` callback (byte range of the bitmap that changed).
//
// Clusters freed since the last checkpoint stay unavailable until it: their old owner may
// still be a metadata stream in the durable state, and user data written into them directly
// would corrupt that state after a crash.

import type { Run } from './runlist.ts'
import { StoreError } from '../store.ts'

export class ClusterAllocator {
  /** the on-disk view: bit set = in use */
  readonly bitmap: Uint8Array
  /** bitmap | freed-since-checkpoint: what allocation must avoid */
  private busy: Uint8Array
  private pending: Run[] = []
  private free: number
  /** where the next data allocation without a hint starts looking ("next fit") */
  private cursor: number

  constructor(
    bitmap: Uint8Array,
    readonly totalClusters: number,
    private readonly persist: (byteOffset: number, byteLength: number) => void,
    /** clusters reserved for $MFT growth: data allocations avoid them while other space exists */
    private mftZone: { start: number; end: number },
  ) {
    this.bitmap = bitmap
    this.busy = bitmap.slice()
    this.free = 0
    for (let c = 0; c < totalClusters; c++) if (!this.bit(this.bitmap, c)) this.free++
    this.cursor = mftZone.end < totalClusters ? mftZone.end : 0
  }

  get freeClusters(): number {
    return this.free
  }

  isUsed(lcn: number): boolean {
    return this.bit(this.bitmap, lcn)
  }

  private bit(b: Uint8Array, c: number): boolean {
    return ((b[c >> 3] ?? 0) & (1 << (c & 7))) !== 0
  }

  private setRange(b: Uint8Array, lcn: number, count: number, on: boolean): void {
    for (let c = lcn; c < lcn + count; c++) {
      const i = c >> 3
      const m = 1 << (c & 7)
      b[i] = on ? (b[i] ?? 0) | m : (b[i] ?? 0) & ~m
    }
  }

  /** marks clusters used (format and mount-time repairs) */
  markUsed(lcn: number, count: number): void {
    for (let c = lcn; c < lcn + count; c++) if (!this.bit(this.bitmap, c)) this.free--
    this.setRange(this.bitmap, lcn, count, true)
    this.setRange(this.busy, lcn, count, true)
    this.persist(lcn >> 3, ((lcn + count - 1) >> 3) - (lcn >> 3) + 1)
  }

  /** length of the free stretch starting at lcn, up to `max` */
  private freeStretch(lcn: number, max: number, limit: number): number {
    let n = 0
    while (n < max && lcn + n < limit) {
      const c = lcn + n
      if ((c & 7) === 0 && n + 8 <= max && c + 8 <= limit && this.busy[c >> 3] === 0) {
        n += 8
        continue
      }
      if (this.bit(this.busy, c)) break
      n++
    }
    return n
  }

  /** next free cluster at or after lcn, below limit; -1 if none */
  private nextFree(lcn: number, limit: number): number {
    let c = lcn
    while (c < limit) {
      if ((c & 7) === 0 && this.busy[c >> 3] === 0xff) {
        c += 8
        continue
      }
      if (!this.bit(this.busy, c)) return c
      c++
    }
    return -1
  }

  /**
   * Allocates `count` clusters, contiguous when possible, first-fit from `hint` (or the data
   * cursor) and wrapping around; $MFT allocations (`forMft`) start in the MFT zone, data
   * allocations use the zone only when everything else is full. Returns runs in VCN order
   * with vcn fields relative to the first run (0).
   */
  allocate(count: number, hint: number | undefined, forMft = false): Run[] {
    if (count <= 0) return []
    if (count > this.free - this.pendingCount()) {
      throw new StoreError(`disk full: ${count} clusters wanted, ${this.free - this.pendingCount()} free`, 'disk-full')
    }
    const start = hint !== undefined && hint >= 0 && hint < this.totalClusters ? hint : forMft ? this.mftZone.start : this.cursor
    // 1. a contiguous stretch of the whole size
    const whole = this.findStretch(count, start, forMft)
    const runs: Run[] = []
    if (whole >= 0) {
      runs.push({ vcn: 0, lcn: whole, length: count })
    } else {
      // 2. scattered: take free stretches in order from the start point
      let need = count
      let vcn = 0
      for (const [from, to] of this.scanOrder(start, forMft)) {
        let c = from
        while (need > 0 && c < to) {
          const f = this.nextFree(c, to)
          if (f < 0) break
          const n = this.freeStretch(f, need, to)
          runs.push({ vcn, lcn: f, length: n })
          vcn += n
          need -= n
          c = f + n
        }
        if (need === 0) break
      }
      if (need > 0) throw new StoreError(`disk full: ${count} clusters wanted`, 'disk-full')
    }
    for (const r of runs) {
      this.setRange(this.bitmap, r.lcn, r.length, true)
      this.setRange(this.busy, r.lcn, r.length, true)
      this.free -= r.length
      this.persist(r.lcn >> 3, ((r.lcn + r.length - 1) >> 3) - (r.lcn >> 3) + 1)
    }
    const last = runs[runs.length - 1]!
    if (!forMft) this.cursor = last.lcn + last.length
    return runs
  }

  private pendingCount(): number {
    let n = 0
    for (const r of this.pending) n += r.length
    return n
  }

  /** the ranges to search, in order */
  private scanOrder(start: number, forMft: boolean): Array<[number, number]> {
    const z = this.mftZone
    const total = this.totalClusters
    if (forMft) return [[start, total], [0, start]]
    // data: everything outside the zone from the start point, wrapping, then the zone itself
    const cut = (a: number, b: number): Array<[number, number]> => {
      if (z.end <= a || z.start >= b) return [[a, b]]
      const out: Array<[number, number]> = []
      if (a < z.start) out.push([a, z.start])
      if (z.end < b) out.push([z.end, b])
      return out
    }
    const ranges: Array<[number, number]> = [...cut(start, total), ...cut(0, start), [z.start, z.end]]
    return ranges.filter(([a, b]) => b > a)
  }

  private findStretch(count: number, start: number, forMft: boolean): number {
    for (const [from, to] of this.scanOrder(start, forMft)) {
      let c = from
      while (c < to) {
        const f = this.nextFree(c, to)
        if (f < 0) break
        const n = this.freeStretch(f, count, to)
        if (n >= count) return f
        c = f + n + 1
      }
    }
    return -1
  }

  /** frees clusters: cleared in the on-disk bitmap now, reusable after the next checkpoint */
  release(runs: readonly Run[]): void {
    for (const r of runs) {
      if (r.lcn < 0 || r.length <= 0) continue
      for (let c = r.lcn; c < r.lcn + r.length; c++) if (this.bit(this.bitmap, c)) this.free++
      this.setRange(this.bitmap, r.lcn, r.length, false)
      this.pending.push({ vcn: 0, lcn: r.lcn, length: r.length })
      this.persist(r.lcn >> 3, ((r.lcn + r.length - 1) >> 3) - (r.lcn >> 3) + 1)
    }
  }

  /** after a checkpoint: freed clusters become allocatable */
  checkpointed(): void {
    for (const r of this.pending) {
      for (let c = r.lcn; c < r.lcn + r.length; c++) {
        if (!this.bit(this.bitmap, c)) this.setRange(this.busy, c, 1, false)
      }
    }
    this.pending = []
  }

  /** number of pending (freed, not yet reusable) runs: a rollback point */
  get pendingMark(): number {
    return this.pending.length
  }

  /** replaces the in-memory state after a rolled-back group (the cache holds the truth) */
  reload(bitmap: Uint8Array, pendingMark: number): void {
    this.bitmap.set(bitmap.subarray(0, this.bitmap.length))
    this.pending.length = Math.min(this.pending.length, pendingMark)
    this.busy = this.bitmap.slice()
    for (const r of this.pending) this.setRange(this.busy, r.lcn, r.length, true)
    this.free = 0
    for (let c = 0; c < this.totalClusters; c++) if (!this.bit(this.bitmap, c)) this.free++
  }

  setMftZone(zone: { start: number; end: number }): void {
    this.mftZone = zone
  }
}
