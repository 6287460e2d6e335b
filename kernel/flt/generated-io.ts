// Filter-initiated I/O. FltCreateFile(Ex)(2) with an instance sends the create only to the
// instances below it (an ECP names the instance; the frame marks the file object so every later
// request on it starts below that instance too). FltReadFile, FltWriteFile,
// FltQueryInformationFile, FltSetInformationFile, FltFsControlFile and FltPerformSynchronousIo
// build an IRP that enters the frame below the issuing instance, flagged
// FLTFL_CALLBACK_DATA_GENERATED_IO. Zw* calls (./zw.ts) instead enter at the top of the stack.

import { BugCheck, type Co } from '../ke/index.ts'
import { defaultOpenPacket } from '../io/create.ts'
import type { DeviceObject } from '../io/device.ts'
import { FO, FileObject as FileObjectClass, type FileObject } from '../io/file-object.ts'
import { IoCallDriver, type Irp, type IoStackLocation } from '../io/irp.ts'
import { openByName, isCaseInsensitive, validateCreate } from '../io/services/create.ts'
import { insertHandle, NtClose } from '../io/services/handles.ts'
import { mapGenericFileAccess, ACCESS } from '../nt/access.ts'
import { IRP_FLAGS, IRP_MJ } from '../nt/irp.ts'
import { OBJ_ATTRIBUTES } from '../nt/file.ts'
import { STATUS, type NTSTATUS } from '../nt/status.ts'
import type { EaEntry } from '../fs/ntfs/store.ts'
import { FLT_CALLBACK_DATA, operationOf } from './callback-data.ts'
import {
  FLTFL_CALLBACK_DATA_GENERATED_IO,
  FLTFL_CALLBACK_DATA_IRP_OPERATION,
  FLTFL_CALLBACK_DATA_REISSUED_IO,
  FLTFL_IO_OPERATION_DO_NOT_UPDATE_BYTE_OFFSET,
  FLTFL_IO_OPERATION_NON_CACHED,
  FLTFL_IO_OPERATION_PAGING,
  FLTFL_IO_OPERATION_SYNCHRONOUS_PAGING,
  FLTMGR_BUGCHECK,
  GUID_ECP_FLT_CREATEFILE_TARGET,
  IO_IGNORE_SHARE_ACCESS_CHECK,
  IO_NO_PARAMETER_CHECKING,
  KernelMode,
} from './constants.ts'
import { ECP_LIST, TARGET_INSTANCE, type FltCreateFileTargetEcp } from './dispatch.ts'
import { activeManager as currentManager, runInContext } from './invoke.ts'
import { iopbFromIrp, irpFromIopb } from './irp-params.ts'
import type { FilterManager } from './manager.ts'
import type { FltFilter, FltInstance } from './objects.ts'
import type { FltOperation, GeneratedIo } from './operation.ts'
import type { IO_DRIVER_CREATE_CONTEXT, IO_STATUS_BLOCK, OBJECT_ATTRIBUTES, PFLT_COMPLETED_ASYNC_IO_CALLBACK, Ref } from './types.ts'

/** the device a request below `inst` is sent to: the top of the volume's stack (the frame) */
function deviceFor(mgr: FilterManager, inst: FltInstance | undefined, fo: FileObject): DeviceObject {
  if (inst?.volume.frameDevice) return inst.volume.frameDevice
  return mgr.io.topDeviceFor(fo)
}

/** builds an IRP for filter-initiated I/O on `fo`, entering the stack below `inst` */
function buildBelow(mgr: FilterManager, inst: FltInstance | undefined, fo: FileObject, major: number, minor: number, gen: Partial<GeneratedIo> = {}): { irp: Irp; sp: IoStackLocation; device: DeviceObject } {
  const device = deviceFor(mgr, inst, fo)
  const r = mgr.io.buildIrp(fo, major, minor, device)
  r.irp.RequestorMode = 'KernelMode'
  mgr.generatedIrps.set(r.irp, { startBelow: inst, flags: FLTFL_CALLBACK_DATA_GENERATED_IO, ...gen })
  return r
}

