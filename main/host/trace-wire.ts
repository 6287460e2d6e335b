// Trace records as they cross to the renderer: plain JSON in the shape of SCENARIOS.md §3.
// The kernel's records may carry NTSTATUS values as numbers, 64-bit values as bigints and no
// sequence number yet; this puts them in wire form without changing what they say.

import { statusName } from '../../kernel/index.ts'
import type { Json } from './schema.ts'
import type { TraceEventData } from './api.ts'

/** bigints become decimal strings (JSON has no 64-bit integers); anything else non-JSON is dropped */
export function jsonSafe(value: unknown, depth = 0): Json | undefined {
  if (depth > 16) return undefined
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value)
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString()
  if (Array.isArray(value)) return value.map((v) => jsonSafe(v, depth + 1) ?? null)
  if (value instanceof Uint8Array) return { hex: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex') }
  if (typeof value === 'object') {
    const out: { [key: string]: Json } = {}
    for (const [k, v] of Object.entries(value)) {
      const j = jsonSafe(v, depth + 1)
      if (j !== undefined) out[k] = j
    }
    return out
  }
  return undefined
}

/**
 * One kernel trace record in wire form. `nextSeq` numbers records that do not carry their
 * own `seq` (1, 2, 3 … per machine, in emission order).
 */
export function toWireEvent(record: object, nextSeq: () => number): TraceEventData {
  const safe = jsonSafe(record) as { [key: string]: Json }
  const r = record as { seq?: unknown; status?: unknown; detail?: unknown }
  // a recorded event's Detail may still be computed on first read (not yet an own property)
  if (safe['detail'] === undefined && typeof r.detail === 'string') safe['detail'] = r.detail
  if (typeof r.seq !== 'number') safe['seq'] = nextSeq()
  if (typeof r.status === 'number') safe['status'] = statusName(r.status)
  return safe as unknown as TraceEventData
}
