// FS_INFORMATION_CLASS structures (MS-FSCC 2.5) for NtQueryVolumeInformationFile /
// NtSetVolumeInformationFile: x64 layouts, the I/O manager's length table, the
// FILE_FS_ATTRIBUTE_INFORMATION flags with the value NTFS reports, and encoders that fill a
// caller's buffer as a file system does.

import { FS_INFORMATION_CLASS, type FsInformationClassName, fsInformationClassName } from '../../nt/infoclass.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import { type EncodeResult, StructError, alignDown, readUtf16, setU32, u32, utf16Bytes, view, writeUtf16 } from './buffer.ts'
import { type Decoded, type FieldMap, type Input, type StructDef, defineStruct } from './struct.ts'

// ---------------------------------------------------------------------------------------------
// Lengths

export interface FsInfoLength {
  /** minimum Length for NtQueryVolumeInformationFile; 0 = rejected (STATUS_INVALID_INFO_CLASS) */
  readonly query: number
  /** minimum Length for NtSetVolumeInformationFile; 0 = rejected */
  readonly set: number
}

/**
 * IopQueryFsOperationLength / IopSetFsOperationLength (ReactOS io_i.h for classes 1..9: the
 * structures' sizeof). unverified: classes 10..15 (Vista and later) use their x64 sizeof, the
 * way the older entries are built.
 */
export const FS_INFO_LENGTH: { readonly [K in FsInformationClassName]: FsInfoLength } = {
  FileFsVolumeInformation: { query: 24, set: 0 },
  FileFsLabelInformation: { query: 0, set: 8 },
  FileFsSizeInformation: { query: 24, set: 0 },
  FileFsDeviceInformation: { query: 8, set: 0 },
  FileFsAttributeInformation: { query: 16, set: 0 },
  FileFsControlInformation: { query: 48, set: 48 },
  FileFsFullSizeInformation: { query: 32, set: 0 },
  FileFsObjectIdInformation: { query: 64, set: 64 },
  FileFsDriverPathInformation: { query: 12, set: 0 },
  FileFsVolumeFlagsInformation: { query: 4, set: 4 },
  FileFsSectorSizeInformation: { query: 28, set: 0 },
  FileFsDataCopyInformation: { query: 4, set: 0 },
  FileFsMetadataSizeInformation: { query: 16, set: 0 },
  FileFsFullSizeInformationEx: { query: 96, set: 0 },
  FileFsGuidInformation: { query: 16, set: 0 },
}

function fsLookup(cls: number | FsInformationClassName): FsInfoLength | undefined {
  const name = typeof cls === 'number' ? fsInformationClassName(cls) : cls
  return name !== undefined && name in FS_INFORMATION_CLASS ? FS_INFO_LENGTH[name] : undefined
}

/** NtQueryVolumeInformationFile's class and length check. */
export function checkQueryVolumeInformationFile(cls: number | FsInformationClassName, length: number): NTSTATUS {
  const e = fsLookup(cls)
  if (!e || e.query === 0) return STATUS.STATUS_INVALID_INFO_CLASS
  return length < e.query ? STATUS.STATUS_INFO_LENGTH_MISMATCH : STATUS.STATUS_SUCCESS
}

/** NtSetVolumeInformationFile's class and length check. */
export function checkSetVolumeInformationFile(cls: number | FsInformationClassName, length: number): NTSTATUS {
  const e = fsLookup(cls)
  if (!e || e.set === 0) return STATUS.STATUS_INVALID_INFO_CLASS
  return length < e.set ? STATUS.STATUS_INFO_LENGTH_MISMATCH : STATUS.STATUS_SUCCESS
}

// ---------------------------------------------------------------------------------------------
// Flags

