// The frame's FAST_IO_DISPATCH. A fast I/O call from the I/O manager becomes callback data with
// FLTFL_CALLBACK_DATA_FAST_IO_OPERATION; pre-operation callbacks run by descending altitude, the
// file system's fast I/O routine is called with what they left, and the post-operation callbacks
// run in the same thread. FLT_PREOP_DISALLOW_FASTIO makes the routine return FALSE, and the I/O
// manager then sends the operation again as an IRP, which every instance sees again.

import type { Co } from '../ke/index.ts'
import type { DeviceObject, FastIoDispatch } from '../io/device.ts'
import { FO, type FileObject } from '../io/file-object.ts'
import type { IoStatusBlock, Irp } from '../io/irp.ts'
import { FILE_INFORMATION_CLASS } from '../nt/infoclass.ts'
import { IRP_MJ, IRP_MJ_FLT, IRP_MN_LOCK_CONTROL, IRP_MN_READ_WRITE } from '../nt/irp.ts'
import { STATUS } from '../nt/status.ts'
import { FLT_CALLBACK_DATA, restoreIopb, snapshotIopb } from './callback-data.ts'
import {
  FLTFL_CALLBACK_DATA_FAST_IO_OPERATION,
  FLTFL_OPERATION_REGISTRATION_SKIP_CACHED_IO,
  FLTFL_OPERATION_REGISTRATION_SKIP_NON_DASD_IO,
  UserMode,
} from './constants.ts'
import { postChain, preChain, TARGET_INSTANCE } from './dispatch.ts'
import type { FilterManager } from './manager.ts'
import type { CallbackNode, FltInstance, FltVolume } from './objects.ts'
import { FltOperation } from './operation.ts'

interface FastIoSpec {
  readonly routine: keyof FastIoDispatch
  readonly major: number
  readonly minor: number
  /** the trace's operation name */
  readonly opName: string
  readonly fo: FileObject | undefined
  readonly iosb: IoStatusBlock
  /** fills the callback data's parameters */
  fill(data: FLT_CALLBACK_DATA): void
  /** calls the driver below with the parameters in the callback data */
  lower(data: FLT_CALLBACK_DATA, lower: DeviceObject): Co<boolean>
  /** what the file system hands back in the parameters (an MDL), for every post-operation callback */
  returned?(data: FLT_CALLBACK_DATA): void
}

function fastNodes(vol: FltVolume, major: number, fo: FileObject | undefined): CallbackNode[] {
  const target = fo?.ext.get(TARGET_INSTANCE) as FltInstance | undefined
  const below = target ? target.altitudeValue : Number.POSITIVE_INFINITY
  const rw = major === IRP_MJ.IRP_MJ_READ || major === IRP_MJ.IRP_MJ_WRITE
  return vol.nodesFor(major).filter((n) => {
    if (!n.instance.active || n.instance.altitudeValue >= below) return false
    // documented: fast I/O is cached I/O, so SKIP_CACHED_IO skips fast reads and writes
    if (n.flags & FLTFL_OPERATION_REGISTRATION_SKIP_CACHED_IO && rw) return false
    if (n.flags & FLTFL_OPERATION_REGISTRATION_SKIP_NON_DASD_IO && !(fo && fo.Flags & FO.FO_VOLUME_OPEN)) return false
    return true
  })
}

