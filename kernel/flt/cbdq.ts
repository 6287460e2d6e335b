// Cancel-safe callback data queues (fltKernel.h FltCbdq*): a filter keeps pended operations in a
// queue of its own (its Insert / Remove / PeekNext routines, under its own Acquire / Release),
// and FltMgr keeps the cancel-safe state of each entry, as IoCsq* does for IRPs:
// - FltCbdqInsertIo marks the callback data cancelable and calls Insert under the lock; a
//   disabled queue refuses with STATUS_FLT_CBDQ_DISABLED.
// - FltCbdqRemoveIo / FltCbdqRemoveNextIo take an entry out of the cancel-safe state: after
//   them, a cancel of the I/O does nothing and the filter completes it.
// - The I/O's cancellation (cbdqCancelIo, which FltMgr's cancel routine on the pended IRP runs)
//   removes an entry still queued and hands it to CompleteCanceledIo, which completes it.
// - FltCbdqDisable / FltCbdqEnable: inserts fail while disabled; removals still work (teardown
//   empties the queue with them).

import { IoSetCancelRoutine } from '../io/irp.ts'
import { STATUS, type NTSTATUS } from '../nt/status.ts'
import { operationOf, type FLT_CALLBACK_DATA } from './callback-data.ts'
import type { FltInstance } from './objects.ts'
import type { FltOperation } from './operation.ts'
import type { Co } from '../ke/index.ts'
import { invoke, runInContext } from './invoke.ts'

/** PFLT_CALLBACK_DATA_QUEUE_INSERT_IO */
export type PFLT_CALLBACK_DATA_QUEUE_INSERT_IO = (Cbdq: FLT_CALLBACK_DATA_QUEUE, Cbd: FLT_CALLBACK_DATA, InsertContext: unknown) => NTSTATUS
/** PFLT_CALLBACK_DATA_QUEUE_REMOVE_IO */
export type PFLT_CALLBACK_DATA_QUEUE_REMOVE_IO = (Cbdq: FLT_CALLBACK_DATA_QUEUE, Cbd: FLT_CALLBACK_DATA) => void
/** PFLT_CALLBACK_DATA_QUEUE_PEEK_NEXT_IO: the entry after Cbd (the first when Cbd is null), or null */
export type PFLT_CALLBACK_DATA_QUEUE_PEEK_NEXT_IO = (Cbdq: FLT_CALLBACK_DATA_QUEUE, Cbd: FLT_CALLBACK_DATA | null, PeekContext: unknown) => FLT_CALLBACK_DATA | null
/** PFLT_CALLBACK_DATA_QUEUE_ACQUIRE: Irql receives the previous IRQL when the lock is a spin lock */
export type PFLT_CALLBACK_DATA_QUEUE_ACQUIRE = (Cbdq: FLT_CALLBACK_DATA_QUEUE, Irql: { value?: number }) => void
/** PFLT_CALLBACK_DATA_QUEUE_RELEASE */
export type PFLT_CALLBACK_DATA_QUEUE_RELEASE = (Cbdq: FLT_CALLBACK_DATA_QUEUE, Irql: number | undefined) => void
/** PFLT_CALLBACK_DATA_QUEUE_COMPLETE_CANCELED_IO */
export type PFLT_CALLBACK_DATA_QUEUE_COMPLETE_CANCELED_IO = (Cbdq: FLT_CALLBACK_DATA_QUEUE, Cbd: FLT_CALLBACK_DATA) => void

/** FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT: the filter's per-entry storage FltMgr uses while the entry is queued */
export class FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT {
  /** the queued callback data, while it is cancelable */
  Data: FLT_CALLBACK_DATA | undefined
  Queue: FLT_CALLBACK_DATA_QUEUE | undefined
}

/** FLT_CALLBACK_DATA_QUEUE: embed one in the filter's own structure (its instance context) and pass it to FltCbdqInitialize */
export class FLT_CALLBACK_DATA_QUEUE {
  Instance: FltInstance | undefined
  InsertIo: PFLT_CALLBACK_DATA_QUEUE_INSERT_IO | undefined
  RemoveIo: PFLT_CALLBACK_DATA_QUEUE_REMOVE_IO | undefined
  PeekNextIo: PFLT_CALLBACK_DATA_QUEUE_PEEK_NEXT_IO | undefined
  Acquire: PFLT_CALLBACK_DATA_QUEUE_ACQUIRE | undefined
  Release: PFLT_CALLBACK_DATA_QUEUE_RELEASE | undefined
  CompleteCanceledIo: PFLT_CALLBACK_DATA_QUEUE_COMPLETE_CANCELED_IO | undefined
  /** FLT_CALLBACK_DATA_QUEUE_FLAGS: FLTFL_CALLBACK_DATA_QUEUE_DISABLED (not in the header; FltMgr-private) */
  Disabled = false
}

