// The `altitude` command: dispatches to one module per subcommand (SCENARIOS.md §1).

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { UsageError, parseArgs, usageText, wrap } from './args.ts'
import { CliError } from './command.ts'
import type { CliIO, Command } from './command.ts'
import { checkCommand } from './commands/check.ts'
import { fltmcCommand } from './commands/fltmc.ts'
import { formatCommand } from './commands/format.ts'
import { replayCommand } from './commands/replay.ts'
import { runCommand } from './commands/run.ts'
import { webCommand } from './commands/web.ts'
import { projectRoot } from '../launch/paths.ts'

export const COMMANDS: readonly Command[] = [runCommand, webCommand, formatCommand, checkCommand, replayCommand, fltmcCommand]

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version?: string }
    return pkg.version ?? 'unknown'
  } catch {
    return 'unknown'
  }
}

export function topUsage(): string {
  const lines = [
    'Usage: altitude <command> [options]',
    '',
    "Altitude emulates a Windows machine's file-system stack (I/O manager, Filter Manager with",
    'minifilters, Cache Manager, NTFS) and records what every operation sends down it.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  altitude ${c.spec.synopsis}\n${wrap(c.spec.summary, 88, '      ')}`),
    '',
    'Run `altitude <command> --help` for a command\'s options. `altitude --version` prints the version.',
  ]
  return lines.join('\n') + '\n'
}

/** Runs the command line; returns the exit code. Never throws for bad input. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined) {
    io.err(topUsage())
    return 2
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(topUsage())
    return 0
  }
  if (name === '--version' || name === '-v') {
    io.out(`altitude ${version()}\n`)
    return 0
  }
  if (name.startsWith('-')) {
    io.err(`altitude: unknown option ${name} (see altitude --help)\n`)
    return 2
  }
  const command = COMMANDS.find((c) => c.spec.name === name)
  if (command === undefined) {
    io.err(`altitude: unknown command "${name}" (commands: ${COMMANDS.map((c) => c.spec.name).join(', ')}; see altitude --help)\n`)
    return 2
  }
  try {
    const parsed = parseArgs(command.spec, rest)
    if (parsed.kind === 'help') {
      io.out(usageText(command.spec))
      return 0
    }
    return await command.run(parsed.args, io)
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`altitude ${name}: ${err.message} (see altitude ${name} --help)\n`)
      return 2
    }
    if (err instanceof CliError) {
      io.err(`altitude ${name}: ${err.message}\n`)
      return 2
    }
    const text = err instanceof Error ? err.message : String(err)
    io.err(`altitude ${name}: ${text}\n`)
    return 1
  }
}

/** The process-level wrapper used by bin/altitude.mjs. */
export async function runCli(argv: readonly string[]): Promise<number> {
  let onSignal: () => void = () => undefined
  const interrupted = new Promise<void>((resolve) => {
    onSignal = () => resolve()
  })
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  const io: CliIO = {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    interrupted,
  }
  const code = await main(argv, io)
  process.off('SIGINT', onSignal)
  process.off('SIGTERM', onSignal)
  return code
}
