// A session plus the web host serving it: what `altitude web` and the browser fallback of
// `npm start` run.

import { Session } from '../host/session.ts'
import type { SessionOptions } from '../host/session.ts'
import type { MachineStatus } from '../host/api.ts'
import { startWebHost } from './server.ts'
import type { WebHost } from './server.ts'

export interface ServeOptions {
  rendererDir: string
  port?: number
  session?: SessionOptions
  token?: string
  log?: (line: string) => void
}

export interface Serving {
  host: WebHost
  session: Session
  /** resolves once the first machine booted (or failed to) */
  booted: Promise<MachineStatus>
  close(): Promise<void>
}

export async function serveWeb(opts: ServeOptions): Promise<Serving> {
  const session = new Session({ ...opts.session, ...(opts.log ? { log: opts.log } : {}) })
  let host: WebHost
  try {
    host = await startWebHost({
      session,
      rendererDir: opts.rendererDir,
      ...(opts.port !== undefined ? { port: opts.port } : {}),
      ...(opts.token !== undefined ? { token: opts.token } : {}),
      ...(opts.log ? { log: opts.log } : {}),
    })
  } catch (err) {
    await session.close()
    throw err
  }
  const booted = session.start()
  return {
    host,
    session,
    booted,
    async close() {
      await host.close()
      await session.close()
    },
  }
}
