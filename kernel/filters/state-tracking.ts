// A state-tracking filter, as encryption and DLP filters keep one: a mirror of the names, sizes
// and delete state of the files it has seen, kept up to date from post-operation callbacks —
// create (a new or overwritten file, delete-on-close), rename and hard link (with replace),
// disposition (delete and undelete), end of file and allocation (truncate and extend), writes
// that extend the file (FILE_WRITE_TO_END_OF_FILE included), and cleanup (the last handle of a
// file with a pending delete removes it). It updates its state naively, in the order the
// post-operation callbacks reach it — which is not always the order in which the file system
// did the operations (seed problem 2): a filter below that completes requests from a worker
// thread, or two threads' completions racing, reorder what it sees. Its view is published as
// `state` ({ [path]: { size, deletePending } }, paths from the volume root), and each change as
// a line of `log`. kernel/filters/state-tracking-checker.ts compares the view with the volume.
// Directories are not tracked. INF: altitude 370100 ("StateTracking Instance", FSFilter
// Activity Monitor), automatic attachment.

import {
  FltGetDestinationFileNameInformation,
  FltGetFileNameInformation,
  FltQueryInformationFile,
  FltRegisterFilter,
  FltReleaseFileNameInformation,
  FltStartFiltering,
  FltUnregisterFilter,
  FLT_FILE_NAME_NORMALIZED,
  FLT_FILE_NAME_QUERY_DEFAULT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  IRP_FLAGS,
  IRP_MJ,
  NT_SUCCESS,
  STATUS,
  ref,
  type Co,
  type FLT_CALLBACK_DATA,
  type FLT_FILE_NAME_INFORMATION,
  type FLT_RELATED_OBJECTS,
  type FilterDriverContext,
  type FilterModule,
  type NTSTATUS,
  type PFLT_FILTER,
  type Ref,
} from '../flt/index.ts'
import { BYTE_OFFSET_SPECIAL, CREATE_OPTIONS, FILE_DISPOSITION_FLAGS } from '../nt/file.ts'
import { FILE_INFORMATION_CLASS as C } from '../nt/infoclass.ts'
import { decodeRenameInformation, decodeRenameInformationEx } from '../rtl/structs/fileinfo.ts'

export const NAME = 'state-tracking'

export const INF: FilterModule['INF'] = {
  DefaultInstance: 'StateTracking Instance',
  Instances: [{ Name: 'StateTracking Instance', Altitude: '370100', Flags: 0 }],
}

/** what the filter believes of one file */
export interface TrackedFile {
  size: number
  deletePending: boolean
}

/** the published view: path from the volume root (`\dir\a.txt`) → what the filter believes */
export type TrackedState = Record<string, TrackedFile>

/** FILE_CREATE / open results (IoStatus.Information) that leave an empty file */
const EMPTY_RESULTS = new Set([0 /* FILE_SUPERSEDED */, 2 /* FILE_CREATED */, 3 /* FILE_OVERWRITTEN */])
const RENAMES = new Set<number>([C.FileRenameInformation, C.FileRenameInformationEx, C.FileRenameInformationBypassAccessCheck, C.FileRenameInformationExBypassAccessCheck])
const LINKS = new Set<number>([C.FileLinkInformation, C.FileLinkInformationBypassAccessCheck, C.FileLinkInformationEx])
const DISPOSITIONS = new Set<number>([C.FileDispositionInformation, C.FileDispositionInformationEx])
const SIZES = new Set<number>([C.FileEndOfFileInformation, C.FileAllocationInformation])

/** a volume-relative path, case kept as the file system reports it */
function relative(name: string): string {
  return name.replace(/^\\Device\\[^\\]+/, '') || '\\'
}

