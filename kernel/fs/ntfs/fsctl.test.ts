// IRP_MJ_FILE_SYSTEM_CONTROL on the NTFS driver: reparse points (WinBtrfs src/tests/reparse.cpp
// records Windows NTFS's statuses), object ids (MS-FSA 2.1.5.10), sparse files and zeroing,
// allocated ranges, volume data, and the FSCTLs NTFS refuses.

import { describe, expect, it } from 'vitest'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_DISPOSITION as D, CREATE_OPTIONS as O, FILE_ATTRIBUTE as A, IO_REPARSE_TAG as T, SHARE_ACCESS as S } from '../../nt/file.ts'
import { FSCTL } from '../../nt/irp.ts'
import { encodeFullEaList } from '../../rtl/structs/ea.ts'
import { decodeReparsePoint, encodeReparsePoint } from '../../rtl/structs/reparse.ts'
import { forEachStore } from './test-backends.ts'
import { ALL_SHARE, type TestVolume } from './test-support.ts'
import { fsctl, setEa, withVolumeServices } from './test-services.ts'

const RW = ACCESS.FILE_READ_DATA | ACCESS.FILE_WRITE_DATA | ACCESS.FILE_READ_ATTRIBUTES | ACCESS.FILE_WRITE_ATTRIBUTES | ACCESS.SYNCHRONIZE
const symlink = (target = 'target'): Uint8Array => encodeReparsePoint({ ReparseTag: T.IO_REPARSE_TAG_SYMLINK, SubstituteName: target, PrintName: target, Flags: 1 })
const mountPoint = (target = '\\??\\C:\\target\\'): Uint8Array => encodeReparsePoint({ ReparseTag: T.IO_REPARSE_TAG_MOUNT_POINT, SubstituteName: target, PrintName: target })

/** a REPARSE_GUID_DATA_BUFFER (third-party tag) or a bare REPARSE_DATA_BUFFER header + data */
function raw(tag: number, data: Uint8Array, guid?: Uint8Array): Uint8Array {
  const header = guid ? 24 : 8
  const b = new Uint8Array(header + data.length)
  const dv = new DataView(b.buffer)
  dv.setUint32(0, tag >>> 0, true)
  dv.setUint16(4, data.length, true)
  if (guid) b.set(guid, 8)
  b.set(data, header)
  return b
}
const GUID = new Uint8Array([0xc5, 0xcc, 0x8b, 0xf2, 0xdc, 0xc3, 0x88, 0x42, 0xa1, 0xe2, 0x50, 0x43, 0x97, 0xeb, 0x26, 0xa6])
const WRONG_GUID = new Uint8Array(16).fill(0x61)
const HSM_TAG = 0x0000beef // a third-party tag (WinBtrfs IO_REPARSE_TAG_FAKE)
const hello = new TextEncoder().encode('hello')

function fresh(vol: () => TestVolume): TestVolume {
  return withVolumeServices(vol())
}

function attrs(v: TestVolume, path: string): number {
  return v.lookup(path)!.std.fileAttributes
}

