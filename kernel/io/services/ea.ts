// NtQueryEaFile and NtSetEaFile (IRP_MJ_QUERY_EA / IRP_MJ_SET_EA with FILE_FULL_EA_INFORMATION).

import type { Co } from '../../ke/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { IRP_FLAGS, IRP_MJ } from '../../nt/irp.ts'
import type { IoManager } from '../iomgr.ts'
import { sendFileIrp } from './file-irp.ts'
import type { ServiceResult } from './handles.ts'

/** SL_RESTART_SCAN, SL_RETURN_SINGLE_ENTRY, SL_INDEX_SPECIFIED for IRP_MJ_QUERY_EA */
const SL_RESTART_SCAN = 0x1
const SL_RETURN_SINGLE_ENTRY = 0x2
const SL_INDEX_SPECIFIED = 0x4

export interface QueryEaArgs {
  FileHandle: number
  Length: number
  ReturnSingleEntry?: boolean
  EaList?: string[]
  EaIndex?: number
  RestartScan?: boolean
}

/** NtQueryEaFile */
export function* NtQueryEaFile(io: IoManager, a: QueryEaArgs): Co<ServiceResult & { buffer?: Uint8Array }> {
  const r = yield* sendFileIrp(io, a.FileHandle, 'NtQueryEaFile', { all: ACCESS.FILE_READ_EA }, IRP_MJ.IRP_MJ_QUERY_EA, 0, (irp, sp) => {
    irp.Flags = IRP_FLAGS.IRP_BUFFERED_IO | IRP_FLAGS.IRP_DEALLOCATE_BUFFER | IRP_FLAGS.IRP_INPUT_OPERATION | IRP_FLAGS.IRP_DEFER_IO_COMPLETION
    irp.SystemBuffer = new Uint8Array(a.Length)
    sp.Flags = (a.RestartScan ? SL_RESTART_SCAN : 0) | (a.ReturnSingleEntry ? SL_RETURN_SINGLE_ENTRY : 0) | (a.EaIndex !== undefined ? SL_INDEX_SPECIFIED : 0)
    sp.Parameters.QueryEa = { Length: a.Length, EaList: a.EaList, EaIndex: a.EaIndex ?? 0 }
  })
  return { status: r.status, information: r.information, buffer: r.irp?.SystemBuffer?.subarray(0, r.information) }
}

/** NtSetEaFile: the buffer is a FILE_FULL_EA_INFORMATION chain */
export function* NtSetEaFile(io: IoManager, a: { FileHandle: number; Buffer: Uint8Array }): Co<ServiceResult> {
  const r = yield* sendFileIrp(io, a.FileHandle, 'NtSetEaFile', { all: ACCESS.FILE_WRITE_EA }, IRP_MJ.IRP_MJ_SET_EA, 0, (irp, sp) => {
    irp.Flags = IRP_FLAGS.IRP_BUFFERED_IO | IRP_FLAGS.IRP_DEALLOCATE_BUFFER | IRP_FLAGS.IRP_DEFER_IO_COMPLETION
    irp.SystemBuffer = a.Buffer
    sp.Parameters.SetEa = { Length: a.Buffer.length }
  })
  return { status: r.status, information: r.information }
}
