// altitude fltmc [COMMAND [ARGS...]] [--scenario FILE] [--seed N] [--altitude A] [--instance I] [--volume V]
//
// fltmc.exe for an emulated machine: the machine is the one a scenario leaves behind (its
// volume, its `filters:`, its steps — `fltmc:` steps included), or a fresh one with an empty C:.
// The command runs on it and prints what fltmc prints. The machine lives as long as the command,
// so a load, attach, detach or unload is followed by the instances listing it leaves.

import { readFileSync } from 'node:fs'
import { extname } from 'node:path'
import { pathToFileURL } from 'node:url'
import { flagString } from '../args.ts'
import type { CommandSpec, ParsedArgs } from '../args.ts'
import { CliError } from '../command.ts'
import type { CliIO, Command } from '../command.ts'
import { existingFile, parseInteger } from '../values.ts'
import { parseScenario, ScenarioError } from '../../../kernel/scenario/index.ts'
import { FilterModuleError, preloadScenarioFilters, runScenario } from '../../../kernel/scenario/runner/index.ts'
import type { Machine } from '../../../kernel/machine.ts'
import type { FilterModule } from '../../../kernel/flt/manager.ts'
import type { FltmcResult } from '../../../kernel/flt/fltmc.ts'
import { filtersTable, instancesTable, failureText } from './fltmc-text.ts'

const COMMANDS = ['filters', 'instances', 'load', 'unload', 'attach', 'detach'] as const
type FltmcName = (typeof COMMANDS)[number]

const spec: CommandSpec = {
  name: 'fltmc',
  summary:
    "fltmc for an emulated machine: lists filters and instances, loads, unloads, attaches and detaches minifilters on the machine a scenario leaves behind (or a fresh one) and prints what fltmc.exe prints.",
  synopsis: 'fltmc [filters|instances|load|unload|attach|detach] [NAME] [VOLUME] [--scenario FILE] [--seed N] [--altitude A] [--instance I] [--volume V]',
  positionals: { label: 'COMMAND', min: 0, max: 3, description: 'the fltmc command (default filters), then the filter name (a built-in, or a module file for load) and the volume' },
  flags: [
    { name: 'scenario', value: 'FILE', description: 'run this scenario first (volume, filters, steps); the command runs on the machine it leaves' },
    { name: 'seed', value: 'N', description: "the scheduler's seed for the scenario (default: the scenario's)" },
    { name: 'altitude', value: 'A', description: 'load, attach: the altitude (default: the filter\'s INF)' },
    { name: 'instance', value: 'I', description: 'attach, detach: the instance name (default: the filter\'s default instance)' },
    { name: 'volume', value: 'V', description: 'instances: only this volume\'s (C:, D:)' },
  ],
  notes: [
    'Examples: altitude fltmc; altitude fltmc load passthrough --altitude 370030; altitude fltmc instances --scenario fixtures/filters/minispy.yaml; altitude fltmc attach passthrough D: --altitude 385100 --instance High --scenario s.yaml',
    'A module file (NAME ending in .ts or .js) is imported and loaded under its NAME export.',
    'Exit codes: 0 the command succeeded, 1 fltmc reported a failure, 2 bad input.',
  ],
}

interface FltmcRequest {
  command: FltmcName
  name: string | undefined
  volume: string | undefined
  altitude: string | undefined
  instance: string | undefined
  scenarioFile: string | undefined
  seed: number | undefined
}

function readRequest(args: ParsedArgs, cwd: string): FltmcRequest {
  const [first, name, volume] = args.positionals
  const command = (first ?? 'filters').toLowerCase()
  if (!(COMMANDS as readonly string[]).includes(command)) throw new CliError(`unknown fltmc command "${first}" (commands: ${COMMANDS.join(', ')})`)
  const needsName = command !== 'filters' && command !== 'instances'
  if (needsName && name === undefined) throw new CliError(`fltmc ${command} needs a filter name`)
  if (!needsName && name !== undefined) throw new CliError(`fltmc ${command} takes no filter name (found "${name}")`)
  if ((command === 'attach' || command === 'detach') && volume === undefined) throw new CliError(`fltmc ${command} needs a volume (C: or D:)`)
  if ((command === 'load' || command === 'unload') && volume !== undefined) throw new CliError(`fltmc ${command} takes no volume (found "${volume}")`)
  const altitude = flagString(args, 'altitude')
  if (altitude !== undefined && !/^\d+(\.\d+)?$/.test(altitude)) throw new CliError(`--altitude: "${altitude}" is not an altitude (a decimal number such as 370030 or 385201.5)`)
  const seedText = flagString(args, 'seed')
  const scenario = flagString(args, 'scenario')
  return {
    command: command as FltmcName,
    name,
    volume: volume ?? flagString(args, 'volume'),
    altitude,
    instance: flagString(args, 'instance'),
    scenarioFile: scenario === undefined ? undefined : existingFile(scenario, cwd, 'scenario file'),
    seed: seedText === undefined ? undefined : parseInteger(seedText, '--seed', 0, 0xffff_ffff),
  }
}

