// Attribute values the store reads and writes: $STANDARD_INFORMATION (NTFS 3.x, 72 bytes),
// $FILE_NAME, $VOLUME_INFORMATION, $EA with $EA_INFORMATION, $REPARSE_POINT, $OBJECT_ID.
// Layouts: layout.h (STANDARD_INFORMATION, FILE_NAME_ATTR, EA_ATTR, EA_INFORMATION,
// REPARSE_POINT), MS-FSCC 2.4.15 (FILE_FULL_EA_INFORMATION) and 2.1.2 (reparse buffers).

import { u8, u16, u32, u64, u64n, set8, set16, set32, set64, set64n, utf16, setUtf16 } from './bytes.ts'
import { STD_INFO_SIZE, FILE_NAME_HEADER } from './layout.ts'
import type { StandardInfo, EaEntry, ReparsePoint, NameSpace } from '../store.ts'

export function encodeStdInfo(s: StandardInfo): Uint8Array {
  const b = new Uint8Array(STD_INFO_SIZE)
  set64n(b, 0, s.creationTime)
  set64n(b, 8, s.lastWriteTime)
  set64n(b, 16, s.changeTime)
  set64n(b, 24, s.lastAccessTime)
  set32(b, 32, s.fileAttributes)
  // 36 maximum versions, 40 version, 44 class id: 0
  set32(b, 48, s.ownerId)
  set32(b, 52, s.securityId)
  set64(b, 56, 0) // quota charged
  set64n(b, 64, s.usn)
  return b
}

/** parses both the NTFS 1.2 (48-byte) and 3.x (72-byte) forms */
export function decodeStdInfo(b: Uint8Array): StandardInfo {
  const long = b.length >= STD_INFO_SIZE
  return {
    creationTime: u64n(b, 0),
    lastWriteTime: u64n(b, 8),
    changeTime: u64n(b, 16),
    lastAccessTime: u64n(b, 24),
    fileAttributes: u32(b, 32),
    ownerId: long ? u32(b, 48) : 0,
    securityId: long ? u32(b, 52) : 0,
    usn: long ? u64n(b, 64) : 0n,
  }
}

/** $FILE_NAME value, also the key of a $I30 index entry */
export interface FileNameValue {
  parentRef: bigint
  creationTime: bigint
  lastWriteTime: bigint
  changeTime: bigint
  lastAccessTime: bigint
  allocatedSize: number
  dataSize: number
  fileAttributes: number
  /** the reparse tag when the file is a reparse point, else the packed EA size */
  reparseOrEa: number
  nameSpace: NameSpace
  name: string
}

export function encodeFileName(f: FileNameValue): Uint8Array {
  const b = new Uint8Array(FILE_NAME_HEADER + 2 * f.name.length)
  set64n(b, 0, f.parentRef)
  set64n(b, 8, f.creationTime)
  set64n(b, 16, f.lastWriteTime)
  set64n(b, 24, f.changeTime)
  set64n(b, 32, f.lastAccessTime)
  set64(b, 40, f.allocatedSize)
  set64(b, 48, f.dataSize)
  set32(b, 56, f.fileAttributes)
  set32(b, 60, f.reparseOrEa)
  set8(b, 64, f.name.length)
  set8(b, 65, f.nameSpace)
  setUtf16(b, FILE_NAME_HEADER, f.name)
  return b
}

export function decodeFileName(b: Uint8Array): FileNameValue {
  const len = u8(b, 64)
  return {
    parentRef: u64n(b, 0),
    creationTime: u64n(b, 8),
    lastWriteTime: u64n(b, 16),
    changeTime: u64n(b, 24),
    lastAccessTime: u64n(b, 32),
    allocatedSize: u64(b, 40),
    dataSize: u64(b, 48),
    fileAttributes: u32(b, 56),
    reparseOrEa: u32(b, 60),
    nameSpace: u8(b, 65) as NameSpace,
    name: utf16(b, FILE_NAME_HEADER, len),
  }
}

export function fileNameParent(b: Uint8Array): number {
  return Number(u64n(b, 0) & 0xffffffffffffn)
}

