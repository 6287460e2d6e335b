// IRP_MJ_CREATE (NtfsCommonCreate): resolve the name component by component from the root or
// the related file object, stop with STATUS_REPARSE at a reparse point (unless the final
// component is opened with FILE_OPEN_REPARSE_POINT), then open, create, overwrite or
// supersede the file, stream or directory with the checks Windows NTFS makes, in its order:
// name syntax, path, delete pending, directory/non-directory, disposition, read-only and
// hidden/system rules, EA knowledge, share access — and only then change anything.
//
// Expected statuses are the ones observed on NTFS by WinBtrfs's tests (src/tests/create.cpp,
// overwrite.cpp, supersede.cpp, streams.cpp, delete.cpp) and Wine's ntdll tests (file.c).

import { KePreemptionPoint, type Co } from '../../ke/index.ts'
import { FsRtlCheckOplockEx, FsRtlWaitForOplockBreaks, OPLOCK_FLAG, type Oplock, type OplockCheckResult } from '../../fsrtl/index.ts'
import type { DeviceObject } from '../../io/device.ts'
import { FO, type FileObject } from '../../io/file-object.ts'
import { IoGetCurrentIrpStackLocation, type CreateParameters, type Irp, type IoStackLocation } from '../../io/irp.ts'
import { IoCheckShareAccess, IoUpdateShareAccess } from '../../io/share-access.ts'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_DISPOSITION, CREATE_OPTIONS, CREATE_RESULT, FILE_ACTION, FILE_ATTRIBUTE, FILE_NOTIFY_CHANGE, FILE_SHARE_VALID_FLAGS } from '../../nt/file.ts'
import { SL_FLAGS_CREATE } from '../../nt/irp.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import { attributesForCreate, isReadOnly } from './attributes.ts'
import { completeIrp, outcome, type Outcome } from './complete.ts'
import { checkEaKnowledge, easForCreate } from './ea.ts'
import { parseComponent, splitRelative, type ParsedComponent } from './names.ts'
import { reportChange } from './notify.ts'
import { addShortNameIfNeeded, namespaceFor } from './linknames.ts'
import { linkFromEntry } from './paths.ts'
import { oplockOf } from './oplock.ts'
import { reparseDataBuffer } from './reparse-buffer.ts'
import { refreshHeader, setStreamSizes } from './sizes.ts'
import { type DirEntry, type FileRecord, type RecordNo, type ReparsePoint } from './store.ts'
import { Ccb, Fcb, Scb, ccbOf, type Link, type ScbKind, type Vcb } from './structures.ts'
import { systemTime, touchDirectory, touchWrite } from './times.ts'
import { storeFailure, vcbOf } from './volume.ts'

const D = CREATE_DISPOSITION
const O = CREATE_OPTIONS
/** the first record that is not a metafile (records 0–15 are $MFT … $Extend and reserved ones) */
const FIRST_NORMAL_RECORD = 16

/** What one IRP_MJ_CREATE asks for, decoded from its stack location. */
interface CreateRequest {
  readonly vcb: Vcb
  readonly irp: Irp
  readonly sp: IoStackLocation
  readonly fo: FileObject
  readonly params: CreateParameters
  readonly desiredAccess: number
  readonly shareAccess: number
  readonly disposition: number
  readonly options: number
  readonly caseSensitive: boolean
  readonly openTargetDirectory: boolean
  /** what the oplock check decided (see checkCreateOplock) */
  readonly oplock: CreateOplockState
}

/** The oplock check of one pass through the create. */
interface CreateOplockState {
  /** breaks that need an acknowledgement first: the create waits for them and starts over */
  wait: { oplock: Oplock; check: OplockCheckResult } | undefined
  /** FILE_COMPLETE_IF_OPLOCKED: breaks were started and the create went on */
  breakInProgress: boolean
}

/** IRP_MJ_CREATE dispatch */
export function* ntfsCreate(device: DeviceObject, irp: Irp): Co<NTSTATUS> {
  const vcb = vcbOf(device)
  yield* KePreemptionPoint('NtfsCommonCreate')
  let r: Outcome
  let oplock: CreateOplockState
  for (;;) {
    oplock = { wait: undefined, breakInProgress: false }
    yield* vcb.Resource.acquireExclusive()
    try {
      r = commonCreate(vcb, irp, oplock)
    } catch (e) {
      r = outcome(storeFailure(e))
    } finally {
      vcb.sweepFresh()
      vcb.Resource.release()
    }
    if (!oplock.wait) break
    // an oplock break must be acknowledged first: wait with no lock held, then start over (the
    // holder may have closed its handle, and the state of the file may have changed)
    yield* FsRtlWaitForOplockBreaks(oplock.wait.oplock, oplock.wait.check, vcb.settings.oplockBreakTimeout)
  }
  // MS-FSA 2.1.5.1: FILE_COMPLETE_IF_OPLOCKED — the open succeeds while the break goes on
  if (oplock.breakInProgress && r.status === STATUS.STATUS_SUCCESS) r = outcome(STATUS.STATUS_OPLOCK_BREAK_IN_PROGRESS, r.information)
  return completeIrp(irp, r.status, r.information)
}

