// altitude check IMAGE

import type { CommandSpec, ParsedArgs } from '../args.ts'
import { runCheck } from '../../../kernel/fs/ntfs/disk/check/index.ts'
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
    const image = existingFile(args.positionals[0] as string, io.cwd, 'IMAGE')
    const r = runCheck(image)
    for (const line of r.lines) (r.exitCode === 2 ? io.err : io.out)(`${r.exitCode === 2 ? 'altitude check: ' : ''}${line}\n`)
    return r.exitCode
  },
}