/** FILE_FS_ATTRIBUTE_INFORMATION.FileSystemAttributes (MS-FSCC FileFsAttributeInformation, winnt.h). */
export const FILE_FS_ATTRIBUTE = {
  FILE_CASE_SENSITIVE_SEARCH: 0x00000001,
  FILE_CASE_PRESERVED_NAMES: 0x00000002,
  FILE_UNICODE_ON_DISK: 0x00000004,
  FILE_PERSISTENT_ACLS: 0x00000008,
  FILE_FILE_COMPRESSION: 0x00000010,
  FILE_VOLUME_QUOTAS: 0x00000020,
  FILE_SUPPORTS_SPARSE_FILES: 0x00000040,
  FILE_SUPPORTS_REPARSE_POINTS: 0x00000080,
  FILE_SUPPORTS_REMOTE_STORAGE: 0x00000100,
  FILE_RETURNS_CLEANUP_RESULT_INFO: 0x00000200,
  FILE_SUPPORTS_POSIX_UNLINK_RENAME: 0x00000400,
  FILE_SUPPORTS_BYPASS_IO: 0x00000800,
  FILE_SUPPORTS_STREAM_SNAPSHOTS: 0x00001000,
  FILE_SUPPORTS_CASE_SENSITIVE_DIRS: 0x00002000,
  FILE_VOLUME_IS_COMPRESSED: 0x00008000,
  FILE_SUPPORTS_OBJECT_IDS: 0x00010000,
  FILE_SUPPORTS_ENCRYPTION: 0x00020000,
  FILE_NAMED_STREAMS: 0x00040000,
  FILE_READ_ONLY_VOLUME: 0x00080000,
  FILE_SEQUENTIAL_WRITE_ONCE: 0x00100000,
  FILE_SUPPORTS_TRANSACTIONS: 0x00200000,
  FILE_SUPPORTS_HARD_LINKS: 0x00400000,
  FILE_SUPPORTS_EXTENDED_ATTRIBUTES: 0x00800000,
  FILE_SUPPORTS_OPEN_BY_FILE_ID: 0x01000000,
  FILE_SUPPORTS_USN_JOURNAL: 0x02000000,
  FILE_SUPPORTS_INTEGRITY_STREAMS: 0x04000000,
  FILE_SUPPORTS_BLOCK_REFCOUNTING: 0x08000000,
  FILE_SUPPORTS_SPARSE_VDL: 0x10000000,
  FILE_DAX_VOLUME: 0x20000000,
  FILE_SUPPORTS_GHOSTING: 0x40000000,
} as const
export type FsAttributeName = keyof typeof FILE_FS_ATTRIBUTE

/**
 * What NTFS reports on Windows 10 (0x03E706FF): case-sensitive search, case-preserved and
 * Unicode names, persistent ACLs, compression, quotas, sparse files, reparse points, cleanup
 * result info, POSIX unlink/rename, object ids, EFS, named streams, transactions, hard links,
 * extended attributes, open by file id, USN journal.
 * unverified: the value GetVolumeInformation shows on Windows 10 1809+ NTFS system volumes.
 */
export const NTFS_FILE_SYSTEM_ATTRIBUTES =
  FILE_FS_ATTRIBUTE.FILE_CASE_SENSITIVE_SEARCH |
  FILE_FS_ATTRIBUTE.FILE_CASE_PRESERVED_NAMES |
  FILE_FS_ATTRIBUTE.FILE_UNICODE_ON_DISK |
  FILE_FS_ATTRIBUTE.FILE_PERSISTENT_ACLS |
  FILE_FS_ATTRIBUTE.FILE_FILE_COMPRESSION |
  FILE_FS_ATTRIBUTE.FILE_VOLUME_QUOTAS |
  FILE_FS_ATTRIBUTE.FILE_SUPPORTS_SPARSE_FILES |
  FILE_FS_ATTRIBUTE.FILE_SUPPORTS_REPARSE_POINTS |
  FILE_FS_ATTRIBUTE.FILE_RETURNS_CLEANUP_RESULT_INFO |
  FILE_FS_ATTRIBUTE.FILE_SUPPORTS_POSIX_UNLINK_RENAME |
  FILE_FS_ATTRIBUTE.FILE_SUPPORTS_OBJECT_IDS |
  FILE_FS_ATTRIBUTE.FILE_SUPPORTS_ENCRYPTION |
  FILE_FS_ATTRIBUTE.FILE_NAMED_STREAMS |
  FILE_FS_ATTRIBUTE.FILE_SUPPORTS_TRANSACTIONS |
  FILE_FS_ATTRIBUTE.FILE_SUPPORTS_HARD_LINKS |
  FILE_FS_ATTRIBUTE.FILE_SUPPORTS_EXTENDED_ATTRIBUTES |
  FILE_FS_ATTRIBUTE.FILE_SUPPORTS_OPEN_BY_FILE_ID |
  FILE_FS_ATTRIBUTE.FILE_SUPPORTS_USN_JOURNAL
