// Rename and hard link (FileRenameInformation(Ex), FileLinkInformation(Ex)) and stream rename.
// The I/O manager opens the target's parent with SL_OPEN_TARGET_DIRECTORY and passes it in
// Parameters.SetFile.FileObject (its FileName is then just the final component); without a
// target file object the new name is a name in the same directory, or ":stream".
//
// Observed on NTFS (WinBtrfs rename.cpp, links.cpp, streams.cpp):
// - an existing target without ReplaceIfExists → STATUS_OBJECT_NAME_COLLISION, also when it
//   differs only in case;
// - replacing: a directory target, a read-only target (without *_IGNORE_READONLY_ATTRIBUTE),
//   (a directory may replace a file: Wine test_file_rename_information)
//   an open target (without POSIX semantics) → STATUS_ACCESS_DENIED; POSIX semantics replace an
//   open target that shares delete (else STATUS_SHARING_VIOLATION), and a directory by an
//   empty-target directory (a non-empty one → STATUS_DIRECTORY_NOT_EMPTY);
// - renaming to the same name is a no-op; a case-only rename changes the stored name;
// - an open by file id cannot be renamed (STATUS_INVALID_PARAMETER), but can be linked;
// - a directory cannot be linked (STATUS_FILE_IS_A_DIRECTORY);
// - a stream is renamed with ":name" only; a full path → STATUS_INVALID_PARAMETER.
// The brief's rule for directories: an open directory whose children are open cannot be
// renamed (STATUS_ACCESS_DENIED), as NTFS refuses to move a prefix with open descendants.

import { FO } from '../../io/file-object.ts'
import type { IoStackLocation } from '../../io/irp.ts'
import { FILE_ACTION, FILE_ATTRIBUTE, FILE_LINK_FLAGS, FILE_NOTIFY_CHANGE, FILE_RENAME_FLAGS } from '../../nt/file.ts'
import { FILE_INFORMATION_CLASS as C } from '../../nt/infoclass.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import { decodeRenameInformation, decodeRenameInformationEx } from '../../rtl/structs/fileinfo.ts'
import { deleteIfNameless, removeLink } from './delete.ts'
import { addNameWithShortName } from './linknames.ts'
import { isValidFileName, parseComponent } from './names.ts'
import { reportChange } from './notify.ts'
import { linkFromEntry, primaryName } from './paths.ts'
import { refreshHeader } from './sizes.ts'
import { NameSpace, type FileRecord, type RecordNo } from './store.ts'
import { ccbOf, type Ccb, type Fcb, type Link, type Vcb } from './structures.ts'
import { touchChange, touchDirectory } from './times.ts'

interface Request {
  readonly name: string
  readonly replace: boolean
  readonly posix: boolean
  readonly ignoreReadOnly: boolean
  readonly targetDir: RecordNo | undefined
}

function decode(cls: number, buf: Uint8Array, sp: IoStackLocation): Request | NTSTATUS {
  const ex = cls === C.FileRenameInformationEx || cls === C.FileLinkInformationEx
  let info: { FileName: string; FileNameLength: number; flags: number; replace: boolean }
  try {
    if (ex) {
      const d = decodeRenameInformationEx(buf)
      info = { FileName: d.FileName, FileNameLength: d.FileNameLength, flags: d.Flags, replace: (d.Flags & FILE_RENAME_FLAGS.FILE_RENAME_REPLACE_IF_EXISTS) !== 0 }
    } else {
      const d = decodeRenameInformation(buf)
      info = { FileName: d.FileName, FileNameLength: d.FileNameLength, flags: 0, replace: d.ReplaceIfExists }
    }
  } catch {
    return STATUS.STATUS_INVALID_PARAMETER
  }
  if (info.FileNameLength === 0 || info.FileNameLength & 1 || info.FileName.length * 2 !== info.FileNameLength) return STATUS.STATUS_INVALID_PARAMETER
  const set = sp.Parameters.SetFile
  const target = set?.FileObject
  let targetDir: RecordNo | undefined
  let name = info.FileName
  if (target) {
    const tccb = ccbOf(target)
    if (!tccb) return STATUS.STATUS_NOT_SAME_DEVICE
    targetDir = tccb.fcb.record
    // the target-directory open left only the final component in the file object's name
    name = target.FileName
  }
  const isLinkClass = cls === C.FileLinkInformation || cls === C.FileLinkInformationEx
  const posixBit = isLinkClass ? FILE_LINK_FLAGS.FILE_LINK_POSIX_SEMANTICS : FILE_RENAME_FLAGS.FILE_RENAME_POSIX_SEMANTICS
  const roBit = isLinkClass ? FILE_LINK_FLAGS.FILE_LINK_IGNORE_READONLY_ATTRIBUTE : FILE_RENAME_FLAGS.FILE_RENAME_IGNORE_READONLY_ATTRIBUTE
  return {
    name,
    replace: info.replace || (set?.ReplaceIfExists ?? false),
    posix: (info.flags & posixBit) !== 0,
    ignoreReadOnly: (info.flags & roBit) !== 0,
    targetDir,
  }
}

