// The WDK ctx sample as a built-in filter: the life cycle of the four kinds of context.
// - InstanceSetup attaches an instance context holding the volume name (FltGetVolumeName's
//   two-call pattern).
// - Post-create finds or creates the stream context (shared by every file object on the stream;
//   it counts creates, cleanups and closes), creates or replaces a stream-handle context (one per
//   file object) and finds or creates a file context (shared by the file's streams), each holding
//   the normalized name.
// - Pre-cleanup and pre-close bump the stream context's counts; a rename's post-operation
//   refreshes the names in all three.
// - One cleanup callback (CtxContextCleanup) runs when Filter Manager frees a context: the handle
//   context at the file object's IRP_MJ_CLOSE, the stream and file contexts when their last file
//   object goes, all of them at instance teardown.
// The sample's DebugTrace lines go to DbgPrint when `DebugLevel` has their bit; every context
// event is also published as `log` (CtxLogEntry), which is what its DbgPrints tell.
// INF: instance "Ctx" at 370070, automatic attachment.

import {
  DbgPrint,
  FltAllocateContext,
  FltGetFileContext,
  FltGetFileNameInformation,
  FltGetInstanceContext,
  FltGetStreamContext,
  FltGetVolumeName,
  FltParseFileNameInformation,
  FltRegisterFilter,
  FltReleaseContext,
  FltReleaseFileNameInformation,
  FltSetFileContext,
  FltSetInstanceContext,
  FltSetStreamContext,
  FltSetStreamHandleContext,
  FltStartFiltering,
  FltUnregisterFilter,
  FLT_CONTEXT_END,
  FLT_FILE_CONTEXT,
  FLT_FILE_NAME_NORMALIZED,
  FLT_FILE_NAME_QUERY_DEFAULT,
  FLT_INSTANCE_CONTEXT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_PREOP_SYNCHRONIZE,
  FLT_REGISTRATION_VERSION,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FLT_SET_CONTEXT_REPLACE_IF_EXISTS,
  FLT_STREAM_CONTEXT,
  FLT_STREAMHANDLE_CONTEXT,
  FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO,
  IRP_MJ,
  NT_SUCCESS,
  STATUS,
  ref,
  type Co,
  type FLT_CALLBACK_DATA,
  type FLT_FILE_NAME_INFORMATION,
  type FLT_REGISTRATION,
  type FLT_RELATED_OBJECTS,
  type FilterDriverContext,
  type FilterModule,
  type FltInstance,
  type FltVolume,
  type NTSTATUS,
  type PFLT_FILTER,
  type Ref,
} from '../flt/index.ts'
import { FILE_INFORMATION_CLASS } from '../nt/infoclass.ts'

export const NAME = 'ctx'

export const INF: FilterModule['INF'] = {
  DefaultInstance: 'Ctx',
  Instances: [{ Name: 'Ctx', Altitude: '370070', Flags: 0 }],
}

/** DEBUG_TRACE_* (CtxProc.h): the bits of the DebugLevel parameter */
export const DEBUG_TRACE_ERROR = 0x00000001
export const DEBUG_TRACE_LOAD_UNLOAD = 0x00000002
export const DEBUG_TRACE_INSTANCES = 0x00000004
export const DEBUG_TRACE_INSTANCE_CONTEXT_OPERATIONS = 0x00000008
export const DEBUG_TRACE_FILE_CONTEXT_OPERATIONS = 0x00000010
export const DEBUG_TRACE_STREAM_CONTEXT_OPERATIONS = 0x00000020
export const DEBUG_TRACE_STREAMHANDLE_CONTEXT_OPERATIONS = 0x00000040
export const DEBUG_TRACE_ALL_IO = 0x00000080
export const DEBUG_TRACE_ALL = 0xffffffff

