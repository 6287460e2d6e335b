// The Filter Manager of one machine: a legacy filter driver (\FileSystem\FltMgr) with one frame
// (frame 0). Its device object is attached above a volume's file-system device when the first
// instance attaches there (not at boot: a volume nobody filters keeps the plain stack), and
// stays attached afterwards, as FltMgr's does. It keeps the registered filters, their instances
// by volume and altitude, the contexts and name caches, and loads, attaches, detaches and unloads
// filters (fltmc).

import { disconnectFilterPorts } from './ports.ts'
import { BugCheck, BUGCODE, DISPATCH_LEVEL, KeWaitForSingleObject, type Co, type KThread, type Scheduler } from '../ke/index.ts'
import { DriverObject, IoAttachDeviceToDeviceStack, type DeviceObject } from '../io/device.ts'
import type { CompletionRoutine, Irp, IoStackLocation } from '../io/irp.ts'
import type { IoManager } from '../io/iomgr.ts'
import type { EProcess } from '../ob/index.ts'
import { FILE_INFORMATION_CLASS } from '../nt/infoclass.ts'
import { IRP_MJ } from '../nt/irp.ts'
import { NT_SUCCESS, STATUS, type NTSTATUS } from '../nt/status.ts'
import {
  FILE_DEVICE_DISK_FILE_SYSTEM,
  FLTFL_FILTER_UNLOAD_MANDATORY,
  FLTFL_INSTANCE_SETUP_AUTOMATIC_ATTACHMENT,
  FLTFL_INSTANCE_TEARDOWN_FILTER_UNLOAD,
  FLTFL_INSTANCE_TEARDOWN_MANDATORY_FILTER_UNLOAD,
  FLTFL_INSTANCE_TEARDOWN_MANUAL,
  FLTFL_POST_OPERATION_DRAINING,
  FLTFL_CALLBACK_DATA_DRAINING_IO,
  FLTFL_CALLBACK_DATA_POST_OPERATION,
  FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLTMGR_BUGCHECK,
  INSTANCE_FLAG_NO_AUTOMATIC_ATTACH,
} from './constants.ts'
import { FLT_CALLBACK_DATA, restoreIopb } from './callback-data.ts'
import { ContextStore } from './contexts.ts'
import { frameCompletion, frameDispatch, relatedObjects } from './dispatch.ts'
import { frameFastIoDispatch } from './fastio.ts'
import { currentIrql, invoke, KernelStacks, runInContext } from './invoke.ts'
import { NameStore } from './names.ts'
import { FltFilter, FltInstance, FltVolume, type FilterInf } from './objects.ts'
import { POST_NONE, type FltOperation, type GeneratedIo } from './operation.ts'
import { emitInstanceEvent } from './trace.ts'
import { fltMgrFsFilterCallbacks, fsFilterOperation, type FsFilterOutcome } from './fsfilter.ts'
import { FsRtlRegisterFileSystemFilterCallbacks, type FS_FILTER_CALLBACKS } from '../mm/fsrtl.ts'
import type { FLT_PARAMETERS } from './parameters.ts'
import type { FileObject } from '../io/file-object.ts'
import type { FLT_REGISTRATION, MaybeCo } from './types.ts'

/** STATUS_IMAGE_ALREADY_LOADED (ntstatus.h): the driver is loaded already */
export const STATUS_IMAGE_ALREADY_LOADED = STATUS.STATUS_IMAGE_ALREADY_LOADED

/** What DriverEntry receives: the driver object, its registry path and parameters, and the host's channels. */
export interface FilterDriverContext {
  readonly DriverObject: DriverObject
  /** \REGISTRY\MACHINE\SYSTEM\CurrentControlSet\Services\<name> */
  readonly RegistryPath: string
  /** the service's Parameters key: the scenario entry's other keys */
  readonly Parameters: { readonly [key: string]: unknown }
  /** data the filter shows the host (minispy's log): read with FilterManager.published */
  publish(key: string, value: unknown): void
  /** DbgPrint: a line in the machine's debug output */
  DbgPrint(text: string): void
}

/** A filter driver as a module: DriverEntry, and the INF's defaults. */
export interface FilterModule {
  DriverEntry(ctx: FilterDriverContext): MaybeCo<NTSTATUS>
  /** the service name; defaults to the name it is loaded by */
  readonly NAME?: string
  /** the INF's instances: the first (or DefaultInstance) is attached automatically */
  readonly INF?: {
    readonly DefaultInstance?: string
    readonly Instances: readonly { readonly Name: string; readonly Altitude: string; readonly Flags?: number }[]
  }
}

