// IRP and IO_STACK_LOCATION, IoCallDriver and IoCompleteRequest with completion routines and
// pending propagation as the I/O manager does it (IofCallDriver / IopfCompleteRequest).

import { BugCheck, BUGCODE, type KEvent, type KThread, type Co } from '../ke/index.ts'
import { STATUS, type NTSTATUS } from '../nt/status.ts'
import type { DeviceObject } from './device.ts'
import type { FileObject } from './file-object.ts'
import type { EaEntry } from '../fs/ntfs/store.ts'

export interface IoStatusBlock {
  Status: NTSTATUS
  Information: number
}

/** SL_* control bits of a stack location (not the per-major SL_* parameter flags) */
export const SL_PENDING_RETURNED = 0x01
export const SL_ERROR_RETURNED = 0x02
export const SL_INVOKE_ON_CANCEL = 0x20
export const SL_INVOKE_ON_SUCCESS = 0x40
export const SL_INVOKE_ON_ERROR = 0x80

/** A completion routine runs in the completing thread, possibly at DISPATCH_LEVEL: it cannot block. */
export type CompletionRoutine = (device: DeviceObject | undefined, irp: Irp, context: unknown) => NTSTATUS

/** STATUS_CONTINUE_COMPLETION is STATUS_SUCCESS; STATUS_MORE_PROCESSING_REQUIRED stops completion */
export const STATUS_MORE_PROCESSING_REQUIRED = 0xc0000016
export const STATUS_CONTINUE_COMPLETION = 0

export interface CreateParameters {
  SecurityContext: { DesiredAccess: number; AccessState?: { RemainingDesiredAccess: number; PreviouslyGrantedAccess: number } }
  /** CreateDisposition in the high 8 bits, CreateOptions in the low 24 (as in IO_STACK_LOCATION) */
  Options: number
  FileAttributes: number
  ShareAccess: number
  EaBuffer: EaEntry[] | undefined
  EaLength: number
  AllocationSize: number
}
export interface ReadWriteParameters {
  Length: number
  Key: number
  ByteOffset: number
}
export interface QueryFileParameters {
  Length: number
  FileInformationClass: number
}
export interface SetFileParameters {
  Length: number
  FileInformationClass: number
  /** the target directory's file object for rename and link (ParentOfTarget) */
  FileObject: FileObject | undefined
  ReplaceIfExists: boolean
  AdvanceOnly: boolean
  ClusterCount: number
  DeleteHandle: number | undefined
}
export interface QueryDirectoryParameters {
  Length: number
  FileName: string | undefined
  FileInformationClass: number
  FileIndex: number
}
export interface NotifyDirectoryParameters {
  Length: number
  CompletionFilter: number
}
export interface VolumeParameters {
  Length: number
  FsInformationClass: number
}
export interface FileSystemControlParameters {
  OutputBufferLength: number
  InputBufferLength: number
  FsControlCode: number
}
export interface LockControlParameters {
  Length: number
  Key: number
  ByteOffset: number
}
export interface QueryEaParameters {
  Length: number
  EaList: string[] | undefined
  EaIndex: number
}
export interface SetEaParameters {
  Length: number
}
export interface MountParameters {
  Vpb: unknown
  DeviceObject: DeviceObject
}

/** The union of IO_STACK_LOCATION.Parameters by major function (only the one for the IRP's major is set). */
export interface IoParameters {
  Create?: CreateParameters
  Read?: ReadWriteParameters
  Write?: ReadWriteParameters
  QueryFile?: QueryFileParameters
  SetFile?: SetFileParameters
  QueryDirectory?: QueryDirectoryParameters
  NotifyDirectory?: NotifyDirectoryParameters
  QueryVolume?: VolumeParameters
  SetVolume?: VolumeParameters
  FileSystemControl?: FileSystemControlParameters
  LockControl?: LockControlParameters
  QueryEa?: QueryEaParameters
  SetEa?: SetEaParameters
  MountVolume?: MountParameters
}

export class IoStackLocation {
  MajorFunction = 0
  MinorFunction = 0
  /** SL_* parameter flags (SL_OPEN_TARGET_DIRECTORY, SL_RESTART_SCAN, SL_FAIL_IMMEDIATELY …) */
  Flags = 0
  /** SL_PENDING_RETURNED and the SL_INVOKE_ON_* bits */
  Control = 0
  Parameters: IoParameters = {}
  DeviceObject: DeviceObject | undefined
  FileObject: FileObject | undefined
  CompletionRoutine: CompletionRoutine | undefined
  Context: unknown
  /** set by the I/O manager for a traced device: the completion event is recorded here */
  traceAt: string | undefined
}

export interface IrpTraceState {
  /** virtual time the IRP reached the traced device */
  dispatchedAt: number
}

