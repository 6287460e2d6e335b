import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { brief, pattern, sameBytes, SECOND, TestMachine } from './test-machine.ts'
import { STATUS } from '../nt/status.ts'
import { CREATE_OPTIONS as O } from '../nt/file.ts'
import { openDiskStore } from '../fs/ntfs/disk/disk-store.ts'

const SYNC_PAGING = '[IRP_NOCACHE,IRP_PAGING_IO,IRP_SYNCHRONOUS_PAGING_IO]'
const ASYNC_PAGING = '[IRP_NOCACHE,IRP_PAGING_IO]'

describe('cached reads', () => {
  it('initializes the cache on the first cached read; misses fault in with clustered synchronous paging reads in the caller', () => {
    const t = new TestMachine()
    const data = t.prepare('r.bin', 256 * 1024)
    const h = t.open('reader.exe', 'r.bin')
    const start = t.lastSeq()
    const r = t.read('reader.exe', h, 0, 64 * 1024)
    expect(r.status).toBe(STATUS.STATUS_SUCCESS)
    expect(sameBytes(r.data, data.subarray(0, 64 * 1024))).toBe(true)
    const ops = t.fsOps(start)
    // no fast I/O before the cache is initialized: the IRP, then 32 KiB page-fault clusters
    expect(ops.map(brief)).toEqual([
      'reader.exe IRP_MJ_READ [IRP_READ_OPERATION]',
      `reader.exe IRP_MJ_READ ${SYNC_PAGING}`,
      `reader.exe IRP_MJ_READ ${SYNC_PAGING}`,
    ])
    expect(ops.slice(1).map((e) => [e.params['ByteOffset'], e.params['Length']])).toEqual([[0, 32768], [32768, 32768]])
    // the same range again: fast I/O, straight from the cache
    const s2 = t.lastSeq()
    expect(sameBytes(t.read('reader.exe', h, 0, 64 * 1024).data, data.subarray(0, 64 * 1024))).toBe(true)
    expect(t.fsOps(s2).map(brief)).toEqual(['reader.exe FASTIO_READ'])
    const fo = t.machine.io.fileObjects.get(Number(ops[0]!.fileObject!.slice(2)))!
    expect(fo.history.some((x) => x.event === 'cache initialized')).toBe(true)
    t.close('reader.exe', h)
  })

  it('reads ahead on sequential access with asynchronous non-cached paging reads from System', () => {
    const t = new TestMachine()
    const data = t.prepare('seq.bin', 4 * 1024 * 1024)
    const h = t.open('copy.exe', 'seq.bin', { options: O.FILE_SEQUENTIAL_ONLY })
    const start = t.lastSeq()
    for (let off = 0; off < 1024 * 1024; off += 256 * 1024) {
      const r = t.read('copy.exe', h, off, 256 * 1024)
      expect(sameBytes(r.data, data.subarray(off, off + 256 * 1024))).toBe(true)
      t.wait(1000)
    }
    const ops = t.fsOps(start)
    const ahead = ops.filter((e) => e.process === 'System' && e.op === 'IRP_MJ_READ')
    expect(ahead.length).toBeGreaterThan(0)
    expect(ahead.every((e) => brief(e) === `System IRP_MJ_READ ${ASYNC_PAGING}`)).toBe(true)
    // FILE_SEQUENTIAL_ONLY: twice the read, ahead of it; later reads find the pages in memory
    expect(ahead[0]!.params).toMatchObject({ ByteOffset: 256 * 1024, Length: 512 * 1024 })
    const faults = ops.filter((e) => e.process === 'copy.exe' && e.op === 'IRP_MJ_READ' && e.flags.includes('IRP_PAGING_IO'))
    expect(faults.every((e) => (e.params['ByteOffset'] as number) < 256 * 1024)).toBe(true)
    t.close('copy.exe', h)
  })

  it('detects a sequential pattern without FILE_SEQUENTIAL_ONLY from the second read on', () => {
    const t = new TestMachine()
    t.prepare('pat.bin', 1024 * 1024)
    const h = t.open('app.exe', 'pat.bin')
    const start = t.lastSeq()
    t.read('app.exe', h, 0, 64 * 1024)
    t.wait(1000)
    expect(t.fsOps(start).some((e) => e.process === 'System')).toBe(false)
    t.read('app.exe', h, 64 * 1024, 64 * 1024)
    t.wait(1000)
    const ahead = t.fsOps(start).filter((e) => e.process === 'System' && e.op === 'IRP_MJ_READ')
    expect(ahead.map((e) => e.params['ByteOffset'])).toEqual([128 * 1024])
    t.close('app.exe', h)
  })
})

