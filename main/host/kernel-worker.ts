// The kernel worker thread: owns one emulated machine, advances its virtual time on a host
// timer, answers the session's calls and heartbeats, and forwards the machine's events.
// The kernel itself is synchronous and never reads host time; this file may.

import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs'
import { parentPort, threadId, workerData } from 'node:worker_threads'
import { BUILTIN_FILTERS, Machine, NT_SUCCESS, ntfsVolume, statusName } from '../../kernel/index.ts'
import type { FltmcResult, MachineEvent, MachineInfo, MountedVolume, MountVolume } from '../../kernel/index.ts'
import { mountNtfsVolume } from '../../kernel/fs/ntfs/driver.ts'
import type { NtfsStore } from '../../kernel/fs/ntfs/store.ts'
import { copyItemsTo, dropItemsOn, moveItemsTo, newTextDocumentIn, recycleBinItems, undoLast } from '../../kernel/apps/explorer/commands.ts'
import type { DropKey } from '../../kernel/win32/shell/index.ts'
import type { Win32Settings } from '../../kernel/win32/settings.ts'
import { backgroundSettings, machineSettings, shellSettings } from './settings-catalog.ts'
import { startBackground } from '../../kernel/apps/background/index.ts'
import { appSettings } from '../../kernel/apps/index.ts'
import { buildVolumeFromRecipe } from '../../kernel/fs/ntfs/disk/recipe.ts'
import {
  checkTypedName,
  deleteItemsAt,
  describeFailure,
  explorerProcess,
  itemProperties,
  listFolder,
  newFolderIn,
  parseDosPath,
  renameAt,
  runInExplorer,
} from '../../kernel/apps/explorer/index.ts'
import type { CommandOutcome, ExplorerOutcome, ParsedPath } from '../../kernel/apps/explorer/index.ts'
import type { Co } from '../../kernel/ke/index.ts'
import { jsonSafe, toWireEvent } from './trace-wire.ts'
import { parseHostMessage } from './worker-protocol.ts'
import type { FltmcCommandName, HostToWorker, WorkerCall, WorkerConfig, WorkerErrorCode, WorkerToHost, WorkerVolume } from './worker-protocol.ts'

const port = parentPort
if (port === null) throw new Error('kernel-worker.ts runs only as a worker thread')
const config = workerData as WorkerConfig

let machine: Machine | undefined
let unsubscribe: (() => void) | undefined
let lastInfoAt = 0
let seq = 0
const nextSeq = (): number => ++seq
/** added to the sequence numbers of a machine powered on again, so its trace goes on from the last one's */
let seqOffset = 0
let lastSeq = 0
/** the Settings panel's values: the copy engine and the shell use a change at once, the machine at its next boot */
let settingValues: Record<string, number | boolean> = { ...(config.settings ?? {}) }
let win32Settings: Win32Settings = shellSettings(settingValues)

function send(message: WorkerToHost): void {
  port!.postMessage(message)
}

function snapshot(m: Machine): MachineInfo {
  return m.info()
}

function onMachineEvent(e: MachineEvent): void {
  if (e.kind === 'state') send({ t: 'info', info: e.info })
  else if (e.events.length > 0) {
    const events = e.events.map((r) => {
      const w = toWireEvent(r, nextSeq)
      w.seq += seqOffset
      return w
    })
    lastSeq = events.at(-1)?.seq ?? lastSeq
    send({ t: 'trace', events })
  }
}

/** A call the worker refuses in terms the contract names (the session turns it into that error). */
class CallRefused extends Error {
  constructor(
    readonly code: WorkerErrorCode,
    message: string,
    readonly status?: string,
  ) {
    super(message)
  }
}

/**
 * Makes sure an image volume's recipe is built into its template (once per session: the
 * template outlives the worker), outside any machine, so nothing of it is traced.
 */
