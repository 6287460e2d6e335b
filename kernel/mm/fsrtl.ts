// FsRtl's acquire and release of a file for the Memory and Cache Managers, with the FsFilter
// callbacks around them (ntifs.h FS_FILTER_CALLBACKS, FsRtlRegisterFileSystemFilterCallbacks):
//
//   FsRtlAcquireToCreateMappedSection / FsRtlReleaseFile        — IRP_MJ_ACQUIRE/RELEASE_FOR_SECTION_SYNCHRONIZATION
//   FsRtlAcquireFileForModWriteEx / FsRtlReleaseFileForModWrite — IRP_MJ_ACQUIRE/RELEASE_FOR_MOD_WRITE
//   FsRtlAcquireFileForCcFlushEx / FsRtlReleaseFileForCcFlush   — IRP_MJ_ACQUIRE/RELEASE_FOR_CC_FLUSH
//
// As on Windows: the pre-callbacks registered by every driver in the file object's device stack
// run from the top down (a filter may fail an acquire; the file system's own callback may return
// an informational status, NTFS's STATUS_FILE_LOCKED_WITH_ONLY_READERS / _WITH_WRITERS), then
// the acquisition itself goes to the top device's FAST_IO_DISPATCH routine (AcquireForCcFlush,
// AcquireForModWrite, AcquireFileForNtCreateSection …) so every layer above the file system can
// see it, or to the header's resources when no driver offers one; the post-callbacks run from
// the bottom up. The file system's part is traced at `fs`.

import type { Co } from '../ke/index.ts'
import type { DeviceObject, DriverObject } from '../io/device.ts'
import type { FileObject } from '../io/file-object.ts'
import type { IoManager } from '../io/iomgr.ts'
import { NT_SUCCESS, STATUS, type NTSTATUS } from '../nt/status.ts'
import { FsRtlHeaderOf } from './fsrtl-header.ts'
import { baseDeviceOf, traceOpEnd, traceOpStart } from './op-trace.ts'

/** FS_FILTER_* operation codes (ntifs.h: the (UCHAR)-n values, kept signed as IRP_MJ_FLT does) */
export const FS_FILTER = {
  FS_FILTER_ACQUIRE_FOR_SECTION_SYNCHRONIZATION: -1,
  FS_FILTER_RELEASE_FOR_SECTION_SYNCHRONIZATION: -2,
  FS_FILTER_ACQUIRE_FOR_MOD_WRITE: -3,
  FS_FILTER_RELEASE_FOR_MOD_WRITE: -4,
  FS_FILTER_ACQUIRE_FOR_CC_FLUSH: -5,
  FS_FILTER_RELEASE_FOR_CC_FLUSH: -6,
} as const

/** FS_FILTER_SECTION_SYNC_TYPE */
export const FS_FILTER_SECTION_SYNC_TYPE = {
  SyncTypeOther: 0,
  SyncTypeCreateSection: 1,
} as const
export type SectionSyncType = keyof typeof FS_FILTER_SECTION_SYNC_TYPE

/** ntstatus.h: the file system did the acquisition itself in its pre-callback */
export const STATUS_FSFILTER_OP_COMPLETED_SUCCESSFULLY = 0x00000126

export interface FsFilterParameters {
  /** AcquireForSectionSynchronization */
  SyncType?: number
  PageProtection?: number
  /** AcquireForModifiedPageWriter */
  EndingOffset?: number
}

/** FS_FILTER_CALLBACK_DATA */
export interface FS_FILTER_CALLBACK_DATA {
  readonly Operation: number
  readonly DeviceObject: DeviceObject
  readonly FileObject: FileObject
  readonly Parameters: FsFilterParameters
}

/** a pre-callback; it may set `context.completionContext` for its post-callback */
export type FsFilterPreCallback = (data: FS_FILTER_CALLBACK_DATA, context: { completionContext: unknown }) => Co<NTSTATUS>
export type FsFilterPostCallback = (data: FS_FILTER_CALLBACK_DATA, status: NTSTATUS, completionContext: unknown) => Co<void>

