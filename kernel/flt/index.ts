// The Filter Manager's public API, named as in fltKernel.h: what a minifilter written in
// TypeScript imports. Blocking routines are generator functions, called with `yield*` from a
// callback written as `function*`; the rest are plain functions, as in C.

export * from './constants.ts'
export type * from './types.ts'
export { ref, InitializeObjectAttributes, IoInitializeDriverCreateContext } from './types.ts'
export {
  FLT_CALLBACK_DATA,
  FLT_IO_PARAMETER_BLOCK,
  FLT_IS_IRP_OPERATION,
  FLT_IS_FASTIO_OPERATION,
  FLT_IS_FS_FILTER_OPERATION,
  FLT_IS_SYSTEM_BUFFER,
  FlagOn,
  BooleanFlagOn,
  type PFLT_CALLBACK_DATA,
} from './callback-data.ts'
export { FLT_PARAMETERS } from './parameters.ts'
export type * from './parameters.ts'
export { FltFilter, FltInstance, FltVolume } from './objects.ts'
export {
  FltRegisterFilter,
  FltStartFiltering,
  FltUnregisterFilter,
  FltAttachVolume,
  FltAttachVolumeAtAltitude,
  FltDetachVolume,
  FltEnumerateInstances,
  FltGetVolumeFromInstance,
  FltGetFilterFromInstance,
  FltGetVolumeFromFileObject,
  FltGetVolumeFromName,
  FltObjectReference,
  FltObjectDereference,
  FltGetFileSystemType,
  FltIsVolumeWritable,
  FltGetDeviceObject,
  FltGetDiskDeviceObject,
  FltGetIrpName,
  FltGetRequestorProcess,
  FltGetRequestorProcessId,
  FltIsOperationSynchronous,
  IoThreadToProcess,
  KeGetCurrentIrql,
  PsGetCurrentThread,
  PsGetCurrentThreadId,
  PsGetCurrentProcessId,
  KeQuerySystemTime,
  DbgPrint,
} from './registration.ts'
export {
  FltCompletePendedPreOperation,
  FltCompletePendedPostOperation,
  FltDoCompletionProcessingWhenSafe,
  FltSetCallbackDataDirty,
  FltClearCallbackDataDirty,
  FltIsCallbackDataDirty,
  FltAllocateDeferredIoWorkItem,
  FltFreeDeferredIoWorkItem,
  FltQueueDeferredIoWorkItem,
  FltAllocateGenericWorkItem,
  FltFreeGenericWorkItem,
  FltQueueGenericWorkItem,
  FltRequestOperationStatusCallback,
} from './pending.ts'
export {
  FltAllocateContext,
  FltReferenceContext,
  FltReleaseContext,
  FltDeleteContext,
  FltSetVolumeContext,
  FltGetVolumeContext,
  FltDeleteVolumeContext,
  FltSetInstanceContext,
  FltGetInstanceContext,
  FltDeleteInstanceContext,
  FltSetStreamContext,
  FltGetStreamContext,
  FltDeleteStreamContext,
  FltSetStreamHandleContext,
  FltGetStreamHandleContext,
  FltDeleteStreamHandleContext,
  FltSetFileContext,
  FltGetFileContext,
  FltDeleteFileContext,
  FltSupportsStreamContexts,
  FltSupportsFileContexts,
  FltSupportsStreamHandleContexts,
} from './contexts.ts'
export {
  FltGetFileNameInformation,
  FltGetFileNameInformationUnsafe,
  FltReferenceFileNameInformation,
  FltReleaseFileNameInformation,
  FltParseFileNameInformation,
  FltGetDestinationFileNameInformation,
  FltGetTunneledName,
  FltGetVolumeName,
  type FLT_FILE_NAME_INFORMATION,
  type PFLT_FILE_NAME_INFORMATION,
} from './names.ts'
export {
  FltCreateFile,
  FltCreateFileEx,
  FltCreateFileEx2,
  FltClose,
  FltReadFile,
  FltWriteFile,
  FltQueryInformationFile,
  FltSetInformationFile,
  FltFsControlFile,
  FltAllocateCallbackData,
  FltAllocateCallbackDataEx,
  FltFreeCallbackData,
  FltReuseCallbackData,
  FltPerformSynchronousIo,
  FltPerformAsynchronousIo,
  FltReissueSynchronousIo,
  FltCancelFileOpen,
  FltGetEcpListFromCallbackData,
  FltFindExtraCreateParameter,
  IoReplaceFileObjectName,
} from './generated-io.ts'
export { FltRegisterForDataScan, FltCreateSectionForDataScan, FltCloseSectionForDataScan, readSection, DataScanSection } from './datascan.ts'
export { ZwCreateFile, ZwClose, ZwReadFile, ZwWriteFile, ZwQueryInformationFile, ZwSetInformationFile } from './zw.ts'
export { FilterManager, type FilterModule, type FilterDriverContext, type FilterInfo, type InstanceInfo, type DebugLine } from './manager.ts'
export { Fltmc, type FltmcResult, type FltmcHost } from './fltmc.ts'
export { ObDereferenceObject } from '../ob/index.ts'
export { NT_SUCCESS, NT_ERROR, NT_WARNING, NT_INFORMATION, STATUS, type NTSTATUS } from '../nt/status.ts'
export { IRP_MJ, IRP_MJ_FLT, IRP_MN, IRP_FLAGS, SL_FLAGS } from '../nt/irp.ts'
export { FO } from '../io/file-object.ts'
export type { FileObject } from '../io/file-object.ts'
export type { Co } from '../ke/index.ts'
export { FltGetVolumeProperties, type FLT_VOLUME_PROPERTIES } from './volume-properties.ts'
export {
  FltCreateCommunicationPort,
  FltCloseCommunicationPort,
  FltCloseClientPort,
  FltSendMessage,
  FltBuildDefaultSecurityDescriptor,
  FltFreeSecurityDescriptor,
  FLT_PORT_CONNECT,
  FLT_PORT_ALL_ACCESS,
  OBJ_KERNEL_HANDLE,
  STATUS_CONNECTION_COUNT_LIMIT,
  FltServerPort,
  FltClientPort,
  type SECURITY_DESCRIPTOR,
  type PFLT_CONNECT_NOTIFY,
  type PFLT_DISCONNECT_NOTIFY,
  type PFLT_MESSAGE_NOTIFY,
} from './ports.ts'
/** PFLT_PORT: a connection's client port (the server port is an FltServerPort) */
export type { FltClientPort as PFLT_PORT } from './ports.ts'
export {
  FltCbdqInitialize,
  FltCbdqInsertIo,
  FltCbdqRemoveIo,
  FltCbdqRemoveNextIo,
  FltCbdqDisable,
  FltCbdqEnable,
  FLT_CALLBACK_DATA_QUEUE,
  FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT,
  type PFLT_CALLBACK_DATA_QUEUE_INSERT_IO,
  type PFLT_CALLBACK_DATA_QUEUE_REMOVE_IO,
  type PFLT_CALLBACK_DATA_QUEUE_PEEK_NEXT_IO,
  type PFLT_CALLBACK_DATA_QUEUE_ACQUIRE,
  type PFLT_CALLBACK_DATA_QUEUE_RELEASE,
  type PFLT_CALLBACK_DATA_QUEUE_COMPLETE_CANCELED_IO,
} from './cbdq.ts'
export { FltLockUserBuffer, type FLT_LOCKED_MDL } from './lock-user-buffer.ts'
export { FltClearCancelCompletion, FltIsIoCanceled, FltSetCancelCompletion, type PFLT_COMPLETE_CANCELED_CALLBACK } from './cancel.ts'
export {
  FltCheckOplock,
  FltCurrentBatchOplock,
  FltInitializeOplock,
  FltOplockFsctrl,
  FltOplockIsFastIoPossible,
  FltUninitializeOplock,
  type OPLOCK,
  type PFLTOPLOCK_PREPOST_CALLBACKDATA_ROUTINE,
  type PFLTOPLOCK_WAIT_COMPLETE_ROUTINE,
} from './oplock.ts'
