// altitude check IMAGE

import type { CommandSpec, ParsedArgs } from '../args.ts'
import { engineMissing } from '../command.ts'
import type { CliIO, Command } from '../command.ts'
import { existingFile } from '../values.ts'

const spec: CommandSpec = {
  name: 'check',
  summary: "Checks a volume image's consistency: exits 0 if it is clean, 1 with a list of problems otherwise.",
  synopsis: 'check IMAGE',
  positionals: { label: 'IMAGE', min: 1, max: 1, description: 'the NTFS volume image to check' },
  flags: [],
}

export const checkCommand: Command = {
  spec,
  async run(args: ParsedArgs, io: CliIO): Promise<number> {
    existingFile(args.positionals[0] as string, io.cwd, 'IMAGE')
    return engineMissing(io, 'check', 'the volume checker')
  },
}
