// The less common opens: reparse points (symbolic links, mount points, third-party tags), open
// by file id and object id, target-directory opens, volume opens, case-sensitive opens, and
// the lifecycle of the file objects NTFS leaves behind.

import { describe, expect, it } from 'vitest'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_DISPOSITION as D, CREATE_OPTIONS as O, CREATE_RESULT as R, FILE_ATTRIBUTE as A, IO_REPARSE_TAG as T } from '../../nt/file.ts'
import { fileIdToFileName, objectIdToFileName } from './paths.ts'
import { forEachStore } from './test-backends.ts'
import type { TestVolume } from './test-support.ts'

/** MountPointReparseBuffer / SymbolicLinkReparseBuffer data (after the 8-byte header) */
function nameSurrogate(substitute: string, print: string, symlinkFlags?: number): Uint8Array {
  const sub = [...substitute].flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8])
  const pr = [...print].flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8])
  const head = symlinkFlags === undefined ? 8 : 12
  const out = new Uint8Array(head + sub.length + 2 + pr.length + 2)
  const dv = new DataView(out.buffer)
  dv.setUint16(0, 0, true)
  dv.setUint16(2, sub.length, true)
  dv.setUint16(4, sub.length + 2, true)
  dv.setUint16(6, pr.length, true)
  if (symlinkFlags !== undefined) dv.setUint32(8, symlinkFlags, true)
  out.set(sub, head)
  out.set(pr, head + sub.length + 2)
  return out
}

function reparseVolume(v: TestVolume): TestVolume {
  v.close(v.mkdir('target'))
  v.file('target\\f.txt', 'through the link')
  v.close(v.mkdir('junction'))
  v.store.setReparsePoint(v.lookup('junction')!.record, { tag: T.IO_REPARSE_TAG_MOUNT_POINT, data: nameSurrogate('\\??\\C:\\target', 'C:\\target') })
  return v
}

