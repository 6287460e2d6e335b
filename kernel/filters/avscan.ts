// The WDK avscan sample's kernel part as a built-in filter, without transactions and without the
// user-mode scanner: files are scanned after they are opened and, when they were modified, at
// cleanup. A scan makes a data-scan section on the file (FltCreateSectionForDataScan: the
// section-synchronization pair goes through the stack) and reads it page by page (the view's
// page faults: paging reads below the instance), looking for the signature given as the
// `Signature` parameter where avscan.exe would look for its own. The result is kept in a stream
// context (AvFileModified until scanned, then AvFileNotInfected or AvFileInfected), so an
// unchanged file is not scanned twice; writes, end-of-file and valid-data-length changes and the
// data-changing FSCTLs mark the stream modified. Results also live in a per-volume cache by file
// ID (an instance context), so a file whose stream context went with its last file object is
// not scanned again either. An infected file's open is cancelled
// (FltCancelFileOpen) and fails with STATUS_VIRUS_INFECTED. Each scan is published in `scans`.
// INF: altitude 265010 ("AvScan Instance", FSFilter Content Screener), automatic attachment.

import {
  FltAllocateContext,
  FltCancelFileOpen,
  FltCloseSectionForDataScan,
  FltCreateSectionForDataScan,
  FltGetFileNameInformation,
  FltGetInstanceContext,
  FltGetStreamContext,
  FltParseFileNameInformation,
  FltQueryInformationFile,
  FltRegisterFilter,
  FltRegisterForDataScan,
  FltReleaseContext,
  FltReleaseFileNameInformation,
  FltSetInstanceContext,
  FltSetStreamContext,
  FltStartFiltering,
  FltUnregisterFilter,
  readSection,
  FLT_FILE_NAME_OPENED,
  FLT_FILE_NAME_QUERY_ALWAYS_ALLOW_CACHE_LOOKUP,
  FLT_INSTANCE_CONTEXT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SYNCHRONIZE,
  FLT_REGISTRATION_VERSION,
  FLT_SECTION_CONTEXT,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FLT_STREAM_CONTEXT,
  FO,
  IRP_MJ,
  NT_SUCCESS,
  NonPagedPool,
  STATUS,
  ref,
  type Co,
  type DataScanSection,
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
import { ACCESS } from '../nt/access.ts'
import { CREATE_OPTIONS, PAGE, SEC, SECTION_ACCESS } from '../nt/file.ts'
import { FILE_INFORMATION_CLASS } from '../nt/infoclass.ts'
import { FSCTL, SL_FLAGS_CREATE } from '../nt/irp.ts'

export const NAME = 'avscan'

export const INF: FilterModule['INF'] = {
  DefaultInstance: 'AvScan Instance',
  Instances: [{ Name: 'AvScan Instance', Altitude: '265010', Flags: 0 }],
}

/** STATUS_VIRUS_INFECTED (ntstatus.h) */
export const STATUS_VIRUS_INFECTED = STATUS.STATUS_VIRUS_INFECTED

/** what the scanner looks for when the scenario gives no `Signature` */
export const DEFAULT_SIGNATURE = 'message to be found'

/** AV_FILE_INFECTED_STATE */
export const AvFileModified = 0
export const AvFileNotInfected = 1
export const AvFileInfected = 2
export type AV_FILE_INFECTED_STATE = typeof AvFileModified | typeof AvFileNotInfected | typeof AvFileInfected

/** AV_STREAM_CONTEXT (transaction fields left out) */
export interface AV_STREAM_CONTEXT {
  State: AV_FILE_INFECTED_STATE
  /** bumped by every modification; a scan's result counts only if nothing changed meanwhile */
  Revision: number
  /** FILE_INTERNAL_INFORMATION.IndexNumber: the key of the instance's state cache */
  FileId: bigint | undefined
}

/** AV_INSTANCE_CONTEXT: the per-volume cache of scan results by file ID (NTFS, ReFS) */
interface AV_INSTANCE_CONTEXT {
  ScanCache: Map<bigint, AV_FILE_INFECTED_STATE>
}

/** AV_SECTION_CONTEXT */
interface AV_SECTION_CONTEXT {
  SectionHandle: number | undefined
  SectionObject: DataScanSection | undefined
  FileSize: number
  Aborted: boolean
}

/** one scan as published in `scans` */
export interface AvScanRecord {
  /** IRP_MJ_CREATE or IRP_MJ_CLEANUP: when the scan ran */
  reason: 'IRP_MJ_CREATE' | 'IRP_MJ_CLEANUP'
  name: string
  result: 'clean' | 'infected' | 'failed'
  /** bytes read through the section */
  bytes: number
}

/** the pages a scan reads at a time (one fault cluster of the view) */
const SCAN_CHUNK = 64 * 1024

/** the data-access rights whose opens are scanned */
const DATA_ACCESS = ACCESS.FILE_READ_DATA | ACCESS.FILE_WRITE_DATA | ACCESS.FILE_APPEND_DATA | ACCESS.FILE_EXECUTE

/** the signature bytes a `Signature` parameter stands for, or a message saying why it is unusable */
export function signatureOf(param: unknown): Uint8Array | string {
  if (param === undefined) return new TextEncoder().encode(DEFAULT_SIGNATURE)
  if (typeof param === 'string' && param.length > 0) return new TextEncoder().encode(param)
  if (param && typeof param === 'object' && typeof (param as { hex?: unknown }).hex === 'string') {
    const hex = (param as { hex: string }).hex
    if (/^(?:[0-9a-fA-F]{2})+$/.test(hex)) return Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)))
  }
  return `Signature: expected a non-empty string or { hex: "…" }, found ${JSON.stringify(param)}`
}

