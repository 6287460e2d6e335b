// ERESOURCE (shared/exclusive with the documented starvation rules) and FAST_MUTEX.
// Rules from the WDK docs of ExAcquireResourceSharedLite, ExAcquireSharedStarveExclusive,
// ExAcquireSharedWaitForExclusive and ExAcquireResourceExclusiveLite.

import { KEvent } from './dispatcher.ts'
import type { Scheduler } from './scheduler.ts'
import type { KThread } from './thread.ts'
import { BugCheck, BUGCODE, APC_LEVEL, type Co, type DispatcherLike, type KIRQL } from './types.ts'
import { KeWaitForSingleObject } from './wait.ts'

interface ResourceWaiter {
  thread: KThread
  exclusive: boolean
  event: KEvent
}

export class EResource implements DispatcherLike {
  readonly objectType = 'ERESOURCE'
  private exclusiveOwner: KThread | undefined
  private exclusiveCount = 0
  private readonly shared = new Map<KThread, number>()
  private readonly waiters: ResourceWaiter[] = []
  /** acquisitions that had to wait, for contention statistics */
  contentionCount = 0

  constructor(
    private readonly ke: Scheduler,
    readonly name: string,
  ) {}

  isAcquiredExclusive(t: KThread = this.ke.currentThread): boolean {
    return this.exclusiveOwner === t
  }
  /** ExIsResourceAcquiredSharedLite: the thread's acquisition count (exclusive counts too) */
  sharedCount(t: KThread = this.ke.currentThread): number {
    return (this.exclusiveOwner === t ? this.exclusiveCount : 0) + (this.shared.get(t) ?? 0)
  }
  get hasExclusiveWaiters(): boolean {
    return this.waiters.some((w) => w.exclusive)
  }
  get isOwned(): boolean {
    return this.exclusiveOwner !== undefined || this.shared.size > 0
  }
  owners(): KThread[] {
    return this.exclusiveOwner ? [this.exclusiveOwner] : [...this.shared.keys()]
  }

  /** ExAcquireResourceExclusiveLite */
  *acquireExclusive(wait = true): Co<boolean> {
    const t = this.ke.currentThread
    if (this.exclusiveOwner === t) {
      this.exclusiveCount++
      return true
    }
    if (!this.isOwned) {
      this.exclusiveOwner = t
      this.exclusiveCount = 1
      return true
    }
    if (!wait) return false
    // a thread that owns it shared and asks for exclusive deadlocks, as on Windows; the
    // deadlock detector shows the wait chain
    return yield* this.waitFor(t, true)
  }

  /** ExAcquireResourceSharedLite: waits if owned exclusive or if exclusive waiters exist, unless the caller already owns it */
  *acquireShared(wait = true): Co<boolean> {
    return yield* this.sharedAcquire(wait, 'shared')
  }
  /** ExAcquireSharedStarveExclusive: does not wait for exclusive waiters */
  *acquireSharedStarveExclusive(wait = true): Co<boolean> {
    return yield* this.sharedAcquire(wait, 'starve')
  }
  /** ExAcquireSharedWaitForExclusive: waits for exclusive waiters even when the caller owns it shared */
  *acquireSharedWaitForExclusive(wait = true): Co<boolean> {
    return yield* this.sharedAcquire(wait, 'waitExclusive')
  }

  private *sharedAcquire(wait: boolean, mode: 'shared' | 'starve' | 'waitExclusive'): Co<boolean> {
    const t = this.ke.currentThread
    if (this.exclusiveOwner === t) {
      this.exclusiveCount++
      return true
    }
    const mine = this.shared.get(t) ?? 0
    const grantable =
      this.exclusiveOwner === undefined &&
      (mode === 'starve' ||
        (mode === 'shared' && (mine > 0 || !this.hasExclusiveWaiters)) ||
        // unverified: the docs say the caller waits for exclusive waiters "whether or not it already has shared access"
        (mode === 'waitExclusive' && !this.hasExclusiveWaiters))
    if (grantable) {
      this.shared.set(t, mine + 1)
      return true
    }
    if (!wait) return false
    return yield* this.waitFor(t, false)
  }

