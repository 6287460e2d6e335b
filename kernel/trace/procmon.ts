// Process Monitor's view of an event: the operation name (basic output), the Result text and the
// Detail string, with Procmon's exact field names, order and value formats. Sources: the real
// captures in shared/reference/captures (Procmon 3.x on Windows 7 and 10) and the field layouts
// documented by eronnen/procmon-parser (consts.py, stream_logs_detail_format.py).
//
// Parameters are read from `event.params` by their Windows names (IO_STACK_LOCATION /
// FLT_PARAMETERS spelling: DesiredAccess, CreateDisposition, CreateOptions, FileAttributes,
// ShareAccess, AllocationSize, ByteOffset, Length, FileInformationClass, FileName,
// CompletionFilter, FsControlCode …); results of queries from `event.output` (the returned
// structure's fields). Flag values may be numbers or lists of constant names.

import type { ConstTable } from '../nt/flags.ts'
import { enumValue, flagNames } from '../nt/flags.ts'
import { ACCESS, mapGenericFileAccess } from '../nt/access.ts'
import { CREATE_DISPOSITION, CREATE_OPTIONS, FILE_ATTRIBUTE, FILE_DISPOSITION_FLAGS, FILE_NOTIFY_CHANGE, FILE_RENAME_FLAGS, FILE_LINK_FLAGS, PAGE, SHARE_ACCESS } from '../nt/file.ts'
import { FILE_INFORMATION_CLASS, FS_INFORMATION_CLASS, fileInformationClassName } from '../nt/infoclass.ts'
import { decodeCtlCode, FSCTL, fsctlName, IRP_MN_DIRECTORY_CONTROL, IRP_MN_LOCK_CONTROL } from '../nt/irp.ts'
import { parseStatus, STATUS } from '../nt/status.ts'
import type { TraceEvent } from './event.ts'
import { formatFiletimeDate, thousands } from './format.ts'

// ---- operation names -------------------------------------------------------------------------

/** IRP_MJ_* (and FltMgr pseudo-majors, FASTIO_*) → Procmon's basic operation name. */
const OPERATION: { readonly [op: string]: string } = {
  IRP_MJ_CREATE: 'CreateFile',
  IRP_MJ_CREATE_NAMED_PIPE: 'CreatePipe',
  IRP_MJ_CLOSE: 'IRP_MJ_CLOSE',
  IRP_MJ_READ: 'ReadFile',
  IRP_MJ_WRITE: 'WriteFile',
  IRP_MJ_QUERY_INFORMATION: 'QueryInformationFile',
  IRP_MJ_SET_INFORMATION: 'SetInformationFile',
  IRP_MJ_QUERY_EA: 'QueryEAFile',
  IRP_MJ_SET_EA: 'SetEAFile',
  IRP_MJ_FLUSH_BUFFERS: 'FlushBuffersFile',
  IRP_MJ_QUERY_VOLUME_INFORMATION: 'QueryVolumeInformation',
  IRP_MJ_SET_VOLUME_INFORMATION: 'SetVolumeInformation',
  IRP_MJ_DIRECTORY_CONTROL: 'DirectoryControl',
  IRP_MJ_FILE_SYSTEM_CONTROL: 'FileSystemControl',
  IRP_MJ_DEVICE_CONTROL: 'DeviceIoControl',
  IRP_MJ_INTERNAL_DEVICE_CONTROL: 'InternalDeviceIoControl',
  IRP_MJ_SHUTDOWN: 'Shutdown',
  IRP_MJ_LOCK_CONTROL: 'LockUnlockFile',
  IRP_MJ_CLEANUP: 'CloseFile',
  IRP_MJ_CREATE_MAILSLOT: 'CreateMailSlot',
  IRP_MJ_QUERY_SECURITY: 'QuerySecurityFile',
  IRP_MJ_SET_SECURITY: 'SetSecurityFile',
  IRP_MJ_POWER: 'Power',
  IRP_MJ_SYSTEM_CONTROL: 'SystemControl',
  IRP_MJ_DEVICE_CHANGE: 'DeviceChange',
  IRP_MJ_QUERY_QUOTA: 'QueryFileQuota',
  IRP_MJ_SET_QUOTA: 'SetFileQuota',
  IRP_MJ_PNP: 'PlugAndPlay',
  // Filter Manager pseudo-majors: Procmon names them after the FsFilter/fast-I/O callbacks
  IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION: 'CreateFileMapping',
  IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION: 'FASTIO_RELEASE_FOR_SECTION_SYNCHRONIZATION',
  IRP_MJ_ACQUIRE_FOR_MOD_WRITE: 'FASTIO_ACQUIRE_FOR_MOD_WRITE',
  IRP_MJ_RELEASE_FOR_MOD_WRITE: 'FASTIO_RELEASE_FOR_MOD_WRITE',
  IRP_MJ_ACQUIRE_FOR_CC_FLUSH: 'FASTIO_ACQUIRE_FOR_CC_FLUSH',
  IRP_MJ_RELEASE_FOR_CC_FLUSH: 'FASTIO_RELEASE_FOR_CC_FLUSH',
  IRP_MJ_QUERY_OPEN: 'QueryOpen',
  IRP_MJ_FAST_IO_CHECK_IF_POSSIBLE: 'FASTIO_CHECK_IF_POSSIBLE',
  IRP_MJ_NETWORK_QUERY_OPEN: 'QueryOpen',
  IRP_MJ_MDL_READ: 'ReadFile',
  IRP_MJ_MDL_READ_COMPLETE: 'FASTIO_MDL_READ_COMPLETE',
  IRP_MJ_PREPARE_MDL_WRITE: 'WriteFile',
  IRP_MJ_MDL_WRITE_COMPLETE: 'FASTIO_MDL_WRITE_COMPLETE',
  IRP_MJ_VOLUME_MOUNT: 'VolumeMount',
  IRP_MJ_VOLUME_DISMOUNT: 'VolumeDismount',
  // fast I/O: Procmon logs the fast paths under the IRP operation's name (the Result tells them
  // apart, e.g. FAST IO DISALLOWED); callbacks without an IRP equivalent keep their FASTIO_ name
  FASTIO_CHECK_IF_POSSIBLE: 'FASTIO_CHECK_IF_POSSIBLE',
  FASTIO_READ: 'ReadFile',
  FASTIO_WRITE: 'WriteFile',
  FASTIO_QUERY_BASIC_INFO: 'QueryBasicInformationFile', // unverified: by analogy with ReadFile/WriteFile
  FASTIO_QUERY_STANDARD_INFO: 'QueryStandardInformationFile', // unverified: as above
  FASTIO_LOCK: 'LockFile',
  FASTIO_UNLOCK_SINGLE: 'UnlockFileSingle',
  FASTIO_UNLOCK_ALL: 'UnlockFileAll',
  FASTIO_UNLOCK_ALL_BY_KEY: 'UnlockFileByKey',
  FASTIO_DEVICE_CONTROL: 'DeviceIoControl', // unverified: as above
  FASTIO_ACQUIRE_FILE: 'CreateFileMapping',
  FASTIO_RELEASE_FILE: 'FASTIO_RELEASE_FOR_SECTION_SYNCHRONIZATION',
  FASTIO_DETACH_DEVICE: 'FASTIO_DETACH_DEVICE',
  FASTIO_QUERY_NETWORK_OPEN_INFO: 'QueryNetworkOpenInformationFile', // unverified: as above
  FASTIO_ACQUIRE_FOR_MOD_WRITE: 'FASTIO_ACQUIRE_FOR_MOD_WRITE',
  FASTIO_MDL_READ: 'ReadFile',
  FASTIO_MDL_READ_COMPLETE: 'FASTIO_MDL_READ_COMPLETE',
  FASTIO_PREPARE_MDL_WRITE: 'WriteFile',
  FASTIO_MDL_WRITE_COMPLETE: 'FASTIO_MDL_WRITE_COMPLETE',
  FASTIO_READ_COMPRESSED: 'FASTIO_READ_COMPRESSED',
  FASTIO_WRITE_COMPRESSED: 'FASTIO_WRITE_COMPRESSED',
  FASTIO_MDL_READ_COMPLETE_COMPRESSED: 'FASTIO_MDL_READ_COMPLETE_COMPRESSED',
  FASTIO_MDL_WRITE_COMPLETE_COMPRESSED: 'FASTIO_MDL_WRITE_COMPLETE_COMPRESSED',
  FASTIO_QUERY_OPEN: 'QueryOpen',
  FASTIO_RELEASE_FOR_MOD_WRITE: 'FASTIO_RELEASE_FOR_MOD_WRITE',
  FASTIO_ACQUIRE_FOR_CC_FLUSH: 'FASTIO_ACQUIRE_FOR_CC_FLUSH',
  FASTIO_RELEASE_FOR_CC_FLUSH: 'FASTIO_RELEASE_FOR_CC_FLUSH',
  FASTIO_ACQUIRE_FOR_SECTION_SYNCHRONIZATION: 'CreateFileMapping',
  FASTIO_RELEASE_FOR_SECTION_SYNCHRONIZATION: 'FASTIO_RELEASE_FOR_SECTION_SYNCHRONIZATION',
  FASTIO_NETWORK_QUERY_OPEN: 'QueryOpen',
}

