// Timestamps as NTFS keeps them. Every time comes from the emulated clock (KeQuerySystemTime).
// - Data written through a handle: LastWriteTime and ChangeTime are stamped when that handle
//   is cleaned up (GetFileTime docs: "the last write time is not fully updated until all
//   handles that are used for writing are closed"), unless the caller set them explicitly
//   through that handle (FileBasicInformation), which then sticks (MS-FSCC 2.4.7 and the
//   FILE_BASIC_INFORMATION docs: -1 stops the automatic update for the handle, -2 resumes it).
// - Size changes by SetInformation and metadata changes (attributes, rename, links) stamp
//   ChangeTime at once.
// - A directory's LastWriteTime and ChangeTime move when an entry is added, removed or renamed.
// - LastAccessTime follows NtfsDisableLastAccessUpdate (Vcb.settings).

import type { FileTime, RecordNo } from './store.ts'
import type { Ccb, Fcb, Vcb } from './structures.ts'

export function systemTime(vcb: Vcb): FileTime {
  return vcb.io.ke.systemTime()
}

/** a directory's entries changed: its LastWriteTime and ChangeTime become now */
export function touchDirectory(vcb: Vcb, dir: RecordNo): void {
  const t = systemTime(vcb)
  vcb.store.setStandardInfo(dir, { lastWriteTime: t, changeTime: t })
}

/** metadata of the file changed (attributes, names, sizes set by SetInformation) */
export function touchChange(fcb: Fcb, ccb: Ccb | undefined): void {
  if (!fcb.read()) return
  if (ccb && ccb.time.change !== 'auto') return
  fcb.vcb.store.setStandardInfo(fcb.record, { changeTime: systemTime(fcb.vcb) })
}

/** data changed: what cleanup does for a handle that wrote (and what an overwrite does at once) */
export function touchWrite(fcb: Fcb, ccb: Ccb | undefined): void {
  if (!fcb.read()) return
  const t = systemTime(fcb.vcb)
  const patch: { lastWriteTime?: FileTime; changeTime?: FileTime } = {}
  if (!ccb || ccb.time.lastWrite === 'auto') patch.lastWriteTime = t
  if (!ccb || ccb.time.change === 'auto') patch.changeTime = t
  if (patch.lastWriteTime !== undefined || patch.changeTime !== undefined) fcb.vcb.store.setStandardInfo(fcb.record, patch)
}

/** a read or a directory listing through the handle (only when last-access updates are on) */
export function touchAccess(fcb: Fcb, ccb: Ccb | undefined): void {
  if (fcb.vcb.settings.disableLastAccessUpdate) return
  if (!fcb.read()) return
  if (ccb && ccb.time.lastAccess !== 'auto') return
  fcb.vcb.store.setStandardInfo(fcb.record, { lastAccessTime: systemTime(fcb.vcb) })
}
