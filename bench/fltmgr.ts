// IRPs per second through the Filter Manager: 4 KiB NtReadFile calls on an open handle with 0,
// 1, 5 and 10 passthrough instances attached to C: (one filter, instances at different
// altitudes, as `fltmc attach passthrough C: -a <altitude>` makes them), as ratios to 0. With no
// instance FltMgr is not in the stack at all; from one on, every read passes its frame and each
// instance's pre- and post-operation callbacks. Tracing is off, as in the I/O benchmark's baseline.
// Rates are per CPU second of this process.

import { Machine } from '../kernel/machine.ts'
import { ntfsVolume } from '../kernel/volumes.ts'
import * as nt from '../kernel/io/services/index.ts'
import { ACCESS } from '../kernel/nt/access.ts'
import { CREATE_DISPOSITION as D, CREATE_OPTIONS as O } from '../kernel/nt/file.ts'
import type { Co } from '../kernel/ke/index.ts'
import type { BenchFigure } from './run.ts'

const READS = 10000
const ROUNDS = 5
const DATA = new Uint8Array(4096).fill(0x61)

function machineWith(instances: number): Machine {
  const m = Machine.create({ seed: 1, strategy: 'run-to-block', trace: false, cacheManager: false, volumes: [{ letter: 'C:', mount: ntfsVolume({ kind: 'memory', sizeBytes: 64 * 1024 * 1024 }) }] })
  m.boot()
  if (instances > 0) {
    const r = m.fltmc.load('passthrough')
    if (r.status !== 0) throw new Error(`fltmc load passthrough: ${r.statusName}`)
    for (let i = 1; i < instances; i++) {
      const a = m.fltmc.attach('passthrough', 'C:', String(370030 + i * 10), `PassThrough Instance ${i}`)
      if (a.status !== 0) throw new Error(`fltmc attach: ${a.statusName}`)
    }
    if (m.fltmc.instances().length !== instances) throw new Error(`expected ${instances} instances`)
  }
  return m
}

/**
 * runs `body` on an emulated thread to completion; returns the process's CPU milliseconds (user +
 * system), which other processes on a busy machine disturb less than wall-clock time
 */
function timeOn(m: Machine, body: () => Co<void>): number {
  let done = false
  const p = m.process('bench.exe')
  const t = m.ke.createThread(p, 'main', function* () {
    yield* body()
    done = true
  })
  m.registerThread(p, t.tid)
  const start = process.cpuUsage()
  m.ke.runUntil(() => done)
  const used = process.cpuUsage(start)
  if (!done) throw new Error(`the benchmark thread did not finish${m.ke.bugcheck ? `: ${m.ke.bugcheck.message}` : ''}`)
  return (used.user + used.system) / 1000
}

function readsPerSecond(instances: number): number {
  const m = machineWith(instances)
  let h = 0
  timeOn(m, function* () {
    const r = yield* nt.NtCreateFile(m.io, {
      FileName: '\\??\\C:\\r.bin',
      DesiredAccess: ACCESS.GENERIC_READ | ACCESS.GENERIC_WRITE | ACCESS.SYNCHRONIZE,
      CreateDisposition: D.FILE_OVERWRITE_IF,
      CreateOptions: O.FILE_SYNCHRONOUS_IO_NONALERT,
    })
    h = r.handle!
    yield* nt.NtWriteFile(m.io, { FileHandle: h, ByteOffset: 0, Data: DATA })
  })
  // the best of a few rounds: the first ones also measure the JIT warming up
  let best = 0
  for (let round = 0; round < ROUNDS; round++) {
    const ms = timeOn(m, function* () {
      for (let i = 0; i < READS; i++) yield* nt.NtReadFile(m.io, { FileHandle: h, ByteOffset: 0, Length: 4096 })
    })
    best = Math.max(best, (READS * 1000) / ms)
  }
  m.shutdown()
  return best
}

const COUNTS = [0, 1, 5, 10] as const

export function run(): BenchFigure[] {
  // every configuration twice, interleaved, so that none profits alone from a warmer JIT
  const best = new Map<number, number>()
  for (let pass = 0; pass < 2; pass++) for (const n of COUNTS) best.set(n, Math.max(best.get(n) ?? 0, readsPerSecond(n)))
  const base = best.get(0)!
  const figures: BenchFigure[] = [{ name: 'read IRPs, no filter (FltMgr not attached)', value: base, unit: '/s' }]
  for (const n of COUNTS.slice(1)) {
    const v = best.get(n)!
    figures.push({ name: `read IRPs through ${n} passthrough instance${n === 1 ? '' : 's'}`, value: v, unit: '/s', ratio: v / base, baseline: 'of no filter' })
  }
  return figures
}
