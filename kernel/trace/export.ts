// Trace exports: JSON Lines and JSON (every event, every key), and Process Monitor's CSV and
// XML layouts (one row per operation as seen at one observation point, Procmon's columns and
// value formats), so existing tools and habits work on them.

import type { TraceEvent } from './event.ts'
import { TRACE_EVENT_KEYS } from './event.ts'
import { eventFiletime, formatDuration, formatFiletimeDate, formatRelative, formatTimeOfDay } from './format.ts'
import { procmonCategory, procmonDetail, procmonResult } from './procmon.ts'

// ---- JSON ------------------------------------------------------------------------------------

/** A plain object with the event's keys in contract order; bigints as decimal strings, bytes as hex. */
export function eventToPlain(e: TraceEvent): Record<string, unknown> {
  const src = e as unknown as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const k of TRACE_EVENT_KEYS) {
    const v = src[k]
    if (v !== undefined) out[k] = plainValue(v)
  }
  for (const k of Object.keys(src)) if (!(k in out) && src[k] !== undefined) out[k] = plainValue(src[k])
  return out
}

function plainValue(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()
  if (v instanceof Uint8Array) return { hex: Array.from(v, (b) => b.toString(16).padStart(2, '0')).join('') }
  if (Array.isArray(v)) return v.map(plainValue)
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) if (x !== undefined) o[k] = plainValue(x)
    return o
  }
  return v
}

/** JSON Lines: one event per line. */
export function toJsonl(events: readonly TraceEvent[]): string {
  let s = ''
  for (const e of events) s += JSON.stringify(eventToPlain(e)) + '\n'
  return s
}

/** A JSON array of the events. */
export function toJson(events: readonly TraceEvent[]): string {
  return '[\n' + events.map((e) => JSON.stringify(eventToPlain(e))).join(',\n') + '\n]\n'
}

// ---- Procmon rows ----------------------------------------------------------------------------

/** One Procmon row: an operation's first event at an observation point and its completion. */
export interface ProcmonRow {
  readonly start: TraceEvent
  readonly end: TraceEvent | undefined
}

/**
 * Which observation point the rows show:
 * - `top` (default): for each operation, the first point it reached (the highest filter, or the
 *   I/O manager), as Process Monitor above every filter would see it
 * - `fs`: what the file system saw
 * - `all`: every point (one row per point per operation)
 * - any other string: that point, e.g. `swapbuffers@140000`
 */
export type ObservationPoint = 'top' | 'fs' | 'all' | (string & {})

/** Pairs each operation's start (pre/dispatch) with its completion (post/complete) at a point. */
export function procmonRows(events: readonly TraceEvent[], at: ObservationPoint = 'top'): ProcmonRow[] {
  const rows: { start: TraceEvent; end: TraceEvent | undefined }[] = []
  const open = new Map<string, { start: TraceEvent; end: TraceEvent | undefined }>()
  const firstPoint = new Map<string, string>()
  for (const e of events) {
    if (e.irp !== undefined && !firstPoint.has(e.irp)) firstPoint.set(e.irp, e.at)
    const wanted = at === 'all' ? true : at === 'top' ? e.irp === undefined || firstPoint.get(e.irp) === e.at : e.at === at
    if (!wanted) continue
    if (e.irp === undefined) {
      const done = e.phase === 'post' || e.phase === 'complete'
      rows.push({ start: e, end: done ? e : undefined })
      continue
    }
    const key = `${e.irp}|${e.at}`
    if (e.phase === 'pre' || e.phase === 'dispatch') {
      const row = { start: e, end: undefined }
      rows.push(row)
      open.set(key, row)
    } else {
      const row = open.get(key)
      if (row) {
        row.end = e
        open.delete(key)
      } else rows.push({ start: e, end: e })
    }
  }
  return rows
}

/** The Path column: QueryDirectory appends the search pattern to the directory, as Procmon does. */
function rowPath(r: ProcmonRow): string {
  const e = r.start
  const pattern = e.params.FileName
  if (e.procmon === 'QueryDirectory' && typeof pattern === 'string' && pattern !== '') {
    return e.path.endsWith('\\') ? e.path + pattern : `${e.path}\\${pattern}`
  }
  return e.path
}

/** What Procmon shows about a process besides its name (image, user, integrity …). */
export interface ProcessInfo {
  readonly imagePath: string
  readonly company: string
  readonly description: string
  readonly version: string
  readonly user: string
  readonly authenticationId: string
  readonly session: number
  readonly commandLine: string
  readonly integrity: string
  readonly parentPid: number | undefined
}

