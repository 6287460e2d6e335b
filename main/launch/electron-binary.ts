// Finds the Electron binary that the `electron` package would run, and tries to obtain it
// (the package downloads it on first use) when it is missing. Where it cannot be had, the
// caller serves the app to a browser instead.

import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { spawn } from 'node:child_process'

export type ElectronLookup = { ok: true; path: string; version: string } | { ok: false; why: string }

function electronPackage(root: string): { dir: string; version: string } | undefined {
  const dir = join(root, 'node_modules', 'electron')
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: unknown }
    return { dir, version: typeof pkg.version === 'string' ? pkg.version : '?' }
  } catch {
    return undefined
  }
}

/** The installed binary, without downloading anything. */
export function findElectron(root: string, env: NodeJS.ProcessEnv = process.env): ElectronLookup {
  const pkg = electronPackage(root)
  if (pkg === undefined) return { ok: false, why: 'the electron package is not installed' }
  let relativePath: string | undefined
  try {
    relativePath = readFileSync(join(pkg.dir, 'path.txt'), 'utf8').trim()
  } catch {
    relativePath = undefined
  }
  const distDir = env['ELECTRON_OVERRIDE_DIST_PATH'] ?? join(pkg.dir, 'dist')
  if (relativePath === undefined || relativePath === '') {
    return { ok: false, why: `the Electron ${pkg.version} binary is not installed` }
  }
  const full = join(distDir, relativePath)
  if (!existsSync(full)) return { ok: false, why: `the Electron ${pkg.version} binary is missing (${full})` }
  return { ok: true, path: full, version: pkg.version }
}

function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('at '))
  return lines[lines.length - 1] ?? ''
}

/** The binary, downloading it through the electron package's own installer if needed. */
export async function obtainElectron(root: string, timeoutMs = 120_000): Promise<ElectronLookup> {
  const found = findElectron(root)
  if (found.ok) return found
  const pkg = electronPackage(root)
  if (pkg === undefined) return found
  const installer = join(pkg.dir, 'install.js')
  if (!existsSync(installer)) return found
  const outcome = await new Promise<{ code: number | null; output: string; timedOut: boolean }>((resolve) => {
    const child = spawn(process.execPath, [installer], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    const add = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-8000)
    }
    child.stdout.on('data', add)
    child.stderr.on('data', add)
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs)
    child.on('error', (err) => {
      clearTimeout(timer)
      resolve({ code: -1, output: err.message, timedOut: false })
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output, timedOut: code === null })
    })
  })
  const after = findElectron(root)
  if (after.ok) return after
  const cause = outcome.timedOut ? `the download did not finish within ${Math.round(timeoutMs / 1000)} s` : lastLine(outcome.output) || `the installer exited with ${outcome.code}`
  return { ok: false, why: `the Electron ${pkg.version} binary is not installed and could not be downloaded (${cause})` }
}
