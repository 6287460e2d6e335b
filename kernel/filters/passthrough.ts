// The WDK passThrough sample as a built-in filter: every major function and Filter Manager
// pseudo-operation registered with the same pre/post pair, which passes everything through
// (FLT_PREOP_SUCCESS_WITH_CALLBACK, FLT_POSTOP_FINISHED_PROCESSING). IRP_MJ_SHUTDOWN has a pre
// only. Oplock FSCTLs and directory change notifications ask for an operation-status callback.
// INF: altitude 370030, "PassThrough Instance", automatic attachment.

import {
  DbgPrint,
  FltGetIrpName,
  FltRegisterFilter,
  FltRequestOperationStatusCallback,
  FltStartFiltering,
  FltUnregisterFilter,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_REGISTRATION_VERSION,
  IRP_MJ,
  IRP_MJ_FLT,
  IRP_MN,
  NT_SUCCESS,
  STATUS,
  ref,
  type FLT_CALLBACK_DATA,
  type FLT_IO_PARAMETER_BLOCK,
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
import { FSCTL } from '../nt/irp.ts'

export const NAME = 'passthrough'

export const INF: FilterModule['INF'] = {
  DefaultInstance: 'PassThrough Instance',
  Instances: [{ Name: 'PassThrough Instance', Altitude: '370030', Flags: 0 }],
}

const PTDBG_TRACE_ROUTINES = 0x00000001
const PTDBG_TRACE_OPERATION_STATUS = 0x00000002

/** DriverEntry: registers, then starts filtering (the sample's order) */
export function DriverEntry(ctx: FilterDriverContext): NTSTATUS {
  const gTraceFlags = Number(ctx.Parameters['DebugFlags'] ?? 0)
  const gFilterHandle = ref<PFLT_FILTER>()
  const PT_DBG_PRINT = (level: number, text: string): void => {
    if (gTraceFlags & level) DbgPrint(text)
  }

  function PtInstanceSetup(): NTSTATUS {
    PT_DBG_PRINT(PTDBG_TRACE_ROUTINES, 'PassThrough!PtInstanceSetup: Entered')
    return STATUS.STATUS_SUCCESS
  }
  function PtInstanceQueryTeardown(): NTSTATUS {
    PT_DBG_PRINT(PTDBG_TRACE_ROUTINES, 'PassThrough!PtInstanceQueryTeardown: Entered')
    return STATUS.STATUS_SUCCESS
  }
  function PtInstanceTeardownStart(): void {
    PT_DBG_PRINT(PTDBG_TRACE_ROUTINES, 'PassThrough!PtInstanceTeardownStart: Entered')
  }
  function PtInstanceTeardownComplete(): void {
    PT_DBG_PRINT(PTDBG_TRACE_ROUTINES, 'PassThrough!PtInstanceTeardownComplete: Entered')
  }
  function PtUnload(): NTSTATUS {
    PT_DBG_PRINT(PTDBG_TRACE_ROUTINES, 'PassThrough!PtUnload: Entered')
    FltUnregisterFilter(gFilterHandle.value!)
    return STATUS.STATUS_SUCCESS
  }

  /** the operations the sample asks operation-status callbacks for */
  function PtDoRequestOperationStatus(Data: FLT_CALLBACK_DATA): boolean {
    const iopb = Data.Iopb
    if (iopb.MajorFunction === IRP_MJ.IRP_MJ_FILE_SYSTEM_CONTROL) {
      const code = iopb.Parameters.FileSystemControl.Common.FsControlCode
      return (
        code === FSCTL.FSCTL_REQUEST_FILTER_OPLOCK ||
        code === FSCTL.FSCTL_REQUEST_BATCH_OPLOCK ||
        code === FSCTL.FSCTL_REQUEST_OPLOCK_LEVEL_1 ||
        code === FSCTL.FSCTL_REQUEST_OPLOCK_LEVEL_2
      )
    }
    return iopb.MajorFunction === IRP_MJ.IRP_MJ_DIRECTORY_CONTROL && iopb.MinorFunction === IRP_MN.IRP_MN_NOTIFY_CHANGE_DIRECTORY
  }

  function PtOperationStatusCallback(_FltObjects: FLT_RELATED_OBJECTS, ParameterSnapshot: FLT_IO_PARAMETER_BLOCK, OperationStatus: NTSTATUS): void {
    PT_DBG_PRINT(
      PTDBG_TRACE_OPERATION_STATUS,
      `PassThrough!PtOperationStatusCallback: Status=0x${(OperationStatus >>> 0).toString(16).padStart(8, '0')} ${FltGetIrpName(ParameterSnapshot.MajorFunction)}.${ParameterSnapshot.MinorFunction}`,
    )
  }

  function PtPreOperationPassThrough(Data: FLT_CALLBACK_DATA, _FltObjects: FLT_RELATED_OBJECTS, _CompletionContext: Ref<unknown>): FLT_PREOP_CALLBACK_STATUS {
    PT_DBG_PRINT(PTDBG_TRACE_ROUTINES, 'PassThrough!PtPreOperationPassThrough: Entered')
    if (PtDoRequestOperationStatus(Data)) {
      const status = FltRequestOperationStatusCallback(Data, PtOperationStatusCallback, undefined)
      if (!NT_SUCCESS(status)) PT_DBG_PRINT(PTDBG_TRACE_OPERATION_STATUS, `PassThrough!PtPreOperationPassThrough: FltRequestOperationStatusCallback Failed, status=0x${(status >>> 0).toString(16)}`)
    }
    return FLT_PREOP_SUCCESS_WITH_CALLBACK
  }

  function PtPostOperationPassThrough(): FLT_POSTOP_CALLBACK_STATUS {
    PT_DBG_PRINT(PTDBG_TRACE_ROUTINES, 'PassThrough!PtPostOperationPassThrough: Entered')
    return FLT_POSTOP_FINISHED_PROCESSING
  }

  function PtPreOperationNoPostOperationPassThrough(): FLT_PREOP_CALLBACK_STATUS {
    PT_DBG_PRINT(PTDBG_TRACE_ROUTINES, 'PassThrough!PtPreOperationNoPostOperationPassThrough: Entered')
    return FLT_PREOP_SUCCESS_NO_CALLBACK
  }

  const both = (MajorFunction: number): FLT_OPERATION_REGISTRATION => ({ MajorFunction, Flags: 0, PreOperation: PtPreOperationPassThrough, PostOperation: PtPostOperationPassThrough })
  const Callbacks: FLT_OPERATION_REGISTRATION[] = [
    both(IRP_MJ.IRP_MJ_CREATE),
    both(IRP_MJ.IRP_MJ_CREATE_NAMED_PIPE),
    both(IRP_MJ.IRP_MJ_CLOSE),
    both(IRP_MJ.IRP_MJ_READ),
    both(IRP_MJ.IRP_MJ_WRITE),
    both(IRP_MJ.IRP_MJ_QUERY_INFORMATION),
    both(IRP_MJ.IRP_MJ_SET_INFORMATION),
    both(IRP_MJ.IRP_MJ_QUERY_EA),
    both(IRP_MJ.IRP_MJ_SET_EA),
    both(IRP_MJ.IRP_MJ_FLUSH_BUFFERS),
    both(IRP_MJ.IRP_MJ_QUERY_VOLUME_INFORMATION),
    both(IRP_MJ.IRP_MJ_SET_VOLUME_INFORMATION),
    both(IRP_MJ.IRP_MJ_DIRECTORY_CONTROL),
    both(IRP_MJ.IRP_MJ_FILE_SYSTEM_CONTROL),
    both(IRP_MJ.IRP_MJ_DEVICE_CONTROL),
    both(IRP_MJ.IRP_MJ_INTERNAL_DEVICE_CONTROL),
    // post-operation callbacks are not supported for shutdown
    { MajorFunction: IRP_MJ.IRP_MJ_SHUTDOWN, Flags: 0, PreOperation: PtPreOperationNoPostOperationPassThrough, PostOperation: null },
    both(IRP_MJ.IRP_MJ_LOCK_CONTROL),
    both(IRP_MJ.IRP_MJ_CLEANUP),
    both(IRP_MJ.IRP_MJ_CREATE_MAILSLOT),
    both(IRP_MJ.IRP_MJ_QUERY_SECURITY),
    both(IRP_MJ.IRP_MJ_SET_SECURITY),
    both(IRP_MJ.IRP_MJ_QUERY_QUOTA),
    both(IRP_MJ.IRP_MJ_SET_QUOTA),
    both(IRP_MJ.IRP_MJ_PNP),
    both(IRP_MJ_FLT.IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION),
    both(IRP_MJ_FLT.IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION),
    both(IRP_MJ_FLT.IRP_MJ_ACQUIRE_FOR_MOD_WRITE),
    both(IRP_MJ_FLT.IRP_MJ_RELEASE_FOR_MOD_WRITE),
    both(IRP_MJ_FLT.IRP_MJ_ACQUIRE_FOR_CC_FLUSH),
    both(IRP_MJ_FLT.IRP_MJ_RELEASE_FOR_CC_FLUSH),
    both(IRP_MJ_FLT.IRP_MJ_FAST_IO_CHECK_IF_POSSIBLE),
    both(IRP_MJ_FLT.IRP_MJ_NETWORK_QUERY_OPEN),
    both(IRP_MJ_FLT.IRP_MJ_MDL_READ),
    both(IRP_MJ_FLT.IRP_MJ_MDL_READ_COMPLETE),
    both(IRP_MJ_FLT.IRP_MJ_PREPARE_MDL_WRITE),
    both(IRP_MJ_FLT.IRP_MJ_MDL_WRITE_COMPLETE),
    both(IRP_MJ_FLT.IRP_MJ_VOLUME_MOUNT),
    both(IRP_MJ_FLT.IRP_MJ_VOLUME_DISMOUNT),
    { MajorFunction: 0x80 /* IRP_MJ_OPERATION_END */ },
  ]

  const FilterRegistration: FLT_REGISTRATION = {
    Version: FLT_REGISTRATION_VERSION,
    Flags: 0,
    ContextRegistration: null,
    OperationRegistration: Callbacks,
    FilterUnloadCallback: PtUnload,
    InstanceSetupCallback: PtInstanceSetup,
    InstanceQueryTeardownCallback: PtInstanceQueryTeardown,
    InstanceTeardownStartCallback: PtInstanceTeardownStart,
    InstanceTeardownCompleteCallback: PtInstanceTeardownComplete,
  }

  PT_DBG_PRINT(PTDBG_TRACE_ROUTINES, 'PassThrough!DriverEntry: Entered')
  let status = FltRegisterFilter(ctx.DriverObject, FilterRegistration, gFilterHandle)
  if (NT_SUCCESS(status)) {
    status = FltStartFiltering(gFilterHandle.value!)
    if (!NT_SUCCESS(status)) FltUnregisterFilter(gFilterHandle.value!)
  }
  return status
}
