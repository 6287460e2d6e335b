import { describe, expect, it } from 'vitest'
import { FILE_INFORMATION_CLASS, type FileInformationClassName } from '../../nt/infoclass.ts'
import { STATUS } from '../../nt/status.ts'
import { readUtf16, toHex, view } from './buffer.ts'
import {
  FILE_INFO_LENGTH,
  checkQueryInformationFile,
  checkSetInformationFile,
} from './fileinfo-lengths.ts'
import {
  FILE_ALL_INFORMATION_OFFSETS,
  FILE_ATTRIBUTE_TAG_INFORMATION,
  FILE_BASIC_INFORMATION,
  FILE_COMPRESSION_INFORMATION,
  FILE_ID_INFORMATION,
  FILE_NETWORK_OPEN_INFORMATION,
  FILE_OBJECTID_INFORMATION,
  FILE_REMOTE_PROTOCOL_INFORMATION,
  FILE_RENAME_INFORMATION,
  FILE_RENAME_INFORMATION_EX,
  FILE_STANDARD_INFORMATION,
  FILE_STANDARD_LINK_INFORMATION,
  FILE_STAT_BASIC_INFORMATION,
  FILE_STAT_INFORMATION,
  FILE_STAT_LX_INFORMATION,
} from './fileinfo-layouts.ts'
import {
  FILE_INFORMATION_CODECS,
  FILE_LINKS_INFORMATION,
  FILE_STREAM_INFORMATION,
  checkNameInputBuffer,
  decodeFileInformation,
  encodeFileInformation,
  encodeRenameInformation,
  streamInfoName,
} from './fileinfo.ts'

describe('layouts (x64, MS-FSCC offsets)', () => {
  it('FILE_BASIC_INFORMATION is 40 bytes', () => {
    expect(FILE_BASIC_INFORMATION.size).toBe(40)
    expect(FILE_BASIC_INFORMATION.offsets).toEqual({ CreationTime: 0, LastAccessTime: 8, LastWriteTime: 16, ChangeTime: 24, FileAttributes: 32 })
  })
  it('FILE_STANDARD_INFORMATION is 24 bytes with the _EX flags in its padding', () => {
    expect(FILE_STANDARD_INFORMATION.size).toBe(24)
    expect(FILE_STANDARD_INFORMATION.offsets).toEqual({
      AllocationSize: 0, EndOfFile: 8, NumberOfLinks: 16, DeletePending: 20, Directory: 21, AlternateStream: 22, MetadataAttribute: 23,
    })
  })
  it('FILE_NETWORK_OPEN_INFORMATION is 56 bytes', () => {
    expect(FILE_NETWORK_OPEN_INFORMATION.size).toBe(56)
    expect(FILE_NETWORK_OPEN_INFORMATION.offsets.AllocationSize).toBe(32)
    expect(FILE_NETWORK_OPEN_INFORMATION.offsets.EndOfFile).toBe(40)
    expect(FILE_NETWORK_OPEN_INFORMATION.offsets.FileAttributes).toBe(48)
  })
  it('FILE_ALL_INFORMATION has a 104-byte fixed part with FileName at 100', () => {
    const A = FILE_ALL_INFORMATION_OFFSETS
    expect([A.BasicInformation, A.StandardInformation, A.InternalInformation, A.EaInformation, A.AccessInformation,
      A.PositionInformation, A.ModeInformation, A.AlignmentInformation, A.NameInformation, A.FileName, A.size])
      .toEqual([0, 40, 64, 72, 76, 80, 88, 92, 96, 100, 104])
    expect(FILE_INFO_LENGTH.FileAllInformation.query).toBe(104)
  })
  it('rename/link: BOOLEAN or Flags at 0, HANDLE at 8, FileNameLength at 16, FileName at 20, sizeof 24', () => {
    expect(FILE_RENAME_INFORMATION.offsets).toEqual({ ReplaceIfExists: 0, RootDirectory: 8, FileNameLength: 16 })
    expect(FILE_RENAME_INFORMATION_EX.offsets).toEqual({ Flags: 0, RootDirectory: 8, FileNameLength: 16 })
    expect(FILE_RENAME_INFORMATION.size).toBe(24)
    const b = encodeRenameInformation({ ReplaceIfExists: true, RootDirectory: 0x44, FileName: '\\??\\C:\\n' })
    expect(b.length).toBe(20 + 16)
    expect(b[0]).toBe(1)
    expect(view(b).getUint32(8, true)).toBe(0x44)
    expect(view(b).getUint32(16, true)).toBe(16)
    expect(readUtf16(b, 20, 16)).toBe('\\??\\C:\\n')
    expect(encodeRenameInformation({ FileName: 'a' }).length).toBe(24)
  })
  it('the other fixed structures', () => {
    expect(FILE_ATTRIBUTE_TAG_INFORMATION.size).toBe(8)
    expect(FILE_ID_INFORMATION.size).toBe(24)
    expect(FILE_ID_INFORMATION.offsets.FileId).toBe(8)
    expect(FILE_STAT_INFORMATION.size).toBe(72)
    expect(FILE_STAT_INFORMATION.offsets.EffectiveAccess).toBe(68)
    expect(FILE_STAT_LX_INFORMATION.size).toBe(96)
    expect(FILE_STAT_LX_INFORMATION.offsets.LxDeviceIdMinor).toBe(92)
    expect(FILE_STAT_BASIC_INFORMATION.size).toBe(104)
    expect(FILE_STANDARD_LINK_INFORMATION.size).toBe(12)
    expect(FILE_REMOTE_PROTOCOL_INFORMATION.size).toBe(116)
    expect(FILE_COMPRESSION_INFORMATION.size).toBe(16)
    expect(FILE_OBJECTID_INFORMATION.size).toBe(72)
    expect(FILE_STREAM_INFORMATION.size).toBe(32)
    expect(FILE_STREAM_INFORMATION.StreamName).toBe(24)
    expect(FILE_LINKS_INFORMATION.size).toBe(32)
  })
})