/** sends it: synchronously (waits), or with a completion callback that gets the callback data */
function* sendBelow(mgr: FilterManager, irp: Irp, device: DeviceObject, callback?: PFLT_COMPLETED_ASYNC_IO_CALLBACK, context?: unknown, data?: FLT_CALLBACK_DATA): Co<NTSTATUS> {
  if (!callback) return yield* mgr.io.sendAndWait(device, irp)
  const sp = irp.Stack[irp.StackCount - 1]!
  const flags = FLTFL_CALLBACK_DATA_IRP_OPERATION | FLTFL_CALLBACK_DATA_GENERATED_IO
  irp.onCompleted = (done) => {
    // the callback data describing the finished I/O: the issuer's own, or one made from the IRP
    const d = data ?? new FLT_CALLBACK_DATA(flags, done.Thread)
    if (!data) iopbFromIrp(d, done, sp)
    d.IoStatus = { Status: done.IoStatus.Status, Information: done.IoStatus.Information }
    const cb = callback
    const work = (function* (): Co<void> {
      const r = cb(d, context)
      if (r && typeof r === 'object' && 'next' in r) yield* r
    })()
    runInContext(mgr, work, 'asynchronous I/O completion callback')
  }
  const st = yield* IoCallDriver(device, irp)
  return irp.completed ? irp.IoStatus.Status : st
}

// ---- creates ----------------------------------------------------------------------------------

export interface CreateFileArgs {
  Filter: FltFilter
  Instance: FltInstance | undefined | null
  DesiredAccess: number
  ObjectAttributes: OBJECT_ATTRIBUTES
  AllocationSize?: number
  FileAttributes: number
  ShareAccess: number
  CreateDisposition: number
  CreateOptions: number
  EaBuffer?: EaEntry[] | null
  Flags: number
  DriverContext?: IO_DRIVER_CREATE_CONTEXT | null
}

function* createFile(a: CreateFileArgs, FileHandle: Ref<number>, FileObject: Ref<FileObject> | null, IoStatusBlock: IO_STATUS_BLOCK | null): Co<NTSTATUS> {
  const mgr = a.Filter.mgr
  mgr.requirePassiveOrApc('FltCreateFile')
  FileHandle.value = undefined
  if (FileObject) FileObject.value = undefined
  const io = mgr.io
  const done = (status: NTSTATUS, information = 0): NTSTATUS => {
    if (IoStatusBlock) {
      IoStatusBlock.Status = status
      IoStatusBlock.Information = information
    }
    return status
  }
  if (!(a.Flags & IO_NO_PARAMETER_CHECKING)) {
    const bad = validateCreate({ FileName: a.ObjectAttributes.ObjectName, DesiredAccess: a.DesiredAccess, CreateDisposition: a.CreateDisposition, CreateOptions: a.CreateOptions, FileAttributes: a.FileAttributes, ShareAccess: a.ShareAccess })
    if (bad !== STATUS.STATUS_SUCCESS) return done(bad)
  }
  let access = mapGenericFileAccess(a.DesiredAccess)
  if (access & ACCESS.MAXIMUM_ALLOWED) access = (access & ~ACCESS.MAXIMUM_ALLOWED) | ACCESS.FILE_ALL_ACCESS
  const ecps = new Map<string, unknown>(a.DriverContext?.ExtraCreateParameter ?? [])
  if (a.Instance) ecps.set(GUID_ECP_FLT_CREATEFILE_TARGET, { Instance: a.Instance, Flags: 0 } satisfies FltCreateFileTargetEcp)
  const packet = defaultOpenPacket({
    desiredAccess: access,
    shareAccess: a.ShareAccess,
    disposition: a.CreateDisposition,
    createOptions: a.CreateOptions,
    fileAttributes: a.FileAttributes,
    allocationSize: a.AllocationSize ?? 0,
    eaBuffer: a.EaBuffer ?? undefined,
    caseInsensitive: isCaseInsensitive(io, a.ObjectAttributes.Attributes),
    extraCreateParameters: ecps,
    ignoreShareAccess: (a.Flags & IO_IGNORE_SHARE_ACCESS_CHECK) !== 0,
  })
  const r = yield* openByName(io, a.ObjectAttributes.ObjectName, a.ObjectAttributes.RootDirectory, packet)
  if (!r.fileObject) return done(r.status, r.information)
  const fo = r.fileObject
  // unverified: kernel handles (OBJ_KERNEL_HANDLE) live in the System process on Windows; here
  // every handle goes to the calling thread's process, so Zw* calls made with it find it
  const handle = insertHandle(io.currentProcess(), fo, access, a.ObjectAttributes.Attributes & OBJ_ATTRIBUTES.OBJ_INHERIT)
  FileHandle.value = handle
  if (FileObject) {
    fo.header.pointerCount++
    FileObject.value = fo
  }
  return done(r.status, r.information)
}

