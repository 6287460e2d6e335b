// `fltmc:` steps: fltmc.exe's commands in the middle of a scenario, run as fltmc.exe on the
// step's thread, so a filter can be loaded, attached, detached or unloaded while other threads
// have I/O in flight (draining, instance setup and teardown are then part of the trace).
//   filters, instances:  {} (instances: { volume? })     output: Filters / Instances, as fltmc lists them
//   load:    { filter, altitude?, parameters? }  or  { module: ./file.ts, filter?: name, altitude? }
//   unload:  { filter }
//   attach:  { filter, volume?: C:, altitude?, instance? }
//   detach:  { filter, volume?: C:, instance? }
// `expect` takes `status` (what the command returned) and `output` for the listing commands.

import type { Co } from '../../ke/index.ts'
import type { FilterModule } from '../../flt/manager.ts'
import type { FltmcCommand } from '../../flt/fltmc.ts'
import { statusName } from '../../nt/status.ts'
import type { ArgValue, FltmcStep, Scenario } from '../types.ts'
import { matchStepExpect } from '../expect.ts'
import type { RunContext } from './context.ts'
import { filterModulePath, loadedFilterModule } from './filters.ts'
import type { ApiStepOutcome } from './win32-steps.ts'

const PARAMS: { readonly [c in FltmcStep['command']]: readonly string[] } = {
  filters: [],
  instances: ['volume'],
  load: ['filter', 'module', 'altitude', 'parameters'],
  unload: ['filter'],
  attach: ['filter', 'volume', 'altitude', 'instance'],
  detach: ['filter', 'volume', 'instance'],
}

function text(step: FltmcStep, k: string): string | undefined {
  const v = step.args[k]
  if (v === undefined || v === null) return undefined
  if (typeof v === 'string') return v
  if (typeof v === 'bigint' || typeof v === 'number') return String(v)
  throw new Error(`${k}: expected a name or a number, found ${JSON.stringify(v)}`)
}

function parametersOf(v: ArgValue | undefined): { readonly [k: string]: unknown } | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) throw new Error('parameters: expected a mapping of the filter\'s parameters')
  return v as { readonly [k: string]: unknown }
}

/** the step's arguments as a fltmc command; bad arguments throw with what was wrong */
function commandOf(step: FltmcStep, scenario: Scenario): FltmcCommand {
  let filter = text(step, 'filter')
  let module: FilterModule | undefined
  const modulePath = text(step, 'module')
  if (modulePath !== undefined) {
    module = loadedFilterModule(filterModulePath(scenario, { module: modulePath }))
    if (!module) throw new Error(`the filter module ${modulePath} was not loaded before the run (the host imports it with preloadScenarioFilters)`)
    filter ??= module.NAME
  }
  if (filter === undefined) throw new Error(`needs args: { filter: <name> }${modulePath === undefined && step.command === 'load' ? ' (or module: <file>)' : ''}`)
  const altitude = text(step, 'altitude')
  const volume = text(step, 'volume')
  const instance = text(step, 'instance')
  const parameters = parametersOf(step.args['parameters'])
  return {
    command: step.command as FltmcCommand['command'],
    filter,
    ...(module ? { module } : {}),
    ...(altitude !== undefined ? { altitude } : {}),
    ...(volume !== undefined ? { volume } : {}),
    ...(instance !== undefined ? { instance } : {}),
    ...(parameters ? { parameters } : {}),
  }
}

export function* runFltmcStep(ctx: RunContext, step: FltmcStep, scenario: Scenario): Co<ApiStepOutcome> {
  const machine = ctx.machine
  const fail = (message: string): ApiStepOutcome => ({ ok: false, message: `fltmc ${step.command}: ${message}` })
  const unknown = Object.keys(step.args).filter((k) => !PARAMS[step.command].includes(k))
  if (unknown.length > 0) return fail(`unknown argument${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (fltmc ${step.command} takes ${PARAMS[step.command].join(', ') || 'none'})`)

  if (step.command === 'filters' || step.command === 'instances') {
    let output: { [k: string]: unknown }
    try {
      output =
        step.command === 'filters'
          ? { Filters: machine.fltmc.filters().map((f) => ({ Name: f.name, NumInstances: f.instances, Altitude: f.altitude, Frame: f.frame })) }
          : {
              Instances: machine.fltmc.instances(text(step, 'volume')).map((i) => ({ Filter: i.filter, Volume: i.volume, Altitude: i.altitude, Instance: i.instance, Frame: i.frame })),
            }
    } catch (e) {
      return fail((e as Error).message)
    }
    const m = matchStepExpect(step.expect, { status: 0, output })
    return m.ok ? { ok: true } : fail(m.mismatches.join('; '))
  }

  let command: FltmcCommand
  try {
    command = commandOf(step, scenario)
  } catch (e) {
    return fail((e as Error).message)
  }
  const r = yield* machine.fltmc.command(command)
  if (step.expect) {
    const m = matchStepExpect(step.expect, { status: r.status })
    return m.ok ? { ok: true } : fail(`${m.mismatches.join('; ')}${r.message ? ` (${r.message})` : ''}`)
  }
  return r.status === 0 ? { ok: true } : fail(`${statusName(r.status)}${r.message ? `: ${r.message}` : ''}`)
}
