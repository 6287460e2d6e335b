// The VCB of a volume device object, and what a store failure means to a caller.

import type { DeviceObject } from '../../io/device.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import { StoreError } from './store.ts'
import { Vcb } from './structures.ts'

/** the VCB in a volume device object's extension (mountNtfsVolume puts it there) */
export function vcbOf(device: DeviceObject): Vcb {
  const v = device.DeviceExtension
  if (!(v instanceof Vcb)) throw new Error(`NTFS: device ${device.header.name} is not an NTFS volume device`)
  return v
}

/**
 * A StoreError becomes the status NTFS returns for it: a full volume STATUS_DISK_FULL, a
 * corrupt structure STATUS_FILE_CORRUPT_ERROR, a failed read or write of the image
 * STATUS_DATA_ERROR. Anything else is a bug in the driver and is rethrown (a bugcheck).
 */
export function storeFailure(e: unknown): NTSTATUS {
  if (!(e instanceof StoreError)) throw e
  switch (e.kind) {
    case 'disk-full':
      return STATUS.STATUS_DISK_FULL
    case 'corrupt':
      return STATUS.STATUS_FILE_CORRUPT_ERROR
    case 'io':
      return STATUS.STATUS_DATA_ERROR
    case 'not-found':
      return STATUS.STATUS_OBJECT_NAME_NOT_FOUND
    case 'invalid':
      return STATUS.STATUS_INVALID_PARAMETER
  }
}
