// Runs a validated scenario on a fresh machine: sets up its volume, runs its steps on emulated
// threads (concurrent blocks under the seeded scheduler), checks every expectation and returns
// the trace. Headless and deterministic: the same scenario and seed give the same report.

import { KeDelayExecutionThread, KSemaphore, KeWaitForSingleObject, type Co, type KThread } from '../../ke/index.ts'
import { Machine } from '../../machine.ts'
import { ntfsVolume, type VolumeSource } from '../../volumes.ts'
import type { EProcess } from '../../ob/index.ts'
import { statusName } from '../../nt/status.ts'
import { matchStepExpect } from '../expect.ts'
import type { Scenario, Step } from '../types.ts'
import { callAdapter, type CallOutcome } from './calls.ts'
import { runShellStep } from './shell-steps.ts'
import { runWin32Step } from './win32-steps.ts'
import { RunContext } from './context.ts'
import { segmentSteps } from './schedule.ts'
import { StepError, int64ToNumber } from './values.ts'
import { checkFiles, populateVolume } from './volume-files.ts'
import { checkTrace, TraceCollector } from './trace.ts'
import { loadScenarioFilters } from './filters.ts'
import type { TraceEvent } from '../../trace/event.ts'

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
  const machine = Machine.create({ seed, strategy: opts.strategy, volumes: [{ letter: 'C:', mount: ntfsVolume(source) }] })
  machine.boot()
  try {
    return runOn(machine, scenario, seed, opts)
  } finally {
    opts.onMachine?.(machine)
    machine.shutdown()
  }
}

/** 64 MiB unless the scenario says otherwise (SCENARIOS.md §2 `volume:`) */
export function defaultVolume(scenario: Scenario): VolumeSource {
  return { kind: 'memory', sizeBytes: Number(scenario.volume.size ?? 64n * 1024n * 1024n), label: scenario.volume.label }
}

function runOn(machine: Machine, scenario: Scenario, seed: number, opts: RunOptions): RunReport {
  const ctx = new RunContext(machine)
  const failures: Failure[] = []
  let passed = 0
  const collector = new TraceCollector(machine)
  const report = (): RunReport => ({
    name: scenario.name,
    file: scenario.file,
    seed,
    passed,
    failed: failures.length,
    failures,
    trace: collector.events,
    ...(machine.ke.bugcheck ? { bugcheck: { code: machine.ke.bugcheck.code, codeName: machine.ke.bugcheck.codeName, message: machine.ke.bugcheck.message } } : {}),
    decisions: [...machine.ke.decisions],
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
  // the scenario's filters: loaded and attached after the files are made, before the trace starts
  const filters = loadScenarioFilters(machine, scenario)
  if (filters) {
    failures.push(filters)
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
    if (step.kind !== 'call') {
      failures.push({ where: where(step), message: `${step.kind} steps are not available in this build yet (the ${step.kind === 'app' ? 'process profiles' : 'power control'} arrive with a later release)` })
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
      failures.push({ where: where(only), message: 'power steps are not available in this build yet (they arrive with the Cache Manager)' })
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
      failures.push({ where: where(only), message: `bugcheck 0x${bc.code.toString(16).toUpperCase()} ${bc.codeName}: ${bc.message}` })
      return report()
    }
    if (outcome !== 'done') {
      const chains = machine.ke.waitChains().filter((c) => !/work queue|next scenario step/.test(c.reason))
      const detail = chains.map((c) => `${c.thread} waits for ${c.reason}${c.objects.some((o) => o.owners.length) ? ` held by ${c.objects.flatMap((o) => o.owners).join(', ')}` : ''}`).join('; ')
      failures.push({ where: where(only), message: `${outcome === 'deadline' ? 'the step did not return within its time limit' : 'deadlock: the step can never return'}${detail ? ` — ${detail}` : ''}` })
      return report()
    }
  }

  collector.stop()
  for (const f of checkFiles(machine, scenario)) {
    if (f.ok) passed++
    else failures.push(f.failure)
  }
  for (const t of checkTrace(collector.events, scenario)) {
    if (t.ok) passed++
    else failures.push(t.failure)
  }
  return report()
}
