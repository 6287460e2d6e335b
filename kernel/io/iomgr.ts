// The I/O manager of one emulated machine: ids, devices, the File object type with its close
// and delete procedures (IRP_MJ_CLEANUP on the last handle, IRP_MJ_CLOSE on the last
// reference), and the trace hooks at traced devices.

import { KEvent, KeWaitForSingleObject, type Co, type KThread, type Scheduler, type SystemWorkQueues } from '../ke/index.ts'
import { IRP_FLAGS, IRP_MJ } from '../nt/irp.ts'
import { STATUS, statusName, type NTSTATUS } from '../nt/status.ts'
import { ObDereferenceObject, type EProcess, type ObNamespace, type ObjectType } from '../ob/index.ts'
import { DeviceObject, DriverObject as DriverObjectClass, IoGetAttachedDevice, Vpb, type DriverObject } from './device.ts'

/** FILE_DEVICE_DISK (devioctl.h) */
const FILE_DEVICE_DISK = 0x07
import { FileObject, FO } from './file-object.ts'
import { IoAllocateIrp, IoCallDriver, IoGetNextIrpStackLocation, type Irp, type IoStackLocation } from './irp.ts'
import { unlockAllOnClose } from './services/lock.ts'
import { NULL_TRACE, traceFlags, traceMinor, traceOp, traceOutput, traceParams, type IoTraceSink } from './trace-hooks.ts'

export interface IoManagerOptions {
  ke: Scheduler
  ob: ObNamespace
  workQueues: SystemWorkQueues
  system: EProcess
  processOf: (tid: number) => EProcess | undefined
  trace?: IoTraceSink
}

export class IoManager {
  readonly ke: Scheduler
  readonly ob: ObNamespace
  readonly workQueues: SystemWorkQueues
  readonly system: EProcess
  trace: IoTraceSink
  /** the kernel's obcaseinsensitive setting (1 by default: every lookup is case-insensitive) */
  obCaseInsensitive = true
  readonly fileObjectType: ObjectType<FileObject>
  /** every file object ever created, by id (the UI lists them with their lifecycle) */
  readonly fileObjects = new Map<number, FileObject>()
  private readonly processOf: (tid: number) => EProcess | undefined
  private readonly volumeDriver = new DriverObjectClass('\\Driver\\volmgr')
  private irpIds = 0
  private foIds = 0

  constructor(opts: IoManagerOptions) {
    this.ke = opts.ke
    this.ob = opts.ob
    this.workQueues = opts.workQueues
    this.system = opts.system
    this.processOf = opts.processOf
    this.trace = opts.trace ?? NULL_TRACE
    const io = this
    this.fileObjectType = {
      name: 'File',
      *close(fo: FileObject, process: EProcess, handleCount: number): Co<void> {
        // IopCloseFile: the process's last handle releases its byte-range locks; the last
        // handle to the file object sends IRP_MJ_CLEANUP
        yield* unlockAllOnClose(io, fo, process)
        if (handleCount === 0) yield* io.sendCleanup(fo)
      },
      *delete(fo: FileObject): Co<void> {
        // IopDeleteFile: the last reference sends IRP_MJ_CLOSE
        yield* io.sendClose(fo)
      },
    }
  }

  nextId(): number {
    return ++this.irpIds
  }

  /** IoCreateDevice */
  createDevice(driver: DriverObject, deviceType: number, name: string, opts: { inNamespace?: boolean } = {}): DeviceObject {
    const d = new DeviceObject(this, driver, deviceType, name)
    if (opts.inNamespace !== false && name.startsWith('\\')) this.ob.insert(name, d)
    return d
  }

  /** a volume's real device object (\Device\HarddiskVolumeN) with its VPB; the file system mounts on it */
  createVolumeDevice(name: string, dosName: string): DeviceObject {
    const d = this.createDevice(this.volumeDriver, FILE_DEVICE_DISK, name)
    d.dosName = dosName
    d.Vpb = new Vpb(d)
    return d
  }

  /** a new FILE_OBJECT in state 'creating', referenced once by its creator */
  createFileObject(device: DeviceObject, fileName: string): FileObject {
    const fo = new FileObject(this.fileObjectType, ++this.foIds, device, fileName, this.ke, new KEvent(this.ke, 'notification', false, 'FileObject->Event'))
    fo.Vpb = device.Vpb
    fo.header.pointerCount = 1
    this.fileObjects.set(fo.id, fo)
    return fo
  }

  /** the process a thread belongs to */
  processOfThread(t: KThread): EProcess {
    return this.processOf(t.tid) ?? this.system
  }

  currentProcess(): EProcess {
    const t = this.ke.current
    return (t && this.processOf(t.tid)) ?? this.system
  }

  /** the top of the file system stack a file object's I/O goes to */
  topDeviceFor(fo: FileObject): DeviceObject {
    const vdo = fo.Vpb?.DeviceObject ?? fo.DeviceObject
    return IoGetAttachedDevice(vdo)
  }

  // ---- sending IRPs ----

  /** allocates an IRP for `fo`'s stack with the next stack location filled for `major` */
  buildIrp(fo: FileObject, major: number, minor = 0, device: DeviceObject = this.topDeviceFor(fo)): { irp: Irp; sp: IoStackLocation; device: DeviceObject } {
    const irp = IoAllocateIrp(this, device.StackSize)
    irp.Thread = this.ke.current
    this.trackThreadIrp(irp)
    irp.OriginalFileObject = fo
    irp.RequestorMode = 'UserMode'
    const sp = IoGetNextIrpStackLocation(irp)
    sp.MajorFunction = major
    sp.MinorFunction = minor
    sp.FileObject = fo
    return { irp, sp, device }
  }

