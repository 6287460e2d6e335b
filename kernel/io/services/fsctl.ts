// NtFsControlFile: the FSCTL's method and required access come from its CTL_CODE.

import type { Co } from '../../ke/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { IRP_FLAGS, IRP_MJ, IRP_MN_FILE_SYSTEM_CONTROL } from '../../nt/irp.ts'
import type { IoStatusBlock } from '../irp.ts'
import type { IoManager } from '../iomgr.ts'
import { sendFileIrp } from './file-irp.ts'
import type { ServiceResult } from './handles.ts'

/** CTL_CODE(DeviceType, Function, Method, Access): access in bits 14–15 */
const FILE_READ_ACCESS = 1
const FILE_WRITE_ACCESS = 2

/** NtFsControlFile */
export function* NtFsControlFile(
  io: IoManager,
  a: { FileHandle: number; FsControlCode: number; InputBuffer?: Uint8Array; OutputBufferLength?: number },
): Co<ServiceResult & { output?: Uint8Array; IoStatusBlock?: IoStatusBlock; OutputBuffer?: Uint8Array }> {
  const required = (a.FsControlCode >>> 14) & 3
  const access = (required & FILE_READ_ACCESS ? ACCESS.FILE_READ_DATA : 0) | (required & FILE_WRITE_ACCESS ? ACCESS.FILE_WRITE_DATA : 0)
  const outLen = a.OutputBufferLength ?? 0
  const r = yield* sendFileIrp(io, a.FileHandle, 'NtFsControlFile', { any: access }, IRP_MJ.IRP_MJ_FILE_SYSTEM_CONTROL, IRP_MN_FILE_SYSTEM_CONTROL.IRP_MN_USER_FS_REQUEST, (irp, sp) => {
    irp.Flags = IRP_FLAGS.IRP_BUFFERED_IO | IRP_FLAGS.IRP_DEFER_IO_COMPLETION | (outLen ? IRP_FLAGS.IRP_INPUT_OPERATION : 0)
    irp.SystemBuffer = a.InputBuffer ?? new Uint8Array(0)
    irp.OutputBuffer = new Uint8Array(outLen)
    sp.Parameters.FileSystemControl = { FsControlCode: a.FsControlCode, InputBufferLength: a.InputBuffer?.length ?? 0, OutputBufferLength: outLen }
  })
  // IoStatusBlock and OutputBuffer are the caller's: for a request that pends (an oplock on an
  // asynchronous handle) they are filled in when the IRP completes
  return { status: r.status, information: r.information, output: r.irp?.OutputBuffer?.subarray(0, r.information), IoStatusBlock: r.irp?.IoStatus, OutputBuffer: r.irp?.OutputBuffer }
}
