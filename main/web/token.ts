// The per-run secret that a browser must present to use the web host: it is part of the URL
// the host prints, and nothing else on the machine can learn it.

import { randomBytes, timingSafeEqual } from 'node:crypto'

export function newToken(): string {
  return randomBytes(24).toString('base64url')
}

/** Constant-time comparison; a missing or differently sized token never matches. */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string' || given.length === 0) return false
  const a = Buffer.from(expected, 'utf8')
  const b = Buffer.from(given, 'utf8')
  if (a.length !== b.length) return false
  return timingSafeEqual(a, b)
}
