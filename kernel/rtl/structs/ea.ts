// Extended attributes: FILE_FULL_EA_INFORMATION chains (NtCreateFile's EaBuffer, NtSetEaFile,
// NtQueryEaFile output), FILE_GET_EA_INFORMATION lists (NtQueryEaFile's EaList), the checks
// the I/O manager and NTFS make, and the EA size NTFS reports.
//
// FILE_FULL_EA_INFORMATION: NextEntryOffset (ULONG) 0, Flags (UCHAR) 4, EaNameLength (UCHAR) 5,
// EaValueLength (USHORT) 6, EaName at 8 followed by a NUL, then the value. Entries are
// 4-byte aligned; no padding after the last (MS-FSCC 2.4.15 FileFullEaInformation).

import { FILE_NEED_EA } from '../../nt/file.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import { StructError, align4, readAnsi, setU16, setU32, setU8, u16, u32, u8, view, writeAnsi } from './buffer.ts'

export { FILE_NEED_EA }

/** One extended attribute. Names are 8-bit characters (OEM); values are bytes. */
export interface EaEntry {
  readonly Name: string
  readonly Value: Uint8Array
  /** 0 or FILE_NEED_EA (0x80) */
  readonly Flags: number
}
export interface EaEntryInput {
  readonly Name: string
  readonly Value?: Uint8Array
  readonly Flags?: number
}

export const FILE_FULL_EA_INFORMATION = { NextEntryOffset: 0, Flags: 4, EaNameLength: 5, EaValueLength: 6, EaName: 8 } as const
export const FILE_GET_EA_INFORMATION = { NextEntryOffset: 0, EaNameLength: 4, EaName: 5 } as const

/** Bytes of one FILE_FULL_EA_INFORMATION entry without trailing padding: 8 + name + NUL + value. */
export const fullEaSize = (nameLength: number, valueLength: number): number => FILE_FULL_EA_INFORMATION.EaName + nameLength + 1 + valueLength

/**
 * FileEaInformation.EaSize as NTFS reports it: the EAs in FILE_FULL_EA_INFORMATION form, each
 * padded to 4 bytes (the unpacked size NTFS keeps in $EA_INFORMATION). 0 when there are none.
 * WinBtrfs's EA tests, which pass on NTFS, expect exactly this ("hello"/"world" → 20).
 * unverified against MS-FSA 2.1.5.12.10, which adds 4 for a header to a length it does not define.
 */
export function eaSizeAsNtfsReports(eas: readonly EaEntryInput[]): number {
  let n = 0
  for (const e of eas) n += align4(fullEaSize(e.Name.length, e.Value?.length ?? 0))
  return n
}

// ---------------------------------------------------------------------------------------------
// Names

/** Characters FAT and NTFS refuse in an EA name besides 0x00..0x1F (FastFAT sample, FatIsEaNameValid). */
const EA_NAME_ILLEGAL = new Set('\\/:*?"<>|,+=[];'.split('').map((c) => c.charCodeAt(0)))
export const MAX_EA_NAME_LENGTH = 255

/**
 * Whether `name` is a legal EA name: 1..255 8-bit characters, none of 0x00..0x1F or
 * \ / : * ? " < > | , + = [ ] ; (the FastFAT sample's FatIsEaNameValid rule, which FAT caps at
 * 254; EaNameLength is a UCHAR, so NTFS's ceiling is 255).
 */
export function isValidEaName(name: string): boolean {
  if (name.length === 0 || name.length > MAX_EA_NAME_LENGTH) return false
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    if (c < 0x20 || c > 0xff || EA_NAME_ILLEGAL.has(c)) return false
  }
  return true
}

/**
 * EA names are stored upper-cased (NTFS returns "HELLO" for an EA set as "hello"; WinBtrfs EA
 * tests). unverified: only a..z are mapped; the OEM upcase of 8-bit characters is not modelled.
 */
export const upcaseEaName = (name: string): string => name.replace(/[a-z]+/g, (s) => s.toUpperCase())

// ---------------------------------------------------------------------------------------------
// FILE_FULL_EA_INFORMATION

/**
 * Builds a FILE_FULL_EA_INFORMATION chain as a caller passes it (NtCreateFile EaBuffer,
 * NtSetEaFile): entries 4-byte aligned, the last unpadded. Throws StructError for a name or
 * value that cannot be represented (over 255 / 65535 bytes, characters above 0xFF).
 */
