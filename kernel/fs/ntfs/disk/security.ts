// Security descriptors as NTFS 3.x stores them: self-relative SECURITY_DESCRIPTORs shared
// through $Secure — the $SDS stream (each descriptor once, 16-byte aligned, every 256 KiB
// block followed by a mirror copy), the $SII index (security id → $SDS location) and the $SDH
// index (hash, security id → location) used to find an existing descriptor.
// Formats: layout.h SECURITY_DESCRIPTOR_HEADER, SII_INDEX_DATA, SDH_INDEX_DATA; the hash is
// ntfs-3g's ntfs_security_hash (each 32-bit word added to the running hash rotated left by 3).

import { u32, set8, set16, set32, set64, u64 } from './bytes.ts'

export const SDS_BLOCK = 0x40000
/** the first security id NTFS hands out */
export const FIRST_SECURITY_ID = 0x100

// SECURITY_DESCRIPTOR_CONTROL
export const SE_DACL_PRESENT = 0x0004
export const SE_DACL_AUTO_INHERITED = 0x0400
export const SE_DACL_PROTECTED = 0x1000
export const SE_SELF_RELATIVE = 0x8000

// ACE flags
export const OBJECT_INHERIT_ACE = 0x01
export const CONTAINER_INHERIT_ACE = 0x02
export const INHERIT_ONLY_ACE = 0x08
export const INHERITED_ACE = 0x10

export interface Ace {
  type: 0 | 1 // ACCESS_ALLOWED_ACE_TYPE 0, ACCESS_DENIED_ACE_TYPE 1
  flags: number
  mask: number
  sid: string
}

export interface DescriptorSpec {
  owner: string
  group: string
  control: number
  dacl: readonly Ace[]
}

/** "S-1-5-32-544" → binary SID */
export function encodeSid(s: string): Uint8Array {
  const parts = s.split('-')
  if (parts[0] !== 'S' || parts.length < 3) throw new Error(`not a SID: ${s}`)
  const subs = parts.slice(3).map(Number)
  const b = new Uint8Array(8 + 4 * subs.length)
  set8(b, 0, Number(parts[1]))
  set8(b, 1, subs.length)
  const auth = Number(parts[2])
  for (let i = 0; i < 6; i++) b[7 - i] = Math.floor(auth / 256 ** i) & 0xff
  subs.forEach((v, i) => set32(b, 8 + 4 * i, v))
  return b
}

/** a self-relative security descriptor: header, DACL, owner, group (the order Windows writes) */
export function buildSecurityDescriptor(spec: DescriptorSpec): Uint8Array {
  const aces = spec.dacl.map((a) => {
    const sid = encodeSid(a.sid)
    const b = new Uint8Array(8 + sid.length)
    set8(b, 0, a.type)
    set8(b, 1, a.flags)
    set16(b, 2, b.length)
    set32(b, 4, a.mask)
    b.set(sid, 8)
    return b
  })
  const aclSize = 8 + aces.reduce((n, a) => n + a.length, 0)
  const owner = encodeSid(spec.owner)
  const group = encodeSid(spec.group)
  const total = 20 + aclSize + owner.length + group.length
  const b = new Uint8Array(total)
  set8(b, 0, 1) // revision
  set16(b, 2, spec.control | SE_SELF_RELATIVE | SE_DACL_PRESENT)
  set32(b, 4, 20 + aclSize) // owner
  set32(b, 8, 20 + aclSize + owner.length) // group
  set32(b, 12, 0) // no SACL
  set32(b, 16, 20) // DACL
  set8(b, 20, 2) // ACL_REVISION
  set16(b, 22, aclSize)
  set16(b, 24, aces.length)
  let o = 28
  for (const a of aces) {
    b.set(a, o)
    o += a.length
  }
  b.set(owner, o)
  b.set(group, o + owner.length)
  return b
}

export function securityHash(sd: Uint8Array): number {
  let hash = 0
  for (let o = 0; o + 4 <= sd.length; o += 4) {
    hash = (u32(sd, o) + (((hash << 3) | (hash >>> 29)) >>> 0)) >>> 0
  }
  return hash
}

const SYSTEM = 'S-1-5-18'
const ADMINS = 'S-1-5-32-544'
const USERS = 'S-1-5-32-545'
const AUTH_USERS = 'S-1-5-11'

