// FILE_OBJECTID_BUFFER (FSCTL_SET_OBJECT_ID, FSCTL_GET_OBJECT_ID, FSCTL_CREATE_OR_GET_OBJECT_ID,
// FSCTL_SET_OBJECT_ID_EXTENDED): the 16-byte object id and 48 bytes of extended info, which
// Windows fills as BirthVolumeId, BirthObjectId and DomainId (MS-FSCC FILE_OBJECTID_BUFFER
// Type 1). 64 bytes. Ids are written as GUID strings in Windows byte order.

import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import { type EncodeResult, StructError } from './buffer.ts'
import { type Decoded, type Input, defineStruct } from './struct.ts'

export const FILE_OBJECTID_BUFFER = defineStruct('FILE_OBJECTID_BUFFER', 64, {
  ObjectId: ['guid', 0],
  BirthVolumeId: ['guid', 16],
  BirthObjectId: ['guid', 32],
  DomainId: ['guid', 48],
})
/** The ExtendedInfo part alone (FSCTL_SET_OBJECT_ID_EXTENDED's input): 48 bytes. */
export const OBJECTID_EXTENDED_INFO_SIZE = 48

export type FileObjectIdBuffer = Decoded<typeof FILE_OBJECTID_BUFFER.fields>

export function encodeObjectIdBuffer(obj: Input<typeof FILE_OBJECTID_BUFFER.fields>): Uint8Array {
  return FILE_OBJECTID_BUFFER.encode(obj)
}

export function decodeObjectIdBuffer(bytes: Uint8Array): FileObjectIdBuffer {
  return FILE_OBJECTID_BUFFER.decode(bytes)
}

/** The 48 bytes of ExtendedInfo (BirthVolumeId, BirthObjectId, DomainId). */
export function encodeObjectIdExtendedInfo(obj: { BirthVolumeId?: string; BirthObjectId?: string; DomainId?: string }): Uint8Array {
  return FILE_OBJECTID_BUFFER.encode(obj).slice(16)
}

export function decodeObjectIdExtendedInfo(bytes: Uint8Array): { BirthVolumeId: string; BirthObjectId: string; DomainId: string } {
  if (bytes.length < OBJECTID_EXTENDED_INFO_SIZE) {
    throw new StructError('FILE_OBJECTID_BUFFER.ExtendedInfo', `needs 48 bytes, the buffer has ${bytes.length}`)
  }
  const full = new Uint8Array(64)
  full.set(bytes.subarray(0, 48), 16)
  const { ObjectId: _unused, ...rest } = FILE_OBJECTID_BUFFER.decode(full)
  return rest
}

/**
 * FSCTL_SET_OBJECT_ID's input check: exactly sizeof(FILE_OBJECTID_BUFFER), else
 * STATUS_INVALID_PARAMETER; FSCTL_SET_OBJECT_ID_EXTENDED: exactly 48 bytes.
 * unverified: MS-FSA states the FSCTL size checks as STATUS_INVALID_PARAMETER.
 */
export function checkSetObjectIdInput(length: number, extended = false): NTSTATUS {
  return length === (extended ? OBJECTID_EXTENDED_INFO_SIZE : FILE_OBJECTID_BUFFER.size) ? STATUS.STATUS_SUCCESS : STATUS.STATUS_INVALID_PARAMETER
}

/**
 * FSCTL_GET_OBJECT_ID / FSCTL_CREATE_OR_GET_OBJECT_ID output: an output buffer smaller than 64
 * bytes → STATUS_INVALID_PARAMETER and nothing; else the 64 bytes.
 * unverified: as for checkSetObjectIdInput.
 */
export function encodeObjectIdQuery(obj: Input<typeof FILE_OBJECTID_BUFFER.fields>, bufferLength: number): EncodeResult {
  if (bufferLength < FILE_OBJECTID_BUFFER.size) return { bytes: new Uint8Array(0), status: STATUS.STATUS_INVALID_PARAMETER, information: 0 }
  const bytes = FILE_OBJECTID_BUFFER.encode(obj)
  return { bytes, status: STATUS.STATUS_SUCCESS, information: bytes.length }
}
