// The WDK cancelSafe sample as a built-in filter: reads of files whose parent directory starts
// with OperatingPath (INF default \testdir\) are pended in a cancel-safe callback data queue
// (FltCbdq*) kept in the instance context. The first insert into an empty queue starts a worker
// (a generic work item) that, for each entry, waits OperatingDelay (INF default 150000000 × 100 ns
// = 15 s) or until the instance is torn down, takes the next read off the queue, locks its user
// buffer and lets it go down (FLT_PREOP_SUCCESS_NO_CALLBACK): the read then completes with the
// file's data. Fast I/O reads of such files are disallowed, so they come back as IRPs and are
// pended too. A read cancelled while queued completes with STATUS_CANCELLED. Instance teardown
// disables the queue, lets every queued read go down at once and wakes the worker.
// Every queued, released and cancelled read is published as `log` (CsqLogEntry).
// INF: instance "CancelSafe Instance" at 370050, automatic attachment.

import {
  DbgPrint,
  FltAllocateContext,
  FltAllocateGenericWorkItem,
  FltCbdqDisable,
  FltCbdqInitialize,
  FltCbdqInsertIo,
  FltCbdqRemoveNextIo,
  FltCompletePendedPreOperation,
  FltFreeGenericWorkItem,
  FltGetFileNameInformation,
  FltGetInstanceContext,
  FltLockUserBuffer,
  FltParseFileNameInformation,
  FltQueueGenericWorkItem,
  FltRegisterFilter,
  FltReleaseContext,
  FltReleaseFileNameInformation,
  FltSetInstanceContext,
  FltStartFiltering,
  FltUnregisterFilter,
  FlagOn,
  FLT_CALLBACK_DATA_QUEUE,
  FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT,
  FLT_CONTEXT_END,
  FLT_FILE_NAME_NORMALIZED,
  FLT_FILE_NAME_QUERY_DEFAULT,
  FLT_INSTANCE_CONTEXT,
  FLT_IS_IRP_OPERATION,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_DISALLOW_FASTIO,
  FLT_PREOP_PENDING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_REGISTRATION_VERSION,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FLTFL_CALLBACK_DATA_SYSTEM_BUFFER,
  FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO,
  IRP_FLAGS,
  IRP_MJ,
  NT_SUCCESS,
  PsGetCurrentThread,
  STATUS,
  ref,
  type Co,
  type FLT_CALLBACK_DATA,
  type FLT_FILE_NAME_INFORMATION,
  type FLT_GENERIC_WORKITEM,
  type FLT_REGISTRATION,
  type FLT_RELATED_OBJECTS,
  type FilterDriverContext,
  type FilterModule,
  type FltFilter,
  type FltInstance,
  type NTSTATUS,
  type PFLT_FILTER,
} from '../flt/index.ts'
import { KEvent, KeWaitForSingleObject } from '../ke/index.ts'
import { IoGetTopLevelIrp } from '../mm/top-level.ts'

export const NAME = 'cancelsafe'

export const INF: FilterModule['INF'] = {
  DefaultInstance: 'CancelSafe Instance',
  // allow all attachments
  Instances: [{ Name: 'CancelSafe Instance', Altitude: '370050', Flags: 0 }],
}

/** CSQ_TRACE_* : the bits of the DebugLevel parameter */
export const CSQ_TRACE_ERROR = 0x00000001
export const CSQ_TRACE_LOAD_UNLOAD = 0x00000002
export const CSQ_TRACE_INSTANCE_CALLBACK = 0x00000004
export const CSQ_TRACE_CONTEXT_CALLBACK = 0x00000008
export const CSQ_TRACE_CBDQ_CALLBACK = 0x00000010
export const CSQ_TRACE_PRE_READ = 0x00000020

/** INF defaults */
export const CSQ_DEFAULT_TIME_DELAY = 150000000
export const CSQ_DEFAULT_MAPPING_PATH = '\\testdir\\'

/** one line of the published log */
export interface CsqLogEntry {
  /** queued (pended in PreRead), released (let go down: by the worker or at teardown), cancelled (CsqCompleteCanceledIo), fastIoDisallowed */
  event: 'queued' | 'released' | 'cancelled' | 'fastIoDisallowed'
  /** the normalized file name (queued, fastIoDisallowed) or the read's file object */
  name: string
  /** the read's byte offset and length */
  ByteOffset: number
  Length: number
  /** released: who let it go */
  by?: 'worker' | 'teardown'
  /** the thread it happened in */
  thread: string
}

