// NTFS's use of the FsRtl oplock package: each data stream (SCB) and directory index holds an
// OPLOCK, created on first use; the oplock FSCTLs go to FsRtlOplockFsctrl with the stream's
// open count and byte-range locks; read, write, lock control, set information, flush and
// FSCTL_SET_ZERO_DATA check for breaks (waiting outside the file's resources); the handle's
// cleanup releases its oplocks; fast I/O asks whether the oplock state allows it.

import type { Co } from '../../ke/index.ts'
import { IoGetCurrentIrpStackLocation, type Irp } from '../../io/irp.ts'
import {
  FsRtlCheckOplockAndWait,
  FsRtlCheckOplockEx,
  FsRtlInitializeOplock,
  FsRtlOplockCleanup,
  FsRtlOplockFsctrl,
  FsRtlWaitForOplockBreaks,
  oplockBreakForEntryChange,
  oplockOperationOf,
  type Oplock,
  type OplockCheckResult,
} from '../../fsrtl/index.ts'
import { FILE_ACTION } from '../../nt/file.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import { completeIrp } from './complete.ts'
import { primaryName } from './paths.ts'
import { replacedTarget } from './rename.ts'
import type { RecordNo } from './store.ts'
import type { Ccb, Fcb, Scb, Vcb } from './structures.ts'

const OPLOCK_KEY = 'ntfs.oplock'
const ATTACHED_KEY = 'ntfs.oplock.attached'

/** the stream's OPLOCK if it was ever used */
export function oplockOf(scb: Scb): Oplock | undefined {
  return scb.ext.get(OPLOCK_KEY) as Oplock | undefined
}

/** the stream's OPLOCK, initialized on first use (FsRtlInitializeOplock when the SCB is made) */
export function ensureOplock(scb: Scb): Oplock {
  let o = oplockOf(scb)
  if (!o) {
    o = FsRtlInitializeOplock(scb.fcb.vcb.io.ke, `Scb ${scb.fcb.record}${scb.streamName ? ':' + scb.streamName : ''} Oplock`)
    scb.ext.set(OPLOCK_KEY, o)
  }
  return o
}

/** the directory-entry changes that break a directory's oplocks: names added, removed, renamed */
const ENTRY_ACTIONS = new Set<number>([
  FILE_ACTION.FILE_ACTION_ADDED,
  FILE_ACTION.FILE_ACTION_REMOVED,
  FILE_ACTION.FILE_ACTION_RENAMED_OLD_NAME,
  FILE_ACTION.FILE_ACTION_RENAMED_NEW_NAME,
])

/**
 * The handle's cleanup releases its oplocks, and a change to a directory's entries breaks the
 * directory's oplocks (once per volume). unverified: changes to a child's data or attributes
 * (FILE_ACTION_MODIFIED) leave the directory's oplocks alone.
 */
export function attachOplocks(vcb: Vcb): void {
  if (vcb.ext.get(ATTACHED_KEY)) return
  vcb.ext.set(ATTACHED_KEY, true)
  vcb.cleanupHooks.push((ccb) => FsRtlOplockCleanup(oplockOf(ccb.scb), ccb.fileObject))
  vcb.changeListeners.push((c) => {
    if (!c.dirFcb || !ENTRY_ACTIONS.has(c.action)) return
    for (const s of c.dirFcb.scbs.values()) if (s.kind === 'index') oplockBreakForEntryChange(oplockOf(s))
  })
}

/** The oplock FSCTLs: FsRtlOplockFsctrl with what only NTFS knows. */
export function oplockFsctl(ccb: Ccb, irp: Irp): NTSTATUS {
  attachOplocks(ccb.vcb)
  const scb = ccb.scb
  // a volume open gets no oplock; Windows 8 directory oplocks (R and RH through
  // FSCTL_REQUEST_OPLOCK) are checked by the package
  if (scb.kind === 'volume') return completeIrp(irp, STATUS.STATUS_INVALID_PARAMETER)
  if (ccb.fcb.fileDeleted) return completeIrp(irp, STATUS.STATUS_FILE_DELETED)
  if (ccb.flags.cleanedUp) return completeIrp(irp, STATUS.STATUS_FILE_CLOSED)
  return FsRtlOplockFsctrl(ensureOplock(scb), irp, {
    openCount: scb.cleanupCount,
    hasByteRangeLocks: !scb.fileLock.isEmpty,
    isDirectory: scb.kind === 'index',
  })
}

