// `expect.trace` of a scenario: an ordered list of partial events that must appear in the trace
// in that order (other events may come between). Matching rules, per key given:
// - scalars (op, minor, procmon, process, at, phase, pid, tid, seq, fileObject, irp …): equal
// - `path`: equal ignoring case (Windows names are case-insensitive)
// - `status`: by NTSTATUS name or number (`STATUS_SUCCESS`, 0, `0xC0000034`)
// - `flags`: every flag given is present (a subset)
// - `params`, `output`: every field given matches, recursively (numbers as exact integers)
// - `information`: exact integer (number, bigint or decimal string)
// - `detail`: equal

import { parseStatus } from '../nt/status.ts'
import type { TraceEvent } from './event.ts'

/** A partial trace event; `source` (where it was written) is used in messages when given. */
export interface TraceMatcherInput {
  readonly fields: { readonly [key: string]: unknown }
  readonly source?: { readonly file: string; readonly line: number; readonly col: number }
}

export type TraceMatchResult =
  | { readonly ok: true; readonly matched: readonly number[] }
  | {
      readonly ok: false
      /** index of the first matcher not found */
      readonly index: number
      /** seq of the event the previous matcher matched (0 when it is the first) */
      readonly after: number
      /** seqs matched before the failure */
      readonly matched: readonly number[]
      /** a readable explanation with the closest candidates */
      readonly message: string
    }

/** Why an event does not match a matcher: one line per differing key; empty when it matches. */
export function eventDifferences(e: TraceEvent, fields: { readonly [key: string]: unknown }): string[] {
  const out: string[] = []
  const ev = e as unknown as Record<string, unknown>
  for (const [key, want] of Object.entries(fields)) {
    const got = ev[key]
    switch (key) {
      case 'path':
        if (typeof got !== 'string' || typeof want !== 'string' || got.toLowerCase() !== want.toLowerCase()) {
          out.push(`path is ${show(got)}, not ${show(want)}`)
        }
        break
      case 'status': {
        const w = typeof want === 'string' || typeof want === 'number' ? parseStatus(want) : undefined
        const g = typeof got === 'string' || typeof got === 'number' ? parseStatus(got) : undefined
        if (w === undefined || g !== w) out.push(`status is ${show(got)}, not ${show(want)}`)
        break
      }
      case 'flags': {
        const have = new Set(Array.isArray(got) ? (got as unknown[]) : [])
        const missing = (Array.isArray(want) ? want : [want]).filter((f) => !have.has(f))
        if (missing.length > 0) out.push(`flags lack ${missing.join(', ')} (have ${[...have].join(', ') || 'none'})`)
        break
      }
      case 'params':
      case 'output':
        subsetDifferences(key, want, got, out)
        break
      default:
        if (!sameScalar(want, got)) out.push(`${key} is ${show(got)}, not ${show(want)}`)
    }
  }
  return out
}

function toBig(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v)
  if (typeof v === 'string' && /^-?[0-9]+$/.test(v)) return BigInt(v)
  return undefined
}

function sameScalar(want: unknown, got: unknown): boolean {
  if (typeof want === 'string' && typeof got === 'string') return want === got
  const w = toBig(want)
  const g = toBig(got)
  if (w !== undefined && g !== undefined) return w === g
  if (Array.isArray(want) && Array.isArray(got)) return want.length === got.length && want.every((x, i) => sameScalar(x, got[i]))
  return want === got
}

function subsetDifferences(path: string, want: unknown, got: unknown, out: string[]): void {
  if (want !== null && typeof want === 'object' && !Array.isArray(want)) {
    if (got === null || typeof got !== 'object') {
      out.push(`${path} is ${show(got)}, not ${show(want)}`)
      return
    }
    for (const [k, w] of Object.entries(want)) {
      const g = (got as Record<string, unknown>)[k]
      if (g === undefined) out.push(`${path}.${k} is missing (wanted ${show(w)})`)
      else subsetDifferences(`${path}.${k}`, w, g, out)
    }
    return
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(got) || got.length !== want.length) {
      out.push(`${path} is ${show(got)}, not ${show(want)}`)
      return
    }
    want.forEach((w, i) => subsetDifferences(`${path}[${i}]`, w, got[i], out))
    return
  }
  if (!sameScalar(want, got)) out.push(`${path} is ${show(got)}, not ${show(want)}`)
}

function show(v: unknown): string {
  if (v === undefined) return 'absent'
  if (typeof v === 'string') return `'${v}'`
  if (typeof v === 'bigint') return v.toString()
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x))
  } catch {
    return String(v)
  }
}

function describeMatcher(fields: { readonly [key: string]: unknown }): string {
  return `{ ${Object.entries(fields).map(([k, v]) => `${k}: ${show(v)}`).join(', ')} }`
}

function describeEvent(e: TraceEvent): string {
  const parts = [`#${e.seq}`, e.op, e.phase, `at ${e.at}`, e.path]
  if (e.status) parts.push(e.status)
  return parts.join(' ')
}

/**
 * Finds the matchers in order as a subsequence of the events. On failure, names the first
 * matcher not found after the previous match and the closest events after that point.
 */
export function matchTraceSubsequence(events: readonly TraceEvent[], matchers: readonly TraceMatcherInput[]): TraceMatchResult {
  const matched: number[] = []
  let from = 0
  for (let m = 0; m < matchers.length; m++) {
    const fields = matchers[m]!.fields
    let found = -1
    for (let i = from; i < events.length; i++) {
      if (eventDifferences(events[i]!, fields).length === 0) {
        found = i
        break
      }
    }
    if (found >= 0) {
      matched.push(events[found]!.seq)
      from = found + 1
      continue
    }
    const after = matched.length > 0 ? matched[matched.length - 1]! : 0
    return { ok: false, index: m, after, matched, message: explain(events, from, matchers[m]!, m, after) }
  }
  return { ok: true, matched }
}

function explain(events: readonly TraceEvent[], from: number, matcher: TraceMatcherInput, index: number, after: number): string {
  const where = matcher.source ? `${matcher.source.file}:${matcher.source.line}:${matcher.source.col}: ` : ''
  const head = `${where}expect.trace[${index}] ${describeMatcher(matcher.fields)} was not found${after > 0 ? ` after event #${after}` : ''}`
  const keys = Object.keys(matcher.fields).length
  const scored: { e: TraceEvent; diff: string[] }[] = []
  for (let i = from; i < events.length; i++) {
    const diff = eventDifferences(events[i]!, matcher.fields)
    if (diff.length < keys) scored.push({ e: events[i]!, diff })
  }
  scored.sort((a, b) => a.diff.length - b.diff.length || a.e.seq - b.e.seq)
  const lines = [head]
  if (scored.length === 0) {
    lines.push(from >= events.length ? '  (no events follow)' : '  no later event matches any of its fields')
  } else {
    lines.push('  closest events:')
    for (const { e, diff } of scored.slice(0, 3)) lines.push(`    ${describeEvent(e)}: ${diff.join('; ')}`)
  }
  // an earlier occurrence is a common cause: the order in the scenario is wrong
  const earlier = events.slice(0, from).find((e) => eventDifferences(e, matcher.fields).length === 0)
  if (earlier) lines.push(`  (event #${earlier.seq} matches, but it comes before event #${after})`)
  return lines.join('\n')
}
