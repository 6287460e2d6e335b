// Interleaving strategies: at every scheduling decision with more than one runnable thread
// the strategy picks one. Every pick is recorded in the decision log, so a run replays exactly
// from (scenario, seed, decision log).

import { Prng } from './prng.ts'
import type { KThread } from './thread.ts'

export interface ScheduleContext {
  /** runnable threads, in the order they became runnable */
  readonly ready: readonly KThread[]
  /** the thread that just reached a preemption point, if it is still runnable */
  readonly current: KThread | undefined
  /** how many decisions were made before this one */
  readonly decision: number
}

export interface Strategy {
  readonly name: string
  /** index into ctx.ready */
  pick(ctx: ScheduleContext): number
}

/** Uniformly random among runnable threads, by seed. */
export class RandomStrategy implements Strategy {
  readonly name = 'random'
  private readonly prng: Prng
  constructor(seed: number) {
    this.prng = new Prng(seed ^ 0x5eed)
  }
  pick(ctx: ScheduleContext): number {
    return this.prng.nextInt(ctx.ready.length)
  }
}

/**
 * Run-to-block: the current thread keeps the processor until it blocks; then the thread that
 * became runnable first runs. The least surprising interleaving, for sequential traces.
 */
export class RunToBlockStrategy implements Strategy {
  readonly name = 'run-to-block'
  pick(ctx: ScheduleContext): number {
    if (ctx.current) {
      const i = ctx.ready.indexOf(ctx.current)
      if (i >= 0) return i
    }
    return 0
  }
}

export interface Decision {
  /** chosen index */
  readonly c: number
  /** number of candidates */
  readonly n: number
}

/** Replays a recorded decision log; fails loudly when the run diverges from it. */
export class ReplayStrategy implements Strategy {
  readonly name = 'replay'
  private i = 0
  constructor(
    private readonly log: readonly Decision[],
    private readonly fallback: Strategy,
  ) {}
  pick(ctx: ScheduleContext): number {
    const d = this.log[this.i++]
    if (!d) return this.fallback.pick(ctx)
    if (d.n !== ctx.ready.length) {
      throw new Error(
        `replay diverged at decision ${this.i - 1}: the log had ${d.n} runnable threads, this run has ${ctx.ready.length}`,
      )
    }
    return d.c
  }
}

export function createStrategy(name: string, seed: number): Strategy {
  switch (name) {
    case 'random':
      return new RandomStrategy(seed)
    case 'run-to-block':
      return new RunToBlockStrategy()
    default:
      throw new Error(`unknown scheduling strategy '${name}' (expected random or run-to-block)`)
  }
}
