// Cancellation of pended operations without a cancel-safe queue: FltSetCancelCompletion puts the
// filter's routine on the operation's IRP, so IoCancelIrp (CancelIo, CancelIoEx) calls it; the
// routine completes the pended operation (FltCompletePendedPreOperation with STATUS_CANCELLED).
// FltClearCancelCompletion takes it off before the filter completes the operation itself.
// FltIsIoCanceled reports Irp->Cancel. (fltKernel.h; the cancel-safe queue in ./cbdq.ts sets its
// own routine the same way.)

import { IoSetCancelRoutine } from '../io/irp.ts'
import { STATUS, type NTSTATUS } from '../nt/status.ts'
import { FLT_IS_IRP_OPERATION, operationOf, type FLT_CALLBACK_DATA } from './callback-data.ts'
import { invoke, runInContext } from './invoke.ts'
import type { FltOperation } from './operation.ts'

export type PFLT_COMPLETE_CANCELED_CALLBACK = (CallbackData: FLT_CALLBACK_DATA) => void

function irpOperation(data: FLT_CALLBACK_DATA, routine: string): FltOperation {
  const op = operationOf<FltOperation>(data)
  if (!op) throw new TypeError(`${routine}: the callback data is not an operation in flight`)
  return op
}

/**
 * FltSetCancelCompletion: STATUS_INVALID_PARAMETER for fast I/O and FsFilter operations (no IRP
 * to cancel); STATUS_CANCELLED when the I/O was already cancelled (the filter completes it at once).
 */
export function FltSetCancelCompletion(CallbackData: FLT_CALLBACK_DATA, CanceledCallback: PFLT_COMPLETE_CANCELED_CALLBACK): NTSTATUS {
  const op = irpOperation(CallbackData, 'FltSetCancelCompletion')
  const irp = op.irp
  if (!FLT_IS_IRP_OPERATION(CallbackData) || !irp) return STATUS.STATUS_INVALID_PARAMETER
  if (irp.Cancel) return STATUS.STATUS_CANCELLED
  const mgr = op.mgr
  const inst = op.nodes[op.pendedAt >= 0 ? op.pendedAt : op.current]?.instance
  IoSetCancelRoutine(irp, () => {
    // the filter's routine runs as its callbacks do, in the cancelling thread
    runInContext(
      mgr,
      invoke(mgr, { filter: inst?.filter.name ?? 'FltMgr', callback: `${CanceledCallback.name || 'CanceledCallback'} (cancel)`, ...(inst ? { instance: inst } : {}) }, () => CanceledCallback(CallbackData)),
      'cancel of a pended operation',
    )
  })
  return STATUS.STATUS_SUCCESS
}

/** FltClearCancelCompletion: the routine comes off; STATUS_CANCELLED when a cancel already took it */
export function FltClearCancelCompletion(CallbackData: FLT_CALLBACK_DATA): NTSTATUS {
  const irp = irpOperation(CallbackData, 'FltClearCancelCompletion').irp
  if (!irp) return STATUS.STATUS_INVALID_PARAMETER
  const had = IoSetCancelRoutine(irp, undefined)
  return had === undefined && irp.Cancel ? STATUS.STATUS_CANCELLED : STATUS.STATUS_SUCCESS
}

/** FltIsIoCanceled: the operation's IRP has been cancelled */
export function FltIsIoCanceled(CallbackData: FLT_CALLBACK_DATA): boolean {
  const irp = irpOperation(CallbackData, 'FltIsIoCanceled').irp
  return irp?.Cancel ?? false
}
