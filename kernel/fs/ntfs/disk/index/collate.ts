// Collation rules of NTFS indexes: how the keys of one index are ordered. The rule is stored
// in $INDEX_ROOT (offset 4) as a 32-bit number; the names are those of ntfs-3g's layout.h.
import type { Collation } from './host.ts'
import { StoreError } from '../../store.ts'

export const COLLATION_RULE: Readonly<Record<Collation, number>> = {
  binary: 0x00, // COLLATION_BINARY
  filename: 0x01, // COLLATION_FILE_NAME
  ulong: 0x10, // COLLATION_NTOFS_ULONG ($SII, $Quota:$Q)
  sid: 0x11, // COLLATION_NTOFS_SID ($Quota:$O)
  'security-hash': 0x12, // COLLATION_NTOFS_SECURITY_HASH ($SDH)
  ulongs: 0x13, // COLLATION_NTOFS_ULONGS ($ObjId:$O, $Reparse:$R)
}

/** the Collation for an on-disk collation rule number, or undefined if it is not one NTFS 3.1 uses */
export function collationFromRule(rule: number): Collation | undefined {
  for (const [name, value] of Object.entries(COLLATION_RULE)) if (value === rule) return name as Collation
  return undefined
}

/** orders two index keys: negative when a sorts before b, 0 when equal, positive after */
export type KeyCompare = (a: Uint8Array, b: Uint8Array) => number

/** offset of the name length, namespace and UTF-16 name within a $FILE_NAME value */
export const FILE_NAME_LENGTH_OFFSET = 64
export const FILE_NAME_NAME_OFFSET = 66

function u16(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8)
}

function u32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0
}

function checkFileName(key: Uint8Array): number {
  if (key.length < FILE_NAME_NAME_OFFSET) throw new StoreError(`index key: $FILE_NAME of ${key.length} bytes is shorter than its 66-byte header`, 'corrupt')
  const n = key[FILE_NAME_LENGTH_OFFSET]!
  if (FILE_NAME_NAME_OFFSET + 2 * n > key.length) throw new StoreError(`index key: $FILE_NAME name of ${n} characters runs past its ${key.length} bytes`, 'corrupt')
  return n
}

/**
 * Compares two UTF-16 names stored little-endian at offsets `ao`/`bo`: by upcased code units
 * first (a proper prefix sorts first), and only when the upcased names are equal by the
 * code units as written. This is NTFS's COLLATION_FILE_NAME order: names equal but for case
 * (possible in the POSIX namespace or case-sensitive directories) sit next to each other,
 * ordered by their exact form (ntfs-3g unistr.c ntfs_names_full_collate, CASE_SENSITIVE).
 */
export function compareNames(upcase: Uint16Array, a: Uint8Array, ao: number, an: number, b: Uint8Array, bo: number, bn: number): number {
  const n = Math.min(an, bn)
  let exact = 0
  for (let i = 0; i < n; i++) {
    const ca = u16(a, ao + 2 * i)
    const cb = u16(b, bo + 2 * i)
    if (ca === cb) continue
    const ua = upcase[ca]!
    const ub = upcase[cb]!
    if (ua !== ub) return ua - ub
    if (exact === 0) exact = ca - cb
  }
  if (an !== bn) return an - bn
  return exact
}

/** COLLATION_FILE_NAME over two $FILE_NAME values (only the names take part) */
export function fileNameCollation(upcase: Uint16Array): KeyCompare {
  return (a, b) => {
    const an = checkFileName(a)
    const bn = checkFileName(b)
    return compareNames(upcase, a, FILE_NAME_NAME_OFFSET, an, b, FILE_NAME_NAME_OFFSET, bn)
  }
}

/** COLLATION_NTOFS_ULONG: one little-endian 32-bit unsigned value */
export const ulongCollation: KeyCompare = (a, b) => {
  if (a.length < 4 || b.length < 4) throw new StoreError(`index key: NTOFS_ULONG key of ${Math.min(a.length, b.length)} bytes (4 expected)`, 'corrupt')
  return Math.sign(u32(a, 0) - u32(b, 0))
}

/**
 * COLLATION_NTOFS_ULONGS: a sequence of little-endian 32-bit values compared in turn, then the
 * shorter key first. $ObjId:$O collates its 16-byte GUID keys this way (four ULONGs, not
 * byte order), and $Reparse:$R its (tag, file reference) keys (layout.h COLLATION_RULES).
 */
export const ulongsCollation: KeyCompare = (a, b) => {
  const n = Math.min(a.length, b.length) & ~3
  for (let i = 0; i < n; i += 4) {
    const d = u32(a, i) - u32(b, i)
    if (d !== 0) return Math.sign(d)
  }
  return Math.sign(a.length - b.length)
}

/** COLLATION_NTOFS_SECURITY_HASH: ($SDH) the hash, then the security id, both 32-bit */
export const securityHashCollation: KeyCompare = (a, b) => {
  if (a.length < 8 || b.length < 8) throw new StoreError(`index key: $SDH key of ${Math.min(a.length, b.length)} bytes (8 expected)`, 'corrupt')
  return Math.sign(u32(a, 0) - u32(b, 0)) || Math.sign(u32(a, 4) - u32(b, 4))
}

/** COLLATION_BINARY: bytes in order, then the shorter key first */
export const binaryCollation: KeyCompare = (a, b) => {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return Math.sign(a.length - b.length)
}

/**
 * COLLATION_NTOFS_SID: ($Quota:$O) SIDs. mkntfs compares the SID bytes, then the length.
 * unverified: Windows' exact SID order is not documented; byte order is what mkntfs writes.
 */
export const sidCollation: KeyCompare = binaryCollation

export function collationFunction(collation: Collation, upcase: Uint16Array): KeyCompare {
  switch (collation) {
    case 'filename':
      return fileNameCollation(upcase)
    case 'ulong':
      return ulongCollation
    case 'ulongs':
      return ulongsCollation
    case 'security-hash':
      return securityHashCollation
    case 'sid':
      return sidCollation
    case 'binary':
      return binaryCollation
  }
}
