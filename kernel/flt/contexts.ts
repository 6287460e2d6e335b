// Contexts (fltKernel.h): a filter's own objects attached to a volume, an instance, a file, a
// stream or a stream handle. FltAllocateContext gives a context with one reference; a
// successful FltSetXxxContext adds the object's reference; FltGetXxxContext and
// FltReferenceContext add one for the caller; FltReleaseContext drops one. The cleanup callback
// runs when the last reference goes, which can only happen once the context is detached (its
// object torn down, or FltDeleteContext). Streams are identified by FsContext (the SCB), files
// by the FCB behind it, stream handles by the file object.

import { BugCheck, type Co } from '../ke/index.ts'
import type { FileObject } from '../io/file-object.ts'
import { STATUS, type NTSTATUS } from '../nt/status.ts'
import {
  FLT_CONTEXT_TYPE_NAMES,
  FLT_FILE_CONTEXT,
  FLT_INSTANCE_CONTEXT,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FLT_SET_CONTEXT_REPLACE_IF_EXISTS,
  FLT_STREAM_CONTEXT,
  FLT_STREAMHANDLE_CONTEXT,
  FLT_VARIABLE_SIZED_CONTEXTS,
  FLT_VOLUME_CONTEXT,
  FLTFL_CONTEXT_REGISTRATION_NO_EXACT_SIZE_MATCH,
  FLTMGR_BUGCHECK,
} from './constants.ts'
import { invoke, runInContext } from './invoke.ts'
import type { FilterManager } from './manager.ts'
import type { FltFilter, FltInstance, FltVolume } from './objects.ts'
import type { FLT_CONTEXT_REGISTRATION, PFLT_CONTEXT, Ref } from './types.ts'

const HEADER = Symbol('FLT_CONTEXT')

interface ContextHeader {
  readonly type: number
  readonly filter: FltFilter
  readonly registration: FLT_CONTEXT_REGISTRATION
  readonly size: number
  refCount: number
  /** the map and key it is attached under, while attached */
  link: { map: Map<unknown, object>; key: unknown } | undefined
  freed: boolean
}

function header(ctx: PFLT_CONTEXT | undefined | null, api: string): ContextHeader {
  const h = ctx ? (ctx as { [HEADER]?: ContextHeader })[HEADER] : undefined
  if (!h) throw new TypeError(`${api}: the argument is not a context made by FltAllocateContext`)
  return h
}

function usedAfterFree(h: ContextHeader, api: string): BugCheck {
  return new BugCheck(0xf5, `${h.filter.name}: ${api} on a ${FLT_CONTEXT_TYPE_NAMES[h.type] ?? 'context'} that was already freed`, {
    params: [FLTMGR_BUGCHECK.CONTEXT_USED_AFTER_FREE, 0, 0, 0],
    culprit: h.filter.name,
  })
}

/** per stream (SCB): the file objects FltMgr saw on it, stream contexts and cached names */
export interface StreamCtl {
  readonly fsContext: object
  readonly fileObjects: Set<FileObject>
  readonly contexts: Map<unknown, object>
  readonly file: FileCtl
}

/** per file (FCB): its streams and file contexts */
export interface FileCtl {
  readonly key: object
  readonly streams: Set<StreamCtl>
  readonly contexts: Map<unknown, object>
}

const HANDLE_CONTEXTS = 'flt.streamHandleContexts'

/** the contexts FltMgr keeps, and the streams and files they hang off */
export class ContextStore {
  readonly instanceContexts = new Map<unknown, object>()
  readonly streams = new Map<object, StreamCtl>()
  readonly files = new Map<object, FileCtl>()
  /** file objects with stream-handle contexts */
  readonly handleContextObjects = new Set<FileObject>()

  constructor(private readonly mgr: FilterManager) {}

  /** the stream a file object is open on, known from FsContext (undefined before the create succeeds) */
  streamOf(fo: FileObject, create = true): StreamCtl | undefined {
    const sc = fo.FsContext
    if (!sc || typeof sc !== 'object') return undefined
    let s = this.streams.get(sc)
    if (!s && create) {
      // the FCB is the SCB's `fcb` on NTFS (FSRTL_ADVANCED_FCB_HEADER's per-file link)
      const fcb = (sc as { fcb?: unknown }).fcb
      const key = fcb && typeof fcb === 'object' ? fcb : sc
      let f = this.files.get(key)
      if (!f) {
        f = { key, streams: new Set(), contexts: new Map() }
        this.files.set(key, f)
      }
      s = { fsContext: sc, fileObjects: new Set(), contexts: new Map(), file: f }
      f.streams.add(s)
      this.streams.set(sc, s)
    }
    if (s && create) s.fileObjects.add(fo)
    return s
  }

