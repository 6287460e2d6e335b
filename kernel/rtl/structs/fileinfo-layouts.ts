// The fixed-size FILE_INFORMATION_CLASS structures with their x64 layouts (MS-FSCC 2.4,
// ntifs.h / wdm.h). Offsets are asserted in fileinfo.test.ts.

import { defineStruct } from './struct.ts'

/** MS-FSCC FileBasicInformation. On set, a time of 0 means "don't change", -1 "stop updating", -2 "resume". */
export const FILE_BASIC_INFORMATION = defineStruct('FILE_BASIC_INFORMATION', 40, {
  CreationTime: ['time', 0],
  LastAccessTime: ['time', 8],
  LastWriteTime: ['time', 16],
  ChangeTime: ['time', 24],
  FileAttributes: ['u32', 32],
})

/**
 * MS-FSCC FileStandardInformation, with the FILE_STANDARD_INFORMATION_EX members (Windows 10 1709+) in what
 * was the padding: the two structures have the same size, and NTFS fills both extra flags.
 */
export const FILE_STANDARD_INFORMATION = defineStruct('FILE_STANDARD_INFORMATION', 24, {
  AllocationSize: ['size', 0],
  EndOfFile: ['size', 8],
  NumberOfLinks: ['u32', 16],
  DeletePending: ['bool', 20],
  Directory: ['bool', 21],
  AlternateStream: ['bool', 22],
  MetadataAttribute: ['bool', 23],
})

/** MS-FSCC FileInternalInformation: the 64-bit file reference number. */
export const FILE_INTERNAL_INFORMATION = defineStruct('FILE_INTERNAL_INFORMATION', 8, {
  IndexNumber: ['id', 0],
})

export const FILE_EA_INFORMATION = defineStruct('FILE_EA_INFORMATION', 4, { EaSize: ['u32', 0] })
export const FILE_ACCESS_INFORMATION = defineStruct('FILE_ACCESS_INFORMATION', 4, { AccessFlags: ['u32', 0] })
export const FILE_POSITION_INFORMATION = defineStruct('FILE_POSITION_INFORMATION', 8, { CurrentByteOffset: ['size', 0] })
export const FILE_MODE_INFORMATION = defineStruct('FILE_MODE_INFORMATION', 4, { Mode: ['u32', 0] })
export const FILE_ALIGNMENT_INFORMATION = defineStruct('FILE_ALIGNMENT_INFORMATION', 4, { AlignmentRequirement: ['u32', 0] })
export const FILE_ALLOCATION_INFORMATION = defineStruct('FILE_ALLOCATION_INFORMATION', 8, { AllocationSize: ['size', 0] })
export const FILE_END_OF_FILE_INFORMATION = defineStruct('FILE_END_OF_FILE_INFORMATION', 8, { EndOfFile: ['size', 0] })
export const FILE_VALID_DATA_LENGTH_INFORMATION = defineStruct('FILE_VALID_DATA_LENGTH_INFORMATION', 8, {
  ValidDataLength: ['size', 0],
})

/** MS-FSCC FileDispositionInformation: a BOOLEAN, sizeof 1. */
export const FILE_DISPOSITION_INFORMATION = defineStruct('FILE_DISPOSITION_INFORMATION', 1, { DeleteFile: ['bool', 0] })
/** MS-FSCC FileDispositionInformationEx: FILE_DISPOSITION_* flags. */
export const FILE_DISPOSITION_INFORMATION_EX = defineStruct('FILE_DISPOSITION_INFORMATION_EX', 4, { Flags: ['u32', 0] })

/** MS-FSCC FileNetworkOpenInformation. */
export const FILE_NETWORK_OPEN_INFORMATION = defineStruct('FILE_NETWORK_OPEN_INFORMATION', 56, {
  CreationTime: ['time', 0],
  LastAccessTime: ['time', 8],
  LastWriteTime: ['time', 16],
  ChangeTime: ['time', 24],
  AllocationSize: ['size', 32],
  EndOfFile: ['size', 40],
  FileAttributes: ['u32', 48],
})

/** MS-FSCC FileAttributeTagInformation. */
export const FILE_ATTRIBUTE_TAG_INFORMATION = defineStruct('FILE_ATTRIBUTE_TAG_INFORMATION', 8, {
  FileAttributes: ['u32', 0],
  ReparseTag: ['u32', 4],
})

/** MS-FSCC FileCompressionInformation: CompressionFormat COMPRESSION_FORMAT_*; shifts are log2 sizes. */
export const FILE_COMPRESSION_INFORMATION = defineStruct('FILE_COMPRESSION_INFORMATION', 16, {
  CompressedFileSize: ['size', 0],
  CompressionFormat: ['u16', 8],
  CompressionUnitShift: ['u8', 10],
  ChunkShift: ['u8', 11],
  ClusterShift: ['u8', 12],
})

