// FILE_INFORMATION_CLASS structures: encoders that fill a caller's buffer of a given length the
// way a Windows file system does, and decoders back to objects with the Windows field names.
//
// The rules every query encoder follows:
// - a buffer shorter than the class's minimum (FILE_INFO_LENGTH) → STATUS_INFO_LENGTH_MISMATCH,
//   nothing written (MS-FSA 2.1.5.12: "If OutputBufferSize is smaller than sizeof(...), the
//   operation MUST be failed with STATUS_INFO_LENGTH_MISMATCH");
// - a name that does not fit is copied as far as it fits, in whole WCHARs, with the length
//   field still the full length, and STATUS_BUFFER_OVERFLOW; Information is the bytes written
//   (MS-FSA FileNameInformation; Wine ntdll tests: an 8-byte FileNameInformation buffer and a
//   104-byte FileAllInformation buffer return BUFFER_OVERFLOW, the full FileNameLength, two
//   characters of the name and Information 8 / 104);
// - chains (streams, hard links) hold only whole entries, 8-byte aligned; one that does not fit
//   ends the buffer with STATUS_BUFFER_OVERFLOW (MS-FSA FileStreamInformation).
// `bytes` of a result is always exactly `information` long.

import type { FileInformationClassName } from '../../nt/infoclass.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import {
  type EncodeResult,
  StructError,
  align8,
  alignDown,
  i64n,
  readUtf16,
  setI64,
  setU32,
  setU64,
  u32,
  u64,
  utf16Bytes,
  view,
  writeUtf16,
  type U64Input,
} from './buffer.ts'
import { FILE_INFO_LENGTH } from './fileinfo-lengths.ts'
import {
  FILE_ACCESS_INFORMATION,
  FILE_ALIGNMENT_INFORMATION,
  FILE_ALL_INFORMATION_OFFSETS,
  FILE_ALLOCATION_INFORMATION,
  FILE_ATTRIBUTE_TAG_INFORMATION,
  FILE_BASIC_INFORMATION,
  FILE_CASE_SENSITIVE_INFORMATION,
  FILE_COMPLETION_INFORMATION,
  FILE_COMPRESSION_INFORMATION,
  FILE_DESIRED_STORAGE_CLASS_INFORMATION,
  FILE_DISPOSITION_INFORMATION,
  FILE_DISPOSITION_INFORMATION_EX,
  FILE_EA_INFORMATION,
  FILE_END_OF_FILE_INFORMATION,
  FILE_ID_INFORMATION,
  FILE_INTERNAL_INFORMATION,
  FILE_IO_COMPLETION_NOTIFICATION_INFORMATION,
  FILE_IO_PRIORITY_HINT_INFORMATION,
  FILE_IS_REMOTE_DEVICE_INFORMATION,
  FILE_KNOWN_FOLDER_INFORMATION,
  FILE_MODE_INFORMATION,
  FILE_NETWORK_OPEN_INFORMATION,
  FILE_NUMA_NODE_INFORMATION,
  FILE_OBJECTID_INFORMATION,
  FILE_POSITION_INFORMATION,
  FILE_REMOTE_PROTOCOL_INFORMATION,
  FILE_STANDARD_INFORMATION,
  FILE_STANDARD_LINK_INFORMATION,
  FILE_STAT_BASIC_INFORMATION,
  FILE_STAT_INFORMATION,
  FILE_STAT_LX_INFORMATION,
  FILE_STORAGE_RESERVE_ID_INFORMATION,
  FILE_VALID_DATA_LENGTH_INFORMATION,
  NAME_FILE_NAME_OFFSET,
  RENAME_FILE_NAME_OFFSET,
} from './fileinfo-layouts.ts'
import type { Decoded, FieldMap, Input, StructDef } from './struct.ts'

// ---------------------------------------------------------------------------------------------
// Result helpers

const EMPTY = new Uint8Array(0)

/** A failed query: nothing written. */
export function failed(status: NTSTATUS): EncodeResult {
  return { bytes: EMPTY, status, information: 0 }
}

function done(bytes: Uint8Array, status: NTSTATUS = STATUS.STATUS_SUCCESS): EncodeResult {
  return { bytes, status, information: bytes.length }
}

// ---------------------------------------------------------------------------------------------
// Object types (decoded form; encoders accept the same fields, 64-bit ones as number or bigint)

