// FltLockUserBuffer: before an operation's buffer is used from another thread (a worker that
// completes a pended read), the filter locks it: FltMgr builds an MDL for the user buffer and puts
// it in the parameters' MdlAddress. The emulator's buffers are host memory that every thread can
// reach, so the MDL here is a description of the same bytes; what the routine checks is what
// Windows checks (the IRQL, the kind of operation, a buffer to lock).

import { IRP_MJ } from '../nt/irp.ts'
import { STATUS, type NTSTATUS } from '../nt/status.ts'
import { FLT_IS_IRP_OPERATION, operationOf, type FLT_CALLBACK_DATA } from './callback-data.ts'
import type { FltOperation } from './operation.ts'

/** the MDL FltLockUserBuffer describes a locked buffer with (MmGetSystemAddressForMdlSafe gives MappedSystemVa) */
export interface FLT_LOCKED_MDL {
  readonly kind: 'mdl'
  readonly MappedSystemVa: Uint8Array
  readonly ByteCount: number
}

/**
 * FltLockUserBuffer: IRQL <= APC_LEVEL; IRP operations only. Reads and writes get an MDL for
 * their buffer in Parameters.Read/Write.MdlAddress (an existing one is kept).
 */
export function FltLockUserBuffer(CallbackData: FLT_CALLBACK_DATA): NTSTATUS {
  const op = operationOf<FltOperation>(CallbackData)
  if (!op) throw new TypeError('FltLockUserBuffer: the callback data is not an operation in flight')
  op.mgr.requirePassiveOrApc('FltLockUserBuffer')
  if (!FLT_IS_IRP_OPERATION(CallbackData)) return STATUS.STATUS_INVALID_PARAMETER
  const p = CallbackData.Iopb.Parameters
  switch (CallbackData.Iopb.MajorFunction) {
    case IRP_MJ.IRP_MJ_READ: {
      if (p.Read.MdlAddress) return STATUS.STATUS_SUCCESS
      const buf = p.Read.ReadBuffer
      if (!buf) return STATUS.STATUS_INVALID_PARAMETER
      p.Read.MdlAddress = { kind: 'mdl', MappedSystemVa: buf, ByteCount: p.Read.Length } satisfies FLT_LOCKED_MDL
      return STATUS.STATUS_SUCCESS
    }
    case IRP_MJ.IRP_MJ_WRITE: {
      if (p.Write.MdlAddress) return STATUS.STATUS_SUCCESS
      const buf = p.Write.WriteBuffer
      if (!buf) return STATUS.STATUS_INVALID_PARAMETER
      p.Write.MdlAddress = { kind: 'mdl', MappedSystemVa: buf, ByteCount: p.Write.Length } satisfies FLT_LOCKED_MDL
      return STATUS.STATUS_SUCCESS
    }
    default:
      // unverified: other majors' buffers are not described by MDLs in the emulator
      return STATUS.STATUS_NOT_SUPPORTED
  }
}
