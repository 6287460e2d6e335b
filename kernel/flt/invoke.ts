// Calling into filters. Every callback goes through `invoke`: a plain function's result is
// used as it is, a generator is driven with its waits handed to the scheduler; an exception is
// the filter's crash and stops the machine (KMODE_EXCEPTION_NOT_HANDLED naming the filter, the
// callback and the operation in flight). `runInContext` runs Filter Manager work that a
// non-blocking caller started (a completion routine, FltCompletePendedPreOperation): it goes on
// in the caller's context until something must wait; at PASSIVE_LEVEL the rest moves to a
// System thread, at DISPATCH_LEVEL waiting is the bugcheck it is on Windows.

import { BugCheck, BUGCODE, DISPATCH_LEVEL, type Co, type KIRQL, type KThread, type Scheduler, type WaitRequest } from '../ke/index.ts'
import { STATUS } from '../nt/status.ts'
import type { FilterManager } from './manager.ts'
import type { FltInstance } from './objects.ts'
import type { FltOperation } from './operation.ts'

/** is `x` a generator a callback returned (a blocking callback written as `function*`) */
export function isCo(x: unknown): x is Co<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as { next?: unknown }).next === 'function' && typeof (x as { throw?: unknown }).throw === 'function'
}

/** who is being called, for bugcheck screens: filter, callback and the operation in flight */
export interface CallbackSite {
  readonly filter: string
  /** the callback's role and, when it has one, its function name: `PtPreOperationPassThrough (IRP_MJ_CREATE pre-operation)` */
  readonly callback: string
  readonly instance?: FltInstance
  readonly op?: FltOperation
}

let active: FilterManager | undefined

/** the Filter Manager whose filter code runs now (KeGetCurrentIrql and friends need it) */
export function activeManager(): FilterManager | undefined {
  return active
}

/** the NTSTATUS-like exception code a JavaScript error stands for */
function exceptionCode(e: unknown): number {
  if (e instanceof RangeError && /call stack/i.test(e.message)) return 0xc00000fd // STATUS_STACK_OVERFLOW
  if (e instanceof TypeError || e instanceof ReferenceError) return 0xc0000005 // STATUS_ACCESS_VIOLATION
  // unverified: a thrown value that is not a memory fault has no Windows equivalent; a C++-style
  // software exception code is the closest
  return 0xe06d7363
}

/** turns an exception in filter code into the bugcheck Windows shows */
export function filterFault(mgr: FilterManager, e: unknown, site: CallbackSite): BugCheck {
  if (e instanceof BugCheck) return e
  const err = e instanceof Error ? e : new Error(String(e))
  const what = site.op ? site.op.describe() : undefined
  return new BugCheck(BUGCODE.KMODE_EXCEPTION_NOT_HANDLED, `${site.filter} raised an exception in ${site.callback}: ${err.message}`, {
    params: [exceptionCode(e), 0, 0, 0],
    culprit: `${site.filter} — ${site.callback}`,
    context: [what ? `operation: ${what}` : undefined, site.instance ? `instance: ${site.instance.name} (${site.instance.at}) on ${site.instance.volume}` : undefined, err.stack]
      .filter(Boolean)
      .join('\n'),
  })
  void mgr
}

/** what entering a callback changed, for leaving it */
export interface CallbackEntry {
  readonly prev: FilterManager | undefined
  readonly site: CallbackSite
  readonly frame: StackFrame
}

/** bookkeeping before a callback runs: the active manager, the instance's rundown, the kernel stack */
export function enterCallback(mgr: FilterManager, site: CallbackSite): CallbackEntry {
  const frame = mgr.stack.enterCallback(site)
  const prev = active
  active = mgr
  const inst = site.instance
  if (inst) inst.activeCallbacks++
  return { prev, site, frame }
}

