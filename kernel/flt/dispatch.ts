// The frame's IRP path. The dispatch routine builds FLT_CALLBACK_DATA from the IRP, calls the
// pre-operation callbacks of the volume's instances by descending altitude, passes the IRP
// down with a completion routine, and calls the post-operation callbacks by ascending altitude
// when it completes: in the completing context (at DISPATCH_LEVEL when the completion happened
// there), or in the originating thread at PASSIVE_LEVEL for SYNCHRONIZE and for creates.

import { BugCheck, KEvent, KeWaitForSingleObject, type Co } from '../ke/index.ts'
import type { DeviceObject } from '../io/device.ts'
import { FO, type FileObject } from '../io/file-object.ts'
import {
  IoCallDriver,
  IoCompleteRequest,
  IoCopyCurrentIrpStackLocationToNext,
  IoGetCurrentIrpStackLocation,
  IoGetNextIrpStackLocation,
  IoMarkIrpPending,
  IoSetCompletionRoutine,
  IoSkipCurrentIrpStackLocation,
  STATUS_MORE_PROCESSING_REQUIRED,
  type Irp,
  type IoStackLocation,
} from '../io/irp.ts'
import { IRP_FLAGS, IRP_MJ, IRP_MJ_FLT, majorName, normalizeMajor } from '../nt/irp.ts'
import { NT_SUCCESS, STATUS, type NTSTATUS } from '../nt/status.ts'
import { FLT_CALLBACK_DATA, FLT_IO_PARAMETER_BLOCK, restoreIopb, snapshotIopb, type IopbSnapshot } from './callback-data.ts'
import {
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_POSTOP_MORE_PROCESSING_REQUIRED,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_DISALLOW_FASTIO,
  FLT_PREOP_DISALLOW_FSFILTER_IO,
  FLT_PREOP_NAMES,
  FLT_PREOP_PENDING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_PREOP_SYNCHRONIZE,
  FLTFL_CALLBACK_DATA_DIRTY,
  FLTFL_CALLBACK_DATA_IRP_OPERATION,
  FLTFL_CALLBACK_DATA_NEW_SYSTEM_BUFFER,
  FLTFL_CALLBACK_DATA_POST_OPERATION,
  FLTFL_OPERATION_REGISTRATION_SKIP_CACHED_IO,
  FLTFL_OPERATION_REGISTRATION_SKIP_NON_CACHED_NON_PAGING_IO,
  FLTFL_OPERATION_REGISTRATION_SKIP_NON_DASD_IO,
  FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO,
  FLTMGR_BUGCHECK,
  GUID_ECP_FLT_CREATEFILE_TARGET,
  KernelMode,
  UserMode,
} from './constants.ts'
import { drive, enterCallback, filterFault, invoke, isCo, leaveCallback, runInContext, type CallbackSite } from './invoke.ts'
import { iopbFromIrp, irpFromIopb } from './irp-params.ts'
import type { FilterManager } from './manager.ts'
import type { CallbackNode, FltInstance, FltVolume } from './objects.ts'
import { FltOperation, POST_CALL, POST_NONE, POST_SYNC } from './operation.ts'
import { emitInstanceEvent } from './trace.ts'
import { ref, type FLT_RELATED_OBJECTS } from './types.ts'

/** FILE_OBJECT extension slot: the instance a FltCreateFile'd file object's I/O starts below */
export const TARGET_INSTANCE = 'flt.targetInstance'
/** FILE_OBJECT extension slot where the create path keeps the open's ECP list */
export const ECP_LIST = 'io.ecpList'

/** the ECP FltCreateFile attaches: which instance the create starts below */
export interface FltCreateFileTargetEcp {
  readonly Instance: FltInstance
  readonly Flags: number
}

export type PreOutcome = 'down' | 'complete' | 'pended'
/** 'dispatch': the originating thread's dispatch routine; 'async': a completion or a resumed operation */
export type Mode = 'dispatch' | 'async'

export function relatedObjects(inst: FltInstance, fo: FileObject | undefined): FLT_RELATED_OBJECTS {
  return { Size: 48, TransactionContext: 0, Filter: inst.filter, Volume: inst.volume, Instance: inst, FileObject: fo, Transaction: undefined }
}

