// SHARE_ACCESS and IoCheckShareAccess / IoSetShareAccess / IoUpdateShareAccess /
// IoRemoveShareAccess, as documented ("Shared Access" in the IFS docs): only read, write
// and delete access take part, so attribute-only opens never conflict.

import { ACCESS } from '../nt/access.ts'
import { SHARE_ACCESS } from '../nt/file.ts'
import { STATUS, type NTSTATUS } from '../nt/status.ts'
import type { FileObject } from './file-object.ts'

export interface ShareAccess {
  OpenCount: number
  Readers: number
  Writers: number
  Deleters: number
  SharedRead: number
  SharedWrite: number
  SharedDelete: number
}

export function newShareAccess(): ShareAccess {
  return { OpenCount: 0, Readers: 0, Writers: 0, Deleters: 0, SharedRead: 0, SharedWrite: 0, SharedDelete: 0 }
}

const READ = ACCESS.FILE_EXECUTE | ACCESS.FILE_READ_DATA
const WRITE = ACCESS.FILE_WRITE_DATA | ACCESS.FILE_APPEND_DATA

function setFileObjectAccess(desiredAccess: number, desiredShare: number, fo: FileObject): boolean {
  fo.ReadAccess = (desiredAccess & READ) !== 0
  fo.WriteAccess = (desiredAccess & WRITE) !== 0
  fo.DeleteAccess = (desiredAccess & ACCESS.DELETE) !== 0
  fo.SharedRead = (desiredShare & SHARE_ACCESS.FILE_SHARE_READ) !== 0
  fo.SharedWrite = (desiredShare & SHARE_ACCESS.FILE_SHARE_WRITE) !== 0
  fo.SharedDelete = (desiredShare & SHARE_ACCESS.FILE_SHARE_DELETE) !== 0
  return fo.ReadAccess || fo.WriteAccess || fo.DeleteAccess
}

function add(sa: ShareAccess, fo: FileObject): void {
  sa.OpenCount++
  if (fo.ReadAccess) sa.Readers++
  if (fo.WriteAccess) sa.Writers++
  if (fo.DeleteAccess) sa.Deleters++
  if (fo.SharedRead) sa.SharedRead++
  if (fo.SharedWrite) sa.SharedWrite++
  if (fo.SharedDelete) sa.SharedDelete++
}

/**
 * IoSetFileObjectIgnoreSharing: share access is neither checked nor recorded for this file object
 * (what IO_IGNORE_SHARE_ACCESS_CHECK at create does). The file system may still check on its own.
 */
export function IoSetFileObjectIgnoreSharing(fo: FileObject): NTSTATUS {
  fo.ignoreSharing = true
  return STATUS.STATUS_SUCCESS
}

/** IoIsFileObjectIgnoringSharing */
export function IoIsFileObjectIgnoringSharing(fo: FileObject): boolean {
  return fo.ignoreSharing
}

/** IoCheckShareAccess */
export function IoCheckShareAccess(desiredAccess: number, desiredShare: number, fo: FileObject, sa: ShareAccess, update: boolean): NTSTATUS {
  // a file object that ignores sharing passes and is not counted (ReactOS iomgr/file.c does the
  // same for a file object whose extension has the flag)
  if (fo.ignoreSharing) return (setFileObjectAccess(desiredAccess, desiredShare, fo), STATUS.STATUS_SUCCESS)
  if (!setFileObjectAccess(desiredAccess, desiredShare, fo)) return STATUS.STATUS_SUCCESS
  if (
    (fo.ReadAccess && sa.SharedRead < sa.OpenCount) ||
    (fo.WriteAccess && sa.SharedWrite < sa.OpenCount) ||
    (fo.DeleteAccess && sa.SharedDelete < sa.OpenCount) ||
    (sa.Readers !== 0 && !fo.SharedRead) ||
    (sa.Writers !== 0 && !fo.SharedWrite) ||
    (sa.Deleters !== 0 && !fo.SharedDelete)
  ) {
    return STATUS.STATUS_SHARING_VIOLATION
  }
  if (update) add(sa, fo)
  return STATUS.STATUS_SUCCESS
}

/** IoSetShareAccess: the first open of a stream */
export function IoSetShareAccess(desiredAccess: number, desiredShare: number, fo: FileObject, sa: ShareAccess): void {
  if (fo.ignoreSharing) {
    setFileObjectAccess(desiredAccess, desiredShare, fo)
    Object.assign(sa, newShareAccess())
    return
  }
  if (setFileObjectAccess(desiredAccess, desiredShare, fo)) {
    Object.assign(sa, newShareAccess())
    add(sa, fo)
  } else {
    Object.assign(sa, newShareAccess())
  }
}

/** IoUpdateShareAccess: records an open that IoCheckShareAccess(update = false) allowed */
export function IoUpdateShareAccess(fo: FileObject, sa: ShareAccess): void {
  if (fo.ignoreSharing) return
  if (fo.ReadAccess || fo.WriteAccess || fo.DeleteAccess) add(sa, fo)
}

/** IoRemoveShareAccess: at cleanup */
export function IoRemoveShareAccess(fo: FileObject, sa: ShareAccess): void {
  if (fo.ignoreSharing) return
  if (!(fo.ReadAccess || fo.WriteAccess || fo.DeleteAccess)) return
  sa.OpenCount--
  if (fo.ReadAccess) sa.Readers--
  if (fo.WriteAccess) sa.Writers--
  if (fo.DeleteAccess) sa.Deleters--
  if (fo.SharedRead) sa.SharedRead--
  if (fo.SharedWrite) sa.SharedWrite--
  if (fo.SharedDelete) sa.SharedDelete--
}