  /** the IRPs each thread has issued that are not done yet (IrpList of ETHREAD: what NtCancelIoFile cancels) */
  private readonly threadIrps = new Map<KThread, Set<Irp>>()

  private trackThreadIrp(irp: Irp): void {
    const t = irp.Thread
    if (!t) return
    let set = this.threadIrps.get(t)
    if (!set) this.threadIrps.set(t, (set = new Set()))
    set.add(irp)
    irp.ioManagerDone = this.untrackThreadIrp
  }

  /** one function for every IRP (no closure per IRP on the I/O path) */
  private readonly untrackThreadIrp = (irp: Irp): void => {
    const t = irp.Thread
    const set = t && this.threadIrps.get(t)
    if (!set) return
    set.delete(irp)
    if (set.size === 0) this.threadIrps.delete(t)
  }

  /** a thread's (or, without one, every thread's) outstanding IRPs on a file object, oldest first */
  outstandingIrps(fo: FileObject, thread?: KThread): Irp[] {
    const out: Irp[] = []
    for (const [t, set] of this.threadIrps) {
      if (thread && t !== thread) continue
      for (const irp of set) if (irp.OriginalFileObject === fo && !irp.completed) out.push(irp)
    }
    return out.sort((a, b) => a.id - b.id)
  }

  /** sends an IRP and waits for it if it pends; returns the final status */
  *sendAndWait(device: DeviceObject, irp: Irp): Co<NTSTATUS> {
    const st = yield* IoCallDriver(device, irp)
    if (st === STATUS.STATUS_PENDING && !irp.completed) {
      const ev = new KEvent(this.ke, 'notification', false, `IRP ${irp.id}`)
      irp.UserEvent = ev
      yield* KeWaitForSingleObject(ev, undefined, `${traceOp(irp.Stack[irp.StackCount - 1]!)} IRP ${irp.id}`)
    }
    return irp.completed ? irp.IoStatus.Status : st
  }

  /**
   * Issues an IRP on behalf of a service: a synchronous file object waits for completion; an
   * asynchronous one returns STATUS_PENDING and its FileObject->Event is signalled on completion
   * (the caller waits on the handle, as NtWaitForSingleObject on a file handle does).
   */
  *issue(fo: FileObject, device: DeviceObject, irp: Irp): Co<NTSTATUS> {
    if (fo.Flags & FO.FO_SYNCHRONOUS_IO) return yield* this.sendAndWait(device, irp)
    fo.Event.reset()
    irp.onCompleted = () => fo.Event.set()
    const st = yield* IoCallDriver(device, irp)
    if (st === STATUS.STATUS_PENDING && !irp.completed) return STATUS.STATUS_PENDING
    return irp.completed ? irp.IoStatus.Status : st
  }

  *sendCleanup(fo: FileObject): Co<void> {
    const { irp, device } = this.buildIrp(fo, IRP_MJ.IRP_MJ_CLEANUP)
    irp.Flags = IRP_FLAGS.IRP_CLOSE_OPERATION | IRP_FLAGS.IRP_SYNCHRONOUS_API
    yield* this.sendAndWait(device, irp)
    fo.Flags |= FO.FO_CLEANUP_COMPLETE
    fo.transition({ type: 'CLEANUP' })
  }

  *sendClose(fo: FileObject): Co<void> {
    if (fo.state === 'open') {
      // a file object that never had a handle (a query-only open) is cleaned up first
      yield* this.sendCleanup(fo)
    }
    const { irp, device } = this.buildIrp(fo, IRP_MJ.IRP_MJ_CLOSE)
    irp.Flags = IRP_FLAGS.IRP_CLOSE_OPERATION | IRP_FLAGS.IRP_SYNCHRONOUS_API
    yield* this.sendAndWait(device, irp)
    fo.transition({ type: 'CLOSE' })
    fo.stop()
  }

  /** drops a reference (IRP_MJ_CLOSE when it was the last) */
  *dereference(fo: FileObject): Co<void> {
    yield* ObDereferenceObject(fo)
  }

  // ---- trace hooks (IoCallDriver / IoCompleteRequest call these at traced devices) ----

  traceDispatch(device: DeviceObject, irp: Irp, sp: IoStackLocation): void {
    sp.traceAt = device.traceAt
    if (!this.trace.enabled) return
    this.emitIrp(irp, sp, 'dispatch', device.traceAt!)
  }

  traceComplete(device: DeviceObject, irp: Irp, sp: IoStackLocation): void {
    if (!this.trace.enabled) return
    this.emitIrp(irp, sp, 'complete', device.traceAt!)
  }

  emitIrp(irp: Irp, sp: IoStackLocation, phase: 'pre' | 'post' | 'dispatch' | 'complete', at: string): void {
    const t = irp.Thread ?? this.ke.current
    const proc = t ? this.processOf(t.tid) ?? this.system : this.system
    const fo = sp.FileObject
    const done = phase === 'post' || phase === 'complete'
    this.trace.emit({
      time: this.ke.now,
      process: proc.imageName,
      pid: proc.pid,
      tid: t?.tid ?? 0,
      op: traceOp(sp),
      minor: traceMinor(sp),
      path: fo ? fo.traceName : '',
      at,
      phase,
      flags: traceFlags(irp, sp),
      ...(done ? { status: statusName(irp.IoStatus.Status), information: irp.IoStatus.Information } : {}),
      ...(done ? traceOutput(irp, sp) : {}),
      fileObject: fo ? `FO${fo.id}` : undefined,
      ...(fo ? { fileObjectState: fo.state } : {}),
      irp: `IRP${irp.id}`,
      params: traceParams(irp, sp),
      ...(irp.depth ? { depth: irp.depth } : {}),
    })
  }

}

