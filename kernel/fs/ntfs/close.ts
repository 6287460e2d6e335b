// IRP_MJ_CLOSE (NtfsCommonClose): the file object's last reference went. The CCB goes, the SCB
// when no file object uses it any more, the FCB when none of its streams is open. Close never
// fails and never blocks on the volume.

import type { Co } from '../../ke/index.ts'
import type { DeviceObject } from '../../io/device.ts'
import { IoGetCurrentIrpStackLocation, type Irp } from '../../io/irp.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import { FsRtlUninitializeOplock } from '../../fsrtl/index.ts'
import { completeIrp } from './complete.ts'
import { oplockOf } from './oplock.ts'
import { ccbOf } from './structures.ts'
import { vcbOf } from './volume.ts'

/** IRP_MJ_CLOSE dispatch */
export function* ntfsClose(device: DeviceObject, irp: Irp): Co<NTSTATUS> {
  const vcb = vcbOf(device)
  const sp = IoGetCurrentIrpStackLocation(irp)
  const ccb = ccbOf(sp.FileObject)
  if (ccb && ccb.vcb === vcb) {
    const { scb, fcb } = ccb
    scb.closeCount--
    fcb.closeCount--
    fcb.ccbs.delete(ccb)
    if (scb.closeCount === 0 && fcb.scbs.get(scb.key) === scb) {
      // the SCB goes with its OPLOCK (FsRtlUninitializeOplock: nothing may stay pended on it)
      FsRtlUninitializeOplock(oplockOf(scb))
      fcb.scbs.delete(scb.key)
    }
    vcb.maybeTeardown(fcb)
  }
  return completeIrp(irp, STATUS.STATUS_SUCCESS)
}
