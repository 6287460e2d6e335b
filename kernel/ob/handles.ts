// Per-process handle tables. Handle values are multiples of 4, as on Windows; freed values are
// reused last-freed-first (unverified: Windows' free-list order is an implementation detail).

import type { KObject } from './object.ts'

export interface HandleEntry {
  readonly object: KObject
  readonly grantedAccess: number
  /** OBJ_INHERIT, and whether the handle is protected from close */
  attributes: number
  protectFromClose: boolean
}

export class HandleTable {
  private readonly entries = new Map<number, HandleEntry>()
  private readonly free: number[] = []
  private next = 4

  insert(entry: HandleEntry): number {
    const h = this.free.pop() ?? this.allocate()
    this.entries.set(h, entry)
    return h
  }

  get(handle: number): HandleEntry | undefined {
    return this.entries.get(handle)
  }

  remove(handle: number): HandleEntry | undefined {
    const e = this.entries.get(handle)
    if (!e) return undefined
    this.entries.delete(handle)
    this.free.push(handle)
    return e
  }

  get count(): number {
    return this.entries.size
  }

  *[Symbol.iterator](): IterableIterator<[number, HandleEntry]> {
    yield* this.entries
  }

  private allocate(): number {
    const h = this.next
    this.next += 4
    return h
  }
}
