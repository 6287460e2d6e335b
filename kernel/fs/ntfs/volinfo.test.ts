// IRP_MJ_QUERY_VOLUME_INFORMATION / IRP_MJ_SET_VOLUME_INFORMATION on the NTFS driver: each case
// checks the status, the bytes and what the volume holds afterwards.

import { describe, expect, it } from 'vitest'
import { ACCESS } from '../../nt/access.ts'
import { FILE_DEVICE, FILE_DEVICE_CHARACTERISTICS, SHARE_ACCESS as S } from '../../nt/file.ts'
import {
  FILE_FS_CONTROL_INFORMATION,
  FILE_FS_FULL_SIZE_INFORMATION,
  FILE_FS_FULL_SIZE_INFORMATION_EX,
  FILE_FS_SECTOR_SIZE_INFORMATION,
  FILE_FS_SIZE_INFORMATION,
  FILE_FS_DEVICE_INFORMATION,
  NTFS_FILE_SYSTEM_ATTRIBUTES,
  decodeFsAttributeInformation,
  decodeFsVolumeInformation,
  encodeFsLabelInformation,
} from '../../rtl/structs/fsinfo.ts'
import { forEachStore } from './test-backends.ts'
import type { TestVolume } from './test-support.ts'
import { queryVolume, setVolume, withVolumeServices } from './test-services.ts'

function volume(vol: () => TestVolume): { v: TestVolume; root: number } {
  const v = withVolumeServices(vol())
  const root = v.open('\\??\\C:\\', { access: ACCESS.FILE_ALL_ACCESS, share: S.FILE_SHARE_READ | S.FILE_SHARE_WRITE }).handle
  return { v, root }
}