export function DriverEntry(ctx: FilterDriverContext): NTSTATUS {
  const filter = ref<PFLT_FILTER>()
  /** the view, by upper-cased path (NTFS names compare without case), with the path as seen */
  const files = new Map<string, { path: string } & TrackedFile>()
  /** the path of each stream the filter tracks (a stream context in C: FsContext → path) */
  const names = new Map<unknown, string>()
  /** open handles per tracked path (post-create successes minus post-cleanups) */
  const handles = new Map<string, number>()
  const log: string[] = []
  const key = (p: string): string => p.toUpperCase()

  const publish = (): void => {
    const state: TrackedState = {}
    for (const f of [...files.values()].sort((a, b) => (a.path < b.path ? -1 : 1))) state[f.path] = { size: f.size, deletePending: f.deletePending }
    ctx.publish('state', state)
    ctx.publish('log', log)
  }
  const note = (line: string): void => {
    log.push(line)
    publish()
  }
  publish()

  const fileOf = (o: FLT_RELATED_OBJECTS): ({ path: string } & TrackedFile) | undefined => {
    const p = o.FileObject ? names.get(o.FileObject.FsContext) : undefined
    return p === undefined ? undefined : files.get(key(p))
  }

  function* nameOf(Data: FLT_CALLBACK_DATA): Co<string | undefined> {
    const info = ref<FLT_FILE_NAME_INFORMATION>()
    if (!NT_SUCCESS(yield* FltGetFileNameInformation(Data, FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT, info))) return undefined
    const n = relative(info.value!.Name)
    FltReleaseFileNameInformation(info.value!)
    return n
  }

  // ---- create -----------------------------------------------------------------------------------

  function* PostCreate(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): Co<number> {
    const fo = FltObjects.FileObject
    if (!fo || !NT_SUCCESS(Data.IoStatus.Status) || Data.IoStatus.Status === STATUS.STATUS_REPARSE) return FLT_POSTOP_FINISHED_PROCESSING
    // FILE_STANDARD_INFORMATION: AllocationSize 0, EndOfFile 8, NumberOfLinks 16, DeletePending 20, Directory 21
    const std = new Uint8Array(24)
    if (!NT_SUCCESS(yield* FltQueryInformationFile(FltObjects.Instance, fo, std, 24, C.FileStandardInformation, null))) return FLT_POSTOP_FINISHED_PROCESSING
    if (std[21]) return FLT_POSTOP_FINISHED_PROCESSING
    const path = yield* nameOf(Data)
    if (path === undefined || path.includes(':')) return FLT_POSTOP_FINISHED_PROCESSING
    const size = Number(new DataView(std.buffer).getBigInt64(8, true))
    const fresh = EMPTY_RESULTS.has(Data.IoStatus.Information)
    names.set(fo.FsContext, path)
    handles.set(key(path), (handles.get(key(path)) ?? 0) + 1)
    const known = files.get(key(path))
    const deleteOnClose = (Data.Iopb.Parameters.Create.Options & CREATE_OPTIONS.FILE_DELETE_ON_CLOSE) !== 0
    if (!known || fresh) {
      files.set(key(path), { path, size: fresh ? 0 : size, deletePending: deleteOnClose || (known?.deletePending ?? false) })
      note(`create ${path}: ${fresh ? 'empty' : `${size} bytes`}${deleteOnClose ? ', delete on close' : ''}`)
    } else if (deleteOnClose && !known.deletePending) {
      known.deletePending = true
      note(`create ${path}: delete on close`)
    }
    return FLT_POSTOP_FINISHED_PROCESSING
  }

  // ---- set information: rename, link, disposition, sizes ------------------------------------------

  interface SetInfoContext {
    cls: number
    source: string
    target?: string
    replace?: boolean
    deleteFile?: boolean
    size?: number
  }

  function* PreSetInformation(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: Ref<unknown>): Co<number> {
    const f = fileOf(FltObjects)
    const p = Data.Iopb.Parameters.SetFileInformation
    const cls = p.FileInformationClass
    const buf = p.InfoBuffer
    if (!f || !buf || !FltObjects.FileObject) return FLT_PREOP_SUCCESS_NO_CALLBACK
    const c: SetInfoContext = { cls, source: f.path }
    if (RENAMES.has(cls) || LINKS.has(cls)) {
      const ex = cls === C.FileRenameInformationEx || cls === C.FileRenameInformationExBypassAccessCheck || cls === C.FileLinkInformationEx
      const r = ex ? decodeRenameInformationEx(buf) : decodeRenameInformation(buf)
      const target = ref<FLT_FILE_NAME_INFORMATION>()
      const st = yield* FltGetDestinationFileNameInformation(FltObjects.Instance, FltObjects.FileObject, r.RootDirectory || null, r.FileName, r.FileNameLength, FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT, target)
      if (!NT_SUCCESS(st)) return FLT_PREOP_SUCCESS_NO_CALLBACK
      c.target = relative(target.value!.Name)
      FltReleaseFileNameInformation(target.value!)
      // FILE_RENAME_REPLACE_IF_EXISTS is bit 0 of the Ex flags, as ReplaceIfExists is the first byte
      c.replace = 'ReplaceIfExists' in r ? r.ReplaceIfExists : (r.Flags & 1) !== 0
    } else if (DISPOSITIONS.has(cls)) {
      c.deleteFile = cls === C.FileDispositionInformation ? buf[0] !== 0 : (new DataView(buf.buffer, buf.byteOffset, 4).getUint32(0, true) & FILE_DISPOSITION_FLAGS.FILE_DISPOSITION_DELETE) !== 0
    } else if (SIZES.has(cls)) {
      c.size = Number(new DataView(buf.buffer, buf.byteOffset, 8).getBigInt64(0, true))
      // the lazy writer's end-of-file update (paging, AdvanceOnly) never moves the end back
      if (cls === C.FileEndOfFileInformation && p.AdvanceOnly) return FLT_PREOP_SUCCESS_NO_CALLBACK
    } else return FLT_PREOP_SUCCESS_NO_CALLBACK
    CompletionContext.value = c
    return FLT_PREOP_SUCCESS_WITH_CALLBACK
  }

  function PostSetInformation(Data: FLT_CALLBACK_DATA, _FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown): number {
    const c = CompletionContext as SetInfoContext | undefined
    if (!c || !NT_SUCCESS(Data.IoStatus.Status)) return FLT_POSTOP_FINISHED_PROCESSING
    const f = files.get(key(c.source))
    if (c.target !== undefined && RENAMES.has(c.cls)) {
      if (!f) return FLT_POSTOP_FINISHED_PROCESSING
      const replaced = files.get(key(c.target))
      files.delete(key(c.source))
      f.path = c.target
      files.set(key(c.target), f)
      for (const [fc, p] of names) if (key(p) === key(c.source)) names.set(fc, c.target)
      handles.set(key(c.target), handles.get(key(c.source)) ?? 0)
      handles.delete(key(c.source))
      note(`rename ${c.source} -> ${c.target}${replaced && key(c.target) !== key(c.source) ? ' (replacing it)' : ''}`)
    } else if (c.target !== undefined && LINKS.has(c.cls)) {
      if (!f) return FLT_POSTOP_FINISHED_PROCESSING
      files.set(key(c.target), { path: c.target, size: f.size, deletePending: false })
      note(`link ${c.target} to ${c.source}`)
    } else if (c.deleteFile !== undefined) {
      if (!f) return FLT_POSTOP_FINISHED_PROCESSING
      f.deletePending = c.deleteFile
      note(`${c.deleteFile ? 'delete' : 'undelete'} ${f.path}`)
    } else if (c.size !== undefined && f) {
      if (c.cls === C.FileEndOfFileInformation) {
        f.size = c.size
        note(`end of file ${f.path}: ${c.size}`)
      } else if (c.size < f.size) {
        f.size = c.size
        note(`allocation ${f.path}: ${c.size}, truncated`)
      }
    }
    return FLT_POSTOP_FINISHED_PROCESSING
  }

  // ---- writes -----------------------------------------------------------------------------------

  function PreWrite(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: Ref<unknown>): number {
    // paging writes never move the end of file
    if (Data.Iopb.IrpFlags & IRP_FLAGS.IRP_PAGING_IO || !fileOf(FltObjects)) return FLT_PREOP_SUCCESS_NO_CALLBACK
    CompletionContext.value = Data.Iopb.Parameters.Write.ByteOffset
    return FLT_PREOP_SUCCESS_WITH_CALLBACK
  }

  function PostWrite(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown): number {
    const f = fileOf(FltObjects)
    if (!f || !NT_SUCCESS(Data.IoStatus.Status)) return FLT_POSTOP_FINISHED_PROCESSING
    const n = Data.IoStatus.Information
    const offset = CompletionContext as number
    // an append lands at the end of file: the end the filter believes in when it hears of it
    const toEnd = offset === BYTE_OFFSET_SPECIAL.FILE_WRITE_TO_END_OF_FILE
    const end = (toEnd ? f.size : offset) + n
    if (end > f.size) {
      f.size = end
      note(`write ${f.path}: ${toEnd ? 'append' : `at ${offset}`} +${n}, size ${end}`)
    }
    return FLT_POSTOP_FINISHED_PROCESSING
  }

  // ---- cleanup: the last handle of a file with a pending delete -----------------------------------

  function PostCleanup(_Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): number {
    const f = fileOf(FltObjects)
    if (!f) return FLT_POSTOP_FINISHED_PROCESSING
    const left = (handles.get(key(f.path)) ?? 1) - 1
    handles.set(key(f.path), left)
    if (left <= 0 && f.deletePending) {
      files.delete(key(f.path))
      handles.delete(key(f.path))
      note(`deleted ${f.path}`)
    }
    return FLT_POSTOP_FINISHED_PROCESSING
  }

  let status = FltRegisterFilter(
    ctx.DriverObject,
    {
      OperationRegistration: [
        { MajorFunction: IRP_MJ.IRP_MJ_CREATE, PostOperation: PostCreate },
        { MajorFunction: IRP_MJ.IRP_MJ_SET_INFORMATION, PreOperation: PreSetInformation, PostOperation: PostSetInformation },
        { MajorFunction: IRP_MJ.IRP_MJ_WRITE, PreOperation: PreWrite, PostOperation: PostWrite },
        { MajorFunction: IRP_MJ.IRP_MJ_CLEANUP, PostOperation: PostCleanup },
      ],
      FilterUnloadCallback: () => {
        FltUnregisterFilter(filter.value!)
        return STATUS.STATUS_SUCCESS
      },
    },
    filter,
  )
  if (NT_SUCCESS(status)) status = FltStartFiltering(filter.value!)
  return status
}
