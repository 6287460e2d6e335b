// Serves the built renderer (out/renderer) read-only. Paths are resolved inside the root and
// anything that escapes it, or is not a regular file, is not found.

import { readFile, stat } from 'node:fs/promises'
import { extname, join, normalize, resolve, sep } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
}

export interface StaticFile {
  body: Buffer
  type: string
}

export async function readStatic(root: string, urlPath: string): Promise<StaticFile | undefined> {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return undefined
  }
  if (decoded.includes('\0')) return undefined
  const base = resolve(root)
  const full = resolve(join(base, normalize(decoded)))
  if (full !== base && !full.startsWith(base + sep)) return undefined
  try {
    const info = await stat(full)
    if (!info.isFile()) return undefined
    return { body: await readFile(full), type: TYPES[extname(full).toLowerCase()] ?? 'application/octet-stream' }
  } catch {
    return undefined
  }
}