export class Irp {
  readonly id: number
  readonly Stack: IoStackLocation[]
  readonly StackCount: number
  CurrentLocation: number
  Flags = 0
  IoStatus: IoStatusBlock = { Status: STATUS.STATUS_PENDING, Information: 0 }
  RequestorMode: 'KernelMode' | 'UserMode' = 'KernelMode'
  PendingReturned = false
  Cancel = false
  /** the data buffer: what to write, or where a read lands (UserBuffer / MDL) */
  UserBuffer: Uint8Array | undefined
  /** METHOD_BUFFERED input/output (query/set information, FSCTL input) */
  SystemBuffer: Uint8Array | undefined
  /** FSCTL/IOCTL output buffer (METHOD_NEITHER / OUT_DIRECT) */
  OutputBuffer: Uint8Array | undefined
  /** Irp->MdlAddress: the MDL an IRP_MN_MDL read or write hands back (and IRP_MN_COMPLETE_MDL returns) */
  MdlAddress: unknown
  /** Tail.Overlay.AuxiliaryBuffer: the reparse buffer returned with STATUS_REPARSE */
  AuxiliaryBuffer: Uint8Array | undefined
  /** Tail.Overlay.Thread */
  Thread: KThread | undefined
  /** Tail.Overlay.OriginalFileObject */
  OriginalFileObject: FileObject | undefined
  UserEvent: KEvent | undefined
  /** completed by IoCompleteRequest */
  completed = false
  /** the driver's cancel routine while the IRP waits somewhere cancellable (IoSetCancelRoutine) */
  CancelRoutine: ((irp: Irp) => void) | undefined
  /** the I/O manager's own books when the IRP is done (its list of the thread's IRPs) */
  ioManagerDone: ((irp: Irp) => void) | undefined
  /**
   * how many other IRPs the issuing thread was inside when this one was first sent (the trace's
   * `depth`: 0 for what a thread asked for, 1 for a paging read a cached read faulted in …)
   */
  depth: number | undefined
  /** the I/O manager's notification when completion finished (used to wake a synchronous waiter) */
  onCompleted: ((irp: Irp) => void) | undefined
  constructor(id: number, stackSize: number) {
    this.id = id
    this.StackCount = stackSize
    this.CurrentLocation = stackSize + 1
    this.Stack = Array.from({ length: stackSize }, () => new IoStackLocation())
  }
}

/** IoAllocateIrp; ids come from the machine's I/O manager so traces are reproducible */
export function IoAllocateIrp(io: { nextId(): number }, stackSize: number): Irp {
  return new Irp(io.nextId(), stackSize)
}

export function IoGetCurrentIrpStackLocation(irp: Irp): IoStackLocation {
  const sp = irp.Stack[irp.CurrentLocation - 1]
  if (!sp) throw new BugCheck(BUGCODE.NO_MORE_IRP_STACK_LOCATIONS, `IRP ${irp.id}: no current stack location`, { params: [irp.id] })
  return sp
}

export function IoGetNextIrpStackLocation(irp: Irp): IoStackLocation {
  const sp = irp.Stack[irp.CurrentLocation - 2]
  if (!sp) throw new BugCheck(BUGCODE.NO_MORE_IRP_STACK_LOCATIONS, `IRP ${irp.id}: no next stack location`, { params: [irp.id] })
  return sp
}

export function IoSkipCurrentIrpStackLocation(irp: Irp): void {
  irp.CurrentLocation++
}

export function IoCopyCurrentIrpStackLocationToNext(irp: Irp): void {
  const cur = IoGetCurrentIrpStackLocation(irp)
  const next = IoGetNextIrpStackLocation(irp)
  next.MajorFunction = cur.MajorFunction
  next.MinorFunction = cur.MinorFunction
  next.Flags = cur.Flags
  next.Parameters = cur.Parameters
  next.FileObject = cur.FileObject
  next.Control = 0
  next.CompletionRoutine = undefined
  next.Context = undefined
}

export function IoSetCompletionRoutine(irp: Irp, routine: CompletionRoutine, context: unknown, onSuccess = true, onError = true, onCancel = true): void {
  const next = IoGetNextIrpStackLocation(irp)
  next.CompletionRoutine = routine
  next.Context = context
  next.Control = (onSuccess ? SL_INVOKE_ON_SUCCESS : 0) | (onError ? SL_INVOKE_ON_ERROR : 0) | (onCancel ? SL_INVOKE_ON_CANCEL : 0)
}

export function IoMarkIrpPending(irp: Irp): void {
  IoGetCurrentIrpStackLocation(irp).Control |= SL_PENDING_RETURNED
}

/** virtual time charged per IoCallDriver hop: 1 µs (unverified: a plausible order of magnitude) */
export const IO_CALL_COST = 10

/** IofCallDriver: moves to the next stack location and calls the device's dispatch routine */
export function* IoCallDriver(device: DeviceObject, irp: Irp): Co<NTSTATUS> {
  const nest = enterNesting(device.io.ke.current, irp)
  try {
    return yield* callDriver(device, irp)
  } finally {
    if (nest) leaveNesting(nest, irp)
  }
}

/** the IRPs each thread is inside IoCallDriver with, outermost first */
const inFlight = new WeakMap<KThread, Irp[]>()

