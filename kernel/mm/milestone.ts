// Lifecycle milestones of a file object (cache initialized, section created) in its history,
// once each. They change no state: FileObject.note() sends them through the lifecycle machine,
// whose targetless NOTE transition XState v5's `can()` reports as not accepted, so they are
// recorded here directly, the way note() records them.

import type { FileObject } from '../io/file-object.ts'

export function noteMilestone(fo: FileObject, what: string, now: number): void {
  if (fo.history.some((h) => h.event === what)) return
  if (fo.state === 'closed' || fo.state === 'failed' || fo.state === 'reparsed') return
  fo.history.push({ event: what, from: fo.state, to: fo.state, time: now })
}
