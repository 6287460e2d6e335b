// The registration structures and callback types of fltKernel.h, in TypeScript's shape. A
// callback may be a plain function or a generator function: one that blocks (waits, sends
// filter-initiated I/O, asks for a file name) is written `function*` and calls the blocking
// Flt routines with `yield*`; one that never blocks can stay a plain function, as most of the
// WDK samples' callbacks are.

import type { Co } from '../ke/index.ts'
import type { NTSTATUS } from '../nt/status.ts'
import type { FileObject } from '../io/file-object.ts'
import type { FLT_CALLBACK_DATA } from './callback-data.ts'
import type { FltFilter, FltInstance, FltVolume } from './objects.ts'

/** what a callback returns: the value, or a coroutine that produces it */
export type MaybeCo<T> = T | Co<T>

/** An out parameter (`PVOID *Out` in C): the routine stores its result in `.value`. */
export interface Ref<T> {
  value: T | undefined
}

/** makes an out parameter (`PFLT_CONTEXT ctx = NULL; … &ctx`) */
export function ref<T>(value?: T): Ref<T> {
  return { value }
}

export type PFLT_FILTER = FltFilter
export type PFLT_INSTANCE = FltInstance
export type PFLT_VOLUME = FltVolume
export type PFILE_OBJECT = FileObject
/** a context is the filter's own object; FltMgr keeps its header out of sight */
export type PFLT_CONTEXT = object

/** FLT_RELATED_OBJECTS: the objects an operation concerns, as one instance sees them */
export interface FLT_RELATED_OBJECTS {
  readonly Size: number
  readonly TransactionContext: number
  readonly Filter: FltFilter
  readonly Volume: FltVolume
  readonly Instance: FltInstance
  readonly FileObject: FileObject | undefined
  readonly Transaction: unknown
}

export type PFLT_PRE_OPERATION_CALLBACK = (Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: Ref<unknown>) => MaybeCo<number>
export type PFLT_POST_OPERATION_CALLBACK = (Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown, Flags: number) => MaybeCo<number>
export type PFLT_INSTANCE_SETUP_CALLBACK = (FltObjects: FLT_RELATED_OBJECTS, Flags: number, VolumeDeviceType: number, VolumeFilesystemType: number) => MaybeCo<NTSTATUS>
export type PFLT_INSTANCE_QUERY_TEARDOWN_CALLBACK = (FltObjects: FLT_RELATED_OBJECTS, Flags: number) => MaybeCo<NTSTATUS>
export type PFLT_INSTANCE_TEARDOWN_CALLBACK = (FltObjects: FLT_RELATED_OBJECTS, Reason: number) => MaybeCo<void>
export type PFLT_FILTER_UNLOAD_CALLBACK = (Flags: number) => MaybeCo<NTSTATUS>
export type PFLT_CONTEXT_CLEANUP_CALLBACK = (Context: PFLT_CONTEXT, ContextType: number) => MaybeCo<void>
/** FltDoCompletionProcessingWhenSafe's SafePostCallback has the post-operation shape */
export type PFLT_SAFE_POST_CALLBACK = PFLT_POST_OPERATION_CALLBACK
export type PFLT_COMPLETED_ASYNC_IO_CALLBACK = (CallbackData: FLT_CALLBACK_DATA, Context: unknown) => MaybeCo<void>
export type PFLT_DEFERRED_IO_WORKITEM_ROUTINE = (FltWorkItem: FLT_DEFERRED_IO_WORKITEM, CallbackData: FLT_CALLBACK_DATA, Context: unknown) => MaybeCo<void>
export type PFLT_GENERIC_WORKITEM_ROUTINE = (FltWorkItem: FLT_GENERIC_WORKITEM, FltObject: FltFilter | FltInstance, Context: unknown) => MaybeCo<void>

