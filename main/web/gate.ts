// Who may use the web host. It listens on 127.0.0.1 only, and on top of that:
// - the Host header must name 127.0.0.1 and the port (a DNS-rebinding page sends its own name);
// - the app page and the API socket need this run's token (?token=…);
// - the API socket also needs the Origin of the app page itself, so a page from anywhere else
//   (another site, another local server) cannot drive the machine even if it learnt the token.

import type { IncomingHttpHeaders } from 'node:http'
import { tokenMatches } from './token.ts'

export const API_PATH = '/api'

export interface Gate {
  port: number
  token: string
}

export type Verdict = { ok: true } | { ok: false; status: 400 | 403 | 404; reason: string }

export function appOrigin(port: number): string {
  return `http://127.0.0.1:${port}`
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

function parse(url: string | undefined): URL | undefined {
  try {
    return new URL(url ?? '/', 'http://127.0.0.1')
  } catch {
    return undefined
  }
}

export function hostAllowed(headers: IncomingHttpHeaders, port: number): boolean {
  return single(headers.host) === `127.0.0.1:${port}`
}

/** For any HTTP request: the Host check. */
export function checkHost(headers: IncomingHttpHeaders, gate: Gate): Verdict {
  if (hostAllowed(headers, gate.port)) return { ok: true }
  return { ok: false, status: 403, reason: `requests must be addressed to 127.0.0.1:${gate.port}` }
}

/** For the app page: Host and token. */
export function checkPage(url: string | undefined, headers: IncomingHttpHeaders, gate: Gate): Verdict {
  const host = checkHost(headers, gate)
  if (!host.ok) return host
  const parsed = parse(url)
  if (parsed === undefined) return { ok: false, status: 400, reason: 'malformed request URL' }
  if (!tokenMatches(gate.token, parsed.searchParams.get('token'))) {
    return { ok: false, status: 403, reason: 'this page needs the token from the URL that `altitude web` printed' }
  }
  return { ok: true }
}

/** For the WebSocket upgrade: path, Host, token and Origin. */
export function checkSocket(url: string | undefined, headers: IncomingHttpHeaders, gate: Gate): Verdict {
  const parsed = parse(url)
  if (parsed === undefined) return { ok: false, status: 400, reason: 'malformed request URL' }
  if (parsed.pathname !== API_PATH) return { ok: false, status: 404, reason: `no socket at ${parsed.pathname}` }
  const host = checkHost(headers, gate)
  if (!host.ok) return host
  const token = parsed.searchParams.get('token')
  if (token === null || token === '') return { ok: false, status: 403, reason: 'missing token' }
  if (!tokenMatches(gate.token, token)) return { ok: false, status: 403, reason: 'wrong token' }
  const origin = single(headers.origin)
  if (origin === undefined) return { ok: false, status: 403, reason: 'missing Origin' }
  if (origin !== appOrigin(gate.port)) return { ok: false, status: 403, reason: `foreign Origin ${origin}` }
  return { ok: true }
}
