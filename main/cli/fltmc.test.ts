import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { main } from './index.ts'
import type { CliIO } from './command.ts'
import { fltmcHresult } from './commands/fltmc-text.ts'
import { STATUS } from '../../kernel/nt/status.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'altitude-fltmc-'))

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const io: CliIO = { out: (t) => (out += t), err: (t) => (err += t), env: {}, cwd: root, interrupted: new Promise(() => undefined) }
  const code = await main(argv, io)
  return { code, out, err }
}

/** the data rows of a fltmc table, split on runs of two or more spaces */
function rows(text: string): string[][] {
  const lines = text.split('\n')
  const rule = lines.findIndex((l) => l.startsWith('---'))
  return lines.slice(rule + 1).filter((l) => l.trim() !== '').map((l) => l.trim().split(/\s{2,}/))
}

describe('altitude fltmc', () => {
  it('lists no filters on a fresh machine, with fltmc\'s headings', async () => {
    const r = await cli('fltmc')
    expect(r.code).toBe(0)
    expect(r.out).toContain('Filter Name                     Num Instances    Altitude    Frame')
    expect(rows(r.out)).toEqual([])
  })

  it('lists the filters and instances a scenario leaves', async () => {
    const f = await cli('fltmc', 'filters', '--scenario', 'fixtures/filters/deny-locked.yaml')
    expect(f.code).toBe(0)
    expect(rows(f.out)).toEqual([
      ['passthrough', '1', '370030', '0'],
      ['deny-locked', '1', '141000', '0'],
    ])
    const i = await cli('fltmc', 'instances', '--scenario', 'fixtures/filters/deny-locked.yaml', '--volume', 'C:')
    expect(rows(i.out)).toEqual([
      ['passthrough', 'C:', '370030', 'PassThrough Instance', '0'],
      ['deny-locked', 'C:', '141000', 'deny-locked Instance', '0'],
    ])
  })

  it('loads a built-in at an altitude and a module file by its NAME, then shows the instances', async () => {
    const b = await cli('fltmc', 'load', 'passthrough', '--altitude', '385100')
    expect(b.code).toBe(0)
    expect(rows(b.out)).toEqual([['passthrough', 'C:', '385100', 'PassThrough Instance', '0']])
    const m = await cli('fltmc', 'load', 'fixtures/filters/modules/deny-locked.ts', '--altitude', '141000')
    expect(m.code).toBe(0)
    expect(rows(m.out)[0]?.[0]).toBe('deny-locked')
  })

  it('attaches a second instance and detaches one on the scenario\'s machine', async () => {
    const a = await cli('fltmc', 'attach', 'passthrough', 'C:', '--altitude', '385100', '--instance', 'High', '--scenario', 'fixtures/filters/passthrough.yaml')
    expect(a.code).toBe(0)
    expect(rows(a.out).map((r) => [r[0], r[2], r[3]])).toEqual([
      ['passthrough', '385100', 'High'],
      ['passthrough', '370030', 'PassThrough Instance'],
    ])
    const d = await cli('fltmc', 'detach', 'passthrough', 'C:', '--scenario', 'fixtures/filters/passthrough.yaml')
    expect(d.code).toBe(0)
    expect(rows(d.out)).toEqual([])
  })

  it('a failure prints fltmc\'s error line with the HRESULT and exits 1', async () => {
    const r = await cli('fltmc', 'attach', 'passthrough', 'C:', '--scenario', 'fixtures/filters/passthrough.yaml')
    expect(r.code).toBe(1)
    expect(r.err).toBe('Attach failed with error: 0x801f0012\nSTATUS_FLT_INSTANCE_NAME_COLLISION\n')
    const u = await cli('fltmc', 'unload', 'nothere')
    expect(u.code).toBe(1)
    expect(u.err).toMatch(/^Unload failed with error: 0x801f0013\nSTATUS_FLT_FILTER_NOT_FOUND: no filter named 'nothere' is loaded/)
  })

  it('bad input is one line and exit 2', async () => {
    expect((await cli('fltmc', 'frobnicate')).code).toBe(2)
    expect((await cli('fltmc', 'attach', 'passthrough')).err).toMatch(/needs a volume/)
    expect((await cli('fltmc', 'load', 'passthrough', '--altitude', 'high')).err).toMatch(/--altitude: "high" is not an altitude/)
    const missing = join(dir, 'nope.ts')
    writeFileSync(join(dir, 'empty.ts'), 'export const x = 1\n')
    expect((await cli('fltmc', 'load', missing)).code).toBe(2)
    const empty = await cli('fltmc', 'load', join(dir, 'empty.ts'))
    expect(empty.code).toBe(2)
    expect(empty.err).toMatch(/does not export a DriverEntry function/)
    expect((await cli('fltmc', 'load', 'fixtures/filters/modules/deny-locked.ts')).err).toMatch(/has no INF export .*give --altitude/)
  })

  it('maps statuses to fltlib HRESULTs', () => {
    expect(fltmcHresult(STATUS.STATUS_FLT_INSTANCE_ALTITUDE_COLLISION)).toBe(0x801f0011)
    expect(fltmcHresult(STATUS.STATUS_OBJECT_NAME_NOT_FOUND)).toBe(0x80070002)
  })
})
