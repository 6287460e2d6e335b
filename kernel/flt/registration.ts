// Registration, filtering and instances as filters call them: FltRegisterFilter,
// FltStartFiltering, FltUnregisterFilter, FltAttachVolume(AtAltitude), FltDetachVolume, and the
// routines that look objects up (volumes, instances, requestor, IRQL).

import type { Co, KIRQL, KThread } from '../ke/index.ts'
import type { DriverObject, DeviceObject } from '../io/device.ts'
import type { FileObject } from '../io/file-object.ts'
import { majorName } from '../nt/irp.ts'
import { STATUS, type NTSTATUS } from '../nt/status.ts'
import type { EProcess } from '../ob/index.ts'
import type { FLT_CALLBACK_DATA } from './callback-data.ts'
import { FLTFL_INSTANCE_SETUP_MANUAL_ATTACHMENT, FLTFL_INSTANCE_TEARDOWN_MANUAL, INSTANCE_FLAG_NO_MANUAL_ATTACH } from './constants.ts'
import { activeManager, runInContext } from './invoke.ts'
import { managerOfDriver, type FilterManager } from './manager.ts'
import type { FltFilter, FltInstance, FltVolume } from './objects.ts'
import type { FLT_REGISTRATION, Ref } from './types.ts'

/** FltRegisterFilter */
export function FltRegisterFilter(Driver: DriverObject, Registration: FLT_REGISTRATION, RetFilter: Ref<FltFilter>): NTSTATUS {
  RetFilter.value = undefined
  const mgr = managerOfDriver(Driver)
  if (!mgr) return STATUS.STATUS_FLT_NOT_INITIALIZED
  const r = mgr.register(Driver, Registration)
  RetFilter.value = r.filter
  return r.status
}

/** FltStartFiltering: the default instance attaches to every volume it wants (automatic attachment) */
export function FltStartFiltering(Filter: FltFilter): NTSTATUS {
  return Filter.mgr.startFiltering(Filter)
}

/**
 * FltUnregisterFilter: tears down every instance (draining, teardown callbacks, contexts) and
 * forgets the filter. When the teardown has to wait, it finishes on a System thread; fltmc unload
 * waits for it.
 */
export function FltUnregisterFilter(Filter: FltFilter): void {
  const mgr = Filter.mgr
  if (Filter.state === 'unregistered') return
  Filter.references++
  const work = (function* (): Co<void> {
    try {
      yield* mgr.unregister(Filter)
    } finally {
      mgr.dropReference(Filter)
    }
  })()
  runInContext(mgr, work, `unregistration of ${Filter.name}`)
}

function instanceName(filter: FltFilter, altitude: string | undefined, name: string | undefined): { name: string; altitude: string } | undefined {
  if (name) {
    const i = filter.inf.Instances.get(name)
    if (!altitude && !i) return undefined
    return { name, altitude: altitude ?? i!.Altitude }
  }
  if (altitude) return { name: `${filter.name} ${altitude} Instance`, altitude }
  const d = filter.inf.Instances.get(filter.inf.DefaultInstance)
  return d ? { name: filter.inf.DefaultInstance, altitude: d.Altitude } : undefined
}

/** FltAttachVolume: attaches an instance from the INF (the default one when InstanceName is null) */
export function* FltAttachVolume(Filter: FltFilter, Volume: FltVolume, InstanceName: string | null, RetInstance: Ref<FltInstance> | null): Co<NTSTATUS> {
  if (RetInstance) RetInstance.value = undefined
  const n = instanceName(Filter, undefined, InstanceName ?? undefined)
  if (!n) return STATUS.STATUS_FLT_INSTANCE_NOT_FOUND
  if ((Filter.inf.Instances.get(n.name)?.Flags ?? 0) & INSTANCE_FLAG_NO_MANUAL_ATTACH) return STATUS.STATUS_FLT_DO_NOT_ATTACH
  const r = yield* Filter.mgr.attach(Filter, Volume, n.name, n.altitude, FLTFL_INSTANCE_SETUP_MANUAL_ATTACHMENT)
  if (RetInstance) RetInstance.value = r.instance
  return r.status
}

