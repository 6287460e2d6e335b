// File names (FltGetFileNameInformation and friends). A name is a full NT path with the volume
// device name: \Device\HarddiskVolume1\dir\a.txt:s. In pre-create the opened name comes from the
// file object (FileName plus RelatedFileObject's name) and a normalized name from opening the file
// (or its parent) below the instance; afterwards names come from the file system
// (FileNameInformation, FileNormalizedNameInformation, FileAlternateNameInformation) through
// requests sent below the instance, and are cached per instance: opened names per file object,
// normalized and short names per stream. A rename or link purges the cache. After cleanup, for
// paging I/O and in post-create of a reparse, only the cache can answer.

import type { Co } from '../ke/index.ts'
import { BugCheck } from '../ke/index.ts'
import { FO, type FileObject } from '../io/file-object.ts'
import { ACCESS } from '../nt/access.ts'
import { CREATE_DISPOSITION, CREATE_OPTIONS, OBJ_ATTRIBUTES, SHARE_ACCESS } from '../nt/file.ts'
import { FILE_INFORMATION_CLASS } from '../nt/infoclass.ts'
import { IRP_FLAGS, IRP_MJ, IRP_MJ_FLT, SL_FLAGS_CREATE, normalizeMajor } from '../nt/irp.ts'
import { NT_SUCCESS, STATUS, type NTSTATUS } from '../nt/status.ts'
import { FLT_CALLBACK_DATA } from './callback-data.ts'
import {
  FLT_FILE_NAME_ALLOW_QUERY_ON_REPARSE,
  FLT_FILE_NAME_DO_NOT_CACHE,
  FLT_FILE_NAME_NORMALIZED,
  FLT_FILE_NAME_OPENED,
  FLT_FILE_NAME_QUERY_ALWAYS_ALLOW_CACHE_LOOKUP,
  FLT_FILE_NAME_QUERY_CACHE_ONLY,
  FLT_FILE_NAME_QUERY_DEFAULT,
  FLT_FILE_NAME_QUERY_FILESYSTEM_ONLY,
  FLT_FILE_NAME_SHORT,
  FLTFL_CALLBACK_DATA_POST_OPERATION,
  FLTFL_FILE_NAME_PARSED_EXTENSION,
  FLTFL_FILE_NAME_PARSED_FINAL_COMPONENT,
  FLTFL_FILE_NAME_PARSED_PARENT_DIR,
  FLTFL_FILE_NAME_PARSED_STREAM,
  FLTMGR_BUGCHECK,
} from './constants.ts'
import type { StreamCtl } from './contexts.ts'
import { fileObjectOfHandle, FltClose, FltCreateFileEx, FltQueryInformationFile } from './generated-io.ts'
import type { FilterManager } from './manager.ts'
import type { FltInstance } from './objects.ts'
import { InitializeObjectAttributes, ref, type Ref } from './types.ts'

const REFS = Symbol('refs')

/** FLT_FILE_NAME_INFORMATION (the UNICODE_STRINGs are strings that share Name's text) */
export interface FLT_FILE_NAME_INFORMATION {
  readonly Size: number
  NamesParsed: number
  readonly Format: number
  readonly Name: string
  readonly Volume: string
  Share: string
  Extension: string
  Stream: string
  FinalComponent: string
  ParentDir: string
}
export type PFLT_FILE_NAME_INFORMATION = FLT_FILE_NAME_INFORMATION

interface Counted {
  [REFS]: number
}

function makeName(format: number, volume: string, name: string): FLT_FILE_NAME_INFORMATION {
  const n = { Size: 88, NamesParsed: 0, Format: format, Name: name, Volume: volume, Share: '', Extension: '', Stream: '', FinalComponent: '', ParentDir: '' }
  Object.defineProperty(n, REFS, { value: 1, writable: true, enumerable: false })
  return n
}

function addRef(n: FLT_FILE_NAME_INFORMATION): FLT_FILE_NAME_INFORMATION {
  ;(n as unknown as Counted)[REFS]++
  return n
}

