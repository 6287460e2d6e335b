// A session: one emulated machine in a kernel worker, served through the contract in api.ts.
// Transports (Electron IPC, WebSocket) hand every incoming message to `handle` and forward
// every event from `onEvent`; they add nothing else. `handle` never throws: a malformed or
// unknown message gets a typed error reply, and the session keeps serving.

import {
  HostError,
  checkEvent,
  checkResult,
  errorReply,
  parseRequest,
} from './api.ts'
import type {
  EventMessage,
  EventName,
  EventData,
  MachineInfoData,
  MachineStatus,
  Method,
  Params,
  ResponseMessage,
  Result,
} from './api.ts'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatIssue } from './schema.ts'
import { KernelLink } from './kernel-link.ts'
import { sampleVolumeRecipe } from './sample-volume.ts'
import type { FltmcCommandName, WorkerVolume } from './worker-protocol.ts'
import type { LinkEvent } from './kernel-link.ts'
import type { WorkerEntry } from './worker-spawn.ts'
import { watchdogBugcheck } from './watchdog.ts'
import { applyChanges, pendingRestart, SettingValueError, settingsView } from './settings-catalog.ts'
import type { SettingValues } from './settings-catalog.ts'

/** 100 ns ticks in one host millisecond */
const TICKS_PER_MS = 10_000

export interface SessionOptions {
  /** seed of the first machine (default 1) */
  seed?: number
  /** host milliseconds between heartbeats to the worker (default 1000) */
  heartbeatMs?: number
  /** a worker silent this long is declared hung (default 5000 ms) */
  hangTimeoutMs?: number
  /** how long a new worker may take to load (default 60000 ms) */
  startTimeoutMs?: number
  /** host milliseconds between two runFor calls (default 50); virtual time advances as much */
  pumpMs?: number
  /** host milliseconds between info snapshots while running (default 250) */
  infoIntervalMs?: number
  /** accept the debug.fault request (tests) */
  debugHooks?: boolean
  /** where the worker is loaded from (default: next to this module) */
  workerEntry?: WorkerEntry
  /** where protocol problems are reported (default: stderr) */
  log?: (line: string) => void
  /**
   * C: of every machine: a fresh NTFS volume, on an image file in a temporary folder of this
   * session (the default, 64 MiB) or in memory. An image holds the sample tree (Users, Windows,
   * Program Files …; see sample-volume.ts) unless `contents` is 'empty'; a memory volume is
   * always empty.
   */
  volume?: { kind: 'image' | 'memory'; sizeBytes: number; label?: string; contents?: 'sample' | 'empty' }
  /** most trace events a machine keeps in its worker's memory (default 200,000) */
  traceCapacity?: number
  /** D: of every machine: an empty NTFS volume in memory (default 64 MiB); false for none */
  dataVolume?: { sizeBytes: number; label?: string } | false
}

const DEFAULT_VOLUME_BYTES = 64 * 1024 * 1024
const DEFAULT_DATA_VOLUME = { sizeBytes: 64 * 1024 * 1024, label: '' }
const DEFAULT_TRACE_CAPACITY = 200_000

/** Session options a host takes from its environment (ALTITUDE_DEBUG_HOOKS, ALTITUDE_HANG_TIMEOUT_MS). */
export function sessionOptionsFromEnv(env: NodeJS.ProcessEnv): SessionOptions {
  const opts: SessionOptions = { debugHooks: env['ALTITUDE_DEBUG_HOOKS'] === '1' }
  const hang = Number(env['ALTITUDE_HANG_TIMEOUT_MS'])
  if (Number.isSafeInteger(hang) && hang >= 200) {
    opts.hangTimeoutMs = hang
    opts.heartbeatMs = Math.min(1000, Math.max(50, Math.floor(hang / 5)))
  }
  return opts
}

type Handlers = { [M in Method]: (params: Params<M>) => Promise<Result<M>> }

export class Session {
  private link: KernelLink | undefined
  private status: MachineStatus = { generation: 0, worker: 'starting', machine: null }
  private readonly listeners = new Set<(message: EventMessage) => void>()
  private lifecycle: Promise<unknown> = Promise.resolve()
  private seed: number
  private closed = false
  private readonly log: (line: string) => void
  /** the session's folder for volume images, made on first use and removed on close */
  private imageDir: string | undefined
  /** the Settings panel's values that differ from their defaults */
  private settings: SettingValues = {}
  /** the values the running machine booted with */
  private bootedWith: SettingValues = {}