/** INSTANCE_CONTEXT */
interface INSTANCE_CONTEXT {
  Instance: FltInstance
  Cbdq: FLT_CALLBACK_DATA_QUEUE
  /** the queue itself (LIST_ENTRY QueueHead): the callback data in order */
  QueueHead: FLT_CALLBACK_DATA[]
  /** 0: no worker; 1 or more: a worker runs (see CsqInsertIo and PreReadWorkItemRoutine) */
  WorkerThreadFlag: number
  TeardownEvent: KEvent
}

/** QUEUE_CONTEXT: per pended read, while it is queued */
interface QUEUE_CONTEXT {
  CbdqIoContext: FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT
  name: string
}

/** a value from the scenario entry's parameters, as the sample reads its registry values */
function parameters(p: Readonly<Record<string, unknown>>): { DebugLevel: number; TimeDelay: number; MappingPath: string } | { error: string } {
  const DebugLevel = Number(p['DebugLevel'] ?? CSQ_TRACE_ERROR) >>> 0
  const delay = p['OperatingDelay'] ?? CSQ_DEFAULT_TIME_DELAY
  if (typeof delay !== 'number' || !Number.isInteger(delay) || delay < 0) return { error: `OperatingDelay: expected a number of 100 ns units (a REG_DWORD), found ${JSON.stringify(delay)}` }
  let path = p['OperatingPath'] ?? CSQ_DEFAULT_MAPPING_PATH
  if (typeof path !== 'string' || !path.startsWith('\\')) return { error: `OperatingPath: expected a path from the volume root such as \\testdir\\, found ${JSON.stringify(path)}` }
  // the sample appends the trailing backslash when it is missing
  if (!path.endsWith('\\')) path += '\\'
  return { DebugLevel, TimeDelay: delay, MappingPath: path }
}