  private *waitFor(t: KThread, exclusive: boolean): Co<boolean> {
    const w: ResourceWaiter = { thread: t, exclusive, event: new KEvent(this.ke, 'synchronization', false, this.name) }
    w.event.chainTo = this
    this.waiters.push(w)
    this.contentionCount++
    yield* KeWaitForSingleObject(w.event, undefined, `${exclusive ? 'exclusive' : 'shared'} ERESOURCE ${this.name}`)
    return true
  }

  /** ExReleaseResourceLite for the current thread */
  release(t: KThread = this.ke.currentThread): void {
    if (this.exclusiveOwner === t) {
      if (--this.exclusiveCount === 0) this.exclusiveOwner = undefined
    } else {
      const n = this.shared.get(t)
      if (!n) throw new BugCheck(BUGCODE.RESOURCE_NOT_OWNED, `ERESOURCE ${this.name} released by ${t}, which does not own it`, { params: [0, t.tid] })
      if (n === 1) this.shared.delete(t)
      else this.shared.set(t, n - 1)
    }
    this.grant()
  }

  /** ExConvertExclusiveToSharedLite */
  convertExclusiveToShared(t: KThread = this.ke.currentThread): void {
    if (this.exclusiveOwner !== t) throw new BugCheck(BUGCODE.RESOURCE_NOT_OWNED, `ERESOURCE ${this.name}: convert by non-owner ${t}`)
    this.shared.set(t, this.exclusiveCount)
    this.exclusiveOwner = undefined
    this.exclusiveCount = 0
    // shared waiters may now proceed (those behind an exclusive waiter keep waiting)
    this.grant()
  }

  /** hands the resource to waiters in FIFO order: one exclusive, or every shared waiter up to the next exclusive one */
  private grant(): void {
    if (this.exclusiveOwner) return
    while (this.waiters.length > 0) {
      const head = this.waiters[0]!
      if (head.exclusive) {
        if (this.shared.size > 0) return
        this.waiters.shift()
        this.exclusiveOwner = head.thread
        this.exclusiveCount = 1
        head.event.set()
        return
      }
      this.waiters.shift()
      this.shared.set(head.thread, (this.shared.get(head.thread) ?? 0) + 1)
      head.event.set()
    }
  }
}

/** FAST_MUTEX: not recursive; raises to APC_LEVEL while held. */
export class FastMutex implements DispatcherLike {
  readonly objectType = 'FAST_MUTEX'
  private owner: KThread | undefined
  private oldIrql: KIRQL = 0
  private readonly waiters: { thread: KThread; event: KEvent }[] = []
  constructor(
    private readonly ke: Scheduler,
    readonly name: string,
  ) {}
  owners(): KThread[] {
    return this.owner ? [this.owner] : []
  }
  /** ExAcquireFastMutex */
  *acquire(): Co<void> {
    const t = this.ke.currentThread
    if (this.owner) {
      // acquiring it again on the owning thread deadlocks, as on Windows
      const w = { thread: t, event: new KEvent(this.ke, 'synchronization', false, this.name) }
      w.event.chainTo = this
      this.waiters.push(w)
      yield* KeWaitForSingleObject(w.event, undefined, `FAST_MUTEX ${this.name}`)
    }
    this.owner = t
    this.oldIrql = t.irql
    t.irql = Math.max(t.irql, APC_LEVEL) as KIRQL
  }
  /** ExTryToAcquireFastMutex */
  tryAcquire(): boolean {
    if (this.owner) return false
    const t = this.ke.currentThread
    this.owner = t
    this.oldIrql = t.irql
    t.irql = Math.max(t.irql, APC_LEVEL) as KIRQL
    return true
  }
  /** ExReleaseFastMutex */
  release(): void {
    const t = this.ke.currentThread
    if (this.owner !== t) throw new BugCheck(BUGCODE.MUTEX_NOT_OWNED, `FAST_MUTEX ${this.name} released by ${t}, which does not own it`)
    t.irql = this.oldIrql
    const next = this.waiters.shift()
    this.owner = undefined
    if (next) {
      this.owner = next.thread
      next.event.set()
    }
  }
}
