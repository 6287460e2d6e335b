import { describe, expect, it } from 'vitest'
import type { FileObject } from '../../io/file-object.ts'
import { STATUS } from '../../nt/status.ts'
import { FileLock, type ByteRangeLock } from './filelock.ts'

// File objects and processes are compared by identity only.
const foA = {} as FileObject
const foB = {} as FileObject
const proc = {}

function lock(fileObject: FileObject, offset: number, length: number, exclusive: boolean, key = 0): ByteRangeLock {
  return { offset, length, exclusive, key, fileObject, process: proc }
}

describe('FileLock (FsRtl rules, Wine kernel32 test_LockFile)', () => {
  it('grants a shared lock inside its own exclusive lock, not inside another owner’s', () => {
    const fl = new FileLock()
    expect(fl.tryLock(lock(foA, 300, 100, true))).toBe(true)
    expect(fl.tryLock(lock(foB, 300, 100, false))).toBe(false)
    expect(fl.tryLock(lock(foA, 300, 100, false, 1))).toBe(false)
    expect(fl.tryLock(lock(foA, 300, 100, false))).toBe(true)
    expect(fl.tryLock(lock(foA, 300, 100, true))).toBe(false)
  })

  it('removes the exclusive lock first when an owner holds both on one range', () => {
    const fl2 = new FileLock()
    fl2.tryLock(lock(foA, 300, 100, true))
    fl2.tryLock(lock(foA, 300, 100, false))
    expect(fl2.unlockSingle(foA, proc, 300, 100, 0)).toBe(STATUS.STATUS_SUCCESS)
    expect(fl2.granted.map((l) => l.exclusive)).toEqual([false])
    expect(fl2.tryLock(lock(foB, 300, 100, false))).toBe(true)
  })

  it('a zero-length lock stands for its byte when locks are compared, but never blocks I/O', () => {
    const fl = new FileLock()
    expect(fl.tryLock(lock(foA, 100, 0, true))).toBe(true)
    expect(fl.tryLock(lock(foA, 98, 4, true))).toBe(false)
    expect(fl.tryLock(lock(foA, 100, 10, true))).toBe(false)
    expect(fl.tryLock(lock(foA, 90, 10, true))).toBe(true)
    expect(fl.tryLock(lock(foB, 100, 0, true))).toBe(true)
    expect(fl.canRead(foB, proc, 0, 100, 1)).toBe(true)
    expect(fl.canWrite(foB, proc, 0, 100, 1)).toBe(true)
    expect(fl.unlockSingle(foA, proc, 100, 10, 0)).toBe(STATUS.STATUS_RANGE_NOT_LOCKED)
    expect(fl.unlockSingle(foA, proc, 100, 0, 0)).toBe(STATUS.STATUS_SUCCESS)
  })
})
