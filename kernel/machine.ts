// One emulated Windows machine: the scheduler, the object namespace, processes, the System
// worker threads, the I/O manager and the mounted volumes. Synchronous and deterministic:
// the same options give the same machine, and the host drives time with runFor().

import { BOOT_FILETIME, BugCheck, fileTimeToIso, RunToBlockStrategy, Scheduler, SystemWorkQueues, type Strategy } from './ke/index.ts'
import { createStrategy } from './ke/strategy.ts'
import { EProcess, ObNamespace } from './ob/index.ts'
import { IoManager } from './io/iomgr.ts'
import { TraceRecorder } from './trace/sink.ts'
import type { TraceEvent } from './trace/event.ts'
import type { DeviceObject } from './io/device.ts'
import { FilterManager } from './flt/manager.ts'
import { Fltmc } from './flt/fltmc.ts'
import { BUILTIN_FILTERS } from './filters/index.ts'
import type { KThread } from './ke/index.ts'
import { CacheManager } from './cc/cache-manager.ts'
import { MemoryManager } from './mm/memory-manager.ts'
import type { SettingInput } from './mm/settings.ts'

export type MachineState = 'booting' | 'running' | 'stopped' | 'bugchecked'

export interface BugcheckInfo {
  code: number
  codeName: string
  params: string[]
  message: string
  culprit?: string
  context?: string
}

export interface VolumeInfo {
  letter: string
  device: string
  fileSystem: string
  sizeBytes: number
  label: string
}

export interface MachineInfo {
  state: MachineState
  seed: number
  /** 100 ns ticks since boot */
  virtualTime: number
  /** the virtual boot time, ISO-8601 */
  bootedAt: string
  bugcheck?: BugcheckInfo
  volumes: VolumeInfo[]
  threads: number
  processes: { pid: number; name: string }[]
}

export type MachineEvent = { kind: 'state'; info: MachineInfo } | { kind: 'trace'; events: TraceEvent[] }

export interface MountedVolume {
  info: VolumeInfo
  /** what holds the volume's structures (for tools that look at it directly) */
  store: unknown
  /** releases the image file */
  close(): void
}

/** How a volume is mounted: the file system driver's mount routine for a real device. */
export type MountVolume = (io: IoManager, realDevice: DeviceObject) => MountedVolume

export interface MachineOptions {
  seed?: number
  /** 'random' (default: the seed picks interleavings) or 'run-to-block' */
  strategy?: string | Strategy
  /** volumes to mount at boot, by drive letter */
  volumes?: { letter: string; mount: MountVolume }[]
  /** record trace events (default true) */
  trace?: boolean
  /** most trace events kept in memory (default: all); listeners see every event */
  traceCapacity?: number
  /**
   * Run the Cache Manager (default true): cached I/O goes through cache maps, the lazy writer
   * writes it behind from System, closes come when the cache lets go. `false` turns it off: a file
   * system then serves cached requests from the volume directly.
   */
  cacheManager?: boolean
  /** Cache and Memory Manager settings (lazy-writer timings …; kernel/mm/settings.ts), as a scenario's `settings:` */
  settings?: { readonly [key: string]: SettingInput }
  /** virtual time the machine starts at (a machine powered on again continues the clock) */
  startTime?: number
}

const SYSTEM_PID = 4
/** user processes get ids from here up, in steps of 4 (unverified: any multiple of 4 is plausible) */
const FIRST_USER_PID = 1000
/** S-1-5-21-…-1001: the interactive user's SID (its Recycle Bin folder is named after it) */
export const USER_SID = 'S-1-5-21-3623811015-3361044348-30300820-1001'

