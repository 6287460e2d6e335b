// NtCreateFile, NtOpenFile, NtDeleteFile, NtQueryAttributesFile, NtQueryFullAttributesFile.
// Parameter validation follows IoCreateFileEx (documented checks; ReactOS io/iomgr/file.c and
// Wine's ntdll tests test_NtCreateFile give the expected statuses).

import type { Co } from '../../ke/index.ts'
import { ACCESS, mapGenericFileAccess } from '../../nt/access.ts'
import {
  CREATE_DISPOSITION,
  CREATE_OPTIONS,
  FILE_ATTRIBUTE_VALID_FLAGS,
  FILE_SHARE_VALID_FLAGS,
  FILE_VALID_OPTION_FLAGS,
  OBJ_ATTRIBUTES,
  SHARE_ACCESS,
} from '../../nt/file.ts'
import { FILE_INFORMATION_CLASS } from '../../nt/infoclass.ts'
import { IRP_FLAGS, IRP_MJ } from '../../nt/irp.ts'
import { NT_SUCCESS, STATUS, type NTSTATUS } from '../../nt/status.ts'
import type { EaEntry } from '../../fs/ntfs/store.ts'
import { defaultOpenPacket, parseDevice, type OpenPacket } from '../create.ts'
import { FileObject } from '../file-object.ts'
import type { IoStatusBlock } from '../irp.ts'
import type { IoManager } from '../iomgr.ts'
import { insertHandle, referenceFile, type ServiceResult } from './handles.ts'

export interface CreateFileArgs {
  FileName: string
  DesiredAccess: number
  /** OBJECT_ATTRIBUTES.Attributes (OBJ_CASE_INSENSITIVE …) */
  Attributes?: number
  RootDirectory?: number
  AllocationSize?: number
  FileAttributes?: number
  ShareAccess?: number
  CreateDisposition: number
  CreateOptions?: number
  EaBuffer?: EaEntry[]
}

export interface CreateFileResult extends ServiceResult {
  handle?: number
  fileObject?: FileObject
}

const O = CREATE_OPTIONS
/** options allowed with FILE_DIRECTORY_FILE (IoCreateFileEx) */
const DIRECTORY_VALID_OPTIONS =
  O.FILE_DIRECTORY_FILE |
  O.FILE_SYNCHRONOUS_IO_ALERT |
  O.FILE_SYNCHRONOUS_IO_NONALERT |
  O.FILE_WRITE_THROUGH |
  O.FILE_COMPLETE_IF_OPLOCKED |
  O.FILE_OPEN_FOR_BACKUP_INTENT |
  O.FILE_DELETE_ON_CLOSE |
  O.FILE_OPEN_FOR_FREE_SPACE_QUERY |
  O.FILE_OPEN_BY_FILE_ID |
  O.FILE_NO_COMPRESSION |
  O.FILE_OPEN_REPARSE_POINT |
  O.FILE_OPEN_REQUIRING_OPLOCK |
  O.FILE_DISALLOW_EXCLUSIVE |
  O.FILE_SESSION_AWARE |
  O.FILE_OPEN_NO_RECALL

/** the parameter checks IoCreateFileEx makes before anything reaches a file system */
export function validateCreate(a: CreateFileArgs): NTSTATUS {
  const options = a.CreateOptions ?? 0
  const access = a.DesiredAccess
  if (a.CreateDisposition < 0 || a.CreateDisposition > CREATE_DISPOSITION.FILE_OVERWRITE_IF) return STATUS.STATUS_INVALID_PARAMETER
  if ((a.FileAttributes ?? 0) & ~FILE_ATTRIBUTE_VALID_FLAGS) return STATUS.STATUS_INVALID_PARAMETER
  if ((a.ShareAccess ?? 0) & ~FILE_SHARE_VALID_FLAGS) return STATUS.STATUS_INVALID_PARAMETER
  if (options & ~FILE_VALID_OPTION_FLAGS) return STATUS.STATUS_INVALID_PARAMETER
  const sync = options & (O.FILE_SYNCHRONOUS_IO_ALERT | O.FILE_SYNCHRONOUS_IO_NONALERT)
  if (sync && !(access & ACCESS.SYNCHRONIZE)) return STATUS.STATUS_INVALID_PARAMETER
  if (sync === (O.FILE_SYNCHRONOUS_IO_ALERT | O.FILE_SYNCHRONOUS_IO_NONALERT)) return STATUS.STATUS_INVALID_PARAMETER
  if (options & O.FILE_DELETE_ON_CLOSE && !(access & ACCESS.DELETE)) return STATUS.STATUS_INVALID_PARAMETER
  if (options & O.FILE_DIRECTORY_FILE) {
    if (options & ~DIRECTORY_VALID_OPTIONS) return STATUS.STATUS_INVALID_PARAMETER
    const d = a.CreateDisposition
    if (d !== CREATE_DISPOSITION.FILE_CREATE && d !== CREATE_DISPOSITION.FILE_OPEN && d !== CREATE_DISPOSITION.FILE_OPEN_IF) return STATUS.STATUS_INVALID_PARAMETER
  }
  if (options & O.FILE_COMPLETE_IF_OPLOCKED && options & O.FILE_RESERVE_OPFILTER) return STATUS.STATUS_INVALID_PARAMETER
  if (options & O.FILE_NO_INTERMEDIATE_BUFFERING && access & ACCESS.FILE_APPEND_DATA) return STATUS.STATUS_INVALID_PARAMETER
  return STATUS.STATUS_SUCCESS
}

