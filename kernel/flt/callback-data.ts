// FLT_CALLBACK_DATA and FLT_IO_PARAMETER_BLOCK: the Filter Manager's view of one operation,
// shared by every instance of the frame. Iopb changes take effect for the instances below and
// the file system only when the changing instance calls FltSetCallbackDataDirty; each instance's
// post-operation callback sees the parameters as they were in its own pre-operation callback.

import type { KThread } from '../ke/index.ts'
import type { FileObject } from '../io/file-object.ts'
import { STATUS } from '../nt/status.ts'
import {
  FLTFL_CALLBACK_DATA_FAST_IO_OPERATION,
  FLTFL_CALLBACK_DATA_FS_FILTER_OPERATION,
  FLTFL_CALLBACK_DATA_IRP_OPERATION,
  FLTFL_CALLBACK_DATA_SYSTEM_BUFFER,
  KernelMode,
} from './constants.ts'
import { FLT_PARAMETERS } from './parameters.ts'
import type { FltInstance } from './objects.ts'
import type { IO_STATUS_BLOCK } from './types.ts'

/** FLT_IO_PARAMETER_BLOCK */
export class FLT_IO_PARAMETER_BLOCK {
  IrpFlags = 0
  MajorFunction = 0
  MinorFunction = 0
  /** the stack location's SL_* flags */
  OperationFlags = 0
  Reserved = 0
  TargetFileObject: FileObject | undefined
  /** the instance whose callback runs (FltMgr sets it before each call) */
  TargetInstance: FltInstance | undefined
  readonly Parameters = new FLT_PARAMETERS()
}

/** what an instance saw of the Iopb in its pre-operation callback */
export interface IopbSnapshot {
  readonly IrpFlags: number
  readonly MajorFunction: number
  readonly MinorFunction: number
  readonly OperationFlags: number
  readonly TargetFileObject: FileObject | undefined
  readonly slots: unknown[]
}

export function snapshotIopb(i: FLT_IO_PARAMETER_BLOCK): IopbSnapshot {
  return {
    IrpFlags: i.IrpFlags,
    MajorFunction: i.MajorFunction,
    MinorFunction: i.MinorFunction,
    OperationFlags: i.OperationFlags,
    TargetFileObject: i.TargetFileObject,
    slots: i.Parameters.save(),
  }
}

export function restoreIopb(i: FLT_IO_PARAMETER_BLOCK, s: IopbSnapshot): void {
  i.IrpFlags = s.IrpFlags
  i.MajorFunction = s.MajorFunction
  i.MinorFunction = s.MinorFunction
  i.OperationFlags = s.OperationFlags
  i.TargetFileObject = s.TargetFileObject
  i.Parameters.restore(s.slots)
}

const OPERATION = Symbol('FltOperation')

/** FLT_CALLBACK_DATA */
export class FLT_CALLBACK_DATA {
  /** the Filter Manager's bookkeeping for this operation (not part of the C structure) */
  declare [OPERATION]: unknown
  Flags: number
  /** the thread that started the operation */
  readonly Thread: KThread | undefined
  readonly Iopb = new FLT_IO_PARAMETER_BLOCK()
  IoStatus: IO_STATUS_BLOCK = { Status: STATUS.STATUS_SUCCESS, Information: 0 }
  /** the reparse buffer of a create that ended with STATUS_REPARSE (FLT_TAG_DATA_BUFFER) */
  TagData: Uint8Array | undefined
  /** filter-owned while the operation is pended */
  QueueLinks: unknown
  readonly QueueContext: [unknown, unknown] = [undefined, undefined]
  readonly FilterContext: unknown[] = [undefined, undefined, undefined, undefined]
  /** KernelMode (0) or UserMode (1) */
  RequestorMode: number = KernelMode

  constructor(flags: number, thread: KThread | undefined) {
    this.Flags = flags
    this.Thread = thread
  }
}

/** the operation record behind a callback data (set by the Filter Manager) */
export function operationOf<T>(data: FLT_CALLBACK_DATA): T | undefined {
  return data[OPERATION] as T | undefined
}

export function setOperation(data: FLT_CALLBACK_DATA, op: unknown): void {
  data[OPERATION] = op
}

export type PFLT_CALLBACK_DATA = FLT_CALLBACK_DATA

/** FLT_IS_IRP_OPERATION */
export function FLT_IS_IRP_OPERATION(Data: FLT_CALLBACK_DATA): boolean {
  return (Data.Flags & FLTFL_CALLBACK_DATA_IRP_OPERATION) !== 0
}

/** FLT_IS_FASTIO_OPERATION */
export function FLT_IS_FASTIO_OPERATION(Data: FLT_CALLBACK_DATA): boolean {
  return (Data.Flags & FLTFL_CALLBACK_DATA_FAST_IO_OPERATION) !== 0
}

/** FLT_IS_FS_FILTER_OPERATION */
export function FLT_IS_FS_FILTER_OPERATION(Data: FLT_CALLBACK_DATA): boolean {
  return (Data.Flags & FLTFL_CALLBACK_DATA_FS_FILTER_OPERATION) !== 0
}

/** FLT_IS_SYSTEM_BUFFER */
export function FLT_IS_SYSTEM_BUFFER(Data: FLT_CALLBACK_DATA): boolean {
  return (Data.Flags & FLTFL_CALLBACK_DATA_SYSTEM_BUFFER) !== 0
}

/** FlagOn / BooleanFlagOn / SetFlag / ClearFlag (ntifs.h macros) */
export function FlagOn(flags: number, flag: number): number {
  return flags & flag
}
export function BooleanFlagOn(flags: number, flag: number): boolean {
  return (flags & flag) !== 0
}