export class Machine {
  state: MachineState = 'booting'
  readonly seed: number
  ke!: Scheduler
  ob!: ObNamespace
  io!: IoManager
  workQueues!: SystemWorkQueues
  /** the Memory Manager (segments, sections, the mapped page writer) */
  mm!: MemoryManager
  /** the Cache Manager (cache maps, lazy writer, read-ahead), when the machine runs one */
  cc: CacheManager | undefined
  system!: EProcess
  /** the Filter Manager (minifilters at altitudes above each volume's file system) */
  flt!: FilterManager
  readonly processes = new Map<number, EProcess>()
  readonly volumes: MountedVolume[] = []
  private readonly tidToProcess = new Map<number, EProcess>()
  private readonly listeners = new Set<(e: MachineEvent) => void>()
  private nextPid = FIRST_USER_PID
  /** the machine's trace: every boundary crossing, numbered, with Process Monitor names */
  trace!: TraceRecorder
  private pendingTrace: TraceEvent[] = []
  private readonly opts: MachineOptions
  private fltmcApi: Fltmc | undefined

  private constructor(opts: MachineOptions) {
    this.opts = opts
    this.seed = opts.seed ?? 1
  }

  static create(opts: MachineOptions = {}): Machine {
    return new Machine(opts)
  }

  /** builds the machine and mounts its volumes; state becomes 'running' (or 'bugchecked') */
  boot(): void {
    if (this.state !== 'booting') throw new Error(`boot: the machine is ${this.state}`)
    const strategy =
      typeof this.opts.strategy === 'object' ? this.opts.strategy : this.opts.strategy ? createStrategy(this.opts.strategy, this.seed) : undefined
    this.ke = new Scheduler({ seed: this.seed, strategy })
    if (this.opts.startTime !== undefined) this.ke.now = this.opts.startTime
    this.ob = new ObNamespace()
    this.ob.createSymbolicLink('\\GLOBAL??\\GLOBALROOT', '')
    this.ob.alias('\\??', '\\GLOBAL??')
    this.system = new EProcess(SYSTEM_PID, 'System', 'System', 'S-1-5-18', 0, '')
    this.processes.set(SYSTEM_PID, this.system)
    this.workQueues = new SystemWorkQueues(this.ke, this.system)
    for (const t of this.ke.threads) this.registerThread(this.system, t.tid)
    this.trace = new TraceRecorder({ enabled: this.opts.trace !== false, ...(this.opts.traceCapacity ? { capacity: this.opts.traceCapacity } : {}) })
    this.trace.subscribe((e) => {
      if (this.listeners.size > 0) this.pendingTrace.push(e)
    })
    this.io = new IoManager({ ke: this.ke, ob: this.ob, workQueues: this.workQueues, system: this.system, processOf: (tid) => this.tidToProcess.get(tid), trace: this.trace })
    // the Memory and Cache Managers: their System threads; file systems mounted below cache through them
    const registerThread = (t: KThread): void => this.registerThread(this.system, t.tid)
    this.mm = new MemoryManager(this.io, { settings: this.opts.settings, registerThread })
    if (this.opts.cacheManager !== false) this.cc = new CacheManager(this.io, this.mm, { settings: this.opts.settings, registerThread })
    this.flt = new FilterManager({
      ke: this.ke,
      io: this.io,
      processOf: (tid) => this.tidToProcess.get(tid),
      onSystemThread: (t) => this.registerThread(this.system, t.tid),
      builtins: BUILTIN_FILTERS,
    })
    try {
      for (const v of this.opts.volumes ?? []) this.volumes.push(v.mount(this.io, this.createVolumeDevice(v.letter)))
      this.state = 'running'
    } catch (e) {
      if (!(e instanceof BugCheck)) throw e
      this.ke.bugcheck = e
      this.state = 'bugchecked'
    }
    this.emitState()
  }

  /** the real (volume) device for a drive letter: \Device\HarddiskVolumeN and \GLOBAL??\X: */
  private createVolumeDevice(letter: string): DeviceObject {
    const n = this.volumes.length + 1
    const name = `\\Device\\HarddiskVolume${n}`
    const dev = this.io.createVolumeDevice(name, letter)
    this.ob.createSymbolicLink(`\\GLOBAL??\\${letter}`, name)
    return dev
  }

  /** fltmc: list, load, unload, attach and detach minifilters; answers are plain data, as fltmc prints them */
  get fltmc(): Fltmc {
    return (this.fltmcApi ??= new Fltmc(this))
  }

