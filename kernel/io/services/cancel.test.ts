// NtCancelIoFile / NtCancelIoFileEx: a pended change notification and a waiting byte-range lock
// end with STATUS_CANCELLED (their drivers set cancel routines); nothing to cancel is
// STATUS_NOT_FOUND for the Ex form; another thread's requests are not the caller's to cancel.

import { describe, expect, it } from 'vitest'
import { Machine } from '../../machine.ts'
import { ntfsVolume } from '../../volumes.ts'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_DISPOSITION, CREATE_OPTIONS, FILE_NOTIFY_CHANGE } from '../../nt/file.ts'
import { STATUS } from '../../nt/status.ts'
import type { Co } from '../../ke/index.ts'
import type { Irp } from '../irp.ts'
import { NtCancelIoFile, NtCancelIoFileEx, NtClose, NtCreateFile, NtLockFile, NtNotifyChangeDirectoryFile, NtWriteFile } from './index.ts'

function machine(): Machine {
  const m = Machine.create({ seed: 1, strategy: 'run-to-block', volumes: [{ letter: 'C:', mount: ntfsVolume({ kind: 'memory', sizeBytes: 64 * 1024 * 1024 }) }] })
  m.boot()
  return m
}

function run(m: Machine, body: () => Co<void>): void {
  let done = false
  const p = m.process('app.exe')
  const t = m.ke.createThread(p, 'main', function* () {
    yield* body()
    done = true
  })
  m.registerThread(p, t.tid)
  m.ke.runUntil(() => done, { deadline: m.ke.now + 600 * 10_000_000 })
  m.afterRun()
  expect(done).toBe(true)
}

const SHARE = 7

describe('cancelling I/O', () => {
  it('NtCancelIoFile ends a pending change notification with STATUS_CANCELLED', () => {
    const m = machine()
    let irp: Irp | undefined
    run(m, function* () {
      // an asynchronous directory handle: the notification pends and the call returns
      const d = yield* NtCreateFile(m.io, { FileName: '\\??\\C:\\', DesiredAccess: ACCESS.FILE_LIST_DIRECTORY, ShareAccess: SHARE, CreateDisposition: CREATE_DISPOSITION.FILE_OPEN, CreateOptions: CREATE_OPTIONS.FILE_DIRECTORY_FILE })
      const n = yield* NtNotifyChangeDirectoryFile(m.io, { FileHandle: d.handle!, CompletionFilter: FILE_NOTIFY_CHANGE.FILE_NOTIFY_CHANGE_FILE_NAME, Length: 4096 })
      expect(n.status).toBe(STATUS.STATUS_PENDING)
      irp = n.irp
      expect(m.io.outstandingIrps(irp!.OriginalFileObject!)).toHaveLength(1)
      const c = yield* NtCancelIoFile(m.io, { FileHandle: d.handle! })
      expect(c.status).toBe(STATUS.STATUS_SUCCESS)
      expect(irp!.completed).toBe(true)
      expect(irp!.IoStatus.Status).toBe(STATUS.STATUS_CANCELLED)
      expect(m.io.outstandingIrps(irp!.OriginalFileObject!)).toHaveLength(0)
      yield* NtClose(m.io, { Handle: d.handle! })
    })
    const done = m.trace.events.find((e) => e.op === 'IRP_MJ_DIRECTORY_CONTROL' && e.at === 'fs' && e.phase === 'complete')
    expect(done?.status).toBe('STATUS_CANCELLED')
  })

  it('NtCancelIoFileEx ends a lock request waiting for another handle\'s lock; with nothing pending it is STATUS_NOT_FOUND', () => {
    const m = machine()
    run(m, function* () {
      const a = yield* NtCreateFile(m.io, { FileName: '\\??\\C:\\l.bin', DesiredAccess: ACCESS.GENERIC_READ | ACCESS.GENERIC_WRITE | ACCESS.SYNCHRONIZE, ShareAccess: SHARE, CreateDisposition: CREATE_DISPOSITION.FILE_OVERWRITE_IF, CreateOptions: CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_NONALERT })
      yield* NtWriteFile(m.io, { FileHandle: a.handle!, ByteOffset: 0, Data: new Uint8Array(100) })
      expect((yield* NtLockFile(m.io, { FileHandle: a.handle!, ByteOffset: 0, Length: 10, Key: 0, FailImmediately: true, ExclusiveLock: true })).status).toBe(STATUS.STATUS_SUCCESS)
      const b = yield* NtCreateFile(m.io, { FileName: '\\??\\C:\\l.bin', DesiredAccess: ACCESS.GENERIC_READ | ACCESS.GENERIC_WRITE, ShareAccess: SHARE, CreateDisposition: CREATE_DISPOSITION.FILE_OPEN, CreateOptions: 0 })
      expect((yield* NtCancelIoFileEx(m.io, { FileHandle: b.handle! })).status).toBe(STATUS.STATUS_NOT_FOUND)
      const wait = yield* NtLockFile(m.io, { FileHandle: b.handle!, ByteOffset: 0, Length: 10, Key: 0, FailImmediately: false, ExclusiveLock: true })
      expect(wait.status).toBe(STATUS.STATUS_PENDING)
      // b's file object is the newest one
      const bFileObject = m.io.fileObjects.get(Math.max(...m.io.fileObjects.keys()))!
      const outstanding = m.io.outstandingIrps(bFileObject)
      expect(outstanding).toHaveLength(1)
      const pending = outstanding[0]!
      expect((yield* NtCancelIoFileEx(m.io, { FileHandle: b.handle! })).status).toBe(STATUS.STATUS_SUCCESS)
      expect(pending.IoStatus.Status).toBe(STATUS.STATUS_CANCELLED)
      yield* NtClose(m.io, { Handle: b.handle! })
      yield* NtClose(m.io, { Handle: a.handle! })
    })
  })

  it('another thread\'s requests are not cancelled by NtCancelIoFile', () => {
    const m = machine()
    let irp: Irp | undefined
    let dir = 0
    let issued = false
    const p = m.process('app.exe')
    const waiter = m.ke.createThread(p, 'waiter', function* () {
      const d = yield* NtCreateFile(m.io, { FileName: '\\??\\C:\\', DesiredAccess: ACCESS.FILE_LIST_DIRECTORY, ShareAccess: SHARE, CreateDisposition: CREATE_DISPOSITION.FILE_OPEN, CreateOptions: CREATE_OPTIONS.FILE_DIRECTORY_FILE })
      dir = d.handle!
      irp = (yield* NtNotifyChangeDirectoryFile(m.io, { FileHandle: dir, CompletionFilter: FILE_NOTIFY_CHANGE.FILE_NOTIFY_CHANGE_FILE_NAME, Length: 4096 })).irp
      issued = true
    })
    m.registerThread(p, waiter.tid)
    m.ke.runUntil(() => issued, { deadline: m.ke.now + 60 * 10_000_000 })
    run(m, function* () {
      expect((yield* NtCancelIoFile(m.io, { FileHandle: dir })).status).toBe(STATUS.STATUS_SUCCESS)
      expect(irp!.completed).toBe(false)
      expect((yield* NtCancelIoFileEx(m.io, { FileHandle: dir })).status).toBe(STATUS.STATUS_SUCCESS)
      expect(irp!.IoStatus.Status).toBe(STATUS.STATUS_CANCELLED)
    })
  })
})