interface CacheEntry {
  readonly gen: number
  readonly info: FLT_FILE_NAME_INFORMATION
}

const OPENED_NAMES = 'flt.openedNames'

/** the name caches of one Filter Manager */
export class NameStore {
  /** bumped by every rename or link: older entries are stale */
  private generation = 0
  private readonly byStream = new Map<StreamCtl, Map<string, CacheEntry>>()

  constructor(private readonly mgr: FilterManager) {}

  private key(inst: FltInstance, format: number): string {
    return `${inst.filter.name}|${inst.name}|${inst.volume.name}|${format}`
  }

  lookup(inst: FltInstance, fo: FileObject, format: number): FLT_FILE_NAME_INFORMATION | undefined {
    let e: CacheEntry | undefined
    if (format === FLT_FILE_NAME_OPENED) e = (fo.ext.get(OPENED_NAMES) as Map<string, CacheEntry> | undefined)?.get(this.key(inst, format))
    else {
      const s = this.mgr.contexts.streamOf(fo, false)
      e = s ? this.byStream.get(s)?.get(this.key(inst, format)) : undefined
    }
    return e && e.gen === this.generation ? e.info : undefined
  }

  store(inst: FltInstance, fo: FileObject, format: number, info: FLT_FILE_NAME_INFORMATION): void {
    const e: CacheEntry = { gen: this.generation, info: addRef(info) }
    if (format === FLT_FILE_NAME_OPENED) {
      let m = fo.ext.get(OPENED_NAMES) as Map<string, CacheEntry> | undefined
      if (!m) fo.ext.set(OPENED_NAMES, (m = new Map()))
      m.set(this.key(inst, format), e)
      return
    }
    const s = this.mgr.contexts.streamOf(fo)
    if (!s) return
    let m = this.byStream.get(s)
    if (!m) this.byStream.set(s, (m = new Map()))
    m.set(this.key(inst, format), e)
  }

  /** a rename or a new link: every cached name may be wrong now */
  invalidate(): void {
    this.generation++
    this.byStream.clear()
  }

  forgetStream(s: StreamCtl): void {
    this.byStream.delete(s)
  }

  forgetInstance(inst: FltInstance): void {
    const prefix = `${inst.filter.name}|${inst.name}|${inst.volume.name}|`
    for (const m of this.byStream.values()) for (const k of [...m.keys()]) if (k.startsWith(prefix)) m.delete(k)
  }
}

/** the name a file object was opened by, within its volume (FileName joined to RelatedFileObject's) */
export function openedPath(fo: FileObject): string {
  const name = fo.FileName
  if (name.startsWith('\\') || !fo.RelatedFileObject) return name
  const base = openedPath(fo.RelatedFileObject)
  if (name === '') return base
  return base.endsWith('\\') ? base + name : base + '\\' + name
}

function parentOf(path: string): { parent: string; final: string } {
  const i = path.lastIndexOf('\\')
  if (i < 0) return { parent: '', final: path }
  return { parent: i === 0 ? '\\' : path.slice(0, i), final: path.slice(i + 1) }
}

function decodeName(buf: Uint8Array, n: number): string {
  if (n < 4) return ''
  const len = buf[0]! | (buf[1]! << 8) | (buf[2]! << 16) | (buf[3]! << 24)
  let s = ''
  for (let i = 4; i + 1 < 4 + len && i + 1 < n; i += 2) s += String.fromCharCode(buf[i]! | (buf[i + 1]! << 8))
  return s
}

/** asks the file system below `inst` for a name class of `fo` (generated I/O, visible in the trace) */
function* queryName(inst: FltInstance, fo: FileObject, infoClass: number): Co<{ status: NTSTATUS; name: string }> {
  let size = 1024
  for (let tries = 0; tries < 4; tries++) {
    const buf = new Uint8Array(size)
    const got = ref<number>()
    const st = yield* FltQueryInformationFile(inst, fo, buf, size, infoClass, got)
    if (st === STATUS.STATUS_BUFFER_OVERFLOW) {
      size *= 4
      continue
    }
    if (!NT_SUCCESS(st)) return { status: st, name: '' }
    return { status: st, name: decodeName(buf, got.value ?? 0) }
  }
  return { status: STATUS.STATUS_BUFFER_OVERFLOW, name: '' }
}

