// The Content-Security-Policy of the renderer, one definition for both hosts: the web host
// sends it as a header, and the renderer's index.html carries it as a <meta> element (which
// is what applies under Electron's file:// load). Nothing inline, nothing remote: scripts,
// styles and connections come from the app's own origin only.

const COMMON = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  // 'self' also covers ws:// to the same host and port (CSP Level 3), which is how the
  // browser renderer reaches the web host
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
]

/** For the HTTP header: adds the directives a <meta> policy may not carry. */
export function cspHeader(): string {
  return [...COMMON, "frame-ancestors 'none'"].join('; ')
}

/** For <meta http-equiv="Content-Security-Policy"> in index.html. */
export function cspMeta(): string {
  return COMMON.join('; ')
}