forEachStore((vol) => {
describe('query volume information', () => {
  it('FileFsVolumeInformation: serial (low 32 bits), label, SupportsObjects TRUE (MS-FSA 2.1.5.13.1)', () => {
    const { v, root } = volume(vol)
    const r = queryVolume(v, root, 'FileFsVolumeInformation')
    expect(r.name).toBe('STATUS_SUCCESS')
    expect(r.information).toBe(18 + 8) // "TEST"
    const info = decodeFsVolumeInformation(r.bytes)
    expect(info.VolumeLabel).toBe('TEST')
    expect(info.VolumeLabelLength).toBe(8)
    expect(info.SupportsObjects).toBe(true)
    expect(info.VolumeSerialNumber).toBe(Number(v.store.geometry.serialNumber & 0xffffffffn))
    expect(info.VolumeCreationTime).toBe(v.store.readRecord(3)!.std.creationTime)
  })

  it('FileFsVolumeInformation with room for part of the label: STATUS_BUFFER_OVERFLOW, full VolumeLabelLength', () => {
    const { v, root } = volume(vol)
    const r = queryVolume(v, root, 'FileFsVolumeInformation', 24)
    expect(r.name).toBe('STATUS_BUFFER_OVERFLOW')
    expect(r.information).toBe(24)
    const info = decodeFsVolumeInformation(r.bytes)
    expect(info.VolumeLabelLength).toBe(8)
    expect(info.VolumeLabel).toBe('TES')
  })

  it('FileFsAttributeInformation: "NTFS", 255-character names, the attribute flags NTFS reports', () => {
    const { v, root } = volume(vol)
    const r = queryVolume(v, root, 'FileFsAttributeInformation')
    expect(r.name).toBe('STATUS_SUCCESS')
    const info = decodeFsAttributeInformation(r.bytes)
    expect(info.FileSystemName).toBe('NTFS')
    expect(info.MaximumComponentNameLength).toBe(255)
    expect(info.FileSystemAttributes).toBe(NTFS_FILE_SYSTEM_ATTRIBUTES)
  })

  it('FileFsSizeInformation and FileFsFullSizeInformation follow the volume\'s free clusters', () => {
    const { v, root } = volume(vol)
    const before = FILE_FS_SIZE_INFORMATION.decode(queryVolume(v, root, 'FileFsSizeInformation').bytes)
    expect(before).toEqual({ TotalAllocationUnits: v.store.geometry.totalClusters, AvailableAllocationUnits: v.store.freeClusters(), SectorsPerAllocationUnit: 8, BytesPerSector: 512 })
    v.file('big.bin', new Uint8Array(40960)) // 10 clusters, non-resident
    const after = FILE_FS_FULL_SIZE_INFORMATION.decode(queryVolume(v, root, 'FileFsFullSizeInformation').bytes)
    expect(after.TotalAllocationUnits).toBe(v.store.geometry.totalClusters)
    expect(after.ActualAvailableAllocationUnits).toBeLessThanOrEqual(before.AvailableAllocationUnits - 10)
    expect(after.CallerAvailableAllocationUnits).toBe(after.ActualAvailableAllocationUnits)
  })

  it('FileFsFullSizeInformationEx: used + available = total', () => {
    const { v, root } = volume(vol)
    const info = FILE_FS_FULL_SIZE_INFORMATION_EX.decode(queryVolume(v, root, 'FileFsFullSizeInformationEx').bytes)
    expect(info.ActualTotalAllocationUnits).toBe(v.store.geometry.totalClusters)
    expect(info.UsedAllocationUnits + info.ActualAvailableAllocationUnits).toBe(v.store.geometry.totalClusters)
  })

  it('FileFsDeviceInformation: a mounted disk', () => {
    const { v, root } = volume(vol)
    const info = FILE_FS_DEVICE_INFORMATION.decode(queryVolume(v, root, 'FileFsDeviceInformation').bytes)
    expect(info.DeviceType).toBe(FILE_DEVICE.FILE_DEVICE_DISK)
    expect(info.Characteristics & FILE_DEVICE_CHARACTERISTICS.FILE_DEVICE_IS_MOUNTED).toBeTruthy()
  })

  it('FileFsSectorSizeInformation: 512-byte sectors, aligned', () => {
    const { v, root } = volume(vol)
    const info = FILE_FS_SECTOR_SIZE_INFORMATION.decode(queryVolume(v, root, 'FileFsSectorSizeInformation').bytes)
    expect(info.LogicalBytesPerSector).toBe(512)
    expect(info.PhysicalBytesPerSectorForAtomicity).toBe(512)
    expect(info.Flags).toBe(3)
  })

  it('FileFsControlInformation: quotas off, no default limit; a set is read back', () => {
    const { v, root } = volume(vol)
    const q = queryVolume(v, root, 'FileFsControlInformation')
    expect(q.name).toBe('STATUS_SUCCESS')
    const dv = new DataView(q.bytes.buffer, q.bytes.byteOffset)
    expect(dv.getBigUint64(24, true)).toBe(0xffffffffffffffffn)
    expect(dv.getUint32(40, true)).toBe(0)
    const set = FILE_FS_CONTROL_INFORMATION.encode({ DefaultQuotaThreshold: 1000, DefaultQuotaLimit: 2000, FileSystemControlFlags: 1 })
    expect(setVolume(v, root, 'FileFsControlInformation', set).name).toBe('STATUS_SUCCESS')
    const back = queryVolume(v, root, 'FileFsControlInformation').bytes
    const bv = new DataView(back.buffer, back.byteOffset)
    expect([bv.getBigUint64(24, true), bv.getBigUint64(32, true), bv.getUint32(40, true)]).toEqual([1000n, 2000n, 1])
  })

  it('FileFsObjectIdInformation: none until one is set', () => {
    const { v, root } = volume(vol)
    expect(queryVolume(v, root, 'FileFsObjectIdInformation').name).toBe('STATUS_OBJECT_NAME_NOT_FOUND')
    const id = new Uint8Array(64)
    for (let i = 0; i < 64; i++) id[i] = i + 1
    expect(setVolume(v, root, 'FileFsObjectIdInformation', id).name).toBe('STATUS_SUCCESS')
    const r = queryVolume(v, root, 'FileFsObjectIdInformation')
    expect(r.name).toBe('STATUS_SUCCESS')
    expect([...r.bytes]).toEqual([...id])
  })

  it('a class NTFS does not answer is STATUS_INVALID_PARAMETER', () => {
    const { v, root } = volume(vol)
    expect(queryVolume(v, root, 'FileFsDataCopyInformation').name).toBe('STATUS_INVALID_PARAMETER')
  })

  it('works through any handle on the volume, a file\'s too', () => {
    const { v } = volume(vol)
    const h = v.create('f.txt')
    expect(decodeFsAttributeInformation(queryVolume(v, h, 'FileFsAttributeInformation').bytes).FileSystemName).toBe('NTFS')
  })
})

describe('set volume information', () => {
  it('FileFsLabelInformation on the root sets the label on the volume and in the VPB', () => {
    const { v, root } = volume(vol)
    expect(setVolume(v, root, 'FileFsLabelInformation', encodeFsLabelInformation('Data Disk')).name).toBe('STATUS_SUCCESS')
    expect(v.store.volumeLabel()).toBe('Data Disk')
    expect(v.vcb.vpb.VolumeLabel).toBe('Data Disk')
    expect(decodeFsVolumeInformation(queryVolume(v, root, 'FileFsVolumeInformation').bytes).VolumeLabel).toBe('Data Disk')
  })

  it('a label over 32 characters is STATUS_INVALID_VOLUME_LABEL and changes nothing', () => {
    const { v, root } = volume(vol)
    const r = setVolume(v, root, 'FileFsLabelInformation', encodeFsLabelInformation('x'.repeat(33)))
    expect(r.status).toBe(0xc0000086)
    expect(v.store.volumeLabel()).toBe('TEST')
  })

  it('a label through a file\'s handle is refused (STATUS_ACCESS_DENIED)', () => {
    const { v } = volume(vol)
    const h = v.create('f.txt')
    expect(setVolume(v, h, 'FileFsLabelInformation', encodeFsLabelInformation('X')).name).toBe('STATUS_ACCESS_DENIED')
  })
})
})