/** FltCreateFile */
export function* FltCreateFile(
  Filter: FltFilter,
  Instance: FltInstance | undefined | null,
  FileHandle: Ref<number>,
  DesiredAccess: number,
  ObjectAttributes: OBJECT_ATTRIBUTES,
  IoStatusBlock: IO_STATUS_BLOCK | null,
  AllocationSize: number | null,
  FileAttributes: number,
  ShareAccess: number,
  CreateDisposition: number,
  CreateOptions: number,
  EaBuffer: EaEntry[] | null,
  _EaLength: number,
  Flags: number,
): Co<NTSTATUS> {
  return yield* createFile(
    { Filter, Instance, DesiredAccess, ObjectAttributes, AllocationSize: AllocationSize ?? 0, FileAttributes, ShareAccess, CreateDisposition, CreateOptions, EaBuffer, Flags },
    FileHandle,
    null,
    IoStatusBlock,
  )
}

/** FltCreateFileEx: also returns the file object, referenced (release it with ObDereferenceObject) */
export function* FltCreateFileEx(
  Filter: FltFilter,
  Instance: FltInstance | undefined | null,
  FileHandle: Ref<number>,
  FileObject: Ref<FileObject> | null,
  DesiredAccess: number,
  ObjectAttributes: OBJECT_ATTRIBUTES,
  IoStatusBlock: IO_STATUS_BLOCK | null,
  AllocationSize: number | null,
  FileAttributes: number,
  ShareAccess: number,
  CreateDisposition: number,
  CreateOptions: number,
  EaBuffer: EaEntry[] | null,
  _EaLength: number,
  Flags: number,
): Co<NTSTATUS> {
  return yield* createFile(
    { Filter, Instance, DesiredAccess, ObjectAttributes, AllocationSize: AllocationSize ?? 0, FileAttributes, ShareAccess, CreateDisposition, CreateOptions, EaBuffer, Flags },
    FileHandle,
    FileObject,
    IoStatusBlock,
  )
}

/** FltCreateFileEx2: FltCreateFileEx with an IO_DRIVER_CREATE_CONTEXT (extra create parameters) */
export function* FltCreateFileEx2(
  Filter: FltFilter,
  Instance: FltInstance | undefined | null,
  FileHandle: Ref<number>,
  FileObject: Ref<FileObject> | null,
  DesiredAccess: number,
  ObjectAttributes: OBJECT_ATTRIBUTES,
  IoStatusBlock: IO_STATUS_BLOCK | null,
  AllocationSize: number | null,
  FileAttributes: number,
  ShareAccess: number,
  CreateDisposition: number,
  CreateOptions: number,
  EaBuffer: EaEntry[] | null,
  _EaLength: number,
  Flags: number,
  DriverContext: IO_DRIVER_CREATE_CONTEXT | null,
): Co<NTSTATUS> {
  return yield* createFile(
    { Filter, Instance, DesiredAccess, ObjectAttributes, AllocationSize: AllocationSize ?? 0, FileAttributes, ShareAccess, CreateDisposition, CreateOptions, EaBuffer, Flags, DriverContext },
    FileHandle,
    FileObject,
    IoStatusBlock,
  )
}

/** FltClose: closes a handle FltCreateFile returned (cleanup, and close with the last reference) */
export function* FltClose(FileHandle: number): Co<NTSTATUS> {
  const mgr = requireManager('FltClose')
  const r = yield* NtClose(mgr.io, { Handle: FileHandle })
  return r.status
}

function requireManager(api: string): FilterManager {
  const m = currentManager()
  if (!m) throw new Error(`${api} was called outside filter code (no Filter Manager is running a filter callback)`)
  return m
}

/** the file object behind a handle of the current process (ObReferenceObjectByHandle for filters) */
export function fileObjectOfHandle(mgr: FilterManager, handle: number): FileObject | undefined {
  const e = mgr.io.currentProcess().handles.get(handle)
  const o = e?.object
  return o instanceof FileObjectClass ? o : undefined
}

// ---- reads and writes -------------------------------------------------------------------------