/** whether `data` holds `sig`, carrying the last bytes of the previous chunk in `tail` */
export function containsSignature(tail: Uint8Array, data: Uint8Array, sig: Uint8Array): { found: boolean; tail: Uint8Array } {
  const hay = new Uint8Array(tail.length + data.length)
  hay.set(tail)
  hay.set(data, tail.length)
  outer: for (let i = 0; i + sig.length <= hay.length; i++) {
    for (let j = 0; j < sig.length; j++) if (hay[i + j] !== sig[j]) continue outer
    return { found: true, tail: new Uint8Array(0) }
  }
  return { found: false, tail: hay.slice(Math.max(0, hay.length - (sig.length - 1))) }
}

export function DriverEntry(ctx: FilterDriverContext): NTSTATUS {
  const gFilterHandle = ref<PFLT_FILTER>()
  const signature = signatureOf(ctx.Parameters['Signature'])
  if (typeof signature === 'string') {
    ctx.DbgPrint(`AvScan!DriverEntry: ${signature}`)
    return STATUS.STATUS_INVALID_PARAMETER
  }
  const scans: AvScanRecord[] = []
  ctx.publish('scans', scans)
  const DebugLevel = Number(ctx.Parameters['DebugLevel'] ?? 0)
  const AV_DBG_PRINT = (text: string): void => {
    if (DebugLevel) ctx.DbgPrint(text)
  }

  function AvInstanceSetup(FltObjects: FLT_RELATED_OBJECTS): NTSTATUS {
    const instanceContext = ref<AV_INSTANCE_CONTEXT>()
    let status = FltAllocateContext(gFilterHandle.value!, FLT_INSTANCE_CONTEXT, 0, NonPagedPool, instanceContext)
    if (!NT_SUCCESS(status)) return STATUS.STATUS_FLT_DO_NOT_ATTACH
    instanceContext.value!.ScanCache = new Map()
    status = FltSetInstanceContext(FltObjects.Instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, instanceContext.value!, null)
    FltReleaseContext(instanceContext.value!)
    if (!NT_SUCCESS(status)) return STATUS.STATUS_FLT_DO_NOT_ATTACH
    // the sample cannot scan without data-scan sections
    status = FltRegisterForDataScan(FltObjects.Instance)
    if (!NT_SUCCESS(status)) {
      AV_DBG_PRINT(`AvScan!AvInstanceSetup: FltRegisterForDataScan failed. status = 0x${(status >>> 0).toString(16)}`)
      return STATUS.STATUS_FLT_DO_NOT_ATTACH
    }
    return STATUS.STATUS_SUCCESS
  }

  /** the instance's state cache */
  function scanCacheOf(FltObjects: FLT_RELATED_OBJECTS): Map<bigint, AV_FILE_INFECTED_STATE> | undefined {
    const ic = ref<AV_INSTANCE_CONTEXT>()
    if (!NT_SUCCESS(FltGetInstanceContext(FltObjects.Instance, ic))) return undefined
    const cache = ic.value!.ScanCache
    FltReleaseContext(ic.value!)
    return cache
  }

  /** AvSyncCache: the stream's state into the instance's cache (a modified file leaves it) */
  function AvSyncCache(FltObjects: FLT_RELATED_OBJECTS, streamContext: AV_STREAM_CONTEXT): void {
    const cache = scanCacheOf(FltObjects)
    if (!cache || streamContext.FileId === undefined) return
    if (streamContext.State === AvFileModified) cache.delete(streamContext.FileId)
    else cache.set(streamContext.FileId, streamContext.State)
  }

  // ---- contexts -------------------------------------------------------------------------------

  /** the stream context, if there is one */
  function AvFindStreamContext(FltObjects: FLT_RELATED_OBJECTS, fo: FileObject): AV_STREAM_CONTEXT | undefined {
    const found = ref<AV_STREAM_CONTEXT>()
    return NT_SUCCESS(FltGetStreamContext(FltObjects.Instance, fo, found)) ? found.value : undefined
  }

  /** AvFindOrCreateStreamContext: a new one starts from the state cache's entry for the file ID */
  function* AvFindOrCreateStreamContext(FltObjects: FLT_RELATED_OBJECTS, fo: FileObject): Co<AV_STREAM_CONTEXT | undefined> {
    const found = ref<AV_STREAM_CONTEXT>()
    let status = FltGetStreamContext(FltObjects.Instance, fo, found)
    if (NT_SUCCESS(status)) return found.value
    if (status !== STATUS.STATUS_NOT_FOUND) return undefined
    const made = ref<AV_STREAM_CONTEXT>()
    status = FltAllocateContext(gFilterHandle.value!, FLT_STREAM_CONTEXT, 0, NonPagedPool, made)
    if (!NT_SUCCESS(status)) return undefined
    made.value!.State = AvFileModified
    made.value!.Revision = 0
    made.value!.FileId = undefined
    const idInfo = new Uint8Array(8)
    if (NT_SUCCESS(yield* FltQueryInformationFile(FltObjects.Instance, fo, idInfo, 8, FILE_INFORMATION_CLASS.FileInternalInformation, null))) {
      const id = new DataView(idInfo.buffer).getBigUint64(0, true)
      made.value!.FileId = id
      const cached = scanCacheOf(FltObjects)?.get(id)
      if (cached !== undefined) made.value!.State = cached
    }
    const old = ref<AV_STREAM_CONTEXT>()
    status = FltSetStreamContext(FltObjects.Instance, fo, FLT_SET_CONTEXT_KEEP_IF_EXISTS, made.value!, old)
    if (status === STATUS.STATUS_FLT_CONTEXT_ALREADY_DEFINED) {
      FltReleaseContext(made.value!)
      return old.value
    }
    if (!NT_SUCCESS(status)) {
      FltReleaseContext(made.value!)
      return undefined
    }
    return made.value
  }

  // ---- the scan -------------------------------------------------------------------------------

  /** the file's opened name, for the record */
  function* nameOf(Data: FLT_CALLBACK_DATA): Co<string> {
    const n = ref<FLT_FILE_NAME_INFORMATION>()
    const st = yield* FltGetFileNameInformation(Data, FLT_FILE_NAME_OPENED | FLT_FILE_NAME_QUERY_ALWAYS_ALLOW_CACHE_LOOKUP, n)
    if (!NT_SUCCESS(st)) return ''
    const name = n.value!.Name
    FltReleaseFileNameInformation(n.value!)
    return name
  }

  /**
   * AvScan: a data-scan section on the file, read page by page; the stream's state from what it
   * held. The section's handle lives in the process that opened (or cleans up) the file, as the
   * sample's kernel-mode scan makes it.
   */
  function* AvScan(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, reason: AvScanRecord['reason'], streamContext: AV_STREAM_CONTEXT): Co<NTSTATUS> {
    const fo = Data.Iopb.TargetFileObject!
    const revision = streamContext.Revision
    const name = yield* nameOf(Data)
    // an empty file is clean
    const info = new Uint8Array(24)
    let status = yield* FltQueryInformationFile(FltObjects.Instance, fo, info, 24, FILE_INFORMATION_CLASS.FileStandardInformation, null)
    if (!NT_SUCCESS(status)) return status
    if (new DataView(info.buffer).getBigInt64(8, true) === 0n) {
      if (streamContext.Revision === revision) streamContext.State = AvFileNotInfected
      scans.push({ reason, name, result: 'clean', bytes: 0 })
      return STATUS.STATUS_SUCCESS
    }
    const sectionCtx = ref<AV_SECTION_CONTEXT>()
    status = FltAllocateContext(gFilterHandle.value!, FLT_SECTION_CONTEXT, 0, NonPagedPool, sectionCtx)
    if (!NT_SUCCESS(status)) return status
    const sc = sectionCtx.value!
    Object.assign(sc, { SectionHandle: undefined, SectionObject: undefined, FileSize: 0, Aborted: false })
    const handle = ref<number>()
    const object = ref<DataScanSection>()
    const size = ref<number>()
    try {
      status = yield* FltCreateSectionForDataScan(FltObjects.Instance, fo, sc, SECTION_ACCESS.SECTION_MAP_READ, null, null, PAGE.PAGE_READONLY, SEC.SEC_COMMIT, 0, handle, object, size)
      if (!NT_SUCCESS(status)) {
        AV_DBG_PRINT(`AvScan!AvScan: FltCreateSectionForDataScan failed, status = 0x${(status >>> 0).toString(16)}`)
        scans.push({ reason, name, result: 'failed', bytes: 0 })
        return status
      }
      sc.SectionHandle = handle.value
      sc.SectionObject = object.value
      sc.FileSize = size.value ?? 0
      // the view: read it as its page faults would bring it in
      let tail: Uint8Array = new Uint8Array(0)
      let infected = false
      let bytes = 0
      for (let offset = 0; offset < sc.FileSize && !infected; offset += SCAN_CHUNK) {
        const r = yield* readSection(sc.SectionObject!, offset, Math.min(SCAN_CHUNK, sc.FileSize - offset))
        if (!NT_SUCCESS(r.status)) {
          status = r.status
          break
        }
        bytes += r.data.length
        const m = containsSignature(tail, r.data, signature as Uint8Array)
        infected = m.found
        tail = m.tail
      }
      if (!NT_SUCCESS(status)) {
        scans.push({ reason, name, result: 'failed', bytes })
        return status
      }
      // a change while the scan ran leaves the stream to be scanned again
      if (streamContext.Revision === revision) streamContext.State = infected ? AvFileInfected : AvFileNotInfected
      scans.push({ reason, name, result: infected ? 'infected' : 'clean', bytes })
      AV_DBG_PRINT(`AvScan!AvScan: ${name} is ${infected ? 'infected' : 'clean'}`)
      return STATUS.STATUS_SUCCESS
    } finally {
      if (sc.SectionHandle !== undefined) yield* FltCloseSectionForDataScan(sc)
      FltReleaseContext(sc)
    }
  }

  // ---- IRP_MJ_CREATE ----------------------------------------------------------------------------

  function AvPreCreate(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, _CompletionContext: Ref<unknown>): FLT_PREOP_CALLBACK_STATUS {
    const iopb = Data.Iopb
    const fo = FltObjects.FileObject
    if (!fo) return FLT_PREOP_SUCCESS_NO_CALLBACK
    // unverified: the sample skips file objects on the stack (IoGetStackLimits), the ones
    // NtQueryAttributesFile and NtDeleteFile use; the emulated file objects do not say where they
    // live, and those opens ask for no data access, which is what is tested here instead
    if (!((iopb.Parameters.Create.SecurityContext?.DesiredAccess ?? 0) & DATA_ACCESS)) return FLT_PREOP_SUCCESS_NO_CALLBACK
    if (iopb.Parameters.Create.Options & CREATE_OPTIONS.FILE_DIRECTORY_FILE) return FLT_PREOP_SUCCESS_NO_CALLBACK
    if (iopb.OperationFlags & (SL_FLAGS_CREATE.SL_OPEN_TARGET_DIRECTORY | SL_FLAGS_CREATE.SL_OPEN_PAGING_FILE)) return FLT_PREOP_SUCCESS_NO_CALLBACK
    if (fo.Flags & FO.FO_VOLUME_OPEN) return FLT_PREOP_SUCCESS_NO_CALLBACK
    return FLT_PREOP_SYNCHRONIZE
  }

  function* AvPostCreate(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): Co<FLT_POSTOP_CALLBACK_STATUS> {
    if (!NT_SUCCESS(Data.IoStatus.Status) || Data.IoStatus.Status === STATUS.STATUS_REPARSE) return FLT_POSTOP_FINISHED_PROCESSING
    const fo = FltObjects.FileObject!
    // directories are not scanned (FltIsDirectory)
    const info = new Uint8Array(24)
    let status = yield* FltQueryInformationFile(FltObjects.Instance, fo, info, 24, FILE_INFORMATION_CLASS.FileStandardInformation, null)
    if (!NT_SUCCESS(status) || info[21] !== 0) return FLT_POSTOP_FINISHED_PROCESSING
    // alternate data streams are not scanned
    const n = ref<FLT_FILE_NAME_INFORMATION>()
    status = yield* FltGetFileNameInformation(Data, FLT_FILE_NAME_OPENED | FLT_FILE_NAME_QUERY_ALWAYS_ALLOW_CACHE_LOOKUP, n)
    if (!NT_SUCCESS(status)) return FLT_POSTOP_FINISHED_PROCESSING
    FltParseFileNameInformation(n.value!)
    const isStream = n.value!.Stream.length > 0
    FltReleaseFileNameInformation(n.value!)
    if (isStream) return FLT_POSTOP_FINISHED_PROCESSING
    const streamContext = yield* AvFindOrCreateStreamContext(FltObjects, fo)
    if (!streamContext) return FLT_POSTOP_FINISHED_PROCESSING
    try {
      // scanned before and unchanged since: the cached answer stands
      if (streamContext.State === AvFileModified) {
        status = yield* AvScan(Data, FltObjects, 'IRP_MJ_CREATE', streamContext)
        // fail open: a scan that could not be done does not deny the file
        if (!NT_SUCCESS(status)) return FLT_POSTOP_FINISHED_PROCESSING
        AvSyncCache(FltObjects, streamContext)
      }
      if (streamContext.State === AvFileInfected) {
        FltCancelFileOpen(FltObjects.Instance, fo)
        Data.IoStatus = { Status: STATUS_VIRUS_INFECTED, Information: 0 }
      }
      return FLT_POSTOP_FINISHED_PROCESSING
    } finally {
      FltReleaseContext(streamContext)
    }
  }

  // ---- modifications --------------------------------------------------------------------------

  /** AvPreOperationCallback: writes and size changes mark the stream modified */
  function AvPreOperationCallback(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): FLT_PREOP_CALLBACK_STATUS {
    const iopb = Data.Iopb
    if (iopb.MajorFunction === IRP_MJ.IRP_MJ_SET_INFORMATION) {
      const cls = iopb.Parameters.SetFileInformation.FileInformationClass
      if (cls !== FILE_INFORMATION_CLASS.FileEndOfFileInformation && cls !== FILE_INFORMATION_CLASS.FileValidDataLengthInformation) return FLT_PREOP_SUCCESS_NO_CALLBACK
    }
    markModified(FltObjects)
    return FLT_PREOP_SUCCESS_NO_CALLBACK
  }

  function markModified(FltObjects: FLT_RELATED_OBJECTS): void {
    const fo = FltObjects.FileObject
    if (!fo) return
    const streamContext = AvFindStreamContext(FltObjects, fo)
    if (!streamContext) return
    streamContext.State = AvFileModified
    streamContext.Revision++
    AvSyncCache(FltObjects, streamContext)
    FltReleaseContext(streamContext)
  }

  function AvPreFsControl(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): FLT_PREOP_CALLBACK_STATUS {
    const code = Data.Iopb.Parameters.FileSystemControl.Common.FsControlCode >>> 0
    if (code === FSCTL.FSCTL_OFFLOAD_WRITE >>> 0 || code === FSCTL.FSCTL_WRITE_RAW_ENCRYPTED >>> 0 || code === FSCTL.FSCTL_SET_ZERO_DATA >>> 0) markModified(FltObjects)
    return FLT_PREOP_SUCCESS_NO_CALLBACK
  }

  // ---- IRP_MJ_CLEANUP ---------------------------------------------------------------------------

  function* AvPreCleanup(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): Co<FLT_PREOP_CALLBACK_STATUS> {
    const fo = FltObjects.FileObject
    if (!fo) return FLT_PREOP_SUCCESS_NO_CALLBACK
    const streamContext = AvFindStreamContext(FltObjects, fo)
    if (!streamContext) return FLT_PREOP_SUCCESS_NO_CALLBACK
    try {
      // modified since the last scan: scan before the handle goes
      if (streamContext.State === AvFileModified) {
        const status = yield* AvScan(Data, FltObjects, 'IRP_MJ_CLEANUP', streamContext)
        if (!NT_SUCCESS(status)) AV_DBG_PRINT(`AvScan!AvPreCleanup: scan failed, status = 0x${(status >>> 0).toString(16)}`)
        AvSyncCache(FltObjects, streamContext)
      }
    } finally {
      FltReleaseContext(streamContext)
    }
    return FLT_PREOP_SUCCESS_NO_CALLBACK
  }

  function AvUnload(): NTSTATUS {
    FltUnregisterFilter(gFilterHandle.value!)
    return STATUS.STATUS_SUCCESS
  }

  const FilterRegistration: FLT_REGISTRATION = {
    Version: FLT_REGISTRATION_VERSION,
    Flags: 0,
    ContextRegistration: [
      { ContextType: FLT_STREAM_CONTEXT, Flags: 0, ContextCleanupCallback: null, Size: 0, PoolTag: 'xSvA' },
      { ContextType: FLT_SECTION_CONTEXT, Flags: 0, ContextCleanupCallback: null, Size: 0, PoolTag: 'cSvA' },
      { ContextType: FLT_INSTANCE_CONTEXT, Flags: 0, ContextCleanupCallback: null, Size: 0, PoolTag: 'cIvA' },
    ],
    OperationRegistration: [
      { MajorFunction: IRP_MJ.IRP_MJ_CREATE, Flags: 0, PreOperation: AvPreCreate, PostOperation: AvPostCreate },
      { MajorFunction: IRP_MJ.IRP_MJ_CLEANUP, Flags: 0, PreOperation: AvPreCleanup, PostOperation: null },
      { MajorFunction: IRP_MJ.IRP_MJ_WRITE, Flags: 0, PreOperation: AvPreOperationCallback, PostOperation: null },
      { MajorFunction: IRP_MJ.IRP_MJ_SET_INFORMATION, Flags: 0, PreOperation: AvPreOperationCallback, PostOperation: null },
      { MajorFunction: IRP_MJ.IRP_MJ_FILE_SYSTEM_CONTROL, Flags: 0, PreOperation: AvPreFsControl, PostOperation: null },
      { MajorFunction: 0x80 /* IRP_MJ_OPERATION_END */ },
    ],
    FilterUnloadCallback: AvUnload,
    InstanceSetupCallback: AvInstanceSetup,
    InstanceQueryTeardownCallback: () => STATUS.STATUS_SUCCESS,
  }

  let status = FltRegisterFilter(ctx.DriverObject, FilterRegistration, gFilterHandle)
  if (NT_SUCCESS(status)) {
    status = FltStartFiltering(gFilterHandle.value!)
    if (!NT_SUCCESS(status)) FltUnregisterFilter(gFilterHandle.value!)
  }
  return status
}
