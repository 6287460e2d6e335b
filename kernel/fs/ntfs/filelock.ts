// FILE_LOCK: the byte-range locks of one stream, with FsRtl's rules (FsRtlProcessFileLock,
// FsRtlCheckLockForReadAccess / WriteAccess, FsRtlFastUnlockAll):
// - a lock is owned by (file object, process, key) for I/O checks; unlocking needs the exact
//   range, file object, process and key;
// - an exclusive lock keeps every other owner from reading and writing the range; a shared
//   lock keeps everyone, its owner included, from writing it (LockFileEx docs);
// - a new lock conflicts with an overlapping exclusive lock of another owner, and an exclusive
//   request with any overlapping lock; a shared request inside its own owner's exclusive lock is
//   granted (FsRtlPrivateCheckForSharedLockAccess);
// - a zero-length lock occupies the byte it names when locks are compared, but two zero-length
//   locks never conflict and zero-length locks never block reads or writes;
// - a request that cannot be granted fails with STATUS_LOCK_NOT_GRANTED when it asked to
//   fail immediately, else waits (a pended IRP) until the conflicting locks go.

import { IoCompleteRequest, IoSetCancelRoutine, type Irp } from '../../io/irp.ts'
import type { FileObject } from '../../io/file-object.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'

export interface ByteRangeLock {
  readonly offset: number
  readonly length: number
  readonly exclusive: boolean
  readonly key: number
  readonly fileObject: FileObject
  /** the owning process (EPROCESS); locks of different processes never match */
  readonly process: unknown
}

interface WaitingLock {
  readonly lock: ByteRangeLock
  readonly irp: Irp
}

/** a lock and an I/O range overlap; a zero-length lock never blocks I/O */
function overlaps(a: { offset: number; length: number }, b: { offset: number; length: number }): boolean {
  if (a.length === 0 || b.length === 0) return false
  return a.offset < b.offset + b.length && b.offset < a.offset + a.length
}

/**
 * Two locks meet, for granting a new one. Observed (Wine kernel32 tests test_LockFile, run on
 * Windows): a zero-length lock at 100 refuses a request for 98-101 and 100-109 but not 90-99, so
 * it stands for the byte it names; two zero-length locks never conflict (FsRtl: "zero length
 * locks cannot conflict").
 */
function locksMeet(a: { offset: number; length: number }, b: { offset: number; length: number }): boolean {
  if (a.length === 0 && b.length === 0) return false
  return a.offset < b.offset + Math.max(b.length, 1) && b.offset < a.offset + Math.max(a.length, 1)
}

function sameOwner(a: ByteRangeLock, b: ByteRangeLock): boolean {
  return a.fileObject === b.fileObject && a.process === b.process && a.key === b.key
}

export class FileLock {
  private readonly locks: ByteRangeLock[] = []
  private readonly waiting: WaitingLock[] = []

  /** every granted lock, in the order granted */
  get granted(): readonly ByteRangeLock[] {
    return this.locks
  }

  /** lock requests waiting for a conflicting lock to go */
  get pending(): number {
    return this.waiting.length
  }

  get isEmpty(): boolean {
    return this.locks.length === 0
  }

  private grantable(req: ByteRangeLock): boolean {
    for (const l of this.locks) {
      if (!locksMeet(l, req)) continue
      // an exclusive request needs the range to itself (FsRtlPrivateCheckForExclusiveLockAccess);
      // a shared one only other owners' exclusive locks refuse (Wine test_LockFile: "shared lock
      // can overlap exclusive if handles are equal")
      if (req.exclusive) return false
      if (l.exclusive && !sameOwner(l, req)) return false
    }
    return true
  }

  /** tries to grant a lock; true when granted */
  tryLock(req: ByteRangeLock): boolean {
    if (!this.grantable(req)) return false
    this.locks.push(req)
    return true
  }

