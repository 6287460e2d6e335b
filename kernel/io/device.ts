// DEVICE_OBJECT, DRIVER_OBJECT, VPB and the FAST_IO_DISPATCH table.

import type { Co } from '../ke/index.ts'
import type { ParseResult } from '../ob/index.ts'
import { parseDevice, type OpenPacket } from './create.ts'
import type { NTSTATUS } from '../nt/status.ts'
import { ObjectHeader, type KObject, type ObjectType } from '../ob/index.ts'
import type { FileObject } from './file-object.ts'
import type { Irp, IoStatusBlock } from './irp.ts'
import type { IoManager } from './iomgr.ts'

export type DispatchRoutine = (device: DeviceObject, irp: Irp) => Co<NTSTATUS>

/** FAST_IO_DISPATCH: every routine returns TRUE when it did the work, FALSE to fall back to an IRP. */
export interface FastIoDispatch {
  FastIoCheckIfPossible?(fo: FileObject, offset: number, length: number, wait: boolean, lockKey: number, checkForReadOperation: boolean, iosb: IoStatusBlock, device: DeviceObject): Co<boolean>
  FastIoRead?(fo: FileObject, offset: number, length: number, wait: boolean, lockKey: number, buffer: Uint8Array, iosb: IoStatusBlock, device: DeviceObject): Co<boolean>
  FastIoWrite?(fo: FileObject, offset: number, length: number, wait: boolean, lockKey: number, buffer: Uint8Array, iosb: IoStatusBlock, device: DeviceObject): Co<boolean>
  FastIoQueryBasicInfo?(fo: FileObject, wait: boolean, out: Uint8Array, iosb: IoStatusBlock, device: DeviceObject): Co<boolean>
  FastIoQueryStandardInfo?(fo: FileObject, wait: boolean, out: Uint8Array, iosb: IoStatusBlock, device: DeviceObject): Co<boolean>
  FastIoLock?(fo: FileObject, offset: number, length: number, process: unknown, key: number, failImmediately: boolean, exclusiveLock: boolean, iosb: IoStatusBlock, device: DeviceObject): Co<boolean>
  FastIoUnlockSingle?(fo: FileObject, offset: number, length: number, process: unknown, key: number, iosb: IoStatusBlock, device: DeviceObject): Co<boolean>
  FastIoUnlockAll?(fo: FileObject, process: unknown, iosb: IoStatusBlock, device: DeviceObject): Co<boolean>
  FastIoUnlockAllByKey?(fo: FileObject, process: unknown, key: number, iosb: IoStatusBlock, device: DeviceObject): Co<boolean>
  FastIoQueryNetworkOpenInfo?(fo: FileObject, wait: boolean, out: Uint8Array, iosb: IoStatusBlock, device: DeviceObject): Co<boolean>
  FastIoQueryOpen?(irp: Irp, out: Uint8Array, device: DeviceObject): Co<boolean>
  MdlRead?(fo: FileObject, offset: number, length: number, lockKey: number, iosb: IoStatusBlock, device: DeviceObject): Co<boolean>
  MdlReadComplete?(fo: FileObject, mdl: unknown, device: DeviceObject): Co<boolean>
  PrepareMdlWrite?(fo: FileObject, offset: number, length: number, lockKey: number, iosb: IoStatusBlock, device: DeviceObject): Co<boolean>
  MdlWriteComplete?(fo: FileObject, offset: number, mdl: unknown, device: DeviceObject): Co<boolean>
  AcquireFileForNtCreateSection?(fo: FileObject): Co<void>
  ReleaseFileForNtCreateSection?(fo: FileObject): Co<void>
  AcquireForModWrite?(fo: FileObject, endingOffset: number, device: DeviceObject): Co<NTSTATUS>
  ReleaseForModWrite?(fo: FileObject, device: DeviceObject): Co<NTSTATUS>
  AcquireForCcFlush?(fo: FileObject, device: DeviceObject): Co<NTSTATUS>
  ReleaseForCcFlush?(fo: FileObject, device: DeviceObject): Co<NTSTATUS>
}

export class DriverObject {
  readonly MajorFunction: (DispatchRoutine | undefined)[] = new Array(0x1c).fill(undefined)
  FastIoDispatch: FastIoDispatch | undefined
  constructor(readonly DriverName: string) {}
}

export const DO_BUFFERED_IO = 0x4
export const DO_DIRECT_IO = 0x10
export const DO_DEVICE_INITIALIZING = 0x80

export const VPB_MOUNTED = 0x1

export class Vpb {
  Flags = 0
  DeviceObject: DeviceObject | undefined
  SerialNumber = 0
  VolumeLabel = ''
  ReferenceCount = 0
  constructor(readonly RealDevice: DeviceObject) {}
}

const DeviceObjectType: ObjectType = { name: 'Device' }

export class DeviceObject implements KObject {
  readonly header: ObjectHeader
  /** the device attached above this one (IoAttachDeviceToDeviceStack) */
  AttachedDevice: DeviceObject | undefined
  /** the device this one is attached to (DEVOBJ_EXTENSION.AttachedTo) */
  AttachedTo: DeviceObject | undefined
  StackSize = 1
  Flags = 0
  Characteristics = 0
  Vpb: Vpb | undefined
  DeviceExtension: unknown
  /** for a volume (real) device: its drive letter, 'C:' — the mount manager's view */
  dosName: string | undefined
  /** when set, the I/O manager records dispatch/complete trace events at this device ('fs') */
  traceAt: string | undefined
  constructor(
    readonly io: IoManager,
    readonly DriverObject: DriverObject,
    readonly DeviceType: number,
    name: string,
  ) {
    this.header = new ObjectHeader(DeviceObjectType, name)
  }
  /** the Device object type's parse procedure (IopParseDevice) */
  *parse(remaining: string, context: unknown, reparses: number): Co<ParseResult> {
    if (!context || typeof context !== 'object' || !('desiredAccess' in context)) return { status: 0xc0000024 /* STATUS_OBJECT_TYPE_MISMATCH */ }
    return yield* parseDevice(this.io, this, remaining, context as OpenPacket, reparses)
  }
}

/** IoGetAttachedDevice: the highest device in the stack above `d` */
export function IoGetAttachedDevice(d: DeviceObject): DeviceObject {
  let top = d
  while (top.AttachedDevice) top = top.AttachedDevice
  return top
}

/** IoAttachDeviceToDeviceStack: attaches `source` above the current top of `target`'s stack */
export function IoAttachDeviceToDeviceStack(source: DeviceObject, target: DeviceObject): DeviceObject {
  const top = IoGetAttachedDevice(target)
  top.AttachedDevice = source
  source.AttachedTo = top
  source.StackSize = top.StackSize + 1
  return top
}

/** IoDetachDevice: detaches whatever is attached above `target` */
export function IoDetachDevice(target: DeviceObject): void {
  const above = target.AttachedDevice
  if (!above) return
  target.AttachedDevice = above.AttachedDevice
  if (above.AttachedDevice) above.AttachedDevice.AttachedTo = target
  above.AttachedDevice = undefined
  above.AttachedTo = undefined
}