/**
 * IRP_MJ_QUERY_INFORMATION sub-operations by FILE_INFORMATION_CLASS. The names are Procmon's
 * own, irregular ones (QueryAttributeTagFile, QueryFileInternalInformationFile, QueryId …);
 * three carry Procmon's misspellings as procmon-parser records them (unverified against the binary).
 */
const QUERY_INFORMATION: { readonly [cls: number]: string } = {
  4: 'QueryBasicInformationFile',
  5: 'QueryStandardInformationFile',
  6: 'QueryFileInternalInformationFile',
  7: 'QueryEaInformationFile',
  9: 'QueryNameInformationFile',
  14: 'QueryPositionInformationFile',
  18: 'QueryAllInformationFile',
  20: 'QueryEndOfFile',
  22: 'QueryStreamInformationFile',
  28: 'QueryCompressionInformationFile',
  29: 'QueryId',
  31: 'QueryMoveClusterInformationFile',
  34: 'QueryNetworkOpenInformationFile',
  35: 'QueryAttributeTagFile',
  37: 'QueryIdBothDirectory',
  39: 'QueryValidDataLength',
  40: 'QueryShortNameInformationFile',
  43: 'QueryIoPiorityHint',
  46: 'QueryLinks',
  48: 'QueryNormalizedNameInformationFile',
  49: 'QueryNetworkPhysicalNameInformationFile',
  50: 'QueryIdGlobalTxDirectoryInformation',
  51: 'QueryIsRemoteDeviceInformation',
  52: 'QueryAttributeCacheInformation',
  53: 'QueryNumaNodeInformation',
  54: 'QueryStandardLinkInformation',
  55: 'QueryRemoteProtocolInformation',
  56: 'QueryRenameInformationBypassAccessCheck',
  57: 'QueryLinkInformationBypassAccessCheck',
  58: 'QueryVolumeNameInformation',
  59: 'QueryIdInformation',
  60: 'QueryIdExtdDirectoryInformation',
  62: 'QueryHardLinkFullIdInformation',
  63: 'QueryIdExtdBothDirectoryInformation',
  67: 'QueryDesiredStorageClassInformation',
  68: 'QueryStatInformation',
  69: 'QueryMemoryPartitionInformation',
  70: 'QuerySatLxInformation',
  71: 'QueryCaseSensitiveInformation',
  72: 'QueryLinkInformationEx',
  73: 'QueryLinkInfomraitonBypassAccessCheck',
  74: 'QueryStorageReservedIdInformation',
  75: 'QueryCaseSensitiveInformationForceAccessCheck',
}

/** IRP_MJ_SET_INFORMATION sub-operations by FILE_INFORMATION_CLASS. */
const SET_INFORMATION: { readonly [cls: number]: string } = {
  4: 'SetBasicInformationFile',
  10: 'SetRenameInformationFile',
  11: 'SetLinkInformationFile',
  13: 'SetDispositionInformationFile',
  14: 'SetPositionInformationFile',
  19: 'SetAllocationInformationFile',
  20: 'SetEndOfFileInformationFile',
  22: 'SetFileStreamInformation',
  23: 'SetPipeInformation',
  39: 'SetValidDataLengthInformationFile',
  40: 'SetShortNameInformation',
  61: 'SetReplaceCompletionInformation',
  64: 'SetDispositionInformationEx',
  65: 'SetRenameInformationEx',
  66: 'SetRenameInformationExBypassAccessCheck',
  74: 'SetStorageReservedIdInformation',
}

/** IRP_MJ_QUERY_VOLUME_INFORMATION sub-operations by FS_INFORMATION_CLASS. */
const QUERY_VOLUME: { readonly [cls: number]: string } = {
  1: 'QueryInformationVolume',
  2: 'QueryLabelInformationVolume',
  3: 'QuerySizeInformationVolume',
  4: 'QueryDeviceInformationVolume',
  5: 'QueryAttributeInformationVolume',
  6: 'QueryControlInformationVolume',
  7: 'QueryFullSizeInformationVolume',
  8: 'QueryObjectIdInformationVolume',
}

/** IRP_MJ_SET_VOLUME_INFORMATION sub-operations (unverified: procmon-parser files Control under 1). */
const SET_VOLUME: { readonly [cls: number]: string } = {
  2: 'SetLabelInformationVolume',
  6: 'SetControlInformationVolume',
  8: 'SetObjectIdInformationVolume',
}

const LOCK_MINOR: { readonly [minor: string]: string } = {
  IRP_MN_LOCK: 'LockFile',
  IRP_MN_UNLOCK_SINGLE: 'UnlockFileSingle',
  IRP_MN_UNLOCK_ALL: 'UnlockFileAll',
  IRP_MN_UNLOCK_ALL_BY_KEY: 'UnlockFileByKey',
}

function classNumber(minor: string | number | undefined, table: ConstTable): number | undefined {
  if (minor === undefined) return undefined
  if (typeof minor === 'number') return minor
  const v = enumValue(table, minor)
  if (v !== undefined) return v
  if (/^[0-9]+$/.test(minor)) return Number(minor)
  return undefined
}

