// IRP_MJ_QUERY_VOLUME_INFORMATION and IRP_MJ_SET_VOLUME_INFORMATION (NtfsCommonQueryVolumeInfo /
// NtfsCommonSetVolumeInfo): the FS_INFORMATION_CLASS values NTFS answers, from the store's
// geometry, label and free clusters. Structures and their overflow rules come from
// kernel/rtl/structs/fsinfo.ts.
//
// Classes NTFS does not answer itself fail with STATUS_INVALID_PARAMETER (the default case of
// NtfsCommonQueryVolumeInfo; the fastfat sample does the same). FileFsDeviceInformation and
// FileFsDriverPathInformation are answered by the I/O manager on Windows; this driver still
// answers FileFsDeviceInformation from the real device, as a file system asked directly would.

import type { Co } from '../../ke/index.ts'
import type { DeviceObject } from '../../io/device.ts'
import { IoGetCurrentIrpStackLocation, type Irp } from '../../io/irp.ts'
import { FS_INFORMATION_CLASS as FS, fsInformationClassName } from '../../nt/infoclass.ts'
import { FILE_DEVICE_CHARACTERISTICS } from '../../nt/file.ts'
import { IRP_MJ } from '../../nt/irp.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import { guidFromBytes, guidToBytes, readUtf16, u32, view } from '../../rtl/structs/buffer.ts'
import type { EncodeResult } from '../../rtl/structs/buffer.ts'
import {
  FILE_FS_CONTROL_INFORMATION,
  FILE_FS_OBJECTID_INFORMATION,
  FS_INFO_LENGTH,
  LABEL_OFFSET,
  NTFS_FILE_SYSTEM_ATTRIBUTES,
  NTFS_FILE_SYSTEM_NAME,
  NTFS_MAXIMUM_COMPONENT_NAME_LENGTH,
  SSINFO_FLAGS,
  encodeFsInformation,
} from '../../rtl/structs/fsinfo.ts'
import { completeIrp } from './complete.ts'
import { objectIdExtendedInfo, setObjectIdExtendedInfo } from './fsctl-objectid.ts'
import { VOLUME_RECORD, ccbOf, type Ccb, type Vcb } from './structures.ts'
import { storeFailure, vcbOf } from './volume.ts'

/** the longest label NTFS keeps ($VOLUME_NAME): 32 characters */
export const MAX_VOLUME_LABEL_CHARS = 32

/** quota settings of FileFsControlInformation, kept per volume (quotas are not enforced) */
interface VolumeControl {
  FreeSpaceStartFiltering: number
  FreeSpaceThreshold: number
  FreeSpaceStopFiltering: number
  DefaultQuotaThreshold: bigint
  DefaultQuotaLimit: bigint
  FileSystemControlFlags: number
}

const CONTROL_KEY = 'ntfs.volinfo.control'

function volumeControl(vcb: Vcb): VolumeControl {
  let c = vcb.ext.get(CONTROL_KEY) as VolumeControl | undefined
  if (!c) {
    // a fresh volume: quotas off, default threshold and limit "no limit" (fsutil quota query on a new volume)
    c = {
      FreeSpaceStartFiltering: 0,
      FreeSpaceThreshold: 0,
      FreeSpaceStopFiltering: 0,
      DefaultQuotaThreshold: 0xffffffffffffffffn,
      DefaultQuotaLimit: 0xffffffffffffffffn,
      FileSystemControlFlags: 0,
    }
    vcb.ext.set(CONTROL_KEY, c)
  }
  return c
}

/** IRP_MJ_QUERY_VOLUME_INFORMATION and IRP_MJ_SET_VOLUME_INFORMATION dispatch */
export function* volinfoDispatch(device: DeviceObject, irp: Irp): Co<NTSTATUS> {
  const sp = IoGetCurrentIrpStackLocation(irp)
  const ccb = ccbOf(sp.FileObject)
  const vcb = ccb?.vcb ?? vcbOf(device)
  if (vcb.dismounted) return completeIrp(irp, STATUS.STATUS_VOLUME_DISMOUNTED)
  yield* vcb.Resource.acquireShared()
  try {
    if (sp.MajorFunction === IRP_MJ.IRP_MJ_QUERY_VOLUME_INFORMATION) {
      const p = sp.Parameters.QueryVolume
      if (!p || !irp.SystemBuffer) return completeIrp(irp, STATUS.STATUS_INVALID_PARAMETER)
      const r = queryVolume(vcb, p.FsInformationClass, Math.min(p.Length, irp.SystemBuffer.length))
      irp.SystemBuffer.set(r.bytes)
      return completeIrp(irp, r.status, r.information)
    }
    const p = sp.Parameters.SetVolume
    if (!p || !irp.SystemBuffer) return completeIrp(irp, STATUS.STATUS_INVALID_PARAMETER)
    const input = irp.SystemBuffer.subarray(0, Math.min(p.Length, irp.SystemBuffer.length))
    return completeIrp(irp, setVolume(vcb, ccb, p.FsInformationClass, input))
  } catch (e) {
    return completeIrp(irp, storeFailure(e))
  } finally {
    vcb.Resource.release()
  }
}