  constructor(private readonly opts: SessionOptions = {}) {
    if (opts.volume?.kind === 'memory' && opts.volume.contents === 'sample') {
      throw new Error('Session: the sample contents need an image volume (volume.kind "image"); a memory volume is always empty')
    }
    this.seed = opts.seed ?? 1
    this.log = opts.log ?? ((line) => process.stderr.write(`${line}\n`))
  }

  /** Boots the first machine. Resolves with its status (which says so if it failed); never rejects. */
  start(): Promise<MachineStatus> {
    return this.serialize(() => this.fresh(this.seed)).catch(() => this.status)
  }

  current(): MachineStatus {
    return this.status
  }

  onEvent(listener: (message: EventMessage) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Answers one request message (an object or a JSON string). Never throws. */
  async handle(raw: unknown): Promise<ResponseMessage> {
    const parsed = parseRequest(raw)
    if (!parsed.ok) return parsed.reply
    const { id, method, params } = parsed.request
    try {
      const handler = this.handlers[method] as (p: unknown) => Promise<unknown>
      const result = await handler(params)
      const found = checkResult(method, result)
      if (found) {
        this.log(`altitude host: ${method} produced a result outside the contract: ${formatIssue(found)}`)
        return errorReply(id, 'invalid-result', `the host's answer to ${method} does not match the contract: ${formatIssue(found)}`)
      }
      return { id, result }
    } catch (err) {
      if (err instanceof HostError) return errorReply(id, err.code, err.message, err.status)
      const text = err instanceof Error ? err.message : String(err)
      return errorReply(id, 'internal', `${method} failed: ${text}`)
    }
  }

  async close(): Promise<void> {
    this.closed = true
    this.listeners.clear()
    const link = this.link
    this.link = undefined
    if (link) await this.retire(link)
    if (this.imageDir !== undefined) rmSync(this.imageDir, { recursive: true, force: true })
    this.imageDir = undefined
  }

  /** Where the volume images of a generation live (for tests and diagnostics). */
  imagePath(generation: number): string | undefined {
    return this.imageDir === undefined ? undefined : join(this.imageDir, `C-${generation}.img`)
  }

  /**
   * Ends a worker: a responsive one shuts its machine down first, so the volume image is
   * closed (its file handle belongs to the process, not the thread); a hung one is just
   * terminated.
   */
  private async retire(link: KernelLink): Promise<void> {
    if (link.isReady) {
      let timer: ReturnType<typeof setTimeout> | undefined
      const giveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000)))
      await Promise.race([link.call({ op: 'shutdown' }).catch(() => undefined), giveUp])
      clearTimeout(timer)
    }
    await link.terminate()
  }

  private volumesFor(generation: number): WorkerVolume[] {
    const d = this.opts.dataVolume ?? DEFAULT_DATA_VOLUME
    const data: WorkerVolume[] = d === false ? [] : [{ letter: 'D:', source: { kind: 'memory', sizeBytes: d.sizeBytes, label: d.label ?? '' } }]
    return [...this.systemVolume(generation), ...data]
  }

  private systemVolume(generation: number): WorkerVolume[] {
    const v = this.opts.volume ?? { kind: 'image', sizeBytes: DEFAULT_VOLUME_BYTES }
    const label = v.label ?? ''
    if (v.kind === 'memory') return [{ letter: 'C:', source: { kind: 'memory', sizeBytes: v.sizeBytes, label } }]
    this.imageDir ??= mkdtempSync(join(tmpdir(), 'altitude-session-'))
    const path = join(this.imageDir, `C-${generation}.img`)
    if (v.contents === 'empty') return [{ letter: 'C:', source: { kind: 'image', path, format: { sizeBytes: v.sizeBytes, label } } }]
    // the worker builds the recipe into the template once (the first worker of the session) and copies it for each machine
    const template = join(this.imageDir, 'sample.img')
    return [{ letter: 'C:', source: { kind: 'image', path }, recipe: { recipe: sampleVolumeRecipe(v.sizeBytes, label), template } }]
  }

  private readonly handlers: Handlers = {
    'machine.info': async () => {
      const link = this.link
      if (link?.isReady) await link.call({ op: 'info' })
      return this.status
    },
    'machine.boot': (params) =>
      this.serialize(async () => {
        const state = this.status.machine?.state
        if (this.link?.isReady && (state === 'running' || state === 'booting')) {
          throw new HostError('invalid-state', `the machine is already ${state}; use machine.restart for a fresh one`)
        }
        // every machine gets a fresh worker (and generation), so nothing of the last one lingers
        return this.fresh(params.seed ?? this.seed)
      }),
    'machine.restart': (params) => this.serialize(() => this.fresh(params.seed ?? this.seed)),
    'machine.shutdown': () =>
      this.serialize(async () => {
        const link = this.requireLink()
        await link.call({ op: 'shutdown' })
        return this.status
      }),
    'debug.fault': async (params) => {
      if (this.opts.debugHooks !== true) {
        throw new HostError('debug-disabled', 'debug hooks are off; start the host with ALTITUDE_DEBUG_HOOKS=1 to use debug.fault')
      }
      await this.requireLink().call({ op: 'fault', kind: params.kind })
      return { accepted: true as const }
    },
    'explorer.list': async (params) => {
      const { result } = await this.requireLink().request({ op: 'explorer.list', path: params.path })
      // checked against the contract by handle() before it leaves the host
      return result as Result<'explorer.list'>
    },
    'explorer.properties': async (params) => {
      const { result } = await this.requireLink().request({ op: 'explorer.properties', path: params.path })
      return result as Result<'explorer.properties'>
    },
    'explorer.newFolder': async (params) => {
      const { result } = await this.requireLink().request({ op: 'explorer.newFolder', ...params })
      return result as Result<'explorer.newFolder'>
    },
    'explorer.rename': async (params) => {
      const { result } = await this.requireLink().request({ op: 'explorer.rename', ...params })
      return result as Result<'explorer.rename'>
    },
    'explorer.delete': async (params) => {
      const { result } = await this.requireLink().request({ op: 'explorer.delete', ...params })
      return result as Result<'explorer.delete'>
    },
    'explorer.copy': async (params) => {
      const { result } = await this.requireLink().request({ op: 'explorer.copy', ...params })
      return result as Result<'explorer.copy'>
    },
    'explorer.move': async (params) => {
      const { result } = await this.requireLink().request({ op: 'explorer.move', ...params })
      return result as Result<'explorer.move'>
    },
    'explorer.drop': async (params) => {
      const { result } = await this.requireLink().request({ op: 'explorer.drop', ...params })
      return result as Result<'explorer.drop'>
    },
    'explorer.recycleBin': async (params) => {
      const { result } = await this.requireLink().request({ op: 'explorer.recycleBin', drive: params.drive })
      return result as Result<'explorer.recycleBin'>
    },
    'explorer.undo': async () => {
      const { result } = await this.requireLink().request({ op: 'explorer.undo' })
      return result as Result<'explorer.undo'>
    },
    'explorer.newTextDocument': async (params) => {
      const { result } = await this.requireLink().request({ op: 'explorer.newTextDocument', ...params })
      return result as Result<'explorer.newTextDocument'>
    },
    'machine.powerOff': () =>
      this.serialize(async () => {
        await this.requireLink().call({ op: 'powerOff' })
        return this.status
      }),
    'settings.get': async () => this.settingsList(),
    'settings.set': async (params) => {
      let next: SettingValues
      try {
        next = applyChanges(this.settings, params.values)
      } catch (e) {
        if (e instanceof SettingValueError) throw new HostError('invalid-params', `settings.set: ${e.message}`)
        throw e
      }
      this.settings = next
      const link = this.link
      // the running machine takes the copy engine's and the shell's values at once
      if (link?.isReady) await link.call({ op: 'settings', values: { ...next } })
      return this.settingsList()
    },
    'fltmc.filters': async () => this.fltmc({ command: 'filters' }),
    'fltmc.instances': async (params) => this.fltmc({ command: 'instances', ...params }),
    'fltmc.load': async (params) => this.fltmc({ command: 'load', ...params }),
    'fltmc.unload': async (params) => this.fltmc({ command: 'unload', ...params }),
    'fltmc.attach': async (params) => this.fltmc({ command: 'attach', ...params }),
    'fltmc.detach': async (params) => this.fltmc({ command: 'detach', ...params }),
  }

  private settingsList(): Result<'settings.get'> {
    return { settings: settingsView(this.settings), pendingRestart: pendingRestart(this.bootedWith, this.settings) }
  }

  private async fltmc(call: { command: FltmcCommandName; name?: string; volume?: string; altitude?: string; instance?: string }): Promise<Result<'fltmc.filters'>> {
    const { result } = await this.requireLink().request({ op: 'fltmc', ...call })
    return result as Result<'fltmc.filters'>
  }

  private requireLink(): KernelLink {
    const link = this.link
    if (link === undefined || !link.alive) {
      throw new HostError('machine-unavailable', this.status.problem ?? 'the kernel worker is not running; restart the machine')
    }
    return link
  }

  /** Lifecycle requests run one at a time, in arrival order. */
  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lifecycle.then(work, work)
    this.lifecycle = run.catch(() => undefined)
    return run
  }

  /** Replaces the kernel worker with a fresh one and boots a machine in it. */
  private async fresh(seed: number): Promise<MachineStatus> {
    if (this.closed) throw new HostError('machine-unavailable', 'the session is closed')
    const old = this.link
    this.link = undefined
    if (old) await this.retire(old)
    const previousImage = this.imagePath(this.status.generation)
    if (previousImage !== undefined) rmSync(previousImage, { force: true })
    this.seed = seed
    const generation = this.status.generation + 1
    this.setStatus({ generation, worker: 'starting', machine: null })
    const pumpMs = this.opts.pumpMs ?? 50
    const link: KernelLink = new KernelLink(
      {
        config: {
          pumpMs,
          ticksPerPump: pumpMs * TICKS_PER_MS,
          infoIntervalMs: this.opts.infoIntervalMs ?? 250,
          debugHooks: this.opts.debugHooks === true,
          volumes: this.volumesFor(generation),
          traceCapacity: this.opts.traceCapacity ?? DEFAULT_TRACE_CAPACITY,
          settings: { ...this.settings },
        },
        heartbeatMs: this.opts.heartbeatMs ?? 1000,
        hangTimeoutMs: this.opts.hangTimeoutMs ?? 5000,
        startTimeoutMs: this.opts.startTimeoutMs ?? 60_000,
        ...(this.opts.workerEntry ? { entry: this.opts.workerEntry } : {}),
      },
      (e) => this.fromLink(link, generation, e),
    )
    this.link = link
    this.bootedWith = { ...this.settings }
    try {
      await link.call({ op: 'boot', seed })
    } catch (err) {
      // a worker that hung or died while booting is already reported through its status
      if (err instanceof HostError && err.code === 'machine-unavailable') return this.status
      // the kernel refused to boot: the worker is of no further use
      await link.terminate()
      const text = err instanceof Error ? err.message : String(err)
      if (this.link === link) this.setStatus({ generation, worker: 'died', problem: `The machine failed to boot: ${text}`, machine: null })
      throw err
    }
    return this.status
  }

  private fromLink(link: KernelLink, generation: number, e: LinkEvent): void {
    if (link !== this.link || this.closed) return
    switch (e.kind) {
      case 'ready':
        this.setStatus({ generation, worker: 'ready', machine: this.status.machine })
        return
      case 'info':
        this.setStatus({ generation, worker: 'ready', machine: e.info })
        return
      case 'trace':
        this.emit('trace.events', { generation, events: e.events })
        return
      case 'hung': {
        const seconds = (e.silentMs / 1000).toFixed(1)
        const problem = `The kernel worker stopped answering (silent for ${seconds} s) and was terminated. Restart the machine.`
        this.setStatus({ generation, worker: 'hung', problem, machine: this.hungMachine(this.status.machine, e.silentMs) })
        return
      }
      case 'died': {
        const last = this.status.machine
        this.setStatus({ generation, worker: 'died', problem: `${e.problem} Restart the machine.`, machine: last ? { ...last, state: 'stopped' } : null })
        return
      }
      case 'protocol':
        this.log(`altitude host: ${e.problem}`)
        return
    }
  }

  private hungMachine(last: MachineInfoData | null, silentMs: number): MachineInfoData | null {
    if (last === null) return null
    return { ...last, state: 'bugchecked', bugcheck: watchdogBugcheck(silentMs, this.opts.hangTimeoutMs ?? 5000) }
  }

  private setStatus(status: MachineStatus): void {
    const next: MachineStatus = { generation: status.generation, worker: status.worker, machine: status.machine }
    if (status.problem !== undefined) next.problem = status.problem
    this.status = next
    this.emit('machine.state', next)
  }

  private emit<E extends EventName>(event: E, data: EventData<E>): void {
    const found = checkEvent(event, data)
    if (found) {
      this.log(`altitude host: dropped a ${event} event outside the contract: ${formatIssue(found)}`)
      return
    }
    const message = { event, data } as EventMessage
    for (const listener of this.listeners) {
      try {
        listener(message)
      } catch (err) {
        this.log(`altitude host: an event listener failed: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
  }
}

export { TICKS_PER_MS }