forEachStore((vol) => {
describe('reparse points', () => {
  it('a mount point in the middle of a path: NTFS returns STATUS_REPARSE and the open lands in the target', () => {
    const v = reparseVolume(vol())
    const r = v.open('junction\\f.txt', { share: 7 })
    expect(r.name).toBe('STATUS_SUCCESS')
    expect(v.read(r.handle, 100, 0).text).toBe('through the link')
    expect(v.query(r.handle, 'FileNameInformation').info?.FileName).toBe('\\target\\f.txt')
  })
  it('FILE_OPEN_REPARSE_POINT opens the reparse point itself, which reports its tag', () => {
    const v = reparseVolume(vol())
    const r = v.open('junction', { options: O.FILE_OPEN_REPARSE_POINT | O.FILE_DIRECTORY_FILE, share: 7 })
    expect(r.name).toBe('STATUS_SUCCESS')
    const t = v.query(r.handle, 'FileAttributeTagInformation').info!
    expect(t).toEqual({ FileAttributes: A.FILE_ATTRIBUTE_DIRECTORY | A.FILE_ATTRIBUTE_REPARSE_POINT, ReparseTag: T.IO_REPARSE_TAG_MOUNT_POINT })
    expect(v.query(r.handle, 'FileNameInformation').info?.FileName).toBe('\\junction')
  })
  it('a relative symbolic link resolves against its directory', () => {
    const v = vol()
    v.file('real.txt', 'real data')
    v.file('link.txt')
    v.store.setReparsePoint(v.lookup('link.txt')!.record, { tag: T.IO_REPARSE_TAG_SYMLINK, data: nameSurrogate('real.txt', 'real.txt', 1) })
    const r = v.open('link.txt', { share: 7 })
    expect(r.name).toBe('STATUS_SUCCESS')
    expect(v.read(r.handle, 100, 0).text).toBe('real data')
  })
  it('a third-party tag nobody handles fails the open; the driver hands back the buffer with the tag', () => {
    const v = vol()
    v.file('stub.dat', 'x')
    v.store.setReparsePoint(v.lookup('stub.dat')!.record, { tag: 0x80001234, data: new Uint8Array([1, 2, 3]), guid: new Uint8Array(16).fill(9) })
    expect(v.open('stub.dat').name).toBe('STATUS_IO_REPARSE_TAG_NOT_HANDLED')
    const r = v.open('stub.dat', { options: O.FILE_OPEN_REPARSE_POINT, share: 7 })
    expect(r.name).toBe('STATUS_SUCCESS')
    expect(v.query(r.handle, 'FileAttributeTagInformation').info?.ReparseTag).toBe(0x80001234)
  })
})

describe('open by file id', () => {
  function idOf(v: TestVolume, path: string): bigint {
    const r = v.lookup(path)!
    return (BigInt(r.seq) << 48n) | BigInt(r.record)
  }
  function root(v: TestVolume): number {
    return v.open('\\??\\C:\\', { options: O.FILE_DIRECTORY_FILE, access: ACCESS.FILE_READ_ATTRIBUTES, share: 7 }).handle
  }
  it('opens the file; FileNameInformation gives its name (WinBtrfs test_open_id)', () => {
    const v = vol()
    v.file('id1', 'data')
    const r = v.open(fileIdToFileName(idOf(v, 'id1')), { root: root(v), options: O.FILE_OPEN_BY_FILE_ID, share: 7 })
    expect([r.name, r.information]).toEqual(['STATUS_SUCCESS', R.FILE_OPENED])
    expect(v.read(r.handle, 10, 0).text).toBe('data')
    expect(v.query(r.handle, 'FileNameInformation').info?.FileName).toBe('\\id1')
  })
  it('dispositions: FILE_CREATE collides, FILE_OVERWRITE(_IF) overwrites, FILE_SUPERSEDE supersedes', () => {
    const v = vol()
    v.file('id1', 'data')
    const name = fileIdToFileName(idOf(v, 'id1'))
    const d = root(v)
    expect(v.probe(name, { root: d, options: O.FILE_OPEN_BY_FILE_ID, disposition: D.FILE_CREATE }).name).toBe('STATUS_OBJECT_NAME_COLLISION')
    expect(v.probe(name, { root: d, options: O.FILE_OPEN_BY_FILE_ID, disposition: D.FILE_OPEN_IF }).information).toBe(R.FILE_OPENED)
    expect(v.probe(name, { root: d, options: O.FILE_OPEN_BY_FILE_ID, disposition: D.FILE_OVERWRITE_IF }).information).toBe(R.FILE_OVERWRITTEN)
    expect(v.probe(name, { root: d, options: O.FILE_OPEN_BY_FILE_ID, disposition: D.FILE_SUPERSEDE }).information).toBe(R.FILE_SUPERSEDED)
    expect(v.content('id1')).toBe('')
  })
  it('an unknown id → STATUS_INVALID_PARAMETER; a directory check applies (WinBtrfs test_open_id)', () => {
    const v = vol()
    v.file('f')
    const d = root(v)
    expect(v.open(fileIdToFileName(0x0001000000001234n), { root: d, options: O.FILE_OPEN_BY_FILE_ID }).name).toBe('STATUS_INVALID_PARAMETER')
    expect(v.open(fileIdToFileName(idOf(v, 'f')), { root: d, options: O.FILE_OPEN_BY_FILE_ID | O.FILE_DIRECTORY_FILE }).name).toBe('STATUS_NOT_A_DIRECTORY')
    v.close(v.mkdir('sub'))
    expect(v.open(fileIdToFileName(idOf(v, 'sub')), { root: d, options: O.FILE_OPEN_BY_FILE_ID | O.FILE_NON_DIRECTORY_FILE }).name).toBe('STATUS_FILE_IS_A_DIRECTORY')
  })
  it('FILE_DELETE_ON_CLOSE through an id open does not delete (WinBtrfs "Open by ID with FILE_DELETE_ON_CLOSE")', () => {
    const v = vol()
    v.file('f')
    const r = v.open(fileIdToFileName(idOf(v, 'f')), { root: root(v), access: ACCESS.DELETE, options: O.FILE_OPEN_BY_FILE_ID | O.FILE_DELETE_ON_CLOSE })
    expect(r.name).toBe('STATUS_SUCCESS')
    v.close(r.handle)
    expect(v.exists('f')).toBe(true)
  })
  it('a file whose names are gone (POSIX delete) → STATUS_DELETE_PENDING (WinBtrfs "Try to open orphaned inode by file ID")', () => {
    const v = vol()
    const h = v.create('f', { access: ACCESS.FILE_READ_ATTRIBUTES, share: 7 })
    const id = idOf(v, 'f')
    const h2 = v.open('f', { access: ACCESS.DELETE, share: 7 }).handle
    v.set(h2, 'FileDispositionInformationEx', { Flags: 3 })
    v.close(h2)
    expect(v.open(fileIdToFileName(id), { root: root(v), options: O.FILE_OPEN_BY_FILE_ID }).name).toBe('STATUS_DELETE_PENDING')
    v.close(h)
  })
  it('by object id: the 16-byte id as the name', () => {
    const v = vol()
    v.file('f', 'obj')
    const oid = new Uint8Array(16).map((_, i) => i + 1)
    v.store.setObjectId(v.lookup('f')!.record, oid)
    const r = v.open(objectIdToFileName(oid), { root: root(v), options: O.FILE_OPEN_BY_FILE_ID, share: 7 })
    expect(r.name).toBe('STATUS_SUCCESS')
    expect(v.read(r.handle, 3, 0).text).toBe('obj')
  })
})

describe('volume opens', () => {
  it('the volume itself opens (\\\\.\\C:), answers handle classes and refuses file ones', () => {
    const v = vol()
    const r = v.open('\\??\\C:', { access: ACCESS.FILE_READ_DATA | ACCESS.SYNCHRONIZE, share: 3 })
    expect([r.name, r.information]).toEqual(['STATUS_SUCCESS', R.FILE_OPENED])
    expect(v.query(r.handle, 'FileStandardInformation').name).toBe('STATUS_INVALID_PARAMETER')
    expect(v.vcb.volumeCleanupCount).toBe(1)
    v.close(r.handle)
    expect(v.vcb.volumeCleanupCount).toBe(0)
    expect(v.open('\\??\\C:', { disposition: D.FILE_CREATE }).name).toBe('STATUS_ACCESS_DENIED')
  })
})

describe('metafiles', () => {
  it('$MFT and the other metafiles are not opened by name → STATUS_ACCESS_DENIED', () => {
    const v = vol()
    expect(v.open('$MFT', { access: ACCESS.FILE_READ_DATA, share: 7 }).name).toBe('STATUS_ACCESS_DENIED')
    expect(v.open('$Bitmap', { access: ACCESS.FILE_READ_ATTRIBUTES, share: 7 }).name).toBe('STATUS_ACCESS_DENIED')
    expect(v.open('$MFT', { disposition: D.FILE_OVERWRITE_IF }).name).toBe('STATUS_ACCESS_DENIED')
  })
})

describe('case sensitivity', () => {
  it('without OBJ_CASE_INSENSITIVE (and obcaseinsensitive off) only the exact case matches', () => {
    const v = vol()
    v.io.obCaseInsensitive = false
    v.file('Name.txt')
    expect(v.probe('name.txt', { caseSensitive: true }).name).toBe('STATUS_OBJECT_NAME_NOT_FOUND')
    expect(v.probe('Name.txt', { caseSensitive: true }).name).toBe('STATUS_SUCCESS')
    expect(v.probe('name.txt').name).toBe('STATUS_SUCCESS')
  })
})

describe('FCB, SCB and CCB lifetimes', () => {
  it('cleanup at the last handle, close at the last reference; the FCB goes with its last file object', () => {
    const v = vol()
    const h = v.create('f', { share: 7 })
    const rec = v.lookup('f')!.record
    const fcb = v.vcb.fcbTable.get(rec)!
    expect([fcb.cleanupCount, fcb.closeCount]).toEqual([1, 1])
    const h2 = v.open('f:s', { disposition: D.FILE_CREATE, share: 7 }).handle
    expect(fcb.scbs.size).toBe(2)
    v.close(h)
    expect([fcb.cleanupCount, fcb.closeCount, fcb.scbs.size]).toEqual([1, 1, 1])
    v.close(h2)
    expect(v.vcb.fcbTable.has(rec)).toBe(false)
  })
  it('a failed open leaves no FCB behind', () => {
    const v = vol()
    v.create('f', { share: 0 })
    const before = v.vcb.fcbTable.size
    expect(v.open('f', { share: 0 }).name).toBe('STATUS_SHARING_VIOLATION')
    expect(v.vcb.fcbTable.size).toBe(before)
  })
  it('a file object still referenced after its handle closed keeps the FCB until IRP_MJ_CLOSE', () => {
    const v = vol()
    const h = v.create('f')
    const fo = v.user.handles.get(h)!.object
    fo.header.pointerCount++
    v.close(h)
    const fcb = [...v.vcb.fcbTable.values()].find((f) => f.kind === 'file')!
    expect([fcb.cleanupCount, fcb.closeCount]).toEqual([0, 1])
    v.run(() => v.io.dereference(fo as never))
    expect(v.vcb.fcbTable.has(fcb.record)).toBe(false)
  })
})
})
