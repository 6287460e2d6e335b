// IRP_MJ_DIRECTORY_CONTROL (NtfsCommonDirectoryControl): IRP_MN_QUERY_DIRECTORY here,
// IRP_MN_NOTIFY_CHANGE_DIRECTORY in ./dirctrl-notify.ts.
//
// Query directory, as NTFS answers it (Wine dlls/ntdll/tests/directory.c, run on Windows):
// - the FileName pattern of the handle's first query is kept for the handle; later patterns,
//   even with SL_RESTART_SCAN, are ignored ("mask may or may not be ignored when restarting":
//   Windows returns the first pattern's match);
// - no pattern means "*"; matching is FsRtlIsNameInExpression with the DOS wildcards, ignoring
//   case unless the handle was opened case-sensitive; a pattern matching only a file's 8.3 name
//   returns that file under its long name;
// - a directory other than the root starts with "." and ".."; the root has neither, and the
//   metafiles ($MFT … $Extend, records 0–15) are never listed;
// - entries come in the index's collation order;
// - the first query that finds nothing is STATUS_NO_SUCH_FILE; every later one that finds
//   nothing more, restarted or not, is STATUS_NO_MORE_FILES;
// - the buffer rules (first entry always returned, cut short with STATUS_BUFFER_OVERFLOW; later
//   entries only whole) are kernel/rtl/structs/dirinfo.ts's;
// - FileIndex is 0 (NTFS keeps no entry index); SL_INDEX_SPECIFIED is ignored.

import type { Co } from '../../ke/index.ts'
import type { DeviceObject } from '../../io/device.ts'
import { IoGetCurrentIrpStackLocation, type Irp } from '../../io/irp.ts'
import { fileInformationClassName } from '../../nt/infoclass.ts'
import { IRP_MN_DIRECTORY_CONTROL, SL_FLAGS_QUERY_DIRECTORY } from '../../nt/irp.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import { DIR_INFO_LENGTH, DIR_LAYOUTS, encodeDirEntries, isDirClass, type DirClass, type DirEntryInput } from '../../rtl/structs/dirinfo.ts'
import { FsRtlIsNameInExpression } from '../../rtl/unicode.ts'
import { reportedAttributes } from './attributes.ts'
import { upcaseTable } from './disk/upcase.ts'
import { completeIrp } from './complete.ts'
import { notifyChangeDirectory } from './dirctrl-notify.ts'
import { eaSize } from './ea.ts'
import { primaryName } from './paths.ts'
import { NameSpace, type DirEntry, type FileRecord, type RecordNo } from './store.ts'
import { ccbOf, type Ccb, type Vcb } from './structures.ts'
import { touchAccess } from './times.ts'
import { storeFailure } from './volume.ts'

/** records below this are NTFS's own files and never appear in a listing */
const FIRST_LISTED_RECORD = 16

const QUERY_KEY = 'ntfs.dirctrl.query'

/** the enumeration state of one handle (NTFS keeps it in the CCB) */
interface QueryState {
  /** the pattern, upcased when matching ignores case */
  readonly expression: string
  readonly matchAll: boolean
  readonly ignoreCase: boolean
  /** "." and ".." returned so far (0, 1 or 2) */
  dots: number
  /** the last index entry passed, by its stored name */
  after: string | undefined
}

/** IRP_MJ_DIRECTORY_CONTROL dispatch */
export function* dirctrlDispatch(_device: DeviceObject, irp: Irp): Co<NTSTATUS> {
  const sp = IoGetCurrentIrpStackLocation(irp)
  const ccb = ccbOf(sp.FileObject)
  if (!ccb) return completeIrp(irp, STATUS.STATUS_INVALID_PARAMETER)
  if (ccb.vcb.dismounted) return completeIrp(irp, STATUS.STATUS_VOLUME_DISMOUNTED)
  switch (sp.MinorFunction) {
    case IRP_MN_DIRECTORY_CONTROL.IRP_MN_QUERY_DIRECTORY:
      return yield* queryDirectory(ccb, irp)
    case IRP_MN_DIRECTORY_CONTROL.IRP_MN_NOTIFY_CHANGE_DIRECTORY: {
      yield* ccb.fcb.Resource.acquireShared()
      try {
        return notifyChangeDirectory(ccb, irp)
      } finally {
        ccb.fcb.Resource.release()
      }
    }
    default:
      // unverified: NtNotifyChangeDirectoryFileEx (IRP_MN_NOTIFY_CHANGE_DIRECTORY_EX) is not supported here
      return completeIrp(irp, STATUS.STATUS_INVALID_DEVICE_REQUEST)
  }
}