/** CTX_INSTANCE_CONTEXT */
export interface CTX_INSTANCE_CONTEXT {
  Id: number
  Instance: FltInstance
  Volume: FltVolume
  VolumeName: string
}
/** CTX_FILE_CONTEXT */
export interface CTX_FILE_CONTEXT {
  Id: number
  FileName: string
}
/** CTX_STREAM_CONTEXT */
export interface CTX_STREAM_CONTEXT {
  Id: number
  FileName: string
  CreateCount: number
  CleanupCount: number
  CloseCount: number
}
/** CTX_STREAMHANDLE_CONTEXT */
export interface CTX_STREAMHANDLE_CONTEXT {
  Id: number
  FileName: string
}

export type CtxContextKind = 'instance' | 'file' | 'stream' | 'streamHandle'

/** one line of the published log: what the sample's DebugTrace says about a context */
export interface CtxLogEntry {
  /** created (allocated and set), found (an existing one looked up), replaced (a handle context set over another), renamed, cleanup (freed) */
  event: 'created' | 'found' | 'replaced' | 'renamed' | 'cleanup'
  kind: CtxContextKind
  /** the context's number (the sample prints its address) */
  context: number
  /** the volume name (instance) or the file name */
  name: string
  /** the operation that did it (IRP_MJ_CREATE, IRP_MJ_SET_INFORMATION …; teardown-time cleanups say where they ran) */
  in: string
  /** stream contexts: the counts at that moment */
  counts?: { CreateCount: number; CleanupCount: number; CloseCount: number }
}

const KIND_BY_TYPE: Record<number, CtxContextKind> = {
  [FLT_INSTANCE_CONTEXT]: 'instance',
  [FLT_FILE_CONTEXT]: 'file',
  [FLT_STREAM_CONTEXT]: 'stream',
  [FLT_STREAMHANDLE_CONTEXT]: 'streamHandle',
}