export interface FilterManagerOptions {
  ke: Scheduler
  io: IoManager
  /** the process a thread belongs to (for trace events) */
  processOf: (tid: number) => EProcess | undefined
  /** a System thread FltMgr created (the machine registers it with the System process) */
  onSystemThread?: (t: KThread) => void
  /** built-in filters, by service name */
  builtins?: Readonly<Record<string, FilterModule>>
}

export interface DebugLine {
  readonly time: number
  readonly source: string
  readonly text: string
}

/** fltmc filters */
export interface FilterInfo {
  readonly name: string
  readonly instances: number
  readonly altitude: string
  readonly frame: number
}

/** fltmc instances */
export interface InstanceInfo {
  readonly filter: string
  readonly volume: string
  readonly device: string
  readonly altitude: string
  readonly instance: string
  readonly frame: number
}

const MAJORS_FLTMGR_WATCHES = new Set<number>([IRP_MJ.IRP_MJ_CREATE, IRP_MJ.IRP_MJ_CLOSE, IRP_MJ.IRP_MJ_SET_INFORMATION])

export class FilterManager {
  readonly ke: Scheduler
  readonly io: IoManager
  readonly driver: DriverObject
  readonly stack: KernelStacks
  readonly contexts: ContextStore
  readonly names: NameStore
  readonly volumes: FltVolume[] = []
  /** registered filters by service name */
  readonly filters = new Map<string, FltFilter>()
  /** filter-initiated IRPs: where they start and their flags */
  readonly generatedIrps = new WeakMap<Irp, GeneratedIo>()
  readonly debug: DebugLine[] = []
  readonly builtins: Readonly<Record<string, FilterModule>>
  private readonly processOfTid: (tid: number) => EProcess | undefined
  private readonly onThread: ((t: KThread) => void) | undefined
  /** what each loading driver's INF says (FltRegisterFilter reads it, as FltMgr reads the registry) */
  private readonly infs = new WeakMap<DriverObject, { name: string; inf: FilterInf }>()
  private readonly publishedByService = new Map<string, Map<string, unknown>>()
  private frames = 0
  /** the frame's completion routine (one function for every IRP) */
  readonly completionRoutine: CompletionRoutine = (_d, irp, ctx) => frameCompletion(this, irp, ctx as FltOperation)
  private fastIoIds = 0

  constructor(opts: FilterManagerOptions) {
    this.ke = opts.ke
    this.io = opts.io
    this.processOfTid = opts.processOf
    this.onThread = opts.onSystemThread
    this.builtins = opts.builtins ?? {}
    this.stack = new KernelStacks(this.ke)
    this.contexts = new ContextStore(this)
    this.names = new NameStore(this)
    this.driver = new DriverObject('\\FileSystem\\FltMgr')
    for (let major = 0; major < this.driver.MajorFunction.length; major++) {
      this.driver.MajorFunction[major] = (d, irp) => frameDispatch(this, d, irp)
    }
    this.driver.FastIoDispatch = frameFastIoDispatch(this)
    // FltMgr hears the Cache and Memory Managers' acquisitions through FsRtl's FsFilter callbacks
    FsRtlRegisterFileSystemFilterCallbacks(this.driver, fltMgrFsFilterCallbacks(this) as FS_FILTER_CALLBACKS)
    FILTER_MANAGERS.set(this.ke, this)
  }

  // ---- machine services --------------------------------------------------------------------------

  processOf(tid: number): EProcess {
    return this.processOfTid(tid) ?? this.io.system
  }

  onSystemThread(t: KThread): void {
    this.onThread?.(t)
  }

  /** ids of fast I/O operations in the trace (FIO<n>) */
  nextFastIoId(): number {
    return ++this.fastIoIds
  }

  currentIrql(): number {
    return currentIrql(this.ke)
  }

  /** the IRQL rule of routines that may touch pageable memory or block */
  requirePassiveOrApc(api: string): void {
    if (this.currentIrql() < DISPATCH_LEVEL) return
    const t = this.ke.current
    throw new BugCheck(BUGCODE.IRQL_NOT_LESS_OR_EQUAL, `${api} called at DISPATCH_LEVEL${t ? ` on ${t}` : ' in a DPC'} (it requires IRQL <= APC_LEVEL)`, {
      params: [0, DISPATCH_LEVEL, 0, 0],
      culprit: this.stack.innermostCallback(),
    })
  }

