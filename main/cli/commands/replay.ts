// altitude replay TRACE

import type { CommandSpec, ParsedArgs } from '../args.ts'
import { engineMissing } from '../command.ts'
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
    existingFile(args.positionals[0] as string, io.cwd, 'TRACE')
    return engineMissing(io, 'replay', 'trace replay')
  },
}
