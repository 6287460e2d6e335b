// The packaging setup: targets per platform, native modules outside the asar, and no native
// rebuild hooked into npm install (which must work offline).

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { projectRoot } from './paths.ts'

interface Target {
  target: string
}
const builder = parse(readFileSync(join(projectRoot, 'electron.builder.yml'), 'utf8')) as {
  asarUnpack: string[]
  files: string[]
  npmRebuild: boolean
  win: { target: Target[] }
  mac: { target: Target[] }
  linux: { target: Target[] }
}
const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as {
  main: string
  scripts: Record<string, string>
  dependencies: Record<string, string>
}
const packageScript = readFileSync(join(projectRoot, 'scripts', 'package.mjs'), 'utf8')

describe('electron.builder.yml', () => {
  it('builds nsis for Windows, dmg for macOS, AppImage and deb for Linux', () => {
    expect(builder.win.target.map((t) => t.target)).toEqual(['nsis'])
    expect(builder.mac.target.map((t) => t.target)).toEqual(['dmg'])
    expect(builder.linux.target.map((t) => t.target)).toEqual(['AppImage', 'deb'])
  })

  it('packs the build output and unpacks better-sqlite3 from the asar', () => {
    expect(builder.files).toContain('out/**')
    expect(pkg.main).toBe('out/main/index.js')
    expect(builder.asarUnpack).toContain('**/node_modules/better-sqlite3/**')
    expect(pkg.dependencies['better-sqlite3']).toBeDefined()
  })

  it('is what npm run package uses, with the rebuild kept away from npm install', () => {
    expect(pkg.scripts['package']).toBe('node scripts/package.mjs')
    expect(packageScript).toContain("'--config', 'electron.builder.yml'")
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts[hook], hook).toBeUndefined()
  })
})