/**
 * The existing file a rename or link with ReplaceIfExists would supersede, before anything is
 * locked (the oplock check of the target: its holders may have to close first).
 */
export function replacedTarget(ccb: Ccb, cls: number, buf: Uint8Array, sp: IoStackLocation): RecordNo | undefined {
  const req = decode(cls, buf, sp)
  if (typeof req === 'number' || !req.replace || req.name.startsWith(':')) return undefined
  const dir = req.targetDir ?? ccb.link?.parent ?? ccb.fcb.links()[0]?.parent
  if (dir === undefined) return undefined
  const existing = ccb.vcb.store.lookup(dir, req.name)
  if (!existing || existing.record === ccb.fcb.record) return undefined
  return existing.record
}

/** FileRenameInformation(Ex) and FileLinkInformation(Ex) */
export function setRenameOrLink(ccb: Ccb, cls: number, buf: Uint8Array, sp: IoStackLocation): NTSTATUS {
  const req = decode(cls, buf, sp)
  if (typeof req === 'number') return req
  const isLink = cls === C.FileLinkInformation || cls === C.FileLinkInformationEx
  const { fcb, scb, vcb } = ccb
  if (fcb.kind === 'volume') return STATUS.STATUS_INVALID_PARAMETER
  if (!fcb.read()) return STATUS.STATUS_FILE_DELETED
  const tccb = ccbOf(sp.Parameters.SetFile?.FileObject)
  if (tccb && tccb.vcb !== vcb) return STATUS.STATUS_NOT_SAME_DEVICE

  // stream rename: ":new" relative to the file
  if (req.targetDir === undefined && req.name.startsWith(':')) {
    if (isLink) return STATUS.STATUS_INVALID_PARAMETER
    return renameStream(ccb, req)
  }
  if (scb.kind === 'data' && scb.streamName !== '') return STATUS.STATUS_INVALID_PARAMETER
  if (req.name.includes(':') || req.name.includes('\\')) return STATUS.STATUS_INVALID_PARAMETER
  if (!isValidFileName(req.name)) return STATUS.STATUS_OBJECT_NAME_INVALID
  if (fcb.posixDeleted) return STATUS.STATUS_FILE_DELETED
  if (isLink) return createLink(ccb, req)
  return renameFile(ccb, req)
}

// ---------------------------------------------------------------------------------------------

/** whether any file below directory `dir` has a handle open */
function hasOpenDescendants(vcb: Vcb, dir: RecordNo): boolean {
  for (const f of vcb.fcbTable.values()) {
    if (f.cleanupCount === 0 || f.record === dir || f.kind === 'volume') continue
    const r = f.read()
    if (!r) continue
    for (const n of r.names) {
      if (n.nameSpace === NameSpace.Dos) continue
      if (isBelow(vcb, n.parent, dir)) return true
    }
  }
  return false
}

/** true when directory `d` is `ancestor` or lies below it */
function isBelow(vcb: Vcb, d: RecordNo, ancestor: RecordNo): boolean {
  let cur = d
  for (let guard = 0; guard < 4096; guard++) {
    if (cur === ancestor) return true
    if (cur === vcb.store.rootRecord) return false
    const r = vcb.store.readRecord(cur)
    const p = r && primaryName(r)
    if (!p) return false
    cur = p.parent
  }
  return false
}