function fnName(f: unknown): string {
  const n = typeof f === 'function' ? (f as { name?: string }).name : undefined
  return n && n !== 'anonymous' ? `${n} ` : ''
}

/** an operation's callback, named only when someone asks (a bugcheck screen, a stack overflow) */
class OperationSite implements CallbackSite {
  constructor(
    readonly op: FltOperation,
    readonly node: CallbackNode,
    readonly phase: 'pre' | 'post',
  ) {}
  get instance(): FltInstance {
    return this.node.instance
  }
  get filter(): string {
    return this.node.instance.filter.name
  }
  get callback(): string {
    return `${fnName(this.phase === 'pre' ? this.node.pre : this.node.post)}(${this.op.opName} ${this.phase}-operation)`
  }
}

export function callbackSite(op: FltOperation, node: CallbackNode, phase: 'pre' | 'post'): CallbackSite {
  return new OperationSite(op, node, phase)
}

function fltBugcheck(param1: number, message: string, op: FltOperation, node?: CallbackNode): BugCheck {
  return new BugCheck(0xf5, message, {
    params: [param1, 0, 0, 0],
    culprit: node ? `${node.instance.filter.name} (${node.instance.at})` : undefined,
    context: `operation: ${op.describe()}`,
  })
}

/** which instances of the chain see this IRP: below the starting instance, and not skipped by their flags */
function selectNodes(all: readonly CallbackNode[], irp: Irp, major: number, fo: FileObject | undefined, startBelow: number): readonly CallbackNode[] {
  let out: CallbackNode[] | undefined
  for (let i = 0; i < all.length; i++) {
    const node = all[i]!
    const f = node.flags
    const inst = node.instance
    let skip = !inst.active || inst.altitudeValue >= startBelow
    if (!skip && f !== 0) {
      const rw = major === IRP_MJ.IRP_MJ_READ || major === IRP_MJ.IRP_MJ_WRITE
      const paging = (irp.Flags & IRP_FLAGS.IRP_PAGING_IO) !== 0
      const nocache = (irp.Flags & IRP_FLAGS.IRP_NOCACHE) !== 0
      // unverified: SKIP_PAGING_IO is documented for reads and writes; it is applied to every IRP with IRP_PAGING_IO
      if (f & FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO && paging) skip = true
      if (f & FLTFL_OPERATION_REGISTRATION_SKIP_CACHED_IO && rw && !paging && !nocache) skip = true
      if (f & FLTFL_OPERATION_REGISTRATION_SKIP_NON_CACHED_NON_PAGING_IO && rw && nocache && !paging) skip = true
      if (f & FLTFL_OPERATION_REGISTRATION_SKIP_NON_DASD_IO && !(fo && fo.Flags & FO.FO_VOLUME_OPEN)) skip = true
    }
    if (skip) {
      out ??= all.slice(0, i) as CallbackNode[]
    } else if (out) out.push(node)
  }
  return out ?? all
}

/** the altitude a request starts below: filter-initiated I/O and FltCreateFile'd file objects */
function startAltitude(mgr: FilterManager, vol: FltVolume, irp: Irp, sp: IoStackLocation): number {
  const gen = mgr.generatedIrps.get(irp)
  if (gen?.startBelow) return gen.startBelow.altitudeValue
  const fo = sp.FileObject
  if (!fo) return Number.POSITIVE_INFINITY
  const target = fo.ext.get(TARGET_INSTANCE) as FltInstance | undefined
  if (target) return target.altitudeValue
  if (sp.MajorFunction === IRP_MJ.IRP_MJ_CREATE) {
    const ecps = fo.ext.get(ECP_LIST) as Map<string, unknown> | undefined
    const ecp = ecps?.get(GUID_ECP_FLT_CREATEFILE_TARGET) as FltCreateFileTargetEcp | undefined
    // unverified: a FltCreateFile whose name leads to another volume (a mount point) starts at the top there
    if (ecp && ecp.Instance.volume === vol) {
      // every later request on this file object starts below the instance too (the file object's extension)
      fo.ext.set(TARGET_INSTANCE, ecp.Instance)
      return ecp.Instance.altitudeValue
    }
  }
  return Number.POSITIVE_INFINITY
}