/** opens `path` (within the volume) below `inst` and asks for its normalized name */
function* normalizedByOpen(inst: FltInstance, path: string): Co<{ status: NTSTATUS; name: string }> {
  const h = ref<number>()
  const fo = ref<FileObject>()
  const st = yield* FltCreateFileEx(
    inst.filter,
    inst,
    h,
    fo,
    ACCESS.FILE_READ_ATTRIBUTES | ACCESS.SYNCHRONIZE,
    InitializeObjectAttributes(inst.volume.name + path, OBJ_ATTRIBUTES.OBJ_CASE_INSENSITIVE | OBJ_ATTRIBUTES.OBJ_KERNEL_HANDLE),
    null,
    null,
    0,
    SHARE_ACCESS.FILE_SHARE_READ | SHARE_ACCESS.FILE_SHARE_WRITE | SHARE_ACCESS.FILE_SHARE_DELETE,
    CREATE_DISPOSITION.FILE_OPEN,
    CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_NONALERT,
    null,
    0,
    0,
  )
  if (!NT_SUCCESS(st) || !fo.value) return { status: st, name: '' }
  const q = yield* queryName(inst, fo.value, FILE_INFORMATION_CLASS.FileNormalizedNameInformation)
  fo.value.header.pointerCount--
  yield* FltClose(h.value!)
  return q
}

/**
 * unverified: FltMgr normalizes a name in pre-create component by component with directory
 * queries; here the file (or, when only the last component is missing, its parent) is opened
 * below the instance and the file system gives the normalized name.
 */
function* normalizePath(inst: FltInstance, path: string): Co<{ status: NTSTATUS; name: string }> {
  if (path === '' || path === '\\') return { status: STATUS.STATUS_SUCCESS, name: '\\' }
  const whole = yield* normalizedByOpen(inst, path)
  if (NT_SUCCESS(whole.status)) return whole
  if (whole.status !== STATUS.STATUS_OBJECT_NAME_NOT_FOUND) return whole
  const { parent, final } = parentOf(path)
  const p = yield* normalizedByOpen(inst, parent)
  if (!NT_SUCCESS(p.status)) return p
  return { status: STATUS.STATUS_SUCCESS, name: (p.name.endsWith('\\') ? p.name : p.name + '\\') + final }
}

const ACQUIRE_RELEASE = new Set<number>([
  IRP_MJ_FLT.IRP_MJ_ACQUIRE_FOR_CC_FLUSH,
  IRP_MJ_FLT.IRP_MJ_RELEASE_FOR_CC_FLUSH,
  IRP_MJ_FLT.IRP_MJ_ACQUIRE_FOR_MOD_WRITE,
  IRP_MJ_FLT.IRP_MJ_RELEASE_FOR_MOD_WRITE,
  IRP_MJ_FLT.IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION,
])

