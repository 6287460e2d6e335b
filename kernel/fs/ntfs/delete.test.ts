// Deleting: FileDispositionInformation(Ex), FILE_DELETE_ON_CLOSE, delete pending, POSIX
// semantics, directories. Expected values from WinBtrfs's tests on NTFS (src/tests/delete.cpp,
// links.cpp) and MS-FSA 2.1.5.14.3.

import { describe, expect, it } from 'vitest'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_DISPOSITION as D, CREATE_OPTIONS as O, FILE_ATTRIBUTE as A, FILE_DISPOSITION_FLAGS as F, SHARE_ACCESS as S } from '../../nt/file.ts'
import { forEachStore } from './test-backends.ts'
import type { TestVolume } from './test-support.ts'

const DEL = ACCESS.DELETE | ACCESS.FILE_READ_ATTRIBUTES

function dispose(v: TestVolume, h: number, del: boolean) {
  return v.set(h, 'FileDispositionInformation', { DeleteFile: del })
}
function disposeEx(v: TestVolume, h: number, flags: number) {
  return v.set(h, 'FileDispositionInformationEx', { Flags: flags })
}

forEachStore((vol) => {
describe('FileDispositionInformation', () => {
  it('marks the file delete pending; the entry stays until the handle closes (WinBtrfs "Set disposition")', () => {
    const v = vol()
    const h = v.create('deletefile1', { access: DEL })
    expect(dispose(v, h, true).name).toBe('STATUS_SUCCESS')
    expect(v.exists('deletefile1')).toBe(true)
    expect(v.query(h, 'FileStandardInformation').info?.DeletePending).toBe(true)
    const link = v.query(h, 'FileStandardLinkInformation').info
    expect([link?.NumberOfAccessibleLinks, link?.TotalNumberOfLinks, link?.DeletePending]).toEqual([0, 1, true])
    v.close(h)
    expect(v.exists('deletefile1')).toBe(false)
  })
  it('opening a name whose deletion is pending → STATUS_DELETE_PENDING; clearing it lets it be opened again', () => {
    const v = vol()
    const h = v.create('deletefile4', { access: DEL, share: S.FILE_SHARE_DELETE })
    dispose(v, h, true)
    expect(v.open('deletefile4', { access: DEL, share: S.FILE_SHARE_DELETE }).name).toBe('STATUS_DELETE_PENDING')
    dispose(v, h, false)
    expect(v.query(h, 'FileStandardInformation').info?.DeletePending).toBe(false)
    expect(v.probe('deletefile4', { access: DEL, share: S.FILE_SHARE_DELETE }).name).toBe('STATUS_SUCCESS')
    v.close(h)
    expect(v.exists('deletefile4')).toBe(true)
  })
  it('the file goes when the last handle closes, whichever set the disposition (WinBtrfs deletefile4)', () => {
    const v = vol()
    const h = v.create('f', { access: DEL, share: S.FILE_SHARE_DELETE })
    const h2 = v.open('f', { access: DEL, share: S.FILE_SHARE_DELETE }).handle
    dispose(v, h, true)
    v.close(h)
    expect(v.exists('f')).toBe(true)
    v.close(h2)
    expect(v.exists('f')).toBe(false)
  })
  it('without DELETE access the I/O manager refuses: STATUS_ACCESS_DENIED (WinBtrfs "Create file without DELETE flag")', () => {
    const v = vol()
    const h = v.create('f', { access: ACCESS.FILE_READ_DATA })
    expect(dispose(v, h, true).name).toBe('STATUS_ACCESS_DENIED')
  })
  it('a read-only file → STATUS_CANNOT_DELETE; FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE deletes it', () => {
    const v = vol()
    const h = v.create('ro', { access: DEL, attributes: A.FILE_ATTRIBUTE_READONLY })
    expect(dispose(v, h, true).name).toBe('STATUS_CANNOT_DELETE')
    expect(disposeEx(v, h, F.FILE_DISPOSITION_DELETE).name).toBe('STATUS_CANNOT_DELETE')
    expect(disposeEx(v, h, F.FILE_DISPOSITION_DELETE | F.FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE).name).toBe('STATUS_SUCCESS')
    v.close(h)
    expect(v.exists('ro')).toBe(false)
  })
  it('a directory with entries → STATUS_DIRECTORY_NOT_EMPTY; once empty it can go (WinBtrfs deletedir3)', () => {
    const v = vol()
    const d = v.mkdir('deletedir3', { access: DEL })
    const f = v.create('deletedir3\\file', { access: DEL })
    expect(dispose(v, d, true).name).toBe('STATUS_DIRECTORY_NOT_EMPTY')
    dispose(v, f, true)
    // the file is only delete pending: its entry still fills the directory
    expect(dispose(v, d, true).name).toBe('STATUS_DIRECTORY_NOT_EMPTY')
    v.close(f)
    expect(dispose(v, d, true).name).toBe('STATUS_SUCCESS')
    v.close(d)
    expect(v.exists('deletedir3')).toBe(false)
  })
  it('the root cannot be deleted', () => {
    const v = vol()
    const r = v.open('\\??\\C:\\', { access: DEL, options: O.FILE_DIRECTORY_FILE, share: 7 })
    expect(dispose(v, r.handle, true).name).toBe('STATUS_CANNOT_DELETE')
  })
  it('deleting through one hard link removes only that link (WinBtrfs links.cpp "Delete first link")', () => {
    const v = vol()
    const h = v.create('l1', { access: DEL | ACCESS.FILE_WRITE_DATA, share: 7 })
    expect(v.link(h, 'l2').name).toBe('STATUS_SUCCESS')
    const h2 = v.open('l2', { access: DEL, share: 7 }).handle
    dispose(v, h, true)
    expect(v.query(h, 'FileStandardInformation').info?.NumberOfLinks).toBe(1)
    expect(v.query(h2, 'FileStandardInformation').info?.DeletePending).toBe(false)
    const li = v.query(h, 'FileStandardLinkInformation').info
    expect([li?.NumberOfAccessibleLinks, li?.TotalNumberOfLinks]).toEqual([1, 2])
    v.close(h2)
    v.close(h)
    expect(v.exists('l1')).toBe(false)
    expect(v.exists('l2')).toBe(true)
  })
})

describe('named streams', () => {
  it('a stream handle deletes only the stream', () => {
    const v = vol()
    v.file('f', 'main')
    const s = v.open('f:ads', { access: DEL, disposition: D.FILE_CREATE }).handle
    expect(dispose(v, s, true).name).toBe('STATUS_SUCCESS')
    v.close(s)
    expect(v.lookup('f')?.streams.map((x) => x.name)).toEqual([''])
    expect(v.content('f')).toBe('main')
  })
  it('deleting the file is seen through its stream handle; clearing on the stream does not undo it (WinBtrfs deletefile7)', () => {
    const v = vol()
    const h = v.create('deletefile7', { access: DEL, share: S.FILE_SHARE_DELETE })
    const s = v.open('deletefile7:ads', { access: DEL, share: S.FILE_SHARE_DELETE, disposition: D.FILE_CREATE }).handle
    dispose(v, h, true)
    expect(v.query(s, 'FileStandardInformation').info?.DeletePending).toBe(true)
    dispose(v, s, false)
    expect(v.query(h, 'FileStandardInformation').info?.DeletePending).toBe(true)
    v.close(h)
    expect(v.exists('deletefile7')).toBe(true)
    v.close(s)
    expect(v.exists('deletefile7')).toBe(false)
  })
})

describe('FILE_DELETE_ON_CLOSE', () => {
  it('the file goes when the handle closes; until then it is not delete pending (WinBtrfs deletefile8)', () => {
    const v = vol()
    const h = v.create('deletefile8', { access: DEL, options: O.FILE_DELETE_ON_CLOSE })
    expect(v.query(h, 'FileStandardInformation').info?.DeletePending).toBe(false)
    v.close(h)
    expect(v.exists('deletefile8')).toBe(false)
  })
  it('at that handle\'s cleanup the name becomes delete pending; another handle may clear it (WinBtrfs deletefile9)', () => {
    const v = vol()
    const h = v.create('deletefile9', { access: DEL, share: S.FILE_SHARE_DELETE, options: O.FILE_DELETE_ON_CLOSE })
    expect(v.open('deletefile9', { access: ACCESS.FILE_READ_DATA, share: 0 }).name).toBe('STATUS_SHARING_VIOLATION')
    const h2 = v.open('deletefile9', { access: DEL, share: S.FILE_SHARE_DELETE }).handle
    v.close(h)
    expect(v.query(h2, 'FileStandardInformation').info?.DeletePending).toBe(true)
    dispose(v, h2, false)
    expect(v.query(h2, 'FileStandardInformation').info?.DeletePending).toBe(false)
    v.close(h2)
    expect(v.exists('deletefile9')).toBe(true)
  })
  it('a directory opened with it goes when empty, stays when not (WinBtrfs deletedir12/13)', () => {
    const v = vol()
    v.close(v.create('deletedir12', { access: DEL, options: O.FILE_DIRECTORY_FILE | O.FILE_DELETE_ON_CLOSE }))
    expect(v.exists('deletedir12')).toBe(false)
    const d = v.create('deletedir13', { access: DEL, options: O.FILE_DIRECTORY_FILE | O.FILE_DELETE_ON_CLOSE })
    v.file('deletedir13\\file')
    v.close(d)
    expect(v.exists('deletedir13')).toBe(true)
  })
  it('FILE_DISPOSITION_ON_CLOSE clears the flag; setting it on a handle opened without it → STATUS_NOT_SUPPORTED (WinBtrfs deleteexfile7/8)', () => {
    const v = vol()
    const a = v.create('e7', { access: DEL, options: O.FILE_DELETE_ON_CLOSE })
    expect(disposeEx(v, a, F.FILE_DISPOSITION_DO_NOT_DELETE | F.FILE_DISPOSITION_ON_CLOSE).name).toBe('STATUS_SUCCESS')
    v.close(a)
    expect(v.exists('e7')).toBe(true)
    const b = v.create('e8', { access: DEL })
    expect(disposeEx(v, b, F.FILE_DISPOSITION_DELETE | F.FILE_DISPOSITION_ON_CLOSE).name).toBe('STATUS_NOT_SUPPORTED')
    v.close(b)
    const c = v.create('e9', { access: DEL, options: O.FILE_DELETE_ON_CLOSE })
    expect(disposeEx(v, c, F.FILE_DISPOSITION_DELETE | F.FILE_DISPOSITION_ON_CLOSE).name).toBe('STATUS_SUCCESS')
    v.close(c)
    expect(v.exists('e9')).toBe(false)
  })
})

describe('FILE_DISPOSITION_POSIX_SEMANTICS', () => {
  it('the name goes at once; open handles keep the file, which reports no links (WinBtrfs deleteexfile6)', () => {
    const v = vol()
    const h = v.create('deleteexfile6', { access: DEL, share: 7 })
    const h2 = v.open('deleteexfile6', { access: DEL | ACCESS.FILE_READ_DATA, share: S.FILE_SHARE_DELETE }).handle
    expect(disposeEx(v, h, F.FILE_DISPOSITION_DELETE | F.FILE_DISPOSITION_POSIX_SEMANTICS).name).toBe('STATUS_SUCCESS')
    // the entry is listed until the handle that set the disposition closes
    expect(v.exists('deleteexfile6')).toBe(true)
    const s1 = v.query(h, 'FileStandardInformation').info
    expect([s1?.NumberOfLinks, s1?.DeletePending]).toEqual([0, true])
    v.close(h)
    expect(v.exists('deleteexfile6')).toBe(false)
    const si = v.query(h2, 'FileStandardInformation').info
    expect([si?.NumberOfLinks, si?.DeletePending]).toEqual([0, true])
    const li = v.query(h2, 'FileStandardLinkInformation').info
    expect([li?.NumberOfAccessibleLinks, li?.TotalNumberOfLinks]).toEqual([0, 1])
    expect(v.query(h2, 'FileNameInformation').info?.FileName.startsWith('\\$Extend\\$Deleted\\')).toBe(true)
    // the name is free again
    expect(v.probe('deleteexfile6', { disposition: D.FILE_CREATE }).name).toBe('STATUS_SUCCESS')
    // clearing the disposition of a file whose name is gone → STATUS_FILE_DELETED (WinBtrfs rename.cpp)
    expect(dispose(v, h2, false).name).toBe('STATUS_FILE_DELETED')
    const orphan = [...v.vcb.fcbTable.values()].find((f) => f.posixDeleted)!
    v.close(h2)
    expect(orphan.fileDeleted).toBe(true)
  })
})
})
