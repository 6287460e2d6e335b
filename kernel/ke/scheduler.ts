// The scheduler: one processor, many coroutine threads, virtual time. Which runnable thread
// runs at each preemption point is the strategy's choice (seeded), and every choice among
// more than one candidate is recorded, so (scenario, seed, decision log) determines a run.

import { STATUS, type NTSTATUS } from '../nt/status.ts'
import { BOOT_FILETIME } from './clock.ts'
import { type ActiveWait, type DispatcherObject, type WaitBlock } from './dispatcher.ts'
import { Prng } from './prng.ts'
import { RandomStrategy, type Decision, type Strategy } from './strategy.ts'
import { KThread, type KProcessLike } from './thread.ts'
import { TimerQueue } from './timers.ts'
import { BugCheck, BUGCODE, DISPATCH_LEVEL, type Co, type WaitRequest } from './types.ts'

export interface SchedulerOptions {
  seed?: number
  strategy?: Strategy
}

export type RunOutcome =
  /** the condition became true */
  | 'done'
  /** no thread can run and no timer is pending, but threads are waiting */
  | 'blocked'
  /** no thread can run, none is waiting on anything, no timer is pending */
  | 'idle'
  /** the deadline was reached */
  | 'deadline'
  /** the step budget ran out (a livelock guard) */
  | 'limit'
  | 'bugcheck'

export interface RunLimits {
  /** absolute virtual time at which to stop */
  deadline?: number
  /** maximum number of scheduling steps */
  maxSteps?: number
}

export interface WaitChainLink {
  thread: string
  reason: string
  objects: { type: string; name: string; owners: string[] }[]
  since: number
}

export class Scheduler {
  /** virtual time: 100 ns ticks since boot */
  now = 0
  readonly seed: number
  readonly prng: Prng
  strategy: Strategy
  readonly decisions: Decision[] = []
  readonly threads: KThread[] = []
  current: KThread | undefined
  bugcheck: BugCheck | undefined
  /** scheduling steps taken */
  steps = 0
  private readonly ready: KThread[] = []
  private readonly timers = new TimerQueue()
  private lastAtPoint: KThread | undefined
  private nextTid = 4
  private inDpc = false

  constructor(opts: SchedulerOptions = {}) {
    this.seed = opts.seed ?? 1
    this.prng = new Prng(this.seed)
    this.strategy = opts.strategy ?? new RandomStrategy(this.seed)
  }

  /** KeQuerySystemTime */
  systemTime(): bigint {
    return BOOT_FILETIME + BigInt(this.now)
  }

  /** charges virtual time for work done by the running thread */
  advance(ticks: number): void {
    this.now += ticks
  }

  /** PsCreateSystemThread / a user thread: runnable at once */
  createThread(
    process: KProcessLike,
    name: string,
    body: (thread: KThread) => Co<void>,
    opts: { priority?: number; system?: boolean } = {},
  ): KThread {
    const tid = this.nextTid
    this.nextTid += 4
    const holder: { t?: KThread } = {}
    const gen = (function* (): Co<void> {
      yield* body(holder.t!)
    })()
    const t = new KThread(this, tid, process, name, opts.priority ?? 8, gen, opts.system ?? false)
    holder.t = t
    this.threads.push(t)
    this.ready.push(t)
    return t
  }

  get currentThread(): KThread {
    if (!this.current) throw new Error('no current thread: kernel code ran outside an emulated thread')
    return this.current
  }

  get isIdle(): boolean {
    return this.ready.length === 0
  }

  // ---- timers and DPCs ----

  addTimer(dueIn: number, fire: () => void, label: string): number {
    return this.timers.add(this.now + Math.max(0, dueIn), fire, label)
  }

  cancelTimer(id: number): boolean {
    return this.timers.cancel(id)
  }

  nextTimerDue(): number | undefined {
    return this.timers.peek()?.due
  }

  /** runs a DPC routine at DISPATCH_LEVEL; it must not wait */
  runDpc(fn: () => void): void {
    const prev = this.inDpc
    this.inDpc = true
    try {
      fn()
    } finally {
      this.inDpc = prev
    }
  }