/** NTFS's MaximumComponentNameLength and FileSystemName. */
export const NTFS_MAXIMUM_COMPONENT_NAME_LENGTH = 255
export const NTFS_FILE_SYSTEM_NAME = 'NTFS'

/** FILE_FS_CONTROL_INFORMATION.FileSystemControlFlags (ntifs.h). */
export const FILE_VC = {
  FILE_VC_QUOTA_NONE: 0x00000000,
  FILE_VC_QUOTA_TRACK: 0x00000001,
  FILE_VC_QUOTA_ENFORCE: 0x00000002,
  FILE_VC_CONTENT_INDEX_DISABLED: 0x00000008,
  FILE_VC_LOG_QUOTA_THRESHOLD: 0x00000010,
  FILE_VC_LOG_QUOTA_LIMIT: 0x00000020,
  FILE_VC_LOG_VOLUME_THRESHOLD: 0x00000040,
  FILE_VC_LOG_VOLUME_LIMIT: 0x00000080,
  FILE_VC_QUOTAS_INCOMPLETE: 0x00000100,
  FILE_VC_QUOTAS_REBUILDING: 0x00000200,
} as const

/** FILE_FS_SECTOR_SIZE_INFORMATION.Flags (ntifs.h). */
export const SSINFO_FLAGS = {
  SSINFO_FLAGS_ALIGNED_DEVICE: 0x00000001,
  SSINFO_FLAGS_PARTITION_ALIGNED_ON_DEVICE: 0x00000002,
  SSINFO_FLAGS_NO_SEEK_PENALTY: 0x00000004,
  SSINFO_FLAGS_TRIM_ENABLED: 0x00000008,
  SSINFO_FLAGS_BYTE_ADDRESSABLE: 0x00000010,
} as const
/** ByteOffsetFor*Alignment when the alignment is unknown. */
export const SSINFO_OFFSET_UNKNOWN = 0xffffffff

// ---------------------------------------------------------------------------------------------
// Layouts

/** Fixed part; VolumeLabel (WCHARs) at 18; sizeof 24. */
export const FILE_FS_VOLUME_INFORMATION = defineStruct('FILE_FS_VOLUME_INFORMATION', 24, {
  VolumeCreationTime: ['time', 0],
  VolumeSerialNumber: ['u32', 8],
  VolumeLabelLength: ['u32', 12],
  SupportsObjects: ['bool', 16],
})
export const VOLUME_LABEL_OFFSET = 18

/** Set only: VolumeLabelLength at 0, VolumeLabel at 4; sizeof 8. */
export const FILE_FS_LABEL_INFORMATION = defineStruct('FILE_FS_LABEL_INFORMATION', 8, { VolumeLabelLength: ['u32', 0] })
export const LABEL_OFFSET = 4

export const FILE_FS_SIZE_INFORMATION = defineStruct('FILE_FS_SIZE_INFORMATION', 24, {
  TotalAllocationUnits: ['size', 0],
  AvailableAllocationUnits: ['size', 8],
  SectorsPerAllocationUnit: ['u32', 16],
  BytesPerSector: ['u32', 20],
})

