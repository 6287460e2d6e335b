// A recorded session: the trace file `altitude run --trace` writes, with the scenario and the
// seed embedded so `altitude replay` can run it again and compare. JSON Lines files carry a
// first line {"altitude":"session",…} before the events; JSON files an object
// {"altitude":"session",…,"events":[…]}. CSV and XML follow Process Monitor's layouts and carry
// no session header, so only jsonl and json traces can be replayed.

import { eventToPlain, toCsv, toJson, toJsonl, toXml } from '../../trace/export.ts'
import type { TraceEvent } from '../../trace/event.ts'
import type { RunReport } from './run.ts'

export type TraceFormat = 'jsonl' | 'csv' | 'xml' | 'json'

export const SESSION_VERSION = 1

export interface SessionHeader {
  altitude: 'session'
  version: number
  /** the scenario file's name and its full text */
  scenario: { file: string; text: string }
  seed: number
  decisions: { c: number; n: number }[]
  events: number
}

export function sessionHeader(report: RunReport, scenarioText: string): SessionHeader {
  return {
    altitude: 'session',
    version: SESSION_VERSION,
    scenario: { file: report.file, text: scenarioText },
    seed: report.seed,
    decisions: report.decisions,
    events: report.trace.length,
  }
}

export function writeSession(report: RunReport, scenarioText: string, format: TraceFormat): string {
  const header = sessionHeader(report, scenarioText)
  switch (format) {
    case 'jsonl':
      return JSON.stringify(header) + '\n' + toJsonl(report.trace)
    case 'json': {
      const body = toJson(report.trace)
      return `{${JSON.stringify(header).slice(1, -1)},"events":${body.trimEnd()}}\n`
    }
    case 'csv':
      return toCsv(report.trace)
    case 'xml':
      return toXml(report.trace)
  }
}

export class SessionFileError extends Error {}

export interface RecordedSession {
  header: SessionHeader
  /** the events as plain objects, as they were written */
  events: Record<string, unknown>[]
}

/** reads every session of a trace file (one per scenario that `altitude run --trace` ran) */
export function readSessions(text: string, fileName: string): RecordedSession[] {
  const trimmed = text.trimStart()
  if (trimmed.startsWith('[') || (trimmed.startsWith('{') && !trimmed.includes('\n{'))) {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (e) {
      throw new SessionFileError(`${fileName}: not valid JSON (${(e as Error).message})`)
    }
    const list = (Array.isArray(parsed) ? parsed : [parsed]) as (SessionHeader & { events?: Record<string, unknown>[] })[]
    return list.map((o) => {
      if (!Array.isArray(o.events)) throw new SessionFileError(`${fileName}: a session has no "events" list`)
      return { header: checkHeader(o, fileName), events: o.events }
    })
  }
  const sessions: RecordedSession[] = []
  const lines = text.split('\n')
  lines.forEach((line, i) => {
    if (line.trim() === '') return
    let o: Record<string, unknown>
    try {
      o = JSON.parse(line) as Record<string, unknown>
    } catch (e) {
      throw new SessionFileError(`${fileName}:${i + 1}: not valid JSON (${(e as Error).message})`)
    }
    if (o['altitude'] === 'session') sessions.push({ header: checkHeader(o as Partial<SessionHeader>, `${fileName}:${i + 1}`), events: [] })
    else if (sessions.length === 0) {
      throw new SessionFileError(`${fileName}:${i + 1}: expected a session header line {"altitude":"session",…}; only jsonl and json traces written by 'altitude run --trace' can be replayed`)
    } else sessions[sessions.length - 1]!.events.push(o)
  })
  if (sessions.length === 0) throw new SessionFileError(`${fileName}: the file is empty`)
  return sessions
}

/** reads a trace file holding exactly one session */
export function readSession(text: string, fileName: string): RecordedSession {
  const all = readSessions(text, fileName)
  if (all.length !== 1) throw new SessionFileError(`${fileName}: holds ${all.length} sessions, expected one`)
  return all[0]!
}

/** joins the traces of several scenarios into one file of the format */
export function joinSessions(parts: readonly string[], format: TraceFormat): string {
  if (format === 'json' && parts.length > 1) return '[\n' + parts.map((p) => p.trimEnd()).join(',\n') + '\n]\n'
  return parts.join('')
}

function checkHeader(h: Partial<SessionHeader>, fileName: string): SessionHeader {
  if (h.altitude !== 'session') throw new SessionFileError(`${fileName}: expected a session header {"altitude":"session",…}; only traces written by 'altitude run --trace' as jsonl or json can be replayed`)
  if (h.version !== SESSION_VERSION) throw new SessionFileError(`${fileName}: session version ${String(h.version)} is not supported (expected ${SESSION_VERSION})`)
  if (!h.scenario || typeof h.scenario.text !== 'string' || typeof h.scenario.file !== 'string') throw new SessionFileError(`${fileName}: the session header has no embedded scenario`)
  if (typeof h.seed !== 'number') throw new SessionFileError(`${fileName}: the session header has no seed`)
  if (!Array.isArray(h.decisions)) throw new SessionFileError(`${fileName}: the session header has no decision log`)
  return h as SessionHeader
}

/** The first difference between recorded events and a new run's, or undefined when identical. */
export function compareTraces(recorded: readonly Record<string, unknown>[], now: readonly TraceEvent[]): string | undefined {
  const n = Math.max(recorded.length, now.length)
  for (let i = 0; i < n; i++) {
    const a = recorded[i]
    const b = now[i]
    if (!a) return `the new run has more events: event ${i + 1} (${String(b?.op)} ${b?.path}) was not recorded`
    if (!b) return `the new run stopped after ${now.length} events; the recording has ${recorded.length}`
    const ja = JSON.stringify(a)
    const jb = JSON.stringify(eventToPlain(b))
    if (ja !== jb) return `event ${i + 1} differs:\n  recorded: ${ja}\n  now:      ${jb}`
  }
  return undefined
}