/**
 * Procmon's operation name for an event's `op` and `minor` (the information class, FS
 * information class or IRP_MN_* where the operation has one).
 */
export function procmonOperation(op: string, minor?: string | number): string {
  switch (op) {
    case 'IRP_MJ_QUERY_INFORMATION': {
      const n = classNumber(minor, FILE_INFORMATION_CLASS)
      return (n !== undefined ? QUERY_INFORMATION[n] : undefined) ?? 'QueryInformationFile'
    }
    case 'IRP_MJ_SET_INFORMATION': {
      const n = classNumber(minor, FILE_INFORMATION_CLASS)
      return (n !== undefined ? SET_INFORMATION[n] : undefined) ?? 'SetInformationFile'
    }
    case 'IRP_MJ_QUERY_VOLUME_INFORMATION': {
      const n = classNumber(minor, FS_INFORMATION_CLASS)
      return (n !== undefined ? QUERY_VOLUME[n] : undefined) ?? 'QueryVolumeInformation'
    }
    case 'IRP_MJ_SET_VOLUME_INFORMATION': {
      const n = classNumber(minor, FS_INFORMATION_CLASS)
      return (n !== undefined ? SET_VOLUME[n] : undefined) ?? 'SetVolumeInformation'
    }
    case 'IRP_MJ_DIRECTORY_CONTROL': {
      const n = classNumber(minor, IRP_MN_DIRECTORY_CONTROL)
      if (n === 1) return 'QueryDirectory'
      if (n === 2 || n === 3) return 'NotifyChangeDirectory' // unverified for the _EX minor
      return 'DirectoryControl'
    }
    case 'IRP_MJ_LOCK_CONTROL': {
      if (typeof minor === 'string' && LOCK_MINOR[minor]) return LOCK_MINOR[minor]!
      const n = classNumber(minor, IRP_MN_LOCK_CONTROL)
      if (n !== undefined) {
        const name = Object.entries(IRP_MN_LOCK_CONTROL).find(([, v]) => v === n)?.[0]
        if (name && LOCK_MINOR[name]) return LOCK_MINOR[name]!
      }
      return 'LockUnlockFile'
    }
    default:
      return OPERATION[op] ?? op
  }
}

// ---- Result ----------------------------------------------------------------------------------

/** NTSTATUS → Procmon's Result text (Procmon's own table; STATUS_PENDING shows as blank). */
const RESULT: { readonly [code: number]: string } = {
  0x00000000: 'SUCCESS',
  0x00000103: '',
  0x00000104: 'REPARSE',
  0x00000105: 'MORE ENTRIES',
  0x00000108: 'OPLOCK BREAK IN PROGRESS',
  0x0000010b: 'NOTIFY CLEANUP',
  0x0000010c: 'NOTIFY ENUM DIR',
  0x0000012a: 'FILE LOCKED WITH ONLY READERS',
  0x0000012b: 'FILE LOCKED WITH WRITERS',
  0x00000215: 'OPLOCK SWITCHED TO NEW HANDLE',
  0x00000216: 'OPLOCK HANDLE CLOSED',
  0x00000367: 'WAIT FOR OPLOCK',
  0x40000016: 'PREDEFINED HANDLE',
  0x80000002: 'DATATYPE MISALIGNMENT',
  0x80000005: 'BUFFER OVERFLOW',
  0x80000006: 'NO MORE FILES',
  0x80000015: 'INVALID EA FLAG',
  0x8000001a: 'NO MORE ENTRIES',
  0xc0000001: 'UNSUCCESSFUL',
  0xc0000002: 'NOT IMPLEMENTED',
  0xc0000003: 'INVALID INFO CLASS',
  0xc0000004: 'INFO LENGTH MISMATCH',
  0xc0000005: 'ACCESS VIOLATION',
  0xc0000006: 'IN PAGE ERROR',
  0xc0000008: 'INVALID HANDLE',
  0xc000000d: 'INVALID PARAMETER',
  0xc000000e: 'NO SUCH DEVICE',
  0xc000000f: 'NO SUCH FILE',
  0xc0000010: 'INVALID DEVICE REQUEST',
  0xc0000011: 'END OF FILE',
  0xc0000012: 'WRONG VOLUME',
  0xc0000013: 'NO MEDIA',
  0xc0000015: 'NONEXISTENT SECTOR',
  0xc0000017: 'NO MEMORY',
  0xc0000021: 'ALREADY COMMITED',
  0xc0000022: 'ACCESS DENIED',
  0xc0000023: 'BUFFER TOO SMALL',
  0xc0000024: 'OBJECT TYPE MISMATCH',
  0xc0000032: 'DISK CORRUPT',
  0xc0000033: 'NAME INVALID',
  0xc0000034: 'NAME NOT FOUND',
  0xc0000035: 'NAME COLLISION',
  0xc0000039: 'OBJECT PATH INVALID',
  0xc000003a: 'PATH NOT FOUND',
  0xc000003b: 'PATH SYNTAX BAD',
  0xc000003c: 'DATA OVERRUN',
  0xc000003f: 'CRC ERROR',
  0xc0000043: 'SHARING VIOLATION',
  0xc0000044: 'QUOTA EXCEEDED',
  0xc000004f: 'EAS NOT SUPPORTED',
  0xc0000050: 'EA TOO LARGE',
  0xc0000051: 'NONEXISTENT EA ENTRY',
  0xc0000052: 'NO EAS ON FILE',
  0xc0000053: 'EA CORRUPTED ERROR',
  0xc0000054: 'FILE LOCK CONFLICT',
  0xc0000055: 'NOT GRANTED',
  0xc0000056: 'DELETE PENDING',
  0xc0000061: 'PRIVILEGE NOT HELD',
  0xc000006d: 'LOGON FAILURE',
  0xc000007e: 'RANGE NOT LOCKED',
  0xc000007f: 'DISK FULL',
  0xc0000098: 'FILE INVALID',
  0xc000009a: 'INSUFFICIENT RESOURCES',
  0xc000009c: 'DEVICE DATA ERROR',
  0xc000009d: 'DEVICE NOT CONNECTED',
  0xc00000a2: 'MEDIA WRITE PROTECTED',
  0xc00000a5: 'BAD IMPERSONATION',
  0xc00000b5: 'IO TIMEOUT',
  0xc00000ba: 'IS DIRECTORY',
  0xc00000bb: 'NOT SUPPORTED',
  0xc00000be: 'BAD NETWORK PATH',
  0xc00000cc: 'BAD NETWORK NAME',
  0xc00000d4: 'BAD NETWORK NAME',
  0xc00000d8: 'CANT WAIT',
  0xc00000e2: 'OPLOCK NOT GRANTED',
  0xc00000ef: 'INVALID PARAMETER 1',
  0xc00000f0: 'INVALID PARAMETER 2',
  0xc00000f1: 'INVALID PARAMETER 3',
  0xc00000f2: 'INVALID PARAMETER 4',
  0xc0000101: 'NOT EMPTY',
  0xc0000102: 'FILE CORRUPT',
  0xc0000103: 'NOT A DIRECTORY',
  0xc0000107: 'FILES OPEN',
  0xc0000120: 'CANCELLED',
  0xc0000121: 'CANNOT DELETE',
  0xc0000123: 'FILE DELETED',
  0xc0000128: 'FILE CLOSED',
  0xc0000184: 'INVALID DEVICE STATE',
  0xc0000185: 'IO DEVICE ERROR',
  0xc000019c: 'FS DRIVER REQUIRED',
  0xc0000225: 'NOT FOUND',
  0xc0000243: 'USER MAPPED FILE',
  0xc0000257: 'PATH NOT COVERED',
  0xc0000273: 'NO MORE MATCHES',
  0xc0000275: 'NOT REPARSE POINT',
  0xc00002ea: 'CANNOT MAKE',
  0xc00002f0: 'OBJECTID NOT FOUND',
  0xc0000427: 'FILE SYSTEM LIMITATION',
  0xc0000463: 'DEVICE FEATURE NOT SUPPORTED',
  0xc000046d: 'OBJECT NOT EXTERNALLY BACKED',
  0xc0000909: 'CANNOT BREAK OPLOCK',
  0xc000a2a3: 'OFFLOAD READ FILE NOT SUPPORTED',
  0xc000a2a4: 'OFFLOAD READ FILE NOT SUPPORTED',
  0xc01c0004: 'FAST IO DISALLOWED',
}

