// Bringing the cache to rest outside a run: a volume prepared before a scenario starts was
// written "long before", so its files' dirty data is on disk and their cache maps are closed
// before the first traced step. Runs on a System thread with tracing off.

import type { Co, KThread } from '../ke/index.ts'
import type { IoManager } from '../io/iomgr.ts'
import type { CacheManager } from './cache-manager.ts'

export interface QuietTrace {
  enabled: boolean
}

/**
 * Writes every dirty cached page and closes every unused cache map now (no lazy-writer delay),
 * then lets the Memory Manager write what mapped views modified. Returns a problem, or undefined.
 */
export function settleCaches(io: IoManager, cc: CacheManager, trace: QuietTrace, registerThread?: (t: KThread) => void): string | undefined {
  const was = trace.enabled
  trace.enabled = false
  let done = false
  const t = io.ke.createThread(io.system, 'cache settle', function* (): Co<void> {
    yield* cc.settle()
    for (const seg of [...cc.mm.segments]) yield* cc.mm.deleteIfUnused(seg)
    done = true
  })
  registerThread?.(t)
  try {
    const outcome = io.ke.runUntil(() => done, { deadline: io.ke.now + 3600 * 10_000_000 })
    if (outcome === 'done') return undefined
    if (outcome === 'bugcheck') return `bugcheck ${io.ke.bugcheck?.codeName}: ${io.ke.bugcheck?.message}`
    return `writing the prepared files' cached data did not finish (${outcome})`
  } finally {
    trace.enabled = was
  }
}