/** FltAttachVolumeAtAltitude: an instance at an altitude of the caller's choosing */
export function* FltAttachVolumeAtAltitude(Filter: FltFilter, Volume: FltVolume, Altitude: string, InstanceName: string | null, RetInstance: Ref<FltInstance> | null): Co<NTSTATUS> {
  if (RetInstance) RetInstance.value = undefined
  const n = instanceName(Filter, Altitude, InstanceName ?? undefined)!
  const r = yield* Filter.mgr.attach(Filter, Volume, n.name, n.altitude, FLTFL_INSTANCE_SETUP_MANUAL_ATTACHMENT)
  if (RetInstance) RetInstance.value = r.instance
  return r.status
}

/** FltDetachVolume: tears an instance down (InstanceQueryTeardown is asked, as for fltmc detach) */
export function* FltDetachVolume(Filter: FltFilter, Volume: FltVolume, InstanceName: string | null): Co<NTSTATUS> {
  const inst = Volume.instances.find((i) => i.filter === Filter && (InstanceName === null || i.name.toLowerCase() === InstanceName.toLowerCase()))
  if (!inst) return STATUS.STATUS_FLT_INSTANCE_NOT_FOUND
  return yield* Filter.mgr.detach(inst, FLTFL_INSTANCE_TEARDOWN_MANUAL)
}

/** FltEnumerateInstances: the instances of a volume, or of a filter, highest altitude first */
export function FltEnumerateInstances(Volume: FltVolume | null, Filter: FltFilter | null, InstanceList: Ref<FltInstance[]>, NumberInstancesReturned: Ref<number>): NTSTATUS {
  const all = Volume ? Volume.instances : Filter ? Filter.volumes().flatMap((v) => v.instances) : []
  const list = all.filter((i) => (!Filter || i.filter === Filter) && i.active)
  InstanceList.value = list
  NumberInstancesReturned.value = list.length
  return STATUS.STATUS_SUCCESS
}

/** FltGetVolumeFromInstance (the reference is released with FltObjectDereference) */
export function FltGetVolumeFromInstance(Instance: FltInstance, RetVolume: Ref<FltVolume>): NTSTATUS {
  RetVolume.value = Instance.volume
  return STATUS.STATUS_SUCCESS
}

/** FltGetFilterFromInstance */
export function FltGetFilterFromInstance(Instance: FltInstance, RetFilter: Ref<FltFilter>): NTSTATUS {
  RetFilter.value = Instance.filter
  return STATUS.STATUS_SUCCESS
}

/** FltGetVolumeFromFileObject */
export function FltGetVolumeFromFileObject(Filter: FltFilter, FileObject: FileObject, RetVolume: Ref<FltVolume>): NTSTATUS {
  const v = Filter.mgr.refreshVolumes().find((x) => x.realDevice === FileObject.DeviceObject || x.fsDevice === FileObject.Vpb?.DeviceObject)
  RetVolume.value = v
  return v ? STATUS.STATUS_SUCCESS : STATUS.STATUS_INVALID_PARAMETER
}

/** FltGetVolumeFromName: C:, \??\C:, or \Device\HarddiskVolumeN */
export function FltGetVolumeFromName(Filter: FltFilter, VolumeName: string, RetVolume: Ref<FltVolume>): NTSTATUS {
  const name = VolumeName.replace(/^\\\?\?\\/, '')
  const v = Filter.mgr.volume(name)
  RetVolume.value = v
  return v ? STATUS.STATUS_SUCCESS : STATUS.STATUS_FLT_VOLUME_NOT_FOUND
}

/** FltObjectReference / FltObjectDereference: objects here live as long as they are reachable */
export function FltObjectReference(_FltObject: unknown): NTSTATUS {
  return STATUS.STATUS_SUCCESS
}
export function FltObjectDereference(_FltObject: unknown): void {}

