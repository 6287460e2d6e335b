// Strict command-line parsing: every flag a command accepts is declared; anything else is a
// usage error reported in one line (exit code 2).

export interface FlagSpec {
  /** without dashes: `seed`, `no-open` */
  name: string
  /** the value's placeholder (`N`, `OUT`); a flag without one is a switch */
  value?: string
  /** allowed values, when the value is one of a fixed set */
  choices?: readonly string[]
  required?: boolean
  description: string
}

export interface CommandSpec {
  name: string
  summary: string
  /** the synopsis after `altitude `, e.g. `run FILE... [--seed N]` */
  synopsis: string
  positionals: { label: string; min: number; max: number; description: string }
  flags: readonly FlagSpec[]
  /** more paragraphs for --help */
  notes?: readonly string[]
}

export interface ParsedArgs {
  positionals: string[]
  /** flag name → value (switches map to true) */
  flags: Map<string, string | true>
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export type ParseOutcome = { kind: 'help' } | { kind: 'args'; args: ParsedArgs }

/** Parses `argv` (the words after the command name). Throws UsageError. */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParseOutcome {
  const positionals: string[] = []
  const flags = new Map<string, string | true>()
  let onlyPositionals = false
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string
    if (onlyPositionals || !word.startsWith('-') || word === '-') {
      positionals.push(word)
      continue
    }
    if (word === '--') {
      onlyPositionals = true
      continue
    }
    if (word === '--help' || word === '-h') return { kind: 'help' }
    if (!word.startsWith('--')) throw new UsageError(`unknown option ${word}`)
    const eq = word.indexOf('=')
    const name = eq === -1 ? word.slice(2) : word.slice(2, eq)
    const flag = spec.flags.find((f) => f.name === name)
    if (flag === undefined) throw new UsageError(`unknown option --${name}`)
    if (flags.has(name)) throw new UsageError(`--${name} is given more than once`)
    if (flag.value === undefined) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`)
      flags.set(name, true)
      continue
    }
    let value: string
    if (eq !== -1) {
      value = word.slice(eq + 1)
    } else {
      const next = argv[i + 1]
      if (next === undefined || (next.startsWith('--') && next.length > 2)) throw new UsageError(`--${name} needs a value (${flag.value})`)
      value = next
      i++
    }
    if (value === '') throw new UsageError(`--${name} needs a value (${flag.value})`)
    if (flag.choices !== undefined && !flag.choices.includes(value)) {
      throw new UsageError(`--${name} must be one of ${flag.choices.join(', ')}, not "${value}"`)
    }
    flags.set(name, value)
  }
  for (const flag of spec.flags) {
    if (flag.required === true && !flags.has(flag.name)) throw new UsageError(`--${flag.name} ${flag.value ?? ''} is required`.replace(/ +is/, ' is'))
  }
  const { min, max, label } = spec.positionals
  if (positionals.length < min) throw new UsageError(min === 1 ? `missing ${label}` : `needs at least ${min} ${label}`)
  if (positionals.length > max) {
    const extra = positionals[max] as string
    throw new UsageError(max === 0 ? `unexpected argument "${extra}"` : `unexpected extra argument "${extra}" (takes ${max === 1 ? `one ${label}` : `at most ${max}`})`)
  }
  return { kind: 'args', args: { positionals, flags } }
}

export function flagString(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name)
  return typeof v === 'string' ? v : undefined
}

export function flagSwitch(args: ParsedArgs, name: string): boolean {
  return args.flags.get(name) === true
}

/** Wraps text at `width` columns, each line prefixed with `indent`. */
export function wrap(text: string, width = 88, indent = ''): string {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/)) {
    if (word === '') continue
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line)
      line = word
    } else {
      line = line === '' ? word : `${line} ${word}`
    }
  }
  if (line !== '') lines.push(indent + line)
  return lines.join('\n')
}

/** The --help text of a command. */
export function usageText(spec: CommandSpec): string {
  const lines = [`Usage: altitude ${spec.synopsis}`, '', wrap(spec.summary), '']
  const rows: [string, string][] = []
  if (spec.positionals.max > 0) rows.push([spec.positionals.label, spec.positionals.description])
  for (const f of spec.flags) rows.push([`--${f.name}${f.value ? ` ${f.value}` : ''}`, f.description + (f.required === true ? ' (required)' : '')])
  rows.push(['-h, --help', 'show this help'])
  const width = Math.max(...rows.map(([a]) => a.length)) + 2
  lines.push('Arguments and options:')
  for (const [a, b] of rows) lines.push(`  ${a.padEnd(width)}${b}`)
  for (const note of spec.notes ?? []) lines.push('', wrap(note))
  return lines.join('\n') + '\n'
}
