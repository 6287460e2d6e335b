// Runs a validated scenario on a fresh machine: sets up its volume, runs its steps on emulated
// threads (concurrent blocks under the seeded scheduler), checks every expectation and returns
// the trace. Headless and deterministic: the same scenario and seed give the same report.

import { KeDelayExecutionThread, KSemaphore, KeWaitForSingleObject, type Co, type KThread } from '../../ke/index.ts'
import { Machine } from '../../machine.ts'
import { ntfsVolume, type VolumeSource } from '../../volumes.ts'
import { parseSize } from '../units.ts'
import type { EProcess } from '../../ob/index.ts'
import { statusName } from '../../nt/status.ts'
import { matchStepExpect } from '../expect.ts'
import { runFltmcStep } from './fltmc-steps.ts'
import type { Scenario, Step } from '../types.ts'
import { callAdapter, type CallOutcome } from './calls.ts'
import { runShellStep } from './shell-steps.ts'
import { appsIdle, runAppStep, startScenarioBackground } from './app-steps.ts'
import { runWin32Step } from './win32-steps.ts'
import { RunContext } from './context.ts'
import { segmentSteps } from './schedule.ts'
import { StepError, int64ToNumber } from './values.ts'
import { checkFiles, populateVolume } from './volume-files.ts'
import { checkTrace, TraceCollector } from './trace.ts'
import { loadScenarioFilters } from './filters.ts'
import type { TraceEvent } from '../../trace/event.ts'
import { settleCaches } from '../../cc/settle.ts'
import { checkCacheSettings } from '../../mm/settings.ts'
import { mountNtfsVolume } from '../../fs/ntfs/driver.ts'
import type { NtfsStore } from '../../fs/ntfs/store.ts'
import type { MountedVolume, MountVolume } from '../../machine.ts'

export interface RunOptions {
  /** overrides the scenario's seed */
  seed?: number
  /** where C: lives (default: a fresh in-memory NTFS volume of the scenario's size) */
  volume?: (scenario: Scenario) => VolumeSource
  /** scheduling strategy name (default random) */
  strategy?: string
  /** upper bound on virtual time a single step may take before it counts as hung (100 ns ticks) */
  stepTimeout?: number
  /** called with the machine when the run is over, before it shuts down (hosts and tests read filter state from it) */
  onMachine?: (machine: Machine) => void
}

export interface Failure {
  /** file:line:col */
  where: string
  message: string
}

export interface RunReport {
  name: string
  file: string
  seed: number
  passed: number
  failed: number
  failures: Failure[]
  trace: TraceEvent[]
  bugcheck?: { code: number; codeName: string; message: string }
  /** scheduling decisions, for replay */
  decisions: { c: number; n: number }[]
  virtualTime: number
}

const DEFAULT_STEP_TIMEOUT = 600 * 10_000_000
/** how long the end of a run waits for the cache and memory managers to go quiet (virtual time) */
const QUIET_LIMIT = 120 * 10_000_000

function where(s: { source: { file: string; line: number; col: number } }): string {
  return `${s.source.file}:${s.source.line}:${s.source.col}`
}

interface Worker {
  thread: KThread
  process: EProcess
  queue: Step[]
  wake: KSemaphore
}

export function runScenario(scenario: Scenario, opts: RunOptions = {}): RunReport {
  const seed = opts.seed ?? int64ToNumber(scenario.seed)
  const source = opts.volume ? opts.volume(scenario) : defaultVolume(scenario)
  const bad = checkCacheSettings(scenario.settings)
  if (bad.length > 0) {
    const failures = bad.map((message) => ({ where: scenario.file, message }))
    return { name: scenario.name, file: scenario.file, seed, passed: 0, failed: failures.length, failures, trace: [], decisions: [], virtualTime: 0 }
  }
  // the Cache Manager (kernel/cc: cached I/O, lazy writer, lazy close) runs unless `settings: { cacheManager: false }`
  const cacheManager = scenario.settings['cacheManager'] !== false
  const driveD = secondVolume(scenario, source)
  if (typeof driveD === 'string') return { name: scenario.name, file: scenario.file, seed, passed: 0, failed: 1, failures: [{ where: scenario.file, message: driveD }], trace: [], decisions: [], virtualTime: 0 }
  const machine = Machine.create({ seed, strategy: opts.strategy, cacheManager, settings: scenario.settings, volumes: [{ letter: 'C:', mount: ntfsVolume(source) }, ...driveD.map(({ letter, mount }) => ({ letter, mount }))] })
  machine.boot()
  const run: { machine: Machine } = { machine }
  try {
    return runOn(run, scenario, seed, opts, source, driveD[0]?.source)
  } finally {
    opts.onMachine?.(run.machine)
    run.machine.shutdown()
  }
}