/** DeviceType FILE_DEVICE_*; Characteristics FILE_REMOVABLE_MEDIA … (wdm.h). */
export const FILE_FS_DEVICE_INFORMATION = defineStruct('FILE_FS_DEVICE_INFORMATION', 8, {
  DeviceType: ['u32', 0],
  Characteristics: ['u32', 4],
})

/** Fixed part; FileSystemName (WCHARs) at 12; sizeof 16. */
export const FILE_FS_ATTRIBUTE_INFORMATION = defineStruct('FILE_FS_ATTRIBUTE_INFORMATION', 16, {
  FileSystemAttributes: ['u32', 0],
  MaximumComponentNameLength: ['i32', 4],
  FileSystemNameLength: ['u32', 8],
})
export const FILE_SYSTEM_NAME_OFFSET = 12

export const FILE_FS_CONTROL_INFORMATION = defineStruct('FILE_FS_CONTROL_INFORMATION', 48, {
  FreeSpaceStartFiltering: ['size', 0],
  FreeSpaceThreshold: ['size', 8],
  FreeSpaceStopFiltering: ['size', 16],
  DefaultQuotaThreshold: ['usize', 24],
  DefaultQuotaLimit: ['usize', 32],
  FileSystemControlFlags: ['u32', 40],
})

export const FILE_FS_FULL_SIZE_INFORMATION = defineStruct('FILE_FS_FULL_SIZE_INFORMATION', 32, {
  TotalAllocationUnits: ['size', 0],
  CallerAvailableAllocationUnits: ['size', 8],
  ActualAvailableAllocationUnits: ['size', 16],
  SectorsPerAllocationUnit: ['u32', 24],
  BytesPerSector: ['u32', 28],
})

/** ObjectId then the 48 bytes of ExtendedInfo (as the three GUIDs of FILE_OBJECTID_BUFFER). */
export const FILE_FS_OBJECTID_INFORMATION = defineStruct('FILE_FS_OBJECTID_INFORMATION', 64, {
  ObjectId: ['guid', 0],
  BirthVolumeId: ['guid', 16],
  BirthObjectId: ['guid', 32],
  DomainId: ['guid', 48],
})

export const FILE_FS_VOLUME_FLAGS_INFORMATION = defineStruct('FILE_FS_VOLUME_FLAGS_INFORMATION', 4, { Flags: ['u32', 0] })

export const FILE_FS_SECTOR_SIZE_INFORMATION = defineStruct('FILE_FS_SECTOR_SIZE_INFORMATION', 28, {
  LogicalBytesPerSector: ['u32', 0],
  PhysicalBytesPerSectorForAtomicity: ['u32', 4],
  PhysicalBytesPerSectorForPerformance: ['u32', 8],
  FileSystemEffectivePhysicalBytesPerSectorForAtomicity: ['u32', 12],
  Flags: ['u32', 16],
  ByteOffsetForSectorAlignment: ['u32', 20],
  ByteOffsetForPartitionAlignment: ['u32', 24],
})

export const FILE_FS_DATA_COPY_INFORMATION = defineStruct('FILE_FS_DATA_COPY_INFORMATION', 4, { NumberOfCopies: ['u32', 0] })

export const FILE_FS_METADATA_SIZE_INFORMATION = defineStruct('FILE_FS_METADATA_SIZE_INFORMATION', 16, {
  TotalMetadataAllocationUnits: ['size', 0],
  SectorsPerAllocationUnit: ['u32', 8],
  BytesPerSector: ['u32', 12],
})

