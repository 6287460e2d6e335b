// Synchronous file objects: the I/O manager serializes I/O on a file object opened for
// synchronous I/O (IopAcquireFileObjectLock) and keeps its current byte offset.

import { KEvent, KeWaitForSingleObject, type Co } from '../../ke/index.ts'
import { FO, type FileObject } from '../file-object.ts'
import type { IoManager } from '../iomgr.ts'

function lockOf(io: IoManager, fo: FileObject): KEvent {
  let ev = fo.ext.get('io.lock') as KEvent | undefined
  if (!ev) {
    ev = new KEvent(io.ke, 'synchronization', true, `FO#${fo.id} lock`)
    fo.ext.set('io.lock', ev)
  }
  return ev
}

/** acquires the file object's I/O lock when it is synchronous; returns whether it did */
export function* acquireFileObjectLock(io: IoManager, fo: FileObject): Co<boolean> {
  if (!(fo.Flags & FO.FO_SYNCHRONOUS_IO)) return false
  const ev = lockOf(io, fo)
  if (ev.isSet) {
    ev.reset()
  } else {
    fo.Waiters++
    yield* KeWaitForSingleObject(ev, undefined, `I/O lock of FO#${fo.id}`)
    fo.Waiters--
  }
  fo.Busy = true
  return true
}

export function releaseFileObjectLock(io: IoManager, fo: FileObject, held: boolean): void {
  if (!held) return
  fo.Busy = false
  lockOf(io, fo).set()
}