function commonCreate(vcb: Vcb, irp: Irp, oplock: CreateOplockState): Outcome {
  const sp = IoGetCurrentIrpStackLocation(irp)
  const fo = sp.FileObject
  const params = sp.Parameters.Create
  if (!fo || !params) return outcome(STATUS.STATUS_INVALID_PARAMETER)
  if (vcb.dismounted) return outcome(STATUS.STATUS_VOLUME_DISMOUNTED)
  const req: CreateRequest = {
    vcb,
    irp,
    sp,
    fo,
    params,
    desiredAccess: params.SecurityContext.DesiredAccess >>> 0,
    shareAccess: params.ShareAccess,
    disposition: (params.Options >>> 24) & 0xff,
    options: params.Options & 0xffffff,
    caseSensitive: (sp.Flags & SL_FLAGS_CREATE.SL_CASE_SENSITIVE) !== 0,
    openTargetDirectory: (sp.Flags & SL_FLAGS_CREATE.SL_OPEN_TARGET_DIRECTORY) !== 0,
    oplock,
  }
  if (req.disposition > D.FILE_OVERWRITE_IF) return outcome(STATUS.STATUS_INVALID_PARAMETER)
  if (req.options & O.FILE_DIRECTORY_FILE) {
    // documented (NtCreateFile): FILE_DIRECTORY_FILE allows only FILE_CREATE, FILE_OPEN, FILE_OPEN_IF
    if (req.options & O.FILE_NON_DIRECTORY_FILE) return outcome(STATUS.STATUS_INVALID_PARAMETER)
    if (req.disposition !== D.FILE_CREATE && req.disposition !== D.FILE_OPEN && req.disposition !== D.FILE_OPEN_IF) {
      return outcome(STATUS.STATUS_INVALID_PARAMETER)
    }
  }
  if (req.options & O.FILE_OPEN_BY_FILE_ID) return openById(req)

  const related = fo.RelatedFileObject
  const name = fo.FileName
  if (!related) {
    // the volume itself (DASD open): no name after the device
    if (name === '') return openVolume(req)
    if (!name.startsWith('\\')) return outcome(STATUS.STATUS_OBJECT_NAME_INVALID)
    return openPath(req, vcb.store.rootRecord, undefined, name.slice(1), 1)
  }
  const rccb = ccbOf(related)
  if (!rccb || rccb.vcb !== vcb) return outcome(STATUS.STATUS_INVALID_PARAMETER)
  if (name.startsWith('\\')) return outcome(STATUS.STATUS_OBJECT_NAME_INVALID)
  const rfcb = rccb.fcb
  if (rfcb.kind === 'volume') {
    // unverified: a name relative to a volume open is taken relative to the root
    return openPath(req, vcb.store.rootRecord, undefined, name, 0)
  }
  if (rfcb.fileDeleted || !rfcb.read()) return outcome(STATUS.STATUS_FILE_DELETED)
  if (name === '' || name.startsWith(':')) {
    // a relative open of the related file itself, or of one of its streams (":stream")
    if (req.openTargetDirectory) return outcome(STATUS.STATUS_INVALID_PARAMETER)
    return openRelativeStream(req, rccb, name)
  }
  if (!rfcb.isDirectory) return outcome(STATUS.STATUS_INVALID_PARAMETER)
  return openPath(req, rfcb.record, rccb.link, name, 0)
}

// ---------------------------------------------------------------------------------------------
// name resolution

/** a directory lookup honouring SL_CASE_SENSITIVE (exact name) */
function lookupEntry(req: CreateRequest, dir: RecordNo, name: string): DirEntry | undefined {
  const e = req.vcb.store.lookup(dir, name)
  if (!e) return undefined
  if (req.caseSensitive && e.name !== name) return undefined
  return e
}

/** the STATUS_REPARSE outcome for a reparse point with `unparsedChars` of the name left over */
function reparse(req: CreateRequest, rp: ReparsePoint, unparsedChars: number): Outcome {
  req.irp.AuxiliaryBuffer = reparseDataBuffer(rp, unparsedChars * 2)
  // documented: with STATUS_REPARSE, Information holds the reparse tag
  return outcome(STATUS.STATUS_REPARSE, rp.tag >>> 0)
}

/**
 * Resolves `rel` (relative to directory `start`, whose link is `startLink`) and opens its last
 * component. `base` is the offset of `rel` in FileObject->FileName (for the unparsed length).
 */