export type FileBasicInformation = Decoded<typeof FILE_BASIC_INFORMATION.fields>
export type FileStandardInformation = Decoded<typeof FILE_STANDARD_INFORMATION.fields>
export type FileInternalInformation = Decoded<typeof FILE_INTERNAL_INFORMATION.fields>
export type FileEaInformation = Decoded<typeof FILE_EA_INFORMATION.fields>
export type FileAccessInformation = Decoded<typeof FILE_ACCESS_INFORMATION.fields>
export type FilePositionInformation = Decoded<typeof FILE_POSITION_INFORMATION.fields>
export type FileModeInformation = Decoded<typeof FILE_MODE_INFORMATION.fields>
export type FileAlignmentInformation = Decoded<typeof FILE_ALIGNMENT_INFORMATION.fields>
export type FileNetworkOpenInformation = Decoded<typeof FILE_NETWORK_OPEN_INFORMATION.fields>
export type FileAttributeTagInformation = Decoded<typeof FILE_ATTRIBUTE_TAG_INFORMATION.fields>
export type FileIdInformation = Decoded<typeof FILE_ID_INFORMATION.fields>
export type FileStatInformation = Decoded<typeof FILE_STAT_INFORMATION.fields>

/** FILE_NAME_INFORMATION and the classes that share it (alternate, normalized, ...). */
export interface FileNameInformation {
  /** bytes; the full length even when the name was cut short */
  readonly FileNameLength: number
  readonly FileName: string
}
export interface FileNameInput {
  readonly FileName: string
}

/** FILE_VOLUME_NAME_INFORMATION: the volume's device name (\Device\HarddiskVolume1). */
export interface FileVolumeNameInformation {
  readonly DeviceNameLength: number
  readonly DeviceName: string
}

/** FILE_RENAME_INFORMATION / FILE_LINK_INFORMATION. */
export interface FileRenameInformation {
  readonly ReplaceIfExists: boolean
  readonly RootDirectory: number
  readonly FileNameLength: number
  readonly FileName: string
}
export interface FileRenameInput {
  readonly ReplaceIfExists?: boolean
  readonly RootDirectory?: number | bigint
  readonly FileName: string
}

/** FILE_RENAME_INFORMATION_EX / FILE_LINK_INFORMATION_EX: FILE_RENAME_* / FILE_LINK_* flags. */
export interface FileRenameInformationEx {
  readonly Flags: number
  readonly RootDirectory: number
  readonly FileNameLength: number
  readonly FileName: string
}
export interface FileRenameExInput {
  readonly Flags?: number
  readonly RootDirectory?: number | bigint
  readonly FileName: string
}

/** FILE_ALL_INFORMATION, member structures by their Windows names. */
export interface FileAllInformation {
  readonly BasicInformation: FileBasicInformation
  readonly StandardInformation: FileStandardInformation
  readonly InternalInformation: FileInternalInformation
  readonly EaInformation: FileEaInformation
  readonly AccessInformation: FileAccessInformation
  readonly PositionInformation: FilePositionInformation
  readonly ModeInformation: FileModeInformation
  readonly AlignmentInformation: FileAlignmentInformation
  readonly NameInformation: FileNameInformation
}
export interface FileAllInput {
  readonly BasicInformation?: Input<typeof FILE_BASIC_INFORMATION.fields>
  readonly StandardInformation?: Input<typeof FILE_STANDARD_INFORMATION.fields>
  readonly InternalInformation?: Input<typeof FILE_INTERNAL_INFORMATION.fields>
  readonly EaInformation?: Input<typeof FILE_EA_INFORMATION.fields>
  readonly AccessInformation?: Input<typeof FILE_ACCESS_INFORMATION.fields>
  readonly PositionInformation?: Input<typeof FILE_POSITION_INFORMATION.fields>
  readonly ModeInformation?: Input<typeof FILE_MODE_INFORMATION.fields>
  readonly AlignmentInformation?: Input<typeof FILE_ALIGNMENT_INFORMATION.fields>
  readonly NameInformation: FileNameInput
}

/** One FILE_STREAM_INFORMATION entry. StreamName is in the ":name:$DATA" form ("::$DATA" for the default stream). */
export interface FileStreamEntry {
  readonly StreamName: string
  readonly StreamSize: number
  readonly StreamAllocationSize: number
}
export interface FileStreamEntryInput {
  readonly StreamName: string
  readonly StreamSize?: U64Input
  readonly StreamAllocationSize?: U64Input
}
export interface FileStreamInformation {
  readonly Streams: readonly FileStreamEntry[]
}
export interface FileStreamInput {
  readonly Streams: readonly FileStreamEntryInput[]
}

/** One FILE_LINK_ENTRY_INFORMATION: the parent directory's file reference and the link's name. */
export interface FileLinkEntry {
  readonly ParentFileId: bigint
  readonly FileName: string
}
export interface FileLinkEntryInput {
  readonly ParentFileId: U64Input
  readonly FileName: string
}
/** FILE_LINKS_INFORMATION (FileHardLinkInformation). */
export interface FileLinksInformation {
  readonly BytesNeeded: number
  readonly EntriesReturned: number
  readonly Entries: readonly FileLinkEntry[]
}
export interface FileLinksInput {
  readonly Entries: readonly FileLinkEntryInput[]
}