describe('I/O manager length checks', () => {
  it('rejects directory classes and out-of-range classes on NtQueryInformationFile', () => {
    expect(checkQueryInformationFile('FileDirectoryInformation', 4096)).toBe(STATUS.STATUS_INVALID_INFO_CLASS)
    expect(checkQueryInformationFile('FileIdBothDirectoryInformation', 4096)).toBe(STATUS.STATUS_INVALID_INFO_CLASS)
    expect(checkQueryInformationFile('FileRenameInformation', 4096)).toBe(STATUS.STATUS_INVALID_INFO_CLASS)
    expect(checkQueryInformationFile('FileFullEaInformation', 4096)).toBe(STATUS.STATUS_INVALID_INFO_CLASS)
    expect(checkQueryInformationFile(0, 4096)).toBe(STATUS.STATUS_INVALID_INFO_CLASS)
    expect(checkQueryInformationFile(82, 4096)).toBe(STATUS.STATUS_INVALID_INFO_CLASS)
  })
  it('fails a buffer one byte short with INFO_LENGTH_MISMATCH (Wine: 7 and 103 bytes)', () => {
    expect(checkQueryInformationFile('FileNameInformation', 7)).toBe(STATUS.STATUS_INFO_LENGTH_MISMATCH)
    expect(checkQueryInformationFile('FileNameInformation', 8)).toBe(STATUS.STATUS_SUCCESS)
    expect(checkQueryInformationFile(FILE_INFORMATION_CLASS.FileAllInformation, 103)).toBe(STATUS.STATUS_INFO_LENGTH_MISMATCH)
    expect(checkQueryInformationFile('FileAllInformation', 104)).toBe(STATUS.STATUS_SUCCESS)
    expect(checkQueryInformationFile('FileBasicInformation', 0)).toBe(STATUS.STATUS_INFO_LENGTH_MISMATCH)
    expect(checkQueryInformationFile('FileStreamInformation', 31)).toBe(STATUS.STATUS_INFO_LENGTH_MISMATCH)
  })
  it('set classes, and the kernel-only bypass classes', () => {
    expect(checkSetInformationFile('FileDispositionInformation', 1)).toBe(STATUS.STATUS_SUCCESS)
    expect(checkSetInformationFile('FileDispositionInformation', 0)).toBe(STATUS.STATUS_INFO_LENGTH_MISMATCH)
    expect(checkSetInformationFile('FileRenameInformation', 23)).toBe(STATUS.STATUS_INFO_LENGTH_MISMATCH)
    expect(checkSetInformationFile('FileRenameInformation', 24)).toBe(STATUS.STATUS_SUCCESS)
    expect(checkSetInformationFile('FileStandardInformation', 24)).toBe(STATUS.STATUS_INVALID_INFO_CLASS)
    expect(checkSetInformationFile('FileRenameInformationBypassAccessCheck', 24)).toBe(STATUS.STATUS_INVALID_INFO_CLASS)
    expect(checkSetInformationFile('FileRenameInformationBypassAccessCheck', 24, true)).toBe(STATUS.STATUS_SUCCESS)
  })
  it('every class has a table entry; every structure here has a non-zero minimum', () => {
    for (const name of Object.keys(FILE_INFORMATION_CLASS) as FileInformationClassName[]) {
      expect(FILE_INFO_LENGTH[name], name).toBeDefined()
    }
    for (const name of Object.keys(FILE_INFORMATION_CODECS) as FileInformationClassName[]) {
      const e = FILE_INFO_LENGTH[name]
      expect(e.query + e.set, name).toBeGreaterThan(0)
    }
  })
})