function openPath(req: CreateRequest, start: RecordNo, startLink: Link | undefined, rel: string, base: number): Outcome {
  const { vcb } = req
  const split = splitRelative(rel)
  if (!split) return outcome(STATUS.STATUS_OBJECT_NAME_INVALID)
  const total = req.fo.FileName.length
  if (split.components.length === 0) {
    // "\" — the root, or an empty name relative to a directory (handled by the caller)
    if (req.openTargetDirectory) return outcome(STATUS.STATUS_OBJECT_NAME_INVALID)
    const root = vcb.store.readRecord(start)
    if (!root) return outcome(STATUS.STATUS_OBJECT_PATH_NOT_FOUND)
    return openExisting(req, root, startLink, { name: '', stream: '', type: undefined, suffixLength: 0 }, false)
  }
  let dir = start
  let dirLink = startLink
  let offset = base
  const last = split.components.length - 1
  for (let i = 0; i < last; i++) {
    const comp = split.components[i]!
    // a directory may be named with its index stream: dir::$INDEX_ALLOCATION
    const parsed = parseComponent(comp, true)
    if (!parsed || parsed.name === '' || (parsed.type !== undefined && parsed.type !== '$INDEX_ALLOCATION') || (parsed.type === undefined && parsed.stream !== '')) {
      return outcome(STATUS.STATUS_OBJECT_NAME_INVALID)
    }
    const e = lookupEntry(req, dir, parsed.name)
    if (!e) return outcome(STATUS.STATUS_OBJECT_PATH_NOT_FOUND)
    const r = vcb.store.readRecord(e.record)
    if (!r) return outcome(STATUS.STATUS_OBJECT_PATH_NOT_FOUND)
    const end = offset + parsed.name.length
    if (r.reparse) return reparse(req, r.reparse, total - end)
    if (!r.isDirectory) {
      // observed (WinBtrfs rename/links tests): a rename or link target "inside" a file
      // fails with STATUS_INVALID_PARAMETER; an ordinary open with STATUS_OBJECT_PATH_NOT_FOUND
      return outcome(req.openTargetDirectory && i === last - 1 ? STATUS.STATUS_INVALID_PARAMETER : STATUS.STATUS_OBJECT_PATH_NOT_FOUND)
    }
    const link = linkFromEntry(r, dir, e.name, (s) => vcb.upcase(s))
    const f = vcb.fcbTable.get(r.record)
    // unverified: walking through a directory that is delete pending fails as opening it would
    if (f && f.isLinkDeletePending(link)) return outcome(STATUS.STATUS_DELETE_PENDING)
    dir = r.record
    dirLink = link
    offset += comp.length + 1
  }
  const finalText = split.components[last]!
  if (req.openTargetDirectory) return openTargetDirectory(req, dir, dirLink, finalText)
  const parsed = parseComponent(finalText, true)
  if (!parsed || parsed.name === '') return outcome(STATUS.STATUS_OBJECT_NAME_INVALID)
  const e = lookupEntry(req, dir, parsed.name)
  if (!e) return createNew(req, dir, dirLink, parsed, split.trailingBackslash)
  const r = vcb.store.readRecord(e.record)
  if (!r) return outcome(STATUS.STATUS_OBJECT_NAME_NOT_FOUND)
  if (r.reparse && !(req.options & O.FILE_OPEN_REPARSE_POINT)) {
    return reparse(req, r.reparse, total - (offset + parsed.name.length))
  }
  const link = linkFromEntry(r, dir, e.name, (s) => vcb.upcase(s))
  return openExisting(req, r, link, parsed, split.trailingBackslash)
}

/**
 * SL_OPEN_TARGET_DIRECTORY (rename and link targets): open the parent directory, tell whether
 * the final component exists, and leave only the final component in FileObject->FileName.
 */
function openTargetDirectory(req: CreateRequest, dir: RecordNo, dirLink: Link | undefined, finalText: string): Outcome {
  // a stream part is left for the rename to refuse (observed: a full path to a stream → STATUS_INVALID_PARAMETER)
  const parsed = parseComponent(finalText, true)
  if (!parsed || parsed.name === '') return outcome(STATUS.STATUS_OBJECT_NAME_INVALID)
  const r = req.vcb.store.readRecord(dir)
  if (!r) return outcome(STATUS.STATUS_OBJECT_PATH_NOT_FOUND)
  const exists = lookupEntry(req, dir, parsed.name) !== undefined
  const fcb = req.vcb.fcbFor(r)
  const granted = resolveAccess(req, r, false)
  const st = openScb(req, fcb, '', 'index', dir === req.vcb.store.rootRecord ? undefined : dirLink, granted)
  if (st.status !== STATUS.STATUS_SUCCESS) return st
  req.fo.FileName = finalText
  return outcome(STATUS.STATUS_SUCCESS, exists ? CREATE_RESULT.FILE_EXISTS : CREATE_RESULT.FILE_DOES_NOT_EXIST)
}

// ---------------------------------------------------------------------------------------------
// access

/**
 * The access the open is granted. There is no security descriptor model: every requested right
 * is granted, and MAXIMUM_ALLOWED becomes FILE_ALL_ACCESS (WinBtrfs create tests: AccessFlags
 * 0x1f01ff). For an existing read-only file it leaves out the write rights, which the read-only
 * attribute denies (so a MAXIMUM_ALLOWED overwrite of a read-only file is refused).
 */
function resolveAccess(req: CreateRequest, r: FileRecord | undefined, existingReadOnly: boolean): number {
  let a = req.desiredAccess
  if (a & ACCESS.MAXIMUM_ALLOWED) {
    a = (a & ~ACCESS.MAXIMUM_ALLOWED) | ACCESS.FILE_ALL_ACCESS
    if (existingReadOnly && r && !r.isDirectory) a &= ~(ACCESS.FILE_WRITE_DATA | ACCESS.FILE_APPEND_DATA)
  }
  return a >>> 0
}

function recordGrantedAccess(req: CreateRequest, granted: number): void {
  // the I/O manager gives the handle what the file system granted (AccessState)
  req.params.SecurityContext.AccessState = { RemainingDesiredAccess: 0, PreviouslyGrantedAccess: granted }
}

// ---------------------------------------------------------------------------------------------
// opening an existing file, directory or stream

function findStream(vcb: Vcb, r: FileRecord, stream: string) {
  const key = vcb.upcase(stream)
  return r.streams.find((s) => s.name === stream) ?? r.streams.find((s) => vcb.upcase(s.name) === key)
}

function isOverwrite(disposition: number): boolean {
  return disposition === D.FILE_OVERWRITE || disposition === D.FILE_OVERWRITE_IF || disposition === D.FILE_SUPERSEDE
}

