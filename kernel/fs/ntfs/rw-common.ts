// What read and write share: the checks every data request passes (stream kind, handle
// state, file state), the starting offset rules (FILE_USE_FILE_POINTER_POSITION,
// FILE_WRITE_TO_END_OF_FILE), and the sector-alignment rule of non-cached I/O.

import { FO, type FileObject } from '../../io/file-object.ts'
import type { Irp } from '../../io/irp.ts'
import { BYTE_OFFSET_SPECIAL } from '../../nt/file.ts'
import { IRP_FLAGS } from '../../nt/irp.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import type { Ccb } from './structures.ts'

export const isPagingIo = (irp: Irp): boolean => (irp.Flags & IRP_FLAGS.IRP_PAGING_IO) !== 0

/** non-cached: IRP_NOCACHE (paging I/O, FILE_NO_INTERMEDIATE_BUFFERING handles) */
export const isNonCached = (irp: Irp, fo: FileObject): boolean =>
  (irp.Flags & IRP_FLAGS.IRP_NOCACHE) !== 0 || (fo.Flags & FO.FO_NO_INTERMEDIATE_BUFFERING) !== 0

/** the checks before any data is touched; undefined when the request may go on */
export function checkDataRequest(ccb: Ccb, irp: Irp): NTSTATUS | undefined {
  const { scb, fcb, vcb } = ccb
  if (vcb.dismounted) return STATUS.STATUS_VOLUME_DISMOUNTED
  // documented (ReadFile on a directory handle → ERROR_INVALID_FUNCTION)
  if (scb.kind === 'index') return STATUS.STATUS_INVALID_DEVICE_REQUEST
  // unverified: raw reads and writes of the volume through a DASD open are not served
  if (scb.kind === 'volume') return STATUS.STATUS_INVALID_DEVICE_REQUEST
  if (!isPagingIo(irp)) {
    // FsRtl/NTFS: only paging I/O may use a file object whose handle is gone
    if (ccb.flags.cleanedUp || (ccb.fileObject.Flags & FO.FO_CLEANUP_COMPLETE) !== 0) return STATUS.STATUS_FILE_CLOSED
  }
  if (fcb.fileDeleted) return STATUS.STATUS_FILE_DELETED
  return undefined
}

/**
 * The starting offset of a read or write. FILE_USE_FILE_POINTER_POSITION takes the file
 * object's position (synchronous handles only); FILE_WRITE_TO_END_OF_FILE (writes only) is
 * returned as 'eof'. Any other negative offset is invalid (observed, WinBtrfs io tests: a read
 * at FILE_WRITE_TO_END_OF_FILE → STATUS_INVALID_PARAMETER).
 */
export function startingOffset(fo: FileObject, requested: number, write: boolean): { offset: number | 'eof' } | { status: NTSTATUS } {
  if (requested === BYTE_OFFSET_SPECIAL.FILE_USE_FILE_POINTER_POSITION) {
    if (fo.Flags & FO.FO_SYNCHRONOUS_IO) return { offset: fo.CurrentByteOffset }
    return { status: STATUS.STATUS_INVALID_PARAMETER }
  }
  if (requested === BYTE_OFFSET_SPECIAL.FILE_WRITE_TO_END_OF_FILE && write) return { offset: 'eof' }
  if (requested < 0 || !Number.isSafeInteger(requested)) return { status: STATUS.STATUS_INVALID_PARAMETER }
  return { offset: requested }
}

/**
 * Non-cached I/O that is not paging I/O must start and end on sector boundaries
 * (documented: FILE_FLAG_NO_BUFFERING; observed, WinBtrfs io tests → STATUS_INVALID_PARAMETER).
 */
export function misaligned(bytesPerSector: number, offset: number, length: number): boolean {
  return offset % bytesPerSector !== 0 || length % bytesPerSector !== 0
}
