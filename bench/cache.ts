// The Cache Manager against the host, in one run (256 MiB, 1 MiB requests, tracing off):
//   - a cached sequential read through the whole stack (NtReadFile → fast I/O or the IRP →
//     NTFS → CcCopyRead, page faults and read-ahead sending paging reads to NTFS on the
//     in-memory store), the cache cold at the start, vs fs.readSync of a host file;
//   - the same with non-cached I/O (FILE_NO_INTERMEDIATE_BUFFERING: every read an IRP to NTFS);
//   - a cached write of 256 MiB including the lazy writer's work (timed until the last dirty page
//     is on the volume), vs fs.writeSync of the host file and its fsync.

import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { Machine } from '../kernel/machine.ts'
import { ntfsVolume } from '../kernel/volumes.ts'
import * as nt from '../kernel/io/services/index.ts'
import { ACCESS } from '../kernel/nt/access.ts'
import { CREATE_DISPOSITION as D, CREATE_OPTIONS as O } from '../kernel/nt/file.ts'
import { NT_SUCCESS, statusName } from '../kernel/nt/status.ts'
import { settleCaches } from '../kernel/cc/settle.ts'
import type { Co } from '../kernel/ke/index.ts'
import type { BenchFigure } from './run.ts'

const TOTAL = 256 * 1024 * 1024
const CHUNK = 1024 * 1024

function chunk(i: number): Uint8Array {
  return new Uint8Array(CHUNK).fill(i & 0xff)
}

function boot(): Machine {
  const m = Machine.create({
    seed: 1,
    strategy: 'run-to-block',
    trace: false,
    cacheManager: true,
    volumes: [{ letter: 'C:', mount: ntfsVolume({ kind: 'memory', sizeBytes: 320 * 1024 * 1024 }) }],
  })
  m.boot()
  return m
}

/** runs `body` on an emulated thread until it and `also` are done; returns host milliseconds */
function timeOn(m: Machine, body: () => Co<void>, also: () => boolean = () => true): number {
  let done = false
  const p = m.process('bench.exe')
  const t = m.ke.createThread(p, 'main', function* () {
    yield* body()
    done = true
  })
  m.registerThread(p, t.tid)
  const start = performance.now()
  const outcome = m.ke.runUntil(() => done && also())
  const ms = performance.now() - start
  if (outcome !== 'done') throw new Error(`the emulated run ended with ${outcome}${m.ke.bugcheck ? `: ${m.ke.bugcheck.message}` : ''}`)
  return ms
}

function* open(m: Machine, name: string, options: number): Co<number> {
  const r = yield* nt.NtCreateFile(m.io, {
    FileName: `\\??\\C:\\${name}`,
    DesiredAccess: ACCESS.GENERIC_READ | ACCESS.GENERIC_WRITE | ACCESS.SYNCHRONIZE,
    CreateDisposition: D.FILE_OPEN_IF,
    CreateOptions: options | O.FILE_SYNCHRONOUS_IO_NONALERT | O.FILE_NON_DIRECTORY_FILE,
  })
  if (r.handle === undefined) throw new Error(`open ${name}: ${statusName(r.status)}`)
  return r.handle
}

/** cached write of TOTAL bytes in 1 MiB writes; the time includes the lazy writer writing it all */
function cachedWrite(m: Machine): number {
  const cc = m.cc!
  return timeOn(
    m,
    function* () {
      const h = yield* open(m, 'big.bin', O.FILE_SEQUENTIAL_ONLY)
      for (let i = 0; i < TOTAL / CHUNK; i++) {
        const w = yield* nt.NtWriteFile(m.io, { FileHandle: h, ByteOffset: i * CHUNK, Data: chunk(i) })
        if (!NT_SUCCESS(w.status)) throw new Error(`write ${i}: ${statusName(w.status)}`)
      }
      yield* nt.NtClose(m.io, { Handle: h })
    },
    () => cc.totalDirtyPages === 0,
  )
}

function sequentialRead(m: Machine, options: number): number {
  return timeOn(m, function* () {
    const h = yield* open(m, 'big.bin', options)
    for (let i = 0; i < TOTAL / CHUNK; i++) {
      const r = yield* nt.NtReadFile(m.io, { FileHandle: h, ByteOffset: i * CHUNK, Length: CHUNK })
      if (r.information !== CHUNK || r.data![CHUNK - 1] !== (i & 0xff)) throw new Error(`read ${i}: ${statusName(r.status)}, ${r.information} bytes`)
    }
    yield* nt.NtClose(m.io, { Handle: h })
  })
}

export function run(): BenchFigure[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'altitude-bench-cache-'))
  try {
    const host = path.join(dir, 'big.bin')
    const hostWrite = (() => {
      const t = performance.now()
      const fd = fs.openSync(host, 'w')
      for (let i = 0; i < TOTAL / CHUNK; i++) fs.writeSync(fd, chunk(i), 0, CHUNK, i * CHUNK)
      fs.fsyncSync(fd)
      fs.closeSync(fd)
      return performance.now() - t
    })()
    const hostRead = (() => {
      const fd = fs.openSync(host, 'r')
      const buf = new Uint8Array(CHUNK)
      const t = performance.now()
      for (let i = 0; i < TOTAL / CHUNK; i++) fs.readSync(fd, buf, 0, CHUNK, i * CHUNK)
      const ms = performance.now() - t
      fs.closeSync(fd)
      return ms
    })()

    const m = boot()
    const writeMs = cachedWrite(m)
    // the cache lets go of the file: the read starts cold
    const settled = settleCaches(m.io, m.cc!, m.trace)
    if (settled) throw new Error(settled)
    const cachedMs = sequentialRead(m, O.FILE_SEQUENTIAL_ONLY)
    const nonCachedMs = sequentialRead(m, O.FILE_NO_INTERMEDIATE_BUFFERING)
    m.shutdown()

    const mbps = (ms: number): number => TOTAL / (1024 * 1024) / (ms / 1000)
    return [
      { name: 'sequential read 256 MiB (host fs.readSync)', value: mbps(hostRead), unit: 'MiB/s' },
      { name: 'cached sequential read 256 MiB (whole stack)', value: mbps(cachedMs), unit: 'MiB/s', ratio: mbps(cachedMs) / mbps(hostRead), baseline: 'of host' },
      { name: 'non-cached sequential read 256 MiB (whole stack)', value: mbps(nonCachedMs), unit: 'MiB/s', ratio: mbps(nonCachedMs) / mbps(hostRead), baseline: 'of host' },
      { name: 'write 256 MiB + fsync (host)', value: mbps(hostWrite), unit: 'MiB/s' },
      { name: 'cached write 256 MiB incl. lazy writer (whole stack)', value: mbps(writeMs), unit: 'MiB/s', ratio: mbps(writeMs) / mbps(hostWrite), baseline: 'of host' },
    ]
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