  handleContexts(fo: FileObject, create: boolean): Map<unknown, object> | undefined {
    let m = fo.ext.get(HANDLE_CONTEXTS) as Map<unknown, object> | undefined
    if (!m && create) {
      m = new Map()
      fo.ext.set(HANDLE_CONTEXTS, m)
      this.handleContextObjects.add(fo)
    }
    return m
  }

  /** IRP_MJ_CLOSE completed (or the create failed): the file object's contexts go; its stream's when it was the last */
  fileObjectGone(fo: FileObject): void {
    const hc = fo.ext.get(HANDLE_CONTEXTS) as Map<unknown, object> | undefined
    if (hc) {
      for (const key of [...hc.keys()]) this.detach(hc, key)
      fo.ext.delete(HANDLE_CONTEXTS)
      this.handleContextObjects.delete(fo)
    }
    const sc = fo.FsContext
    const s = sc && typeof sc === 'object' ? this.streams.get(sc) : undefined
    if (!s) return
    s.fileObjects.delete(fo)
    if (s.fileObjects.size > 0) return
    // FltMgr may not have met every file object on the stream (one opened before a filter used
    // contexts on it): the stream lives while the file system still counts file objects on it
    // (NTFS: the SCB's close count), and its contexts go when it does — FsRtlTeardownPerStreamContexts
    // runs when the file system frees the stream's control block
    const stillOpen = (s.fsContext as { closeCount?: unknown }).closeCount
    if (typeof stillOpen === 'number' && stillOpen > 0) return
    for (const key of [...s.contexts.keys()]) this.detach(s.contexts, key)
    this.mgr.names.forgetStream(s)
    this.streams.delete(s.fsContext)
    s.file.streams.delete(s)
    if (s.file.streams.size === 0) {
      for (const key of [...s.file.contexts.keys()]) this.detach(s.file.contexts, key)
      this.files.delete(s.file.key)
    }
  }

  /** an instance goes: its contexts of every kind are detached */
  instanceGone(inst: FltInstance): void {
    if (this.instanceContexts.has(inst)) this.detach(this.instanceContexts, inst)
    for (const s of this.streams.values()) if (s.contexts.has(inst)) this.detach(s.contexts, inst)
    for (const f of this.files.values()) if (f.contexts.has(inst)) this.detach(f.contexts, inst)
    for (const fo of this.handleContextObjects) {
      const m = fo.ext.get(HANDLE_CONTEXTS) as Map<unknown, object> | undefined
      if (m?.has(inst)) this.detach(m, inst)
    }
    const vol = inst.volume
    if (!vol.instances.some((x) => x.filter === inst.filter) && vol.contexts.has(inst.filter)) this.detach(vol.contexts as Map<unknown, object>, inst.filter)
  }

  /** takes the context off its object and drops the object's reference */
  detach(map: Map<unknown, object>, key: unknown): void {
    const ctx = map.get(key)
    if (!ctx) return
    map.delete(key)
    const h = header(ctx, 'detach')
    h.link = undefined
    this.release(ctx)
  }

  release(ctx: PFLT_CONTEXT): void {
    const h = header(ctx, 'FltReleaseContext')
    if (h.freed) throw usedAfterFree(h, 'FltReleaseContext')
    if (h.refCount <= 0 || (h.refCount === 1 && h.link)) {
      // documented (0xF5/0x6D): the count reached zero while the context is still attached
      throw new BugCheck(0xf5, `${h.filter.name} released a ${FLT_CONTEXT_TYPE_NAMES[h.type] ?? 'context'} more often than it referenced it`, {
        params: [FLTMGR_BUGCHECK.CONTEXT_OVER_RELEASED, 0, 0, 0],
        culprit: h.filter.name,
      })
    }
    if (--h.refCount > 0) return
    h.freed = true
    const cleanup = h.registration.ContextCleanupCallback
    if (cleanup) {
      const mgr = this.mgr
      const work = (function* (): Co<void> {
        yield* invoke(mgr, { filter: h.filter.name, callback: `${cleanup.name || 'ContextCleanupCallback'} (${FLT_CONTEXT_TYPE_NAMES[h.type]} cleanup)` }, () => cleanup(ctx, h.type))
      })()
      runInContext(mgr, work, `context cleanup of ${h.filter.name}`)
    }
  }
}