/** MS-FSCC FileIdInformation: VolumeSerialNumber is 64-bit here; FileId is a FILE_ID_128. */
export const FILE_ID_INFORMATION = defineStruct('FILE_ID_INFORMATION', 24, {
  VolumeSerialNumber: ['id', 0],
  FileId: ['id128', 8],
})

/** MS-FSCC FileStatInformation (Windows 10 1709+). */
export const FILE_STAT_INFORMATION = defineStruct('FILE_STAT_INFORMATION', 72, {
  FileId: ['id', 0],
  CreationTime: ['time', 8],
  LastAccessTime: ['time', 16],
  LastWriteTime: ['time', 24],
  ChangeTime: ['time', 32],
  AllocationSize: ['size', 40],
  EndOfFile: ['size', 48],
  FileAttributes: ['u32', 56],
  ReparseTag: ['u32', 60],
  NumberOfLinks: ['u32', 64],
  EffectiveAccess: ['u32', 68],
})

/** MS-FSCC FileStatLxInformation: FILE_STAT_INFORMATION plus the WSL metadata. */
export const FILE_STAT_LX_INFORMATION = defineStruct('FILE_STAT_LX_INFORMATION', 96, {
  FileId: ['id', 0],
  CreationTime: ['time', 8],
  LastAccessTime: ['time', 16],
  LastWriteTime: ['time', 24],
  ChangeTime: ['time', 32],
  AllocationSize: ['size', 40],
  EndOfFile: ['size', 48],
  FileAttributes: ['u32', 56],
  ReparseTag: ['u32', 60],
  NumberOfLinks: ['u32', 64],
  EffectiveAccess: ['u32', 68],
  LxFlags: ['u32', 72],
  LxUid: ['u32', 76],
  LxGid: ['u32', 80],
  LxMode: ['u32', 84],
  LxDeviceIdMajor: ['u32', 88],
  LxDeviceIdMinor: ['u32', 92],
})

/** ntifs.h FILE_STAT_BASIC_INFORMATION (Windows 11 24H2). unverified: layout from the SDK header. */
export const FILE_STAT_BASIC_INFORMATION = defineStruct('FILE_STAT_BASIC_INFORMATION', 104, {
  FileId: ['id', 0],
  CreationTime: ['time', 8],
  LastAccessTime: ['time', 16],
  LastWriteTime: ['time', 24],
  ChangeTime: ['time', 32],
  AllocationSize: ['size', 40],
  EndOfFile: ['size', 48],
  FileAttributes: ['u32', 56],
  ReparseTag: ['u32', 60],
  NumberOfLinks: ['u32', 64],
  DeviceType: ['u32', 68],
  DeviceCharacteristics: ['u32', 72],
  VolumeSerialNumber: ['id', 80],
  FileId128: ['id128', 88],
})

/** FILE_CS_FLAG_CASE_SENSITIVE_DIR = 1 (MS-FSCC FileCaseSensitiveInformation). */
export const FILE_CASE_SENSITIVE_INFORMATION = defineStruct('FILE_CASE_SENSITIVE_INFORMATION', 4, { Flags: ['u32', 0] })

/** MS-FSCC FileStandardLinkInformation. */
export const FILE_STANDARD_LINK_INFORMATION = defineStruct('FILE_STANDARD_LINK_INFORMATION', 12, {
  NumberOfAccessibleLinks: ['u32', 0],
  TotalNumberOfLinks: ['u32', 4],
  DeletePending: ['bool', 8],
  Directory: ['bool', 9],
})

/** MS-FSCC FileIsRemoteDeviceInformation: a BOOLEAN. */
export const FILE_IS_REMOTE_DEVICE_INFORMATION = defineStruct('FILE_IS_REMOTE_DEVICE_INFORMATION', 1, { IsRemote: ['bool', 0] })

/**
 * MS-FSCC FileRemoteProtocolInformation: FILE_REMOTE_PROTOCOL_INFORMATION (116 bytes): GenericReserved is 8 ULONGs at
 * 20; ProtocolSpecific 16 ULONGs at 52 whose first two are the SMB2 server and share
 * capabilities. A local NTFS file answers STATUS_INVALID_PARAMETER (applications probe with it).
 */
export const FILE_REMOTE_PROTOCOL_INFORMATION = defineStruct('FILE_REMOTE_PROTOCOL_INFORMATION', 116, {
  StructureVersion: ['u16', 0],
  StructureSize: ['u16', 2],
  Protocol: ['u32', 4],
  ProtocolMajorVersion: ['u16', 8],
  ProtocolMinorVersion: ['u16', 10],
  ProtocolRevision: ['u16', 12],
  Reserved: ['u16', 14],
  Flags: ['u32', 16],
  ServerCapabilities: ['u32', 52],
  ShareCapabilities: ['u32', 56],
})

