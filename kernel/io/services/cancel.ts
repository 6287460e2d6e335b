// NtCancelIoFile and NtCancelIoFileEx: IoCancelIrp on the outstanding requests of a file, then
// a wait until they are done (IopCancelIrpsOfThread waits too). A request whose driver set a
// cancel routine ends at once (STATUS_CANCELLED); one without goes on until its driver finishes.

import { KeDelayExecutionThread, type Co } from '../../ke/index.ts'
import { STATUS } from '../../nt/status.ts'
import type { Irp } from '../irp.ts'
import { IoCancelIrp } from '../irp.ts'
import type { IoManager } from '../iomgr.ts'
import { referenceFile, type ServiceResult } from './handles.ts'

/** how often the canceller looks whether the requests are done: 10 ms (unverified: the Windows loop's period) */
const POLL = 10 * 10_000
/** how long it waits for requests that do not go (5 minutes, after which Windows gives up on them) */
const GIVE_UP = 300 * 10_000_000

function* cancelAndWait(io: IoManager, irps: readonly Irp[]): Co<void> {
  for (const irp of irps) IoCancelIrp(irp)
  const deadline = io.ke.now + GIVE_UP
  while (irps.some((i) => !i.completed) && io.ke.now < deadline) yield* KeDelayExecutionThread(POLL)
}

/** NtCancelIoFile: the calling thread's requests on the file */
export function* NtCancelIoFile(io: IoManager, a: { FileHandle: number }): Co<ServiceResult> {
  const ref = referenceFile(io, a.FileHandle)
  if ('status' in ref) return { status: ref.status, information: 0 }
  const t = io.ke.current
  yield* cancelAndWait(io, t ? io.outstandingIrps(ref.fo, t) : [])
  return { status: STATUS.STATUS_SUCCESS, information: 0 }
}

/** NtCancelIoFileEx (IoRequestToCancel NULL): the requests of every thread of the process on the file; STATUS_NOT_FOUND when there were none */
export function* NtCancelIoFileEx(io: IoManager, a: { FileHandle: number }): Co<ServiceResult> {
  const ref = referenceFile(io, a.FileHandle)
  if ('status' in ref) return { status: ref.status, information: 0 }
  const process = io.currentProcess()
  const irps = io.outstandingIrps(ref.fo).filter((irp) => irp.Thread !== undefined && io.processOfThread(irp.Thread) === process)
  if (irps.length === 0) return { status: STATUS.STATUS_NOT_FOUND, information: 0 }
  yield* cancelAndWait(io, irps)
  return { status: STATUS.STATUS_SUCCESS, information: 0 }
}
