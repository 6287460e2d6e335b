// NtQueryInformationFile and NtSetInformationFile: the I/O manager's class and length checks,
// the access each class needs, the classes it answers itself, and the rename/link target open
// (IopOpenLinkOrRenameTarget) with SL_OPEN_TARGET_DIRECTORY.

import type { Co } from '../../ke/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_DISPOSITION, CREATE_OPTIONS, FILE_RENAME_FLAGS, SHARE_ACCESS } from '../../nt/file.ts'
import { fileInformationClassName, FILE_INFORMATION_CLASS as C, type FileInformationClassName } from '../../nt/infoclass.ts'
import { IRP_FLAGS, IRP_MJ } from '../../nt/irp.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import { FILE_INFO_LENGTH } from '../../rtl/structs/fileinfo-lengths.ts'
import { decodeRenameInformation, decodeRenameInformationEx } from '../../rtl/structs/fileinfo.ts'
import { defaultOpenPacket } from '../create.ts'
import { FO, type FileObject } from '../file-object.ts'
import type { IoStatusBlock } from '../irp.ts'
import type { IoManager } from '../iomgr.ts'
import { isCaseInsensitive, openByName } from './create.ts'
import { referenceFile, type ServiceResult } from './handles.ts'
import { acquireFileObjectLock, releaseFileObjectLock } from './sync.ts'

/** IopQueryOperationAccess (ReactOS io_i.h); classes not listed need no access */
const QUERY_ACCESS: Partial<Record<FileInformationClassName, number>> = {
  FileBasicInformation: ACCESS.FILE_READ_ATTRIBUTES,
  FileAllInformation: ACCESS.FILE_READ_ATTRIBUTES,
  FileNetworkOpenInformation: ACCESS.FILE_READ_ATTRIBUTES,
  FileAttributeTagInformation: ACCESS.FILE_READ_ATTRIBUTES,
  FileFullEaInformation: ACCESS.FILE_READ_EA,
  // unverified: the post-XP classes that return attributes are taken to need FILE_READ_ATTRIBUTES too
  FileStatInformation: ACCESS.FILE_READ_ATTRIBUTES,
  FileStatBasicInformation: ACCESS.FILE_READ_ATTRIBUTES,
}

/** IopSetOperationAccess (ReactOS io_i.h) */
const SET_ACCESS: Partial<Record<FileInformationClassName, number>> = {
  FileBasicInformation: ACCESS.FILE_WRITE_ATTRIBUTES,
  FileRenameInformation: ACCESS.DELETE,
  FileRenameInformationEx: ACCESS.DELETE,
  FileDispositionInformation: ACCESS.DELETE,
  FileDispositionInformationEx: ACCESS.DELETE,
  FileFullEaInformation: ACCESS.FILE_WRITE_EA,
  FileAllocationInformation: ACCESS.FILE_WRITE_DATA,
  FileEndOfFileInformation: ACCESS.FILE_WRITE_DATA,
  FileValidDataLengthInformation: ACCESS.FILE_WRITE_DATA,
  FileShortNameInformation: ACCESS.DELETE,
}

/**
 * The fast-I/O routines NtQueryInformationFile tries before the IRP, on a synchronous file
 * object only and for these two classes only (NtQueryInformationFile, Windows 10; the same in
 * ReactOS iofunc.c). FileNetworkOpenInformation has its fast path in the query-only open of
 * NtQueryFullAttributesFile, not here.
 */
const FAST_QUERY: Partial<Record<number, 'FastIoQueryBasicInfo' | 'FastIoQueryStandardInfo'>> = {
  [C.FileBasicInformation]: 'FastIoQueryBasicInfo',
  [C.FileStandardInformation]: 'FastIoQueryStandardInfo',
}