function openExisting(req: CreateRequest, r: FileRecord, link: Link | undefined, parsed: ParsedComponent, trailingBackslash: boolean): Outcome {
  const { vcb, options, disposition } = req
  // the metafiles ($MFT, $LogFile, $Bitmap …, records 0–15) are not opened by name; the root is
  // (documented behaviour of CreateFile on "C:\$MFT": access denied)
  if (r.record < FIRST_NORMAL_RECORD && r.record !== vcb.store.rootRecord) return outcome(STATUS.STATUS_ACCESS_DENIED)
  const fcb = vcb.fcbFor(r)
  // observed (WinBtrfs delete tests): opening a name whose deletion is pending
  if (fcb.isLinkDeletePending(link)) return outcome(STATUS.STATUS_DELETE_PENDING)
  const readOnly = isReadOnly(r)

  if (r.isDirectory && parsed.stream === '') {
    // observed (WinBtrfs streams tests): dir::$DATA is "a directory"
    if (parsed.type === '$DATA') return outcome(STATUS.STATUS_FILE_IS_A_DIRECTORY)
    // MS-FSA 2.1.5.1: a name ending in '\\' with FILE_NON_DIRECTORY_FILE is checked before the
    // file's kind: STATUS_OBJECT_NAME_INVALID
    if (options & O.FILE_NON_DIRECTORY_FILE) return outcome(trailingBackslash ? STATUS.STATUS_OBJECT_NAME_INVALID : STATUS.STATUS_FILE_IS_A_DIRECTORY)
    if (disposition === D.FILE_CREATE) return outcome(STATUS.STATUS_OBJECT_NAME_COLLISION)
    // Wine file.c create_file_test: overwrite/supersede of a directory → collision (or access denied)
    if (disposition !== D.FILE_OPEN && disposition !== D.FILE_OPEN_IF) return outcome(STATUS.STATUS_OBJECT_NAME_COLLISION)
    const eaCheck = checkNeedEa(req, r, true)
    if (eaCheck) return eaCheck
    if ((options & O.FILE_DELETE_ON_CLOSE) && readOnly) return outcome(STATUS.STATUS_CANNOT_DELETE)
    const granted = resolveAccess(req, r, readOnly)
    const oplockStop = checkCreateOplock(req, fcb, '', granted)
    if (oplockStop) return oplockStop
    return openScb(req, fcb, '', 'index', link, granted, CREATE_RESULT.FILE_OPENED)
  }

  if (!r.isDirectory && parsed.type === '$INDEX_ALLOCATION') return outcome(STATUS.STATUS_NOT_A_DIRECTORY)
  // a data stream of a file or a named stream of a directory
  if (options & O.FILE_DIRECTORY_FILE) return outcome(STATUS.STATUS_NOT_A_DIRECTORY)
  // a trailing backslash names a directory
  if (trailingBackslash) return outcome(STATUS.STATUS_OBJECT_NAME_INVALID)
  const existing = findStream(vcb, r, parsed.stream)
  const streamName = existing?.name ?? parsed.stream

  if (!existing) {
    if (disposition === D.FILE_OPEN || disposition === D.FILE_OVERWRITE) return outcome(STATUS.STATUS_OBJECT_NAME_NOT_FOUND)
    // unverified: adding a stream to a read-only file needs write access the attribute denies
    if (readOnly) return outcome(STATUS.STATUS_ACCESS_DENIED)
    const granted = resolveAccess(req, undefined, false)
    const scbCheck = checkOpenScb(req, fcb, streamName, granted)
    if (scbCheck) return scbCheck
    vcb.store.atomic(() => {
      vcb.store.createStream(r.record, streamName)
      if (req.params.AllocationSize > 0) vcb.store.setStreamSizes(r.record, streamName, { allocated: req.params.AllocationSize })
    })
    touchWrite(fcb, undefined)
    if (link) reportChange(vcb, link.parent, link.name, FILE_ACTION.FILE_ACTION_ADDED_STREAM, FILE_NOTIFY_CHANGE.FILE_NOTIFY_CHANGE_STREAM_NAME)
    return openScb(req, fcb, streamName, 'data', link, granted, CREATE_RESULT.FILE_CREATED)
  }

  const isDefault = streamName === ''
  // observed (WinBtrfs ea.cpp "Open file with FILE_NO_EA_KNOWLEDGE": FILE_CREATE of an existing
  // file with a FILE_NEED_EA EA): the EA check comes before the name collision
  if (isDefault || parsed.stream === '') {
    const eaCheck = checkNeedEa(req, r, true)
    if (eaCheck) return eaCheck
  }
  if (disposition === D.FILE_CREATE) return outcome(STATUS.STATUS_OBJECT_NAME_COLLISION)
  if ((options & O.FILE_DELETE_ON_CLOSE) && readOnly) return outcome(STATUS.STATUS_CANNOT_DELETE)
  const granted = resolveAccess(req, r, readOnly)
  // documented (CreateFile): a read-only file cannot be opened for writing
  if (readOnly && granted & (ACCESS.FILE_WRITE_DATA | ACCESS.FILE_APPEND_DATA)) return outcome(STATUS.STATUS_ACCESS_DENIED)
  const oplockStop = checkCreateOplock(req, fcb, streamName, granted)
  if (oplockStop) return oplockStop

  if (!isOverwrite(disposition)) return openScb(req, fcb, streamName, 'data', link, granted, CREATE_RESULT.FILE_OPENED)

  // overwrite and supersede
  const supersede = disposition === D.FILE_SUPERSEDE
  // observed (WinBtrfs overwrite tests): overwriting a read-only file is refused; superseding it is not
  if (readOnly && !supersede) return outcome(STATUS.STATUS_ACCESS_DENIED)
  if (isDefault) {
    // documented (CreateFile CREATE_ALWAYS; WinBtrfs overwrite/supersede tests): the caller must
    // keep HIDDEN and SYSTEM when the file has them
    const had = r.std.fileAttributes
    const want = req.params.FileAttributes
    if ((had & FILE_ATTRIBUTE.FILE_ATTRIBUTE_HIDDEN && !(want & FILE_ATTRIBUTE.FILE_ATTRIBUTE_HIDDEN)) ||
        (had & FILE_ATTRIBUTE.FILE_ATTRIBUTE_SYSTEM && !(want & FILE_ATTRIBUTE.FILE_ATTRIBUTE_SYSTEM))) {
      return outcome(STATUS.STATUS_ACCESS_DENIED)
    }
  }
  const scbCheck = checkOpenScb(req, fcb, streamName, granted)
  if (scbCheck) return scbCheck
  const { status: eaStatus, eas } = easForCreate(req.params.EaBuffer, req.options)
  if (eaStatus !== STATUS.STATUS_SUCCESS) return outcome(eaStatus)
  const truncated = truncateCached(vcb, fcb, streamName)
  if (truncated) return truncated
  vcb.store.atomic(() => {
    const sizes: { size: number; validDataLength: number; allocated?: number } = { size: 0, validDataLength: 0 }
    sizes.allocated = Math.max(0, req.params.AllocationSize)
    vcb.store.setStreamSizes(r.record, streamName, sizes)
    if (isDefault) {
      // MS-FSA 2.1.5.1.2: the file's attributes become the requested ones plus ARCHIVE
      vcb.store.setStandardInfo(r.record, { fileAttributes: attributesForCreate(req.params.FileAttributes, false) })
      // unverified: named data streams that nobody has open go with an overwrite of the file
      for (const s of r.streams) {
        if (s.name === '' || fcb.scbs.get(vcb.upcase(s.name))?.cleanupCount) continue
        vcb.store.deleteStream(r.record, s.name)
      }
      // the EAs are replaced by those of the create (none when it has no EA buffer)
      vcb.store.setEas(r.record, eas)
      // observed (WinBtrfs reparse.cpp "Overwrite symlink" / "Check symlink overwritten", on NTFS):
      // overwriting a reparse point opened with FILE_OPEN_REPARSE_POINT removes the reparse point
      if (r.reparse) vcb.store.setReparsePoint(r.record, undefined)
    }
  })
  const scb = fcb.scbs.get(vcb.upcase(streamName))
  if (scb) refreshHeader(scb)
  touchWrite(fcb, undefined)
  if (link) {
    reportChange(vcb, link.parent, link.name, FILE_ACTION.FILE_ACTION_MODIFIED, FILE_NOTIFY_CHANGE.FILE_NOTIFY_CHANGE_LAST_WRITE | FILE_NOTIFY_CHANGE.FILE_NOTIFY_CHANGE_SIZE)
  }
  return openScb(req, fcb, streamName, 'data', link, granted, supersede ? CREATE_RESULT.FILE_SUPERSEDED : CREATE_RESULT.FILE_OVERWRITTEN)
}

