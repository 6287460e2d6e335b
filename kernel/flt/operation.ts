// One operation in flight through the frame (FltMgr's IRP_CTRL): the callback data, the chain
// of callback nodes it passes, and per node what its pre-operation callback asked for (a post,
// a synchronized post, a completion context) and the parameters it saw.

import type { KEvent, KThread } from '../ke/index.ts'
import type { Irp, IoParameters, IoStackLocation } from '../io/irp.ts'
import { majorName } from '../nt/irp.ts'
import type { FLT_CALLBACK_DATA, IopbSnapshot } from './callback-data.ts'
import { setOperation } from './callback-data.ts'
import type { FilterManager } from './manager.ts'
import type { CallbackNode, FltInstance, FltVolume } from './objects.ts'
import type { PFLT_COMPLETED_ASYNC_IO_CALLBACK } from './types.ts'

export type OperationKind = 'irp' | 'fastio' | 'fsfilter'

/** what a node's pre-operation callback asked for its post */
export const POST_NONE = 0
/** post at completion, in the completing context */
export const POST_CALL = 1
/** post in the originating thread at PASSIVE_LEVEL (SYNCHRONIZE, and every create) */
export const POST_SYNC = 2

export type OperationState = 'pre' | 'pendedPre' | 'down' | 'post' | 'pendedPost' | 'done'

/** filter-initiated I/O: where it starts and who hears of its completion */
export interface GeneratedIo {
  /** the instance it was issued by: only instances below it see it */
  readonly startBelow: FltInstance | undefined
  /** extra callback-data flags (GENERATED_IO, REISSUED_IO) */
  readonly flags: number
  /** FltPerformAsynchronousIo / FltReadFile with a callback routine */
  readonly callback?: PFLT_COMPLETED_ASYNC_IO_CALLBACK
  readonly callbackContext?: unknown
  /** the callback data the issuer allocated (FltAllocateCallbackData) */
  readonly data?: FLT_CALLBACK_DATA
}

export class FltOperation {
  state: OperationState = 'pre'
  /** per node: POST_NONE, POST_CALL or POST_SYNC */
  readonly wantsPost: number[]
  /** per node: its post was already called while draining */
  readonly drained: number[]
  /** per node: the completion context its pre-operation callback set */
  readonly completionContexts: unknown[]
  /** the Iopb as the next pre-operation callback will see it */
  baseline: IopbSnapshot | undefined
  /** per node: the Iopb as it saw it in its pre-operation callback */
  readonly seen: (IopbSnapshot | undefined)[]
  /** per node: it made the callback data dirty */
  readonly dirtiedBy: number[]
  /** the node whose callback is running (its instance is Iopb.TargetInstance) */
  current = -1
  /** the node that pended in pre, or returned MORE_PROCESSING_REQUIRED in post */
  pendedAt = -1
  /** the next node whose post is due (posts run from the last node to the first) */
  postPos = -1
  /** some node asked for its post in the originating thread: the dispatch waits for completion */
  mustWait = false
  /** the dispatch routine is inside its IoCallDriver for this operation, in this thread */
  inDispatch = false
  dispatchThread: KThread | undefined
  /** the lower driver completed the IRP while the dispatch routine was still in IoCallDriver */
  completedInline = false
  /** our completion routine returned STATUS_MORE_PROCESSING_REQUIRED: we finish the completion */
  irpHeld = false
  sentDown = false
  /** the node from which the waiting originating thread continues the posts */
  handoverAt = -1
  syncEvent: KEvent | undefined
  /** a FastIO operation a pre-operation callback disallowed */
  disallowed = false
  dirtied = false
  /** the IRP's buffers before FltMgr applied changed parameters (restored at completion) */
  saved: { UserBuffer: Uint8Array | undefined; SystemBuffer: Uint8Array | undefined; OutputBuffer: Uint8Array | undefined } | undefined
  /** the frame's own stack location and what the IRP carried on arrival (restored at completion) */
  originalStack: IoStackLocation | undefined
  originalParameters: IoParameters | undefined
  originalFlags: number | undefined
  /** AssociatedIrp.SystemBuffer as sent down, and the one the file system put in its place */
  sentSystemBuffer: Uint8Array | undefined
  newSystemBuffer: Uint8Array | undefined
  /** FltCompletePendedPostOperation was called while the post that pends was still running */
  postResumed = false
  /** FltRequestOperationStatusCallback requests: called when IoCallDriver returns */
  statusCallbacks: { node: CallbackNode; snapshot: IopbSnapshot; routine: (FltObjects: unknown, ParameterSnapshot: unknown, OperationStatus: number, RequesterContext: unknown) => unknown; context: unknown }[] | undefined
  /** called once the operation is through every post */
  onDone: ((op: FltOperation) => void) | undefined
  /** nesting depth of the issuing thread's I/O, for the trace */
  depth = 0
  /** the final status, once done */
  result: number | undefined

  constructor(
    readonly mgr: FilterManager,
    readonly kind: OperationKind,
    /** trace id (IRP<n> for IRP-based operations) */
    readonly id: string,
    readonly data: FLT_CALLBACK_DATA,
    readonly volume: FltVolume,
    readonly nodes: readonly CallbackNode[],
    readonly irp: Irp | undefined,
    readonly thread: KThread | undefined,
    readonly generated: GeneratedIo | undefined,
    /** the trace's operation name (IRP_MJ_READ, or FASTIO_READ for fast I/O) */
    readonly opName: string,
  ) {
    const n = nodes.length
    this.wantsPost = new Array<number>(n).fill(0)
    this.drained = new Array<number>(n).fill(0)
    this.dirtiedBy = new Array<number>(n).fill(0)
    this.completionContexts = new Array<unknown>(n)
    this.seen = new Array<IopbSnapshot | undefined>(n)
    setOperation(data, this)
  }

  get currentNode(): CallbackNode | undefined {
    return this.current >= 0 ? this.nodes[this.current] : undefined
  }

  /** for bugcheck screens and wait chains */
  describe(): string {
    const d = this.data
    const fo = d.Iopb.TargetFileObject
    const who = this.thread ? ` thread ${this.thread}` : ''
    return `${this.opName === majorName(d.Iopb.MajorFunction) ? this.opName : `${this.opName} (${majorName(d.Iopb.MajorFunction)})`} ${fo ? `${fo.traceName} FO${fo.id} ` : ''}${this.id}${who}`.trim()
  }
}
