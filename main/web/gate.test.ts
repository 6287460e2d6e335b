import { describe, expect, it } from 'vitest'
import { checkPage, checkSocket } from './gate.ts'
import { newToken, tokenMatches } from './token.ts'

const gate = { port: 4321, token: 'secret-token-abc' }
const good = { host: '127.0.0.1:4321', origin: 'http://127.0.0.1:4321' }

describe('token', () => {
  it('is random per call and url-safe', () => {
    const a = newToken()
    const b = newToken()
    expect(a).not.toBe(b)
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/)
  })
  it('matches only the exact token', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true)
    expect(tokenMatches('abc', 'abd')).toBe(false)
    expect(tokenMatches('abc', 'abcd')).toBe(false)
    expect(tokenMatches('abc', '')).toBe(false)
    expect(tokenMatches('abc', null)).toBe(false)
  })
})

describe('checkSocket', () => {
  it('accepts the app page origin with the token', () => {
    expect(checkSocket('/api?token=secret-token-abc', good, gate)).toEqual({ ok: true })
  })
  it.each([
    ['a missing token', '/api', good, 403, 'missing token'],
    ['an empty token', '/api?token=', good, 403, 'missing token'],
    ['a wrong token', '/api?token=secret-token-abd', good, 403, 'wrong token'],
    ['a foreign Origin', '/api?token=secret-token-abc', { ...good, origin: 'http://evil.example' }, 403, 'foreign Origin http://evil.example'],
    ['another local port as Origin', '/api?token=secret-token-abc', { ...good, origin: 'http://127.0.0.1:9999' }, 403, 'foreign Origin http://127.0.0.1:9999'],
    ['localhost as Origin', '/api?token=secret-token-abc', { ...good, origin: 'http://localhost:4321' }, 403, 'foreign Origin http://localhost:4321'],
    ['no Origin', '/api?token=secret-token-abc', { host: good.host }, 403, 'missing Origin'],
    ['a rebinding Host', '/api?token=secret-token-abc', { ...good, host: 'attacker.example:4321' }, 403, 'requests must be addressed to 127.0.0.1:4321'],
    ['another path', '/other?token=secret-token-abc', good, 404, 'no socket at /other'],
  ])('refuses %s', (_name, url, headers, status, reason) => {
    expect(checkSocket(url, headers, gate)).toEqual({ ok: false, status, reason })
  })
})

describe('checkPage', () => {
  it('needs the token and the right Host', () => {
    expect(checkPage('/?token=secret-token-abc', { host: good.host }, gate)).toEqual({ ok: true })
    expect(checkPage('/', { host: good.host }, gate).ok).toBe(false)
    expect(checkPage('/?token=nope', { host: good.host }, gate).ok).toBe(false)
    expect(checkPage('/?token=secret-token-abc', { host: 'localhost:4321' }, gate).ok).toBe(false)
  })
})
