// NtQueryVolumeInformationFile and NtSetVolumeInformationFile.

import type { Co } from '../../ke/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { IRP_FLAGS, IRP_MJ } from '../../nt/irp.ts'
import { FS_INFORMATION_CLASS as F } from '../../nt/infoclass.ts'
import { STATUS } from '../../nt/status.ts'
import { encodeFsInformation, FS_INFO_LENGTH } from '../../rtl/structs/fsinfo.ts'
import { FILE_DEVICE_CHARACTERISTICS } from '../../nt/file.ts'
import { referenceFile } from './handles.ts'
import { VPB_MOUNTED } from '../device.ts'
import { fsInformationClassName } from '../../nt/infoclass.ts'
import type { IoManager } from '../iomgr.ts'
import { sendFileIrp } from './file-irp.ts'
import type { ServiceResult } from './handles.ts'

/** NtQueryVolumeInformationFile */
export function* NtQueryVolumeInformationFile(io: IoManager, a: { FileHandle: number; FsInformationClass: number; Length: number }): Co<ServiceResult & { buffer?: Uint8Array }> {
  const name = fsInformationClassName(a.FsInformationClass)
  const len = name ? FS_INFO_LENGTH[name] : undefined
  if (!len || len.query === 0) return { status: STATUS.STATUS_INVALID_INFO_CLASS, information: 0 }
  if (a.Length < len.query) return { status: STATUS.STATUS_INFO_LENGTH_MISMATCH, information: 0 }
  if (a.FsInformationClass === F.FileFsDeviceInformation) {
    // the I/O manager answers this one from the device object itself (IopQueryDeviceInformation);
    // a volume with a mounted file system reports FILE_DEVICE_IS_MOUNTED
    const ref = referenceFile(io, a.FileHandle)
    if ('status' in ref) return { status: ref.status, information: 0 }
    const dev = ref.fo.DeviceObject
    const mounted = dev.Vpb && dev.Vpb.Flags & VPB_MOUNTED ? FILE_DEVICE_CHARACTERISTICS.FILE_DEVICE_IS_MOUNTED : 0
    const enc = encodeFsInformation('FileFsDeviceInformation', { DeviceType: dev.DeviceType, Characteristics: dev.Characteristics | mounted }, a.Length)
    return { status: enc.status, information: enc.information, buffer: enc.bytes }
  }
  // documented: FileFsControlInformation needs FILE_READ_DATA on the volume (others need nothing)
  const access = a.FsInformationClass === F.FileFsControlInformation ? ACCESS.FILE_READ_DATA : 0
  const r = yield* sendFileIrp(io, a.FileHandle, 'NtQueryVolumeInformationFile', { all: access }, IRP_MJ.IRP_MJ_QUERY_VOLUME_INFORMATION, 0, (irp, sp) => {
    irp.Flags = IRP_FLAGS.IRP_BUFFERED_IO | IRP_FLAGS.IRP_DEALLOCATE_BUFFER | IRP_FLAGS.IRP_INPUT_OPERATION | IRP_FLAGS.IRP_DEFER_IO_COMPLETION
    irp.SystemBuffer = new Uint8Array(a.Length)
    sp.Parameters.QueryVolume = { Length: a.Length, FsInformationClass: a.FsInformationClass }
  })
  return { status: r.status, information: r.information, buffer: r.irp?.SystemBuffer?.subarray(0, r.information) }
}

/** NtSetVolumeInformationFile */
export function* NtSetVolumeInformationFile(io: IoManager, a: { FileHandle: number; FsInformationClass: number; FsInformation: Uint8Array }): Co<ServiceResult> {
  const name = fsInformationClassName(a.FsInformationClass)
  const len = name ? FS_INFO_LENGTH[name] : undefined
  if (!len || len.set === 0) return { status: STATUS.STATUS_INVALID_INFO_CLASS, information: 0 }
  if (a.FsInformation.length < len.set) return { status: STATUS.STATUS_INFO_LENGTH_MISMATCH, information: 0 }
  const r = yield* sendFileIrp(io, a.FileHandle, 'NtSetVolumeInformationFile', { all: ACCESS.FILE_WRITE_DATA }, IRP_MJ.IRP_MJ_SET_VOLUME_INFORMATION, 0, (irp, sp) => {
    irp.Flags = IRP_FLAGS.IRP_BUFFERED_IO | IRP_FLAGS.IRP_DEALLOCATE_BUFFER | IRP_FLAGS.IRP_DEFER_IO_COMPLETION
    irp.SystemBuffer = a.FsInformation
    sp.Parameters.SetVolume = { Length: a.FsInformation.length, FsInformationClass: a.FsInformationClass }
  })
  return { status: r.status, information: r.information }
}
