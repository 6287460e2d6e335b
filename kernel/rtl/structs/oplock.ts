// FSCTL_REQUEST_OPLOCK buffers (Windows 7+ oplocks): REQUEST_OPLOCK_INPUT_BUFFER (12 bytes)
// and REQUEST_OPLOCK_OUTPUT_BUFFER (24 bytes on x64), and the checks made on them before the
// oplock package looks at the request.

import { OPLOCK, OPLOCK_LEVEL, REQUEST_OPLOCK_INPUT_FLAG } from '../../nt/irp.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import { u16, view } from './buffer.ts'
import { type Decoded, type Input, defineStruct } from './struct.ts'

export const REQUEST_OPLOCK_CURRENT_VERSION = OPLOCK.REQUEST_OPLOCK_CURRENT_VERSION

/** winioctl.h: StructureVersion, StructureLength, RequestedOplockLevel, Flags. */
export const REQUEST_OPLOCK_INPUT_BUFFER = defineStruct('REQUEST_OPLOCK_INPUT_BUFFER', 12, {
  StructureVersion: ['u16', 0],
  StructureLength: ['u16', 2],
  RequestedOplockLevel: ['u32', 4],
  Flags: ['u32', 8],
})

/** winioctl.h: ..., OriginalOplockLevel, NewOplockLevel, Flags, AccessMode, ShareMode (USHORT, padded). */
export const REQUEST_OPLOCK_OUTPUT_BUFFER = defineStruct('REQUEST_OPLOCK_OUTPUT_BUFFER', 24, {
  StructureVersion: ['u16', 0],
  StructureLength: ['u16', 2],
  OriginalOplockLevel: ['u32', 4],
  NewOplockLevel: ['u32', 8],
  Flags: ['u32', 12],
  AccessMode: ['u32', 16],
  ShareMode: ['u16', 20],
})

export type RequestOplockInput = Decoded<typeof REQUEST_OPLOCK_INPUT_BUFFER.fields>
export type RequestOplockOutput = Decoded<typeof REQUEST_OPLOCK_OUTPUT_BUFFER.fields>

const R = OPLOCK_LEVEL.OPLOCK_LEVEL_CACHE_READ
const H = OPLOCK_LEVEL.OPLOCK_LEVEL_CACHE_HANDLE
const W = OPLOCK_LEVEL.OPLOCK_LEVEL_CACHE_WRITE
/** The levels a request may ask for (REQUEST_OPLOCK_INPUT_BUFFER docs): R, RH, RW, RWH. */
export const VALID_REQUEST_LEVELS: readonly number[] = [R, R | H, R | W, R | W | H]

/** An input buffer with the current version and length filled in. */
export function encodeRequestOplockInput(obj: Input<typeof REQUEST_OPLOCK_INPUT_BUFFER.fields>): Uint8Array {
  return REQUEST_OPLOCK_INPUT_BUFFER.encode({
    StructureVersion: REQUEST_OPLOCK_CURRENT_VERSION,
    StructureLength: REQUEST_OPLOCK_INPUT_BUFFER.size,
    ...obj,
  })
}

export function decodeRequestOplockInput(bytes: Uint8Array): RequestOplockInput {
  return REQUEST_OPLOCK_INPUT_BUFFER.decode(bytes)
}

/** An output buffer with the current version and length filled in. */
export function encodeRequestOplockOutput(obj: Input<typeof REQUEST_OPLOCK_OUTPUT_BUFFER.fields>): Uint8Array {
  return REQUEST_OPLOCK_OUTPUT_BUFFER.encode({
    StructureVersion: REQUEST_OPLOCK_CURRENT_VERSION,
    StructureLength: REQUEST_OPLOCK_OUTPUT_BUFFER.size,
    ...obj,
  })
}

export function decodeRequestOplockOutput(bytes: Uint8Array): RequestOplockOutput {
  return REQUEST_OPLOCK_OUTPUT_BUFFER.decode(bytes)
}

/**
 * The structural checks of FSCTL_REQUEST_OPLOCK:
 * - input shorter than 12 bytes or output shorter than 24 → STATUS_BUFFER_TOO_SMALL;
 * - StructureVersion not REQUEST_OPLOCK_CURRENT_VERSION, or StructureLength below 12 →
 *   STATUS_INVALID_PARAMETER;
 * - REQUEST and ACK together, or neither → STATUS_INVALID_PARAMETER (the docs: setting both
 *   "will cause the request to fail with ERROR_INVALID_PARAMETER");
 * - a requested level other than R, RH, RW, RWH (an ACK may also acknowledge to level 0) →
 *   STATUS_INVALID_PARAMETER.
 * unverified: the status for short buffers and for a request with neither flag.
 */
export function checkRequestOplock(input: Uint8Array, outputLength: number): NTSTATUS {
  if (input.length < REQUEST_OPLOCK_INPUT_BUFFER.size || outputLength < REQUEST_OPLOCK_OUTPUT_BUFFER.size) {
    return STATUS.STATUS_BUFFER_TOO_SMALL
  }
  const req = REQUEST_OPLOCK_INPUT_BUFFER.decode(input)
  if (req.StructureVersion !== REQUEST_OPLOCK_CURRENT_VERSION || u16(view(input), 2) < REQUEST_OPLOCK_INPUT_BUFFER.size) {
    return STATUS.STATUS_INVALID_PARAMETER
  }
  const isRequest = (req.Flags & REQUEST_OPLOCK_INPUT_FLAG.REQUEST_OPLOCK_INPUT_FLAG_REQUEST) !== 0
  const isAck = (req.Flags & REQUEST_OPLOCK_INPUT_FLAG.REQUEST_OPLOCK_INPUT_FLAG_ACK) !== 0
  if (isRequest === isAck) return STATUS.STATUS_INVALID_PARAMETER
  const levelOk = VALID_REQUEST_LEVELS.includes(req.RequestedOplockLevel) || (isAck && req.RequestedOplockLevel === 0)
  return levelOk ? STATUS.STATUS_SUCCESS : STATUS.STATUS_INVALID_PARAMETER
}
