// Object ids (MS-FSA 2.1.5.10: FSCTL_CREATE_OR_GET_OBJECT_ID, FSCTL_GET_OBJECT_ID,
// FSCTL_SET_OBJECT_ID, FSCTL_SET_OBJECT_ID_EXTENDED, FSCTL_DELETE_OBJECT_ID). The 16-byte
// ObjectId lives on the volume ($OBJECT_ID, indexed in \$Extend\$ObjId); the 48 bytes of
// extended information (BirthVolumeId, BirthObjectId, DomainId) that NTFS keeps next to it are
// kept per mounted volume here (the store boundary holds only the ObjectId).
//
// FILE_OBJECTID_BUFFER (MS-FSCC 2.1.3): ObjectId at 0, BirthVolumeId at 16, BirthObjectId at 32,
// DomainId at 48; 64 bytes.

import { STATUS } from '../../nt/status.ts'
import type { RecordNo } from './store.ts'
import { canWriteMetadata, isFileOpen, metadataChanged, result, type FsctlRequest, type FsctlResult } from './fsctl-common.ts'
import { VOLUME_RECORD, type Vcb } from './structures.ts'

export const FILE_OBJECTID_BUFFER_SIZE = 64
const EXTENDED_INFO_SIZE = 48
const EXT_KEY = 'ntfs.objectid.extended'

function extendedMap(vcb: Vcb): Map<string, Uint8Array> {
  let m = vcb.ext.get(EXT_KEY) as Map<string, Uint8Array> | undefined
  if (!m) {
    m = new Map()
    vcb.ext.set(EXT_KEY, m)
  }
  return m
}

function extKey(vcb: Vcb, record: RecordNo): string {
  return `${record}:${vcb.store.readRecord(record)?.seq ?? 0}`
}

/**
 * The extended information of a record's object id: what was set, or what NTFS fills in when it
 * creates an id itself (MS-FSCC 2.1.3.1 type 1: BirthVolumeId = the volume's object id,
 * BirthObjectId = the ObjectId, DomainId zero).
 */
export function objectIdExtendedInfo(vcb: Vcb, record: RecordNo): Uint8Array {
  const stored = extendedMap(vcb).get(extKey(vcb, record))
  if (stored) return stored
  const ext = new Uint8Array(EXTENDED_INFO_SIZE)
  const volumeId = record === VOLUME_RECORD ? undefined : vcb.store.readRecord(VOLUME_RECORD)?.objectId
  if (volumeId) ext.set(volumeId, 0)
  const own = vcb.store.readRecord(record)?.objectId
  if (own) ext.set(own, 16)
  return ext
}

export function setObjectIdExtendedInfo(vcb: Vcb, record: RecordNo, ext: Uint8Array | undefined): void {
  const m = extendedMap(vcb)
  if (ext) m.set(extKey(vcb, record), ext.slice(0, EXTENDED_INFO_SIZE))
  else m.delete(extKey(vcb, record))
}

function objectIdBuffer(vcb: Vcb, record: RecordNo, objectId: Uint8Array): Uint8Array {
  const out = new Uint8Array(FILE_OBJECTID_BUFFER_SIZE)
  out.set(objectId, 0)
  out.set(objectIdExtendedInfo(vcb, record), 16)
  return out
}

/** a new object id, unique on the volume; unverified: NTFS uses a time-based UUID (ExUuidCreate), this one comes from the seeded PRNG */
function newObjectId(vcb: Vcb): Uint8Array {
  const prng = vcb.io.ke.prng
  for (;;) {
    const id = new Uint8Array(16)
    for (let i = 0; i < 16; i++) id[i] = prng.nextInt(256)
    id[7] = (id[7]! & 0x0f) | 0x40 // version 4 (Data3's high nibble)
    id[8] = (id[8]! & 0x3f) | 0x80 // RFC 4122 variant
    if (vcb.store.findByObjectId(id) === undefined) return id
  }
}