/** the cancel-safe state of a queued callback data */
const IO_CONTEXT = Symbol('FltCbdqIoContext')
type Queued = FLT_CALLBACK_DATA & { [IO_CONTEXT]?: FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT }

/** a queue FltCbdqInitialize set up */
type Ready = FLT_CALLBACK_DATA_QUEUE & { [K in keyof FLT_CALLBACK_DATA_QUEUE]: NonNullable<FLT_CALLBACK_DATA_QUEUE[K]> }

function initialized(Cbdq: FLT_CALLBACK_DATA_QUEUE, api: string): Ready {
  if (!Cbdq.InsertIo || !Cbdq.RemoveIo || !Cbdq.PeekNextIo || !Cbdq.Acquire || !Cbdq.Release || !Cbdq.CompleteCanceledIo || !Cbdq.Instance) {
    throw new TypeError(`${api}: the queue was not set up with FltCbdqInitialize`)
  }
  return Cbdq as Ready
}

function locked<T>(q: Ready, body: () => T): T {
  const irql: { value?: number } = {}
  q.Acquire(q, irql)
  try {
    return body()
  } finally {
    q.Release(q, irql.value)
  }
}

/** FltCbdqInitialize: the queue's routines; all six are required */
export function FltCbdqInitialize(
  Instance: FltInstance,
  Cbdq: FLT_CALLBACK_DATA_QUEUE,
  CbdqInsertIo: PFLT_CALLBACK_DATA_QUEUE_INSERT_IO,
  CbdqRemoveIo: PFLT_CALLBACK_DATA_QUEUE_REMOVE_IO,
  CbdqPeekNextIo: PFLT_CALLBACK_DATA_QUEUE_PEEK_NEXT_IO,
  CbdqAcquire: PFLT_CALLBACK_DATA_QUEUE_ACQUIRE,
  CbdqRelease: PFLT_CALLBACK_DATA_QUEUE_RELEASE,
  CbdqCompleteCanceledIo: PFLT_CALLBACK_DATA_QUEUE_COMPLETE_CANCELED_IO,
): NTSTATUS {
  if (!Instance || !CbdqInsertIo || !CbdqRemoveIo || !CbdqPeekNextIo || !CbdqAcquire || !CbdqRelease || !CbdqCompleteCanceledIo) return STATUS.STATUS_INVALID_PARAMETER
  Cbdq.Instance = Instance
  Cbdq.InsertIo = CbdqInsertIo
  Cbdq.RemoveIo = CbdqRemoveIo
  Cbdq.PeekNextIo = CbdqPeekNextIo
  Cbdq.Acquire = CbdqAcquire
  Cbdq.Release = CbdqRelease
  Cbdq.CompleteCanceledIo = CbdqCompleteCanceledIo
  Cbdq.Disabled = false
  return STATUS.STATUS_SUCCESS
}

/**
 * FltCbdqInsertIo: queues an IRP-based operation the caller will return FLT_PREOP_PENDING for.
 * STATUS_FLT_CBDQ_DISABLED when the queue is disabled; STATUS_INVALID_PARAMETER for fast I/O and
 * FsFilter operations, which cannot be pended; the Insert routine's failure otherwise.
 */
export function FltCbdqInsertIo(Cbdq: FLT_CALLBACK_DATA_QUEUE, Cbd: FLT_CALLBACK_DATA, Context: FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT | null, InsertContext: unknown): NTSTATUS {
  const q = initialized(Cbdq, 'FltCbdqInsertIo')
  const op = operationOf<FltOperation>(Cbd)
  if (!op || op.kind !== 'irp') return STATUS.STATUS_INVALID_PARAMETER
  return locked(q, () => {
    if (q.Disabled) return STATUS.STATUS_FLT_CBDQ_DISABLED
    const status = q.InsertIo(q, Cbd, InsertContext)
    if (status !== STATUS.STATUS_SUCCESS) return status
    const ctx = Context ?? new FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT()
    ctx.Data = Cbd
    ctx.Queue = q
    ;(Cbd as Queued)[IO_CONTEXT] = ctx
    // FltMgr's cancel routine on the pended IRP: a cancel (CancelIo, thread exit) takes the
    // entry out of the queue and gives it to CompleteCanceledIo
    if (op.irp) IoSetCancelRoutine(op.irp, () => void cbdqCancelIo(Cbd))
    return STATUS.STATUS_SUCCESS
  })
}

