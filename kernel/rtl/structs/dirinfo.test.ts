import { describe, expect, it } from 'vitest'
import { FILE_INFORMATION_CLASS } from '../../nt/infoclass.ts'
import { STATUS } from '../../nt/status.ts'
import { readUtf16, view } from './buffer.ts'
import {
  DIR_INFO_LENGTH,
  DIR_LAYOUTS,
  type DirClass,
  checkQueryDirectoryFile,
  decodeDirEntries,
  decodeFixedDirEntries,
  dirEntryNames,
  encodeDirEntries,
  encodeFixedDirEntries,
} from './dirinfo.ts'

const dot = { FileName: '.', FileAttributes: 0x10, CreationTime: 1n, LastWriteTime: 2n, ShortName: '' }
const dotdot = { FileName: '..', FileAttributes: 0x10 }
const file = {
  FileName: 'longfilename.tmp',
  FileIndex: 0,
  CreationTime: 132000000000000000n,
  LastAccessTime: 132000000000000001n,
  LastWriteTime: 132000000000000002n,
  ChangeTime: 132000000000000003n,
  EndOfFile: 11,
  AllocationSize: 16,
  FileAttributes: 0x20,
  EaSize: 0,
  ShortName: 'LONGFI~1.TMP',
  FileId: 0x0003000000000040n,
}

describe('layouts', () => {
  it('FileName offsets and sizes (offsetof(FileName[1]) + 7) & ~7 as in Wine', () => {
    const expected: [DirClass, number, number][] = [
      ['FileDirectoryInformation', 64, 72],
      ['FileFullDirectoryInformation', 68, 72],
      ['FileBothDirectoryInformation', 94, 96],
      ['FileNamesInformation', 12, 16],
      ['FileIdBothDirectoryInformation', 104, 112],
      ['FileIdFullDirectoryInformation', 80, 88],
      ['FileIdGlobalTxDirectoryInformation', 92, 96],
      ['FileIdExtdDirectoryInformation', 88, 96],
      ['FileIdExtdBothDirectoryInformation', 114, 120],
      ['FileId64ExtdDirectoryInformation', 80, 88],
      ['FileId64ExtdBothDirectoryInformation', 106, 112],
      ['FileIdAllExtdDirectoryInformation', 96, 104],
      ['FileIdAllExtdBothDirectoryInformation', 122, 128],
    ]
    for (const [cls, fileName, size] of expected) {
      expect(DIR_LAYOUTS[cls].fileName, cls).toBe(fileName)
      expect(DIR_LAYOUTS[cls].def.size, cls).toBe(size)
      expect((fileName + 2 + 7) & ~7, cls).toBe(size)
      expect(DIR_INFO_LENGTH[cls], cls).toBe(size)
    }
  })
  it('common fields and class-specific ones', () => {
    const both = DIR_LAYOUTS.FileIdBothDirectoryInformation.def.offsets as Record<string, number>
    expect(both).toMatchObject({ NextEntryOffset: 0, FileIndex: 4, CreationTime: 8, EndOfFile: 40, AllocationSize: 48, FileAttributes: 56, FileNameLength: 60, EaSize: 64, FileId: 96 })
    expect(DIR_LAYOUTS.FileIdBothDirectoryInformation.shortName).toBe(68)
    expect((DIR_LAYOUTS.FileIdExtdBothDirectoryInformation.def.offsets as Record<string, number>).ReparsePointTag).toBe(68)
    expect(DIR_LAYOUTS.FileIdExtdBothDirectoryInformation.shortName).toBe(88)
    expect((DIR_LAYOUTS.FileNamesInformation.def.offsets as Record<string, number>).FileNameLength).toBe(8)
  })
})

