// The NT services a scenario step may call, with the type of each parameter. Parameter names
// are the services' own (ntifs.h / wdm.h prototypes); the validator (args.ts) checks values
// against these types and normalises them (see types.ts).

import type { ConstTable } from '../nt/flags.ts'
import { ACCESS } from '../nt/access.ts'
import {
  CREATE_DISPOSITION,
  CREATE_OPTIONS,
  DUPLICATE_OPTIONS,
  FILE_ATTRIBUTE,
  FILE_DISPOSITION_FLAGS,
  FILE_LINK_FLAGS,
  FILE_NOTIFY_CHANGE,
  FILE_RENAME_FLAGS,
  IO_REPARSE_TAG,
  OBJ_ATTRIBUTES,
  PAGE,
  SEC,
  SECTION_ACCESS,
  SECTION_INHERIT,
  SHARE_ACCESS,
  SYMLINK_FLAG_RELATIVE,
  FILE_NEED_EA,
} from '../nt/file.ts'
import { FILE_INFORMATION_CLASS, FS_INFORMATION_CLASS } from '../nt/infoclass.ts'
import { FSCTL, OPLOCK_LEVEL, REQUEST_OPLOCK_INPUT_FLAG } from '../nt/irp.ts'

/** The type of one parameter. */
export type ArgType =
  /**
   * a Win32 or NT path, converted to NT form; `bare` also accepts a simple name (rename targets);
   * `relativeTo` names a handle parameter (RootDirectory) that, when given, makes the value a name
   * relative to that directory, passed as it is (it may be empty: the directory itself)
   */
  | { readonly t: 'path'; readonly bare?: boolean; readonly relativeTo?: string }
  /** a string passed as it is (search patterns, EA names, labels) */
  | { readonly t: 'string' }
  /** flag names (list, `A | B` string) or a number → 32-bit number */
  | { readonly t: 'flags'; readonly table: ConstTable; readonly what: string }
  /** an enumeration name or number → number */
  | { readonly t: 'enum'; readonly table: ConstTable; readonly what: string }
  /** an exact integer in [min, max] */
  | { readonly t: 'int'; readonly min: bigint; readonly max: bigint }
  /** a byte count: an integer or a size with a unit (`4KiB`) */
  | { readonly t: 'size' }
  /** a read/write ByteOffset: integer, FILE_WRITE_TO_END_OF_FILE (-1), FILE_USE_FILE_POINTER_POSITION (-2) */
  | { readonly t: 'offset' }
  /** a FILETIME: integer 100-ns units since 1601, or an ISO date `2024-01-01T00:00:00Z` */
  | { readonly t: 'filetime' }
  | { readonly t: 'bool' }
  /** an `as:` name of a handle from an earlier step, or a raw number */
  | { readonly t: 'handle' }
  /** a process handle: only the current process (omitted, NtCurrentProcess or -1) */
  | { readonly t: 'processHandle' }
  /** a mapped view's `as:` name, optionally `+offset` */
  | { readonly t: 'view' }
  /** bytes: a UTF-8 string or `{ hex: "00ff" }` */
  | { readonly t: 'data' }
  /** a relative time with a unit (`5s`) → 100-ns ticks; null waits forever */
  | { readonly t: 'timeout' }
  /** a GUID `{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}` */
  | { readonly t: 'guid' }
  | { readonly t: 'list'; readonly of: ArgType }
  | { readonly t: 'object'; readonly fields: FieldTable; readonly required?: readonly string[] }
  /** NtSetInformationFile FileInformation: fields depend on FileInformationClass */
  | { readonly t: 'fileInformation' }
  /** NtFsControlFile InputBuffer: fields depend on FsControlCode */
  | { readonly t: 'fsInputBuffer' }
  /** any YAML value, integers normalised (classes and codes whose fields are not described) */
  | { readonly t: 'free' }

export type FieldTable = { readonly [name: string]: ArgType }

const U32_MAX = 0xffffffffn
const I64_MIN = -(1n << 63n)
const I64_MAX = (1n << 63n) - 1n
const U64_MAX = (1n << 64n) - 1n

