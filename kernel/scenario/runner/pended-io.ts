// The caller's IO_STATUS_BLOCK of a request that pends on an asynchronous handle (an oplock
// request, an acknowledgement kept as the new oplock): a step names it with the service's own
// `IoStatusBlock:` parameter, and a later NtWaitForSingleObject on the handle with the same
// `IoStatusBlock:` waits until that request has completed and reports what the block holds —
// what a program reads after WaitForSingleObject (GetOverlappedResult does the same).

import { KeWaitForSingleObject, type Co } from '../../ke/index.ts'
import type { IoStatusBlock } from '../../io/irp.ts'
import { referenceFile } from '../../io/services/handles.ts'
import { STATUS, statusName } from '../../nt/status.ts'
import type { CallOutcome } from './calls.ts'
import type { RunContext } from './context.ts'
import { decodeFsctlOutput } from './fsctl-buffers.ts'
import { StepError } from './values.ts'

/** one named IO_STATUS_BLOCK and the output buffer that goes with it */
interface NamedIoStatus {
  readonly iosb: IoStatusBlock
  readonly output: Uint8Array | undefined
  /** the FSCTL, to decode its output buffer */
  readonly code: number
}

const blocks = new WeakMap<RunContext, Map<string, NamedIoStatus>>()

function table(ctx: RunContext): Map<string, NamedIoStatus> {
  let t = blocks.get(ctx)
  if (!t) {
    t = new Map()
    blocks.set(ctx, t)
  }
  return t
}

/** keeps the block an NtFsControlFile step named (filled in later when the request pended) */
export function rememberIoStatus(ctx: RunContext, name: string, iosb: IoStatusBlock | undefined, output: Uint8Array | undefined, code: number): void {
  if (!iosb) return
  table(ctx).set(name, { iosb, output, code })
}

/** what the block holds now, as a step's output */
function report(b: NamedIoStatus): { [k: string]: unknown } {
  const out: { [k: string]: unknown } = { IoStatusBlock: { Status: statusName(b.iosb.Status), Information: b.iosb.Information } }
  if (b.iosb.Status !== STATUS.STATUS_PENDING && b.output && b.iosb.Information > 0) {
    out['OutputBuffer'] = decodeFsctlOutput(b.code, b.output.subarray(0, b.iosb.Information))
  }
  return out
}

/**
 * NtWaitForSingleObject on `handle` until the named request has completed (or `timeout` runs
 * out: STATUS_TIMEOUT, the block still pending). The step's status is the wait's; its output is
 * `IoStatusBlock: { Status, Information }` and, for an FSCTL that returned data, `OutputBuffer`.
 */
export function* waitForIoStatus(ctx: RunContext, name: string, handle: number, timeout: number | undefined): Co<CallOutcome> {
  const b = table(ctx).get(name)
  if (!b) throw new StepError(`IoStatusBlock: no earlier step named an IO_STATUS_BLOCK '${name}'`)
  const ref = referenceFile(ctx.machine.io, handle)
  if ('status' in ref) return { status: ref.status, information: 0 }
  while (b.iosb.Status === STATUS.STATUS_PENDING) {
    // FileObject->Event is signalled by every completion on the handle: wait until it is this one's
    const st = yield* KeWaitForSingleObject(ref.fo.Event, timeout, `handle ${handle} (IoStatusBlock ${name})`)
    if (st === STATUS.STATUS_TIMEOUT) return { status: STATUS.STATUS_TIMEOUT, information: 0, output: report(b) }
    if (b.iosb.Status === STATUS.STATUS_PENDING) ref.fo.Event.reset()
  }
  return { status: STATUS.STATUS_SUCCESS, information: 0, output: report(b) }
}