describe('NtQueryDirectoryFile class and length checks (Windows 10 table)', () => {
  it('zero length and one byte short fail with INFO_LENGTH_MISMATCH', () => {
    expect(checkQueryDirectoryFile('FileBothDirectoryInformation', 0)).toBe(STATUS.STATUS_INFO_LENGTH_MISMATCH)
    expect(checkQueryDirectoryFile('FileBothDirectoryInformation', 95)).toBe(STATUS.STATUS_INFO_LENGTH_MISMATCH)
    expect(checkQueryDirectoryFile('FileBothDirectoryInformation', 96)).toBe(STATUS.STATUS_SUCCESS)
    expect(checkQueryDirectoryFile(FILE_INFORMATION_CLASS.FileNamesInformation, 16)).toBe(STATUS.STATUS_SUCCESS)
    expect(checkQueryDirectoryFile('FileQuotaInformation', 55)).toBe(STATUS.STATUS_INFO_LENGTH_MISMATCH)
  })
  it('non-directory classes fail with INVALID_INFO_CLASS', () => {
    expect(checkQueryDirectoryFile('FileBasicInformation', 4096)).toBe(STATUS.STATUS_INVALID_INFO_CLASS)
    expect(checkQueryDirectoryFile('FileStreamInformation', 4096)).toBe(STATUS.STATUS_INVALID_INFO_CLASS)
    expect(checkQueryDirectoryFile(0, 4096)).toBe(STATUS.STATUS_INVALID_INFO_CLASS)
  })
})