describe('flushes and coherency', () => {
  it('FlushFileBuffers writes the dirty data with a synchronous paging write in the caller thread', () => {
    const t = new TestMachine()
    const h = t.open('explorer.exe', 'jump.ms', { disposition: 5 })
    t.write('explorer.exe', h, 0, pattern(4096))
    const start = t.lastSeq()
    expect(t.flush('explorer.exe', h)).toBe(STATUS.STATUS_SUCCESS)
    const ops = t.fsOps(start)
    expect(ops.map(brief)).toEqual([
      'explorer.exe IRP_MJ_FLUSH_BUFFERS',
      'explorer.exe IRP_MJ_ACQUIRE_FOR_CC_FLUSH',
      `explorer.exe IRP_MJ_WRITE ${SYNC_PAGING}`,
      'explorer.exe IRP_MJ_RELEASE_FOR_CC_FLUSH',
    ])
    expect(new Set(ops.map((e) => e.tid)).size).toBe(1)
    expect(sameBytes(t.onDisk('jump.ms'), pattern(4096))).toBe(true)
    // nothing dirty: the acquire/release pair still comes, with no write (observed, Win10 1903)
    const s2 = t.lastSeq()
    t.flush('explorer.exe', h)
    expect(t.fsOps(s2).map(brief)).toEqual(['explorer.exe IRP_MJ_FLUSH_BUFFERS', 'explorer.exe IRP_MJ_ACQUIRE_FOR_CC_FLUSH', 'explorer.exe IRP_MJ_RELEASE_FOR_CC_FLUSH'])
    // and the lazy writer has nothing left to write
    t.wait(5 * SECOND)
    expect(t.fsOps(s2).some((e) => e.process === 'System' && e.op === 'IRP_MJ_WRITE')).toBe(false)
    t.close('explorer.exe', h)
  })

  it('write-through: a Cc worker flushes the written range (Write Through) before the write completes', () => {
    const t = new TestMachine()
    const h = t.open('svchost.exe', 'edb.log', { disposition: 5, options: O.FILE_WRITE_THROUGH })
    t.write('svchost.exe', h, 0, pattern(8192))
    const start = t.lastSeq()
    t.write('svchost.exe', h, 4096, pattern(4096, 4096))
    const ev = t.trace.filter((e) => e.seq > start && e.at === 'fs')
    const lazy = ev.find((e) => e.process === 'System' && e.op === 'IRP_MJ_WRITE' && e.phase === 'dispatch')!
    expect(lazy).toBeDefined()
    expect(lazy.params).toMatchObject({ ByteOffset: 4096, Length: 4096 })
    const done = ev.find((e) => e.process === 'svchost.exe' && e.phase === 'complete' && e.op === 'IRP_MJ_WRITE')!
    expect(done.seq).toBeGreaterThan(lazy.seq)
    expect(sameBytes(t.onDisk('edb.log'), pattern(8192))).toBe(true)
    t.close('svchost.exe', h)
  })

  it('a non-cached write has the cache write its dirty range and purge it; a non-cached read flushes first', () => {
    const t = new TestMachine()
    const data = t.prepare('mix.bin', 64 * 1024)
    const c = t.open('a.exe', 'mix.bin')
    const n = t.open('b.exe', 'mix.bin', { options: O.FILE_NO_INTERMEDIATE_BUFFERING })
    t.write('a.exe', c, 0, pattern(4096, 99))
    const start = t.lastSeq()
    // b reads non-cached: the dirty page goes to disk first, so b sees a's data
    const r = t.read('b.exe', n, 0, 4096)
    expect(sameBytes(r.data, pattern(4096, 99))).toBe(true)
    expect(t.fsOps(start).map(brief)).toEqual([
      'b.exe IRP_MJ_READ [IRP_NOCACHE,IRP_READ_OPERATION]',
      'b.exe IRP_MJ_ACQUIRE_FOR_CC_FLUSH',
      `b.exe IRP_MJ_WRITE ${SYNC_PAGING}`,
      'b.exe IRP_MJ_RELEASE_FOR_CC_FLUSH',
    ])
    // b writes non-cached: a's cached copy of the range goes, so a reads b's data
    expect(t.write('b.exe', n, 8192, pattern(4096, 7))).toBe(STATUS.STATUS_SUCCESS)
    expect(sameBytes(t.read('a.exe', c, 8192, 4096).data, pattern(4096, 7))).toBe(true)
    expect(sameBytes(t.read('a.exe', c, 12288, 4096).data, data.subarray(12288, 16384))).toBe(true)
    t.close('a.exe', c)
    t.close('b.exe', n)
  })

  it('truncation drops cached pages past the new end; growing again reads zeros', () => {
    const t = new TestMachine()
    const h = t.open('a.exe', 'trunc.bin', { disposition: 5 })
    t.write('a.exe', h, 0, pattern(16384))
    expect(t.setEof('a.exe', h, 5000)).toBe(STATUS.STATUS_SUCCESS)
    expect(t.setEof('a.exe', h, 16384)).toBe(STATUS.STATUS_SUCCESS)
    const r = t.read('a.exe', h, 0, 16384).data
    expect(sameBytes(r.subarray(0, 5000), pattern(5000))).toBe(true)
    expect(r.subarray(5000).some((b) => b !== 0)).toBe(false)
    t.wait(10 * SECOND)
    const disk = t.onDisk('trunc.bin')!
    expect(sameBytes(disk.subarray(0, 5000), pattern(5000))).toBe(true)
    expect(disk.subarray(5000).some((b) => b !== 0)).toBe(false)
    t.close('a.exe', h)
  })
})

describe('the volume on disk', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'altitude-cc-'))
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('holds the cached data once the lazy writer wrote it (disk image, read back by another mount)', () => {
    const image = path.join(dir, 'v.img')
    const t = new TestMachine({ volume: { kind: 'image', path: image, format: { sizeBytes: 16 * 1024 * 1024 } } })
    const h = t.open('app.exe', 'img.bin', { disposition: 5 })
    t.write('app.exe', h, 0, pattern(20000))
    t.close('app.exe', h)
    expect(t.onDisk('img.bin')!.some((b) => b !== 0)).toBe(false)
    t.wait(5 * SECOND)
    expect(sameBytes(t.onDisk('img.bin'), pattern(20000))).toBe(true)
    t.machine.shutdown()
    const s = openDiskStore(image, { readOnly: true })
    try {
      const e = s.lookup(s.rootRecord, 'img.bin')!
      expect(sameBytes(s.readStream(e.record, '', 0, 20000), pattern(20000))).toBe(true)
    } finally {
      s.close()
    }
  })
})