/**
 * The emulated machine's processes as Procmon would describe them. unverified: the emulator has
 * no version resources; image paths follow where Windows keeps these programs.
 */
export function defaultProcessInfo(process: string, pid: number): ProcessInfo {
  void pid
  const lower = process.toLowerCase()
  if (lower === 'system') {
    return {
      imagePath: 'System',
      company: '',
      description: '',
      version: '',
      user: 'NT AUTHORITY\\SYSTEM',
      authenticationId: '00000000:000003e7',
      session: 0,
      commandLine: '',
      integrity: 'System',
      parentPid: 0,
    }
  }
  const image = lower === 'explorer.exe' ? 'C:\\Windows\\explorer.exe' : `C:\\Windows\\System32\\${process}`
  return {
    imagePath: image,
    company: 'Microsoft Corporation',
    description: '',
    version: '',
    user: 'ALTITUDE\\user',
    authenticationId: '00000000:0001e0ac',
    session: 1,
    commandLine: `"${image}"`,
    integrity: 'Medium',
    parentPid: undefined,
  }
}

type Cell = (r: ProcmonRow, ctx: { firstTime: number; info: ProcessInfo }) => string

const CELLS: { readonly [column: string]: Cell } = {
  'Time of Day': (r) => formatTimeOfDay(eventFiletime(r.start.time)),
  'Process Name': (r) => r.start.process,
  PID: (r) => String(r.start.pid),
  Operation: (r) => r.start.procmon,
  Path: (r) => rowPath(r),
  Result: (r) => (r.end ? procmonResult(r.end.status) : ''),
  Detail: (r) => (r.end ? procmonDetail(mergeForDetail(r)) : r.start.detail),
  'Date & Time': (r) => formatFiletimeDate(eventFiletime(r.start.time)),
  'Relative Time': (r, c) => formatRelative(r.start.time - c.firstTime),
  Duration: (r) => (r.end && r.end.status !== 'STATUS_PENDING' ? formatDuration(r.end.time - r.start.time) : ''),
  'Completion Time': (r) => (r.end && r.end.status !== 'STATUS_PENDING' ? formatTimeOfDay(eventFiletime(r.end.time)) : ''),
  'Event Class': () => 'File System',
  Sequence: (r) => String(r.start.seq),
  'Image Path': (_r, c) => c.info.imagePath,
  Company: (_r, c) => c.info.company,
  Description: (_r, c) => c.info.description,
  Version: (_r, c) => c.info.version,
  User: (_r, c) => c.info.user,
  'Authentication ID': (_r, c) => c.info.authenticationId,
  Session: (_r, c) => String(c.info.session),
  'Command Line': (_r, c) => c.info.commandLine,
  TID: (r) => String(r.start.tid),
  Virtualized: () => 'False',
  Integrity: (_r, c) => c.info.integrity,
  Category: (r) => procmonCategory(r.end ? mergeForDetail(r) : r.start),
  'Parent PID': (_r, c) => (c.info.parentPid === undefined ? '' : String(c.info.parentPid)),
  Architecture: () => '64-bit',
}

/** The completion's status, information and output with the start's parameters. */
function mergeForDetail(r: ProcmonRow): TraceEvent {
  if (!r.end || r.end === r.start) return r.start
  const params = { ...r.start.params, ...r.end.params }
  return { ...r.end, params, flags: r.end.flags.length > 0 ? r.end.flags : r.start.flags, procmon: r.start.procmon } as TraceEvent
}

/** Procmon's columns in the order of its "all columns" CSV export. */
export const PROCMON_ALL_COLUMNS = [
  'Time of Day', 'Process Name', 'PID', 'Operation', 'Path', 'Result', 'Detail', 'Date & Time', 'Relative Time',
  'Duration', 'Completion Time', 'Event Class', 'Sequence', 'Image Path', 'Company', 'Description', 'Version', 'User',
  'Authentication ID', 'Session', 'Command Line', 'TID', 'Virtualized', 'Integrity', 'Category', 'Parent PID',
  'Architecture',
] as const
export type ProcmonColumn = (typeof PROCMON_ALL_COLUMNS)[number]

/** The default export: Procmon's default visible columns plus TID, Category and timing. */
export const PROCMON_DEFAULT_COLUMNS: readonly ProcmonColumn[] = [
  'Time of Day', 'Process Name', 'PID', 'Operation', 'Path', 'Result', 'Detail', 'TID', 'Category', 'Sequence',
  'Relative Time', 'Duration', 'Completion Time',
]

