// The Filter Manager's oplock routines, for filters that own the files they serve (isolation and
// layering filters that complete creates and I/O themselves): FltInitializeOplock,
// FltUninitializeOplock, FltOplockFsctrl, FltCheckOplock, FltOplockIsFastIoPossible,
// FltCurrentBatchOplock, over the FsRtl oplock package (kernel/fsrtl). FsRtl works on IRPs and
// completes a granted request's IRP when the oplock breaks; here it is given a stand-in IRP with
// the operation's parameters and buffers, whose completion completes the pended callback data
// (FltCompletePendedPreOperation with FLT_PREOP_COMPLETE), as FltMgr does with its own IRP.

import { KeWaitForMultipleObjects, type Co } from '../ke/index.ts'
import { IoAllocateIrp, type Irp } from '../io/irp.ts'
import {
  FsRtlCheckOplockEx,
  FsRtlCurrentBatchOplock,
  FsRtlInitializeOplock,
  FsRtlOplockFsctrl,
  FsRtlOplockIsFastIoPossible,
  FsRtlUninitializeOplock,
  type Oplock,
} from '../fsrtl/index.ts'
import { STATUS } from '../nt/status.ts'
import { FLT_IS_IRP_OPERATION, operationOf, type FLT_CALLBACK_DATA } from './callback-data.ts'
import { FLT_PREOP_COMPLETE, FLT_PREOP_PENDING, FLT_PREOP_SUCCESS_WITH_CALLBACK } from './constants.ts'
import { activeManager, invoke } from './invoke.ts'
import type { FltOperation } from './operation.ts'
import { FltCompletePendedPreOperation } from './pending.ts'
import type { Ref } from './types.ts'

export type { Oplock as OPLOCK }
export type PFLTOPLOCK_WAIT_COMPLETE_ROUTINE = (CallbackData: FLT_CALLBACK_DATA, Context: unknown) => void
export type PFLTOPLOCK_PREPOST_CALLBACKDATA_ROUTINE = (CallbackData: FLT_CALLBACK_DATA, Context: unknown) => void

/** FltInitializeOplock */
export function FltInitializeOplock(Oplock: Ref<Oplock>): void {
  const mgr = activeManager()
  if (!mgr) throw new TypeError('FltInitializeOplock was called outside filter code (no Filter Manager is running a filter callback)')
  Oplock.value = FsRtlInitializeOplock(mgr.ke, 'filter oplock')
}

/** FltUninitializeOplock: pended requests complete (broken to none), waiters go on */
export function FltUninitializeOplock(Oplock: Ref<Oplock>): void {
  FsRtlUninitializeOplock(Oplock.value)
  Oplock.value = undefined
}

/** FltOplockIsFastIoPossible */
export function FltOplockIsFastIoPossible(Oplock: Ref<Oplock>): boolean {
  return FsRtlOplockIsFastIoPossible(Oplock.value)
}

/** FltCurrentBatchOplock */
export function FltCurrentBatchOplock(Oplock: Ref<Oplock>): boolean {
  return FsRtlCurrentBatchOplock(Oplock.value)
}

function operation(data: FLT_CALLBACK_DATA, routine: string): FltOperation & { irp: Irp } {
  const op = operationOf<FltOperation>(data)
  if (!op) throw new TypeError(`${routine}: the callback data is not an operation in flight`)
  if (!FLT_IS_IRP_OPERATION(data) || !op.irp) throw new TypeError(`${routine}: only IRP-based operations carry oplock requests and checks`)
  return op as FltOperation & { irp: Irp }
}

/** an IRP with the operation's current stack location and buffers, for FsRtl to pend and complete */
function standIn(op: FltOperation & { irp: Irp }): Irp {
  const real = op.irp
  const from = real.Stack[real.CurrentLocation - 1]!
  const irp = IoAllocateIrp(op.mgr.io, 1)
  irp.CurrentLocation = 1
  const sp = irp.Stack[0]!
  sp.MajorFunction = from.MajorFunction
  sp.MinorFunction = from.MinorFunction
  sp.Flags = from.Flags
  sp.FileObject = from.FileObject
  sp.Parameters = from.Parameters
  irp.Thread = real.Thread
  irp.RequestorMode = real.RequestorMode
  irp.Flags = real.Flags
  irp.SystemBuffer = real.SystemBuffer
  irp.OutputBuffer = real.OutputBuffer
  irp.UserBuffer = real.UserBuffer
  irp.OriginalFileObject = real.OriginalFileObject
  return irp
}