  private fireDueTimers(): void {
    for (let e = this.timers.popDue(this.now); e; e = this.timers.popDue(this.now)) {
      try {
        e.fire()
      } catch (err) {
        this.crash(undefined, err)
        return
      }
    }
  }

  // ---- waits ----

  /** wakes the waiters an object's new state satisfies (KiWaitTest) */
  signal(obj: DispatcherObject): void {
    if (obj.waiters.length === 0) return
    for (const wb of [...obj.waiters]) {
      const w = wb.wait
      if (wb.thread.wait !== w) continue
      if (w.waitAll) {
        if (w.objects.every((o) => o.isSignaledFor(wb.thread))) {
          for (const o of w.objects) o.satisfy(wb.thread)
          this.completeWait(wb.thread, STATUS.STATUS_WAIT_0)
        }
      } else if (obj.isSignaledFor(wb.thread)) {
        obj.satisfy(wb.thread)
        this.completeWait(wb.thread, STATUS.STATUS_WAIT_0 + wb.index)
      }
    }
  }

  private tryWait(t: KThread, req: WaitRequest): NTSTATUS | undefined {
    const objs = req.objects as readonly DispatcherObject[]
    if (req.waitAll) {
      if (objs.length > 0 && objs.every((o) => o.isSignaledFor(t))) {
        for (const o of objs) o.satisfy(t)
        return STATUS.STATUS_WAIT_0
      }
      return undefined
    }
    for (let i = 0; i < objs.length; i++) {
      const o = objs[i]!
      if (o.isSignaledFor(t)) {
        o.satisfy(t)
        return STATUS.STATUS_WAIT_0 + i
      }
    }
    return undefined
  }

  private block(t: KThread, req: WaitRequest): void {
    const wait: ActiveWait = {
      objects: req.objects as readonly DispatcherObject[],
      waitAll: req.waitAll,
      reason: req.reason,
      timerId: undefined,
      blocks: [],
    }
    wait.objects.forEach((o, index) => {
      const wb: WaitBlock = { thread: t, wait, index }
      o.waiters.push(wb)
      wait.blocks.push(wb)
    })
    if (req.timeout !== undefined) {
      wait.timerId = this.addTimer(req.timeout, () => this.completeWait(t, STATUS.STATUS_TIMEOUT), `wait timeout of ${t}`)
    }
    t.wait = wait
    t.state = 'waiting'
    t.waitingSince = this.now
  }

  private completeWait(t: KThread, status: NTSTATUS): void {
    const w = t.wait
    if (!w) return
    for (const wb of w.blocks) {
      const list = wb.wait.objects[wb.index]!.waiters
      const i = list.indexOf(wb)
      if (i >= 0) list.splice(i, 1)
    }
    if (w.timerId !== undefined && status !== STATUS.STATUS_TIMEOUT) this.timers.cancel(w.timerId)
    t.wait = undefined
    t.state = 'ready'
    t.resumeValue = status
    this.ready.push(t)
  }

  // ---- running ----

  /** makes one scheduling decision and runs that thread to its next preemption point or block */
  step(): boolean {
    if (this.bugcheck || this.ready.length === 0) return false
    let idx = 0
    if (this.ready.length > 1) {
      const current = this.lastAtPoint && this.lastAtPoint.state === 'ready' ? this.lastAtPoint : undefined
      idx = this.strategy.pick({ ready: this.ready, current, decision: this.decisions.length })
      if (!(idx >= 0 && idx < this.ready.length)) throw new Error(`strategy ${this.strategy.name} picked ${idx} of ${this.ready.length}`)
      this.decisions.push({ c: idx, n: this.ready.length })
    }
    const t = this.ready.splice(idx, 1)[0]!
    this.steps++
    this.resume(t)
    this.fireDueTimers()
    return true
  }