describe('fixed classes', () => {
  const basic = { CreationTime: 132000000000000000n, LastAccessTime: 132000000000000001n, LastWriteTime: 132000000000000002n, ChangeTime: -1n, FileAttributes: 0x20 }

  it('round-trips FileBasicInformation and writes the documented bytes', () => {
    const r = encodeFileInformation('FileBasicInformation', basic, 40)
    expect(r.status).toBe(STATUS.STATUS_SUCCESS)
    expect(r.information).toBe(40)
    expect(r.bytes.length).toBe(40)
    expect(toHex(r.bytes.subarray(24, 36))).toBe('ffffffffffffffff20000000')
    expect(decodeFileInformation('FileBasicInformation', r.bytes)).toEqual(basic)
  })

  it('exactly fits, one byte short, zero-length', () => {
    expect(encodeFileInformation('FileBasicInformation', basic, 40).status).toBe(STATUS.STATUS_SUCCESS)
    expect(encodeFileInformation('FileBasicInformation', basic, 4096).information).toBe(40)
    const short = encodeFileInformation('FileBasicInformation', basic, 39)
    expect(short).toEqual({ bytes: new Uint8Array(0), status: STATUS.STATUS_INFO_LENGTH_MISMATCH, information: 0 })
    expect(encodeFileInformation('FileBasicInformation', basic, 0).status).toBe(STATUS.STATUS_INFO_LENGTH_MISMATCH)
  })

  it('FileStandardInformation: sizes as numbers, booleans as bytes', () => {
    const std = { AllocationSize: 4096, EndOfFile: 11, NumberOfLinks: 1, DeletePending: false, Directory: false, AlternateStream: true, MetadataAttribute: false }
    const r = encodeFileInformation('FileStandardInformation', std, 24)
    expect(toHex(r.bytes)).toBe('00100000000000000b00000000000000' + '01000000' + '00000100')
    expect(decodeFileInformation('FileStandardInformation', r.bytes)).toEqual(std)
    expect(encodeFileInformation('FileStandardInformation', std, 23).status).toBe(STATUS.STATUS_INFO_LENGTH_MISMATCH)
  })

  it('absent input fields are zero (a set of FileBasicInformation with only attributes)', () => {
    const r = encodeFileInformation('FileBasicInformation', { FileAttributes: 1 }, 40)
    expect(decodeFileInformation('FileBasicInformation', r.bytes)).toEqual({ CreationTime: 0n, LastAccessTime: 0n, LastWriteTime: 0n, ChangeTime: 0n, FileAttributes: 1 })
  })

  it('FileIdInformation carries a 128-bit id', () => {
    const r = encodeFileInformation('FileIdInformation', { VolumeSerialNumber: 0x1234abcd5678n, FileId: 0x0005000000000023n }, 24)
    expect(r.information).toBe(24)
    expect(toHex(r.bytes.subarray(8))).toBe('2300000000000500' + '0000000000000000')
    expect(decodeFileInformation('FileIdInformation', r.bytes)).toEqual({ VolumeSerialNumber: 0x1234abcd5678n, FileId: 0x0005000000000023n })
  })

  it('one-byte structures: FileDispositionInformation and FileIsRemoteDeviceInformation', () => {
    const r = encodeFileInformation('FileDispositionInformation', { DeleteFile: true }, 1)
    expect(Array.from(r.bytes)).toEqual([1])
    expect(decodeFileInformation('FileDispositionInformation', r.bytes)).toEqual({ DeleteFile: true })
    expect(encodeFileInformation('FileDispositionInformation', { DeleteFile: true }, 0).status).toBe(STATUS.STATUS_INFO_LENGTH_MISMATCH)
    expect(encodeFileInformation('FileIsRemoteDeviceInformation', { IsRemote: false }, 1).information).toBe(1)
  })

  it('FileObjectIdInformation keeps GUIDs in Windows byte order', () => {
    const o = { FileReference: 0x1000000000005n, ObjectId: '{00112233-4455-6677-8899-AABBCCDDEEFF}', BirthVolumeId: '{00000000-0000-0000-0000-000000000001}', BirthObjectId: '{00112233-4455-6677-8899-AABBCCDDEEFF}', DomainId: '{00000000-0000-0000-0000-000000000000}' }
    const r = encodeFileInformation('FileObjectIdInformation', o, 72)
    expect(toHex(r.bytes.subarray(8, 24))).toBe('33221100554477668899aabbccddeeff')
    expect(decodeFileInformation('FileObjectIdInformation', r.bytes)).toEqual(o)
  })

  it('reports a field of the wrong type by name', () => {
    expect(() => encodeFileInformation('FileBasicInformation', { FileAttributes: 'x' as unknown as number }, 40)).toThrow(/FILE_BASIC_INFORMATION\.FileAttributes/)
    expect(() => decodeFileInformation('FileBasicInformation', new Uint8Array(39))).toThrow(/FILE_BASIC_INFORMATION: needs 40 bytes, the buffer has 39/)
  })
})