/**
 * FltOplockFsctrl: an oplock FSCTL (or an acknowledgement) for a file the filter serves. A
 * granted request is FLT_PREOP_PENDING and completes when the oplock breaks (or its handle
 * goes); anything else is FLT_PREOP_COMPLETE with the status in CallbackData->IoStatus.
 */
export function FltOplockFsctrl(Oplock: Ref<Oplock>, CallbackData: FLT_CALLBACK_DATA, OpenCount: number): number {
  const op = operation(CallbackData, 'FltOplockFsctrl')
  if (!Oplock.value) throw new TypeError('FltOplockFsctrl: the oplock was not initialized (FltInitializeOplock)')
  const irp = standIn(op)
  let pended = false
  irp.onCompleted = (done) => {
    CallbackData.IoStatus = { Status: done.IoStatus.Status, Information: done.IoStatus.Information }
    if (pended) FltCompletePendedPreOperation(CallbackData, FLT_PREOP_COMPLETE, null)
  }
  const st = FsRtlOplockFsctrl(Oplock.value, irp, { openCount: OpenCount, hasByteRangeLocks: false, isDirectory: false })
  if (st === STATUS.STATUS_PENDING && !irp.completed) {
    pended = true
    return FLT_PREOP_PENDING
  }
  return FLT_PREOP_COMPLETE
}

/**
 * FltCheckOplock: breaks what the operation breaks. Nothing to wait for: FLT_PREOP_SUCCESS_WITH_CALLBACK.
 * Acknowledgements to wait for: without a WaitCompletionRoutine the call waits (a generator, as
 * every blocking routine here) and then returns FLT_PREOP_SUCCESS_WITH_CALLBACK; with one, it
 * returns FLT_PREOP_PENDING and the routine runs on a System thread once they came (the filter
 * then completes the pended operation). PrePostCallbackDataRoutine runs before the operation is
 * pended, as documented. FILE_COMPLETE_IF_OPLOCKED opens get STATUS_OPLOCK_BREAK_IN_PROGRESS.
 */
export function* FltCheckOplock(
  Oplock: Ref<Oplock>,
  CallbackData: FLT_CALLBACK_DATA,
  Context: unknown,
  WaitCompletionRoutine: PFLTOPLOCK_WAIT_COMPLETE_ROUTINE | null,
  PrePostCallbackDataRoutine: PFLTOPLOCK_PREPOST_CALLBACKDATA_ROUTINE | null,
): Co<number> {
  const op = operation(CallbackData, 'FltCheckOplock')
  const oplock = Oplock.value
  if (!oplock) return FLT_PREOP_SUCCESS_WITH_CALLBACK
  for (let round = 0; round < 64; round++) {
    const r = FsRtlCheckOplockEx(oplock, standIn(op))
    if (r.status === STATUS.STATUS_SUCCESS) return FLT_PREOP_SUCCESS_WITH_CALLBACK
    if (r.status !== STATUS.STATUS_PENDING) {
      CallbackData.IoStatus = { Status: r.status, Information: 0 }
      return r.status === STATUS.STATUS_OPLOCK_BREAK_IN_PROGRESS ? FLT_PREOP_SUCCESS_WITH_CALLBACK : FLT_PREOP_COMPLETE
    }
    if (WaitCompletionRoutine) {
      PrePostCallbackDataRoutine?.(CallbackData, Context)
      const mgr = op.mgr
      const inst = op.nodes[op.current]?.instance
      const t = mgr.ke.createThread(mgr.io.system, 'FltMgr oplock wait', function* () {
        yield* KeWaitForMultipleObjects(r.waitFor, true, undefined, `oplock break acknowledgement (${oplock.name})`)
        yield* invoke(mgr, { filter: inst?.filter.name ?? 'FltMgr', callback: `${WaitCompletionRoutine.name || 'WaitCompletionRoutine'} (oplock)`, ...(inst ? { instance: inst } : {}) }, () => WaitCompletionRoutine(CallbackData, Context))
      }, { system: true })
      mgr.onSystemThread(t)
      return FLT_PREOP_PENDING
    }
    yield* KeWaitForMultipleObjects(r.waitFor, true, undefined, `oplock break acknowledgement (${oplock.name})`)
  }
  throw new Error(`${oplock.name}: oplock breaks did not settle after 64 rounds`)
}