/**
 * D: for work across volumes: a fresh in-memory NTFS volume of its own, mounted when the scenario
 * names a D: path or sets `volume.D.size` / `volume.D.label` (64 MiB by default); an error message
 * for a size it cannot use.
 */
export function secondVolume(scenario: Scenario, c: VolumeSource = defaultVolume(scenario)): { letter: string; mount: MountVolume; source: VolumeSource }[] | string {
  const size = scenario.settings['volume.D.size']
  const label = scenario.settings['volume.D.label']
  if (size === undefined && label === undefined && !namesDriveD(scenario)) return []
  let bytes = 64n * 1024n * 1024n
  if (size !== undefined) {
    const v = typeof size === 'string' ? parseSize(size) : typeof size === 'boolean' ? 'a size' : BigInt(size)
    if (typeof v === 'string' || v < 1n << 20n) return `settings.volume.D.size: expected a size of at least 1MiB such as 64MiB, found ${String(size)}`
    bytes = v
  }
  if (label !== undefined && typeof label !== 'string') return `settings.volume.D.label: expected a string, found ${String(label)}`
  // D: lives where C: does: on an image file of its own next to C:'s (NAME-D.img), or in memory
  const source: VolumeSource =
    c.kind === 'image'
      ? { kind: 'image', path: driveDImagePath(c.path), format: { sizeBytes: Number(bytes), label: label ?? '' } }
      : { kind: 'memory', sizeBytes: Number(bytes), label: label ?? '' }
  return [{ letter: 'D:', mount: ntfsVolume(source), source }]
}

/** where D:'s image goes when C: is on `cImage`: `x.img` → `x-D.img` */
export function driveDImagePath(cImage: string): string {
  return /\.img$/i.test(cImage) ? cImage.replace(/\.img$/i, '-D.img') : `${cImage}-D.img`
}

function namesDriveD(scenario: Scenario): boolean {
  const isD = (s: string): boolean => /^(\\\\\?\\|\\\?\?\\)?[dD]:/.test(s)
  const walk = (v: unknown): boolean => {
    if (typeof v === 'string') return isD(v)
    if (Array.isArray(v)) return v.some(walk)
    if (v && typeof v === 'object' && !(v instanceof Uint8Array)) return Object.values(v as Record<string, unknown>).some(walk)
    return false
  }
  return scenario.volume.files.some((f) => isD(f.path)) || scenario.expect.files.some((f) => isD(f.path)) || scenario.steps.some((st) => 'args' in st && walk(st.args)) || scenario.expect.trace.some((t) => walk(t.fields['path']))
}

/** 64 MiB unless the scenario says otherwise (SCENARIOS.md §2 `volume:`) */
export function defaultVolume(scenario: Scenario): VolumeSource {
  return { kind: 'memory', sizeBytes: Number(scenario.volume.size ?? 64n * 1024n * 1024n), label: scenario.volume.label }
}