// ---- the routines filters call ----------------------------------------------------------------

/** FltAllocateContext */
export function FltAllocateContext<T extends object = Record<string, unknown>>(
  Filter: FltFilter,
  ContextType: number,
  ContextSize: number,
  _PoolType: number,
  ReturnedContext: Ref<T>,
): NTSTATUS {
  const regs = Filter.contextRegistrations.filter((r) => r.ContextType === ContextType)
  const reg =
    regs.find((r) => r.Size === ContextSize) ??
    regs.find((r) => r.Size === FLT_VARIABLE_SIZED_CONTEXTS || r.Size === undefined) ??
    regs.find((r) => (r.Flags ?? 0) & FLTFL_CONTEXT_REGISTRATION_NO_EXACT_SIZE_MATCH && (r.Size ?? 0) >= ContextSize)
  if (!reg) {
    ReturnedContext.value = undefined
    return STATUS.STATUS_FLT_CONTEXT_ALLOCATION_NOT_FOUND
  }
  const ctx = {} as T
  const h: ContextHeader = { type: ContextType, filter: Filter, registration: reg, size: ContextSize, refCount: 1, link: undefined, freed: false }
  Object.defineProperty(ctx, HEADER, { value: h, enumerable: false })
  ReturnedContext.value = ctx
  return STATUS.STATUS_SUCCESS
}

/** FltReferenceContext */
export function FltReferenceContext(Context: PFLT_CONTEXT): void {
  const h = header(Context, 'FltReferenceContext')
  if (h.freed) throw usedAfterFree(h, 'FltReferenceContext')
  h.refCount++
}

/** FltReleaseContext (any IRQL up to DISPATCH_LEVEL) */
export function FltReleaseContext(Context: PFLT_CONTEXT): void {
  header(Context, 'FltReleaseContext').filter.mgr.contexts.release(Context)
}

/** FltDeleteContext: detaches the context from its object */
export function FltDeleteContext(Context: PFLT_CONTEXT): void {
  const h = header(Context, 'FltDeleteContext')
  if (h.freed) throw usedAfterFree(h, 'FltDeleteContext')
  const l = h.link
  if (l && l.map.get(l.key) === Context) h.filter.mgr.contexts.detach(l.map, l.key)
}

function checkIrql(filter: FltFilter, api: string): void {
  filter.mgr.requirePassiveOrApc(api)
}

function setIn(map: Map<unknown, object>, key: unknown, type: number, Operation: number, NewContext: PFLT_CONTEXT, OldContext: Ref<PFLT_CONTEXT> | null | undefined, api: string): NTSTATUS {
  const h = header(NewContext, api)
  if (h.freed) throw usedAfterFree(h, api)
  if (h.type !== type) return STATUS.STATUS_INVALID_PARAMETER
  if (h.link) return STATUS.STATUS_FLT_CONTEXT_ALREADY_LINKED
  if (Operation !== FLT_SET_CONTEXT_KEEP_IF_EXISTS && Operation !== FLT_SET_CONTEXT_REPLACE_IF_EXISTS) return STATUS.STATUS_INVALID_PARAMETER
  const existing = map.get(key)
  if (existing) {
    if (Operation === FLT_SET_CONTEXT_KEEP_IF_EXISTS) {
      // documented: the existing context comes back referenced
      if (OldContext) {
        FltReferenceContext(existing)
        OldContext.value = existing
      }
      return STATUS.STATUS_FLT_CONTEXT_ALREADY_DEFINED
    }
    const eh = header(existing, api)
    if (OldContext) {
      eh.refCount++
      OldContext.value = existing
    }
    h.filter.mgr.contexts.detach(map, key)
  } else if (OldContext) OldContext.value = undefined
  map.set(key, NewContext)
  h.link = { map, key }
  h.refCount++
  return STATUS.STATUS_SUCCESS
}

