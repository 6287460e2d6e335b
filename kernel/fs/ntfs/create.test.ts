// IRP_MJ_CREATE: dispositions, results, share access, directory checks, read-only, hidden and
// system rules, names and streams. Expected values are what Windows NTFS returns, as recorded
// by WinBtrfs's tests (src/tests/create.cpp, overwrite.cpp, supersede.cpp, streams.cpp) and
// Wine's ntdll tests (file.c).

import { describe, expect, it } from 'vitest'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_DISPOSITION as D, CREATE_OPTIONS as O, CREATE_RESULT as R, FILE_ATTRIBUTE as A, SHARE_ACCESS as S } from '../../nt/file.ts'
import { forEachStore } from './test-backends.ts'

const DIR = O.FILE_DIRECTORY_FILE

forEachStore((vol) => {
describe('create dispositions and results', () => {
  it('FILE_CREATE makes a file: FILE_CREATED (WinBtrfs "Create file")', () => {
    const v = vol()
    const r = v.open('file', { disposition: D.FILE_CREATE })
    expect(r.name).toBe('STATUS_SUCCESS')
    expect(r.information).toBe(R.FILE_CREATED)
    expect(v.exists('file')).toBe(true)
  })
  it('FILE_CREATE on an existing name, in any case, collides (WinBtrfs "Create file differing in case")', () => {
    const v = vol()
    v.file('file')
    expect(v.open('file', { disposition: D.FILE_CREATE }).name).toBe('STATUS_OBJECT_NAME_COLLISION')
    expect(v.open('FILE', { disposition: D.FILE_CREATE }).name).toBe('STATUS_OBJECT_NAME_COLLISION')
  })
  it('FILE_OPEN of a missing file → STATUS_OBJECT_NAME_NOT_FOUND; of a missing directory in the path → STATUS_OBJECT_PATH_NOT_FOUND', () => {
    const v = vol()
    expect(v.open('nosuch').name).toBe('STATUS_OBJECT_NAME_NOT_FOUND')
    expect(v.open('nosuchdir\\file', { disposition: D.FILE_CREATE }).name).toBe('STATUS_OBJECT_PATH_NOT_FOUND')
  })
  it('FILE_OPEN_IF creates then opens (FILE_CREATED, FILE_OPENED)', () => {
    const v = vol()
    const a = v.open('openif', { disposition: D.FILE_OPEN_IF })
    expect([a.name, a.information]).toEqual(['STATUS_SUCCESS', R.FILE_CREATED])
    v.close(a.handle)
    const b = v.open('openif', { disposition: D.FILE_OPEN_IF })
    expect([b.name, b.information]).toEqual(['STATUS_SUCCESS', R.FILE_OPENED])
  })
  it('FILE_OVERWRITE of a missing file → STATUS_OBJECT_NAME_NOT_FOUND (WinBtrfs overwrite.cpp)', () => {
    const v = vol()
    expect(v.open('nonsuch', { disposition: D.FILE_OVERWRITE }).name).toBe('STATUS_OBJECT_NAME_NOT_FOUND')
  })
  it('FILE_OVERWRITE_IF creates, then overwrites: FILE_CREATED, FILE_OVERWRITTEN, data gone', () => {
    const v = vol()
    const a = v.open('ow', { disposition: D.FILE_OVERWRITE_IF })
    expect(a.information).toBe(R.FILE_CREATED)
    v.write(a.handle, 'hello', 0)
    v.close(a.handle)
    const b = v.open('ow', { disposition: D.FILE_OVERWRITE_IF })
    expect([b.name, b.information]).toEqual(['STATUS_SUCCESS', R.FILE_OVERWRITTEN])
    expect(v.query(b.handle, 'FileStandardInformation').info?.EndOfFile).toBe(0)
  })
  it('FILE_SUPERSEDE creates (FILE_CREATED) and supersedes (FILE_SUPERSEDED), replacing attributes (WinBtrfs supersede.cpp)', () => {
    const v = vol()
    const a = v.open('sup', { disposition: D.FILE_SUPERSEDE, attributes: A.FILE_ATTRIBUTE_READONLY, share: S.FILE_SHARE_READ | S.FILE_SHARE_WRITE | S.FILE_SHARE_DELETE })
    expect(a.information).toBe(R.FILE_CREATED)
    expect(v.query(a.handle, 'FileBasicInformation').info?.FileAttributes).toBe(A.FILE_ATTRIBUTE_READONLY | A.FILE_ATTRIBUTE_ARCHIVE)
    v.close(a.handle)
    // superseding a read-only file is allowed (overwriting it is not)
    const b = v.open('sup', { disposition: D.FILE_SUPERSEDE, access: ACCESS.DELETE | ACCESS.FILE_READ_ATTRIBUTES })
    expect([b.name, b.information]).toEqual(['STATUS_SUCCESS', R.FILE_SUPERSEDED])
    expect(v.query(b.handle, 'FileBasicInformation').info?.FileAttributes).toBe(A.FILE_ATTRIBUTE_ARCHIVE)
  })
  it('an overwrite keeps the stored name when opened in another case (WinBtrfs "Overwrite file with different case")', () => {
    const v = vol()
    v.file('overwrite3')
    const r = v.open('OVERWRITE3', { disposition: D.FILE_OVERWRITE })
    expect(r.information).toBe(R.FILE_OVERWRITTEN)
    expect(v.query(r.handle, 'FileNameInformation').info?.FileName).toBe('\\overwrite3')
  })
})

describe('attributes on create', () => {
  it('a new file gets FILE_ATTRIBUTE_ARCHIVE; NORMAL alone means just ARCHIVE (WinBtrfs "Check attributes")', () => {
    const v = vol()
    const h = v.create('f1')
    expect(v.query(h, 'FileBasicInformation').info?.FileAttributes).toBe(A.FILE_ATTRIBUTE_ARCHIVE)
    const n = v.create('f2', { attributes: A.FILE_ATTRIBUTE_NORMAL })
    expect(v.query(n, 'FileBasicInformation').info?.FileAttributes).toBe(A.FILE_ATTRIBUTE_ARCHIVE)
    const hid = v.create('f3', { attributes: A.FILE_ATTRIBUTE_HIDDEN })
    expect(v.query(hid, 'FileBasicInformation').info?.FileAttributes).toBe(A.FILE_ATTRIBUTE_ARCHIVE | A.FILE_ATTRIBUTE_HIDDEN)
  })
  it('a new directory gets no ARCHIVE; FILE_ATTRIBUTE_DIRECTORY on a file is ignored (WinBtrfs create.cpp)', () => {
    const v = vol()
    const d = v.mkdir('d1')
    expect(v.query(d, 'FileBasicInformation').info?.FileAttributes).toBe(A.FILE_ATTRIBUTE_DIRECTORY)
    const ro = v.mkdir('d2', { attributes: A.FILE_ATTRIBUTE_READONLY })
    expect(v.query(ro, 'FileBasicInformation').info?.FileAttributes).toBe(A.FILE_ATTRIBUTE_DIRECTORY | A.FILE_ATTRIBUTE_READONLY)
    const f = v.create('file4', { attributes: A.FILE_ATTRIBUTE_DIRECTORY })
    expect(v.query(f, 'FileBasicInformation').info?.FileAttributes).toBe(A.FILE_ATTRIBUTE_ARCHIVE)
    expect(v.query(f, 'FileStandardInformation').info?.Directory).toBe(false)
  })
  it('overwriting must keep HIDDEN and SYSTEM → else STATUS_ACCESS_DENIED (CreateFile docs; WinBtrfs overwrite.cpp)', () => {
    const v = vol()
    v.close(v.create('h', { attributes: A.FILE_ATTRIBUTE_HIDDEN }))
    expect(v.open('h', { disposition: D.FILE_OVERWRITE }).name).toBe('STATUS_ACCESS_DENIED')
    expect(v.open('h', { disposition: D.FILE_SUPERSEDE }).name).toBe('STATUS_ACCESS_DENIED')
    const ok = v.open('h', { disposition: D.FILE_OVERWRITE, attributes: A.FILE_ATTRIBUTE_HIDDEN | A.FILE_ATTRIBUTE_SYSTEM })
    expect(ok.name).toBe('STATUS_SUCCESS')
    v.close(ok.handle)
    expect(v.open('h', { disposition: D.FILE_OVERWRITE, attributes: A.FILE_ATTRIBUTE_HIDDEN }).name).toBe('STATUS_ACCESS_DENIED')
  })
})

describe('directory and non-directory checks', () => {
  it('FILE_NON_DIRECTORY_FILE on a directory → STATUS_FILE_IS_A_DIRECTORY; FILE_DIRECTORY_FILE on a file → STATUS_NOT_A_DIRECTORY', () => {
    const v = vol()
    v.close(v.mkdir('d'))
    v.file('f')
    expect(v.open('d', { options: O.FILE_NON_DIRECTORY_FILE }).name).toBe('STATUS_FILE_IS_A_DIRECTORY')
    expect(v.open('f', { options: DIR }).name).toBe('STATUS_NOT_A_DIRECTORY')
  })
  it('a directory cannot be overwritten: with FILE_DIRECTORY_FILE → STATUS_INVALID_PARAMETER, as a file → STATUS_FILE_IS_A_DIRECTORY (WinBtrfs overwrite.cpp)', () => {
    const v = vol()
    v.close(v.mkdir('od'))
    expect(v.open('od', { disposition: D.FILE_OVERWRITE, options: DIR }).name).toBe('STATUS_INVALID_PARAMETER')
    expect(v.open('od', { disposition: D.FILE_OVERWRITE, options: O.FILE_NON_DIRECTORY_FILE }).name).toBe('STATUS_FILE_IS_A_DIRECTORY')
    // Wine file.c: overwrite or supersede of a directory without options
    expect(v.open('od', { disposition: D.FILE_OVERWRITE_IF }).name).toBe('STATUS_OBJECT_NAME_COLLISION')
  })
  it('a file inside a file: STATUS_OBJECT_PATH_NOT_FOUND (WinBtrfs "Try to create file within other file")', () => {
    const v = vol()
    v.file('notadir')
    expect(v.open('notadir\\file', { disposition: D.FILE_CREATE }).name).toBe('STATUS_OBJECT_PATH_NOT_FOUND')
    expect(v.open('notadir\\file').name).toBe('STATUS_OBJECT_PATH_NOT_FOUND')
  })
  it('a trailing backslash names a directory: a file with one → STATUS_OBJECT_NAME_INVALID', () => {
    const v = vol()
    v.close(v.mkdir('d'))
    v.file('f')
    expect(v.open('d\\', { options: DIR }).name).toBe('STATUS_SUCCESS')
    expect(v.open('f\\').name).toBe('STATUS_OBJECT_NAME_INVALID')
    expect(v.open('g\\', { disposition: D.FILE_CREATE }).name).toBe('STATUS_OBJECT_NAME_INVALID')
  })
  it('the root opens as a directory and cannot be created', () => {
    const v = vol()
    const r = v.open('\\??\\C:\\', { options: DIR })
    expect([r.name, r.information]).toEqual(['STATUS_SUCCESS', R.FILE_OPENED])
    expect(v.query(r.handle, 'FileNameInformation').info?.FileName).toBe('\\')
    expect(v.open('\\??\\C:\\', { disposition: D.FILE_CREATE, options: DIR }).name).toBe('STATUS_OBJECT_NAME_COLLISION')
  })
})

describe('names', () => {
  it('invalid characters and over-long names → STATUS_OBJECT_NAME_INVALID (Wine file.c; WinBtrfs "Create file with long name")', () => {
    const v = vol()
    for (const n of ['a?b', 'a*b', 'a|b', 'a<b', 'a>b', 'a"b', 'x'.repeat(256)]) {
      expect(v.open(n, { disposition: D.FILE_CREATE }).name, n).toBe('STATUS_OBJECT_NAME_INVALID')
    }
    expect(v.open('x'.repeat(255), { disposition: D.FILE_CREATE }).name).toBe('STATUS_SUCCESS')
  })
  it('names the Win32 layer forbids (CON, emoji) are fine for the NT API (WinBtrfs "Create file called CON")', () => {
    const v = vol()
    expect(v.open('CON', { disposition: D.FILE_CREATE }).name).toBe('STATUS_SUCCESS')
    expect(v.open('\u{1f525}', { disposition: D.FILE_CREATE }).name).toBe('STATUS_SUCCESS')
  })
  it('a long name gets an 8.3 name; FileAlternateNameInformation returns it', () => {
    const v = vol()
    const h = v.create('Long File Name.txt')
    expect(v.query(h, 'FileAlternateNameInformation').info?.FileName).toBe('LONGFI~1.TXT')
    const short = v.create('SHORT.TXT')
    // an upper-case 8.3 name is its own short name
    expect(v.query(short, 'FileAlternateNameInformation').info?.FileName).toBe('SHORT.TXT')
  })
  it('the 8.3 name opens the file too', () => {
    const v = vol()
    v.file('Long File Name.txt', 'x')
    const r = v.open('LONGFI~1.TXT')
    expect(r.name).toBe('STATUS_SUCCESS')
    expect(v.query(r.handle, 'FileNameInformation').info?.FileName).toBe('\\Long File Name.txt')
  })
})

describe('share access (IoCheckShareAccess)', () => {
  it('FILE_SHARE_READ lets readers in and keeps writers and deleters out (WinBtrfs "Create file (FILE_SHARE_READ)")', () => {
    const v = vol()
    v.create('sr', { access: ACCESS.FILE_READ_DATA, share: S.FILE_SHARE_READ })
    expect(v.open('sr', { access: ACCESS.FILE_READ_DATA, share: S.FILE_SHARE_READ }).name).toBe('STATUS_SUCCESS')
    expect(v.open('sr', { access: ACCESS.FILE_WRITE_DATA, share: S.FILE_SHARE_READ }).name).toBe('STATUS_SHARING_VIOLATION')
    expect(v.open('sr', { access: ACCESS.DELETE, share: S.FILE_SHARE_READ }).name).toBe('STATUS_SHARING_VIOLATION')
  })
  it('an open without read, write or delete access never conflicts', () => {
    const v = vol()
    v.create('x', { access: ACCESS.FILE_READ_DATA | ACCESS.FILE_WRITE_DATA | ACCESS.DELETE, share: 0 })
    expect(v.open('x', { access: ACCESS.FILE_READ_ATTRIBUTES | ACCESS.SYNCHRONIZE, share: 0 }).name).toBe('STATUS_SUCCESS')
    expect(v.open('x', { access: ACCESS.FILE_READ_DATA, share: 7 }).name).toBe('STATUS_SHARING_VIOLATION')
  })
  it('a stream open without FILE_SHARE_DELETE keeps DELETE opens of the file out, not the reverse (Samba streams.c test_stream_delete)', () => {
    const v = vol()
    v.file('f', '')
    const s = v.open('f:s', { access: ACCESS.FILE_READ_DATA, share: 0, disposition: D.FILE_CREATE })
    expect(v.open('f', { access: ACCESS.DELETE, share: 7 }).name).toBe('STATUS_SHARING_VIOLATION')
    const reader = v.open('f', { access: ACCESS.FILE_READ_DATA, share: 7 })
    expect(reader.name).toBe('STATUS_SUCCESS')
    v.close(reader.handle)
    v.close(s.handle)
    const base = v.open('f', { access: ACCESS.DELETE, share: 0 })
    expect(base.name).toBe('STATUS_SUCCESS')
    expect(v.open('f:s', { access: ACCESS.DELETE, share: 0 }).name).toBe('STATUS_SUCCESS')
  })
  it('share access is released at cleanup', () => {
    const v = vol()
    const h = v.create('x', { access: ACCESS.FILE_WRITE_DATA, share: 0 })
    expect(v.open('x', { access: ACCESS.FILE_READ_DATA, share: 7 }).name).toBe('STATUS_SHARING_VIOLATION')
    v.close(h)
    expect(v.open('x', { access: ACCESS.FILE_READ_DATA, share: 7 }).name).toBe('STATUS_SUCCESS')
  })
  it('an overwrite checks share access before it changes anything', () => {
    const v = vol()
    const h = v.create('x', { access: ACCESS.FILE_WRITE_DATA, share: 0 })
    v.write(h, 'keep', 0)
    expect(v.open('x', { disposition: D.FILE_OVERWRITE, share: 7 }).name).toBe('STATUS_SHARING_VIOLATION')
    expect(v.content('x')).toBe('keep')
  })
})

describe('read-only files', () => {
  it('opening a read-only file for write → STATUS_ACCESS_DENIED; for attributes only it opens', () => {
    const v = vol()
    v.close(v.create('ro', { attributes: A.FILE_ATTRIBUTE_READONLY }))
    expect(v.open('ro', { access: ACCESS.FILE_WRITE_DATA }).name).toBe('STATUS_ACCESS_DENIED')
    expect(v.open('ro', { access: ACCESS.FILE_WRITE_ATTRIBUTES }).name).toBe('STATUS_SUCCESS')
  })
  it('overwriting a read-only file → STATUS_ACCESS_DENIED (WinBtrfs "Try overwriting readonly file")', () => {
    const v = vol()
    v.close(v.create('ro', { attributes: A.FILE_ATTRIBUTE_READONLY }))
    expect(v.open('ro', { disposition: D.FILE_OVERWRITE }).name).toBe('STATUS_ACCESS_DENIED')
  })
  it('FILE_DELETE_ON_CLOSE on a read-only file → STATUS_CANNOT_DELETE (WinBtrfs delete.cpp)', () => {
    const v = vol()
    v.close(v.create('ro', { attributes: A.FILE_ATTRIBUTE_READONLY }))
    expect(v.open('ro', { access: ACCESS.DELETE, options: O.FILE_DELETE_ON_CLOSE }).name).toBe('STATUS_CANNOT_DELETE')
  })
})

describe('alternate data streams', () => {
  it('a stream of a missing file creates the file and the stream (WinBtrfs "Create stream on non-existent file")', () => {
    const v = vol()
    const r = v.open('s2:stream', { disposition: D.FILE_CREATE })
    expect([r.name, r.information]).toEqual(['STATUS_SUCCESS', R.FILE_CREATED])
    const rec = v.lookup('s2')!
    expect(rec.streams.map((s) => s.name)).toEqual(['', 'stream'])
  })
  it('stream dispositions: FILE_OPENED, FILE_OVERWRITTEN, FILE_SUPERSEDED (WinBtrfs streams.cpp)', () => {
    const v = vol()
    v.close(v.open('s5:stream', { disposition: D.FILE_CREATE }).handle)
    expect(v.probe('s5:stream', { disposition: D.FILE_OPEN }).information).toBe(R.FILE_OPENED)
    expect(v.probe('s5:stream', { disposition: D.FILE_OPEN_IF }).information).toBe(R.FILE_OPENED)
    expect(v.probe('s5:stream', { disposition: D.FILE_OVERWRITE }).information).toBe(R.FILE_OVERWRITTEN)
    expect(v.probe('s5:stream', { disposition: D.FILE_OVERWRITE_IF }).information).toBe(R.FILE_OVERWRITTEN)
    expect(v.probe('s5:stream', { disposition: D.FILE_SUPERSEDE }).information).toBe(R.FILE_SUPERSEDED)
  })
  it('name:stream:$DATA and name::$DATA name the streams; other types are invalid', () => {
    const v = vol()
    v.file('f', 'main')
    const h = v.open('f:s:$DATA', { disposition: D.FILE_CREATE })
    v.write(h.handle, 'side', 0)
    v.close(h.handle)
    expect(v.content('f', 's')).toBe('side')
    expect(v.read(v.open('f::$DATA', { share: 7 }).handle, 10, 0).text).toBe('main')
    expect(v.read(v.open('f::$data', { share: 7 }).handle, 10, 0).text).toBe('main')
    expect(v.open('f:s:$BITMAP').name).toBe('STATUS_OBJECT_NAME_INVALID')
  })
  it('a stream cannot be a directory: FILE_DIRECTORY_FILE → STATUS_NOT_A_DIRECTORY; dir::$DATA → STATUS_FILE_IS_A_DIRECTORY', () => {
    const v = vol()
    v.close(v.mkdir('d'))
    v.file('f')
    expect(v.open('f:stream', { disposition: D.FILE_CREATE, options: DIR }).name).toBe('STATUS_NOT_A_DIRECTORY')
    expect(v.open('d:stream', { disposition: D.FILE_CREATE, options: DIR }).name).toBe('STATUS_NOT_A_DIRECTORY')
    expect(v.open('d::$DATA', { disposition: D.FILE_CREATE }).name).toBe('STATUS_FILE_IS_A_DIRECTORY')
    expect(v.open('d:stream', { disposition: D.FILE_CREATE, options: O.FILE_NON_DIRECTORY_FILE }).name).toBe('STATUS_SUCCESS')
  })
  it('stream names may hold < > " | ? * but not / (WinBtrfs "Create stream with unusual name")', () => {
    const v = vol()
    v.file('f')
    expect(v.open('f:a<b>"|?*', { disposition: D.FILE_CREATE }).name).toBe('STATUS_SUCCESS')
    expect(v.open('f:a/b', { disposition: D.FILE_CREATE }).name).toBe('STATUS_OBJECT_NAME_INVALID')
  })
  it('a stream open relative to its file: RootDirectory plus ":stream"', () => {
    const v = vol()
    const f = v.create('f')
    const r = v.open(':rel', { disposition: D.FILE_CREATE, root: f })
    expect(r.name).toBe('STATUS_SUCCESS')
    expect(v.query(r.handle, 'FileNameInformation').info?.FileName).toBe('\\f:rel')
  })
})

describe('relative opens', () => {
  it('a name relative to a directory handle', () => {
    const v = vol()
    const d = v.mkdir('dir')
    const r = v.open('sub.txt', { disposition: D.FILE_CREATE, root: d })
    expect(r.name).toBe('STATUS_SUCCESS')
    expect(v.query(r.handle, 'FileNameInformation').info?.FileName).toBe('\\dir\\sub.txt')
  })
})
})
