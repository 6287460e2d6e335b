// The web host: the built renderer over HTTP and the contract over a WebSocket, for a
// browser on this machine. Binds to 127.0.0.1 only; see gate.ts for who may connect.

import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { WebSocketServer } from 'ws'
import type { RawData, WebSocket } from 'ws'
import { errorReply } from '../host/api.ts'
import type { EventMessage } from '../host/api.ts'
import type { Session } from '../host/session.ts'
import { cspHeader } from '../security/csp.ts'
import { API_PATH, appOrigin, checkHost, checkPage, checkSocket } from './gate.ts'
import type { Gate, Verdict } from './gate.ts'
import { readStatic } from './static-files.ts'
import { newToken } from './token.ts'

export interface WebHostOptions {
  session: Session
  /** the built renderer (out/renderer) */
  rendererDir: string
  /** 0 (default) picks a free port */
  port?: number
  /** for tests; a fresh random token otherwise */
  token?: string
  log?: (line: string) => void
}

export interface WebHost {
  readonly port: number
  readonly token: string
  readonly origin: string
  /** the URL to open: the app page with this run's token */
  readonly url: string
  close(): Promise<void>
}

const MAX_MESSAGE_BYTES = 1024 * 1024

const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  // the token is in the page URL: never send it anywhere as a referrer
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
}

function refusePage(res: ServerResponse, verdict: Extract<Verdict, { ok: false }>): void {
  const text =
    verdict.status === 403
      ? `Altitude: access refused (${verdict.reason}).\nOpen the full URL that \`altitude web\` or \`npm start\` printed; it carries this run's token.\n`
      : `Altitude: ${verdict.reason}\n`
  res.writeHead(verdict.status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' })
  res.end(text)
}

function refuseUpgrade(socket: Duplex, verdict: Extract<Verdict, { ok: false }>): void {
  const reason = verdict.reason.replace(/[^\x20-\x7e]/g, '?')
  const phrase = verdict.status === 403 ? 'Forbidden' : verdict.status === 404 ? 'Not Found' : 'Bad Request'
  socket.end(
    `HTTP/1.1 ${verdict.status} ${phrase}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
  )
  socket.destroy()
}

export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const { session, rendererDir } = opts
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(`the renderer is not built: ${join(rendererDir, 'index.html')} is missing (run npm run build)`)
  }
  const gate: Gate = { port: 0, token: opts.token ?? newToken() }
  const sockets = new Set<WebSocket>()

  const server = createServer((req, res) => {
    void serveHttp(req, res).catch((err: unknown) => {
      log(`altitude web: ${req.method ?? '?'} ${req.url ?? '?'} failed: ${err instanceof Error ? err.message : String(err)}`)
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' })
      res.end('Altitude: internal error\n')
    })
  })

  async function serveHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = checkHost(req.headers, gate)
    if (!host.ok) return refusePage(res, host)
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...SECURITY_HEADERS, Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' })
      res.end('Altitude: only GET and HEAD are served\n')
      return
    }
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    if (path === '/' || path === '/index.html') {
      const verdict = checkPage(req.url, req.headers, gate)
      if (!verdict.ok) return refusePage(res, verdict)
      const page = await readStatic(rendererDir, 'index.html')
      if (page === undefined) return refusePage(res, { ok: false, status: 404, reason: 'index.html is missing; rebuild the renderer' })
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': page.type,
        'Content-Security-Policy': cspHeader(),
        'Cache-Control': 'no-store',
      })
      res.end(req.method === 'HEAD' ? undefined : page.body)
      return
    }
    if (path === API_PATH) return refusePage(res, { ok: false, status: 400, reason: 'the API is a WebSocket' })
    const file = await readStatic(rendererDir, path)
    if (file === undefined || file.type.startsWith('text/html')) {
      return refusePage(res, { ok: false, status: 404, reason: `not found: ${path}` })
    }
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': file.type, 'Cache-Control': 'no-cache' })
    res.end(req.method === 'HEAD' ? undefined : file.body)
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const verdict = checkSocket(req.url, req.headers, gate)
    if (!verdict.ok) {
      log(`altitude web: refused a socket: ${verdict.reason}`)
      refuseUpgrade(socket, verdict)
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws))
  })

  function send(ws: WebSocket, message: unknown): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message))
  }

  function accept(ws: WebSocket): void {
    sockets.add(ws)
    ws.on('close', () => sockets.delete(ws))
    ws.on('error', () => sockets.delete(ws))
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        send(ws, errorReply(null, 'bad-message', 'messages must be JSON text, not binary'))
        return
      }
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8')
      void session.handle(text).then((reply) => send(ws, reply))
    })
    send(ws, { event: 'machine.state', data: session.current() } satisfies EventMessage)
  }

  const unsubscribe = session.onEvent((message) => {
    const text = JSON.stringify(message)
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text)
  })

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolveListen()
    })
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('the web host did not get a TCP port')
  gate.port = address.port
  const origin = appOrigin(gate.port)

  return {
    port: gate.port,
    token: gate.token,
    origin,
    url: `${origin}/?token=${gate.token}`,
    async close() {
      unsubscribe()
      for (const ws of sockets) ws.terminate()
      wss.close()
      await new Promise<void>((done) => {
        server.close(() => done())
        server.closeAllConnections()
      })
    },
  }
}
