// Reparse point buffers (FSCTL_SET/GET/DELETE_REPARSE_POINT): REPARSE_DATA_BUFFER for
// Microsoft tags (symbolic link, mount point, others as raw data) and REPARSE_GUID_DATA_BUFFER
// for third-party tags, to and from the scenario shape
// { ReparseTag, SubstituteName, PrintName, Flags, Data, ReparseGuid }, with the checks
// FSCTL_SET_REPARSE_POINT applies (FsRtlValidateReparsePointBuffer).
//
// Layout: ReparseTag (ULONG) 0, ReparseDataLength (USHORT) 4, Reserved (USHORT) 6, then
// - symbolic link: SubstituteNameOffset 8, SubstituteNameLength 10, PrintNameOffset 12,
//   PrintNameLength 14, Flags (ULONG) 16, PathBuffer 20 (offsets relative to PathBuffer);
// - mount point: the same four USHORTs, PathBuffer 16;
// - other Microsoft tags: DataBuffer 8;
// - REPARSE_GUID_DATA_BUFFER: ReparseGuid 8..24, DataBuffer 24.

import {
  IO_REPARSE_TAG,
  IsReparseTagMicrosoft,
  MAXIMUM_REPARSE_DATA_BUFFER_SIZE,
  REPARSE_DATA_BUFFER_HEADER_SIZE,
  REPARSE_GUID_DATA_BUFFER_HEADER_SIZE,
  SYMLINK_FLAG_RELATIVE,
} from '../../nt/file.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import { type EncodeResult, StructError, readGuid, readUtf16, setU16, setU32, u16, u32, utf16Bytes, view, writeGuid, writeUtf16 } from './buffer.ts'

export { SYMLINK_FLAG_RELATIVE }

const TAG_MOUNT_POINT = IO_REPARSE_TAG.IO_REPARSE_TAG_MOUNT_POINT >>> 0
const TAG_SYMLINK = IO_REPARSE_TAG.IO_REPARSE_TAG_SYMLINK >>> 0
/** ntifs.h: the bits a reparse tag may use (bits 16..27 are reserved). */
export const IO_REPARSE_TAG_VALID_VALUES = 0xf000ffff
/** ntifs.h IsReparseTagValid: no reserved bits, and above the reserved tags 0..2. */
export const isReparseTagValid = (tag: number): boolean => ((tag >>> 0) & ~IO_REPARSE_TAG_VALID_VALUES) === 0 && (tag >>> 0) > 2

/** The GUID used for a third-party tag when a scenario gives none. */
export const DEFAULT_REPARSE_GUID = '{A17171DE-0000-4000-8000-000000000001}'

export const SYMBOLIC_LINK_PATH_BUFFER = 20
export const MOUNT_POINT_PATH_BUFFER = 16

/** The scenario shape of a reparse point. */
export interface ReparsePoint {
  readonly ReparseTag: number
  /** header field as stored; on input, overrides the computed length (to build bad buffers) */
  readonly ReparseDataLength?: number
  readonly Reserved?: number
  readonly SubstituteName?: string
  readonly PrintName?: string
  /** symbolic links: SYMLINK_FLAG_RELATIVE */
  readonly Flags?: number
  /** the data of a tag that is neither a symbolic link nor a mount point */
  readonly Data?: Uint8Array
  /** third-party (non-Microsoft) tags */
  readonly ReparseGuid?: string
}

export interface ReparseEncodeOptions {
  /**
   * Symbolic links: where the names go. 'print-first' is what CreateSymbolicLinkW writes
   * (PrintName at 0, SubstituteName after it, no terminators); 'substitute-first' puts the
   * substitute name first. unverified: the CreateSymbolicLinkW layout is from observed links.
   */
  readonly symlinkOrder?: 'print-first' | 'substitute-first'
}

/**
 * Builds the FSCTL_SET_REPARSE_POINT input buffer for `rp`. Symbolic links and mount points
 * carry their names; other Microsoft tags carry `Data`; third-party tags a
 * REPARSE_GUID_DATA_BUFFER with `ReparseGuid` (DEFAULT_REPARSE_GUID when absent).
 */
