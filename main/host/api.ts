// The one API contract between a host (Electron main, the web host) and the renderer.
// Every request (method → params → result), every event and the error reply is defined here
// once, as runtime schemas that also give the TypeScript types. Transports (Electron IPC,
// WebSocket) carry the same JSON envelopes:
//   request   { id, method, params }
//   response  { id, result }  |  { id, error: { code, message } }
//   event     { event, data }
// A later feature adds a call by adding an entry to `requests` and a handler in the session.

import * as s from './schema.ts'
import type { Infer, Issue } from './schema.ts'

// ---------------------------------------------------------------- shared data shapes

export const MACHINE_STATES = ['booting', 'running', 'stopped', 'bugchecked'] as const

export const bugcheckInfo = s.object(
  {
    code: s.integer({ min: 0, max: 0xffff_ffff }),
    codeName: s.string(),
    /** the four bugcheck parameters, as hex strings (they are 64-bit) */
    params: s.array(s.string({ maxLength: 32 }), { maxItems: 4 }),
    message: s.string(),
    culprit: s.optional(s.string()),
    context: s.optional(s.string()),
  },
  { open: true },
)

export const volumeInfo = s.object(
  {
    letter: s.string({ minLength: 1, maxLength: 3 }),
    device: s.string(),
    fileSystem: s.string(),
    sizeBytes: s.number({ min: 0 }),
    label: s.string(),
  },
  { open: true },
)

export const machineInfo = s.object(
  {
    state: s.oneOf(MACHINE_STATES),
    seed: s.integer({ min: 0 }),
    /** 100 ns ticks since boot */
    virtualTime: s.number({ min: 0 }),
    /** ISO time of the virtual boot FILETIME */
    bootedAt: s.string(),
    bugcheck: s.optional(bugcheckInfo),
    volumes: s.array(volumeInfo),
    threads: s.integer({ min: 0 }),
    processes: s.array(s.object({ pid: s.integer({ min: 0 }), name: s.string() }, { open: true })),
  },
  { open: true },
)

/**
 * The kernel worker as the host sees it: `starting` until the first answer, `ready` while it
 * answers, `hung` when it stopped answering heartbeats (it was terminated), `died` when it
 * exited or threw. A restart request starts a fresh one.
 */
export const WORKER_STATES = ['starting', 'ready', 'hung', 'died'] as const

export const machineStatus = s.object({
  /** counts kernel workers started in this session; trace events carry it too */
  generation: s.integer({ min: 0 }),
  worker: s.oneOf(WORKER_STATES),
  /** why the worker is hung or died, in words */
  problem: s.optional(s.string()),
  /** null until the worker reported the machine for the first time */
  machine: s.nullable(machineInfo),
})

/** One trace event (SCENARIOS.md §3). Open: the kernel may add keys. */
export const traceEvent = s.object(
  {
    seq: s.integer({ min: 0 }),
    time: s.number({ min: 0 }),
    process: s.string(),
    pid: s.integer({ min: 0 }),
    tid: s.integer({ min: 0 }),
    op: s.string(),
    minor: s.optional(s.string()),
    procmon: s.optional(s.string()),
    path: s.string(),
    at: s.optional(s.string()),
    phase: s.optional(s.string()),
    flags: s.optional(s.array(s.string())),
    status: s.optional(s.string()),
    information: s.optional(s.json()),
    fileObject: s.optional(s.json()),
    irp: s.optional(s.json()),
    params: s.optional(s.json()),
    detail: s.optional(s.string()),
  },
  { open: true },
)

export const DEBUG_FAULTS = ['hang', 'crash', 'throw'] as const

/**
 * A full Win32 path on a drive (`C:\\`, `C:\\Users\\Public`): a drive letter, a colon, a backslash,
 * then names separated by single backslashes, none holding a character Windows forbids in names.
 */