const failed = (status: NTSTATUS): EncodeResult => ({ bytes: new Uint8Array(0), status, information: 0 })

/** the answer to one query, already cut to `length` bytes */
export function queryVolume(vcb: Vcb, cls: number, length: number): EncodeResult {
  const { store, realDevice } = vcb
  const g = store.geometry
  const name = fsInformationClassName(cls)
  const lengths = name ? FS_INFO_LENGTH[name] : undefined
  if (lengths && lengths.query > 0 && length < lengths.query) return failed(STATUS.STATUS_INFO_LENGTH_MISMATCH)
  const sectorsPerCluster = g.bytesPerCluster / g.bytesPerSector
  switch (cls) {
    case FS.FileFsVolumeInformation: {
      const vol = store.readRecord(VOLUME_RECORD)
      return encodeFsInformation(
        'FileFsVolumeInformation',
        {
          // NTFS reports $Volume's creation time (Vcb->VolumeCreationTime)
          VolumeCreationTime: vol?.std.creationTime ?? 0n,
          // the low 32 bits of the 64-bit serial in the boot sector are what Windows shows
          VolumeSerialNumber: Number(g.serialNumber & 0xffffffffn),
          SupportsObjects: true, // MS-FSA 2.1.5.13.1: SupportsObjects is TRUE
          VolumeLabel: store.volumeLabel(),
        },
        length,
      )
    }
    case FS.FileFsSizeInformation:
      return encodeFsInformation(
        'FileFsSizeInformation',
        { TotalAllocationUnits: g.totalClusters, AvailableAllocationUnits: store.freeClusters(), SectorsPerAllocationUnit: sectorsPerCluster, BytesPerSector: g.bytesPerSector },
        length,
      )
    case FS.FileFsFullSizeInformation: {
      const free = store.freeClusters()
      // no quota: the caller's available units are the volume's
      return encodeFsInformation(
        'FileFsFullSizeInformation',
        {
          TotalAllocationUnits: g.totalClusters,
          CallerAvailableAllocationUnits: free,
          ActualAvailableAllocationUnits: free,
          SectorsPerAllocationUnit: sectorsPerCluster,
          BytesPerSector: g.bytesPerSector,
        },
        length,
      )
    }
    case FS.FileFsFullSizeInformationEx: {
      const free = BigInt(store.freeClusters())
      const total = BigInt(g.totalClusters)
      // unverified: without storage pools, reserves or quotas the pool and reserve counts are 0
      return encodeFsInformation(
        'FileFsFullSizeInformationEx',
        {
          ActualTotalAllocationUnits: total,
          ActualAvailableAllocationUnits: free,
          ActualPoolUnavailableAllocationUnits: 0n,
          CallerTotalAllocationUnits: total,
          CallerAvailableAllocationUnits: free,
          CallerPoolUnavailableAllocationUnits: 0n,
          UsedAllocationUnits: total - free,
          TotalReservedAllocationUnits: 0n,
          VolumeStorageReserveAllocationUnits: 0n,
          AvailableCommittedAllocationUnits: free,
          PoolAvailableAllocationUnits: 0n,
          SectorsPerAllocationUnit: sectorsPerCluster,
          BytesPerSector: g.bytesPerSector,
        },
        length,
      )
    }
    case FS.FileFsDeviceInformation: {
      const mounted = vcb.vpb.DeviceObject !== undefined ? FILE_DEVICE_CHARACTERISTICS.FILE_DEVICE_IS_MOUNTED : 0
      return encodeFsInformation('FileFsDeviceInformation', { DeviceType: realDevice.DeviceType, Characteristics: realDevice.Characteristics | mounted }, length)
    }
    case FS.FileFsAttributeInformation:
      return encodeFsInformation(
        'FileFsAttributeInformation',
        { FileSystemAttributes: NTFS_FILE_SYSTEM_ATTRIBUTES, MaximumComponentNameLength: NTFS_MAXIMUM_COMPONENT_NAME_LENGTH, FileSystemName: NTFS_FILE_SYSTEM_NAME },
        length,
      )
    case FS.FileFsControlInformation:
      return encodeFsInformation('FileFsControlInformation', volumeControl(vcb), length)
    case FS.FileFsObjectIdInformation: {
      const vol = store.readRecord(VOLUME_RECORD)
      // unverified: a volume that never got an object id answers STATUS_OBJECT_NAME_NOT_FOUND
      if (!vol?.objectId) return failed(STATUS.STATUS_OBJECT_NAME_NOT_FOUND)
      const ext = objectIdExtendedInfo(vcb, VOLUME_RECORD)
      return encodeFsInformation(
        'FileFsObjectIdInformation',
        {
          ObjectId: guidFromBytes(vol.objectId),
          BirthVolumeId: guidFromBytes(ext.subarray(0, 16)),
          BirthObjectId: guidFromBytes(ext.subarray(16, 32)),
          DomainId: guidFromBytes(ext.subarray(32, 48)),
        },
        length,
      )
    }
    case FS.FileFsSectorSizeInformation:
      // the emulated disk has 512-byte logical and physical sectors and the partition starts aligned
      return encodeFsInformation(
        'FileFsSectorSizeInformation',
        {
          LogicalBytesPerSector: g.bytesPerSector,
          PhysicalBytesPerSectorForAtomicity: g.bytesPerSector,
          PhysicalBytesPerSectorForPerformance: g.bytesPerSector,
          FileSystemEffectivePhysicalBytesPerSectorForAtomicity: g.bytesPerSector,
          Flags: SSINFO_FLAGS.SSINFO_FLAGS_ALIGNED_DEVICE | SSINFO_FLAGS.SSINFO_FLAGS_PARTITION_ALIGNED_ON_DEVICE,
          ByteOffsetForSectorAlignment: 0,
          ByteOffsetForPartitionAlignment: 0,
        },
        length,
      )
    default:
      return failed(STATUS.STATUS_INVALID_PARAMETER)
  }
}