/** FS_FILTER_CALLBACKS */
export interface FS_FILTER_CALLBACKS {
  PreAcquireForSectionSynchronization?: FsFilterPreCallback
  PostAcquireForSectionSynchronization?: FsFilterPostCallback
  PreReleaseForSectionSynchronization?: FsFilterPreCallback
  PostReleaseForSectionSynchronization?: FsFilterPostCallback
  PreAcquireForCcFlush?: FsFilterPreCallback
  PostAcquireForCcFlush?: FsFilterPostCallback
  PreReleaseForCcFlush?: FsFilterPreCallback
  PostReleaseForCcFlush?: FsFilterPostCallback
  PreAcquireForModifiedPageWriter?: FsFilterPreCallback
  PostAcquireForModifiedPageWriter?: FsFilterPostCallback
  PreReleaseForModifiedPageWriter?: FsFilterPreCallback
  PostReleaseForModifiedPageWriter?: FsFilterPostCallback
}

const registered = new WeakMap<DriverObject, FS_FILTER_CALLBACKS>()

/** FsRtlRegisterFileSystemFilterCallbacks: a driver's FsFilter callbacks (file systems and filters) */
export function FsRtlRegisterFileSystemFilterCallbacks(driver: DriverObject, callbacks: FS_FILTER_CALLBACKS): NTSTATUS {
  registered.set(driver, { ...callbacks })
  return STATUS.STATUS_SUCCESS
}

export function fsFilterCallbacksOf(driver: DriverObject): FS_FILTER_CALLBACKS | undefined {
  return registered.get(driver)
}

type Kind = 'SectionSynchronization' | 'CcFlush' | 'ModifiedPageWriter'

const OP_NAMES: Record<Kind, readonly [string, string]> = {
  SectionSynchronization: ['IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION', 'IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION'],
  CcFlush: ['IRP_MJ_ACQUIRE_FOR_CC_FLUSH', 'IRP_MJ_RELEASE_FOR_CC_FLUSH'],
  ModifiedPageWriter: ['IRP_MJ_ACQUIRE_FOR_MOD_WRITE', 'IRP_MJ_RELEASE_FOR_MOD_WRITE'],
}

const OPERATION: Record<Kind, readonly [number, number]> = {
  SectionSynchronization: [FS_FILTER.FS_FILTER_ACQUIRE_FOR_SECTION_SYNCHRONIZATION, FS_FILTER.FS_FILTER_RELEASE_FOR_SECTION_SYNCHRONIZATION],
  CcFlush: [FS_FILTER.FS_FILTER_ACQUIRE_FOR_CC_FLUSH, FS_FILTER.FS_FILTER_RELEASE_FOR_CC_FLUSH],
  ModifiedPageWriter: [FS_FILTER.FS_FILTER_ACQUIRE_FOR_MOD_WRITE, FS_FILTER.FS_FILTER_RELEASE_FOR_MOD_WRITE],
}

/** the devices of a file object's stack, from the top down to the file system's volume device */
function stackOf(io: IoManager, fo: FileObject): DeviceObject[] {
  const base = baseDeviceOf(fo)
  const out: DeviceObject[] = []
  for (let d: DeviceObject | undefined = io.topDeviceFor(fo); d; d = d.AttachedTo) {
    out.push(d)
    if (d === base) break
  }
  if (out[out.length - 1] !== base) out.push(base)
  return out
}

/**
 * One FsFilter operation: pre-callbacks top-down, the acquisition or release (the top device's
 * fast I/O routine, else `fallback`), post-callbacks bottom-up. Returns the operation's status.
 */