/** FILE_MODE_INFORMATION bits from the file object's flags */
function modeOf(fo: FileObject): number {
  let m = 0
  if (fo.Flags & FO.FO_WRITE_THROUGH) m |= CREATE_OPTIONS.FILE_WRITE_THROUGH
  if (fo.Flags & FO.FO_SEQUENTIAL_ONLY) m |= CREATE_OPTIONS.FILE_SEQUENTIAL_ONLY
  if (fo.Flags & FO.FO_NO_INTERMEDIATE_BUFFERING) m |= CREATE_OPTIONS.FILE_NO_INTERMEDIATE_BUFFERING
  if (fo.Flags & FO.FO_SYNCHRONOUS_IO) m |= fo.Flags & FO.FO_ALERTABLE_IO ? CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_ALERT : CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_NONALERT
  if (fo.Flags & FO.FO_DELETE_ON_CLOSE) m |= CREATE_OPTIONS.FILE_DELETE_ON_CLOSE
  return m
}

/** FILE_WORD_ALIGNMENT: what NTFS volumes report (WinBtrfs src/tests observed it on Windows) */
const ALIGNMENT_REQUIREMENT = 1

function u32(value: number): Uint8Array {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setUint32(0, value >>> 0, true)
  return b
}
function u64(value: number): Uint8Array {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigInt64(0, BigInt(value), true)
  return b
}

export interface QueryInfoResult extends ServiceResult {
  buffer?: Uint8Array
}

/** NtQueryInformationFile */
export function* NtQueryInformationFile(io: IoManager, a: { FileHandle: number; FileInformationClass: number; Length: number }): Co<QueryInfoResult> {
  const name = fileInformationClassName(a.FileInformationClass)
  const lengths = name ? FILE_INFO_LENGTH[name] : undefined
  if (!name || !lengths || lengths.query === 0 || lengths.kernelOnly) return { status: STATUS.STATUS_INVALID_INFO_CLASS, information: 0 }
  if (a.Length < lengths.query) return { status: STATUS.STATUS_INFO_LENGTH_MISMATCH, information: 0 }
  const ref = referenceFile(io, a.FileHandle, QUERY_ACCESS[name] ?? 0)
  if ('status' in ref) return { status: ref.status, information: 0 }
  const fo = ref.fo
  fo.assertUsable('NtQueryInformationFile')
  const sync = (fo.Flags & FO.FO_SYNCHRONOUS_IO) !== 0
  // classes the I/O manager answers from the handle and the file object, without an IRP
  if (a.FileInformationClass === C.FileAccessInformation) return { status: STATUS.STATUS_SUCCESS, information: 4, buffer: u32(ref.entry.grantedAccess) }
  if (a.FileInformationClass === C.FileModeInformation) return { status: STATUS.STATUS_SUCCESS, information: 4, buffer: u32(modeOf(fo)) }
  // WinBtrfs's tests observed FILE_WORD_ALIGNMENT (1) on NTFS: the volume device's AlignmentRequirement
  if (a.FileInformationClass === C.FileAlignmentInformation) return { status: STATUS.STATUS_SUCCESS, information: 4, buffer: u32(ALIGNMENT_REQUIREMENT) }
  if (a.FileInformationClass === C.FilePositionInformation && sync) return { status: STATUS.STATUS_SUCCESS, information: 8, buffer: u64(fo.CurrentByteOffset) }
  const held = yield* acquireFileObjectLock(io, fo)
  try {
    // the fast path, under the file object's lock; FALSE (FAST IO DISALLOWED) falls back to the IRP
    const fastRoutine = sync ? FAST_QUERY[a.FileInformationClass] : undefined
    if (fastRoutine) {
      const top = io.topDeviceFor(fo)
      const routine = top.DriverObject.FastIoDispatch?.[fastRoutine]
      if (routine) {
        const out = new Uint8Array(a.Length)
        const iosb: IoStatusBlock = { Status: STATUS.STATUS_SUCCESS, Information: 0 }
        if (yield* routine(fo, true, out, iosb, top)) return { status: iosb.Status, information: iosb.Information, buffer: out.subarray(0, iosb.Information) }
      }
    }
    // query and set information are synchronous even on an asynchronous handle: the I/O
    // manager waits for a pending IRP on a local event (NtQueryInformationFile)
    const { irp, sp, device } = io.buildIrp(fo, IRP_MJ.IRP_MJ_QUERY_INFORMATION)
    // observed: 0x870 (+ undocumented 0x60000) on notepad's queries (FOKS-TROT #5)
    irp.Flags = IRP_FLAGS.IRP_BUFFERED_IO | IRP_FLAGS.IRP_DEALLOCATE_BUFFER | IRP_FLAGS.IRP_INPUT_OPERATION | IRP_FLAGS.IRP_DEFER_IO_COMPLETION
    irp.SystemBuffer = new Uint8Array(a.Length)
    sp.Parameters.QueryFile = { Length: a.Length, FileInformationClass: a.FileInformationClass }
    const status = yield* io.sendAndWait(device, irp)
    const n = irp.IoStatus.Information
    const buffer = irp.SystemBuffer.subarray(0, n)
    if (a.FileInformationClass === C.FileAllInformation && n >= 96) {
      // the I/O manager's part of FILE_ALL_INFORMATION (unverified: which parts the file system leaves to it)
      const dv = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength)
      dv.setUint32(76, ref.entry.grantedAccess >>> 0, true) // AccessInformation
      if (sync) dv.setBigInt64(80, BigInt(fo.CurrentByteOffset), true) // PositionInformation
      dv.setUint32(88, modeOf(fo), true) // ModeInformation
      dv.setUint32(92, ALIGNMENT_REQUIREMENT, true) // AlignmentInformation
    }
    return { status, information: n, buffer }
  } finally {
    releaseFileObjectLock(io, fo, held)
  }
}

