// IRP_MJ_READ / IRP_MJ_WRITE: end-of-file rules, positions of synchronous handles,
// FILE_WRITE_TO_END_OF_FILE, FILE_USE_FILE_POINTER_POSITION, append-only handles, non-cached
// alignment, sizes. Expected values from WinBtrfs's tests on NTFS (src/tests/io.cpp).

import { describe, expect, it } from 'vitest'
import type { FileObject } from '../../io/file-object.ts'
import { ACCESS } from '../../nt/access.ts'
import { BYTE_OFFSET_SPECIAL as B, CREATE_DISPOSITION as D, CREATE_OPTIONS as O } from '../../nt/file.ts'
import { forEachStore } from './test-backends.ts'
import type { TestVolume } from './test-support.ts'

const SYNC = O.FILE_SYNCHRONOUS_IO_NONALERT | O.FILE_NON_DIRECTORY_FILE
const RW_SYNC = ACCESS.SYNCHRONIZE | ACCESS.FILE_READ_DATA | ACCESS.FILE_WRITE_DATA | ACCESS.FILE_READ_ATTRIBUTES | ACCESS.FILE_WRITE_ATTRIBUTES

function pos(v: TestVolume, h: number): number | undefined {
  return v.query(h, 'FilePositionInformation').info?.CurrentByteOffset
}

