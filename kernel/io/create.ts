// The create path: IoCreateFile's OPEN_PACKET, IopParseDevice (the Device type's parse
// procedure: build IRP_MJ_CREATE, send it to the top of the file-system stack, handle
// STATUS_REPARSE), and the name substitution for symbolic links and mount points.

import { IRP_FLAGS, IRP_MJ, SL_FLAGS_CREATE } from '../nt/irp.ts'
import { CREATE_OPTIONS, IO_REPARSE, IO_REPARSE_TAG, SYMLINK_FLAG_RELATIVE } from '../nt/file.ts'
import { NT_ERROR, NT_WARNING, STATUS, type NTSTATUS } from '../nt/status.ts'
import type { Co } from '../ke/index.ts'
import type { ParseResult } from '../ob/index.ts'
import type { EaEntry } from '../fs/ntfs/store.ts'
import { IoGetAttachedDevice, type DeviceObject } from './device.ts'
import { FO, type FileObject } from './file-object.ts'
import type { IoManager } from './iomgr.ts'
import type { Irp } from './irp.ts'

/** OPEN_PACKET: what the caller asked for, carried through the object manager's lookup */
export interface OpenPacket {
  desiredAccess: number
  shareAccess: number
  disposition: number
  createOptions: number
  fileAttributes: number
  allocationSize: number
  eaBuffer: EaEntry[] | undefined
  /** OBJ_CASE_INSENSITIVE was given */
  caseInsensitive: boolean
  relatedFileObject: FileObject | undefined
  /** IO_OPEN_TARGET_DIRECTORY: open the parent of the name (rename and link targets) */
  openTargetDirectory: boolean
  /** SL_STOP_ON_SYMLINK */
  stopOnSymlink: boolean
  /** IoCreateFileSpecifyDeviceObjectHint / FltCreateFile: send the create to this device instead of the top */
  targetDevice: DeviceObject | undefined
  /** SL_FORCE_ACCESS_CHECK etc. added by the caller */
  extraSlFlags: number
  /** IO_IGNORE_SHARE_ACCESS_CHECK: the new file object ignores sharing (IoIsFileObjectIgnoringSharing) */
  ignoreShareAccess?: boolean
  /**
   * ECP_LIST: extra create parameters by GUID (IoCreateFileEx's DriverContext, FltCreateFileEx2).
   * The file object carries them while its create is in flight (FsRtlGetEcpListFromIrp).
   */
  extraCreateParameters?: Map<string, unknown>
  /**
   * OPEN_PACKET.QueryOnly (NtQueryAttributesFile, NtQueryFullAttributesFile): the parse
   * procedure first offers the open to FastIoQueryOpen with this FILE_NETWORK_OPEN_INFORMATION
   * buffer; `answered` is set when the fast path did the whole query (no file object then).
   */
  queryOnly?: { networkInformation: Uint8Array; answered?: { status: NTSTATUS; information: number } }
  /** set by the parse procedure on success */
  fileObject?: FileObject
  information?: number
  /** the access the file system granted (AccessState.PreviouslyGrantedAccess; MAXIMUM_ALLOWED resolved) */
  grantedAccess?: number
  /** how many times this open was reparsed */
  reparses: number
}

export function defaultOpenPacket(p: Partial<OpenPacket>): OpenPacket {
  return {
    desiredAccess: 0,
    shareAccess: 0,
    disposition: 1,
    createOptions: 0,
    fileAttributes: 0,
    allocationSize: 0,
    eaBuffer: undefined,
    caseInsensitive: true,
    relatedFileObject: undefined,
    openTargetDirectory: false,
    stopOnSymlink: false,
    targetDevice: undefined,
    extraSlFlags: 0,
    reparses: 0,
    ...p,
  }
}

function win32Path(device: DeviceObject, related: FileObject | undefined, name: string): string {
  // a stream opened relative to its file (`:s:$DATA`) joins without a separator
  if (related) return name === '' ? related.traceName : name.startsWith(':') ? related.traceName + name : related.traceName.replace(/\\$/, '') + '\\' + name
  const prefix = device.dosName ?? device.header.name
  return prefix + name
}