export const FILE_FS_FULL_SIZE_INFORMATION_EX = defineStruct('FILE_FS_FULL_SIZE_INFORMATION_EX', 96, {
  ActualTotalAllocationUnits: ['usize', 0],
  ActualAvailableAllocationUnits: ['usize', 8],
  ActualPoolUnavailableAllocationUnits: ['usize', 16],
  CallerTotalAllocationUnits: ['usize', 24],
  CallerAvailableAllocationUnits: ['usize', 32],
  CallerPoolUnavailableAllocationUnits: ['usize', 40],
  UsedAllocationUnits: ['usize', 48],
  TotalReservedAllocationUnits: ['usize', 56],
  VolumeStorageReserveAllocationUnits: ['usize', 64],
  AvailableCommittedAllocationUnits: ['usize', 72],
  PoolAvailableAllocationUnits: ['usize', 80],
  SectorsPerAllocationUnit: ['u32', 88],
  BytesPerSector: ['u32', 92],
})

export const FILE_FS_GUID_INFORMATION = defineStruct('FILE_FS_GUID_INFORMATION', 16, { FsGuid: ['guid', 0] })

// ---------------------------------------------------------------------------------------------
// Objects

export interface FileFsVolumeInformation {
  readonly VolumeCreationTime: bigint
  readonly VolumeSerialNumber: number
  /** bytes; the full length even when the label was cut short */
  readonly VolumeLabelLength: number
  readonly SupportsObjects: boolean
  readonly VolumeLabel: string
}
export interface FileFsVolumeInput {
  readonly VolumeCreationTime?: number | bigint
  readonly VolumeSerialNumber?: number
  readonly SupportsObjects?: boolean
  readonly VolumeLabel: string
}

export interface FileFsAttributeInformation {
  readonly FileSystemAttributes: number
  readonly MaximumComponentNameLength: number
  /** bytes of FileSystemName present in the buffer */
  readonly FileSystemNameLength: number
  readonly FileSystemName: string
}
export interface FileFsAttributeInput {
  readonly FileSystemAttributes?: number
  readonly MaximumComponentNameLength?: number
  readonly FileSystemName: string
}

export interface FileFsLabelInformation {
  readonly VolumeLabelLength: number
  readonly VolumeLabel: string
}

// ---------------------------------------------------------------------------------------------
// Encoders

const EMPTY = new Uint8Array(0)
const fail = (status: NTSTATUS): EncodeResult => ({ bytes: EMPTY, status, information: 0 })

/**
 * FileFsVolumeInformation: the label copied as far as it fits, VolumeLabelLength the full
 * length, STATUS_BUFFER_OVERFLOW when cut (FastFAT sample FatQueryFsVolumeInfo; MS-FSA
 * FileFsVolumeInformation). Information = 18 + bytes copied.
 */
export function encodeFsVolumeInformation(obj: FileFsVolumeInput, bufferLength: number): EncodeResult {
  if (bufferLength < FS_INFO_LENGTH.FileFsVolumeInformation.query) return fail(STATUS.STATUS_INFO_LENGTH_MISMATCH)
  const full = utf16Bytes(obj.VolumeLabel)
  const copy = Math.min(full, alignDown(bufferLength - VOLUME_LABEL_OFFSET, 2))
  const bytes = new Uint8Array(VOLUME_LABEL_OFFSET + copy)
  const dv = view(bytes)
  FILE_FS_VOLUME_INFORMATION.writeTo(dv, 0, { ...obj, VolumeLabelLength: full })
  writeUtf16(bytes, VOLUME_LABEL_OFFSET, obj.VolumeLabel, copy)
  return { bytes, status: copy < full ? STATUS.STATUS_BUFFER_OVERFLOW : STATUS.STATUS_SUCCESS, information: bytes.length }
}

export function decodeFsVolumeInformation(bytes: Uint8Array): FileFsVolumeInformation {
  if (bytes.length < VOLUME_LABEL_OFFSET) throw new StructError('FILE_FS_VOLUME_INFORMATION', `needs at least 18 bytes, the buffer has ${bytes.length}`)
  const dv = view(bytes)
  const fixed = FILE_FS_VOLUME_INFORMATION.readFrom(dv, 0)
  const present = Math.min(fixed.VolumeLabelLength, bytes.length - VOLUME_LABEL_OFFSET)
  return { ...fixed, VolumeLabel: readUtf16(bytes, VOLUME_LABEL_OFFSET, present) }
}