/**
 * MS-FSA 2.1.5.1.2: a file with an EA marked FILE_NEED_EA cannot be opened by a caller that
 * said it has no EA knowledge (the unnamed stream or the directory).
 */
function checkNeedEa(req: CreateRequest, r: FileRecord, applies: boolean): Outcome | undefined {
  if (!applies) return undefined
  const st = checkEaKnowledge(r, req.options)
  return st === STATUS.STATUS_SUCCESS ? undefined : outcome(st)
}

/** a relative open of the related file object's own file: '' (the same stream) or ':stream' */
function openRelativeStream(req: CreateRequest, rccb: Ccb, name: string): Outcome {
  const r = rccb.fcb.read()
  if (!r) return outcome(STATUS.STATUS_FILE_DELETED)
  if (name === '') {
    if (rccb.scb.kind === 'index') return openExisting(req, r, rccb.link, { name: '', stream: '', type: undefined, suffixLength: 0 }, false)
    return openExisting(req, r, rccb.link, { name: '', stream: rccb.scb.streamName, type: '$DATA', suffixLength: 0 }, false)
  }
  const parsed = parseComponent(name, true)
  if (!parsed || parsed.name !== '') return outcome(STATUS.STATUS_OBJECT_NAME_INVALID)
  return openExisting(req, r, rccb.link, parsed, false)
}

// ---------------------------------------------------------------------------------------------
// creating

