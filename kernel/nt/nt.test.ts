import { describe, expect, it } from 'vitest'
import {
  ACCESS,
  CREATE_DISPOSITION,
  CREATE_OPTIONS,
  CTL_CODE,
  FILE_ATTRIBUTE,
  FILE_INFORMATION_CLASS,
  FS_INFORMATION_CLASS,
  FSCTL,
  IO_REPARSE_TAG,
  IRP_FLAGS,
  IRP_MJ,
  IRP_MJ_FLT,
  IsReparseTagDirectory,
  IsReparseTagMicrosoft,
  IsReparseTagNameSurrogate,
  SHARE_ACCESS,
  decodeCtlCode,
  enumName,
  enumValue,
  fileInformationClassName,
  flagNames,
  flagsFromNames,
  fsctlName,
  irpFlagNames,
  majorName,
  mapGenericFileAccess,
  minorName,
  slFlagNames,
} from './index.ts'

describe('NT constant values', () => {
  it('matches known-good numbers', () => {
    expect(FSCTL.FSCTL_SET_REPARSE_POINT).toBe(0x000900a4)
    expect(FSCTL.FSCTL_GET_REPARSE_POINT).toBe(0x000900a8)
    expect(FSCTL.FSCTL_DELETE_REPARSE_POINT).toBe(0x000900ac)
    expect(FSCTL.FSCTL_REQUEST_OPLOCK).toBe(0x00090240)
    expect(FSCTL.FSCTL_OFFLOAD_READ).toBe(0x00094264)
    expect(FSCTL.FSCTL_CREATE_OR_GET_OBJECT_ID).toBe(0x000900c0)
    expect(FSCTL.FSCTL_SET_COMPRESSION).toBe(0x0009c040)
    expect(FSCTL.FSCTL_SET_ZERO_DATA).toBe(0x000980c8)
    expect(FSCTL.FSCTL_QUERY_ALLOCATED_RANGES).toBe(0x000940cf)
    expect(FSCTL.FSCTL_DUPLICATE_EXTENTS_TO_FILE).toBe(0x00098344)
    expect(FSCTL.FSCTL_SET_EXTERNAL_BACKING).toBe(0x0009030c)
    expect(FSCTL.FSCTL_SET_REPARSE_POINT_EX).toBe(0x0009040c)
    expect(FSCTL.FSCTL_LOCK_VOLUME).toBe(0x00090018)
    expect(FSCTL.FSCTL_GET_RETRIEVAL_POINTERS).toBe(0x00090073)
    expect(FILE_INFORMATION_CLASS.FileDispositionInformationEx).toBe(64)
    expect(FILE_INFORMATION_CLASS.FileRenameInformationEx).toBe(65)
    expect(FILE_INFORMATION_CLASS.FileNetworkOpenInformation).toBe(34)
    expect(FILE_INFORMATION_CLASS.FileIdAllExtdBothDirectoryInformation).toBe(81)
    expect(FS_INFORMATION_CLASS.FileFsSectorSizeInformation).toBe(11)
    expect(IRP_MJ.IRP_MJ_CLEANUP).toBe(0x12)
    expect(IRP_MJ.IRP_MJ_SET_INFORMATION).toBe(6)
    expect(IRP_MJ.IRP_MJ_PNP).toBe(0x1b)
    expect(IRP_MJ_FLT.IRP_MJ_NETWORK_QUERY_OPEN).toBe(-14)
    expect(CREATE_DISPOSITION.FILE_OVERWRITE_IF).toBe(5)
    expect(CREATE_OPTIONS.FILE_OPEN_REPARSE_POINT).toBe(0x00200000)
    expect(ACCESS.FILE_GENERIC_READ).toBe(0x00120089)
    expect(ACCESS.FILE_ALL_ACCESS).toBe(0x001f01ff)
  })

  it('numbers every file information class 1..81 exactly once', () => {
    const values = Object.values(FILE_INFORMATION_CLASS).sort((a, b) => a - b)
    expect(values).toEqual(Array.from({ length: 81 }, (_, i) => i + 1))
    expect(fileInformationClassName(13)).toBe('FileDispositionInformation')
    expect(fileInformationClassName(82)).toBeUndefined()
  })

  it('encodes and decodes CTL codes', () => {
    expect(CTL_CODE(9, 41, 0, 0)).toBe(0x900a4)
    expect(decodeCtlCode(FSCTL.FSCTL_QUERY_ALLOCATED_RANGES)).toEqual({ deviceType: 9, access: 1, function: 51, method: 3 })
    expect(fsctlName(0x90240)).toBe('FSCTL_REQUEST_OPLOCK')
    expect(fsctlName(0x90318)).toBe('FSCTL_ENUM_EXTERNAL_BACKING')
    expect(fsctlName(0x12345678)).toBe('0x12345678')
  })
})

