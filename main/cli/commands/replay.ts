// altitude replay TRACE

import type { CommandSpec, ParsedArgs } from '../args.ts'
import { readFileSync } from 'node:fs'
import { CliError } from '../command.ts'
import { parseScenario, ScenarioError } from '../../../kernel/scenario/index.ts'
import { compareTraces, readSessions, runScenario, SessionFileError, type RecordedSession } from '../../../kernel/scenario/runner/index.ts'
import { FilterModuleError, preloadScenarioFilters } from '../../../kernel/scenario/runner/index.ts'
import type { CliIO, Command } from '../command.ts'
import { existingFile } from '../values.ts'

const spec: CommandSpec = {
  name: 'replay',
  summary: 'Re-runs a recorded session from its embedded scenario and seed and reports whether the new trace is identical.',
  synopsis: 'replay TRACE',
  positionals: { label: 'TRACE', min: 1, max: 1, description: 'a trace written by altitude run --trace' },
  flags: [],
  notes: ['Exit codes: 0 identical, 1 the traces differ (the first difference is printed), 2 bad input.'],
}

export const replayCommand: Command = {
  spec,
  async run(args: ParsedArgs, io: CliIO): Promise<number> {
    const path = existingFile(args.positionals[0] as string, io.cwd, 'TRACE')
    let sessions: RecordedSession[]
    try {
      sessions = readSessions(readFileSync(path, 'utf8'), path)
    } catch (e) {
      if (e instanceof SessionFileError) throw new CliError(e.message)
      throw e
    }
    let differing = 0
    for (const session of sessions) {
      let scenario
      try {
        scenario = parseScenario(session.header.scenario.text, session.header.scenario.file)
      } catch (e) {
        if (e instanceof ScenarioError) throw new CliError(`${path}: the embedded scenario is not valid: ${e.message}`)
        throw e
      }
      try {
        await preloadScenarioFilters(scenario)
      } catch (e) {
        if (e instanceof FilterModuleError) throw new CliError(e.message)
        throw e
      }
      const report = runScenario(scenario, { seed: session.header.seed })
      const diff = compareTraces(session.events, report.trace)
      if (diff === undefined) io.out(`${session.header.scenario.file}: identical (${report.trace.length} events, seed ${session.header.seed})\n`)
      else {
        differing++
        io.out(`${session.header.scenario.file}: the traces differ: ${diff}\n`)
      }
    }
    return differing === 0 ? 0 : 1
  },
}