function enterNesting(t: KThread | undefined, irp: Irp): Irp[] | undefined {
  if (!t) {
    irp.depth ??= 0
    return undefined
  }
  let list = inFlight.get(t)
  if (!list) inFlight.set(t, (list = []))
  // the same IRP passed down from one device to the next is one request, not a nested one
  if (list.includes(irp)) return undefined
  irp.depth ??= list.length
  list.push(irp)
  return list
}

function leaveNesting(list: Irp[], irp: Irp): void {
  const i = list.lastIndexOf(irp)
  if (i >= 0) list.splice(i, 1)
}

function* callDriver(device: DeviceObject, irp: Irp): Co<NTSTATUS> {
  irp.CurrentLocation--
  if (irp.CurrentLocation <= 0) {
    throw new BugCheck(BUGCODE.NO_MORE_IRP_STACK_LOCATIONS, `IRP ${irp.id} sent to ${device.header.name} with no stack location left`, { params: [irp.id] })
  }
  const sp = irp.Stack[irp.CurrentLocation - 1]!
  sp.DeviceObject = device
  const routine = device.DriverObject.MajorFunction[sp.MajorFunction]
  // every hop down the stack costs virtual time, so durations and times of day are not all equal
  device.io.ke.advance(IO_CALL_COST)
  if (device.traceAt) device.io.traceDispatch(device, irp, sp)
  if (!routine) {
    irp.IoStatus.Status = STATUS.STATUS_INVALID_DEVICE_REQUEST
    irp.IoStatus.Information = 0
    IoCompleteRequest(irp)
    return STATUS.STATUS_INVALID_DEVICE_REQUEST
  }
  return yield* routine(device, irp)
}

/**
 * IoSetCancelRoutine: sets (or with undefined, clears) the routine IoCancelIrp calls; returns the
 * one there was. A driver that finds undefined when it clears it knows a cancel took the IRP.
 */
export function IoSetCancelRoutine(irp: Irp, routine: ((irp: Irp) => void) | undefined): ((irp: Irp) => void) | undefined {
  const old = irp.CancelRoutine
  irp.CancelRoutine = routine
  return old
}

/**
 * IoCancelIrp: marks the IRP cancelled and, when a cancel routine is set, takes it and calls it
 * (which completes the IRP, usually with STATUS_CANCELLED); TRUE when there was one. An IRP
 * without one goes on; its driver may look at Irp->Cancel.
 */
export function IoCancelIrp(irp: Irp): boolean {
  if (irp.completed) return false
  irp.Cancel = true
  const routine = IoSetCancelRoutine(irp, undefined)
  if (!routine) return false
  routine(irp)
  return true
}

/** IofCompleteRequest: runs completion routines from the current location upward */
export function IoCompleteRequest(irp: Irp): void {
  if (irp.completed) {
    throw new BugCheck(BUGCODE.MULTIPLE_IRP_COMPLETE_REQUESTS, `IRP ${irp.id} completed twice`, { params: [irp.id] })
  }
  if (irp.IoStatus.Status === STATUS.STATUS_PENDING) {
    // documented: completing an IRP with STATUS_PENDING is a driver bug (verifier 0xC4)
    throw new BugCheck(BUGCODE.DRIVER_VERIFIER_DETECTED_VIOLATION, `IRP ${irp.id} completed with STATUS_PENDING`, { params: [0x20e, irp.id] })
  }
  // a completed IRP can no longer be cancelled (drivers clear the routine first; this makes sure)
  irp.CancelRoutine = undefined
  while (irp.CurrentLocation <= irp.StackCount) {
    const sp = irp.Stack[irp.CurrentLocation - 1]!
    irp.PendingReturned = (sp.Control & SL_PENDING_RETURNED) !== 0
    if (sp.traceAt && sp.DeviceObject) sp.DeviceObject.io.traceComplete(sp.DeviceObject, irp, sp)
    irp.CurrentLocation++
    const upper = irp.CurrentLocation <= irp.StackCount ? irp.Stack[irp.CurrentLocation - 1] : undefined
    const st = irp.IoStatus.Status
    const invoke =
      sp.CompletionRoutine !== undefined &&
      ((st >>> 0 < 0x80000000 && (sp.Control & SL_INVOKE_ON_SUCCESS) !== 0) ||
        (st >>> 0 >= 0x80000000 && (sp.Control & SL_INVOKE_ON_ERROR) !== 0) ||
        (irp.Cancel && (sp.Control & SL_INVOKE_ON_CANCEL) !== 0))
    if (invoke) {
      const r = sp.CompletionRoutine!(upper?.DeviceObject, irp, sp.Context)
      if (r === STATUS_MORE_PROCESSING_REQUIRED) return
    } else if (irp.PendingReturned && upper) {
      upper.Control |= SL_PENDING_RETURNED
    }
  }
  irp.completed = true
  irp.ioManagerDone?.(irp)
  irp.onCompleted?.(irp)
  irp.UserEvent?.set()
}