/**
 * Procmon's Result text for a status (name or number): `STATUS_OBJECT_NAME_NOT_FOUND` →
 * `NAME NOT FOUND`, `STATUS_FLT_DISALLOW_FAST_IO` → `FAST IO DISALLOWED`; codes Procmon does
 * not name print as `0xC000046F`; STATUS_PENDING (no completion seen) and no status print blank.
 */
export function procmonResult(status: string | number | undefined): string {
  if (status === undefined) return ''
  const code = typeof status === 'number' ? status >>> 0 : parseStatus(status)
  if (code === undefined) return String(status)
  return RESULT[code] ?? '0x' + code.toString(16).toUpperCase()
}

// ---- value readers ---------------------------------------------------------------------------

type Params = { readonly [name: string]: unknown }

function big(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v
  if (typeof v === 'number' && Number.isFinite(v)) return BigInt(Math.trunc(v))
  if (typeof v === 'string' && /^-?[0-9]+$/.test(v)) return BigInt(v)
  if (typeof v === 'string' && /^0x[0-9a-f]+$/i.test(v)) return BigInt(v)
  return undefined
}

/** A flags value from a number or names (list or `A | B`), using the tables given. */
function flagsValue(v: unknown, ...tables: ConstTable[]): number | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v === 'number' || typeof v === 'bigint') return Number(BigInt.asUintN(32, BigInt(v)))
  const names: unknown[] = Array.isArray(v) ? v : typeof v === 'string' ? v.split(/[|,\s]+/).filter((x) => x) : []
  let out = 0
  for (const n of names) {
    if (typeof n === 'number') out |= n
    else if (typeof n === 'string') {
      const b = big(n)
      if (b !== undefined) out |= Number(b)
      else for (const t of tables) if (t[n] !== undefined) out |= t[n]!
    }
  }
  return out >>> 0
}

function enumNumber(v: unknown, table: ConstTable): number | undefined {
  if (typeof v === 'number') return v
  if (typeof v === 'bigint') return Number(v)
  if (typeof v === 'string') return enumValue(table, v) ?? (big(v) !== undefined ? Number(big(v)) : undefined)
  return undefined
}

const bool = (v: unknown): string => (v === true || v === 1 || v === 'true' || v === 'True' ? 'True' : 'False')
const hexLower = (v: bigint): string => '0x' + BigInt.asUintN(64, v).toString(16)

/** Words of a mask, taking table entries in order and removing the bits each one uses. */
function maskWords(mask: number, words: readonly (readonly [number, string])[], sep = ', '): string {
  let m = mask >>> 0
  const out: string[] = []
  for (const [bits, word] of words) {
    if (((m & bits) >>> 0) === bits >>> 0) {
      out.push(word)
      m = (m & ~bits) >>> 0
    }
  }
  return out.join(sep)
}

// ---- Procmon vocabularies --------------------------------------------------------------------

const ACCESS_WORDS: readonly (readonly [number, string])[] = [
  [0x1f01ff, 'All Access'],
  [0x1201bf, 'Generic Read/Write/Execute'],
  [0x12019f, 'Generic Read/Write'],
  [0x1200a9, 'Generic Read/Execute'],
  [0x1201b6, 'Generic Write/Execute'],
  [0x120089, 'Generic Read'],
  [0x120116, 'Generic Write'],
  [0x1200a0, 'Generic Execute'],
  [0x1, 'Read Data/List Directory'],
  [0x2, 'Write Data/Add File'],
  [0x4, 'Append Data/Add Subdirectory/Create Pipe Instance'],
  [0x8, 'Read EA'],
  [0x10, 'Write EA'],
  [0x20, 'Execute/Traverse'],
  [0x40, 'Delete Child'],
  [0x80, 'Read Attributes'],
  [0x100, 'Write Attributes'],
  [0x10000, 'Delete'],
  [0x20000, 'Read Control'],
  [0x40000, 'Write DAC'],
  [0x80000, 'Write Owner'],
  [0x100000, 'Synchronize'],
  [0x1000000, 'Access System Security'],
  [0x2000000, 'Maximum Allowed'],
]

/** Procmon's Desired Access text: generic rights mapped, then the largest known groups first. */
export function accessText(mask: number): string {
  const mapped = mapGenericFileAccess(mask) | (mask & ACCESS.MAXIMUM_ALLOWED) | (mask & ACCESS.ACCESS_SYSTEM_SECURITY)
  const s = maskWords(mapped >>> 0, ACCESS_WORDS)
  return s === '' ? `None 0x${(mapped >>> 0).toString(16)}` : s
}

const OPTIONS_WORDS: readonly (readonly [number, string])[] = [
  [0x1, 'Directory'],
  [0x2, 'Write Through'],
  [0x4, 'Sequential Access'],
  [0x8, 'No Buffering'],
  [0x10, 'Synchronous IO Alert'],
  [0x20, 'Synchronous IO Non-Alert'],
  [0x40, 'Non-Directory File'],
  [0x80, 'Create Tree Connection'],
  [0x100, 'Complete If Oplocked'],
  [0x200, 'No EA Knowledge'],
  [0x400, 'Open for Recovery'],
  [0x800, 'Random Access'],
  [0x1000, 'Delete On Close'],
  [0x2000, 'Open By ID'],
  [0x4000, 'Open For Backup'],
  [0x8000, 'No Compression'],
  [0x100000, 'Reserve OpFilter'],
  [0x200000, 'Open Reparse Point'],
  [0x400000, 'Open No Recall'],
  [0x800000, 'Open For Free Space Query'],
  [0x10000, 'Open Requiring Oplock'],
  [0x20000, 'Disallow Exclusive'],
]

/** Procmon's Options / Mode text (CreateOptions words in Procmon's order). */
export function optionsText(options: number): string {
  return maskWords(options & 0xffffff, OPTIONS_WORDS)
}

