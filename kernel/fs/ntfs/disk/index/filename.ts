// $I30 entries: the key is the whole $FILE_NAME attribute value of the named file (layout.h
// FILE_NAME_ATTR): parent reference, four times, allocated and data size, file attributes,
// the reparse tag or packed EA size, the name length in characters, the namespace, the name.
// The times, sizes and attributes are the "duplicated information" NTFS copies from the file.
import type { IndexEntry } from './host.ts'
import type { NtfsIndexTree } from './tree.ts'
import { StoreError } from '../../store.ts'
import { FILE_NAME_LENGTH_OFFSET, FILE_NAME_NAME_OFFSET, compareNames } from './collate.ts'

/** $FILE_NAME namespaces (FILE_NAME_TYPE_FLAGS): POSIX 0, Win32 1, DOS 2, Win32 and DOS 3 */
export type FileNameSpace = 0 | 1 | 2 | 3

/** the duplicated information in a $FILE_NAME (and so in its $I30 entry) */
export interface DuplicatedInfo {
  creationTime: bigint
  lastWriteTime: bigint // "altered"
  changeTime: bigint // "MFT changed"
  lastAccessTime: bigint
  allocatedSize: number
  dataSize: number
  /** FILE_ATTRIBUTE_*, with FILE_ATTRIBUTE_DUP_FILE_NAME_INDEX_PRESENT 0x10000000 for directories */
  fileAttributes: number
  /** the reparse tag when the file is a reparse point, else the packed size of its EAs */
  reparseOrEa: number
}

export interface FileNameKey extends DuplicatedInfo {
  parentRef: bigint
  nameSpace: FileNameSpace
  name: string
}

export const MAX_NAME_LENGTH = 255

function dv(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength)
}

/** the $FILE_NAME value (the $I30 key) for a name */
export function fileNameKey(name: string, nameSpace: FileNameSpace, parentRef: bigint, dup: DuplicatedInfo): Uint8Array {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) throw new StoreError(`$FILE_NAME: a name has 1 to ${MAX_NAME_LENGTH} UTF-16 code units, not ${name.length}`, 'invalid')
  const b = new Uint8Array(FILE_NAME_NAME_OFFSET + 2 * name.length)
  const v = dv(b)
  v.setBigUint64(0, parentRef, true)
  v.setBigUint64(8, dup.creationTime, true)
  v.setBigUint64(16, dup.lastWriteTime, true)
  v.setBigUint64(24, dup.changeTime, true)
  v.setBigUint64(32, dup.lastAccessTime, true)
  v.setBigUint64(40, BigInt(dup.allocatedSize), true)
  v.setBigUint64(48, BigInt(dup.dataSize), true)
  v.setUint32(56, dup.fileAttributes >>> 0, true)
  v.setUint32(60, dup.reparseOrEa >>> 0, true)
  b[FILE_NAME_LENGTH_OFFSET] = name.length
  b[FILE_NAME_LENGTH_OFFSET + 1] = nameSpace
  for (let i = 0; i < name.length; i++) v.setUint16(FILE_NAME_NAME_OFFSET + 2 * i, name.charCodeAt(i), true)
  return b
}

/** reads a $FILE_NAME value */
export function parseFileNameKey(key: Uint8Array): FileNameKey {
  if (key.length < FILE_NAME_NAME_OFFSET) throw new StoreError(`$FILE_NAME: ${key.length} bytes, at least 66 expected`, 'corrupt')
  const v = dv(key)
  const n = key[FILE_NAME_LENGTH_OFFSET]!
  if (FILE_NAME_NAME_OFFSET + 2 * n > key.length) throw new StoreError(`$FILE_NAME: name of ${n} characters runs past the ${key.length}-byte value`, 'corrupt')
  const ns = key[FILE_NAME_LENGTH_OFFSET + 1]!
  if (ns > 3) throw new StoreError(`$FILE_NAME: namespace ${ns} at byte 65 (0-3 expected)`, 'corrupt')
  return {
    parentRef: v.getBigUint64(0, true),
    creationTime: v.getBigUint64(8, true),
    lastWriteTime: v.getBigUint64(16, true),
    changeTime: v.getBigUint64(24, true),
    lastAccessTime: v.getBigUint64(32, true),
    allocatedSize: Number(v.getBigUint64(40, true)),
    dataSize: Number(v.getBigUint64(48, true)),
    fileAttributes: v.getUint32(56, true),
    reparseOrEa: v.getUint32(60, true),
    nameSpace: ns as FileNameSpace,
    name: fileNameOf(key),
  }
}