export function encodeReparsePoint(rp: ReparsePoint, opts: ReparseEncodeOptions = {}): Uint8Array {
  const tag = rp.ReparseTag >>> 0
  const sub = rp.SubstituteName ?? ''
  const print = rp.PrintName ?? ''
  let bytes: Uint8Array
  if (tag === TAG_MOUNT_POINT) {
    // substitute name, NUL, print name, NUL (the layout the validation requires)
    const subLen = utf16Bytes(sub)
    const printLen = utf16Bytes(print)
    const dataLength = 8 + subLen + 2 + printLen + 2
    bytes = new Uint8Array(REPARSE_DATA_BUFFER_HEADER_SIZE + dataLength)
    const dv = view(bytes)
    setU16(dv, 8, 0)
    setU16(dv, 10, subLen)
    setU16(dv, 12, subLen + 2)
    setU16(dv, 14, printLen)
    writeUtf16(bytes, MOUNT_POINT_PATH_BUFFER, sub)
    writeUtf16(bytes, MOUNT_POINT_PATH_BUFFER + subLen + 2, print)
    header(dv, tag, rp, dataLength)
  } else if (tag === TAG_SYMLINK) {
    const subLen = utf16Bytes(sub)
    const printLen = utf16Bytes(print)
    const dataLength = 12 + subLen + printLen
    bytes = new Uint8Array(REPARSE_DATA_BUFFER_HEADER_SIZE + dataLength)
    const dv = view(bytes)
    const printFirst = (opts.symlinkOrder ?? 'print-first') === 'print-first'
    const subOff = printFirst ? printLen : 0
    const printOff = printFirst ? 0 : subLen
    setU16(dv, 8, subOff)
    setU16(dv, 10, subLen)
    setU16(dv, 12, printOff)
    setU16(dv, 14, printLen)
    setU32(dv, 16, rp.Flags ?? 0)
    writeUtf16(bytes, SYMBOLIC_LINK_PATH_BUFFER + subOff, sub)
    writeUtf16(bytes, SYMBOLIC_LINK_PATH_BUFFER + printOff, print)
    header(dv, tag, rp, dataLength)
  } else if (IsReparseTagMicrosoft(tag)) {
    const data = rp.Data ?? new Uint8Array(0)
    bytes = new Uint8Array(REPARSE_DATA_BUFFER_HEADER_SIZE + data.length)
    bytes.set(data, REPARSE_DATA_BUFFER_HEADER_SIZE)
    header(view(bytes), tag, rp, data.length)
  } else {
    const data = rp.Data ?? new Uint8Array(0)
    bytes = new Uint8Array(REPARSE_GUID_DATA_BUFFER_HEADER_SIZE + data.length)
    bytes.set(data, REPARSE_GUID_DATA_BUFFER_HEADER_SIZE)
    const dv = view(bytes)
    writeGuid(dv, 8, rp.ReparseGuid ?? DEFAULT_REPARSE_GUID, 'REPARSE_GUID_DATA_BUFFER.ReparseGuid')
    header(dv, tag, rp, data.length)
  }
  if (bytes.length - REPARSE_DATA_BUFFER_HEADER_SIZE > 0xffff) {
    throw new StructError('REPARSE_DATA_BUFFER', `data of ${bytes.length - REPARSE_DATA_BUFFER_HEADER_SIZE} bytes does not fit ReparseDataLength (USHORT)`)
  }
  return bytes
}

function header(dv: DataView, tag: number, rp: ReparsePoint, dataLength: number): void {
  setU32(dv, 0, tag)
  setU16(dv, 4, rp.ReparseDataLength ?? dataLength)
  setU16(dv, 6, rp.Reserved ?? 0)
}

/**
 * Decodes a reparse buffer into the scenario shape. A buffer whose length is ReparseDataLength
 * + 24 (or any third-party tag) is read as REPARSE_GUID_DATA_BUFFER. Names outside the buffer
 * throw StructError naming the field.
 */
