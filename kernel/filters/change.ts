// The WDK change sample as a built-in filter: it tracks whether a file's contents were changed.
// Post-create finds or creates the file's file context (keyed by the file ID: FileIdInformation on
// ReFS, FileInternalInformation elsewhere). Writes, end-of-file and valid-data-length changes and
// the FSCTLs that write (offload write, raw encrypted write, set zero data) mark it Dirty before
// they go down (the flag is never cleared while the context lives). Every IRP_MJ_CLOSE of a
// dirty, non-transacted file prints "Non-transacted file ID … is dirty". The context goes with
// the file's last close (or the instance), and the Dirty flag with it. A TxF savepoint request is
// refused with STATUS_NOT_SUPPORTED.
// Transactions: the emulator has no KTM, so FltObjects.Transaction is always NULL and the
// sample's transacted path (transaction contexts, TxDirty propagated at commit) is never taken;
// its fields are kept so the structure matches. Dirty lines and context events are published as
// `log` (CgLogEntry). INF: "change Instance" at 370160, automatic attachment.

import {
  DbgPrint,
  FltAllocateContext,
  FltGetFileContext,
  FltGetFileSystemType,
  FltQueryInformationFile,
  FltRegisterFilter,
  FltReleaseContext,
  FltSetFileContext,
  FltStartFiltering,
  FltUnregisterFilter,
  FlagOn,
  FLT_CONTEXT_END,
  FLT_FILE_CONTEXT,
  FLT_FSTYPE_REFS,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SYNCHRONIZE,
  FLT_REGISTRATION_VERSION,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  IRP_MJ,
  NT_SUCCESS,
  STATUS,
  ref,
  type Co,
  type FLT_CALLBACK_DATA,
  type FLT_REGISTRATION,
  type FLT_RELATED_OBJECTS,
  type FilterDriverContext,
  type FilterModule,
  type FltInstance,
  type FileObject,
  type NTSTATUS,
  type PFLT_FILTER,
  type Ref,
} from '../flt/index.ts'
import { ACCESS } from '../nt/access.ts'
import { FILE_INFORMATION_CLASS } from '../nt/infoclass.ts'
import { FSCTL } from '../nt/irp.ts'

export const NAME = 'change'

export const INF: FilterModule['INF'] = {
  DefaultInstance: 'change Instance',
  // allow all attachments
  Instances: [{ Name: 'change Instance', Altitude: '370160', Flags: 0 }],
}

/** winioctl.h: CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 122, METHOD_BUFFERED, FILE_WRITE_DATA) */
export const FSCTL_TXFS_SAVEPOINT_INFORMATION = 0x000981e8

/** CGDBG_TRACE_* : the bits of the DebugFlags parameter */
export const CGDBG_TRACE_ROUTINES = 0x00000001
export const CGDBG_TRACE_OPERATION_STATUS = 0x00000002
export const CGDBG_TRACE_DEBUG = 0x00000004
export const CGDBG_TRACE_ERROR = 0x00000008

/** CG_FILE_REFERENCE: the 64-bit ID in the low half (UpperZeroes 0), or the 128-bit ReFS ID */
export interface CG_FILE_REFERENCE {
  UpperZeroes: bigint
  Value: bigint
}

/** CG_FILE_CONTEXT */
interface CG_FILE_CONTEXT {
  FileID: CG_FILE_REFERENCE
  /** the file's contents changed outside a transaction */
  Dirty: boolean
  /** the file's contents changed in its transaction (never set: no KTM) */
  TxDirty: boolean
  /** the transaction the file is enlisted in (always null: no KTM) */
  TxContext: null
}

/** one line of the published log */
export interface CgLogEntry {
  /** fileContext: a file context was made; dirty: an operation marked the file; dirtyAtClose: the sample's line at IRP_MJ_CLOSE; cleanup: a file context went */
  event: 'fileContext' | 'dirty' | 'dirtyAtClose' | 'cleanup'
  /** the file ID as the sample prints it (%I64x,%I64x) */
  FileId: string
  /** dirty: the operation (IRP_MJ_WRITE, IRP_MJ_SET_INFORMATION …) */
  op?: string
  /** the file object's name as opened, for reading the log */
  file?: string
}

const MAJOR_NAMES: Record<number, string> = {
  [IRP_MJ.IRP_MJ_WRITE]: 'IRP_MJ_WRITE',
  [IRP_MJ.IRP_MJ_SET_INFORMATION]: 'IRP_MJ_SET_INFORMATION',
  [IRP_MJ.IRP_MJ_FILE_SYSTEM_CONTROL]: 'IRP_MJ_FILE_SYSTEM_CONTROL',
}