/** FltGetFileSystemType */
export function FltGetFileSystemType(FltObject: FltInstance | FltVolume, VolumeFileSystemType: Ref<number>): NTSTATUS {
  VolumeFileSystemType.value = 'fileSystemType' in FltObject ? FltObject.fileSystemType : FltObject.volume.fileSystemType
  return STATUS.STATUS_SUCCESS
}

/** FltIsVolumeWritable */
export function FltIsVolumeWritable(_FltObject: FltInstance | FltVolume, IsWritable: Ref<boolean>): NTSTATUS {
  IsWritable.value = true
  return STATUS.STATUS_SUCCESS
}

/** FltGetDeviceObject: the file system's volume device object */
export function FltGetDeviceObject(Volume: FltVolume, DeviceObject: Ref<DeviceObject>): NTSTATUS {
  DeviceObject.value = Volume.fsDevice
  return STATUS.STATUS_SUCCESS
}

/** FltGetDiskDeviceObject: the volume's disk device (\Device\HarddiskVolumeN) */
export function FltGetDiskDeviceObject(Volume: FltVolume, DiskDeviceObject: Ref<DeviceObject>): NTSTATUS {
  DiskDeviceObject.value = Volume.realDevice
  return STATUS.STATUS_SUCCESS
}

/** FltGetIrpName: "IRP_MJ_CREATE" … */
export function FltGetIrpName(IrpMajorCode: number): string {
  return majorName(IrpMajorCode)
}

/** FltGetRequestorProcess: the process that started the operation */
export function FltGetRequestorProcess(CallbackData: FLT_CALLBACK_DATA): EProcess | undefined {
  const t = CallbackData.Thread
  const mgr = CallbackData.Iopb.TargetInstance?.filter.mgr ?? activeManager()
  return t && mgr ? mgr.processOf(t.tid) : undefined
}

/** FltGetRequestorProcessId */
export function FltGetRequestorProcessId(CallbackData: FLT_CALLBACK_DATA): number {
  return FltGetRequestorProcess(CallbackData)?.pid ?? 0
}

/** IoThreadToProcess */
export function IoThreadToProcess(Thread: KThread): EProcess | undefined {
  return activeManager()?.processOf(Thread.tid)
}

/** FltIsOperationSynchronous: an IRP the originating thread waits for */
export function FltIsOperationSynchronous(CallbackData: FLT_CALLBACK_DATA): boolean {
  const fo = CallbackData.Iopb.TargetFileObject
  return (CallbackData.Iopb.IrpFlags & 0x4) !== 0 || (fo !== undefined && (fo.Flags & 0x2) !== 0)
}

function mgrOrThrow(api: string): FilterManager {
  const m = activeManager()
  if (!m) throw new Error(`${api} was called outside filter code`)
  return m
}

/** KeGetCurrentIrql, as filter code sees it (DISPATCH_LEVEL in a DPC) */
export function KeGetCurrentIrql(): KIRQL {
  return mgrOrThrow('KeGetCurrentIrql').currentIrql() as KIRQL
}

/** PsGetCurrentThread */
export function PsGetCurrentThread(): KThread | undefined {
  return mgrOrThrow('PsGetCurrentThread').ke.current
}

/** PsGetCurrentThreadId */
export function PsGetCurrentThreadId(): number {
  return mgrOrThrow('PsGetCurrentThreadId').ke.current?.tid ?? 0
}

/** PsGetCurrentProcessId */
export function PsGetCurrentProcessId(): number {
  const m = mgrOrThrow('PsGetCurrentProcessId')
  const t = m.ke.current
  return t ? m.processOf(t.tid).pid : 4
}

/** KeQuerySystemTime: FILETIME in 100 ns units */
export function KeQuerySystemTime(): bigint {
  return mgrOrThrow('KeQuerySystemTime').ke.systemTime()
}

/** DbgPrint: a line in the machine's debug output (the active filter's) */
export function DbgPrint(text: string): void {
  const m = mgrOrThrow('DbgPrint')
  m.dbgPrint(m.stack.innermostCallback()?.split(' — ')[0] ?? 'kernel', text)
}
