// An HSM (hierarchical storage management) filter: files moved to a remote store leave a stub on
// the volume, a third-party reparse point (./hsm-protocol.ts). Opening a stub makes NTFS return
// STATUS_REPARSE with the stub's reparse buffer; this filter's post-create sees it and asks its
// recall service (HsmRecall.exe, ./hsm-service.ts, over \HsmRecallPort) for the data:
//
// - `mode: recall` (the default): the service writes the data into the file and deletes the
//   reparse point; the filter then reissues the create below itself (FltReissueSynchronousIo),
//   which now opens the file, so the application gets its handle to the real data.
// - `mode: redirect`: the service recalls the data to a copy in its cache folder and answers the
//   copy's name; the filter replaces FileObject->FileName with it (IoReplaceFileObjectName) and
//   completes the create with STATUS_REPARSE / IO_REPARSE, so the I/O manager opens the copy.
//   The stub stays a stub; later opens are redirected to the same copy.
//
// Recall happens once per file even when applications open it several times at once (Office and
// WinRAR open a document two or three times in a row): the first open starts the recall, the
// others wait for it in their own threads and then open the result (the table of recalls in
// progress and done, keyed by the stub's name). A naive filter that recalls on every
// STATUS_REPARSE (fixtures/seeds/4-hsm-naive.ts) fetches the data as many times.
//
// The service's own opens are not recalled (it opens stubs with FILE_OPEN_REPARSE_POINT, and
// its process is known from the port connection). `recalls` (published) counts the recall
// requests sent to the service; `recalled` lists the files. INF: one instance at 185000
// (FSFilter HSM load-order group).

import {
  FltCloseCommunicationPort,
  FltRegisterFilter,
  FltReissueSynchronousIo,
  FltStartFiltering,
  FltUnregisterFilter,
  IoReplaceFileObjectName,
  IoThreadToProcess,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLTFL_POST_OPERATION_DRAINING,
  IRP_MJ,
  NT_SUCCESS,
  STATUS,
  ref,
  type Co,
  type FLT_CALLBACK_DATA,
  type FLT_RELATED_OBJECTS,
  type FilterDriverContext,
  type FilterModule,
  type NTSTATUS,
  type PFLT_FILTER,
} from '../flt/index.ts'
import { KEvent, KeWaitForSingleObject } from '../ke/index.ts'
import { CREATE_OPTIONS, IO_REPARSE } from '../nt/file.ts'
import {
  createRecallPort,
  createTargetName,
  HSM_MODE_COPY,
  HSM_MODE_RECALL,
  HsmRecallInUserMode,
  hsmStubOf,
  newPortState,
  STATUS_FILE_IS_OFFLINE,
} from './hsm-protocol.ts'
import { HsmRecallService } from './hsm-service.ts'

export const NAME = 'hsm'

export const INF: FilterModule['INF'] = {
  DefaultInstance: 'HSM Instance',
  Instances: [{ Name: 'HSM Instance', Altitude: '185000', Flags: 0x0 }],
}

/** the user-mode half: HsmRecall.exe */
export const SERVICE = HsmRecallService

/** one recall, from the open that started it to its result (kept: later opens use the result) */
interface RecallEntry {
  readonly done: KEvent
  status: NTSTATUS
  /** HSM_MODE_COPY: the copy's name */
  copy: string
}

