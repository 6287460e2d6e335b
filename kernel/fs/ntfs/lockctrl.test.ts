// Byte-range locks (IRP_MJ_LOCK_CONTROL) and their effect on reads and writes. Rules from the
// LockFileEx / UnlockFileEx docs and FsRtl's FILE_LOCK (FsRtlProcessFileLock,
// FsRtlCheckLockForReadAccess / WriteAccess).

import { describe, expect, it } from 'vitest'
import { NtLockFile, NtReadFile } from '../../io/services/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_OPTIONS as O } from '../../nt/file.ts'
import { statusName } from '../../nt/status.ts'
import { forEachStore } from './test-backends.ts'
import type { TestVolume } from './test-support.ts'

const RW = ACCESS.SYNCHRONIZE | ACCESS.FILE_READ_DATA | ACCESS.FILE_WRITE_DATA | ACCESS.FILE_READ_ATTRIBUTES

function twoHandles(v: TestVolume): { v: TestVolume; a: number; b: number } {
  const a = v.create('f', { access: RW, share: 7, options: O.FILE_SYNCHRONOUS_IO_NONALERT })
  v.write(a, 'abcdefghij', 0)
  const b = v.open('f', { access: RW, share: 7, options: O.FILE_SYNCHRONOUS_IO_NONALERT }).handle
  return { v, a, b }
}

forEachStore((vol) => {
describe('locks and I/O', () => {
  it('an exclusive lock keeps other handles from reading and writing the range → STATUS_FILE_LOCK_CONFLICT', () => {
    const { v, a, b } = twoHandles(vol())
    expect(v.lock(a, 2, 4, { exclusive: true }).name).toBe('STATUS_SUCCESS')
    expect(v.read(b, 2, 3).name).toBe('STATUS_FILE_LOCK_CONFLICT')
    expect(v.write(b, 'x', 5).name).toBe('STATUS_FILE_LOCK_CONFLICT')
    // outside the range, and through the owning handle, I/O goes on
    expect(v.read(b, 2, 0).text).toBe('ab')
    expect(v.read(a, 2, 3).text).toBe('de')
    expect(v.write(a, 'X', 3).name).toBe('STATUS_SUCCESS')
  })
  it('a shared lock lets everyone read and no one write, its owner included (LockFileEx docs)', () => {
    const { v, a, b } = twoHandles(vol())
    expect(v.lock(a, 0, 5, { exclusive: false }).name).toBe('STATUS_SUCCESS')
    expect(v.read(b, 5, 0).text).toBe('abcde')
    expect(v.write(b, 'x', 1).name).toBe('STATUS_FILE_LOCK_CONFLICT')
    expect(v.write(a, 'x', 1).name).toBe('STATUS_FILE_LOCK_CONFLICT')
  })
  it('a lock held by another key of the same handle blocks I/O with a different key', () => {
    const { v, a } = twoHandles(vol())
    v.lock(a, 0, 4, { exclusive: true, key: 7 })
    const withKey = (key: number) => v.run(() => NtReadFile(v.io, { FileHandle: a, ByteOffset: 0, Length: 2, Key: key }))
    expect(statusName(withKey(7).status)).toBe('STATUS_SUCCESS')
    expect(statusName(withKey(0).status)).toBe('STATUS_FILE_LOCK_CONFLICT')
  })
})

describe('lock requests', () => {
  it('conflicting locks: STATUS_LOCK_NOT_GRANTED when failing immediately; shared locks overlap', () => {
    const { v, a, b } = twoHandles(vol())
    expect(v.lock(a, 0, 10, { exclusive: false }).name).toBe('STATUS_SUCCESS')
    expect(v.lock(b, 5, 10, { exclusive: false }).name).toBe('STATUS_SUCCESS')
    expect(v.lock(b, 5, 1, { exclusive: true }).name).toBe('STATUS_LOCK_NOT_GRANTED')
    // an exclusive lock conflicts with another on the same range even from its own handle
    expect(v.lock(a, 20, 5, { exclusive: true }).name).toBe('STATUS_SUCCESS')
    expect(v.lock(a, 22, 1, { exclusive: true }).name).toBe('STATUS_LOCK_NOT_GRANTED')
  })
  it('a waiting lock is granted when the conflicting lock goes', () => {
    const { v, a, b } = twoHandles(vol())
    v.lock(a, 0, 10, { exclusive: true })
    const waiter = v.spawn('waiter', function* () {
      return yield* NtLockFile(v.io, { FileHandle: b, ByteOffset: 2, Length: 2, ExclusiveLock: true, FailImmediately: false })
    })
    v.settle()
    expect(waiter.done).toBe(false)
    expect(v.unlock(a, 0, 10).name).toBe('STATUS_SUCCESS')
    v.settle()
    expect(waiter.done).toBe(true)
    expect(statusName(waiter.value!.status)).toBe('STATUS_SUCCESS')
    expect(v.read(a, 2, 2).name).toBe('STATUS_FILE_LOCK_CONFLICT')
  })
  it('unlocking needs the exact range: anything else → STATUS_RANGE_NOT_LOCKED', () => {
    const { v, a, b } = twoHandles(vol())
    v.lock(a, 0, 10)
    expect(v.unlock(a, 0, 5).name).toBe('STATUS_RANGE_NOT_LOCKED')
    expect(v.unlock(b, 0, 10).name).toBe('STATUS_RANGE_NOT_LOCKED')
    expect(v.unlock(a, 0, 10).name).toBe('STATUS_SUCCESS')
    expect(v.unlock(a, 0, 10).name).toBe('STATUS_RANGE_NOT_LOCKED')
  })
  it('closing the handle releases its locks', () => {
    const { v, a, b } = twoHandles(vol())
    v.lock(a, 0, 10)
    expect(v.read(b, 1, 0).name).toBe('STATUS_FILE_LOCK_CONFLICT')
    v.close(a)
    expect(v.read(b, 1, 0).text).toBe('a')
  })
  it('a lock past end of file is allowed; a lock on a directory → STATUS_INVALID_PARAMETER', () => {
    const { v, a } = twoHandles(vol())
    expect(v.lock(a, 1000, 10).name).toBe('STATUS_SUCCESS')
    const d = v.mkdir('d', { access: ACCESS.FILE_READ_DATA | ACCESS.SYNCHRONIZE, options: O.FILE_DIRECTORY_FILE })
    expect(v.lock(d, 0, 1).name).toBe('STATUS_INVALID_PARAMETER')
  })
})
})