export function encodeFullEaList(eas: readonly EaEntryInput[]): Uint8Array {
  let size = 0
  const offsets: number[] = []
  for (let i = 0; i < eas.length; i++) {
    const e = eas[i]!
    if (e.Name.length > MAX_EA_NAME_LENGTH) throw new StructError('FILE_FULL_EA_INFORMATION', `EA name '${e.Name.slice(0, 20)}…' is longer than 255 characters`)
    if ((e.Value?.length ?? 0) > 0xffff) throw new StructError('FILE_FULL_EA_INFORMATION', `value of EA '${e.Name}' is longer than 65535 bytes`)
    size = i === 0 ? 0 : align4(size)
    offsets.push(size)
    size += fullEaSize(e.Name.length, e.Value?.length ?? 0)
  }
  const bytes = new Uint8Array(size)
  writeFullEas(bytes, eas, offsets)
  return bytes
}

function writeFullEas(bytes: Uint8Array, eas: readonly EaEntryInput[], offsets: readonly number[]): void {
  const dv = view(bytes)
  const F = FILE_FULL_EA_INFORMATION
  for (let i = 0; i < offsets.length; i++) {
    const e = eas[i]!
    const o = offsets[i]!
    const value = e.Value ?? new Uint8Array(0)
    if (i + 1 < offsets.length) setU32(dv, o + F.NextEntryOffset, offsets[i + 1]! - o)
    setU8(dv, o + F.Flags, e.Flags ?? 0)
    setU8(dv, o + F.EaNameLength, e.Name.length)
    setU16(dv, o + F.EaValueLength, value.length)
    writeAnsi(bytes, o + F.EaName, e.Name, 'FILE_FULL_EA_INFORMATION.EaName')
    bytes[o + F.EaName + e.Name.length] = 0
    bytes.set(value, o + F.EaName + e.Name.length + 1)
  }
}

export interface EaQueryResult {
  readonly bytes: Uint8Array
  readonly status: NTSTATUS
  readonly information: number
  /** how many EAs were returned (the caller advances its EA index by this) */
  readonly count: number
}

/**
 * Fills an NtQueryEaFile output buffer with as many whole entries as fit (MS-FSA 2.1.5.12.12):
 * none to return → STATUS_NO_EAS_ON_FILE; the first does not fit → STATUS_BUFFER_TOO_SMALL and
 * nothing; some returned but more remain → STATUS_BUFFER_OVERFLOW; else STATUS_SUCCESS.
 * Information is the size of the entries returned, the last one unpadded.
 */
export function encodeFullEaQuery(eas: readonly EaEntryInput[], bufferLength: number, returnSingleEntry = false): EaQueryResult {
  if (eas.length === 0) return { bytes: new Uint8Array(0), status: STATUS.STATUS_NO_EAS_ON_FILE, information: 0, count: 0 }
  const offsets: number[] = []
  let end = 0
  for (const e of eas) {
    const start = offsets.length === 0 ? 0 : align4(end)
    const stop = start + fullEaSize(e.Name.length, e.Value?.length ?? 0)
    if (stop > bufferLength) break
    offsets.push(start)
    end = stop
    if (returnSingleEntry) break
  }
  if (offsets.length === 0) return { bytes: new Uint8Array(0), status: STATUS.STATUS_BUFFER_TOO_SMALL, information: 0, count: 0 }
  const bytes = new Uint8Array(end)
  writeFullEas(bytes, eas, offsets)
  const more = offsets.length < eas.length && !returnSingleEntry
  return { bytes, status: more ? STATUS.STATUS_BUFFER_OVERFLOW : STATUS.STATUS_SUCCESS, information: end, count: offsets.length }
}

/**
 * IoCheckEaBufferValidity: walks the chain within `length` bytes. Each entry needs its 8-byte
 * header, its name, NUL and value inside the remaining length, a NUL after the name, and a
 * NextEntryOffset equal to its size rounded up to 4 (or 0 for the last). The first entry that
 * breaks a rule gives STATUS_EA_LIST_INCONSISTENT and its offset (ReactOS
 * ntoskrnl/io/iomgr/util.c; the offset is what NtCreateFile returns in IoStatus.Information).
 */
export function checkEaBufferValidity(bytes: Uint8Array, length = bytes.length): { status: NTSTATUS; errorOffset: number } {
  const F = FILE_FULL_EA_INFORMATION
  const dv = view(bytes)
  let remaining = Math.min(length, bytes.length)
  let o = 0
  for (;;) {
    const bad = { status: STATUS.STATUS_EA_LIST_INCONSISTENT, errorOffset: o }
    if (remaining < F.EaName) return bad
    const nameLen = u8(dv, o + F.EaNameLength)
    const computed = fullEaSize(nameLen, u16(dv, o + F.EaValueLength))
    if (remaining < computed) return bad
    if (bytes[o + F.EaName + nameLen] !== 0) return bad
    const next = u32(dv, o + F.NextEntryOffset)
    if (next === 0) return { status: STATUS.STATUS_SUCCESS, errorOffset: 0 }
    if (align4(computed) !== next || next > remaining) return bad
    remaining -= next
    o += next
  }
}

/**
 * NTFS's name check over a valid chain: the first entry whose name is not a legal EA name gives
 * STATUS_INVALID_EA_NAME and its offset (NtSetEaFile returns the offset in Information).
 */