  dbgPrint(source: string, text: string): void {
    this.debug.push({ time: this.ke.now, source, text })
  }

  /** what a filter published (minispy's log …), by service name and key */
  published(service: string, key: string): unknown {
    return this.publishedByService.get(service.toLowerCase())?.get(key)
  }

  // ---- volumes and the frame ---------------------------------------------------------------------

  /** the mounted file-system volumes (\Device\HarddiskVolumeN with a mounted VPB) */
  refreshVolumes(): FltVolume[] {
    const dir = this.io.ob.peek('\\Device') as { entries?: Map<string, unknown> } | undefined
    for (const obj of dir?.entries?.values() ?? []) {
      const d = obj as DeviceObject
      const fs = d.Vpb?.DeviceObject
      if (!fs || this.volumes.some((v) => v.realDevice === d)) continue
      this.volumes.push(new FltVolume(this, d, fs))
    }
    return this.volumes
  }

  /** a volume by drive letter (C: or C), or by device name */
  volume(name: string): FltVolume | undefined {
    const n = name.replace(/\\$/, '').toUpperCase()
    const letter = /^[A-Z]$/.test(n) ? n + ':' : n
    return this.refreshVolumes().find((v) => v.dosName.toUpperCase() === letter || v.name.toUpperCase() === n)
  }

  /** attaches the frame's device object above the volume's file system (once) */
  private attachFrame(vol: FltVolume): void {
    if (vol.frameDevice) return
    const d = this.io.createDevice(this.driver, FILE_DEVICE_DISK_FILE_SYSTEM, `FltMgr frame 0 on ${vol.name} (${++this.frames})`, { inNamespace: false })
    d.DeviceExtension = vol
    IoAttachDeviceToDeviceStack(d, vol.fsDevice)
    vol.frameDevice = d
  }

  /** majors FltMgr follows even when no instance wants them (contexts, name cache) */
  watches(major: number): boolean {
    return MAJORS_FLTMGR_WATCHES.has(major)
  }

  /** FltMgr's own books when a create, close or rename completes */
  afterCompletion(_vol: FltVolume, sp: IoStackLocation, status: NTSTATUS, _irp: Irp): void {
    const fo = sp.FileObject
    switch (sp.MajorFunction) {
      case IRP_MJ.IRP_MJ_CREATE:
        if (fo && !NT_SUCCESS(status)) this.contexts.fileObjectGone(fo)
        else if (fo && status === STATUS.STATUS_REPARSE) this.contexts.fileObjectGone(fo)
        return
      case IRP_MJ.IRP_MJ_CLOSE:
        if (fo) this.contexts.fileObjectGone(fo)
        return
      case IRP_MJ.IRP_MJ_SET_INFORMATION:
        this.namesChangedBy(sp, status)
        return
    }
  }

  /**
   * A rename or link the file system completed makes cached names stale. Called as soon as the
   * file system completes it — before the post-operation callbacks, which must get the new name
   * (FltGetFileNameInformation in a post-rename returns the name after the rename) — and again
   * when the operation is done (a no-op then).
   */
  namesChangedBy(sp: IoStackLocation, status: NTSTATUS): void {
    if (sp.MajorFunction !== IRP_MJ.IRP_MJ_SET_INFORMATION || !NT_SUCCESS(status)) return
    const c = sp.Parameters.SetFile?.FileInformationClass
    if (
      c === FILE_INFORMATION_CLASS.FileRenameInformation ||
      c === FILE_INFORMATION_CLASS.FileRenameInformationEx ||
      c === FILE_INFORMATION_CLASS.FileLinkInformation ||
      c === FILE_INFORMATION_CLASS.FileLinkInformationEx
    ) {
      this.names.invalidate()
    }
  }

  // ---- registration -------------------------------------------------------------------------------

