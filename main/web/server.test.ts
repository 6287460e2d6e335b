// The web host over real HTTP and WebSocket on 127.0.0.1 (a random port). The session is not
// started here: these tests are about who may connect and what goes over the wire.

import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { Session } from '../host/session.ts'
import { startWebHost } from './server.ts'
import type { WebHost } from './server.ts'

const renderer = mkdtempSync(join(tmpdir(), 'altitude-renderer-'))
mkdirSync(join(renderer, 'assets'))
writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Altitude</title>')
writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)')

let host: WebHost
let session: Session
const logged: string[] = []

beforeAll(async () => {
  session = new Session({ log: (l) => logged.push(l) })
  host = await startWebHost({ session, rendererDir: renderer, log: (l) => logged.push(l) })
})

afterAll(async () => {
  await host.close()
  await session.close()
})

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, headers }, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

type Inbox = { ws: WebSocket; queue: Record<string, unknown>[]; wake: (() => void) | undefined }

/** Opens a socket; resolves 'open' or the HTTP status the upgrade was refused with. */
function connect(url: string, origin: string | undefined): Promise<{ outcome: 'open'; ws: Inbox } | { outcome: 'refused'; status: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, origin === undefined ? {} : { origin })
    // collect from the start: the host speaks first, possibly in the same packet as the upgrade
    const inbox: Inbox = { ws, queue: [], wake: undefined }
    ws.on('message', (data: WebSocket.RawData) => {
      inbox.queue.push(JSON.parse(data.toString()) as Record<string, unknown>)
      inbox.wake?.()
    })
    ws.on('open', () => resolve({ outcome: 'open', ws: inbox }))
    ws.on('unexpected-response', (_req, res) => {
      resolve({ outcome: 'refused', status: res.statusCode ?? 0 })
      res.resume()
    })
    ws.on('error', () => resolve({ outcome: 'refused', status: 0 }))
  })
}

async function nextMessage(inbox: Inbox, accept: (m: Record<string, unknown>) => boolean = () => true): Promise<Record<string, unknown>> {
  for (;;) {
    const m = inbox.queue.shift()
    if (m !== undefined) {
      if (accept(m)) return m
      continue
    }
    await new Promise<void>((resolve) => (inbox.wake = resolve))
  }
}

describe('web host', () => {
  it('listens on 127.0.0.1 only and prints a URL with a token', () => {
    expect(host.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${host.port}/\\?token=[A-Za-z0-9_-]{32}$`))
  })

  it('serves the page only with the token, with a CSP and no referrer', async () => {
    const ok = await get(`/?token=${host.token}`, { host: `127.0.0.1:${host.port}` })
    expect(ok.status).toBe(200)
    expect(ok.body).toContain('<title>Altitude</title>')
    expect(ok.headers['content-security-policy']).toContain("script-src 'self'")
    expect(ok.headers['content-security-policy']).toContain("frame-ancestors 'none'")
    expect(ok.headers['referrer-policy']).toBe('no-referrer')
    expect((await get('/')).status).toBe(403)
    expect((await get('/?token=wrong')).status).toBe(403)
    expect((await get(`/?token=${host.token}`, { host: `localhost:${host.port}` })).status).toBe(403)
  })

  it('serves static assets, nothing outside the renderer', async () => {
    const asset = await get('/assets/app.js')
    expect(asset.status).toBe(200)
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect((await get('/../../etc/passwd')).status).toBe(404)
    expect((await get('/index.html')).status).toBe(403)
  })

  it('refuses a socket with a missing or wrong token, a foreign or missing Origin', async () => {
    const api = `ws://127.0.0.1:${host.port}/api`
    expect(await connect(api, host.origin)).toEqual({ outcome: 'refused', status: 403 })
    expect(await connect(`${api}?token=nope`, host.origin)).toEqual({ outcome: 'refused', status: 403 })
    expect(await connect(`${api}?token=${host.token}`, 'http://evil.example')).toEqual({ outcome: 'refused', status: 403 })
    expect(await connect(`${api}?token=${host.token}`, undefined)).toEqual({ outcome: 'refused', status: 403 })
    expect(await connect(`ws://127.0.0.1:${host.port}/other?token=${host.token}`, host.origin)).toEqual({ outcome: 'refused', status: 404 })
    expect(logged.some((l) => l.includes('refused a socket: wrong token'))).toBe(true)
  })

  it('serves the contract to an authorised socket and survives malformed messages', async () => {
    const r = await connect(`ws://127.0.0.1:${host.port}/api?token=${host.token}`, host.origin)
    if (r.outcome !== 'open') throw new Error('the socket was refused')
    const inbox = r.ws
    const ws = inbox.ws
    const first = await nextMessage(inbox)
    expect(first).toMatchObject({ event: 'machine.state', data: { worker: 'starting', machine: null } })

    const reply = (m: Record<string, unknown>): boolean => 'id' in m
    ws.send('{not json')
    expect(await nextMessage(inbox, reply)).toEqual({ id: null, error: { code: 'bad-message', message: 'the message is not valid JSON' } })
    ws.send(JSON.stringify({ id: 1, method: 'machine.levitate' }))
    expect(await nextMessage(inbox, reply)).toEqual({ id: 1, error: { code: 'unknown-method', message: 'unknown method "machine.levitate"' } })
    ws.send(JSON.stringify({ id: 2, method: 'machine.restart', params: { seed: -1 } }))
    expect(await nextMessage(inbox, reply)).toMatchObject({ id: 2, error: { code: 'invalid-params' } })
    ws.send(Buffer.from([1, 2, 3]), { binary: true })
    expect(await nextMessage(inbox, reply)).toMatchObject({ id: null, error: { code: 'bad-message' } })
    ws.send(JSON.stringify({ id: 3, method: 'debug.fault', params: { kind: 'hang' } }))
    expect(await nextMessage(inbox, reply)).toMatchObject({ id: 3, error: { code: 'debug-disabled' } })
    // still serving after all of that
    ws.send(JSON.stringify({ id: 4, method: 'machine.info' }))
    expect(await nextMessage(inbox, reply)).toEqual({ id: 4, result: { generation: 0, worker: 'starting', machine: null } })
    ws.close()
  })
})