export const dosPath = s.string({
  maxLength: 32_767,
  pattern: /^[A-Za-z]:\\(?:[^<>:"/\\|?*\x00-\x1f]+(?:\\[^<>:"/\\|?*\x00-\x1f]+)*\\?)?$/,
  patternText: 'a full path on a drive, such as C:\\Users (no empty names, no < > : " / | ? * or control characters)',
})

const isoTime = s.string({ minLength: 20, maxLength: 40 })
const fileId = s.string({ maxLength: 18 })
const attributeList = s.array(s.string({ maxLength: 40 }), { maxItems: 32 })

/** One item of a folder, as explorer.exe read it with FileIdBothDirectoryInformation. */
export const folderEntry = s.object(
  {
    name: s.string({ minLength: 1, maxLength: 255 }),
    /** the 8.3 name, when the volume keeps one */
    shortName: s.optional(s.string({ maxLength: 12 })),
    directory: s.boolean(),
    /** EndOfFile in bytes */
    size: s.integer({ min: 0 }),
    /** AllocationSize (size on disk) in bytes */
    allocationSize: s.integer({ min: 0 }),
    /** FILE_ATTRIBUTE_* names */
    attributes: attributeList,
    created: isoTime,
    modified: isoTime,
    accessed: isoTime,
    changed: isoTime,
    /** the reparse tag of a reparse point */
    reparseTag: s.optional(s.integer({ min: 0, max: 0xffff_ffff })),
    /** the file reference number, hex */
    fileId,
  },
  { open: true },
)

export const folderListing = s.object(
  {
    /** the folder, canonical form (drive letter upper-case, no trailing backslash but on a root) */
    path: s.string(),
    /** in the order the file system returned them, without . and .. */
    entries: s.array(folderEntry, { maxItems: 1_000_000 }),
    /** NtQueryDirectoryFile calls made (the last one returned STATUS_NO_MORE_FILES) */
    queries: s.optional(s.integer({ min: 0 })),
  },
  { open: true },
)

/** What the Properties dialog shows, as explorer.exe read it with FileAllInformation and FileStreamInformation. */
export const itemProperties = s.object(
  {
    path: s.string(),
    /** the last name of the path ('' for a drive's root) */
    name: s.string({ maxLength: 255 }),
    directory: s.boolean(),
    size: s.integer({ min: 0 }),
    allocationSize: s.integer({ min: 0 }),
    attributes: attributeList,
    created: isoTime,
    modified: isoTime,
    accessed: isoTime,
    changed: isoTime,
    /** hard links (NumberOfLinks) */
    links: s.integer({ min: 0 }),
    deletePending: s.boolean(),
    fileId,
    /** bytes of extended attributes */
    eaSize: s.integer({ min: 0 }),
    reparseTag: s.optional(s.integer({ min: 0, max: 0xffff_ffff })),
    /** data streams, the unnamed one ('') first */
    streams: s.array(s.object({ name: s.string(), size: s.integer({ min: 0 }), allocationSize: s.integer({ min: 0 }) }, { open: true }), { maxItems: 100_000 }),
  },
  { open: true },
)

const pathParam = s.object({ path: dosPath })