/** NtSetInformationFile; `FileInformation` holds the structure's bytes */
export function* NtSetInformationFile(io: IoManager, a: { FileHandle: number; FileInformationClass: number; FileInformation: Uint8Array; Length?: number }): Co<ServiceResult> {
  const length = a.Length ?? a.FileInformation.length
  const name = fileInformationClassName(a.FileInformationClass)
  const lengths = name ? FILE_INFO_LENGTH[name] : undefined
  if (!name || !lengths || lengths.set === 0 || lengths.kernelOnly) return { status: STATUS.STATUS_INVALID_INFO_CLASS, information: 0 }
  if (length < lengths.set) return { status: STATUS.STATUS_INFO_LENGTH_MISMATCH, information: 0 }
  const ref = referenceFile(io, a.FileHandle, SET_ACCESS[name] ?? 0)
  if ('status' in ref) return { status: ref.status, information: 0 }
  const fo = ref.fo
  fo.assertUsable('NtSetInformationFile')
  const buf = a.FileInformation.subarray(0, length)
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  const sync = (fo.Flags & FO.FO_SYNCHRONOUS_IO) !== 0
  if (a.FileInformationClass === C.FilePositionInformation && sync) {
    const pos = Number(dv.getBigInt64(0, true))
    // documented: with FILE_NO_INTERMEDIATE_BUFFERING the position must be sector-aligned
    if (pos < 0 || (fo.Flags & FO.FO_NO_INTERMEDIATE_BUFFERING && pos % 512 !== 0)) return { status: STATUS.STATUS_INVALID_PARAMETER, information: 0 }
    fo.CurrentByteOffset = pos
    return { status: STATUS.STATUS_SUCCESS, information: 0 }
  }
  if (a.FileInformationClass === C.FileModeInformation) {
    const mode = dv.getUint32(0, true)
    const settable = CREATE_OPTIONS.FILE_WRITE_THROUGH | CREATE_OPTIONS.FILE_SEQUENTIAL_ONLY | CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_ALERT | CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_NONALERT
    if (mode & ~settable) return { status: STATUS.STATUS_INVALID_PARAMETER, information: 0 }
    // the synchronous bits must match how the file was opened
    const syncBits = mode & (CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_ALERT | CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_NONALERT)
    if ((syncBits !== 0) !== sync) return { status: STATUS.STATUS_INVALID_PARAMETER, information: 0 }
    fo.Flags = (fo.Flags & ~(FO.FO_WRITE_THROUGH | FO.FO_SEQUENTIAL_ONLY)) | (mode & CREATE_OPTIONS.FILE_WRITE_THROUGH ? FO.FO_WRITE_THROUGH : 0) | (mode & CREATE_OPTIONS.FILE_SEQUENTIAL_ONLY ? FO.FO_SEQUENTIAL_ONLY : 0)
    return { status: STATUS.STATUS_SUCCESS, information: 0 }
  }

  let target: FileObject | undefined
  let replaceIfExists = false
  const isRename = a.FileInformationClass === C.FileRenameInformation || a.FileInformationClass === C.FileRenameInformationEx
  const isLink = a.FileInformationClass === C.FileLinkInformation || a.FileInformationClass === C.FileLinkInformationEx
  if (isRename || isLink) {
    const ex = a.FileInformationClass === C.FileRenameInformationEx || a.FileInformationClass === C.FileLinkInformationEx
    const info = ex ? decodeRenameInformationEx(buf) : decodeRenameInformation(buf)
    const flags = 'Flags' in info ? info.Flags : 0
    replaceIfExists = 'ReplaceIfExists' in info ? info.ReplaceIfExists : (flags & FILE_RENAME_FLAGS.FILE_RENAME_REPLACE_IF_EXISTS) !== 0
    const rootDirectory = Number(info.RootDirectory)
    if (info.FileName.includes('\\') || rootDirectory !== 0) {
      const r = yield* openTarget(io, info.FileName, rootDirectory, isCaseInsensitive(io, undefined))
      if ('status' in r) return { status: r.status, information: 0 }
      target = r.fo
      if (target.DeviceObject !== fo.DeviceObject) {
        yield* io.dereference(target)
        return { status: STATUS.STATUS_NOT_SAME_DEVICE, information: 0 }
      }
    }
  }
  const held = yield* acquireFileObjectLock(io, fo)
  try {
    const { irp, sp, device } = io.buildIrp(fo, IRP_MJ.IRP_MJ_SET_INFORMATION)
    irp.Flags = IRP_FLAGS.IRP_BUFFERED_IO | IRP_FLAGS.IRP_DEALLOCATE_BUFFER | IRP_FLAGS.IRP_DEFER_IO_COMPLETION
    irp.SystemBuffer = buf
    sp.Parameters.SetFile = {
      Length: length,
      FileInformationClass: a.FileInformationClass,
      FileObject: target,
      ReplaceIfExists: replaceIfExists,
      AdvanceOnly: false,
      ClusterCount: 0,
      DeleteHandle: a.FileInformationClass === C.FileDispositionInformation || a.FileInformationClass === C.FileDispositionInformationEx ? a.FileHandle : undefined,
    }
    const status = yield* io.sendAndWait(device, irp)
    return { status, information: irp.IoStatus.Information }
  } finally {
    releaseFileObjectLock(io, fo, held)
    if (target) yield* io.dereference(target)
  }
}

/**
 * IopOpenLinkOrRenameTarget: opens the parent directory of the new name with
 * SL_OPEN_TARGET_DIRECTORY. unverified: the access (FILE_WRITE_DATA | SYNCHRONIZE, i.e. add a
 * file) and share (read | write) are those ReactOS uses.
 */
function* openTarget(io: IoManager, name: string, rootDirectory: number, caseInsensitive: boolean): Co<{ fo: FileObject } | { status: NTSTATUS }> {
  const packet = defaultOpenPacket({
    desiredAccess: ACCESS.FILE_WRITE_DATA | ACCESS.SYNCHRONIZE,
    shareAccess: SHARE_ACCESS.FILE_SHARE_READ | SHARE_ACCESS.FILE_SHARE_WRITE,
    disposition: CREATE_DISPOSITION.FILE_OPEN,
    createOptions: CREATE_OPTIONS.FILE_OPEN_FOR_BACKUP_INTENT,
    openTargetDirectory: true,
    caseInsensitive,
  })
  const r = yield* openByName(io, name, rootDirectory || undefined, packet)
  if (!r.fileObject) return { status: r.status }
  return { fo: r.fileObject }
}