export function decodeReparsePoint(bytes: Uint8Array): ReparsePoint {
  if (bytes.length < REPARSE_DATA_BUFFER_HEADER_SIZE) {
    throw new StructError('REPARSE_DATA_BUFFER', `needs an 8-byte header, the buffer has ${bytes.length}`)
  }
  const dv = view(bytes)
  const tag = u32(dv, 0)
  const dataLength = u16(dv, 4)
  const base = { ReparseTag: tag, ReparseDataLength: dataLength, Reserved: u16(dv, 6) }
  const guidForm = !IsReparseTagMicrosoft(tag) || bytes.length === dataLength + REPARSE_GUID_DATA_BUFFER_HEADER_SIZE
  if (guidForm) {
    if (bytes.length < REPARSE_GUID_DATA_BUFFER_HEADER_SIZE) {
      throw new StructError('REPARSE_GUID_DATA_BUFFER', `needs a 24-byte header, the buffer has ${bytes.length}`)
    }
    const end = Math.min(bytes.length, REPARSE_GUID_DATA_BUFFER_HEADER_SIZE + dataLength)
    return { ...base, ReparseGuid: readGuid(dv, 8), Data: bytes.slice(REPARSE_GUID_DATA_BUFFER_HEADER_SIZE, end) }
  }
  if (tag === TAG_MOUNT_POINT || tag === TAG_SYMLINK) {
    const pathBuffer = tag === TAG_SYMLINK ? SYMBOLIC_LINK_PATH_BUFFER : MOUNT_POINT_PATH_BUFFER
    const structure = tag === TAG_SYMLINK ? 'SymbolicLinkReparseBuffer' : 'MountPointReparseBuffer'
    if (bytes.length < pathBuffer) throw new StructError(structure, `needs ${pathBuffer} bytes, the buffer has ${bytes.length}`)
    const name = (field: string, off: number, len: number): string => {
      if (pathBuffer + off + len > bytes.length) throw new StructError(structure, `${field} (offset ${off}, length ${len}) runs past the buffer`)
      return readUtf16(bytes, pathBuffer + off, len)
    }
    const out = {
      ...base,
      SubstituteName: name('SubstituteName', u16(dv, 8), u16(dv, 10)),
      PrintName: name('PrintName', u16(dv, 12), u16(dv, 14)),
    }
    return tag === TAG_SYMLINK ? { ...out, Flags: u32(dv, 16) } : out
  }
  const end = Math.min(bytes.length, REPARSE_DATA_BUFFER_HEADER_SIZE + dataLength)
  return { ...base, Data: bytes.slice(REPARSE_DATA_BUFFER_HEADER_SIZE, end) }
}

export interface ReparseValidateOptions {
  /**
   * NTFS refuses a mount point whose substitute name is not an NT path (a relative or DOS
   * path): STATUS_IO_REPARSE_DATA_INVALID. Default true.
   * unverified: observed refusal of relative junction targets; the exact NTFS test is not
   * published.
   */
  readonly requireNtMountPointTarget?: boolean
}

const isEven = (n: number): boolean => (n & 1) === 0

/**
 * FSCTL_SET_REPARSE_POINT's check of its input (FsRtlValidateReparsePointBuffer, as ReactOS's
 * ntoskrnl_vista/fsrtl.c reimplements it):
 * - length below the 8-byte header or above 16 KiB → STATUS_IO_REPARSE_DATA_INVALID;
 * - the length must be ReparseDataLength + 8 (REPARSE_DATA_BUFFER, Microsoft tags only) or
 *   + 24 (REPARSE_GUID_DATA_BUFFER: not for symlinks or mount points; a third-party tag needs a
 *   non-null GUID) → else STATUS_IO_REPARSE_DATA_INVALID;
 * - a tag with reserved bits or one of the reserved tags 0..2 → STATUS_IO_REPARSE_TAG_INVALID;
 * - mount point: SubstituteNameOffset 0, PrintNameOffset = SubstituteNameLength + 2,
 *   ReparseDataLength = 8 + both lengths + 4 (two NULs);
 * - symbolic link: both names non-empty, lengths and offsets even, both inside the data.
 */