/** the lookup of `FileName` (absolute, or relative to RootDirectory) through the object manager */
export function* openByName(io: IoManager, name: string, rootDirectory: number | undefined, packet: OpenPacket): Co<{ status: NTSTATUS; fileObject?: FileObject; information: number }> {
  let status: NTSTATUS
  if (rootDirectory !== undefined && rootDirectory !== 0) {
    const ref = referenceFile(io, rootDirectory)
    if ('status' in ref) return { status: ref.status, information: 0 }
    if (name.startsWith('\\')) return { status: STATUS.STATUS_OBJECT_PATH_SYNTAX_BAD, information: 0 }
    packet.relatedFileObject = ref.fo
    const r = yield* parseDevice(io, ref.fo.DeviceObject, name, packet, 0)
    if (r.status === STATUS.STATUS_REPARSE && r.reparseName !== undefined) {
      packet.relatedFileObject = undefined
      const again = yield* io.ob.lookup(r.reparseName, packet)
      status = again.status
    } else status = r.status
  } else {
    const r = yield* io.ob.lookup(name, packet)
    status = r.status
    if (NT_SUCCESS(status) && r.object && !(r.object instanceof FileObject)) return { status: STATUS.STATUS_OBJECT_TYPE_MISMATCH, information: 0 }
  }
  if (!NT_SUCCESS(status) || !packet.fileObject) return { status, information: packet.information ?? 0 }
  return { status, fileObject: packet.fileObject, information: packet.information ?? 0 }
}

/** the system default: obcaseinsensitive = 1 forces case-insensitive lookups (ObCaseInsensitive) */
export function isCaseInsensitive(io: IoManager, attributes: number | undefined): boolean {
  return (attributes ?? 0) & OBJ_ATTRIBUTES.OBJ_CASE_INSENSITIVE ? true : io.obCaseInsensitive
}

/** NtCreateFile */
export function* NtCreateFile(io: IoManager, a: CreateFileArgs): Co<CreateFileResult> {
  const bad = validateCreate(a)
  if (bad !== STATUS.STATUS_SUCCESS) return { status: bad, information: 0 }
  // MAXIMUM_ALLOWED goes to the file system, which resolves it (a read-only file grants no write
  // access) and reports what it granted in the access state
  const access = mapGenericFileAccess(a.DesiredAccess)
  const packet = defaultOpenPacket({
    desiredAccess: access,
    shareAccess: a.ShareAccess ?? 0,
    disposition: a.CreateDisposition,
    createOptions: a.CreateOptions ?? 0,
    fileAttributes: a.FileAttributes ?? 0,
    allocationSize: a.AllocationSize ?? 0,
    eaBuffer: a.EaBuffer,
    caseInsensitive: isCaseInsensitive(io, a.Attributes),
  })
  const r = yield* openByName(io, a.FileName, a.RootDirectory, packet)
  if (!r.fileObject) return { status: r.status, information: r.information }
  const handle = insertHandle(io.currentProcess(), r.fileObject, packet.grantedAccess ?? access, (a.Attributes ?? 0) & OBJ_ATTRIBUTES.OBJ_INHERIT)
  return { status: r.status, information: r.information, handle, fileObject: r.fileObject }
}

/** NtOpenFile: NtCreateFile with FILE_OPEN */
export function* NtOpenFile(
  io: IoManager,
  a: { FileName: string; DesiredAccess: number; Attributes?: number; RootDirectory?: number; ShareAccess?: number; OpenOptions?: number },
): Co<CreateFileResult> {
  return yield* NtCreateFile(io, {
    FileName: a.FileName,
    DesiredAccess: a.DesiredAccess,
    Attributes: a.Attributes,
    RootDirectory: a.RootDirectory,
    ShareAccess: a.ShareAccess,
    CreateDisposition: CREATE_DISPOSITION.FILE_OPEN,
    CreateOptions: a.OpenOptions,
  })
}

/**
 * NtDeleteFile: opens the file for delete with FILE_DELETE_ON_CLOSE on a file object that
 * never gets a handle, so cleanup deletes it. unverified: the exact share and options (ReactOS
 * uses DELETE, share read/write/delete, FILE_DELETE_ON_CLOSE).
 */
