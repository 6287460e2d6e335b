// Byte-level helpers for the x64 layouts of NT structures: little-endian integers over a
// DataView, LARGE_INTEGER, UTF-16LE strings (no terminator unless a structure has one),
// alignment, GUIDs in Windows byte order, and the result shape every encoder returns.

import type { NTSTATUS } from '../../nt/status.ts'

/** What an encoder hands back: the bytes written, the status and IoStatus.Information. */
export interface EncodeResult {
  /** exactly `information` bytes: the part of the caller's buffer that was written */
  readonly bytes: Uint8Array
  readonly status: NTSTATUS
  /** IO_STATUS_BLOCK.Information: the number of bytes written */
  readonly information: number
}

/** Bad structure contents (a length past the buffer, a short fixed part): says what and where. */
export class StructError extends Error {
  constructor(
    /** the structure, e.g. FILE_RENAME_INFORMATION */
    readonly structure: string,
    message: string,
    /** byte offset of the bad field or entry, when there is one */
    readonly offset?: number,
  ) {
    super(`${structure}: ${message}${offset !== undefined ? ` (at offset ${offset})` : ''}`)
    this.name = 'StructError'
  }
}

/** A 64-bit value given by a caller: a number (exact up to 2^53) or a bigint. */
export type U64Input = number | bigint

export const MAX_U64 = 0xffffffffffffffffn

/** A DataView over exactly the bytes of `b` (which may be a view into a larger buffer). */
export function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength)
}

/** A new zeroed buffer and its DataView. */
export function alloc(size: number): { bytes: Uint8Array; dv: DataView } {
  const bytes = new Uint8Array(size)
  return { bytes, dv: new DataView(bytes.buffer) }
}

export const u8 = (dv: DataView, o: number): number => dv.getUint8(o)
export const u16 = (dv: DataView, o: number): number => dv.getUint16(o, true)
export const u32 = (dv: DataView, o: number): number => dv.getUint32(o, true)
export const i32 = (dv: DataView, o: number): number => dv.getInt32(o, true)
/** ULONGLONG as bigint. */
export const u64 = (dv: DataView, o: number): bigint => dv.getBigUint64(o, true)
/** LARGE_INTEGER (signed) as bigint. */
export const i64 = (dv: DataView, o: number): bigint => dv.getBigInt64(o, true)

/**
 * A LARGE_INTEGER size or offset as a number. Values beyond 2^53 lose precision (no NTFS file
 * reaches 8 PiB); negative values stay negative (FILE_WRITE_TO_END_OF_FILE is -1).
 */
export function i64n(dv: DataView, o: number): number {
  const lo = dv.getUint32(o, true)
  const hi = dv.getInt32(o + 4, true)
  return hi * 0x100000000 + lo
}

/** An unsigned 64-bit size as a number (precision as for i64n). */
export function u64n(dv: DataView, o: number): number {
  const lo = dv.getUint32(o, true)
  const hi = dv.getUint32(o + 4, true)
  return hi * 0x100000000 + lo
}

export const setU8 = (dv: DataView, o: number, v: number): void => dv.setUint8(o, v & 0xff)
export const setU16 = (dv: DataView, o: number, v: number): void => dv.setUint16(o, v & 0xffff, true)
export const setU32 = (dv: DataView, o: number, v: number): void => dv.setUint32(o, v >>> 0, true)
export const setI32 = (dv: DataView, o: number, v: number): void => dv.setInt32(o, v | 0, true)

/** Converts a 64-bit input to bigint, checking it is an integer in range. */
export function toBig(v: U64Input, what: string, signed: boolean): bigint {
  let b: bigint
  if (typeof v === 'bigint') b = v
  else {
    if (!Number.isInteger(v)) throw new StructError(what, `${v} is not an integer`)
    b = BigInt(v)
  }
  const lo = signed ? -(1n << 63n) : 0n
  const hi = signed ? (1n << 63n) - 1n : MAX_U64
  if (b < lo || b > hi) throw new StructError(what, `${b} does not fit in a ${signed ? 'LARGE_INTEGER' : 'ULONGLONG'}`)
  return b
}

