import { describe, expect, it } from 'vitest'
import { FS_INFORMATION_CLASS } from '../../nt/infoclass.ts'
import { flagNames } from '../../nt/flags.ts'
import { STATUS } from '../../nt/status.ts'
import { readUtf16, toHex, view } from './buffer.ts'
import {
  FILE_FS_ATTRIBUTE,
  FILE_FS_ATTRIBUTE_INFORMATION,
  FILE_FS_CONTROL_INFORMATION,
  FILE_FS_FULL_SIZE_INFORMATION,
  FILE_FS_FULL_SIZE_INFORMATION_EX,
  FILE_FS_SECTOR_SIZE_INFORMATION,
  FILE_FS_SIZE_INFORMATION,
  FILE_FS_VOLUME_INFORMATION,
  NTFS_FILE_SYSTEM_ATTRIBUTES,
  NTFS_FILE_SYSTEM_NAME,
  NTFS_MAXIMUM_COMPONENT_NAME_LENGTH,
  checkQueryVolumeInformationFile,
  checkSetVolumeInformationFile,
  decodeFsInformation,
  encodeFsInformation,
} from './fsinfo.ts'

describe('layouts', () => {
  it('matches MS-FSCC 2.5 offsets and x64 sizes', () => {
    expect(FILE_FS_VOLUME_INFORMATION.offsets).toEqual({ VolumeCreationTime: 0, VolumeSerialNumber: 8, VolumeLabelLength: 12, SupportsObjects: 16 })
    expect(FILE_FS_VOLUME_INFORMATION.size).toBe(24)
    expect(FILE_FS_SIZE_INFORMATION.offsets).toEqual({ TotalAllocationUnits: 0, AvailableAllocationUnits: 8, SectorsPerAllocationUnit: 16, BytesPerSector: 20 })
    expect(FILE_FS_ATTRIBUTE_INFORMATION.offsets).toEqual({ FileSystemAttributes: 0, MaximumComponentNameLength: 4, FileSystemNameLength: 8 })
    expect(FILE_FS_ATTRIBUTE_INFORMATION.size).toBe(16)
    expect(FILE_FS_FULL_SIZE_INFORMATION.size).toBe(32)
    expect(FILE_FS_CONTROL_INFORMATION.offsets.FileSystemControlFlags).toBe(40)
    expect(FILE_FS_SECTOR_SIZE_INFORMATION.size).toBe(28)
    expect(FILE_FS_FULL_SIZE_INFORMATION_EX.size).toBe(96)
    expect(FILE_FS_FULL_SIZE_INFORMATION_EX.offsets.BytesPerSector).toBe(92)
  })
})

describe('I/O manager checks', () => {
  it('FileFsLabelInformation is set-only; short buffers mismatch', () => {
    expect(checkQueryVolumeInformationFile('FileFsLabelInformation', 100)).toBe(STATUS.STATUS_INVALID_INFO_CLASS)
    expect(checkSetVolumeInformationFile('FileFsLabelInformation', 8)).toBe(STATUS.STATUS_SUCCESS)
    expect(checkSetVolumeInformationFile('FileFsSizeInformation', 24)).toBe(STATUS.STATUS_INVALID_INFO_CLASS)
    expect(checkQueryVolumeInformationFile('FileFsVolumeInformation', 23)).toBe(STATUS.STATUS_INFO_LENGTH_MISMATCH)
    expect(checkQueryVolumeInformationFile(FS_INFORMATION_CLASS.FileFsAttributeInformation, 16)).toBe(STATUS.STATUS_SUCCESS)
    expect(checkQueryVolumeInformationFile(0, 100)).toBe(STATUS.STATUS_INVALID_INFO_CLASS)
    expect(checkQueryVolumeInformationFile(16, 100)).toBe(STATUS.STATUS_INVALID_INFO_CLASS)
  })
})

describe('NTFS attribute flags', () => {
  it('has the documented bit values and NTFS’s typical value', () => {
    expect(FILE_FS_ATTRIBUTE.FILE_SUPPORTS_OBJECT_IDS).toBe(0x10000)
    expect(FILE_FS_ATTRIBUTE.FILE_NAMED_STREAMS).toBe(0x40000)
    expect(FILE_FS_ATTRIBUTE.FILE_SUPPORTS_HARD_LINKS).toBe(0x400000)
    expect(FILE_FS_ATTRIBUTE.FILE_SUPPORTS_USN_JOURNAL).toBe(0x2000000)
    expect(NTFS_FILE_SYSTEM_ATTRIBUTES >>> 0).toBe(0x03e706ff)
    expect(flagNames(FILE_FS_ATTRIBUTE, NTFS_FILE_SYSTEM_ATTRIBUTES)).toContain('FILE_SUPPORTS_REPARSE_POINTS')
    expect(flagNames(FILE_FS_ATTRIBUTE, NTFS_FILE_SYSTEM_ATTRIBUTES)).not.toContain('FILE_READ_ONLY_VOLUME')
  })
})

