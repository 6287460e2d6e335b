// The electron-vite output, checked without Electron: the main-process bundles only import
// what a packaged app has, the sandboxed preload only requires 'electron', and the built
// kernel worker (out/main/kernel-worker.js, what Electron main starts) boots a machine.

import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { expect, test } from '@playwright/test'
import { Session } from '../../main/host/session.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const out = join(root, 'out')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }

function specifiers(code: string): string[] {
  const found = new Set<string>()
  for (const m of code.matchAll(/(?:from\s*|import\s*\(\s*|require\s*\(\s*)["']([^"']+)["']/g)) if (m[1] !== undefined) found.add(m[1])
  return [...found]
}

test('main bundles import only node built-ins, electron, their own chunks and runtime dependencies', () => {
  const mainDir = join(out, 'main')
  const files = readdirSync(mainDir).filter((f) => f.endsWith('.js'))
  expect(files).toEqual(expect.arrayContaining(['index.js', 'kernel-worker.js']))
  const builtins = new Set(builtinModules)
  for (const file of files) {
    for (const spec of specifiers(readFileSync(join(mainDir, file), 'utf8'))) {
      if (spec.startsWith('./')) {
        expect(existsSync(join(mainDir, spec)), `${file} → ${spec}`).toBe(true)
        continue
      }
      const bare = spec.replace(/^node:/, '')
      const pkgName = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0] ?? spec
      const allowed = builtins.has(bare) || spec === 'electron' || pkg.dependencies[pkgName] !== undefined
      expect(allowed, `${file} imports ${spec}, which a packaged app does not have`).toBe(true)
    }
  }
})

test('the sandboxed preload is CommonJS and requires nothing but electron', () => {
  const code = readFileSync(join(out, 'preload', 'index.cjs'), 'utf8')
  expect(specifiers(code)).toEqual(['electron'])
  expect(code).not.toMatch(/^\s*import\s/m)
})

test('the built kernel worker boots a machine', async () => {
  const session = new Session({ workerEntry: { kind: 'file', url: pathToFileURL(join(out, 'main', 'kernel-worker.js')) }, log: () => undefined })
  try {
    const status = await session.start()
    expect(status).toMatchObject({ worker: 'ready', machine: { state: 'running' } })
  } finally {
    await session.close()
  }
})
