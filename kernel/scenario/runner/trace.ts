// The run's trace: events from the machine, recorded with Process Monitor names and Detail
// strings, and the scenario's `expect.trace` checked against them.

import type { Machine } from '../../machine.ts'
import type { TraceEvent } from '../../trace/event.ts'
import { matchTraceSubsequence } from '../../trace/match.ts'
import type { Scenario } from '../types.ts'
import type { Failure } from './run.ts'

/** the run's trace: the machine's recorder, from the first step on (setup is not traced) */
export class TraceCollector {
  constructor(private readonly machine: Machine) {}

  get events(): TraceEvent[] {
    return this.machine.trace.events as TraceEvent[]
  }

  start(): void {
    this.machine.trace.clear()
  }

  stop(): void {
    this.machine.afterRun()
  }
}

export function checkTrace(events: readonly TraceEvent[], scenario: Scenario): ({ ok: true } | { ok: false; failure: Failure })[] {
  if (scenario.expect.trace.length === 0) return []
  const r = matchTraceSubsequence(events, scenario.expect.trace)
  if (r.ok) return scenario.expect.trace.map(() => ({ ok: true }) as const)
  const out: ({ ok: true } | { ok: false; failure: Failure })[] = []
  scenario.expect.trace.forEach((m, i) => {
    if (i < r.index) out.push({ ok: true })
    else if (i === r.index) out.push({ ok: false, failure: { where: `${m.source.file}:${m.source.line}:${m.source.col}`, message: `expect.trace[${i}]: ${r.message}` } })
    else out.push({ ok: false, failure: { where: `${m.source.file}:${m.source.line}:${m.source.col}`, message: `expect.trace[${i}]: not checked (an earlier trace expectation failed)` } })
  })
  return out
}
