// IRP_MJ_FLUSH_BUFFERS (FlushFileBuffers): the stream's cached data goes to the volume
// (CcFlushCache once a Cache Manager is attached), then the volume makes it durable. A flush
// of a volume open flushes the whole volume. On a directory there is nothing cached; NTFS
// still succeeds (unverified: NTFS flushes the directory's index and metadata).

import type { Co } from '../../ke/index.ts'
import type { DeviceObject } from '../../io/device.ts'
import { IoGetCurrentIrpStackLocation, type Irp } from '../../io/irp.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import { completeIrp } from './complete.ts'
import { ccbOf } from './structures.ts'
import { checkOplock } from './oplock.ts'
import { storeFailure, vcbOf } from './volume.ts'

/** IRP_MJ_FLUSH_BUFFERS dispatch */
export function* ntfsFlushBuffers(device: DeviceObject, irp: Irp): Co<NTSTATUS> {
  const vcb = vcbOf(device)
  const sp = IoGetCurrentIrpStackLocation(irp)
  const ccb = ccbOf(sp.FileObject)
  if (!ccb) return completeIrp(irp, STATUS.STATUS_INVALID_PARAMETER)
  if (vcb.dismounted) return completeIrp(irp, STATUS.STATUS_VOLUME_DISMOUNTED)
  if (ccb.fcb.fileDeleted) return completeIrp(irp, STATUS.STATUS_FILE_DELETED)
  const oplockStatus = yield* checkOplock(ccb, irp)
  if (oplockStatus !== STATUS.STATUS_SUCCESS) return completeIrp(irp, oplockStatus)
  yield* ccb.fcb.Resource.acquireExclusive()
  try {
    if (vcb.cache) {
      // CcFlushCache in the caller's thread: synchronous paging writes (observed, Win7 jump list)
      let st: NTSTATUS = STATUS.STATUS_SUCCESS
      if (ccb.fcb.kind === 'volume') {
        for (const f of vcb.fcbTable.values()) for (const s of f.scbs.values()) if (s.kind === 'data' && st === STATUS.STATUS_SUCCESS) st = yield* vcb.cache.flush(s)
      } else if (ccb.scb.kind === 'data') {
        st = yield* vcb.cache.flush(ccb.scb)
      }
      if (st !== STATUS.STATUS_SUCCESS) return completeIrp(irp, st)
    }
    vcb.store.flush()
    return completeIrp(irp, STATUS.STATUS_SUCCESS)
  } catch (e) {
    return completeIrp(irp, storeFailure(e))
  } finally {
    ccb.fcb.Resource.release()
  }
}