function* readWrite(
  major: number,
  InitiatingInstance: FltInstance,
  FileObject: FileObject,
  ByteOffset: number | null | undefined,
  Length: number,
  Buffer: Uint8Array,
  Flags: number,
  Bytes: Ref<number> | null | undefined,
  CallbackRoutine: PFLT_COMPLETED_ASYNC_IO_CALLBACK | null | undefined,
  CallbackContext: unknown,
): Co<NTSTATUS> {
  const mgr = InitiatingInstance.filter.mgr
  const { irp, sp, device } = buildBelow(mgr, InitiatingInstance, FileObject, major, 0)
  let flags = major === IRP_MJ.IRP_MJ_READ ? IRP_FLAGS.IRP_READ_OPERATION : IRP_FLAGS.IRP_WRITE_OPERATION
  if (Flags & FLTFL_IO_OPERATION_NON_CACHED) flags |= IRP_FLAGS.IRP_NOCACHE
  if (Flags & FLTFL_IO_OPERATION_PAGING) flags |= IRP_FLAGS.IRP_PAGING_IO | IRP_FLAGS.IRP_NOCACHE
  if (Flags & FLTFL_IO_OPERATION_SYNCHRONOUS_PAGING) flags |= IRP_FLAGS.IRP_SYNCHRONOUS_PAGING_IO
  if (!CallbackRoutine) flags |= IRP_FLAGS.IRP_SYNCHRONOUS_API
  irp.Flags = flags
  const offset = ByteOffset === null || ByteOffset === undefined ? FileObject.CurrentByteOffset : ByteOffset
  irp.UserBuffer = Buffer.length === Length ? Buffer : Buffer.subarray(0, Length)
  const p = { Length, Key: 0, ByteOffset: offset }
  if (major === IRP_MJ.IRP_MJ_READ) sp.Parameters.Read = p
  else sp.Parameters.Write = p
  const keepOffset = Flags & FLTFL_IO_OPERATION_DO_NOT_UPDATE_BYTE_OFFSET ? FileObject.CurrentByteOffset : undefined
  const st = yield* sendBelow(mgr, irp, device, CallbackRoutine ?? undefined, CallbackContext)
  if (keepOffset !== undefined) FileObject.CurrentByteOffset = keepOffset
  if (Bytes) Bytes.value = irp.completed ? irp.IoStatus.Information : 0
  return st
}

/** FltReadFile: synchronous without a callback routine, asynchronous with one */
export function* FltReadFile(
  InitiatingInstance: FltInstance,
  FileObject: FileObject,
  ByteOffset: number | null,
  Length: number,
  Buffer: Uint8Array,
  Flags: number,
  BytesRead: Ref<number> | null,
  CallbackRoutine?: PFLT_COMPLETED_ASYNC_IO_CALLBACK | null,
  CallbackContext?: unknown,
): Co<NTSTATUS> {
  return yield* readWrite(IRP_MJ.IRP_MJ_READ, InitiatingInstance, FileObject, ByteOffset, Length, Buffer, Flags, BytesRead, CallbackRoutine, CallbackContext)
}

/** FltWriteFile */
export function* FltWriteFile(
  InitiatingInstance: FltInstance,
  FileObject: FileObject,
  ByteOffset: number | null,
  Length: number,
  Buffer: Uint8Array,
  Flags: number,
  BytesWritten: Ref<number> | null,
  CallbackRoutine?: PFLT_COMPLETED_ASYNC_IO_CALLBACK | null,
  CallbackContext?: unknown,
): Co<NTSTATUS> {
  return yield* readWrite(IRP_MJ.IRP_MJ_WRITE, InitiatingInstance, FileObject, ByteOffset, Length, Buffer, Flags, BytesWritten, CallbackRoutine, CallbackContext)
}

// ---- information and FSCTLs --------------------------------------------------------------------

/** FltQueryInformationFile: works on any file object of the volume, even after cleanup */
export function* FltQueryInformationFile(
  Instance: FltInstance,
  FileObject: FileObject,
  FileInformation: Uint8Array,
  Length: number,
  FileInformationClass: number,
  LengthReturned: Ref<number> | null,
): Co<NTSTATUS> {
  const mgr = Instance.filter.mgr
  const { irp, sp, device } = buildBelow(mgr, Instance, FileObject, IRP_MJ.IRP_MJ_QUERY_INFORMATION, 0)
  irp.Flags = IRP_FLAGS.IRP_BUFFERED_IO | IRP_FLAGS.IRP_SYNCHRONOUS_API
  irp.SystemBuffer = FileInformation.length === Length ? FileInformation : FileInformation.subarray(0, Length)
  sp.Parameters.QueryFile = { Length, FileInformationClass }
  const st = yield* mgr.io.sendAndWait(device, irp)
  if (LengthReturned) LengthReturned.value = irp.IoStatus.Information
  return st
}