/** IRP_MJ_*: the frame device's dispatch routine for every major function */
export function* frameDispatch(mgr: FilterManager, device: DeviceObject, irp: Irp): Co<NTSTATUS> {
  const vol = device.DeviceExtension as FltVolume
  const lower = device.AttachedTo!
  const sp = IoGetCurrentIrpStackLocation(irp)
  const major = sp.MajorFunction
  const fo = sp.FileObject
  const frame = mgr.stack.enterRequest(() => `${majorName(major)} ${fo ? fo.traceName : ''} (IRP${irp.id})`)
  try {
    const nodes = selectNodes(vol.nodesFor(major), irp, major, fo, startAltitude(mgr, vol, irp, sp))
    if (nodes.length === 0) {
      if (!mgr.watches(major)) {
        IoSkipCurrentIrpStackLocation(irp)
        return yield* IoCallDriver(lower, irp)
      }
      // no instance wants it, but FltMgr keeps its own books on creates, closes and renames
      IoCopyCurrentIrpStackLocationToNext(irp)
      IoSetCompletionRoutine(irp, (_d, i) => {
        if (i.PendingReturned) IoMarkIrpPending(i)
        mgr.afterCompletion(vol, sp, i.IoStatus.Status, i)
        return STATUS.STATUS_SUCCESS
      }, undefined)
      return yield* IoCallDriver(lower, irp)
    }
    const gen = mgr.generatedIrps.get(irp)
    const data = new FLT_CALLBACK_DATA(FLTFL_CALLBACK_DATA_IRP_OPERATION | (gen?.flags ?? 0), irp.Thread ?? mgr.ke.current)
    data.RequestorMode = irp.RequestorMode === 'UserMode' ? UserMode : KernelMode
    iopbFromIrp(data, irp, sp)
    const op = new FltOperation(mgr, 'irp', `IRP${irp.id}`, data, vol, nodes, irp, data.Thread, gen, majorName(major))
    op.depth = mgr.stack.depth()
    // documented: post-create is always called at PASSIVE_LEVEL in the thread that issued the create
    if (major === IRP_MJ.IRP_MJ_CREATE) op.mustWait = true
    op.originalParameters = sp.Parameters
    op.originalFlags = irp.Flags
    op.originalStack = sp
    const r = yield* preChain(mgr, op, 0)
    return yield* afterPre(mgr, op, r, 'dispatch')
  } finally {
    mgr.stack.leave(frame)
  }
}