// ---------------------------------------------------------------------------------------------
// Fixed-size classes

function fixedEncoder<M extends FieldMap>(def: StructDef<M>, minLength: number) {
  return (obj: Input<M>, bufferLength: number): EncodeResult => {
    if (bufferLength < minLength) return failed(STATUS.STATUS_INFO_LENGTH_MISMATCH)
    return done(def.encode(obj))
  }
}

// ---------------------------------------------------------------------------------------------
// Name classes (FILE_NAME_INFORMATION shape)

/**
 * Writes a ULONG byte length at 0 and the name at 4, as much as fits in `bufferLength`
 * (MS-FSA: AvailableNameLength = BlockAlignTruncate(OutputBufferSize - 4, 2)).
 */
export function encodeNameInformation(name: string, bufferLength: number, minLength = 8): EncodeResult {
  if (bufferLength < minLength) return failed(STATUS.STATUS_INFO_LENGTH_MISMATCH)
  const full = utf16Bytes(name)
  const copy = Math.min(full, alignDown(bufferLength - NAME_FILE_NAME_OFFSET, 2))
  const bytes = new Uint8Array(NAME_FILE_NAME_OFFSET + copy)
  setU32(view(bytes), 0, full)
  writeUtf16(bytes, NAME_FILE_NAME_OFFSET, name, copy)
  return done(bytes, copy < full ? STATUS.STATUS_BUFFER_OVERFLOW : STATUS.STATUS_SUCCESS)
}

/** Decodes a FILE_NAME_INFORMATION; a name cut short by the buffer decodes to the part present. */
export function decodeNameInformation(bytes: Uint8Array, structure = 'FILE_NAME_INFORMATION'): FileNameInformation {
  if (bytes.length < NAME_FILE_NAME_OFFSET) throw new StructError(structure, `needs at least 4 bytes, the buffer has ${bytes.length}`)
  const len = u32(view(bytes), 0)
  const present = Math.min(len, bytes.length - NAME_FILE_NAME_OFFSET)
  return { FileNameLength: len, FileName: readUtf16(bytes, NAME_FILE_NAME_OFFSET, present) }
}

/** FileNameInformation as an input buffer (FileShortNameInformation set): natural length. */
export function encodeNameInput(name: string): Uint8Array {
  const len = utf16Bytes(name)
  const bytes = new Uint8Array(Math.max(8, NAME_FILE_NAME_OFFSET + len))
  setU32(view(bytes), 0, len)
  writeUtf16(bytes, NAME_FILE_NAME_OFFSET, name)
  return bytes
}

// ---------------------------------------------------------------------------------------------
// FILE_ALL_INFORMATION

const A = FILE_ALL_INFORMATION_OFFSETS

export function encodeFileAllInformation(obj: FileAllInput, bufferLength: number): EncodeResult {
  if (bufferLength < FILE_INFO_LENGTH.FileAllInformation.query) return failed(STATUS.STATUS_INFO_LENGTH_MISMATCH)
  const name = obj.NameInformation.FileName
  const full = utf16Bytes(name)
  const copy = Math.min(full, alignDown(bufferLength - A.FileName, 2))
  const bytes = new Uint8Array(A.FileName + copy)
  const dv = view(bytes)
  FILE_BASIC_INFORMATION.writeTo(dv, A.BasicInformation, obj.BasicInformation ?? {})
  FILE_STANDARD_INFORMATION.writeTo(dv, A.StandardInformation, obj.StandardInformation ?? {})
  FILE_INTERNAL_INFORMATION.writeTo(dv, A.InternalInformation, obj.InternalInformation ?? {})
  FILE_EA_INFORMATION.writeTo(dv, A.EaInformation, obj.EaInformation ?? {})
  FILE_ACCESS_INFORMATION.writeTo(dv, A.AccessInformation, obj.AccessInformation ?? {})
  FILE_POSITION_INFORMATION.writeTo(dv, A.PositionInformation, obj.PositionInformation ?? {})
  FILE_MODE_INFORMATION.writeTo(dv, A.ModeInformation, obj.ModeInformation ?? {})
  FILE_ALIGNMENT_INFORMATION.writeTo(dv, A.AlignmentInformation, obj.AlignmentInformation ?? {})
  setU32(dv, A.NameInformation, full)
  writeUtf16(bytes, A.FileName, name, copy)
  return done(bytes, copy < full ? STATUS.STATUS_BUFFER_OVERFLOW : STATUS.STATUS_SUCCESS)
}