function* getName(mgr: FilterManager, inst: FltInstance | undefined, fo: FileObject | undefined, data: FLT_CALLBACK_DATA | undefined, options: number, out: Ref<FLT_FILE_NAME_INFORMATION>): Co<NTSTATUS> {
  mgr.requirePassiveOrApc('FltGetFileNameInformation')
  out.value = undefined
  const format = options & 0xff
  const method = options & 0xff00 || FLT_FILE_NAME_QUERY_DEFAULT
  if (!inst || !fo || (format !== FLT_FILE_NAME_NORMALIZED && format !== FLT_FILE_NAME_OPENED && format !== FLT_FILE_NAME_SHORT)) return STATUS.STATUS_INVALID_PARAMETER
  if (method !== FLT_FILE_NAME_QUERY_DEFAULT && method !== FLT_FILE_NAME_QUERY_CACHE_ONLY && method !== FLT_FILE_NAME_QUERY_FILESYSTEM_ONLY && method !== FLT_FILE_NAME_QUERY_ALWAYS_ALLOW_CACHE_LOOKUP) return STATUS.STATUS_INVALID_PARAMETER
  const volume = inst.volume.name
  const major = data ? normalizeMajor(data.Iopb.MajorFunction) : -1
  const post = data ? (data.Flags & FLTFL_CALLBACK_DATA_POST_OPERATION) !== 0 : false
  if (major === IRP_MJ.IRP_MJ_CREATE && post && data!.IoStatus.Status === STATUS.STATUS_REPARSE && !(options & FLT_FILE_NAME_ALLOW_QUERY_ON_REPARSE)) {
    return STATUS.STATUS_FLT_INVALID_NAME_REQUEST
  }
  // in pre-create, and in post-create of a failed create, the file object is all there is
  // unverified: a fast query-open (IRP_MJ_NETWORK_QUERY_OPEN) stands for a create on a file
  // object the file system has not opened, so its name comes from the file object as in pre-create
  const queryOpen = data !== undefined && data.Iopb.MajorFunction === IRP_MJ_FLT.IRP_MJ_NETWORK_QUERY_OPEN
  const fromFileObject = queryOpen || (major === IRP_MJ.IRP_MJ_CREATE && (!post || !NT_SUCCESS(data!.IoStatus.Status) || !fo.FsContext))
  if (fromFileObject) {
    // documented: names are not cached during a create
    if (method === FLT_FILE_NAME_QUERY_CACHE_ONLY) return STATUS.STATUS_FLT_NAME_CACHE_MISS
    // unverified: the status for a short name in pre-create (documented as not available there)
    if (format === FLT_FILE_NAME_SHORT) return STATUS.STATUS_FLT_INVALID_NAME_REQUEST
    let path = fo.Flags & FO.FO_VOLUME_OPEN ? '' : openedPath(fo)
    // documented: with SL_OPEN_TARGET_DIRECTORY the name is the parent's
    if (data && data.Iopb.OperationFlags & SL_FLAGS_CREATE.SL_OPEN_TARGET_DIRECTORY && path !== '') path = parentOf(path).parent
    if (format === FLT_FILE_NAME_NORMALIZED && path !== '') {
      const n = yield* normalizePath(inst, path)
      if (!NT_SUCCESS(n.status)) return n.status
      path = n.name
    }
    out.value = makeName(format, volume, volume + path)
    return STATUS.STATUS_SUCCESS
  }
  // documented: names cannot be queried from post-cleanup on (FO_CLEANUP_COMPLETE is set once cleanup returns)
  const unsafe =
    (fo.Flags & FO.FO_CLEANUP_COMPLETE) !== 0 ||
    (major === IRP_MJ.IRP_MJ_CLEANUP && post) ||
    (data !== undefined && (data.Iopb.IrpFlags & IRP_FLAGS.IRP_PAGING_IO) !== 0) ||
    ACQUIRE_RELEASE.has(major) ||
    (major === IRP_MJ_FLT.IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION && post)
  const cached = method !== FLT_FILE_NAME_QUERY_FILESYSTEM_ONLY ? mgr.names.lookup(inst, fo, format) : undefined
  if (method === FLT_FILE_NAME_QUERY_CACHE_ONLY) {
    if (!cached) return STATUS.STATUS_FLT_NAME_CACHE_MISS
    out.value = addRef(cached)
    return STATUS.STATUS_SUCCESS
  }
  if (unsafe) {
    if (method === FLT_FILE_NAME_QUERY_ALWAYS_ALLOW_CACHE_LOOKUP && cached) {
      out.value = addRef(cached)
      return STATUS.STATUS_SUCCESS
    }
    return STATUS.STATUS_FLT_INVALID_NAME_REQUEST
  }
  if (cached) {
    out.value = addRef(cached)
    return STATUS.STATUS_SUCCESS
  }
  let name: string
  if (fo.Flags & FO.FO_VOLUME_OPEN) name = volume
  else {
    const cls =
      format === FLT_FILE_NAME_NORMALIZED
        ? FILE_INFORMATION_CLASS.FileNormalizedNameInformation
        : format === FLT_FILE_NAME_OPENED
          ? FILE_INFORMATION_CLASS.FileNameInformation
          : FILE_INFORMATION_CLASS.FileAlternateNameInformation
    const q = yield* queryName(inst, fo, cls)
    if (!NT_SUCCESS(q.status)) return q.status
    // a short name is the final component's 8.3 name alone
    name = format === FLT_FILE_NAME_SHORT ? q.name : volume + q.name
  }
  const info = makeName(format, volume, name)
  if (method !== FLT_FILE_NAME_QUERY_FILESYSTEM_ONLY && !(options & FLT_FILE_NAME_DO_NOT_CACHE)) mgr.names.store(inst, fo, format, info)
  out.value = info
  return STATUS.STATUS_SUCCESS
}