export function* NtDeleteFile(io: IoManager, a: { FileName: string; Attributes?: number; RootDirectory?: number }): Co<ServiceResult> {
  const packet = defaultOpenPacket({
    desiredAccess: ACCESS.DELETE,
    shareAccess: SHARE_ACCESS.FILE_SHARE_READ | SHARE_ACCESS.FILE_SHARE_WRITE | SHARE_ACCESS.FILE_SHARE_DELETE,
    disposition: CREATE_DISPOSITION.FILE_OPEN,
    createOptions: O.FILE_DELETE_ON_CLOSE | O.FILE_OPEN_REPARSE_POINT,
    caseInsensitive: isCaseInsensitive(io, a.Attributes),
  })
  const r = yield* openByName(io, a.FileName, a.RootDirectory, packet)
  if (!r.fileObject) return { status: r.status, information: 0 }
  yield* io.dereference(r.fileObject)
  return { status: STATUS.STATUS_SUCCESS, information: 0 }
}

/** FILE_NETWORK_OPEN_INFORMATION (MS-FSCC 2.4.29): four times, AllocationSize, EndOfFile, FileAttributes, Reserved */
const NETWORK_OPEN_LENGTH = 56
/** FILE_BASIC_INFORMATION (MS-FSCC 2.4.7) */
const BASIC_LENGTH = 40

/** FILE_BASIC_INFORMATION from FILE_NETWORK_OPEN_INFORMATION: the same four times, then the attributes */
function basicFromNetworkOpen(net: Uint8Array): Uint8Array {
  const basic = new Uint8Array(BASIC_LENGTH)
  basic.set(net.subarray(0, 32))
  basic.set(net.subarray(48, 52), 32)
  return basic
}

/**
 * NtQueryAttributesFile / NtQueryFullAttributesFile: a query-only open (IopParseDevice with
 * OPEN_PACKET.QueryOnly, WRK iomgr/parse.c). FastIoQueryOpen is offered the open first; when it
 * returns FALSE (NTFS always does: `QueryOpen … FAST IO DISALLOWED`, observed) the I/O manager
 * opens the file (observed: IRP_MJ_CREATE with FILE_READ_ATTRIBUTES, share read/write/delete,
 * FILE_OPEN_REPARSE_POINT — FOKS-TROT #5), tries FastIoQueryBasicInfo (NtQueryAttributesFile) or
 * FastIoQueryNetworkOpenInfo (NtQueryFullAttributesFile) on it and, when that returns FALSE,
 * sends IRP_MJ_QUERY_INFORMATION (Flags 0x14, observed); then cleanup and close.
 */
export function* queryAttributesByName(
  io: IoManager,
  a: { FileName: string; Attributes?: number; RootDirectory?: number },
  infoClass: number,
  length: number,
): Co<ServiceResult & { buffer?: Uint8Array }> {
  const full = infoClass === FILE_INFORMATION_CLASS.FileNetworkOpenInformation
  const query: NonNullable<OpenPacket['queryOnly']> = { networkInformation: new Uint8Array(NETWORK_OPEN_LENGTH) }
  const packet = defaultOpenPacket({
    desiredAccess: ACCESS.FILE_READ_ATTRIBUTES,
    shareAccess: SHARE_ACCESS.FILE_SHARE_READ | SHARE_ACCESS.FILE_SHARE_WRITE | SHARE_ACCESS.FILE_SHARE_DELETE,
    disposition: CREATE_DISPOSITION.FILE_OPEN,
    createOptions: O.FILE_OPEN_REPARSE_POINT,
    caseInsensitive: isCaseInsensitive(io, a.Attributes),
    queryOnly: query,
  })
  const r = yield* openByName(io, a.FileName, a.RootDirectory, packet)
  if (query.answered) {
    const { status } = query.answered
    if (!NT_SUCCESS(status)) return { status, information: 0 }
    // unverified: WRK copies only FileAttributes into the basic buffer here; the times are taken too
    const buffer = full ? query.networkInformation : basicFromNetworkOpen(query.networkInformation)
    return { status, information: buffer.length, buffer }
  }
  if (!r.fileObject) return { status: r.status, information: 0 }
  const fo = r.fileObject
  try {
    const top = io.topDeviceFor(fo)
    const fast = full ? top.DriverObject.FastIoDispatch?.FastIoQueryNetworkOpenInfo : top.DriverObject.FastIoDispatch?.FastIoQueryBasicInfo
    if (fast) {
      const out = new Uint8Array(full ? NETWORK_OPEN_LENGTH : BASIC_LENGTH)
      const iosb: IoStatusBlock = { Status: STATUS.STATUS_SUCCESS, Information: 0 }
      if (yield* fast(fo, true, out, iosb, top)) return { status: iosb.Status, information: iosb.Information, buffer: out.subarray(0, iosb.Information) }
    }
    const { irp, sp, device } = io.buildIrp(fo, IRP_MJ.IRP_MJ_QUERY_INFORMATION)
    irp.Flags = IRP_FLAGS.IRP_BUFFERED_IO | IRP_FLAGS.IRP_SYNCHRONOUS_API
    irp.SystemBuffer = new Uint8Array(length)
    sp.Parameters.QueryFile = { Length: length, FileInformationClass: infoClass }
    const status = yield* io.sendAndWait(device, irp)
    const information = irp.IoStatus.Information
    return { status, information, buffer: irp.SystemBuffer.subarray(0, information) }
  } finally {
    yield* io.dereference(fo)
  }
}
