// FsFilter callbacks (FsRtlRegisterFileSystemFilterCallbacks): the Cache and Memory Managers tell
// the file-system stack when they acquire or release a file for section creation, a
// modified-page write or a cache flush (and the I/O manager for a fast query-open). FltMgr turns
// each into callback data with FLTFL_CALLBACK_DATA_FS_FILTER_OPERATION and the pseudo-major
// (IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION …), calls the instances' callbacks around the file
// system's own routine, and says whether a pre-operation callback disallowed it
// (FLT_PREOP_DISALLOW_FSFILTER_IO, for IRP_MJ_QUERY_OPEN: the caller then takes the slow path).

import type { Co } from '../ke/index.ts'
import type { FileObject } from '../io/file-object.ts'
import { IRP_MJ_FLT, majorName } from '../nt/irp.ts'
import { STATUS, type NTSTATUS } from '../nt/status.ts'
import { FLT_CALLBACK_DATA } from './callback-data.ts'
import { FLTFL_CALLBACK_DATA_FS_FILTER_OPERATION, KernelMode } from './constants.ts'
import { postChain, preChain, TARGET_INSTANCE } from './dispatch.ts'
import type { FilterManager } from './manager.ts'
import type { FltInstance } from './objects.ts'
import { FltOperation } from './operation.ts'
import type { FLT_PARAMETERS } from './parameters.ts'

export interface FsFilterOutcome {
  readonly status: NTSTATUS
  /** a pre-operation callback returned FLT_PREOP_DISALLOW_FSFILTER_IO */
  readonly disallowed: boolean
}

/** what the pre half leaves for the post half: the operation, when the file system is to be called */
export interface FsFilterPreResult extends FsFilterOutcome {
  /** undefined when no instance takes part, or when a pre-operation callback completed it */
  readonly op: FltOperation | undefined
  readonly data: FLT_CALLBACK_DATA
  /** a pre-operation callback completed it (or disallowed it): the file system is not called */
  readonly completed: boolean
}

/**
 * The pre half (FsRtl's Pre… FsFilter callback for FltMgr's driver): the instances' pre-operation
 * callbacks, from the top down. When one completes the operation, the posts above it run here.
 */
export function* fsFilterPre(mgr: FilterManager, fo: FileObject, major: number, fill: (p: FLT_PARAMETERS) => void): Co<FsFilterPreResult> {
  const vol = mgr.volumes.find((v) => v.fsDevice === fo.Vpb?.DeviceObject && v.frameDevice)
  const data = new FLT_CALLBACK_DATA(FLTFL_CALLBACK_DATA_FS_FILTER_OPERATION, mgr.ke.current)
  data.RequestorMode = KernelMode
  data.Iopb.MajorFunction = major
  data.Iopb.TargetFileObject = fo
  fill(data.Iopb.Parameters)
  const target = fo.ext.get(TARGET_INSTANCE) as FltInstance | undefined
  const below = target ? target.altitudeValue : Number.POSITIVE_INFINITY
  const nodes = vol ? vol.nodesFor(major).filter((n) => n.instance.active && n.instance.altitudeValue < below) : []
  if (!vol || nodes.length === 0) return { status: STATUS.STATUS_SUCCESS, disallowed: false, op: undefined, data, completed: false }
  const frame = mgr.stack.enterRequest(() => `${majorName(major)} ${fo.traceName}`)
  try {
    const op = new FltOperation(mgr, 'fsfilter', `FSF${mgr.nextFastIoId()}`, data, vol, nodes, undefined, mgr.ke.current, undefined, majorName(major))
    op.depth = mgr.stack.depth()
    const r = yield* preChain(mgr, op, 0)
    if (r === 'complete') {
      yield* postChain(mgr, op, op.pendedAt - 1, 'dispatch')
      return { status: data.IoStatus.Status, disallowed: op.disallowed, op: undefined, data, completed: true }
    }
    return { status: STATUS.STATUS_SUCCESS, disallowed: false, op, data, completed: false }
  } finally {
    mgr.stack.leave(frame)
  }
}

/** The post half: the instances' post-operation callbacks, from the bottom up, with the operation's status. */
export function* fsFilterPost(mgr: FilterManager, op: FltOperation, status: NTSTATUS): Co<NTSTATUS> {
  op.data.IoStatus = { Status: status, Information: 0 }
  const frame = mgr.stack.enterRequest(() => `${op.opName} ${op.data.Iopb.TargetFileObject?.traceName ?? ''}`)
  try {
    yield* postChain(mgr, op, op.nodes.length - 1, 'dispatch')
  } finally {
    mgr.stack.leave(frame)
  }
  return op.data.IoStatus.Status
}