const idText = (id: CG_FILE_REFERENCE): string => `${id.UpperZeroes.toString(16)},${id.Value.toString(16)}`

/** CgOperationsNeedDirty: the operations that change a file's contents (the sample cares about contents only, not metadata) */
export function CgOperationsNeedDirty(Data: FLT_CALLBACK_DATA): boolean {
  const iopb = Data.Iopb
  switch (iopb.MajorFunction) {
    case IRP_MJ.IRP_MJ_WRITE:
      return true
    case IRP_MJ.IRP_MJ_FILE_SYSTEM_CONTROL:
      switch (iopb.Parameters.FileSystemControl.Common.FsControlCode) {
        case FSCTL.FSCTL_OFFLOAD_WRITE:
        case FSCTL.FSCTL_WRITE_RAW_ENCRYPTED:
        case FSCTL.FSCTL_SET_ZERO_DATA:
          return true
      }
      return false
    case IRP_MJ.IRP_MJ_SET_INFORMATION:
      switch (iopb.Parameters.SetFileInformation.FileInformationClass) {
        case FILE_INFORMATION_CLASS.FileEndOfFileInformation:
        case FILE_INFORMATION_CLASS.FileValidDataLengthInformation:
          return true
      }
      return false
  }
  return false
}

/** DriverEntry: registers, then starts filtering */
export function DriverEntry(ctx: FilterDriverContext): NTSTATUS {
  const gTraceFlags = Number(ctx.Parameters['DebugFlags'] ?? CGDBG_TRACE_ERROR) >>> 0
  const gFilterHandle = ref<PFLT_FILTER>()
  const log: CgLogEntry[] = []
  ctx.publish('log', log)
  const CG_DBG_PRINT = (level: number, text: string): void => {
    if (gTraceFlags & level) DbgPrint(text)
  }
  const fileOf = (fo: FileObject | undefined): string | undefined => fo?.traceName

  // ---- context.c -------------------------------------------------------------------------------

  /** CgFileContextCleanup */
  function CgFileContextCleanup(Context: object): void {
    const c = Context as CG_FILE_CONTEXT
    CG_DBG_PRINT(CGDBG_TRACE_ROUTINES, `[CG]: Cleaning up file context for file ID ${idText(c.FileID)}`)
    log.push({ event: 'cleanup', FileId: idText(c.FileID) })
  }

  /** CgGetFileId: the 128-bit ID on ReFS, the 64-bit one elsewhere */
  function* CgGetFileId(Instance: FltInstance, FileObject: FileObject, FileId: CG_FILE_REFERENCE): Co<NTSTATUS> {
    const type = ref<number>()
    let status = FltGetFileSystemType(Instance, type)
    if (!NT_SUCCESS(status)) return status
    if (type.value === FLT_FSTYPE_REFS) {
      // FILE_ID_INFORMATION: VolumeSerialNumber (8) then FileId (16)
      const info = new Uint8Array(24)
      status = yield* FltQueryInformationFile(Instance, FileObject, info, info.length, FILE_INFORMATION_CLASS.FileIdInformation, null)
      if (NT_SUCCESS(status)) {
        const v = new DataView(info.buffer)
        FileId.Value = v.getBigUint64(8, true)
        FileId.UpperZeroes = v.getBigUint64(16, true)
      }
      return status
    }
    // FILE_INTERNAL_INFORMATION: IndexNumber
    const info = new Uint8Array(8)
    status = yield* FltQueryInformationFile(Instance, FileObject, info, info.length, FILE_INFORMATION_CLASS.FileInternalInformation, null)
    if (NT_SUCCESS(status)) {
      FileId.Value = new DataView(info.buffer).getBigUint64(0, true)
      FileId.UpperZeroes = 0n
    }
    return status
  }

  /** CgCreateFileContext */
  function CgCreateFileContext(FileContext: Ref<CG_FILE_CONTEXT>): NTSTATUS {
    const status = FltAllocateContext(gFilterHandle.value!, FLT_FILE_CONTEXT, 0, 0, FileContext)
    if (!NT_SUCCESS(status)) return status
    Object.assign(FileContext.value!, { FileID: { UpperZeroes: 0n, Value: 0n }, Dirty: false, TxDirty: false, TxContext: null })
    return status
  }

  /** CgFindOrCreateFileContext: the file's context; a new one keyed by its file ID when it has none */
  function* CgFindOrCreateFileContext(Cbd: FLT_CALLBACK_DATA, FileContext: Ref<CG_FILE_CONTEXT>): Co<NTSTATUS> {
    FileContext.value = undefined
    const instance = Cbd.Iopb.TargetInstance!
    const fo = Cbd.Iopb.TargetFileObject!
    const fileContext = ref<CG_FILE_CONTEXT>()
    let status = FltGetFileContext(instance, fo, fileContext)
    if (status === STATUS.STATUS_NOT_FOUND) {
      const fileID: CG_FILE_REFERENCE = { UpperZeroes: 0n, Value: 0n }
      status = yield* CgGetFileId(instance, fo, fileID)
      if (!NT_SUCCESS(status)) {
        CG_DBG_PRINT(CGDBG_TRACE_ERROR, `[CG]: Failed to get file id with status 0x${(status >>> 0).toString(16)}.`)
        return status
      }
      status = CgCreateFileContext(fileContext)
      if (!NT_SUCCESS(status)) return status
      fileContext.value!.FileID = fileID
      const oldFileContext = ref<CG_FILE_CONTEXT>()
      status = FltSetFileContext(instance, fo, FLT_SET_CONTEXT_KEEP_IF_EXISTS, fileContext.value!, oldFileContext)
      if (!NT_SUCCESS(status)) {
        FltReleaseContext(fileContext.value!)
        if (status !== STATUS.STATUS_FLT_CONTEXT_ALREADY_DEFINED) {
          CG_DBG_PRINT(CGDBG_TRACE_ERROR, `[CG]: Failed to set file context with status 0x${(status >>> 0).toString(16)}.`)
          return status
        }
        // a race: another create set one first; keep theirs
        fileContext.value = oldFileContext.value
        status = STATUS.STATUS_SUCCESS
      } else log.push({ event: 'fileContext', FileId: idText(fileID), file: fileOf(fo) })
    }
    if (NT_SUCCESS(status)) FileContext.value = fileContext.value
    return status
  }

  // ---- change.c --------------------------------------------------------------------------------

  /** CgPreOperationCallback: marks the file dirty before a content-changing operation goes down */
  function CgPreOperationCallback(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): number {
    if (!CgOperationsNeedDirty(Data)) return FLT_PREOP_SUCCESS_NO_CALLBACK
    const fileContext = ref<CG_FILE_CONTEXT>()
    const status = FltGetFileContext(FltObjects.Instance, FltObjects.FileObject!, fileContext)
    if (!NT_SUCCESS(status)) {
      CG_DBG_PRINT(CGDBG_TRACE_ROUTINES, `[CG] CgPreOperationCallback: get file context failed. rq: ${Data.Iopb.MajorFunction}`)
      return FLT_PREOP_SUCCESS_NO_CALLBACK
    }
    const c = fileContext.value!
    if (c.TxContext !== null) c.TxDirty = true
    else {
      if (!c.Dirty) log.push({ event: 'dirty', FileId: idText(c.FileID), op: MAJOR_NAMES[Data.Iopb.MajorFunction] ?? String(Data.Iopb.MajorFunction), file: fileOf(FltObjects.FileObject) })
      c.Dirty = true
    }
    FltReleaseContext(c)
    return FLT_PREOP_SUCCESS_NO_CALLBACK
  }

  /** CgPreFsControl: savepoints are not supported; the rest as any other operation */
  function CgPreFsControl(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): number {
    if (Data.Iopb.Parameters.FileSystemControl.Common.FsControlCode === FSCTL_TXFS_SAVEPOINT_INFORMATION) {
      Data.IoStatus = { Status: STATUS.STATUS_NOT_SUPPORTED, Information: 0 }
      return FLT_PREOP_COMPLETE
    }
    return CgPreOperationCallback(Data, FltObjects)
  }

  /** CgPreCreate: the post-create runs in this thread */
  function CgPreCreate(): number {
    return FLT_PREOP_SYNCHRONIZE
  }

  /** CgPostCreate: finds or creates the file context; a write-type open would process the file's previous transaction */
  function* CgPostCreate(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): Co<number> {
    const status = Data.IoStatus.Status
    if (!NT_SUCCESS(status) || status === STATUS.STATUS_REPARSE) return FLT_POSTOP_FINISHED_PROCESSING
    const fileContext = ref<CG_FILE_CONTEXT>()
    if (!NT_SUCCESS(yield* CgFindOrCreateFileContext(Data, fileContext))) {
      CG_DBG_PRINT(CGDBG_TRACE_ROUTINES, '[CG] CgPostCreate: find file context failed.')
      return FLT_POSTOP_FINISHED_PROCESSING
    }
    const writeAccess =
      ACCESS.FILE_WRITE_DATA | ACCESS.FILE_APPEND_DATA | ACCESS.DELETE | ACCESS.FILE_WRITE_ATTRIBUTES | ACCESS.FILE_WRITE_EA | ACCESS.WRITE_DAC | ACCESS.WRITE_OWNER | ACCESS.ACCESS_SYSTEM_SECURITY
    if (FlagOn(Data.Iopb.Parameters.Create.SecurityContext.DesiredAccess, writeAccess)) {
      // CgProcessPreviousTransaction: with no transaction (FltObjects.Transaction NULL) and none
      // before (TxContext NULL), there is nothing to process
      if (FltObjects.Transaction) CG_DBG_PRINT(CGDBG_TRACE_ERROR, '[CG] CgPostCreate: transactions are not supported here')
    }
    FltReleaseContext(fileContext.value!)
    return FLT_POSTOP_FINISHED_PROCESSING
  }

  /** CgPreClose: the dirty line for a non-transacted file */
  function CgPreClose(_Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): number {
    const fileContext = ref<CG_FILE_CONTEXT>()
    if (!NT_SUCCESS(FltGetFileContext(FltObjects.Instance, FltObjects.FileObject!, fileContext))) {
      CG_DBG_PRINT(CGDBG_TRACE_ROUTINES, '[CG] CgPreClose: find file context failed.')
      return FLT_PREOP_SUCCESS_NO_CALLBACK
    }
    const c = fileContext.value!
    if (!FltObjects.Transaction && c.Dirty) {
      CG_DBG_PRINT(CGDBG_TRACE_DEBUG, `[CG] CgPreClose: Non-transacted file ID ${idText(c.FileID)} is dirty`)
      log.push({ event: 'dirtyAtClose', FileId: idText(c.FileID), file: fileOf(FltObjects.FileObject) })
    }
    FltReleaseContext(c)
    return FLT_PREOP_SUCCESS_NO_CALLBACK
  }

  function CgInstanceSetup(): NTSTATUS {
    return STATUS.STATUS_SUCCESS
  }
  function CgInstanceQueryTeardown(): NTSTATUS {
    return STATUS.STATUS_SUCCESS
  }
  function CgUnload(): NTSTATUS {
    FltUnregisterFilter(gFilterHandle.value!)
    return STATUS.STATUS_SUCCESS
  }

  const FilterRegistration: FLT_REGISTRATION = {
    Version: FLT_REGISTRATION_VERSION,
    Flags: 0,
    ContextRegistration: [
      { ContextType: FLT_FILE_CONTEXT, Flags: 0, ContextCleanupCallback: CgFileContextCleanup, Size: 0, PoolTag: 'cgFC' },
      { ContextType: FLT_CONTEXT_END },
    ],
    OperationRegistration: [
      { MajorFunction: IRP_MJ.IRP_MJ_CREATE, Flags: 0, PreOperation: CgPreCreate, PostOperation: CgPostCreate },
      { MajorFunction: IRP_MJ.IRP_MJ_CLOSE, Flags: 0, PreOperation: CgPreClose, PostOperation: null },
      { MajorFunction: IRP_MJ.IRP_MJ_WRITE, Flags: 0, PreOperation: CgPreOperationCallback, PostOperation: null },
      { MajorFunction: IRP_MJ.IRP_MJ_SET_INFORMATION, Flags: 0, PreOperation: CgPreOperationCallback, PostOperation: null },
      { MajorFunction: IRP_MJ.IRP_MJ_FILE_SYSTEM_CONTROL, Flags: 0, PreOperation: CgPreFsControl, PostOperation: null },
      { MajorFunction: 0x80 /* IRP_MJ_OPERATION_END */ },
    ],
    FilterUnloadCallback: CgUnload,
    InstanceSetupCallback: CgInstanceSetup,
    InstanceQueryTeardownCallback: CgInstanceQueryTeardown,
    InstanceTeardownStartCallback: null,
    InstanceTeardownCompleteCallback: null,
    // the sample registers CgKtmNotificationCallback; no KTM here, so it would never be called
  }

  let status = FltRegisterFilter(ctx.DriverObject, FilterRegistration, gFilterHandle)
  if (NT_SUCCESS(status)) {
    status = FltStartFiltering(gFilterHandle.value!)
    if (!NT_SUCCESS(status)) FltUnregisterFilter(gFilterHandle.value!)
  }
  return status
}