/** Writes a LARGE_INTEGER (signed 64-bit). */
export function setI64(dv: DataView, o: number, v: U64Input, what = 'LARGE_INTEGER'): void {
  if (typeof v === 'number' && Number.isSafeInteger(v)) {
    // fast path without bigint: two's complement split into 32-bit halves
    dv.setUint32(o, v >>> 0, true)
    dv.setInt32(o + 4, Math.floor(v / 0x100000000), true)
    return
  }
  dv.setBigInt64(o, toBig(v, what, true), true)
}

/** Writes a ULONGLONG (unsigned 64-bit). */
export function setU64(dv: DataView, o: number, v: U64Input, what = 'ULONGLONG'): void {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) {
    dv.setUint32(o, v >>> 0, true)
    dv.setUint32(o + 4, Math.floor(v / 0x100000000), true)
    return
  }
  dv.setBigUint64(o, toBig(v, what, false), true)
}

/** Reads a 128-bit little-endian value (FILE_ID_128) as bigint. */
export function u128(dv: DataView, o: number): bigint {
  return (dv.getBigUint64(o + 8, true) << 64n) | dv.getBigUint64(o, true)
}

/** Writes a 128-bit little-endian value (FILE_ID_128). */
export function setU128(dv: DataView, o: number, v: U64Input, what = 'FILE_ID_128'): void {
  const b = typeof v === 'bigint' ? v : toBig(v, what, false)
  if (b < 0n || b >> 128n !== 0n) throw new StructError(what, `${b} does not fit in 128 bits`)
  dv.setBigUint64(o, b & MAX_U64, true)
  dv.setBigUint64(o + 8, b >> 64n, true)
}

/** Byte length of a string in UTF-16 (code units × 2). */
export const utf16Bytes = (s: string): number => s.length * 2

/**
 * Reads `byteLength` bytes of UTF-16LE at `o`. An odd trailing byte is dropped. Lone
 * surrogates survive (NTFS names are sequences of 16-bit units, not validated Unicode).
 */
export function readUtf16(b: Uint8Array, o: number, byteLength: number): string {
  const units = byteLength >>> 1
  let s = ''
  // chunked fromCharCode keeps long names fast without a TextDecoder (which would replace
  // lone surrogates with U+FFFD)
  const CHUNK = 4096
  for (let i = 0; i < units; i += CHUNK) {
    const n = Math.min(CHUNK, units - i)
    const codes = new Array<number>(n)
    for (let j = 0; j < n; j++) {
      const p = o + 2 * (i + j)
      codes[j] = b[p]! | (b[p + 1]! << 8)
    }
    s += String.fromCharCode.apply(null, codes)
  }
  return s
}

/**
 * Writes `s` as UTF-16LE at `o`, at most `maxBytes` bytes (whole code units only).
 * Returns the number of bytes written.
 */
export function writeUtf16(b: Uint8Array, o: number, s: string, maxBytes = s.length * 2): number {
  const units = Math.min(s.length, maxBytes >>> 1)
  for (let i = 0; i < units; i++) {
    const c = s.charCodeAt(i)
    b[o + 2 * i] = c & 0xff
    b[o + 2 * i + 1] = c >>> 8
  }
  return units * 2
}

/** `s` as UTF-16LE bytes. */
export function encodeUtf16(s: string): Uint8Array {
  const b = new Uint8Array(s.length * 2)
  writeUtf16(b, 0, s)
  return b
}

/** Reads 8-bit characters (EA names, ANSI strings) as a string of code units 0..255. */
export function readAnsi(b: Uint8Array, o: number, length: number): string {
  let s = ''
  for (let i = 0; i < length; i++) s += String.fromCharCode(b[o + i]!)
  return s
}