describe('flag helpers', () => {
  it('round-trips create options', () => {
    const v = flagsFromNames(CREATE_OPTIONS, ['FILE_NON_DIRECTORY_FILE', 'FILE_OPEN_REPARSE_POINT'], 'CreateOptions')
    expect(v).toBe(0x00200040)
    expect(flagNames(CREATE_OPTIONS, v)).toEqual(['FILE_NON_DIRECTORY_FILE', 'FILE_OPEN_REPARSE_POINT'])
  })

  it('accepts strings with separators and numbers', () => {
    expect(flagsFromNames(SHARE_ACCESS, 'FILE_SHARE_READ | FILE_SHARE_WRITE', 'ShareAccess')).toBe(3)
    expect(flagsFromNames(SHARE_ACCESS, 'FILE_SHARE_READ, 0x4', 'ShareAccess')).toBe(5)
    expect(flagsFromNames(SHARE_ACCESS, 7, 'ShareAccess')).toBe(7)
    expect(flagsFromNames(ACCESS, ['GENERIC_READ'], 'DesiredAccess')).toBe(0x80000000)
  })

  it('names the unknown flag and what it was for', () => {
    expect(() => flagsFromNames(SHARE_ACCESS, ['FILE_SHARE_RAED'], 'ShareAccess')).toThrow(
      "ShareAccess: unknown flag 'FILE_SHARE_RAED' (did you mean FILE_SHARE_READ",
    )
    expect(() => flagsFromNames(SHARE_ACCESS, -1, 'ShareAccess')).toThrow('ShareAccess: -1 is not a 32-bit flag value')
  })

  it('decodes composites first and leaves unknown bits as hex', () => {
    expect(flagNames(ACCESS, 0x00120089)).toEqual(['FILE_GENERIC_READ'])
    expect(flagNames(ACCESS, 0x0012019f)).toEqual(['FILE_GENERIC_READ', 'FILE_GENERIC_WRITE'])
    expect(flagNames(ACCESS, 0x00100080, { composites: false })).toEqual(['FILE_READ_ATTRIBUTES', 'SYNCHRONIZE'])
    expect(flagNames(SHARE_ACCESS, 0x9)).toEqual(['FILE_SHARE_READ', '0x8'])
    expect(flagNames(SHARE_ACCESS, 0)).toEqual([])
    expect(flagNames(FILE_ATTRIBUTE, 0x20)).toEqual(['FILE_ATTRIBUTE_ARCHIVE'])
  })

  it('looks up enumerations both ways', () => {
    expect(enumValue(CREATE_DISPOSITION, 'FILE_OPEN_IF')).toBe(3)
    expect(enumValue(CREATE_DISPOSITION, 'toString')).toBeUndefined()
    expect(enumName(CREATE_DISPOSITION, 0)).toBe('FILE_SUPERSEDE')
    expect(enumName(CREATE_DISPOSITION, 9)).toBeUndefined()
  })

  it('maps generic rights with the file generic mapping', () => {
    expect(mapGenericFileAccess(ACCESS.GENERIC_READ)).toBe(ACCESS.FILE_GENERIC_READ)
    expect(mapGenericFileAccess(ACCESS.GENERIC_READ | ACCESS.GENERIC_WRITE)).toBe(0x0012019f)
    expect(mapGenericFileAccess(ACCESS.GENERIC_ALL | ACCESS.MAXIMUM_ALLOWED)).toBe(0x001f01ff | 0x02000000)
    expect(mapGenericFileAccess(ACCESS.DELETE)).toBe(ACCESS.DELETE)
  })
})

