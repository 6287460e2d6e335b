// What every `altitude` subcommand provides: its spec (usage, flags) and what it does.

import type { CommandSpec, ParsedArgs } from './args.ts'

export interface CliIO {
  out(text: string): void
  err(text: string): void
  env: NodeJS.ProcessEnv
  cwd: string
  /** resolves when the user asks a long-running command to stop (Ctrl+C) */
  interrupted: Promise<void>
}

export interface Command {
  spec: CommandSpec
  /** returns the exit code; throws UsageError or CliError for a one-line message and exit 2 */
  run(args: ParsedArgs, io: CliIO): Promise<number>
}

/** Bad input that is not a usage mistake (a missing file, a bad value): one line, exit 2. */
export class CliError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CliError'
  }
}

/**
 * A command whose engine is not in this build yet. This is the one place that says so; when
 * the engine lands, the command calls it instead of this.
 */
export function engineMissing(io: CliIO, command: string, what: string): number {
  io.err(`altitude ${command}: ${what} is not available in this build yet\n`)
  return 2
}
