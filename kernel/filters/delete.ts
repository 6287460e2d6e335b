// The WDK delete sample as a built-in filter: it tells when a file or one of its alternate data
// streams is really deleted. A stream context records what may delete the stream: a create with
// FILE_DELETE_ON_CLOSE, a disposition set through FileDispositionInformation(Ex) (POSIX semantics
// and FILE_DISPOSITION_ON_CLOSE included), and disposition changes in flight (NumOps: a change
// that raced another gets no post-operation callback and leaves the count up, which keeps the
// stream under suspicion). Names are fetched in pre-cleanup (they cannot be had after it). In
// post-cleanup FltQueryInformationFile(FileStandardInformation) answering STATUS_FILE_DELETED
// means the stream is gone; for an alternate stream FSCTL_GET_OBJECT_ID then tells the whole
// file's deletion (STATUS_FILE_DELETED) from the stream's alone (STATUS_OBJECTID_NOT_FOUND or
// success). Each delete is reported once per stream (IsNotified): DbgPrint as the sample prints
// it, and a `deletes` list published for hosts and tests. Deleting one link of a file with
// several leaves the file, so nothing is reported; a disposition set and then cleared reports
// nothing. The transaction-aware part of the sample (KTM enlistment, open by file ID on ReFS) is
// not ported: the volumes here are NTFS without transactions.
// INF: altitude 370150 ("Delete Instance"), automatic attachment.

import {
  FltAllocateContext,
  FltFsControlFile,
  FltGetFileNameInformation,
  FltGetFileSystemType,
  FltGetStreamContext,
  FltIsVolumeWritable,
  FltParseFileNameInformation,
  FltQueryInformationFile,
  FltRegisterFilter,
  FltReleaseContext,
  FltReleaseFileNameInformation,
  FltSetStreamContext,
  FltStartFiltering,
  FltUnregisterFilter,
  FLT_FILE_NAME_OPENED,
  FLT_FILE_NAME_QUERY_DEFAULT,
  FLT_FSTYPE_NTFS,
  FLT_FSTYPE_REFS,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SYNCHRONIZE,
  FLT_REGISTRATION_VERSION,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FLT_STREAM_CONTEXT,
  FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO,
  IRP_MJ,
  NT_SUCCESS,
  NonPagedPool,
  STATUS,
  ref,
  type Co,
  type FLT_CALLBACK_DATA,
  type FLT_FILE_NAME_INFORMATION,
  type FLT_POSTOP_CALLBACK_STATUS,
  type FLT_PREOP_CALLBACK_STATUS,
  type FLT_REGISTRATION,
  type FLT_RELATED_OBJECTS,
  type FilterDriverContext,
  type FilterModule,
  type NTSTATUS,
  type PFLT_FILTER,
  type Ref,
} from '../flt/index.ts'
import type { FileObject } from '../io/file-object.ts'
import { CREATE_OPTIONS, FILE_DISPOSITION_FLAGS } from '../nt/file.ts'
import { FILE_INFORMATION_CLASS } from '../nt/infoclass.ts'
import { FSCTL } from '../nt/irp.ts'

export const NAME = 'delete'

export const INF: FilterModule['INF'] = {
  DefaultInstance: 'Delete Instance',
  Instances: [{ Name: 'Delete Instance', Altitude: '370150', Flags: 0 }],
}

/** DF_STREAM_CONTEXT */
export interface DF_STREAM_CONTEXT {
  /** the opened name, fetched in pre-cleanup */
  NameInfo: FLT_FILE_NAME_INFORMATION | undefined
  /** disposition changes in flight on the stream */
  NumOps: number
  /** set once the delete was reported */
  IsNotified: number
  /** the last successful disposition set asked for a delete */
  SetDisp: boolean
  /** the stream was opened with FILE_DELETE_ON_CLOSE (or FILE_DISPOSITION_ON_CLOSE set it) */
  DeleteOnClose: boolean
}

/** one delete as the filter reports it */
export interface DeleteReport {
  kind: 'file' | 'stream'
  /** the opened name (\Device\HarddiskVolume1\dir\a.txt or …\a.txt:s) */
  name: string
  fileObject: string
}

