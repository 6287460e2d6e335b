// Process Monitor's view of the trace: one row per operation, as seen at the top observation
// point. The kernel emits an event at every boundary an operation crosses (each filter
// instance's pre and post, the file system's dispatch and completion); this pairs them by the
// operation's id (`irp`): the first event of an operation fixes its observation point, and the
// completion seen at that same point gives the row its Result, Detail and Duration. Every event
// of the operation stays with the row for the details drawer.

import type { TraceEventData } from '../../../main/host/api.ts'

export interface OperationRow {
  /** 1, 2, 3 … in the order operations started (stable while rows are dropped at the front) */
  readonly n: number
  /** the first event (the start at the observation point) */
  readonly start: TraceEventData
  /** the completion at the observation point, once seen */
  end: TraceEventData | undefined
  /** every event of the operation, at every point, in emission order */
  readonly events: TraceEventData[]
}

const ENDS = new Set(['post', 'complete'])

/** Row count kept by default; the oldest are dropped first. */
export const DEFAULT_OPERATION_CAPACITY = 100_000

export class TraceModel {
  private list: OperationRow[] = []
  /** operations whose completion at their observation point has not arrived yet, by irp */
  private readonly open = new Map<string, OperationRow>()
  private counter = 0
  private eventCount = 0
  private droppedRows = 0

  constructor(private readonly capacity = DEFAULT_OPERATION_CAPACITY) {
    if (!(capacity >= 1)) throw new Error(`TraceModel: capacity must be at least 1, not ${capacity}`)
  }

  /** the rows, oldest first */
  get rows(): readonly OperationRow[] {
    return this.list
  }

  /** events received since the last clear */
  get events(): number {
    return this.eventCount
  }

  /** rows dropped at the front to stay within the capacity (since the last clear) */
  get dropped(): number {
    return this.droppedRows
  }

  /** Adds events in emission order. Returns how many rows were dropped at the front to make room. */
  add(events: readonly TraceEventData[]): number {
    for (const e of events) {
      this.eventCount++
      const id = typeof e.irp === 'string' || typeof e.irp === 'number' ? String(e.irp) : undefined
      const row = id === undefined ? undefined : this.open.get(id)
      if (row === undefined) {
        const fresh: OperationRow = { n: ++this.counter, start: e, end: undefined, events: [e] }
        this.list.push(fresh)
        // an operation is open from its start until its completion at the same point
        if (id !== undefined && !ENDS.has(e.phase ?? '')) this.open.set(id, fresh)
        else if (ENDS.has(e.phase ?? '')) fresh.end = e
        continue
      }
      row.events.push(e)
      if (e.at === row.start.at && ENDS.has(e.phase ?? '')) {
        row.end = e
        this.open.delete(id!)
      }
    }
    return this.trim()
  }

  clear(): void {
    this.list = []
    this.open.clear()
    this.eventCount = 0
    this.droppedRows = 0
  }

  private trim(): number {
    if (this.list.length <= this.capacity) return 0
    // drop a tenth more than needed, so trimming does not happen on every batch
    const drop = Math.min(this.list.length, this.list.length - this.capacity + Math.floor(this.capacity / 10))
    const gone = this.list.splice(0, drop)
    for (const r of gone) {
      const id = r.start.irp
      if ((typeof id === 'string' || typeof id === 'number') && this.open.get(String(id)) === r) this.open.delete(String(id))
    }
    this.droppedRows += drop
    return drop
  }
}

/** A key the kernel adds beyond the contract's named ones (events are open objects). */
export function extraField(e: TraceEventData, key: string): unknown {
  return (e as Record<string, unknown>)[key]
}

/** Procmon's Path column: QueryDirectory appends the pattern it was given (`C:\Users\*`). */
export function displayPath(row: OperationRow): string {
  const e = row.start
  if (e.procmon === 'QueryDirectory') {
    const p = e.params
    const pattern = typeof p === 'object' && p !== null && !Array.isArray(p) ? p['FileName'] : undefined
    if (typeof pattern === 'string' && pattern !== '') return e.path.endsWith('\\') ? `${e.path}${pattern}` : `${e.path}\\${pattern}`
  }
  return e.path
}

/** The Detail column: the completion's Detail (it has the results), else the start's. */
export function rowDetail(row: OperationRow): string {
  return row.end?.detail ?? row.start.detail ?? ''
}

/** The operation's status name, once it completed at its observation point. */
export function rowStatus(row: OperationRow): string | undefined {
  return row.end?.status
}

/** Virtual time from start to completion at the observation point, in 100 ns ticks. */
export function rowDurationTicks(row: OperationRow): number | undefined {
  if (row.end === undefined) return undefined
  const ticks = extraField(row.end, 'durationTicks')
  if (typeof ticks === 'number') return ticks
  return row.end === row.start ? undefined : row.end.time - row.start.time
}

/** True when the row's operation (either name), path or process contains `needle` (lower case). */
export function rowMatches(row: OperationRow, needle: string): boolean {
  const e = row.start
  return (
    displayPath(row).toLowerCase().includes(needle) ||
    (e.procmon ?? '').toLowerCase().includes(needle) ||
    e.op.toLowerCase().includes(needle) ||
    e.process.toLowerCase().includes(needle)
  )
}

/**
 * The rows that match a quick filter, kept up to date as rows arrive (only new rows are
 * tested) and as old ones are dropped or cleared.
 */
export class FilteredRows {
  private list: OperationRow[] = []
  /** the last row tested */
  private lastN = 0
  readonly needle: string

  constructor(text: string) {
    this.needle = text.trim().toLowerCase()
  }

  update(model: TraceModel): readonly OperationRow[] {
    const all = model.rows
    const first = all[0]
    if (first === undefined) {
      this.list = []
      return this.list
    }
    // rows dropped at the front (or cleared): forget the matches among them
    if (this.list.length > 0 && this.list[0]!.n < first.n) this.list = this.list.filter((r) => r.n >= first.n)
    const from = Math.max(0, this.lastN - first.n + 1)
    for (let i = from; i < all.length; i++) {
      const r = all[i]!
      if (rowMatches(r, this.needle)) this.list.push(r)
    }
    this.lastN = all[all.length - 1]!.n
    return this.list
  }
}