/** Writes a string of 8-bit characters; throws when a character does not fit in a byte. */
export function writeAnsi(b: Uint8Array, o: number, s: string, what: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c > 0xff) throw new StructError(what, `character U+${c.toString(16).padStart(4, '0')} of '${s}' is not an 8-bit character`)
    b[o + i] = c
  }
}

export const alignUp = (n: number, unit: number): number => Math.ceil(n / unit) * unit
export const alignDown = (n: number, unit: number): number => Math.floor(n / unit) * unit
export const align8 = (n: number): number => (n + 7) & ~7
export const align4 = (n: number): number => (n + 3) & ~3

const GUID_RE = /^\{?([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}?$/i

/** True when `s` is a GUID string, with or without braces. */
export const isGuidString = (s: string): boolean => GUID_RE.test(s)

/**
 * Writes a GUID string ({xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}, braces optional) as the 16
 * bytes of a GUID: Data1 (ULONG), Data2 and Data3 (USHORT) little-endian, Data4 as 8 bytes
 * in order.
 */
export function writeGuid(dv: DataView, o: number, guid: string, what = 'GUID'): void {
  const m = GUID_RE.exec(guid)
  if (!m) throw new StructError(what, `'${guid}' is not a GUID ({xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx})`)
  dv.setUint32(o, parseInt(m[1]!, 16), true)
  dv.setUint16(o + 4, parseInt(m[2]!, 16), true)
  dv.setUint16(o + 6, parseInt(m[3]!, 16), true)
  const tail = m[4]! + m[5]!
  for (let i = 0; i < 8; i++) dv.setUint8(o + 8 + i, parseInt(tail.slice(2 * i, 2 * i + 2), 16))
}

/** Reads 16 bytes as an upper-case braced GUID string. */
export function readGuid(dv: DataView, o: number): string {
  const h = (v: number, w: number): string => v.toString(16).toUpperCase().padStart(w, '0')
  let d4 = ''
  for (let i = 0; i < 8; i++) d4 += h(dv.getUint8(o + 8 + i), 2)
  return `{${h(dv.getUint32(o, true), 8)}-${h(dv.getUint16(o + 4, true), 4)}-${h(dv.getUint16(o + 6, true), 4)}-${d4.slice(0, 4)}-${d4.slice(4)}}`
}

/** A GUID string as its 16 bytes. */
export function guidToBytes(guid: string): Uint8Array {
  const { bytes, dv } = alloc(16)
  writeGuid(dv, 0, guid)
  return bytes
}

/** 16 bytes as a GUID string. */
export function guidFromBytes(b: Uint8Array, o = 0): string {
  if (b.length < o + 16) throw new StructError('GUID', `needs 16 bytes, ${b.length - o} available`, o)
  return readGuid(view(b), o)
}

/** Lower-case hex of `b` (the `{ hex }` form of scenario files). */
export function toHex(b: Uint8Array): string {
  let s = ''
  for (let i = 0; i < b.length; i++) s += b[i]!.toString(16).padStart(2, '0')
  return s
}

/** Parses hex digits (whitespace allowed between bytes) into bytes. */
export function fromHex(hex: string, what = 'hex data'): Uint8Array {
  const clean = hex.replace(/\s+/g, '')
  if (clean.length % 2 !== 0) throw new StructError(what, `'${hex}' has an odd number of hex digits`)
  if (!/^[0-9a-f]*$/i.test(clean)) throw new StructError(what, `'${hex}' contains characters that are not hex digits`)
  const b = new Uint8Array(clean.length / 2)
  for (let i = 0; i < b.length; i++) b[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16)
  return b
}

/** Throws a StructError when `b` is shorter than `need` bytes from `o`. */
export function need(b: Uint8Array, o: number, needBytes: number, structure: string, field?: string): void {
  if (o + needBytes > b.length) {
    const what = field ? `${field} needs ${needBytes} bytes` : `needs ${needBytes} bytes`
    throw new StructError(structure, `${what}, the buffer has ${Math.max(0, b.length - o)}`, o)
  }
}
