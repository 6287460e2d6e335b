// The `altitude` subcommands with their engines: run, replay, format, check — as child
// processes, the way users and CI call them.

import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..', '..')
const dir = mkdtempSync(join(tmpdir(), 'altitude-cli-engines-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function altitude(...argv: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'altitude.mjs'), ...argv], { cwd: dir, encoding: 'utf8', timeout: 60_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

const SCENARIO = `
name: write and read back
volume:
  files:
    - { path: 'C:\\docs\\a.txt', content: "hello" }
steps:
  - call: NtCreateFile
    args:
      FileName: 'C:\\docs\\a.txt'
      DesiredAccess: [GENERIC_READ, GENERIC_WRITE, SYNCHRONIZE]
      CreateDisposition: FILE_OPEN
      CreateOptions: [FILE_SYNCHRONOUS_IO_NONALERT]
    as: h
    expect: { status: STATUS_SUCCESS, information: FILE_OPENED }
  - call: NtWriteFile
    args: { FileHandle: h, ByteOffset: 5, Data: " world" }
    expect: { information: 6 }
  - call: NtClose
    args: { Handle: h }
expect:
  files:
    - { path: 'C:\\docs\\a.txt', content: "hello world" }
`

describe('altitude run / replay', () => {
  writeFileSync(join(dir, 'ok.yaml'), SCENARIO)
  writeFileSync(join(dir, 'bad.yaml'), SCENARIO.replace('information: 6', 'information: 7'))
  writeFileSync(join(dir, 'broken.yaml'), SCENARIO.replace('CreateDisposition: FILE_OPEN', 'CreateDisposition: FILE_OPENN'))

  it('runs a scenario and prints the summary (exit 0)', () => {
    const r = altitude('run', 'ok.yaml')
    expect(r.stdout).toBe('4 passed, 0 failed\n')
    expect(r.status).toBe(0)
  })

  it('prints each failed expectation with its position (exit 1)', () => {
    const r = altitude('run', 'bad.yaml')
    expect(r.status).toBe(1)
    expect(r.stdout).toMatch(/bad\.yaml:\d+:\d+: NtWriteFile \(STATUS_SUCCESS\): information: expected 7, got 6\n/)
    expect(r.stdout.trim().split('\n').pop()).toBe('3 passed, 1 failed')
  })

  it('rejects a malformed scenario with file, line and column (exit 2)', () => {
    const r = altitude('run', 'broken.yaml')
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/broken\.yaml:\d+:\d+: .*CreateDisposition.*FILE_OPENN/)
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/)
  })

  it('writes a trace that replays identically, and notices a changed one', () => {
    const r = altitude('run', 'ok.yaml', '--seed', '9', '--trace', 'ok.trace.jsonl')
    expect(r.status).toBe(0)
    const text = readFileSync(join(dir, 'ok.trace.jsonl'), 'utf8')
    const lines = text.trim().split('\n')
    expect(JSON.parse(lines[0]!)).toMatchObject({ altitude: 'session', seed: 9 })
    expect(JSON.parse(lines[1]!)).toMatchObject({ seq: 1, op: 'IRP_MJ_CREATE', procmon: 'CreateFile', path: 'C:\\docs\\a.txt', at: 'fs', phase: 'dispatch' })
    const same = altitude('replay', 'ok.trace.jsonl')
    expect(same.stdout).toMatch(/identical/)
    expect(same.status).toBe(0)
    writeFileSync(join(dir, 'changed.trace.jsonl'), text.replace('"Length":6', '"Length":7'))
    const changed = altitude('replay', 'changed.trace.jsonl')
    expect(changed.status).toBe(1)
    expect(changed.stdout).toMatch(/differ/)
  })

  it('writes Process Monitor CSV', () => {
    const r = altitude('run', 'ok.yaml', '--trace', 'ok.csv')
    expect(r.status).toBe(0)
    const csv = readFileSync(join(dir, 'ok.csv'), 'utf8')
    expect(csv.split('\n')[0]).toContain('"Time of Day","Process Name","PID","Operation","Path","Result","Detail"')
    expect(csv).toContain('"CreateFile","C:\\docs\\a.txt","SUCCESS"')
  })
})

describe('altitude format / check', () => {
  it('formats an image that ntfs-3g reads and the checker finds clean', () => {
    const r = altitude('format', 'v.img', '--size', '8MiB', '--label', 'Work')
    expect(r.status).toBe(0)
    expect(existsSync(join(dir, 'v.img'))).toBe(true)
    const c = altitude('check', 'v.img')
    expect(c.stdout).toMatch(/no problems found/)
    expect(c.status).toBe(0)
    const info = spawnSync('ntfsinfo', ['-m', join(dir, 'v.img')], { encoding: 'utf8' })
    expect(info.stdout).toMatch(/Volume Name: Work/)
  })

  it('keeps each run\'s volume image, which ntfs-3g reads back', () => {
    const r = altitude('run', 'ok.yaml', '--keep-image', 'images')
    expect(r.status).toBe(0)
    const cat = spawnSync('ntfscat', [join(dir, 'images', 'ok.img'), '/docs/a.txt'], { encoding: 'utf8' })
    expect(cat.stdout).toBe('hello world')
    expect(altitude('check', join('images', 'ok.img')).status).toBe(0)
  })

  it('reports problems in a damaged image (exit 1)', () => {
    altitude('format', 'd.img', '--size', '8MiB')
    const b = readFileSync(join(dir, 'd.img'))
    // the $MFT record of $MFT starts at the cluster the boot sector names; break its signature
    const mftLcn = Number(b.readBigUInt64LE(0x30))
    b.write('XXXX', mftLcn * 4096, 'latin1')
    writeFileSync(join(dir, 'd.img'), b)
    const c = altitude('check', 'd.img')
    expect(c.status).not.toBe(0)
    expect((c.stdout + c.stderr).length).toBeGreaterThan(0)
  })
})