const uint32: ArgType = { t: 'int', min: 0n, max: U32_MAX }
const int64: ArgType = { t: 'int', min: I64_MIN, max: I64_MAX }
const uint64: ArgType = { t: 'int', min: 0n, max: U64_MAX }
const size: ArgType = { t: 'size' }
const bool: ArgType = { t: 'bool' }
const handle: ArgType = { t: 'handle' }
const str: ArgType = { t: 'string' }
const data: ArgType = { t: 'data' }
const filetime: ArgType = { t: 'filetime' }

/** Access rights accepted by handle-opening services: file rights plus section rights. */
const ACCESS_NAMES: ConstTable = { ...ACCESS, ...SECTION_ACCESS }

const desiredAccess: ArgType = { t: 'flags', table: ACCESS_NAMES, what: 'DesiredAccess' }
const shareAccess: ArgType = { t: 'flags', table: SHARE_ACCESS, what: 'ShareAccess' }
const createOptions: ArgType = { t: 'flags', table: CREATE_OPTIONS, what: 'CreateOptions' }
const fileAttributes: ArgType = { t: 'flags', table: FILE_ATTRIBUTE, what: 'FileAttributes' }
const objAttributes: ArgType = { t: 'flags', table: OBJ_ATTRIBUTES, what: 'Attributes' }
const fileInfoClass: ArgType = { t: 'enum', table: FILE_INFORMATION_CLASS, what: 'FileInformationClass' }
const fsInfoClass: ArgType = { t: 'enum', table: FS_INFORMATION_CLASS, what: 'FsInformationClass' }

export const EA_FLAGS: ConstTable = { FILE_NEED_EA }
export const SYMLINK_FLAGS: ConstTable = { SYMLINK_FLAG_RELATIVE }
/** FILE_CASE_SENSITIVE_INFORMATION.Flags (ntifs.h). */
export const FILE_CS_FLAGS: ConstTable = { FILE_CS_FLAG_CASE_SENSITIVE_DIR: 0x00000001 }
/** IO_PRIORITY_HINT (wdm.h). */
export const IO_PRIORITY_HINT: ConstTable = {
  IoPriorityVeryLow: 0,
  IoPriorityLow: 1,
  IoPriorityNormal: 2,
  IoPriorityHigh: 3,
  IoPriorityCritical: 4,
}
/** COMPRESSION_FORMAT_* for FSCTL_SET_COMPRESSION (ntifs.h). */
export const COMPRESSION_FORMAT: ConstTable = {
  COMPRESSION_FORMAT_NONE: 0,
  COMPRESSION_FORMAT_DEFAULT: 1,
  COMPRESSION_FORMAT_LZNT1: 2,
}

const eaEntry: ArgType = {
  t: 'object',
  fields: { Name: str, Value: data, Flags: { t: 'flags', table: EA_FLAGS, what: 'Flags' } },
  required: ['Name'],
}

/** A service: its parameters, which are required, and what its `as:` names. */
export interface ServiceSpec {
  readonly params: FieldTable
  readonly required: readonly string[]
  /** what the step's `as:` names, or undefined when the service returns nothing to name */
  readonly returns: 'handle' | 'view' | undefined
}

/** FileName after RootDirectory: with a RootDirectory the name is relative to it (OBJECT_ATTRIBUTES) */
const objectName: ArgType = { t: 'path', relativeTo: 'RootDirectory' }

const openParams: FieldTable = {
  RootDirectory: handle,
  FileName: objectName,
  Attributes: objAttributes,
  DesiredAccess: desiredAccess,
  ShareAccess: shareAccess,
}

