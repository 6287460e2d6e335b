// Where trace events go. Emitters (I/O manager, Filter Manager, file system, Cache Manager)
// call `sink.emit(…)`; the recorder assigns `seq`, fills Process Monitor's operation name at once
// (a table lookup) and the Detail text only when it is first read, so formatting stays off the
// hot path. When tracing is off, `emit` returns at its first line: emitters should test
// `sink.enabled` before building the event to make a disabled trace cost nothing.

import type { TraceEvent, TraceEventInput } from './event.ts'
import { procmonDetail, procmonOperation } from './procmon.ts'

export interface TraceSink {
  /** false when nothing is recorded; emitters skip building events then */
  readonly enabled: boolean
  /** records an event (keeping the object given, so pass a fresh one); returns it, or undefined when tracing is off */
  emit(e: TraceEventInput): TraceEvent | undefined
}

/** A sink that records nothing. */
export const NULL_SINK: TraceSink = {
  enabled: false,
  emit: () => undefined,
}

export type TraceListener = (e: TraceEvent) => void

export interface TraceRecorderOptions {
  /** record events (default true); can be changed later with `enabled` */
  readonly enabled?: boolean
  /**
   * Most events kept in memory (default unlimited). Older events are dropped first and counted
   * in `dropped`; listeners still see every event.
   */
  readonly capacity?: number
  /** compute Detail strings when events are recorded instead of when first read */
  readonly eagerDetail?: boolean
}

/** Records events in order, numbers them, and streams them to listeners. */
export class TraceRecorder implements TraceSink {
  enabled: boolean
  private readonly capacity: number
  private readonly eagerDetail: boolean
  private readonly buffer: TraceEvent[] = []
  private head = 0
  private seq = 0
  private droppedCount = 0
  private readonly listeners = new Set<TraceListener>()
  /** start time of each operation seen at a point, to fill durationTicks on completion */
  private readonly starts = new Map<string, number>()

  constructor(opts: TraceRecorderOptions = {}) {
    this.enabled = opts.enabled ?? true
    this.capacity = opts.capacity ?? Number.POSITIVE_INFINITY
    if (!(this.capacity >= 1)) throw new Error(`trace capacity must be at least 1, not ${opts.capacity}`)
    this.eagerDetail = opts.eagerDetail ?? false
  }

  emit(input: TraceEventInput): TraceEvent | undefined {
    if (!this.enabled) return undefined
    const seq = ++this.seq
    const params = input.params ?? {}
    const flags = input.flags ?? []
    const procmon = input.procmon ?? procmonOperation(input.op, input.minor)
    let durationTicks = input.durationTicks
    if (input.irp !== undefined) {
      const key = `${input.irp}|${input.at}`
      if (input.phase === 'pre' || input.phase === 'dispatch') this.starts.set(key, input.time)
      else {
        const start = this.starts.get(key)
        if (start !== undefined) {
          this.starts.delete(key)
          durationTicks ??= input.time - start
        }
      }
    }
    // the recorder keeps the object it is given (emitters pass a fresh literal): filling it in
    // place gives the same keys in the same order as a copy would, without the copy
    const base = input as unknown as Record<string, unknown>
    base.seq = seq
    base.procmon = procmon
    base.params = params
    base.flags = flags
    if (durationTicks !== undefined) base.durationTicks = durationTicks
    let event: TraceEvent
    if (input.detail !== undefined || this.eagerDetail) {
      base.detail = input.detail ?? procmonDetail(base as unknown as TraceEvent)
      event = base as unknown as TraceEvent
    } else {
      event = withLazyDetail(base)
    }
    this.store(event)
    for (const l of this.listeners) l(event)
    return event
  }

  private store(e: TraceEvent): void {
    if (this.buffer.length < this.capacity) {
      this.buffer.push(e)
      return
    }
    this.buffer[this.head] = e
    this.head = (this.head + 1) % this.buffer.length
    this.droppedCount++
  }

  /** Calls `fn` for every event from now on; returns the function that stops it. */
  subscribe(fn: TraceListener): () => void {
    this.listeners.add(fn)
    return () => {
      this.listeners.delete(fn)
    }
  }

  /** The events kept, oldest first. */
  get events(): readonly TraceEvent[] {
    if (this.head === 0) return this.buffer
    return [...this.buffer.slice(this.head), ...this.buffer.slice(0, this.head)]
  }

  /** How many events were emitted in all (the last seq). */
  get count(): number {
    return this.seq
  }

  /** How many old events were dropped to respect the capacity. */
  get dropped(): number {
    return this.droppedCount
  }

  /** Forgets the recorded events; numbering goes on. */
  clear(): void {
    this.buffer.length = 0
    this.head = 0
  }
}

/**
 * The prototype of recorded events: `detail` is computed on first read, then kept as an own,
 * enumerable property. Until then it lives here, so `toJSON` puts it in JSON (after the other
 * fields, as an own property would be); code that copies events field by field (Object.entries,
 * spread, structured clone) reads `detail` itself. A prototype is several times cheaper to give
 * a fresh event than an accessor property (the hot path of a traced I/O).
 */
const LAZY_DETAIL: object = {
  get detail(): string {
    const d = procmonDetail(this as unknown as TraceEvent)
    Object.defineProperty(this, 'detail', { value: d, enumerable: true, writable: false, configurable: false })
    return d
  },
  toJSON(this: Record<string, unknown>): Record<string, unknown> {
    return { ...this, detail: this['detail'] }
  },
}

function withLazyDetail(base: Record<string, unknown>): TraceEvent {
  return Object.setPrototypeOf(base, LAZY_DETAIL) as TraceEvent
}
