// NtQueryDirectoryFile and NtNotifyChangeDirectoryFile.

import type { Co } from '../../ke/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { IRP_FLAGS, IRP_MJ, IRP_MN_DIRECTORY_CONTROL, SL_FLAGS_QUERY_DIRECTORY } from '../../nt/irp.ts'
import { FILE_NOTIFY_VALID_MASK } from '../../nt/file.ts'
import { STATUS } from '../../nt/status.ts'
import { DIR_INFO_LENGTH } from '../../rtl/structs/dirinfo.ts'
import { fileInformationClassName } from '../../nt/infoclass.ts'
import type { Irp } from '../irp.ts'
import type { IoManager } from '../iomgr.ts'
import { sendFileIrp } from './file-irp.ts'
import type { ServiceResult } from './handles.ts'

/** SL_WATCH_TREE for IRP_MN_NOTIFY_CHANGE_DIRECTORY */
const SL_WATCH_TREE = 0x01

export interface QueryDirectoryArgs {
  FileHandle: number
  FileInformationClass: number
  Length: number
  FileName?: string
  RestartScan?: boolean
  ReturnSingleEntry?: boolean
  FileIndex?: number
}

/** NtQueryDirectoryFile */
export function* NtQueryDirectoryFile(io: IoManager, a: QueryDirectoryArgs): Co<ServiceResult & { buffer?: Uint8Array }> {
  const name = fileInformationClassName(a.FileInformationClass)
  const min = name ? DIR_INFO_LENGTH[name as keyof typeof DIR_INFO_LENGTH] : undefined
  if (min === undefined) return { status: STATUS.STATUS_INVALID_INFO_CLASS, information: 0 }
  if (a.Length < min) return { status: STATUS.STATUS_INFO_LENGTH_MISMATCH, information: 0 }
  const r = yield* sendFileIrp(io, a.FileHandle, 'NtQueryDirectoryFile', { all: ACCESS.FILE_LIST_DIRECTORY }, IRP_MJ.IRP_MJ_DIRECTORY_CONTROL, IRP_MN_DIRECTORY_CONTROL.IRP_MN_QUERY_DIRECTORY, (irp, sp) => {
    irp.Flags = IRP_FLAGS.IRP_INPUT_OPERATION | IRP_FLAGS.IRP_DEFER_IO_COMPLETION
    irp.UserBuffer = new Uint8Array(a.Length)
    sp.Flags =
      (a.RestartScan ? SL_FLAGS_QUERY_DIRECTORY.SL_RESTART_SCAN : 0) |
      (a.ReturnSingleEntry ? SL_FLAGS_QUERY_DIRECTORY.SL_RETURN_SINGLE_ENTRY : 0) |
      (a.FileIndex ? SL_FLAGS_QUERY_DIRECTORY.SL_INDEX_SPECIFIED : 0)
    sp.Parameters.QueryDirectory = { Length: a.Length, FileName: a.FileName, FileInformationClass: a.FileInformationClass, FileIndex: a.FileIndex ?? 0 }
  })
  return { status: r.status, information: r.information, buffer: r.irp?.UserBuffer?.subarray(0, r.information) }
}

/**
 * NtNotifyChangeDirectoryFile: pends until the file system completes it with changes. Returns
 * STATUS_PENDING with the IRP for an asynchronous handle; a synchronous one waits.
 */
export function* NtNotifyChangeDirectoryFile(
  io: IoManager,
  a: { FileHandle: number; CompletionFilter: number; WatchTree?: boolean; Length: number },
): Co<ServiceResult & { buffer?: Uint8Array; irp?: Irp }> {
  if (a.CompletionFilter === 0 || a.CompletionFilter & ~FILE_NOTIFY_VALID_MASK) return { status: STATUS.STATUS_INVALID_PARAMETER, information: 0 }
  const r = yield* sendFileIrp(io, a.FileHandle, 'NtNotifyChangeDirectoryFile', { all: ACCESS.FILE_LIST_DIRECTORY }, IRP_MJ.IRP_MJ_DIRECTORY_CONTROL, IRP_MN_DIRECTORY_CONTROL.IRP_MN_NOTIFY_CHANGE_DIRECTORY, (irp, sp) => {
    irp.Flags = IRP_FLAGS.IRP_INPUT_OPERATION | IRP_FLAGS.IRP_DEFER_IO_COMPLETION
    irp.UserBuffer = new Uint8Array(a.Length)
    sp.Flags = a.WatchTree ? SL_WATCH_TREE : 0
    sp.Parameters.NotifyDirectory = { Length: a.Length, CompletionFilter: a.CompletionFilter }
  })
  return { status: r.status, information: r.information, buffer: r.irp?.UserBuffer?.subarray(0, r.information), irp: r.irp }
}