function getIn(map: Map<unknown, object> | undefined, key: unknown, Context: Ref<PFLT_CONTEXT>): NTSTATUS {
  const c = map?.get(key)
  if (!c) {
    Context.value = undefined
    return STATUS.STATUS_NOT_FOUND
  }
  FltReferenceContext(c)
  Context.value = c
  return STATUS.STATUS_SUCCESS
}

function deleteIn(map: Map<unknown, object> | undefined, key: unknown, OldContext: Ref<PFLT_CONTEXT> | null | undefined): NTSTATUS {
  const c = map?.get(key)
  if (!map || !c) {
    if (OldContext) OldContext.value = undefined
    return STATUS.STATUS_NOT_FOUND
  }
  if (OldContext) {
    FltReferenceContext(c)
    OldContext.value = c
  }
  header(c, 'delete').filter.mgr.contexts.detach(map, key)
  return STATUS.STATUS_SUCCESS
}

/** FltSetVolumeContext */
export function FltSetVolumeContext(Volume: FltVolume, Operation: number, NewContext: PFLT_CONTEXT, OldContext?: Ref<PFLT_CONTEXT> | null): NTSTATUS {
  const h = header(NewContext, 'FltSetVolumeContext')
  checkIrql(h.filter, 'FltSetVolumeContext')
  return setIn(Volume.contexts as Map<unknown, object>, h.filter, FLT_VOLUME_CONTEXT, Operation, NewContext, OldContext, 'FltSetVolumeContext')
}
/** FltGetVolumeContext */
export function FltGetVolumeContext(Filter: FltFilter, Volume: FltVolume, Context: Ref<PFLT_CONTEXT>): NTSTATUS {
  checkIrql(Filter, 'FltGetVolumeContext')
  return getIn(Volume.contexts as Map<unknown, object>, Filter, Context)
}
/** FltDeleteVolumeContext */
export function FltDeleteVolumeContext(Filter: FltFilter, Volume: FltVolume, OldContext?: Ref<PFLT_CONTEXT> | null): NTSTATUS {
  checkIrql(Filter, 'FltDeleteVolumeContext')
  return deleteIn(Volume.contexts as Map<unknown, object>, Filter, OldContext)
}

/** FltSetInstanceContext */
export function FltSetInstanceContext(Instance: FltInstance, Operation: number, NewContext: PFLT_CONTEXT, OldContext?: Ref<PFLT_CONTEXT> | null): NTSTATUS {
  checkIrql(Instance.filter, 'FltSetInstanceContext')
  return setIn(Instance.filter.mgr.contexts.instanceContexts, Instance, FLT_INSTANCE_CONTEXT, Operation, NewContext, OldContext, 'FltSetInstanceContext')
}
/** FltGetInstanceContext */
export function FltGetInstanceContext(Instance: FltInstance, Context: Ref<PFLT_CONTEXT>): NTSTATUS {
  checkIrql(Instance.filter, 'FltGetInstanceContext')
  return getIn(Instance.filter.mgr.contexts.instanceContexts, Instance, Context)
}
/** FltDeleteInstanceContext */
export function FltDeleteInstanceContext(Instance: FltInstance, OldContext?: Ref<PFLT_CONTEXT> | null): NTSTATUS {
  checkIrql(Instance.filter, 'FltDeleteInstanceContext')
  return deleteIn(Instance.filter.mgr.contexts.instanceContexts, Instance, OldContext)
}