function buildTemplate(v: WorkerVolume): void {
  if (v.recipe === undefined || existsSync(v.recipe.template)) return
  const building = `${v.recipe.template}.${process.pid}-${threadId}.tmp`
  try {
    buildVolumeFromRecipe(v.recipe.recipe, building)
    renameSync(building, v.recipe.template)
  } finally {
    rmSync(building, { force: true })
  }
}

/** The mount of one volume; a recipe volume starts as a fresh copy of its template. */
function mountOf(v: WorkerVolume): ReturnType<typeof ntfsVolume> {
  if (v.recipe === undefined) return ntfsVolume(v.source)
  if (v.source.kind !== 'image') throw new Error(`volume ${v.letter}: a recipe needs an image volume, not ${v.source.kind}`)
  buildTemplate(v)
  copyFileSync(v.recipe.template, v.source.path)
  return ntfsVolume({ kind: 'image', path: v.source.path })
}

function boot(seed: number): MachineInfo {
  if (machine !== undefined && machine.info().state !== 'stopped') machine.shutdown()
  unsubscribe?.()
  const volumes = config.volumes.map((v) => ({ letter: v.letter, mount: mountOf(v) }))
  const { cacheManager, settings } = machineSettings(settingValues)
  const m = Machine.create({ seed, volumes, cacheManager, settings, ...(config.traceCapacity !== undefined ? { traceCapacity: config.traceCapacity } : {}) })
  seq = 0
  seqOffset = 0
  lastSeq = 0
  return start(m)
}

/** virtual time the background programs may take to start (their first watch on each volume) */
const BACKGROUND_START_LIMIT = 60 * 10_000_000

/** subscribes to a machine, boots it, and starts the shell */
function start(m: Machine): MachineInfo {
  machine = m
  unsubscribe = m.on(onMachineEvent)
  m.boot()
  // the shell runs from logon on, and so do Defender and the indexer unless switched off
  if (m.state === 'running') {
    explorerProcess(m)
    const bg = backgroundSettings(settingValues)
    if (bg.background) {
      // started before the trace begins, as they start with Windows before anyone runs Procmon
      const recording = m.trace.enabled
      m.trace.enabled = false
      try {
        const services = startBackground(m, appSettings(bg.apps))
        m.ke.runUntil(() => services.idle, { deadline: m.ke.now + BACKGROUND_START_LIMIT })
        m.afterRun()
      } finally {
        m.trace.enabled = recording
      }
    }
  }
  return snapshot(m)
}

/** a volume as the plug left it, mounted again: the same image file, or the same store in memory */
function remount(v: MountedVolume): MountVolume {
  const source = config.volumes.find((c) => c.letter.toUpperCase() === v.info.letter.toUpperCase())?.source
  if (source?.kind === 'image') {
    v.close()
    return ntfsVolume({ kind: 'image', path: source.path })
  }
  const store = v.store as NtfsStore
  return (io, realDevice) => {
    mountNtfsVolume(io, realDevice, store)
    return { info: { ...v.info, device: realDevice.header.name }, store, close: () => store.close() }
  }
}

/**
 * Pulls the plug: the machine loses what is dirty in its cache and mapped pages and stops; its
 * volumes are mounted in a new machine whose clock goes on, and the trace is numbered on.
 */
function powerCycle(): MachineInfo {
  const m = machine
  if (m === undefined) throw new CallRefused('invalid-state', 'no machine has been booted')
  if (m.state !== 'running' && m.state !== 'bugchecked') throw new CallRefused('invalid-state', `the machine is ${m.state}; there is no power to cut`)
  m.powerOff()
  unsubscribe?.()
  seqOffset = lastSeq
  seq = 0
  return start(Machine.powerOn(m, remount))
}

/** the keys of a drop as the shell engine names them */
function dropKeysOf(keys: { ctrl?: boolean; shift?: boolean; alt?: boolean } | undefined): DropKey[] {
  const out: DropKey[] = []
  if (keys?.ctrl === true) out.push('ctrl')
  if (keys?.shift === true) out.push('shift')
  if (keys?.alt === true) out.push('alt')
  return out
}