/**
 * FileFsAttributeInformation: the name copied as far as it fits; FileSystemNameLength is the
 * number of bytes copied, as the FastFAT, CDFS and UDFS samples (and NTFS) set it.
 * unverified: MS-FSA 2.1.5.13.5 says the full length; the file systems' code says the copied one.
 */
export function encodeFsAttributeInformation(obj: FileFsAttributeInput, bufferLength: number): EncodeResult {
  if (bufferLength < FS_INFO_LENGTH.FileFsAttributeInformation.query) return fail(STATUS.STATUS_INFO_LENGTH_MISMATCH)
  const full = utf16Bytes(obj.FileSystemName)
  const copy = Math.min(full, alignDown(bufferLength - FILE_SYSTEM_NAME_OFFSET, 2))
  const bytes = new Uint8Array(FILE_SYSTEM_NAME_OFFSET + copy)
  FILE_FS_ATTRIBUTE_INFORMATION.writeTo(view(bytes), 0, { ...obj, FileSystemNameLength: copy })
  writeUtf16(bytes, FILE_SYSTEM_NAME_OFFSET, obj.FileSystemName, copy)
  return { bytes, status: copy < full ? STATUS.STATUS_BUFFER_OVERFLOW : STATUS.STATUS_SUCCESS, information: bytes.length }
}

export function decodeFsAttributeInformation(bytes: Uint8Array): FileFsAttributeInformation {
  if (bytes.length < FILE_SYSTEM_NAME_OFFSET) throw new StructError('FILE_FS_ATTRIBUTE_INFORMATION', `needs at least 12 bytes, the buffer has ${bytes.length}`)
  const fixed = FILE_FS_ATTRIBUTE_INFORMATION.readFrom(view(bytes), 0)
  const present = Math.min(fixed.FileSystemNameLength, bytes.length - FILE_SYSTEM_NAME_OFFSET)
  return { ...fixed, FileSystemName: readUtf16(bytes, FILE_SYSTEM_NAME_OFFSET, present) }
}

/** FILE_FS_LABEL_INFORMATION as the caller's input buffer (at least 8 bytes). */
export function encodeFsLabelInformation(label: string): Uint8Array {
  const len = utf16Bytes(label)
  const bytes = new Uint8Array(Math.max(8, LABEL_OFFSET + len))
  setU32(view(bytes), 0, len)
  writeUtf16(bytes, LABEL_OFFSET, label)
  return bytes
}

export function decodeFsLabelInformation(bytes: Uint8Array): FileFsLabelInformation {
  if (bytes.length < LABEL_OFFSET) throw new StructError('FILE_FS_LABEL_INFORMATION', `needs at least 4 bytes, the buffer has ${bytes.length}`)
  const len = u32(view(bytes), 0)
  return { VolumeLabelLength: len, VolumeLabel: readUtf16(bytes, LABEL_OFFSET, Math.min(len, bytes.length - LABEL_OFFSET)) }
}

interface FsCodec<I, O> {
  encode(obj: I, bufferLength: number): EncodeResult
  decode(bytes: Uint8Array): O
}

function fixed<M extends FieldMap>(def: StructDef<M>, cls: FsInformationClassName): FsCodec<Input<M>, Decoded<M>> {
  const min = FS_INFO_LENGTH[cls].query || FS_INFO_LENGTH[cls].set
  return {
    encode: (obj, len) => (len < min ? fail(STATUS.STATUS_INFO_LENGTH_MISMATCH) : { bytes: def.encode(obj), status: STATUS.STATUS_SUCCESS, information: def.size }),
    decode: (b) => def.decode(b),
  }
}