  /** FltRegisterFilter's work */
  register(driver: DriverObject, registration: FLT_REGISTRATION): { status: NTSTATUS; filter?: FltFilter } {
    const known = this.infs.get(driver)
    if (!known) return { status: STATUS.STATUS_FLT_NOT_INITIALIZED }
    if (this.filters.has(known.name)) return { status: STATUS.STATUS_FLT_INSTANCE_NAME_COLLISION }
    const version = registration.Version
    // ReactOS FltRegisterFilter: the major version must be 2
    if (version !== undefined && version >> 8 !== 2) return { status: STATUS.STATUS_INVALID_PARAMETER }
    if (registration.NormalizeNameComponentCallback && !registration.GenerateFileNameCallback) return { status: STATUS.STATUS_INVALID_PARAMETER }
    const ops = registration.OperationRegistration ?? []
    // post-operation callbacks are not supported for IRP_MJ_SHUTDOWN (the registration's post is ignored)
    const fixed = ops.map((o) => (o.MajorFunction === IRP_MJ.IRP_MJ_SHUTDOWN ? { ...o, PostOperation: null } : o))
    const filter = new FltFilter(this, known.name, driver, { ...registration, OperationRegistration: fixed }, known.inf)
    this.filters.set(known.name, filter)
    return { status: STATUS.STATUS_SUCCESS, filter }
  }

  /** FltStartFiltering's work: automatic attachment of the default instance to every volume */
  startFiltering(filter: FltFilter): NTSTATUS {
    if (filter.state !== 'registered') return STATUS.STATUS_INVALID_PARAMETER
    filter.state = 'filtering'
    const def = filter.inf.Instances.get(filter.inf.DefaultInstance)
    if (!def || def.Flags & INSTANCE_FLAG_NO_AUTOMATIC_ATTACH) return STATUS.STATUS_SUCCESS
    const mgr = this
    filter.attaching++
    const work = (function* (): Co<void> {
      try {
        for (const vol of [...mgr.refreshVolumes()]) {
          yield* mgr.attach(filter, vol, filter.inf.DefaultInstance, def.Altitude, FLTFL_INSTANCE_SETUP_AUTOMATIC_ATTACHMENT)
        }
      } finally {
        filter.attaching--
        filter.changed.set()
      }
    })()
    runInContext(this, work, `automatic attachment of ${filter.name}`)
    return STATUS.STATUS_SUCCESS
  }

  dropReference(filter: FltFilter): void {
    filter.references--
    filter.changed.set()
  }

  // ---- instances -------------------------------------------------------------------------------

  /** attaches `filter` to `vol` as instance `name` at `altitude` (InstanceSetupCallback may decline) */
  *attach(filter: FltFilter, vol: FltVolume, name: string, altitude: string, setupFlags: number): Co<{ status: NTSTATUS; instance?: FltInstance }> {
    if (filter.state !== 'filtering') return { status: STATUS.STATUS_FLT_FILTER_NOT_READY }
    if (!/^[0-9]+(\.[0-9]+)?$/.test(altitude)) return { status: STATUS.STATUS_INVALID_PARAMETER }
    if (vol.instances.some((i) => i.filter === filter && i.name.toLowerCase() === name.toLowerCase())) return { status: STATUS.STATUS_FLT_INSTANCE_NAME_COLLISION }
    // documented: two instances cannot share an altitude on a volume (in one frame)
    if (vol.instances.some((i) => i.altitudeValue === Number(altitude))) return { status: STATUS.STATUS_FLT_INSTANCE_ALTITUDE_COLLISION }
    const infFlags = filter.inf.Instances.get(name)?.Flags ?? 0
    const inst = new FltInstance(filter, vol, name, altitude, infFlags)
    this.attachFrame(vol)
    const setup = filter.registration.InstanceSetupCallback
    if (setup) {
      const st = yield* invoke(this, { filter: filter.name, callback: `${setup.name || 'InstanceSetupCallback'} (instance setup on ${vol})`, instance: inst }, () =>
        setup(relatedObjects(inst, undefined), setupFlags, FILE_DEVICE_DISK_FILE_SYSTEM, vol.fileSystemType),
      )
      if (!NT_SUCCESS(st)) {
        inst.state = 'detached'
        this.contexts.instanceGone(inst)
        // documented: STATUS_FLT_DO_NOT_ATTACH declines quietly; an automatic attach never fails its caller
        return { status: st }
      }
    }
    if (vol.instances.some((i) => i.altitudeValue === inst.altitudeValue)) {
      this.contexts.instanceGone(inst)
      return { status: STATUS.STATUS_FLT_INSTANCE_ALTITUDE_COLLISION }
    }
    inst.state = 'attached'
    vol.insert(inst)
    filter.instances.push(inst)
    return { status: STATUS.STATUS_SUCCESS, instance: inst }
  }

