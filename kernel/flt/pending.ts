// Pending and resuming: FltCompletePendedPreOperation, FltCompletePendedPostOperation,
// FltDoCompletionProcessingWhenSafe, the dirty flag, and work items. These are plain routines, as
// in C; the work they resume runs in the caller's context until it must wait (see runInContext).

import type { Co } from '../ke/index.ts'
import { BugCheck, DISPATCH_LEVEL, type WorkQueueType } from '../ke/index.ts'
import { IRP_FLAGS, IRP_MJ } from '../nt/irp.ts'
import { STATUS, type NTSTATUS } from '../nt/status.ts'
import { operationOf, snapshotIopb, type FLT_CALLBACK_DATA, type FLT_IO_PARAMETER_BLOCK } from './callback-data.ts'
import {
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_POSTOP_MORE_PROCESSING_REQUIRED,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_NAMES,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLTFL_CALLBACK_DATA_DIRTY,
  FLTFL_POST_OPERATION_DRAINING,
  FLTMGR_BUGCHECK,
} from './constants.ts'
import { afterPre, postChain, preChain, settleChanges } from './dispatch.ts'
import { invoke, runInContext } from './invoke.ts'
import type { FilterManager } from './manager.ts'
import type { FltFilter, FltInstance } from './objects.ts'
import { POST_CALL, POST_SYNC, type FltOperation } from './operation.ts'
import type {
  FLT_DEFERRED_IO_WORKITEM,
  FLT_GENERIC_WORKITEM,
  FLT_RELATED_OBJECTS,
  PFLT_DEFERRED_IO_WORKITEM_ROUTINE,
  PFLT_GENERIC_WORKITEM_ROUTINE,
  PFLT_SAFE_POST_CALLBACK,
  Ref,
} from './types.ts'

function opOf(data: FLT_CALLBACK_DATA, api: string): FltOperation {
  const op = operationOf<FltOperation>(data)
  if (!op) throw new TypeError(`${api}: the callback data is not an operation in flight`)
  return op
}

function violation(op: FltOperation, param1: number, message: string): BugCheck {
  const inst = op.nodes[op.pendedAt]?.instance ?? op.currentNode?.instance
  return new BugCheck(0xf5, message, { params: [param1, 0, 0, 0], culprit: inst ? `${inst.filter.name} (${inst.at})` : undefined, context: `operation: ${op.describe()}` })
}

/**
 * FltCompletePendedPreOperation: resumes an operation a pre-operation callback returned
 * FLT_PREOP_PENDING for, with the status that callback would have returned. COMPLETE is allowed
 * up to DISPATCH_LEVEL; the other two need IRQL <= APC_LEVEL.
 */
export function FltCompletePendedPreOperation(CallbackData: FLT_CALLBACK_DATA, CallbackStatus: number, Context: unknown): void {
  const op = opOf(CallbackData, 'FltCompletePendedPreOperation')
  const mgr = op.mgr
  if (op.state !== 'pendedPre') throw violation(op, FLTMGR_BUGCHECK.NOT_PENDED, `FltCompletePendedPreOperation on ${op.describe()}, which is not pended in a pre-operation callback`)
  const i = op.pendedAt
  const node = op.nodes[i]!
  if (CallbackStatus !== FLT_PREOP_COMPLETE && CallbackStatus !== FLT_PREOP_SUCCESS_NO_CALLBACK && CallbackStatus !== FLT_PREOP_SUCCESS_WITH_CALLBACK) {
    throw violation(op, FLTMGR_BUGCHECK.INVALID_PREOP_STATUS, `FltCompletePendedPreOperation with ${FLT_PREOP_NAMES[CallbackStatus] ?? String(CallbackStatus)}: only COMPLETE, SUCCESS_NO_CALLBACK and SUCCESS_WITH_CALLBACK are allowed`)
  }
  if (CallbackStatus !== FLT_PREOP_COMPLETE) mgr.requirePassiveOrApc(`FltCompletePendedPreOperation(${FLT_PREOP_NAMES[CallbackStatus]})`)
  node.instance.pendedPre.delete(op)
  node.instance.changed.set()
  // what the pending instance changed (and marked dirty) meanwhile goes down now
  settleChanges(op, i)
  if (CallbackStatus === FLT_PREOP_SUCCESS_WITH_CALLBACK) {
    if (!node.post) throw violation(op, FLTMGR_BUGCHECK.NO_POST_CALLBACK, `${node.instance.at} resumed ${op.opName} with SUCCESS_WITH_CALLBACK but registered no post-operation callback`)
    op.wantsPost[i] = CallbackData.Iopb.MajorFunction === IRP_MJ.IRP_MJ_CREATE ? POST_SYNC : POST_CALL
    op.completionContexts[i] = Context
    node.instance.outstanding.add(op)
  }
  op.state = 'pre'
  if (CallbackStatus === FLT_PREOP_COMPLETE) {
    if (CallbackData.IoStatus.Status === STATUS.STATUS_PENDING) throw violation(op, FLTMGR_BUGCHECK.INVALID_COMPLETION_STATUS, `${node.instance.at} completed ${op.opName} with STATUS_PENDING`)
    runInContext(mgr, postChain(mgr, op, i - 1, 'async'), `completion of pended ${op.describe()}`)
    return
  }
  const work = (function* (): Co<void> {
    const r = yield* preChain(mgr, op, i + 1)
    yield* afterPre(mgr, op, r, 'async')
  })()
  runInContext(mgr, work, `resumed ${op.describe()}`)
}

