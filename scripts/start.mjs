#!/usr/bin/env node
// npm start: installs dependencies when they are missing, then hands over to
// main/launch/start.ts (build if needed; Electron, or the browser fallback).
import { existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const needed = ['tsx', 'electron-vite', 'ws', 'svelte']
if (needed.some((name) => !existsSync(join(root, 'node_modules', name, 'package.json')))) {
  console.error('Installing dependencies (npm install)…')
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const result = spawnSync(npm, ['install'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' })
  if (result.status !== 0) {
    console.error(`npm start: npm install failed (exit ${result.status ?? result.signal}); fix that first.`)
    process.exit(1)
  }
}

const { register } = await import('tsx/esm/api')
register()
const { startProcess } = await import('../main/launch/start.ts')
const code = await startProcess(process.argv.slice(2))
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)))
