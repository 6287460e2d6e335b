// Crash safety: metadata operations are atomic and flushed ones durable, whether the process
// is killed (SIGKILL at a random moment, in a child process) or the disk stops taking writes
// at any point of a checkpoint (fault injection in this process). After each crash the volume
// is remounted (replaying the journal) and must equal the model after some operation at or
// past the last flush, pass the checker and ntfsfix.
//
// ALTITUDE_CRASH_SOAK=N runs N killed rounds instead of the CI default.

import { describe, it, expect, afterAll } from 'vitest'
import { spawn, execFileSync } from 'node:child_process'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { openDiskStore } from './disk-store.ts'
import { CrashModel, CrashRunner, storeSnapshot } from './crash-ops.ts'
import { TempImages } from './test-volume.ts'
import { runCheck } from './check/index.ts'
import { Prng } from '../../../ke/prng.ts'
import { Volume } from './volume.ts'
import { DiskStore } from './disk-store.ts'
import { pendingJournalWrites } from './pending-journal.ts'

const images = new TempImages()
afterAll(() => images.cleanup())

const here = path.dirname(fileURLToPath(import.meta.url))
const worker = path.join(here, 'crash-worker.ts')

/** model snapshots after operations from..to (0 = before any) */
function modelStates(seed: number, from: number, to: number): Map<string, number> {
  const model = new CrashModel(seed)
  const states = new Map<string, number>()
  for (let i = 0; i <= to; i++) {
    if (i > 0) model.apply(model.next())
    if (i >= from) states.set(model.snapshot().join('\n'), i)
  }
  return states
}

function verify(img: string, seed: number, durable: number, upTo: number): number {
  const store = openDiskStore(img)
  let snap: string[]
  try {
    snap = storeSnapshot(store)
  } finally {
    store.close()
  }
  // the first state at or after the last durable operation that the volume equals
  const want = snap.join('\n')
  const model = new CrashModel(seed)
  let at: number | undefined
  for (let i = 0; i <= upTo; i++) {
    if (i > 0) model.apply(model.next())
    if (i >= durable && model.snapshot().join('\n') === want) {
      at = i
      break
    }
  }
  expect(at, `volume after the crash matches no state from operation ${durable} to ${upTo}:\n${snap.slice(0, 40).join('\n')}`).toBeDefined()
  const check = runCheck(img)
  expect(check.lines.join('\n')).toMatch(/no problems found/)
  expect(execFileSync('ntfsfix', ['-n', img], { encoding: 'utf8' })).toMatch(/processed successfully/)
  return at!
}

function killedRun(img: string, seed: number, killAfter: number, flushEvery: number): Promise<{ durable: number; seen: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', worker, img, String(seed), '100000', String(flushEvery)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let durable = 0
    let seen = 0
    let buf = ''
    let err = ''
    let killed = false
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString()
      let nl: number
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl)
        buf = buf.slice(nl + 1)
        const [what, n] = line.split(' ')
        if (what === 'op') seen = Number(n)
        if (what === 'durable') durable = Number(n)
        if (!killed && seen >= killAfter) {
          killed = true
          child.kill('SIGKILL')
        }
      }
    })
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ durable, seen })
      else reject(new Error(`worker exited with ${code}: ${err}`))
    })
  })
}