/** FltSetInformationFile */
export function* FltSetInformationFile(Instance: FltInstance, FileObject: FileObject, FileInformation: Uint8Array, Length: number, FileInformationClass: number): Co<NTSTATUS> {
  const mgr = Instance.filter.mgr
  const { irp, sp, device } = buildBelow(mgr, Instance, FileObject, IRP_MJ.IRP_MJ_SET_INFORMATION, 0)
  irp.Flags = IRP_FLAGS.IRP_BUFFERED_IO | IRP_FLAGS.IRP_SYNCHRONOUS_API
  irp.SystemBuffer = FileInformation.subarray(0, Length)
  sp.Parameters.SetFile = { Length, FileInformationClass, FileObject: undefined, ReplaceIfExists: false, AdvanceOnly: false, ClusterCount: 0, DeleteHandle: undefined }
  return yield* mgr.io.sendAndWait(device, irp)
}

/** FltFsControlFile */
export function* FltFsControlFile(
  Instance: FltInstance,
  FileObject: FileObject,
  FsControlCode: number,
  InputBuffer: Uint8Array | null,
  InputBufferLength: number,
  OutputBuffer: Uint8Array | null,
  OutputBufferLength: number,
  LengthReturned: Ref<number> | null,
): Co<NTSTATUS> {
  const mgr = Instance.filter.mgr
  const { irp, sp, device } = buildBelow(mgr, Instance, FileObject, IRP_MJ.IRP_MJ_FILE_SYSTEM_CONTROL, 0)
  irp.Flags = IRP_FLAGS.IRP_SYNCHRONOUS_API
  irp.SystemBuffer = InputBuffer ? InputBuffer.subarray(0, InputBufferLength) : new Uint8Array(0)
  irp.OutputBuffer = OutputBuffer ? OutputBuffer.subarray(0, OutputBufferLength) : new Uint8Array(0)
  sp.Parameters.FileSystemControl = { FsControlCode, InputBufferLength, OutputBufferLength }
  const st = yield* mgr.io.sendAndWait(device, irp)
  if (LengthReturned) LengthReturned.value = irp.IoStatus.Information
  return st
}

// ---- callback data a filter allocates -----------------------------------------------------------

/** FltAllocateCallbackData: the caller fills Iopb (major, minor, parameters) and performs it */
export function FltAllocateCallbackData(Instance: FltInstance, FileObject: FileObject | null, RetNewCallbackData: Ref<FLT_CALLBACK_DATA>): NTSTATUS {
  const d = new FLT_CALLBACK_DATA(FLTFL_CALLBACK_DATA_IRP_OPERATION | FLTFL_CALLBACK_DATA_GENERATED_IO, Instance.filter.mgr.ke.current)
  d.RequestorMode = KernelMode
  d.Iopb.TargetInstance = Instance
  d.Iopb.TargetFileObject = FileObject ?? undefined
  RetNewCallbackData.value = d
  return STATUS.STATUS_SUCCESS
}

/** FltAllocateCallbackDataEx */
export function FltAllocateCallbackDataEx(Instance: FltInstance, FileObject: FileObject | null, _Flags: number, RetNewCallbackData: Ref<FLT_CALLBACK_DATA>): NTSTATUS {
  return FltAllocateCallbackData(Instance, FileObject, RetNewCallbackData)
}

/** FltFreeCallbackData */
export function FltFreeCallbackData(_CallbackData: FLT_CALLBACK_DATA): void {}

/** FltReuseCallbackData: clears the data for another operation */
export function FltReuseCallbackData(CallbackData: FLT_CALLBACK_DATA): void {
  const i = CallbackData.Iopb
  i.MajorFunction = 0
  i.MinorFunction = 0
  i.IrpFlags = 0
  i.OperationFlags = 0
  i.Parameters.restore([])
  CallbackData.IoStatus = { Status: STATUS.STATUS_SUCCESS, Information: 0 }
}