  /**
   * Tears an instance down: InstanceQueryTeardown (manual detach only, may veto),
   * InstanceTeardownStart, draining of the posts it owes, waiting for what it pended and for its
   * running callbacks, InstanceTeardownComplete, then its contexts go.
   */
  *detach(inst: FltInstance, reason: number): Co<NTSTATUS> {
    if (inst.state !== 'attached') return STATUS.STATUS_FLT_INSTANCE_NOT_FOUND
    const filter = inst.filter
    const reg = filter.registration
    if (reason === FLTFL_INSTANCE_TEARDOWN_MANUAL) {
      const q = reg.InstanceQueryTeardownCallback
      // documented: without InstanceQueryTeardownCallback an instance cannot be detached manually
      if (!q) return STATUS.STATUS_FLT_DO_NOT_DETACH
      const st = yield* invoke(this, { filter: filter.name, callback: `${q.name || 'InstanceQueryTeardownCallback'} (query teardown on ${inst.volume})`, instance: inst }, () => q(relatedObjects(inst, undefined), 0))
      if (!NT_SUCCESS(st)) return st
      if (inst.state !== 'attached') return STATUS.STATUS_FLT_INSTANCE_NOT_FOUND
    }
    inst.state = 'tearingDown'
    inst.volume.remove(inst)
    const start = reg.InstanceTeardownStartCallback
    if (start) yield* invoke(this, { filter: filter.name, callback: `${start.name || 'InstanceTeardownStartCallback'} (teardown start on ${inst.volume})`, instance: inst }, () => start(relatedObjects(inst, undefined), reason))
    yield* this.drain(inst)
    const complete = reg.InstanceTeardownCompleteCallback
    if (complete) yield* invoke(this, { filter: filter.name, callback: `${complete.name || 'InstanceTeardownCompleteCallback'} (teardown complete on ${inst.volume})`, instance: inst }, () => complete(relatedObjects(inst, undefined), reason))
    inst.state = 'detached'
    const i = filter.instances.indexOf(inst)
    if (i >= 0) filter.instances.splice(i, 1)
    this.contexts.instanceGone(inst)
    this.names.forgetInstance(inst)
    return STATUS.STATUS_SUCCESS
  }

  /**
   * Draining: the posts the instance owes are called now with FLTFL_POST_OPERATION_DRAINING on a
   * copy of the callback data, except for operations it made dirty, which it waits for
   * (unverified: inferred from swapBuffers' assertion that swapped buffers are never drained).
   * Then it waits until nothing it pended is outstanding and none of its callbacks runs.
   */
  private *drain(inst: FltInstance): Co<void> {
    for (;;) {
      for (const op of [...inst.outstanding]) {
        const i = op.nodes.findIndex((n) => n.instance === inst)
        if (i < 0 || op.wantsPost[i] === POST_NONE || op.dirtiedBy[i] || op.current === i || op.drained[i]) continue
        op.wantsPost[i] = POST_NONE
        op.drained[i] = 1
        inst.outstanding.delete(op)
        yield* this.drainPost(op, i)
      }
      const own = this.stack.innermostCallback()?.startsWith(`${inst.filter.name} — `) ? 1 : 0
      if (inst.outstanding.size === 0 && inst.pendedPre.size === 0 && inst.pendedPost.size === 0 && inst.activeCallbacks <= own) return
      const what = [
        inst.pendedPre.size ? `${inst.pendedPre.size} operation(s) it pended in pre-operation (${[...inst.pendedPre].map((o) => o.describe()).join(', ')})` : '',
        inst.pendedPost.size ? `${inst.pendedPost.size} post-operation(s) it holds (${[...inst.pendedPost].map((o) => o.describe()).join(', ')})` : '',
        inst.outstanding.size ? `${inst.outstanding.size} operation(s) it changed` : '',
        inst.activeCallbacks > own ? `${inst.activeCallbacks - own} running callback(s)` : '',
      ]
        .filter(Boolean)
        .join('; ')
      yield* KeWaitForSingleObject(inst.changed, undefined, `FltMgr: teardown of ${inst.at} on ${inst.volume} waits for ${what}`)
    }
  }

