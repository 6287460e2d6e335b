// The scheduler's timer queue: a binary min-heap ordered by (due time, insertion order), so
// timers due at the same virtual instant fire in the order they were set.

export interface TimerEntry {
  readonly id: number
  readonly due: number
  readonly seq: number
  readonly fire: () => void
  readonly label: string
  cancelled: boolean
}

export class TimerQueue {
  private heap: TimerEntry[] = []
  private byId = new Map<number, TimerEntry>()
  private nextId = 1
  private seq = 0

  add(due: number, fire: () => void, label: string): number {
    const e: TimerEntry = { id: this.nextId++, due, seq: this.seq++, fire, label, cancelled: false }
    this.byId.set(e.id, e)
    this.heap.push(e)
    this.up(this.heap.length - 1)
    return e.id
  }

  cancel(id: number): boolean {
    const e = this.byId.get(id)
    if (!e) return false
    e.cancelled = true
    this.byId.delete(id)
    return true
  }

  /** the earliest live timer, if any */
  peek(): TimerEntry | undefined {
    this.dropCancelled()
    return this.heap[0]
  }

  /** removes and returns the earliest live timer due at or before `now` */
  popDue(now: number): TimerEntry | undefined {
    this.dropCancelled()
    const top = this.heap[0]
    if (!top || top.due > now) return undefined
    this.popTop()
    this.byId.delete(top.id)
    return top
  }

  get size(): number {
    return this.byId.size
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.popTop()
  }

  private popTop(): void {
    const last = this.heap.pop()!
    if (this.heap.length > 0) {
      this.heap[0] = last
      this.down(0)
    }
  }

  private less(a: TimerEntry, b: TimerEntry): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq)
  }

  private up(i: number): void {
    const h = this.heap
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!this.less(h[i]!, h[p]!)) break
      ;[h[i], h[p]] = [h[p]!, h[i]!]
      i = p
    }
  }

  private down(i: number): void {
    const h = this.heap
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < h.length && this.less(h[l]!, h[m]!)) m = l
      if (r < h.length && this.less(h[r]!, h[m]!)) m = r
      if (m === i) return
      ;[h[i], h[m]] = [h[m]!, h[i]!]
      i = m
    }
  }
}
