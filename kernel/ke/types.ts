// Core types of the emulated kernel's scheduler. Every emulated thread is a generator
// coroutine: kernel code that may block is a generator function and is called with `yield*`.

import type { NTSTATUS } from '../nt/status.ts'

/** A coroutine: kernel code that may block. Call with `yield*`. */
export type Co<T = void> = Generator<Yield, T, unknown>

/** What a coroutine hands to the scheduler when it cannot go on by itself. */
export type Yield = WaitRequest | PreemptionPoint

export interface WaitRequest {
  readonly k: 'wait'
  readonly objects: readonly DispatcherLike[]
  readonly waitAll: boolean
  /** relative timeout in 100 ns units; undefined waits forever; 0 only tests */
  readonly timeout: number | undefined
  /** why the thread waits, for the wait chain of a deadlock report */
  readonly reason: string
}

export interface PreemptionPoint {
  readonly k: 'point'
  readonly label: string
}

/** Anything a thread can wait on (events, semaphores, mutexes, timers, threads). */
export interface DispatcherLike {
  readonly objectType: string
  readonly name: string
}

export const PASSIVE_LEVEL = 0
export const APC_LEVEL = 1
export const DISPATCH_LEVEL = 2
export type KIRQL = 0 | 1 | 2

export const IRQL_NAMES = ['PASSIVE_LEVEL', 'APC_LEVEL', 'DISPATCH_LEVEL'] as const

/** Bugcheck codes used by the emulated kernel (bugcodes.h). */
export const BUGCODE = {
  IRQL_NOT_LESS_OR_EQUAL: 0x0a,
  KMODE_EXCEPTION_NOT_HANDLED: 0x1e,
  NTFS_FILE_SYSTEM: 0x24,
  MUTEX_LEVEL_NUMBER_VIOLATION: 0x0d,
  MUTEX_NOT_OWNED: 0x0e,
  APC_INDEX_MISMATCH: 0x01,
  IRQL_GT_ZERO_AT_SYSTEM_SERVICE: 0x4a,
  KERNEL_STACK_INPAGE_ERROR: 0x77,
  NO_MORE_IRP_STACK_LOCATIONS: 0x35,
  MULTIPLE_IRP_COMPLETE_REQUESTS: 0x44,
  RESOURCE_NOT_OWNED: 0xe3,
  INVALID_PROCESS_ATTACH_ATTEMPT: 0x05,
  KERNEL_SECURITY_CHECK_FAILURE: 0x139,
  UNEXPECTED_KERNEL_MODE_TRAP: 0x7f,
  DPC_WATCHDOG_VIOLATION: 0x133,
  FLTMGR_FILE_SYSTEM: 0xf5,
  DRIVER_VERIFIER_DETECTED_VIOLATION: 0xc4,
  SYSTEM_THREAD_EXCEPTION_NOT_HANDLED: 0x7e,
  INVALID_IO_BOOST_STATE: 0x13c,
  DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL: 0xd5,
  PAGE_FAULT_IN_NONPAGED_AREA: 0x50,
  DRIVER_IRQL_NOT_LESS_OR_EQUAL: 0xd1,
  ATTEMPTED_SWITCH_FROM_DPC: 0xb8,
} as const

export const BUGCODE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(BUGCODE).map(([k, v]) => [v, k]),
)

/** Thrown by kernel code to stop the machine, as KeBugCheckEx does. */
export class BugCheck extends Error {
  readonly code: number
  readonly params: readonly [bigint, bigint, bigint, bigint]
  /** who caused it (a driver or filter name), and what was in flight */
  readonly culprit: string | undefined
  readonly context: string | undefined
  constructor(code: number, message: string, opts: { params?: readonly (number | bigint)[]; culprit?: string; context?: string } = {}) {
    super(message)
    this.name = 'BugCheck'
    this.code = code
    const p = (opts.params ?? []).map((x) => BigInt(x))
    this.params = [p[0] ?? 0n, p[1] ?? 0n, p[2] ?? 0n, p[3] ?? 0n]
    this.culprit = opts.culprit
    this.context = opts.context
  }
  get codeName(): string {
    return BUGCODE_NAMES[this.code] ?? '0x' + this.code.toString(16).toUpperCase()
  }
}

/** Wait results beyond STATUS_WAIT_n. */
export type WaitStatus = NTSTATUS