/** FltCompletePendedPostOperation: resumes completion after FLT_POSTOP_MORE_PROCESSING_REQUIRED */
export function FltCompletePendedPostOperation(CallbackData: FLT_CALLBACK_DATA): void {
  const op = opOf(CallbackData, 'FltCompletePendedPostOperation')
  const mgr = op.mgr
  if (op.state === 'post' && op.current >= 0) {
    // the post that will return MORE_PROCESSING_REQUIRED is still running: it continues at once
    op.postResumed = true
    return
  }
  if (op.state !== 'pendedPost') throw violation(op, FLTMGR_BUGCHECK.NOT_PENDED, `FltCompletePendedPostOperation on ${op.describe()}, which no post-operation callback holds`)
  const inst = op.nodes[op.pendedAt]!.instance
  inst.pendedPost.delete(op)
  inst.changed.set()
  op.state = 'post'
  runInContext(mgr, postChain(mgr, op, op.postPos, 'async'), `resumed completion of ${op.describe()}`)
}

/**
 * FltDoCompletionProcessingWhenSafe: below DISPATCH_LEVEL calls SafePostCallback now; at
 * DISPATCH_LEVEL queues it to a worker thread and answers FLT_POSTOP_MORE_PROCESSING_REQUIRED
 * (FltMgr resumes the completion when it returns). FALSE for paging I/O, fast I/O and draining.
 */
export function FltDoCompletionProcessingWhenSafe(
  Data: FLT_CALLBACK_DATA,
  FltObjects: FLT_RELATED_OBJECTS,
  CompletionContext: unknown,
  Flags: number,
  SafePostCallback: PFLT_SAFE_POST_CALLBACK,
  RetPostOperationStatus: Ref<number>,
): boolean {
  const op = operationOf<FltOperation>(Data)
  if (!op || op.kind !== 'irp' || Data.Iopb.IrpFlags & IRP_FLAGS.IRP_PAGING_IO || Flags & FLTFL_POST_OPERATION_DRAINING) {
    RetPostOperationStatus.value = FLT_POSTOP_FINISHED_PROCESSING
    return false
  }
  const mgr = op.mgr
  const inst = FltObjects.Instance
  const site = { filter: inst.filter.name, callback: `${SafePostCallback.name || 'SafePostCallback'} (${op.opName} post-operation when safe)`, instance: inst, op }
  if (mgr.currentIrql() < DISPATCH_LEVEL) {
    let result: number | undefined
    let handedOff = false
    const work = (function* (): Co<void> {
      result = yield* invoke(mgr, site, () => SafePostCallback(Data, FltObjects, CompletionContext, Flags))
      if (handedOff) FltCompletePendedPostOperation(Data)
    })()
    runInContext(mgr, work, `safe post-operation of ${op.describe()}`)
    if (result !== undefined) {
      RetPostOperationStatus.value = result
      return true
    }
    // it had to wait: it goes on in a System thread, and completion resumes when it returns
    handedOff = true
    RetPostOperationStatus.value = FLT_POSTOP_MORE_PROCESSING_REQUIRED
    return true
  }
  mgr.io.workQueues.queue({
    name: `FltMgr safe post-operation of ${op.describe()}`,
    routine: function* () {
      yield* invoke(mgr, site, () => SafePostCallback(Data, FltObjects, CompletionContext, Flags))
      FltCompletePendedPostOperation(Data)
    },
  }, 'DelayedWorkQueue')
  RetPostOperationStatus.value = FLT_POSTOP_MORE_PROCESSING_REQUIRED
  return true
}

/** FltSetCallbackDataDirty: the changes made to Iopb are to be passed down */
export function FltSetCallbackDataDirty(Data: FLT_CALLBACK_DATA): void {
  Data.Flags |= FLTFL_CALLBACK_DATA_DIRTY
}
/** FltClearCallbackDataDirty */
export function FltClearCallbackDataDirty(Data: FLT_CALLBACK_DATA): void {
  Data.Flags &= ~FLTFL_CALLBACK_DATA_DIRTY
}
/** FltIsCallbackDataDirty */
export function FltIsCallbackDataDirty(Data: FLT_CALLBACK_DATA): boolean {
  return (Data.Flags & FLTFL_CALLBACK_DATA_DIRTY) !== 0
}

// ---- work items ---------------------------------------------------------------------------------