export const SERVICES: { readonly [name: string]: ServiceSpec } = {
  NtCreateFile: {
    params: {
      ...openParams,
      CreateDisposition: { t: 'enum', table: CREATE_DISPOSITION, what: 'CreateDisposition' },
      CreateOptions: createOptions,
      FileAttributes: fileAttributes,
      AllocationSize: size,
      EaBuffer: { t: 'list', of: eaEntry },
    },
    required: ['FileName', 'CreateDisposition'],
    returns: 'handle',
  },
  NtOpenFile: {
    params: { ...openParams, OpenOptions: { t: 'flags', table: CREATE_OPTIONS, what: 'OpenOptions' } },
    required: ['FileName'],
    returns: 'handle',
  },
  NtReadFile: {
    params: { FileHandle: handle, ByteOffset: { t: 'offset' }, Length: size, Key: uint32 },
    required: ['FileHandle', 'Length'],
    returns: undefined,
  },
  NtWriteFile: {
    params: { FileHandle: handle, ByteOffset: { t: 'offset' }, Data: data, Length: size, Key: uint32 },
    required: ['FileHandle', 'Data'],
    returns: undefined,
  },
  NtClose: { params: { Handle: handle }, required: ['Handle'], returns: undefined },
  NtQueryInformationFile: {
    params: { FileHandle: handle, FileInformationClass: fileInfoClass, Length: size },
    required: ['FileHandle', 'FileInformationClass'],
    returns: undefined,
  },
  NtSetInformationFile: {
    params: {
      FileHandle: handle,
      FileInformationClass: fileInfoClass,
      FileInformation: { t: 'fileInformation' },
      Length: size,
    },
    required: ['FileHandle', 'FileInformationClass'],
    returns: undefined,
  },
  NtQueryDirectoryFile: {
    params: {
      FileHandle: handle,
      FileInformationClass: fileInfoClass,
      FileName: str,
      RestartScan: bool,
      ReturnSingleEntry: bool,
      Length: size,
    },
    required: ['FileHandle', 'FileInformationClass'],
    returns: undefined,
  },
  NtQueryVolumeInformationFile: {
    params: { FileHandle: handle, FsInformationClass: fsInfoClass, Length: size },
    required: ['FileHandle', 'FsInformationClass'],
    returns: undefined,
  },
  NtSetVolumeInformationFile: {
    params: { FileHandle: handle, FsInformationClass: fsInfoClass, FsInformation: { t: 'free' }, Length: size },
    required: ['FileHandle', 'FsInformationClass'],
    returns: undefined,
  },
  NtFsControlFile: {
    params: {
      FileHandle: handle,
      FsControlCode: { t: 'enum', table: FSCTL, what: 'FsControlCode' },
      InputBuffer: { t: 'fsInputBuffer' },
      InputBufferLength: size,
      OutputBufferLength: size,
      /** names the caller's IO_STATUS_BLOCK, for a later NtWaitForSingleObject to read (a request that pends) */
      IoStatusBlock: { t: 'string' },
    },
    required: ['FileHandle', 'FsControlCode'],
    returns: undefined,
  },
  NtFlushBuffersFile: { params: { FileHandle: handle }, required: ['FileHandle'], returns: undefined },
  NtLockFile: {
    params: { FileHandle: handle, ByteOffset: uint64, Length: uint64, Key: uint32, FailImmediately: bool, ExclusiveLock: bool },
    required: ['FileHandle', 'ByteOffset', 'Length'],
    returns: undefined,
  },
  NtUnlockFile: {
    params: { FileHandle: handle, ByteOffset: uint64, Length: uint64, Key: uint32 },
    required: ['FileHandle', 'ByteOffset', 'Length'],
    returns: undefined,
  },
  NtDeleteFile: {
    params: { RootDirectory: handle, FileName: objectName, Attributes: objAttributes },
    required: ['FileName'],
    returns: undefined,
  },
  NtQueryAttributesFile: {
    params: { RootDirectory: handle, FileName: objectName, Attributes: objAttributes },
    required: ['FileName'],
    returns: undefined,
  },
  NtQueryFullAttributesFile: {
    params: { RootDirectory: handle, FileName: objectName, Attributes: objAttributes },
    required: ['FileName'],
    returns: undefined,
  },
  NtQueryEaFile: {
    params: {
      FileHandle: handle,
      ReturnSingleEntry: bool,
      EaList: { t: 'list', of: str },
      EaIndex: uint32,
      RestartScan: bool,
      Length: size,
    },
    required: ['FileHandle'],
    returns: undefined,
  },
  NtSetEaFile: {
    params: { FileHandle: handle, EaBuffer: { t: 'list', of: eaEntry }, Length: size },
    required: ['FileHandle', 'EaBuffer'],
    returns: undefined,
  },
  NtCreateSection: {
    params: {
      FileHandle: handle,
      DesiredAccess: desiredAccess,
      Attributes: objAttributes,
      MaximumSize: size,
      SectionPageProtection: { t: 'flags', table: PAGE, what: 'SectionPageProtection' },
      AllocationAttributes: { t: 'flags', table: SEC, what: 'AllocationAttributes' },
    },
    required: ['SectionPageProtection', 'AllocationAttributes'],
    returns: 'handle',
  },
  NtMapViewOfSection: {
    params: {
      SectionHandle: handle,
      ProcessHandle: { t: 'processHandle' },
      ZeroBits: uint32,
      CommitSize: size,
      SectionOffset: uint64,
      ViewSize: size,
      InheritDisposition: { t: 'enum', table: SECTION_INHERIT, what: 'InheritDisposition' },
      AllocationType: uint32,
      Win32Protect: { t: 'flags', table: PAGE, what: 'Win32Protect' },
    },
    required: ['SectionHandle', 'Win32Protect'],
    returns: 'view',
  },
  NtUnmapViewOfSection: {
    params: { ProcessHandle: { t: 'processHandle' }, BaseAddress: { t: 'view' } },
    required: ['BaseAddress'],
    returns: undefined,
  },
  // Mapped reads and writes: what a program does by touching a view's memory, spelled as the
  // services that read and write another address range (page faults and the modified page
  // writer follow as for a direct access).
  NtReadVirtualMemory: {
    params: { ProcessHandle: { t: 'processHandle' }, BaseAddress: { t: 'view' }, NumberOfBytesToRead: size },
    required: ['BaseAddress', 'NumberOfBytesToRead'],
    returns: undefined,
  },
  NtWriteVirtualMemory: {
    params: { ProcessHandle: { t: 'processHandle' }, BaseAddress: { t: 'view' }, Data: data, NumberOfBytesToWrite: size },
    required: ['BaseAddress', 'Data'],
    returns: undefined,
  },
  NtFlushVirtualMemory: {
    params: { ProcessHandle: { t: 'processHandle' }, BaseAddress: { t: 'view' }, RegionSize: size },
    required: ['BaseAddress'],
    returns: undefined,
  },
  NtNotifyChangeDirectoryFile: {
    params: {
      FileHandle: handle,
      CompletionFilter: { t: 'flags', table: FILE_NOTIFY_CHANGE, what: 'CompletionFilter' },
      WatchTree: bool,
      Length: size,
    },
    required: ['FileHandle', 'CompletionFilter'],
    returns: undefined,
  },
  NtDuplicateObject: {
    params: {
      SourceProcessHandle: { t: 'processHandle' },
      SourceHandle: handle,
      TargetProcessHandle: { t: 'processHandle' },
      DesiredAccess: desiredAccess,
      HandleAttributes: objAttributes,
      Options: { t: 'flags', table: DUPLICATE_OPTIONS, what: 'Options' },
    },
    required: ['SourceHandle'],
    returns: 'handle',
  },
  NtCancelIoFile: { params: { FileHandle: handle }, required: ['FileHandle'], returns: undefined },
  NtCancelIoFileEx: { params: { FileHandle: handle }, required: ['FileHandle'], returns: undefined },
  NtWaitForSingleObject: {
    /** IoStatusBlock: wait until the request that named this IO_STATUS_BLOCK has completed, and report it */
    params: { Handle: handle, Alertable: bool, Timeout: { t: 'timeout' }, IoStatusBlock: { t: 'string' } },
    required: ['Handle'],
    returns: undefined,
  },
}

