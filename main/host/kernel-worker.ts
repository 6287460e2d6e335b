// The kernel worker thread: owns one emulated machine, advances its virtual time on a host
// timer, answers the session's calls and heartbeats, and forwards the machine's events.
// The kernel itself is synchronous and never reads host time; this file may.

import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs'
import { parentPort, threadId, workerData } from 'node:worker_threads'
import { Machine, ntfsVolume, statusName } from '../../kernel/index.ts'
import type { MachineEvent, MachineInfo } from '../../kernel/index.ts'
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
import type { HostToWorker, WorkerConfig, WorkerErrorCode, WorkerToHost, WorkerVolume } from './worker-protocol.ts'

const port = parentPort
if (port === null) throw new Error('kernel-worker.ts runs only as a worker thread')
const config = workerData as WorkerConfig

let machine: Machine | undefined
let unsubscribe: (() => void) | undefined
let lastInfoAt = 0
let seq = 0
const nextSeq = (): number => ++seq

function send(message: WorkerToHost): void {
  port!.postMessage(message)
}

function snapshot(m: Machine): MachineInfo {
  return m.info()
}

function onMachineEvent(e: MachineEvent): void {
  if (e.kind === 'state') send({ t: 'info', info: e.info })
  else if (e.events.length > 0) send({ t: 'trace', events: e.events.map((r) => toWireEvent(r, nextSeq)) })
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
  const m = Machine.create({ seed, volumes, ...(config.traceCapacity !== undefined ? { traceCapacity: config.traceCapacity } : {}) })
  machine = m
  seq = 0
  unsubscribe = m.on(onMachineEvent)
  m.boot()
  // the shell runs from logon on
  if (m.state === 'running') explorerProcess(m)
  return snapshot(m)
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
