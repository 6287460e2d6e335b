// A scenario's `filters:` (SCENARIOS.md §2): built-in filters by name, a user's filters as
// modules. Modules are imported before the run (preloadScenarioFilters: the CLI and the hosts
// await it), because importing is asynchronous host work the emulated machine must not wait on.
// Each filter is then loaded in order (fltmc load, at the altitude the scenario gives) and
// attached to C: (its default instance, by hand when it does not attach itself).
//
// When: after the volume's files are made and before the first step, so that the files exist
// as if they were on the disk before the machine started, and the trace begins with the steps.

import { basename, dirname, extname, isAbsolute, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Machine } from '../../machine.ts'
import type { FilterModule } from '../../flt/manager.ts'
import type { FilterSpec, Scenario } from '../types.ts'
import type { Failure } from './run.ts'
import { serviceOf, startService, type UserModeService } from '../../flt/user/service.ts'

/** filter modules imported so far, by resolved path */
const modules = new Map<string, FilterModule>()

/** where a `module:` entry's file is: relative to the scenario file's folder */
export function filterModulePath(scenario: Scenario, spec: Pick<FilterSpec, 'module'>): string {
  const m = spec.module ?? ''
  return isAbsolute(m) ? m : resolve(dirname(scenario.file), m)
}

export class FilterModuleError extends Error {
  override readonly name = 'FilterModuleError'
}

function isFilterModule(x: unknown): x is FilterModule {
  return typeof x === 'object' && x !== null && typeof (x as { DriverEntry?: unknown }).DriverEntry === 'function'
}

/**
 * Imports the scenario's filter modules (each once). A module must export DriverEntry; a file
 * that cannot be imported, or exports none, is a FilterModuleError naming the file.
 */
export async function preloadScenarioFilters(scenario: Scenario, importer: (url: string) => Promise<unknown> = (url) => import(url)): Promise<void> {
  const wanted: { module: string; where: string }[] = []
  for (const [i, spec] of scenario.filters.entries()) if (spec.module) wanted.push({ module: spec.module, where: `filters[${i}]` })
  // `fltmc: load` steps may load a module in the middle of the run
  for (const [i, step] of scenario.steps.entries()) {
    const m = step.kind === 'fltmc' && step.command === 'load' ? step.args['module'] : undefined
    if (typeof m === 'string') wanted.push({ module: m, where: `steps[${i}]` })
  }
  for (const { module, where } of wanted) {
    const path = filterModulePath(scenario, { module })
    if (modules.has(path)) continue
    let mod: unknown
    try {
      mod = await importer(pathToFileURL(path).href)
    } catch (e) {
      throw new FilterModuleError(`${scenario.file}: ${where}: cannot load the filter module ${module} (${path}): ${(e as Error).message}`)
    }
    if (!isFilterModule(mod)) throw new FilterModuleError(`${scenario.file}: ${where}: ${module} does not export a DriverEntry function`)
    modules.set(path, mod)
  }
}

/** the module imported from `path` by preloadScenarioFilters, if any */
export function loadedFilterModule(path: string): FilterModule | undefined {
  return modules.get(path)
}

/** a module imported by preloadScenarioFilters (or given by the host) */
export function registerFilterModule(path: string, module: FilterModule): void {
  modules.set(path, module)
}

/** loads and attaches the scenario's filters in order; the first that fails ends it */
export function loadScenarioFilters(machine: Machine, scenario: Scenario): Failure | undefined {
  for (const [i, spec] of scenario.filters.entries()) {
    const where = `${scenario.file}: filters[${i}]`
    let module: FilterModule | undefined
    let name: string
    if (spec.name !== undefined) {
      module = machine.flt.builtin(spec.name)
      if (!module) return { where, message: `there is no built-in filter named '${spec.name}' (built-in: ${Object.keys(machine.flt.builtins).join(', ')})` }
      name = spec.name.toLowerCase()
    } else {
      const path = filterModulePath(scenario, spec)
      module = modules.get(path)
      if (!module) return { where, message: `the filter module ${spec.module} was not loaded before the run (the host imports it with preloadScenarioFilters)` }
      name = (module.NAME ?? basename(path, extname(path))).toLowerCase()
    }
    const loaded = machine.fltmc.load(module, spec.altitude, { name, parameters: spec.options, startService: false })
    if (loaded.status !== 0) return { where, message: `loading ${name} failed: ${loaded.statusName}${loaded.message ? ` (${loaded.message})` : ''}` }
    if (!machine.fltmc.instances('C:').some((x) => x.filter === name)) {
      const attached = machine.fltmc.attach(name, 'C:')
      if (attached.status !== 0) return { where, message: `attaching ${name} to C: failed: ${attached.statusName}${attached.message ? ` (${attached.message})` : ''}` }
    }
    const service = serviceOf(module)
    if (service && spec.options['service'] !== false) {
      const failed = startScenarioService(machine, service, spec.options)
      if (failed) return { where, message: `${name}'s program ${service.ImageName} ${failed}` }
    }
  }
  return undefined
}

/** how long a filter's program may take to get ready (virtual time) */
const SERVICE_START_LIMIT = 60 * 10_000_000

/**
 * Starts a filter's user-mode program (kernel/flt/user/service.ts) in its own process and runs
 * the machine until it is ready; what went wrong otherwise.
 */
function startScenarioService(machine: Machine, service: UserModeService, parameters: { readonly [key: string]: unknown }): string | undefined {
  const process = machine.process(service.ImageName)
  const run = startService(machine.io, process, service, parameters, (t) => machine.registerThread(process, t.tid))
  const outcome = machine.ke.runUntil(() => run.isReady || run.exitCode !== undefined, { deadline: machine.ke.now + SERVICE_START_LIMIT })
  machine.afterRun()
  if (run.isReady) return undefined
  if (outcome === 'bugcheck') return `stopped the machine: ${machine.ke.bugcheck?.message ?? 'bugcheck'}`
  if (run.exitCode !== undefined) return `exited with code ${run.exitCode >= 0x80000000 ? '0x' + run.exitCode.toString(16).toUpperCase() : run.exitCode} before it was ready${run.console.length ? ` (${run.console.at(-1)})` : ''}`
  return `did not get ready (${outcome})`
}
