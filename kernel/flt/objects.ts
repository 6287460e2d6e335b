// The Filter Manager's objects: a registered filter (PFLT_FILTER), a volume it knows
// (PFLT_VOLUME: one per mounted file-system volume, with the frame's device attached above the
// file system's volume device) and an instance (PFLT_INSTANCE: one filter attached to one
// volume at one altitude). Instances of a volume are kept in descending altitude order, the
// order pre-operation callbacks are called in.

import { KEvent } from '../ke/index.ts'
import type { DeviceObject, DriverObject } from '../io/device.ts'
import { normalizeMajor } from '../nt/irp.ts'
import { FLT_FSTYPE_NTFS } from './constants.ts'
import type { FilterManager } from './manager.ts'
import type { FltOperation } from './operation.ts'
import type { FLT_CONTEXT_REGISTRATION, FLT_OPERATION_REGISTRATION, FLT_REGISTRATION, PFLT_POST_OPERATION_CALLBACK, PFLT_PRE_OPERATION_CALLBACK } from './types.ts'

/** what a filter's INF puts in the registry: its instances, their altitudes and flags */
export interface FilterInf {
  DefaultInstance: string
  Instances: Map<string, { Altitude: string; Flags: number }>
}

export type FilterState = 'registered' | 'filtering' | 'unloading' | 'unregistered'

export class FltFilter {
  readonly ops = new Map<number, FLT_OPERATION_REGISTRATION>()
  readonly contextRegistrations: FLT_CONTEXT_REGISTRATION[] = []
  readonly instances: FltInstance[] = []
  state: FilterState = 'registered'
  /** references that keep the filter from unloading (work items, its unregistration in progress) */
  references = 0
  /** automatic attachments FltStartFiltering started and that are not done yet */
  attaching = 0
  /** data the filter publishes for the host (minispy's log, counters) */
  readonly published = new Map<string, unknown>()
  /** fltmc's frame number: one frame (0) holds every filter */
  readonly frame = 0
  readonly changed: KEvent

  constructor(
    readonly mgr: FilterManager,
    /** the service name (fltmc's "Filter Name") */
    readonly name: string,
    readonly DriverObject: DriverObject,
    readonly registration: FLT_REGISTRATION,
    readonly inf: FilterInf,
  ) {
    this.changed = new KEvent(mgr.ke, 'synchronization', false, `filter ${name} references`)
    for (const op of registration.OperationRegistration ?? []) {
      if (op.MajorFunction === 0x80) break // IRP_MJ_OPERATION_END
      this.ops.set(normalizeMajor(op.MajorFunction), op)
    }
    for (const c of registration.ContextRegistration ?? []) {
      if (c.ContextType === 0xffff) break // FLT_CONTEXT_END
      this.contextRegistrations.push(c)
    }
  }

  /** the volumes the Filter Manager knows */
  volumes(): FltVolume[] {
    return this.mgr.volumes
  }

  /** the altitude of the default instance (fltmc filters) */
  get altitude(): string {
    return this.inf.Instances.get(this.inf.DefaultInstance)?.Altitude ?? ''
  }

  toString(): string {
    return this.name
  }
}

export class FltVolume {
  /** the frame's device object, attached above the file system when the first instance attaches */
  frameDevice: DeviceObject | undefined
  /** attached instances, highest altitude first */
  instances: FltInstance[] = []
  /** per major function: the callback nodes of attached instances, highest altitude first */
  private readonly nodeLists = new Map<number, CallbackNode[]>()
  /** volume contexts, one per filter */
  readonly contexts = new Map<FltFilter, object>()
  readonly fileSystemType = FLT_FSTYPE_NTFS

  constructor(
    readonly mgr: FilterManager,
    /** \Device\HarddiskVolumeN */
    readonly realDevice: DeviceObject,
    /** the file system's volume device object */
    readonly fsDevice: DeviceObject,
  ) {}

  get name(): string {
    return this.realDevice.header.name
  }

  /** the drive letter (C:) */
  get dosName(): string {
    return this.realDevice.dosName ?? ''
  }

  /** the callback nodes for a major function, highest altitude first (cached until instances change) */
  nodesFor(major: number): CallbackNode[] {
    let l = this.nodeLists.get(major)
    if (!l) {
      l = []
      for (const inst of this.instances) {
        const reg = inst.filter.ops.get(major)
        if (reg && (reg.PreOperation || reg.PostOperation)) l.push({ instance: inst, reg, pre: reg.PreOperation ?? undefined, post: reg.PostOperation ?? undefined, flags: reg.Flags ?? 0 })
      }
      this.nodeLists.set(major, l)
    }
    return l
  }

  /** inserts an instance in altitude order */
  insert(inst: FltInstance): void {
    const i = this.instances.findIndex((x) => x.altitudeValue < inst.altitudeValue)
    if (i < 0) this.instances.push(inst)
    else this.instances.splice(i, 0, inst)
    this.nodeLists.clear()
  }

  remove(inst: FltInstance): void {
    const i = this.instances.indexOf(inst)
    if (i >= 0) this.instances.splice(i, 1)
    this.nodeLists.clear()
  }

  toString(): string {
    return this.dosName || this.name
  }
}

export type InstanceState = 'setup' | 'attached' | 'tearingDown' | 'detached'

export class FltInstance {
  state: InstanceState = 'setup'
  /** the instance context */
  context: object | undefined
  /** callbacks of this instance running now (teardown waits for them) */
  activeCallbacks = 0
  /** operations whose post-operation callback this instance still owes */
  readonly outstanding = new Set<FltOperation>()
  /** operations this instance pended in its pre-operation callback */
  readonly pendedPre = new Set<FltOperation>()
  /** operations this instance holds with FLT_POSTOP_MORE_PROCESSING_REQUIRED */
  readonly pendedPost = new Set<FltOperation>()
  /** set whenever one of the sets above shrinks or a callback returns (teardown waits on it) */
  readonly changed: KEvent
  readonly altitudeValue: number

  constructor(
    readonly filter: FltFilter,
    readonly volume: FltVolume,
    readonly name: string,
    readonly altitude: string,
    readonly flags: number,
  ) {
    this.altitudeValue = Number(altitude)
    this.changed = new KEvent(filter.mgr.ke, 'synchronization', false, `instance ${name} of ${filter.name} on ${volume}`)
  }

  /** receives callbacks: attached and not being torn down */
  get active(): boolean {
    return this.state === 'attached'
  }

  /** how the trace names it: `<filter>@<altitude>` */
  get at(): string {
    return `${this.filter.name}@${this.altitude}`
  }

  toString(): string {
    return this.at
  }
}

/** one instance's registration for one major function */
export interface CallbackNode {
  readonly instance: FltInstance
  readonly reg: FLT_OPERATION_REGISTRATION
  readonly pre: PFLT_PRE_OPERATION_CALLBACK | undefined
  readonly post: PFLT_POST_OPERATION_CALLBACK | undefined
  readonly flags: number
}