/** DriverEntry: registers the four context types with one cleanup routine, then starts filtering */
export function DriverEntry(ctx: FilterDriverContext): NTSTATUS {
  /** CTX_GLOBAL_DATA */
  const Globals = { Filter: ref<PFLT_FILTER>(), DebugLevel: Number(ctx.Parameters['DebugLevel'] ?? DEBUG_TRACE_ERROR) >>> 0 }
  const log: CtxLogEntry[] = []
  ctx.publish('log', log)
  let nextId = 1
  /** where the running callback is, for the log */
  let current = 'DriverEntry'

  const DebugTrace = (Level: number, text: string): void => {
    if (Level & Globals.DebugLevel) DbgPrint(text)
  }
  const counts = (s: CTX_STREAM_CONTEXT) => ({ CreateCount: s.CreateCount, CleanupCount: s.CleanupCount, CloseCount: s.CloseCount })
  const countsText = (s: CTX_STREAM_CONTEXT) => `CreateCount = ${s.CreateCount}, CleanupCount = ${s.CleanupCount}, CloseCount = ${s.CloseCount}`

  /** CtxContextCleanup: the one cleanup routine of every context type */
  function CtxContextCleanup(Context: object, ContextType: number): void {
    const kind = KIND_BY_TYPE[ContextType]
    if (!kind) return
    switch (ContextType) {
      case FLT_INSTANCE_CONTEXT: {
        const c = Context as CTX_INSTANCE_CONTEXT
        DebugTrace(DEBUG_TRACE_INSTANCE_CONTEXT_OPERATIONS, `[Ctx]: Cleaning up instance context for volume ${c.VolumeName} (Context = #${c.Id})`)
        log.push({ event: 'cleanup', kind, context: c.Id, name: c.VolumeName, in: current })
        DebugTrace(DEBUG_TRACE_INSTANCE_CONTEXT_OPERATIONS, '[Ctx]: Instance context cleanup complete.')
        break
      }
      case FLT_FILE_CONTEXT: {
        const c = Context as CTX_FILE_CONTEXT
        DebugTrace(DEBUG_TRACE_FILE_CONTEXT_OPERATIONS, `[Ctx]: Cleaning up file context for file ${c.FileName} (FileContext = #${c.Id})`)
        log.push({ event: 'cleanup', kind, context: c.Id, name: c.FileName, in: current })
        DebugTrace(DEBUG_TRACE_FILE_CONTEXT_OPERATIONS, '[Ctx]: File context cleanup complete.')
        break
      }
      case FLT_STREAM_CONTEXT: {
        const c = Context as CTX_STREAM_CONTEXT
        DebugTrace(DEBUG_TRACE_STREAM_CONTEXT_OPERATIONS, `[Ctx]: Cleaning up stream context for file ${c.FileName} (StreamContext = #${c.Id}) ${countsText(c)}`)
        log.push({ event: 'cleanup', kind, context: c.Id, name: c.FileName, in: current, counts: counts(c) })
        DebugTrace(DEBUG_TRACE_STREAM_CONTEXT_OPERATIONS, '[Ctx]: Stream context cleanup complete.')
        break
      }
      case FLT_STREAMHANDLE_CONTEXT: {
        const c = Context as CTX_STREAMHANDLE_CONTEXT
        DebugTrace(DEBUG_TRACE_STREAMHANDLE_CONTEXT_OPERATIONS, `[Ctx]: Cleaning up stream handle context for file ${c.FileName} (StreamContext = #${c.Id})`)
        log.push({ event: 'cleanup', kind, context: c.Id, name: c.FileName, in: current })
        DebugTrace(DEBUG_TRACE_STREAMHANDLE_CONTEXT_OPERATIONS, '[Ctx]: Stream handle context cleanup complete.')
        break
      }
    }
  }

  /** CtxInstanceSetup: allocates the instance context and stores the volume name in it */
  function CtxInstanceSetup(FltObjects: FLT_RELATED_OBJECTS): NTSTATUS {
    current = 'InstanceSetup'
    DebugTrace(DEBUG_TRACE_INSTANCES, `[Ctx]: Instance setup started (Volume = ${FltObjects.Volume.name}, Instance = ${FltObjects.Instance.name})`)
    const instanceContext = ref<CTX_INSTANCE_CONTEXT>()
    let status = FltAllocateContext(FltObjects.Filter, FLT_INSTANCE_CONTEXT, 0, 0, instanceContext)
    if (!NT_SUCCESS(status)) {
      DebugTrace(DEBUG_TRACE_INSTANCE_CONTEXT_OPERATIONS | DEBUG_TRACE_ERROR, `[Ctx]: Failed to allocate instance context (Status = 0x${(status >>> 0).toString(16)})`)
      return status
    }
    const c = instanceContext.value!
    // the volume name's length first (STATUS_BUFFER_TOO_SMALL is what the sample expects), then the name
    const volumeNameLength = ref<number>()
    status = FltGetVolumeName(FltObjects.Volume, null, volumeNameLength)
    if (status !== STATUS.STATUS_BUFFER_TOO_SMALL) {
      DebugTrace(DEBUG_TRACE_INSTANCE_CONTEXT_OPERATIONS | DEBUG_TRACE_ERROR, `[Ctx]: Unexpected failure in FltGetVolumeName. (Status = 0x${(status >>> 0).toString(16)})`)
      FltReleaseContext(c)
      return status
    }
    const volumeName = ref<string>()
    status = FltGetVolumeName(FltObjects.Volume, volumeName, volumeNameLength)
    if (!NT_SUCCESS(status)) {
      FltReleaseContext(c)
      return status
    }
    Object.assign(c, { Id: nextId++, Instance: FltObjects.Instance, Volume: FltObjects.Volume, VolumeName: volumeName.value! })
    DebugTrace(DEBUG_TRACE_INSTANCE_CONTEXT_OPERATIONS, `[Ctx]: Setting instance context #${c.Id} for volume ${c.VolumeName}`)
    status = FltSetInstanceContext(FltObjects.Instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, c, null)
    if (NT_SUCCESS(status)) log.push({ event: 'created', kind: 'instance', context: c.Id, name: c.VolumeName, in: current })
    else DebugTrace(DEBUG_TRACE_INSTANCES | DEBUG_TRACE_ERROR, `[Ctx]: Failed to set instance context for volume ${c.VolumeName} (Status = 0x${(status >>> 0).toString(16)})`)
    // the set took its own reference (or failed and the context goes now)
    FltReleaseContext(c)
    DebugTrace(DEBUG_TRACE_INSTANCES, `[Ctx]: Instance setup complete (Status = 0x${(status >>> 0).toString(16)})`)
    return status
  }

  function CtxInstanceQueryTeardown(): NTSTATUS {
    DebugTrace(DEBUG_TRACE_INSTANCES, '[Ctx]: Instance query teadown ended')
    return STATUS.STATUS_SUCCESS
  }
  function CtxInstanceTeardownStart(FltObjects: FLT_RELATED_OBJECTS): void {
    current = 'InstanceTeardown'
    DebugTrace(DEBUG_TRACE_INSTANCES, `[Ctx]: Instance teardown start ended (Instance = ${FltObjects.Instance.name})`)
  }
  function CtxInstanceTeardownComplete(FltObjects: FLT_RELATED_OBJECTS): void {
    current = 'InstanceTeardown'
    DebugTrace(DEBUG_TRACE_INSTANCES, `[Ctx]: Instance teardown complete ended (Instance = ${FltObjects.Instance.name})`)
  }
  function CtxUnload(): NTSTATUS {
    DebugTrace(DEBUG_TRACE_LOAD_UNLOAD, '[Ctx]: Unloading driver')
    current = 'Unload'
    FltUnregisterFilter(Globals.Filter.value!)
    return STATUS.STATUS_SUCCESS
  }

  // ---- context.c -------------------------------------------------------------------------------

  /** CtxFindOrCreateStreamContext: the stream's context; a new one when none is there and CreateIfNotFound */
  function CtxFindOrCreateStreamContext(Cbd: FLT_CALLBACK_DATA, CreateIfNotFound: boolean, StreamContext: Ref<CTX_STREAM_CONTEXT>, ContextCreated: Ref<boolean>): NTSTATUS {
    ContextCreated.value = false
    const fo = Cbd.Iopb.TargetFileObject!
    let status = FltGetStreamContext(Cbd.Iopb.TargetInstance!, fo, StreamContext)
    if (NT_SUCCESS(status)) {
      log.push({ event: 'found', kind: 'stream', context: StreamContext.value!.Id, name: StreamContext.value!.FileName, in: current, counts: counts(StreamContext.value!) })
      return status
    }
    if (status !== STATUS.STATUS_NOT_FOUND || !CreateIfNotFound) return status
    const created = ref<CTX_STREAM_CONTEXT>()
    status = FltAllocateContext(Globals.Filter.value!, FLT_STREAM_CONTEXT, 0, 0, created)
    if (!NT_SUCCESS(status)) return status
    Object.assign(created.value!, { Id: nextId++, FileName: '', CreateCount: 0, CleanupCount: 0, CloseCount: 0 })
    // another thread may have set one since the lookup: keep theirs
    const old = ref<CTX_STREAM_CONTEXT>()
    status = FltSetStreamContext(Cbd.Iopb.TargetInstance!, fo, FLT_SET_CONTEXT_KEEP_IF_EXISTS, created.value!, old)
    if (!NT_SUCCESS(status)) {
      FltReleaseContext(created.value!)
      if (status !== STATUS.STATUS_FLT_CONTEXT_ALREADY_DEFINED) return status
      StreamContext.value = old.value
      return STATUS.STATUS_SUCCESS
    }
    StreamContext.value = created.value
    ContextCreated.value = true
    return status
  }

  /** CtxCreateOrReplaceStreamHandleContext: a new handle context, set over any one the file object has */
  function CtxCreateOrReplaceStreamHandleContext(Cbd: FLT_CALLBACK_DATA, ReplaceIfExists: boolean, StreamHandleContext: Ref<CTX_STREAMHANDLE_CONTEXT>, ContextReplaced: Ref<boolean>): NTSTATUS {
    ContextReplaced.value = false
    const created = ref<CTX_STREAMHANDLE_CONTEXT>()
    let status = FltAllocateContext(Globals.Filter.value!, FLT_STREAMHANDLE_CONTEXT, 0, 0, created)
    if (!NT_SUCCESS(status)) return status
    Object.assign(created.value!, { Id: nextId++, FileName: '' })
    const old = ref<CTX_STREAMHANDLE_CONTEXT>()
    status = FltSetStreamHandleContext(Cbd.Iopb.TargetInstance!, Cbd.Iopb.TargetFileObject!, ReplaceIfExists ? FLT_SET_CONTEXT_REPLACE_IF_EXISTS : FLT_SET_CONTEXT_KEEP_IF_EXISTS, created.value!, old)
    if (!NT_SUCCESS(status)) {
      FltReleaseContext(created.value!)
      return status
    }
    if (ReplaceIfExists && old.value) {
      ContextReplaced.value = true
      FltReleaseContext(old.value)
    }
    StreamHandleContext.value = created.value
    return status
  }

  /** CtxFindOrCreateFileContext: the file's context (named FileName when created) */
  function CtxFindOrCreateFileContext(Cbd: FLT_CALLBACK_DATA, CreateIfNotFound: boolean, FileName: string | null, FileContext: Ref<CTX_FILE_CONTEXT>, ContextCreated: Ref<boolean>): NTSTATUS {
    ContextCreated.value = false
    const fo = Cbd.Iopb.TargetFileObject!
    let status = FltGetFileContext(Cbd.Iopb.TargetInstance!, fo, FileContext)
    if (NT_SUCCESS(status)) {
      log.push({ event: 'found', kind: 'file', context: FileContext.value!.Id, name: FileContext.value!.FileName, in: current })
      return status
    }
    if (status !== STATUS.STATUS_NOT_FOUND || !CreateIfNotFound) return status
    const created = ref<CTX_FILE_CONTEXT>()
    status = FltAllocateContext(Globals.Filter.value!, FLT_FILE_CONTEXT, 0, 0, created)
    if (!NT_SUCCESS(status)) return status
    Object.assign(created.value!, { Id: nextId++, FileName: FileName ?? '' })
    const old = ref<CTX_FILE_CONTEXT>()
    status = FltSetFileContext(Cbd.Iopb.TargetInstance!, fo, FLT_SET_CONTEXT_KEEP_IF_EXISTS, created.value!, old)
    if (!NT_SUCCESS(status)) {
      FltReleaseContext(created.value!)
      if (status !== STATUS.STATUS_FLT_CONTEXT_ALREADY_DEFINED) return status
      FileContext.value = old.value
      return STATUS.STATUS_SUCCESS
    }
    FileContext.value = created.value
    ContextCreated.value = true
    log.push({ event: 'created', kind: 'file', context: created.value!.Id, name: created.value!.FileName, in: current })
    return status
  }

  // ---- operations.c ----------------------------------------------------------------------------

  /** CtxPreCreate: a post-operation callback, to put the contexts on the opened objects */
  function CtxPreCreate(): number {
    return FLT_PREOP_SUCCESS_WITH_CALLBACK
  }

  /** CtxPostCreate: stream context (create count, name), a new stream-handle context, the file context */
  function* CtxPostCreate(Cbd: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): Co<number> {
    current = 'IRP_MJ_CREATE'
    if (!NT_SUCCESS(Cbd.IoStatus.Status)) return FLT_POSTOP_FINISHED_PROCESSING
    const nameInfo = ref<FLT_FILE_NAME_INFORMATION>()
    let status = yield* FltGetFileNameInformation(Cbd, FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT, nameInfo)
    if (!NT_SUCCESS(status)) {
      DebugTrace(DEBUG_TRACE_ERROR | DEBUG_TRACE_STREAM_CONTEXT_OPERATIONS, `[Ctx]: CtxPostCreate -> Failed to get name information (FileObject = ${FltObjects.FileObject?.id})`)
      return FLT_POSTOP_FINISHED_PROCESSING
    }
    const name = nameInfo.value!
    FltParseFileNameInformation(name)
    const streamContext = ref<CTX_STREAM_CONTEXT>()
    const streamHandleContext = ref<CTX_STREAMHANDLE_CONTEXT>()
    const fileContext = ref<CTX_FILE_CONTEXT>()
    try {
      const streamContextCreated = ref<boolean>()
      status = CtxFindOrCreateStreamContext(Cbd, true, streamContext, streamContextCreated)
      if (!NT_SUCCESS(status)) {
        // most likely stream contexts are not supported on this object
        DebugTrace(DEBUG_TRACE_ERROR | DEBUG_TRACE_STREAM_CONTEXT_OPERATIONS, `[Ctx]: CtxPostCreate -> Failed to find or create stream context (status 0x${(status >>> 0).toString(16)})`)
        return FLT_POSTOP_FINISHED_PROCESSING
      }
      const s = streamContext.value!
      s.CreateCount++
      s.FileName = name.Name
      if (streamContextCreated.value) log.push({ event: 'created', kind: 'stream', context: s.Id, name: s.FileName, in: current, counts: counts(s) })
      DebugTrace(DEBUG_TRACE_STREAM_CONTEXT_OPERATIONS, `[Ctx]: CtxPostCreate -> Stream context info for file ${name.Name} (StreamContext = #${s.Id}, created = ${streamContextCreated.value}) ${countsText(s)}`)

      const replaced = ref<boolean>()
      status = CtxCreateOrReplaceStreamHandleContext(Cbd, true, streamHandleContext, replaced)
      if (!NT_SUCCESS(status)) {
        DebugTrace(DEBUG_TRACE_ERROR | DEBUG_TRACE_STREAMHANDLE_CONTEXT_OPERATIONS, `[Ctx]: CtxPostCreate -> Failed to find or create stream handle context (status 0x${(status >>> 0).toString(16)})`)
        return FLT_POSTOP_FINISHED_PROCESSING
      }
      const h = streamHandleContext.value!
      h.FileName = name.Name
      log.push({ event: replaced.value ? 'replaced' : 'created', kind: 'streamHandle', context: h.Id, name: h.FileName, in: current })
      DebugTrace(DEBUG_TRACE_STREAMHANDLE_CONTEXT_OPERATIONS, `[Ctx]: CtxPostCreate -> Stream handle context info for file ${name.Name} (StreamHandleContext = #${h.Id}, replaced = ${replaced.value})`)

      // the file context is named without the stream part: Name minus Stream
      const fileName = name.Name.slice(0, name.Name.length - name.Stream.length)
      const fileContextCreated = ref<boolean>()
      status = CtxFindOrCreateFileContext(Cbd, true, fileName, fileContext, fileContextCreated)
      if (!NT_SUCCESS(status)) {
        DebugTrace(DEBUG_TRACE_ERROR | DEBUG_TRACE_FILE_CONTEXT_OPERATIONS, `[Ctx]: CtxPostCreate -> Failed to find or create file context (status 0x${(status >>> 0).toString(16)})`)
        return FLT_POSTOP_FINISHED_PROCESSING
      }
      DebugTrace(DEBUG_TRACE_FILE_CONTEXT_OPERATIONS, `[Ctx]: CtxPostCreate -> File context info for file ${name.Name} (FileContext = #${fileContext.value!.Id}, created = ${fileContextCreated.value}) Name = ${fileContext.value!.FileName}`)
      return FLT_POSTOP_FINISHED_PROCESSING
    } finally {
      FltReleaseFileNameInformation(name)
      if (fileContext.value) FltReleaseContext(fileContext.value)
      if (streamContext.value) FltReleaseContext(streamContext.value)
      if (streamHandleContext.value) FltReleaseContext(streamHandleContext.value)
    }
  }

  /** CtxPreCleanup: the stream context's cleanup count (an operation that never fails) */
  function CtxPreCleanup(Cbd: FLT_CALLBACK_DATA): number {
    current = 'IRP_MJ_CLEANUP'
    const streamContext = ref<CTX_STREAM_CONTEXT>()
    const created = ref<boolean>()
    if (NT_SUCCESS(CtxFindOrCreateStreamContext(Cbd, false, streamContext, created))) {
      const s = streamContext.value!
      s.CleanupCount++
      DebugTrace(DEBUG_TRACE_STREAM_CONTEXT_OPERATIONS, `[Ctx]: CtxPreCleanup -> New info in stream context for file ${s.FileName} (StreamContext = #${s.Id}) ${countsText(s)}`)
      FltReleaseContext(s)
    } else DebugTrace(DEBUG_TRACE_ERROR | DEBUG_TRACE_STREAM_CONTEXT_OPERATIONS, '[Ctx]: CtxPreCleanup -> Failed to find stream context')
    return FLT_PREOP_SUCCESS_NO_CALLBACK
  }

  /** CtxPreClose: the stream context's close count; Filter Manager frees the handle context after the close */
  function CtxPreClose(Cbd: FLT_CALLBACK_DATA): number {
    current = 'IRP_MJ_CLOSE'
    const streamContext = ref<CTX_STREAM_CONTEXT>()
    const created = ref<boolean>()
    if (NT_SUCCESS(CtxFindOrCreateStreamContext(Cbd, false, streamContext, created))) {
      const s = streamContext.value!
      s.CloseCount++
      DebugTrace(DEBUG_TRACE_STREAM_CONTEXT_OPERATIONS, `[Ctx]: CtxPreClose -> New info in stream context for file ${s.FileName} (StreamContext = #${s.Id}) ${countsText(s)}`)
      FltReleaseContext(s)
    } else DebugTrace(DEBUG_TRACE_ERROR | DEBUG_TRACE_STREAM_CONTEXT_OPERATIONS, '[Ctx]: CtxPreClose -> Failed to find stream context')
    return FLT_PREOP_SUCCESS_NO_CALLBACK
  }

  /** CtxPreSetInfo: only renames get a post-operation callback, synchronized to this thread */
  function CtxPreSetInfo(Cbd: FLT_CALLBACK_DATA): number {
    const cls = Cbd.Iopb.Parameters.SetFileInformation.FileInformationClass
    if (cls !== FILE_INFORMATION_CLASS.FileRenameInformation && cls !== FILE_INFORMATION_CLASS.FileRenameInformationEx) return FLT_PREOP_SUCCESS_NO_CALLBACK
    return FLT_PREOP_SYNCHRONIZE
  }

  /** CtxPostSetInfo: after a rename, the new name in the stream, stream-handle and file contexts */
  function* CtxPostSetInfo(Cbd: FLT_CALLBACK_DATA): Co<number> {
    current = 'IRP_MJ_SET_INFORMATION'
    if (!NT_SUCCESS(Cbd.IoStatus.Status)) return FLT_POSTOP_FINISHED_PROCESSING
    const instanceContext = ref<CTX_INSTANCE_CONTEXT>()
    let status = FltGetInstanceContext(Cbd.Iopb.TargetInstance!, instanceContext)
    if (!NT_SUCCESS(status)) {
      DebugTrace(DEBUG_TRACE_INSTANCE_CONTEXT_OPERATIONS | DEBUG_TRACE_ERROR, '[Ctx]: CtxPostSetInfo -> Failed to get instance context')
      return FLT_POSTOP_FINISHED_PROCESSING
    }
    DebugTrace(DEBUG_TRACE_INSTANCE_CONTEXT_OPERATIONS, `[Ctx]: CtxPostSetInfo -> Instance context for volume ${instanceContext.value!.VolumeName}`)
    FltReleaseContext(instanceContext.value!)
    const nameInfo = ref<FLT_FILE_NAME_INFORMATION>()
    status = yield* FltGetFileNameInformation(Cbd, FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT, nameInfo)
    if (!NT_SUCCESS(status)) return FLT_POSTOP_FINISHED_PROCESSING
    const name = nameInfo.value!
    FltParseFileNameInformation(name)
    const fo = Cbd.Iopb.TargetFileObject!
    const streamContext = ref<CTX_STREAM_CONTEXT>()
    const created = ref<boolean>()
    if (NT_SUCCESS(CtxFindOrCreateStreamContext(Cbd, true, streamContext, created))) {
      streamContext.value!.FileName = name.Name
      log.push({ event: 'renamed', kind: 'stream', context: streamContext.value!.Id, name: name.Name, in: current })
      FltReleaseContext(streamContext.value!)
    }
    const streamHandleContext = ref<CTX_STREAMHANDLE_CONTEXT>()
    const replaced = ref<boolean>()
    if (NT_SUCCESS(CtxCreateOrReplaceStreamHandleContext(Cbd, true, streamHandleContext, replaced))) {
      streamHandleContext.value!.FileName = name.Name
      log.push({ event: replaced.value ? 'replaced' : 'created', kind: 'streamHandle', context: streamHandleContext.value!.Id, name: name.Name, in: current })
      FltReleaseContext(streamHandleContext.value!)
    }
    const fileContext = ref<CTX_FILE_CONTEXT>()
    const fileName = name.Name.slice(0, name.Name.length - name.Stream.length)
    if (NT_SUCCESS(CtxFindOrCreateFileContext(Cbd, true, fileName, fileContext, created))) {
      fileContext.value!.FileName = fileName
      log.push({ event: 'renamed', kind: 'file', context: fileContext.value!.Id, name: fileName, in: current })
      FltReleaseContext(fileContext.value!)
    }
    DebugTrace(DEBUG_TRACE_ALL_IO, `[Ctx]: CtxPostSetInfo -> names updated to ${name.Name} (FileObject = ${fo.id})`)
    FltReleaseFileNameInformation(name)
    return FLT_POSTOP_FINISHED_PROCESSING
  }

  const FilterRegistration: FLT_REGISTRATION = {
    Version: FLT_REGISTRATION_VERSION,
    Flags: 0,
    ContextRegistration: [
      { ContextType: FLT_INSTANCE_CONTEXT, Flags: 0, ContextCleanupCallback: CtxContextCleanup, Size: 0, PoolTag: 'cxtI' },
      { ContextType: FLT_FILE_CONTEXT, Flags: 0, ContextCleanupCallback: CtxContextCleanup, Size: 0, PoolTag: 'cxtF' },
      { ContextType: FLT_STREAM_CONTEXT, Flags: 0, ContextCleanupCallback: CtxContextCleanup, Size: 0, PoolTag: 'cxtS' },
      { ContextType: FLT_STREAMHANDLE_CONTEXT, Flags: 0, ContextCleanupCallback: CtxContextCleanup, Size: 0, PoolTag: 'cxtH' },
      { ContextType: FLT_CONTEXT_END },
    ],
    OperationRegistration: [
      { MajorFunction: IRP_MJ.IRP_MJ_CREATE, Flags: FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO, PreOperation: CtxPreCreate, PostOperation: CtxPostCreate },
      { MajorFunction: IRP_MJ.IRP_MJ_CLEANUP, Flags: FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO, PreOperation: CtxPreCleanup, PostOperation: null },
      { MajorFunction: IRP_MJ.IRP_MJ_CLOSE, Flags: FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO, PreOperation: CtxPreClose, PostOperation: null },
      { MajorFunction: IRP_MJ.IRP_MJ_SET_INFORMATION, Flags: FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO, PreOperation: CtxPreSetInfo, PostOperation: CtxPostSetInfo },
      { MajorFunction: 0x80 /* IRP_MJ_OPERATION_END */ },
    ],
    FilterUnloadCallback: CtxUnload,
    InstanceSetupCallback: CtxInstanceSetup,
    InstanceQueryTeardownCallback: CtxInstanceQueryTeardown,
    InstanceTeardownStartCallback: CtxInstanceTeardownStart,
    InstanceTeardownCompleteCallback: CtxInstanceTeardownComplete,
  }

  DebugTrace(DEBUG_TRACE_LOAD_UNLOAD, '[Ctx]: Driver being loaded')
  let status = FltRegisterFilter(ctx.DriverObject, FilterRegistration, Globals.Filter)
  if (NT_SUCCESS(status)) {
    status = FltStartFiltering(Globals.Filter.value!)
    if (!NT_SUCCESS(status)) FltUnregisterFilter(Globals.Filter.value!)
  }
  DebugTrace(DEBUG_TRACE_LOAD_UNLOAD, `[Ctx]: Driver loaded complete (Status = 0x${(status >>> 0).toString(16).padStart(8, '0')})`)
  return status
}