/** FileInformation fields of the classes NtSetInformationFile takes, by class name. */
export const SET_FILE_INFORMATION_FIELDS: { readonly [cls: string]: FieldTable } = {
  FileBasicInformation: {
    CreationTime: filetime,
    LastAccessTime: filetime,
    LastWriteTime: filetime,
    ChangeTime: filetime,
    FileAttributes: fileAttributes,
  },
  FileRenameInformation: renameFields(),
  FileRenameInformationBypassAccessCheck: renameFields(),
  FileLinkInformation: renameFields(),
  FileLinkInformationBypassAccessCheck: renameFields(),
  FileRenameInformationEx: renameExFields(FILE_RENAME_FLAGS),
  FileRenameInformationExBypassAccessCheck: renameExFields(FILE_RENAME_FLAGS),
  FileLinkInformationEx: renameExFields(FILE_LINK_FLAGS),
  FileLinkInformationExBypassAccessCheck: renameExFields(FILE_LINK_FLAGS),
  FileDispositionInformation: { DeleteFile: bool },
  FileDispositionInformationEx: { Flags: { t: 'flags', table: FILE_DISPOSITION_FLAGS, what: 'Flags' } },
  // LARGE_INTEGER: a negative offset is representable (and refused with STATUS_INVALID_PARAMETER)
  FilePositionInformation: { CurrentByteOffset: int64 },
  FileEndOfFileInformation: { EndOfFile: size },
  FileAllocationInformation: { AllocationSize: size },
  FileValidDataLengthInformation: { ValidDataLength: size },
  FileModeInformation: { Mode: { t: 'flags', table: CREATE_OPTIONS, what: 'Mode' } },
  FileShortNameInformation: { FileName: str },
  FileCaseSensitiveInformation: { Flags: { t: 'flags', table: FILE_CS_FLAGS, what: 'Flags' } },
  FileCaseSensitiveInformationForceAccessCheck: { Flags: { t: 'flags', table: FILE_CS_FLAGS, what: 'Flags' } },
  FileIoPriorityHintInformation: { PriorityHint: { t: 'enum', table: IO_PRIORITY_HINT, what: 'PriorityHint' } },
  FileFullEaInformation: { EaBuffer: { t: 'list', of: eaEntry } },
}