/**
 * The checks for replacing an existing entry `targetName` in `dir` by the caller's file.
 * Returns the status to fail with, or what to remove.
 */
function prepareReplace(ccb: Ccb, req: Request, dir: RecordNo, targetRec: FileRecord, entryName: string): { fcb: Fcb; link: Link } | NTSTATUS {
  const vcb = ccb.vcb
  if (!req.replace) return STATUS.STATUS_OBJECT_NAME_COLLISION
  const targetLink = linkFromEntry(targetRec, dir, entryName, (s) => vcb.upcase(s))
  const sourceIsDir = ccb.fcb.isDirectory
  if (targetRec.isDirectory) {
    if (!(req.posix && sourceIsDir)) return STATUS.STATUS_ACCESS_DENIED
    if (!vcb.store.isEmptyDirectory(targetRec.record)) return STATUS.STATUS_DIRECTORY_NOT_EMPTY
  }
  // a directory may replace a file (Wine ntdll tests test_file_rename_information, run on
  // Windows: "oldpath is a directory, newpath is a file, Replace = TRUE" → STATUS_SUCCESS)
  if (targetRec.std.fileAttributes & FILE_ATTRIBUTE.FILE_ATTRIBUTE_READONLY && !req.ignoreReadOnly) return STATUS.STATUS_ACCESS_DENIED
  const tfcb = vcb.fcbFor(targetRec)
  if (tfcb.cleanupCount > 0) {
    if (!req.posix) return STATUS.STATUS_ACCESS_DENIED
    // every open of the target must share delete
    for (const s of tfcb.scbs.values()) if (s.shareAccess.SharedDelete < s.shareAccess.OpenCount) return STATUS.STATUS_SHARING_VIOLATION
    for (const s of tfcb.scbs.values()) if (s.sectionObjectPointers.ImageSectionObject !== undefined) return STATUS.STATUS_ACCESS_DENIED
  }
  return { fcb: tfcb, link: targetLink }
}

/** every open through `from` now goes through `to` (NTFS moves the LCB) */
function moveLinkState(fcb: Fcb, from: Link, to: Link): void {
  const vcb = fcb.vcb
  const fk = vcb.linkKey(from)
  const tk = vcb.linkKey(to)
  for (const c of fcb.ccbs) if (c.link && vcb.linkKey(c.link) === fk && c.link.parent === from.parent) c.link = to
  const n = fcb.linkCleanupCounts.get(fk)
  if (n !== undefined && fk !== tk) {
    fcb.linkCleanupCounts.delete(fk)
    fcb.linkCleanupCounts.set(tk, (fcb.linkCleanupCounts.get(tk) ?? 0) + n)
  }
  if (fcb.deletePendingLinks.delete(fk)) fcb.deletePendingLinks.add(tk)
}

