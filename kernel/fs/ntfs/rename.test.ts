// Rename and hard links: FileRenameInformation(Ex), FileLinkInformation(Ex), stream renames.
// Expected values from WinBtrfs's tests on NTFS (src/tests/rename.cpp, links.cpp, streams.cpp).

import { describe, expect, it } from 'vitest'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_DISPOSITION as D, CREATE_OPTIONS as O, FILE_ACTION as FA, FILE_ATTRIBUTE as A, FILE_LINK_FLAGS as LF, FILE_RENAME_FLAGS as RF, SHARE_ACCESS as S } from '../../nt/file.ts'
import { encodeRenameInformation } from '../../rtl/structs/fileinfo.ts'
import { forEachStore } from './test-backends.ts'
import type { TestVolume } from './test-support.ts'

const DEL = ACCESS.DELETE | ACCESS.FILE_READ_ATTRIBUTES | ACCESS.SYNCHRONIZE
const name = (v: TestVolume, h: number) => v.query(h, 'FileNameInformation').info?.FileName

forEachStore((vol) => {
describe('rename', () => {
  it('renames in place; the old name is gone, the handle reports the new one (WinBtrfs renamefile1)', () => {
    const v = vol()
    const h = v.create('renamefile1', { access: DEL })
    expect(v.rename(h, 'renamefile1b').name).toBe('STATUS_SUCCESS')
    expect(name(v, h)).toBe('\\renamefile1b')
    expect(v.exists('renamefile1')).toBe(false)
    expect(v.exists('renamefile1b')).toBe(true)
  })
  it('renames a directory (WinBtrfs renamedir1)', () => {
    const v = vol()
    const h = v.mkdir('renamedir1', { access: DEL })
    expect(v.rename(h, 'renamedir1b').name).toBe('STATUS_SUCCESS')
    expect(name(v, h)).toBe('\\renamedir1b')
  })
  it('renaming to the same name is a no-op; to another case changes the stored name (WinBtrfs renamefile2/3)', () => {
    const v = vol()
    const h = v.create('renamefile3', { access: DEL })
    expect(v.rename(h, 'renamefile3').name).toBe('STATUS_SUCCESS')
    expect(v.rename(h, 'RENAMEFILE3').name).toBe('STATUS_SUCCESS')
    expect(name(v, h)).toBe('\\RENAMEFILE3')
    expect(v.entries('')).toContain('RENAMEFILE3')
  })
  it('an existing target: collision without ReplaceIfExists, replaced with it (WinBtrfs renamefile4)', () => {
    const v = vol()
    v.file('renamefile4a', 'old')
    const h = v.create('renamefile4b', { access: DEL | ACCESS.FILE_WRITE_DATA })
    v.write(h, 'new', 0)
    expect(v.rename(h, 'renamefile4a').name).toBe('STATUS_OBJECT_NAME_COLLISION')
    expect(v.rename(h, 'RENAMEFILE4A').name).toBe('STATUS_OBJECT_NAME_COLLISION')
    expect(v.rename(h, 'renamefile4a', true).name).toBe('STATUS_SUCCESS')
    v.close(h)
    expect(v.content('renamefile4a')).toBe('new')
    expect(v.exists('renamefile4b')).toBe(false)
  })
  it('replacing an open target → STATUS_ACCESS_DENIED (WinBtrfs renamefile5)', () => {
    const v = vol()
    v.create('renamefile5a', { share: 7 })
    const h = v.create('renamefile5b', { access: DEL })
    expect(v.rename(h, 'renamefile5a', true).name).toBe('STATUS_ACCESS_DENIED')
  })
  it('moves between directories, into a subdirectory (WinBtrfs renamefile7 / renamedir8)', () => {
    const v = vol()
    v.close(v.mkdir('renamedir7'))
    const h = v.create('renamefile7', { access: DEL })
    expect(v.rename(h, '\\??\\C:\\renamedir7\\renamefile7a').name).toBe('STATUS_SUCCESS')
    expect(name(v, h)).toBe('\\renamedir7\\renamefile7a')
    expect(v.entries('renamedir7')).toEqual(['renamefile7a'])
    // file over directory and directory over directory → STATUS_ACCESS_DENIED with ReplaceIfExists
    // (WinBtrfs renamefile7 / renamedir8: its "renamefile8" is a directory)
    expect(v.rename(h, '\\??\\C:\\renamedir7', false).name).toBe('STATUS_OBJECT_NAME_COLLISION')
    expect(v.rename(h, '\\??\\C:\\renamedir7', true).name).toBe('STATUS_ACCESS_DENIED')
    const d = v.mkdir('renamedir8', { access: DEL })
    v.close(v.mkdir('renamefile8'))
    expect(v.rename(d, '\\??\\C:\\renamefile8', true).name).toBe('STATUS_ACCESS_DENIED')
    // a directory may replace a file that is not open (Wine test_file_rename_information)
    v.file('plainfile')
    expect(v.rename(d, '\\??\\C:\\plainfile', false).name).toBe('STATUS_OBJECT_NAME_COLLISION')
    expect(v.rename(d, '\\??\\C:\\plainfile', true).name).toBe('STATUS_SUCCESS')
    expect(name(v, d)).toBe('\\plainfile')
  })
  it('a move reports removed/added; a rename in place old/new name', () => {
    const v = vol()
    v.close(v.mkdir('d'))
    const h = v.create('a', { access: DEL })
    v.changes.length = 0
    v.rename(h, 'b')
    v.rename(h, '\\??\\C:\\d\\c')
    expect(v.changes.map((c) => [c.name, c.action])).toEqual([
      ['a', FA.FILE_ACTION_RENAMED_OLD_NAME],
      ['b', FA.FILE_ACTION_RENAMED_NEW_NAME],
      ['b', FA.FILE_ACTION_REMOVED],
      ['c', FA.FILE_ACTION_ADDED],
    ])
  })
  it('rename through RootDirectory: the name is relative to that directory (WinBtrfs renamefile9)', () => {
    const v = vol()
    const d = v.mkdir('renamedir9', { access: ACCESS.FILE_ADD_FILE | ACCESS.SYNCHRONIZE, share: 7 })
    const h = v.create('renamefile9', { access: DEL })
    expect(v.setRaw(h, 'FileRenameInformation', encodeRenameInformation({ RootDirectory: d, FileName: 'renamefile9' })).name).toBe('STATUS_SUCCESS')
    expect(name(v, h)).toBe('\\renamedir9\\renamefile9')
  })
  it('without DELETE access the I/O manager refuses (WinBtrfs renamefile15)', () => {
    const v = vol()
    const h = v.create('renamefile15', { access: ACCESS.FILE_READ_ATTRIBUTES })
    expect(v.rename(h, 'renamefile15a').name).toBe('STATUS_ACCESS_DENIED')
  })
  it('replacing a read-only file → STATUS_ACCESS_DENIED; a system file may be replaced (WinBtrfs renamefile22/23)', () => {
    const v = vol()
    v.close(v.create('ro', { attributes: A.FILE_ATTRIBUTE_READONLY }))
    v.close(v.create('sys', { attributes: A.FILE_ATTRIBUTE_SYSTEM }))
    const h = v.create('src', { access: DEL })
    expect(v.rename(h, 'ro', true).name).toBe('STATUS_ACCESS_DENIED')
    expect(v.renameEx(h, 'ro', RF.FILE_RENAME_REPLACE_IF_EXISTS | RF.FILE_RENAME_IGNORE_READONLY_ATTRIBUTE).name).toBe('STATUS_SUCCESS')
    const h2 = v.create('src2', { access: DEL })
    expect(v.rename(h2, 'sys', true).name).toBe('STATUS_SUCCESS')
  })
  it('invalid target names → STATUS_OBJECT_NAME_INVALID (WinBtrfs "Try renaming to invalid name")', () => {
    const v = vol()
    const h = v.create('f', { access: DEL })
    for (const n of ['a?b', 'a*b', 'a|b', 'a"b']) expect(v.rename(h, n).name, n).toBe('STATUS_OBJECT_NAME_INVALID')
  })
  it('a target inside a file → STATUS_INVALID_PARAMETER (WinBtrfs renamefile26)', () => {
    const v = vol()
    v.file('renamefile26a')
    const h = v.create('renamefile26b', { access: DEL })
    expect(v.rename(h, '\\??\\C:\\renamefile26a\\file').name).toBe('STATUS_INVALID_PARAMETER')
  })
  it('a directory with open children cannot be renamed → STATUS_ACCESS_DENIED', () => {
    const v = vol()
    const d = v.mkdir('busy', { access: DEL, share: 7 })
    const child = v.create('busy\\child')
    expect(v.rename(d, 'busy2').name).toBe('STATUS_ACCESS_DENIED')
    v.close(child)
    expect(v.rename(d, 'busy2').name).toBe('STATUS_SUCCESS')
  })
  it('an open by file id cannot be renamed → STATUS_INVALID_PARAMETER (WinBtrfs test_open_id)', () => {
    const v = vol()
    v.file('id1')
    const d = v.open('\\??\\C:\\', { options: O.FILE_DIRECTORY_FILE, access: ACCESS.FILE_READ_ATTRIBUTES, share: 7 }).handle
    const rec = v.lookup('id1')!
    const id = (BigInt(rec.seq) << 48n) | BigInt(rec.record)
    let s = ''
    for (let i = 0; i < 4; i++) s += String.fromCharCode(Number((id >> BigInt(16 * i)) & 0xffffn))
    const r = v.open(s, { root: d, access: DEL | ACCESS.FILE_WRITE_DATA, options: O.FILE_OPEN_BY_FILE_ID })
    expect(r.name).toBe('STATUS_SUCCESS')
    expect(v.rename(r.handle, 'id1b').name).toBe('STATUS_INVALID_PARAMETER')
    expect(v.set(r.handle, 'FileDispositionInformation', { DeleteFile: true }).name).toBe('STATUS_INVALID_PARAMETER')
    // a link through it is fine
    expect(v.link(r.handle, '\\??\\C:\\id1a').name).toBe('STATUS_SUCCESS')
  })
})

describe('POSIX rename', () => {
  it('replaces an open target that shares delete; the target is left nameless (WinBtrfs renamefileex6)', () => {
    const v = vol()
    const h = v.create('ex6a', { access: DEL })
    const h2 = v.create('ex6b', { access: DEL | ACCESS.FILE_READ_DATA | ACCESS.FILE_WRITE_DATA, share: S.FILE_SHARE_DELETE, options: O.FILE_SYNCHRONOUS_IO_NONALERT })
    expect(v.renameEx(h, 'ex6b', RF.FILE_RENAME_REPLACE_IF_EXISTS | RF.FILE_RENAME_POSIX_SEMANTICS).name).toBe('STATUS_SUCCESS')
    expect(name(v, h)).toBe('\\ex6b')
    const s2 = v.query(h2, 'FileStandardInformation').info!
    expect([s2.NumberOfLinks, s2.DeletePending]).toEqual([0, true])
    expect(v.set(h2, 'FileDispositionInformation', { DeleteFile: false }).name).toBe('STATUS_FILE_DELETED')
    // the orphan still takes data
    expect(v.write(h2, 'hello').name).toBe('STATUS_SUCCESS')
    expect(v.read(h2, 5, 0).text).toBe('hello')
  })
  it('an open target without FILE_SHARE_DELETE → STATUS_SHARING_VIOLATION (WinBtrfs renamefileex7)', () => {
    const v = vol()
    const h = v.create('ex7a', { access: DEL })
    v.create('ex7b', { share: 0 })
    expect(v.renameEx(h, 'ex7b', RF.FILE_RENAME_REPLACE_IF_EXISTS | RF.FILE_RENAME_POSIX_SEMANTICS).name).toBe('STATUS_SHARING_VIOLATION')
  })
  it('a directory may replace an empty directory only with POSIX semantics (WinBtrfs renamedirex8/9/10)', () => {
    const v = vol()
    const a = v.mkdir('x8a', { access: DEL })
    v.close(v.mkdir('x8b'))
    expect(v.renameEx(a, 'x8b', RF.FILE_RENAME_REPLACE_IF_EXISTS).name).toBe('STATUS_ACCESS_DENIED')
    expect(v.renameEx(a, 'x8b', RF.FILE_RENAME_REPLACE_IF_EXISTS | RF.FILE_RENAME_POSIX_SEMANTICS).name).toBe('STATUS_SUCCESS')
    const b = v.mkdir('x10a', { access: DEL })
    v.close(v.mkdir('x10b'))
    v.file('x10b\\file')
    expect(v.renameEx(b, 'x10b', RF.FILE_RENAME_REPLACE_IF_EXISTS | RF.FILE_RENAME_POSIX_SEMANTICS).name).toBe('STATUS_DIRECTORY_NOT_EMPTY')
  })
})

describe('hard links', () => {
  it('a link adds a name; both names open the same file (WinBtrfs links.cpp)', () => {
    const v = vol()
    const h = v.create('link1', { access: ACCESS.FILE_ALL_ACCESS, share: 7 })
    expect(v.link(h, 'link1b').name).toBe('STATUS_SUCCESS')
    const s = v.query(h, 'FileStandardInformation').info!
    expect(s.NumberOfLinks).toBe(2)
    const h2 = v.open('link1b', { share: 7, access: ACCESS.FILE_READ_ATTRIBUTES }).handle
    expect(v.query(h2, 'FileInternalInformation').info?.IndexNumber).toBe(v.query(h, 'FileInternalInformation').info?.IndexNumber)
    expect(name(v, h2)).toBe('\\link1b')
  })
  it('a directory cannot be linked → STATUS_FILE_IS_A_DIRECTORY', () => {
    const v = vol()
    const d = v.mkdir('d')
    expect(v.link(d, 'd2').name).toBe('STATUS_FILE_IS_A_DIRECTORY')
  })
  it('an existing target: collision without ReplaceIfExists, even the same link; with it a no-op or case change (WinBtrfs link9)', () => {
    const v = vol()
    const h = v.create('link9', { share: 7 })
    expect(v.link(h, 'link9').name).toBe('STATUS_OBJECT_NAME_COLLISION')
    expect(v.link(h, 'link9', true).name).toBe('STATUS_SUCCESS')
    expect(v.query(h, 'FileStandardInformation').info?.NumberOfLinks).toBe(1)
    expect(v.link(h, 'LINK9', true).name).toBe('STATUS_SUCCESS')
    expect(v.query(h, 'FileStandardInformation').info?.NumberOfLinks).toBe(1)
    expect(name(v, h)).toBe('\\LINK9')
  })
  it('replacing: a directory, a read-only file or an open file → STATUS_ACCESS_DENIED; IGNORE_READONLY allows the read-only one', () => {
    const v = vol()
    const h = v.create('src', { share: 7 })
    v.close(v.mkdir('dir'))
    v.close(v.create('ro', { attributes: A.FILE_ATTRIBUTE_READONLY }))
    v.create('open', { share: 7 })
    expect(v.link(h, 'dir', true).name).toBe('STATUS_ACCESS_DENIED')
    expect(v.link(h, 'ro', true).name).toBe('STATUS_ACCESS_DENIED')
    expect(v.link(h, 'open', true).name).toBe('STATUS_ACCESS_DENIED')
    expect(v.linkEx(h, 'ro', LF.FILE_LINK_REPLACE_IF_EXISTS | LF.FILE_LINK_IGNORE_READONLY_ATTRIBUTE).name).toBe('STATUS_SUCCESS')
  })
  it('linking into a missing directory → STATUS_OBJECT_PATH_NOT_FOUND; through a file → STATUS_INVALID_PARAMETER', () => {
    const v = vol()
    const h = v.create('src', { share: 7 })
    v.file('afile')
    expect(v.link(h, '\\??\\C:\\nosuchdir\\x').name).toBe('STATUS_OBJECT_PATH_NOT_FOUND')
    expect(v.link(h, '\\??\\C:\\afile\\x').name).toBe('STATUS_INVALID_PARAMETER')
  })
  it('the target directory opened without FILE_SHARE_WRITE blocks the link: STATUS_SHARING_VIOLATION (WinBtrfs link5)', () => {
    const v = vol()
    const h = v.create('link5file', { access: DEL })
    v.mkdir('link5dir', { access: ACCESS.FILE_READ_DATA, share: 0 })
    expect(v.link(h, '\\??\\C:\\link5dir\\file').name).toBe('STATUS_SHARING_VIOLATION')
  })
})

describe('stream rename', () => {
  it('":new" renames the stream; a full path → STATUS_INVALID_PARAMETER (WinBtrfs stream8)', () => {
    const v = vol()
    v.file('stream8')
    const s = v.open('stream8:stream', { access: DEL | ACCESS.FILE_WRITE_DATA, disposition: D.FILE_CREATE })
    v.write(s.handle, 'hello', 0)
    expect(v.rename(s.handle, '\\??\\C:\\stream8:stream2').name).toBe('STATUS_INVALID_PARAMETER')
    expect(v.rename(s.handle, ':stream2').name).toBe('STATUS_SUCCESS')
    expect(v.query(s.handle, 'FileNameInformation').info?.FileName).toBe('\\stream8:stream2')
    v.close(s.handle)
    expect(v.content('stream8', 'stream2')).toBe('hello')
  })
  it('onto "::$DATA": collision, then replaced with ReplaceIfExists (WinBtrfs stream9)', () => {
    const v = vol()
    v.file('stream9')
    const s = v.open('stream9:stream', { access: DEL | ACCESS.FILE_WRITE_DATA, disposition: D.FILE_CREATE })
    v.write(s.handle, 'data', 0)
    expect(v.rename(s.handle, '::$DATA').name).toBe('STATUS_OBJECT_NAME_COLLISION')
    expect(v.rename(s.handle, '::$DATA', true).name).toBe('STATUS_SUCCESS')
    expect(v.query(s.handle, 'FileStandardInformation').info?.AlternateStream).toBe(false)
    v.close(s.handle)
    expect(v.content('stream9')).toBe('data')
    expect(v.lookup('stream9')!.streams.map((x) => x.name)).toEqual([''])
  })
  it('a directory cannot become a stream (WinBtrfs "Try to rename directory to :stream")', () => {
    const v = vol()
    const d = v.mkdir('d', { access: DEL })
    expect(v.rename(d, ':stream').name).toBe('STATUS_INVALID_PARAMETER')
  })
  it('a stream name over 255 characters → STATUS_INVALID_PARAMETER (WinBtrfs "Rename to stream with long name")', () => {
    const v = vol()
    const h = v.create('f', { access: DEL })
    expect(v.rename(h, ':' + 'x'.repeat(256)).name).toBe('STATUS_INVALID_PARAMETER')
  })
})
})