/** calls pre-operation callbacks from node `from` on; says whether the operation goes down */
export function* preChain(mgr: FilterManager, op: FltOperation, from: number): Co<PreOutcome> {
  const data = op.data
  const iopb = data.Iopb
  const isCreate = iopb.MajorFunction === IRP_MJ.IRP_MJ_CREATE
  op.state = 'pre'
  // what the instances see: the same until one of them changes it and says so (dirty)
  let seen = (op.baseline ??= snapshotIopb(iopb))
  for (let i = from; i < op.nodes.length; i++) {
    const node = op.nodes[i]!
    const inst = node.instance
    if (!inst.active) continue
    op.seen[i] = seen
    if (!node.pre) {
      // a post without a pre is called as if the pre had returned SUCCESS_WITH_CALLBACK
      if (node.post) requestPost(op, i, isCreate ? POST_SYNC : POST_CALL, undefined)
      continue
    }
    iopb.TargetInstance = inst
    data.Flags &= ~FLTFL_CALLBACK_DATA_DIRTY
    op.current = i
    emitInstanceEvent(mgr, op, inst, 'pre')
    const ctx = ref<unknown>()
    const fo = iopb.TargetFileObject
    const pre = node.pre
    // a plain callback is called here directly; a generator is driven (its waits go to the scheduler)
    const site = callbackSite(op, node, 'pre')
    const entry = enterCallback(mgr, site)
    let status: number
    let r: number | Co<number>
    try {
      r = pre(data, relatedObjects(inst, fo), ctx)
    } catch (e) {
      leaveCallback(mgr, entry)
      throw filterFault(mgr, e, site)
    }
    if (isCo(r)) {
      try {
        status = yield* drive(mgr, site, r)
      } finally {
        leaveCallback(mgr, entry)
      }
    } else {
      leaveCallback(mgr, entry)
      status = r
    }
    op.current = -1
    // a pended operation's changes count when it is resumed (FltCompletePendedPreOperation)
    if (status !== FLT_PREOP_PENDING) seen = settleChanges(op, i)
    switch (status) {
      case FLT_PREOP_SUCCESS_WITH_CALLBACK:
        if (!node.post) throw noPost(op, node, status)
        requestPost(op, i, isCreate ? POST_SYNC : POST_CALL, ctx.value)
        break
      case FLT_PREOP_SUCCESS_NO_CALLBACK:
        break
      case FLT_PREOP_SYNCHRONIZE:
        if (!node.post) throw noPost(op, node, status)
        // for operations that are not IRPs it means SUCCESS_WITH_CALLBACK
        requestPost(op, i, op.kind === 'irp' ? POST_SYNC : POST_CALL, ctx.value)
        break
      case FLT_PREOP_PENDING:
        if (op.kind !== 'irp') throw fltBugcheck(FLTMGR_BUGCHECK.INVALID_PREOP_STATUS, `${inst.at} returned FLT_PREOP_PENDING for a ${op.kind === 'fastio' ? 'fast I/O' : 'FsFilter'} operation, which cannot be pended`, op, node)
        op.pendedAt = i
        op.state = 'pendedPre'
        inst.pendedPre.add(op)
        return 'pended'
      case FLT_PREOP_COMPLETE:
        checkCompletionStatus(op, node)
        op.pendedAt = i
        return 'complete'
      case FLT_PREOP_DISALLOW_FASTIO:
        if (op.kind === 'fastio') {
          // documented: FltMgr fails the fast I/O (the I/O manager retries it as an IRP) and calls only the posts above
          op.disallowed = true
          data.IoStatus = { Status: STATUS.STATUS_FLT_DISALLOW_FAST_IO, Information: 0 }
          op.pendedAt = i
          return 'complete'
        }
        // unverified: returned for an IRP it is taken as SUCCESS_NO_CALLBACK
        break
      case FLT_PREOP_DISALLOW_FSFILTER_IO:
        if (op.kind === 'fsfilter' && normalizeMajor(iopb.MajorFunction) === IRP_MJ_FLT.IRP_MJ_QUERY_OPEN) {
          // documented: the caller takes the slow path (open, query, close); posts above still run
          op.disallowed = true
          op.pendedAt = i
          return 'complete'
        }
        throw fltBugcheck(FLTMGR_BUGCHECK.INVALID_PREOP_STATUS, `${inst.at} returned FLT_PREOP_DISALLOW_FSFILTER_IO for ${op.opName}: it is valid only for IRP_MJ_QUERY_OPEN`, op, node)
      default:
        throw fltBugcheck(
          FLTMGR_BUGCHECK.INVALID_PREOP_STATUS,
          `${inst.at} returned ${FLT_PREOP_NAMES[status] ?? String(status)} from its ${op.opName} pre-operation callback, which is not a valid status here`,
          op,
          node,
        )
    }
  }
  return 'down'
}

function noPost(op: FltOperation, node: CallbackNode, status: number): BugCheck {
  const b = fltBugcheck(
    FLTMGR_BUGCHECK.NO_POST_CALLBACK,
    `${node.instance.at} returned ${FLT_PREOP_NAMES[status]} for ${op.opName} but registered no post-operation callback`,
    op,
    node,
  )
  return b
}

/**
 * After node `i`'s pre-operation callback: changes it marked dirty go down (and are what the
 * instances below see); others are undone. Returns the Iopb view for the next instance.
 */
export function settleChanges(op: FltOperation, i: number): IopbSnapshot {
  const data = op.data
  if (data.Flags & FLTFL_CALLBACK_DATA_DIRTY) {
    data.Flags &= ~FLTFL_CALLBACK_DATA_DIRTY
    op.dirtied = true
    op.dirtiedBy[i] = 1
    return (op.baseline = snapshotIopb(data.Iopb))
  }
  // unverified: Windows leaves such changes in the shared structure but never passes them to
  // the IRP; here they are undone so every layer below sees what the file system sees
  restoreIopb(data.Iopb, op.baseline!)
  return op.baseline!
}