export function DriverEntry(ctx: FilterDriverContext): NTSTATUS {
  const mode = String(ctx.Parameters['mode'] ?? 'recall').toLowerCase()
  if (mode !== 'recall' && mode !== 'redirect') {
    ctx.DbgPrint(`hsm: mode must be recall or redirect, not '${mode}'`)
    return STATUS.STATUS_INVALID_PARAMETER
  }
  const timeoutSeconds = ctx.Parameters['timeoutSeconds']
  const timeout = typeof timeoutSeconds === 'number' ? -BigInt(timeoutSeconds) * 10_000_000n : null
  const port = newPortState()
  const table = new Map<string, RecallEntry>()
  const recalled: string[] = []
  let recalls = 0
  ctx.publish('recalls', 0)
  ctx.publish('recalled', recalled)

  function HsmPreCreate(Data: FLT_CALLBACK_DATA): number {
    // the recall service's own opens pass untouched
    if (Data.Thread && port.ServiceProcess && IoThreadToProcess(Data.Thread) === port.ServiceProcess) return FLT_PREOP_SUCCESS_NO_CALLBACK
    // an application that asks for the stub itself gets it
    if (Data.Iopb.Parameters.Create.Options & CREATE_OPTIONS.FILE_OPEN_REPARSE_POINT) return FLT_PREOP_SUCCESS_NO_CALLBACK
    return FLT_PREOP_SUCCESS_WITH_CALLBACK
  }

  function* HsmPostCreate(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, _ctx: unknown, Flags: number): Co<number> {
    if (Flags & FLTFL_POST_OPERATION_DRAINING) return FLT_POSTOP_FINISHED_PROCESSING
    if (Data.IoStatus.Status !== STATUS.STATUS_REPARSE) return FLT_POSTOP_FINISHED_PROCESSING
    const stub = hsmStubOf(Data.TagData)
    // a symbolic link, a mount point or another product's tag: not ours
    if (!stub) return FLT_POSTOP_FINISHED_PROCESSING
    const name = createTargetName(FltObjects)
    const key = name.toUpperCase()
    for (let attempt = 0; attempt < 2; attempt++) {
      let entry = table.get(key)
      if (!entry) {
        // the first open of this stub: it recalls, later ones wait for it
        entry = { done: new KEvent(FltObjects.Filter.mgr.ke, 'notification', false, `hsm recall of ${name}`), status: STATUS.STATUS_PENDING, copy: '' }
        table.set(key, entry)
        recalls++
        recalled.push(name)
        ctx.publish('recalls', recalls)
        ctx.DbgPrint(`hsm: recalling ${name} (${mode})`)
        const r = yield* HsmRecallInUserMode(port, mode === 'redirect' ? HSM_MODE_COPY : HSM_MODE_RECALL, name, stub, timeout)
        entry.status = r.Status
        entry.copy = r.Name
        entry.done.set()
        // a failed recall is tried again by the next open
        if (!NT_SUCCESS(r.Status)) table.delete(key)
      } else if (!entry.done.isSet) {
        ctx.DbgPrint(`hsm: ${name} is being recalled; this open waits for it`)
        yield* KeWaitForSingleObject(entry.done, undefined, `hsm: waiting for the recall of ${name} in progress`)
      }
      if (!NT_SUCCESS(entry.status)) {
        Data.IoStatus = { Status: STATUS_FILE_IS_OFFLINE, Information: 0 }
        return FLT_POSTOP_FINISHED_PROCESSING
      }
      if (mode === 'redirect') {
        // the I/O manager looks the copy's name up from the root: a new create, through every filter
        IoReplaceFileObjectName(FltObjects.FileObject!, entry.copy)
        Data.IoStatus = { Status: STATUS.STATUS_REPARSE, Information: IO_REPARSE }
        return FLT_POSTOP_FINISHED_PROCESSING
      }
      // the file is no longer a stub: the same create again, below this instance
      yield* FltReissueSynchronousIo(FltObjects.Instance, Data)
      if (Data.IoStatus.Status !== STATUS.STATUS_REPARSE) return FLT_POSTOP_FINISHED_PROCESSING
      // still (or again) a stub: the recall we remembered is stale
      if (table.get(key) === entry) table.delete(key)
    }
    return FLT_POSTOP_FINISHED_PROCESSING
  }

  const filter = ref<PFLT_FILTER>()
  let status = FltRegisterFilter(
    ctx.DriverObject,
    {
      OperationRegistration: [{ MajorFunction: IRP_MJ.IRP_MJ_CREATE, Flags: 0, PreOperation: HsmPreCreate, PostOperation: HsmPostCreate }],
      FilterUnloadCallback: () => {
        FltCloseCommunicationPort(port.ServerPort)
        FltUnregisterFilter(filter.value!)
        return STATUS.STATUS_SUCCESS
      },
      InstanceQueryTeardownCallback: () => STATUS.STATUS_SUCCESS,
    },
    filter,
  )
  if (!NT_SUCCESS(status)) return status
  port.Filter = filter.value
  status = createRecallPort(port, (t) => ctx.DbgPrint(t))
  if (NT_SUCCESS(status)) {
    status = FltStartFiltering(filter.value!)
    if (NT_SUCCESS(status)) return status
    FltCloseCommunicationPort(port.ServerPort)
  }
  FltUnregisterFilter(filter.value!)
  return status
}
