// Query and set information: layouts, buffer-too-small and overflow rules, field values, and
// timestamps. Expected values from WinBtrfs's tests on NTFS (create.cpp, streams.cpp,
// fileinfo.cpp), Wine's ntdll tests (file.c: FileNameInformation / FileAllInformation
// overflow) and MS-FSCC 2.4.

import { describe, expect, it } from 'vitest'
import { TICKS_PER_SECOND } from '../../ke/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_DISPOSITION as D, CREATE_OPTIONS as O, FILE_ATTRIBUTE as A } from '../../nt/file.ts'
import { forEachStore } from './test-backends.ts'
import type { TestVolume } from './test-support.ts'

const SYNC = O.FILE_SYNCHRONOUS_IO_NONALERT
const RW = ACCESS.SYNCHRONIZE | ACCESS.FILE_READ_DATA | ACCESS.FILE_WRITE_DATA | ACCESS.FILE_READ_ATTRIBUTES | ACCESS.FILE_WRITE_ATTRIBUTES

forEachStore((vol) => {
describe('query classes', () => {
  it('a new file: basic, standard, internal, EA, attribute-tag and network-open agree (WinBtrfs "Create file")', () => {
    const v = vol()
    const h = v.create('file')
    const b = v.query(h, 'FileBasicInformation').info!
    const s = v.query(h, 'FileStandardInformation').info!
    const n = v.query(h, 'FileNetworkOpenInformation').info!
    expect(b.FileAttributes).toBe(A.FILE_ATTRIBUTE_ARCHIVE)
    expect([s.AllocationSize, s.EndOfFile, s.NumberOfLinks, s.DeletePending, s.Directory]).toEqual([0, 0, 1, false, false])
    expect([n.CreationTime, n.LastWriteTime, n.ChangeTime, n.LastAccessTime]).toEqual([b.CreationTime, b.LastWriteTime, b.ChangeTime, b.LastAccessTime])
    expect(v.query(h, 'FileEaInformation').info?.EaSize).toBe(0)
    expect(v.query(h, 'FileAttributeTagInformation').info).toEqual({ FileAttributes: A.FILE_ATTRIBUTE_ARCHIVE, ReparseTag: 0 })
    const id = v.query(h, 'FileInternalInformation').info!.IndexNumber
    expect(id & 0xffffffffffffn).toBe(BigInt(v.lookup('file')!.record))
    expect(v.query(h, 'FileIdInformation').info?.FileId).toBe(id)
  })
  it('FileAccessInformation reports what MAXIMUM_ALLOWED granted: 0x1f01ff (WinBtrfs "Check access information")', () => {
    const v = vol()
    const h = v.create('file', { access: ACCESS.MAXIMUM_ALLOWED })
    expect(v.query(h, 'FileAccessInformation').info?.AccessFlags).toBe(0x1f01ff)
  })
  it('FileNameInformation is the path from the volume root, in the stored case', () => {
    const v = vol()
    v.close(v.mkdir('Dir'))
    v.file('Dir\\Name.TXT')
    const r = v.open('dir\\name.txt')
    expect(v.query(r.handle, 'FileNameInformation').info?.FileName).toBe('\\Dir\\Name.TXT')
    expect(v.query(r.handle, 'FileNormalizedNameInformation').info?.FileName).toBe('\\Dir\\Name.TXT')
  })
  it('a short buffer: below the fixed part → STATUS_INFO_LENGTH_MISMATCH; a name cut short → STATUS_BUFFER_OVERFLOW with the full length (Wine file.c)', () => {
    const v = vol()
    const h = v.create('longer-name.txt')
    expect(v.query(h, 'FileNameInformation', 7).name).toBe('STATUS_INFO_LENGTH_MISMATCH')
    const q = v.query(h, 'FileNameInformation', 8)
    expect([q.name, q.information, q.info?.FileNameLength, q.info?.FileName]).toEqual(['STATUS_BUFFER_OVERFLOW', 8, 32, '\\l'])
    expect(v.query(h, 'FileBasicInformation', 39).name).toBe('STATUS_INFO_LENGTH_MISMATCH')
    const all = v.query(h, 'FileAllInformation', 104)
    expect([all.name, all.information]).toEqual(['STATUS_BUFFER_OVERFLOW', 104])
    const full = v.query(h, 'FileAllInformation')
    expect(full.name).toBe('STATUS_SUCCESS')
    expect(full.info?.NameInformation.FileName).toBe('\\longer-name.txt')
    expect(full.info?.StandardInformation.NumberOfLinks).toBe(1)
  })
  it('FileStreamInformation lists ::$DATA first, then the named streams; a directory without streams returns nothing (WinBtrfs streams.cpp)', () => {
    const v = vol()
    v.file('f', 'hello')
    // shared for delete: an open of the file for DELETE waits on every stream sharing it
    const s = v.open('f:stream', { disposition: D.FILE_CREATE, share: 7 })
    v.write(s.handle, 'ab', 0)
    const h = v.open('f', { share: 7 }).handle
    expect(v.query(h, 'FileStreamInformation').info?.Streams).toEqual([
      { StreamName: '::$DATA', StreamSize: 5, StreamAllocationSize: 8 },
      { StreamName: ':stream:$DATA', StreamSize: 2, StreamAllocationSize: 8 },
    ])
    expect(v.query(s.handle, 'FileStandardInformation').info?.AlternateStream).toBe(true)
    const d = v.mkdir('d')
    const q = v.query(d, 'FileStreamInformation')
    expect([q.name, q.information]).toEqual(['STATUS_SUCCESS', 0])
  })
  it('a directory: DIRECTORY attribute, Directory true, sizes 0 (WinBtrfs "Create directory")', () => {
    const v = vol()
    const d = v.mkdir('d')
    const s = v.query(d, 'FileStandardInformation').info!
    expect([s.AllocationSize, s.EndOfFile, s.Directory]).toEqual([0, 0, true])
    expect(v.query(d, 'FileBasicInformation').info?.FileAttributes).toBe(A.FILE_ATTRIBUTE_DIRECTORY)
  })
  it('FileHardLinkInformation lists every link with its parent\'s file reference', () => {
    const v = vol()
    v.close(v.mkdir('sub'))
    const h = v.create('a', { share: 7 })
    v.link(h, 'sub\\b')
    const links = v.query(h, 'FileHardLinkInformation').info!
    expect(links.EntriesReturned).toBe(2)
    expect(links.Entries.map((e) => e.FileName).sort()).toEqual(['a', 'b'])
    expect(links.Entries.find((e) => e.FileName === 'a')!.ParentFileId & 0xffffffffffffn).toBe(5n)
  })
  it('FileAlternateNameInformation of a name without an 8.3 name → STATUS_OBJECT_NAME_NOT_FOUND (MS-FSA 2.1.5.12.3)', () => {
    const v = vol({ settings: { create8dot3Names: false } })
    const h = v.create('Long Name Here.txt')
    expect(v.query(h, 'FileAlternateNameInformation').name).toBe('STATUS_OBJECT_NAME_NOT_FOUND')
  })
  it('an unsupported class → STATUS_INVALID_PARAMETER', () => {
    const v = vol()
    const h = v.create('f')
    // FileObjectIdInformation is a directory-enumeration class of $ObjId, not a file query
    expect(v.query(h, 'FileObjectIdInformation').name).toBe('STATUS_INVALID_PARAMETER')
  })
})

describe('FileBasicInformation', () => {
  it('zero leaves a time alone; a value sets it; a value below -2 is invalid (MS-FSCC 2.4.7)', () => {
    const v = vol()
    const h = v.create('f', { access: RW })
    const before = v.query(h, 'FileBasicInformation').info!
    expect(v.set(h, 'FileBasicInformation', { LastWriteTime: 130000000000000000n }).name).toBe('STATUS_SUCCESS')
    const after = v.query(h, 'FileBasicInformation').info!
    expect(after.LastWriteTime).toBe(130000000000000000n)
    expect(after.CreationTime).toBe(before.CreationTime)
    expect(v.set(h, 'FileBasicInformation', { LastWriteTime: -3 }).name).toBe('STATUS_INVALID_PARAMETER')
  })
  it('attributes: NORMAL clears them, DIRECTORY on a file and TEMPORARY on a directory are invalid (MS-FSA 2.1.5.14.2)', () => {
    const v = vol()
    const h = v.create('f', { access: RW, attributes: A.FILE_ATTRIBUTE_HIDDEN })
    expect(v.set(h, 'FileBasicInformation', { FileAttributes: A.FILE_ATTRIBUTE_NORMAL }).name).toBe('STATUS_SUCCESS')
    expect(v.query(h, 'FileBasicInformation').info?.FileAttributes).toBe(A.FILE_ATTRIBUTE_NORMAL)
    expect(v.set(h, 'FileBasicInformation', { FileAttributes: A.FILE_ATTRIBUTE_DIRECTORY }).name).toBe('STATUS_INVALID_PARAMETER')
    const d = v.mkdir('d', { access: RW })
    expect(v.set(d, 'FileBasicInformation', { FileAttributes: A.FILE_ATTRIBUTE_TEMPORARY }).name).toBe('STATUS_INVALID_PARAMETER')
    expect(v.set(d, 'FileBasicInformation', { FileAttributes: A.FILE_ATTRIBUTE_HIDDEN }).name).toBe('STATUS_SUCCESS')
    expect(v.query(d, 'FileBasicInformation').info?.FileAttributes).toBe(A.FILE_ATTRIBUTE_DIRECTORY | A.FILE_ATTRIBUTE_HIDDEN)
  })
  it('a read-only attribute set through the handle is enforced on the next open', () => {
    const v = vol()
    const h = v.create('f', { access: RW })
    v.set(h, 'FileBasicInformation', { FileAttributes: A.FILE_ATTRIBUTE_READONLY })
    v.close(h)
    expect(v.open('f', { access: ACCESS.FILE_WRITE_DATA }).name).toBe('STATUS_ACCESS_DENIED')
  })
})

/** runs `op` and returns the virtual time window it ran in (the I/O path charges time) */
function during(v: TestVolume, op: () => void): [bigint, bigint] {
  const a = v.ke.systemTime()
  op()
  return [a, v.ke.systemTime()]
}
const within = (t: bigint | undefined, [a, b]: [bigint, bigint]): boolean => t !== undefined && t >= a && t <= b

describe('timestamps', () => {
  it('a write stamps LastWriteTime and ChangeTime when its handle is cleaned up', () => {
    const v = vol()
    const h = v.create('f', { access: RW, options: SYNC, share: 7 })
    const t0 = v.query(h, 'FileBasicInformation').info!
    v.ke.advance(5 * TICKS_PER_SECOND)
    v.write(h, 'data')
    // not yet: "the last write time is not fully updated until all handles used for writing are closed"
    expect(v.query(h, 'FileBasicInformation').info?.LastWriteTime).toBe(t0.LastWriteTime)
    const w = during(v, () => v.close(h))
    const r = v.lookup('f')!
    expect(within(r.std.lastWriteTime, w)).toBe(true)
    expect(r.std.changeTime).toBe(r.std.lastWriteTime)
    expect(r.std.creationTime).toBe(t0.CreationTime)
  })
  it('a time set through the handle sticks: cleanup does not overwrite it (FILE_BASIC_INFORMATION docs)', () => {
    const v = vol()
    const h = v.create('f', { access: RW, options: SYNC })
    v.write(h, 'data')
    v.set(h, 'FileBasicInformation', { LastWriteTime: 120000000000000000n })
    v.ke.advance(TICKS_PER_SECOND)
    v.close(h)
    expect(v.lookup('f')!.std.lastWriteTime).toBe(120000000000000000n)
  })
  it('-1 stops the handle\'s automatic update, -2 resumes it (MS-FSCC 2.4.7)', () => {
    const v = vol()
    const h = v.create('f', { access: RW, options: SYNC })
    const t0 = v.query(h, 'FileBasicInformation').info!.LastWriteTime
    v.set(h, 'FileBasicInformation', { LastWriteTime: -1 })
    v.write(h, 'data')
    v.ke.advance(TICKS_PER_SECOND)
    v.close(h)
    expect(v.lookup('f')!.std.lastWriteTime).toBe(t0)
    const h2 = v.open('f', { access: RW, options: SYNC }).handle
    v.set(h2, 'FileBasicInformation', { LastWriteTime: -1 })
    v.set(h2, 'FileBasicInformation', { LastWriteTime: -2 })
    v.write(h2, 'more')
    v.ke.advance(TICKS_PER_SECOND)
    const w = during(v, () => v.close(h2))
    expect(within(v.lookup('f')!.std.lastWriteTime, w)).toBe(true)
  })
  it('adding and removing an entry stamps the directory\'s LastWriteTime', () => {
    const v = vol()
    v.close(v.mkdir('d'))
    v.ke.advance(TICKS_PER_SECOND)
    const w1 = during(v, () => v.close(v.create('d\\x', { access: ACCESS.DELETE })))
    const added = v.lookup('d')!.std.lastWriteTime
    expect(within(added, w1)).toBe(true)
    v.ke.advance(TICKS_PER_SECOND)
    const h = v.open('d\\x', { access: ACCESS.DELETE }).handle
    v.set(h, 'FileDispositionInformation', { DeleteFile: true })
    const w2 = during(v, () => v.close(h))
    expect(within(v.lookup('d')!.std.lastWriteTime, w2)).toBe(true)
  })
  it('reading leaves LastAccessTime alone (NtfsDisableLastAccessUpdate on by default)', () => {
    const v = vol()
    v.file('f', 'abc')
    const before = v.lookup('f')!.std.lastAccessTime
    v.ke.advance(TICKS_PER_SECOND)
    const h = v.open('f', { access: RW, options: SYNC }).handle
    v.read(h, 3, 0)
    v.close(h)
    expect(v.lookup('f')!.std.lastAccessTime).toBe(before)
  })
  it('with last-access updates on, a read moves LastAccessTime when its handle is cleaned up', () => {
    const v = vol({ settings: { disableLastAccessUpdate: false } })
    v.file('f', 'abc')
    const before = v.lookup('f')!.std.lastAccessTime
    v.ke.advance(TICKS_PER_SECOND)
    const h = v.open('f', { access: RW, options: SYNC }).handle
    v.read(h, 3, 0)
    const w = during(v, () => v.close(h))
    const after = v.lookup('f')!.std.lastAccessTime
    expect(after).not.toBe(before)
    expect(within(after, w)).toBe(true)
  })
  it('overwriting stamps the write time at once', () => {
    const v = vol()
    v.file('f', 'abc')
    v.ke.advance(TICKS_PER_SECOND)
    const w = during(v, () => v.probe('f', { disposition: D.FILE_OVERWRITE }))
    expect(within(v.lookup('f')!.std.lastWriteTime, w)).toBe(true)
  })
})
})