function requestPost(op: FltOperation, i: number, kind: number, context: unknown): void {
  op.wantsPost[i] = kind
  op.completionContexts[i] = context
  if (kind === POST_SYNC) op.mustWait = true
  op.nodes[i]!.instance.outstanding.add(op)
}

function checkCompletionStatus(op: FltOperation, node: CallbackNode): void {
  const st = op.data.IoStatus.Status
  if (st === STATUS.STATUS_PENDING) {
    throw fltBugcheck(FLTMGR_BUGCHECK.INVALID_COMPLETION_STATUS, `${node.instance.at} completed ${op.opName} with STATUS_PENDING`, op, node)
  }
  const major = op.data.Iopb.MajorFunction
  if ((major === IRP_MJ.IRP_MJ_CLEANUP || major === IRP_MJ.IRP_MJ_CLOSE) && !NT_SUCCESS(st)) {
    // documented: cleanup and close cannot fail
    throw fltBugcheck(FLTMGR_BUGCHECK.INVALID_COMPLETION_STATUS, `${node.instance.at} failed ${op.opName}, which must succeed`, op, node)
  }
}

/** what follows the pre-operation callbacks */
export function* afterPre(mgr: FilterManager, op: FltOperation, r: PreOutcome, mode: Mode): Co<NTSTATUS> {
  const irp = op.irp!
  if (r === 'pended') {
    if (mode !== 'dispatch') return STATUS.STATUS_PENDING
    IoMarkIrpPending(irp)
    if (op.mustWait) {
      yield* waitForCompletion(mgr, op)
      return irp.IoStatus.Status
    }
    return STATUS.STATUS_PENDING
  }
  if (r === 'complete') {
    yield* postChain(mgr, op, op.pendedAt - 1, mode)
    return settle(mgr, op, mode)
  }
  return yield* sendDown(mgr, op, mode)
}

/** after a post chain that may have stopped: the dispatch's return value */
function* settleAfterPost(mgr: FilterManager, op: FltOperation, mode: Mode): Co<NTSTATUS> {
  const irp = op.irp!
  if (op.state === 'done') return irp.IoStatus.Status
  if (mode !== 'dispatch') return STATUS.STATUS_PENDING
  if (op.mustWait) {
    yield* waitForCompletion(mgr, op)
    return irp.IoStatus.Status
  }
  IoMarkIrpPending(irp)
  return STATUS.STATUS_PENDING
}

function settle(_mgr: FilterManager, op: FltOperation, _mode: Mode): NTSTATUS {
  return op.state === 'done' ? op.irp!.IoStatus.Status : STATUS.STATUS_PENDING
}

/** passes the IRP to the driver below with the (possibly changed) parameters */
function* sendDown(mgr: FilterManager, op: FltOperation, mode: Mode): Co<NTSTATUS> {
  const irp = op.irp!
  const lower = op.volume.frameDevice!.AttachedTo!
  if (op.dirtied) {
    const { parameters, buffers, flags, slFlags } = irpFromIopb(op.data, op.originalParameters)
    const next = IoGetNextIrpStackLocation(irp)
    const iopb = op.data.Iopb
    next.MajorFunction = iopb.MajorFunction
    next.MinorFunction = iopb.MinorFunction
    next.Flags = slFlags
    next.Parameters = parameters
    next.FileObject = iopb.TargetFileObject
    next.Control = 0
    op.saved = { UserBuffer: irp.UserBuffer, SystemBuffer: irp.SystemBuffer, OutputBuffer: irp.OutputBuffer }
    if ('UserBuffer' in buffers) irp.UserBuffer = buffers.UserBuffer
    if ('SystemBuffer' in buffers) irp.SystemBuffer = buffers.SystemBuffer
    if ('OutputBuffer' in buffers) irp.OutputBuffer = buffers.OutputBuffer
    irp.Flags = flags
  } else {
    IoCopyCurrentIrpStackLocationToNext(irp)
  }
  op.sentSystemBuffer = irp.SystemBuffer
  IoSetCompletionRoutine(irp, mgr.completionRoutine, op)
  op.state = 'down'
  op.sentDown = true
  op.postPos = op.nodes.length - 1
  op.inDispatch = true
  op.dispatchThread = mgr.ke.current
  let st: NTSTATUS
  try {
    st = yield* IoCallDriver(lower, irp)
  } finally {
    op.inDispatch = false
  }
  if (op.statusCallbacks) yield* operationStatusCallbacks(mgr, op, st)
  if (op.completedInline) {
    op.completedInline = false
    op.irpHeld = true
    captureCompletion(op)
    yield* postChain(mgr, op, op.postPos, mode)
    return yield* settleAfterPost(mgr, op, mode)
  }
  if (mode === 'dispatch' && op.mustWait && !isDone(op)) {
    yield* waitForCompletion(mgr, op)
    return irp.IoStatus.Status
  }
  return isDone(op) ? irp.IoStatus.Status : st
}