export function decodeFileAllInformation(bytes: Uint8Array): FileAllInformation {
  if (bytes.length < A.FileName) {
    throw new StructError('FILE_ALL_INFORMATION', `needs at least ${A.FileName} bytes, the buffer has ${bytes.length}`)
  }
  const dv = view(bytes)
  return {
    BasicInformation: FILE_BASIC_INFORMATION.readFrom(dv, A.BasicInformation),
    StandardInformation: FILE_STANDARD_INFORMATION.readFrom(dv, A.StandardInformation),
    InternalInformation: FILE_INTERNAL_INFORMATION.readFrom(dv, A.InternalInformation),
    EaInformation: FILE_EA_INFORMATION.readFrom(dv, A.EaInformation),
    AccessInformation: FILE_ACCESS_INFORMATION.readFrom(dv, A.AccessInformation),
    PositionInformation: FILE_POSITION_INFORMATION.readFrom(dv, A.PositionInformation),
    ModeInformation: FILE_MODE_INFORMATION.readFrom(dv, A.ModeInformation),
    AlignmentInformation: FILE_ALIGNMENT_INFORMATION.readFrom(dv, A.AlignmentInformation),
    NameInformation: decodeNameInformation(bytes.subarray(A.NameInformation), 'FILE_ALL_INFORMATION.NameInformation'),
  }
}

// ---------------------------------------------------------------------------------------------
// Rename / link (input structures)

function encodeRenameLike(head: number, root: number | bigint | undefined, name: string): Uint8Array {
  const len = utf16Bytes(name)
  const bytes = new Uint8Array(Math.max(24, RENAME_FILE_NAME_OFFSET + len))
  const dv = view(bytes)
  setU32(dv, 0, head)
  setU64(dv, 8, root ?? 0, 'FILE_RENAME_INFORMATION.RootDirectory')
  setU32(dv, 16, len)
  writeUtf16(bytes, RENAME_FILE_NAME_OFFSET, name)
  return bytes
}

/** FILE_RENAME_INFORMATION / FILE_LINK_INFORMATION as the caller's input buffer (at least 24 bytes). */
export function encodeRenameInformation(obj: FileRenameInput): Uint8Array {
  return encodeRenameLike(obj.ReplaceIfExists ? 1 : 0, obj.RootDirectory, obj.FileName)
}

/** FILE_RENAME_INFORMATION_EX / FILE_LINK_INFORMATION_EX as the caller's input buffer. */
export function encodeRenameInformationEx(obj: FileRenameExInput): Uint8Array {
  return encodeRenameLike(obj.Flags ?? 0, obj.RootDirectory, obj.FileName)
}

function readRenameHead(bytes: Uint8Array, structure: string): { dv: DataView; len: number; name: string } {
  if (bytes.length < RENAME_FILE_NAME_OFFSET) {
    throw new StructError(structure, `needs at least ${RENAME_FILE_NAME_OFFSET} bytes, the buffer has ${bytes.length}`)
  }
  const dv = view(bytes)
  const len = u32(dv, 16)
  const present = Math.min(len, bytes.length - RENAME_FILE_NAME_OFFSET)
  return { dv, len, name: readUtf16(bytes, RENAME_FILE_NAME_OFFSET, present) }
}

export function decodeRenameInformation(bytes: Uint8Array): FileRenameInformation {
  const { dv, len, name } = readRenameHead(bytes, 'FILE_RENAME_INFORMATION')
  return { ReplaceIfExists: dv.getUint8(0) !== 0, RootDirectory: Number(u64(dv, 8)), FileNameLength: len, FileName: name }
}

export function decodeRenameInformationEx(bytes: Uint8Array): FileRenameInformationEx {
  const { dv, len, name } = readRenameHead(bytes, 'FILE_RENAME_INFORMATION_EX')
  return { Flags: u32(dv, 0), RootDirectory: Number(u64(dv, 8)), FileNameLength: len, FileName: name }
}

/**
 * The I/O manager's check of a rename/link/short-name input buffer: the name must lie inside
 * the buffer and be whole WCHARs, else STATUS_INVALID_PARAMETER.
 * unverified: Windows checks that FileNameLength stays within Length; the odd-length rule is
 * how NTFS treats a name it cannot split into WCHARs.
 */
export function checkNameInputBuffer(cls: FileInformationClassName, bytes: Uint8Array): NTSTATUS {
  const nameOffset = cls === 'FileShortNameInformation' ? NAME_FILE_NAME_OFFSET : RENAME_FILE_NAME_OFFSET
  const lengthOffset = cls === 'FileShortNameInformation' ? 0 : 16
  if (bytes.length < nameOffset) return STATUS.STATUS_INFO_LENGTH_MISMATCH
  const len = u32(view(bytes), lengthOffset)
  if ((len & 1) !== 0 || nameOffset + len > bytes.length) return STATUS.STATUS_INVALID_PARAMETER
  return STATUS.STATUS_SUCCESS
}

// ---------------------------------------------------------------------------------------------
// FILE_TRACKING_INFORMATION (input): DestinationFile (HANDLE) 0, ObjectInformationLength 8,
// ObjectInformation 12; sizeof 16. The link-tracking service's object information travels as bytes.

