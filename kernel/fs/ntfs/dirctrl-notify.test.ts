// NtNotifyChangeDirectoryFile on the NTFS driver (FsRtl change notification): what completes a
// pending request, with which FILE_NOTIFY_INFORMATION records, and when it completes otherwise.

import { describe, expect, it } from 'vitest'
import type { Irp } from '../../io/irp.ts'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_OPTIONS as O, FILE_ACTION as FA, FILE_DISPOSITION_FLAGS as FD, FILE_NOTIFY_CHANGE as N, SHARE_ACCESS as S } from '../../nt/file.ts'
import { statusName } from '../../nt/status.ts'
import { decodeNotifyEntries, type NotifyEntry } from '../../rtl/structs/notify.ts'
import { forEachStore } from './test-backends.ts'
import { ALL_SHARE, type TestVolume } from './test-support.ts'
import { notify, withVolumeServices } from './test-services.ts'

const WATCH = ACCESS.FILE_LIST_DIRECTORY | ACCESS.SYNCHRONIZE

function setup(vol: () => TestVolume): { v: TestVolume; dir: number } {
  const v = withVolumeServices(vol())
  v.close(v.mkdir('dir'))
  // an asynchronous handle: the request pends and the test reads the IRP when it completes
  const dir = v.open('dir', { access: WATCH, options: O.FILE_DIRECTORY_FILE, share: ALL_SHARE }).handle
  return { v, dir }
}

function completion(irp: Irp | undefined): { done: boolean; name: string; information: number; entries: NotifyEntry[] } {
  if (!irp) throw new Error('no IRP')
  const info = irp.IoStatus.Information
  const entries = irp.completed && info > 0 && irp.UserBuffer ? decodeNotifyEntries(irp.UserBuffer.subarray(0, info)) : []
  return { done: irp.completed, name: irp.completed ? statusName(irp.IoStatus.Status) : 'pending', information: info, entries }
}