const ATTRIBUTE_LETTERS: readonly (readonly [number, string])[] = [
  [0x1, 'R'],
  [0x2, 'H'],
  [0x4, 'S'],
  [0x10, 'D'],
  [0x20, 'A'],
  [0x40, 'D'],
  [0x80, 'N'],
  [0x100, 'T'],
  [0x200, 'SF'],
  [0x400, 'RP'],
  [0x800, 'C'],
  [0x1000, 'O'],
  [0x2000, 'NCI'],
  [0x4000, 'E'],
  [0x10000, 'V'],
]

/** Procmon's attribute letters (`A`, `HSANCI`, `RD`); 0 is `n/a`. */
export function attributeLetters(attributes: number): string {
  if (attributes === 0) return 'n/a'
  return maskWords(attributes, ATTRIBUTE_LETTERS, '')
}

/** Procmon's ShareMode text; 0 is `None`. */
export function shareText(share: number): string {
  if (share === 0) return 'None'
  return maskWords(share, [[0x1, 'Read'], [0x2, 'Write'], [0x4, 'Delete']])
}

const DISPOSITION_WORDS = ['Supersede', 'Open', 'Create', 'OpenIf', 'Overwrite', 'OverwriteIf']
const OPEN_RESULT_WORDS = ['Superseded', 'Opened', 'Created', 'Overwritten', 'Exists', 'DoesNotExist']

/** Procmon's Disposition word. */
export function dispositionText(d: number): string {
  return DISPOSITION_WORDS[d] ?? '<unknown>'
}
/** Procmon's OpenResult word (IoStatus.Information of a create). */
export function openResultText(r: number): string {
  return OPEN_RESULT_WORDS[r] ?? '<unknown>'
}

const IO_FLAG_WORDS: readonly (readonly [string, string])[] = [
  ['IRP_BUFFERED_IO', 'Buffered'],
  ['IRP_NOCACHE', 'Non-cached'],
  ['IRP_PAGING_IO', 'Paging I/O'],
  ['IRP_SYNCHRONOUS_API', 'Synchronous'],
  ['IRP_SYNCHRONOUS_PAGING_IO', 'Synchronous Paging I/O'],
  ['SL_WRITE_THROUGH', 'Write Through'],
]

/** Procmon's I/O Flags text from IRP flag names (write-through from the stack location). */
export function ioFlagsText(flags: readonly string[], writeThrough: boolean): string {
  const set = new Set(flags)
  if (writeThrough) set.add('SL_WRITE_THROUGH')
  return IO_FLAG_WORDS.filter(([f]) => set.has(f)).map(([, w]) => w).join(', ')
}

const NOTIFY_WORDS: readonly (readonly [number, string])[] = Object.entries(FILE_NOTIFY_CHANGE).map(([k, v]) => [v, k] as const)

const SECURITY_INFORMATION_WORDS: readonly (readonly [number, string])[] = [
  [0x1, 'Owner'],
  [0x2, 'Group'],
  [0x4, 'DACL'],
  [0x8, 'SACL'],
  [0x10, 'Label'],
  [0x20, 'Attribute'], // unverified word
  [0x40, 'Scope'], // unverified word
  [0x80, 'Process Trust Label'], // unverified word
  [0x10000, 'Backup'], // unverified word
  [0x80000000, 'DACL Protected'],
  [0x40000000, 'SACL Protected'], // unverified word
  [0x20000000, 'DACL Unprotected'], // unverified word
  [0x10000000, 'SACL Unprotected'],
]

/** FileSystemAttributes words in the order Procmon prints them; other bits follow in hex. */
const FS_ATTRIBUTE_WORDS: readonly (readonly [number, string])[] = [
  [0x2, 'Case Preserved'],
  [0x1, 'Case Sensitive'],
  [0x4, 'Unicode'],
  [0x8, 'ACLs'],
  [0x10, 'Compression'],
  [0x40000, 'Named Streams'],
  [0x20000, 'EFS'],
  [0x10000, 'Object IDs'],
  [0x80, 'Reparse Points'],
  [0x40, 'Sparse Files'],
  [0x20, 'Quotas'],
  [0x200000, 'Transactions'],
]

const ALIGNMENT_WORDS: { readonly [n: number]: string } = {
  0: 'Byte',
  1: 'Word',
  3: 'Long',
  7: 'Quad',
  15: 'Octa',
  31: '32 Byte', // unverified wording from here on
  63: '64 Byte',
  127: '128 Byte',
  255: '256 Byte',
  511: '512 Byte',
}

// ---- Detail ----------------------------------------------------------------------------------

/** What the Detail of an event is made from. */
export type DetailInput = Pick<TraceEvent, 'op' | 'phase' | 'flags' | 'params'> &
  Partial<Pick<TraceEvent, 'minor' | 'procmon' | 'status' | 'information' | 'output'>>

function completed(e: DetailInput): boolean {
  return (e.phase === 'post' || e.phase === 'complete') && e.status !== undefined && e.status !== 'STATUS_PENDING'
}

function succeeded(e: DetailInput): boolean {
  if (!completed(e)) return false
  const code = typeof e.status === 'string' ? parseStatus(e.status) : undefined
  return code !== undefined && code < 0x80000000 && code !== STATUS.STATUS_REPARSE && code !== STATUS.STATUS_PENDING
}

/** Output fields when the operation completed successfully or with a warning (BUFFER OVERFLOW). */
function outputOf(e: DetailInput): Params | undefined {
  if (!completed(e) || !e.output) return undefined
  const code = typeof e.status === 'string' ? parseStatus(e.status) : undefined
  if (code === undefined || code >= 0xc0000000) return undefined
  return e.output
}

type Field = readonly [string, string]
const join = (fields: readonly Field[]): string => fields.map(([k, v]) => `${k}: ${v}`).join(', ')

function dateField(v: unknown): string {
  const b = big(v)
  return b === undefined ? '' : b < 0n ? String(b) : formatFiletimeDate(b)
}
function num(v: unknown): string {
  const b = big(v)
  return b === undefined ? '' : thousands(b)
}