export function leaveCallback(mgr: FilterManager, e: CallbackEntry): void {
  mgr.stack.leave(e.frame)
  active = e.prev
  const inst = e.site.instance
  if (inst) {
    inst.activeCallbacks--
    if (inst.state === 'tearingDown') inst.changed.set()
  }
}

/** drives a generator a callback returned; its waits go to the scheduler */
export function* drive<T>(mgr: FilterManager, site: CallbackSite, gen: Co<T>): Co<T> {
  let input: unknown
  for (;;) {
    active = mgr
    let step: IteratorResult<unknown, T>
    try {
      step = gen.next(input)
    } catch (e) {
      throw filterFault(mgr, e, site)
    }
    if (step.done) return step.value
    input = yield step.value as WaitRequest
  }
}

/**
 * Calls a filter callback. `call` performs the call itself; a generator it returns is driven
 * here (its waits go to the scheduler). Exceptions become the filter's bugcheck.
 */
export function* invoke<T>(mgr: FilterManager, site: CallbackSite, call: () => T | Co<T>): Co<T> {
  const entry = enterCallback(mgr, site)
  try {
    let r: T | Co<T>
    try {
      r = call()
    } catch (e) {
      throw filterFault(mgr, e, site)
    }
    if (!isCo(r)) return r as T
    return yield* drive(mgr, site, r as Co<T>)
  } finally {
    leaveCallback(mgr, entry)
  }
}

/** the IRQL the running code is at: a thread's own, DISPATCH_LEVEL in a DPC (no thread) */
export function currentIrql(ke: Scheduler): KIRQL {
  const t = ke.current
  return t ? t.irql : DISPATCH_LEVEL
}

/** a wait with a zero timeout, decided without blocking (allowed at DISPATCH_LEVEL) */
function pollWait(ke: Scheduler, y: WaitRequest): number {
  const t = ke.current
  const objs = y.objects as unknown as readonly { isSignaledFor(t: KThread): boolean; satisfy(t: KThread): void }[]
  const probe = t as KThread
  if (y.waitAll) {
    if (objs.length > 0 && objs.every((o) => o.isSignaledFor(probe))) {
      for (const o of objs) o.satisfy(probe)
      return STATUS.STATUS_WAIT_0
    }
    return STATUS.STATUS_TIMEOUT
  }
  for (let i = 0; i < objs.length; i++) {
    if (objs[i]!.isSignaledFor(probe)) {
      objs[i]!.satisfy(probe)
      return STATUS.STATUS_WAIT_0 + i
    }
  }
  return STATUS.STATUS_TIMEOUT
}

/**
 * Runs `work` in the caller's context. When it has to wait: at PASSIVE or APC level the rest of
 * it continues on a new System thread (the caller, a completion routine or a plain Flt routine,
 * cannot block); at DISPATCH_LEVEL the wait is a bugcheck, as on Windows.
 */
export function runInContext(mgr: FilterManager, work: Co<void>, label: string): void {
  const ke = mgr.ke
  let input: unknown
  for (;;) {
    const step = work.next(input)
    if (step.done) return
    const y = step.value
    if (y.k === 'point') {
      input = undefined
      continue
    }
    if (currentIrql(ke) >= DISPATCH_LEVEL) {
      if (y.timeout === 0) {
        input = pollWait(ke, y)
        continue
      }
      const t = ke.current
      throw new BugCheck(
        t ? BUGCODE.IRQL_NOT_LESS_OR_EQUAL : BUGCODE.ATTEMPTED_SWITCH_FROM_DPC,
        `${label}: a wait (${y.reason || 'wait'}) at DISPATCH_LEVEL${t ? ` on ${t}` : ' in a DPC'}`,
        { params: [0, DISPATCH_LEVEL, 0, 0], culprit: activeSiteName(), context: label },
      )
    }
    const first = y
    const t = ke.createThread(
      mgr.io.system,
      `FltMgr ${label}`,
      function* (): Co<void> {
        let v = yield first
        for (;;) {
          const s = work.next(v)
          if (s.done) return
          v = yield s.value
        }
      },
      { system: true },
    )
    mgr.onSystemThread(t)
    return
  }
}