describe('name classes (Wine ntdll tests: test_file_name_information)', () => {
  const name = '\\Windows\\System32'

  it('fits exactly: Information = 4 + FileNameLength', () => {
    const r = encodeFileInformation('FileNameInformation', { FileName: name }, 4 + name.length * 2)
    expect(r.status).toBe(STATUS.STATUS_SUCCESS)
    expect(r.information).toBe(4 + 34)
    expect(decodeFileInformation('FileNameInformation', r.bytes)).toEqual({ FileNameLength: 34, FileName: name })
  })

  it('an 8-byte buffer: BUFFER_OVERFLOW, full FileNameLength, two characters, Information 8', () => {
    const r = encodeFileInformation('FileNameInformation', { FileName: name }, 8)
    expect(r.status).toBe(STATUS.STATUS_BUFFER_OVERFLOW)
    expect(r.information).toBe(8)
    expect(view(r.bytes).getUint32(0, true)).toBe(34)
    expect(decodeFileInformation('FileNameInformation', r.bytes)).toEqual({ FileNameLength: 34, FileName: '\\W' })
  })

  it('one byte short of the whole name; an odd length copies whole WCHARs only', () => {
    const r = encodeFileInformation('FileNameInformation', { FileName: name }, 4 + 33)
    expect(r.status).toBe(STATUS.STATUS_BUFFER_OVERFLOW)
    expect(r.information).toBe(4 + 32)
    expect(decodeFileInformation('FileNameInformation', r.bytes).FileName).toBe(name.slice(0, 16))
  })

  it('below the 8-byte floor: INFO_LENGTH_MISMATCH; zero-length too', () => {
    expect(encodeFileInformation('FileNameInformation', { FileName: name }, 7).status).toBe(STATUS.STATUS_INFO_LENGTH_MISMATCH)
    expect(encodeFileInformation('FileNameInformation', { FileName: name }, 0).status).toBe(STATUS.STATUS_INFO_LENGTH_MISMATCH)
  })

  it('an empty name (the root) in an 8-byte buffer', () => {
    const r = encodeFileInformation('FileNameInformation', { FileName: '' }, 8)
    expect(r.status).toBe(STATUS.STATUS_SUCCESS)
    expect(r.information).toBe(4)
  })

  it('AlternateName, NormalizedName and VolumeName use the same shape', () => {
    const r = encodeFileInformation('FileAlternateNameInformation', { FileName: 'LONGFI~1.TXT' }, 100)
    expect(decodeFileInformation('FileAlternateNameInformation', r.bytes)).toEqual({ FileNameLength: 24, FileName: 'LONGFI~1.TXT' })
    const v = encodeFileInformation('FileVolumeNameInformation', { DeviceName: '\\Device\\HarddiskVolume1' }, 8)
    expect(v.status).toBe(STATUS.STATUS_BUFFER_OVERFLOW)
    expect(decodeFileInformation('FileVolumeNameInformation', v.bytes)).toEqual({ DeviceNameLength: 46, DeviceName: '\\D' })
  })
})

