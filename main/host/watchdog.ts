// The host's watchdog: a kernel worker that stops answering is the emulated machine's
// equivalent of a processor stuck at DISPATCH_LEVEL, so it is reported the way Windows
// reports that, as bug check 0x133 DPC_WATCHDOG_VIOLATION (bugcodes.h).

import type { BugcheckData } from './api.ts'

export const DPC_WATCHDOG_VIOLATION = 0x133

function hex(n: number): string {
  return `0x${Math.max(0, Math.trunc(n)).toString(16).toUpperCase().padStart(16, '0')}`
}

export function watchdogBugcheck(silentMs: number, limitMs: number): BugcheckData {
  return {
    code: DPC_WATCHDOG_VIOLATION,
    codeName: 'DPC_WATCHDOG_VIOLATION',
    // Arg1 = 1: "the system cumulatively spent an extended period of time at DISPATCH_LEVEL
    // or above"; Arg2 = time spent, Arg3 = the allotment.
    // unverified: Windows counts clock ticks in Arg2/Arg3; host milliseconds are given here.
    params: [hex(1), hex(silentMs), hex(limitMs), hex(0)],
    message: `The kernel worker did not answer the host's heartbeat for ${silentMs} ms (limit ${limitMs} ms): an emulated thread or a filter is looping without yielding.`,
    culprit: 'kernel worker',
  }
}