  /** queues a lock IRP until it can be granted (the caller marked it pending) */
  wait(req: ByteRangeLock, irp: Irp): void {
    const entry = { lock: req, irp }
    this.waiting.push(entry)
    // FsRtlPrivateLock: a waiting lock request can be cancelled
    IoSetCancelRoutine(irp, (cancelled) => {
      const i = this.waiting.indexOf(entry)
      if (i >= 0) this.waiting.splice(i, 1)
      cancelled.IoStatus.Status = STATUS.STATUS_CANCELLED
      cancelled.IoStatus.Information = 0
      IoCompleteRequest(cancelled)
    })
  }

  /**
   * FsRtlFastUnlockSingle: the exact range of the same owner. An exclusive lock goes before a
   * shared one on the same range (FsRtl looks in the exclusive tree first; Wine test_LockFile:
   * "exclusive lock is removed first").
   */
  unlockSingle(fo: FileObject, process: unknown, offset: number, length: number, key: number): NTSTATUS {
    const match = (l: ByteRangeLock): boolean => l.fileObject === fo && l.process === process && l.offset === offset && l.length === length && l.key === key
    let i = this.locks.findIndex((l) => l.exclusive && match(l))
    if (i < 0) i = this.locks.findIndex(match)
    if (i < 0) return STATUS.STATUS_RANGE_NOT_LOCKED
    this.locks.splice(i, 1)
    this.grantWaiters()
    return STATUS.STATUS_SUCCESS
  }

  /** FsRtlFastUnlockAll: every lock of the file object and process */
  unlockAll(fo: FileObject, process: unknown): void {
    this.removeWhere((l) => l.fileObject === fo && l.process === process)
  }

  /** FsRtlFastUnlockAllByKey */
  unlockAllByKey(fo: FileObject, process: unknown, key: number): void {
    this.removeWhere((l) => l.fileObject === fo && l.process === process && l.key === key)
  }

  private removeWhere(pred: (l: ByteRangeLock) => boolean): void {
    let removed = false
    for (let i = this.locks.length - 1; i >= 0; i--) {
      if (pred(this.locks[i]!)) {
        this.locks.splice(i, 1)
        removed = true
      }
    }
    if (removed) this.grantWaiters()
  }

  /**
   * At cleanup: the file object's waiting lock requests can never be granted to a handle that
   * is gone. unverified: Windows leaves them queued until the IRP is cancelled; they are
   * completed with STATUS_CANCELLED here so no IRP is left pending forever.
   */
  cancelWaitersOf(fo: FileObject): void {
    for (let i = 0; i < this.waiting.length; ) {
      const w = this.waiting[i]!
      if (w.lock.fileObject !== fo) {
        i++
        continue
      }
      this.waiting.splice(i, 1)
      w.irp.IoStatus.Status = STATUS.STATUS_CANCELLED
      w.irp.IoStatus.Information = 0
      IoCompleteRequest(w.irp)
    }
  }

  /** grants waiting requests in arrival order, as far as they now fit */
  private grantWaiters(): void {
    let progress = true
    while (progress) {
      progress = false
      for (let i = 0; i < this.waiting.length; i++) {
        const w = this.waiting[i]!
        if (!this.grantable(w.lock)) continue
        this.waiting.splice(i, 1)
        this.locks.push(w.lock)
        w.irp.IoStatus.Status = STATUS.STATUS_SUCCESS
        w.irp.IoStatus.Information = 0
        IoCompleteRequest(w.irp)
        progress = true
        break
      }
    }
  }

  /** FsRtlCheckLockForReadAccess: no other owner's exclusive lock overlaps */
  canRead(fo: FileObject, process: unknown, key: number, offset: number, length: number): boolean {
    const r = { offset, length }
    for (const l of this.locks) {
      if (!l.exclusive || !overlaps(l, r)) continue
      if (l.fileObject === fo && l.process === process && l.key === key) continue
      return false
    }
    return true
  }

  /** FsRtlCheckLockForWriteAccess: no shared lock, and no other owner's exclusive lock, overlaps */
  canWrite(fo: FileObject, process: unknown, key: number, offset: number, length: number): boolean {
    const r = { offset, length }
    for (const l of this.locks) {
      if (!overlaps(l, r)) continue
      if (!l.exclusive) return false
      if (l.fileObject === fo && l.process === process && l.key === key) continue
      return false
    }
    return true
  }
}
