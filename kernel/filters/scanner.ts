// The WDK scanner sample (filesys/miniFilter/scanner/filter/scanner.c) as a built-in filter, with
// its user-mode program scanuser.exe (./scanner-user.ts, exported as SERVICE). Files whose
// extension is in the list (the `Extensions` parameter, default "doc") are read after they are
// opened (FltReadFile, non-cached, the first max(1 KiB, sector size) bytes, below the scanner)
// and the bytes sent to scanuser.exe over \ScannerPort; a file containing "foul" is not opened
// (FltCancelFileOpen + STATUS_ACCESS_DENIED). Writes to such a file whose first 1 KiB contains
// "foul" fail with STATUS_ACCESS_DENIED (paging writes excepted); handles opened for write are
// scanned again at cleanup, which only prints; FSCTL_OFFLOAD_WRITE is refused on scanned
// handles. scanuser.exe's own opens are not scanned. Without scanuser.exe connected everything
// is allowed. INF: one instance at 265000.

import {
  FltAllocateContext,
  FltBuildDefaultSecurityDescriptor,
  FltCancelFileOpen,
  FltCloseClientPort,
  FltCloseCommunicationPort,
  FltCreateCommunicationPort,
  FltFreeSecurityDescriptor,
  FltGetFileNameInformation,
  FltGetStreamHandleContext,
  FltGetVolumeFromInstance,
  FltGetVolumeProperties,
  FltObjectDereference,
  FltParseFileNameInformation,
  FltReadFile,
  FltRegisterFilter,
  FltReleaseContext,
  FltReleaseFileNameInformation,
  FltSendMessage,
  FltSetStreamHandleContext,
  FltStartFiltering,
  FltUnregisterFilter,
  InitializeObjectAttributes,
  IoThreadToProcess,
  PsGetCurrentThread,
  FLT_CONTEXT_END,
  FLT_FILE_NAME_NORMALIZED,
  FLT_FILE_NAME_QUERY_DEFAULT,
  FLT_PORT_ALL_ACCESS,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_SET_CONTEXT_REPLACE_IF_EXISTS,
  FLT_STREAMHANDLE_CONTEXT,
  FLTFL_IO_OPERATION_DO_NOT_UPDATE_BYTE_OFFSET,
  FLTFL_IO_OPERATION_NON_CACHED,
  IRP_FLAGS,
  IRP_MJ,
  NT_ERROR,
  NT_SUCCESS,
  OBJ_KERNEL_HANDLE,
  PagedPool,
  STATUS,
  ref,
  type Co,
  type FLT_CALLBACK_DATA,
  type FLT_FILE_NAME_INFORMATION,
  type FLT_RELATED_OBJECTS,
  type FLT_VOLUME_PROPERTIES,
  type FileObject,
  type FilterDriverContext,
  type FilterModule,
  type FltServerPort,
  type NTSTATUS,
  type PFLT_FILTER,
  type PFLT_INSTANCE,
  type PFLT_PORT,
  type PFLT_VOLUME,
  type SECURITY_DESCRIPTOR,
} from '../flt/index.ts'
import { FSCTL } from '../nt/irp.ts'
import type { EProcess } from '../ob/index.ts'
import { ScanUser } from './scanner-user.ts'

export const NAME = 'scanner'

export const INF: FilterModule['INF'] = {
  DefaultInstance: 'Scanner Instance',
  Instances: [{ Name: 'Scanner Instance', Altitude: '265000', Flags: 0x0 }],
}

/** the user-mode half: scanuser.exe */
export const SERVICE = ScanUser

// ---- scanuk.h: what the filter and scanuser.exe share -------------------------------------------

export const ScannerPortName = '\\ScannerPort'
export const SCANNER_READ_BUFFER_SIZE = 1024

/** SCANNER_NOTIFICATION { ULONG BytesToScan; ULONG Reserved; UCHAR Contents[1024] } */
export const SCANNER_NOTIFICATION_SIZE = 8 + SCANNER_READ_BUFFER_SIZE
/** SCANNER_REPLY { BOOLEAN SafeToOpen } */
export const SCANNER_REPLY_SIZE = 1

