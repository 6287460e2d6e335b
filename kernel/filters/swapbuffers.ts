// The WDK swapBuffers sample as a built-in filter: reads, writes and directory-control requests
// get a buffer of the filter's own, passed down with FltSetCallbackDataDirty, so the file system
// never touches the caller's memory. Writes copy the caller's data into the new buffer in the
// pre-operation callback; reads and directory queries copy the result back in the post-operation
// callback (FltDoCompletionProcessingWhenSafe when the caller's buffer is neither described by an
// MDL nor a system buffer). Non-cached transfers are rounded up to the volume's sector size, kept
// in a volume context made in InstanceSetup. What it swapped is published as `stats`.
// INF: altitude 141000 ("SwapBuffers Instance", FSFilter Encryption), automatic attachment.
//
// swapbuffers-xor.ts is the same filter with a transform on the copies (`SwapTransform`).

import {
  FltAllocateContext,
  FltDoCompletionProcessingWhenSafe,
  FltGetVolumeContext,
  FltGetVolumeProperties,
  FltQueryInformationFile,
  FltRegisterFilter,
  FltReleaseContext,
  FltSetCallbackDataDirty,
  FltSetVolumeContext,
  FltStartFiltering,
  FltUnregisterFilter,
  FLT_IS_FASTIO_OPERATION,
  FLT_IS_IRP_OPERATION,
  FLT_IS_SYSTEM_BUFFER,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_REGISTRATION_VERSION,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FLT_VOLUME_CONTEXT,
  FLTFL_POST_OPERATION_DRAINING,
  IRP_FLAGS,
  IRP_MJ,
  NT_SUCCESS,
  NonPagedPool,
  STATUS,
  ref,
  type Co,
  type FLT_CALLBACK_DATA,
  type FLT_POSTOP_CALLBACK_STATUS,
  type FLT_PREOP_CALLBACK_STATUS,
  type FLT_REGISTRATION,
  type FLT_RELATED_OBJECTS,
  type FLT_VOLUME_PROPERTIES,
  type FilterDriverContext,
  type FilterModule,
  type NTSTATUS,
  type PFLT_FILTER,
  type Ref,
} from '../flt/index.ts'
import { FILE_INFORMATION_CLASS } from '../nt/infoclass.ts'

export const NAME = 'swapbuffers'

export const INF: FilterModule['INF'] = {
  DefaultInstance: 'SwapBuffers Instance',
  Instances: [{ Name: 'SwapBuffers Instance', Altitude: '141000', Flags: 0 }],
}

/** the sample's MIN_SECTOR_SIZE */
const MIN_SECTOR_SIZE = 0x200
/** FILE_WRITE_TO_END_OF_FILE as a LARGE_INTEGER ByteOffset */
const FILE_WRITE_TO_END_OF_FILE = -1
/** FILE_USE_FILE_POINTER_POSITION */
const FILE_USE_FILE_POINTER_POSITION = -2

/** VOLUME_CONTEXT */
export interface VOLUME_CONTEXT {
  /** the volume's name as the sample prints it (C:) */
  Name: string
  /** max(FLT_VOLUME_PROPERTIES.SectorSize, MIN_SECTOR_SIZE) */
  SectorSize: number
}

/** PRE_2_POST_CONTEXT: what the pre-operation callback hands its post */
interface PRE_2_POST_CONTEXT {
  VolCtx: VOLUME_CONTEXT
  SwappedBuffer: Uint8Array
  /** where in the file the transfer starts (for a transform that depends on the position) */
  FileOffset: number
}

/** what the filter did, published as `stats` */
export interface SwapBuffersStats {
  readsSwapped: number
  writesSwapped: number
  directoryControlsSwapped: number
  /** reads whose data reached the caller's buffer through FltDoCompletionProcessingWhenSafe */
  safePostCopies: number
  /** non-cached transfers whose swap buffer was rounded up to the sector size */
  roundedToSector: number
  /** transfers whose data the transform changed (swapbuffers-xor) */
  transformed: number
  /** one line per swap: `<op> <offset>+<length> → <buffer length> [N][P]` */
  log: string[]
}

/**
 * A transform of the bytes between the caller's buffer and the swap buffer: `data` is changed in
 * place; `fileOffset` is where it lies in the file. Returns whether it changed anything.
 */
export type SwapTransform = (Data: FLT_CALLBACK_DATA, data: Uint8Array, fileOffset: number) => boolean