function* queryDirectory(ccb: Ccb, irp: Irp): Co<NTSTATUS> {
  const sp = IoGetCurrentIrpStackLocation(irp)
  const p = sp.Parameters.QueryDirectory
  const out = irp.UserBuffer
  // a query on a file's handle (Wine: STATUS_INVALID_PARAMETER)
  if (!p || !out || ccb.scb.kind !== 'index') return completeIrp(irp, STATUS.STATUS_INVALID_PARAMETER)
  const cls = fileInformationClassName(p.FileInformationClass)
  // FileObjectId-, FileQuota- and FileReparsePointInformation list $ObjId, $Quota and $Reparse only
  // (MS-FSA 2.1.5.5.2; WinBtrfs "Try checking FileReparsePointInformation")
  if (!cls || !isDirClass(cls)) return completeIrp(irp, STATUS.STATUS_INVALID_INFO_CLASS)
  const length = Math.min(p.Length, out.length)
  if (length < DIR_INFO_LENGTH[cls]!) return completeIrp(irp, STATUS.STATUS_INFO_LENGTH_MISMATCH)
  const res = ccb.fcb.Resource
  yield* res.acquireShared()
  try {
    if (!ccb.fcb.read()) return completeIrp(irp, STATUS.STATUS_FILE_DELETED)
    const r = query(ccb, cls, p.FileName, sp.Flags, length)
    out.set(r.bytes)
    touchAccess(ccb.fcb, ccb)
    return completeIrp(irp, r.status, r.information)
  } catch (e) {
    return completeIrp(irp, storeFailure(e))
  } finally {
    res.release()
  }
}

/** one candidate for the output and the cursor position just past it */
interface Candidate {
  readonly entry: DirEntryInput
  readonly dots: number
  readonly after: string | undefined
}

function query(ccb: Ccb, cls: DirClass, fileName: string | undefined, flags: number, length: number): { bytes: Uint8Array; status: NTSTATUS; information: number } {
  const vcb = ccb.vcb
  let state = ccb.ext.get(QUERY_KEY) as QueryState | undefined
  const first = state === undefined
  if (!state) {
    const pattern = fileName === undefined || fileName === '' ? '*' : fileName
    const ignoreCase = !ccb.flags.caseSensitive
    state = { expression: ignoreCase ? vcb.upcase(pattern) : pattern, matchAll: pattern === '*', ignoreCase, dots: 0, after: undefined }
    ccb.ext.set(QUERY_KEY, state)
  }
  if (flags & SL_FLAGS_QUERY_DIRECTORY.SL_RESTART_SCAN) {
    state.dots = 0
    state.after = undefined
  }
  const single = (flags & SL_FLAGS_QUERY_DIRECTORY.SL_RETURN_SINGLE_ENTRY) !== 0
  const candidates = collect(ccb, cls, state, single ? 1 : maxEntries(cls, length))
  if (candidates.length === 0) {
    return { bytes: new Uint8Array(0), status: first ? STATUS.STATUS_NO_SUCH_FILE : STATUS.STATUS_NO_MORE_FILES, information: 0 }
  }
  const r = encodeDirEntries(cls, candidates.map((c) => c.entry), length, single)
  // unverified: a first entry cut short (STATUS_BUFFER_OVERFLOW) counts as returned
  const used = r.truncated ? 1 : r.count
  if (used > 0 && !(flags & SL_FLAGS_QUERY_DIRECTORY.SL_NO_CURSOR_UPDATE)) {
    const last = candidates[used - 1]!
    state.dots = last.dots
    state.after = last.after
  }
  return { bytes: r.bytes, status: r.status, information: r.information }
}

/** at most this many entries can fit in `length` bytes (each takes the fixed part and one character) */
function maxEntries(cls: DirClass, length: number): number {
  const fixed = (DIR_LAYOUTS[cls] as { fileName: number }).fileName
  return Math.max(1, Math.floor(length / ((fixed + 2 + 7) & ~7)) + 1)
}