function* fsFilterOperation(
  io: IoManager,
  fo: FileObject,
  kind: Kind,
  release: boolean,
  params: FsFilterParameters,
  traceParams: Record<string, unknown>,
  fastIo: (device: DeviceObject) => Co<NTSTATUS> | undefined,
  fallback: () => Co<NTSTATUS>,
): Co<NTSTATUS> {
  const stack = stackOf(io, fo)
  const base = stack[stack.length - 1]!
  const pre = `Pre${release ? 'Release' : 'Acquire'}For${kind}` as keyof FS_FILTER_CALLBACKS
  const post = `Post${release ? 'Release' : 'Acquire'}For${kind}` as keyof FS_FILTER_CALLBACKS
  const operation = OPERATION[kind][release ? 1 : 0]
  const called: { data: FS_FILTER_CALLBACK_DATA; post: FsFilterPostCallback | undefined; ctx: { completionContext: unknown } }[] = []
  let status: NTSTATUS = STATUS.STATUS_SUCCESS
  let failed = false
  let handled = false
  let trace: ReturnType<typeof traceOpStart>
  for (const d of stack) {
    if (d === base) trace = traceOpStart(io, base, fo, OP_NAMES[kind][release ? 1 : 0], traceParams)
    const cbs = registered.get(d.DriverObject)
    const preCb = cbs?.[pre] as FsFilterPreCallback | undefined
    if (!preCb) continue
    const data: FS_FILTER_CALLBACK_DATA = { Operation: operation, DeviceObject: d, FileObject: fo, Parameters: { ...params } }
    const ctx = { completionContext: undefined as unknown }
    const st = yield* preCb(data, ctx)
    called.push({ data, post: cbs?.[post] as FsFilterPostCallback | undefined, ctx })
    // documented: a filter may fail an acquire (never a release); the releases carry on
    if (!NT_SUCCESS(st) && !release) {
      status = st
      failed = true
      break
    }
    if (d === base) {
      if (st === STATUS_FSFILTER_OP_COMPLETED_SUCCESSFULLY) handled = true
      else if (NT_SUCCESS(st)) status = st
    }
  }
  if (!failed && !handled) {
    // the top device's routine; a layer that does not offer it is passed over, as a legacy
    // filter passes the call down (unverified for a frame without the routine)
    let r: Co<NTSTATUS> | undefined
    for (const d of stack) {
      r = fastIo(d)
      if (r) break
    }
    const st = r ? yield* r : yield* fallback()
    if (!NT_SUCCESS(st)) status = st
    else if (status === STATUS.STATUS_SUCCESS) status = st
  }
  traceOpEnd(io, trace, status)
  for (const c of called.reverse()) if (c.post) yield* c.post(c.data, status, c.ctx.completionContext)
  return status
}

function headerOrThrow(fo: FileObject): NonNullable<ReturnType<typeof FsRtlHeaderOf>> {
  const h = FsRtlHeaderOf(fo)
  if (!h) throw new Error(`FsRtl: file object FO#${fo.id} (${fo.traceName}) has no FSRTL header`)
  return h
}

/**
 * FsRtlAcquireToCreateMappedSection (NtCreateSection's SyncTypeCreateSection) and
 * FsRtlAcquireFileExclusive (SyncTypeOther): the file is held exclusive until FsRtlReleaseFile.
 * The status is what the file system's callback answered (NTFS: 0x12A / 0x12B).
 */
export function* FsRtlAcquireForSectionSynchronization(io: IoManager, fo: FileObject, syncType: SectionSyncType, pageProtection: number): Co<NTSTATUS> {
  const SyncType = FS_FILTER_SECTION_SYNC_TYPE[syncType]
  return yield* fsFilterOperation(
    io,
    fo,
    'SectionSynchronization',
    false,
    { SyncType, PageProtection: pageProtection },
    syncType === 'SyncTypeCreateSection' ? { SyncType: syncType, PageProtection: pageProtection } : { SyncType: syncType },
    (top) => {
      const r = top.DriverObject.FastIoDispatch?.AcquireFileForNtCreateSection
      if (!r) return undefined
      return (function* () {
        yield* r(fo)
        return STATUS.STATUS_SUCCESS
      })()
    },
    function* () {
      yield* headerOrThrow(fo).Resource.acquireExclusive()
      return STATUS.STATUS_SUCCESS
    },
  )
}

