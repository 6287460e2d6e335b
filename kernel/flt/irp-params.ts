// Between an IRP and callback data: FltMgr builds FLT_CALLBACK_DATA from the IRP's stack
// location (parameters) and the IRP (flags, buffers), and writes changed (dirty) parameters back
// into the next stack location and the IRP's buffers before passing the IRP down.

import type { Irp, IoParameters, IoStackLocation } from '../io/irp.ts'
import { IRP_FLAGS, IRP_MJ, IRP_MN_DIRECTORY_CONTROL, SL_FLAGS_LOCK } from '../nt/irp.ts'
import type { FLT_CALLBACK_DATA } from './callback-data.ts'
import { FLTFL_CALLBACK_DATA_SYSTEM_BUFFER } from './constants.ts'
import type { FLT_PARAMETERS } from './parameters.ts'

/** the buffers an IRP carries (UserBuffer, AssociatedIrp.SystemBuffer, the FSCTL output) */
export interface IrpBuffers {
  UserBuffer: Uint8Array | undefined
  SystemBuffer: Uint8Array | undefined
  OutputBuffer: Uint8Array | undefined
}

/** fills the callback data's Iopb from a stack location and its IRP */
export function iopbFromIrp(data: FLT_CALLBACK_DATA, irp: Pick<Irp, 'Flags'> & IrpBuffers, sp: IoStackLocation): void {
  const iopb = data.Iopb
  iopb.IrpFlags = irp.Flags
  iopb.MajorFunction = sp.MajorFunction
  iopb.MinorFunction = sp.MinorFunction
  iopb.OperationFlags = sp.Flags
  iopb.TargetFileObject = sp.FileObject
  const P = iopb.Parameters
  const p = sp.Parameters
  if (irp.SystemBuffer !== undefined && (irp.Flags & IRP_FLAGS.IRP_BUFFERED_IO || usesSystemBuffer(sp.MajorFunction))) data.Flags |= FLTFL_CALLBACK_DATA_SYSTEM_BUFFER
  switch (sp.MajorFunction) {
    case IRP_MJ.IRP_MJ_CREATE: {
      const c = p.Create
      if (!c) return
      const v = P.Create
      v.SecurityContext = c.SecurityContext
      v.Options = c.Options
      v.FileAttributes = c.FileAttributes
      v.ShareAccess = c.ShareAccess
      v.EaLength = c.EaLength
      v.EaBuffer = c.EaBuffer
      v.AllocationSize = c.AllocationSize
      return
    }
    case IRP_MJ.IRP_MJ_READ:
    case IRP_MJ.IRP_MJ_WRITE: {
      const r = sp.MajorFunction === IRP_MJ.IRP_MJ_READ ? p.Read : p.Write
      if (!r) return
      const v = P.Read
      v.Length = r.Length
      v.Key = r.Key
      v.ByteOffset = r.ByteOffset
      v.ReadBuffer = irp.UserBuffer
      return
    }
    case IRP_MJ.IRP_MJ_QUERY_INFORMATION: {
      const q = p.QueryFile
      if (!q) return
      const v = P.QueryFileInformation
      v.Length = q.Length
      v.FileInformationClass = q.FileInformationClass
      v.InfoBuffer = irp.SystemBuffer
      return
    }
    case IRP_MJ.IRP_MJ_SET_INFORMATION: {
      const s = p.SetFile
      if (!s) return
      const v = P.SetFileInformation
      v.Length = s.Length
      v.FileInformationClass = s.FileInformationClass
      v.ParentOfTarget = s.FileObject
      v.ReplaceIfExists = s.ReplaceIfExists
      v.AdvanceOnly = s.AdvanceOnly
      v.ClusterCount = s.ClusterCount
      v.DeleteHandle = s.DeleteHandle
      v.InfoBuffer = irp.SystemBuffer
      return
    }
    case IRP_MJ.IRP_MJ_QUERY_EA: {
      const q = p.QueryEa
      if (!q) return
      const v = P.QueryEa
      v.Length = q.Length
      v.EaList = q.EaList
      v.EaListLength = q.EaList ? q.EaList.length : 0
      v.EaIndex = q.EaIndex
      v.EaBuffer = irp.SystemBuffer
      return
    }
    case IRP_MJ.IRP_MJ_SET_EA: {
      const s = p.SetEa
      if (!s) return
      P.SetEa.Length = s.Length
      P.SetEa.EaBuffer = irp.SystemBuffer
      return
    }
    case IRP_MJ.IRP_MJ_QUERY_VOLUME_INFORMATION:
    case IRP_MJ.IRP_MJ_SET_VOLUME_INFORMATION: {
      const q = sp.MajorFunction === IRP_MJ.IRP_MJ_QUERY_VOLUME_INFORMATION ? p.QueryVolume : p.SetVolume
      if (!q) return
      const v = P.QueryVolumeInformation
      v.Length = q.Length
      v.FsInformationClass = q.FsInformationClass
      v.VolumeBuffer = irp.SystemBuffer
      return
    }
    case IRP_MJ.IRP_MJ_DIRECTORY_CONTROL: {
      if (sp.MinorFunction === IRP_MN_DIRECTORY_CONTROL.IRP_MN_QUERY_DIRECTORY && p.QueryDirectory) {
        const q = p.QueryDirectory
        const v = P.DirectoryControl.QueryDirectory
        v.Length = q.Length
        v.FileName = q.FileName
        v.FileInformationClass = q.FileInformationClass
        v.FileIndex = q.FileIndex
        v.DirectoryBuffer = irp.UserBuffer
      } else if (p.NotifyDirectory) {
        const n = p.NotifyDirectory
        const v = P.DirectoryControl.NotifyDirectory
        v.Length = n.Length
        v.CompletionFilter = n.CompletionFilter
        v.DirectoryBuffer = irp.UserBuffer
      }
      return
    }
    case IRP_MJ.IRP_MJ_FILE_SYSTEM_CONTROL: {
      if (p.FileSystemControl) {
        const f = p.FileSystemControl
        const v = P.FileSystemControl.Neither
        v.OutputBufferLength = f.OutputBufferLength
        v.InputBufferLength = f.InputBufferLength
        v.FsControlCode = f.FsControlCode
        v.InputBuffer = irp.SystemBuffer
        v.OutputBuffer = irp.OutputBuffer
      } else if (p.MountVolume) {
        P.FileSystemControl.VerifyVolume.Vpb = p.MountVolume.Vpb
        P.FileSystemControl.VerifyVolume.DeviceObject = p.MountVolume.DeviceObject
      }
      return
    }
    case IRP_MJ.IRP_MJ_LOCK_CONTROL: {
      const l = p.LockControl
      if (!l) return
      const v = P.LockControl
      v.Length = l.Length
      v.Key = l.Key
      v.ByteOffset = l.ByteOffset
      v.ProcessId = undefined
      v.FailImmediately = (sp.Flags & SL_FLAGS_LOCK.SL_FAIL_IMMEDIATELY) !== 0
      v.ExclusiveLock = (sp.Flags & SL_FLAGS_LOCK.SL_EXCLUSIVE_LOCK) !== 0
      return
    }
    default:
      return
  }
}