  /** a process by image name, created on first use (scenario steps name their process) */
  process(imageName: string): EProcess {
    for (const p of this.processes.values()) if (p.imageName.toLowerCase() === imageName.toLowerCase()) return p
    const pid = this.nextPid
    this.nextPid += 4
    const path = imageName.toLowerCase() === 'explorer.exe' ? `C:\\Windows\\${imageName}` : `C:\\Windows\\System32\\${imageName}`
    const p = new EProcess(pid, imageName, path, USER_SID, SYSTEM_PID, `"${path}"`)
    this.processes.set(pid, p)
    return p
  }

  registerThread(process: EProcess, tid: number): void {
    this.tidToProcess.set(tid, process)
    const t = this.ke.threads.find((x) => x.tid === tid)
    if (t && !process.threads.includes(t)) process.threads.push(t)
  }

  processOfThread(tid: number): EProcess | undefined {
    return this.tidToProcess.get(tid)
  }

  on(listener: (e: MachineEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** trace events recorded since the last call (while someone listens) */
  takeTrace(): TraceEvent[] {
    const t = this.pendingTrace
    this.pendingTrace = []
    return t
  }

  /** advances virtual time, running the emulated threads; reports a bugcheck as a state change */
  runFor(ticks: number): void {
    if (this.state !== 'running') return
    this.ke.runFor(ticks)
    this.afterRun()
  }

  /** to be called after driving the scheduler directly: flushes trace events and notices bugchecks */
  afterRun(): void {
    if (this.pendingTrace.length > 0 && this.listeners.size > 0) {
      const events = this.takeTrace()
      for (const l of this.listeners) l({ kind: 'trace', events })
    }
    if (this.ke.bugcheck && this.state === 'running') {
      this.state = 'bugchecked'
      this.emitState()
    }
  }

  /**
   * Pulls the plug: what is dirty in the cache and in mapped pages is lost, no thread runs again.
   * The volumes stay as their stores hold them (metadata is journaled, data the lazy writer had
   * not written is gone); Machine.powerOn mounts them in a new machine.
   */
  powerOff(): void {
    if (this.state === 'stopped' || this.state === 'booting') return
    this.cc?.powerLoss()
    this.mm.powerLoss()
    this.afterRun()
    this.state = 'stopped'
    this.emitState()
  }

  /**
   * The machine after a power loss: a new one with the same options, the clock going on from
   * where `previous` stopped, each volume mounted again by `remount` (which gets the volume as
   * `previous` left it). Boot it before use.
   */
  static powerOn(previous: Machine, remount: (v: MountedVolume) => MountVolume): Machine {
    if (previous.state !== 'stopped') throw new Error(`powerOn: the previous machine is ${previous.state}, not powered off`)
    const letters = (previous.opts.volumes ?? []).map((v) => v.letter)
    const volumes = previous.volumes.splice(0).map((v, i) => ({ letter: letters[i] ?? v.info.letter, mount: remount(v) }))
    return new Machine({ ...previous.opts, volumes, startTime: previous.ke.now })
  }

  shutdown(): void {
    if (this.state === 'stopped') return
    for (const v of this.volumes.splice(0)) v.close()
    this.state = 'stopped'
    this.emitState()
  }

  info(): MachineInfo {
    const bc = this.ke?.bugcheck
    return {
      state: this.state,
      seed: this.seed,
      virtualTime: this.ke?.now ?? 0,
      bootedAt: fileTimeToIso(BOOT_FILETIME),
      ...(bc
        ? {
            bugcheck: {
              code: bc.code,
              codeName: bc.codeName,
              params: bc.params.map((p) => '0x' + p.toString(16).toUpperCase().padStart(16, '0')),
              message: bc.message,
              ...(bc.culprit ? { culprit: bc.culprit } : {}),
              ...(bc.context ? { context: bc.context } : {}),
            },
          }
        : {}),
      volumes: this.volumes.map((v) => v.info),
      threads: this.ke ? this.ke.threads.filter((t) => t.state !== 'terminated').length : 0,
      processes: [...this.processes.values()].map((p) => ({ pid: p.pid, name: p.imageName })),
    }
  }

  private emitState(): void {
    const info = this.info()
    for (const l of this.listeners) l({ kind: 'state', info })
  }
}

export { RunToBlockStrategy }