/** a name typed for a new folder or a rename */
export const typedName = s.string({
  minLength: 1,
  maxLength: 255,
  pattern: /^[^\\/:*?"<>|\x00-\x1f]+$/,
  patternText: 'a file name (no \\ / : * ? " < > | or control characters)',
})

/** how a name collision is settled (Explorer's Replace or Skip Files dialog); without one, the call fails with `conflict` */
export const CONFLICT_CHOICES = ['replace', 'skip', 'keepBoth'] as const

/** What a file command did. */
export const commandResult = s.object(
  {
    /** the items made or reached: the new folder, the renamed item, the `$R` files of a recycle, the items deleted */
    targets: s.array(s.string()),
    /** items left alone (a collision settled with skip) */
    skipped: s.array(s.string()),
    /** the `$I` files of a recycle */
    info: s.optional(s.array(s.string())),
  },
  { open: true },
)

/** Several items a command works on (a selection). */
const pathList = s.array(dosPath, { minItems: 1, maxItems: 10_000 })
const conflictParam = s.optional(s.oneOf(CONFLICT_CHOICES))

/** the keys held when items are dropped (Explorer reads them at the drop) */
export const dropKeys = s.object({ ctrl: s.optional(s.boolean()), shift: s.optional(s.boolean()), alt: s.optional(s.boolean()) })

export const DROP_EFFECTS = ['copy', 'move', 'link'] as const

/** What a drop did: the command's result and the effect the keys and volumes chose. */
export const dropResult = s.object(
  {
    targets: s.array(s.string()),
    skipped: s.array(s.string()),
    effect: s.oneOf(DROP_EFFECTS),
  },
  { open: true },
)

export const UNDO_KINDS = ['copy', 'move', 'recycle', 'new', 'link'] as const

/** What Ctrl+Z did: the operation undone (none when there was nothing to undo) and the items it put back or removed. */
export const undoResult = s.object(
  {
    undone: s.optional(s.oneOf(UNDO_KINDS)),
    targets: s.array(s.string()),
    skipped: s.array(s.string()),
  },
  { open: true },
)

/** Where a setting belongs, and when a change takes effect. */
export const SETTING_COMPONENTS = ['machine', 'cache', 'memory', 'copy', 'shell', 'apps'] as const
export const SETTING_APPLIES = ['now', 'restart'] as const
export const SETTING_UNITS = ['ms', 'bytes', 'pages', 'count', 'fraction', 'threads', 'switch'] as const

export const settingValue = s.union([s.boolean(), s.integer({ min: 0 })])

/** One setting as the Settings panel shows it. */
export const settingInfo = s.object(
  {
    name: s.string(),
    component: s.oneOf(SETTING_COMPONENTS),
    value: settingValue,
    default: settingValue,
    unit: s.oneOf(SETTING_UNITS),
    description: s.string(),
    /** `now`: the running machine uses a change at once; `restart`: the next machine boot does */
    applies: s.oneOf(SETTING_APPLIES),
    /** what the default rests on */
    source: s.optional(s.string()),
  },
  { open: true },
)

export const settingsList = s.object({
  settings: s.array(settingInfo, { maxItems: 1000 }),
  /** names whose change waits for the next boot (changed since the running machine booted) */
  pendingRestart: s.array(s.string(), { maxItems: 1000 }),
})

/** The Recycle Bin of a drive as its view shows it: each `$R` item with its `$I` record's original path, size and deletion time. */
export const recycleBinView = s.object(
  {
    /** `C:\\$Recycle.Bin\\<SID>` */
    path: s.string(),
    items: s.array(
      s.object({ name: s.string(), info: s.string(), originalPath: s.string(), size: s.integer({ min: 0 }), deleted: s.string() }, { open: true }),
      { maxItems: 1_000_000 },
    ),
  },
  { open: true },
)

/** fltmc filters: one line per loaded filter */
export const filterLine = s.object(
  { name: s.string(), instances: s.integer({ min: 0 }), altitude: s.string(), frame: s.integer({ min: 0 }) },
  { open: true },
)
/** fltmc instances: one line per instance */
export const instanceLine = s.object(
  { filter: s.string(), volume: s.string(), device: s.string(), altitude: s.string(), instance: s.string(), frame: s.integer({ min: 0 }) },
  { open: true },
)
/** What fltmc shows after a command: the filters, their instances, and the built-in filters one can load. */
export const fltmcState = s.object(
  {
    filters: s.array(filterLine, { maxItems: 10_000 }),
    instances: s.array(instanceLine, { maxItems: 100_000 }),
    builtins: s.array(s.string(), { maxItems: 1000 }),
  },
  { open: true },
)

/** a filter's name as fltmc takes it */
const filterName = s.string({ minLength: 1, maxLength: 64, pattern: /^[A-Za-z0-9_.-]+$/, patternText: 'a filter name (letters, digits, _ . -)' })
/** an altitude: a decimal number of up to 6 digits, with an optional fraction (385200, 370030.5) */
export const altitude = s.string({ minLength: 1, maxLength: 20, pattern: /^\d{1,6}(?:\.\d{1,6})?$/, patternText: 'an altitude such as 385200 or 370030.5' })
const volumeLetter = s.string({ pattern: /^[A-Za-z]:$/, patternText: 'a drive such as C:' })
const instanceName = s.string({ minLength: 1, maxLength: 128 })

// ---------------------------------------------------------------- requests

const noParams = s.object({})
const seedParam = s.object({ seed: s.optional(s.integer({ min: 0, max: 0xffff_ffff })) })

export const requests = {
  /** the machine and its kernel worker as the host knows them now */
  'machine.info': { params: noParams, result: machineStatus },
  /** boots a machine, in a fresh kernel worker, when none is running (after a shutdown, a hang or a crash) */
  'machine.boot': { params: seedParam, result: machineStatus },
  /** throws away the kernel worker and boots a fresh machine (same seed unless given) */
  'machine.restart': { params: seedParam, result: machineStatus },
  /** shuts the machine down; the worker stays, a boot starts a new machine */
  'machine.shutdown': { params: noParams, result: machineStatus },
  /**
   * Test hook: makes the kernel worker hang (busy loop), exit, or throw, so hang and crash
   * detection can be exercised. Refused with `debug-disabled` unless the host was started
   * with debug hooks (ALTITUDE_DEBUG_HOOKS=1).
   */
  'debug.fault': { params: s.object({ kind: s.oneOf(DEBUG_FAULTS) }), result: s.object({ accepted: s.literal(true) }) },
  /**
   * Lists a folder the way Explorer does, inside the machine, as explorer.exe: open it for
   * listing, NtQueryDirectoryFile (FileIdBothDirectoryInformation) until STATUS_NO_MORE_FILES,
   * close. The IRPs appear in the trace. A failing NT call is an `nt-status` error naming the status.
   */
  'explorer.list': { params: pathParam, result: folderListing },
  /** Reads an item's properties as explorer.exe (FileAllInformation, FileStreamInformation by handle). */
  'explorer.properties': { params: pathParam, result: itemProperties },
  /**
   * New ▸ Folder in the folder `path`, as explorer.exe through the shell engine: probes for
   * "New folder", "New folder (2)" …, creates the first free one and, given `name`, renames it
   * as the user's typing would.
   */
  'explorer.newFolder': {
    params: s.object({ path: dosPath, name: s.optional(typedName), conflict: s.optional(s.oneOf(CONFLICT_CHOICES)) }),
    result: commandResult,
  },
  /** F2: the item `path` gets `newName` in its folder (the shell's rename: probes, then the rename IRP) */
  'explorer.rename': {
    params: s.object({ path: dosPath, newName: typedName, conflict: s.optional(s.oneOf(CONFLICT_CHOICES)) }),
    result: commandResult,
  },
  /** Delete: the items go to the Recycle Bin ($R/$I); with `permanent`, Shift+Delete removes them */
  'explorer.delete': {
    params: s.object({ paths: s.array(dosPath, { minItems: 1, maxItems: 10_000 }), permanent: s.optional(s.boolean()) }),
    result: commandResult,
  },
  /** Copy (Ctrl+C, then Ctrl+V in `to`): the items are copied into the folder by the shell engine */
  'explorer.copy': { params: s.object({ paths: pathList, to: dosPath, conflict: conflictParam }), result: commandResult },
  /** Cut (Ctrl+X, then Ctrl+V in `to`): the items are moved (a rename on the same volume; copy and delete across volumes) */
  'explorer.move': { params: s.object({ paths: pathList, to: dosPath, conflict: conflictParam }), result: commandResult },
  /**
   * Drag and drop of `from` onto the folder `to`, with the keys held at the drop: Alt or
   * Ctrl+Shift make shortcuts, Ctrl copies, Shift moves; no key moves on the same volume and
   * copies to another.
   */
  'explorer.drop': { params: s.object({ from: pathList, to: dosPath, keys: s.optional(dropKeys), conflict: conflictParam }), result: dropResult },
  /** The Recycle Bin's view of a drive: the user's `$Recycle.Bin` folder listed and each `$I` record read */
  'explorer.recycleBin': { params: s.object({ drive: volumeLetter }), result: recycleBinView },
  /** Ctrl+Z: the last operation of explorer.exe, reversed */
  'explorer.undo': { params: noParams, result: undoResult },
  /** New ▸ Text Document in the folder `path` ("New Text Document.txt", "(2)" …), renamed to `name` when given */
  'explorer.newTextDocument': {
    params: s.object({ path: dosPath, name: s.optional(typedName), conflict: conflictParam }),
    result: commandResult,
  },
  /**
   * Pulls the plug: what the cache and mapped pages still held dirty is lost, the machine stops,
   * its volumes are mounted again in a new machine (the clock and the trace go on). The answer
   * is the machine after the remount.
   */
  'machine.powerOff': { params: noParams, result: machineStatus },
  /** every setting of the Cache/Memory Manager, the copy engine and the shell, with its value, default and unit */
  'settings.get': { params: noParams, result: settingsList },
  /** changes settings (by name); each value is checked; the answer says which wait for a restart */
  'settings.set': { params: s.object({ values: s.record(settingValue) }), result: settingsList },
  /** fltmc filters and instances, and the built-in filters */
  'fltmc.filters': { params: noParams, result: fltmcState },
  /** fltmc instances (all volumes, or one) */
  'fltmc.instances': { params: s.object({ volume: s.optional(volumeLetter) }), result: fltmcState },
  /** fltmc load: a built-in filter by name, at its default altitude or the one given; it attaches where its INF says */
  'fltmc.load': { params: s.object({ name: filterName, altitude: s.optional(altitude) }), result: fltmcState },
  /** fltmc unload */
  'fltmc.unload': { params: s.object({ name: filterName }), result: fltmcState },
  /** fltmc attach: the filter's default instance on the volume, or a new one at `altitude` */
  'fltmc.attach': { params: s.object({ name: filterName, volume: volumeLetter, altitude: s.optional(altitude), instance: s.optional(instanceName) }), result: fltmcState },
  /** fltmc detach */
  'fltmc.detach': { params: s.object({ name: filterName, volume: volumeLetter, instance: s.optional(instanceName) }), result: fltmcState },
} as const

// ---------------------------------------------------------------- events

export const events = {
  /** the machine or its worker changed (also sent periodically while running: virtual time) */
  'machine.state': machineStatus,
  /** new trace events, in emission order */
  'trace.events': s.object({ generation: s.integer({ min: 0 }), events: s.array(traceEvent, { maxItems: 100_000 }) }),
} as const

// ---------------------------------------------------------------- errors

export const ERROR_CODES = [
  /** not JSON, not an object, or no usable id */
  'bad-message',
  /** the method is not part of the contract */
  'unknown-method',
  /** params do not match the method's schema */
  'invalid-params',
  /** the request is valid but not in this machine state (e.g. boot while running) */
  'invalid-state',
  /** the kernel worker is hung, dead or being replaced */
  'machine-unavailable',
  /** a debug hook was requested but the host runs without debug hooks */
  'debug-disabled',
  /** the host produced a result that does not match the contract (a host bug) */
  'invalid-result',
  /** an NT call inside the machine failed; `status` names the NTSTATUS (STATUS_OBJECT_NAME_NOT_FOUND …) */
  'nt-status',
  /** the name is taken and the call gave no `conflict` choice (Explorer would ask) */
  'conflict',
  /** anything else that went wrong in the host */
  'internal',
] as const

export const errorBody = s.object({
  code: s.oneOf(ERROR_CODES),
  message: s.string(),
  /** with `nt-status`: the NTSTATUS name */
  status: s.optional(s.string({ maxLength: 80 })),
})

// ---------------------------------------------------------------- types

export type Requests = typeof requests
export type Method = keyof Requests
export type Params<M extends Method> = Infer<Requests[M]['params']>
export type Result<M extends Method> = Infer<Requests[M]['result']>
export type Events = typeof events
export type EventName = keyof Events
export type EventData<E extends EventName> = Infer<Events[E]>
export type ErrorCode = (typeof ERROR_CODES)[number]
export type ErrorBody = Infer<typeof errorBody>
export type MachineStatus = Infer<typeof machineStatus>
export type MachineInfoData = Infer<typeof machineInfo>
export type BugcheckData = Infer<typeof bugcheckInfo>
export type TraceEventData = Infer<typeof traceEvent>
export type WorkerState = (typeof WORKER_STATES)[number]
export type DebugFault = (typeof DEBUG_FAULTS)[number]
export type FolderEntryData = Infer<typeof folderEntry>
export type FolderListingData = Infer<typeof folderListing>
export type ItemPropertiesData = Infer<typeof itemProperties>
export type CommandResultData = Infer<typeof commandResult>
export type ConflictChoice = (typeof CONFLICT_CHOICES)[number]
export type DropResultData = Infer<typeof dropResult>
export type UndoResultData = Infer<typeof undoResult>
export type DropEffect = (typeof DROP_EFFECTS)[number]
export type SettingInfoData = Infer<typeof settingInfo>
export type SettingsListData = Infer<typeof settingsList>
export type SettingValue = Infer<typeof settingValue>
export type FltmcStateData = Infer<typeof fltmcState>
export type RecycleBinViewData = Infer<typeof recycleBinView>

export type RequestId = number | string
export interface RequestMessage<M extends Method = Method> {
  id: RequestId
  method: M
  params: Params<M>
}
export interface SuccessMessage {
  id: RequestId
  result: unknown
}
export interface ErrorMessage {
  id: RequestId | null
  error: ErrorBody
}
export type ResponseMessage = SuccessMessage | ErrorMessage
export type EventMessage = { [E in EventName]: { event: E; data: EventData<E> } }[EventName]

export const METHODS = Object.keys(requests) as Method[]
export const EVENT_NAMES = Object.keys(events) as EventName[]

export function isMethod(name: unknown): name is Method {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(requests, name)
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name)
}