/** just the name of a $FILE_NAME value */
export function fileNameOf(key: Uint8Array): string {
  const n = key[FILE_NAME_LENGTH_OFFSET] ?? 0
  const v = dv(key)
  let s = ''
  for (let i = 0; i < n; i++) s += String.fromCharCode(v.getUint16(FILE_NAME_NAME_OFFSET + 2 * i, true))
  return s
}

/** the name as little-endian UTF-16 bytes (for name-only comparisons) */
export function nameBytes(name: string): Uint8Array {
  const b = new Uint8Array(2 * name.length)
  const v = dv(b)
  for (let i = 0; i < name.length; i++) v.setUint16(2 * i, name.charCodeAt(i), true)
  return b
}

/**
 * A name-only search probe for tree.search: compares the upcased name with the upcased name
 * of an entry key, so it matches any entry whose name equals `name` case-insensitively
 * (Win32, DOS and POSIX names alike). Consistent with COLLATION_FILE_NAME, which orders by the
 * upcased name first.
 */
export function nameProbe(upcase: Uint16Array, name: string): (key: Uint8Array) => number {
  const wanted = nameBytes(name)
  const n = name.length
  return (key) => {
    const kn = key[FILE_NAME_LENGTH_OFFSET]!
    // compare the upcased forms only: feed both sides through the table
    return compareUpcased(upcase, wanted, 0, n, key, FILE_NAME_NAME_OFFSET, kn)
  }
}

/** an exact (case-sensitive) probe: the full COLLATION_FILE_NAME order */
export function exactNameProbe(upcase: Uint16Array, name: string): (key: Uint8Array) => number {
  const wanted = nameBytes(name)
  return (key) => compareNames(upcase, wanted, 0, name.length, key, FILE_NAME_NAME_OFFSET, key[FILE_NAME_LENGTH_OFFSET]!)
}

function compareUpcased(upcase: Uint16Array, a: Uint8Array, ao: number, an: number, b: Uint8Array, bo: number, bn: number): number {
  const n = Math.min(an, bn)
  for (let i = 0; i < n; i++) {
    const ua = upcase[a[ao + 2 * i]! | (a[ao + 2 * i + 1]! << 8)]!
    const ub = upcase[b[bo + 2 * i]! | (b[bo + 2 * i + 1]! << 8)]!
    if (ua !== ub) return ua - ub
  }
  return an - bn
}

/** case-insensitive lookup of a name in a directory index */
export function lookupName(tree: NtfsIndexTree, upcase: Uint16Array, name: string): IndexEntry | undefined {
  return tree.search(nameProbe(upcase, name))
}

/** exact-case lookup of a name in a directory index */
export function lookupExactName(tree: NtfsIndexTree, upcase: Uint16Array, name: string): IndexEntry | undefined {
  return tree.search(exactNameProbe(upcase, name))
}

/** the MFT record number and sequence number of a file reference */
export function splitFileReference(ref: bigint): { record: number; seq: number } {
  return { record: Number(ref & 0xffffffffffffn), seq: Number((ref >> 48n) & 0xffffn) }
}

export function makeFileReference(record: number, seq: number): bigint {
  return (BigInt(seq & 0xffff) << 48n) | BigInt(record)
}
