// explorer.exe on the emulated machine: the process, and a way to run one of its routines on
// a thread of it until the routine returns. The host calls this between its timer-driven
// runFor() calls; the routine's IRPs are traced like any other process's.

import type { Co } from '../../ke/index.ts'
import type { Machine } from '../../machine.ts'
import type { EProcess } from '../../ob/index.ts'

export const EXPLORER_IMAGE = 'explorer.exe'

/** virtual time one routine may take before it counts as hung: 60 s */
export const ROUTINE_TIMEOUT_TICKS = 60 * 10_000_000

export type RoutineRun<T> =
  | { readonly done: true; readonly value: T }
  | {
      readonly done: false
      /** why it did not return: the machine bug-checked, or the routine waits and nothing will wake it in time */
      readonly reason: 'bugcheck' | 'timeout' | 'blocked'
      readonly problem: string
    }

/** explorer.exe, started on first use (on Windows it runs from logon on) */
export function explorerProcess(machine: Machine): EProcess {
  return machine.process(EXPLORER_IMAGE)
}

/**
 * Runs `body` on a new thread of explorer.exe and drives the machine's scheduler until it
 * returns (other threads run meanwhile, as they would). Trace events reach the machine's
 * listeners before this returns.
 */
// unverified: the shell enumerates and reads properties on thread-pool threads; one short-lived
// thread per routine stands for them
export function runInExplorer<T>(machine: Machine, name: string, body: () => Co<T>, timeoutTicks = ROUTINE_TIMEOUT_TICKS): RoutineRun<T> {
  if (machine.state !== 'running') return { done: false, reason: 'blocked', problem: `the machine is ${machine.state}` }
  const process = explorerProcess(machine)
  let finished = false
  let value: T | undefined
  const thread = machine.ke.createThread(process, name, function* () {
    value = yield* body()
    finished = true
  })
  machine.registerThread(process, thread.tid)
  const outcome = machine.ke.runUntil(() => finished, { deadline: machine.ke.now + timeoutTicks })
  machine.afterRun()
  if (finished) return { done: true, value: value as T }
  if (outcome === 'bugcheck') {
    const bc = machine.ke.bugcheck
    return { done: false, reason: 'bugcheck', problem: `the machine bug-checked (${bc?.codeName ?? 'unknown'}): ${bc?.message ?? ''}`.trim() }
  }
  const chains = machine.ke.waitChains().filter((c) => c.thread === thread.toString())
  const waits = chains.map((c) => `waits for ${c.reason}${c.objects.some((o) => o.owners.length > 0) ? ` held by ${c.objects.flatMap((o) => o.owners).join(', ')}` : ''}`).join('; ')
  return {
    done: false,
    reason: outcome === 'deadline' ? 'timeout' : 'blocked',
    problem: `${EXPLORER_IMAGE} ${name} did not return${outcome === 'deadline' ? ` within ${timeoutTicks / 10_000_000} s of virtual time` : ': nothing can wake it'}${waits ? ` (it ${waits})` : ''}`,
  }
}
