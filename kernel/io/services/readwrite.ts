// NtReadFile and NtWriteFile: offsets for synchronous and asynchronous file objects, the
// fast-I/O attempt on cached file objects, then the IRP.

import type { Co } from '../../ke/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { BYTE_OFFSET_SPECIAL } from '../../nt/file.ts'
import { IRP_FLAGS, IRP_MJ } from '../../nt/irp.ts'
import { STATUS } from '../../nt/status.ts'
import { FO, type FileObject } from '../file-object.ts'
import type { IoStatusBlock } from '../irp.ts'
import type { IoManager } from '../iomgr.ts'
import { referenceFile, type ServiceResult } from './handles.ts'
import { acquireFileObjectLock, releaseFileObjectLock } from './sync.ts'

const USE_POSITION = BYTE_OFFSET_SPECIAL.FILE_USE_FILE_POINTER_POSITION
const TO_EOF = BYTE_OFFSET_SPECIAL.FILE_WRITE_TO_END_OF_FILE

export interface ReadArgs {
  FileHandle: number
  ByteOffset?: number
  Length: number
  Key?: number
}
export interface WriteArgs {
  FileHandle: number
  ByteOffset?: number
  Data: Uint8Array
  Key?: number
}

/** NtReadFile */
export function* NtReadFile(io: IoManager, a: ReadArgs): Co<ServiceResult & { data?: Uint8Array }> {
  const ref = referenceFile(io, a.FileHandle, ACCESS.FILE_READ_DATA)
  if ('status' in ref) return { status: ref.status, information: 0 }
  const fo = ref.fo
  fo.assertUsable('NtReadFile')
  const sync = (fo.Flags & FO.FO_SYNCHRONOUS_IO) !== 0
  if (!sync && (a.ByteOffset === undefined || a.ByteOffset === USE_POSITION)) return { status: STATUS.STATUS_INVALID_PARAMETER, information: 0 }
  const held = yield* acquireFileObjectLock(io, fo)
  try {
    const offset = a.ByteOffset === undefined || a.ByteOffset === USE_POSITION ? fo.CurrentByteOffset : a.ByteOffset
    if (offset < 0) return { status: STATUS.STATUS_INVALID_PARAMETER, information: 0 }
    const buffer = new Uint8Array(a.Length)
    const fast = yield* tryFastIo(io, fo, 'FastIoRead', offset, a.Length, a.Key ?? 0, buffer)
    if (fast) return { status: fast.Status, information: fast.Information, data: buffer.subarray(0, fast.Information) }
    const { irp, sp, device } = io.buildIrp(fo, IRP_MJ.IRP_MJ_READ)
    // ReactOS NtReadFile: IRP_READ_OPERATION, plus IRP_NOCACHE for FO_NO_INTERMEDIATE_BUFFERING; the
    // captures show no synchronous flag on user reads
    irp.Flags = IRP_FLAGS.IRP_READ_OPERATION | (fo.Flags & FO.FO_NO_INTERMEDIATE_BUFFERING ? IRP_FLAGS.IRP_NOCACHE : 0)
    irp.UserBuffer = buffer
    sp.Parameters.Read = { Length: a.Length, Key: a.Key ?? 0, ByteOffset: offset }
    const status = yield* io.issue(fo, device, irp)
    const n = irp.IoStatus.Information
    return { status, information: n, data: buffer.subarray(0, n) }
  } finally {
    releaseFileObjectLock(io, fo, held)
  }
}

/** NtWriteFile */
export function* NtWriteFile(io: IoManager, a: WriteArgs): Co<ServiceResult> {
  const ref = referenceFile(io, a.FileHandle, 0, ACCESS.FILE_WRITE_DATA | ACCESS.FILE_APPEND_DATA)
  if ('status' in ref) return { status: ref.status, information: 0 }
  const fo = ref.fo
  fo.assertUsable('NtWriteFile')
  const sync = (fo.Flags & FO.FO_SYNCHRONOUS_IO) !== 0
  let requested = a.ByteOffset
  // a handle with FILE_APPEND_DATA but not FILE_WRITE_DATA always writes at end of file (NtWriteFile)
  if (!(ref.entry.grantedAccess & ACCESS.FILE_WRITE_DATA)) requested = TO_EOF
  if (!sync && (requested === undefined || requested === USE_POSITION)) return { status: STATUS.STATUS_INVALID_PARAMETER, information: 0 }
  const held = yield* acquireFileObjectLock(io, fo)
  try {
    const offset = requested === undefined || requested === USE_POSITION ? fo.CurrentByteOffset : requested
    if (offset < 0 && offset !== TO_EOF) return { status: STATUS.STATUS_INVALID_PARAMETER, information: 0 }
    const fast = yield* tryFastIo(io, fo, 'FastIoWrite', offset, a.Data.length, a.Key ?? 0, a.Data)
    if (fast) return { status: fast.Status, information: fast.Information }
    const { irp, sp, device } = io.buildIrp(fo, IRP_MJ.IRP_MJ_WRITE)
    irp.Flags = IRP_FLAGS.IRP_WRITE_OPERATION | (fo.Flags & FO.FO_NO_INTERMEDIATE_BUFFERING ? IRP_FLAGS.IRP_NOCACHE : 0)
    irp.UserBuffer = a.Data
    sp.Parameters.Write = { Length: a.Data.length, Key: a.Key ?? 0, ByteOffset: offset }
    if (fo.Flags & FO.FO_WRITE_THROUGH) sp.Flags |= 0x04 // SL_WRITE_THROUGH
    const status = yield* io.issue(fo, device, irp)
    return { status, information: irp.IoStatus.Information }
  } finally {
    releaseFileObjectLock(io, fo, held)
  }
}

/**
 * The fast-I/O attempt the I/O manager makes for a cached file object: only when the file
 * system has initialized caching on it (PrivateCacheMap) and the top device offers the routine.
 * A FALSE answer falls back to the IRP.
 */
function* tryFastIo(
  io: IoManager,
  fo: FileObject,
  which: 'FastIoRead' | 'FastIoWrite',
  offset: number,
  length: number,
  key: number,
  buffer: Uint8Array,
): Co<IoStatusBlock | undefined> {
  if (!fo.PrivateCacheMap || offset === TO_EOF) return undefined
  const device = io.topDeviceFor(fo)
  const routine = device.DriverObject.FastIoDispatch?.[which]
  if (!routine) return undefined
  const iosb: IoStatusBlock = { Status: STATUS.STATUS_SUCCESS, Information: 0 }
  const done = yield* routine(fo, offset, length, true, key, buffer, iosb, device)
  return done ? iosb : undefined
}