forEachStore((vol) => {
describe('reads and end of file', () => {
  it('a read at end of file → STATUS_END_OF_FILE, nothing read, position unchanged (WinBtrfs "Read file at end")', () => {
    const v = vol()
    const h = v.create('io', { access: RW_SYNC, options: SYNC })
    v.write(h, 'abcdef')
    expect(pos(v, h)).toBe(6)
    const r = v.read(h, 100)
    expect([r.name, r.information]).toEqual(['STATUS_END_OF_FILE', 0])
    expect(pos(v, h)).toBe(6)
    expect(v.read(h, 10, 100).name).toBe('STATUS_END_OF_FILE')
  })
  it('a read across end of file returns what is there and moves the position to the end', () => {
    const v = vol()
    const h = v.create('io', { access: RW_SYNC, options: SYNC })
    v.write(h, 'abcdef')
    const r = v.read(h, 200, 4)
    expect([r.name, r.information, r.text]).toEqual(['STATUS_SUCCESS', 2, 'ef'])
    expect(pos(v, h)).toBe(6)
  })
  it('a zero-length read succeeds with nothing, even at end of file', () => {
    const v = vol()
    const h = v.create('io', { access: RW_SYNC, options: SYNC })
    expect(v.read(h, 0, 0).name).toBe('STATUS_SUCCESS')
  })
  it('extending by end of file reads zeros (WinBtrfs "Read new end of file")', () => {
    const v = vol()
    const h = v.create('io', { access: RW_SYNC, options: SYNC })
    v.write(h, 'xy', 0)
    expect(v.set(h, 'FileEndOfFileInformation', { EndOfFile: 10 }).name).toBe('STATUS_SUCCESS')
    const r = v.read(h, 20, 0)
    expect(r.information).toBe(10)
    expect([...r.data.subarray(2)]).toEqual(new Array(8).fill(0))
  })
  it('reading a directory handle → STATUS_INVALID_DEVICE_REQUEST', () => {
    const v = vol()
    const d = v.mkdir('d', { access: ACCESS.FILE_LIST_DIRECTORY })
    expect(v.read(d, 10, 0).name).toBe('STATUS_INVALID_DEVICE_REQUEST')
  })
})

describe('offsets and positions', () => {
  it('an explicit offset moves a synchronous handle\'s position; FILE_USE_FILE_POINTER_POSITION reads from it (WinBtrfs io3)', () => {
    const v = vol()
    const h = v.create('io3', { access: RW_SYNC, options: SYNC })
    v.write(h, 'abcdef')
    expect(v.read(h, 2, 0).text).toBe('ab')
    expect(pos(v, h)).toBe(2)
    expect(v.read(h, 2, B.FILE_USE_FILE_POINTER_POSITION).text).toBe('cd')
    expect(pos(v, h)).toBe(4)
    v.write(h, 'gh', B.FILE_USE_FILE_POINTER_POSITION)
    expect(pos(v, h)).toBe(6)
  })
  it('FILE_WRITE_TO_END_OF_FILE appends and moves the position; as a read offset it is invalid', () => {
    const v = vol()
    const h = v.create('io3', { access: RW_SYNC, options: SYNC })
    v.write(h, 'abcdef')
    v.set(h, 'FilePositionInformation', { CurrentByteOffset: 0 })
    expect(v.write(h, 'ij', B.FILE_WRITE_TO_END_OF_FILE).name).toBe('STATUS_SUCCESS')
    expect(pos(v, h)).toBe(8)
    expect(v.read(h, 2, B.FILE_WRITE_TO_END_OF_FILE).name).toBe('STATUS_INVALID_PARAMETER')
    expect(v.read(h, 8, 0).text).toBe('abcdefij')
  })
  it('an asynchronous handle needs an offset and has no position to move (WinBtrfs io4)', () => {
    const v = vol()
    const h = v.create('io4', { access: ACCESS.FILE_READ_DATA | ACCESS.FILE_WRITE_DATA | ACCESS.FILE_READ_ATTRIBUTES })
    expect(v.write(h, 'abc').name).toBe('STATUS_INVALID_PARAMETER')
    expect(v.write(h, 'abcdef', 0).name).toBe('STATUS_SUCCESS')
    expect(pos(v, h)).toBe(0)
    expect(v.read(h, 2, B.FILE_USE_FILE_POINTER_POSITION).name).toBe('STATUS_INVALID_PARAMETER')
    expect(v.write(h, 'ij', B.FILE_WRITE_TO_END_OF_FILE).name).toBe('STATUS_SUCCESS')
    expect(v.content('io4')).toBe('abcdefij')
  })
  it('an append-only handle writes every time at end of file (WinBtrfs io5)', () => {
    const v = vol()
    const h = v.create('io5', { access: ACCESS.SYNCHRONIZE | ACCESS.FILE_READ_DATA | ACCESS.FILE_APPEND_DATA, options: SYNC })
    v.write(h, 'abcdef')
    v.write(h, 'gh', B.FILE_USE_FILE_POINTER_POSITION)
    v.write(h, 'ij', 0)
    expect(pos(v, h)).toBe(10)
    v.write(h, 'ij', B.FILE_WRITE_TO_END_OF_FILE)
    expect(pos(v, h)).toBe(12)
    expect(v.content('io5')).toBe('abcdefghijij')
  })
})

describe('non-cached I/O', () => {
  it('FILE_NO_INTERMEDIATE_BUFFERING needs sector-aligned offsets and lengths (WinBtrfs io tests)', () => {
    const v = vol()
    const h = v.create('nb', { access: RW_SYNC, options: SYNC | O.FILE_NO_INTERMEDIATE_BUFFERING })
    expect(v.write(h, new Uint8Array(100), 0).name).toBe('STATUS_INVALID_PARAMETER')
    expect(v.write(h, new Uint8Array(512).fill(7), 0).name).toBe('STATUS_SUCCESS')
    expect(v.read(h, 100, 0).name).toBe('STATUS_INVALID_PARAMETER')
    expect(v.set(h, 'FilePositionInformation', { CurrentByteOffset: 100 }).name).toBe('STATUS_INVALID_PARAMETER')
    // a sector-sized read across end of file returns the bytes up to it
    v.set(h, 'FileEndOfFileInformation', { EndOfFile: 700 })
    expect(v.read(h, 1024, 0).information).toBe(700)
  })
})

describe('sizes', () => {
  it('a write past end of file extends it; AllocationSize covers it', () => {
    const v = vol()
    const h = v.create('big', { access: RW_SYNC, options: SYNC })
    v.write(h, new Uint8Array(10000).fill(1), 5000)
    const s = v.query(h, 'FileStandardInformation').info!
    expect(s.EndOfFile).toBe(15000)
    expect(s.AllocationSize).toBeGreaterThanOrEqual(15000)
    expect([...v.read(h, 4, 4998).data]).toEqual([0, 0, 1, 1])
  })
  it('valid data length moves only forward and not past end of file (WinBtrfs "Try setting valid data length")', () => {
    const v = vol()
    const h = v.create('vdl', { access: RW_SYNC, options: SYNC })
    v.write(h, new Uint8Array(8192).fill(2), 0)
    v.set(h, 'FileEndOfFileInformation', { EndOfFile: 12288 })
    expect(v.set(h, 'FileValidDataLengthInformation', { ValidDataLength: 0 }).name).toBe('STATUS_INVALID_PARAMETER')
    expect(v.set(h, 'FileValidDataLengthInformation', { ValidDataLength: 12288 }).name).toBe('STATUS_SUCCESS')
    expect(v.set(h, 'FileValidDataLengthInformation', { ValidDataLength: 16384 }).name).toBe('STATUS_INVALID_PARAMETER')
  })
  it('allocation below end of file truncates; above it keeps the size (MS-FSA 2.1.5.14.1)', () => {
    const v = vol()
    const h = v.create('al', { access: RW_SYNC, options: SYNC })
    v.write(h, new Uint8Array(8000), 0)
    expect(v.set(h, 'FileAllocationInformation', { AllocationSize: 4096 }).name).toBe('STATUS_SUCCESS')
    expect(v.query(h, 'FileStandardInformation').info?.EndOfFile).toBe(4096)
    v.set(h, 'FileAllocationInformation', { AllocationSize: 65536 })
    const s = v.query(h, 'FileStandardInformation').info!
    expect([s.EndOfFile, s.AllocationSize]).toEqual([4096, 65536])
  })
  it('end of file and allocation on a directory → STATUS_INVALID_PARAMETER (WinBtrfs io.cpp)', () => {
    const v = vol()
    const d = v.mkdir('d', { access: ACCESS.FILE_ALL_ACCESS })
    expect(v.set(d, 'FileEndOfFileInformation', { EndOfFile: 10 }).name).toBe('STATUS_INVALID_PARAMETER')
    expect(v.set(d, 'FileAllocationInformation', { AllocationSize: 4096 }).name).toBe('STATUS_INVALID_PARAMETER')
  })
  it('a preallocated file reports its allocation and a zero size', () => {
    const v = vol()
    const r = v.open('pre', { disposition: D.FILE_CREATE, allocation: 10000 })
    const s = v.query(r.handle, 'FileStandardInformation').info!
    expect([s.EndOfFile, s.AllocationSize]).toEqual([0, 12288])
  })
})

describe('handle state', () => {
  it('I/O through a file object whose handle is gone → STATUS_FILE_CLOSED', () => {
    const v = vol()
    const h = v.create('x', { access: RW_SYNC, options: SYNC })
    const entry = v.user.handles.get(h)!
    const file = entry.object as FileObject
    file.header.pointerCount++
    v.close(h)
    // a kernel component still holding a reference issues a non-paging read
    const status = v.run(function* () {
      const { irp, sp, device } = v.io.buildIrp(file, 3)
      irp.UserBuffer = new Uint8Array(4)
      sp.Parameters.Read = { ByteOffset: 0, Length: 4, Key: 0 }
      return yield* v.io.sendAndWait(device, irp)
    })
    expect(status).toBe(0xc0000128)
  })
})
})
