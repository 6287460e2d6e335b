// Object headers, object types and reference counting (ObReferenceObject /
// ObDereferenceObject). The pointer count keeps an object alive; the handle count tracks open
// handles. For file objects the I/O manager's type procedures turn "last handle closed" into
// IRP_MJ_CLEANUP and "last reference gone" into IRP_MJ_CLOSE.

import { BugCheck, BUGCODE, type Co } from '../ke/index.ts'
import type { EProcess } from './process.ts'

export interface ObjectType<T extends KObject = KObject> {
  readonly name: string
  /** the object type's close procedure: runs in the closing thread after a handle is removed */
  close?(obj: T, process: EProcess, handleCount: number): Co<void>
  /** the delete procedure: runs when the pointer count reaches zero */
  delete?(obj: T): Co<void>
}

export class ObjectHeader {
  pointerCount = 0
  handleCount = 0
  deleted = false
  constructor(
    readonly type: ObjectType<any>,
    public name: string,
  ) {}
}

export interface KObject {
  readonly header: ObjectHeader
}

export function ObReferenceObject(o: KObject): void {
  if (o.header.deleted) {
    throw new BugCheck(BUGCODE.DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL, `reference to a deleted ${o.header.type.name} object ${o.header.name}`)
  }
  o.header.pointerCount++
}

/** ObDereferenceObject: runs the delete procedure in this thread when the count reaches zero */
export function* ObDereferenceObject(o: KObject): Co<void> {
  const h = o.header
  if (h.pointerCount <= 0) {
    throw new BugCheck(BUGCODE.KMODE_EXCEPTION_NOT_HANDLED, `dereference of ${h.type.name} object ${h.name} with no references`, { params: [0, 0, 0, 0] })
  }
  if (--h.pointerCount === 0) {
    h.deleted = true
    if (h.type.delete) yield* h.type.delete(o)
  }
}

/**
 * ObDereferenceObjectDeferDelete: safe at any IRQL; when the count reaches zero the delete
 * procedure runs later on a System worker thread, as Windows defers it.
 */
export function ObDereferenceObjectDeferDelete(o: KObject, queue: (name: string, routine: () => Co<void>) => void): void {
  const h = o.header
  if (h.pointerCount <= 0) throw new BugCheck(BUGCODE.KMODE_EXCEPTION_NOT_HANDLED, `deferred dereference of ${h.type.name} object ${h.name} with no references`)
  if (--h.pointerCount === 0) {
    h.deleted = true
    const del = h.type.delete
    if (del) queue(`delete ${h.type.name} ${h.name}`, () => del(o))
  }
}
