// `npm start`: build if needed, then open the Electron app; where Electron cannot run (no
// binary and no way to download it, or no display), serve the same app to a browser.

import { spawn } from 'node:child_process'
import { UsageError, flagSwitch, parseArgs, usageText } from '../cli/args.ts'
import type { CommandSpec } from '../cli/args.ts'
import { CliError } from '../cli/command.ts'
import type { CliIO } from '../cli/command.ts'
import { runWebHost } from '../cli/commands/web.ts'
import { ensureBuilt } from './build.ts'
import { findElectron, obtainElectron } from './electron-binary.ts'
import { projectRoot } from './paths.ts'

const spec: CommandSpec = {
  name: 'start',
  summary: 'Builds Altitude if needed and opens it: in Electron where Electron can run, otherwise in a browser through the web host.',
  synopsis: 'start [--web] [--no-open]',
  positionals: { label: '', min: 0, max: 0, description: '' },
  flags: [
    { name: 'web', description: 'serve to a browser even where Electron could run' },
    { name: 'no-open', description: 'in the browser fallback, do not open a browser' },
  ],
}

function hasDisplay(env: NodeJS.ProcessEnv): boolean {
  if (process.platform !== 'linux') return true
  return Boolean(env['DISPLAY'] || env['WAYLAND_DISPLAY'])
}

/** Why Electron cannot be used here, or the binary to run. */
async function electronOrReason(env: NodeJS.ProcessEnv): Promise<{ path: string } | { why: string }> {
  const display = hasDisplay(env)
  // only download the binary when it could be shown
  const binary = display ? await obtainElectron(projectRoot) : findElectron(projectRoot, env)
  if (binary.ok && display) return { path: binary.path }
  const reasons: string[] = []
  if (!binary.ok) reasons.push(binary.why)
  if (!display) reasons.push('there is no display to show a window on (DISPLAY is not set)')
  return { why: reasons.join(', and ') }
}

function runElectron(binary: string, io: CliIO): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(binary, [projectRoot], { cwd: projectRoot, stdio: 'inherit', env: io.env })
    void io.interrupted.then(() => child.kill('SIGTERM'))
    child.on('error', (err) => {
      io.err(`Electron could not be started: ${err.message}\n`)
      resolve(1)
    })
    child.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGTERM' ? 0 : 1)))
  })
}

export async function start(argv: readonly string[], io: CliIO): Promise<number> {
  try {
    const parsed = parseArgs(spec, argv)
    if (parsed.kind === 'help') {
      io.out(usageText(spec).replace('altitude start', 'npm start --'))
      return 0
    }
    const forceWeb = flagSwitch(parsed.args, 'web')
    const open = !flagSwitch(parsed.args, 'no-open')
    await ensureBuilt(projectRoot, (line) => io.err(`${line}\n`))
    const electron = forceWeb ? { why: 'the browser was asked for (--web)' } : await electronOrReason(io.env)
    if ('path' in electron) return await runElectron(electron.path, io)
    return await runWebHost({ port: 0, open, built: true, preface: `Electron is not used: ${electron.why}; serving Altitude to a browser instead.` }, io)
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`npm start: ${err.message} (see npm start -- --help)\n`)
      return 2
    }
    if (err instanceof CliError) {
      io.err(`npm start: ${err.message}\n`)
      return 2
    }
    io.err(`npm start: ${err instanceof Error ? err.message : String(err)}\n`)
    return 1
  }
}

export async function startProcess(argv: readonly string[]): Promise<number> {
  let onSignal: () => void = () => undefined
  const interrupted = new Promise<void>((resolve) => {
    onSignal = () => resolve()
  })
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  return start(argv, {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    interrupted,
  })
}