/** FltAllocateDeferredIoWorkItem */
export function FltAllocateDeferredIoWorkItem(): FLT_DEFERRED_IO_WORKITEM {
  return { kind: 'deferred', queued: false }
}
/** FltFreeDeferredIoWorkItem */
export function FltFreeDeferredIoWorkItem(_FltWorkItem: FLT_DEFERRED_IO_WORKITEM): void {}

/**
 * FltQueueDeferredIoWorkItem: runs WorkerRoutine on a System worker thread with the operation's
 * callback data (from a pre-operation callback that returned PENDING, or a post that returned
 * MORE_PROCESSING_REQUIRED). STATUS_FLT_NOT_SAFE_TO_POST_OPERATION for paging I/O.
 */
export function FltQueueDeferredIoWorkItem(FltWorkItem: FLT_DEFERRED_IO_WORKITEM, Data: FLT_CALLBACK_DATA, WorkerRoutine: PFLT_DEFERRED_IO_WORKITEM_ROUTINE, QueueType: WorkQueueType, Context: unknown): NTSTATUS {
  const op = operationOf<FltOperation>(Data)
  if (!op || op.kind !== 'irp') return STATUS.STATUS_FLT_NOT_SAFE_TO_POST_OPERATION
  if (Data.Iopb.IrpFlags & IRP_FLAGS.IRP_PAGING_IO) return STATUS.STATUS_FLT_NOT_SAFE_TO_POST_OPERATION
  const mgr = op.mgr
  const inst = Data.Iopb.TargetInstance
  const filter = inst?.filter
  FltWorkItem.queued = true
  if (filter) filter.references++
  mgr.io.workQueues.queue(
    {
      name: `FltMgr deferred I/O work item of ${filter?.name ?? 'a filter'}`,
      routine: function* () {
        try {
          yield* invoke(mgr, { filter: filter?.name ?? '?', callback: `${WorkerRoutine.name || 'WorkerRoutine'} (deferred I/O work item)`, instance: inst, op }, () => WorkerRoutine(FltWorkItem, Data, Context))
        } finally {
          FltWorkItem.queued = false
          if (filter) mgr.dropReference(filter)
        }
      },
    },
    QueueType,
  )
  return STATUS.STATUS_SUCCESS
}

/** FltAllocateGenericWorkItem */
export function FltAllocateGenericWorkItem(): FLT_GENERIC_WORKITEM {
  return { kind: 'generic', queued: false }
}
/** FltFreeGenericWorkItem */
export function FltFreeGenericWorkItem(_FltWorkItem: FLT_GENERIC_WORKITEM): void {}

/** FltQueueGenericWorkItem: FltObject is the filter or an instance; the filter cannot unload while it is queued */
export function FltQueueGenericWorkItem(FltWorkItem: FLT_GENERIC_WORKITEM, FltObject: FltFilter | FltInstance, WorkerRoutine: PFLT_GENERIC_WORKITEM_ROUTINE, QueueType: WorkQueueType, Context: unknown): NTSTATUS {
  const filter = 'filter' in FltObject ? FltObject.filter : FltObject
  const mgr: FilterManager = filter.mgr
  if (filter.state === 'unregistered') return STATUS.STATUS_FLT_DELETING_OBJECT
  FltWorkItem.queued = true
  filter.references++
  mgr.io.workQueues.queue(
    {
      name: `FltMgr generic work item of ${filter.name}`,
      routine: function* () {
        try {
          yield* invoke(mgr, { filter: filter.name, callback: `${WorkerRoutine.name || 'WorkerRoutine'} (generic work item)`, instance: 'filter' in FltObject ? FltObject : undefined }, () => WorkerRoutine(FltWorkItem, FltObject, Context))
        } finally {
          FltWorkItem.queued = false
          mgr.dropReference(filter)
        }
      },
    },
    QueueType,
  )
  return STATUS.STATUS_SUCCESS
}

/**
 * FltRequestOperationStatusCallback: from a pre-operation callback of an IRP operation, asks to
 * hear the status IoCallDriver returns for it (before completion: STATUS_PENDING for an oplock
 * request or a directory change notification).
 */
export function FltRequestOperationStatusCallback(
  Data: FLT_CALLBACK_DATA,
  CallbackRoutine: (FltObjects: FLT_RELATED_OBJECTS, ParameterSnapshot: FLT_IO_PARAMETER_BLOCK, OperationStatus: NTSTATUS, RequesterContext: unknown) => unknown,
  RequesterContext: unknown,
): NTSTATUS {
  const op = operationOf<FltOperation>(Data)
  const node = op?.currentNode
  if (!op || op.kind !== 'irp' || !node || op.state !== 'pre') return STATUS.STATUS_INVALID_PARAMETER
  ;(op.statusCallbacks ??= []).push({ node, snapshot: snapshotIopb(Data.Iopb), routine: CallbackRoutine as never, context: RequesterContext })
  return STATUS.STATUS_SUCCESS
}