export interface FileTrackingInformation {
  readonly DestinationFile: number
  readonly ObjectInformationLength: number
  readonly ObjectInformation: Uint8Array
}
export interface FileTrackingInput {
  readonly DestinationFile?: number | bigint
  readonly ObjectInformation?: Uint8Array
}

export function encodeTrackingInformation(obj: FileTrackingInput): Uint8Array {
  const info = obj.ObjectInformation ?? new Uint8Array(0)
  const bytes = new Uint8Array(Math.max(16, 12 + info.length))
  const dv = view(bytes)
  setU64(dv, 0, obj.DestinationFile ?? 0, 'FILE_TRACKING_INFORMATION.DestinationFile')
  setU32(dv, 8, info.length)
  bytes.set(info, 12)
  return bytes
}

export function decodeTrackingInformation(bytes: Uint8Array): FileTrackingInformation {
  if (bytes.length < 12) throw new StructError('FILE_TRACKING_INFORMATION', `needs at least 12 bytes, the buffer has ${bytes.length}`)
  const dv = view(bytes)
  const len = u32(dv, 8)
  return { DestinationFile: Number(u64(dv, 0)), ObjectInformationLength: len, ObjectInformation: bytes.slice(12, Math.min(bytes.length, 12 + len)) }
}

// ---------------------------------------------------------------------------------------------
// FILE_STREAM_INFORMATION chains

/** Offsets in a FILE_STREAM_INFORMATION entry (MS-FSCC FileStreamInformation). */
export const FILE_STREAM_INFORMATION = {
  NextEntryOffset: 0,
  StreamNameLength: 4,
  StreamSize: 8,
  StreamAllocationSize: 16,
  StreamName: 24,
  size: 32,
} as const

/** The name FileStreamInformation reports for a data stream: "::$DATA" or ":name:$DATA". */
export const streamInfoName = (streamName: string): string => `:${streamName}:$DATA`

/**
 * Writes whole entries, each at an 8-byte boundary, until one does not fit (MS-FSA
 * FileStreamInformation: ThisElementSize + PreviousElementPadding > RemainingLength →
 * STATUS_BUFFER_OVERFLOW). Information is the end of the last entry written.
 * unverified: whether NTFS returns the entries that fit or none with the overflow; this keeps them.
 */
export function encodeFileStreamInformation(obj: FileStreamInput, bufferLength: number): EncodeResult {
  if (bufferLength < FILE_STREAM_INFORMATION.size) return failed(STATUS.STATUS_INFO_LENGTH_MISMATCH)
  const S = FILE_STREAM_INFORMATION
  let end = 0
  let used = 0
  let status: NTSTATUS = STATUS.STATUS_SUCCESS
  const offsets: number[] = []
  for (const e of obj.Streams) {
    const start = align8(end)
    const size = S.StreamName + utf16Bytes(e.StreamName)
    if (start + size > bufferLength) {
      status = STATUS.STATUS_BUFFER_OVERFLOW
      break
    }
    offsets.push(start)
    end = start + size
    used++
  }
  const bytes = new Uint8Array(end)
  const dv = view(bytes)
  for (let i = 0; i < used; i++) {
    const e = obj.Streams[i]!
    const o = offsets[i]!
    if (i + 1 < used) setU32(dv, o + S.NextEntryOffset, offsets[i + 1]! - o)
    setU32(dv, o + S.StreamNameLength, utf16Bytes(e.StreamName))
    setI64(dv, o + S.StreamSize, e.StreamSize ?? 0, 'FILE_STREAM_INFORMATION.StreamSize')
    setI64(dv, o + S.StreamAllocationSize, e.StreamAllocationSize ?? 0, 'FILE_STREAM_INFORMATION.StreamAllocationSize')
    writeUtf16(bytes, o + S.StreamName, e.StreamName)
  }
  return done(bytes, status)
}

/** Walks a FILE_STREAM_INFORMATION chain; throws StructError on an offset that leaves the buffer. */
export function decodeFileStreamInformation(bytes: Uint8Array): FileStreamInformation {
  const S = FILE_STREAM_INFORMATION
  const out: FileStreamEntry[] = []
  if (bytes.length === 0) return { Streams: out }
  const dv = view(bytes)
  let o = 0
  for (;;) {
    if (o + S.StreamName > bytes.length) throw new StructError('FILE_STREAM_INFORMATION', 'entry runs past the buffer', o)
    const len = u32(dv, o + S.StreamNameLength)
    const present = Math.min(len, bytes.length - o - S.StreamName)
    out.push({
      StreamName: readUtf16(bytes, o + S.StreamName, present),
      StreamSize: i64n(dv, o + S.StreamSize),
      StreamAllocationSize: i64n(dv, o + S.StreamAllocationSize),
    })
    const next = u32(dv, o + S.NextEntryOffset)
    if (next === 0) break
    if (next < S.StreamName || (next & 7) !== 0) {
      throw new StructError('FILE_STREAM_INFORMATION', `NextEntryOffset ${next} is not a multiple of 8 past the entry`, o)
    }
    o += next
  }
  return { Streams: out }
}

