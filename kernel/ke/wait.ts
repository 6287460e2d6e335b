// The waiting primitives as coroutines (call with yield*).

import type { NTSTATUS } from '../nt/status.ts'
import type { DispatcherObject } from './dispatcher.ts'
import type { Co } from './types.ts'

/** KeWaitForSingleObject; timeout is relative, in 100 ns units; undefined waits forever */
export function* KeWaitForSingleObject(obj: DispatcherObject, timeout?: number, reason = ''): Co<NTSTATUS> {
  return (yield { k: 'wait', objects: [obj], waitAll: false, timeout, reason: reason || `${obj.objectType} ${obj.name}`.trim() }) as NTSTATUS
}

/** KeWaitForMultipleObjects (WaitAny returns STATUS_WAIT_0 + index) */
export function* KeWaitForMultipleObjects(
  objs: readonly DispatcherObject[],
  waitAll: boolean,
  timeout?: number,
  reason = '',
): Co<NTSTATUS> {
  return (yield { k: 'wait', objects: objs, waitAll, timeout, reason }) as NTSTATUS
}

/** KeDelayExecutionThread with a relative interval in 100 ns units */
export function* KeDelayExecutionThread(interval: number): Co<void> {
  // a zero interval gives up the rest of the quantum: a preemption point
  if (interval <= 0) {
    yield { k: 'point', label: 'delay 0' }
    return
  }
  yield { k: 'wait', objects: [], waitAll: false, timeout: interval, reason: 'delay' }
}

/** a place where another thread may be scheduled (the interleaving strategy decides) */
export function* KePreemptionPoint(label = ''): Co<void> {
  yield { k: 'point', label }
}
