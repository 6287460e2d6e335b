// IRP_MN_QUERY_DIRECTORY on the NTFS driver. Expected values are Windows NTFS's, as Wine's
// ntdll directory tests (dlls/ntdll/tests/directory.c) and WinBtrfs's tests record them.

import { describe, expect, it } from 'vitest'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_OPTIONS as O, FILE_ATTRIBUTE as A, IO_REPARSE_TAG, SHARE_ACCESS as S } from '../../nt/file.ts'
import { FSCTL } from '../../nt/irp.ts'
import { encodeFullEaList, eaSizeAsNtfsReports } from '../../rtl/structs/ea.ts'
import { encodeReparsePoint } from '../../rtl/structs/reparse.ts'
import { NameSpace } from './store.ts'
import { forEachStore } from './test-backends.ts'
import type { TestVolume } from './test-support.ts'
import { fsctl, listAll, queryDir, setEa, withVolumeServices } from './test-services.ts'

const LIST = ACCESS.FILE_LIST_DIRECTORY | ACCESS.SYNCHRONIZE
const DIR = O.FILE_DIRECTORY_FILE

/** a volume with C:\dir holding the given files; returns a fresh listing handle on it */
function dirWith(vol: () => TestVolume, files: string[]): { v: TestVolume; open: () => number } {
  const v = withVolumeServices(vol())
  v.close(v.mkdir('dir'))
  for (const f of files) {
    if (f.endsWith('\\')) v.close(v.mkdir(`dir\\${f.slice(0, -1)}`))
    else v.file(`dir\\${f}`, 'x')
  }
  return { v, open: () => v.open('dir', { access: LIST, options: DIR, share: S.FILE_SHARE_READ }).handle }
}