/** ROUND_TO_SIZE */
function ROUND_TO_SIZE(length: number, alignment: number): number {
  return Math.ceil(length / alignment) * alignment
}

export function DriverEntry(ctx: FilterDriverContext): NTSTATUS {
  return SwapBuffersDriverEntry(ctx, 'SwapBuffers', undefined)
}

/** DriverEntry of the sample, with an optional transform of what it copies (swapbuffers-xor) */
export function SwapBuffersDriverEntry(ctx: FilterDriverContext, prefix: string, Transform: SwapTransform | undefined): NTSTATUS {
  const gFilterHandle = ref<PFLT_FILTER>()
  const LoggingFlags = Number(ctx.Parameters['LoggingFlags'] ?? 0)
  const LOGFL_ERRORS = 0x00000001
  const LOGFL_READ = 0x00000002
  const LOGFL_WRITE = 0x00000004
  const LOGFL_DIRCTRL = 0x00000008
  const LOGFL_VOLCTX = 0x00000010
  const LOG_PRINT = (level: number, text: string): void => {
    if (LoggingFlags & level) ctx.DbgPrint(text)
  }
  const stats: SwapBuffersStats = { readsSwapped: 0, writesSwapped: 0, directoryControlsSwapped: 0, safePostCopies: 0, roundedToSector: 0, transformed: 0, log: [] }
  ctx.publish('stats', stats)

  const flagText = (Data: FLT_CALLBACK_DATA): string =>
    `${Data.Iopb.IrpFlags & IRP_FLAGS.IRP_NOCACHE ? ' N' : ''}${Data.Iopb.IrpFlags & IRP_FLAGS.IRP_PAGING_IO ? ' P' : ''}${FLT_IS_FASTIO_OPERATION(Data) ? ' FastIo' : ''}`

  /** copies `from` into `to` and applies the transform to the copy */
  function copyAndTransform(Data: FLT_CALLBACK_DATA, to: Uint8Array, from: Uint8Array, length: number, fileOffset: number): void {
    to.set(from.subarray(0, length))
    if (Transform && Transform(Data, to.subarray(0, length), fileOffset)) stats.transformed++
  }

  // ---- instance setup: the volume context -------------------------------------------------------

  function InstanceSetup(FltObjects: FLT_RELATED_OBJECTS): NTSTATUS {
    const ctxRef = ref<VOLUME_CONTEXT>()
    let status = FltAllocateContext(FltObjects.Filter, FLT_VOLUME_CONTEXT, 0, NonPagedPool, ctxRef)
    if (!NT_SUCCESS(status)) return status
    const volCtx = ctxRef.value!
    const volProp = ref<FLT_VOLUME_PROPERTIES>()
    status = FltGetVolumeProperties(FltObjects.Volume, volProp)
    if (!NT_SUCCESS(status)) {
      FltReleaseContext(volCtx)
      return status
    }
    // a name for the volume: its DOS name, else the real device's name with a colon
    volCtx.Name = FltObjects.Volume.dosName || `${volProp.value!.RealDeviceName}:`
    volCtx.SectorSize = Math.max(volProp.value!.SectorSize, MIN_SECTOR_SIZE)
    status = FltSetVolumeContext(FltObjects.Volume, FLT_SET_CONTEXT_KEEP_IF_EXISTS, volCtx, null)
    LOG_PRINT(LOGFL_VOLCTX, `${prefix}!InstanceSetup:                  Real SectSize=0x${volProp.value!.SectorSize.toString(16).padStart(4, '0')}, Used SectSize=0x${volCtx.SectorSize.toString(16).padStart(4, '0')}, Name="${volCtx.Name}"`)
    // another instance on the volume set it first: that one will do
    if (status === STATUS.STATUS_FLT_CONTEXT_ALREADY_DEFINED) status = STATUS.STATUS_SUCCESS
    FltReleaseContext(volCtx)
    return status
  }

  function CleanupVolumeContext(Context: object): void {
    const c = Context as VOLUME_CONTEXT
    LOG_PRINT(LOGFL_VOLCTX, `${prefix}!CleanupVolumeContext:           Cleaning up volume context for "${c.Name}"`)
  }

  function getVolumeContext(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, what: string): VOLUME_CONTEXT | undefined {
    const volCtx = ref<VOLUME_CONTEXT>()
    const status = FltGetVolumeContext(FltObjects.Filter, FltObjects.Volume, volCtx)
    if (!NT_SUCCESS(status)) {
      LOG_PRINT(LOGFL_ERRORS, `${prefix}!${what}:             Error getting volume context, status=0x${(status >>> 0).toString(16)}`)
      return undefined
    }
    void Data
    return volCtx.value
  }

  /** the buffer goes (the garbage collector's) and the volume context reference with it */
  function freeP2p(p2pCtx: PRE_2_POST_CONTEXT): void {
    FltReleaseContext(p2pCtx.VolCtx)
  }

  /** where the transfer starts in the file (the file pointer, or end of file for appends) */
  function* fileOffsetOf(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, byteOffset: number): Co<number> {
    const fo = FltObjects.FileObject
    if (byteOffset === FILE_USE_FILE_POINTER_POSITION && fo) return fo.CurrentByteOffset
    if (byteOffset === FILE_WRITE_TO_END_OF_FILE && fo && Transform) {
      const info = new Uint8Array(24)
      const st = yield* FltQueryInformationFile(FltObjects.Instance, fo, info, 24, FILE_INFORMATION_CLASS.FileStandardInformation, null)
      if (NT_SUCCESS(st)) return Number(new DataView(info.buffer).getBigInt64(8, true))
    }
    void Data
    return byteOffset
  }

  // ---- IRP_MJ_READ ----------------------------------------------------------------------------

  function* SwapPreReadBuffers(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: Ref<unknown>): Co<FLT_PREOP_CALLBACK_STATUS> {
    const iopb = Data.Iopb
    let readLen = iopb.Parameters.Read.Length
    // nothing to read: nothing to swap (nor a buffer of the caller's to copy into)
    if (readLen === 0 || !iopb.Parameters.Read.ReadBuffer) return FLT_PREOP_SUCCESS_NO_CALLBACK
    const volCtx = getVolumeContext(Data, FltObjects, 'SwapPreReadBuffers')
    if (!volCtx) return FLT_PREOP_SUCCESS_NO_CALLBACK
    // non-cached I/O must be sector sized; the file system may fill up to the sector boundary
    if (iopb.IrpFlags & IRP_FLAGS.IRP_NOCACHE) {
      const rounded = ROUND_TO_SIZE(readLen, volCtx.SectorSize)
      if (rounded !== readLen) stats.roundedToSector++
      readLen = rounded
    }
    // FltAllocatePoolAlignedWithTag: a buffer of our own (an MDL describes it for IRP operations)
    const newBuf = new Uint8Array(readLen)
    const newMdl = FLT_IS_IRP_OPERATION(Data) ? { StartVa: newBuf, ByteCount: readLen } : undefined
    const offset = yield* fileOffsetOf(Data, FltObjects, iopb.Parameters.Read.ByteOffset)
    LOG_PRINT(LOGFL_READ, `${prefix}!SwapPreReadBuffers:             ${volCtx.Name} newB=${readLen} newMdl=${newMdl ? 'yes' : 'no'} oldB=${iopb.Parameters.Read.ReadBuffer?.length ?? 0} oldMdl=${iopb.Parameters.Read.MdlAddress ? 'yes' : 'no'}`)
    iopb.Parameters.Read.ReadBuffer = newBuf
    iopb.Parameters.Read.MdlAddress = newMdl
    FltSetCallbackDataDirty(Data)
    const p2pCtx: PRE_2_POST_CONTEXT = { VolCtx: volCtx, SwappedBuffer: newBuf, FileOffset: offset }
    CompletionContext.value = p2pCtx
    stats.readsSwapped++
    stats.log.push(`IRP_MJ_READ ${offset}+${iopb.Parameters.Read.Length} -> ${readLen}${flagText(Data)}`)
    return FLT_PREOP_SUCCESS_WITH_CALLBACK
  }

  function SwapPostReadBuffers(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown, Flags: number): FLT_POSTOP_CALLBACK_STATUS {
    const iopb = Data.Iopb
    const p2pCtx = CompletionContext as PRE_2_POST_CONTEXT
    let cleanupAllocatedBuffer = true
    try {
      // FltMgr does not drain operations whose buffers were swapped (the sample asserts it)
      if (Flags & FLTFL_POST_OPERATION_DRAINING) throw new Error(`${prefix}: a swapped read was drained`)
      // failed, or nothing read: nothing to copy back
      if (!NT_SUCCESS(Data.IoStatus.Status) || Data.IoStatus.Information === 0) return FLT_POSTOP_FINISHED_PROCESSING
      // the parameters are the caller's again here: FltMgr restored them for this post
      // paging I/O always describes its buffer with an MDL (IoPageRead, IoSynchronousPageWrite): a
      // system address for it is good at any IRQL, as MmGetSystemAddressForMdlSafe's would be
      if (iopb.Parameters.Read.MdlAddress || iopb.IrpFlags & IRP_FLAGS.IRP_PAGING_IO) {
        copyAndTransform(Data, iopb.Parameters.Read.ReadBuffer!, p2pCtx.SwappedBuffer, Data.IoStatus.Information, p2pCtx.FileOffset)
        return FLT_POSTOP_FINISHED_PROCESSING
      }
      if (FLT_IS_SYSTEM_BUFFER(Data) || FLT_IS_FASTIO_OPERATION(Data)) {
        // a system buffer or a fast I/O user buffer: we are in the caller's context, copy directly
        copyAndTransform(Data, iopb.Parameters.Read.ReadBuffer!, p2pCtx.SwappedBuffer, Data.IoStatus.Information, p2pCtx.FileOffset)
        return FLT_POSTOP_FINISHED_PROCESSING
      }
      // a user buffer and no MDL: copy where it is safe to touch it
      const retValue = ref<number>()
      if (!FltDoCompletionProcessingWhenSafe(Data, FltObjects, CompletionContext, Flags, SwapPostReadBuffersWhenSafe, retValue)) {
        // no safe place to copy to the caller's buffer: fail the read
        Data.IoStatus.Status = STATUS.STATUS_UNSUCCESSFUL
        Data.IoStatus.Information = 0
        return FLT_POSTOP_FINISHED_PROCESSING
      }
      // the safe routine frees what the pre-operation callback allocated
      cleanupAllocatedBuffer = false
      return retValue.value!
    } finally {
      if (cleanupAllocatedBuffer) freeP2p(p2pCtx)
    }
  }

  /** the copy at a safe IRQL (FltLockUserBuffer, then the copy) */
  function SwapPostReadBuffersWhenSafe(Data: FLT_CALLBACK_DATA, _FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown): FLT_POSTOP_CALLBACK_STATUS {
    const p2pCtx = CompletionContext as PRE_2_POST_CONTEXT
    try {
      const buf = Data.Iopb.Parameters.Read.ReadBuffer
      if (!buf) {
        LOG_PRINT(LOGFL_ERRORS, `${prefix}!SwapPostReadBuffersWhenSafe:    ${p2pCtx.VolCtx.Name} Failed to get system address for MDL`)
        Data.IoStatus.Status = STATUS.STATUS_INSUFFICIENT_RESOURCES
        Data.IoStatus.Information = 0
        return FLT_POSTOP_FINISHED_PROCESSING
      }
      copyAndTransform(Data, buf, p2pCtx.SwappedBuffer, Data.IoStatus.Information, p2pCtx.FileOffset)
      stats.safePostCopies++
      return FLT_POSTOP_FINISHED_PROCESSING
    } finally {
      freeP2p(p2pCtx)
    }
  }

  // ---- IRP_MJ_WRITE ---------------------------------------------------------------------------

  function* SwapPreWriteBuffers(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: Ref<unknown>): Co<FLT_PREOP_CALLBACK_STATUS> {
    const iopb = Data.Iopb
    const writeLen = iopb.Parameters.Write.Length
    if (writeLen === 0) return FLT_PREOP_SUCCESS_NO_CALLBACK
    const volCtx = getVolumeContext(Data, FltObjects, 'SwapPreWriteBuffers')
    if (!volCtx) return FLT_PREOP_SUCCESS_NO_CALLBACK
    let bufLen = writeLen
    if (iopb.IrpFlags & IRP_FLAGS.IRP_NOCACHE) {
      bufLen = ROUND_TO_SIZE(writeLen, volCtx.SectorSize)
      if (bufLen !== writeLen) stats.roundedToSector++
    }
    const origBuf = iopb.Parameters.Write.WriteBuffer
    if (!origBuf || origBuf.length < writeLen) {
      // the sample's exception handler: the caller's buffer cannot be read
      LOG_PRINT(LOGFL_ERRORS, `${prefix}!SwapPreWriteBuffers:            ${volCtx.Name} Invalid user buffer, oldB=${origBuf?.length ?? 0}`)
      Data.IoStatus.Status = STATUS.STATUS_INVALID_USER_BUFFER
      Data.IoStatus.Information = 0
      FltReleaseContext(volCtx)
      return FLT_PREOP_COMPLETE
    }
    const newBuf = new Uint8Array(bufLen)
    const newMdl = FLT_IS_IRP_OPERATION(Data) ? { StartVa: newBuf, ByteCount: bufLen } : undefined
    const offset = yield* fileOffsetOf(Data, FltObjects, iopb.Parameters.Write.ByteOffset)
    // the caller's data go into our buffer now (the transform, if any, on the way)
    copyAndTransform(Data, newBuf, origBuf, writeLen, offset)
    LOG_PRINT(LOGFL_WRITE, `${prefix}!SwapPreWriteBuffers:            ${volCtx.Name} newB=${bufLen} newMdl=${newMdl ? 'yes' : 'no'} oldB=${origBuf.length} oldMdl=${iopb.Parameters.Write.MdlAddress ? 'yes' : 'no'}`)
    iopb.Parameters.Write.WriteBuffer = newBuf
    iopb.Parameters.Write.MdlAddress = newMdl
    FltSetCallbackDataDirty(Data)
    const p2pCtx: PRE_2_POST_CONTEXT = { VolCtx: volCtx, SwappedBuffer: newBuf, FileOffset: offset }
    CompletionContext.value = p2pCtx
    stats.writesSwapped++
    stats.log.push(`IRP_MJ_WRITE ${offset}+${writeLen} -> ${bufLen}${flagText(Data)}`)
    return FLT_PREOP_SUCCESS_WITH_CALLBACK
  }

  function SwapPostWriteBuffers(_Data: FLT_CALLBACK_DATA, _FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown, Flags: number): FLT_POSTOP_CALLBACK_STATUS {
    const p2pCtx = CompletionContext as PRE_2_POST_CONTEXT
    if (Flags & FLTFL_POST_OPERATION_DRAINING) throw new Error(`${prefix}: a swapped write was drained`)
    LOG_PRINT(LOGFL_WRITE, `${prefix}!SwapPostWriteBuffers:           ${p2pCtx.VolCtx.Name} Freeing newB=${p2pCtx.SwappedBuffer.length}`)
    freeP2p(p2pCtx)
    return FLT_POSTOP_FINISHED_PROCESSING
  }

  // ---- IRP_MJ_DIRECTORY_CONTROL ---------------------------------------------------------------

  // The sample does not look at the minor function: change notifications are swapped too, their
  // Length and DirectoryBuffer sharing QueryDirectory's slots in the parameter union.
  function SwapPreDirCtrlBuffers(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: Ref<unknown>): FLT_PREOP_CALLBACK_STATUS {
    const iopb = Data.Iopb
    const q = iopb.Parameters.DirectoryControl.QueryDirectory
    if (q.Length === 0 || !q.DirectoryBuffer) return FLT_PREOP_SUCCESS_NO_CALLBACK
    const volCtx = getVolumeContext(Data, FltObjects, 'SwapPreDirCtrlBuffers')
    if (!volCtx) return FLT_PREOP_SUCCESS_NO_CALLBACK
    // ExAllocatePoolZero: not aligned, zeroed
    const newBuf = new Uint8Array(q.Length)
    const newMdl = FLT_IS_IRP_OPERATION(Data) ? { StartVa: newBuf, ByteCount: q.Length } : undefined
    LOG_PRINT(LOGFL_DIRCTRL, `${prefix}!SwapPreDirCtrlBuffers:          ${volCtx.Name} newB=${q.Length} newMdl=${newMdl ? 'yes' : 'no'} oldB=${q.DirectoryBuffer?.length ?? 0} oldMdl=${q.MdlAddress ? 'yes' : 'no'}`)
    q.DirectoryBuffer = newBuf
    q.MdlAddress = newMdl
    FltSetCallbackDataDirty(Data)
    const p2pCtx: PRE_2_POST_CONTEXT = { VolCtx: volCtx, SwappedBuffer: newBuf, FileOffset: 0 }
    CompletionContext.value = p2pCtx
    stats.directoryControlsSwapped++
    stats.log.push(`IRP_MJ_DIRECTORY_CONTROL ${iopb.MinorFunction} ${q.Length}`)
    return FLT_PREOP_SUCCESS_WITH_CALLBACK
  }

  function SwapPostDirCtrlBuffers(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown, Flags: number): FLT_POSTOP_CALLBACK_STATUS {
    const q = Data.Iopb.Parameters.DirectoryControl.QueryDirectory
    const p2pCtx = CompletionContext as PRE_2_POST_CONTEXT
    let cleanupAllocatedBuffer = true
    try {
      if (Flags & FLTFL_POST_OPERATION_DRAINING) throw new Error(`${prefix}: a swapped directory request was drained`)
      if (!NT_SUCCESS(Data.IoStatus.Status) || Data.IoStatus.Information === 0) return FLT_POSTOP_FINISHED_PROCESSING
      if (q.MdlAddress || FLT_IS_SYSTEM_BUFFER(Data) || FLT_IS_FASTIO_OPERATION(Data)) {
        q.DirectoryBuffer?.set(p2pCtx.SwappedBuffer.subarray(0, Math.min(q.Length, q.DirectoryBuffer.length)))
        return FLT_POSTOP_FINISHED_PROCESSING
      }
      const retValue = ref<number>()
      if (!FltDoCompletionProcessingWhenSafe(Data, FltObjects, CompletionContext, Flags, SwapPostDirCtrlBuffersWhenSafe, retValue)) {
        Data.IoStatus.Status = STATUS.STATUS_UNSUCCESSFUL
        Data.IoStatus.Information = 0
        return FLT_POSTOP_FINISHED_PROCESSING
      }
      cleanupAllocatedBuffer = false
      return retValue.value!
    } finally {
      if (cleanupAllocatedBuffer) freeP2p(p2pCtx)
    }
  }

  function SwapPostDirCtrlBuffersWhenSafe(Data: FLT_CALLBACK_DATA, _FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown): FLT_POSTOP_CALLBACK_STATUS {
    const q = Data.Iopb.Parameters.DirectoryControl.QueryDirectory
    const p2pCtx = CompletionContext as PRE_2_POST_CONTEXT
    try {
      if (!q.DirectoryBuffer) {
        Data.IoStatus.Status = STATUS.STATUS_INSUFFICIENT_RESOURCES
        Data.IoStatus.Information = 0
        return FLT_POSTOP_FINISHED_PROCESSING
      }
      // the whole Length, as the sample copies it
      q.DirectoryBuffer.set(p2pCtx.SwappedBuffer.subarray(0, Math.min(q.Length, q.DirectoryBuffer.length)))
      stats.safePostCopies++
      return FLT_POSTOP_FINISHED_PROCESSING
    } finally {
      freeP2p(p2pCtx)
    }
  }

  function FilterUnload(): NTSTATUS {
    FltUnregisterFilter(gFilterHandle.value!)
    return STATUS.STATUS_SUCCESS
  }

  const FilterRegistration: FLT_REGISTRATION = {
    Version: FLT_REGISTRATION_VERSION,
    Flags: 0,
    ContextRegistration: [{ ContextType: FLT_VOLUME_CONTEXT, Flags: 0, ContextCleanupCallback: CleanupVolumeContext, Size: 0, PoolTag: 'xcBS' }],
    OperationRegistration: [
      { MajorFunction: IRP_MJ.IRP_MJ_READ, Flags: 0, PreOperation: SwapPreReadBuffers, PostOperation: SwapPostReadBuffers },
      { MajorFunction: IRP_MJ.IRP_MJ_WRITE, Flags: 0, PreOperation: SwapPreWriteBuffers, PostOperation: SwapPostWriteBuffers },
      { MajorFunction: IRP_MJ.IRP_MJ_DIRECTORY_CONTROL, Flags: 0, PreOperation: SwapPreDirCtrlBuffers, PostOperation: SwapPostDirCtrlBuffers },
      { MajorFunction: 0x80 /* IRP_MJ_OPERATION_END */ },
    ],
    FilterUnloadCallback: FilterUnload,
    InstanceSetupCallback: InstanceSetup,
    InstanceQueryTeardownCallback: () => STATUS.STATUS_SUCCESS,
  }

  let status = FltRegisterFilter(ctx.DriverObject, FilterRegistration, gFilterHandle)
  if (NT_SUCCESS(status)) {
    status = FltStartFiltering(gFilterHandle.value!)
    if (!NT_SUCCESS(status)) FltUnregisterFilter(gFilterHandle.value!)
  }
  return status
}