export interface ProcmonExportOptions {
  /** which observation point the rows show (default `top`) */
  readonly at?: ObservationPoint
  /** `default`, `all` (Procmon's 27 columns) or a list (default `default`) */
  readonly columns?: 'default' | 'all' | readonly ProcmonColumn[]
  /** describes processes (default: defaultProcessInfo) */
  readonly processInfo?: (process: string, pid: number) => ProcessInfo
}

function columnsOf(opts: ProcmonExportOptions): readonly ProcmonColumn[] {
  const c = opts.columns ?? 'default'
  if (c === 'default') return PROCMON_DEFAULT_COLUMNS
  if (c === 'all') return PROCMON_ALL_COLUMNS
  for (const name of c) if (!(name in CELLS)) throw new Error(`unknown Process Monitor column '${name}'`)
  return c
}

function tableOf(events: readonly TraceEvent[], opts: ProcmonExportOptions): { columns: readonly ProcmonColumn[]; cells: string[][] } {
  const columns = columnsOf(opts)
  const rows = procmonRows(events, opts.at ?? 'top')
  const firstTime = rows[0]?.start.time ?? 0
  const infoOf = opts.processInfo ?? defaultProcessInfo
  const infos = new Map<string, ProcessInfo>()
  const cells = rows.map((r) => {
    const key = `${r.start.process}|${r.start.pid}`
    let info = infos.get(key)
    if (!info) infos.set(key, (info = infoOf(r.start.process, r.start.pid)))
    const ctx = { firstTime, info }
    return columns.map((c) => CELLS[c]!(r, ctx))
  })
  return { columns, cells }
}

const csvField = (s: string): string => '"' + s.replace(/"/g, '""') + '"'

/**
 * Process Monitor's CSV export: UTF-8 with a byte-order mark, every field quoted (quotes
 * doubled), CRLF line ends, the header naming Procmon's columns.
 */
export function toCsv(events: readonly TraceEvent[], opts: ProcmonExportOptions = {}): string {
  const { columns, cells } = tableOf(events, opts)
  const lines = [columns.map(csvField).join(',')]
  for (const row of cells) lines.push(row.map(csvField).join(','))
  return '\uFEFF' + lines.join('\r\n') + '\r\n'
}

const xmlText = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')

/** XML element name of a column: spaces become underscores, `&` becomes `and`. */
const xmlName = (column: string): string => column.replace(/ & /g, '_and_').replace(/ /g, '_')

/**
 * Process Monitor's XML export: `<procmon><processlist>` with one `<process>` per process and
 * `<eventlist>` with one `<event>` per row, each column as an element (`<Time_of_Day>` …).
 * unverified: element names beyond the process fields and the default columns follow Procmon's
 * naming pattern (spaces → underscores) without a sample to compare with.
 */
export function toXml(events: readonly TraceEvent[], opts: ProcmonExportOptions = {}): string {
  const { columns, cells } = tableOf(events, opts)
  const infoOf = opts.processInfo ?? defaultProcessInfo
  const processes = new Map<string, { index: number; name: string; pid: number }>()
  for (const e of events) {
    const key = `${e.process}|${e.pid}`
    if (!processes.has(key)) processes.set(key, { index: processes.size + 1, name: e.process, pid: e.pid })
  }
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', '<procmon>', '<processlist>']
  for (const p of processes.values()) {
    const info = infoOf(p.name, p.pid)
    const el = (n: string, v: string | number): string => `<${n}>${xmlText(String(v))}</${n}>`
    out.push(
      '<process>',
      el('ProcessIndex', p.index),
      el('ProcessId', p.pid),
      el('ParentProcessId', info.parentPid ?? 0),
      el('AuthenticationId', info.authenticationId),
      el('CreateTime', 0),
      el('FinishTime', 0),
      el('IsVirtualized', 0),
      el('Is64bit', 1),
      el('Integrity', info.integrity),
      el('Owner', info.user),
      el('ProcessName', p.name),
      el('ImagePath', info.imagePath),
      el('CommandLine', info.commandLine),
      el('CompanyName', info.company),
      el('Version', info.version),
      el('Description', info.description),
      '</process>',
    )
  }
  out.push('</processlist>', '<eventlist>')
  const rows = procmonRows(events, opts.at ?? 'top')
  cells.forEach((row, i) => {
    const r = rows[i]!
    const idx = processes.get(`${r.start.process}|${r.start.pid}`)?.index ?? 0
    out.push('<event>', `<ProcessIndex>${idx}</ProcessIndex>`)
    columns.forEach((c, j) => out.push(`<${xmlName(c)}>${xmlText(row[j]!)}</${xmlName(c)}>`))
    out.push('</event>')
  })
  out.push('</eventlist>', '</procmon>')
  return out.join('\r\n') + '\r\n'
}