export function checkEaNames(bytes: Uint8Array): { status: NTSTATUS; errorOffset: number } {
  const F = FILE_FULL_EA_INFORMATION
  const dv = view(bytes)
  let o = 0
  for (;;) {
    if (o + F.EaName > bytes.length) throw new StructError('FILE_FULL_EA_INFORMATION', 'entry runs past the buffer', o)
    const name = readAnsi(bytes, o + F.EaName, Math.min(u8(dv, o + F.EaNameLength), bytes.length - o - F.EaName))
    if (!isValidEaName(name)) return { status: STATUS.STATUS_INVALID_EA_NAME, errorOffset: o }
    const next = u32(dv, o + F.NextEntryOffset)
    if (next === 0) return { status: STATUS.STATUS_SUCCESS, errorOffset: 0 }
    o += next
  }
}

/**
 * Decodes a FILE_FULL_EA_INFORMATION chain. Throws StructError (naming the offset) for an entry
 * that does not fit the buffer; run checkEaBufferValidity first on untrusted input.
 */
export function decodeFullEaList(bytes: Uint8Array): EaEntry[] {
  const F = FILE_FULL_EA_INFORMATION
  const out: EaEntry[] = []
  if (bytes.length === 0) return out
  const dv = view(bytes)
  let o = 0
  for (;;) {
    if (o + F.EaName > bytes.length) throw new StructError('FILE_FULL_EA_INFORMATION', 'entry header runs past the buffer', o)
    const nameLen = u8(dv, o + F.EaNameLength)
    const valueLen = u16(dv, o + F.EaValueLength)
    if (o + fullEaSize(nameLen, valueLen) > bytes.length) {
      throw new StructError('FILE_FULL_EA_INFORMATION', `entry of ${fullEaSize(nameLen, valueLen)} bytes runs past the buffer`, o)
    }
    const valueAt = o + F.EaName + nameLen + 1
    out.push({ Name: readAnsi(bytes, o + F.EaName, nameLen), Value: bytes.slice(valueAt, valueAt + valueLen), Flags: u8(dv, o + F.Flags) })
    const next = u32(dv, o + F.NextEntryOffset)
    if (next === 0) break
    o += next
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// FILE_GET_EA_INFORMATION

/** Builds an NtQueryEaFile EaList: NextEntryOffset, EaNameLength, EaName + NUL; 4-byte aligned. */
export function encodeGetEaList(names: readonly string[]): Uint8Array {
  const G = FILE_GET_EA_INFORMATION
  const offsets: number[] = []
  let size = 0
  for (let i = 0; i < names.length; i++) {
    if (names[i]!.length > MAX_EA_NAME_LENGTH) throw new StructError('FILE_GET_EA_INFORMATION', `EA name '${names[i]!.slice(0, 20)}…' is longer than 255 characters`)
    size = i === 0 ? 0 : align4(size)
    offsets.push(size)
    size += G.EaName + names[i]!.length + 1
  }
  const bytes = new Uint8Array(size)
  const dv = view(bytes)
  for (let i = 0; i < names.length; i++) {
    const o = offsets[i]!
    if (i + 1 < names.length) setU32(dv, o + G.NextEntryOffset, offsets[i + 1]! - o)
    setU8(dv, o + G.EaNameLength, names[i]!.length)
    writeAnsi(bytes, o + G.EaName, names[i]!, 'FILE_GET_EA_INFORMATION.EaName')
  }
  return bytes
}

/**
 * Decodes an EaList, checking it the way NTFS does before answering: every entry inside the
 * buffer, NextEntryOffset past the entry's name and NUL. A bad list gives
 * STATUS_EA_LIST_INCONSISTENT with the offset of the bad entry.
 * unverified: whether NTFS also requires the 4-byte alignment of NextEntryOffset here.
 */
export function decodeGetEaList(bytes: Uint8Array): { status: NTSTATUS; errorOffset: number; names: string[] } {
  const G = FILE_GET_EA_INFORMATION
  const names: string[] = []
  if (bytes.length === 0) return { status: STATUS.STATUS_SUCCESS, errorOffset: 0, names }
  const dv = view(bytes)
  let o = 0
  for (;;) {
    const bad = { status: STATUS.STATUS_EA_LIST_INCONSISTENT, errorOffset: o, names }
    if (o + G.EaName > bytes.length) return bad
    const len = u8(dv, o + G.EaNameLength)
    if (o + G.EaName + len + 1 > bytes.length) return bad
    names.push(readAnsi(bytes, o + G.EaName, len))
    const next = u32(dv, o + G.NextEntryOffset)
    if (next === 0) return { status: STATUS.STATUS_SUCCESS, errorOffset: 0, names }
    if (next < G.EaName + len + 1) return bad
    o += next
  }
}
