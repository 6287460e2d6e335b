// Change notification: IRP_MN_NOTIFY_CHANGE_DIRECTORY as NTFS hands it to FsRtl
// (FsRtlNotifyFilterChangeDirectory / FsRtlNotifyFilterReportChange / FsRtlNotifyCleanup /
// FsRtlCheckNotifyForDelete; ReactOS ntoskrnl/fsrtl/notify.c is an open implementation).
//
// - One notify structure per handle (CCB), made by its first request: that request's
//   CompletionFilter, WatchTree and buffer length hold for the life of the handle.
// - A change that matches (the watched directory, or any directory below it with WatchTree)
//   completes one pending request with the changes gathered so far (FILE_NOTIFY_INFORMATION
//   records, names relative to the watched directory); with no request pending the changes are
//   kept for the next one, up to the first request's buffer length.
// - More changes than that buffer holds, or a buffer of length 0, and the next completion is
//   STATUS_NOTIFY_ENUM_DIR with no data ("re-enumerate the directory").
// - FILE_ACTION_RENAMED_OLD_NAME waits for the matching RENAMED_NEW_NAME so that both come back
//   in one completion (MS-OPENSPECLP note on FsRtlNotifyFilterReportChange).
// - The handle's cleanup completes its pending requests with STATUS_NOTIFY_CLEANUP; a later
//   request on the cleaned-up handle gets STATUS_NOTIFY_CLEANUP at once.
// - A watched directory that is being deleted completes them with STATUS_DELETE_PENDING, and
//   new requests on it fail with STATUS_DELETE_PENDING.

import { IoCompleteRequest, IoGetCurrentIrpStackLocation, IoMarkIrpPending, IoSetCancelRoutine, type Irp } from '../../io/irp.ts'
import { SL_FLAGS_NOTIFY_DIRECTORY } from '../../nt/irp.ts'
import { FILE_ACTION } from '../../nt/file.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import { encodeNotifyEntries, FILE_NOTIFY_INFORMATION, type NotifyEntry } from '../../rtl/structs/notify.ts'
import { align4 } from '../../rtl/structs/buffer.ts'
import { primaryName } from './paths.ts'
import type { RecordNo } from './store.ts'
import type { Ccb, DirectoryChange, Fcb, Vcb } from './structures.ts'

/** FsRtl's NOTIFY_CHANGE for one handle */
interface NotifyWatch {
  readonly ccb: Ccb
  readonly dir: RecordNo
  readonly watchTree: boolean
  readonly filter: number
  /** the first request's buffer length: how much may wait for the next request */
  readonly bufferLength: number
  /** changes gathered, not yet returned */
  entries: NotifyEntry[]
  /** their packed size (the end of the last record) */
  dataLength: number
  /** NOTIFY_IMMEDIATELY: the changes overflowed; the next completion is STATUS_NOTIFY_ENUM_DIR */
  overflowed: boolean
  /** NOTIFY_LATER: an old name waits for its new name */
  waitingForNewName: boolean
  /** requests waiting for a change, oldest first */
  readonly irps: Irp[]
}

const LIST_KEY = 'ntfs.notify.list'
const ATTACHED_KEY = 'ntfs.notify.attached'

function watches(vcb: Vcb): NotifyWatch[] {
  let list = vcb.ext.get(LIST_KEY) as NotifyWatch[] | undefined
  if (!list) {
    list = []
    vcb.ext.set(LIST_KEY, list)
  }
  return list
}

/** hooks change notification into the volume's change reports and cleanup (once per volume) */
export function attachDirectoryNotify(vcb: Vcb): void {
  if (vcb.ext.get(ATTACHED_KEY)) return
  vcb.ext.set(ATTACHED_KEY, true)
  vcb.changeListeners.push((c) => reportDirectoryChange(vcb, c))
  vcb.cleanupHooks.push((ccb) => notifyCleanup(ccb))
}