function runOn(run: { machine: Machine }, scenario: Scenario, seed: number, opts: RunOptions, source: VolumeSource, sourceD: VolumeSource | undefined): RunReport {
  let machine = run.machine
  let ctx = new RunContext(machine)
  const failures: Failure[] = []
  let passed = 0
  let collector = new TraceCollector(machine)
  // what machines before a power cycle recorded (power: off)
  const earlier: { trace: TraceEvent[]; decisions: { c: number; n: number }[] } = { trace: [], decisions: [] }
  const report = (): RunReport => ({
    name: scenario.name,
    file: scenario.file,
    seed,
    passed,
    failed: failures.length,
    failures,
    trace: earlier.trace.length > 0 ? [...earlier.trace, ...renumber(collector.events, earlier.trace.length)] : collector.events,
    ...(machine.ke.bugcheck ? { bugcheck: { code: machine.ke.bugcheck.code, codeName: machine.ke.bugcheck.codeName, message: machine.ke.bugcheck.message } } : {}),
    decisions: [...earlier.decisions, ...machine.ke.decisions],
    virtualTime: machine.ke.now,
  })
  if (machine.state !== 'running') {
    failures.push({ where: scenario.file, message: `the machine did not boot: ${machine.info().bugcheck?.message ?? machine.state}` })
    return report()
  }

  // the volume's files, made before the run and outside the trace
  const setup = populateVolume(machine, scenario)
  if (setup) {
    failures.push(setup)
    return report()
  }
  // the prepared files were written long before the run: their data is on disk, their caches closed
  const settled = machine.cc && settleCaches(machine.io, machine.cc, machine.trace, (t) => machine.registerThread(machine.system, t.tid))
  if (settled) {
    failures.push({ where: scenario.file, message: `volume.files: ${settled}` })
    return report()
  }
  // the scenario's filters: loaded and attached after the files are made, before the trace starts
  const filters = loadScenarioFilters(machine, scenario)
  if (filters) {
    failures.push(filters)
    return report()
  }
  // Defender and the indexer (unless `background: false`), started outside the trace
  let background = startScenarioBackground(machine, scenario)
  if (background.problem) {
    failures.push({ where: scenario.file, message: background.problem })
    return report()
  }
  collector.start()

  const workers = new Map<string, Worker>()
  let pending = 0
  const workerFor = (processName: string, threadName: string): Worker => {
    const key = `${processName.toLowerCase()}/${threadName}`
    let w = workers.get(key)
    if (w) return w
    const process = machine.process(processName)
    const wake = new KSemaphore(machine.ke, 0, 0x7fffffff, `${key} steps`)
    const queue: Step[] = []
    const thread = machine.ke.createThread(process, threadName, function* () {
      for (;;) {
        yield* KeWaitForSingleObject(wake, undefined, 'next scenario step')
        const step = queue.shift()!
        yield* runStep(step, process)
        pending--
      }
    })
    machine.registerThread(process, thread.tid)
    w = { thread, process, queue, wake }
    workers.set(key, w)
    return w
  }

  function* runStep(step: Step, process: EProcess): Co<void> {
    if (step.kind === 'wait') {
      yield* KeDelayExecutionThread(Number(step.ticks))
      passed++
      return
    }
    if (step.kind === 'win32' || step.kind === 'shell') {
      const r = step.kind === 'win32' ? yield* runWin32Step(ctx, step, process, scenario.settings) : yield* runShellStep(ctx, step, process, scenario.settings)
      if (r.ok) passed++
      else failures.push({ where: where(step), message: r.message })
      return
    }
    if (step.kind === 'fltmc') {
      const r = yield* runFltmcStep(ctx, step, scenario)
      if (r.ok) passed++
      else failures.push({ where: where(step), message: r.message })
      return
    }
    if (step.kind === 'app') {
      const r = yield* runAppStep(ctx, step, process, scenario.settings)
      if (r.ok) passed++
      else failures.push({ where: where(step), message: r.message })
      return
    }
    if (step.kind !== 'call') {
      failures.push({ where: where(step), message: `${step.kind} steps are not available in this build yet (power control arrives with a later release)` })
      return
    }
    const adapter = callAdapter(step.service)
    if (!adapter) {
      failures.push({ where: where(step), message: `${step.service} is not available in this build yet` })
      return
    }
    let out: CallOutcome
    try {
      out = yield* adapter(ctx, step.args, process)
    } catch (e) {
      if (e instanceof StepError) {
        failures.push({ where: where(step), message: `${step.service}: ${e.message}` })
        return
      }
      throw e
    }
    ctx.name(step.as, process, out.handle)
    const m = matchStepExpect(step.expect, out)
    if (m.ok) passed++
    else failures.push({ where: where(step), message: `${step.service} (${statusName(out.status ?? 0)}): ${m.mismatches.join('; ')}` })
  }

  const timeout = opts.stepTimeout ?? DEFAULT_STEP_TIMEOUT
  for (const segment of segmentSteps(scenario.steps)) {
    const only = segment.groups[0]!.steps[0]!
    if (!segment.concurrent && only.kind === 'wait' ) {
      machine.ke.runFor(Number(only.ticks))
      machine.afterRun()
      passed++
      continue
    }
    if (!segment.concurrent && only.kind === 'power') {
      // pull the plug: dirty cached and mapped data is lost, the volume is mounted again in a
      // new machine (the clock goes on), and later steps start with no handles
      collector.stop()
      earlier.trace.push(...renumber(collector.events, earlier.trace.length))
      earlier.decisions.push(...machine.ke.decisions)
      machine = powerCycle(machine, source, sourceD)
      run.machine = machine
      ctx = new RunContext(machine)
      workers.clear()
      pending = 0
      collector = new TraceCollector(machine)
      collector.start()
      if (machine.state !== 'running') {
        failures.push({ where: where(only), message: `the machine did not come back after power off: ${machine.info().bugcheck?.message ?? machine.state}` })
        return report()
      }
      // the filters are services: they start again with the machine (outside the trace)
      const reloaded = loadScenarioFilters(machine, scenario)
      if (reloaded) {
        failures.push(reloaded)
        return report()
      }
      background = startScenarioBackground(machine, scenario)
      if (background.problem) {
        failures.push({ where: where(only), message: background.problem })
        return report()
      }
      collector.start()
      passed++
      continue
    }
    for (const g of segment.groups) {
      const w = workerFor(g.process, g.thread)
      for (const s of g.steps) {
        w.queue.push(s)
        pending++
        w.wake.release(1)
      }
    }
    const deadline = machine.ke.now + timeout
    const outcome = machine.ke.runUntil(() => pending === 0, { deadline })
    machine.afterRun()
    if (outcome === 'bugcheck') {
      const bc = machine.ke.bugcheck!
      const wanted = scenario.expect.bugcheck
      if (wanted && wanted.code === bc.code) {
        // the scenario expects this bug check (expect.bugcheck): the run ends here, as the
        // machine does; the trace up to it is checked
        passed++
        collector.stop()
        for (const t of checkTrace(report().trace, scenario)) {
          if (t.ok) passed++
          else failures.push(t.failure)
        }
        return report()
      }
      failures.push({ where: where(only), message: `bugcheck 0x${bc.code.toString(16).toUpperCase()} ${bc.codeName}: ${bc.message}${wanted ? ` (expected bug check 0x${wanted.code.toString(16).toUpperCase()})` : ''}` })
      return report()
    }
    if (outcome !== 'done') {
      const chains = machine.ke.waitChains().filter((c) => !/work queue|next scenario step/.test(c.reason))
      const detail = chains.map((c) => `${c.thread} waits for ${c.reason}${c.objects.some((o) => o.owners.length) ? ` held by ${c.objects.flatMap((o) => o.owners).join(', ')}` : ''}`).join('; ')
      failures.push({ where: where(only), message: `${outcome === 'deadline' ? 'the step did not return within its time limit' : 'deadlock: the step can never return'}${detail ? ` — ${detail}` : ''}` })
      return report()
    }
  }

  // the run ends when the machine is quiet: what the lazy writer, lazy close and the mapped page
  // writer still had to do is in the trace (as a capture left running would show it)
  if (machine.state === 'running') {
    const m = machine
    // … and the background services and Explorer's open folders have reacted to the changes
    m.ke.runUntil(() => (m.cc?.idle ?? true) && m.mm.idle && appsIdle(m), { deadline: m.ke.now + QUIET_LIMIT })
    m.afterRun()
  }
  collector.stop()
  const wantedBugcheck = scenario.expect.bugcheck
  if (wantedBugcheck) {
    const w = wantedBugcheck.source
    failures.push({ where: `${w.file}:${w.line}:${w.col}`, message: `expect.bugcheck: expected bug check 0x${wantedBugcheck.code.toString(16).toUpperCase()}; the machine ran to the end without one` })
  }
  for (const f of checkFiles(machine, scenario)) {
    if (f.ok) passed++
    else failures.push(f.failure)
  }
  for (const t of checkTrace(report().trace, scenario)) {
    if (t.ok) passed++
    else failures.push(t.failure)
  }
  return report()
}

