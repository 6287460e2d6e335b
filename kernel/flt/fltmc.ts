// fltmc for the host: filters, instances, load, unload, attach, detach, returning plain data as
// fltmc prints it. Loading, attaching and unloading run filter code, so each runs as fltmc.exe
// on an emulated thread; the call returns when that thread is done (or reports why it is not:
// a bugcheck, or what it waits for).

import type { Co, Scheduler } from '../ke/index.ts'
import type { IoManager } from '../io/iomgr.ts'
import { serviceOf, startService } from './user/service.ts'
import type { EProcess } from '../ob/index.ts'
import { NT_SUCCESS, STATUS, statusName, type NTSTATUS } from '../nt/status.ts'
import { FLTFL_INSTANCE_SETUP_MANUAL_ATTACHMENT, FLTFL_INSTANCE_TEARDOWN_MANUAL } from './constants.ts'
import type { FilterInfo, FilterManager, FilterModule, InstanceInfo } from './manager.ts'

export interface FltmcHost {
  readonly ke: Scheduler
  readonly io: IoManager
  readonly flt: FilterManager
  process(imageName: string): EProcess
  registerThread(process: EProcess, tid: number): void
  afterRun(): void
}

export interface FltmcResult {
  readonly status: number
  readonly statusName: string
  /** why it failed, in words (bugcheck, a wait that never ends, an unknown name) */
  readonly message?: string
}

export interface LoadOptions {
  readonly name?: string
  readonly parameters?: { readonly [k: string]: unknown }
  /** start the filter's user-mode program (its SERVICE export) once it loaded (default true) */
  readonly startService?: boolean
}

/** how long a filter's program may take to get ready (virtual time) */
const SERVICE_START_LIMIT = 60 * 10_000_000

/** one fltmc command as data (a scenario's `fltmc:` step) */
export interface FltmcCommand {
  readonly command: 'load' | 'unload' | 'attach' | 'detach'
  /** the filter's name (a built-in's, or the name a module is loaded by) */
  readonly filter: string
  /** load: a module the host imported, instead of a built-in */
  readonly module?: FilterModule
  /** load: the name to load a module by (default its NAME export) */
  readonly name?: string
  readonly altitude?: string
  readonly volume?: string
  readonly instance?: string
  readonly parameters?: { readonly [k: string]: unknown }
}

type Prepared = FltmcResult | { readonly label: string; readonly body: () => Co<NTSTATUS> }

/** virtual time a fltmc command may take before it counts as hung: 10 minutes */
const FLTMC_TIMEOUT = 600 * 10_000_000

function result(status: NTSTATUS, message?: string): FltmcResult {
  const name = statusName(status)
  return { status, statusName: name, ...(message ? { message } : {}) }
}

export class Fltmc {
  constructor(private readonly host: FltmcHost) {}

  private get flt(): FilterManager {
    return this.host.flt
  }

  /** fltmc filters */
  filters(): FilterInfo[] {
    return this.flt.filterList()
  }

  /** fltmc instances (of every volume, or one) */
  instances(volume?: string): InstanceInfo[] {
    this.flt.refreshVolumes()
    const all = this.flt.instanceList()
    if (!volume) return all
    const v = this.flt.volume(volume)
    return v ? all.filter((i) => i.device === v.name) : []
  }

  /** fltmc load: a built-in filter by name, or a filter module the host imported */
  load(nameOrModule: string | FilterModule, altitude?: string, opts: LoadOptions = {}): FltmcResult {
    const r = this.sync(this.prepareLoad(nameOrModule, altitude, opts))
    if (r.status !== STATUS.STATUS_SUCCESS || opts.startService === false) return r
    // as an installed filter's service starts with it: the program runs until it says it is ready
    const module = typeof nameOrModule === 'string' ? this.flt.builtin(nameOrModule) : nameOrModule
    const service = serviceOf(module)
    if (!service) return r
    const h = this.host
    const process = h.process(service.ImageName)
    const run = startService(h.io, process, service, opts.parameters ?? {}, (t) => h.registerThread(process, t.tid))
    const outcome = h.ke.runUntil(() => run.isReady || run.exitCode !== undefined, { deadline: h.ke.now + SERVICE_START_LIMIT })
    h.afterRun()
    if (run.isReady) return r
    const why = run.exitCode !== undefined ? `exited with code ${run.exitCode} before it was ready` : outcome === 'bugcheck' ? 'stopped the machine' : 'did not get ready'
    return { ...r, message: `the filter loaded, but its program ${service.ImageName} ${why}` }
  }

  /** fltmc unload */
  unload(name: string): FltmcResult {
    return this.sync(this.prepareUnload(name))
  }

  /** fltmc attach: the filter's default instance, or a new one at `altitude` */
  attach(name: string, volume: string, altitude?: string, instanceName?: string): FltmcResult {
    return this.sync(this.prepareAttach(name, volume, altitude, instanceName))
  }

  /** fltmc detach */
  detach(name: string, volume: string, instanceName?: string): FltmcResult {
    return this.sync(this.prepareDetach(name, volume, instanceName))
  }