function renameFile(ccb: Ccb, req: Request): NTSTATUS {
  const { fcb, vcb } = ccb
  // observed (WinBtrfs create tests): an open by file id cannot be renamed
  if (ccb.flags.openedById) return STATUS.STATUS_INVALID_PARAMETER
  const from = ccb.link
  if (!from) return STATUS.STATUS_INVALID_PARAMETER
  if (fcb.isLinkDeletePending(from)) return STATUS.STATUS_DELETE_PENDING
  const dir = req.targetDir ?? from.parent
  const dirRec = vcb.store.readRecord(dir)
  if (!dirRec || !dirRec.isDirectory) return STATUS.STATUS_OBJECT_PATH_NOT_FOUND
  if (fcb.isDirectory) {
    // unverified: moving a directory below itself is refused as an invalid parameter
    if (isBelow(vcb, dir, fcb.record)) return STATUS.STATUS_INVALID_PARAMETER
    if (hasOpenDescendants(vcb, fcb.record)) return STATUS.STATUS_ACCESS_DENIED
  }
  const existing = vcb.store.lookup(dir, req.name)
  let replaced: { fcb: Fcb; link: Link } | undefined
  if (existing) {
    if (existing.record === fcb.record) {
      const sameLink = linkFromEntry(fcb.mustRead(), dir, existing.name, (s) => vcb.upcase(s))
      if (sameLink.parent === from.parent && sameLink.name === from.name) {
        // the same name (a no-op) or the same name in another case (a case-only rename)
        if (from.name === req.name) return STATUS.STATUS_SUCCESS
      } else {
        // another hard link of the same file holds the name
        if (!req.replace) return STATUS.STATUS_OBJECT_NAME_COLLISION
        replaced = { fcb, link: sameLink }
      }
    } else {
      const targetRec = vcb.store.readRecord(existing.record)
      if (!targetRec) return STATUS.STATUS_OBJECT_NAME_COLLISION
      const p = prepareReplace(ccb, req, dir, targetRec, existing.name)
      if (typeof p === 'number') return p
      replaced = p
    }
  }
  const to: Link = { parent: dir, name: req.name }
  if (replaced) {
    removeLink(vcb, replaced.fcb, replaced.link)
    if (replaced.fcb !== fcb) deleteIfNameless(vcb, replaced.fcb)
  }
  vcb.store.atomic(() => {
    const r = fcb.mustRead()
    const old = r.names.find((n) => n.parent === from.parent && n.name === from.name)
    vcb.store.removeName(fcb.record, from.parent, from.name)
    if (old?.nameSpace === NameSpace.Win32) {
      const dos = r.names.find((n) => n.parent === from.parent && n.nameSpace === NameSpace.Dos)
      if (dos) vcb.store.removeName(fcb.record, dos.parent, dos.name)
    }
    addNameWithShortName(vcb, fcb.record, dir, req.name)
  })
  moveLinkState(fcb, from, to)
  touchDirectory(vcb, from.parent)
  if (dir !== from.parent) touchDirectory(vcb, dir)
  touchChange(fcb, undefined)
  const filter = fcb.isDirectory ? FILE_NOTIFY_CHANGE.FILE_NOTIFY_CHANGE_DIR_NAME : FILE_NOTIFY_CHANGE.FILE_NOTIFY_CHANGE_FILE_NAME
  if (dir === from.parent) {
    reportChange(vcb, dir, from.name, FILE_ACTION.FILE_ACTION_RENAMED_OLD_NAME, filter)
    reportChange(vcb, dir, req.name, FILE_ACTION.FILE_ACTION_RENAMED_NEW_NAME, filter)
  } else {
    // a move between directories shows as a removal and an addition (ReadDirectoryChangesW)
    reportChange(vcb, from.parent, from.name, FILE_ACTION.FILE_ACTION_REMOVED, filter)
    reportChange(vcb, dir, req.name, FILE_ACTION.FILE_ACTION_ADDED, filter)
  }
  return STATUS.STATUS_SUCCESS
}

function createLink(ccb: Ccb, req: Request): NTSTATUS {
  const { fcb, vcb } = ccb
  if (fcb.isDirectory) return STATUS.STATUS_FILE_IS_A_DIRECTORY
  const dir = req.targetDir ?? ccb.link?.parent ?? fcb.links()[0]?.parent
  if (dir === undefined) return STATUS.STATUS_INVALID_PARAMETER
  const dirRec = vcb.store.readRecord(dir)
  if (!dirRec || !dirRec.isDirectory) return STATUS.STATUS_OBJECT_PATH_NOT_FOUND
  const existing = vcb.store.lookup(dir, req.name)
  if (existing) {
    if (!req.replace) return STATUS.STATUS_OBJECT_NAME_COLLISION
    if (existing.record === fcb.record) {
      const same = linkFromEntry(fcb.mustRead(), dir, existing.name, (s) => vcb.upcase(s))
      if (same.name === req.name) return STATUS.STATUS_SUCCESS
      // the same link in another case: the stored name takes the new case
      vcb.store.atomic(() => {
        vcb.store.removeName(fcb.record, dir, same.name)
        vcb.store.addName(fcb.record, { parent: dir, name: req.name, nameSpace: NameSpace.Win32 })
      })
      moveLinkState(fcb, same, { parent: dir, name: req.name })
      touchDirectory(vcb, dir)
      touchChange(fcb, undefined)
      return STATUS.STATUS_SUCCESS
    }
    const targetRec = vcb.store.readRecord(existing.record)
    if (!targetRec) return STATUS.STATUS_OBJECT_NAME_COLLISION
    const p = prepareReplace(ccb, req, dir, targetRec, existing.name)
    if (typeof p === 'number') return p
    removeLink(vcb, p.fcb, p.link)
    deleteIfNameless(vcb, p.fcb)
  }
  // unverified: a new hard link gets no 8.3 name of its own
  vcb.store.addName(fcb.record, { parent: dir, name: req.name, nameSpace: NameSpace.Win32 })
  touchDirectory(vcb, dir)
  touchChange(fcb, undefined)
  reportChange(vcb, dir, req.name, FILE_ACTION.FILE_ACTION_ADDED, FILE_NOTIFY_CHANGE.FILE_NOTIFY_CHANGE_FILE_NAME)
  return STATUS.STATUS_SUCCESS
}

