// KTHREAD: an emulated thread is a generator coroutine plus the state the dispatcher keeps.

import { DispatcherObject, type ActiveWait } from './dispatcher.ts'
import type { Scheduler } from './scheduler.ts'
import type { Co, KIRQL } from './types.ts'

/** What ke needs to know of a process (ob's EPROCESS extends it). */
export interface KProcessLike {
  readonly pid: number
  readonly imageName: string
}

export type ThreadState = 'ready' | 'waiting' | 'terminated'

export class KThread extends DispatcherObject {
  readonly objectType = 'Thread'
  state: ThreadState = 'ready'
  irql: KIRQL = 0
  /** KeEnterCriticalRegion nesting (kernel APCs disabled) */
  kernelApcDisable = 0
  /** the value the generator is resumed with (a wait status) */
  resumeValue: unknown = undefined
  wait: ActiveWait | undefined
  /** set while a wait is blocked, for wait chains */
  waitingSince = 0
  /** thread-local slots for higher layers (IoGetTopLevelIrp, Filter Manager state …) */
  readonly tls = new Map<string, unknown>()
  /** emulated kernel stack use in bytes, for recursion limits */
  stackUsed = 0
  /** a thread created by kernel code runs in System unless told otherwise */
  readonly system: boolean
  error: unknown
  constructor(
    ke: Scheduler,
    readonly tid: number,
    readonly process: KProcessLike,
    name: string,
    readonly priority: number,
    readonly gen: Co<void>,
    system: boolean,
  ) {
    super(ke, name)
    this.system = system
  }
  satisfy(): void {
    // a terminated thread stays signalled
  }
  override toString(): string {
    return `${this.process.imageName}:${this.tid}${this.name ? ` (${this.name})` : ''}`
  }
}
