// Entries of the view indexes (layout.h): $Secure:$SII and $Secure:$SDH (security
// descriptors by id and by hash), $Extend\$ObjId:$O (object ids) and $Extend\$Reparse:$R
// (reparse points). Each builder returns the key and data of an IndexEntry for the tree.
import type { Collation, IndexEntry } from './host.ts'
import { StoreError } from '../../store.ts'

function dv(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength)
}

function need(b: Uint8Array, n: number, what: string): void {
  if (b.length < n) throw new StoreError(`${what}: ${b.length} bytes, ${n} expected`, 'corrupt')
}

/** how each view index is declared in its $INDEX_ROOT */
export const VIEW_INDEXES: Readonly<Record<'$SII' | '$SDH' | '$O' | '$R', Collation>> = {
  $SII: 'ulong', // COLLATION_NTOFS_ULONG
  $SDH: 'security-hash', // COLLATION_NTOFS_SECURITY_HASH
  $O: 'ulongs', // COLLATION_NTOFS_ULONGS (in $ObjId; $Quota's $O is 'sid')
  $R: 'ulongs', // COLLATION_NTOFS_ULONGS
}

// ---- $Secure ----

/** SECURITY_DESCRIPTOR_HEADER: the data of $SII and $SDH entries and the head of each $SDS entry */
export interface SecurityDescriptorHeader {
  hash: number
  securityId: number
  /** byte offset of the entry in $SDS */
  offset: number
  /** size of the $SDS entry: this 20-byte header plus the self-relative descriptor */
  length: number
}

export const SECURITY_DESCRIPTOR_HEADER_SIZE = 20

export function encodeSecurityHeader(h: SecurityDescriptorHeader): Uint8Array {
  const b = new Uint8Array(SECURITY_DESCRIPTOR_HEADER_SIZE)
  const v = dv(b)
  v.setUint32(0, h.hash >>> 0, true)
  v.setUint32(4, h.securityId >>> 0, true)
  v.setBigUint64(8, BigInt(h.offset), true)
  v.setUint32(16, h.length >>> 0, true)
  return b
}

export function parseSecurityHeader(b: Uint8Array): SecurityDescriptorHeader {
  need(b, SECURITY_DESCRIPTOR_HEADER_SIZE, 'security descriptor header')
  const v = dv(b)
  return { hash: v.getUint32(0, true), securityId: v.getUint32(4, true), offset: Number(v.getBigUint64(8, true)), length: v.getUint32(16, true) }
}

/** $SII entry: key = security id (ULONG), data = SECURITY_DESCRIPTOR_HEADER */
export function siiEntry(h: SecurityDescriptorHeader): IndexEntry {
  return { key: siiKey(h.securityId), data: encodeSecurityHeader(h), fileReference: 0n }
}

export function siiKey(securityId: number): Uint8Array {
  const b = new Uint8Array(4)
  dv(b).setUint32(0, securityId >>> 0, true)
  return b
}

/** $SDH entry: key = (hash, security id), data = SECURITY_DESCRIPTOR_HEADER (the tree pads it with "II") */
export function sdhEntry(h: SecurityDescriptorHeader): IndexEntry {
  return { key: sdhKey(h.hash, h.securityId), data: encodeSecurityHeader(h), fileReference: 0n }
}

export function sdhKey(hash: number, securityId: number): Uint8Array {
  const b = new Uint8Array(8)
  const v = dv(b)
  v.setUint32(0, hash >>> 0, true)
  v.setUint32(4, securityId >>> 0, true)
  return b
}

export function parseSdhKey(key: Uint8Array): { hash: number; securityId: number } {
  need(key, 8, '$SDH key')
  const v = dv(key)
  return { hash: v.getUint32(0, true), securityId: v.getUint32(4, true) }
}

export function parseSiiKey(key: Uint8Array): number {
  need(key, 4, '$SII key')
  return dv(key).getUint32(0, true)
}

/**
 * The hash NTFS keeps for a self-relative security descriptor: over its 32-bit little-endian
 * words, hash = word + rotate-left(hash, 3) (Linux-NTFS documentation of $Secure; ntfs-3g
 * security.c ntfs_security_hash computes the same). Trailing bytes that do not fill a word
 * are ignored.
 */
export function securityDescriptorHash(sd: Uint8Array): number {
  const v = dv(sd)
  let hash = 0
  for (let i = 0; i + 4 <= sd.length; i += 4) hash = (v.getUint32(i, true) + ((hash << 3) | (hash >>> 29))) >>> 0
  return hash
}

// ---- $ObjId:$O ----

export interface ObjectIdEntry {
  objectId: Uint8Array // 16-byte GUID: the key
  fileReference: bigint
  birthVolumeId: Uint8Array
  birthObjectId: Uint8Array
  domainId: Uint8Array
}

const ZERO16 = new Uint8Array(16)

/** $O entry: key = object id GUID, data = OBJ_ID_INDEX_DATA (file reference, birth volume/object ids, domain id: 56 bytes) */
export function objectIdEntry(e: ObjectIdEntry): IndexEntry {
  if (e.objectId.length !== 16) throw new StoreError(`$O: an object id is 16 bytes, not ${e.objectId.length}`, 'invalid')
  const data = new Uint8Array(56)
  dv(data).setBigUint64(0, e.fileReference, true)
  data.set(e.birthVolumeId.subarray(0, 16), 8)
  data.set(e.birthObjectId.subarray(0, 16), 24)
  data.set(e.domainId.subarray(0, 16), 40)
  return { key: e.objectId.slice(), data, fileReference: 0n }
}

export function parseObjectIdEntry(e: IndexEntry): ObjectIdEntry {
  need(e.key, 16, '$O key')
  need(e.data, 8, '$O data')
  const data = e.data.length >= 56 ? e.data : (() => {
    const d = new Uint8Array(56)
    d.set(e.data)
    return d
  })()
  return {
    objectId: e.key.slice(0, 16),
    fileReference: dv(data).getBigUint64(0, true),
    birthVolumeId: data.slice(8, 24),
    birthObjectId: data.slice(24, 40),
    domainId: data.slice(40, 56),
  }
}

/** a $O entry with no birth information (zero GUIDs mean "not defined", layout.h OBJECT_ID_ATTR) */
export function simpleObjectIdEntry(objectId: Uint8Array, fileReference: bigint): IndexEntry {
  return objectIdEntry({ objectId, fileReference, birthVolumeId: ZERO16, birthObjectId: ZERO16, domainId: ZERO16 })
}

// ---- $Reparse:$R ----

/** $R entry: key = (reparse tag, file reference) — 12 bytes — and no data (REPARSE_INDEX_KEY) */
export function reparseEntry(tag: number, fileReference: bigint): IndexEntry {
  return { key: reparseKey(tag, fileReference), data: new Uint8Array(0), fileReference: 0n }
}

export function reparseKey(tag: number, fileReference: bigint): Uint8Array {
  const b = new Uint8Array(12)
  const v = dv(b)
  v.setUint32(0, tag >>> 0, true)
  v.setBigUint64(4, fileReference, true)
  return b
}

export function parseReparseKey(key: Uint8Array): { tag: number; fileReference: bigint } {
  need(key, 12, '$R key')
  const v = dv(key)
  return { tag: v.getUint32(0, true), fileReference: v.getBigUint64(4, true) }
}