/** fltmc's answer after a command: the filters, their instances and the built-ins */
function fltmcState(m: Machine): unknown {
  return jsonSafe({ filters: m.fltmc.filters(), instances: m.fltmc.instances(), builtins: Object.keys(BUILTIN_FILTERS) })
}

function fltmcCall(call: Extract<WorkerCall, { op: 'fltmc' }>): unknown {
  const m = runningMachine()
  const need = (what: 'name' | 'volume', v: string | undefined): string => {
    if (v === undefined) throw new CallRefused('invalid-params', `fltmc ${call.command} needs a filter ${what}`)
    return v
  }
  const command: FltmcCommandName = call.command
  let r: FltmcResult | undefined
  if (command === 'load') r = m.fltmc.load(need('name', call.name), call.altitude)
  else if (command === 'unload') r = m.fltmc.unload(need('name', call.name))
  else if (command === 'attach') r = m.fltmc.attach(need('name', call.name), need('volume', call.volume), call.altitude, call.instance)
  else if (command === 'detach') r = m.fltmc.detach(need('name', call.name), need('volume', call.volume), call.instance)
  if (r !== undefined && !NT_SUCCESS(r.status)) {
    const what = `fltmc ${command}${call.name !== undefined ? ` ${call.name}` : ''}${call.volume !== undefined ? ` ${call.volume}` : ''}`
    throw new CallRefused('nt-status', `${what} failed: ${r.statusName}${r.message !== undefined ? ` (${r.message})` : ''}`, r.statusName)
  }
  if (command === 'instances' && call.volume !== undefined) {
    return jsonSafe({ filters: m.fltmc.filters(), instances: m.fltmc.instances(call.volume), builtins: Object.keys(BUILTIN_FILTERS) })
  }
  return fltmcState(m)
}

/** The machine, when it can run a program; otherwise the refusal saying why. */
function runningMachine(): Machine {
  const m = machine
  if (m === undefined) throw new CallRefused('invalid-state', 'no machine has been booted')
  if (m.state !== 'running') throw new CallRefused('invalid-state', `the machine is ${m.state}; restart it first`)
  return m
}

/**
 * Runs an explorer.exe routine for `path` and returns its value in wire form; a failed NT call
 * is refused as `nt-status`, a path the routine cannot use as `invalid-params`.
 */
function explorerCall<T>(thread: string, what: string, rawPath: string, routine: (m: Machine, path: ParsedPath & { ok: true }) => Co<ExplorerOutcome<T>>): unknown {
  const m = runningMachine()
  const path = parseDosPath(rawPath)
  if (!path.ok) throw new CallRefused('invalid-params', path.problem)
  const run = runInExplorer(m, thread, () => routine(m, path))
  if (!run.done) throw new CallRefused('invalid-state', run.problem)
  const outcome = run.value
  if (!outcome.ok) throw new CallRefused('nt-status', `explorer.exe could not ${what} ${describeFailure(outcome)}`, statusName(outcome.status))
  return jsonSafe(outcome.value)
}

function parsedPath(raw: string, what = 'path'): ParsedPath & { ok: true } {
  const path = parseDosPath(raw)
  if (!path.ok) throw new CallRefused('invalid-params', `${what}: ${path.problem}`)
  return path
}

function typedName(name: string, what: string): string {
  const problem = checkTypedName(name)
  if (problem !== undefined) throw new CallRefused('invalid-params', `${what}: ${problem}`)
  return name
}

/**
 * Runs one of explorer.exe's file commands (the shell engine) and returns what it did; a name
 * collision without a choice is refused as `conflict`, a failure as `nt-status` with the
 * thread's last NTSTATUS (and its Win32 error in the message).
 */
