// altitude web [--port P] [--no-open]

import { flagString, flagSwitch } from '../args.ts'
import type { CommandSpec, ParsedArgs } from '../args.ts'
import { CliError } from '../command.ts'
import type { CliIO, Command } from '../command.ts'
import { parseInteger } from '../values.ts'
import { ensureBuilt } from '../../launch/build.ts'
import { openBrowser } from '../../launch/browser.ts'
import { projectRoot, rendererDir } from '../../launch/paths.ts'
import { serveWeb } from '../../web/serve.ts'
import { sessionOptionsFromEnv } from '../../host/session.ts'

const spec: CommandSpec = {
  name: 'web',
  summary: 'Serves the app to a browser on this machine (127.0.0.1 only) and prints its URL. The URL carries a token made for this run; the app refuses connections without it.',
  synopsis: 'web [--port P] [--no-open]',
  positionals: { label: '', min: 0, max: 0, description: '' },
  flags: [
    { name: 'port', value: 'P', description: 'the TCP port (default: any free port)' },
    { name: 'no-open', description: 'do not open a browser' },
  ],
  notes: ['Builds the app first if the build is missing or older than the sources. Stop with Ctrl+C.'],
}

export interface WebRunOptions {
  port: number
  open: boolean
  /** one line printed before the URL (npm start's reason for not using Electron) */
  preface?: string
  /** the caller has just made sure the build is fresh */
  built?: boolean
}

/** Runs the web host until interrupted. Shared with `npm start`'s browser fallback. */
export async function runWebHost(opts: WebRunOptions, io: CliIO): Promise<number> {
  if (opts.built !== true) await ensureBuilt(projectRoot, (line) => io.err(`${line}\n`))
  let serving
  try {
    serving = await serveWeb({
      rendererDir: rendererDir(),
      port: opts.port,
      session: sessionOptionsFromEnv(io.env),
      log: (line) => io.err(`${line}\n`),
    })
  } catch (err) {
    const code = (err as { code?: unknown }).code
    if (code === 'EADDRINUSE') throw new CliError(`port ${opts.port} is in use; choose another with --port, or leave it out for a free one`)
    if (code === 'EACCES') throw new CliError(`port ${opts.port} may not be used by this user; choose another with --port`)
    throw err
  }
  if (opts.preface !== undefined) io.out(`${opts.preface}\n`)
  io.out(`Altitude is serving at ${serving.host.url}\n`)
  if (opts.open) {
    const opened = openBrowser(serving.host.url, io.env)
    io.out(opened.opened ? `Opened in your browser (${opened.via}).\n` : `Open that URL in a browser: none was opened because ${opened.why}.\n`)
  }
  io.out('Press Ctrl+C to stop.\n')
  const status = await Promise.race([serving.booted, io.interrupted.then(() => undefined)])
  if (status !== undefined && status.worker !== 'ready') io.err(`altitude web: the machine did not boot: ${status.problem ?? status.worker}\n`)
  await io.interrupted
  await serving.close()
  return 0
}

export const webCommand: Command = {
  spec,
  async run(args: ParsedArgs, io: CliIO): Promise<number> {
    const portText = flagString(args, 'port')
    const port = portText === undefined ? 0 : parseInteger(portText, '--port', 0, 65535)
    return runWebHost({ port, open: !flagSwitch(args, 'no-open') }, io)
  },
}