  private *drainPost(op: FltOperation, i: number): Co<void> {
    const node = op.nodes[i]!
    const inst = node.instance
    const copy = new FLT_CALLBACK_DATA(op.data.Flags | FLTFL_CALLBACK_DATA_DRAINING_IO | FLTFL_CALLBACK_DATA_POST_OPERATION, op.data.Thread)
    copy.RequestorMode = op.data.RequestorMode
    restoreIopb(copy.Iopb, op.seen[i]!)
    copy.Iopb.TargetInstance = inst
    copy.IoStatus = { ...op.data.IoStatus }
    const post = node.post!
    const fo = copy.Iopb.TargetFileObject
    const ctx = op.completionContexts[i]
    emitInstanceEvent(this, op, inst, 'post', true)
    const r = yield* invoke(this, { filter: inst.filter.name, callback: `${post.name ? post.name + ' ' : ''}(${op.opName} post-operation, draining)`, instance: inst, op }, () =>
      post(copy, relatedObjects(inst, fo), ctx, FLTFL_POST_OPERATION_DRAINING),
    )
    if (r !== FLT_POSTOP_FINISHED_PROCESSING) {
      // documented: a draining post-operation callback must return FLT_POSTOP_FINISHED_PROCESSING
      throw new BugCheck(0xf5, `${inst.at} returned ${r} from a draining post-operation callback (it must return FLT_POSTOP_FINISHED_PROCESSING)`, {
        params: [FLTMGR_BUGCHECK.INVALID_POSTOP_STATUS, 0, 0, 0],
        culprit: inst.filter.name,
        context: `operation: ${op.describe()}`,
      })
    }
  }

  // ---- loading and unloading ----------------------------------------------------------------------

  /** the module for a built-in filter name */
  builtin(name: string): FilterModule | undefined {
    return this.builtins[name.toLowerCase()]
  }

  /**
   * Loads a filter driver (fltmc load): its INF goes to the registry (the altitude given
   * overrides the default instance's), DriverEntry runs, and the automatic attachments it starts
   * finish before this returns.
   */
  *load(module: FilterModule, opts: { name?: string; altitude?: string; parameters?: { readonly [k: string]: unknown } } = {}): Co<NTSTATUS> {
    const name = (opts.name ?? module.NAME ?? '').toLowerCase()
    if (!name) return STATUS.STATUS_INVALID_PARAMETER
    if (this.filters.has(name)) return STATUS_IMAGE_ALREADY_LOADED
    const inf = infOf(name, module, opts.altitude)
    if (!inf) return STATUS.STATUS_INVALID_PARAMETER
    const driver = new DriverObject(`\\FileSystem\\${name}`)
    this.infs.set(driver, { name, inf })
    DRIVER_MANAGERS.set(driver, this)
    const published = new Map<string, unknown>()
    this.publishedByService.set(name, published)
    const ctx: FilterDriverContext = {
      DriverObject: driver,
      RegistryPath: `\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet\\Services\\${name}`,
      Parameters: opts.parameters ?? {},
      publish: (key, value) => void published.set(key, value),
      DbgPrint: (text) => this.dbgPrint(name, text),
    }
    const st = yield* invoke(this, { filter: name, callback: 'DriverEntry' }, () => module.DriverEntry(ctx))
    const filter = this.filters.get(name)
    if (!NT_SUCCESS(st)) {
      if (filter && filter.state !== 'unregistered') yield* this.unregister(filter, FLTFL_INSTANCE_TEARDOWN_FILTER_UNLOAD)
      this.filters.delete(name)
      return st
    }
    if (filter) while (filter.attaching > 0) yield* KeWaitForSingleObject(filter.changed, undefined, `FltMgr: waiting for the automatic attachments of ${name}`)
    return st
  }

  private *waitForReferences(filter: FltFilter, what: string): Co<void> {
    while (filter.references > 0) yield* KeWaitForSingleObject(filter.changed, undefined, `FltMgr: waiting for ${what}`)
  }