export function createOrGetObjectId(req: FsctlRequest): FsctlResult {
  const { vcb, ccb } = req
  if (!isFileOpen(ccb)) return result(STATUS.STATUS_INVALID_PARAMETER)
  // MS-FSCC 2.3.2: an output buffer too small for FILE_OBJECTID_BUFFER is STATUS_INVALID_PARAMETER
  if (req.outputLength < FILE_OBJECTID_BUFFER_SIZE) return result(STATUS.STATUS_INVALID_PARAMETER)
  const r = ccb.fcb.mustRead()
  if (r.objectId) return result(STATUS.STATUS_SUCCESS, objectIdBuffer(vcb, r.record, r.objectId))
  const id = newObjectId(vcb)
  vcb.store.atomic(() => vcb.store.setObjectId(r.record, id))
  setObjectIdExtendedInfo(vcb, r.record, undefined)
  metadataChanged(ccb)
  return result(STATUS.STATUS_SUCCESS, objectIdBuffer(vcb, r.record, id))
}

export function getObjectId(req: FsctlRequest): FsctlResult {
  const { vcb, ccb } = req
  if (!isFileOpen(ccb)) return result(STATUS.STATUS_INVALID_PARAMETER)
  const r = ccb.fcb.mustRead()
  // MS-FSA 2.1.5.10.11: no object id → STATUS_OBJECTID_NOT_FOUND
  if (!r.objectId) return result(STATUS.STATUS_OBJECTID_NOT_FOUND)
  if (req.outputLength < FILE_OBJECTID_BUFFER_SIZE) return result(STATUS.STATUS_INVALID_PARAMETER)
  return result(STATUS.STATUS_SUCCESS, objectIdBuffer(vcb, r.record, r.objectId))
}

export function setObjectId(req: FsctlRequest): FsctlResult {
  const { vcb, ccb, input } = req
  if (!isFileOpen(ccb)) return result(STATUS.STATUS_INVALID_PARAMETER)
  // MS-FSA 2.1.5.10.35, in its order
  if (input.length !== FILE_OBJECTID_BUFFER_SIZE) return result(STATUS.STATUS_INVALID_PARAMETER)
  // unverified: the restore privilege is not modelled; an open that may write data or attributes stands for it
  if (!canWriteMetadata(ccb)) return result(STATUS.STATUS_ACCESS_DENIED)
  const r = ccb.fcb.mustRead()
  if (r.objectId) return result(STATUS.STATUS_OBJECT_NAME_COLLISION)
  const id = input.slice(0, 16)
  if (vcb.store.findByObjectId(id) !== undefined) return result(STATUS.STATUS_DUPLICATE_NAME)
  vcb.store.atomic(() => vcb.store.setObjectId(r.record, id))
  setObjectIdExtendedInfo(vcb, r.record, input.subarray(16, 64))
  metadataChanged(ccb)
  return result(STATUS.STATUS_SUCCESS)
}

export function setObjectIdExtended(req: FsctlRequest): FsctlResult {
  const { vcb, ccb, input } = req
  if (!isFileOpen(ccb)) return result(STATUS.STATUS_INVALID_PARAMETER)
  // MS-FSA 2.1.5.10.36
  if (input.length !== EXTENDED_INFO_SIZE) return result(STATUS.STATUS_INVALID_PARAMETER)
  if (!canWriteMetadata(ccb)) return result(STATUS.STATUS_ACCESS_DENIED)
  const r = ccb.fcb.mustRead()
  if (!r.objectId) return result(STATUS.STATUS_OBJECTID_NOT_FOUND)
  setObjectIdExtendedInfo(vcb, r.record, input)
  metadataChanged(ccb)
  return result(STATUS.STATUS_SUCCESS)
}

export function deleteObjectId(req: FsctlRequest): FsctlResult {
  const { vcb, ccb } = req
  if (!isFileOpen(ccb)) return result(STATUS.STATUS_INVALID_PARAMETER)
  // MS-FSA 2.1.5.10.8: the open must be able to write data or attributes
  if (!canWriteMetadata(ccb)) return result(STATUS.STATUS_ACCESS_DENIED)
  const r = ccb.fcb.mustRead()
  // unverified: deleting an object id that is not there succeeds
  if (!r.objectId) return result(STATUS.STATUS_SUCCESS)
  vcb.store.atomic(() => vcb.store.setObjectId(r.record, undefined))
  setObjectIdExtendedInfo(vcb, r.record, undefined)
  metadataChanged(ccb)
  return result(STATUS.STATUS_SUCCESS)
}