function* fastIo(mgr: FilterManager, device: DeviceObject, spec: FastIoSpec): Co<boolean> {
  const vol = device.DeviceExtension as FltVolume
  const lower = device.AttachedTo!
  // unverified: FltMgr calls no minifilter for a fast I/O routine the driver below lacks; the
  // I/O manager then builds the IRP
  if (!lower.DriverObject.FastIoDispatch?.[spec.routine]) return false
  const nodes = fastNodes(vol, spec.major, spec.fo)
  const data = new FLT_CALLBACK_DATA(FLTFL_CALLBACK_DATA_FAST_IO_OPERATION, mgr.ke.current)
  data.RequestorMode = UserMode
  data.Iopb.MajorFunction = spec.major
  data.Iopb.MinorFunction = spec.minor
  data.Iopb.TargetFileObject = spec.fo
  spec.fill(data)
  if (nodes.length === 0) return yield* spec.lower(data, lower)
  const frame = mgr.stack.enterRequest(() => `${spec.opName} ${spec.fo ? spec.fo.traceName : ''}`)
  try {
    const op = new FltOperation(mgr, 'fastio', `FIO${mgr.nextFastIoId()}`, data, vol, nodes, undefined, mgr.ke.current, undefined, spec.opName)
    op.depth = mgr.stack.depth()
    const r = yield* preChain(mgr, op, 0)
    if (r === 'complete') {
      yield* postChain(mgr, op, op.pendedAt - 1, 'dispatch')
      if (op.disallowed) return false
      spec.iosb.Status = data.IoStatus.Status
      spec.iosb.Information = data.IoStatus.Information
      return true
    }
    const ok = yield* spec.lower(data, lower)
    if (ok && spec.returned) {
      // each post sees the parameters its instance's pre saw: the returned value goes into each
      for (let i = 0; i < op.seen.length; i++) {
        const seen = op.seen[i]
        if (!seen) continue
        restoreIopb(data.Iopb, seen)
        spec.returned(data)
        op.seen[i] = snapshotIopb(data.Iopb)
      }
    }
    // unverified: when the file system declines the fast path, the posts see STATUS_FLT_DISALLOW_FAST_IO
    data.IoStatus = ok ? { Status: spec.iosb.Status, Information: spec.iosb.Information } : { Status: STATUS.STATUS_FLT_DISALLOW_FAST_IO, Information: 0 }
    yield* postChain(mgr, op, op.nodes.length - 1, 'dispatch')
    if (ok) {
      spec.iosb.Status = data.IoStatus.Status
      spec.iosb.Information = data.IoStatus.Information
    }
    return ok
  } finally {
    mgr.stack.leave(frame)
  }
}

/** the FAST_IO_DISPATCH routines FsRtl calls to acquire a file for the Cache and Memory Managers */
const ACQUIRE_RELEASE = ['AcquireFileForNtCreateSection', 'ReleaseFileForNtCreateSection', 'AcquireForModWrite', 'ReleaseForModWrite', 'AcquireForCcFlush', 'ReleaseForCcFlush'] as const

/** the file system's FAST_IO_DISPATCH below the frame (every filtered volume has the same file system) */
function lowerTable(mgr: FilterManager): FastIoDispatch | undefined {
  const v = mgr.volumes.find((x) => x.frameDevice)
  return v?.frameDevice?.AttachedTo?.DriverObject.FastIoDispatch
}

function lowerOf(mgr: FilterManager, fo: FileObject, device: DeviceObject | undefined): DeviceObject | undefined {
  if (device?.AttachedTo) return device.AttachedTo
  return mgr.volumes.find((v) => v.fsDevice === fo.Vpb?.DeviceObject)?.frameDevice?.AttachedTo
}

/**
 * The acquire and release routines pass straight down to the file system's: FltMgr offers one
 * exactly when the file system does, so that FsRtl's fallback (the header's resources) applies
 * as it would without the frame. Minifilters see these operations through the FsFilter callbacks.
 */
function passAcquireReleaseDown(mgr: FilterManager, table: FastIoDispatch): void {
  const routines: Record<(typeof ACQUIRE_RELEASE)[number], unknown> = {
    *AcquireFileForNtCreateSection(fo: FileObject): Co<void> {
      const l = lowerOf(mgr, fo, undefined)
      const r = l?.DriverObject.FastIoDispatch?.AcquireFileForNtCreateSection
      if (r) yield* r(fo)
    },
    *ReleaseFileForNtCreateSection(fo: FileObject): Co<void> {
      const l = lowerOf(mgr, fo, undefined)
      const r = l?.DriverObject.FastIoDispatch?.ReleaseFileForNtCreateSection
      if (r) yield* r(fo)
    },
    *AcquireForModWrite(fo: FileObject, endingOffset: number, device: DeviceObject): Co<number> {
      const l = lowerOf(mgr, fo, device)!
      return yield* l.DriverObject.FastIoDispatch!.AcquireForModWrite!(fo, endingOffset, l)
    },
    *ReleaseForModWrite(fo: FileObject, device: DeviceObject): Co<number> {
      const l = lowerOf(mgr, fo, device)!
      return yield* l.DriverObject.FastIoDispatch!.ReleaseForModWrite!(fo, l)
    },
    *AcquireForCcFlush(fo: FileObject, device: DeviceObject): Co<number> {
      const l = lowerOf(mgr, fo, device)!
      return yield* l.DriverObject.FastIoDispatch!.AcquireForCcFlush!(fo, l)
    },
    *ReleaseForCcFlush(fo: FileObject, device: DeviceObject): Co<number> {
      const l = lowerOf(mgr, fo, device)!
      return yield* l.DriverObject.FastIoDispatch!.ReleaseForCcFlush!(fo, l)
    },
  }
  for (const name of ACQUIRE_RELEASE) {
    Object.defineProperty(table, name, {
      enumerable: true,
      get: () => (lowerTable(mgr)?.[name] ? routines[name] : undefined),
    })
  }
}