/** Procmon's Detail string for an event. */
export function procmonDetail(e: DetailInput): string {
  const name = e.procmon ?? procmonOperation(e.op, e.minor)
  const p = e.params
  const out = outputOf(e)
  switch (name) {
    case 'CreateFile':
      return createDetail(e)
    case 'ReadFile':
    case 'WriteFile':
      return readWriteDetail(e)
    case 'QueryDirectory':
      return queryDirectoryDetail(e)
    case 'NotifyChangeDirectory': {
      const f = flagsValue(p.CompletionFilter, FILE_NOTIFY_CHANGE)
      return f === undefined ? '' : join([['Filter', maskWords(f, NOTIFY_WORDS)]])
    }
    case 'SetDispositionInformationFile':
      return p.DeleteFile === undefined ? '' : join([['Delete', bool(p.DeleteFile)]])
    case 'SetDispositionInformationEx': {
      // unverified layout: Procmon shows a Flags field for the Ex class
      const f = flagsValue(p.Flags, FILE_DISPOSITION_FLAGS)
      return f === undefined ? '' : join([['Flags', f === 0 ? 'FILE_DISPOSITION_DO_NOT_DELETE' : flagNames(FILE_DISPOSITION_FLAGS, f, { composites: false }).join(', ')]])
    }
    case 'SetEndOfFileInformationFile':
      return p.EndOfFile === undefined ? '' : join([['EndOfFile', num(p.EndOfFile)]])
    case 'SetAllocationInformationFile':
      return p.AllocationSize === undefined ? '' : join([['AllocationSize', num(p.AllocationSize)]])
    case 'SetValidDataLengthInformationFile':
      return p.ValidDataLength === undefined ? '' : join([['ValidDataLength', num(p.ValidDataLength)]]) // unverified key
    case 'SetPositionInformationFile':
      return p.CurrentByteOffset === undefined ? '' : join([['CurrentByteOffset', num(p.CurrentByteOffset)]]) // unverified key
    case 'SetRenameInformationFile':
    case 'SetLinkInformationFile':
      return renameDetail(p, false)
    case 'SetRenameInformationEx':
    case 'SetRenameInformationExBypassAccessCheck':
      return renameDetail(p, true)
    case 'SetBasicInformationFile':
      return basicDetail(p)
    case 'QueryBasicInformationFile':
      return out ? basicDetail(out) : ''
    case 'QueryStandardInformationFile':
      return out ? join(standardFields(out)) : ''
    case 'QueryAllInformationFile':
      return out ? allDetail(out) : ''
    case 'QueryNameInformationFile':
    case 'QueryNormalizedNameInformationFile':
      // the captures show Name for QueryNameInformationFile; the normalized query prints nothing
      return out && name === 'QueryNameInformationFile' ? join([['Name', String(out.FileName ?? out.Name ?? '')]]) : ''
    case 'QueryAttributeTagFile':
      return out
        ? join([
            ['Attributes', attributeLetters(flagsValue(out.FileAttributes, FILE_ATTRIBUTE) ?? 0)],
            ['ReparseTag', hexLower(big(out.ReparseTag) ?? 0n)],
          ])
        : ''
    case 'QueryFileInternalInformationFile':
      return out ? join([['IndexNumber', hexLower(big(out.IndexNumber) ?? 0n)]]) : ''
    case 'QueryNetworkOpenInformationFile':
      // Procmon prints AllocationSize and EndOfFile of this class as dates (its own quirk,
      // seen in the captures: `AllocationSize: 1/1/1601 12:00:00 AM`); reproduced as is
      return out
        ? join([
            ['CreationTime', dateField(out.CreationTime)],
            ['LastAccessTime', dateField(out.LastAccessTime)],
            ['LastWriteTime', dateField(out.LastWriteTime)],
            ['ChangeTime', dateField(out.ChangeTime)],
            ['AllocationSize', dateField(out.AllocationSize)],
            ['EndOfFile', dateField(out.EndOfFile)],
            ['FileAttributes', attributeLetters(flagsValue(out.FileAttributes, FILE_ATTRIBUTE) ?? 0)],
          ])
        : ''
    case 'LockFile':
      return join([
        ['Exclusive', bool(p.ExclusiveLock)],
        ['Offset', num(p.ByteOffset)],
        ['Length', num(p.Length)],
        ['Fail Immediately', bool(p.FailImmediately)],
      ])
    case 'UnlockFileSingle':
      return join([
        ['Offset', num(p.ByteOffset)],
        ['Length', num(p.Length)],
      ])
    case 'UnlockFileByKey':
      return p.Key === undefined ? '' : join([['Key', num(p.Key)]]) // unverified
    case 'FileSystemControl':
    case 'DeviceIoControl':
    case 'InternalDeviceIoControl':
      return controlDetail(e, name)
    case 'CreateFileMapping':
      return mappingDetail(p)
    case 'FASTIO_ACQUIRE_FOR_MOD_WRITE':
      return p.EndingOffset === undefined ? '' : join([['EndingOffset', num(p.EndingOffset)]])
    case 'FASTIO_MDL_READ_COMPLETE':
    case 'FASTIO_MDL_WRITE_COMPLETE':
      return p.MdlChain === undefined ? '' : join([['MDL', String(p.MdlChain)]])
    case 'QuerySecurityFile':
    case 'SetSecurityFile': {
      const si = flagsValue(p.SecurityInformation)
      return si === undefined ? '' : join([['Information', maskWords(si, SECURITY_INFORMATION_WORDS)]])
    }
    case 'QueryInformationVolume':
      return out
        ? join([
            ['VolumeCreationTime', dateField(out.VolumeCreationTime)],
            ['VolumeSerialNumber', serialText(out.VolumeSerialNumber)],
            ['SupportsObjects', bool(out.SupportsObjects)],
            ['VolumeLabel', String(out.VolumeLabel ?? '')],
          ])
        : ''
    case 'QueryAttributeInformationVolume':
      return out
        ? join([
            ['FileSystemAttributes', fsAttributesText(flagsValue(out.FileSystemAttributes) ?? 0)],
            ['MaximumComponentNameLength', num(out.MaximumComponentNameLength)],
            ['FileSystemName', String(out.FileSystemName ?? '')],
          ])
        : ''
    case 'QuerySizeInformationVolume':
      return out
        ? join([
            ['TotalAllocationUnits', num(out.TotalAllocationUnits)],
            ['AvailableAllocationUnits', num(out.AvailableAllocationUnits)],
            ['SectorsPerAllocationUnit', num(out.SectorsPerAllocationUnit)],
            ['BytesPerSector', num(out.BytesPerSector)],
          ])
        : ''
    case 'QueryFullSizeInformationVolume':
      return out
        ? join([
            ['TotalAllocationUnits', num(out.TotalAllocationUnits)],
            ['CallerAvailableAllocationUnits', num(out.CallerAvailableAllocationUnits)],
            ['ActualAvailableAllocationUnits', num(out.ActualAvailableAllocationUnits)],
            ['SectorsPerAllocationUnit', num(out.SectorsPerAllocationUnit)],
            ['BytesPerSector', num(out.BytesPerSector)],
          ])
        : ''
    case 'QueryObjectIdInformationVolume':
      return out && out.ObjectId !== undefined ? join([['ObjectId', objectIdText(out.ObjectId)]]) : ''
    default:
      // CloseFile, IRP_MJ_CLOSE, FlushBuffersFile, QueryEAFile, SetEAFile, QueryOpen,
      // QueryIdInformation, QueryRemoteProtocolInformation, the FASTIO acquire/release callbacks …
      return ''
  }
}

function createDetail(e: DetailInput): string {
  const p = e.params
  const disposition = enumNumber(p.CreateDisposition, CREATE_DISPOSITION) ?? 1
  const fields: Field[] = [
    ['Desired Access', accessText(flagsValue(p.DesiredAccess, ACCESS) ?? 0)],
    ['Disposition', dispositionText(disposition)],
    ['Options', optionsText(flagsValue(p.CreateOptions ?? p.Options, CREATE_OPTIONS) ?? 0)],
    ['Attributes', attributeLetters(flagsValue(p.FileAttributes, FILE_ATTRIBUTE) ?? 0)],
    ['ShareMode', shareText(flagsValue(p.ShareAccess, SHARE_ACCESS) ?? 0)],
    // AllocationSize means something only when the create may make a file
    ['AllocationSize', [0, 2, 3, 5].includes(disposition) ? num(p.AllocationSize ?? 0) : 'n/a'],
  ]
  if (typeof p.Impersonating === 'string') fields.push(['Impersonating', p.Impersonating])
  if (succeeded(e) && e.information !== undefined) {
    const r = big(e.information)
    if (r !== undefined) fields.push(['OpenResult', openResultText(Number(r))])
  }
  return join(fields)
}