/**
 * Runs an FsFilter operation through the instances of `fo`'s volume. `fill` sets its parameters
 * (Parameters.AcquireForSectionSynchronization …); `lower` is the file system's own routine,
 * called with the callback data as the instances left it.
 */
export function* fsFilterOperation(
  mgr: FilterManager,
  fo: FileObject,
  major: number,
  fill: (p: FLT_PARAMETERS) => void,
  lower: (data: FLT_CALLBACK_DATA) => Co<NTSTATUS>,
): Co<FsFilterOutcome> {
  const pre = yield* fsFilterPre(mgr, fo, major, fill)
  if (pre.completed) return { status: pre.status, disallowed: pre.disallowed }
  const st = yield* lower(pre.data)
  return { status: pre.op ? yield* fsFilterPost(mgr, pre.op, st) : st, disallowed: false }
}

/** STATUS_FSFILTER_OP_COMPLETED_SUCCESSFULLY (ntstatus.h): a pre-callback did the operation itself */
export const STATUS_FSFILTER_OP_COMPLETED_SUCCESSFULLY = 0x00000126

/** FS_FILTER_CALLBACK_DATA as FsRtl passes it to a driver's FsFilter callbacks */
export interface FsRtlCallbackData {
  readonly Operation: number
  readonly FileObject: FileObject
  readonly Parameters: { readonly SyncType?: number; readonly PageProtection?: number; readonly EndingOffset?: number }
}

type PreCallback = (data: FsRtlCallbackData, context: { completionContext: unknown }) => Co<NTSTATUS>
type PostCallback = (data: FsRtlCallbackData, status: NTSTATUS, completionContext: unknown) => Co<void>

/**
 * FltMgr's FS_FILTER_CALLBACKS, for FsRtlRegisterFileSystemFilterCallbacks on its driver object:
 * each Pre… runs the instances' pre-operation callbacks (keeping the operation as the completion
 * context), each Post… their post-operation callbacks. A pre-operation callback that completes the
 * operation makes the Pre… return its status (STATUS_FSFILTER_OP_COMPLETED_SUCCESSFULLY for
 * success, as FltMgr does), so FsRtl neither acquires nor calls the layers below.
 */
export function fltMgrFsFilterCallbacks(mgr: FilterManager): Record<string, PreCallback | PostCallback> {
  const pre = (major: number): PreCallback =>
    function* (data, context) {
      const r = yield* fsFilterPre(mgr, data.FileObject, major, (p) => {
        if (data.Parameters.SyncType !== undefined) p.AcquireForSectionSynchronization.SyncType = data.Parameters.SyncType
        if (data.Parameters.PageProtection !== undefined) p.AcquireForSectionSynchronization.PageProtection = data.Parameters.PageProtection
        if (data.Parameters.EndingOffset !== undefined) p.AcquireForModifiedPageWriter.EndingOffset = data.Parameters.EndingOffset
      })
      context.completionContext = r.op
      if (!r.completed) return STATUS.STATUS_SUCCESS
      return r.status === STATUS.STATUS_SUCCESS ? STATUS_FSFILTER_OP_COMPLETED_SUCCESSFULLY : r.status
    }
  const post: PostCallback = function* (_data, status, completionContext) {
    if (completionContext instanceof FltOperation) yield* fsFilterPost(mgr, completionContext, status)
  }
  return {
    PreAcquireForSectionSynchronization: pre(IRP_MJ_FLT.IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION),
    PostAcquireForSectionSynchronization: post,
    PreReleaseForSectionSynchronization: pre(IRP_MJ_FLT.IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION),
    PostReleaseForSectionSynchronization: post,
    PreAcquireForCcFlush: pre(IRP_MJ_FLT.IRP_MJ_ACQUIRE_FOR_CC_FLUSH),
    PostAcquireForCcFlush: post,
    PreReleaseForCcFlush: pre(IRP_MJ_FLT.IRP_MJ_RELEASE_FOR_CC_FLUSH),
    PostReleaseForCcFlush: post,
    PreAcquireForModifiedPageWriter: pre(IRP_MJ_FLT.IRP_MJ_ACQUIRE_FOR_MOD_WRITE),
    PostAcquireForModifiedPageWriter: post,
    PreReleaseForModifiedPageWriter: pre(IRP_MJ_FLT.IRP_MJ_RELEASE_FOR_MOD_WRITE),
    PostReleaseForModifiedPageWriter: post,
  }
}