function watchOf(ccb: Ccb): NotifyWatch | undefined {
  return watches(ccb.vcb).find((w) => w.ccb === ccb)
}

/** the directory of a watch is on its way out: delete pending, or already without a name */
function beingDeleted(fcb: Fcb, ccb: Ccb): boolean {
  return fcb.fileDeleted || fcb.posixDeleted || fcb.isLinkDeletePending(ccb.link)
}

/** IRP_MN_NOTIFY_CHANGE_DIRECTORY: completes at once, or pends and returns STATUS_PENDING */
export function notifyChangeDirectory(ccb: Ccb, irp: Irp): NTSTATUS {
  const sp = IoGetCurrentIrpStackLocation(irp)
  const p = sp.Parameters.NotifyDirectory
  if (!p || ccb.scb.kind !== 'index') return complete(irp, STATUS.STATUS_INVALID_PARAMETER)
  attachDirectoryNotify(ccb.vcb)
  // FsRtl: a request on a handle whose cleanup has run
  if (ccb.flags.cleanedUp) return complete(irp, STATUS.STATUS_NOTIFY_CLEANUP)
  // fastfat / NTFS: no new watch on a directory that is being deleted
  if (beingDeleted(ccb.fcb, ccb)) return complete(irp, STATUS.STATUS_DELETE_PENDING)
  let w = watchOf(ccb)
  if (!w) {
    w = {
      ccb,
      dir: ccb.fcb.record,
      watchTree: (sp.Flags & SL_FLAGS_NOTIFY_DIRECTORY.SL_WATCH_TREE) !== 0,
      filter: p.CompletionFilter,
      bufferLength: p.Length,
      entries: [],
      dataLength: 0,
      overflowed: false,
      waitingForNewName: false,
      irps: [],
    }
    watches(ccb.vcb).push(w)
  }
  if (w.overflowed) {
    w.overflowed = false
    return complete(irp, STATUS.STATUS_NOTIFY_ENUM_DIR)
  }
  if (w.entries.length > 0 && !w.waitingForNewName) return completeWithChanges(w, irp)
  IoMarkIrpPending(irp)
  w.irps.push(irp)
  // FsRtlNotifyFullChangeDirectory: a waiting request can be cancelled (CancelIo, thread exit)
  const watch = w
  IoSetCancelRoutine(irp, (cancelled) => {
    const i = watch.irps.indexOf(cancelled)
    if (i >= 0) watch.irps.splice(i, 1)
    complete(cancelled, STATUS.STATUS_CANCELLED)
  })
  return STATUS.STATUS_PENDING
}

function complete(irp: Irp, status: NTSTATUS, information = 0): NTSTATUS {
  irp.IoStatus.Status = status
  irp.IoStatus.Information = information
  IoCompleteRequest(irp)
  return status
}

/** hands the gathered changes to `irp` (all of them, or STATUS_NOTIFY_ENUM_DIR when they do not fit) */
function completeWithChanges(w: NotifyWatch, irp: Irp): NTSTATUS {
  const length = Math.min(IoGetCurrentIrpStackLocation(irp).Parameters.NotifyDirectory?.Length ?? 0, irp.UserBuffer?.length ?? 0)
  const entries = w.entries
  w.entries = []
  w.dataLength = 0
  w.waitingForNewName = false
  const r = encodeNotifyEntries(entries, length)
  if (r.status === STATUS.STATUS_SUCCESS) irp.UserBuffer?.set(r.bytes)
  return complete(irp, r.status, r.information)
}

/** FsRtlNotifyCompleteIrpList: a success goes to the oldest request; cleanup and delete end them all */
function completeIrpList(w: NotifyWatch, status: NTSTATUS): void {
  if (status === STATUS.STATUS_SUCCESS) {
    const irp = w.irps.shift()
    if (!irp) return
    if (w.overflowed) {
      w.overflowed = false
      complete(irp, STATUS.STATUS_NOTIFY_ENUM_DIR)
    } else {
      completeWithChanges(w, irp)
    }
    return
  }
  for (const irp of w.irps.splice(0)) complete(irp, status)
}