/** takes Cbd out of the queue and out of the cancel-safe state (the lock is held) */
function take(q: Ready, Cbd: FLT_CALLBACK_DATA): void {
  q.RemoveIo(q, Cbd)
  const ctx = (Cbd as Queued)[IO_CONTEXT]
  if (ctx) {
    ctx.Data = undefined
    ctx.Queue = undefined
  }
  delete (Cbd as Queued)[IO_CONTEXT]
  // out of the queue: no longer cancellable through it
  const op = operationOf<FltOperation>(Cbd)
  if (op?.irp) IoSetCancelRoutine(op.irp, undefined)
}

/** FltCbdqRemoveIo: the entry Context stands for, if it is still queued (not cancelled, not removed), else null */
export function FltCbdqRemoveIo(Cbdq: FLT_CALLBACK_DATA_QUEUE, Context: FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT): FLT_CALLBACK_DATA | null {
  const q = initialized(Cbdq, 'FltCbdqRemoveIo')
  return locked(q, () => {
    const data = Context.Data
    if (!data || Context.Queue !== q) return null
    take(q, data)
    return data
  })
}

/** FltCbdqRemoveNextIo: the first queued entry the PeekNext routine offers for PeekContext, removed, or null */
export function FltCbdqRemoveNextIo(Cbdq: FLT_CALLBACK_DATA_QUEUE, PeekContext: unknown): FLT_CALLBACK_DATA | null {
  const q = initialized(Cbdq, 'FltCbdqRemoveNextIo')
  return locked(q, () => {
    const data = q.PeekNextIo(q, null, PeekContext)
    if (!data) return null
    take(q, data)
    return data
  })
}

/** FltCbdqDisable: later inserts fail with STATUS_FLT_CBDQ_DISABLED */
export function FltCbdqDisable(Cbdq: FLT_CALLBACK_DATA_QUEUE): void {
  const q = initialized(Cbdq, 'FltCbdqDisable')
  locked(q, () => (q.Disabled = true))
}

/** FltCbdqEnable: inserts are accepted again */
export function FltCbdqEnable(Cbdq: FLT_CALLBACK_DATA_QUEUE): void {
  const q = initialized(Cbdq, 'FltCbdqEnable')
  locked(q, () => (q.Disabled = false))
}

/**
 * The cancellation of a queued operation (what FltMgr's cancel routine does when the I/O is
 * cancelled): an entry still in the queue is removed and given to CompleteCanceledIo, which
 * completes it (the samples with STATUS_CANCELLED). Says whether the entry was still queued: one
 * already removed is the filter's to complete.
 */
export function cbdqCancelIo(Cbd: FLT_CALLBACK_DATA): boolean {
  const ctx = (Cbd as Queued)[IO_CONTEXT]
  const queue = ctx?.Queue
  if (!ctx || !queue) return false
  const q = initialized(queue, 'cancel')
  const inst = q.Instance
  const mgr = inst.filter.mgr
  let removed = false
  // the filter's routines run as its callbacks do, in the cancelling context
  const work = (function* (): Co<void> {
    removed = yield* invoke(mgr, { filter: inst.filter.name, callback: `${q.RemoveIo.name || 'RemoveIo'} (cancel-safe queue cancel)`, instance: inst }, () =>
      locked(q, () => {
        if (ctx.Data !== Cbd) return false
        take(q, Cbd)
        return true
      }),
    )
    // unverified: outside the lock, as IoCsq calls CsqCompleteCanceledIrp (the cancelSafe sample's
    // comment says the queue is locked; its routine takes no lock either way)
    if (removed) yield* invoke(mgr, { filter: inst.filter.name, callback: `${q.CompleteCanceledIo.name || 'CompleteCanceledIo'} (cancel-safe queue cancel)`, instance: inst }, () => q.CompleteCanceledIo(q, Cbd))
  })()
  runInContext(mgr, work, 'cancel of a queued operation')
  return removed
}