describe('FileAllInformation (Wine: test_file_all_name_information)', () => {
  const all = {
    BasicInformation: { CreationTime: 1n, LastAccessTime: 2n, LastWriteTime: 3n, ChangeTime: 4n, FileAttributes: 0x10 },
    StandardInformation: { AllocationSize: 0, EndOfFile: 0, NumberOfLinks: 1, DeletePending: false, Directory: true, AlternateStream: false, MetadataAttribute: false },
    InternalInformation: { IndexNumber: 0x0005000000000005n },
    EaInformation: { EaSize: 0 },
    AccessInformation: { AccessFlags: 0x120089 },
    PositionInformation: { CurrentByteOffset: 0 },
    ModeInformation: { Mode: 0x20 },
    AlignmentInformation: { AlignmentRequirement: 0 },
    NameInformation: { FileName: '\\Windows' },
  }

  it('round-trips, Information = 100 + FileNameLength', () => {
    const r = encodeFileInformation('FileAllInformation', all, 4096)
    expect(r.status).toBe(STATUS.STATUS_SUCCESS)
    expect(r.information).toBe(116)
    expect(decodeFileInformation('FileAllInformation', r.bytes)).toEqual({ ...all, NameInformation: { FileNameLength: 16, FileName: '\\Windows' } })
  })

  it('104 bytes: BUFFER_OVERFLOW with two name characters; 103 bytes: INFO_LENGTH_MISMATCH', () => {
    const r = encodeFileInformation('FileAllInformation', all, 104)
    expect(r.status).toBe(STATUS.STATUS_BUFFER_OVERFLOW)
    expect(r.information).toBe(104)
    const d = decodeFileInformation('FileAllInformation', r.bytes)
    expect(d.NameInformation).toEqual({ FileNameLength: 16, FileName: '\\W' })
    expect(d.ModeInformation.Mode).toBe(0x20)
    expect(encodeFileInformation('FileAllInformation', all, 103).status).toBe(STATUS.STATUS_INFO_LENGTH_MISMATCH)
    expect(encodeFileInformation('FileAllInformation', all, 116).status).toBe(STATUS.STATUS_SUCCESS)
    expect(encodeFileInformation('FileAllInformation', all, 115).status).toBe(STATUS.STATUS_BUFFER_OVERFLOW)
  })
})