/** the path of `dir` below `top` ('' for `top` itself), or undefined when `dir` is not under it */
function pathBelow(vcb: Vcb, top: RecordNo, dir: RecordNo): string | undefined {
  const parts: string[] = []
  let cur = dir
  for (let guard = 0; guard < 4096; guard++) {
    if (cur === top) return parts.join('\\')
    if (cur === vcb.store.rootRecord) return undefined
    const r = vcb.store.readRecord(cur)
    const n = r && primaryName(r)
    if (!n) return undefined
    parts.unshift(n.name)
    cur = n.parent
  }
  return undefined
}

/** FsRtlNotifyFilterReportChange for one change the driver made */
export function reportDirectoryChange(vcb: Vcb, change: DirectoryChange): void {
  for (const w of watches(vcb).slice()) {
    if ((w.filter & change.filter) === 0) continue
    let name: string
    if (change.dir === w.dir) {
      name = change.name
    } else {
      if (!w.watchTree) continue
      const below = pathBelow(vcb, w.dir, change.dir)
      if (below === undefined) continue
      name = `${below}\\${change.name}`
    }
    gather(w, { Action: change.action, FileName: name })
    if (change.action === FILE_ACTION.FILE_ACTION_RENAMED_OLD_NAME) {
      w.waitingForNewName = true
    } else {
      w.waitingForNewName = false
      completeIrpList(w, STATUS.STATUS_SUCCESS)
    }
  }
  // a watched directory that lost its last name (POSIX delete, or its delete at last handle)
  if (change.action === FILE_ACTION.FILE_ACTION_REMOVED) {
    for (const w of watches(vcb)) {
      if (w.irps.length > 0 && (w.ccb.fcb.posixDeleted || w.ccb.fcb.fileDeleted)) completeIrpList(w, STATUS.STATUS_DELETE_PENDING)
    }
  }
}

/** adds a record to the watch's buffer, or marks it overflowed when the first request's buffer cannot hold it */
function gather(w: NotifyWatch, entry: NotifyEntry): void {
  if (w.overflowed) return
  const size = FILE_NOTIFY_INFORMATION.FileName + entry.FileName.length * 2
  // the limit is the waiting request's buffer, or the first request's when none waits
  const limit = w.irps[0] ? (IoGetCurrentIrpStackLocation(w.irps[0]).Parameters.NotifyDirectory?.Length ?? 0) : w.bufferLength
  const start = w.entries.length === 0 ? 0 : align4(w.dataLength)
  if (start + size > limit) {
    w.overflowed = true
    w.entries = []
    w.dataLength = 0
    return
  }
  w.entries.push(entry)
  w.dataLength = start + size
}

/** FsRtlNotifyCleanup: the handle's last reference to change notification */
export function notifyCleanup(ccb: Ccb): void {
  const list = watches(ccb.vcb)
  const i = list.findIndex((w) => w.ccb === ccb)
  if (i < 0) return
  const w = list[i]!
  list.splice(i, 1)
  completeIrpList(w, STATUS.STATUS_NOTIFY_CLEANUP)
}

/**
 * FsRtlCheckNotifyForDelete: the directory `fcb` is being deleted (its disposition was set, or
 * it was deleted with POSIX semantics); requests waiting on it complete with STATUS_DELETE_PENDING.
 */
export function notifyDirectoryDeleted(vcb: Vcb, fcb: Fcb): void {
  for (const w of watches(vcb)) {
    if (w.ccb.fcb === fcb && w.irps.length > 0) completeIrpList(w, STATUS.STATUS_DELETE_PENDING)
  }
}

/** pending change-notify requests of a handle (for tests and the UI) */
export function pendingNotifyRequests(ccb: Ccb): number {
  return watchOf(ccb)?.irps.length ?? 0
}
