// System worker queues (ExQueueWorkItem / IoQueueWorkItem): System threads that run queued
// routines in FIFO order. Critical, delayed and hyper-critical queues as on Windows.

import { KSemaphore } from './dispatcher.ts'
import type { Scheduler } from './scheduler.ts'
import type { KProcessLike } from './thread.ts'
import type { Co } from './types.ts'
import { KeWaitForSingleObject } from './wait.ts'

export type WorkQueueType = 'CriticalWorkQueue' | 'DelayedWorkQueue' | 'HyperCriticalWorkQueue'

export interface WorkItem {
  readonly name: string
  readonly routine: () => Co<void>
}

interface Queue {
  readonly items: WorkItem[]
  readonly semaphore: KSemaphore
}

/** unverified: Windows sizes these pools by memory and processor count; small fixed pools keep traces readable */
export const DEFAULT_WORKER_COUNTS: Record<WorkQueueType, number> = {
  CriticalWorkQueue: 5,
  DelayedWorkQueue: 3,
  HyperCriticalWorkQueue: 1,
}

export class SystemWorkQueues {
  private readonly queues = new Map<WorkQueueType, Queue>()
  /** items queued but not yet started, over all queues */
  pending = 0

  constructor(
    private readonly ke: Scheduler,
    system: KProcessLike,
    counts: Record<WorkQueueType, number> = DEFAULT_WORKER_COUNTS,
  ) {
    for (const type of Object.keys(counts) as WorkQueueType[]) {
      const q: Queue = { items: [], semaphore: new KSemaphore(ke, 0, 0x7fffffff, type) }
      this.queues.set(type, q)
      for (let i = 0; i < counts[type]; i++) {
        ke.createThread(system, `${type} worker ${i}`, () => this.worker(q), { system: true, priority: type === 'DelayedWorkQueue' ? 12 : 13 })
      }
    }
  }

  /** ExQueueWorkItem */
  queue(item: WorkItem, type: WorkQueueType = 'DelayedWorkQueue'): void {
    const q = this.queues.get(type)
    if (!q) throw new Error(`no ${type}`)
    q.items.push(item)
    this.pending++
    q.semaphore.release(1)
  }

  private *worker(q: Queue): Co<void> {
    for (;;) {
      yield* KeWaitForSingleObject(q.semaphore, undefined, 'work queue')
      const item = q.items.shift()
      if (!item) continue
      this.pending--
      yield* item.routine()
    }
  }
}