describe('IRP names', () => {
  it('names majors including Filter Manager pseudo-majors in both forms', () => {
    expect(majorName(0x12)).toBe('IRP_MJ_CLEANUP')
    expect(majorName(-1)).toBe('IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION')
    expect(majorName(0xff)).toBe('IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION')
    expect(majorName(0xf2)).toBe('IRP_MJ_NETWORK_QUERY_OPEN')
    expect(majorName(0x40)).toBe('0x40')
  })

  it('names minors per major', () => {
    expect(minorName(IRP_MJ.IRP_MJ_DIRECTORY_CONTROL, 1)).toBe('IRP_MN_QUERY_DIRECTORY')
    expect(minorName(IRP_MJ.IRP_MJ_FILE_SYSTEM_CONTROL, 0)).toBe('IRP_MN_USER_FS_REQUEST')
    expect(minorName(IRP_MJ.IRP_MJ_LOCK_CONTROL, 3)).toBe('IRP_MN_UNLOCK_ALL')
    expect(minorName(IRP_MJ.IRP_MJ_READ, 6)).toBe('IRP_MN_COMPLETE_MDL')
    expect(minorName(IRP_MJ.IRP_MJ_CREATE, 0)).toBeUndefined()
  })

  it('resolves aliased IRP flag bits by context', () => {
    const paging = IRP_FLAGS.IRP_NOCACHE | IRP_FLAGS.IRP_PAGING_IO | IRP_FLAGS.IRP_SYNCHRONOUS_PAGING_IO
    expect(irpFlagNames(paging, IRP_MJ.IRP_MJ_READ)).toEqual(['IRP_NOCACHE', 'IRP_PAGING_IO', 'IRP_SYNCHRONOUS_PAGING_IO'])
    expect(irpFlagNames(0x40 | 0x4, IRP_MJ.IRP_MJ_QUERY_INFORMATION)).toEqual(['IRP_SYNCHRONOUS_API', 'IRP_INPUT_OPERATION'])
    expect(irpFlagNames(0x2, IRP_MJ.IRP_MJ_FILE_SYSTEM_CONTROL)).toEqual(['IRP_MOUNT_COMPLETION'])
    expect(slFlagNames(0x3, IRP_MJ.IRP_MJ_LOCK_CONTROL)).toEqual(['SL_FAIL_IMMEDIATELY', 'SL_EXCLUSIVE_LOCK'])
    expect(slFlagNames(0x1, IRP_MJ.IRP_MJ_DIRECTORY_CONTROL, 2)).toEqual(['SL_WATCH_TREE'])
  })

  it('classifies reparse tags', () => {
    expect(IsReparseTagMicrosoft(IO_REPARSE_TAG.IO_REPARSE_TAG_SYMLINK)).toBe(true)
    expect(IsReparseTagNameSurrogate(IO_REPARSE_TAG.IO_REPARSE_TAG_MOUNT_POINT)).toBe(true)
    expect(IsReparseTagNameSurrogate(IO_REPARSE_TAG.IO_REPARSE_TAG_HSM)).toBe(false)
    expect(IsReparseTagDirectory(IO_REPARSE_TAG.IO_REPARSE_TAG_CLOUD_3)).toBe(true)
    expect(IsReparseTagMicrosoft(0x0000abcd)).toBe(false)
  })
})

describe('stack location flags', () => {
  it('are looked up by name in one table', async () => {
    const { SL_FLAGS } = await import('./irp.ts')
    expect(SL_FLAGS.SL_CASE_SENSITIVE).toBe(0x80)
    expect(SL_FLAGS.SL_PENDING_RETURNED).toBe(0x01)
    expect(SL_FLAGS.SL_WATCH_TREE).toBe(0x01)
    expect(SL_FLAGS.SL_EXCLUSIVE_LOCK).toBe(0x02)
  })
})
