// The NTFS driver object (\FileSystem\Ntfs) with its dispatch table, and the mount of a volume:
// a volume device object (VDO) with the VCB in its extension, wired to the real device's VPB
// so that opens of \Device\HarddiskVolumeN\... reach it (IopParseDevice → Vpb->DeviceObject).

import { DriverObject, VPB_MOUNTED, DO_DEVICE_INITIALIZING, type DeviceObject, type DispatchRoutine } from '../../io/device.ts'
import type { IoManager } from '../../io/iomgr.ts'
import { FILE_DEVICE } from '../../nt/file.ts'
import { IRP_MJ } from '../../nt/irp.ts'
import { CcOf } from '../../cc/cache-manager.ts'
import { FsRtlRegisterFileSystemFilterCallbacks } from '../../mm/fsrtl.ts'
import { attachCache } from './cache-attach.ts'
import { ntfsCleanup } from './cleanup.ts'
import { ntfsFastIoDispatch, ntfsFsFilterCallbacks } from './fastio.ts'
import { dirctrlDispatch } from './dirctrl.ts'
import { attachDirectoryNotify } from './dirctrl-notify.ts'
import { eaDispatch } from './ea.ts'
import { ntfsClose } from './close.ts'
import { ntfsCreate } from './create.ts'
import { ntfsQueryInformation, ntfsSetInformation } from './fileinfo.ts'
import { ntfsFlushBuffers } from './flush.ts'
import { attachOplocks } from './oplock.ts'
import { fsctlDispatch } from './fsctl.ts'
import { ntfsLockControl } from './lockctrl.ts'
import { ntfsRead } from './read.ts'
import type { NtfsStore } from './store.ts'
import { Vcb, type NtfsSettings } from './structures.ts'
import { volinfoDispatch } from './volinfo.ts'
import { ntfsWrite } from './write.ts'

const drivers = new WeakMap<IoManager, DriverObject>()

/** the dispatch routines of \FileSystem\Ntfs by major function */
export function ntfsDispatchTable(): Partial<Record<number, DispatchRoutine>> {
  return {
    [IRP_MJ.IRP_MJ_CREATE]: ntfsCreate,
    [IRP_MJ.IRP_MJ_CLOSE]: ntfsClose,
    [IRP_MJ.IRP_MJ_READ]: ntfsRead,
    [IRP_MJ.IRP_MJ_WRITE]: ntfsWrite,
    [IRP_MJ.IRP_MJ_QUERY_INFORMATION]: ntfsQueryInformation,
    [IRP_MJ.IRP_MJ_SET_INFORMATION]: ntfsSetInformation,
    [IRP_MJ.IRP_MJ_QUERY_EA]: eaDispatch,
    [IRP_MJ.IRP_MJ_SET_EA]: eaDispatch,
    [IRP_MJ.IRP_MJ_FLUSH_BUFFERS]: ntfsFlushBuffers,
    [IRP_MJ.IRP_MJ_QUERY_VOLUME_INFORMATION]: volinfoDispatch,
    [IRP_MJ.IRP_MJ_SET_VOLUME_INFORMATION]: volinfoDispatch,
    [IRP_MJ.IRP_MJ_DIRECTORY_CONTROL]: dirctrlDispatch,
    [IRP_MJ.IRP_MJ_FILE_SYSTEM_CONTROL]: fsctlDispatch,
    [IRP_MJ.IRP_MJ_LOCK_CONTROL]: ntfsLockControl,
    [IRP_MJ.IRP_MJ_CLEANUP]: ntfsCleanup,
  }
}

/** the NTFS driver object of a machine (DriverEntry runs once per I/O manager) */
export function createNtfsDriver(io: IoManager): DriverObject {
  let d = drivers.get(io)
  if (d) return d
  d = new DriverObject('\\FileSystem\\Ntfs')
  for (const [major, routine] of Object.entries(ntfsDispatchTable())) d.MajorFunction[Number(major)] = routine
  d.FastIoDispatch = ntfsFastIoDispatch()
  FsRtlRegisterFileSystemFilterCallbacks(d, ntfsFsFilterCallbacks())
  drivers.set(io, d)
  return d
}

/**
 * Mounts `store` on the real device `realDevice` (IRP_MN_MOUNT_VOLUME's work): creates the
 * volume device object, the VCB, and points the VPB at them. Returns the volume device object.
 */
export function mountNtfsVolume(io: IoManager, realDevice: DeviceObject, store: NtfsStore, settings: Partial<NtfsSettings> = {}): DeviceObject {
  const vpb = realDevice.Vpb
  if (!vpb) throw new Error(`mountNtfsVolume: ${realDevice.header.name} has no VPB (not a volume device)`)
  if (vpb.Flags & VPB_MOUNTED) throw new Error(`mountNtfsVolume: ${realDevice.header.name} is already mounted`)
  const driver = createNtfsDriver(io)
  // the volume device object has no name (NTFS creates it unnamed)
  const vdo = io.createDevice(driver, FILE_DEVICE.FILE_DEVICE_DISK_FILE_SYSTEM, `${realDevice.header.name} (NTFS)`, { inNamespace: false })
  const vcb = new Vcb(io, store, realDevice, vpb, settings)
  vcb.volumeDevice = vdo
  vdo.DeviceExtension = vcb
  // the machine's Cache Manager, when it runs one: cached I/O goes through it from now on
  const cc = CcOf(io)
  if (cc) attachCache(vcb, cc)
  // change notification hears every directory change and every cleanup
  attachDirectoryNotify(vcb)
  // the oplock package hears every handle's cleanup
  attachOplocks(vcb)
  vdo.traceAt = 'fs'
  vdo.StackSize = realDevice.StackSize + 1
  vdo.Vpb = vpb
  vpb.DeviceObject = vdo
  vpb.SerialNumber = Number(store.geometry.serialNumber & 0xffffffffn)
  vpb.VolumeLabel = store.volumeLabel()
  vpb.Flags |= VPB_MOUNTED
  vpb.ReferenceCount++
  vdo.Flags &= ~DO_DEVICE_INITIALIZING
  return vdo
}

/** the VCB of a mounted volume device object */
export function vcbOfVolume(vdo: DeviceObject): Vcb {
  const v = vdo.DeviceExtension
  if (!(v instanceof Vcb)) throw new Error(`${vdo.header.name} is not an NTFS volume device object`)
  return v
}