describe('packing (Wine test_NtQueryDirectoryFile)', () => {
  it('"." then "..": NextEntryOffset 96 then 0 for FileBothDirectoryInformation', () => {
    const r = encodeDirEntries('FileBothDirectoryInformation', [dot, dotdot], 8192)
    expect(r.status).toBe(STATUS.STATUS_SUCCESS)
    expect(r.count).toBe(2)
    const dv = view(r.bytes)
    expect(dv.getUint32(0, true)).toBe(96)
    expect(dv.getUint32(60, true)).toBe(2)
    expect(dv.getUint32(96, true)).toBe(0)
    expect(dv.getUint32(96 + 60, true)).toBe(4)
    expect(r.information).toBe(96 + 94 + 4)
    expect(dirEntryNames('FileBothDirectoryInformation', r.bytes)).toEqual(['.', '..'])
  })

  it('a later entry that does not fit is left for the next call; Information ends unpadded', () => {
    // buffer = NextEntryOffset + offsetof(FileName[1]): ".." needs one more WCHAR
    const r = encodeDirEntries('FileBothDirectoryInformation', [dot, dotdot], 96 + 96)
    expect(r.status).toBe(STATUS.STATUS_SUCCESS)
    expect(r.information).toBe(96)
    expect(r.count).toBe(1)
    expect(view(r.bytes).getUint32(0, true)).toBe(0)
    // buffer = NextEntryOffset + offsetof(FileName[2]): both fit exactly
    const r2 = encodeDirEntries('FileBothDirectoryInformation', [dot, dotdot], 96 + 98)
    expect(r2.information).toBe(194)
    expect(r2.count).toBe(2)
  })

  it('FileNamesInformation packs at 16 bytes per short entry', () => {
    const r = encodeDirEntries('FileNamesInformation', [dot, dotdot], 16 + 16)
    expect(r.status).toBe(STATUS.STATUS_SUCCESS)
    expect(r.information).toBe(32)
    expect(view(r.bytes).getUint32(0, true)).toBe(16)
    expect(decodeDirEntries('FileNamesInformation', r.bytes)).toEqual([
      { NextEntryOffset: 16, FileIndex: 0, FileNameLength: 2, FileName: '.' },
      { NextEntryOffset: 0, FileIndex: 0, FileNameLength: 4, FileName: '..' },
    ])
  })

  it('the first entry always goes out: name cut short, full FileNameLength, BUFFER_OVERFLOW, Information = buffer', () => {
    const r = encodeDirEntries('FileBothDirectoryInformation', [file], 96, true)
    expect(r.status).toBe(STATUS.STATUS_BUFFER_OVERFLOW)
    expect(r.information).toBe(96)
    expect(r.truncated).toBe(true)
    expect(r.count).toBe(0)
    const dv = view(r.bytes)
    expect(dv.getUint32(0, true)).toBe(0)
    expect(dv.getUint32(60, true)).toBe(32)
    expect(readUtf16(r.bytes, 94, 2)).toBe('l')
    const [e] = decodeDirEntries('FileBothDirectoryInformation', r.bytes)
    expect(e).toMatchObject({ FileName: 'l', FileNameLength: 32, ShortName: 'LONGFI~1.TMP', ShortNameLength: 24 })
  })

  it('the minimum buffer for each class gives BUFFER_OVERFLOW with NextEntryOffset 0 (Wine _classes test)', () => {
    for (const cls of Object.keys(DIR_LAYOUTS) as DirClass[]) {
      const min = DIR_INFO_LENGTH[cls]!
      const r = encodeDirEntries(cls, [file], min)
      expect(r.status, cls).toBe(STATUS.STATUS_BUFFER_OVERFLOW)
      expect(r.information, cls).toBe(min)
      expect(view(r.bytes).getUint32(0, true), cls).toBe(0)
      expect(encodeDirEntries(cls, [file], min - 1).status, cls).toBe(STATUS.STATUS_INFO_LENGTH_MISMATCH)
    }
  })

  it('ReturnSingleEntry writes one entry even when more fit', () => {
    const r = encodeDirEntries('FileDirectoryInformation', [dot, dotdot, file], 4096, true)
    expect(r.count).toBe(1)
    expect(r.information).toBe(66)
    expect(view(r.bytes).getUint32(0, true)).toBe(0)
  })

  it('no entries: NO_MORE_FILES', () => {
    expect(encodeDirEntries('FileDirectoryInformation', [], 4096).status).toBe(STATUS.STATUS_NO_MORE_FILES)
  })

  it('round-trips every field of FileIdBothDirectoryInformation and the Extd classes', () => {
    const r = encodeDirEntries('FileIdBothDirectoryInformation', [file, dot], 4096)
    const [a, b] = decodeDirEntries('FileIdBothDirectoryInformation', r.bytes)
    expect(a).toEqual({ ...file, NextEntryOffset: 136, FileNameLength: 32, ShortNameLength: 24 })
    expect(b).toMatchObject({ FileName: '.', ShortName: '', ShortNameLength: 0, FileId: 0n })
    const x = encodeDirEntries('FileIdExtdBothDirectoryInformation', [{ ...file, FileId: 0xabcdef0123456789abcdefn, ReparsePointTag: 0xa000000c }], 4096)
    expect(decodeDirEntries('FileIdExtdBothDirectoryInformation', x.bytes)[0]).toMatchObject({ FileId: 0xabcdef0123456789abcdefn, ReparsePointTag: 0xa000000c, ShortName: 'LONGFI~1.TMP' })
    const g = encodeDirEntries('FileIdGlobalTxDirectoryInformation', [{ FileName: 'a', LockingTransactionId: '{00112233-4455-6677-8899-AABBCCDDEEFF}', TxInfoFlags: 1 }], 4096)
    expect(decodeDirEntries('FileIdGlobalTxDirectoryInformation', g.bytes)[0]).toMatchObject({ LockingTransactionId: '{00112233-4455-6677-8899-AABBCCDDEEFF}', TxInfoFlags: 1 })
  })

  it('rejects a ShortName over 12 characters and a bad NextEntryOffset', () => {
    expect(() => encodeDirEntries('FileBothDirectoryInformation', [{ FileName: 'a', ShortName: 'ABCDEFGHI.JKL' }], 4096)).toThrow(/ShortName 'ABCDEFGHI.JKL'/)
    const r = encodeDirEntries('FileDirectoryInformation', [dot, dotdot], 4096)
    const bad = r.bytes.slice()
    view(bad).setUint32(0, 4, true)
    expect(() => decodeDirEntries('FileDirectoryInformation', bad)).toThrow(/FILE_DIRECTORY_INFORMATION: NextEntryOffset 4/)
  })
})

describe('fixed-size metadata index entries', () => {
  it('packs FILE_REPARSE_POINT_INFORMATION entries back to back', () => {
    const entries = [{ FileReference: 0x24n, Tag: 0xa000000c }, { FileReference: 0x25n, Tag: 0xa0000003 }]
    const r = encodeFixedDirEntries('FileReparsePointInformation', entries, 40)
    expect(r.count).toBe(2)
    expect(r.information).toBe(32)
    expect(decodeFixedDirEntries('FileReparsePointInformation', r.bytes)).toEqual(entries)
    expect(encodeFixedDirEntries('FileReparsePointInformation', entries, 24).count).toBe(1)
    expect(encodeFixedDirEntries('FileReparsePointInformation', entries, 15).status).toBe(STATUS.STATUS_INFO_LENGTH_MISMATCH)
  })
})