/** FltGetFileNameInformation: the name of the operation's file, as the calling instance may see it */
export function* FltGetFileNameInformation(CallbackData: FLT_CALLBACK_DATA, NameOptions: number, FileNameInformation: Ref<FLT_FILE_NAME_INFORMATION>): Co<NTSTATUS> {
  const inst = CallbackData.Iopb.TargetInstance
  if (!inst) {
    FileNameInformation.value = undefined
    return STATUS.STATUS_INVALID_PARAMETER
  }
  return yield* getName(inst.filter.mgr, inst, CallbackData.Iopb.TargetFileObject, CallbackData, NameOptions, FileNameInformation)
}

/** FltGetFileNameInformationUnsafe: for a file object outside any operation's callback */
export function* FltGetFileNameInformationUnsafe(FileObject: FileObject, Instance: FltInstance, NameOptions: number, FileNameInformation: Ref<FLT_FILE_NAME_INFORMATION>): Co<NTSTATUS> {
  return yield* getName(Instance.filter.mgr, Instance, FileObject, undefined, NameOptions, FileNameInformation)
}

/** FltReferenceFileNameInformation */
export function FltReferenceFileNameInformation(FileNameInformation: FLT_FILE_NAME_INFORMATION): void {
  addRef(FileNameInformation)
}

/** FltReleaseFileNameInformation */
export function FltReleaseFileNameInformation(FileNameInformation: FLT_FILE_NAME_INFORMATION): void {
  const c = FileNameInformation as unknown as Counted
  if (!(c[REFS] > 0)) {
    // documented: 0xF5 / 0x68
    throw new BugCheck(0xf5, `FLT_FILE_NAME_INFORMATION for ${FileNameInformation.Name} released more often than referenced`, {
      params: [FLTMGR_BUGCHECK.NAME_OVER_RELEASED, 0, 0, 0],
    })
  }
  c[REFS]--
}

/** FltParseFileNameInformation: fills ParentDir, FinalComponent, Extension and Stream */
export function FltParseFileNameInformation(FileNameInformation: FLT_FILE_NAME_INFORMATION): NTSTATUS {
  const n = FileNameInformation
  const rest = n.Name.startsWith(n.Volume) ? n.Name.slice(n.Volume.length) : n.Name
  const slash = rest.lastIndexOf('\\')
  n.ParentDir = slash >= 0 ? rest.slice(0, slash + 1) : ''
  n.FinalComponent = rest.slice(slash + 1)
  const colon = n.FinalComponent.indexOf(':')
  n.Stream = colon >= 0 ? n.FinalComponent.slice(colon) : ''
  const base = colon >= 0 ? n.FinalComponent.slice(0, colon) : n.FinalComponent
  const dot = base.lastIndexOf('.')
  n.Extension = dot >= 0 ? base.slice(dot + 1) : ''
  n.Share = ''
  n.NamesParsed = FLTFL_FILE_NAME_PARSED_FINAL_COMPONENT | FLTFL_FILE_NAME_PARSED_EXTENSION | FLTFL_FILE_NAME_PARSED_STREAM | FLTFL_FILE_NAME_PARSED_PARENT_DIR
  return STATUS.STATUS_SUCCESS
}

/**
 * FltGetDestinationFileNameInformation: the name a rename or link would give (FileName absolute
 * as \??\C:\..., relative to RootDirectory, or a simple name in the file's own directory).
 */