/** FsRtlReleaseFile: the release paired with every AcquireForSectionSynchronization */
export function* FsRtlReleaseFile(io: IoManager, fo: FileObject): Co<NTSTATUS> {
  return yield* fsFilterOperation(
    io,
    fo,
    'SectionSynchronization',
    true,
    {},
    {},
    (top) => {
      const r = top.DriverObject.FastIoDispatch?.ReleaseFileForNtCreateSection
      if (!r) return undefined
      return (function* () {
        yield* r(fo)
        return STATUS.STATUS_SUCCESS
      })()
    },
    function* () {
      headerOrThrow(fo).Resource.release()
      return STATUS.STATUS_SUCCESS
    },
  )
}

/**
 * FsRtlAcquireFileForModWriteEx: the mapped page writer may not wait; a busy file answers
 * STATUS_CANT_WAIT and its pages wait for the next pass. Without a file-system routine FsRtl
 * takes the main resource exclusive when the write reaches past valid data, shared otherwise.
 */
export function* FsRtlAcquireFileForModWriteEx(io: IoManager, fo: FileObject, endingOffset: number): Co<NTSTATUS> {
  return yield* fsFilterOperation(
    io,
    fo,
    'ModifiedPageWriter',
    false,
    { EndingOffset: endingOffset },
    { EndingOffset: endingOffset },
    (top) => top.DriverObject.FastIoDispatch?.AcquireForModWrite?.(fo, endingOffset, top),
    function* () {
      const h = headerOrThrow(fo)
      const ok = endingOffset > h.ValidDataLength ? yield* h.Resource.acquireExclusive(false) : yield* h.Resource.acquireShared(false)
      return ok ? STATUS.STATUS_SUCCESS : STATUS.STATUS_CANT_WAIT
    },
  )
}

export function* FsRtlReleaseFileForModWrite(io: IoManager, fo: FileObject): Co<NTSTATUS> {
  return yield* fsFilterOperation(
    io,
    fo,
    'ModifiedPageWriter',
    true,
    {},
    {},
    (top) => top.DriverObject.FastIoDispatch?.ReleaseForModWrite?.(fo, top),
    function* () {
      headerOrThrow(fo).Resource.release()
      return STATUS.STATUS_SUCCESS
    },
  )
}

/**
 * FsRtlAcquireFileForCcFlushEx: around every flush of cached data (the lazy writer's
 * write-behind and CcFlushCache in the caller's thread). unverified: without a file-system
 * routine FsRtl takes the main resource shared and the paging resource shared.
 */
export function* FsRtlAcquireFileForCcFlushEx(io: IoManager, fo: FileObject): Co<NTSTATUS> {
  return yield* fsFilterOperation(
    io,
    fo,
    'CcFlush',
    false,
    {},
    {},
    (top) => top.DriverObject.FastIoDispatch?.AcquireForCcFlush?.(fo, top),
    function* () {
      const h = headerOrThrow(fo)
      yield* h.Resource.acquireShared()
      yield* h.PagingIoResource.acquireShared()
      return STATUS.STATUS_SUCCESS
    },
  )
}

export function* FsRtlReleaseFileForCcFlush(io: IoManager, fo: FileObject): Co<NTSTATUS> {
  return yield* fsFilterOperation(
    io,
    fo,
    'CcFlush',
    true,
    {},
    {},
    (top) => top.DriverObject.FastIoDispatch?.ReleaseForCcFlush?.(fo, top),
    function* () {
      const h = headerOrThrow(fo)
      h.PagingIoResource.release()
      h.Resource.release()
      return STATUS.STATUS_SUCCESS
    },
  )
}
