// Dispatcher objects: what threads wait on (KEVENT, KSEMAPHORE, KMUTEX, KTIMER; threads
// themselves are dispatcher objects signalled when they terminate). Semantics follow the
// NT dispatcher: a wait is satisfied when the object is signalled; satisfying a wait on a
// synchronization event resets it, on a semaphore decrements it, on a mutex takes ownership.

import { BugCheck, BUGCODE, type DispatcherLike } from './types.ts'
import type { Scheduler } from './scheduler.ts'
import type { KThread } from './thread.ts'

export interface WaitBlock {
  readonly thread: KThread
  readonly wait: ActiveWait
  readonly index: number
}

/** A thread's pending wait. */
export interface ActiveWait {
  readonly objects: readonly DispatcherObject[]
  readonly waitAll: boolean
  readonly reason: string
  timerId: number | undefined
  blocks: WaitBlock[]
}

export abstract class DispatcherObject implements DispatcherLike {
  abstract readonly objectType: string
  signalState = 0
  /** waiters in FIFO order */
  readonly waiters: WaitBlock[] = []
  constructor(
    readonly ke: Scheduler,
    readonly name: string,
  ) {}
  /** whether a wait by `thread` would be satisfied now */
  isSignaledFor(_thread: KThread): boolean {
    return this.signalState > 0
  }
  /** side effects of satisfying a wait (auto-reset, count, ownership) */
  abstract satisfy(thread: KThread): void
  /** for wait chains: the lock this object stands for (an ERESOURCE's waiter event) */
  chainTo: { owners(): readonly KThread[] } | undefined
  /** who holds it, for wait chains (mutexes, resources) */
  owners(): readonly KThread[] {
    return this.chainTo ? this.chainTo.owners() : []
  }
}

export type EventType = 'notification' | 'synchronization'

export class KEvent extends DispatcherObject {
  readonly objectType: string
  constructor(
    ke: Scheduler,
    readonly eventType: EventType,
    initialState = false,
    name = '',
  ) {
    super(ke, name)
    this.objectType = eventType === 'notification' ? 'NotificationEvent' : 'SynchronizationEvent'
    this.signalState = initialState ? 1 : 0
  }
  satisfy(): void {
    if (this.eventType === 'synchronization') this.signalState = 0
  }
  /** KeSetEvent: returns the previous state */
  set(): number {
    const prev = this.signalState
    this.signalState = 1
    this.ke.signal(this)
    return prev
  }
  /** KeResetEvent: returns the previous state */
  reset(): number {
    const prev = this.signalState
    this.signalState = 0
    return prev
  }
  /** KePulseEvent: satisfies current waiters, then resets */
  pulse(): number {
    const prev = this.signalState
    this.signalState = 1
    this.ke.signal(this)
    this.signalState = 0
    return prev
  }
  get isSet(): boolean {
    return this.signalState > 0
  }
}

export class KSemaphore extends DispatcherObject {
  readonly objectType = 'Semaphore'
  constructor(
    ke: Scheduler,
    count: number,
    readonly limit: number,
    name = '',
  ) {
    super(ke, name)
    this.signalState = count
  }
  satisfy(): void {
    this.signalState--
  }
  /** KeReleaseSemaphore: returns the previous count */
  release(adjustment = 1): number {
    const prev = this.signalState
    if (prev + adjustment > this.limit) {
      // documented: STATUS_SEMAPHORE_LIMIT_EXCEEDED is raised as an exception
      throw new BugCheck(BUGCODE.KMODE_EXCEPTION_NOT_HANDLED, `semaphore ${this.name || '(unnamed)'}: limit ${this.limit} exceeded`)
    }
    this.signalState = prev + adjustment
    this.ke.signal(this)
    return prev
  }
}

/** KMUTEX: recursive for its owner; released by its owner only. */
export class KMutex extends DispatcherObject {
  readonly objectType = 'Mutex'
  owner: KThread | undefined
  recursion = 0
  constructor(ke: Scheduler, name = '') {
    super(ke, name)
    this.signalState = 1
  }
  override isSignaledFor(thread: KThread): boolean {
    return this.owner === undefined || this.owner === thread
  }
  satisfy(thread: KThread): void {
    this.owner = thread
    this.recursion++
    this.signalState = 0
  }
  override owners(): readonly KThread[] {
    return this.owner ? [this.owner] : []
  }
  /** KeReleaseMutex */
  release(thread: KThread): void {
    if (this.owner !== thread) {
      throw new BugCheck(BUGCODE.MUTEX_NOT_OWNED, `mutex ${this.name || '(unnamed)'} released by thread ${thread.tid}, which does not own it`, {
        params: [0, thread.tid],
      })
    }
    if (--this.recursion === 0) {
      this.owner = undefined
      this.signalState = 1
      this.ke.signal(this)
    }
  }
}

/** KTIMER: signalled when due; a notification timer stays signalled, a synchronization timer auto-resets. */
export class KTimer extends DispatcherObject {
  readonly objectType: string
  private timerId: number | undefined
  constructor(
    ke: Scheduler,
    readonly timerType: EventType = 'notification',
    name = '',
  ) {
    super(ke, name)
    this.objectType = timerType === 'notification' ? 'NotificationTimer' : 'SynchronizationTimer'
  }
  satisfy(): void {
    if (this.timerType === 'synchronization') this.signalState = 0
  }
  /**
   * KeSetTimerEx with a relative due time in 100 ns units; `period` re-arms it; `dpc` runs at
   * DISPATCH_LEVEL when it fires (it must not block). Returns whether it was already set.
   */
  set(dueIn: number, period = 0, dpc?: () => void): boolean {
    const wasSet = this.cancel()
    this.signalState = 0
    const fire = (): void => {
      this.signalState = 1
      this.ke.signal(this)
      if (period > 0) this.timerId = this.ke.addTimer(period, fire, `timer ${this.name}`)
      else this.timerId = undefined
      if (dpc) this.ke.runDpc(dpc)
    }
    this.timerId = this.ke.addTimer(dueIn, fire, `timer ${this.name}`)
    return wasSet
  }
  /** KeCancelTimer: returns whether it was set */
  cancel(): boolean {
    if (this.timerId === undefined) return false
    this.ke.cancelTimer(this.timerId)
    this.timerId = undefined
    return true
  }
}