function renameFields(): FieldTable {
  return { ReplaceIfExists: bool, RootDirectory: handle, FileName: { t: 'path', bare: true }, FileNameLength: uint32 }
}
function renameExFields(flags: ConstTable): FieldTable {
  return { Flags: { t: 'flags', table: flags, what: 'Flags' }, RootDirectory: handle, FileName: { t: 'path', bare: true }, FileNameLength: uint32 }
}

const reparseFields: FieldTable = {
  ReparseTag: { t: 'enum', table: IO_REPARSE_TAG, what: 'ReparseTag' },
  ReparseDataLength: { t: 'int', min: 0n, max: 0xffffn },
  SubstituteName: str,
  PrintName: str,
  Flags: { t: 'flags', table: SYMLINK_FLAGS, what: 'Flags' },
  Data: data,
  ReparseGuid: { t: 'guid' },
}
export const REPARSE_FIELDS = reparseFields

/** InputBuffer fields of the FSCTLs whose input is described, by FSCTL name. */
export const FSCTL_INPUT_FIELDS: { readonly [fsctl: string]: FieldTable } = {
  FSCTL_SET_REPARSE_POINT: reparseFields,
  FSCTL_DELETE_REPARSE_POINT: { ReparseTag: reparseFields.ReparseTag!, ReparseDataLength: reparseFields.ReparseDataLength!, ReparseGuid: { t: 'guid' } },
  FSCTL_SET_REPARSE_POINT_EX: {
    ...reparseFields,
    ExistingReparseTag: { t: 'enum', table: IO_REPARSE_TAG, what: 'ExistingReparseTag' },
    ExistingReparseGuid: { t: 'guid' },
  },
  FSCTL_REQUEST_OPLOCK: {
    StructureVersion: { t: 'int', min: 0n, max: 0xffffn },
    StructureLength: { t: 'int', min: 0n, max: 0xffffn },
    RequestedOplockLevel: { t: 'flags', table: OPLOCK_LEVEL, what: 'RequestedOplockLevel' },
    Flags: { t: 'flags', table: REQUEST_OPLOCK_INPUT_FLAG, what: 'Flags' },
  },
  FSCTL_SET_ZERO_DATA: { FileOffset: uint64, BeyondFinalZero: uint64 },
  FSCTL_QUERY_ALLOCATED_RANGES: { FileOffset: uint64, Length: uint64 },
  FSCTL_SET_SPARSE: { SetSparse: bool },
  FSCTL_SET_COMPRESSION: { CompressionState: { t: 'enum', table: COMPRESSION_FORMAT, what: 'CompressionState' } },
  FSCTL_GET_RETRIEVAL_POINTERS: { StartingVcn: int64 },
  FSCTL_GET_VOLUME_BITMAP: { StartingLcn: int64 },
}

/** Names of every service, for messages. */
export const SERVICE_NAMES: readonly string[] = Object.keys(SERVICES)