// ---------------------------------------------------------------------------------------------
// FILE_LINKS_INFORMATION (FileHardLinkInformation)

/** Offsets: the header, then FILE_LINK_ENTRY_INFORMATION entries (FileNameLength in characters). */
export const FILE_LINKS_INFORMATION = {
  BytesNeeded: 0,
  EntriesReturned: 4,
  Entry: 8,
  size: 32,
  entry: { NextEntryOffset: 0, ParentFileId: 8, FileNameLength: 16, FileName: 20 },
} as const

/**
 * Whole entries, 8-byte aligned, as many as fit; BytesNeeded is what all of them need.
 * unverified: NTFS's choice between returning the entries that fit and returning none when the
 * buffer is short; both report BytesNeeded and STATUS_BUFFER_OVERFLOW.
 */
export function encodeFileLinksInformation(obj: FileLinksInput, bufferLength: number): EncodeResult {
  if (bufferLength < FILE_LINKS_INFORMATION.size) return failed(STATUS.STATUS_INFO_LENGTH_MISMATCH)
  const E = FILE_LINKS_INFORMATION.entry
  let needed: number = FILE_LINKS_INFORMATION.Entry
  const offsets: number[] = []
  let end: number = FILE_LINKS_INFORMATION.Entry
  let fits = true
  for (const e of obj.Entries) {
    const start = align8(needed)
    const size = E.FileName + utf16Bytes(e.FileName)
    needed = start + size
    if (fits && needed <= bufferLength) {
      offsets.push(start)
      end = needed
    } else fits = false
  }
  const bytes = new Uint8Array(end)
  const dv = view(bytes)
  setU32(dv, FILE_LINKS_INFORMATION.BytesNeeded, needed)
  setU32(dv, FILE_LINKS_INFORMATION.EntriesReturned, offsets.length)
  for (let i = 0; i < offsets.length; i++) {
    const e = obj.Entries[i]!
    const o = offsets[i]!
    if (i + 1 < offsets.length) setU32(dv, o + E.NextEntryOffset, offsets[i + 1]! - o)
    setI64(dv, o + E.ParentFileId, e.ParentFileId, 'FILE_LINK_ENTRY_INFORMATION.ParentFileId')
    setU32(dv, o + E.FileNameLength, e.FileName.length)
    writeUtf16(bytes, o + E.FileName, e.FileName)
  }
  return done(bytes, fits ? STATUS.STATUS_SUCCESS : STATUS.STATUS_BUFFER_OVERFLOW)
}

export function decodeFileLinksInformation(bytes: Uint8Array): FileLinksInformation {
  if (bytes.length < FILE_LINKS_INFORMATION.Entry) {
    throw new StructError('FILE_LINKS_INFORMATION', `needs at least 8 bytes, the buffer has ${bytes.length}`)
  }
  const E = FILE_LINKS_INFORMATION.entry
  const dv = view(bytes)
  const count = u32(dv, FILE_LINKS_INFORMATION.EntriesReturned)
  const entries: FileLinkEntry[] = []
  let o: number = FILE_LINKS_INFORMATION.Entry
  for (let i = 0; i < count; i++) {
    if (o + E.FileName > bytes.length) throw new StructError('FILE_LINKS_INFORMATION', `entry ${i} runs past the buffer`, o)
    const chars = u32(dv, o + E.FileNameLength)
    const present = Math.min(chars * 2, bytes.length - o - E.FileName)
    entries.push({ ParentFileId: u64(dv, o + E.ParentFileId), FileName: readUtf16(bytes, o + E.FileName, present) })
    const next = u32(dv, o + E.NextEntryOffset)
    if (next === 0) break
    o += next
  }
  return { BytesNeeded: u32(dv, FILE_LINKS_INFORMATION.BytesNeeded), EntriesReturned: count, Entries: entries }
}

// ---------------------------------------------------------------------------------------------
// The registry: class name → encoder / decoder

interface Codec<I, O> {
  /** fills a buffer of `bufferLength` bytes (query classes) or builds the input buffer (set classes) */
  encode(obj: I, bufferLength: number): EncodeResult
  decode(bytes: Uint8Array): O
}

function fixed<M extends FieldMap>(def: StructDef<M>, cls: FileInformationClassName): Codec<Input<M>, Decoded<M>> {
  const e = FILE_INFO_LENGTH[cls]
  const min = e.query !== 0 ? e.query : e.set
  return { encode: fixedEncoder(def, min), decode: (b) => def.decode(b) }
}

