// When C: is on an image file (altitude run --keep-image), D: is on an image of its own next to
// it, which ntfs-3g reads back — and a power cycle remounts each from its own file.

import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadScenarioFile, parseScenario } from '../parse.ts'
import { driveDImagePath, runScenario } from './run.ts'

const dir = mkdtempSync(join(tmpdir(), 'altitude-d-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const image = (name: string) => () => ({ kind: 'image' as const, path: join(dir, name), format: { sizeBytes: 64 * 1024 * 1024 } })

describe('D: on its own image', () => {
  it('names the image after C:\'s', () => {
    expect(driveDImagePath('/x/run.img')).toBe('/x/run-D.img')
    expect(driveDImagePath('/x/run')).toBe('/x/run-D.img')
  })

  it('a drop from C: to D: lands in D:\'s image, which ntfs-3g reads', () => {
    const scenario = loadScenarioFile(new URL('../../../fixtures/shell/drop-to-other-volume-copies.yaml', import.meta.url).pathname)
    const r = runScenario(scenario, { volume: image('drop.img') })
    expect(r.failures).toEqual([])
    expect(existsSync(join(dir, 'drop-D.img'))).toBe(true)
    expect(execFileSync('ntfscat', [join(dir, 'drop-D.img'), '/report.txt']).toString()).toBe('quarterly numbers')
    expect(execFileSync('ntfsls', ['-p', '/docs', join(dir, 'drop.img')]).toString().split('\n')).toContain('report.txt')
  })

  it('what was flushed to D: survives pulling the plug', () => {
    const text = `name: D survives a power cycle
steps:
  - call: NtCreateFile
    args: { FileName: 'D:\\kept.txt', DesiredAccess: [GENERIC_WRITE, SYNCHRONIZE], CreateDisposition: FILE_CREATE, CreateOptions: [FILE_SYNCHRONOUS_IO_NONALERT] }
    as: h
  - call: NtWriteFile
    args: { FileHandle: h, ByteOffset: 0, Data: "on D" }
  - call: NtFlushBuffersFile
    args: { FileHandle: h }
  - call: NtClose
    args: { Handle: h }
  - power: off
expect:
  files:
    - { path: 'D:\\kept.txt', content: "on D" }
`
    const r = runScenario(parseScenario(text, join(dir, 'power.yaml')), { volume: image('power.img') })
    expect(r.failures).toEqual([])
    expect(execFileSync('ntfscat', [join(dir, 'power-D.img'), '/kept.txt']).toString()).toBe('on D')
  })
})