function irpForData(mgr: FilterManager, data: FLT_CALLBACK_DATA, extraFlags: number): { irp: Irp; device: DeviceObject } | NTSTATUS {
  const iopb = data.Iopb
  const inst = iopb.TargetInstance
  const fo = iopb.TargetFileObject
  if (!inst || !fo) return STATUS.STATUS_INVALID_PARAMETER
  if (iopb.MajorFunction === IRP_MJ.IRP_MJ_CREATE) return STATUS.STATUS_INVALID_PARAMETER
  const { parameters, buffers, flags, slFlags } = irpFromIopb(data, undefined)
  const { irp, sp, device } = buildBelow(mgr, inst, fo, iopb.MajorFunction, iopb.MinorFunction, { flags: FLTFL_CALLBACK_DATA_GENERATED_IO | extraFlags, data })
  sp.Parameters = parameters
  sp.Flags = slFlags
  irp.Flags = flags
  if (buffers.UserBuffer !== undefined) irp.UserBuffer = buffers.UserBuffer
  if (buffers.SystemBuffer !== undefined) irp.SystemBuffer = buffers.SystemBuffer
  if (buffers.OutputBuffer !== undefined) irp.OutputBuffer = buffers.OutputBuffer
  return { irp, device }
}

/** FltPerformSynchronousIo: sends the allocated callback data below its instance and waits */
export function* FltPerformSynchronousIo(CallbackData: FLT_CALLBACK_DATA): Co<void> {
  const mgr = CallbackData.Iopb.TargetInstance?.filter.mgr
  if (!mgr) {
    CallbackData.IoStatus = { Status: STATUS.STATUS_INVALID_PARAMETER, Information: 0 }
    return
  }
  mgr.requirePassiveOrApc('FltPerformSynchronousIo')
  const r = irpForData(mgr, CallbackData, 0)
  if (typeof r === 'number') {
    CallbackData.IoStatus = { Status: r, Information: 0 }
    return
  }
  r.irp.Flags |= IRP_FLAGS.IRP_SYNCHRONOUS_API
  yield* mgr.io.sendAndWait(r.device, r.irp)
  CallbackData.IoStatus = { Status: r.irp.IoStatus.Status, Information: r.irp.IoStatus.Information }
}

/** FltPerformAsynchronousIo: the callback routine runs when the I/O completes */
export function* FltPerformAsynchronousIo(CallbackData: FLT_CALLBACK_DATA, CallbackRoutine: PFLT_COMPLETED_ASYNC_IO_CALLBACK, CallbackContext: unknown): Co<NTSTATUS> {
  const mgr = CallbackData.Iopb.TargetInstance?.filter.mgr
  if (!mgr) return STATUS.STATUS_INVALID_PARAMETER
  const r = irpForData(mgr, CallbackData, 0)
  if (typeof r === 'number') return r
  return yield* sendBelow(mgr, r.irp, r.device, CallbackRoutine, CallbackContext, CallbackData)
}

/**
 * FltReissueSynchronousIo: from the post-operation callback of a synchronized IRP operation (or
 * for the filter's own I/O), sends the operation again below the initiating instance, with any
 * changes the filter made and marked dirty. The result replaces the callback data's IoStatus.
 */
export function* FltReissueSynchronousIo(InitiatingInstance: FltInstance, CallbackData: FLT_CALLBACK_DATA): Co<void> {
  const mgr = InitiatingInstance.filter.mgr
  mgr.requirePassiveOrApc('FltReissueSynchronousIo')
  const iopb = CallbackData.Iopb
  const fo = iopb.TargetFileObject
  if (!fo) {
    CallbackData.IoStatus = { Status: STATUS.STATUS_INVALID_PARAMETER, Information: 0 }
    return
  }
  if (iopb.MajorFunction === IRP_MJ.IRP_MJ_CREATE && fo.Flags & FO.FO_FILE_OPEN_CANCELLED) {
    // documented: a create whose open was cancelled cannot be reissued
    CallbackData.IoStatus = { Status: STATUS.STATUS_CANCELLED, Information: 0 }
    return
  }
  const { parameters, buffers, flags, slFlags } = irpFromIopb(CallbackData, undefined)
  const { irp, sp, device } = buildBelow(mgr, InitiatingInstance, fo, iopb.MajorFunction, iopb.MinorFunction, { flags: FLTFL_CALLBACK_DATA_REISSUED_IO })
  sp.Parameters = parameters
  sp.Flags = slFlags
  irp.Flags = flags
  irp.RequestorMode = CallbackData.RequestorMode === KernelMode ? 'KernelMode' : 'UserMode'
  if (buffers.UserBuffer !== undefined) irp.UserBuffer = buffers.UserBuffer
  if (buffers.SystemBuffer !== undefined) irp.SystemBuffer = buffers.SystemBuffer
  if (buffers.OutputBuffer !== undefined) irp.OutputBuffer = buffers.OutputBuffer
  if (iopb.MajorFunction === IRP_MJ.IRP_MJ_CREATE) CallbackData.TagData = undefined
  yield* mgr.io.sendAndWait(device, irp)
  CallbackData.IoStatus = { Status: irp.IoStatus.Status, Information: irp.IoStatus.Information }
  const op = operationOf<FltOperation>(CallbackData)
  if (op && irp.IoStatus.Status === STATUS.STATUS_REPARSE && irp.AuxiliaryBuffer) CallbackData.TagData = irp.AuxiliaryBuffer
}