function createNew(req: CreateRequest, parent: RecordNo, parentLink: Link | undefined, parsed: ParsedComponent, trailingBackslash: boolean): Outcome {
  const { vcb, options, disposition } = req
  if (disposition === D.FILE_OPEN || disposition === D.FILE_OVERWRITE) return outcome(STATUS.STATUS_OBJECT_NAME_NOT_FOUND)
  const isDirectory = (options & O.FILE_DIRECTORY_FILE) !== 0
  // observed (WinBtrfs streams tests): a stream cannot be a directory
  if (isDirectory && (parsed.stream !== '' || parsed.type === '$DATA')) return outcome(STATUS.STATUS_NOT_A_DIRECTORY)
  if (!isDirectory && parsed.type === '$INDEX_ALLOCATION') return outcome(STATUS.STATUS_NOT_A_DIRECTORY)
  if (trailingBackslash && !isDirectory) return outcome(STATUS.STATUS_OBJECT_NAME_INVALID)
  // documented (CreateFile): FILE_ATTRIBUTE_TEMPORARY is not valid for a directory
  if (isDirectory && req.params.FileAttributes & FILE_ATTRIBUTE.FILE_ATTRIBUTE_TEMPORARY) return outcome(STATUS.STATUS_INVALID_PARAMETER)
  const parentRecord = vcb.store.readRecord(parent)
  if (!parentRecord) return outcome(STATUS.STATUS_OBJECT_PATH_NOT_FOUND)
  const parentFcb = vcb.fcbTable.get(parent)
  // unverified: NTFS refuses new entries in a directory whose deletion is pending
  if (parentFcb && parentFcb.isLinkDeletePending(parentLink)) return outcome(STATUS.STATUS_DELETE_PENDING)

  const granted = resolveAccess(req, undefined, false)
  const now = systemTime(vcb)
  const attributes = attributesForCreate(req.params.FileAttributes, isDirectory)
  const { status: eaStatus, eas } = easForCreate(req.params.EaBuffer, req.options)
  if (eaStatus !== STATUS.STATUS_SUCCESS) return outcome(eaStatus)
  const rec = vcb.store.atomic(() => {
    const created = vcb.store.createRecord({
      isDirectory,
      std: {
        creationTime: now,
        lastWriteTime: now,
        changeTime: now,
        lastAccessTime: now,
        fileAttributes: attributes,
        securityId: 0,
        ownerId: 0,
        usn: 0n,
      },
      name: { parent, name: parsed.name, nameSpace: namespaceFor(vcb, parsed.name) },
    })
    addShortNameIfNeeded(vcb, created.record, parent, parsed.name)
    if (!isDirectory) vcb.store.createStream(created.record, '')
    if (parsed.stream !== '') vcb.store.createStream(created.record, parsed.stream)
    if (!isDirectory && req.params.AllocationSize > 0) vcb.store.setStreamSizes(created.record, parsed.stream, { allocated: req.params.AllocationSize })
    if (eas.length > 0) vcb.store.setEas(created.record, eas)
    return vcb.store.readRecord(created.record)!
  })
  touchDirectory(vcb, parent)
  const fcb = vcb.fcbFor(rec)
  const link: Link = { parent, name: parsed.name }
  reportChange(vcb, parent, parsed.name, FILE_ACTION.FILE_ACTION_ADDED, isDirectory ? FILE_NOTIFY_CHANGE.FILE_NOTIFY_CHANGE_DIR_NAME : FILE_NOTIFY_CHANGE.FILE_NOTIFY_CHANGE_FILE_NAME)
  const st = openScb(req, fcb, isDirectory ? '' : parsed.stream, isDirectory ? 'index' : 'data', link, granted, CREATE_RESULT.FILE_CREATED)
  return st
}

// ---------------------------------------------------------------------------------------------
// opening by file id or object id

/**
 * FILE_OPEN_BY_FILE_ID: the name is the 8-byte file reference or the 16-byte object id
 * (relative to any open of the volume; with no related file object, after one backslash).
 * Observed (WinBtrfs test_open_id on NTFS): an unknown id → STATUS_INVALID_PARAMETER; FILE_CREATE →
 * STATUS_OBJECT_NAME_COLLISION; a file whose names are gone → STATUS_DELETE_PENDING.
 */
function openById(req: CreateRequest): Outcome {
  const { vcb, fo, options, disposition } = req
  let idText = fo.FileName
  if (!fo.RelatedFileObject) {
    if (!idText.startsWith('\\')) return outcome(STATUS.STATUS_INVALID_PARAMETER)
    idText = idText.slice(1)
  } else {
    const rccb = ccbOf(fo.RelatedFileObject)
    if (!rccb || rccb.vcb !== vcb) return outcome(STATUS.STATUS_INVALID_PARAMETER)
  }
  let record: RecordNo | undefined
  let seq = 0
  if (idText.length === 4) {
    let ref = 0n
    for (let i = 3; i >= 0; i--) ref = (ref << 16n) | BigInt(idText.charCodeAt(i))
    record = Number(ref & 0xffffffffffffn)
    seq = Number(ref >> 48n)
  } else if (idText.length === 8) {
    const bytes = new Uint8Array(16)
    for (let i = 0; i < 8; i++) {
      const c = idText.charCodeAt(i)
      bytes[2 * i] = c & 0xff
      bytes[2 * i + 1] = c >> 8
    }
    record = vcb.store.findByObjectId(bytes)
  } else {
    return outcome(STATUS.STATUS_INVALID_PARAMETER)
  }
  if (record === undefined) return outcome(STATUS.STATUS_INVALID_PARAMETER)
  const fcbExisting = vcb.fcbTable.get(record)
  if (fcbExisting?.posixDeleted) return outcome(STATUS.STATUS_DELETE_PENDING)
  const r = vcb.store.readRecord(record)
  // unverified: metafiles other than the root are not opened by id here
  if (!r || (seq !== 0 && seq !== r.seq) || (record < FIRST_NORMAL_RECORD && record !== vcb.store.rootRecord)) return outcome(STATUS.STATUS_INVALID_PARAMETER)
  const fcb = vcb.fcbFor(r)
  if (fcb.posixDeleted) return outcome(STATUS.STATUS_DELETE_PENDING)
  if (r.isDirectory) {
    if (options & O.FILE_NON_DIRECTORY_FILE) return outcome(STATUS.STATUS_FILE_IS_A_DIRECTORY)
    if (disposition !== D.FILE_OPEN && disposition !== D.FILE_OPEN_IF) return outcome(STATUS.STATUS_OBJECT_NAME_COLLISION)
    const granted = resolveAccess(req, r, false)
    return openScb(req, fcb, '', 'index', undefined, granted, CREATE_RESULT.FILE_OPENED, true)
  }
  if (options & O.FILE_DIRECTORY_FILE) return outcome(STATUS.STATUS_NOT_A_DIRECTORY)
  if (disposition === D.FILE_CREATE) return outcome(STATUS.STATUS_OBJECT_NAME_COLLISION)
  const readOnly = isReadOnly(r)
  const granted = resolveAccess(req, r, readOnly)
  if (readOnly && granted & (ACCESS.FILE_WRITE_DATA | ACCESS.FILE_APPEND_DATA)) return outcome(STATUS.STATUS_ACCESS_DENIED)
  if (!isOverwrite(disposition)) return openScb(req, fcb, '', 'data', undefined, granted, CREATE_RESULT.FILE_OPENED, true)
  if (readOnly && disposition !== D.FILE_SUPERSEDE) return outcome(STATUS.STATUS_ACCESS_DENIED)
  const scbCheck = checkOpenScb(req, fcb, '', granted)
  if (scbCheck) return scbCheck
  const truncated = truncateCached(vcb, fcb, '')
  if (truncated) return truncated
  vcb.store.atomic(() => {
    vcb.store.setStreamSizes(r.record, '', { size: 0, validDataLength: 0, allocated: Math.max(0, req.params.AllocationSize) })
    vcb.store.setStandardInfo(r.record, { fileAttributes: attributesForCreate(req.params.FileAttributes, false) })
  })
  touchWrite(fcb, undefined)
  const result = disposition === D.FILE_SUPERSEDE ? CREATE_RESULT.FILE_SUPERSEDED : CREATE_RESULT.FILE_OVERWRITTEN
  return openScb(req, fcb, '', 'data', undefined, granted, result, true)
}

