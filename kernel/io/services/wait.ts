// NtWaitForSingleObject on a file handle: waits for the file object's event, which an
// asynchronous operation signals when it completes.

import { KeWaitForSingleObject, type Co } from '../../ke/index.ts'
import { STATUS } from '../../nt/status.ts'
import type { IoManager } from '../iomgr.ts'
import { referenceFile, type ServiceResult } from './handles.ts'

export function* NtWaitForSingleObject(io: IoManager, a: { Handle: number; Timeout?: number }): Co<ServiceResult> {
  const ref = referenceFile(io, a.Handle)
  if ('status' in ref) return { status: ref.status, information: 0 }
  const st = yield* KeWaitForSingleObject(ref.fo.Event, a.Timeout, `handle ${a.Handle}`)
  return { status: st === STATUS.STATUS_TIMEOUT ? STATUS.STATUS_TIMEOUT : STATUS.STATUS_SUCCESS, information: 0 }
}