function activeSiteName(): string | undefined {
  return active?.stack.innermostCallback()
}

/** KERNEL_STACK_SIZE on x64 (ntddk.h) */
export const KERNEL_STACK_SIZE = 0x6000

/**
 * unverified: what one level of the I/O path costs on the kernel stack. An IRP arriving at the
 * frame stands for the I/O manager and object manager frames above it (they keep no count of
 * their own), the frame's dispatch for FltMgr's, and each callback for the filter's frame.
 * With these, about nine nested creates through one filter exhaust the 24 KiB stack.
 */
export const STACK_COST = { request: 0x600, frame: 0x300, callback: 0x200 } as const

export interface StackFrame {
  readonly thread: KThread | undefined
  readonly bytes: number
  /** what it is, for the overflow screen: a callback site, or a request's description (made when needed) */
  readonly site: CallbackSite | undefined
  readonly request: (() => string) | undefined
}

function frameLabel(f: StackFrame): string {
  return f.site ? `${f.site.filter} — ${f.site.callback}` : f.request!()
}

/** The emulated kernel stack of each thread, and what is on it (for the overflow screen). */
export class KernelStacks {
  private readonly chains = new WeakMap<KThread, StackFrame[]>()
  constructor(private readonly ke: Scheduler) {}

  private push(bytes: number, site: CallbackSite | undefined, request: (() => string) | undefined): StackFrame {
    const thread = this.ke.current
    const f: StackFrame = { thread, bytes, site, request }
    if (!thread) return f
    let chain = this.chains.get(thread)
    if (!chain) {
      chain = []
      this.chains.set(thread, chain)
    }
    if (thread.stackUsed + bytes > KERNEL_STACK_SIZE) {
      const all = [...chain.map(frameLabel), frameLabel(f)]
      const last = [...chain].reverse().find((x) => x.site)
      const culprit = last ? frameLabel(last) : undefined
      const requests = [...chain, f].filter((x) => !x.site).length
      throw new BugCheck(BUGCODE.UNEXPECTED_KERNEL_MODE_TRAP, `kernel stack overflow on ${thread}: ${requests} nested I/O requests (recursion through the file-system stack)`, {
        // EXCEPTION_DOUBLE_FAULT: how a kernel stack overflow shows on x64
        params: [0x8, 0, 0, 0],
        culprit,
        context: `recursion, outermost first:\n  ${all.join('\n  ')}`,
      })
    }
    thread.stackUsed += bytes
    chain.push(f)
    return f
  }

  /** an I/O request entering the frame (`describe` names it, for the overflow screen only) */
  enterRequest(describe: () => string): StackFrame {
    return this.push(STACK_COST.request + STACK_COST.frame, undefined, describe)
  }

  enterCallback(site: CallbackSite): StackFrame {
    return this.push(STACK_COST.callback, site, undefined)
  }

  leave(f: StackFrame): void {
    const t = f.thread
    if (!t) return
    const chain = this.chains.get(t)
    if (!chain) return
    const i = chain.lastIndexOf(f)
    if (i < 0) return
    chain.splice(i, 1)
    t.stackUsed -= f.bytes
  }

  /** how many requests deep the running thread is (the trace's `depth`) */
  depth(): number {
    const t = this.ke.current
    if (!t) return 0
    const chain = this.chains.get(t)
    if (!chain) return 0
    let n = 0
    for (const f of chain) if (!f.site) n++
    return Math.max(0, n - 1)
  }

  innermostCallback(): string | undefined {
    const t = this.ke.current
    if (!t) return undefined
    const chain = this.chains.get(t)
    if (!chain) return undefined
    for (let i = chain.length - 1; i >= 0; i--) if (chain[i]!.site) return frameLabel(chain[i]!)
    return undefined
  }
}