/** IopParseDevice for a volume device: the create IRP and its outcome */
export function* parseDevice(io: IoManager, device: DeviceObject, remaining: string, packet: OpenPacket, reparses: number): Co<ParseResult> {
  packet.reparses = reparses
  const vpb = device.Vpb
  if (!vpb?.DeviceObject) return { status: STATUS.STATUS_UNRECOGNIZED_VOLUME }
  const top = packet.targetDevice ?? IoGetAttachedDevice(vpb.DeviceObject)
  const fo = io.createFileObject(device, remaining)
  if (packet.ignoreShareAccess) fo.ignoreSharing = true
  fo.RelatedFileObject = packet.relatedFileObject
  const o = packet.createOptions
  if (o & (CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_ALERT | CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_NONALERT)) {
    fo.Flags |= FO.FO_SYNCHRONOUS_IO
    if (o & CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_ALERT) fo.Flags |= FO.FO_ALERTABLE_IO
  }
  if (o & CREATE_OPTIONS.FILE_NO_INTERMEDIATE_BUFFERING) fo.Flags |= FO.FO_NO_INTERMEDIATE_BUFFERING
  if (o & CREATE_OPTIONS.FILE_WRITE_THROUGH) fo.Flags |= FO.FO_WRITE_THROUGH
  if (o & CREATE_OPTIONS.FILE_SEQUENTIAL_ONLY) fo.Flags |= FO.FO_SEQUENTIAL_ONLY
  if (o & CREATE_OPTIONS.FILE_RANDOM_ACCESS) fo.Flags |= FO.FO_RANDOM_ACCESS
  if (!packet.caseInsensitive) fo.Flags |= FO.FO_OPENED_CASE_SENSITIVE
  if (remaining === '' && !packet.relatedFileObject) fo.Flags |= FO.FO_VOLUME_OPEN
  fo.traceName = win32Path(device, packet.relatedFileObject, remaining)
  if (packet.extraCreateParameters) fo.ext.set('io.ecpList', packet.extraCreateParameters)

  const { irp, sp } = io.buildIrp(fo, IRP_MJ.IRP_MJ_CREATE, 0, top)
  // observed: Irp->Flags 0x884 on creates from explorer.exe and notepad.exe (irp-sequences.md §1)
  irp.Flags = IRP_FLAGS.IRP_CREATE_OPERATION | IRP_FLAGS.IRP_SYNCHRONOUS_API | IRP_FLAGS.IRP_DEFER_IO_COMPLETION
  sp.Flags =
    (packet.caseInsensitive ? 0 : SL_FLAGS_CREATE.SL_CASE_SENSITIVE) |
    (packet.openTargetDirectory ? SL_FLAGS_CREATE.SL_OPEN_TARGET_DIRECTORY : 0) |
    (packet.stopOnSymlink ? SL_FLAGS_CREATE.SL_STOP_ON_SYMLINK : 0) |
    packet.extraSlFlags
  sp.Parameters.Create = {
    SecurityContext: { DesiredAccess: packet.desiredAccess, AccessState: { RemainingDesiredAccess: packet.desiredAccess, PreviouslyGrantedAccess: 0 } },
    Options: ((packet.disposition & 0xff) << 24) | (packet.createOptions & 0xffffff),
    FileAttributes: packet.fileAttributes,
    ShareAccess: packet.shareAccess,
    EaBuffer: packet.eaBuffer,
    EaLength: packet.eaBuffer ? packet.eaBuffer.length : 0,
    AllocationSize: packet.allocationSize,
  }
  if (packet.queryOnly && (yield* tryFastQueryOpen(top, irp, fo, packet.queryOnly))) return { status: STATUS.STATUS_SUCCESS }
  const status = yield* io.sendAndWait(top, irp)
  const information = irp.IoStatus.Information

  if (status === STATUS.STATUS_REPARSE) {
    fo.transition({ type: 'REPARSED' })
    fo.stop()
    if (information === IO_REPARSE) {
      // a filter or the file system replaced FileObject->FileName with the full new name
      return { status: STATUS.STATUS_REPARSE, reparseName: fo.FileName }
    }
    const name = substituteReparseName(device, packet, remaining, information, irp.AuxiliaryBuffer)
    if (name === undefined) return { status: STATUS.STATUS_IO_REPARSE_TAG_NOT_HANDLED }
    if (typeof name !== 'string') return { status: name.status }
    return { status: STATUS.STATUS_REPARSE, reparseName: name }
  }
  if (NT_ERROR(status) || NT_WARNING(status)) {
    fo.transition({ type: 'FAILED' })
    fo.FinalStatus = status
    fo.stop()
    return { status }
  }
  fo.transition({ type: 'CREATED' })
  fo.Flags |= FO.FO_FILE_OPEN
  packet.fileObject = fo
  packet.information = information
  const granted = sp.Parameters.Create.SecurityContext.AccessState?.PreviouslyGrantedAccess ?? 0
  packet.grantedAccess = granted !== 0 ? granted : packet.desiredAccess
  return { status, object: fo, information }
}

