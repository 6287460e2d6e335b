// FltGetVolumeProperties: what a filter learns of a volume in InstanceSetup (swapBuffers takes its
// sector size from here to round non-cached transfers). FLT_VOLUME_PROPERTIES as fltKernel.h
// lays it out, the device fields read from the file system's volume device object.

import { SECTOR_SIZE } from '../disk/device.ts'
import { STATUS, type NTSTATUS } from '../nt/status.ts'
import type { FltVolume } from './objects.ts'
import type { Ref } from './types.ts'

/** FLT_VOLUME_PROPERTIES */
export interface FLT_VOLUME_PROPERTIES {
  DeviceType: number
  DeviceCharacteristics: number
  DeviceObjectFlags: number
  AlignmentRequirement: number
  SectorSize: number
  Flags: number
  FileSystemDriverName: string
  FileSystemDeviceName: string
  RealDeviceName: string
}

/**
 * FltGetVolumeProperties. The emulated disks have 512-byte sectors (kernel/disk), which is what
 * NTFS puts in its volume device's SectorSize. The C routine's buffer and its length
 * (STATUS_BUFFER_OVERFLOW with the names truncated) have no counterpart: the strings are whole.
 */
export function FltGetVolumeProperties(Volume: FltVolume, VolumeProperties: Ref<FLT_VOLUME_PROPERTIES>): NTSTATUS {
  const fs = Volume.fsDevice
  VolumeProperties.value = {
    DeviceType: fs.DeviceType,
    DeviceCharacteristics: fs.Characteristics,
    DeviceObjectFlags: fs.Flags,
    AlignmentRequirement: 0,
    SectorSize: SECTOR_SIZE,
    Flags: 0,
    FileSystemDriverName: fs.DriverObject.DriverName,
    FileSystemDeviceName: fs.header.name,
    RealDeviceName: Volume.realDevice.header.name,
  }
  return STATUS.STATUS_SUCCESS
}