function nameClass(cls: FileInformationClassName): Codec<FileNameInput, FileNameInformation> {
  const min = FILE_INFO_LENGTH[cls].query || FILE_INFO_LENGTH[cls].set
  return {
    encode: (obj, len) => encodeNameInformation(obj.FileName, len, min),
    decode: (b) => decodeNameInformation(b),
  }
}

function inputClass<I, O>(cls: FileInformationClassName, build: (obj: I) => Uint8Array, decode: (b: Uint8Array) => O): Codec<I, O> {
  const min = FILE_INFO_LENGTH[cls].set
  return {
    encode(obj, len) {
      if (len < min) return failed(STATUS.STATUS_INFO_LENGTH_MISMATCH)
      return done(build(obj))
    },
    decode,
  }
}

const renameCodec = (cls: FileInformationClassName) => inputClass(cls, encodeRenameInformation, decodeRenameInformation)
const renameExCodec = (cls: FileInformationClassName) => inputClass(cls, encodeRenameInformationEx, decodeRenameInformationEx)

/** Every FILE_INFORMATION_CLASS with a structure here, and how to encode and decode it. */
export const FILE_INFORMATION_CODECS = {
  FileBasicInformation: fixed(FILE_BASIC_INFORMATION, 'FileBasicInformation'),
  FileStandardInformation: fixed(FILE_STANDARD_INFORMATION, 'FileStandardInformation'),
  FileInternalInformation: fixed(FILE_INTERNAL_INFORMATION, 'FileInternalInformation'),
  FileEaInformation: fixed(FILE_EA_INFORMATION, 'FileEaInformation'),
  FileAccessInformation: fixed(FILE_ACCESS_INFORMATION, 'FileAccessInformation'),
  FileNameInformation: nameClass('FileNameInformation'),
  FileRenameInformation: renameCodec('FileRenameInformation'),
  FileLinkInformation: renameCodec('FileLinkInformation'),
  FileRenameInformationBypassAccessCheck: renameCodec('FileRenameInformationBypassAccessCheck'),
  FileLinkInformationBypassAccessCheck: renameCodec('FileLinkInformationBypassAccessCheck'),
  FileRenameInformationEx: renameExCodec('FileRenameInformationEx'),
  FileLinkInformationEx: renameExCodec('FileLinkInformationEx'),
  FileRenameInformationExBypassAccessCheck: renameExCodec('FileRenameInformationExBypassAccessCheck'),
  FileLinkInformationExBypassAccessCheck: renameExCodec('FileLinkInformationExBypassAccessCheck'),
  FileDispositionInformation: fixed(FILE_DISPOSITION_INFORMATION, 'FileDispositionInformation'),
  FileDispositionInformationEx: fixed(FILE_DISPOSITION_INFORMATION_EX, 'FileDispositionInformationEx'),
  FilePositionInformation: fixed(FILE_POSITION_INFORMATION, 'FilePositionInformation'),
  FileModeInformation: fixed(FILE_MODE_INFORMATION, 'FileModeInformation'),
  FileAlignmentInformation: fixed(FILE_ALIGNMENT_INFORMATION, 'FileAlignmentInformation'),
  FileAllInformation: { encode: encodeFileAllInformation, decode: decodeFileAllInformation } as Codec<FileAllInput, FileAllInformation>,
  FileAllocationInformation: fixed(FILE_ALLOCATION_INFORMATION, 'FileAllocationInformation'),
  FileEndOfFileInformation: fixed(FILE_END_OF_FILE_INFORMATION, 'FileEndOfFileInformation'),
  FileAlternateNameInformation: nameClass('FileAlternateNameInformation'),
  FileStreamInformation: { encode: encodeFileStreamInformation, decode: decodeFileStreamInformation } as Codec<FileStreamInput, FileStreamInformation>,
  FileCompressionInformation: fixed(FILE_COMPRESSION_INFORMATION, 'FileCompressionInformation'),
  FileObjectIdInformation: fixed(FILE_OBJECTID_INFORMATION, 'FileObjectIdInformation'),
  FileCompletionInformation: fixed(FILE_COMPLETION_INFORMATION, 'FileCompletionInformation'),
  FileNetworkOpenInformation: fixed(FILE_NETWORK_OPEN_INFORMATION, 'FileNetworkOpenInformation'),
  FileAttributeTagInformation: fixed(FILE_ATTRIBUTE_TAG_INFORMATION, 'FileAttributeTagInformation'),
  FileTrackingInformation: inputClass('FileTrackingInformation', encodeTrackingInformation, decodeTrackingInformation),
  FileValidDataLengthInformation: fixed(FILE_VALID_DATA_LENGTH_INFORMATION, 'FileValidDataLengthInformation'),
  FileShortNameInformation: inputClass('FileShortNameInformation', (o: FileNameInput) => encodeNameInput(o.FileName), (b) => decodeNameInformation(b)),
  FileIoCompletionNotificationInformation: fixed(FILE_IO_COMPLETION_NOTIFICATION_INFORMATION, 'FileIoCompletionNotificationInformation'),
  FileIoPriorityHintInformation: fixed(FILE_IO_PRIORITY_HINT_INFORMATION, 'FileIoPriorityHintInformation'),
  FileHardLinkInformation: { encode: encodeFileLinksInformation, decode: decodeFileLinksInformation } as Codec<FileLinksInput, FileLinksInformation>,
  FileNormalizedNameInformation: nameClass('FileNormalizedNameInformation'),
  FileNetworkPhysicalNameInformation: nameClass('FileNetworkPhysicalNameInformation'),
  FileIsRemoteDeviceInformation: fixed(FILE_IS_REMOTE_DEVICE_INFORMATION, 'FileIsRemoteDeviceInformation'),
  FileNumaNodeInformation: fixed(FILE_NUMA_NODE_INFORMATION, 'FileNumaNodeInformation'),
  FileStandardLinkInformation: fixed(FILE_STANDARD_LINK_INFORMATION, 'FileStandardLinkInformation'),
  FileRemoteProtocolInformation: fixed(FILE_REMOTE_PROTOCOL_INFORMATION, 'FileRemoteProtocolInformation'),
  FileVolumeNameInformation: {
    encode: (obj: { DeviceName: string }, len: number) => encodeNameInformation(obj.DeviceName, len),
    decode: (b: Uint8Array): FileVolumeNameInformation => {
      const n = decodeNameInformation(b, 'FILE_VOLUME_NAME_INFORMATION')
      return { DeviceNameLength: n.FileNameLength, DeviceName: n.FileName }
    },
  },
  FileIdInformation: fixed(FILE_ID_INFORMATION, 'FileIdInformation'),
  FileDesiredStorageClassInformation: fixed(FILE_DESIRED_STORAGE_CLASS_INFORMATION, 'FileDesiredStorageClassInformation'),
  FileStatInformation: fixed(FILE_STAT_INFORMATION, 'FileStatInformation'),
  FileStatLxInformation: fixed(FILE_STAT_LX_INFORMATION, 'FileStatLxInformation'),
  FileCaseSensitiveInformation: fixed(FILE_CASE_SENSITIVE_INFORMATION, 'FileCaseSensitiveInformation'),
  FileCaseSensitiveInformationForceAccessCheck: fixed(FILE_CASE_SENSITIVE_INFORMATION, 'FileCaseSensitiveInformationForceAccessCheck'),
  FileStorageReserveIdInformation: fixed(FILE_STORAGE_RESERVE_ID_INFORMATION, 'FileStorageReserveIdInformation'),
  FileKnownFolderInformation: fixed(FILE_KNOWN_FOLDER_INFORMATION, 'FileKnownFolderInformation'),
  FileStatBasicInformation: fixed(FILE_STAT_BASIC_INFORMATION, 'FileStatBasicInformation'),
} as const