/** DriverEntry: reads its configuration, registers, starts filtering */
export function DriverEntry(ctx: FilterDriverContext): NTSTATUS {
  const config = parameters(ctx.Parameters)
  if ('error' in config) {
    DbgPrint(`[Csq]: CancelSafe!DriverEntry: ${config.error}`)
    return STATUS.STATUS_INVALID_PARAMETER
  }
  const Globals = { FilterHandle: ref<PFLT_FILTER>(), ...config }
  const log: CsqLogEntry[] = []
  ctx.publish('log', log)
  const DebugTrace = (Level: number, text: string): void => {
    if (Level & Globals.DebugLevel) DbgPrint(text)
  }
  /** CONTAINING_RECORD(DataQueue, INSTANCE_CONTEXT, Cbdq) */
  const containing = new WeakMap<FLT_CALLBACK_DATA_QUEUE, INSTANCE_CONTEXT>()
  const InstCtxOf = (DataQueue: FLT_CALLBACK_DATA_QUEUE): INSTANCE_CONTEXT => containing.get(DataQueue)!
  const threadName = (): string => String(PsGetCurrentThread() ?? 'DPC')
  const entry = (event: CsqLogEntry['event'], Data: FLT_CALLBACK_DATA, name: string, by?: CsqLogEntry['by']): CsqLogEntry => ({
    event,
    name,
    ByteOffset: Number(Data.Iopb.Parameters.Read.ByteOffset),
    Length: Data.Iopb.Parameters.Read.Length,
    ...(by ? { by } : {}),
    thread: threadName(),
  })

  // ---- instance callbacks ----------------------------------------------------------------------

  /** InstanceSetup: the instance context with its cancel-safe queue */
  function InstanceSetup(FltObjects: FLT_RELATED_OBJECTS): NTSTATUS {
    DebugTrace(CSQ_TRACE_INSTANCE_CALLBACK, `[Csq]: CancelSafe!InstanceSetup (Volume = ${FltObjects.Volume.name}, Instance = ${FltObjects.Instance.name})`)
    const InstCtx = ref<INSTANCE_CONTEXT>()
    let Status = FltAllocateContext(FltObjects.Filter, FLT_INSTANCE_CONTEXT, 0, 0, InstCtx)
    if (!NT_SUCCESS(Status)) return Status
    const c = InstCtx.value!
    c.Cbdq = new FLT_CALLBACK_DATA_QUEUE()
    containing.set(c.Cbdq, c)
    Status = FltCbdqInitialize(FltObjects.Instance, c.Cbdq, CsqInsertIo, CsqRemoveIo, CsqPeekNextIo, CsqAcquire, CsqRelease, CsqCompleteCanceledIo)
    if (NT_SUCCESS(Status)) {
      c.QueueHead = []
      c.Instance = FltObjects.Instance
      c.WorkerThreadFlag = 0
      c.TeardownEvent = new KEvent(FltObjects.Filter.mgr.ke, 'notification', false, `cancelsafe TeardownEvent (${FltObjects.Instance.name})`)
      Status = FltSetInstanceContext(FltObjects.Instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, c, null)
    }
    if (!NT_SUCCESS(Status)) DebugTrace(CSQ_TRACE_INSTANCE_CALLBACK | CSQ_TRACE_ERROR, `[Csq]: Failed to set up the instance (Status = 0x${(Status >>> 0).toString(16)})`)
    FltReleaseContext(c)
    return Status
  }

  function InstanceQueryTeardown(): NTSTATUS {
    return STATUS.STATUS_SUCCESS
  }

  /** InstanceTeardownStart: no more inserts, every queued read goes down now, the worker wakes */
  function InstanceTeardownStart(FltObjects: FLT_RELATED_OBJECTS): void {
    DebugTrace(CSQ_TRACE_INSTANCE_CALLBACK, `[Csq]: CancelSafe!InstanceTeardownStart (Instance = ${FltObjects.Instance.name})`)
    const InstCtx = ref<INSTANCE_CONTEXT>()
    if (!NT_SUCCESS(FltGetInstanceContext(FltObjects.Instance, InstCtx))) return
    const c = InstCtx.value!
    FltCbdqDisable(c.Cbdq)
    PreReadEmptyQueueAndComplete(c)
    c.TeardownEvent.set()
    FltReleaseContext(c)
  }

  function InstanceTeardownComplete(): void {}

  function Unload(): NTSTATUS {
    DebugTrace(CSQ_TRACE_LOAD_UNLOAD, '[Csq]: CancelSafe!Unload')
    FltUnregisterFilter(Globals.FilterHandle.value!)
    return STATUS.STATUS_SUCCESS
  }

  // ---- cbdq callbacks (called with the queue's lock held) --------------------------------------

  /** CsqAcquire: the sample takes a fast mutex; nothing between acquire and release waits here, so it is never contended */
  function CsqAcquire(): void {
    DebugTrace(CSQ_TRACE_CBDQ_CALLBACK, '[Csq]: CancelSafe!CsqAcquire')
  }
  function CsqRelease(): void {
    DebugTrace(CSQ_TRACE_CBDQ_CALLBACK, '[Csq]: CancelSafe!CsqRelease')
  }

  /** CsqInsertIo: appends; the first insert into an empty queue starts the worker */
  function CsqInsertIo(DataQueue: FLT_CALLBACK_DATA_QUEUE, Data: FLT_CALLBACK_DATA): NTSTATUS {
    DebugTrace(CSQ_TRACE_CBDQ_CALLBACK, '[Csq]: CancelSafe!CsqInsertIo')
    const InstCtx = InstCtxOf(DataQueue)
    const WasQueueEmpty = InstCtx.QueueHead.length === 0
    InstCtx.QueueHead.push(Data)
    let Status: NTSTATUS = STATUS.STATUS_SUCCESS
    if (WasQueueEmpty && ++InstCtx.WorkerThreadFlag === 1) {
      const WorkItem = FltAllocateGenericWorkItem()
      Status = FltQueueGenericWorkItem(WorkItem, InstCtx.Instance, PreReadWorkItemRoutine, 'DelayedWorkQueue', InstCtx.Instance)
      if (!NT_SUCCESS(Status)) {
        DebugTrace(CSQ_TRACE_CBDQ_CALLBACK | CSQ_TRACE_ERROR, `[Csq]: Failed to queue the work item (Status = 0x${(Status >>> 0).toString(16)})`)
        FltFreeGenericWorkItem(WorkItem)
        InstCtx.WorkerThreadFlag--
        InstCtx.QueueHead.pop()
      }
    }
    return Status
  }

  function CsqRemoveIo(DataQueue: FLT_CALLBACK_DATA_QUEUE, Data: FLT_CALLBACK_DATA): void {
    DebugTrace(CSQ_TRACE_CBDQ_CALLBACK, '[Csq]: CancelSafe!CsqRemoveIo')
    const q = InstCtxOf(DataQueue).QueueHead
    const i = q.indexOf(Data)
    if (i >= 0) q.splice(i, 1)
  }

  function CsqPeekNextIo(DataQueue: FLT_CALLBACK_DATA_QUEUE, Data: FLT_CALLBACK_DATA | null): FLT_CALLBACK_DATA | null {
    DebugTrace(CSQ_TRACE_CBDQ_CALLBACK, '[Csq]: CancelSafe!CsqPeekNextIo')
    const q = InstCtxOf(DataQueue).QueueHead
    const next = Data === null ? 0 : q.indexOf(Data) + 1
    return q[next] ?? null
  }

  /** CsqCompleteCanceledIo: the read completes as cancelled */
  function CsqCompleteCanceledIo(_DataQueue: FLT_CALLBACK_DATA_QUEUE, Data: FLT_CALLBACK_DATA): void {
    DebugTrace(CSQ_TRACE_CBDQ_CALLBACK, '[Csq]: CancelSafe!CsqCompleteCanceledIo')
    const QueueCtx = Data.QueueContext[0] as QUEUE_CONTEXT
    log.push(entry('cancelled', Data, QueueCtx.name))
    Data.IoStatus = { Status: STATUS.STATUS_CANCELLED, Information: 0 }
    FltCompletePendedPreOperation(Data, FLT_PREOP_COMPLETE, undefined)
  }

  // ---- pre-read ----------------------------------------------------------------------------------

  /** PreRead: pends reads of files under the mapping path */
  function* PreRead(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): Co<number> {
    // paging I/O and recursive reads (a top-level IRP set by the Cache or Memory Manager) pass
    if (Data.Iopb.IrpFlags & (IRP_FLAGS.IRP_PAGING_IO | IRP_FLAGS.IRP_SYNCHRONOUS_PAGING_IO) || IoGetTopLevelIrp(PsGetCurrentThread())) return FLT_PREOP_SUCCESS_NO_CALLBACK
    const NameInfo = ref<FLT_FILE_NAME_INFORMATION>()
    let Status = yield* FltGetFileNameInformation(Data, FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT, NameInfo)
    if (!NT_SUCCESS(Status)) {
      DebugTrace(CSQ_TRACE_PRE_READ | CSQ_TRACE_ERROR, `[Csq]: Failed to get filename (Status = 0x${(Status >>> 0).toString(16)})`)
      return FLT_PREOP_SUCCESS_NO_CALLBACK
    }
    const name = NameInfo.value!
    const InstCtx = ref<INSTANCE_CONTEXT>()
    let CbStatus: number = FLT_PREOP_SUCCESS_NO_CALLBACK
    try {
      Status = FltParseFileNameInformation(name)
      if (!NT_SUCCESS(Status)) return CbStatus
      // RtlPrefixUnicodeString(MappingPath, ParentDir, TRUE)
      if (!name.ParentDir.toUpperCase().startsWith(Globals.MappingPath.toUpperCase())) return CbStatus
      // fast I/O cannot be queued: the sample disallows it so the read comes back as an IRP
      if (!FLT_IS_IRP_OPERATION(Data)) {
        log.push(entry('fastIoDisallowed', Data, name.Name))
        CbStatus = FLT_PREOP_DISALLOW_FASTIO
        return CbStatus
      }
      const QueueCtx: QUEUE_CONTEXT = { CbdqIoContext: new FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT(), name: name.Name }
      Status = FltGetInstanceContext(FltObjects.Instance, InstCtx)
      if (!NT_SUCCESS(Status)) return CbStatus
      Data.QueueContext[0] = QueueCtx
      Data.QueueContext[1] = undefined
      Status = FltCbdqInsertIo(InstCtx.value!.Cbdq, Data, QueueCtx.CbdqIoContext, undefined)
      if (Status === STATUS.STATUS_SUCCESS) {
        log.push(entry('queued', Data, name.Name))
        CbStatus = FLT_PREOP_PENDING
      } else {
        // a disabled queue (teardown under way): the read goes on without delay
        DebugTrace(CSQ_TRACE_PRE_READ | CSQ_TRACE_ERROR, `[Csq]: Failed to insert into cbdq (Status = 0x${(Status >>> 0).toString(16)})`)
      }
      return CbStatus
    } finally {
      FltReleaseFileNameInformation(name)
      if (InstCtx.value) FltReleaseContext(InstCtx.value)
    }
  }

  /** the buffer of a read that goes on in another thread is locked first; a failure completes the read with it */
  function lockForRelease(Data: FLT_CALLBACK_DATA): number {
    if (!FlagOn(Data.Flags, FLTFL_CALLBACK_DATA_SYSTEM_BUFFER) && !Data.Iopb.Parameters.Read.MdlAddress && Data.Iopb.Parameters.Read.Length > 0) {
      const Status = FltLockUserBuffer(Data)
      if (!NT_SUCCESS(Status)) {
        Data.IoStatus = { Status, Information: 0 }
        return FLT_PREOP_COMPLETE
      }
    }
    return FLT_PREOP_SUCCESS_NO_CALLBACK
  }

  /** PreReadWorkItemRoutine: waits, then lets the next queued read go; ends when the queue stays empty */
  function* PreReadWorkItemRoutine(WorkItem: FLT_GENERIC_WORKITEM, _Filter: FltFilter | FltInstance, Context: unknown): Co<void> {
    const InstCtx = ref<INSTANCE_CONTEXT>()
    if (!NT_SUCCESS(FltGetInstanceContext(Context as FltInstance, InstCtx))) return
    const c = InstCtx.value!
    for (;;) {
      yield* PreReadPendIo(c)
      // WorkerThreadFlag >= 1: back to 1
      c.WorkerThreadFlag = 1
      const Data = FltCbdqRemoveNextIo(c.Cbdq, null)
      if (Data) {
        const QueueCtx = Data.QueueContext[0] as QUEUE_CONTEXT
        const callbackStatus = lockForRelease(Data)
        log.push(entry('released', Data, QueueCtx.name, 'worker'))
        FltCompletePendedPreOperation(Data, callbackStatus, undefined)
      } else if (--c.WorkerThreadFlag === 0) {
        // an insert after this sees the flag at 0 and starts a new worker
        break
      }
    }
    FltReleaseContext(c)
    FltFreeGenericWorkItem(WorkItem)
  }

  /** PreReadPendIo: the delay, or less when the instance is torn down */
  function* PreReadPendIo(InstanceContext: INSTANCE_CONTEXT): Co<NTSTATUS> {
    return yield* KeWaitForSingleObject(InstanceContext.TeardownEvent, Globals.TimeDelay, 'cancelsafe: worker delay (OperatingDelay) or instance teardown')
  }

  /** PreReadEmptyQueueAndComplete: every queued read goes down now */
  function PreReadEmptyQueueAndComplete(InstanceContext: INSTANCE_CONTEXT): void {
    for (;;) {
      const Data = FltCbdqRemoveNextIo(InstanceContext.Cbdq, null)
      if (!Data) break
      const QueueCtx = Data.QueueContext[0] as QUEUE_CONTEXT
      const callbackStatus = lockForRelease(Data)
      log.push(entry('released', Data, QueueCtx.name, 'teardown'))
      FltCompletePendedPreOperation(Data, callbackStatus, undefined)
    }
  }

  const FilterRegistration: FLT_REGISTRATION = {
    Version: FLT_REGISTRATION_VERSION,
    Flags: 0,
    ContextRegistration: [
      { ContextType: FLT_INSTANCE_CONTEXT, Flags: 0, ContextCleanupCallback: null, Size: 0, PoolTag: 'IqsC' },
      { ContextType: FLT_CONTEXT_END },
    ],
    OperationRegistration: [
      { MajorFunction: IRP_MJ.IRP_MJ_READ, Flags: FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO, PreOperation: PreRead, PostOperation: null },
      { MajorFunction: 0x80 /* IRP_MJ_OPERATION_END */ },
    ],
    FilterUnloadCallback: Unload,
    InstanceSetupCallback: InstanceSetup,
    InstanceQueryTeardownCallback: InstanceQueryTeardown,
    InstanceTeardownStartCallback: InstanceTeardownStart,
    InstanceTeardownCompleteCallback: InstanceTeardownComplete,
  }

  let Status = FltRegisterFilter(ctx.DriverObject, FilterRegistration, Globals.FilterHandle)
  if (NT_SUCCESS(Status)) {
    Status = FltStartFiltering(Globals.FilterHandle.value!)
    if (!NT_SUCCESS(Status)) FltUnregisterFilter(Globals.FilterHandle.value!)
  }
  return Status
}
