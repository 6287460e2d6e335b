// IRQL on the current thread. Only PASSIVE, APC and DISPATCH are modelled: enough to make a
// blocking wait at DISPATCH_LEVEL a bugcheck and to keep DISPATCH_LEVEL code from being preempted.

import type { Scheduler } from './scheduler.ts'
import { BugCheck, BUGCODE, type KIRQL } from './types.ts'

export function KeGetCurrentIrql(ke: Scheduler): KIRQL {
  return ke.currentThread.irql
}

/** KeRaiseIrql: returns the old IRQL; raising to a lower level is a bugcheck (IRQL_NOT_GREATER_OR_EQUAL 0x9) */
export function KeRaiseIrql(ke: Scheduler, level: KIRQL): KIRQL {
  const t = ke.currentThread
  const old = t.irql
  if (level < old) throw new BugCheck(0x09, `KeRaiseIrql from ${old} to lower ${level}`, { params: [old, level] })
  t.irql = level
  return old
}

/** KeLowerIrql: lowering to a higher level is a bugcheck (IRQL_NOT_LESS_OR_EQUAL) */
export function KeLowerIrql(ke: Scheduler, level: KIRQL): void {
  const t = ke.currentThread
  if (level > t.irql) throw new BugCheck(BUGCODE.IRQL_NOT_LESS_OR_EQUAL, `KeLowerIrql from ${t.irql} to higher ${level}`, { params: [t.irql, level] })
  t.irql = level
}

/** KeEnterCriticalRegion / KeLeaveCriticalRegion (FsRtlEnterFileSystem) */
export function KeEnterCriticalRegion(ke: Scheduler): void {
  ke.currentThread.kernelApcDisable++
}
export function KeLeaveCriticalRegion(ke: Scheduler): void {
  const t = ke.currentThread
  if (t.kernelApcDisable <= 0) throw new BugCheck(BUGCODE.APC_INDEX_MISMATCH, `${t}: KeLeaveCriticalRegion without KeEnterCriticalRegion`)
  t.kernelApcDisable--
}
