// The FILE_OBJECT lifecycle as an XState v5 machine (DESIGN.md decision 4):
// creating → open → cleanedUp → closed, or creating → reparsed / failed.
// Only lifecycle events are sent (not one per IRP); NOTE events record cache, section and
// first-write milestones in the history without changing state.

import { createActor, setup, type Actor } from 'xstate'

export type FileObjectState = 'creating' | 'open' | 'cleanedUp' | 'closed' | 'reparsed' | 'failed'

export type FileObjectEvent =
  | { type: 'CREATED' }
  | { type: 'REPARSED' }
  | { type: 'FAILED' }
  | { type: 'CLEANUP' }
  | { type: 'CLOSE' }
  | { type: 'NOTE'; what: string }

export const fileObjectMachine = setup({
  types: { events: {} as FileObjectEvent },
  // a NOTE keeps the state; it has an action so that snapshot.can() accepts it (XState v5
  // reports a transition with neither target nor actions as not taken)
  actions: { milestone: () => {} },
}).createMachine({
  id: 'fileObject',
  initial: 'creating',
  states: {
    creating: { on: { CREATED: 'open', REPARSED: 'reparsed', FAILED: 'failed', NOTE: { actions: 'milestone' } } },
    open: { on: { CLEANUP: 'cleanedUp', NOTE: { actions: 'milestone' } } },
    cleanedUp: { on: { CLOSE: 'closed', NOTE: { actions: 'milestone' } } },
    closed: { type: 'final' },
    reparsed: { type: 'final' },
    failed: { type: 'final' },
  },
})

export type FileObjectActor = Actor<typeof fileObjectMachine>

export function createFileObjectActor(): FileObjectActor {
  const a = createActor(fileObjectMachine)
  a.start()
  return a
}
