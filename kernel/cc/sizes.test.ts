// Sizes and alignment with the Cache Manager running: valid data length against end of file and
// allocation, sector alignment of non-cached I/O, FILE_NO_INTERMEDIATE_BUFFERING, write-through.
// Sources: MS-FSA 2.1.5.2/2.1.5.3 (read/write, ValidDataLength), CreateFile "File Buffering"
// (FILE_FLAG_NO_BUFFERING alignment), SetFileValidData, WinBtrfs io tests (observed on NTFS).

import { describe, expect, it } from 'vitest'
import * as nt from '../io/services/index.ts'
import { brief, pattern, sameBytes, SECOND, TestMachine } from './test-machine.ts'
import { FILE_INFORMATION_CLASS } from '../nt/infoclass.ts'
import { CREATE_OPTIONS as O } from '../nt/file.ts'
import { STATUS } from '../nt/status.ts'
import type { NtfsStore } from '../fs/ntfs/store.ts'

function streamOf(store: NtfsStore, name: string) {
  const e = store.lookup(store.rootRecord, name)!
  return store.readRecord(e.record)!.streams.find((s) => s.name === '')!
}

function setVdl(t: TestMachine, process: string, h: number, vdl: number) {
  const buf = new Uint8Array(8)
  new DataView(buf.buffer).setBigInt64(0, BigInt(vdl), true)
  return t.call(process, () => nt.NtSetInformationFile(t.machine.io, { FileHandle: h, FileInformationClass: FILE_INFORMATION_CLASS.FileValidDataLengthInformation, FileInformation: buf })).status
}

describe('valid data length, end of file and allocation', () => {
  it('bytes past valid data read as zeros; a cached write leaves a gap of zeros and moves valid data on disk only when written behind', () => {
    const t = new TestMachine()
    const h = t.open('app.exe', 'vdl.bin', { disposition: 5 })
    t.write('app.exe', h, 0, pattern(8192))
    // SetEndOfFile to 64 KiB: the new part reads as zeros
    expect(t.setEof('app.exe', h, 65536)).toBe(STATUS.STATUS_SUCCESS)
    const r = t.read('app.exe', h, 0, 65536)
    expect(sameBytes(r.data.subarray(0, 8192), pattern(8192))).toBe(true)
    expect(r.data.subarray(8192).some((b) => b !== 0)).toBe(false)
    // a cached write at 40000: the gap 8192..40000 stays zero
    t.write('app.exe', h, 40000, 'tail')
    const g = t.read('app.exe', h, 8192, 31808).data
    expect(g.some((b) => b !== 0)).toBe(false)
    // on disk: the size is there at once (metadata), the valid data only after the lazy writer
    const before = streamOf(t.store, 'vdl.bin')
    expect(before.size).toBe(65536)
    expect(before.validDataLength).toBeLessThan(40004)
    t.wait(5 * SECOND)
    const after = streamOf(t.store, 'vdl.bin')
    expect(after.validDataLength).toBe(40004)
    expect(new TextDecoder().decode(t.onDisk('vdl.bin')!.subarray(40000, 40004))).toBe('tail')
    expect(t.onDisk('vdl.bin')!.subarray(8192, 40000).some((b) => b !== 0)).toBe(false)
    t.close('app.exe', h)
  })

  it('FileValidDataLengthInformation: not below the current valid data, not past end of file', () => {
    const t = new TestMachine()
    const h = t.open('app.exe', 'svd.bin', { disposition: 5 })
    t.write('app.exe', h, 0, pattern(4096))
    t.setEof('app.exe', h, 1 << 20)
    expect(setVdl(t, 'app.exe', h, 100)).toBe(STATUS.STATUS_INVALID_PARAMETER)
    expect(setVdl(t, 'app.exe', h, (1 << 20) + 1)).toBe(STATUS.STATUS_INVALID_PARAMETER)
    expect(setVdl(t, 'app.exe', h, 1 << 19)).toBe(STATUS.STATUS_SUCCESS)
    expect(streamOf(t.store, 'svd.bin').validDataLength).toBe(1 << 19)
    t.close('app.exe', h)
  })

  it('a non-cached write moves valid data at once; a cached write past the allocation allocates through the IRP', () => {
    const t = new TestMachine()
    const h = t.open('app.exe', 'nc.bin', { disposition: 5, options: O.FILE_NO_INTERMEDIATE_BUFFERING })
    const start = t.lastSeq()
    expect(t.write('app.exe', h, 0, pattern(4096))).toBe(STATUS.STATUS_SUCCESS)
    expect(t.fsOps(start).map(brief)).toEqual(['app.exe IRP_MJ_WRITE [IRP_NOCACHE,IRP_WRITE_OPERATION]'])
    const s = streamOf(t.store, 'nc.bin')
    expect([s.size, s.validDataLength]).toEqual([4096, 4096])
    expect(sameBytes(t.onDisk('nc.bin'), pattern(4096))).toBe(true)
    // no cache map for a non-cached handle: its close comes at once
    const s2 = t.lastSeq()
    t.close('app.exe', h)
    expect(t.fsOps(s2).map((e) => e.op)).toEqual(['IRP_MJ_CLEANUP', 'IRP_MJ_CLOSE'])
  })
})