/** Every FS_INFORMATION_CLASS with a structure here. */
export const FS_INFORMATION_CODECS = {
  FileFsVolumeInformation: { encode: encodeFsVolumeInformation, decode: decodeFsVolumeInformation } as FsCodec<FileFsVolumeInput, FileFsVolumeInformation>,
  FileFsLabelInformation: {
    encode: (obj: { VolumeLabel: string }, len: number): EncodeResult => {
      if (len < FS_INFO_LENGTH.FileFsLabelInformation.set) return fail(STATUS.STATUS_INFO_LENGTH_MISMATCH)
      const bytes = encodeFsLabelInformation(obj.VolumeLabel)
      return { bytes, status: STATUS.STATUS_SUCCESS, information: bytes.length }
    },
    decode: decodeFsLabelInformation,
  },
  FileFsSizeInformation: fixed(FILE_FS_SIZE_INFORMATION, 'FileFsSizeInformation'),
  FileFsDeviceInformation: fixed(FILE_FS_DEVICE_INFORMATION, 'FileFsDeviceInformation'),
  FileFsAttributeInformation: { encode: encodeFsAttributeInformation, decode: decodeFsAttributeInformation } as FsCodec<FileFsAttributeInput, FileFsAttributeInformation>,
  FileFsControlInformation: fixed(FILE_FS_CONTROL_INFORMATION, 'FileFsControlInformation'),
  FileFsFullSizeInformation: fixed(FILE_FS_FULL_SIZE_INFORMATION, 'FileFsFullSizeInformation'),
  FileFsObjectIdInformation: fixed(FILE_FS_OBJECTID_INFORMATION, 'FileFsObjectIdInformation'),
  FileFsVolumeFlagsInformation: fixed(FILE_FS_VOLUME_FLAGS_INFORMATION, 'FileFsVolumeFlagsInformation'),
  FileFsSectorSizeInformation: fixed(FILE_FS_SECTOR_SIZE_INFORMATION, 'FileFsSectorSizeInformation'),
  FileFsDataCopyInformation: fixed(FILE_FS_DATA_COPY_INFORMATION, 'FileFsDataCopyInformation'),
  FileFsMetadataSizeInformation: fixed(FILE_FS_METADATA_SIZE_INFORMATION, 'FileFsMetadataSizeInformation'),
  FileFsFullSizeInformationEx: fixed(FILE_FS_FULL_SIZE_INFORMATION_EX, 'FileFsFullSizeInformationEx'),
  FileFsGuidInformation: fixed(FILE_FS_GUID_INFORMATION, 'FileFsGuidInformation'),
} as const

export type FsCodecClass = keyof typeof FS_INFORMATION_CODECS
export type FsInformationInput<K extends FsCodecClass> = Parameters<(typeof FS_INFORMATION_CODECS)[K]['encode']>[0]
export type FsInformationOutput<K extends FsCodecClass> = ReturnType<(typeof FS_INFORMATION_CODECS)[K]['decode']>

function fsCodec(cls: string): FsCodec<unknown, unknown> {
  const c = (FS_INFORMATION_CODECS as Record<string, FsCodec<unknown, unknown>>)[cls]
  if (!c) throw new StructError('FS_INFORMATION_CLASS', `no structure is defined for ${cls}`)
  return c
}

export const hasFsInformationCodec = (cls: string): cls is FsCodecClass => Object.prototype.hasOwnProperty.call(FS_INFORMATION_CODECS, cls)

/** Encodes `obj` as FS class `cls` into a buffer of `bufferLength` bytes. */
export function encodeFsInformation<K extends FsCodecClass>(cls: K, obj: FsInformationInput<K>, bufferLength: number): EncodeResult {
  return fsCodec(cls).encode(obj, bufferLength)
}

/** Decodes FS class `cls` bytes into an object with the Windows field names. */
export function decodeFsInformation<K extends FsCodecClass>(cls: K, bytes: Uint8Array): FsInformationOutput<K> {
  return fsCodec(cls).decode(bytes) as FsInformationOutput<K>
}