/** $Secure's first two descriptors, as Windows and mkntfs write them: system files, read-only (0x100) and read-write (0x101) */
export const SYSTEM_FILE_SD_RO = buildSecurityDescriptor({
  owner: ADMINS,
  group: ADMINS,
  control: 0,
  dacl: [
    { type: 0, flags: 0, mask: 0x120089, sid: SYSTEM },
    { type: 0, flags: 0, mask: 0x120089, sid: ADMINS },
  ],
})
export const SYSTEM_FILE_SD_RW = buildSecurityDescriptor({
  owner: ADMINS,
  group: ADMINS,
  control: 0,
  dacl: [
    { type: 0, flags: 0, mask: 0x12019f, sid: SYSTEM },
    { type: 0, flags: 0, mask: 0x12019f, sid: ADMINS },
  ],
})

// unverified: a simplified Windows 10 root ACL (Administrators and SYSTEM full control,
// Authenticated Users modify, Users read & execute, all inheritable); the real one has
// more ACEs (CREATOR OWNER, inherit-only variants).
export const ROOT_SD = buildSecurityDescriptor({
  owner: ADMINS,
  group: SYSTEM,
  control: SE_DACL_PROTECTED,
  dacl: [
    { type: 0, flags: OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE, mask: 0x1f01ff, sid: ADMINS },
    { type: 0, flags: OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE, mask: 0x1f01ff, sid: SYSTEM },
    { type: 0, flags: OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE, mask: 0x1301bf, sid: AUTH_USERS },
    { type: 0, flags: OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE, mask: 0x1200a9, sid: USERS },
  ],
})

/** what a file or directory created under the root inherits (the root's ACEs marked inherited) */
export function inheritedSd(directory: boolean): Uint8Array {
  const inherit = directory ? OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE : 0
  return buildSecurityDescriptor({
    owner: ADMINS,
    group: SYSTEM,
    control: SE_DACL_AUTO_INHERITED,
    dacl: [
      { type: 0, flags: INHERITED_ACE | inherit, mask: 0x1f01ff, sid: ADMINS },
      { type: 0, flags: INHERITED_ACE | inherit, mask: 0x1f01ff, sid: SYSTEM },
      { type: 0, flags: INHERITED_ACE | inherit, mask: 0x1301bf, sid: AUTH_USERS },
      { type: 0, flags: INHERITED_ACE | inherit, mask: 0x1200a9, sid: USERS },
    ],
  })
}

/** location of a descriptor in $SDS (SECURITY_DESCRIPTOR_HEADER, also the data of $SII and $SDH entries) */
export interface SdsLocation {
  hash: number
  securityId: number
  offset: number
  /** header (20 bytes) + descriptor */
  length: number
}

export function encodeSdsHeader(l: SdsLocation): Uint8Array {
  const b = new Uint8Array(20)
  set32(b, 0, l.hash)
  set32(b, 4, l.securityId)
  set64(b, 8, l.offset)
  set32(b, 16, l.length)
  return b
}

export function decodeSdsHeader(b: Uint8Array, o = 0): SdsLocation {
  return { hash: u32(b, o), securityId: u32(b, o + 4), offset: u64(b, o + 8), length: u32(b, o + 16) }
}

/** $SII key: the security id */
export function siiKey(id: number): Uint8Array {
  const b = new Uint8Array(4)
  set32(b, 0, id)
  return b
}

/** $SDH key: hash, then security id */
export function sdhKey(hash: number, id: number): Uint8Array {
  const b = new Uint8Array(8)
  set32(b, 0, hash)
  set32(b, 4, id)
  return b
}

/** $SDH entry data: the header plus the 4 padding bytes Windows fills with "II" */
export function sdhData(l: SdsLocation): Uint8Array {
  const b = new Uint8Array(24)
  b.set(encodeSdsHeader(l))
  set32(b, 20, 0x00490049)
  return b
}

/** where the next descriptor of `length` bytes goes in $SDS after `end` (never across a 256 KiB block; only even blocks hold primaries) */
export function nextSdsOffset(end: number, length: number): number {
  let o = (end + 15) & ~15
  const block = Math.floor(o / SDS_BLOCK)
  if (block % 2 === 1) o = (block + 1) * SDS_BLOCK
  if (Math.floor(o / SDS_BLOCK) !== Math.floor((o + length - 1) / SDS_BLOCK)) o = (Math.floor(o / SDS_BLOCK) + 2) * SDS_BLOCK
  return o
}