/** the sample's FILE_OBJECTID_BUFFER size */
const FILE_OBJECTID_BUFFER_SIZE = 64

export function DriverEntry(ctx: FilterDriverContext): NTSTATUS {
  const gFilterHandle = ref<PFLT_FILTER>()
  const deletes: DeleteReport[] = []
  ctx.publish('deletes', deletes)
  const DebugFlags = Number(ctx.Parameters['DebugFlags'] ?? 0)
  const DFDBG_TRACE_ERRORS = 0x00000001
  const DfDbgPrint = (level: number, text: string): void => {
    if (DebugFlags & level) ctx.DbgPrint(text)
  }

  // ---- instance setup -------------------------------------------------------------------------

  function DfInstanceSetup(FltObjects: FLT_RELATED_OBJECTS): NTSTATUS {
    const writable = ref<boolean>()
    let status = FltIsVolumeWritable(FltObjects.Volume, writable)
    if (!NT_SUCCESS(status) || !writable.value) return STATUS.STATUS_FLT_DO_NOT_ATTACH
    const fsType = ref<number>()
    status = FltGetFileSystemType(FltObjects.Volume, fsType)
    if (!NT_SUCCESS(status)) return status
    // only NTFS and ReFS can tell a stream delete from a file delete the way this filter asks
    if (fsType.value !== FLT_FSTYPE_NTFS && fsType.value !== FLT_FSTYPE_REFS) return STATUS.STATUS_FLT_DO_NOT_ATTACH
    return STATUS.STATUS_SUCCESS
  }

  // ---- contexts -------------------------------------------------------------------------------

  function DfAllocateContext(Context: Ref<DF_STREAM_CONTEXT>): NTSTATUS {
    const status = FltAllocateContext(gFilterHandle.value!, FLT_STREAM_CONTEXT, 0, NonPagedPool, Context)
    if (NT_SUCCESS(status)) Object.assign(Context.value!, { NameInfo: undefined, NumOps: 0, IsNotified: 0, SetDisp: false, DeleteOnClose: false })
    return status
  }

  /** DfSetContext: attaches the context, or hands back the one already there (referenced) */
  function DfSetContext(Instance: FLT_RELATED_OBJECTS['Instance'], FileObject: FileObject, Context: DF_STREAM_CONTEXT): { status: NTSTATUS; context: DF_STREAM_CONTEXT | undefined } {
    const old = ref<DF_STREAM_CONTEXT>()
    const status = FltSetStreamContext(Instance, FileObject, FLT_SET_CONTEXT_KEEP_IF_EXISTS, Context, old)
    if (status === STATUS.STATUS_FLT_CONTEXT_ALREADY_DEFINED) {
      FltReleaseContext(Context)
      return { status: STATUS.STATUS_SUCCESS, context: old.value }
    }
    if (!NT_SUCCESS(status)) {
      FltReleaseContext(Context)
      return { status, context: undefined }
    }
    return { status, context: Context }
  }

  /** DfGetOrSetContext: the stream's context, made when it has none */
  function DfGetOrSetContext(FltObjects: FLT_RELATED_OBJECTS): { status: NTSTATUS; context: DF_STREAM_CONTEXT | undefined } {
    const fo = FltObjects.FileObject!
    const got = ref<DF_STREAM_CONTEXT>()
    let status = FltGetStreamContext(FltObjects.Instance, fo, got)
    if (NT_SUCCESS(status)) return { status, context: got.value }
    if (status !== STATUS.STATUS_NOT_FOUND) return { status, context: undefined }
    const made = ref<DF_STREAM_CONTEXT>()
    status = DfAllocateContext(made)
    if (!NT_SUCCESS(status)) return { status, context: undefined }
    return DfSetContext(FltObjects.Instance, fo, made.value!)
  }

  function DfStreamContextCleanupCallback(Context: object): void {
    const c = Context as DF_STREAM_CONTEXT
    if (c.NameInfo) {
      FltReleaseFileNameInformation(c.NameInfo)
      c.NameInfo = undefined
    }
  }

  // ---- IRP_MJ_CREATE ----------------------------------------------------------------------------

  function DfPreCreateCallback(Data: FLT_CALLBACK_DATA, _FltObjects: FLT_RELATED_OBJECTS, CompletionContext: Ref<unknown>): FLT_PREOP_CALLBACK_STATUS {
    // only delete-on-close opens are interesting here; the context is made now and attached in post
    if (!(Data.Iopb.Parameters.Create.Options & CREATE_OPTIONS.FILE_DELETE_ON_CLOSE)) return FLT_PREOP_SUCCESS_NO_CALLBACK
    const context = ref<DF_STREAM_CONTEXT>()
    const status = DfAllocateContext(context)
    if (!NT_SUCCESS(status)) return FLT_PREOP_SUCCESS_NO_CALLBACK
    CompletionContext.value = context.value
    return FLT_PREOP_SYNCHRONIZE
  }

  function DfPostCreateCallback(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown): FLT_POSTOP_CALLBACK_STATUS {
    const context = CompletionContext as DF_STREAM_CONTEXT
    if (!NT_SUCCESS(Data.IoStatus.Status) || Data.IoStatus.Status === STATUS.STATUS_REPARSE) {
      FltReleaseContext(context)
      return FLT_POSTOP_FINISHED_PROCESSING
    }
    const r = DfSetContext(FltObjects.Instance, FltObjects.FileObject!, context)
    if (!NT_SUCCESS(r.status) || !r.context) {
      DfDbgPrint(DFDBG_TRACE_ERRORS, `delete!DfPostCreateCallback: Failed to set stream context (status 0x${(r.status >>> 0).toString(16)})`)
      return FLT_POSTOP_FINISHED_PROCESSING
    }
    r.context.DeleteOnClose = true
    FltReleaseContext(r.context)
    return FLT_POSTOP_FINISHED_PROCESSING
  }

  // ---- IRP_MJ_SET_INFORMATION -------------------------------------------------------------------

  function DfPreSetInfoCallback(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: Ref<unknown>): FLT_PREOP_CALLBACK_STATUS {
    const cls = Data.Iopb.Parameters.SetFileInformation.FileInformationClass
    if (cls !== FILE_INFORMATION_CLASS.FileDispositionInformation && cls !== FILE_INFORMATION_CLASS.FileDispositionInformationEx) return FLT_PREOP_SUCCESS_NO_CALLBACK
    const r = DfGetOrSetContext(FltObjects)
    if (!NT_SUCCESS(r.status) || !r.context) return FLT_PREOP_SUCCESS_NO_CALLBACK
    // Race detection: NumOps counts the disposition changes in flight. A change racing another
    // gets no post, so the count stays above zero, which keeps the stream checked at cleanup.
    const race = ++r.context.NumOps > 1
    if (race) {
      FltReleaseContext(r.context)
      return FLT_PREOP_SUCCESS_NO_CALLBACK
    }
    CompletionContext.value = r.context
    return FLT_PREOP_SYNCHRONIZE
  }

  function DfPostSetInfoCallback(Data: FLT_CALLBACK_DATA, _FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown): FLT_POSTOP_CALLBACK_STATUS {
    const streamContext = CompletionContext as DF_STREAM_CONTEXT
    const p = Data.Iopb.Parameters.SetFileInformation
    if (NT_SUCCESS(Data.IoStatus.Status) && p.InfoBuffer) {
      // not racing: the disposition now is what this request asked for
      if (p.FileInformationClass === FILE_INFORMATION_CLASS.FileDispositionInformationEx) {
        const flags = new DataView(p.InfoBuffer.buffer, p.InfoBuffer.byteOffset, p.InfoBuffer.byteLength).getUint32(0, true)
        const del = (flags & FILE_DISPOSITION_FLAGS.FILE_DISPOSITION_DELETE) !== 0
        if (flags & FILE_DISPOSITION_FLAGS.FILE_DISPOSITION_ON_CLOSE) streamContext.DeleteOnClose = del
        else streamContext.SetDisp = del
      } else {
        streamContext.SetDisp = p.InfoBuffer[0] !== 0
      }
    }
    streamContext.NumOps--
    FltReleaseContext(streamContext)
    return FLT_POSTOP_FINISHED_PROCESSING
  }

  // ---- IRP_MJ_CLEANUP ---------------------------------------------------------------------------

  function* DfGetFileNameInformation(Data: FLT_CALLBACK_DATA, StreamContext: DF_STREAM_CONTEXT): Co<NTSTATUS> {
    const nameInfo = ref<FLT_FILE_NAME_INFORMATION>()
    let status = yield* FltGetFileNameInformation(Data, FLT_FILE_NAME_OPENED | FLT_FILE_NAME_QUERY_DEFAULT, nameInfo)
    if (!NT_SUCCESS(status)) return status
    status = FltParseFileNameInformation(nameInfo.value!)
    if (!NT_SUCCESS(status)) {
      FltReleaseFileNameInformation(nameInfo.value!)
      return status
    }
    // another cleanup may have set one meanwhile: keep the first
    if (StreamContext.NameInfo) FltReleaseFileNameInformation(nameInfo.value!)
    else StreamContext.NameInfo = nameInfo.value
    return STATUS.STATUS_SUCCESS
  }

  function* DfPreCleanupCallback(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: Ref<unknown>): Co<FLT_PREOP_CALLBACK_STATUS> {
    const got = ref<DF_STREAM_CONTEXT>()
    const status = FltGetStreamContext(FltObjects.Instance, FltObjects.FileObject!, got)
    if (!NT_SUCCESS(status)) return FLT_PREOP_SUCCESS_NO_CALLBACK
    const streamContext = got.value!
    if (streamContext.NumOps > 0 || streamContext.SetDisp || streamContext.DeleteOnClose) {
      // names cannot be queried after cleanup: get it now
      if (!streamContext.NameInfo) {
        const st = yield* DfGetFileNameInformation(Data, streamContext)
        if (!NT_SUCCESS(st)) {
          DfDbgPrint(DFDBG_TRACE_ERRORS, `delete!DfPreCleanupCallback: failed to get file name information (status 0x${(st >>> 0).toString(16)})`)
          FltReleaseContext(streamContext)
          return FLT_PREOP_SUCCESS_NO_CALLBACK
        }
      }
      CompletionContext.value = streamContext
      return FLT_PREOP_SYNCHRONIZE
    }
    FltReleaseContext(streamContext)
    return FLT_PREOP_SUCCESS_NO_CALLBACK
  }

  /** DfIsFileDeleted: after a stream's delete, whether its whole file went too (FSCTL_GET_OBJECT_ID) */
  function* DfIsFileDeleted(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): Co<{ status: NTSTATUS; deleted: boolean }> {
    const out = new Uint8Array(FILE_OBJECTID_BUFFER_SIZE)
    const status = yield* FltFsControlFile(FltObjects.Instance, Data.Iopb.TargetFileObject!, FSCTL.FSCTL_GET_OBJECT_ID, null, 0, out, FILE_OBJECTID_BUFFER_SIZE, null)
    // no object ID, or one: the file is still there
    if (status === STATUS.STATUS_OBJECTID_NOT_FOUND || NT_SUCCESS(status)) return { status: STATUS.STATUS_SUCCESS, deleted: false }
    if (status === STATUS.STATUS_FILE_DELETED) return { status: STATUS.STATUS_SUCCESS, deleted: true }
    return { status, deleted: false }
  }

  function DfNotifyDelete(kind: 'file' | 'stream', StreamContext: DF_STREAM_CONTEXT, FileObject: FileObject): void {
    const name = StreamContext.NameInfo?.Name ?? ''
    ctx.DbgPrint(kind === 'file' ? `A file "${name}" (FO${FileObject.id}) has been deleted!` : `An alternate data stream "${name}" (FO${FileObject.id}) has been deleted!`)
    deletes.push({ kind, name, fileObject: `FO${FileObject.id}` })
  }

  function* DfProcessDelete(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, StreamContext: DF_STREAM_CONTEXT): Co<NTSTATUS> {
    // report each stream once: later cleanups of other handles see the same deleted stream
    if (++StreamContext.IsNotified > 1) return STATUS.STATUS_SUCCESS
    const fo = Data.Iopb.TargetFileObject!
    if (StreamContext.NameInfo && StreamContext.NameInfo.Stream.length > 0) {
      // an alternate stream went: did the file go with it?
      const r = yield* DfIsFileDeleted(Data, FltObjects)
      if (!NT_SUCCESS(r.status)) return r.status
      DfNotifyDelete(r.deleted ? 'file' : 'stream', StreamContext, fo)
      return STATUS.STATUS_SUCCESS
    }
    // the default stream cannot go without its file
    DfNotifyDelete('file', StreamContext, fo)
    return STATUS.STATUS_SUCCESS
  }

  function* DfPostCleanupCallback(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown): Co<FLT_POSTOP_CALLBACK_STATUS> {
    const streamContext = CompletionContext as DF_STREAM_CONTEXT
    try {
      if (!NT_SUCCESS(Data.IoStatus.Status)) return FLT_POSTOP_FINISHED_PROCESSING
      if ((streamContext.NumOps > 0 || streamContext.SetDisp || streamContext.DeleteOnClose) && streamContext.IsNotified === 0) {
        const info = new Uint8Array(24)
        const status = yield* FltQueryInformationFile(FltObjects.Instance, Data.Iopb.TargetFileObject!, info, info.length, FILE_INFORMATION_CLASS.FileStandardInformation, null)
        // STATUS_FILE_DELETED: this cleanup deleted the stream
        if (status === STATUS.STATUS_FILE_DELETED) {
          const st = yield* DfProcessDelete(Data, FltObjects, streamContext)
          if (!NT_SUCCESS(st)) DfDbgPrint(DFDBG_TRACE_ERRORS, `delete!DfPostCleanupCallback: failed to process the delete (status 0x${(st >>> 0).toString(16)})`)
        }
      }
      return FLT_POSTOP_FINISHED_PROCESSING
    } finally {
      FltReleaseContext(streamContext)
    }
  }

  function DfUnload(): NTSTATUS {
    FltUnregisterFilter(gFilterHandle.value!)
    return STATUS.STATUS_SUCCESS
  }

  const FilterRegistration: FLT_REGISTRATION = {
    Version: FLT_REGISTRATION_VERSION,
    Flags: 0,
    ContextRegistration: [{ ContextType: FLT_STREAM_CONTEXT, Flags: 0, ContextCleanupCallback: DfStreamContextCleanupCallback, Size: 0, PoolTag: 'cSfD' }],
    OperationRegistration: [
      { MajorFunction: IRP_MJ.IRP_MJ_CREATE, Flags: 0, PreOperation: DfPreCreateCallback, PostOperation: DfPostCreateCallback },
      { MajorFunction: IRP_MJ.IRP_MJ_SET_INFORMATION, Flags: FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO, PreOperation: DfPreSetInfoCallback, PostOperation: DfPostSetInfoCallback },
      { MajorFunction: IRP_MJ.IRP_MJ_CLEANUP, Flags: 0, PreOperation: DfPreCleanupCallback, PostOperation: DfPostCleanupCallback },
      { MajorFunction: 0x80 /* IRP_MJ_OPERATION_END */ },
    ],
    FilterUnloadCallback: DfUnload,
    InstanceSetupCallback: DfInstanceSetup,
    InstanceQueryTeardownCallback: () => STATUS.STATUS_SUCCESS,
  }

  let status = FltRegisterFilter(ctx.DriverObject, FilterRegistration, gFilterHandle)
  if (NT_SUCCESS(status)) {
    status = FltStartFiltering(gFilterHandle.value!)
    if (!NT_SUCCESS(status)) FltUnregisterFilter(gFilterHandle.value!)
  }
  return status
}