/** a filter module named on the command line, imported before the machine starts */
async function importModule(path: string, cwd: string): Promise<FilterModule> {
  const file = existingFile(path, cwd, 'filter module')
  let mod: unknown
  try {
    mod = await import(pathToFileURL(file).href)
  } catch (e) {
    throw new CliError(`cannot load the filter module ${path}: ${(e as Error).message}`)
  }
  if (typeof mod !== 'object' || mod === null || typeof (mod as { DriverEntry?: unknown }).DriverEntry !== 'function') {
    throw new CliError(`${path} does not export a DriverEntry function`)
  }
  return mod as FilterModule
}

const EMPTY_SCENARIO = 'name: fltmc\nsteps: []\n'

export const fltmcCommand: Command = {
  spec,
  async run(args: ParsedArgs, io: CliIO): Promise<number> {
    const req = readRequest(args, io.cwd)
    const isModule = req.command === 'load' && req.name !== undefined && ['.ts', '.js', '.mjs'].includes(extname(req.name).toLowerCase())
    const module = isModule ? await importModule(req.name!, io.cwd) : undefined
    if (module && !module.INF && req.altitude === undefined) throw new CliError(`${req.name} has no INF export with its instances' altitudes; give --altitude`)
    let scenario
    try {
      scenario = req.scenarioFile ? parseScenario(readFileSync(req.scenarioFile, 'utf8'), req.scenarioFile) : parseScenario(EMPTY_SCENARIO, 'fltmc')
    } catch (e) {
      if (e instanceof ScenarioError) throw new CliError(e.message)
      throw e
    }
    try {
      await preloadScenarioFilters(scenario)
    } catch (e) {
      if (e instanceof FilterModuleError) throw new CliError(e.message)
      throw e
    }
    let code = 0
    const report = runScenario(scenario, {
      ...(req.seed !== undefined ? { seed: req.seed } : {}),
      onMachine: (machine) => {
        code = execute(machine, req, module, io)
      },
    })
    if (report.failures.length > 0) {
      io.err(`the scenario did not run cleanly (${report.failed} failed); the machine it left is what fltmc sees:\n`)
      for (const f of report.failures) io.err(`  ${f.where}: ${f.message}\n`)
    }
    return code
  },
}

function execute(machine: Machine, req: FltmcRequest, module: FilterModule | undefined, io: CliIO): number {
  if (machine.state === 'bugchecked') {
    io.err(`the machine stopped with a bug check: ${machine.info().bugcheck?.message ?? ''}\n`)
    return 1
  }
  const fltmc = machine.fltmc
  if (req.command === 'filters') {
    io.out(filtersTable(fltmc.filters()))
    return 0
  }
  if (req.command === 'instances') {
    io.out(instancesTable(fltmc.instances(req.volume)))
    return 0
  }
  const name = req.name!
  let r: FltmcResult
  switch (req.command) {
    case 'load':
      r = fltmc.load(module ?? name, req.altitude, module ? { name: (module.NAME ?? name).toLowerCase() } : {})
      break
    case 'unload':
      r = fltmc.unload(name)
      break
    case 'attach':
      r = fltmc.attach(name, req.volume!, req.altitude, req.instance)
      break
    default:
      r = fltmc.detach(name, req.volume!, req.instance)
  }
  if (r.status !== 0) {
    io.err(failureText(req.command, r))
    return 1
  }
  io.out(instancesTable(fltmc.instances()))
  return 0
}
