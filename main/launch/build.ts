// Builds the app (electron-vite: main, preload, renderer) when the output is missing or older
// than its sources, so `npm start` and `altitude web` always serve what is in the tree.

import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { spawn } from 'node:child_process'

export const BUILD_OUTPUTS = ['out/main/index.js', 'out/main/kernel-worker.js', 'out/preload/index.cjs', 'out/renderer/index.html']
const SOURCE_DIRS = ['main', 'kernel', 'renderer']
const SOURCE_FILES = ['electron.vite.config.ts', 'package.json', 'tsconfig.json']

function newest(path: string, found: { file: string; mtimeMs: number }): void {
  let info
  try {
    info = statSync(path)
  } catch {
    return
  }
  if (info.isDirectory()) {
    for (const name of readdirSync(path)) {
      if (name === 'node_modules' || name.startsWith('.')) continue
      newest(join(path, name), found)
    }
    return
  }
  if (/\.test\.ts$/.test(path)) return
  if (info.mtimeMs > found.mtimeMs) {
    found.file = path
    found.mtimeMs = info.mtimeMs
  }
}

/** Why the build must run, or undefined when the output is up to date. */
export function staleReason(root: string): string | undefined {
  let oldestOutput = Infinity
  for (const out of BUILD_OUTPUTS) {
    const full = join(root, out)
    if (!existsSync(full)) return `${out} is missing`
    oldestOutput = Math.min(oldestOutput, statSync(full).mtimeMs)
  }
  const found = { file: '', mtimeMs: 0 }
  for (const dir of SOURCE_DIRS) newest(join(root, dir), found)
  for (const file of SOURCE_FILES) newest(join(root, file), found)
  if (found.mtimeMs > oldestOutput) return `${relative(root, found.file)} changed since the last build`
  return undefined
}

/** Runs `electron-vite build`; its output goes to `log` line by line. */
export function runBuild(root: string, log: (line: string) => void): Promise<void> {
  const cli = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js')
  if (!existsSync(cli)) {
    return Promise.reject(new Error('electron-vite is not installed; run npm install first'))
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'build'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let tail = ''
    const take = (chunk: Buffer): void => {
      const text = chunk.toString('utf8')
      tail = (tail + text).slice(-4000)
      for (const line of text.split('\n')) if (line.trim() !== '') log(line)
    }
    child.stdout.on('data', take)
    child.stderr.on('data', take)
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) resolve()
      else reject(new Error(`the build failed (electron-vite exited with ${code}):\n${tail.trim()}`))
    })
  })
}

/** Builds if needed. Returns what it did, for one line of output. */
export async function ensureBuilt(root: string, log: (line: string) => void): Promise<'fresh' | 'built'> {
  const reason = staleReason(root)
  if (reason === undefined) return 'fresh'
  log(`Building Altitude (${reason})…`)
  await runBuild(root, () => undefined)
  return 'built'
}