export function validateReparseBuffer(bytes: Uint8Array, opts: ReparseValidateOptions = {}): NTSTATUS {
  const INVALID = STATUS.STATUS_IO_REPARSE_DATA_INVALID
  const len = bytes.length
  if (len < REPARSE_DATA_BUFFER_HEADER_SIZE || len > MAXIMUM_REPARSE_DATA_BUFFER_SIZE) return INVALID
  const dv = view(bytes)
  const tag = u32(dv, 0)
  const dataLength = u16(dv, 4)
  const plain = dataLength + REPARSE_DATA_BUFFER_HEADER_SIZE === len
  const guided = dataLength + REPARSE_GUID_DATA_BUFFER_HEADER_SIZE === len
  if (!plain && !guided) return INVALID
  if (plain && !IsReparseTagMicrosoft(tag)) return INVALID
  if (guided) {
    if (tag === TAG_MOUNT_POINT || tag === TAG_SYMLINK) return INVALID
    if (!IsReparseTagMicrosoft(tag) && bytes.subarray(8, 24).every((b) => b === 0)) return INVALID
  }
  if (!isReparseTagValid(tag)) return STATUS.STATUS_IO_REPARSE_TAG_INVALID
  if (tag === TAG_MOUNT_POINT) {
    if (dataLength < 8) return INVALID
    const subOff = u16(dv, 8)
    const subLen = u16(dv, 10)
    const printOff = u16(dv, 12)
    const printLen = u16(dv, 14)
    if (subOff !== 0 || printOff !== subLen + 2 || dataLength !== 8 + subLen + printLen + 4) return INVALID
    if (opts.requireNtMountPointTarget ?? true) {
      const target = readUtf16(bytes, MOUNT_POINT_PATH_BUFFER, subLen)
      if (!isNtPath(target)) return INVALID
    }
    return STATUS.STATUS_SUCCESS
  }
  if (tag === TAG_SYMLINK) {
    if (dataLength < 12) return INVALID
    const subOff = u16(dv, 8)
    const subLen = u16(dv, 10)
    const printOff = u16(dv, 12)
    const printLen = u16(dv, 14)
    if (subLen === 0 || printLen === 0) return INVALID
    if (!isEven(subOff) || !isEven(subLen) || !isEven(printOff) || !isEven(printLen)) return INVALID
    if (subOff + subLen + 12 > dataLength || printOff + printLen + 12 > dataLength) return INVALID
    return STATUS.STATUS_SUCCESS
  }
  return STATUS.STATUS_SUCCESS
}

/** An NT path: begins with a backslash (\??\C:\dir, \??\Volume{...}\, \Device\...). */
const isNtPath = (s: string): boolean => s.startsWith('\\')

/**
 * FSCTL_GET_REPARSE_POINT's output: the stored buffer copied into OutputBufferLength bytes. A
 * buffer shorter than the header (8 bytes; 24 for a third-party tag) → STATUS_BUFFER_TOO_SMALL
 * and nothing; shorter than the whole → as much as fits and STATUS_BUFFER_OVERFLOW.
 * unverified: the 24-byte floor for third-party tags (MS-FSA FSCTL_GET_REPARSE_POINT asks for
 * the header of the tag's structure).
 */
export function encodeReparseQuery(stored: Uint8Array, bufferLength: number): EncodeResult {
  const tag = stored.length >= 4 ? u32(view(stored), 0) : 0
  const headerSize = IsReparseTagMicrosoft(tag) ? REPARSE_DATA_BUFFER_HEADER_SIZE : REPARSE_GUID_DATA_BUFFER_HEADER_SIZE
  if (bufferLength < headerSize) return { bytes: new Uint8Array(0), status: STATUS.STATUS_BUFFER_TOO_SMALL, information: 0 }
  if (bufferLength < stored.length) {
    return { bytes: stored.slice(0, bufferLength), status: STATUS.STATUS_BUFFER_OVERFLOW, information: bufferLength }
  }
  return { bytes: stored.slice(), status: STATUS.STATUS_SUCCESS, information: stored.length }
}