/** one set request; the input is already cut to the caller's length */
export function setVolume(vcb: Vcb, ccb: Ccb | undefined, cls: number, input: Uint8Array): NTSTATUS {
  const name = fsInformationClassName(cls)
  const lengths = name ? FS_INFO_LENGTH[name] : undefined
  if (lengths && lengths.set > 0 && input.length < lengths.set) return STATUS.STATUS_INFO_LENGTH_MISMATCH
  switch (cls) {
    case FS.FileFsLabelInformation: {
      // unverified: NTFS takes the label through a volume open or the root directory
      if (ccb && ccb.scb.kind !== 'volume' && ccb.fcb.record !== vcb.store.rootRecord) return STATUS.STATUS_ACCESS_DENIED
      const len = u32(view(input), 0)
      if (len % 2 !== 0 || LABEL_OFFSET + len > input.length) return STATUS.STATUS_INVALID_PARAMETER
      const label = readUtf16(input, LABEL_OFFSET, len)
      // a label longer than $VOLUME_NAME holds (32 characters) is refused (fastfat: 11 characters, same status)
      if (label.length > MAX_VOLUME_LABEL_CHARS) return STATUS.STATUS_INVALID_VOLUME_LABEL
      vcb.store.atomic(() => vcb.store.setVolumeLabel(label))
      vcb.vpb.VolumeLabel = label
      return STATUS.STATUS_SUCCESS
    }
    case FS.FileFsControlInformation: {
      const c = FILE_FS_CONTROL_INFORMATION.decode(input)
      const control = volumeControl(vcb)
      control.FreeSpaceStartFiltering = c.FreeSpaceStartFiltering
      control.FreeSpaceThreshold = c.FreeSpaceThreshold
      control.FreeSpaceStopFiltering = c.FreeSpaceStopFiltering
      // the quota defaults are read whole: "no limit" is 2^64 - 1, past a number's exact range
      control.DefaultQuotaThreshold = view(input).getBigUint64(24, true)
      control.DefaultQuotaLimit = view(input).getBigUint64(32, true)
      control.FileSystemControlFlags = c.FileSystemControlFlags
      return STATUS.STATUS_SUCCESS
    }
    case FS.FileFsObjectIdInformation: {
      const o = FILE_FS_OBJECTID_INFORMATION.decode(input)
      const id = guidToBytes(o.ObjectId)
      const ext = new Uint8Array(48)
      ext.set(guidToBytes(o.BirthVolumeId), 0)
      ext.set(guidToBytes(o.BirthObjectId), 16)
      ext.set(guidToBytes(o.DomainId), 32)
      const owner = vcb.store.findByObjectId(id)
      if (owner !== undefined && owner !== VOLUME_RECORD) return STATUS.STATUS_DUPLICATE_NAME
      vcb.store.atomic(() => vcb.store.setObjectId(VOLUME_RECORD, id))
      setObjectIdExtendedInfo(vcb, VOLUME_RECORD, ext)
      return STATUS.STATUS_SUCCESS
    }
    default:
      return STATUS.STATUS_INVALID_PARAMETER
  }
}
