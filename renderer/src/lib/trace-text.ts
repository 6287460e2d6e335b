// Process Monitor's texts for a trace row: Time of Day and Duration on the virtual clock (the
// kernel's own formatters), Result words, Detail split into its fields, parameter values.

import type { TraceEventData } from '../../../main/host/api.ts'
import { eventFiletime, formatDuration, formatTimeOfDay } from '../../../kernel/trace/format.ts'
import { procmonResult } from '../../../kernel/trace/procmon.ts'

/** `12:00:01.0000450 AM`: the event's virtual time as time of day (UTC) */
export function timeOfDay(e: Pick<TraceEventData, 'time'>): string {
  return formatTimeOfDay(eventFiletime(Math.floor(e.time)))
}

/** `0.0000030`: seconds with seven decimals */
export function duration(ticks: number | undefined): string {
  return ticks === undefined ? '' : formatDuration(Math.max(0, Math.floor(ticks)))
}

/** Procmon's Result column (`SUCCESS`, `NAME NOT FOUND`, `FAST IO DISALLOWED`, `0xC000046F`); blank while pending. */
export function resultText(status: string | undefined): string {
  return procmonResult(status)
}

/** success, informational/warning (NO MORE FILES, BUFFER OVERFLOW, REPARSE …) or error, for colouring */
export function resultKind(status: string | undefined): 'pending' | 'success' | 'info' | 'error' {
  if (status === undefined) return 'pending'
  if (status === 'STATUS_SUCCESS') return 'success'
  const informational = ['STATUS_NO_MORE_FILES', 'STATUS_BUFFER_OVERFLOW', 'STATUS_REPARSE', 'STATUS_PENDING', 'STATUS_NO_MORE_ENTRIES', 'STATUS_END_OF_FILE', 'STATUS_NOTIFY_ENUM_DIR']
  if (informational.includes(status) || status === 'STATUS_FLT_DISALLOW_FAST_IO') return 'info'
  return 'error'
}

/**
 * Detail as its fields, one per entry: Procmon joins `Key: Value` pairs with ", " and values
 * may hold ", " themselves (`Options: Directory, Synchronous IO Non-Alert`), so a field starts
 * only where a key follows (`Attributes: `, `3: `).
 */
export function detailFields(detail: string): string[] {
  if (detail === '') return []
  return detail.split(/, (?=(?:[A-Za-z][A-Za-z0-9/ &]*|\d+): )/)
}

/** A parameter's value as text: numbers with their hex where that reads better, lists and objects as JSON. */
export function paramText(key: string, value: unknown): string {
  if (typeof value === 'number') {
    const flaggy = /Access|Options|Attributes|Flags|Disposition|Control|Class|Code|Mask|Filter/.test(key)
    if (flaggy && Number.isInteger(value) && value >= 0) return `${value} (0x${value.toString(16).toUpperCase()})`
    return Number.isInteger(value) ? value.toLocaleString('en-US') : String(value)
  }
  if (typeof value === 'string') return value
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  if (value === null || value === undefined) return ''
  return JSON.stringify(value)
}

/** the event's params or output as key/value pairs */
export function entriesOf(value: unknown): [string, unknown][] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return []
  return Object.entries(value as Record<string, unknown>)
}