  /**
   * The same commands from a thread that is already running on the machine (a scenario's
   * `fltmc:` step): the work runs in the caller's thread and the result comes back when it is done.
   */
  *command(cmd: FltmcCommand): Co<FltmcResult> {
    const prepared =
      cmd.command === 'load'
        ? this.prepareLoad(cmd.module ?? cmd.filter, cmd.altitude, { ...(cmd.name || cmd.module ? { name: cmd.name ?? cmd.filter } : {}), ...(cmd.parameters ? { parameters: cmd.parameters } : {}) })
        : cmd.command === 'unload'
          ? this.prepareUnload(cmd.filter)
          : cmd.command === 'attach'
            ? this.prepareAttach(cmd.filter, cmd.volume ?? 'C:', cmd.altitude, cmd.instance)
            : this.prepareDetach(cmd.filter, cmd.volume ?? 'C:', cmd.instance)
    if (!('body' in prepared)) return prepared
    const status = yield* prepared.body()
    this.host.afterRun()
    return result(status)
  }

  private prepareLoad(nameOrModule: string | FilterModule, altitude: string | undefined, opts: LoadOptions): Prepared {
    const module = typeof nameOrModule === 'string' ? this.flt.builtin(nameOrModule) : nameOrModule
    if (!module) return result(STATUS.STATUS_OBJECT_NAME_NOT_FOUND, `there is no built-in filter named '${String(nameOrModule)}' (built-in: ${Object.keys(this.flt.builtins).join(', ') || 'none'})`)
    const name = opts.name ?? (typeof nameOrModule === 'string' ? nameOrModule : module.NAME)
    if (!name) return result(STATUS.STATUS_INVALID_PARAMETER, 'a filter module needs a name (its NAME export, or the name it is loaded by)')
    const flt = this.flt
    return { label: `load ${name}`, body: () => flt.load(module, { name, ...(altitude ? { altitude } : {}), ...(opts.parameters ? { parameters: opts.parameters } : {}) }) }
  }

  private prepareUnload(name: string): Prepared {
    const f = this.flt.filters.get(name.toLowerCase())
    if (!f) return result(STATUS.STATUS_FLT_FILTER_NOT_FOUND, `no filter named '${name}' is loaded`)
    const flt = this.flt
    return { label: `unload ${name}`, body: () => flt.unload(f) }
  }

  private prepareAttach(name: string, volume: string, altitude?: string, instanceName?: string): Prepared {
    const f = this.flt.filters.get(name.toLowerCase())
    if (!f) return result(STATUS.STATUS_FLT_FILTER_NOT_FOUND, `no filter named '${name}' is loaded`)
    const v = this.flt.volume(volume)
    if (!v) return result(STATUS.STATUS_FLT_VOLUME_NOT_FOUND, `no volume '${volume}'`)
    let inst = instanceName
    let alt = altitude
    if (!inst && !alt) {
      inst = f.inf.DefaultInstance
      alt = f.inf.Instances.get(inst)?.Altitude
    } else if (!inst) inst = `${f.name} ${alt} Instance`
    else if (!alt) alt = f.inf.Instances.get(inst)?.Altitude
    if (!alt) return result(STATUS.STATUS_FLT_INSTANCE_NOT_FOUND, `instance '${inst}' of ${f.name} has no altitude`)
    const flt = this.flt
    const i = inst
    const a = alt
    return {
      label: `attach ${name} ${volume}`,
      body: function* () {
        return (yield* flt.attach(f, v, i, a, FLTFL_INSTANCE_SETUP_MANUAL_ATTACHMENT)).status
      },
    }
  }

  private prepareDetach(name: string, volume: string, instanceName?: string): Prepared {
    const f = this.flt.filters.get(name.toLowerCase())
    if (!f) return result(STATUS.STATUS_FLT_FILTER_NOT_FOUND, `no filter named '${name}' is loaded`)
    const v = this.flt.volume(volume)
    if (!v) return result(STATUS.STATUS_FLT_VOLUME_NOT_FOUND, `no volume '${volume}'`)
    const inst = v.instances.find((i) => i.filter === f && (!instanceName || i.name.toLowerCase() === instanceName.toLowerCase()))
    if (!inst) return result(STATUS.STATUS_FLT_INSTANCE_NOT_FOUND, `${f.name} has no instance on ${volume}`)
    const flt = this.flt
    return { label: `detach ${name} ${volume}`, body: () => flt.detach(inst, FLTFL_INSTANCE_TEARDOWN_MANUAL) }
  }

  private sync(p: Prepared): FltmcResult {
    return 'body' in p ? this.run(p.label, p.body) : p
  }

  /** runs one command as fltmc.exe on an emulated thread, to its end */
  private run(label: string, body: () => Co<NTSTATUS>): FltmcResult {
    const h = this.host
    const ke = h.ke
    if (ke.bugcheck) return result(STATUS.STATUS_DEVICE_NOT_READY, `the machine has stopped (bugcheck ${ke.bugcheck.codeName})`)
    const p = h.process('fltmc.exe')
    let status: NTSTATUS | undefined
    const t = ke.createThread(p, `fltmc ${label}`, function* () {
      status = yield* body()
    })
    h.registerThread(p, t.tid)
    const outcome = ke.runUntil(() => status !== undefined, { deadline: ke.now + FLTMC_TIMEOUT })
    h.afterRun()
    if (status !== undefined) return result(status, NT_SUCCESS(status) ? undefined : undefined)
    if (outcome === 'bugcheck') return result(STATUS.STATUS_DEVICE_NOT_READY, `bugcheck 0x${ke.bugcheck!.code.toString(16).toUpperCase()} ${ke.bugcheck!.codeName}: ${ke.bugcheck!.message}`)
    const chains = ke.waitChains().filter((c) => c.thread === t.toString() || /FltMgr/.test(c.reason))
    const why = chains.map((c) => `${c.thread} waits for ${c.reason}`).join('; ')
    return result(STATUS.STATUS_TIMEOUT, `fltmc ${label} did not finish${why ? `: ${why}` : ''}`)
  }
}