describe('crash safety', () => {
  const rounds = Number(process.env['ALTITUDE_CRASH_SOAK'] ?? 4)

  it(`survives ${rounds} kills at random moments across thousands of operations`, async () => {
    const prng = new Prng(20240601)
    let total = 0
    for (let round = 0; round < rounds; round++) {
      const img = images.formatted({ sizeBytes: 32 * 1024 * 1024 })
      const seed = prng.nextU32()
      const killAfter = 200 + (prng.nextU32() % 600)
      const flushEvery = 5 + (prng.nextU32() % 40)
      const { durable, seen } = await killedRun(img, seed, killAfter, flushEvery)
      expect(seen).toBeGreaterThanOrEqual(killAfter)
      // the worker runs on until the kill lands (the reader may lag behind it on a busy machine)
      const at = verify(img, seed, durable, seen + 5000)
      expect(at).toBeGreaterThanOrEqual(durable)
      total += seen
    }
    expect(total).toBeGreaterThan(rounds * 150)
  }, 120_000)

  it('stays consistent when the disk stops at any write of a checkpoint', () => {
    // 40 operations made durable, 25 more pending; then the checkpoint's k-th write is the
    // last one to reach the disk, for every k until the checkpoint completes. The remounted
    // volume must be the state after operation 40 or after 65, and consistent.
    const seed = 77
    const base = images.formatted({ sizeBytes: 16 * 1024 * 1024 })
    const states = modelStates(seed, 40, 65)
    const outcomes = new Set<number>()
    let k = 0
    for (;;) {
      k++
      const img = images.path()
      execFileSync('cp', [base, img])
      const vol = Volume.mount(img)
      const store = new DiskStore(vol)
      const model = new CrashModel(seed)
      const runner = new CrashRunner(store)
      for (let i = 1; i <= 65; i++) {
        const op = model.next()
        runner.run(op)
        model.apply(op)
        if (i === 40) store.flush()
      }
      let writes = 0
      let crashed = false
      vol.dev.setListener((e) => {
        if (e.op === 'write' && ++writes === k) throw new Error('power lost')
      })
      try {
        store.flush()
      } catch (err) {
        crashed = true
        expect(String(err)).toMatch(/power lost/)
      }
      vol.dev.setListener(undefined)
      vol.close()
      const again = openDiskStore(img)
      const snap = storeSnapshot(again).join('\n')
      again.close()
      const at = states.get(snap)
      expect(at, `after a crash at write ${k}`).toBeDefined()
      outcomes.add(at!)
      expect(runCheck(img).lines.join('\n'), `after a crash at write ${k}`).toMatch(/no problems found/)
      if (!crashed) break
    }
    expect(k).toBeGreaterThan(3)
    expect(outcomes.has(65)).toBe(true)
    expect(outcomes.has(40) || Math.min(...outcomes) > 40).toBe(true)
  })

  it('discards a journal whose write was torn, leaving the last durable state', () => {
    const seed = 91
    const img = images.formatted({ sizeBytes: 16 * 1024 * 1024 })
    const states = modelStates(seed, 30, 50)
    const vol = Volume.mount(img)
    const store = new DiskStore(vol)
    const model = new CrashModel(seed)
    const runner = new CrashRunner(store)
    for (let i = 1; i <= 50; i++) {
      const op = model.next()
      runner.run(op)
      model.apply(op)
      if (i === 30) store.flush()
    }
    const payload = vol.journal.diskOffsetOf(3 * 512 + 100)
    expect(pendingJournalWrites(img)).toEqual([])
    vol.dev.setListener((e) => {
      if (e.op === 'write' && e.purpose === 'journal') throw new Error('power lost')
    })
    expect(() => store.flush()).toThrow(/power lost/)
    vol.dev.setListener(undefined)
    // a complete transaction is waiting: readers that do not mount can see what it will write
    const pending = pendingJournalWrites(img)
    expect(pending.length).toBeGreaterThan(0)
    expect(pending.every((w) => w.offset % 512 === 0 && w.data.length % 512 === 0)).toBe(true)
    // the sector holding part of the redo images never made it
    const byte = vol.dev.read(payload, 1)
    vol.dev.write(payload, Uint8Array.of((byte[0] ?? 0) ^ 0xff))
    vol.close()
    const again = openDiskStore(img)
    const at = states.get(storeSnapshot(again).join('\n'))
    again.close()
    expect(at).toBe(30)
    expect(runCheck(img).lines.join('\n')).toMatch(/no problems found/)
  })
})