// ---------------------------------------------------------------------------------------------
// the volume

function openVolume(req: CreateRequest): Outcome {
  const { vcb } = req
  if (req.openTargetDirectory) return outcome(STATUS.STATUS_INVALID_PARAMETER)
  if (req.options & O.FILE_DIRECTORY_FILE) return outcome(STATUS.STATUS_NOT_A_DIRECTORY)
  // documented (volume handles, CreateFile "\\.\C:"): only an open of the existing volume
  if (req.disposition !== D.FILE_OPEN && req.disposition !== D.FILE_OPEN_IF) return outcome(STATUS.STATUS_ACCESS_DENIED)
  const fcb = vcb.volumeFcb()
  const granted = resolveAccess(req, undefined, false)
  return openScb(req, fcb, '', 'volume', undefined, granted, CREATE_RESULT.FILE_OPENED)
}

// ---------------------------------------------------------------------------------------------
// SCB, CCB and share access

function getScb(fcb: Fcb, streamName: string, kind: ScbKind): Scb {
  const key = fcb.vcb.upcase(streamName)
  let scb = fcb.scbs.get(key)
  if (!scb) {
    scb = new Scb(fcb, streamName, kind)
    fcb.scbs.set(key, scb)
  }
  refreshHeader(scb)
  return scb
}

/**
 * Deleting a file deletes all of its streams, so an open of the unnamed data stream that asks for
 * DELETE fails while another stream of the file is open without FILE_SHARE_DELETE. The reverse
 * does not hold: a named stream may be opened for DELETE while the unnamed stream is open without
 * sharing delete (Samba source4/torture/raw/streams.c test_stream_delete, run against Windows).
 */
function otherStreamsRefuseDelete(fcb: Fcb, streamName: string, granted: number): boolean {
  if (streamName !== '' || !(granted & ACCESS.DELETE)) return false
  for (const other of fcb.scbs.values()) {
    if (other.streamName === '' || other.kind !== 'data') continue
    if (other.shareAccess.SharedDelete < other.shareAccess.OpenCount) return true
  }
  return false
}

/**
 * The oplock side of opening an existing stream, before share access is checked and before
 * anything changes:
 * - FILE_RESERVE_OPFILTER reserves a filter oplock (FsRtlOplockFsctrl with the create IRP): only
 *   for the only open of the stream, asking for FILE_READ_ATTRIBUTES and sharing everything;
 *   otherwise the create fails with STATUS_OPLOCK_NOT_GRANTED ("Granting Oplocks": NTFS fails it
 *   when it can tell that the filter oplock request will fail);
 * - FILE_OPEN_REQUIRING_OPLOCK: an open that would break an oplock fails with
 *   STATUS_CANNOT_BREAK_OPLOCK (NtCreateFile, FsRtlOplockFsctrl documentation);
 * - otherwise FsRtlCheckOplockEx breaks what the open breaks (told whether the open conflicts
 *   with an existing one, as FsRtlOplockBreakH is); the create then waits for the
 *   acknowledgements, unless FILE_COMPLETE_IF_OPLOCKED asks it to go on.
 */