export type FileInformationCodecs = typeof FILE_INFORMATION_CODECS
/** The classes this module encodes and decodes. */
export type CodecClass = keyof FileInformationCodecs
/** What the encoder of a class accepts. */
export type FileInformationInput<K extends CodecClass> = Parameters<FileInformationCodecs[K]['encode']>[0]
/** What the decoder of a class returns. */
export type FileInformationOutput<K extends CodecClass> = ReturnType<FileInformationCodecs[K]['decode']>

function codecFor(cls: string): Codec<unknown, unknown> {
  const c = (FILE_INFORMATION_CODECS as Record<string, Codec<unknown, unknown>>)[cls]
  if (!c) throw new StructError('FILE_INFORMATION_CLASS', `no structure is defined for ${cls}`)
  return c
}

/** True when `cls` has an encoder and decoder here. */
export const hasFileInformationCodec = (cls: string): cls is CodecClass => Object.prototype.hasOwnProperty.call(FILE_INFORMATION_CODECS, cls)

/**
 * Encodes `obj` as class `cls` into a buffer of `bufferLength` bytes: the bytes written, the
 * status a file system returns and IoStatus.Information. Throws StructError for a class with
 * no structure or a field of the wrong type.
 */
export function encodeFileInformation<K extends CodecClass>(cls: K, obj: FileInformationInput<K>, bufferLength: number): EncodeResult {
  return codecFor(cls).encode(obj, bufferLength)
}

/** Decodes the bytes of class `cls` into an object with the Windows field names. */
export function decodeFileInformation<K extends CodecClass>(cls: K, bytes: Uint8Array): FileInformationOutput<K> {
  return codecFor(cls).decode(bytes) as FileInformationOutput<K>
}