export function* FltGetDestinationFileNameInformation(
  Instance: FltInstance,
  FileObject: FileObject,
  RootDirectory: number | null | undefined,
  FileName: string,
  _FileNameLength: number,
  NameOptions: number,
  RetFileNameInformation: Ref<FLT_FILE_NAME_INFORMATION>,
): Co<NTSTATUS> {
  const mgr = Instance.filter.mgr
  mgr.requirePassiveOrApc('FltGetDestinationFileNameInformation')
  RetFileNameInformation.value = undefined
  const format = NameOptions & 0xff
  if (format !== FLT_FILE_NAME_NORMALIZED && format !== FLT_FILE_NAME_OPENED) return STATUS.STATUS_INVALID_PARAMETER
  const volume = Instance.volume.name
  let full: string
  if (RootDirectory) {
    const root = fileObjectOfHandle(mgr, RootDirectory)
    if (!root) return STATUS.STATUS_INVALID_HANDLE
    const r = ref<FLT_FILE_NAME_INFORMATION>()
    const st = yield* FltGetFileNameInformationUnsafe(root, Instance, format | FLT_FILE_NAME_QUERY_DEFAULT, r)
    if (!NT_SUCCESS(st)) return st
    full = r.value!.Name.replace(/\\$/, '') + '\\' + FileName
  } else if (FileName.startsWith('\\')) {
    full = mgr.io.ob.resolveLinks(FileName)
  } else {
    const r = ref<FLT_FILE_NAME_INFORMATION>()
    const st = yield* FltGetFileNameInformationUnsafe(FileObject, Instance, format | FLT_FILE_NAME_QUERY_DEFAULT, r)
    if (!NT_SUCCESS(st)) return st
    full = parentOf(r.value!.Name).parent + '\\' + FileName
  }
  if (!full.toUpperCase().startsWith(volume.toUpperCase())) return STATUS.STATUS_NOT_SAME_DEVICE
  if (format === FLT_FILE_NAME_NORMALIZED) {
    const { parent, final } = parentOf(full.slice(volume.length))
    const p = yield* normalizePath(Instance, parent)
    if (!NT_SUCCESS(p.status)) return p.status
    full = volume + (p.name.endsWith('\\') ? p.name : p.name + '\\') + final
  }
  RetFileNameInformation.value = makeName(format, volume, full)
  return STATUS.STATUS_SUCCESS
}

/**
 * FltGetTunneledName: in post-create, -rename or -link, the normalized name obtained in the
 * pre-operation callback may have been changed by tunneling; this returns the name the file
 * has now when it differs, and nothing when it does not.
 */
export function* FltGetTunneledName(CallbackData: FLT_CALLBACK_DATA, FileNameInformation: FLT_FILE_NAME_INFORMATION, RetTunneledFileNameInformation: Ref<FLT_FILE_NAME_INFORMATION>): Co<NTSTATUS> {
  RetTunneledFileNameInformation.value = undefined
  if (FileNameInformation.Format !== FLT_FILE_NAME_NORMALIZED) return STATUS.STATUS_INVALID_PARAMETER
  const now = ref<FLT_FILE_NAME_INFORMATION>()
  const st = yield* FltGetFileNameInformation(CallbackData, FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_FILESYSTEM_ONLY, now)
  if (!NT_SUCCESS(st)) return st
  if (now.value!.Name !== FileNameInformation.Name) RetTunneledFileNameInformation.value = now.value
  return STATUS.STATUS_SUCCESS
}

/** FltGetVolumeName: the volume's device name (two-call pattern: STATUS_BUFFER_TOO_SMALL without a buffer) */
export function FltGetVolumeName(Volume: { name: string }, VolumeName: Ref<string> | null, BufferSizeNeeded?: Ref<number> | null): NTSTATUS {
  if (BufferSizeNeeded) BufferSizeNeeded.value = Volume.name.length * 2
  if (!VolumeName) return STATUS.STATUS_BUFFER_TOO_SMALL
  VolumeName.value = Volume.name
  return STATUS.STATUS_SUCCESS
}
