import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { COMMANDS, main } from './index.ts'
import type { CliIO } from './command.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'altitude-cli-'))
const scenario = join(dir, 'a.yaml')
writeFileSync(scenario, 'name: x\nsteps: []\n')
const image = join(dir, 'vol.img')
writeFileSync(image, Buffer.alloc(1024))

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const io: CliIO = { out: (t) => (out += t), err: (t) => (err += t), env: {}, cwd: dir, interrupted: new Promise(() => undefined) }
  const code = await main(argv, io)
  return { code, out, err }
}

describe('altitude (in process)', () => {
  it('has every command of SCENARIOS.md §1, each with --help', async () => {
    expect(COMMANDS.map((c) => c.spec.name)).toEqual(['run', 'web', 'format', 'check', 'replay', 'fltmc'])
    for (const c of COMMANDS) {
      const r = await cli(c.spec.name, '--help')
      expect(r.code, c.spec.name).toBe(0)
      expect(r.out).toContain(`Usage: altitude ${c.spec.synopsis}`)
      for (const f of c.spec.flags) expect(r.out).toContain(`--${f.name}`)
      const short = await cli(c.spec.name, '-h')
      expect(short.out).toBe(r.out)
    }
  })

  it('top-level help lists the commands; no command is a usage error', async () => {
    const help = await cli('--help')
    expect(help.code).toBe(0)
    for (const name of ['run', 'web', 'format', 'check', 'replay']) expect(help.out).toContain(`altitude ${name}`)
    const none = await cli()
    expect(none.code).toBe(2)
    expect(none.err).toContain('Usage: altitude <command>')
  })

  it.each([
    [['frobnicate'], 'altitude: unknown command "frobnicate" (commands: run, web, format, check, replay, fltmc; see altitude --help)\n'],
    [['--frob'], 'altitude: unknown option --frob (see altitude --help)\n'],
    [['run', 'a.yaml', '--frob'], 'altitude run: unknown option --frob (see altitude run --help)\n'],
    [['run', 'a.yaml', '-x'], 'altitude run: unknown option -x (see altitude run --help)\n'],
    [['run'], 'altitude run: missing FILE (see altitude run --help)\n'],
    [['run', 'missing.yaml'], 'altitude run: scenario file not found: missing.yaml\n'],
    [['run', 'a.yaml', '--seed'], 'altitude run: --seed needs a value (N) (see altitude run --help)\n'],
    [['run', 'a.yaml', '--seed', '-3'], 'altitude run: --seed must be a whole number from 0 to 4294967295, not "-3"\n'],
    [['run', 'a.yaml', '--seed', '4294967296'], 'altitude run: --seed must be from 0 to 4294967295, not 4294967296\n'],
    [['run', 'a.yaml', '--seed', '1', '--seed', '2'], 'altitude run: --seed is given more than once (see altitude run --help)\n'],
    [['run', 'a.yaml', '--format', 'pml', '--trace', 't.pml'], 'altitude run: --format must be one of jsonl, csv, xml, json, not "pml" (see altitude run --help)\n'],
    [['run', 'a.yaml', '--format', 'csv'], 'altitude run: --format applies to the trace file; give --trace OUT as well\n'],
    [['run', 'a.yaml', '--trace', 'no/such/dir/t.jsonl'], 'altitude run: the folder for the trace file does not exist: no/such/dir\n'],
    [['web', '--port', 'eighty'], 'altitude web: --port must be a whole number from 0 to 65535, not "eighty"\n'],
    [['web', '--no-open=yes'], 'altitude web: --no-open takes no value (see altitude web --help)\n'],
    [['web', 'extra'], 'altitude web: unexpected argument "extra" (see altitude web --help)\n'],
    [['format', 'new.img'], 'altitude format: --size SIZE is required (see altitude format --help)\n'],
    [['format', 'new.img', '--size', '64MB'], 'altitude format: --size must be a size such as 64MiB, 512KiB or 1GiB (units: B, KiB, MiB, GiB, TiB), not "64MB"\n'],
    [['format', 'new.img', '--size', '512KiB'], 'altitude format: --size must be at least 1MiB for an NTFS volume, not 512KiB\n'],
    [['format', 'new.img', '--size', '1048577'], 'altitude format: --size must be a whole number of 512-byte sectors, not 1048577 bytes\n'],
    [['format', 'vol.img', '--size', '64MiB'], 'altitude format: IMAGE already exists: vol.img (remove it or choose another name)\n'],
    [['format', 'new.img', '--size', '64MiB', '--label', 'x'.repeat(33)], 'altitude format: --label must be at most 32 characters, not 33\n'],
    [['format', 'a.img', 'b.img', '--size', '64MiB'], 'altitude format: unexpected extra argument "b.img" (takes one IMAGE) (see altitude format --help)\n'],
    [['check'], 'altitude check: missing IMAGE (see altitude check --help)\n'],
    [['check', 'nope.img'], 'altitude check: IMAGE not found: nope.img\n'],
    [['replay', 'nope.jsonl'], 'altitude replay: TRACE not found: nope.jsonl\n'],
  ])('%j → one line, exit 2', async (argv, message) => {
    const r = await cli(...argv)
    expect(r.code).toBe(2)
    expect(r.err).toBe(message)
    expect(r.out).toBe('')
  })

})

describe('bin/altitude.mjs (child process)', () => {
  function bin(...argv: string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, [join(root, 'bin', 'altitude.mjs'), ...argv], { cwd: dir, encoding: 'utf8', timeout: 30_000 })
    return { status: r.status, stdout: r.stdout, stderr: r.stderr }
  }

  it('prints help with exit 0', () => {
    const r = bin('--help')
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('altitude web [--port P] [--no-open]')
  })

  it('rejects an unknown command in one line with exit 2 and no stack trace', () => {
    const r = bin('bogus')
    expect(r.status).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/)
  })

  it('passes the exit code of a command through', () => {
    // vol.img is not an NTFS image: the checker cannot read it (exit 2, one line)
    const r = bin('check', 'vol.img')
    expect(r.status).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(/^altitude check: .*vol\.img/)
  })
})

describe('README', () => {
  it('documents every command as the CLI defines it, and the two commands', async () => {
    const { readFileSync } = await import('node:fs')
    const readme = readFileSync(join(root, 'README.md'), 'utf8').replace(/\\\|/g, '|')
    for (const c of COMMANDS) expect(readme, c.spec.name).toContain(`altitude ${c.spec.synopsis}`)
    expect(readme).toContain('npm start')
    expect(readme).toContain('npm test')
  })
})