// ---------------------------------------------------------------------------------------------

/**
 * ":new" or ":new:$DATA". Observed: a name that is too long → STATUS_INVALID_PARAMETER (not
 * NAME_INVALID); a directory's streams cannot be renamed to "::$DATA", nor a directory to a
 * stream; renaming onto an existing stream needs ReplaceIfExists.
 */
function renameStream(ccb: Ccb, req: Request): NTSTATUS {
  const { fcb, scb, vcb } = ccb
  if (scb.kind !== 'data') return STATUS.STATUS_INVALID_PARAMETER
  const parsed = parseComponent(req.name, true)
  if (!parsed || parsed.name !== '' || parsed.type === '$INDEX_ALLOCATION') return STATUS.STATUS_INVALID_PARAMETER
  const to = parsed.stream
  const r = fcb.read()
  if (!r) return STATUS.STATUS_FILE_DELETED
  if (to === '' && r.isDirectory) return STATUS.STATUS_INVALID_PARAMETER
  const from = scb.streamName
  if (vcb.upcase(from) === vcb.upcase(to)) {
    if (from === to) return STATUS.STATUS_SUCCESS
  } else {
    const target = r.streams.find((s) => vcb.upcase(s.name) === vcb.upcase(to))
    if (target) {
      if (!req.replace) return STATUS.STATUS_OBJECT_NAME_COLLISION
      const open = fcb.scbs.get(vcb.upcase(to))
      if (open && open.cleanupCount > 0) return STATUS.STATUS_ACCESS_DENIED
      // unverified: MS-FSA lets only an empty stream be replaced
      if (target.size !== 0) return STATUS.STATUS_INVALID_PARAMETER
      vcb.store.deleteStream(fcb.record, target.name)
    }
  }
  vcb.store.atomic(() => {
    vcb.store.renameStream(fcb.record, from, to)
    // the file keeps an unnamed stream: renaming it away leaves an empty one behind
    if (from === '' && !r.isDirectory) vcb.store.createStream(fcb.record, '')
  })
  fcb.scbs.delete(scb.key)
  scb.streamName = to
  const other = fcb.scbs.get(scb.key)
  if (!other) fcb.scbs.set(scb.key, scb)
  refreshHeader(scb)
  ccb.fileObject.Flags |= FO.FO_FILE_MODIFIED
  touchChange(fcb, undefined)
  const link = ccb.link ?? fcb.links()[0]
  if (link) {
    reportChange(vcb, link.parent, link.name, FILE_ACTION.FILE_ACTION_REMOVED_STREAM, FILE_NOTIFY_CHANGE.FILE_NOTIFY_CHANGE_STREAM_NAME)
    reportChange(vcb, link.parent, link.name, FILE_ACTION.FILE_ACTION_ADDED_STREAM, FILE_NOTIFY_CHANGE.FILE_NOTIFY_CHANGE_STREAM_NAME)
  }
  return STATUS.STATUS_SUCCESS
}
