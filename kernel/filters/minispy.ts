// The WDK minispy sample as a built-in filter: every operation (IRP, fast I/O, FsFilter) is
// recorded as the sample's LOG_RECORD: the pre-operation callback fills the name and what the
// request asks (RECORD_DATA), the post-operation callback the status and completion time. The log
// is published as `log` (read it with FilterManager.published('minispy', 'log')); on Windows
// minispy.exe fetches it through the \MiniSpyPort communication port. INF: three instances (Top
// 385100, Middle 370000, Bottom 361000), none attached automatically.

import {
  FltGetFileNameInformation,
  FltParseFileNameInformation,
  FltRegisterFilter,
  FltReleaseFileNameInformation,
  FltStartFiltering,
  FltUnregisterFilter,
  FltGetRequestorProcessId,
  FLT_FILE_NAME_NORMALIZED,
  FLT_FILE_NAME_OPENED,
  FLT_FILE_NAME_QUERY_ALWAYS_ALLOW_CACHE_LOOKUP,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_REGISTRATION_VERSION,
  FLTFL_CALLBACK_DATA_FAST_IO_OPERATION,
  FLTFL_CALLBACK_DATA_FS_FILTER_OPERATION,
  FLTFL_CALLBACK_DATA_IRP_OPERATION,
  FLTFL_POST_OPERATION_DRAINING,
  FLTFL_REGISTRATION_SUPPORT_NPFS_MSFS,
  IRP_FLAGS,
  IRP_MJ,
  IRP_MJ_FLT,
  KeQuerySystemTime,
  NT_SUCCESS,
  STATUS,
  ref,
  type Co,
  type FLT_CALLBACK_DATA,
  type FLT_FILE_NAME_INFORMATION,
  type FLT_OPERATION_REGISTRATION,
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
import { statusName } from '../nt/status.ts'

export const NAME = 'minispy'

export const INF: FilterModule['INF'] = {
  DefaultInstance: 'Minispy - Top Instance',
  Instances: [
    { Name: 'Minispy - Top Instance', Altitude: '385100', Flags: 0x1 },
    { Name: 'Minispy - Middle Instance', Altitude: '370000', Flags: 0x1 },
    { Name: 'Minispy - Bottom Instance', Altitude: '361000', Flags: 0x1 },
  ],
}

/** LOG_RECORD.RecordType */
export const RECORD_TYPE_NORMAL = 0x00000000
export const RECORD_TYPE_FILETAG = 0x00000004
export const RECORD_TYPE_FLAG_STATIC = 0x80000000
export const RECORD_TYPE_FLAG_EXCEED_MEMORY_ALLOWANCE = 0x20000000
export const RECORD_TYPE_FLAG_OUT_OF_MEMORY = 0x10000000

/** RECORD_DATA: what minispy records of one operation (mspyLib.c SpyLogPreOperationData / SpyLogPostOperationData) */
export interface RECORD_DATA {
  /** FILETIME of the pre-operation callback */
  OriginatingTime: bigint
  /** FILETIME of the post-operation callback (0 when there was none) */
  CompletionTime: bigint
  /** the file system's volume device (FltGetDeviceObject) */
  DeviceObject: string
  /** the file object's trace id (FO<n>) */
  FileObject: string | null
  Transaction: null
  ProcessId: number
  ThreadId: number
  Information: number
  Status: number
  IrpFlags: number
  /** FLT_CALLBACK_DATA.Flags */
  Flags: number
  CallbackMajorId: number
  CallbackMinorId: number
  Reserved: number
  /** Parameters.Others.Argument1..6, as numbers where they are numbers */
  Arg1: number | string | null
  Arg2: number | string | null
  Arg3: number | string | null
  Arg4: number | string | null
  Arg5: number | string | null
  Arg6: number | string | null
  EcpCount: number
  KnownEcpMask: number
}

/** LOG_RECORD */
export interface LOG_RECORD {
  Length: number
  SequenceNumber: number
  RecordType: number
  Reserved: number
  Data: RECORD_DATA
  /** the file name, or <NO NAME: …> with both statuses when none could be had */
  Name: string
  /** which instance logged it (the sample logs each instance into one log) */
  Instance: string
}

function arg(v: unknown): number | string | null {
  if (v === undefined || v === null) return null
  if (typeof v === 'number') return v
  if (typeof v === 'boolean') return v ? 1 : 0
  if (typeof v === 'bigint') return v.toString()
  if (v instanceof Uint8Array) return `buffer(${v.length})`
  if (typeof v === 'string') return v
  return typeof v
}

/** the IRP/FIO/FSF column of minispy.exe's output */
export function recordKind(r: LOG_RECORD): 'IRP' | 'FIO' | 'FSF' | '' {
  const f = r.Data.Flags
  if (f & FLTFL_CALLBACK_DATA_IRP_OPERATION) return 'IRP'
  if (f & FLTFL_CALLBACK_DATA_FAST_IO_OPERATION) return 'FIO'
  if (f & FLTFL_CALLBACK_DATA_FS_FILTER_OPERATION) return 'FSF'
  return ''
}

/** the N P S Y column: IRP_NOCACHE, IRP_PAGING_IO, IRP_SYNCHRONOUS_API, IRP_SYNCHRONOUS_PAGING_IO */
export function recordIrpFlags(r: LOG_RECORD): string {
  const f = r.Data.IrpFlags
  return `${f & IRP_FLAGS.IRP_NOCACHE ? 'N' : '-'}${f & IRP_FLAGS.IRP_PAGING_IO ? 'P' : '-'}${f & IRP_FLAGS.IRP_SYNCHRONOUS_API ? 'S' : '-'}${f & IRP_FLAGS.IRP_SYNCHRONOUS_PAGING_IO ? 'Y' : '-'}`
}

export function DriverEntry(ctx: FilterDriverContext): NTSTATUS {
  const gFilterHandle = ref<PFLT_FILTER>()
  const log: LOG_RECORD[] = []
  let sequence = 0
  // MiniSpyData.NameQueryMethod: FLT_FILE_NAME_QUERY_ALWAYS_ALLOW_CACHE_LOOKUP unless the registry says otherwise
  const NameQueryMethod = Number(ctx.Parameters['NameQueryMethod'] ?? FLT_FILE_NAME_QUERY_ALWAYS_ALLOW_CACHE_LOOKUP)
  /** the sample's MaxRecordsToAllocate (500 by default): beyond it records are marked out of memory */
  const MaxRecords = Number(ctx.Parameters['MaxRecordsToAllocate'] ?? 500_000)
  ctx.publish('log', log)

  function SpyNewRecord(): LOG_RECORD | undefined {
    if (log.length >= MaxRecords) return undefined
    return {
      Length: 0,
      SequenceNumber: 0,
      RecordType: RECORD_TYPE_NORMAL,
      Reserved: 0,
      Name: '',
      Instance: '',
      Data: {
        OriginatingTime: 0n,
        CompletionTime: 0n,
        DeviceObject: '',
        FileObject: null,
        Transaction: null,
        ProcessId: 0,
        ThreadId: 0,
        Information: 0,
        Status: 0,
        IrpFlags: 0,
        Flags: 0,
        CallbackMajorId: 0,
        CallbackMinorId: 0,
        Reserved: 0,
        Arg1: null,
        Arg2: null,
        Arg3: null,
        Arg4: null,
        Arg5: null,
        Arg6: null,
        EcpCount: 0,
        KnownEcpMask: 0,
      },
    }
  }

  function SpyLogPreOperationData(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, record: LOG_RECORD): void {
    const d = record.Data
    const iopb = Data.Iopb
    d.CallbackMajorId = iopb.MajorFunction
    d.CallbackMinorId = iopb.MinorFunction
    d.IrpFlags = iopb.IrpFlags
    d.Flags = Data.Flags
    d.DeviceObject = FltObjects.Volume.fsDevice.header.name
    d.FileObject = FltObjects.FileObject ? `FO${FltObjects.FileObject.id}` : null
    d.ProcessId = FltGetRequestorProcessId(Data)
    d.ThreadId = Data.Thread?.tid ?? 0
    const o = iopb.Parameters.Others
    d.Arg1 = arg(o.Argument1)
    d.Arg2 = arg(o.Argument2)
    d.Arg3 = arg(o.Argument3)
    d.Arg4 = arg(o.Argument4)
    d.Arg5 = arg(o.Argument5)
    d.Arg6 = arg(o.Argument6)
    d.OriginatingTime = KeQuerySystemTime()
    record.Instance = FltObjects.Instance.name
  }

  function SpyLogPostOperationData(Data: FLT_CALLBACK_DATA, record: LOG_RECORD): void {
    record.Data.Status = Data.IoStatus.Status
    record.Data.Information = Data.IoStatus.Information
    record.Data.CompletionTime = KeQuerySystemTime()
  }

  function SpyLog(record: LOG_RECORD): void {
    record.SequenceNumber = ++sequence
    record.Length = 64 + record.Name.length * 2
    log.push(record)
  }

  function* SpyPreOperationCallback(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: Ref<unknown>): Co<FLT_PREOP_CALLBACK_STATUS> {
    const record = SpyNewRecord()
    if (!record) return FLT_PREOP_SUCCESS_NO_CALLBACK
    if (FltObjects.FileObject) {
      const nameInfo = ref<FLT_FILE_NAME_INFORMATION>()
      let status = yield* FltGetFileNameInformation(Data, FLT_FILE_NAME_NORMALIZED | NameQueryMethod, nameInfo)
      let lastStatus = status
      // a normalized name can fail where an opened one works (a file that does not exist yet)
      if (!NT_SUCCESS(status)) {
        status = yield* FltGetFileNameInformation(Data, FLT_FILE_NAME_OPENED | NameQueryMethod, nameInfo)
        lastStatus = status
      }
      if (NT_SUCCESS(status) && nameInfo.value) {
        FltParseFileNameInformation(nameInfo.value)
        record.Name = nameInfo.value.Name
        FltReleaseFileNameInformation(nameInfo.value)
      } else {
        record.Name = `<NO NAME: NameStatus=${statusName(lastStatus)}>`
      }
    }
    SpyLogPreOperationData(Data, FltObjects, record)
    if (Data.Iopb.MajorFunction === IRP_MJ.IRP_MJ_SHUTDOWN) {
      // no post-operation callback for shutdown: logged now
      SpyLog(record)
      return FLT_PREOP_SUCCESS_NO_CALLBACK
    }
    CompletionContext.value = record
    return FLT_PREOP_SUCCESS_WITH_CALLBACK
  }

  function SpyPostOperationCallback(Data: FLT_CALLBACK_DATA, _FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown, Flags: number): FLT_POSTOP_CALLBACK_STATUS {
    const record = CompletionContext as LOG_RECORD
    // an instance being torn down does not log the operations it drains
    if (Flags & FLTFL_POST_OPERATION_DRAINING) return FLT_POSTOP_FINISHED_PROCESSING
    SpyLogPostOperationData(Data, record)
    if (Data.IoStatus.Status === STATUS.STATUS_REPARSE && Data.TagData) record.RecordType |= RECORD_TYPE_FILETAG
    SpyLog(record)
    return FLT_POSTOP_FINISHED_PROCESSING
  }

  function SpyQueryTeardown(): NTSTATUS {
    return STATUS.STATUS_SUCCESS
  }

  function SpyFilterUnload(): NTSTATUS {
    FltUnregisterFilter(gFilterHandle.value!)
    return STATUS.STATUS_SUCCESS
  }

  const spy = (MajorFunction: number): FLT_OPERATION_REGISTRATION => ({ MajorFunction, Flags: 0, PreOperation: SpyPreOperationCallback, PostOperation: SpyPostOperationCallback })
  const Callbacks: FLT_OPERATION_REGISTRATION[] = [
    spy(IRP_MJ.IRP_MJ_CREATE),
    spy(IRP_MJ.IRP_MJ_CREATE_NAMED_PIPE),
    spy(IRP_MJ.IRP_MJ_CLOSE),
    spy(IRP_MJ.IRP_MJ_READ),
    spy(IRP_MJ.IRP_MJ_WRITE),
    spy(IRP_MJ.IRP_MJ_QUERY_INFORMATION),
    spy(IRP_MJ.IRP_MJ_SET_INFORMATION),
    spy(IRP_MJ.IRP_MJ_QUERY_EA),
    spy(IRP_MJ.IRP_MJ_SET_EA),
    spy(IRP_MJ.IRP_MJ_FLUSH_BUFFERS),
    spy(IRP_MJ.IRP_MJ_QUERY_VOLUME_INFORMATION),
    spy(IRP_MJ.IRP_MJ_SET_VOLUME_INFORMATION),
    spy(IRP_MJ.IRP_MJ_DIRECTORY_CONTROL),
    spy(IRP_MJ.IRP_MJ_FILE_SYSTEM_CONTROL),
    spy(IRP_MJ.IRP_MJ_DEVICE_CONTROL),
    spy(IRP_MJ.IRP_MJ_INTERNAL_DEVICE_CONTROL),
    { MajorFunction: IRP_MJ.IRP_MJ_SHUTDOWN, Flags: 0, PreOperation: SpyPreOperationCallback, PostOperation: null },
    spy(IRP_MJ.IRP_MJ_LOCK_CONTROL),
    spy(IRP_MJ.IRP_MJ_CLEANUP),
    spy(IRP_MJ.IRP_MJ_CREATE_MAILSLOT),
    spy(IRP_MJ.IRP_MJ_QUERY_SECURITY),
    spy(IRP_MJ.IRP_MJ_SET_SECURITY),
    spy(IRP_MJ.IRP_MJ_QUERY_QUOTA),
    spy(IRP_MJ.IRP_MJ_SET_QUOTA),
    spy(IRP_MJ.IRP_MJ_PNP),
    spy(IRP_MJ_FLT.IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION),
    spy(IRP_MJ_FLT.IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION),
    spy(IRP_MJ_FLT.IRP_MJ_ACQUIRE_FOR_MOD_WRITE),
    spy(IRP_MJ_FLT.IRP_MJ_RELEASE_FOR_MOD_WRITE),
    spy(IRP_MJ_FLT.IRP_MJ_ACQUIRE_FOR_CC_FLUSH),
    spy(IRP_MJ_FLT.IRP_MJ_RELEASE_FOR_CC_FLUSH),
    spy(IRP_MJ_FLT.IRP_MJ_FAST_IO_CHECK_IF_POSSIBLE),
    spy(IRP_MJ_FLT.IRP_MJ_NETWORK_QUERY_OPEN),
    spy(IRP_MJ_FLT.IRP_MJ_MDL_READ),
    spy(IRP_MJ_FLT.IRP_MJ_MDL_READ_COMPLETE),
    spy(IRP_MJ_FLT.IRP_MJ_PREPARE_MDL_WRITE),
    spy(IRP_MJ_FLT.IRP_MJ_MDL_WRITE_COMPLETE),
    spy(IRP_MJ_FLT.IRP_MJ_VOLUME_MOUNT),
    spy(IRP_MJ_FLT.IRP_MJ_VOLUME_DISMOUNT),
    { MajorFunction: 0x80 /* IRP_MJ_OPERATION_END */ },
  ]

  const FilterRegistration: FLT_REGISTRATION = {
    Version: FLT_REGISTRATION_VERSION,
    Flags: FLTFL_REGISTRATION_SUPPORT_NPFS_MSFS,
    ContextRegistration: null,
    OperationRegistration: Callbacks,
    FilterUnloadCallback: SpyFilterUnload,
    InstanceSetupCallback: null,
    InstanceQueryTeardownCallback: SpyQueryTeardown,
  }

  let status = FltRegisterFilter(ctx.DriverObject, FilterRegistration, gFilterHandle)
  if (NT_SUCCESS(status)) {
    status = FltStartFiltering(gFilterHandle.value!)
    if (!NT_SUCCESS(status)) FltUnregisterFilter(gFilterHandle.value!)
  }
  return status
}