  /**
   * fltmc unload: FilterUnloadCallback decides (a failure vetoes a non-mandatory unload); the
   * filter's FltUnregisterFilter tears every instance down.
   */
  *unload(filter: FltFilter, mandatory = false): Co<NTSTATUS> {
    const cb = filter.registration.FilterUnloadCallback
    // documented: without FilterUnloadCallback the filter cannot be unloaded
    if (!cb) return STATUS.STATUS_FLT_DO_NOT_DETACH
    if (mandatory && (filter.registration.Flags ?? 0) & FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP) return STATUS.STATUS_FLT_DO_NOT_DETACH
    const prev = filter.state
    filter.state = 'unloading'
    const st = yield* invoke(this, { filter: filter.name, callback: `${cb.name || 'FilterUnloadCallback'} (filter unload)` }, () => cb(mandatory ? FLTFL_FILTER_UNLOAD_MANDATORY : 0))
    if (!NT_SUCCESS(st) && !mandatory) {
      if (filter.state === 'unloading') filter.state = prev
      return st
    }
    // unverified: an unload routine that returns success without FltUnregisterFilter; Windows
    // leaves the filter half-unloaded, here it is unregistered on its behalf
    if ((filter.state as string) !== 'unregistered') yield* this.unregister(filter, mandatory ? FLTFL_INSTANCE_TEARDOWN_MANDATORY_FILTER_UNLOAD : FLTFL_INSTANCE_TEARDOWN_FILTER_UNLOAD)
    yield* this.waitForReferences(filter, `the unregistration of ${filter.name}`)
    return STATUS.STATUS_SUCCESS
  }

  /** FltUnregisterFilter's work: every instance torn down, then the filter is gone */
  *unregister(filter: FltFilter, reason = FLTFL_INSTANCE_TEARDOWN_FILTER_UNLOAD): Co<void> {
    if (filter.state === 'unregistered') return
    filter.state = 'unloading'
    // before the instances go, every connection still open on the filter's ports is disconnected
    // (DisconnectNotifyCallback in this thread; documented with FltCloseClientPort)
    yield* disconnectFilterPorts(filter)
    for (const inst of [...filter.instances]) {
      if (inst.state === 'attached') yield* this.detach(inst, reason)
    }
    filter.state = 'unregistered'
    this.filters.delete(filter.name)
  }

  /**
   * The FsFilter entry point for the Cache and Memory Managers (and the I/O manager's query-open):
   * see ./fsfilter.ts.
   */
  *fsFilter(fo: FileObject, major: number, fill: (p: FLT_PARAMETERS) => void, lower: (data: FLT_CALLBACK_DATA) => Co<NTSTATUS>): Co<FsFilterOutcome> {
    return yield* fsFilterOperation(this, fo, major, fill, lower)
  }

  // ---- what fltmc shows ------------------------------------------------------------------------------

  filterList(): FilterInfo[] {
    return [...this.filters.values()]
      .map((f) => ({ name: f.name, instances: f.instances.length, altitude: f.altitude, frame: f.frame }))
      .sort((a, b) => Number(b.altitude) - Number(a.altitude))
  }

  instanceList(): InstanceInfo[] {
    const out: InstanceInfo[] = []
    for (const v of this.volumes) for (const i of v.instances) out.push({ filter: i.filter.name, volume: v.dosName, device: v.name, altitude: i.altitude, instance: i.name, frame: i.filter.frame })
    return out
  }
}

/** the INF a module declares, with the default instance's altitude overridden when given */
function infOf(name: string, module: FilterModule, altitude: string | undefined): FilterInf | undefined {
  const m = module.INF
  const instances = new Map<string, { Altitude: string; Flags: number }>()
  let def: string
  if (m && m.Instances.length > 0) {
    for (const i of m.Instances) instances.set(i.Name, { Altitude: i.Altitude, Flags: i.Flags ?? 0 })
    def = m.DefaultInstance ?? m.Instances[0]!.Name
  } else {
    if (!altitude) return undefined
    def = `${name} Instance`
    instances.set(def, { Altitude: altitude, Flags: 0 })
  }
  const d = instances.get(def)
  if (!d) return undefined
  if (altitude) d.Altitude = altitude
  return { DefaultInstance: def, Instances: instances }
}

const FILTER_MANAGERS = new WeakMap<Scheduler, FilterManager>()
const DRIVER_MANAGERS = new WeakMap<DriverObject, FilterManager>()

/** the Filter Manager a driver object was loaded by */
export function managerOfDriver(driver: DriverObject): FilterManager | undefined {
  return DRIVER_MANAGERS.get(driver)
}

/** the Filter Manager of a machine, by its scheduler */
export function managerOf(ke: Scheduler): FilterManager | undefined {
  return FILTER_MANAGERS.get(ke)
}
