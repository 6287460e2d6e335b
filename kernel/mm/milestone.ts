// Lifecycle milestones of a file object (cache initialized, section created) in its history,
// once each: FileObject.note() sends them through the lifecycle machine, whose targetless
// NOTE transition (the 'milestone' action) changes no state. A file object already closed,
// failed or reparsed takes no milestone (the Cache and Memory Managers only reach live ones).

import type { FileObject } from '../io/file-object.ts'

export function noteMilestone(fo: FileObject, what: string): void {
  if (fo.state === 'closed' || fo.state === 'failed' || fo.state === 'reparsed') return
  fo.note(what)
}