// ---- creates from post-create -------------------------------------------------------------------

/**
 * FltCancelFileOpen: from post-create, undoes the open for the instances below and the file
 * system (cleanup and close go to them). Above, the create fails with the status the caller puts
 * in IoStatus. Nothing on disk is undone.
 */
export function FltCancelFileOpen(Instance: FltInstance, FileObject: FileObject): void {
  const mgr = Instance.filter.mgr
  if (FileObject.Flags & FO.FO_HANDLE_CREATED) {
    // documented: 0xF5 / 0x6A
    throw new BugCheck(0xf5, `${Instance.filter.name} called FltCancelFileOpen on FO${FileObject.id} after a handle was created for it`, {
      params: [FLTMGR_BUGCHECK.CANCEL_OPEN_AFTER_HANDLE, FileObject.id, 0, 0],
      culprit: Instance.filter.name,
    })
  }
  const work = (function* (): Co<void> {
    for (const major of [IRP_MJ.IRP_MJ_CLEANUP, IRP_MJ.IRP_MJ_CLOSE]) {
      const { irp, device } = buildBelow(mgr, Instance, FileObject, major, 0)
      irp.Flags = IRP_FLAGS.IRP_CLOSE_OPERATION | IRP_FLAGS.IRP_SYNCHRONOUS_API
      yield* mgr.io.sendAndWait(device, irp)
      if (major === IRP_MJ.IRP_MJ_CLEANUP) FileObject.Flags |= FO.FO_CLEANUP_COMPLETE
    }
  })()
  FileObject.Flags |= FO.FO_FILE_OPEN_CANCELLED
  runInContext(mgr, work, `FltCancelFileOpen of FO${FileObject.id}`)
}

/**
 * IoReplaceFileObjectName: gives the file object a new name (a pre-create that then completes
 * with STATUS_REPARSE / IO_REPARSE sends the I/O manager to look the new name up from the root).
 */
export function IoReplaceFileObjectName(FileObject: FileObject, NewFileName: string, _FileNameLength?: number): NTSTATUS {
  FileObject.FileName = NewFileName
  return STATUS.STATUS_SUCCESS
}

/** the ECP list of a create (FltGetEcpListFromCallbackData) */
export function FltGetEcpListFromCallbackData(_Filter: FltFilter, CallbackData: FLT_CALLBACK_DATA, EcpList: Ref<Map<string, unknown>>): NTSTATUS {
  const fo = CallbackData.Iopb.TargetFileObject
  EcpList.value = fo?.ext.get(ECP_LIST) as Map<string, unknown> | undefined
  return STATUS.STATUS_SUCCESS
}

/** FltFindExtraCreateParameter */
export function FltFindExtraCreateParameter(_Filter: FltFilter, EcpList: Map<string, unknown>, EcpType: string, EcpContext: Ref<unknown>): NTSTATUS {
  if (!EcpList.has(EcpType)) return STATUS.STATUS_NOT_FOUND
  EcpContext.value = EcpList.get(EcpType)
  return STATUS.STATUS_SUCCESS
}

/** where a FltCreateFile'd file object's requests start (undefined for an ordinary one) */
export function targetInstanceOf(fo: FileObject): FltInstance | undefined {
  return fo.ext.get(TARGET_INSTANCE) as FltInstance | undefined
}