/** Thrown on the client side when a request fails; carries the contract's error code. */
export class HostError extends Error {
  readonly code: ErrorCode
  /** with code `nt-status`: the NTSTATUS name */
  readonly status: string | undefined
  constructor(code: ErrorCode, message: string, status?: string) {
    super(message)
    this.name = 'HostError'
    this.code = code
    this.status = status
  }
}

export function errorReply(id: RequestId | null, code: ErrorCode, message: string, status?: string): ErrorMessage {
  return { id, error: status === undefined ? { code, message } : { code, message, status } }
}

// ---------------------------------------------------------------- validation (host side)

const requestId = s.string({ minLength: 1, maxLength: 64 })
const MAX_ID = Number.MAX_SAFE_INTEGER

function readId(raw: Record<string, unknown>): RequestId | null {
  const id = raw['id']
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 && id <= MAX_ID) return id
  if (requestId.check(id, 'id') === undefined) return id as string
  return null
}

function describeIssue(where: string, found: Issue): string {
  return `${where}: ${s.formatIssue(found)}`
}

/**
 * Parses what a client sent (already JSON-decoded, or a string to decode). Returns the typed
 * request, or the error reply to send back. Never throws.
 */
export function parseRequest(raw: unknown): { ok: true; request: RequestMessage } | { ok: false; reply: ErrorMessage } {
  let value = raw
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw) as unknown
    } catch {
      return { ok: false, reply: errorReply(null, 'bad-message', 'the message is not valid JSON') }
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reply: errorReply(null, 'bad-message', 'a request must be a JSON object {id, method, params}') }
  }
  const msg = value as Record<string, unknown>
  const id = readId(msg)
  if (id === null) {
    return { ok: false, reply: errorReply(null, 'bad-message', 'a request needs an id: a non-negative integer or a string of 1–64 characters') }
  }
  for (const key of Object.keys(msg)) {
    if (key !== 'id' && key !== 'method' && key !== 'params') {
      return { ok: false, reply: errorReply(id, 'bad-message', `unexpected key "${key}" in request (allowed: id, method, params)`) }
    }
  }
  const method = msg['method']
  if (typeof method !== 'string') {
    return { ok: false, reply: errorReply(id, 'bad-message', 'a request needs a method name (a string)') }
  }
  if (!isMethod(method)) {
    const shown = method.length > 60 ? `${method.slice(0, 60)}…` : method
    return { ok: false, reply: errorReply(id, 'unknown-method', `unknown method "${shown}"`) }
  }
  const params = msg['params'] === undefined ? {} : msg['params']
  const found = requests[method].params.check(params, 'params')
  if (found) return { ok: false, reply: errorReply(id, 'invalid-params', describeIssue(method, found)) }
  return { ok: true, request: { id, method, params: params as Params<typeof method> } }
}

