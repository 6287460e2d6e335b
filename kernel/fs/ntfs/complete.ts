// Completing an IRP the way every NTFS dispatch routine ends (NtfsCompleteRequest): status and
// Information into IoStatus, IoCompleteRequest exactly once, the status returned.

import { IoCompleteRequest, type Irp } from '../../io/irp.ts'
import type { NTSTATUS } from '../../nt/status.ts'

export function completeIrp(irp: Irp, status: NTSTATUS, information = 0): NTSTATUS {
  irp.IoStatus.Status = status
  irp.IoStatus.Information = information
  IoCompleteRequest(irp)
  return status
}

/** The outcome of an operation before its IRP is completed. */
export interface Outcome {
  status: NTSTATUS
  information: number
}

export const outcome = (status: NTSTATUS, information = 0): Outcome => ({ status, information })