function commandCall(thread: string, what: string, routine: (m: Machine) => Co<CommandOutcome>): unknown {
  const m = runningMachine()
  const run = runInExplorer(m, thread, () => routine(m))
  if (!run.done) throw new CallRefused('invalid-state', run.problem)
  const outcome = run.value
  if (outcome.ok) return jsonSafe(outcome.value)
  if (outcome.kind === 'conflict') {
    throw new CallRefused('conflict', `${outcome.path} already exists; choose conflict: replace, skip or keepBoth (Explorer would ask)`)
  }
  const message = `explorer.exe could not ${what} ${outcome.path}: ${outcome.errorName} (${statusName(outcome.status)})`
  if (outcome.status === 0) throw new Error(message)
  throw new CallRefused('nt-status', message, statusName(outcome.status))
}

function current(): MachineInfo {
  if (machine === undefined) throw new Error('no machine has been booted in this worker')
  return snapshot(machine)
}

function fault(kind: 'hang' | 'crash' | 'throw'): void {
  // runs after the reply is sent, so the host sees the fault as it would see a real one
  setTimeout(() => {
    if (kind === 'hang') {
      for (;;) {
        // a filter that loops forever without yielding
      }
    }
    if (kind === 'crash') process.exit(70)
    throw new Error('debug.fault: a deliberate exception in the kernel worker')
  }, 10)
}

