// Where things are, for code that runs from the TypeScript sources (CLI, web host, scripts).
// The Electron main process uses its own bundle-relative paths instead.

import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

export const projectRoot = fileURLToPath(new URL('../../', import.meta.url))

export function outDir(root: string = projectRoot): string {
  return join(root, 'out')
}

export function rendererDir(root: string = projectRoot): string {
  return join(root, 'out', 'renderer')
}