function checkCreateOplock(req: CreateRequest, fcb: Fcb, streamName: string, granted: number): Outcome | undefined {
  const scb = fcb.scbs.get(fcb.vcb.upcase(streamName))
  if (req.options & O.FILE_RESERVE_OPFILTER) {
    // FsRtlOplockFsctrl (IRP_MJ_CREATE): OpenCount 1, DesiredAccess FILE_READ_ATTRIBUTES, all sharing
    // unverified: SYNCHRONIZE beside FILE_READ_ATTRIBUTES is accepted (Win32 callers always add it)
    const attributesOnly = (granted & ~ACCESS.SYNCHRONIZE) === ACCESS.FILE_READ_ATTRIBUTES
    const sharesAll = (req.shareAccess & FILE_SHARE_VALID_FLAGS) === FILE_SHARE_VALID_FLAGS
    if ((scb && scb.cleanupCount > 0) || !attributesOnly || !sharesAll) return outcome(STATUS.STATUS_OPLOCK_NOT_GRANTED)
  }
  if (!scb || scb.kind === 'volume') return undefined
  const sharingViolation =
    otherStreamsRefuseDelete(fcb, streamName, granted) || IoCheckShareAccess(granted, req.shareAccess, req.fo, scb.shareAccess, false) !== STATUS.STATUS_SUCCESS
  const op = oplockOf(scb)
  if (req.options & O.FILE_OPEN_REQUIRING_OPLOCK) {
    if (op && FsRtlCheckOplockEx(op, req.irp, 0, { sharingViolation, desiredAccess: granted, checkOnly: true }).status === STATUS.STATUS_CANNOT_BREAK_OPLOCK) {
      return outcome(STATUS.STATUS_CANNOT_BREAK_OPLOCK)
    }
    return undefined
  }
  if (!op || op.grants.length === 0) return undefined
  const flags = req.options & O.FILE_COMPLETE_IF_OPLOCKED ? OPLOCK_FLAG.OPLOCK_FLAG_COMPLETE_IF_OPLOCKED : 0
  const check = FsRtlCheckOplockEx(op, req.irp, flags, { sharingViolation, desiredAccess: granted })
  if (check.status === STATUS.STATUS_OPLOCK_BREAK_IN_PROGRESS) req.oplock.breakInProgress = true
  if (check.status === STATUS.STATUS_PENDING) {
    req.oplock.wait = { oplock: op, check }
    return outcome(STATUS.STATUS_PENDING)
  }
  return undefined
}

/** the share check an open would make on a stream, before anything is changed */
function checkOpenScb(req: CreateRequest, fcb: Fcb, streamName: string, granted: number): Outcome | undefined {
  if (otherStreamsRefuseDelete(fcb, streamName, granted)) return outcome(STATUS.STATUS_SHARING_VIOLATION)
  const scb = fcb.scbs.get(fcb.vcb.upcase(streamName))
  if (!scb) return undefined
  const st = IoCheckShareAccess(granted, req.shareAccess, req.fo, scb.shareAccess, false)
  return st === STATUS.STATUS_SUCCESS ? undefined : outcome(st)
}

/**
 * An overwrite or supersede empties the stream: what the cache holds of it goes first, unless a
 * user view maps it (MmCanFileBeTruncated; documented: CreateFile with CREATE_ALWAYS on a mapped
 * file fails with ERROR_USER_MAPPED_FILE).
 */
function truncateCached(vcb: Vcb, fcb: Fcb, streamName: string): Outcome | undefined {
  const scb = fcb.scbs.get(vcb.upcase(streamName))
  if (!scb || !vcb.cache) return undefined
  if (vcb.cache.isUserMapped(scb)) return outcome(STATUS.STATUS_USER_MAPPED_FILE)
  vcb.cache.purge(scb, 0)
  scb.cachedValidData = 0
  return undefined
}

/** the last step of every successful create: share access, SCB/CCB, counts, file object */
function openScb(
  req: CreateRequest,
  fcb: Fcb,
  streamName: string,
  kind: ScbKind,
  link: Link | undefined,
  granted: number,
  information: number = CREATE_RESULT.FILE_OPENED,
  byId = false,
): Outcome {
  const { vcb, fo, options } = req
  const scb = getScb(fcb, streamName, kind)
  const st = kind === 'data' && otherStreamsRefuseDelete(fcb, streamName, granted)
    ? STATUS.STATUS_SHARING_VIOLATION
    : IoCheckShareAccess(granted, req.shareAccess, fo, scb.shareAccess, false)
  if (st !== STATUS.STATUS_SUCCESS) {
    if (scb.closeCount === 0) fcb.scbs.delete(scb.key)
    vcb.maybeTeardown(fcb)
    return outcome(st)
  }
  IoUpdateShareAccess(fo, scb.shareAccess)
  const ccb = new Ccb(scb, fo, link, granted, options)
  ccb.flags.deleteOnClose = (options & O.FILE_DELETE_ON_CLOSE) !== 0
  ccb.flags.openedReparsePoint = (options & O.FILE_OPEN_REPARSE_POINT) !== 0
  ccb.flags.openedById = byId
  ccb.flags.caseSensitive = req.caseSensitive
  fo.FsContext = scb
  fo.FsContext2 = ccb
  fo.SectionObjectPointer = scb.sectionObjectPointers
  fo.Vpb = vcb.vpb
  if (kind === 'data' && !(options & O.FILE_NO_INTERMEDIATE_BUFFERING)) fo.Flags |= FO.FO_CACHE_SUPPORTED
  if (ccb.flags.deleteOnClose) fo.Flags |= FO.FO_DELETE_ON_CLOSE
  const r = fcb.read()
  if (r && r.std.fileAttributes & FILE_ATTRIBUTE.FILE_ATTRIBUTE_TEMPORARY) fo.Flags |= FO.FO_TEMPORARY_FILE
  fcb.ccbs.add(ccb)
  fcb.cleanupCount++
  fcb.closeCount++
  scb.cleanupCount++
  scb.closeCount++
  if (link) {
    const key = vcb.linkKey(link)
    fcb.linkCleanupCounts.set(key, (fcb.linkCleanupCounts.get(key) ?? 0) + 1)
  }
  if (kind === 'volume') vcb.volumeCleanupCount++
  recordGrantedAccess(req, granted)
  return outcome(STATUS.STATUS_SUCCESS, information)
}