forEachStore((vol) => {
describe('FSCTL_SET/GET/DELETE_REPARSE_POINT', () => {
  it('a symlink: FILE_ATTRIBUTE_REPARSE_POINT set, data read back, deleted again (WinBtrfs "Set as symlink")', () => {
    const v = fresh(vol)
    const h = v.create('link', { access: RW })
    v.set(h, 'FileBasicInformation', { FileAttributes: A.FILE_ATTRIBUTE_NORMAL })
    expect(fsctl(v, h, FSCTL.FSCTL_SET_REPARSE_POINT, symlink('reparse1')).name).toBe('STATUS_SUCCESS')
    expect(v.query(h, 'FileBasicInformation').info?.FileAttributes).toBe(A.FILE_ATTRIBUTE_REPARSE_POINT)
    const g = fsctl(v, h, FSCTL.FSCTL_GET_REPARSE_POINT, undefined, 1024)
    expect(g.name).toBe('STATUS_SUCCESS')
    const rp = decodeReparsePoint(g.bytes)
    expect(rp.ReparseTag).toBe(T.IO_REPARSE_TAG_SYMLINK)
    expect(rp.SubstituteName).toBe('reparse1')
    expect(rp.Flags).toBe(1)
    expect(fsctl(v, h, FSCTL.FSCTL_DELETE_REPARSE_POINT, raw(T.IO_REPARSE_TAG_SYMLINK, new Uint8Array(0))).name).toBe('STATUS_SUCCESS')
    expect(v.query(h, 'FileBasicInformation').info?.FileAttributes).toBe(A.FILE_ATTRIBUTE_NORMAL)
    expect(fsctl(v, h, FSCTL.FSCTL_DELETE_REPARSE_POINT, raw(T.IO_REPARSE_TAG_SYMLINK, new Uint8Array(0))).name).toBe('STATUS_NOT_A_REPARSE_POINT')
    expect(fsctl(v, h, FSCTL.FSCTL_GET_REPARSE_POINT, undefined, 1024).name).toBe('STATUS_NOT_A_REPARSE_POINT')
  })

  it('deleting with another tag is STATUS_IO_REPARSE_TAG_MISMATCH', () => {
    const v = fresh(vol)
    const h = v.create('link', { access: RW })
    fsctl(v, h, FSCTL.FSCTL_SET_REPARSE_POINT, symlink())
    expect(fsctl(v, h, FSCTL.FSCTL_DELETE_REPARSE_POINT, raw(T.IO_REPARSE_TAG_MOUNT_POINT, new Uint8Array(0))).name).toBe('STATUS_IO_REPARSE_TAG_MISMATCH')
  })

  it('overwriting a symlink opened with FILE_OPEN_REPARSE_POINT removes the reparse point (WinBtrfs "Overwrite symlink")', () => {
    const v = fresh(vol)
    const h = v.create('link', { access: RW })
    fsctl(v, h, FSCTL.FSCTL_SET_REPARSE_POINT, symlink())
    v.close(h)
    const o = v.open('link', { access: ACCESS.FILE_WRITE_ATTRIBUTES, disposition: D.FILE_OVERWRITE, options: O.FILE_OPEN_REPARSE_POINT })
    expect(o.name).toBe('STATUS_SUCCESS')
    expect(v.lookup('link')!.reparse).toBeUndefined()
    expect(attrs(v, 'link') & A.FILE_ATTRIBUTE_REPARSE_POINT).toBe(0)
  })

  it('a symlink on a file that has data is STATUS_IO_REPARSE_DATA_INVALID; writing after it is fine (WinBtrfs reparse4/5)', () => {
    const v = fresh(vol)
    const h = v.create('withdata', { access: RW, options: O.FILE_SYNCHRONOUS_IO_NONALERT })
    v.write(h, new Uint8Array(4096), 0)
    expect(fsctl(v, h, FSCTL.FSCTL_SET_REPARSE_POINT, symlink()).name).toBe('STATUS_IO_REPARSE_DATA_INVALID')
    const e = v.create('empty', { access: RW, options: O.FILE_SYNCHRONOUS_IO_NONALERT })
    expect(fsctl(v, e, FSCTL.FSCTL_SET_REPARSE_POINT, symlink()).name).toBe('STATUS_SUCCESS')
    expect(v.write(e, new Uint8Array(4096), 0).name).toBe('STATUS_SUCCESS')
  })

  it('a file with EAs can become a symlink (WinBtrfs reparse7)', () => {
    const v = fresh(vol)
    const h = v.create('eas', { access: RW | ACCESS.FILE_WRITE_EA })
    setEa(v, h, encodeFullEaList([{ Name: 'hello', Value: hello }]))
    expect(fsctl(v, h, FSCTL.FSCTL_SET_REPARSE_POINT, symlink()).name).toBe('STATUS_SUCCESS')
  })

  it('a mount point on a directory; on a file STATUS_NOT_A_DIRECTORY; on a non-empty directory STATUS_DIRECTORY_NOT_EMPTY', () => {
    const v = fresh(vol)
    const d = v.mkdir('mnt', { access: RW })
    expect(fsctl(v, d, FSCTL.FSCTL_SET_REPARSE_POINT, mountPoint()).name).toBe('STATUS_SUCCESS')
    expect(attrs(v, 'mnt') & A.FILE_ATTRIBUTE_REPARSE_POINT).toBeTruthy()
    const f = v.create('file', { access: RW })
    expect(fsctl(v, f, FSCTL.FSCTL_SET_REPARSE_POINT, mountPoint()).name).toBe('STATUS_NOT_A_DIRECTORY')
    const full = v.mkdir('full', { access: RW })
    v.file('full\\child')
    expect(fsctl(v, full, FSCTL.FSCTL_SET_REPARSE_POINT, mountPoint()).name).toBe('STATUS_DIRECTORY_NOT_EMPTY')
  })

  it('a tag with the directory bit may go on a non-empty directory (WinBtrfs "Create reparse point on non-empty directory")', () => {
    const v = fresh(vol)
    const d = v.mkdir('full', { access: RW })
    v.file('full\\child')
    expect(fsctl(v, d, FSCTL.FSCTL_SET_REPARSE_POINT, raw(0x9000cafe, hello)).name).toBe('STATUS_SUCCESS')
    expect(v.query(d, 'FileBasicInformation').info?.FileAttributes).toBe(A.FILE_ATTRIBUTE_DIRECTORY | A.FILE_ATTRIBUTE_REPARSE_POINT)
  })

  it('replacing with the same tag works; with another tag STATUS_IO_REPARSE_TAG_MISMATCH', () => {
    const v = fresh(vol)
    const d = v.mkdir('mnt', { access: RW })
    fsctl(v, d, FSCTL.FSCTL_SET_REPARSE_POINT, mountPoint())
    expect(fsctl(v, d, FSCTL.FSCTL_SET_REPARSE_POINT, mountPoint('\\??\\C:\\other\\')).name).toBe('STATUS_SUCCESS')
    expect(fsctl(v, d, FSCTL.FSCTL_SET_REPARSE_POINT, symlink()).name).toBe('STATUS_IO_REPARSE_TAG_MISMATCH')
  })

  it('a third-party (HSM) tag needs its GUID; the GUID must match to replace or delete (WinBtrfs generic tag tests)', () => {
    const v = fresh(vol)
    const h = v.create('stub', { access: RW })
    expect(fsctl(v, h, FSCTL.FSCTL_SET_REPARSE_POINT, raw(HSM_TAG, hello)).name).toBe('STATUS_IO_REPARSE_DATA_INVALID')
    expect(fsctl(v, h, FSCTL.FSCTL_SET_REPARSE_POINT, raw(HSM_TAG, hello, GUID)).name).toBe('STATUS_SUCCESS')
    const g = fsctl(v, h, FSCTL.FSCTL_GET_REPARSE_POINT, undefined, 1024)
    expect(g.information).toBe(24 + 5)
    expect([...g.bytes.subarray(8, 24)]).toEqual([...GUID])
    expect(fsctl(v, h, FSCTL.FSCTL_SET_REPARSE_POINT, raw(HSM_TAG, hello, WRONG_GUID)).name).toBe('STATUS_REPARSE_ATTRIBUTE_CONFLICT')
    expect(fsctl(v, h, FSCTL.FSCTL_DELETE_REPARSE_POINT, raw(HSM_TAG, new Uint8Array(0))).name).toBe('STATUS_IO_REPARSE_DATA_INVALID')
    expect(fsctl(v, h, FSCTL.FSCTL_DELETE_REPARSE_POINT, raw(HSM_TAG, new Uint8Array(0), WRONG_GUID)).name).toBe('STATUS_REPARSE_ATTRIBUTE_CONFLICT')
    expect(fsctl(v, h, FSCTL.FSCTL_DELETE_REPARSE_POINT, raw(HSM_TAG, new Uint8Array(0), GUID)).name).toBe('STATUS_SUCCESS')
  })

  it('GET with a buffer too small for the header is STATUS_BUFFER_TOO_SMALL; for the data STATUS_BUFFER_OVERFLOW', () => {
    const v = fresh(vol)
    const h = v.create('link', { access: RW })
    fsctl(v, h, FSCTL.FSCTL_SET_REPARSE_POINT, symlink('a-long-target-name'))
    expect(fsctl(v, h, FSCTL.FSCTL_GET_REPARSE_POINT, undefined, 4).name).toBe('STATUS_BUFFER_TOO_SMALL')
    const part = fsctl(v, h, FSCTL.FSCTL_GET_REPARSE_POINT, undefined, 16)
    expect(part.name).toBe('STATUS_BUFFER_OVERFLOW')
    expect(part.information).toBe(16)
  })

  it('without FILE_WRITE_DATA or FILE_WRITE_ATTRIBUTES: STATUS_ACCESS_DENIED (WinBtrfs "without permissions")', () => {
    const v = fresh(vol)
    v.file('ro')
    const h = v.open('ro', { access: ACCESS.FILE_READ_DATA | ACCESS.FILE_READ_ATTRIBUTES, share: ALL_SHARE }).handle
    expect(fsctl(v, h, FSCTL.FSCTL_SET_REPARSE_POINT, symlink()).name).toBe('STATUS_ACCESS_DENIED')
    const wa = v.open('ro', { access: ACCESS.FILE_WRITE_ATTRIBUTES, share: ALL_SHARE }).handle
    expect(fsctl(v, wa, FSCTL.FSCTL_SET_REPARSE_POINT, symlink()).name).toBe('STATUS_SUCCESS')
  })

  it('reserved tags are STATUS_IO_REPARSE_TAG_INVALID; a wrong length STATUS_IO_REPARSE_DATA_INVALID', () => {
    const v = fresh(vol)
    const h = v.create('f', { access: RW })
    // IO_REPARSE_TAG_RESERVED_ONE, and a tag with bits outside IO_REPARSE_TAG_VALID_VALUES
    expect(fsctl(v, h, FSCTL.FSCTL_SET_REPARSE_POINT, raw(1, hello, GUID)).name).toBe('STATUS_IO_REPARSE_TAG_INVALID')
    expect(fsctl(v, h, FSCTL.FSCTL_SET_REPARSE_POINT, raw(0x80010000, hello)).name).toBe('STATUS_IO_REPARSE_TAG_INVALID')
    const bad = raw(0x8000dead, hello)
    new DataView(bad.buffer).setUint16(4, 9, true)
    expect(fsctl(v, h, FSCTL.FSCTL_SET_REPARSE_POINT, bad).name).toBe('STATUS_IO_REPARSE_DATA_INVALID')
    expect(fsctl(v, h, FSCTL.FSCTL_SET_REPARSE_POINT, new Uint8Array(4)).name).toBe('STATUS_IO_REPARSE_DATA_INVALID')
  })
})

describe('object ids', () => {
  it('FSCTL_CREATE_OR_GET_OBJECT_ID makes one id and then returns it; the volume finds the file by it', () => {
    const v = fresh(vol)
    const h = v.create('f', { access: RW })
    const a = fsctl(v, h, FSCTL.FSCTL_CREATE_OR_GET_OBJECT_ID, undefined, 64)
    expect(a.name).toBe('STATUS_SUCCESS')
    expect(a.information).toBe(64)
    // type 1 buffer: BirthObjectId = ObjectId (MS-FSCC 2.1.3.1)
    expect([...a.bytes.subarray(32, 48)]).toEqual([...a.bytes.subarray(0, 16)])
    const b = fsctl(v, h, FSCTL.FSCTL_CREATE_OR_GET_OBJECT_ID, undefined, 64)
    expect([...b.bytes]).toEqual([...a.bytes])
    expect(v.store.findByObjectId(a.bytes.slice(0, 16))).toBe(v.lookup('f')!.record)
    expect(fsctl(v, h, FSCTL.FSCTL_GET_OBJECT_ID, undefined, 64).bytes).toEqual(a.bytes)
  })

  it('GET without an id is STATUS_OBJECTID_NOT_FOUND; a short output STATUS_INVALID_PARAMETER', () => {
    const v = fresh(vol)
    const h = v.create('f', { access: RW })
    expect(fsctl(v, h, FSCTL.FSCTL_GET_OBJECT_ID, undefined, 64).name).toBe('STATUS_OBJECTID_NOT_FOUND')
    expect(fsctl(v, h, FSCTL.FSCTL_CREATE_OR_GET_OBJECT_ID, undefined, 63).name).toBe('STATUS_INVALID_PARAMETER')
  })

  it('FSCTL_SET_OBJECT_ID: once per file (STATUS_OBJECT_NAME_COLLISION), unique on the volume (STATUS_DUPLICATE_NAME) (MS-FSA 2.1.5.10.35)', () => {
    const v = fresh(vol)
    const h1 = v.create('one', { access: RW })
    const h2 = v.create('two', { access: RW })
    const id = new Uint8Array(64)
    for (let i = 0; i < 64; i++) id[i] = 0x40 + i
    expect(fsctl(v, h1, FSCTL.FSCTL_SET_OBJECT_ID, id.subarray(0, 60)).name).toBe('STATUS_INVALID_PARAMETER')
    expect(fsctl(v, h1, FSCTL.FSCTL_SET_OBJECT_ID, id).name).toBe('STATUS_SUCCESS')
    expect(fsctl(v, h1, FSCTL.FSCTL_SET_OBJECT_ID, id).name).toBe('STATUS_OBJECT_NAME_COLLISION')
    expect(fsctl(v, h2, FSCTL.FSCTL_SET_OBJECT_ID, id).status).toBe(0xc00000bd)
    expect([...fsctl(v, h1, FSCTL.FSCTL_GET_OBJECT_ID, undefined, 64).bytes]).toEqual([...id])
  })

  it('FSCTL_SET_OBJECT_ID_EXTENDED changes the 48 bytes after the id; FSCTL_DELETE_OBJECT_ID removes it', () => {
    const v = fresh(vol)
    const h = v.create('f', { access: RW })
    const id = fsctl(v, h, FSCTL.FSCTL_CREATE_OR_GET_OBJECT_ID, undefined, 64).bytes.slice(0, 16)
    const ext = new Uint8Array(48).fill(7)
    expect(fsctl(v, h, FSCTL.FSCTL_SET_OBJECT_ID_EXTENDED, ext).name).toBe('STATUS_SUCCESS')
    const g = fsctl(v, h, FSCTL.FSCTL_GET_OBJECT_ID, undefined, 64).bytes
    expect([...g.subarray(0, 16)]).toEqual([...id])
    expect([...g.subarray(16)]).toEqual([...ext])
    expect(fsctl(v, h, FSCTL.FSCTL_DELETE_OBJECT_ID).name).toBe('STATUS_SUCCESS')
    expect(v.store.findByObjectId(id)).toBeUndefined()
    expect(fsctl(v, h, FSCTL.FSCTL_SET_OBJECT_ID_EXTENDED, ext).name).toBe('STATUS_OBJECTID_NOT_FOUND')
  })
})

describe('sparse files, zeroing and allocated ranges', () => {
  it('FSCTL_SET_SPARSE sets FILE_ATTRIBUTE_SPARSE_FILE; FALSE clears it; on a directory STATUS_INVALID_PARAMETER', () => {
    const v = fresh(vol)
    const h = v.create('s', { access: RW })
    expect(fsctl(v, h, FSCTL.FSCTL_SET_SPARSE).name).toBe('STATUS_SUCCESS')
    expect(attrs(v, 's') & A.FILE_ATTRIBUTE_SPARSE_FILE).toBeTruthy()
    expect(fsctl(v, h, FSCTL.FSCTL_SET_SPARSE, new Uint8Array([0])).name).toBe('STATUS_SUCCESS')
    expect(attrs(v, 's') & A.FILE_ATTRIBUTE_SPARSE_FILE).toBe(0)
    const d = v.mkdir('d', { access: RW })
    expect(fsctl(v, d, FSCTL.FSCTL_SET_SPARSE).name).toBe('STATUS_INVALID_PARAMETER')
  })

  it('FSCTL_SET_ZERO_DATA zeroes inside the file and never extends it', () => {
    const v = fresh(vol)
    const h = v.create('z', { access: RW, options: O.FILE_SYNCHRONOUS_IO_NONALERT })
    v.write(h, new Uint8Array(10000).fill(0xab), 0)
    const range = new Uint8Array(16)
    const dv = new DataView(range.buffer)
    dv.setBigInt64(0, 100n, true)
    dv.setBigInt64(8, 20000n, true)
    expect(fsctl(v, h, FSCTL.FSCTL_SET_ZERO_DATA, range).name).toBe('STATUS_SUCCESS')
    const data = v.read(h, 10000, 0).data
    expect(data[99]).toBe(0xab)
    expect(data.subarray(100).every((b) => b === 0)).toBe(true)
    expect(v.query(h, 'FileStandardInformation').info?.EndOfFile).toBe(10000)
    dv.setBigInt64(0, 300n, true)
    dv.setBigInt64(8, 200n, true)
    expect(fsctl(v, h, FSCTL.FSCTL_SET_ZERO_DATA, range).name).toBe('STATUS_INVALID_PARAMETER')
  })

  it('FSCTL_QUERY_ALLOCATED_RANGES: one range clipped to the end of file; none past it', () => {
    const v = fresh(vol)
    const h = v.create('r', { access: RW, options: O.FILE_SYNCHRONOUS_IO_NONALERT })
    v.write(h, new Uint8Array(5000), 0)
    const q = new Uint8Array(16)
    const dv = new DataView(q.buffer)
    dv.setBigInt64(0, 1000n, true)
    dv.setBigInt64(8, 1n << 40n, true)
    const r = fsctl(v, h, FSCTL.FSCTL_QUERY_ALLOCATED_RANGES, q, 64)
    expect(r.name).toBe('STATUS_SUCCESS')
    const out = new DataView(r.bytes.buffer, r.bytes.byteOffset)
    expect([r.information, out.getBigInt64(0, true), out.getBigInt64(8, true)]).toEqual([16, 1000n, 4000n])
    dv.setBigInt64(0, 6000n, true)
    expect(fsctl(v, h, FSCTL.FSCTL_QUERY_ALLOCATED_RANGES, q, 64).information).toBe(0)
    expect(fsctl(v, h, FSCTL.FSCTL_QUERY_ALLOCATED_RANGES, q, 8).name).toBe('STATUS_BUFFER_TOO_SMALL')
    expect(fsctl(v, h, FSCTL.FSCTL_QUERY_ALLOCATED_RANGES, q.subarray(0, 8), 64).name).toBe('STATUS_INVALID_PARAMETER')
  })

  it('FSCTL_GET_RETRIEVAL_POINTERS of a small (resident) file is STATUS_END_OF_FILE', () => {
    const v = fresh(vol)
    const h = v.create('small', { access: RW, options: O.FILE_SYNCHRONOUS_IO_NONALERT })
    v.write(h, 'tiny', 0)
    expect(fsctl(v, h, FSCTL.FSCTL_GET_RETRIEVAL_POINTERS, new Uint8Array(8), 64).name).toBe('STATUS_END_OF_FILE')
  })
})

describe('volume FSCTLs and the rest', () => {
  function volumeHandle(v: TestVolume): number {
    return v.open('\\??\\C:', { access: ACCESS.FILE_READ_DATA | ACCESS.SYNCHRONIZE, share: S.FILE_SHARE_READ | S.FILE_SHARE_WRITE }).handle
  }

  it('FSCTL_GET_NTFS_VOLUME_DATA on the volume: geometry, free clusters, the extended part when there is room', () => {
    const v = fresh(vol)
    const h = volumeHandle(v)
    const r = fsctl(v, h, FSCTL.FSCTL_GET_NTFS_VOLUME_DATA, undefined, 128)
    expect(r.name).toBe('STATUS_SUCCESS')
    expect(r.information).toBe(128)
    const dv = new DataView(r.bytes.buffer, r.bytes.byteOffset)
    expect(dv.getBigUint64(0, true)).toBe(v.store.geometry.serialNumber)
    expect(dv.getBigInt64(16, true)).toBe(BigInt(v.store.geometry.totalClusters))
    expect(dv.getBigInt64(24, true)).toBe(BigInt(v.store.freeClusters()))
    expect([dv.getUint32(40, true), dv.getUint32(44, true), dv.getUint32(48, true)]).toEqual([512, 4096, 1024])
    expect([dv.getUint32(96, true), dv.getUint16(100, true), dv.getUint16(102, true)]).toEqual([32, 3, 1])
    expect(fsctl(v, h, FSCTL.FSCTL_GET_NTFS_VOLUME_DATA, undefined, 96).information).toBe(96)
    expect(fsctl(v, h, FSCTL.FSCTL_GET_NTFS_VOLUME_DATA, undefined, 64).name).toBe('STATUS_BUFFER_TOO_SMALL')
  })

  it('volume FSCTLs on a file handle are STATUS_INVALID_PARAMETER', () => {
    const v = fresh(vol)
    const h = v.create('f', { access: RW })
    expect(fsctl(v, h, FSCTL.FSCTL_GET_NTFS_VOLUME_DATA, undefined, 128).name).toBe('STATUS_INVALID_PARAMETER')
    expect(fsctl(v, h, FSCTL.FSCTL_IS_VOLUME_DIRTY, undefined, 4).name).toBe('STATUS_INVALID_PARAMETER')
  })

  it('FSCTL_IS_VOLUME_DIRTY: a clean volume', () => {
    const v = fresh(vol)
    const r = fsctl(v, volumeHandle(v), FSCTL.FSCTL_IS_VOLUME_DIRTY, undefined, 4)
    expect([r.name, r.information, [...r.bytes]]).toEqual(['STATUS_SUCCESS', 4, [0, 0, 0, 0]])
  })

  it('FSCTL_LOCK_VOLUME fails while other handles are open, succeeds alone; FSCTL_UNLOCK_VOLUME ends it (WDK metadata-manager sample)', () => {
    const v = fresh(vol)
    const f = v.create('open.txt', { access: RW })
    const h = volumeHandle(v)
    expect(fsctl(v, h, FSCTL.FSCTL_LOCK_VOLUME).name).toBe('STATUS_ACCESS_DENIED')
    v.close(f)
    expect(fsctl(v, h, FSCTL.FSCTL_LOCK_VOLUME).name).toBe('STATUS_SUCCESS')
    expect(fsctl(v, h, FSCTL.FSCTL_UNLOCK_VOLUME).name).toBe('STATUS_SUCCESS')
    expect(fsctl(v, h, FSCTL.FSCTL_UNLOCK_VOLUME).name).toBe('STATUS_NOT_LOCKED')
  })

  it('the lock ends when the locking handle is closed', () => {
    const v = fresh(vol)
    const h = volumeHandle(v)
    expect(fsctl(v, h, FSCTL.FSCTL_LOCK_VOLUME).name).toBe('STATUS_SUCCESS')
    v.close(h)
    const again = volumeHandle(v)
    expect(fsctl(v, again, FSCTL.FSCTL_LOCK_VOLUME).name).toBe('STATUS_SUCCESS')
  })

  it('FSCTL_QUERY_USN_JOURNAL: no change journal on this volume (STATUS_JOURNAL_NOT_ACTIVE)', () => {
    const v = fresh(vol)
    expect(fsctl(v, volumeHandle(v), FSCTL.FSCTL_QUERY_USN_JOURNAL, undefined, 80).status).toBe(0xc00002a3)
  })

  it('FSCTL_SET_COMPRESSION sets and clears FILE_ATTRIBUTE_COMPRESSED; FSCTL_GET_COMPRESSION reports it', () => {
    const v = fresh(vol)
    const h = v.create('c', { access: RW })
    const fmt = (n: number): Uint8Array => new Uint8Array([n, 0])
    expect(fsctl(v, h, FSCTL.FSCTL_SET_COMPRESSION, fmt(1)).name).toBe('STATUS_SUCCESS')
    expect(attrs(v, 'c') & A.FILE_ATTRIBUTE_COMPRESSED).toBeTruthy()
    expect([...fsctl(v, h, FSCTL.FSCTL_GET_COMPRESSION, undefined, 2).bytes]).toEqual([2, 0])
    expect(fsctl(v, h, FSCTL.FSCTL_SET_COMPRESSION, fmt(0)).name).toBe('STATUS_SUCCESS')
    expect(attrs(v, 'c') & A.FILE_ATTRIBUTE_COMPRESSED).toBe(0)
    expect(fsctl(v, h, FSCTL.FSCTL_SET_COMPRESSION, fmt(7)).name).toBe('STATUS_INVALID_PARAMETER')
  })

  it('FSCTL_OFFLOAD_READ and unknown codes are STATUS_INVALID_DEVICE_REQUEST; oplock requests on a synchronous handle are not granted', () => {
    const v = fresh(vol)
    const h = v.create('f', { access: RW })
    expect(fsctl(v, h, FSCTL.FSCTL_OFFLOAD_READ, new Uint8Array(32), 528).name).toBe('STATUS_INVALID_DEVICE_REQUEST')
    expect(fsctl(v, h, 0x00099ffc).name).toBe('STATUS_INVALID_DEVICE_REQUEST')
    // documented (Granting Oplocks): oplocks are never granted for synchronous I/O
    const sync = v.create('g', { access: RW, options: O.FILE_SYNCHRONOUS_IO_NONALERT })
    expect(fsctl(v, sync, FSCTL.FSCTL_REQUEST_BATCH_OPLOCK).name).toBe('STATUS_OPLOCK_NOT_GRANTED')
    expect(fsctl(v, h, FSCTL.FSCTL_OPLOCK_BREAK_ACKNOWLEDGE).name).toBe('STATUS_INVALID_OPLOCK_PROTOCOL')
  })
})
})