/** the frame's FAST_IO_DISPATCH table */
export function frameFastIoDispatch(mgr: FilterManager): FastIoDispatch {
  const table = frameFastIoRoutines(mgr)
  passAcquireReleaseDown(mgr, table)
  return table
}

function frameFastIoRoutines(mgr: FilterManager): FastIoDispatch {
  const rw = (routine: 'FastIoRead' | 'FastIoWrite', major: number, opName: string) =>
    function* (fo: FileObject, offset: number, length: number, wait: boolean, lockKey: number, buffer: Uint8Array, iosb: IoStatusBlock, device: DeviceObject): Co<boolean> {
      return yield* fastIo(mgr, device, {
        routine,
        major,
        minor: 0,
        opName,
        fo,
        iosb,
        fill(d) {
          const p = d.Iopb.Parameters.Read
          p.Length = length
          p.Key = lockKey
          p.ByteOffset = offset
          p.ReadBuffer = buffer
        },
        *lower(d, dev) {
          const p = d.Iopb.Parameters.Read
          const buf = p.ReadBuffer ?? buffer
          return yield* dev.DriverObject.FastIoDispatch![routine]!(d.Iopb.TargetFileObject ?? fo, p.ByteOffset, p.Length, wait, p.Key, buf, iosb, dev)
        },
      })
    }
  const query = (routine: 'FastIoQueryBasicInfo' | 'FastIoQueryStandardInfo' | 'FastIoQueryNetworkOpenInfo', cls: number, opName: string) =>
    function* (fo: FileObject, wait: boolean, out: Uint8Array, iosb: IoStatusBlock, device: DeviceObject): Co<boolean> {
      return yield* fastIo(mgr, device, {
        routine,
        major: IRP_MJ.IRP_MJ_QUERY_INFORMATION,
        minor: 0,
        opName,
        fo,
        iosb,
        fill(d) {
          const p = d.Iopb.Parameters.QueryFileInformation
          p.Length = out.length
          p.FileInformationClass = cls
          p.InfoBuffer = out
        },
        *lower(d, dev) {
          return yield* dev.DriverObject.FastIoDispatch![routine]!(d.Iopb.TargetFileObject ?? fo, wait, d.Iopb.Parameters.QueryFileInformation.InfoBuffer ?? out, iosb, dev)
        },
      })
    }
  // The MDL routines (the SMB server's and the Cache Manager's zero-copy path): minifilters see them
  // as fast I/O reads and writes with IRP_MN_MDL (IRP_MN_COMPLETE_MDL for the completes); the MDL
  // the file system hands out comes back in Parameters.Read/Write.MdlAddress (fltKernel.h)
  const mdlPrepare = (routine: 'MdlRead' | 'PrepareMdlWrite', major: number, opName: string) =>
    function* (fo: FileObject, offset: number, length: number, lockKey: number, iosb: IoStatusBlock, device: DeviceObject): Co<boolean> {
      const block = iosb as IoStatusBlock & { MdlChain?: unknown }
      return yield* fastIo(mgr, device, {
        routine,
        major,
        minor: IRP_MN_READ_WRITE.IRP_MN_MDL,
        opName,
        fo,
        iosb,
        fill(d) {
          const p = d.Iopb.Parameters.Read
          p.Length = length
          p.Key = lockKey
          p.ByteOffset = offset
        },
        *lower(d, dev) {
          const p = d.Iopb.Parameters.Read
          return yield* dev.DriverObject.FastIoDispatch![routine]!(d.Iopb.TargetFileObject ?? fo, p.ByteOffset, p.Length, p.Key, iosb, dev)
        },
        returned(d) {
          d.Iopb.Parameters.Read.MdlAddress = block.MdlChain
        },
      })
    }
  const mdlComplete = (major: number, opName: string, call: (dev: DeviceObject, fo: FileObject, offset: number, mdl: unknown) => Co<boolean>) =>
    function* (fo: FileObject, offset: number, mdl: unknown, device: DeviceObject): Co<boolean> {
      const iosb: IoStatusBlock = { Status: STATUS.STATUS_SUCCESS, Information: 0 }
      return yield* fastIo(mgr, device, {
        routine: major === IRP_MJ.IRP_MJ_READ ? 'MdlReadComplete' : 'MdlWriteComplete',
        major,
        minor: IRP_MN_READ_WRITE.IRP_MN_COMPLETE_MDL,
        opName,
        fo,
        iosb,
        fill(d) {
          const p = d.Iopb.Parameters.Read
          p.ByteOffset = offset
          p.MdlAddress = mdl
        },
        *lower(d, dev) {
          const p = d.Iopb.Parameters.Read
          return yield* call(dev, d.Iopb.TargetFileObject ?? fo, p.ByteOffset, p.MdlAddress ?? mdl)
        },
      })
    }
  return {
    MdlRead: mdlPrepare('MdlRead', IRP_MJ.IRP_MJ_READ, 'FASTIO_MDL_READ'),
    PrepareMdlWrite: mdlPrepare('PrepareMdlWrite', IRP_MJ.IRP_MJ_WRITE, 'FASTIO_PREPARE_MDL_WRITE'),
    MdlReadComplete: (fo: FileObject, mdl: unknown, device: DeviceObject) =>
      mdlComplete(IRP_MJ.IRP_MJ_READ, 'FASTIO_MDL_READ_COMPLETE', (dev, f, _o, m) => dev.DriverObject.FastIoDispatch!.MdlReadComplete!(f, m, dev))(fo, 0, mdl, device),
    MdlWriteComplete: mdlComplete(IRP_MJ.IRP_MJ_WRITE, 'FASTIO_MDL_WRITE_COMPLETE', (dev, f, o, m) => dev.DriverObject.FastIoDispatch!.MdlWriteComplete!(f, o, m, dev)),
    FastIoRead: rw('FastIoRead', IRP_MJ.IRP_MJ_READ, 'FASTIO_READ'),
    FastIoWrite: rw('FastIoWrite', IRP_MJ.IRP_MJ_WRITE, 'FASTIO_WRITE'),
    FastIoQueryBasicInfo: query('FastIoQueryBasicInfo', FILE_INFORMATION_CLASS.FileBasicInformation, 'FASTIO_QUERY_BASIC_INFO'),
    FastIoQueryStandardInfo: query('FastIoQueryStandardInfo', FILE_INFORMATION_CLASS.FileStandardInformation, 'FASTIO_QUERY_STANDARD_INFO'),
    FastIoQueryNetworkOpenInfo: query('FastIoQueryNetworkOpenInfo', FILE_INFORMATION_CLASS.FileNetworkOpenInformation, 'FASTIO_QUERY_NETWORK_OPEN_INFO'),
    *FastIoCheckIfPossible(fo, offset, length, wait, lockKey, checkForRead, iosb, device) {
      return yield* fastIo(mgr, device, {
        routine: 'FastIoCheckIfPossible',
        major: IRP_MJ_FLT.IRP_MJ_FAST_IO_CHECK_IF_POSSIBLE,
        minor: 0,
        opName: 'FASTIO_CHECK_IF_POSSIBLE',
        fo,
        iosb,
        fill(d) {
          const p = d.Iopb.Parameters.FastIoCheckIfPossible
          p.FileOffset = offset
          p.Length = length
          p.LockKey = lockKey
          p.CheckForReadOperation = checkForRead
        },
        *lower(d, dev) {
          const p = d.Iopb.Parameters.FastIoCheckIfPossible
          return yield* dev.DriverObject.FastIoDispatch!.FastIoCheckIfPossible!(fo, p.FileOffset, p.Length, wait, p.LockKey, p.CheckForReadOperation, iosb, dev)
        },
      })
    },
    *FastIoLock(fo, offset, length, process, key, failImmediately, exclusiveLock, iosb, device) {
      return yield* fastIo(mgr, device, {
        routine: 'FastIoLock',
        major: IRP_MJ.IRP_MJ_LOCK_CONTROL,
        minor: IRP_MN_LOCK_CONTROL.IRP_MN_LOCK,
        opName: 'FASTIO_LOCK',
        fo,
        iosb,
        fill(d) {
          const p = d.Iopb.Parameters.LockControl
          p.ByteOffset = offset
          p.Length = length
          p.Key = key
          p.ProcessId = process
          p.FailImmediately = failImmediately
          p.ExclusiveLock = exclusiveLock
        },
        *lower(d, dev) {
          const p = d.Iopb.Parameters.LockControl
          return yield* dev.DriverObject.FastIoDispatch!.FastIoLock!(fo, p.ByteOffset, p.Length, process, p.Key, p.FailImmediately, p.ExclusiveLock, iosb, dev)
        },
      })
    },
    *FastIoUnlockSingle(fo, offset, length, process, key, iosb, device) {
      return yield* fastIo(mgr, device, {
        routine: 'FastIoUnlockSingle',
        major: IRP_MJ.IRP_MJ_LOCK_CONTROL,
        minor: IRP_MN_LOCK_CONTROL.IRP_MN_UNLOCK_SINGLE,
        opName: 'FASTIO_UNLOCK_SINGLE',
        fo,
        iosb,
        fill(d) {
          const p = d.Iopb.Parameters.LockControl
          p.ByteOffset = offset
          p.Length = length
          p.Key = key
          p.ProcessId = process
        },
        *lower(d, dev) {
          const p = d.Iopb.Parameters.LockControl
          return yield* dev.DriverObject.FastIoDispatch!.FastIoUnlockSingle!(fo, p.ByteOffset, p.Length, process, p.Key, iosb, dev)
        },
      })
    },
    *FastIoUnlockAll(fo, process, iosb, device) {
      return yield* fastIo(mgr, device, {
        routine: 'FastIoUnlockAll',
        major: IRP_MJ.IRP_MJ_LOCK_CONTROL,
        minor: IRP_MN_LOCK_CONTROL.IRP_MN_UNLOCK_ALL,
        opName: 'FASTIO_UNLOCK_ALL',
        fo,
        iosb,
        fill(d) {
          d.Iopb.Parameters.LockControl.ProcessId = process
        },
        *lower(_d, dev) {
          return yield* dev.DriverObject.FastIoDispatch!.FastIoUnlockAll!(fo, process, iosb, dev)
        },
      })
    },
    *FastIoUnlockAllByKey(fo, process, key, iosb, device) {
      return yield* fastIo(mgr, device, {
        routine: 'FastIoUnlockAllByKey',
        major: IRP_MJ.IRP_MJ_LOCK_CONTROL,
        minor: IRP_MN_LOCK_CONTROL.IRP_MN_UNLOCK_ALL_BY_KEY,
        opName: 'FASTIO_UNLOCK_ALL_BY_KEY',
        fo,
        iosb,
        fill(d) {
          d.Iopb.Parameters.LockControl.ProcessId = process
          d.Iopb.Parameters.LockControl.Key = key
        },
        *lower(d, dev) {
          return yield* dev.DriverObject.FastIoDispatch!.FastIoUnlockAllByKey!(fo, process, d.Iopb.Parameters.LockControl.Key, iosb, dev)
        },
      })
    },
    *FastIoQueryOpen(irp: Irp, out: Uint8Array, device: DeviceObject) {
      const iosb: IoStatusBlock = { Status: STATUS.STATUS_SUCCESS, Information: 0 }
      const fo = irp.Stack[irp.CurrentLocation - 1]?.FileObject ?? irp.OriginalFileObject
      const ok = yield* fastIo(mgr, device, {
        routine: 'FastIoQueryOpen',
        major: IRP_MJ_FLT.IRP_MJ_NETWORK_QUERY_OPEN,
        minor: 0,
        opName: 'IRP_MJ_NETWORK_QUERY_OPEN',
        fo,
        iosb,
        fill(d) {
          d.Iopb.Parameters.NetworkQueryOpen.Irp = irp
          d.Iopb.Parameters.NetworkQueryOpen.NetworkInformation = out
        },
        *lower(_d, dev) {
          const done = yield* dev.DriverObject.FastIoDispatch!.FastIoQueryOpen!(irp, out, dev)
          if (done) {
            iosb.Status = irp.IoStatus.Status
            iosb.Information = irp.IoStatus.Information
          }
          return done
        },
      })
      // the I/O manager reads the answer from the IRP's status block (IopParseDevice)
      if (ok) irp.IoStatus = { Status: iosb.Status, Information: iosb.Information }
      return ok
    },
  }
}