function matches(state: QueryState, _vcb: Vcb, name: string): boolean {
  if (state.matchAll) return true
  // the pattern was upcased by the volume's table; the name goes through the default $UpCase table
  // unverified: a volume whose $UpCase differs from Windows 7's would match by the default table here
  return FsRtlIsNameInExpression(state.expression, name, state.ignoreCase, upcaseTable())
}

/** the next entries of the enumeration after the handle's position, up to `limit` */
function collect(ccb: Ccb, cls: DirClass, state: QueryState, limit: number): Candidate[] {
  const vcb = ccb.vcb
  const store = vcb.store
  const dir = ccb.fcb.mustRead()
  const out: Candidate[] = []
  let dots = state.dots
  if (dir.record !== store.rootRecord) {
    // "." is the directory, ".." its parent
    const parent = ccb.link?.parent ?? primaryName(dir)?.parent ?? store.rootRecord
    const dotRecords: [string, FileRecord | undefined][] = [
      ['.', dir],
      ['..', store.readRecord(parent)],
    ]
    for (; dots < 2 && out.length < limit; dots++) {
      const [name, r] = dotRecords[dots]!
      if (r && matches(state, vcb, name)) out.push({ entry: entryInput(vcb, cls, r, name, undefined), dots: dots + 1, after: undefined })
    }
  }
  if (out.length >= limit) return out
  for (const e of store.list(dir.record, state.after)) {
    if (out.length >= limit) break
    const shown = listedEntry(vcb, state, dir.record, e)
    if (shown) out.push({ entry: entryInput(vcb, cls, shown.record, shown.name, shown.shortName), dots: 2, after: e.name })
  }
  return out
}

/** what an index entry shows in a listing, or undefined when the pattern or the entry's kind leaves it out */
function listedEntry(vcb: Vcb, state: QueryState, dir: RecordNo, e: DirEntry): { record: FileRecord; name: string; shortName: string | undefined } | undefined {
  if (e.record < FIRST_LISTED_RECORD) return undefined
  const r = vcb.store.readRecord(e.record)
  if (!r) return undefined
  const dos = r.names.find((n) => n.parent === dir && n.nameSpace === NameSpace.Dos)
  if (e.nameSpace === NameSpace.Dos) {
    // an 8.3 name stands for its file only when the pattern matches it and not the long name
    const long = r.names.find((n) => n.parent === dir && n.nameSpace === NameSpace.Win32)
    if (!long || !matches(state, vcb, e.name) || matches(state, vcb, long.name)) return undefined
    return { record: r, name: long.name, shortName: e.name }
  }
  if (!matches(state, vcb, e.name)) return undefined
  // a Win32+DOS name is its own 8.3 name: NTFS reports no separate short name for it
  return { record: r, name: e.name, shortName: e.nameSpace === NameSpace.Win32 ? dos?.name : undefined }
}

/** the fields of a directory entry for `r` under `name` */
function entryInput(vcb: Vcb, cls: DirClass, r: FileRecord, name: string, shortName: string | undefined): DirEntryInput {
  const data = r.isDirectory ? undefined : r.streams.find((s) => s.name === '')
  const fileId = (BigInt(r.seq & 0xffff) << 48n) | BigInt(r.record)
  const hasTagField = 'ReparsePointTag' in DIR_LAYOUTS[cls].def.fields
  const tag = r.reparse ? r.reparse.tag >>> 0 : 0
  // MS-FSCC 2.4.17: for a reparse point EaSize holds the tag; the Extd classes have a field of their own
  // (WinBtrfs reparse tests: EaSize 0 and ReparsePointTag = the tag)
  const ea = r.reparse ? (hasTagField ? 0 : tag) : eaSize(r.eas)
  return {
    FileName: name,
    FileIndex: 0,
    CreationTime: r.std.creationTime,
    LastAccessTime: r.std.lastAccessTime,
    LastWriteTime: r.std.lastWriteTime,
    ChangeTime: r.std.changeTime,
    EndOfFile: data?.size ?? 0,
    AllocationSize: data?.allocated ?? 0,
    FileAttributes: reportedAttributes(r),
    EaSize: ea,
    ReparsePointTag: tag,
    ...(shortName !== undefined ? { ShortName: shortName } : {}),
    FileId: fileId,
    FileId128: fileId,
  }
}