forEachStore((vol) => {
describe('change notification', () => {
  it('a request pends, then completes with FILE_ACTION_ADDED for a new file', () => {
    const { v, dir } = setup(vol)
    const n = notify(v, dir, N.FILE_NOTIFY_CHANGE_FILE_NAME)
    expect(n.name).toBe('STATUS_PENDING')
    expect(completion(n.irp).done).toBe(false)
    v.file('dir\\new.txt')
    const c = completion(n.irp)
    expect(c.name).toBe('STATUS_SUCCESS')
    expect(c.entries).toEqual([{ Action: FA.FILE_ACTION_ADDED, FileName: 'new.txt' }])
    expect(c.information).toBe(12 + 14)
  })

  it('changes the filter does not ask for leave the request pending', () => {
    const { v, dir } = setup(vol)
    const n = notify(v, dir, N.FILE_NOTIFY_CHANGE_DIR_NAME)
    v.file('dir\\file.txt')
    expect(completion(n.irp).done).toBe(false)
    v.close(v.mkdir('dir\\sub'))
    expect(completion(n.irp).entries).toEqual([{ Action: FA.FILE_ACTION_ADDED, FileName: 'sub' }])
  })

  it('changes between requests are kept for the next request, which completes at once', () => {
    const { v, dir } = setup(vol)
    const first = notify(v, dir, N.FILE_NOTIFY_CHANGE_FILE_NAME)
    v.file('dir\\a')
    expect(completion(first.irp).entries.map((e) => e.FileName)).toEqual(['a'])
    v.file('dir\\b')
    v.file('dir\\c')
    const second = notify(v, dir, N.FILE_NOTIFY_CHANGE_FILE_NAME)
    expect(second.name).toBe('STATUS_SUCCESS')
    expect(completion(second.irp).entries).toEqual([
      { Action: FA.FILE_ACTION_ADDED, FileName: 'b' },
      { Action: FA.FILE_ACTION_ADDED, FileName: 'c' },
    ])
  })

  it('a rename reports the old and the new name in one completion', () => {
    const { v, dir } = setup(vol)
    v.file('dir\\old.txt')
    const n = notify(v, dir, N.FILE_NOTIFY_CHANGE_FILE_NAME)
    const h = v.open('dir\\old.txt', { access: ACCESS.DELETE | ACCESS.SYNCHRONIZE, share: ALL_SHARE }).handle
    expect(v.rename(h, 'dir\\new.txt').name).toBe('STATUS_SUCCESS')
    expect(completion(n.irp).entries).toEqual([
      { Action: FA.FILE_ACTION_RENAMED_OLD_NAME, FileName: 'old.txt' },
      { Action: FA.FILE_ACTION_RENAMED_NEW_NAME, FileName: 'new.txt' },
    ])
  })

  it('deleting a file reports FILE_ACTION_REMOVED when its last handle goes', () => {
    const { v, dir } = setup(vol)
    v.file('dir\\gone')
    const n = notify(v, dir, N.FILE_NOTIFY_CHANGE_FILE_NAME)
    const h = v.open('dir\\gone', { access: ACCESS.DELETE, options: O.FILE_DELETE_ON_CLOSE, share: ALL_SHARE }).handle
    expect(completion(n.irp).done).toBe(false)
    v.close(h)
    expect(completion(n.irp).entries).toEqual([{ Action: FA.FILE_ACTION_REMOVED, FileName: 'gone' }])
  })

  it('WatchTree reports changes below the directory with their relative path', () => {
    const { v, dir } = setup(vol)
    v.close(v.mkdir('dir\\sub'))
    const n = notify(v, dir, N.FILE_NOTIFY_CHANGE_FILE_NAME, { watchTree: true })
    v.file('dir\\sub\\deep.txt')
    expect(completion(n.irp).entries).toEqual([{ Action: FA.FILE_ACTION_ADDED, FileName: 'sub\\deep.txt' }])
  })

  it('without WatchTree, changes in a subdirectory are not reported', () => {
    const { v, dir } = setup(vol)
    v.close(v.mkdir('dir\\sub'))
    const n = notify(v, dir, N.FILE_NOTIFY_CHANGE_FILE_NAME)
    v.file('dir\\sub\\deep.txt')
    expect(completion(n.irp).done).toBe(false)
  })

  it('a data write reports FILE_ACTION_MODIFIED for FILE_NOTIFY_CHANGE_LAST_WRITE or SIZE', () => {
    const { v, dir } = setup(vol)
    v.file('dir\\data.bin')
    const n = notify(v, dir, N.FILE_NOTIFY_CHANGE_SIZE | N.FILE_NOTIFY_CHANGE_LAST_WRITE)
    const h = v.open('dir\\data.bin', { access: ACCESS.FILE_WRITE_DATA | ACCESS.SYNCHRONIZE, options: O.FILE_SYNCHRONOUS_IO_NONALERT, share: ALL_SHARE }).handle
    v.write(h, 'more data', 0)
    v.close(h)
    const c = completion(n.irp)
    expect(c.name).toBe('STATUS_SUCCESS')
    expect(c.entries[0]).toEqual({ Action: FA.FILE_ACTION_MODIFIED, FileName: 'data.bin' })
  })

  it('more changes than the first request\'s buffer holds: STATUS_NOTIFY_ENUM_DIR with no data', () => {
    const { v, dir } = setup(vol)
    const first = notify(v, dir, N.FILE_NOTIFY_CHANGE_FILE_NAME, { length: 64 })
    v.file('dir\\x')
    expect(completion(first.irp).name).toBe('STATUS_SUCCESS')
    for (const f of ['file-one.txt', 'file-two.txt', 'file-three.txt']) v.file(`dir\\${f}`)
    const next = notify(v, dir, N.FILE_NOTIFY_CHANGE_FILE_NAME, { length: 64 })
    expect(next.name).toBe('STATUS_NOTIFY_ENUM_DIR')
    expect(next.irp!.IoStatus.Information).toBe(0)
    // the overflow is reported once; the next request waits again
    expect(notify(v, dir, N.FILE_NOTIFY_CHANGE_FILE_NAME, { length: 64 }).name).toBe('STATUS_PENDING')
  })

  it('a zero-length buffer completes with STATUS_NOTIFY_ENUM_DIR on the first change', () => {
    const { v, dir } = setup(vol)
    const n = notify(v, dir, N.FILE_NOTIFY_CHANGE_FILE_NAME, { length: 0 })
    v.file('dir\\a')
    expect(completion(n.irp).name).toBe('STATUS_NOTIFY_ENUM_DIR')
  })

  it('closing the handle completes a pending request with STATUS_NOTIFY_CLEANUP', () => {
    const { v, dir } = setup(vol)
    const n = notify(v, dir, N.FILE_NOTIFY_CHANGE_FILE_NAME)
    v.close(dir)
    expect(completion(n.irp).name).toBe('STATUS_NOTIFY_CLEANUP')
  })

  it('two handles on one directory each get the change', () => {
    const { v, dir } = setup(vol)
    const other = v.open('dir', { access: WATCH, options: O.FILE_DIRECTORY_FILE, share: ALL_SHARE }).handle
    const a = notify(v, dir, N.FILE_NOTIFY_CHANGE_FILE_NAME)
    const b = notify(v, other, N.FILE_NOTIFY_CHANGE_FILE_NAME)
    v.file('dir\\both')
    expect(completion(a.irp).entries.map((e) => e.FileName)).toEqual(['both'])
    expect(completion(b.irp).entries.map((e) => e.FileName)).toEqual(['both'])
  })

  it('a request on a directory that is delete pending fails with STATUS_DELETE_PENDING', () => {
    const v = withVolumeServices(vol())
    v.close(v.mkdir('doomed'))
    const h = v.open('doomed', { access: WATCH | ACCESS.DELETE, options: O.FILE_DIRECTORY_FILE | O.FILE_DELETE_ON_CLOSE, share: S.FILE_SHARE_READ | S.FILE_SHARE_DELETE }).handle
    const other = v.open('doomed', { access: WATCH, options: O.FILE_DIRECTORY_FILE, share: ALL_SHARE }).handle
    v.close(h) // the link is now delete pending: the other handle keeps the directory
    expect(notify(v, other, N.FILE_NOTIFY_CHANGE_FILE_NAME).name).toBe('STATUS_DELETE_PENDING')
  })

  it('a watched directory deleted with POSIX semantics completes the pending request with STATUS_DELETE_PENDING', () => {
    const v = withVolumeServices(vol())
    v.close(v.mkdir('doomed'))
    const watcher = v.open('doomed', { access: WATCH, options: O.FILE_DIRECTORY_FILE, share: ALL_SHARE }).handle
    const n = notify(v, watcher, N.FILE_NOTIFY_CHANGE_FILE_NAME)
    const h = v.open('doomed', { access: ACCESS.DELETE | ACCESS.SYNCHRONIZE, options: O.FILE_DIRECTORY_FILE, share: ALL_SHARE }).handle
    expect(v.set(h, 'FileDispositionInformationEx', { Flags: FD.FILE_DISPOSITION_DELETE | FD.FILE_DISPOSITION_POSIX_SEMANTICS }).name).toBe('STATUS_SUCCESS')
    v.close(h)
    expect(v.exists('doomed')).toBe(false)
    expect(completion(n.irp).name).toBe('STATUS_DELETE_PENDING')
  })

  it('a request on a file\'s handle is STATUS_INVALID_PARAMETER', () => {
    const v = withVolumeServices(vol())
    v.file('f')
    const h = v.open('f', { access: WATCH, share: ALL_SHARE }).handle
    expect(notify(v, h, N.FILE_NOTIFY_CHANGE_FILE_NAME).name).toBe('STATUS_INVALID_PARAMETER')
  })
})
})