/** The host checks its own results before sending them, so contract drift is caught at the source. */
export function checkResult(method: Method, result: unknown): Issue | undefined {
  return requests[method].result.check(result, 'result')
}

export function checkEvent(event: EventName, data: unknown): Issue | undefined {
  return events[event].check(data, 'data')
}

// ---------------------------------------------------------------- validation (client side)

export type ServerMessage =
  | { kind: 'response'; id: RequestId; result: unknown }
  | { kind: 'error'; id: RequestId | null; error: ErrorBody }
  | { kind: 'event'; message: EventMessage }

/**
 * Parses what a host sent. A response's result is checked later against the method the
 * client asked (see `checkResponse`), since only the client knows which method an id was for.
 */
export function parseServerMessage(raw: unknown): { ok: true; message: ServerMessage } | { ok: false; problem: string } {
  let value = raw
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw) as unknown
    } catch {
      return { ok: false, problem: 'the host sent a message that is not valid JSON' }
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problem: 'the host sent a message that is not a JSON object' }
  }
  const msg = value as Record<string, unknown>
  if ('event' in msg) {
    const name = msg['event']
    if (!isEventName(name)) return { ok: false, problem: `the host sent an unknown event ${JSON.stringify(name)}` }
    const found = checkEvent(name, msg['data'])
    if (found) return { ok: false, problem: describeIssue(`event ${name}`, found) }
    return { ok: true, message: { kind: 'event', message: { event: name, data: msg['data'] } as EventMessage } }
  }
  if ('error' in msg) {
    const found = errorBody.check(msg['error'], 'error')
    if (found) return { ok: false, problem: describeIssue('error reply', found) }
    const id = msg['id'] === null ? null : readId(msg)
    return { ok: true, message: { kind: 'error', id, error: msg['error'] as ErrorBody } }
  }
  if ('result' in msg) {
    const id = readId(msg)
    if (id === null) return { ok: false, problem: 'the host sent a response without a usable id' }
    return { ok: true, message: { kind: 'response', id, result: msg['result'] } }
  }
  return { ok: false, problem: 'the host sent a message that is neither a response nor an event' }
}

/** Checks a response's result against the method it answers; returns the typed result or throws HostError. */
export function checkResponse<M extends Method>(method: M, result: unknown): Result<M> {
  const found = checkResult(method, result)
  if (found) throw new HostError('invalid-result', describeIssue(`the host's answer to ${method}`, found))
  return result as Result<M>
}