export function fileNameName(b: Uint8Array): string {
  return utf16(b, FILE_NAME_HEADER, u8(b, 64))
}

export function fileNameSpace(b: Uint8Array): NameSpace {
  return u8(b, 65) as NameSpace
}

export function encodeVolumeInformation(major: number, minor: number, flags: number): Uint8Array {
  const b = new Uint8Array(12)
  set8(b, 8, major)
  set8(b, 9, minor)
  set16(b, 10, flags)
  return b
}

// ---- extended attributes -----------------------------------------------------------------

export const FILE_NEED_EA = 0x80

export class EaFormatError extends Error {}

/** $EA: FILE_FULL_EA_INFORMATION entries, each NextEntryOffset set (the last one too) and 4-aligned */
export function encodeEas(eas: readonly EaEntry[]): { ea: Uint8Array; info: Uint8Array } {
  const parts: Uint8Array[] = []
  let packed = 0
  let needCount = 0
  for (const e of eas) {
    const nameBytes = Array.from(e.name, (c) => c.charCodeAt(0) & 0xff)
    const raw = 8 + nameBytes.length + 1 + e.value.length
    const size = (raw + 3) & ~3
    const b = new Uint8Array(size)
    set32(b, 0, size)
    set8(b, 4, e.flags)
    set8(b, 5, nameBytes.length)
    set16(b, 6, e.value.length)
    b.set(nameBytes, 8)
    b.set(e.value, 8 + nameBytes.length + 1)
    parts.push(b)
    packed += 5 + nameBytes.length + e.value.length
    if (e.flags & FILE_NEED_EA) needCount++
  }
  let total = 0
  for (const p of parts) total += p.length
  const ea = new Uint8Array(total)
  let o = 0
  for (const p of parts) {
    ea.set(p, o)
    o += p.length
  }
  const info = new Uint8Array(8)
  set16(info, 0, packed)
  set16(info, 2, needCount)
  set32(info, 4, total)
  return { ea, info }
}

export function decodeEas(b: Uint8Array): EaEntry[] {
  const out: EaEntry[] = []
  let o = 0
  while (o + 8 <= b.length) {
    const next = u32(b, o)
    const nameLen = u8(b, o + 5)
    const valueLen = u16(b, o + 6)
    if (o + 8 + nameLen + 1 + valueLen > b.length) throw new EaFormatError(`$EA entry at byte ${o} runs past the attribute`)
    let name = ''
    for (let i = 0; i < nameLen; i++) name += String.fromCharCode(u8(b, o + 8 + i))
    out.push({ name, flags: u8(b, o + 4), value: b.slice(o + 8 + nameLen + 1, o + 8 + nameLen + 1 + valueLen) })
    if (next === 0) break
    o += next
  }
  return out
}

/** packed EA size (the $FILE_NAME / directory entry field) of a set of EAs */
export function packedEaSize(eas: readonly EaEntry[]): number {
  let n = 0
  for (const e of eas) n += 5 + e.name.length + e.value.length
  return n
}

// ---- reparse points ----------------------------------------------------------------------

/** Microsoft tags have bit 31 set and no GUID (MS-FSCC 2.1.2.1) */
export function isMicrosoftTag(tag: number): boolean {
  return (tag & 0x80000000) !== 0
}

export function encodeReparse(r: ReparsePoint): Uint8Array {
  const ms = isMicrosoftTag(r.tag)
  const head = ms ? 8 : 24
  const b = new Uint8Array(head + r.data.length)
  set32(b, 0, r.tag)
  set16(b, 4, r.data.length)
  if (!ms) b.set((r.guid ?? new Uint8Array(16)).subarray(0, 16), 8)
  b.set(r.data, head)
  return b
}

export function decodeReparse(b: Uint8Array): ReparsePoint {
  const tag = u32(b, 0)
  const len = u16(b, 4)
  if (isMicrosoftTag(tag)) return { tag, data: b.slice(8, 8 + len) }
  return { tag, guid: b.slice(8, 24), data: b.slice(24, 24 + len) }
}
