#!/usr/bin/env node
// npm test: type-check (tsc, svelte-check), build (electron-vite), unit tests (vitest) and
// end-to-end tests (Playwright), then one summary line "N passed, N failed[, N skipped]"
// summed over all suites. Exit code 1 if anything failed, including type errors or the build.
//
//   npm test                 every suite
//   npm test -- unit         one suite (typecheck, build, unit, e2e); several may be named
//   npm test -- e2e          the e2e suite (builds first)

import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
if (!existsSync(join(root, 'node_modules', 'tsx', 'package.json'))) {
  process.stderr.write('npm test: node_modules is missing; run npm ci (or npm install) first\n')
  process.exit(2)
}
const { register } = await import('tsx/esm/api')
register()
const { add, playwrightCounts, stepCounts, summary, vitestCounts } = await import('../main/launch/test-report.ts')

const resultsDir = join(root, '.cache', 'test-results')
const SUITES = ['typecheck', 'build', 'unit', 'e2e']

function bin(pkg, file) {
  return join(root, 'node_modules', pkg, file)
}

/** Runs a command with inherited output; resolves with its exit code. */
function run(label, args, env = {}) {
  return new Promise((resolve) => {
    process.stdout.write(`\n── ${label} ──\n`)
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } })
    child.on('error', (err) => {
      process.stderr.write(`${label}: could not start: ${err.message}\n`)
      resolve(1)
    })
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)))
  })
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch {
    return undefined
  }
}

async function main() {
  const asked = process.argv.slice(2)
  for (const name of asked) {
    if (!SUITES.includes(name)) {
      process.stderr.write(`npm test: unknown suite "${name}" (suites: ${SUITES.join(', ')})\n`)
      return 2
    }
  }
  const selected = new Set(asked.length === 0 ? SUITES : asked)
  // the e2e suites drive the built app
  if (selected.has('e2e')) selected.add('build')
  mkdirSync(resultsDir, { recursive: true })
  const results = []

  if (selected.has('typecheck')) {
    const tsc = stepCounts(await run('typecheck: tsc', [bin('typescript', 'bin/tsc'), '--noEmit', '-p', 'tsconfig.json']), 'tsc')
    const svelte = stepCounts(
      await run('typecheck: svelte-check', [bin('svelte-check', 'bin/svelte-check'), '--tsconfig', './tsconfig.json', '--fail-on-warnings', '--threshold', 'warning', '--output', 'human']),
      'svelte-check',
    )
    results.push(['typecheck', add(tsc, svelte)])
  }
  if (selected.has('build')) {
    results.push(['build', stepCounts(await run('build: electron-vite', [bin('electron-vite', 'bin/electron-vite.js'), 'build']), 'electron-vite build')])
  }
  if (selected.has('unit')) {
    const out = join(resultsDir, 'vitest.json')
    rmSync(out, { force: true })
    const code = await run('unit: vitest', [bin('vitest', 'vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`])
    results.push(['unit', vitestCounts(readJson(out), code, root)])
  }
  if (selected.has('e2e')) {
    const out = join(resultsDir, 'playwright.json')
    rmSync(out, { force: true })
    const code = await run('e2e: playwright', [bin('@playwright/test', 'cli.js'), 'test'], { ALTITUDE_E2E_JSON: out })
    results.push(['e2e', playwrightCounts(readJson(out), code)])
  }

  const report = summary(results)
  process.stdout.write(`\n── summary ──\n${report.text}`)
  return report.failed ? 1 : 0
}

const code = await main()
process.stdout.write('', () => process.exit(code))