/** a SCANNER_NOTIFICATION in its bytes */
export function SCANNER_NOTIFICATION(): { bytes: Uint8Array; setBytesToScan(n: number): void; Contents: Uint8Array } {
  const bytes = new Uint8Array(SCANNER_NOTIFICATION_SIZE)
  return {
    bytes,
    setBytesToScan: (n) => new DataView(bytes.buffer).setUint32(0, n, true),
    Contents: bytes.subarray(8),
  }
}

// ---- scanner.h ----------------------------------------------------------------------------------

interface SCANNER_DATA {
  DriverObject: unknown
  Filter: PFLT_FILTER | undefined
  ServerPort: FltServerPort | undefined
  /** the process of scanuser.exe: its opens are not scanned */
  UserProcess: EProcess | undefined
  ClientPort: { value: PFLT_PORT | undefined }
}

/** SCANNER_STREAM_HANDLE_CONTEXT */
interface SCANNER_STREAM_HANDLE_CONTEXT {
  RescanRequired: boolean
}

const SCANNER_DEFAULT_EXTENSIONS = ['doc']

export function DriverEntry(ctx: FilterDriverContext): Co<NTSTATUS> {
  const ScannerData: SCANNER_DATA = { DriverObject: ctx.DriverObject, Filter: undefined, ServerPort: undefined, UserProcess: undefined, ClientPort: ref<PFLT_PORT>() }
  let ScannedExtensions: string[] = []
  const DbgPrint = (text: string): void => ctx.DbgPrint(text)

  /** ScannerInitializeScannedExtensions: the Extensions value (REG_MULTI_SZ), or "doc" */
  function ScannerInitializeScannedExtensions(): NTSTATUS {
    const v = ctx.Parameters['Extensions'] ?? ctx.Parameters['extensions']
    if (v === undefined) ScannedExtensions = [...SCANNER_DEFAULT_EXTENSIONS]
    else if (typeof v === 'string') ScannedExtensions = v.split(/[,;\s]+/).filter(Boolean)
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) ScannedExtensions = v as string[]
    else return STATUS.STATUS_INVALID_PARAMETER
    ScannedExtensions = ScannedExtensions.map((e) => e.replace(/^\./, ''))
    return STATUS.STATUS_SUCCESS
  }

  /** ScannerpCheckExtension: case-insensitive (RtlCompareUnicodeString with CaseInSensitive TRUE) */
  function ScannerpCheckExtension(Extension: string): boolean {
    if (Extension.length === 0) return false
    return ScannedExtensions.some((e) => e.toLowerCase() === Extension.toLowerCase())
  }

  // ---- the port ---------------------------------------------------------------------------------

  function ScannerPortConnect(ClientPort: PFLT_PORT): NTSTATUS {
    // PsGetCurrentProcess: ConnectNotify runs in the connecting program's thread
    ScannerData.UserProcess = IoThreadToProcess(PsGetCurrentThread()!)
    ScannerData.ClientPort.value = ClientPort
    DbgPrint(`!!! scanner.sys --- connected, port=${ClientPort}`)
    return STATUS.STATUS_SUCCESS
  }

  function ScannerPortDisconnect(): void {
    DbgPrint(`!!! scanner.sys --- disconnected, port=${ScannerData.ClientPort.value}`)
    FltCloseClientPort(ScannerData.Filter!, ScannerData.ClientPort)
    ScannerData.UserProcess = undefined
  }

  // ---- scanning -------------------------------------------------------------------------------

  /**
   * ScannerpScanFileInUserMode: reads the start of the file below this instance and asks
   * scanuser.exe. SafeToOpen stays TRUE when nobody is connected or the file is empty.
   */
  function* ScannerpScanFileInUserMode(Instance: PFLT_INSTANCE, FileObject: FileObject, SafeToOpen: { value: boolean }): Co<NTSTATUS> {
    SafeToOpen.value = true
    if (ScannerData.ClientPort.value === undefined) return STATUS.STATUS_SUCCESS
    const volume = ref<PFLT_VOLUME>()
    let status = FltGetVolumeFromInstance(Instance, volume)
    if (!NT_SUCCESS(status)) return status
    try {
      const volumeProps = ref<FLT_VOLUME_PROPERTIES>()
      status = FltGetVolumeProperties(volume.value!, volumeProps)
      if (NT_ERROR(status)) return status
      const length = Math.max(SCANNER_READ_BUFFER_SIZE, volumeProps.value!.SectorSize)
      // FltAllocatePoolAlignedWithTag: a sector-aligned buffer for the non-cached read
      const buffer = new Uint8Array(length)
      const notification = SCANNER_NOTIFICATION()
      const bytesRead = ref(0)
      status = yield* FltReadFile(Instance, FileObject, 0, length, buffer, FLTFL_IO_OPERATION_NON_CACHED | FLTFL_IO_OPERATION_DO_NOT_UPDATE_BYTE_OFFSET, bytesRead, null, null)
      if (NT_SUCCESS(status) && bytesRead.value !== 0) {
        notification.setBytesToScan(bytesRead.value!)
        notification.Contents.set(buffer.subarray(0, Math.min(bytesRead.value!, SCANNER_READ_BUFFER_SIZE)))
        const replyLength = ref(SCANNER_REPLY_SIZE)
        // the reply comes back into the notification's own buffer, as in the sample
        status = yield* FltSendMessage(ScannerData.Filter!, ScannerData.ClientPort, notification.bytes, SCANNER_NOTIFICATION_SIZE, notification.bytes, replyLength, null)
        if (status === STATUS.STATUS_SUCCESS) SafeToOpen.value = notification.bytes[0] !== 0
        else DbgPrint(`!!! scanner.sys --- couldn't send message to user-mode to scan file, status 0x${status.toString(16).toUpperCase()}`)
      }
      return status
    } finally {
      FltObjectDereference(volume.value)
    }
  }

  // ---- callbacks --------------------------------------------------------------------------------

  function ScannerPreCreate(Data: FLT_CALLBACK_DATA): number {
    // the scanner's own opens are not scanned (they would wait for themselves)
    if (Data.Thread && IoThreadToProcess(Data.Thread) === ScannerData.UserProcess) {
      DbgPrint('!!! scanner.sys -- allowing create for trusted process')
      return FLT_PREOP_SUCCESS_NO_CALLBACK
    }
    return FLT_PREOP_SUCCESS_WITH_CALLBACK
  }

  function* ScannerPostCreate(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): Co<number> {
    // the create failed, or it is a reparse: nothing to scan
    if (!NT_SUCCESS(Data.IoStatus.Status) || Data.IoStatus.Status === STATUS.STATUS_REPARSE) return FLT_POSTOP_FINISHED_PROCESSING
    const nameInfo = ref<FLT_FILE_NAME_INFORMATION>()
    let status = yield* FltGetFileNameInformation(Data, FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT, nameInfo)
    if (!NT_SUCCESS(status)) return FLT_POSTOP_FINISHED_PROCESSING
    FltParseFileNameInformation(nameInfo.value!)
    const scanFile = ScannerpCheckExtension(nameInfo.value!.Extension)
    FltReleaseFileNameInformation(nameInfo.value!)
    if (!scanFile) return FLT_POSTOP_FINISHED_PROCESSING
    const safeToOpen = { value: true }
    yield* ScannerpScanFileInUserMode(FltObjects.Instance, FltObjects.FileObject!, safeToOpen)
    if (!safeToOpen.value) {
      DbgPrint('!!! scanner.sys -- foul language detected in postcreate !!!')
      DbgPrint('!!! scanner.sys -- undoing create')
      FltCancelFileOpen(FltObjects.Instance, FltObjects.FileObject!)
      Data.IoStatus.Status = STATUS.STATUS_ACCESS_DENIED
      Data.IoStatus.Information = 0
      return FLT_POSTOP_FINISHED_PROCESSING
    }
    if (FltObjects.FileObject!.WriteAccess) {
      // opened for write: scan again at cleanup
      const scannerContext = ref<SCANNER_STREAM_HANDLE_CONTEXT>()
      status = FltAllocateContext(ScannerData.Filter!, FLT_STREAMHANDLE_CONTEXT, 1, PagedPool, scannerContext)
      if (NT_SUCCESS(status)) {
        scannerContext.value!.RescanRequired = true
        FltSetStreamHandleContext(FltObjects.Instance, FltObjects.FileObject!, FLT_SET_CONTEXT_REPLACE_IF_EXISTS, scannerContext.value!, null)
        FltReleaseContext(scannerContext.value!)
      }
    }
    return FLT_POSTOP_FINISHED_PROCESSING
  }

  function* ScannerPreCleanup(_Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): Co<number> {
    const context = ref<SCANNER_STREAM_HANDLE_CONTEXT>()
    const status = FltGetStreamHandleContext(FltObjects.Instance, FltObjects.FileObject!, context)
    if (NT_SUCCESS(status)) {
      if (context.value!.RescanRequired) {
        const safe = { value: true }
        yield* ScannerpScanFileInUserMode(FltObjects.Instance, FltObjects.FileObject!, safe)
        if (!safe.value) DbgPrint('!!! scanner.sys -- foul language detected in precleanup !!!')
      }
      FltReleaseContext(context.value!)
    }
    return FLT_PREOP_SUCCESS_NO_CALLBACK
  }

  function* ScannerPreWrite(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): Co<number> {
    let returnStatus = FLT_PREOP_SUCCESS_NO_CALLBACK
    // nobody to ask
    if (ScannerData.ClientPort.value === undefined) return FLT_PREOP_SUCCESS_NO_CALLBACK
    const context = ref<SCANNER_STREAM_HANDLE_CONTEXT>()
    let status = FltGetStreamHandleContext(FltObjects.Instance, FltObjects.FileObject!, context)
    // not a handle we scanned
    if (!NT_SUCCESS(status)) return FLT_PREOP_SUCCESS_NO_CALLBACK
    try {
      const w = Data.Iopb.Parameters.Write
      if (w.Length !== 0) {
        const mdl = w.MdlAddress as { StartVa?: Uint8Array } | undefined
        const buffer = mdl?.StartVa instanceof Uint8Array ? mdl.StartVa : w.WriteBuffer
        if (!buffer) return FLT_PREOP_SUCCESS_NO_CALLBACK
        const notification = SCANNER_NOTIFICATION()
        const n = Math.min(w.Length, SCANNER_READ_BUFFER_SIZE)
        notification.setBytesToScan(n)
        notification.Contents.set(buffer.subarray(0, n))
        const replyLength = ref(SCANNER_REPLY_SIZE)
        let safe = true
        status = yield* FltSendMessage(ScannerData.Filter!, ScannerData.ClientPort, notification.bytes, SCANNER_NOTIFICATION_SIZE, notification.bytes, replyLength, null)
        if (status === STATUS.STATUS_SUCCESS) safe = notification.bytes[0] !== 0
        else DbgPrint(`!!! scanner.sys --- couldn't send message to user-mode to scan file, status 0x${status.toString(16).toUpperCase()}`)
        if (!safe && !(Data.Iopb.IrpFlags & IRP_FLAGS.IRP_PAGING_IO)) {
          // paging writes cannot be failed: only the user's write is blocked
          DbgPrint('!!! scanner.sys -- foul language detected in write !!!')
          DbgPrint('!!! scanner.sys -- blocking the write !!!')
          Data.IoStatus.Status = STATUS.STATUS_ACCESS_DENIED
          Data.IoStatus.Information = 0
          returnStatus = FLT_PREOP_COMPLETE
        }
      }
    } finally {
      FltReleaseContext(context.value!)
    }
    return returnStatus
  }

  function ScannerPreFileSystemControl(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): number {
    let returnStatus = FLT_PREOP_SUCCESS_NO_CALLBACK
    if (Data.Iopb.Parameters.FileSystemControl.Common.FsControlCode === FSCTL.FSCTL_OFFLOAD_WRITE) {
      // an offloaded write would bypass the write scan: refused on scanned handles
      const context = ref<SCANNER_STREAM_HANDLE_CONTEXT>()
      const status = FltGetStreamHandleContext(FltObjects.Instance, FltObjects.FileObject!, context)
      if (NT_SUCCESS(status)) {
        Data.IoStatus.Status = STATUS.STATUS_ACCESS_DENIED
        Data.IoStatus.Information = 0
        returnStatus = FLT_PREOP_COMPLETE
        FltReleaseContext(context.value!)
      }
    }
    return returnStatus
  }

  function ScannerInstanceSetup(_FltObjects: FLT_RELATED_OBJECTS, _Flags: number, VolumeDeviceType: number): NTSTATUS {
    // FILE_DEVICE_NETWORK_FILE_SYSTEM: network volumes are not scanned
    if (VolumeDeviceType === 0x14) return STATUS.STATUS_FLT_DO_NOT_ATTACH
    return STATUS.STATUS_SUCCESS
  }

  function ScannerUnload(): NTSTATUS {
    FltCloseCommunicationPort(ScannerData.ServerPort)
    FltUnregisterFilter(ScannerData.Filter!)
    return STATUS.STATUS_SUCCESS
  }

  return (function* (): Co<NTSTATUS> {
    const filter = ref<PFLT_FILTER>()
    let status = FltRegisterFilter(
      ctx.DriverObject,
      {
        ContextRegistration: [{ ContextType: FLT_STREAMHANDLE_CONTEXT, Flags: 0, Size: 1, PoolTag: 'chBS' }, { ContextType: FLT_CONTEXT_END }],
        OperationRegistration: [
          { MajorFunction: IRP_MJ.IRP_MJ_CREATE, Flags: 0, PreOperation: ScannerPreCreate, PostOperation: ScannerPostCreate },
          { MajorFunction: IRP_MJ.IRP_MJ_CLEANUP, Flags: 0, PreOperation: ScannerPreCleanup, PostOperation: null },
          { MajorFunction: IRP_MJ.IRP_MJ_WRITE, Flags: 0, PreOperation: ScannerPreWrite, PostOperation: null },
          { MajorFunction: IRP_MJ.IRP_MJ_FILE_SYSTEM_CONTROL, Flags: 0, PreOperation: ScannerPreFileSystemControl, PostOperation: null },
        ],
        FilterUnloadCallback: ScannerUnload,
        InstanceSetupCallback: ScannerInstanceSetup,
        InstanceQueryTeardownCallback: () => STATUS.STATUS_SUCCESS,
      },
      filter,
    )
    if (!NT_SUCCESS(status)) return status
    ScannerData.Filter = filter.value
    status = ScannerInitializeScannedExtensions()
    if (!NT_SUCCESS(status)) {
      FltUnregisterFilter(ScannerData.Filter!)
      return status
    }
    // the port, for administrators and SYSTEM only, one connection at a time
    const sd = ref<SECURITY_DESCRIPTOR>()
    status = FltBuildDefaultSecurityDescriptor(sd, FLT_PORT_ALL_ACCESS)
    if (NT_SUCCESS(status)) {
      const oa = InitializeObjectAttributes(ScannerPortName, OBJ_KERNEL_HANDLE | 0x40 /* OBJ_CASE_INSENSITIVE */, undefined, sd.value)
      const server = ref<FltServerPort>()
      status = FltCreateCommunicationPort(ScannerData.Filter!, server, oa, null, ScannerPortConnect, ScannerPortDisconnect, null, 1)
      ScannerData.ServerPort = server.value
      FltFreeSecurityDescriptor(sd.value)
      if (NT_SUCCESS(status)) {
        status = FltStartFiltering(ScannerData.Filter!)
        if (NT_SUCCESS(status)) return STATUS.STATUS_SUCCESS
        FltCloseCommunicationPort(ScannerData.ServerPort)
      }
    }
    FltUnregisterFilter(ScannerData.Filter!)
    return status
  })()
}