// ---- power: off ------------------------------------------------------------------------------

/** events of an earlier machine or of the machine after a power cycle, numbered on from `offset` */
function renumber(events: readonly TraceEvent[], offset: number): TraceEvent[] {
  if (offset === 0) return [...events]
  return events.map((e) => ({ ...e, seq: e.seq + offset, detail: e.detail }))
}

/** the volume as the plug left it, mounted again: the same store in memory, the same image on disk */
function remount(v: MountedVolume, source: VolumeSource): MountVolume {
  if (source.kind === 'image') {
    v.close()
    return ntfsVolume({ kind: 'image', path: source.path })
  }
  const store = v.store as NtfsStore
  return (io, realDevice) => {
    mountNtfsVolume(io, realDevice, store)
    return { info: { ...v.info, device: realDevice.header.name }, store, close: () => store.close() }
  }
}

/** Machine.powerOff, then a new machine on the same volume */
function powerCycle(machine: Machine, source: VolumeSource, sourceD: VolumeSource | undefined): Machine {
  machine.powerOff()
  // each volume comes back from where it lives: its image file, or the store in memory
  const next = Machine.powerOn(machine, (v) => remount(v, v.info.letter === 'D:' ? (sourceD ?? { kind: 'memory', sizeBytes: v.info.sizeBytes }) : source))
  next.boot()
  return next
}