function usesSystemBuffer(major: number): boolean {
  return (
    major === IRP_MJ.IRP_MJ_QUERY_INFORMATION ||
    major === IRP_MJ.IRP_MJ_SET_INFORMATION ||
    major === IRP_MJ.IRP_MJ_QUERY_VOLUME_INFORMATION ||
    major === IRP_MJ.IRP_MJ_SET_VOLUME_INFORMATION ||
    major === IRP_MJ.IRP_MJ_QUERY_EA ||
    major === IRP_MJ.IRP_MJ_SET_EA
  )
}

/**
 * The stack-location parameters and IRP buffers the callback data describes: what the next
 * driver receives. `original` supplies parameters of majors FltMgr has no view of.
 */
export function irpFromIopb(data: FLT_CALLBACK_DATA, original: IoParameters | undefined): { parameters: IoParameters; buffers: Partial<IrpBuffers>; flags: number; slFlags: number } {
  const iopb = data.Iopb
  const P: FLT_PARAMETERS = iopb.Parameters
  // only the buffers this major's parameters describe: the others stay as the IRP has them
  const buffers: Partial<IrpBuffers> = {}
  const parameters: IoParameters = {}
  let slFlags = iopb.OperationFlags
  switch (iopb.MajorFunction) {
    case IRP_MJ.IRP_MJ_CREATE: {
      const v = P.Create
      parameters.Create = {
        SecurityContext: v.SecurityContext,
        Options: v.Options,
        FileAttributes: v.FileAttributes,
        ShareAccess: v.ShareAccess,
        EaBuffer: v.EaBuffer as never,
        EaLength: v.EaLength,
        AllocationSize: v.AllocationSize,
      }
      break
    }
    case IRP_MJ.IRP_MJ_READ:
    case IRP_MJ.IRP_MJ_WRITE: {
      const v = P.Read
      const rw = { Length: v.Length, Key: v.Key, ByteOffset: v.ByteOffset }
      if (iopb.MajorFunction === IRP_MJ.IRP_MJ_READ) parameters.Read = rw
      else parameters.Write = rw
      buffers.UserBuffer = v.ReadBuffer
      break
    }
    case IRP_MJ.IRP_MJ_QUERY_INFORMATION: {
      const v = P.QueryFileInformation
      parameters.QueryFile = { Length: v.Length, FileInformationClass: v.FileInformationClass }
      buffers.SystemBuffer = v.InfoBuffer
      break
    }
    case IRP_MJ.IRP_MJ_SET_INFORMATION: {
      const v = P.SetFileInformation
      parameters.SetFile = {
        Length: v.Length,
        FileInformationClass: v.FileInformationClass,
        FileObject: v.ParentOfTarget as never,
        ReplaceIfExists: Boolean(v.ReplaceIfExists),
        AdvanceOnly: Boolean(v.AdvanceOnly),
        ClusterCount: v.ClusterCount ?? 0,
        DeleteHandle: v.DeleteHandle as number | undefined,
      }
      buffers.SystemBuffer = v.InfoBuffer
      break
    }
    case IRP_MJ.IRP_MJ_QUERY_EA: {
      const v = P.QueryEa
      parameters.QueryEa = { Length: v.Length, EaList: v.EaList as string[] | undefined, EaIndex: v.EaIndex }
      buffers.SystemBuffer = v.EaBuffer
      break
    }
    case IRP_MJ.IRP_MJ_SET_EA: {
      parameters.SetEa = { Length: P.SetEa.Length }
      buffers.SystemBuffer = P.SetEa.EaBuffer
      break
    }
    case IRP_MJ.IRP_MJ_QUERY_VOLUME_INFORMATION:
    case IRP_MJ.IRP_MJ_SET_VOLUME_INFORMATION: {
      const v = P.QueryVolumeInformation
      const q = { Length: v.Length, FsInformationClass: v.FsInformationClass }
      if (iopb.MajorFunction === IRP_MJ.IRP_MJ_QUERY_VOLUME_INFORMATION) parameters.QueryVolume = q
      else parameters.SetVolume = q
      buffers.SystemBuffer = v.VolumeBuffer
      break
    }
    case IRP_MJ.IRP_MJ_DIRECTORY_CONTROL: {
      if (iopb.MinorFunction === IRP_MN_DIRECTORY_CONTROL.IRP_MN_QUERY_DIRECTORY) {
        const v = P.DirectoryControl.QueryDirectory
        parameters.QueryDirectory = { Length: v.Length, FileName: v.FileName, FileInformationClass: v.FileInformationClass, FileIndex: v.FileIndex }
        buffers.UserBuffer = v.DirectoryBuffer
      } else {
        const v = P.DirectoryControl.NotifyDirectory
        parameters.NotifyDirectory = { Length: v.Length, CompletionFilter: v.CompletionFilter }
        buffers.UserBuffer = v.DirectoryBuffer
      }
      break
    }
    case IRP_MJ.IRP_MJ_FILE_SYSTEM_CONTROL: {
      if (original?.MountVolume) {
        parameters.MountVolume = original.MountVolume
        break
      }
      const v = P.FileSystemControl.Neither
      parameters.FileSystemControl = { OutputBufferLength: v.OutputBufferLength, InputBufferLength: v.InputBufferLength, FsControlCode: v.FsControlCode }
      buffers.SystemBuffer = v.InputBuffer
      buffers.OutputBuffer = v.OutputBuffer
      break
    }
    case IRP_MJ.IRP_MJ_LOCK_CONTROL: {
      const v = P.LockControl
      parameters.LockControl = { Length: v.Length, Key: v.Key, ByteOffset: v.ByteOffset }
      slFlags = (slFlags & ~(SL_FLAGS_LOCK.SL_FAIL_IMMEDIATELY | SL_FLAGS_LOCK.SL_EXCLUSIVE_LOCK)) | (v.FailImmediately ? SL_FLAGS_LOCK.SL_FAIL_IMMEDIATELY : 0) | (v.ExclusiveLock ? SL_FLAGS_LOCK.SL_EXCLUSIVE_LOCK : 0)
      break
    }
    default:
      if (original) Object.assign(parameters, original)
      break
  }
  return { parameters, buffers, flags: iopb.IrpFlags, slFlags }
}