/** FltRequestOperationStatusCallback: the requesters hear what IoCallDriver returned (often STATUS_PENDING) */
function* operationStatusCallbacks(mgr: FilterManager, op: FltOperation, status: NTSTATUS): Co<void> {
  const list = op.statusCallbacks ?? []
  op.statusCallbacks = undefined
  for (const r of list) {
    const inst = r.node.instance
    const snapshot = new FLT_IO_PARAMETER_BLOCK()
    restoreIopb(snapshot, r.snapshot)
    snapshot.TargetInstance = inst
    yield* invoke(mgr, { filter: inst.filter.name, callback: `${r.routine.name || 'OperationStatusCallback'} (${op.opName} operation status)`, instance: inst, op }, () =>
      r.routine(relatedObjects(inst, snapshot.TargetFileObject), snapshot, status, r.context) as number,
    )
  }
}

/** the operation went through every post (state changes behind the compiler's back, in callbacks) */
function isDone(op: FltOperation): boolean {
  return op.state === 'done'
}

/** the frame's completion routine: runs in the completing context */
export function frameCompletion(mgr: FilterManager, irp: Irp, op: FltOperation): NTSTATUS {
  if (op.inDispatch && op.dispatchThread !== undefined && mgr.ke.current === op.dispatchThread) {
    // completed while our dispatch routine is still in IoCallDriver, in its thread: the
    // dispatch routine runs the posts as soon as IoCallDriver returns
    op.completedInline = true
    return STATUS_MORE_PROCESSING_REQUIRED
  }
  if (irp.PendingReturned) IoMarkIrpPending(irp)
  op.irpHeld = true
  captureCompletion(op)
  runInContext(mgr, postChain(mgr, op, op.postPos, 'async'), `completion of ${op.describe()}`)
  return STATUS_MORE_PROCESSING_REQUIRED
}

/** the completed IRP's status into the callback data */
function captureCompletion(op: FltOperation): void {
  const irp = op.irp!
  op.data.IoStatus = { Status: irp.IoStatus.Status, Information: irp.IoStatus.Information }
  if (op.originalStack) op.mgr.namesChangedBy(op.originalStack, irp.IoStatus.Status)
  if (irp.SystemBuffer !== op.sentSystemBuffer) {
    op.newSystemBuffer = irp.SystemBuffer
    op.data.Flags |= FLTFL_CALLBACK_DATA_NEW_SYSTEM_BUFFER
  }
  if (irp.IoStatus.Status === STATUS.STATUS_REPARSE && irp.AuxiliaryBuffer) op.data.TagData = irp.AuxiliaryBuffer
}

/** the originating thread waits until the operation is done, running the posts handed to it */
export function* waitForCompletion(mgr: FilterManager, op: FltOperation): Co<void> {
  const ev = (op.syncEvent ??= new KEvent(mgr.ke, 'notification', false, `FltMgr completion of ${op.id}`))
  for (;;) {
    if (op.handoverAt >= 0) {
      const at = op.handoverAt
      op.handoverAt = -1
      yield* postChain(mgr, op, at, 'dispatch')
      continue
    }
    if (op.state === 'done') return
    ev.reset()
    yield* KeWaitForSingleObject(ev, undefined, `FltMgr: ${op.describe()} waits for its completion${op.state === 'pendedPre' ? ` (pended by ${op.nodes[op.pendedAt]?.instance.at})` : op.state === 'pendedPost' ? ` (post-operation pended by ${op.nodes[op.pendedAt]?.instance.at})` : ''}`)
  }
}