  private resume(t: KThread): void {
    this.current = t
    this.lastAtPoint = undefined
    let value = t.resumeValue
    t.resumeValue = undefined
    try {
      for (;;) {
        const r = t.gen.next(value)
        if (r.done) {
          this.terminate(t)
          return
        }
        const y = r.value
        if (y.k === 'point') {
          // a thread at DISPATCH_LEVEL cannot be preempted by another thread
          if (t.irql >= DISPATCH_LEVEL) {
            value = undefined
            continue
          }
          this.ready.push(t)
          this.lastAtPoint = t
          return
        }
        if (this.inDpc || (t.irql >= DISPATCH_LEVEL && y.timeout !== 0)) {
          // KeWaitForSingleObject: "if Timeout = NULL or *Timeout != 0, the caller must be running at IRQL <= APC_LEVEL".
          // unverified: Windows itself only crashes when the wait would switch threads; Driver
          // Verifier catches every such wait. We follow the verifier so the bug shows every time.
          throw new BugCheck(BUGCODE.IRQL_NOT_LESS_OR_EQUAL, `${t} waited (${y.reason || 'wait'}) at IRQL ${t.irql}`, {
            params: [0, t.irql, 0, 0],
          })
        }
        const status = this.tryWait(t, y)
        if (status !== undefined) {
          value = status
          continue
        }
        if (y.timeout === 0 || (y.objects.length === 0 && y.timeout === undefined)) {
          value = STATUS.STATUS_TIMEOUT
          continue
        }
        this.block(t, y)
        return
      }
    } catch (err) {
      this.crash(t, err)
    } finally {
      this.current = undefined
    }
  }

  private terminate(t: KThread): void {
    t.state = 'terminated'
    t.signalState = 1
    this.signal(t)
  }

  private crash(t: KThread | undefined, err: unknown): void {
    if (this.bugcheck) return
    if (t) {
      t.state = 'terminated'
      t.error = err
    }
    if (err instanceof BugCheck) {
      this.bugcheck = err
      return
    }
    const e = err instanceof Error ? err : new Error(String(err))
    const code = t && !t.system ? BUGCODE.KMODE_EXCEPTION_NOT_HANDLED : BUGCODE.SYSTEM_THREAD_EXCEPTION_NOT_HANDLED
    this.bugcheck = new BugCheck(code, `${t ? `thread ${t}` : 'timer routine'}: ${e.message}`, {
      params: [0xc0000005, 0, 0, 0],
      context: e.stack,
    })
  }

  /** runs until `until()` is true, nothing can run, a limit is hit, or the machine bugchecks */
  runUntil(until: () => boolean, limits: RunLimits = {}): RunOutcome {
    const maxSteps = limits.maxSteps ?? Number.POSITIVE_INFINITY
    let steps = 0
    for (;;) {
      if (this.bugcheck) return 'bugcheck'
      if (until()) return 'done'
      if (limits.deadline !== undefined && this.now >= limits.deadline) return 'deadline'
      if (steps >= maxSteps) return 'limit'
      if (this.step()) {
        steps++
        continue
      }
      const due = this.timers.peek()?.due
      if (due === undefined) return this.threads.some((x) => x.state === 'waiting') ? 'blocked' : 'idle'
      if (limits.deadline !== undefined && due > limits.deadline) {
        this.now = limits.deadline
        return 'deadline'
      }
      if (due > this.now) this.now = due
      this.fireDueTimers()
    }
  }

  /** advances virtual time by `ticks`, running whatever becomes runnable meanwhile */
  runFor(ticks: number, maxSteps?: number): RunOutcome {
    const deadline = this.now + ticks
    const r = this.runUntil(() => false, { deadline, maxSteps })
    if (r === 'blocked' || r === 'idle') this.now = Math.max(this.now, deadline)
    return r === 'blocked' || r === 'idle' ? 'deadline' : r
  }

  /** every waiting thread, what it waits on, and who owns that — for deadlock reports */
  waitChains(): WaitChainLink[] {
    return this.threads
      .filter((t) => t.state === 'waiting' && t.wait)
      .map((t) => ({
        thread: t.toString(),
        reason: t.wait!.reason,
        since: t.waitingSince,
        objects: t.wait!.objects.map((o) => ({ type: o.objectType, name: o.name, owners: o.owners().map((x) => x.toString()) })),
      }))
  }
}