describe('FileStreamInformation', () => {
  const streams = {
    Streams: [
      { StreamName: '::$DATA', StreamSize: 11, StreamAllocationSize: 16 },
      { StreamName: streamInfoName('s'), StreamSize: 5, StreamAllocationSize: 8 },
    ],
  }

  it('chains entries 8-byte aligned with NextEntryOffset, last entry 0', () => {
    const r = encodeFileInformation('FileStreamInformation', streams, 4096)
    expect(r.status).toBe(STATUS.STATUS_SUCCESS)
    // first entry 24 + 14 = 38 → next at 40; second 24 + 16 = 40 → Information 80
    expect(r.information).toBe(80)
    const dv = view(r.bytes)
    expect(dv.getUint32(0, true)).toBe(40)
    expect(dv.getUint32(4, true)).toBe(14)
    expect(dv.getUint32(40, true)).toBe(0)
    expect(decodeFileInformation('FileStreamInformation', r.bytes)).toEqual(streams)
  })

  it('an entry that does not fit ends the buffer with BUFFER_OVERFLOW', () => {
    const r = encodeFileInformation('FileStreamInformation', streams, 79)
    expect(r.status).toBe(STATUS.STATUS_BUFFER_OVERFLOW)
    expect(r.information).toBe(38)
    expect(decodeFileInformation('FileStreamInformation', r.bytes).Streams).toEqual([streams.Streams[0]])
    const first = encodeFileInformation('FileStreamInformation', streams, 37)
    expect(first.status).toBe(STATUS.STATUS_BUFFER_OVERFLOW)
    expect(first.information).toBe(0)
    expect(encodeFileInformation('FileStreamInformation', streams, 31).status).toBe(STATUS.STATUS_INFO_LENGTH_MISMATCH)
  })

  it('no streams (a directory): SUCCESS with nothing written', () => {
    const r = encodeFileInformation('FileStreamInformation', { Streams: [] }, 64)
    expect(r).toEqual({ bytes: new Uint8Array(0), status: STATUS.STATUS_SUCCESS, information: 0 })
    expect(decodeFileInformation('FileStreamInformation', r.bytes)).toEqual({ Streams: [] })
  })

  it('rejects a chain whose offset is not 8-aligned', () => {
    const r = encodeFileInformation('FileStreamInformation', streams, 4096)
    const bad = r.bytes.slice()
    view(bad).setUint32(0, 38, true)
    expect(() => decodeFileInformation('FileStreamInformation', bad)).toThrow(/NextEntryOffset 38/)
  })
})

describe('FileHardLinkInformation', () => {
  const links = { Entries: [{ ParentFileId: 5n, FileName: 'a.txt' }, { ParentFileId: 0x0001000000000024n, FileName: 'b.txt' }] }

  it('header, then entries with FileNameLength in characters', () => {
    const r = encodeFileInformation('FileHardLinkInformation', links, 4096)
    expect(r.status).toBe(STATUS.STATUS_SUCCESS)
    // entry 1 at 8 (20 + 10 = 30 → next at 40), entry 2 ends at 70
    expect(r.information).toBe(70)
    const dv = view(r.bytes)
    expect(dv.getUint32(0, true)).toBe(70)
    expect(dv.getUint32(4, true)).toBe(2)
    expect(dv.getUint32(8, true)).toBe(32)
    expect(dv.getUint32(8 + 16, true)).toBe(5)
    expect(decodeFileInformation('FileHardLinkInformation', r.bytes)).toEqual({ BytesNeeded: 70, EntriesReturned: 2, Entries: links.Entries })
  })

  it('short buffer: BytesNeeded for all, the entries that fit, BUFFER_OVERFLOW', () => {
    const r = encodeFileInformation('FileHardLinkInformation', links, 40)
    expect(r.status).toBe(STATUS.STATUS_BUFFER_OVERFLOW)
    expect(decodeFileInformation('FileHardLinkInformation', r.bytes)).toEqual({ BytesNeeded: 70, EntriesReturned: 1, Entries: [links.Entries[0]] })
    expect(encodeFileInformation('FileHardLinkInformation', links, 31).status).toBe(STATUS.STATUS_INFO_LENGTH_MISMATCH)
  })
})

