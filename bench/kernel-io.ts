// The emulated I/O path against the host, in one run:
//   - open–write–close cycles per second through the whole stack (NtCreateFile, NtWriteFile of
//     4 KiB, NtClose: create, write, cleanup and close IRPs into NTFS on the in-memory store and
//     on a disk image) vs fs.openSync / writeSync / closeSync on the host;
//   - IRPs per second (4 KiB NtReadFile on an open handle) with tracing off and on, vs
//     fs.readSync of 4 KiB on the host.

import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { Machine } from '../kernel/machine.ts'
import { ntfsVolume, type VolumeSource } from '../kernel/volumes.ts'
import * as nt from '../kernel/io/services/index.ts'
import { ACCESS } from '../kernel/nt/access.ts'
import { CREATE_DISPOSITION as D, CREATE_OPTIONS as O } from '../kernel/nt/file.ts'
import type { Co } from '../kernel/ke/index.ts'
import type { BenchFigure } from './run.ts'

const CYCLES = 3000
const READS = 20000
const DATA = new Uint8Array(4096).fill(0x61)

function boot(source: VolumeSource, trace: boolean): Machine {
  const m = Machine.create({ seed: 1, strategy: 'run-to-block', trace, traceCapacity: 100_000, cacheManager: false, volumes: [{ letter: 'C:', mount: ntfsVolume(source) }] })
  m.boot()
  return m
}

/** runs `body` on an emulated thread to completion; returns host milliseconds */
function timeOn(m: Machine, body: () => Co<void>): number {
  let done = false
  const t = m.ke.createThread(m.process('bench.exe'), 'main', function* () {
    yield* body()
    done = true
  })
  m.registerThread(m.process('bench.exe'), t.tid)
  const start = performance.now()
  m.ke.runUntil(() => done)
  return performance.now() - start
}

function openWriteClose(m: Machine): number {
  return timeOn(m, function* () {
    for (let i = 0; i < CYCLES; i++) {
      const r = yield* nt.NtCreateFile(m.io, {
        FileName: `\\??\\C:\\f${i % 200}.bin`,
        DesiredAccess: ACCESS.GENERIC_WRITE | ACCESS.SYNCHRONIZE,
        CreateDisposition: D.FILE_OVERWRITE_IF,
        CreateOptions: O.FILE_SYNCHRONOUS_IO_NONALERT | O.FILE_NON_DIRECTORY_FILE,
      })
      yield* nt.NtWriteFile(m.io, { FileHandle: r.handle!, ByteOffset: 0, Data: DATA })
      yield* nt.NtClose(m.io, { Handle: r.handle! })
    }
  })
}

function reads(m: Machine): number {
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
  return timeOn(m, function* () {
    for (let i = 0; i < READS; i++) yield* nt.NtReadFile(m.io, { FileHandle: h, ByteOffset: 0, Length: 4096 })
  })
}

export function run(): BenchFigure[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'altitude-bench-io-'))
  try {
    // host baselines
    const hostOwc = (() => {
      const t = performance.now()
      for (let i = 0; i < CYCLES; i++) {
        const fd = fs.openSync(path.join(dir, `f${i % 200}.bin`), 'w')
        fs.writeSync(fd, DATA, 0, DATA.length, 0)
        fs.closeSync(fd)
      }
      return performance.now() - t
    })()
    const hostRead = (() => {
      const p = path.join(dir, 'r.bin')
      fs.writeFileSync(p, DATA)
      const fd = fs.openSync(p, 'r')
      const buf = new Uint8Array(4096)
      const t = performance.now()
      for (let i = 0; i < READS; i++) fs.readSync(fd, buf, 0, 4096, 0)
      const ms = performance.now() - t
      fs.closeSync(fd)
      return ms
    })()
    const perSec = (n: number, ms: number): number => (n * 1000) / ms

    const memOwc = openWriteClose(boot({ kind: 'memory', sizeBytes: 64 * 1024 * 1024 }, false))
    const img = path.join(dir, 'c.img')
    const diskMachine = boot({ kind: 'image', path: img, format: { sizeBytes: 64 * 1024 * 1024 } }, false)
    const diskOwc = openWriteClose(diskMachine)
    diskMachine.shutdown()

    // a first pass warms the JIT so the order of the measurements does not decide the ratios
    reads(boot({ kind: 'memory', sizeBytes: 64 * 1024 * 1024 }, true))
    const off = boot({ kind: 'memory', sizeBytes: 64 * 1024 * 1024 }, false)
    const offMs = reads(off)
    const on = boot({ kind: 'memory', sizeBytes: 64 * 1024 * 1024 }, true)
    const onMs = reads(on)
    if (on.trace.count < READS * 2) throw new Error(`tracing recorded ${on.trace.count} events for ${READS} reads`)

    const hostOwcRate = perSec(CYCLES, hostOwc)
    const hostReadRate = perSec(READS, hostRead)
    return [
      { name: 'open-write-close cycles (host files)', value: hostOwcRate, unit: '/s' },
      { name: 'open-write-close cycles (NTFS, memory store)', value: perSec(CYCLES, memOwc), unit: '/s', ratio: perSec(CYCLES, memOwc) / hostOwcRate, baseline: 'of host' },
      { name: 'open-write-close cycles (NTFS, disk image)', value: perSec(CYCLES, diskOwc), unit: '/s', ratio: perSec(CYCLES, diskOwc) / hostOwcRate, baseline: 'of host' },
      { name: '4 KiB reads (host fs.readSync)', value: hostReadRate, unit: '/s' },
      { name: 'read IRPs, tracing off', value: perSec(READS, offMs), unit: '/s', ratio: perSec(READS, offMs) / hostReadRate, baseline: 'of host' },
      { name: 'read IRPs, tracing on', value: perSec(READS, onMs), unit: '/s', ratio: perSec(READS, onMs) / hostReadRate, baseline: 'of host' },
    ]
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
