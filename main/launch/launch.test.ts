import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openBrowser } from './browser.ts'
import { BUILD_OUTPUTS, staleReason } from './build.ts'
import { findElectron } from './electron-binary.ts'
import { projectRoot } from './paths.ts'

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'altitude-launch-'))
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true })
    writeFileSync(join(root, path), content)
  }
  return root
}

function age(root: string, path: string, secondsAgo: number): void {
  const t = Date.now() / 1000 - secondsAgo
  utimesSync(join(root, path), t, t)
}

describe('build freshness', () => {
  it('asks for a build when an output is missing or a source is newer', () => {
    const root = tree({ 'main/a.ts': '', 'kernel/b.ts': '', 'renderer/c.svelte': '', 'kernel/b.test.ts': '' })
    expect(staleReason(root)).toBe('out/main/index.js is missing')
    for (const out of BUILD_OUTPUTS) {
      mkdirSync(join(root, out, '..'), { recursive: true })
      writeFileSync(join(root, out), '')
    }
    for (const src of ['main/a.ts', 'kernel/b.ts', 'renderer/c.svelte']) age(root, src, 100)
    age(root, 'kernel/b.test.ts', 1) // tests are not part of the build
    for (const out of BUILD_OUTPUTS) age(root, out, 50)
    expect(staleReason(root)).toBeUndefined()
    age(root, 'kernel/b.ts', 10)
    expect(staleReason(root)).toBe('kernel/b.ts changed since the last build')
  })
})

describe('electron binary', () => {
  it('reports a missing binary with the version', () => {
    const root = tree({ 'node_modules/electron/package.json': '{"version":"45.4.1"}' })
    expect(findElectron(root, {})).toEqual({ ok: false, why: 'the Electron 45.4.1 binary is not installed' })
    writeFileSync(join(root, 'node_modules/electron/path.txt'), 'electron')
    expect(findElectron(root, {})).toMatchObject({ ok: false, why: expect.stringMatching(/binary is missing/) })
    mkdirSync(join(root, 'node_modules/electron/dist'))
    writeFileSync(join(root, 'node_modules/electron/dist/electron'), '')
    expect(findElectron(root, {})).toEqual({ ok: true, path: join(root, 'node_modules/electron/dist/electron'), version: '45.4.1' })
  })
  it('says when the package itself is absent', () => {
    expect(findElectron(tree({}), {})).toEqual({ ok: false, why: 'the electron package is not installed' })
  })
})

describe('openBrowser', () => {
  it('does not try without a display on Linux', () => {
    expect(openBrowser('http://127.0.0.1:1/', {}, 'linux')).toEqual({ opened: false, why: 'there is no display here (DISPLAY is not set)' })
  })
})

describe('npm start without Electron', () => {
  it('says why in one line, serves the app to a browser and prints the URL', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: join(tmpdir(), 'altitude-no-electron') }
    delete env['DISPLAY']
    delete env['WAYLAND_DISPLAY']
    const child = spawn(process.execPath, [join(projectRoot, 'scripts', 'start.mjs'), '--no-open'], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString()
        const m = /serving at (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out)
        if (m?.[1] !== undefined) resolve(m[1])
      })
      child.on('exit', (code) => reject(new Error(`npm start exited (${code}) before serving:\n${out}`)))
    })
    const lines = out.trim().split('\n')
    expect(lines[0]).toMatch(/^Electron is not used: the Electron [\d.]+ binary is (not installed|missing .*), and there is no display to show a window on \(DISPLAY is not set\); serving Altitude to a browser instead\.$/)
    const page = await fetch(url)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<div id="app"></div>')
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    child.kill('SIGINT')
    expect(await exited).toBe(0)
  })
})