/** FLT_OPERATION_REGISTRATION: one major function's callbacks */
export interface FLT_OPERATION_REGISTRATION {
  readonly MajorFunction: number
  readonly Flags?: number
  readonly PreOperation?: PFLT_PRE_OPERATION_CALLBACK | null
  readonly PostOperation?: PFLT_POST_OPERATION_CALLBACK | null
  readonly Reserved1?: unknown
}

/** FLT_CONTEXT_REGISTRATION */
export interface FLT_CONTEXT_REGISTRATION {
  readonly ContextType: number
  readonly Flags?: number
  readonly ContextCleanupCallback?: PFLT_CONTEXT_CLEANUP_CALLBACK | null
  /** the context's size, or FLT_VARIABLE_SIZED_CONTEXTS */
  readonly Size?: number
  readonly PoolTag?: number | string
  readonly ContextAllocateCallback?: unknown
  readonly ContextFreeCallback?: unknown
  readonly Reserved1?: unknown
}

/** FLT_REGISTRATION */
export interface FLT_REGISTRATION {
  readonly Size?: number
  readonly Version?: number
  readonly Flags?: number
  readonly ContextRegistration?: readonly FLT_CONTEXT_REGISTRATION[] | null
  readonly OperationRegistration?: readonly FLT_OPERATION_REGISTRATION[] | null
  readonly FilterUnloadCallback?: PFLT_FILTER_UNLOAD_CALLBACK | null
  readonly InstanceSetupCallback?: PFLT_INSTANCE_SETUP_CALLBACK | null
  readonly InstanceQueryTeardownCallback?: PFLT_INSTANCE_QUERY_TEARDOWN_CALLBACK | null
  readonly InstanceTeardownStartCallback?: PFLT_INSTANCE_TEARDOWN_CALLBACK | null
  readonly InstanceTeardownCompleteCallback?: PFLT_INSTANCE_TEARDOWN_CALLBACK | null
  readonly GenerateFileNameCallback?: unknown
  readonly NormalizeNameComponentCallback?: unknown
  readonly NormalizeContextCleanupCallback?: unknown
  readonly TransactionNotificationCallback?: unknown
  readonly NormalizeNameComponentExCallback?: unknown
  readonly SectionNotificationCallback?: unknown
}

/** FLT_DEFERRED_IO_WORKITEM: FltAllocateDeferredIoWorkItem's result */
export interface FLT_DEFERRED_IO_WORKITEM {
  readonly kind: 'deferred'
  queued: boolean
}

/** FLT_GENERIC_WORKITEM: FltAllocateGenericWorkItem's result */
export interface FLT_GENERIC_WORKITEM {
  readonly kind: 'generic'
  queued: boolean
}

/** OBJECT_ATTRIBUTES for FltCreateFile (InitializeObjectAttributes) */
export interface OBJECT_ATTRIBUTES {
  readonly ObjectName: string
  readonly Attributes: number
  readonly RootDirectory?: number
  readonly SecurityDescriptor?: unknown
}

export function InitializeObjectAttributes(ObjectName: string, Attributes: number, RootDirectory?: number, SecurityDescriptor?: unknown): OBJECT_ATTRIBUTES {
  return { ObjectName, Attributes, ...(RootDirectory !== undefined ? { RootDirectory } : {}), ...(SecurityDescriptor !== undefined ? { SecurityDescriptor } : {}) }
}

/** IO_STATUS_BLOCK */
export interface IO_STATUS_BLOCK {
  Status: NTSTATUS
  Information: number
}

/** IO_DRIVER_CREATE_CONTEXT for FltCreateFileEx2 (IoInitializeDriverCreateContext) */
export interface IO_DRIVER_CREATE_CONTEXT {
  /** ECP_LIST: extra create parameters by GUID */
  ExtraCreateParameter?: Map<string, unknown>
  DeviceObjectHint?: unknown
  TxnParameters?: unknown
  SiloContext?: unknown
}

export function IoInitializeDriverCreateContext(): IO_DRIVER_CREATE_CONTEXT {
  return {}
}