describe('rename and link input buffers', () => {
  it('round-trips FileRenameInformation and FileRenameInformationEx', () => {
    const r = encodeFileInformation('FileRenameInformation', { ReplaceIfExists: true, FileName: 'C:\\dir\\new.txt' }, 24)
    expect(r.status).toBe(STATUS.STATUS_SUCCESS)
    expect(decodeFileInformation('FileRenameInformation', r.bytes)).toEqual({ ReplaceIfExists: true, RootDirectory: 0, FileNameLength: 28, FileName: 'C:\\dir\\new.txt' })
    const x = encodeFileInformation('FileRenameInformationEx', { Flags: 3, RootDirectory: 8, FileName: ':s' }, 24)
    expect(x.bytes.length).toBe(24)
    expect(decodeFileInformation('FileRenameInformationEx', x.bytes)).toEqual({ Flags: 3, RootDirectory: 8, FileNameLength: 4, FileName: ':s' })
    expect(encodeFileInformation('FileLinkInformation', { FileName: 'x' }, 23).status).toBe(STATUS.STATUS_INFO_LENGTH_MISMATCH)
  })

  it('a FileNameLength past the buffer or odd is INVALID_PARAMETER', () => {
    const b = encodeRenameInformation({ FileName: 'abc' })
    expect(checkNameInputBuffer('FileRenameInformation', b)).toBe(STATUS.STATUS_SUCCESS)
    const past = b.slice()
    view(past).setUint32(16, 200, true)
    expect(checkNameInputBuffer('FileRenameInformation', past)).toBe(STATUS.STATUS_INVALID_PARAMETER)
    const odd = b.slice()
    view(odd).setUint32(16, 3, true)
    expect(checkNameInputBuffer('FileRenameInformation', odd)).toBe(STATUS.STATUS_INVALID_PARAMETER)
    // the decoder stays lenient: it returns the part of the name that is present
    expect(decodeFileInformation('FileRenameInformation', past)).toMatchObject({ FileNameLength: 200, FileName: 'abc' })
  })

  it('FileShortNameInformation uses the FILE_NAME_INFORMATION shape', () => {
    const r = encodeFileInformation('FileShortNameInformation', { FileName: 'AB~1.TXT' }, 8)
    expect(r.bytes.length).toBe(20)
    expect(checkNameInputBuffer('FileShortNameInformation', r.bytes)).toBe(STATUS.STATUS_SUCCESS)
    expect(decodeFileInformation('FileShortNameInformation', r.bytes)).toEqual({ FileNameLength: 16, FileName: 'AB~1.TXT' })
  })
})

describe('FileTrackingInformation', () => {
  it('handle, length, bytes; at least 16 bytes', () => {
    const r = encodeFileInformation('FileTrackingInformation', { DestinationFile: 0x30, ObjectInformation: new Uint8Array([1, 2, 3, 4, 5, 6]) }, 16)
    expect(r.bytes.length).toBe(18)
    expect(toHex(r.bytes)).toBe('3000000000000000' + '06000000' + '010203040506')
    expect(decodeFileInformation('FileTrackingInformation', r.bytes)).toEqual({ DestinationFile: 0x30, ObjectInformationLength: 6, ObjectInformation: new Uint8Array([1, 2, 3, 4, 5, 6]) })
    expect(encodeFileInformation('FileTrackingInformation', {}, 16).bytes.length).toBe(16)
    expect(encodeFileInformation('FileTrackingInformation', {}, 15).status).toBe(STATUS.STATUS_INFO_LENGTH_MISMATCH)
  })
})

describe('the registry', () => {
  it('throws a clear error for a class without a structure', () => {
    expect(() => encodeFileInformation('FilePipeInformation' as never, {} as never, 100)).toThrow(/no structure is defined for FilePipeInformation/)
  })
})
