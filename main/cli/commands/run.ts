// altitude run FILE... [--seed N] [--trace OUT] [--format jsonl|csv|xml|json] [--keep-image DIR]

import { extname } from 'node:path'
import { flagString } from '../args.ts'
import type { CommandSpec, ParsedArgs } from '../args.ts'
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { basename, join } from 'node:path'
import { CliError } from '../command.ts'
import { parseScenario, ScenarioError } from '../../../kernel/scenario/index.ts'
import { joinSessions, runScenario, writeSession } from '../../../kernel/scenario/runner/index.ts'
import { FilterModuleError, preloadScenarioFilters } from '../../../kernel/scenario/runner/index.ts'
import type { CliIO, Command } from '../command.ts'
import { existingFile, folderPath, newFilePath, parseInteger } from '../values.ts'

export const TRACE_FORMATS = ['jsonl', 'csv', 'xml', 'json'] as const
export type TraceFormat = (typeof TRACE_FORMATS)[number]

const spec: CommandSpec = {
  name: 'run',
  summary:
    'Runs scenario files headless. Prints one line per failed expectation and a summary "N passed, N failed"; exits 0 only if every expectation held.',
  synopsis: 'run FILE... [--seed N] [--trace OUT] [--format jsonl|csv|xml|json] [--keep-image DIR]',
  positionals: { label: 'FILE', min: 1, max: Number.POSITIVE_INFINITY, description: 'scenario files (YAML), run one after another' },
  flags: [
    { name: 'seed', value: 'N', description: "the scheduler's seed (0–4294967295); overrides each scenario's seed" },
    { name: 'trace', value: 'OUT', description: 'write the whole trace to this file' },
    { name: 'format', value: 'FORMAT', choices: TRACE_FORMATS, description: 'trace format: jsonl, csv, xml or json (default: from OUT\'s extension, else jsonl)' },
    { name: 'keep-image', value: 'DIR', description: 'keep each run\'s volume image in this folder (NAME.img; D:, when the scenario uses it, as NAME-D.img)' },
  ],
  notes: ['Exit codes: 0 every expectation held, 1 some failed, 2 bad input (a missing file, a malformed scenario).'],
}

export interface RunRequest {
  files: string[]
  seed: number | undefined
  trace: { path: string; format: TraceFormat } | undefined
  keepImageDir: string | undefined
}

export function readRunArgs(args: ParsedArgs, cwd: string): RunRequest {
  const files = args.positionals.map((f) => existingFile(f, cwd, 'scenario file'))
  const seedText = flagString(args, 'seed')
  const seed = seedText === undefined ? undefined : parseInteger(seedText, '--seed', 0, 0xffff_ffff)
  const tracePath = flagString(args, 'trace')
  const formatText = flagString(args, 'format') as TraceFormat | undefined
  if (formatText !== undefined && tracePath === undefined) throw new CliError('--format applies to the trace file; give --trace OUT as well')
  let trace: RunRequest['trace']
  if (tracePath !== undefined) {
    const ext = extname(tracePath).slice(1).toLowerCase()
    const fromExt = (TRACE_FORMATS as readonly string[]).includes(ext) ? (ext as TraceFormat) : undefined
    trace = { path: newFilePath(tracePath, cwd, 'the trace file', { mayExist: true }), format: formatText ?? fromExt ?? 'jsonl' }
  }
  const keep = flagString(args, 'keep-image')
  return { files, seed, trace, keepImageDir: keep === undefined ? undefined : folderPath(keep, cwd, '--keep-image') }
}

export const runCommand: Command = {
  spec,
  async run(args: ParsedArgs, io: CliIO): Promise<number> {
    const req = readRunArgs(args, io.cwd)
    // read and validate every file first: bad input is exit 2 before anything runs
    const scenarios = req.files.map((file) => {
      const text = readFileSync(file, 'utf8')
      try {
        return { file, text, scenario: parseScenario(text, file) }
      } catch (e) {
        if (e instanceof ScenarioError) throw new CliError(e.message)
        throw e
      }
    })
    // user filter modules (`filters: - module:`) are imported before anything runs
    for (const { scenario } of scenarios) {
      try {
        await preloadScenarioFilters(scenario)
      } catch (e) {
        if (e instanceof FilterModuleError) throw new CliError(e.message)
        throw e
      }
    }
    let passed = 0
    let failed = 0
    const traces: string[] = []
    for (const { text, scenario } of scenarios) {
      let volume
      if (req.keepImageDir) {
        mkdirSync(req.keepImageDir, { recursive: true })
        const image = join(req.keepImageDir, basename(scenario.file).replace(/\.ya?ml$/i, '') + '.img')
        const sizeBytes = Number(scenario.volume.size ?? 64n * 1024n * 1024n)
        volume = () => ({ kind: 'image' as const, path: image, format: { sizeBytes, label: scenario.volume.label } })
      }
      const report = runScenario(scenario, { seed: req.seed, ...(volume ? { volume } : {}) })
      for (const f of report.failures) io.out(`${f.where}: ${f.message}\n`)
      passed += report.passed
      failed += report.failed
      if (req.trace) traces.push(writeSession(report, text, req.trace.format))
    }
    if (req.trace) writeFileSync(req.trace.path, joinSessions(traces, req.trace.format))
    io.out(`${passed} passed, ${failed} failed\n`)
    return failed === 0 ? 0 : 1
  },
}