describe('alignment of non-cached I/O', () => {
  it('offset and length must be multiples of the sector size (STATUS_INVALID_PARAMETER), cached I/O need not be', () => {
    const t = new TestMachine()
    t.prepare('al.bin', 8192)
    const n = t.open('app.exe', 'al.bin', { options: O.FILE_NO_INTERMEDIATE_BUFFERING })
    expect(t.read('app.exe', n, 0, 512).status).toBe(STATUS.STATUS_SUCCESS)
    expect(t.read('app.exe', n, 100, 512).status).toBe(STATUS.STATUS_INVALID_PARAMETER)
    expect(t.read('app.exe', n, 512, 100).status).toBe(STATUS.STATUS_INVALID_PARAMETER)
    expect(t.write('app.exe', n, 1024, pattern(511))).toBe(STATUS.STATUS_INVALID_PARAMETER)
    expect(t.write('app.exe', n, 1000, pattern(512))).toBe(STATUS.STATUS_INVALID_PARAMETER)
    expect(t.write('app.exe', n, 1024, pattern(1024, 5))).toBe(STATUS.STATUS_SUCCESS)
    const c = t.open('app.exe', 'al.bin')
    expect(t.read('app.exe', c, 100, 100).status).toBe(STATUS.STATUS_SUCCESS)
    expect(t.write('app.exe', c, 3, 'x')).toBe(STATUS.STATUS_SUCCESS)
    // a non-cached read crossing end of file returns the bytes up to it
    const r = t.read('app.exe', n, 7680, 1024)
    expect(r.status).toBe(STATUS.STATUS_SUCCESS)
    expect(r.data.length).toBe(512)
    t.close('app.exe', n)
    t.close('app.exe', c)
  })

  it('paging I/O is exempt: the cache writes whole pages and the file system stops them at end of file', () => {
    const t = new TestMachine()
    const h = t.open('app.exe', 'odd.bin', { disposition: 5 })
    t.write('app.exe', h, 0, pattern(6543))
    const start = t.lastSeq()
    t.flush('app.exe', h)
    const w = t.trace.filter((e) => e.seq > start && e.op === 'IRP_MJ_WRITE' && e.at === 'fs')
    expect(w.map((e) => `${e.phase} ${e.params['Length']} ${e.information ?? ''}`.trim())).toEqual(['dispatch 8192', 'complete 8192 6543'])
    expect(sameBytes(t.onDisk('odd.bin'), pattern(6543))).toBe(true)
    t.close('app.exe', h)
  })
})

describe('write-through', () => {
  it('FILE_WRITE_THROUGH and SL_WRITE_THROUGH: the data is on the volume when the write returns', () => {
    const t = new TestMachine()
    const h = t.open('app.exe', 'wt.log', { disposition: 5, options: O.FILE_WRITE_THROUGH })
    t.write('app.exe', h, 0, pattern(3000))
    expect(sameBytes(t.onDisk('wt.log'), pattern(3000))).toBe(true)
    const plain = t.open('app.exe', 'plain.log', { disposition: 5 })
    t.write('app.exe', plain, 0, pattern(3000))
    expect(t.onDisk('plain.log')!.some((b) => b !== 0)).toBe(false)
    t.close('app.exe', h)
    t.close('app.exe', plain)
  })
})