function handle(message: HostToWorker): void {
  if (message.t === 'ping') {
    send({ t: 'pong', n: message.n })
    return
  }
  try {
    switch (message.op) {
      case 'boot':
        send({ t: 'reply', id: message.id, ok: true, info: boot(message.seed) })
        return
      case 'info':
        send({ t: 'reply', id: message.id, ok: true, info: current() })
        return
      case 'shutdown': {
        const m = machine
        if (m === undefined) throw new Error('no machine has been booted in this worker')
        if (m.info().state !== 'stopped') m.shutdown()
        send({ t: 'reply', id: message.id, ok: true, info: snapshot(m) })
        return
      }
      case 'fault':
        if (!config.debugHooks) throw new Error('debug hooks are off in this worker')
        send({ t: 'reply', id: message.id, ok: true, info: current() })
        fault(message.kind)
        return
      case 'explorer.list': {
        const result = explorerCall('folder view', 'list', message.path, (m, path) => listFolder(m.io, path))
        send({ t: 'reply', id: message.id, ok: true, info: current(), result: result as never })
        return
      }
      case 'explorer.newFolder': {
        const folder = parsedPath(message.path)
        const name = message.name === undefined ? undefined : typedName(message.name, 'name')
        const result = commandCall('new folder', 'make a new folder in', (m) => newFolderIn(m.io, folder, name, message.conflict))
        send({ t: 'reply', id: message.id, ok: true, info: current(), result: result as never })
        return
      }
      case 'explorer.rename': {
        const item = parsedPath(message.path)
        if (item.name === '') throw new CallRefused('invalid-params', `path: ${item.dos} is a drive's root; it has no name to change`)
        const newName = typedName(message.newName, 'newName')
        const result = commandCall('rename', 'rename', (m) => renameAt(m.io, item, newName, message.conflict))
        send({ t: 'reply', id: message.id, ok: true, info: current(), result: result as never })
        return
      }
      case 'explorer.delete': {
        const items = message.paths.map((p, i) => parsedPath(p, `paths[${i}]`))
        const root = items.find((p) => p.name === '')
        if (root !== undefined) throw new CallRefused('invalid-params', `paths: ${root.dos} is a drive's root; it cannot be deleted`)
        const permanent = message.permanent === true
        const result = commandCall(permanent ? 'delete' : 'recycle', permanent ? 'delete' : 'move to the Recycle Bin', (m) => deleteItemsAt(m.io, items, permanent))
        send({ t: 'reply', id: message.id, ok: true, info: current(), result: result as never })
        return
      }
      case 'explorer.copy':
      case 'explorer.move': {
        const items = message.paths.map((p, i) => parsedPath(p, `paths[${i}]`))
        const to = parsedPath(message.to, 'to')
        const copy = message.op === 'explorer.copy'
        const run = copy ? copyItemsTo : moveItemsTo
        const result = commandCall(copy ? 'copy' : 'move', copy ? 'copy' : 'move', (m) => run(m.io, items, to, message.conflict, win32Settings))
        send({ t: 'reply', id: message.id, ok: true, info: current(), result: result as never })
        return
      }
      case 'explorer.drop': {
        const items = message.from.map((p, i) => parsedPath(p, `from[${i}]`))
        const to = parsedPath(message.to, 'to')
        const result = commandCall('drop', 'drop', (m) => dropItemsOn(m.io, items, to, dropKeysOf(message.keys), message.conflict, win32Settings))
        send({ t: 'reply', id: message.id, ok: true, info: current(), result: result as never })
        return
      }
      case 'explorer.recycleBin': {
        const m = runningMachine()
        const run = runInExplorer(m, 'recycle bin', () => recycleBinItems(m.io, message.drive))
        if (!run.done) throw new CallRefused('invalid-state', run.problem)
        const out = run.value
        if (!out.ok) throw new CallRefused('nt-status', `explorer.exe could not list the Recycle Bin ${out.path}: ${statusName(out.status)}`, statusName(out.status))
        send({ t: 'reply', id: message.id, ok: true, info: current(), result: jsonSafe({ path: out.folder, items: out.items }) as never })
        return
      }
      case 'explorer.undo': {
        const result = commandCall('undo', 'undo', (m) => undoLast(m.io, win32Settings))
        send({ t: 'reply', id: message.id, ok: true, info: current(), result: result as never })
        return
      }
      case 'explorer.newTextDocument': {
        const folder = parsedPath(message.path)
        const name = message.name === undefined ? undefined : typedName(message.name, 'name')
        const result = commandCall('new text document', 'make a new text document in', (m) => newTextDocumentIn(m.io, folder, name, message.conflict, win32Settings))
        send({ t: 'reply', id: message.id, ok: true, info: current(), result: result as never })
        return
      }
      case 'powerOff':
        send({ t: 'reply', id: message.id, ok: true, info: powerCycle() })
        return
      case 'settings':
        settingValues = { ...message.values }
        win32Settings = shellSettings(settingValues)
        send({ t: 'reply', id: message.id, ok: true, info: current() })
        return
      case 'fltmc': {
        const result = fltmcCall(message)
        send({ t: 'reply', id: message.id, ok: true, info: current(), result: result as never })
        return
      }
      case 'explorer.properties': {
        const result = explorerCall('properties', 'read the properties of', message.path, (m, path) => itemProperties(m.io, path))
        send({ t: 'reply', id: message.id, ok: true, info: current(), result: result as never })
        return
      }
    }
  } catch (err) {
    if (err instanceof CallRefused) {
      send({ t: 'reply', id: message.id, ok: false, message: err.message, code: err.code, ...(err.status !== undefined ? { status: err.status } : {}) })
      return
    }
    send({ t: 'reply', id: message.id, ok: false, message: err instanceof Error ? err.message : String(err) })
  }
}

function pump(): void {
  const m = machine
  if (m === undefined || m.info().state !== 'running') return
  m.runFor(config.ticksPerPump)
  const now = Date.now()
  if (now - lastInfoAt >= config.infoIntervalMs) {
    lastInfoAt = now
    send({ t: 'info', info: snapshot(m) })
  }
}

port.on('message', (raw: unknown) => {
  const parsed = parseHostMessage(raw)
  if (!parsed.ok) {
    const r = raw as { id?: unknown }
    if (typeof r === 'object' && r !== null && typeof r.id === 'number') {
      send({ t: 'reply', id: r.id, ok: false, message: parsed.problem })
    }
    return
  }
  handle(parsed.message)
})

// recipe images are built before the first answer: the host allows a starting worker its
// start timeout, where a busy running one would count as hung
for (const v of config.volumes) buildTemplate(v)
setInterval(pump, config.pumpMs)
send({ t: 'pong', n: 0 })