const FAST_IO_OPS = new Set(['FASTIO_READ', 'FASTIO_WRITE', 'FASTIO_MDL_READ', 'FASTIO_PREPARE_MDL_WRITE', 'IRP_MJ_MDL_READ', 'IRP_MJ_PREPARE_MDL_WRITE'])

function readWriteDetail(e: DetailInput): string {
  const p = e.params
  // on completion Procmon shows the bytes transferred as the Length
  let length = big(p.Length)
  if (completed(e) && e.information !== undefined && succeeded(e)) length = big(e.information) ?? length
  const fields: Field[] = [
    ['Offset', num(p.ByteOffset ?? p.Offset ?? 0)],
    ['Length', thousands(length ?? 0n)],
  ]
  const io = ioFlagsText(e.flags, p.WriteThrough === true)
  if (io !== '') fields.push(['I/O Flags', io])
  // the priority comes from the IRP; fast I/O has none
  const priority = typeof p.Priority === 'string' ? p.Priority : FAST_IO_OPS.has(e.op) ? undefined : 'Normal'
  if (priority) fields.push(['Priority', priority])
  return join(fields)
}

/**
 * QueryDirectory: `Filter` when a pattern was given, the names returned numbered from 1 after a
 * filter and from 0 without, and FileInformationClass. Procmon 3.x writes FileInformationClass
 * into the third slot, replacing the entry numbered 2 (`0: ., 1: .., FileInformationClass: …,
 * 3: a.txt`), and leaves it out when fewer than two slots precede it; reproduced as observed.
 */
function queryDirectoryDetail(e: DetailInput): string {
  const p = e.params
  const slots: string[] = []
  const filter = typeof p.FileName === 'string' && p.FileName !== '' ? p.FileName : undefined
  if (filter !== undefined) slots.push(`Filter: ${filter}`)
  const out = outputOf(e)
  const entries = out && Array.isArray(out.Entries) ? out.Entries : []
  let i = filter !== undefined ? 1 : 0
  for (const name of entries) slots.push(`${i++}: ${String(typeof name === 'object' && name !== null && 'FileName' in name ? (name as { FileName: unknown }).FileName : name)}`)
  const clsN = enumNumber(p.FileInformationClass, FILE_INFORMATION_CLASS)
  const cls = clsN !== undefined ? fileInformationClassName(clsN) ?? String(clsN) : undefined
  if (cls !== undefined && slots.length >= 2) {
    const fic = `FileInformationClass: ${cls}`
    if (slots.length > 2) slots[2] = fic
    else slots.push(fic)
  }
  return slots.join(', ')
}

function renameDetail(p: Params, ex: boolean): string {
  const flagsTable = ex ? { ...FILE_RENAME_FLAGS, ...FILE_LINK_FLAGS } : undefined
  const flags = ex ? flagsValue(p.Flags, flagsTable!) : undefined
  const replace = ex ? ((flags ?? 0) & 1) !== 0 : p.ReplaceIfExists === true
  const fields: Field[] = [
    ['ReplaceIfExists', replace ? 'True' : 'False'],
    ['FileName', dosName(p.FileName)],
  ]
  // unverified: the Ex classes add the flags after the name
  if (ex && flags !== undefined) fields.push(['Flags', flagNames(FILE_RENAME_FLAGS, flags, { composites: false }).join(', ')])
  return join(fields)
}

/** A target name as Procmon shows it: Win32 form. */
function dosName(v: unknown): string {
  const s = typeof v === 'string' ? v : typeof v === 'object' && v !== null && 'nt' in v ? String((v as { nt: unknown }).nt) : ''
  if (s.startsWith('\\??\\UNC\\')) return '\\\\' + s.slice(8)
  if (/^\\\?\?\\[A-Za-z]:/.test(s)) return s.slice(4)
  return s
}

function basicDetail(p: Params): string {
  return join([
    ['CreationTime', dateField(p.CreationTime ?? 0)],
    ['LastAccessTime', dateField(p.LastAccessTime ?? 0)],
    ['LastWriteTime', dateField(p.LastWriteTime ?? 0)],
    ['ChangeTime', dateField(p.ChangeTime ?? 0)],
    ['FileAttributes', attributeLetters(flagsValue(p.FileAttributes, FILE_ATTRIBUTE) ?? 0)],
  ])
}

function standardFields(o: Params): Field[] {
  return [
    ['AllocationSize', num(o.AllocationSize ?? 0)],
    ['EndOfFile', num(o.EndOfFile ?? 0)],
    ['NumberOfLinks', num(o.NumberOfLinks ?? 0)],
    ['DeletePending', bool(o.DeletePending)],
    ['Directory', bool(o.Directory)],
  ]
}

function allDetail(all: Params): string {
  // FILE_ALL_INFORMATION decoded by member structure (BasicInformation.CreationTime …) or flat
  const o: Params = { ...all }
  for (const v of Object.values(all)) if (typeof v === 'object' && v !== null && !Array.isArray(v)) Object.assign(o, v)
  const align = big(o.AlignmentRequirement)
  return join([
    ['CreationTime', dateField(o.CreationTime ?? 0)],
    ['LastAccessTime', dateField(o.LastAccessTime ?? 0)],
    ['LastWriteTime', dateField(o.LastWriteTime ?? 0)],
    ['ChangeTime', dateField(o.ChangeTime ?? 0)],
    ['FileAttributes', attributeLetters(flagsValue(o.FileAttributes, FILE_ATTRIBUTE) ?? 0)],
    ...standardFields(o),
    ['IndexNumber', hexLower(big(o.IndexNumber) ?? 0n)],
    ['EaSize', num(o.EaSize ?? 0)],
    ['Access', accessText(flagsValue(o.AccessFlags ?? o.Access, ACCESS) ?? 0)],
    ['Position', num(o.CurrentByteOffset ?? o.Position ?? 0)],
    ['Mode', optionsText(flagsValue(o.Mode, CREATE_OPTIONS) ?? 0)],
    ['AlignmentRequirement', align === undefined ? '' : ALIGNMENT_WORDS[Number(align)] ?? hexLower(align)],
  ])
}

function controlDetail(e: DetailInput, name: string): string {
  const p = e.params
  const raw = p.FsControlCode ?? p.IoControlCode ?? p.ControlCode
  let code = enumNumber(raw, FSCTL)
  let control: string
  if (typeof e.minor === 'string' && /^(FSCTL|IOCTL)_/.test(e.minor)) control = e.minor
  else if (code !== undefined) {
    const n = fsctlName(code)
    if (n.startsWith('0x')) {
      const d = decodeCtlCode(code)
      control = `0x${(code >>> 0).toString(16)} (Device:0x${d.deviceType.toString(16)} Function:${d.function} Method: ${d.method})`
    } else control = n
  } else control = typeof raw === 'string' ? raw : ''
  if (code === undefined && typeof e.minor === 'string') code = enumValue(FSCTL, e.minor)
  const fields: Field[] = [['Control', control]]
  if (name === 'FileSystemControl' && (control === 'FSCTL_OFFLOAD_READ' || control === 'FSCTL_OFFLOAD_WRITE')) {
    fields.push(['Offset', num(p.FileOffset ?? p.Offset ?? 0)], ['Length', num(p.CopyLength ?? p.Length ?? 0)])
  }
  return join(fields)
}

