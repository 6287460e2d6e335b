// How steps map onto emulated threads and time. A step without `thread:` is a barrier: it
// runs alone, after everything before it. Consecutive steps that name a `thread:` form a
// concurrent block: steps on the same (process, thread) run in file order, different threads
// run at the same time, and the scheduler's strategy (the seed) picks the interleaving.

import type { ArgValue, HandleArg, Step } from '../types.ts'

function firstHandleOwner(v: ArgValue | undefined): string | undefined {
  if (v === null || v === undefined || typeof v !== 'object' || v instanceof Uint8Array) return undefined
  if (Array.isArray(v)) {
    for (const x of v as readonly ArgValue[]) {
      const o = firstHandleOwner(x)
      if (o) return o
    }
    return undefined
  }
  if ((v as HandleArg).kind === 'handle') return (v as HandleArg).owner
  if ('kind' in v) return undefined
  for (const x of Object.values(v as { [k: string]: ArgValue })) {
    const o = firstHandleOwner(x)
    if (o) return o
  }
  return undefined
}

/** the step's process: as written, or else the process that opened the handle it uses */
export function effectiveProcess(s: Step): string {
  if (s.processExplicit || (s.kind !== 'call' && s.kind !== 'win32')) return s.process
  return firstHandleOwner(s.args) ?? s.process
}

export interface StepGroup {
  /** `process/thread` */
  readonly key: string
  readonly process: string
  readonly thread: string
  readonly steps: readonly Step[]
}

export interface Segment {
  readonly concurrent: boolean
  readonly groups: readonly StepGroup[]
}

export function segmentSteps(steps: readonly Step[]): Segment[] {
  const out: Segment[] = []
  let block: Step[] = []
  const flush = (): void => {
    if (block.length === 0) return
    const groups = new Map<string, Step[]>()
    for (const s of block) {
      const key = `${effectiveProcess(s).toLowerCase()}/${s.thread}`
      const g = groups.get(key)
      if (g) g.push(s)
      else groups.set(key, [s])
    }
    out.push({
      concurrent: true,
      groups: [...groups].map(([key, st]) => ({ key, process: effectiveProcess(st[0]!), thread: st[0]!.thread, steps: st })),
    })
    block = []
  }
  for (const s of steps) {
    if (s.threadExplicit && s.kind !== 'power') {
      block.push(s)
      continue
    }
    flush()
    const process = effectiveProcess(s)
    out.push({ concurrent: false, groups: [{ key: `${process.toLowerCase()}/${s.thread}`, process, thread: s.thread, steps: [s] }] })
  }
  flush()
  return out
}