/** calls post-operation callbacks from node `from` down to the highest instance, then completes */
export function* postChain(mgr: FilterManager, op: FltOperation, from: number, mode: Mode): Co<void> {
  const data = op.data
  op.state = 'post'
  for (let i = from; i >= 0; i--) {
    op.postPos = i
    const want = op.wantsPost[i]!
    if (want === POST_NONE || op.drained[i]) continue
    if (want === POST_SYNC && mode !== 'dispatch') {
      // the originating thread runs this one (SYNCHRONIZE / create), at PASSIVE_LEVEL
      op.handoverAt = i
      op.syncEvent?.set()
      return
    }
    const node = op.nodes[i]!
    const inst = node.instance
    restoreIopb(data.Iopb, op.seen[i]!)
    data.Iopb.TargetInstance = inst
    data.Flags |= FLTFL_CALLBACK_DATA_POST_OPERATION
    op.wantsPost[i] = POST_NONE
    op.current = i
    emitInstanceEvent(mgr, op, inst, 'post')
    const post = node.post!
    const fo = data.Iopb.TargetFileObject
    const ctx = op.completionContexts[i]
    let r: number
    const site = callbackSite(op, node, 'post')
    const entry = enterCallback(mgr, site)
    try {
      let c: number | Co<number>
      try {
        c = post(data, relatedObjects(inst, fo), ctx, 0)
      } catch (e) {
        throw filterFault(mgr, e, site)
      }
      r = isCo(c) ? yield* drive(mgr, site, c) : c
    } finally {
      leaveCallback(mgr, entry)
      op.current = -1
      inst.outstanding.delete(op)
      if (inst.state === 'tearingDown') inst.changed.set()
    }
    if (r === FLT_POSTOP_MORE_PROCESSING_REQUIRED) {
      if (op.kind !== 'irp') {
        throw fltBugcheck(FLTMGR_BUGCHECK.INVALID_POSTOP_STATUS, `${inst.at} returned FLT_POSTOP_MORE_PROCESSING_REQUIRED for a ${op.kind === 'fastio' ? 'fast I/O' : 'FsFilter'} operation`, op, node)
      }
      op.postPos = i - 1
      op.pendedAt = i
      if (op.postResumed) {
        // FltCompletePendedPostOperation came before the callback returned
        op.postResumed = false
        continue
      }
      op.state = 'pendedPost'
      inst.pendedPost.add(op)
      return
    }
    if (r !== FLT_POSTOP_FINISHED_PROCESSING) {
      throw fltBugcheck(FLTMGR_BUGCHECK.INVALID_POSTOP_STATUS, `${inst.at} returned ${String(r)} from its ${op.opName} post-operation callback`, op, node)
    }
  }
  op.postPos = -1
  finishOperation(mgr, op)
}

/** the operation is through every post: the IRP (if any) completes upward */
export function finishOperation(mgr: FilterManager, op: FltOperation): void {
  op.state = 'done'
  const data = op.data
  op.result = data.IoStatus.Status
  if (op.kind === 'irp') {
    const irp = op.irp!
    irp.IoStatus.Status = data.IoStatus.Status
    irp.IoStatus.Information = data.IoStatus.Information
    if (op.saved) {
      irp.UserBuffer = op.saved.UserBuffer
      if (!op.newSystemBuffer) irp.SystemBuffer = op.saved.SystemBuffer
      irp.OutputBuffer = op.saved.OutputBuffer
    }
    if (op.originalFlags !== undefined) irp.Flags = op.originalFlags
    if (op.originalStack) mgr.afterCompletion(op.volume, op.originalStack, data.IoStatus.Status, irp)
    if (op.irpHeld || !op.sentDown) {
      op.irpHeld = false
      IoCompleteRequest(irp)
    }
  }
  op.onDone?.(op)
  op.syncEvent?.set()
}