const PAGE_PROTECTION_ORDER: readonly string[] = [
  'PAGE_READONLY',
  'PAGE_READWRITE',
  'PAGE_WRITECOPY',
  'PAGE_EXECUTE',
  'PAGE_EXECUTE_READ',
  'PAGE_EXECUTE_READWRITE',
]

function mappingDetail(p: Params): string {
  const st = p.SyncType
  const syncType =
    st === 'SyncTypeCreateSection' || st === 1 ? 'SyncTypeCreateSection' : st === 'SyncTypeOther' || st === 0 || st === undefined ? 'SyncTypeOther' : `Unknown: 0x${Number(st).toString(16)}`
  const fields: Field[] = [['SyncType', syncType]]
  const prot = flagsValue(p.PageProtection, PAGE)
  if (prot !== undefined && prot !== 0) {
    // Procmon names the first base protection that has a bit in common, then |PAGE_NOCACHE
    // (with only PAGE_NOCACHE Procmon prints `|PAGE_NOCACHE`, as the 1903 capture shows)
    const base = PAGE_PROTECTION_ORDER.find((n) => (prot & (PAGE as ConstTable)[n]!) !== 0) ?? ''
    const nocache = (prot & PAGE.PAGE_NOCACHE) !== 0 ? '|PAGE_NOCACHE' : ''
    if (base !== '' || nocache !== '') fields.push(['PageProtection', base + nocache])
  }
  return join(fields)
}

function serialText(v: unknown): string {
  const b = big(v)
  if (b === undefined) return typeof v === 'string' ? v : ''
  const h = BigInt.asUintN(32, b).toString(16).toUpperCase().padStart(8, '0')
  return `${h.slice(0, 4)}-${h.slice(4)}`
}

function fsAttributesText(a: number): string {
  let rest = a >>> 0
  const words: string[] = []
  for (const [bit, word] of FS_ATTRIBUTE_WORDS) {
    if (rest & bit) {
      words.push(word)
      rest = (rest & ~bit) >>> 0
    }
  }
  if (rest !== 0) words.push('0x' + rest.toString(16))
  return words.join(', ')
}

function objectIdText(v: unknown): string {
  if (v instanceof Uint8Array) return Array.from(v, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join('')
  if (typeof v === 'string') return v.replace(/[{}-]/g, '').toUpperCase()
  return ''
}

// ---- Category --------------------------------------------------------------------------------

const READ_CONTROLS = new Set(['FSCTL_OFFLOAD_READ', 'FSCTL_GET_REPARSE_POINT', 'FSCTL_READ_RAW_ENCRYPTED'])
const WRITE_CONTROLS = new Set(['FSCTL_OFFLOAD_WRITE', 'FSCTL_MOVE_FILE', 'FSCTL_DELETE_REPARSE_POINT', 'FSCTL_WRITE_RAW_ENCRYPTED', 'FSCTL_PIPE_TRANSCEIVE', 'FSCTL_PIPE_INTERNAL_TRANSCEIVE'])
const WRITE_METADATA_CONTROLS = new Set([
  'FSCTL_SET_COMPRESSION', 'FSCTL_WRITE_PROPERTY_DATA', 'FSCTL_SET_OBJECT_ID', 'FSCTL_DELETE_OBJECT_ID', 'FSCTL_SET_REPARSE_POINT',
  'FSCTL_SET_SPARSE', 'FSCTL_SET_ENCRYPTION', 'FSCTL_CREATE_USN_JOURNAL', 'FSCTL_WRITE_USN_CLOSE_RECORD', 'FSCTL_EXTEND_VOLUME',
  'FSCTL_DELETE_USN_JOURNAL',
])
const READ_METADATA_CONTROLS = new Set([
  'FSCTL_QUERY_RETRIEVAL_POINTERS', 'FSCTL_GET_COMPRESSION', 'FSCTL_QUERY_FAT_BPB', 'FSCTL_FILESYSTEM_GET_STATISTICS',
  'FSCTL_GET_NTFS_VOLUME_DATA', 'FSCTL_GET_NTFS_FILE_RECORD', 'FSCTL_GET_VOLUME_BITMAP', 'FSCTL_GET_RETRIEVAL_POINTERS',
  'FSCTL_IS_VOLUME_DIRTY', 'FSCTL_READ_PROPERTY_DATA', 'FSCTL_FIND_FILES_BY_SID', 'FSCTL_GET_OBJECT_ID', 'FSCTL_READ_USN_JOURNAL',
  'FSCTL_SET_OBJECT_ID_EXTENDED', 'FSCTL_CREATE_OR_GET_OBJECT_ID', 'FSCTL_READ_FILE_USN_DATA', 'FSCTL_QUERY_USN_JOURNAL',
])

/** Procmon's Category column: Read, Write, Read Metadata, Write Metadata, or blank. */
export function procmonCategory(e: DetailInput): string {
  const name = e.procmon ?? procmonOperation(e.op, e.minor)
  if (name === 'ReadFile') return 'Read'
  if (name === 'WriteFile') return 'Write'
  if (name === 'CreateFile') {
    const r = succeeded(e) && e.information !== undefined ? Number(big(e.information)) : undefined
    if (r === 0 || r === 2 || r === 3) return 'Write'
    if (r !== undefined) return ''
    const d = enumNumber(e.params.CreateDisposition, CREATE_DISPOSITION) ?? 1
    return d === 1 ? '' : 'Write'
  }
  if (name === 'SetDispositionInformationFile') return e.params.DeleteFile === true ? 'Write' : ''
  if (name === 'FileSystemControl' || name === 'DeviceIoControl') {
    const c = controlDetail(e, name).replace(/^Control: /, '').split(',')[0]!
    if (READ_CONTROLS.has(c)) return 'Read'
    if (WRITE_CONTROLS.has(c)) return 'Write'
    if (WRITE_METADATA_CONTROLS.has(c)) return 'Write Metadata'
    if (READ_METADATA_CONTROLS.has(c)) return 'Read Metadata'
    return ''
  }
  if (name === 'QueryDirectory' || name === 'NotifyChangeDirectory' || name === 'QueryEAFile' || name === 'QuerySecurityFile') return 'Read Metadata'
  if (name.startsWith('Query') && name.endsWith('File')) return 'Read Metadata'
  if (name === 'QueryIdInformation' || name === 'QueryRemoteProtocolInformation') return 'Read Metadata'
  if (name === 'SetEAFile' || name === 'SetSecurityFile') return 'Write Metadata'
  if (name.startsWith('Set') && (name.endsWith('InformationFile') || name.endsWith('InformationEx'))) return 'Write Metadata'
  return ''
}