describe('FileFsVolumeInformation', () => {
  const vol = { VolumeCreationTime: 133000000000000000n, VolumeSerialNumber: 0x1234abcd, SupportsObjects: true, VolumeLabel: 'ALTITUDE' }

  it('round-trips; Information = 18 + VolumeLabelLength', () => {
    const r = encodeFsInformation('FileFsVolumeInformation', vol, 1024)
    expect(r.status).toBe(STATUS.STATUS_SUCCESS)
    expect(r.information).toBe(34)
    expect(decodeFsInformation('FileFsVolumeInformation', r.bytes)).toEqual({ ...vol, VolumeLabelLength: 16 })
  })

  it('24 bytes: BUFFER_OVERFLOW with three characters, the full VolumeLabelLength; 23: mismatch', () => {
    const r = encodeFsInformation('FileFsVolumeInformation', vol, 24)
    expect(r.status).toBe(STATUS.STATUS_BUFFER_OVERFLOW)
    expect(r.information).toBe(24)
    expect(decodeFsInformation('FileFsVolumeInformation', r.bytes)).toMatchObject({ VolumeLabelLength: 16, VolumeLabel: 'ALT' })
    expect(encodeFsInformation('FileFsVolumeInformation', vol, 23).status).toBe(STATUS.STATUS_INFO_LENGTH_MISMATCH)
    expect(encodeFsInformation('FileFsVolumeInformation', vol, 34).status).toBe(STATUS.STATUS_SUCCESS)
    expect(encodeFsInformation('FileFsVolumeInformation', vol, 33).status).toBe(STATUS.STATUS_BUFFER_OVERFLOW)
  })

  it('an unlabeled volume', () => {
    const r = encodeFsInformation('FileFsVolumeInformation', { ...vol, VolumeLabel: '' }, 24)
    expect(r.status).toBe(STATUS.STATUS_SUCCESS)
    expect(r.information).toBe(18)
  })
})

describe('FileFsAttributeInformation', () => {
  const ntfs = { FileSystemAttributes: NTFS_FILE_SYSTEM_ATTRIBUTES, MaximumComponentNameLength: NTFS_MAXIMUM_COMPONENT_NAME_LENGTH, FileSystemName: NTFS_FILE_SYSTEM_NAME }

  it('NTFS in a large buffer: 20 bytes', () => {
    const r = encodeFsInformation('FileFsAttributeInformation', ntfs, 512)
    expect(r.status).toBe(STATUS.STATUS_SUCCESS)
    expect(r.information).toBe(20)
    expect(toHex(r.bytes.subarray(0, 12))).toBe('ff06e703ff00000008000000')
    expect(decodeFsInformation('FileFsAttributeInformation', r.bytes)).toEqual({ ...ntfs, FileSystemNameLength: 8 })
  })

  it('16 bytes: "NT" with FileSystemNameLength 4 and BUFFER_OVERFLOW; 15: mismatch', () => {
    const r = encodeFsInformation('FileFsAttributeInformation', ntfs, 16)
    expect(r.status).toBe(STATUS.STATUS_BUFFER_OVERFLOW)
    expect(r.information).toBe(16)
    expect(view(r.bytes).getUint32(8, true)).toBe(4)
    expect(readUtf16(r.bytes, 12, 4)).toBe('NT')
    expect(encodeFsInformation('FileFsAttributeInformation', ntfs, 15).status).toBe(STATUS.STATUS_INFO_LENGTH_MISMATCH)
  })
})

describe('fixed FS classes', () => {
  it('FileFsSizeInformation / FullSize / Device round-trip; short buffers mismatch; zero-length too', () => {
    const size = { TotalAllocationUnits: 16384, AvailableAllocationUnits: 12000, SectorsPerAllocationUnit: 8, BytesPerSector: 512 }
    const r = encodeFsInformation('FileFsSizeInformation', size, 24)
    expect(r.information).toBe(24)
    expect(decodeFsInformation('FileFsSizeInformation', r.bytes)).toEqual(size)
    expect(encodeFsInformation('FileFsSizeInformation', size, 23).status).toBe(STATUS.STATUS_INFO_LENGTH_MISMATCH)
    expect(encodeFsInformation('FileFsSizeInformation', size, 0).status).toBe(STATUS.STATUS_INFO_LENGTH_MISMATCH)
    const full = { TotalAllocationUnits: 16384, CallerAvailableAllocationUnits: 100, ActualAvailableAllocationUnits: 200, SectorsPerAllocationUnit: 8, BytesPerSector: 512 }
    expect(decodeFsInformation('FileFsFullSizeInformation', encodeFsInformation('FileFsFullSizeInformation', full, 32).bytes)).toEqual(full)
    const dev = { DeviceType: 7, Characteristics: 0x20 }
    expect(decodeFsInformation('FileFsDeviceInformation', encodeFsInformation('FileFsDeviceInformation', dev, 8).bytes)).toEqual(dev)
  })

  it('FileFsObjectIdInformation keeps GUIDs; FileFsLabelInformation input', () => {
    const oid = { ObjectId: '{00112233-4455-6677-8899-AABBCCDDEEFF}', BirthVolumeId: '{00000000-0000-0000-0000-000000000000}', BirthObjectId: '{00000000-0000-0000-0000-000000000001}', DomainId: '{00000000-0000-0000-0000-000000000000}' }
    expect(decodeFsInformation('FileFsObjectIdInformation', encodeFsInformation('FileFsObjectIdInformation', oid, 64).bytes)).toEqual(oid)
    const l = encodeFsInformation('FileFsLabelInformation', { VolumeLabel: 'DATA' }, 8)
    expect(l.bytes.length).toBe(12)
    expect(decodeFsInformation('FileFsLabelInformation', l.bytes)).toEqual({ VolumeLabelLength: 8, VolumeLabel: 'DATA' })
  })

  it('names an unknown class', () => {
    expect(() => encodeFsInformation('FileFsDriverPathInformation' as never, {} as never, 64)).toThrow(/no structure is defined for FileFsDriverPathInformation/)
  })
})