/**
 * FsRtlCheckOplock for an operation on `ccb`'s stream, waiting (with the volume's timeout) for
 * the acknowledgements the rules ask for. Called before the file's resources are taken.
 */
export function* checkOplock(ccb: Ccb, irp: Irp): Co<NTSTATUS> {
  const o = oplockOf(ccb.scb)
  if (!o || o.grants.length === 0) return STATUS.STATUS_SUCCESS
  return yield* FsRtlCheckOplockAndWait(o, irp, 0, ccb.vcb.settings.oplockBreakTimeout)
}

/** whether `fcb`'s file lies somewhere below directory `dir` (through its primary names) */
function isBelow(vcb: Vcb, fcb: Fcb, dir: RecordNo): boolean {
  let r = fcb.read()
  for (let guard = 0; r && guard < 4096; guard++) {
    const n = primaryName(r)
    if (!n) return false
    if (n.parent === dir) return true
    if (n.parent === vcb.store.rootRecord) return false
    r = vcb.store.readRecord(n.parent)
  }
  return false
}

/**
 * A directory is renamed (or given a short name): the oplocks of the streams below it break as a
 * rename of the stream itself would break them ("Checking the Oplock State of an
 * IRP_MJ_SET_INFORMATION operation": "an ancestor directory of the stream on which the oplock
 * exists is being renamed") — batch and filter to none, RH to R, RWH to RW — and the rename
 * waits for the acknowledgements.
 */
export function* checkDescendantOplocks(ccb: Ccb, irp: Irp): Co<void> {
  if (ccb.scb.kind !== 'index' || oplockOperationOf(irp).op !== 'rename') return
  const vcb = ccb.vcb
  yield* breakAndWait(ccb, irp, (f) => f !== ccb.fcb && f.kind !== 'volume' && isBelow(vcb, f, ccb.fcb.record))
}

/**
 * A rename or link with ReplaceIfExists over another file: the oplocks of the file being
 * superseded break as a rename breaks them (the same table: "a hard link is being created for
 * the file ... superseding an existing link to a different file, and the oplock exists on the
 * link being superseded"), so that their holders can close and let the replace go on.
 */
export function* checkReplacedTargetOplocks(ccb: Ccb, irp: Irp): Co<void> {
  if (oplockOperationOf(irp).op !== 'rename') return
  const sp = IoGetCurrentIrpStackLocation(irp)
  const p = sp.Parameters.SetFile
  if (!p) return
  const target = replacedTarget(ccb, p.FileInformationClass, irp.SystemBuffer?.subarray(0, p.Length) ?? new Uint8Array(0), sp)
  if (target === undefined) return
  yield* breakAndWait(ccb, irp, (f) => f.record === target)
}

/** breaks what `irp` breaks on the streams of the open files `which` selects, and waits until nothing more needs waiting for */
function* breakAndWait(ccb: Ccb, irp: Irp, which: (f: Fcb) => boolean): Co<void> {
  const vcb = ccb.vcb
  for (let round = 0; round < 64; round++) {
    const waits: { oplock: Oplock; check: OplockCheckResult }[] = []
    for (const f of vcb.fcbTable.values()) {
      if (!which(f)) continue
      for (const s of f.scbs.values()) {
        const o = oplockOf(s)
        if (!o || o.grants.length === 0) continue
        const check = FsRtlCheckOplockEx(o, irp)
        if (check.status === STATUS.STATUS_PENDING) waits.push({ oplock: o, check })
      }
    }
    if (waits.length === 0) return
    for (const w of waits) yield* FsRtlWaitForOplockBreaks(w.oplock, w.check, vcb.settings.oplockBreakTimeout)
  }
}