forEachStore((vol) => {
describe('query directory: entries and order', () => {
  it('a subdirectory lists ".", ".." first, then entries in upcase order (Wine test_directory_sort)', () => {
    const { v, open } = dirWith(vol, ['b.txt', 'A.txt', 'c\\', '_x', 'a0'])
    // upcased code units: '.' (0x2E) < '0' (0x30) < 'B' < 'C' < '_' (0x5F)
    expect(listAll(v, open())).toEqual(['.', '..', 'A.txt', 'a0', 'b.txt', 'c', '_x'])
  })

  it('the root lists neither "." nor ".." nor the metafiles', () => {
    const v = withVolumeServices(vol())
    v.file('one.txt')
    v.close(v.mkdir('two'))
    const root = v.open('\\??\\C:\\', { access: LIST, options: DIR, share: S.FILE_SHARE_READ | S.FILE_SHARE_WRITE }).handle
    expect(listAll(v, root)).toEqual(['one.txt', 'two'])
  })

  it('an empty directory lists only "." and ".." (Wine: first entries)', () => {
    const { v, open } = dirWith(vol, [])
    expect(listAll(v, open())).toEqual(['.', '..'])
  })

  it('FileBothDirectoryInformation: sizes, attributes, times and the 8.3 name of a long name', () => {
    const { v, open } = dirWith(vol, [])
    v.file('dir\\longfilename.tmp', 'hello')
    const r = queryDir(v, open(), 'FileBothDirectoryInformation', { pattern: 'longfilename.tmp', restart: true })
    expect(r.name).toBe('STATUS_SUCCESS')
    const e = r.entries[0]!
    expect(e.FileName).toBe('longfilename.tmp')
    expect(e.EndOfFile).toBe(5)
    expect(e.AllocationSize).toBe(8) // resident: 8-byte aligned
    expect(e.FileAttributes).toBe(A.FILE_ATTRIBUTE_ARCHIVE)
    expect(e.FileIndex).toBe(0)
    expect(e.ShortName).toBe('LONGFI~1.TMP')
    const rec = v.lookup('dir\\longfilename.tmp')!
    expect(e.CreationTime).toBe(rec.std.creationTime)
    expect(e.LastWriteTime).toBe(rec.std.lastWriteTime)
  })

  it('a name that is already 8.3 has no separate short name', () => {
    const { v, open } = dirWith(vol, ['A.TXT'])
    const e = queryDir(v, open(), 'FileBothDirectoryInformation', { pattern: 'A.TXT', restart: true }).entries[0]!
    expect(e.ShortName).toBe('')
  })

  it('directories report FILE_ATTRIBUTE_DIRECTORY and no size', () => {
    const { v, open } = dirWith(vol, ['sub\\'])
    const e = queryDir(v, open(), 'FileDirectoryInformation', { pattern: 'sub', restart: true }).entries[0]!
    expect(e.FileAttributes).toBe(A.FILE_ATTRIBUTE_DIRECTORY)
    expect([e.EndOfFile, e.AllocationSize]).toEqual([0, 0])
  })

  it('FileIdBothDirectoryInformation and FileIdExtdDirectoryInformation carry the file reference', () => {
    const { v, open } = dirWith(vol, ['f'])
    const rec = v.lookup('dir\\f')!
    const ref = (BigInt(rec.seq) << 48n) | BigInt(rec.record)
    const h = open()
    expect(queryDir(v, h, 'FileIdBothDirectoryInformation', { pattern: 'f', restart: true }).entries[0]!.FileId).toBe(ref)
    expect(queryDir(v, h, 'FileIdExtdDirectoryInformation', { restart: true, single: true }).entries[0]!.FileId).toBe(ref)
  })

  it('EaSize is the packed EA size (WinBtrfs ea.cpp "Check directory entry")', () => {
    const { v, open } = dirWith(vol, [])
    const h = v.create('dir\\ea1', { access: ACCESS.FILE_WRITE_EA | ACCESS.FILE_READ_EA })
    expect(setEa(v, h, encodeFullEaList([{ Name: 'hello', Value: new TextEncoder().encode('world') }])).name).toBe('STATUS_SUCCESS')
    v.close(h)
    const e = queryDir(v, open(), 'FileFullDirectoryInformation', { pattern: 'ea1', restart: true }).entries[0]!
    expect(e.EaSize).toBe(20)
    expect(e.EaSize).toBe(eaSizeAsNtfsReports([{ Name: 'HELLO', Value: new Uint8Array(5) }]))
  })

  it('a reparse point puts its tag in EaSize, and in ReparsePointTag for the Extd classes (WinBtrfs reparse.cpp)', () => {
    const { v, open } = dirWith(vol, [])
    const h = v.create('dir\\link', { access: ACCESS.FILE_WRITE_DATA | ACCESS.FILE_READ_ATTRIBUTES })
    const rp = encodeReparsePoint({ ReparseTag: IO_REPARSE_TAG.IO_REPARSE_TAG_SYMLINK, SubstituteName: 'target', PrintName: 'target', Flags: 1 })
    expect(fsctl(v, h, FSCTL.FSCTL_SET_REPARSE_POINT, rp).name).toBe('STATUS_SUCCESS')
    v.close(h)
    const d = open()
    const full = queryDir(v, d, 'FileFullDirectoryInformation', { pattern: 'link', restart: true }).entries[0]!
    expect(full.EaSize).toBe(IO_REPARSE_TAG.IO_REPARSE_TAG_SYMLINK)
    expect((full.FileAttributes ?? 0) & A.FILE_ATTRIBUTE_REPARSE_POINT).toBeTruthy()
    const extd = queryDir(v, d, 'FileIdExtdDirectoryInformation', { restart: true, single: true }).entries[0]!
    expect([extd.EaSize, extd.ReparsePointTag]).toEqual([0, IO_REPARSE_TAG.IO_REPARSE_TAG_SYMLINK])
  })
})

describe('query directory: patterns', () => {
  it('the first query\'s pattern holds for the handle, even with RestartScan (Wine "mask may be ignored when restarting")', () => {
    const { v, open } = dirWith(vol, ['a.txt', 'b.log', 'c.txt'])
    const h = open()
    expect(queryDir(v, h, 'FileNamesInformation', { pattern: '*.txt', restart: true }).names).toEqual(['a.txt', 'c.txt'])
    expect(queryDir(v, h, 'FileNamesInformation', { pattern: '*.log', restart: true }).names).toEqual(['a.txt', 'c.txt'])
  })

  it('a first query matching nothing is STATUS_NO_SUCH_FILE; later ones, restarted or not, STATUS_NO_MORE_FILES (Wine test_NtQueryDirectoryFile)', () => {
    const { v, open } = dirWith(vol, ['a.txt'])
    const h = open()
    expect(queryDir(v, h, 'FileBothDirectoryInformation', { pattern: 'dummy', restart: true, single: true }).name).toBe('STATUS_NO_SUCH_FILE')
    expect(queryDir(v, h, 'FileBothDirectoryInformation', { single: true }).name).toBe('STATUS_NO_MORE_FILES')
    expect(queryDir(v, h, 'FileBothDirectoryInformation', { single: true, restart: true }).name).toBe('STATUS_NO_MORE_FILES')
  })

  it('after the last entry: STATUS_NO_MORE_FILES', () => {
    const { v, open } = dirWith(vol, ['a'])
    const h = open()
    expect(queryDir(v, h, 'FileNamesInformation', { restart: true }).names).toEqual(['.', '..', 'a'])
    expect(queryDir(v, h, 'FileNamesInformation').name).toBe('STATUS_NO_MORE_FILES')
  })

  it('matching ignores case and returns the stored case (Wine test_NtQueryDirectoryFile_case)', () => {
    const { v, open } = dirWith(vol, ['TesT'])
    expect(queryDir(v, open(), 'FileBothDirectoryInformation', { pattern: 'test', restart: true }).names).toEqual(['TesT'])
  })

  it('? and * wildcards; at the NT level "*.*" needs a dot (FindFirstFile turns "*.*" into "*")', () => {
    const { v, open } = dirWith(vol, ['a1.txt', 'a22.txt', 'readme', 'b1.txt'])
    expect(listAll(v, open(), 'FileNamesInformation', { pattern: 'a?.txt' })).toEqual(['a1.txt'])
    expect(listAll(v, open(), 'FileNamesInformation', { pattern: 'a*' })).toEqual(['a1.txt', 'a22.txt'])
    expect(listAll(v, open(), 'FileNamesInformation', { pattern: '*.*' })).toEqual(['.', '..', 'a1.txt', 'a22.txt', 'b1.txt'])
  })

  it('DOS wildcards: "<" (DOS_STAR), ">" (DOS_QM), \'"\' (DOS_DOT)', () => {
    const { v, open } = dirWith(vol, ['a.txt', 'ab.txt', 'abc', 'x.y.txt'])
    // "<.txt" is what "*.txt" becomes in FindFirstFile: the star stops at the last dot
    expect(listAll(v, open(), 'FileNamesInformation', { pattern: '<.txt' })).toEqual(['a.txt', 'ab.txt', 'x.y.txt'])
    // ">" matches one character or nothing before a dot or the end
    expect(listAll(v, open(), 'FileNamesInformation', { pattern: 'a>>.txt' })).toEqual(['a.txt', 'ab.txt'])
    // '"' matches a dot, or nothing at the end of the name
    expect(listAll(v, open(), 'FileNamesInformation', { pattern: 'abc"*' })).toEqual(['abc'])
  })

  it('a pattern matching only the 8.3 name returns the file under its long name (Wine: short path passed as mask)', () => {
    const { v, open } = dirWith(vol, [])
    v.file('dir\\longfilename.tmp')
    const r = queryDir(v, open(), 'FileBothDirectoryInformation', { pattern: 'LONGFI~1.TMP', restart: true, single: true })
    expect(r.name).toBe('STATUS_SUCCESS')
    expect(r.names).toEqual(['longfilename.tmp'])
    expect(r.entries[0]!.ShortName).toBe('LONGFI~1.TMP')
  })

  it('with "*" a file with an 8.3 name comes back once', () => {
    const { v, open } = dirWith(vol, [])
    v.file('dir\\longfilename.tmp')
    expect(v.lookup('dir\\longfilename.tmp')!.names.some((n) => n.nameSpace === NameSpace.Dos)).toBe(true)
    expect(listAll(v, open())).toEqual(['.', '..', 'longfilename.tmp'])
  })

  it('hard links are entries of their own', () => {
    const { v, open } = dirWith(vol, ['orig'])
    const h = v.open('dir\\orig', { access: ACCESS.FILE_ALL_ACCESS }).handle
    expect(v.link(h, 'dir\\second').name).toBe('STATUS_SUCCESS')
    v.close(h)
    expect(listAll(v, open())).toEqual(['.', '..', 'orig', 'second'])
  })
})

describe('query directory: buffers and cursor', () => {
  it('entries are 8-byte aligned and only whole ones follow the first (Wine: offsetof(FileName[1]) + 7 & ~7)', () => {
    const { v, open } = dirWith(vol, ['a'])
    const h = open()
    // "." takes 94 + 2 bytes, so ".." starts at 96; room for one character of ".." is not enough
    const r = queryDir(v, h, 'FileBothDirectoryInformation', { restart: true, length: 96 + 94 + 2 })
    expect(r.name).toBe('STATUS_SUCCESS')
    expect(r.information).toBe(94 + 2)
    expect(r.names).toEqual(['.'])
    const both = queryDir(v, h, 'FileBothDirectoryInformation', { restart: true, length: 96 + 94 + 4 })
    expect(both.information).toBe(96 + 94 + 4)
    expect(both.entries.map((e) => e.NextEntryOffset)).toEqual([96, 0])
  })

  it('a first entry that does not fit is cut short: STATUS_BUFFER_OVERFLOW, Information = the buffer length', () => {
    const { v, open } = dirWith(vol, [])
    v.file('dir\\a-rather-long-name.txt')
    const r = queryDir(v, open(), 'FileBothDirectoryInformation', { pattern: 'a-rather*', restart: true, length: 96 })
    expect(r.name).toBe('STATUS_BUFFER_OVERFLOW')
    expect(r.information).toBe(96)
    expect(r.entries[0]!.FileNameLength).toBe('a-rather-long-name.txt'.length * 2)
    expect(r.entries[0]!.FileName).toBe('a')
  })

  it('ReturnSingleEntry returns one entry per call and walks the directory', () => {
    const { v, open } = dirWith(vol, ['a', 'b'])
    const h = open()
    const seen: string[] = []
    for (let i = 0; i < 4; i++) seen.push(...queryDir(v, h, 'FileNamesInformation', { single: true, restart: i === 0 }).names)
    expect(seen).toEqual(['.', '..', 'a', 'b'])
    expect(queryDir(v, h, 'FileNamesInformation', { single: true }).name).toBe('STATUS_NO_MORE_FILES')
  })

  it('entries created behind the cursor are not returned; ones ahead of it are', () => {
    const { v, open } = dirWith(vol, ['b', 'd'])
    const h = open()
    expect(queryDir(v, h, 'FileNamesInformation', { restart: true, length: 16 * 3 + 8 }).names).toEqual(['.', '..', 'b'])
    v.file('dir\\a')
    v.file('dir\\c')
    expect(listAll(v, h, 'FileNamesInformation', { restart: false })).toEqual(['c', 'd'])
  })

  it('a class not for directories is STATUS_INVALID_INFO_CLASS; FileReparsePointInformation too (WinBtrfs)', () => {
    const { v, open } = dirWith(vol, ['a'])
    expect(queryDir(v, open(), 'FileReparsePointInformation' as never, { restart: true }).name).toBe('STATUS_INVALID_INFO_CLASS')
  })

  it('a query on a file\'s handle is STATUS_INVALID_PARAMETER', () => {
    const { v } = dirWith(vol, ['f'])
    const h = v.open('dir\\f', { access: ACCESS.FILE_READ_DATA | ACCESS.SYNCHRONIZE }).handle
    expect(queryDir(v, h, 'FileNamesInformation', { restart: true }).name).toBe('STATUS_INVALID_PARAMETER')
  })
})
})