/** FILE_IO_PRIORITY_HINT_INFORMATION: IO_PRIORITY_HINT (0 very low … 4 critical). */
export const FILE_IO_PRIORITY_HINT_INFORMATION = defineStruct('FILE_IO_PRIORITY_HINT_INFORMATION', 4, { PriorityHint: ['u32', 0] })
export const FILE_NUMA_NODE_INFORMATION = defineStruct('FILE_NUMA_NODE_INFORMATION', 2, { NodeNumber: ['u16', 0] })
export const FILE_IO_COMPLETION_NOTIFICATION_INFORMATION = defineStruct('FILE_IO_COMPLETION_NOTIFICATION_INFORMATION', 4, {
  Flags: ['u32', 0],
})
/** Port and Key of the completion port a handle is associated with. */
export const FILE_COMPLETION_INFORMATION = defineStruct('FILE_COMPLETION_INFORMATION', 16, {
  Port: ['handle', 0],
  Key: ['handle', 8],
})
export const FILE_DESIRED_STORAGE_CLASS_INFORMATION = defineStruct('FILE_DESIRED_STORAGE_CLASS_INFORMATION', 8, {
  Class: ['u32', 0],
  Flags: ['u32', 4],
})
export const FILE_STORAGE_RESERVE_ID_INFORMATION = defineStruct('FILE_STORAGE_RESERVE_ID_INFORMATION', 4, {
  StorageReserveId: ['u32', 0],
})
export const FILE_KNOWN_FOLDER_INFORMATION = defineStruct('FILE_KNOWN_FOLDER_INFORMATION', 4, { Type: ['u32', 0] })

/**
 * MS-FSCC FILE_OBJECTID_INFORMATION_INFORMATION (the entries of \$Extend\$ObjId:$O): a file
 * reference, then the 16-byte object id and the 48 bytes of extended info.
 */
export const FILE_OBJECTID_INFORMATION = defineStruct('FILE_OBJECTID_INFORMATION', 72, {
  FileReference: ['id', 0],
  ObjectId: ['guid', 8],
  BirthVolumeId: ['guid', 24],
  BirthObjectId: ['guid', 40],
  DomainId: ['guid', 56],
})

/** MS-FSCC FILE_REPARSE_POINT_INFORMATION (the entries of \$Extend\$Reparse:$R). */
export const FILE_REPARSE_POINT_INFORMATION = defineStruct('FILE_REPARSE_POINT_INFORMATION', 16, {
  FileReference: ['id', 0],
  Tag: ['u32', 8],
})

/**
 * The fixed part of FILE_RENAME_INFORMATION / FILE_LINK_INFORMATION (and their Ex forms), x64:
 * ReplaceIfExists (BOOLEAN) or Flags (ULONG) at 0, RootDirectory (HANDLE) at 8,
 * FileNameLength at 16, FileName at 20; sizeof 24 (MS-FSCC FileRenameInformation gives this 64-bit layout).
 */
export const FILE_RENAME_INFORMATION = defineStruct('FILE_RENAME_INFORMATION', 24, {
  ReplaceIfExists: ['bool', 0],
  RootDirectory: ['handle', 8],
  FileNameLength: ['u32', 16],
})
export const FILE_RENAME_INFORMATION_EX = defineStruct('FILE_RENAME_INFORMATION_EX', 24, {
  Flags: ['u32', 0],
  RootDirectory: ['handle', 8],
  FileNameLength: ['u32', 16],
})
/** Offset of FileName in the rename/link structures. */
export const RENAME_FILE_NAME_OFFSET = 20

/** The fixed part of FILE_NAME_INFORMATION: FileNameLength (bytes) at 0, FileName at 4. */
export const FILE_NAME_INFORMATION = defineStruct('FILE_NAME_INFORMATION', 8, { FileNameLength: ['u32', 0] })
export const NAME_FILE_NAME_OFFSET = 4

/**
 * The FILE_ALL_INFORMATION members, each at its offset: Basic 0, Standard 40, Internal 64,
 * Ea 72, Access 76, Position 80, Mode 88, Alignment 92, Name 96 (FileName at 100); sizeof 104.
 */
export const FILE_ALL_INFORMATION_OFFSETS = {
  BasicInformation: 0,
  StandardInformation: 40,
  InternalInformation: 64,
  EaInformation: 72,
  AccessInformation: 76,
  PositionInformation: 80,
  ModeInformation: 88,
  AlignmentInformation: 92,
  NameInformation: 96,
  FileName: 100,
  size: 104,
} as const
