// What every FSCTL handler of the NTFS driver gets and gives back. The input is the
// METHOD_BUFFERED input buffer (Irp->AssociatedIrp.SystemBuffer); the output is written to the
// caller's output buffer up to OutputBufferLength, and Information is the number of bytes
// written.

import { ACCESS } from '../../nt/access.ts'
import { FILE_ACTION, FILE_NOTIFY_CHANGE } from '../../nt/file.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import type { Irp } from '../../io/irp.ts'
import { reportChange } from './notify.ts'
import type { Ccb, Vcb } from './structures.ts'
import { touchChange } from './times.ts'

export interface FsctlRequest {
  readonly vcb: Vcb
  readonly ccb: Ccb
  readonly irp: Irp
  readonly code: number
  /** the input buffer, InputBufferLength bytes */
  readonly input: Uint8Array
  /** OutputBufferLength */
  readonly outputLength: number
}

export interface FsctlResult {
  readonly status: NTSTATUS
  /** bytes for the caller's output buffer (Information = their length) */
  readonly output?: Uint8Array
}

export const result = (status: NTSTATUS, output?: Uint8Array): FsctlResult => (output ? { status, output } : { status })

/** an open of a file or directory (not of the volume): what reparse-point and object-id FSCTLs need */
export function isFileOpen(ccb: Ccb): boolean {
  return ccb.scb.kind !== 'volume'
}

/** the handle was opened for writing data or attributes (MS-FSA's check for metadata FSCTLs) */
export function canWriteMetadata(ccb: Ccb): boolean {
  return (ccb.grantedAccess & (ACCESS.FILE_WRITE_DATA | ACCESS.FILE_WRITE_ATTRIBUTES)) !== 0
}

/** metadata of the open file changed: ChangeTime moves and the directory watchers hear FILE_ACTION_MODIFIED */
export function metadataChanged(ccb: Ccb, filter: number = FILE_NOTIFY_CHANGE.FILE_NOTIFY_CHANGE_ATTRIBUTES): void {
  touchChange(ccb.fcb, ccb)
  if (ccb.link) reportChange(ccb.vcb, ccb.link.parent, ccb.link.name, FILE_ACTION.FILE_ACTION_MODIFIED, filter)
}

export function needOutput(req: FsctlRequest, bytes: number): FsctlResult | undefined {
  return req.outputLength < bytes ? result(STATUS.STATUS_BUFFER_TOO_SMALL) : undefined
}