/** FltSetStreamContext: STATUS_NOT_SUPPORTED before the stream is open (pre-create) */
export function FltSetStreamContext(Instance: FltInstance, FileObject: FileObject, Operation: number, NewContext: PFLT_CONTEXT, OldContext?: Ref<PFLT_CONTEXT> | null): NTSTATUS {
  checkIrql(Instance.filter, 'FltSetStreamContext')
  const s = Instance.filter.mgr.contexts.streamOf(FileObject)
  // unverified: the status FltMgr returns when FsContext is not set yet
  if (!s) return STATUS.STATUS_NOT_SUPPORTED
  return setIn(s.contexts, Instance, FLT_STREAM_CONTEXT, Operation, NewContext, OldContext, 'FltSetStreamContext')
}
/** FltGetStreamContext */
export function FltGetStreamContext(Instance: FltInstance, FileObject: FileObject, Context: Ref<PFLT_CONTEXT>): NTSTATUS {
  checkIrql(Instance.filter, 'FltGetStreamContext')
  const s = Instance.filter.mgr.contexts.streamOf(FileObject, false)
  if (!s && !FileObject.FsContext) {
    Context.value = undefined
    return STATUS.STATUS_NOT_SUPPORTED
  }
  return getIn(s?.contexts, Instance, Context)
}
/** FltDeleteStreamContext */
export function FltDeleteStreamContext(Instance: FltInstance, FileObject: FileObject, OldContext?: Ref<PFLT_CONTEXT> | null): NTSTATUS {
  checkIrql(Instance.filter, 'FltDeleteStreamContext')
  return deleteIn(Instance.filter.mgr.contexts.streamOf(FileObject, false)?.contexts, Instance, OldContext)
}

/** FltSetStreamHandleContext */
export function FltSetStreamHandleContext(Instance: FltInstance, FileObject: FileObject, Operation: number, NewContext: PFLT_CONTEXT, OldContext?: Ref<PFLT_CONTEXT> | null): NTSTATUS {
  checkIrql(Instance.filter, 'FltSetStreamHandleContext')
  const m = Instance.filter.mgr.contexts.handleContexts(FileObject, true)!
  return setIn(m, Instance, FLT_STREAMHANDLE_CONTEXT, Operation, NewContext, OldContext, 'FltSetStreamHandleContext')
}
/** FltGetStreamHandleContext */
export function FltGetStreamHandleContext(Instance: FltInstance, FileObject: FileObject, Context: Ref<PFLT_CONTEXT>): NTSTATUS {
  checkIrql(Instance.filter, 'FltGetStreamHandleContext')
  return getIn(Instance.filter.mgr.contexts.handleContexts(FileObject, false), Instance, Context)
}
/** FltDeleteStreamHandleContext */
export function FltDeleteStreamHandleContext(Instance: FltInstance, FileObject: FileObject, OldContext?: Ref<PFLT_CONTEXT> | null): NTSTATUS {
  checkIrql(Instance.filter, 'FltDeleteStreamHandleContext')
  return deleteIn(Instance.filter.mgr.contexts.handleContexts(FileObject, false), Instance, OldContext)
}

/** FltSetFileContext */
export function FltSetFileContext(Instance: FltInstance, FileObject: FileObject, Operation: number, NewContext: PFLT_CONTEXT, OldContext?: Ref<PFLT_CONTEXT> | null): NTSTATUS {
  checkIrql(Instance.filter, 'FltSetFileContext')
  const s = Instance.filter.mgr.contexts.streamOf(FileObject)
  if (!s) return STATUS.STATUS_NOT_SUPPORTED
  return setIn(s.file.contexts, Instance, FLT_FILE_CONTEXT, Operation, NewContext, OldContext, 'FltSetFileContext')
}
/** FltGetFileContext */
export function FltGetFileContext(Instance: FltInstance, FileObject: FileObject, Context: Ref<PFLT_CONTEXT>): NTSTATUS {
  checkIrql(Instance.filter, 'FltGetFileContext')
  const s = Instance.filter.mgr.contexts.streamOf(FileObject, false)
  return getIn(s?.file.contexts, Instance, Context)
}
/** FltDeleteFileContext */
export function FltDeleteFileContext(Instance: FltInstance, FileObject: FileObject, OldContext?: Ref<PFLT_CONTEXT> | null): NTSTATUS {
  checkIrql(Instance.filter, 'FltDeleteFileContext')
  return deleteIn(Instance.filter.mgr.contexts.streamOf(FileObject, false)?.file.contexts, Instance, OldContext)
}

/** FltSupportsStreamContexts / FltSupportsFileContexts: NTFS supports both */
export function FltSupportsStreamContexts(FileObject: FileObject): boolean {
  return FileObject.FsContext !== undefined
}
export function FltSupportsFileContexts(FileObject: FileObject): boolean {
  return FileObject.FsContext !== undefined
}
export function FltSupportsStreamHandleContexts(_FileObject: FileObject): boolean {
  return true
}