/**
 * IopParseDevice's fast network query open, before the create IRP is sent: the create's stack
 * location is made current and the IRP handed to FastIoQueryOpen of the top device. TRUE: the
 * query is done (its status in the IRP's IoStatus) and no file is opened; FALSE: the stack
 * location is given back and the IRP goes down as usual (WRK iomgr/parse.c).
 */
function* tryFastQueryOpen(top: DeviceObject, irp: Irp, fo: FileObject, query: NonNullable<OpenPacket['queryOnly']>): Co<boolean> {
  const fast = top.DriverObject.FastIoDispatch?.FastIoQueryOpen
  if (!fast) return false
  irp.CurrentLocation--
  const sp = irp.Stack[irp.CurrentLocation - 1]!
  sp.DeviceObject = top
  const done = yield* fast(irp, query.networkInformation, top)
  if (!done) {
    irp.CurrentLocation++
    return false
  }
  query.answered = { status: irp.IoStatus.Status, information: irp.IoStatus.Information }
  // the local file object of a query-only open never becomes a file: it is dropped unopened
  fo.note('answered by FastIoQueryOpen')
  fo.transition({ type: 'FAILED' })
  fo.stop()
  return true
}

/**
 * The I/O manager's handling of NTFS's STATUS_REPARSE for the two Microsoft name-surrogate
 * tags: the REPARSE_DATA_BUFFER's Reserved field holds the byte length of the unparsed rest of
 * the name. Absolute symbolic links and mount points substitute the prefix; relative symbolic
 * links resolve against the link's directory. Other tags are for filters to handle.
 */
function substituteReparseName(
  device: DeviceObject,
  packet: OpenPacket,
  remaining: string,
  tag: number,
  buf: Uint8Array | undefined,
): string | { status: number } | undefined {
  if (tag !== IO_REPARSE_TAG.IO_REPARSE_TAG_MOUNT_POINT && tag !== IO_REPARSE_TAG.IO_REPARSE_TAG_SYMLINK) return undefined
  if (!buf || buf.length < 16) return { status: STATUS.STATUS_IO_REPARSE_DATA_INVALID }
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  const unparsedBytes = dv.getUint16(6, true)
  const subOff = dv.getUint16(8, true)
  const subLen = dv.getUint16(10, true)
  const isLink = tag === IO_REPARSE_TAG.IO_REPARSE_TAG_SYMLINK
  const flags = isLink ? dv.getUint32(16, true) : 0
  const pathStart = isLink ? 20 : 16
  if (pathStart + subOff + subLen > buf.length) return { status: STATUS.STATUS_IO_REPARSE_DATA_INVALID }
  const substitute = utf16(buf.subarray(pathStart + subOff, pathStart + subOff + subLen))
  const fullName = (packet.relatedFileObject ? packet.relatedFileObject.FileName.replace(/\\$/, '') + '\\' : '') + remaining
  const unparsed = unparsedBytes > 0 ? fullName.slice(fullName.length - unparsedBytes / 2) : ''
  if (packet.stopOnSymlink && isLink) return { status: STATUS.STATUS_STOPPED_ON_SYMLINK }
  if (isLink && flags & SYMLINK_FLAG_RELATIVE) {
    // relative to the directory that holds the link
    const parsed = fullName.slice(0, fullName.length - unparsed.length)
    const linkDir = parsed.slice(0, parsed.lastIndexOf('\\'))
    const joined = normalizeNtPath(linkDir + '\\' + substitute)
    return device.header.name + joined + unparsed
  }
  return substitute + unparsed
}

/** resolves `.` and `..` components of an absolute NT path */
export function normalizeNtPath(p: string): string {
  const out: string[] = []
  for (const c of p.split('\\')) {
    if (c === '' || c === '.') continue
    if (c === '..') out.pop()
    else out.push(c)
  }
  return '\\' + out.join('\\')
}

function utf16(b: Uint8Array): string {
  let s = ''
  for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode(b[i]! | (b[i + 1]! << 8))
  return s
}
