// The on-disk NTFS layer against plain host-file I/O, in one run:
//   - sequential write of a 256 MiB file through the store (1 MiB writes, then a flush)
//     vs writing the same bytes to a host file (then fdatasync);
//   - sequential read of it back (1 MiB reads, each into a new buffer, as the store returns
//     one) vs the same reads from the host file;
//   - creates + deletes of empty files per second, vs create + unlink on the host;
//   - mount time of a volume holding 100,000 files (built once and cached in the temp
//     directory), vs mounting a fresh volume.

import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { formatVolume } from '../kernel/fs/ntfs/disk/format.ts'
import { openDiskStore } from '../kernel/fs/ntfs/disk/disk-store.ts'
import { NameSpace, type StandardInfo } from '../kernel/fs/ntfs/store.ts'
import type { BenchFigure } from './run.ts'

const MiB = 1024 * 1024
const FILE_BYTES = 256 * MiB
const CHUNK = MiB
const T = 133_000_000_000_000_000n
const MOUNT_FILES = 100_000

function std(attrs: number): StandardInfo {
  return { creationTime: T, lastWriteTime: T, changeTime: T, lastAccessTime: T, fileAttributes: attrs, securityId: 0, ownerId: 0, usn: 0n }
}

function time(fn: () => void): number {
  const t = performance.now()
  fn()
  return performance.now() - t
}

function best(n: number, fn: () => number): number {
  let b = Infinity
  for (let i = 0; i < n; i++) b = Math.min(b, fn())
  return b
}

function sequential(dir: string): BenchFigure[] {
  const data = new Uint8Array(CHUNK)
  for (let i = 0; i < CHUNK; i++) data[i] = (i * 31) & 0xff
  const img = path.join(dir, 'seq.img')
  const host = path.join(dir, 'seq.bin')
  let storeWrite = Infinity
  let storeRead = Infinity
  let hostWrite = Infinity
  let hostRead = Infinity
  for (let round = 0; round < 2; round++) {
    formatVolume(img, { sizeBytes: FILE_BYTES + 64 * MiB, time: T })
    const s = openDiskStore(img)
    const f = s.createRecord({ isDirectory: false, std: std(0x20), name: { parent: 5, name: 'big.bin', nameSpace: NameSpace.Win32AndDos } }).record
    s.createStream(f, '')
    storeWrite = Math.min(
      storeWrite,
      time(() => {
        for (let o = 0; o < FILE_BYTES; o += CHUNK) s.writeStream(f, '', o, data)
        s.flush()
      }),
    )
    storeRead = Math.min(
      storeRead,
      time(() => {
        for (let o = 0; o < FILE_BYTES; o += CHUNK) s.readStream(f, '', o, CHUNK)
      }),
    )
    s.close()
    fs.rmSync(img)
    const fd = fs.openSync(host, 'w+')
    hostWrite = Math.min(
      hostWrite,
      time(() => {
        for (let o = 0; o < FILE_BYTES; o += CHUNK) fs.writeSync(fd, data, 0, CHUNK, o)
        fs.fdatasyncSync(fd)
      }),
    )
    hostRead = Math.min(
      hostRead,
      time(() => {
        for (let o = 0; o < FILE_BYTES; o += CHUNK) fs.readSync(fd, new Uint8Array(CHUNK), 0, CHUNK, o)
      }),
    )
    fs.closeSync(fd)
    fs.rmSync(host)
  }
  const mbps = (ms: number): number => FILE_BYTES / MiB / (ms / 1000)
  return [
    { name: 'sequential write 256 MiB through the store', value: mbps(storeWrite), unit: 'MiB/s', ratio: storeWrite / hostWrite, baseline: 'of host-file time' },
    { name: 'sequential read 256 MiB through the store', value: mbps(storeRead), unit: 'MiB/s', ratio: storeRead / hostRead, baseline: 'of host-file time' },
  ]
}

function createDelete(dir: string): BenchFigure[] {
  const img = path.join(dir, 'cd.img')
  formatVolume(img, { sizeBytes: 64 * MiB, time: T })
  const s = openDiskStore(img)
  const n = 5000
  const d = s.createRecord({ isDirectory: true, std: std(0x10), name: { parent: 5, name: 'work', nameSpace: NameSpace.Win32AndDos } }).record
  const storeMs = best(2, () =>
    time(() => {
      for (let i = 0; i < n; i++) {
        const name = `empty file ${i}.tmp`
        const r = s.createRecord({ isDirectory: false, std: std(0x20), name: { parent: d, name, nameSpace: NameSpace.Win32 } })
        s.createStream(r.record, '')
        s.removeName(r.record, d, name)
        s.deleteRecord(r.record)
      }
      s.flush()
    }),
  )
  s.close()
  fs.rmSync(img)
  const hostDir = path.join(dir, 'host-cd')
  fs.mkdirSync(hostDir)
  const hostMs = best(2, () =>
    time(() => {
      for (let i = 0; i < n; i++) {
        const p = path.join(hostDir, `empty file ${i}.tmp`)
        fs.closeSync(fs.openSync(p, 'w'))
        fs.unlinkSync(p)
      }
    }),
  )
  return [{ name: 'creates + deletes of empty files', value: n / (storeMs / 1000), unit: 'pairs/s', ratio: storeMs / hostMs, baseline: 'of host create+unlink time' }]
}

/** the 100,000-file volume, built once per machine (it takes a while) */
function bigVolume(): string {
  const cache = path.join(os.tmpdir(), 'altitude-bench')
  const img = path.join(cache, `files-${MOUNT_FILES}-v1.img`)
  if (fs.existsSync(img)) return img
  fs.mkdirSync(cache, { recursive: true })
  const tmp = `${img}.${process.pid}.tmp`
  formatVolume(tmp, { sizeBytes: 512 * MiB, time: T })
  const s = openDiskStore(tmp)
  const dirs = 100
  for (let k = 0; k < dirs; k++) {
    const d = s.createRecord({ isDirectory: true, std: std(0x10), name: { parent: 5, name: `dir ${k}`, nameSpace: NameSpace.Win32 } }).record
    for (let i = 0; i < MOUNT_FILES / dirs; i++) {
      const r = s.createRecord({ isDirectory: false, std: std(0x20), name: { parent: d, name: `file ${i}.dat`, nameSpace: NameSpace.Win32 } })
      s.createStream(r.record, '')
    }
  }
  s.close()
  fs.renameSync(tmp, img)
  return img
}

function mount(dir: string): BenchFigure[] {
  const img = bigVolume()
  const fresh = path.join(dir, 'fresh.img')
  formatVolume(fresh, { sizeBytes: 512 * MiB, time: T })
  const open = (p: string): number =>
    time(() => {
      const s = openDiskStore(p, { readOnly: true })
      const d = s.lookup(5, 'dir 57')
      if (!d || !s.lookup(d.record, 'file 567.dat')) throw new Error('the 100,000-file volume lacks dir 57\\file 567.dat')
      s.close()
    })
  const big = best(3, () => open(img))
  const base = best(3, () => {
    const t = performance.now()
    const s = openDiskStore(fresh, { readOnly: true })
    s.lookup(5, '$MFT')
    s.close()
    return performance.now() - t
  })
  return [{ name: `mount a volume of ${MOUNT_FILES.toLocaleString('en')} files (and one lookup)`, value: big, unit: 'ms', ratio: big / base, baseline: 'of mounting a fresh volume' }]
}

export function run(): BenchFigure[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'altitude-bench-'))
  try {
    return [...sequential(dir), ...createDelete(dir), ...mount(dir)]
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
