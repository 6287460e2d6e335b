// NtFsControlFile buffers in the scenario shape (SCENARIOS.md "Argument and output shapes":
// `InputBuffer` as an object, `OutputBuffer` decoded to an object of the same shape), by FSCTL.
// Reparse points, object ids and oplock requests use their kernel/rtl/structs codecs; the
// small data structures of the other FSCTLs (winioctl.h, x64) are laid out here.

import { IsReparseTagMicrosoft, REPARSE_DATA_BUFFER_HEADER_SIZE, REPARSE_GUID_DATA_BUFFER_HEADER_SIZE } from '../../nt/file.ts'
import { FSCTL } from '../../nt/irp.ts'
import { enumName } from '../../nt/flags.ts'
import { StructError, setU16, setU32, view, writeGuid } from '../../rtl/structs/buffer.ts'
import { defineStruct } from '../../rtl/structs/struct.ts'
import { DEFAULT_REPARSE_GUID, decodeReparsePoint, encodeReparsePoint, type ReparsePoint } from '../../rtl/structs/reparse.ts'
import { decodeObjectIdBuffer, encodeObjectIdBuffer, encodeObjectIdExtendedInfo, FILE_OBJECTID_BUFFER } from '../../rtl/structs/objectid.ts'
import { decodeRequestOplockOutput, encodeRequestOplockInput, REQUEST_OPLOCK_OUTPUT_BUFFER } from '../../rtl/structs/oplock.ts'
import type { ArgValue } from '../types.ts'
import { StepError } from './values.ts'

type Fields = { readonly [k: string]: ArgValue }

/** FILE_ZERO_DATA_INFORMATION (FSCTL_SET_ZERO_DATA) */
export const FILE_ZERO_DATA_INFORMATION = defineStruct('FILE_ZERO_DATA_INFORMATION', 16, { FileOffset: ['size', 0], BeyondFinalZero: ['size', 8] })
/** FILE_ALLOCATED_RANGE_BUFFER (FSCTL_QUERY_ALLOCATED_RANGES input and each output entry) */
export const FILE_ALLOCATED_RANGE_BUFFER = defineStruct('FILE_ALLOCATED_RANGE_BUFFER', 16, { FileOffset: ['size', 0], Length: ['size', 8] })
/** STARTING_VCN_INPUT_BUFFER (FSCTL_GET_RETRIEVAL_POINTERS) */
export const STARTING_VCN_INPUT_BUFFER = defineStruct('STARTING_VCN_INPUT_BUFFER', 8, { StartingVcn: ['size', 0] })
/** STARTING_LCN_INPUT_BUFFER (FSCTL_GET_VOLUME_BITMAP) */
export const STARTING_LCN_INPUT_BUFFER = defineStruct('STARTING_LCN_INPUT_BUFFER', 8, { StartingLcn: ['size', 0] })
/** RETRIEVAL_POINTERS_BUFFER's fixed part; Extents[] of { NextVcn, Lcn } from 16 */
export const RETRIEVAL_POINTERS_BUFFER = defineStruct('RETRIEVAL_POINTERS_BUFFER', 16, { ExtentCount: ['u32', 0], StartingVcn: ['size', 8] })
const RETRIEVAL_EXTENT = defineStruct('RETRIEVAL_POINTERS_BUFFER.Extents', 16, { NextVcn: ['size', 0], Lcn: ['size', 8] })
/** NTFS_VOLUME_DATA_BUFFER (96 bytes) */
export const NTFS_VOLUME_DATA_BUFFER = defineStruct('NTFS_VOLUME_DATA_BUFFER', 96, {
  VolumeSerialNumber: ['id', 0],
  NumberSectors: ['size', 8],
  TotalClusters: ['size', 16],
  FreeClusters: ['size', 24],
  TotalReserved: ['size', 32],
  BytesPerSector: ['u32', 40],
  BytesPerCluster: ['u32', 44],
  BytesPerFileRecordSegment: ['u32', 48],
  ClustersPerFileRecordSegment: ['u32', 52],
  MftValidDataLength: ['size', 56],
  MftStartLcn: ['size', 64],
  Mft2StartLcn: ['size', 72],
  MftZoneStart: ['size', 80],
  MftZoneEnd: ['size', 88],
})
/** NTFS_EXTENDED_VOLUME_DATA's leading fields, after NTFS_VOLUME_DATA_BUFFER */
export const NTFS_EXTENDED_VOLUME_DATA = defineStruct('NTFS_EXTENDED_VOLUME_DATA', 16, {
  ByteCount: ['u32', 0],
  MajorVersion: ['u16', 4],
  MinorVersion: ['u16', 6],
  BytesPerPhysicalSector: ['u32', 8],
  LfsMajorVersion: ['u16', 12],
  LfsMinorVersion: ['u16', 14],
})
/** REPARSE_DATA_BUFFER_EX's header before the reparse buffer (FSCTL_SET_REPARSE_POINT_EX) */
const REPARSE_DATA_BUFFER_EX_HEADER = 32

/** FSCTLs that return data; the others take no output buffer unless the scenario gives a length. */
const RETURNS_DATA = new Set<number>([
  FSCTL.FSCTL_GET_REPARSE_POINT,
  FSCTL.FSCTL_GET_OBJECT_ID,
  FSCTL.FSCTL_CREATE_OR_GET_OBJECT_ID,
  FSCTL.FSCTL_QUERY_ALLOCATED_RANGES,
  FSCTL.FSCTL_GET_RETRIEVAL_POINTERS,
  FSCTL.FSCTL_GET_VOLUME_BITMAP,
  FSCTL.FSCTL_GET_NTFS_VOLUME_DATA,
  FSCTL.FSCTL_GET_NTFS_FILE_RECORD,
  FSCTL.FSCTL_IS_VOLUME_DIRTY,
  FSCTL.FSCTL_GET_COMPRESSION,
  FSCTL.FSCTL_REQUEST_OPLOCK,
  FSCTL.FSCTL_FILESYSTEM_GET_STATISTICS,
  FSCTL.FSCTL_QUERY_USN_JOURNAL,
  FSCTL.FSCTL_READ_USN_JOURNAL,
  FSCTL.FSCTL_ENUM_USN_DATA,
  FSCTL.FSCTL_READ_FILE_USN_DATA,
  FSCTL.FSCTL_QUERY_ON_DISK_VOLUME_INFO,
].map((c) => c >>> 0))

/** the output buffer length when the scenario gives none: room for any answer, or none */
export function defaultOutputLength(code: number, big: number): number {
  return RETURNS_DATA.has(code >>> 0) ? big : 0
}

export const fsctlName = (code: number): string => enumName(FSCTL, code >>> 0) ?? `0x${(code >>> 0).toString(16).toUpperCase()}`

const n = (v: ArgValue | undefined): number | bigint | undefined => (typeof v === 'number' || typeof v === 'bigint' ? v : undefined)
const s = (v: ArgValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined)
const d = (v: ArgValue | undefined): Uint8Array | undefined => (v instanceof Uint8Array ? v : typeof v === 'string' ? new TextEncoder().encode(v) : undefined)
const num = (v: ArgValue | undefined): number | undefined => {
  const x = n(v)
  return x === undefined ? undefined : Number(x)
}

/** the scenario's reparse point fields → the codec's shape */
function reparseOf(o: Fields): ReparsePoint {
  const tag = num(o['ReparseTag'])
  if (tag === undefined) throw new StepError('InputBuffer.ReparseTag: a reparse buffer needs its tag')
  const rp: { -readonly [K in keyof ReparsePoint]: ReparsePoint[K] } = { ReparseTag: tag }
  if (o['ReparseDataLength'] !== undefined) rp.ReparseDataLength = num(o['ReparseDataLength'])
  if (o['SubstituteName'] !== undefined) rp.SubstituteName = s(o['SubstituteName'])
  if (o['PrintName'] !== undefined) rp.PrintName = s(o['PrintName'])
  if (o['Flags'] !== undefined) rp.Flags = num(o['Flags'])
  if (o['Data'] !== undefined) rp.Data = d(o['Data'])
  if (o['ReparseGuid'] !== undefined) rp.ReparseGuid = s(o['ReparseGuid'])
  return rp
}

/**
 * FSCTL_DELETE_REPARSE_POINT's input: only the header — REPARSE_DATA_BUFFER's 8 bytes for a
 * Microsoft tag, REPARSE_GUID_DATA_BUFFER's 24 with the GUID for a third-party tag (MS-FSCC
 * 2.3.6); ReparseDataLength 0 unless given.
 */
function deleteReparseInput(o: Fields): Uint8Array {
  const rp = reparseOf(o)
  const guided = !IsReparseTagMicrosoft(rp.ReparseTag) || rp.ReparseGuid !== undefined
  const bytes = new Uint8Array(guided ? REPARSE_GUID_DATA_BUFFER_HEADER_SIZE : REPARSE_DATA_BUFFER_HEADER_SIZE)
  const dv = view(bytes)
  setU32(dv, 0, rp.ReparseTag)
  setU16(dv, 4, rp.ReparseDataLength ?? 0)
  if (guided) writeGuid(dv, 8, rp.ReparseGuid ?? DEFAULT_REPARSE_GUID, 'InputBuffer.ReparseGuid')
  return bytes
}

/**
 * REPARSE_DATA_BUFFER_EX: Flags (0: the existing tag must match), ExistingReparseTag,
 * ExistingReparseGuid, Reserved, then the reparse buffer.
 */
function setReparseExInput(o: Fields): Uint8Array {
  const inner = encodeReparsePoint(reparseOf(o))
  const bytes = new Uint8Array(REPARSE_DATA_BUFFER_EX_HEADER + inner.length)
  const dv = view(bytes)
  setU32(dv, 4, num(o['ExistingReparseTag']) ?? 0)
  const guid = s(o['ExistingReparseGuid'])
  if (guid) writeGuid(dv, 8, guid, 'InputBuffer.ExistingReparseGuid')
  bytes.set(inner, REPARSE_DATA_BUFFER_EX_HEADER)
  return bytes
}

type Encoder = (o: Fields) => Uint8Array
const INPUT_ENCODER_LIST: readonly (readonly [number, Encoder])[] = [
  [FSCTL.FSCTL_SET_REPARSE_POINT, (o) => encodeReparsePoint(reparseOf(o))],
  [FSCTL.FSCTL_DELETE_REPARSE_POINT, deleteReparseInput],
  [FSCTL.FSCTL_SET_REPARSE_POINT_EX, setReparseExInput],
  [FSCTL.FSCTL_SET_OBJECT_ID, (o) => encodeObjectIdBuffer(o as Parameters<typeof encodeObjectIdBuffer>[0])],
  [FSCTL.FSCTL_SET_OBJECT_ID_EXTENDED, (o) => encodeObjectIdExtendedInfo(o as Parameters<typeof encodeObjectIdExtendedInfo>[0])],
  [FSCTL.FSCTL_REQUEST_OPLOCK, (o) => encodeRequestOplockInput(o as Parameters<typeof encodeRequestOplockInput>[0])],
  [FSCTL.FSCTL_SET_ZERO_DATA, (o) => FILE_ZERO_DATA_INFORMATION.encode({ FileOffset: n(o['FileOffset']), BeyondFinalZero: n(o['BeyondFinalZero']) })],
  [FSCTL.FSCTL_QUERY_ALLOCATED_RANGES, (o) => FILE_ALLOCATED_RANGE_BUFFER.encode({ FileOffset: n(o['FileOffset']), Length: n(o['Length']) })],
  // FILE_SET_SPARSE_BUFFER: one BOOLEAN
  [FSCTL.FSCTL_SET_SPARSE, (o) => new Uint8Array([o['SetSparse'] === false ? 0 : 1])],
  // COMPRESSION_FORMAT_*: one USHORT
  [FSCTL.FSCTL_SET_COMPRESSION, (o) => new Uint8Array([(num(o['CompressionState']) ?? 0) & 0xff, ((num(o['CompressionState']) ?? 0) >> 8) & 0xff])],
  [FSCTL.FSCTL_GET_RETRIEVAL_POINTERS, (o) => STARTING_VCN_INPUT_BUFFER.encode({ StartingVcn: n(o['StartingVcn']) })],
  [FSCTL.FSCTL_GET_VOLUME_BITMAP, (o) => STARTING_LCN_INPUT_BUFFER.encode({ StartingLcn: n(o['StartingLcn']) })],
]
const INPUT_ENCODERS = new Map<number, Encoder>(INPUT_ENCODER_LIST.map(([c, f]) => [c >>> 0, f]))

/** the InputBuffer argument as bytes: `{ hex }` as it is, an object through the FSCTL's structure */
export function encodeFsctlInput(code: number, v: ArgValue | undefined): Uint8Array | undefined {
  if (v === undefined || v === null) return undefined
  if (v instanceof Uint8Array) return v
  if (typeof v !== 'object' || Array.isArray(v) || 'kind' in v) throw new StepError('InputBuffer: expected the input structure\'s fields or { hex: "…" }')
  const enc = INPUT_ENCODERS.get(code >>> 0)
  if (!enc) throw new StepError(`InputBuffer: ${fsctlName(code)} has no input structure here; give its bytes as { hex: "…" }`)
  try {
    return enc(v as Fields)
  } catch (e) {
    if (e instanceof StructError) throw new StepError(`InputBuffer: ${e.message}`)
    throw e
  }
}

/** `bytes` cut or zero-padded to `length` (InputBufferLength smaller or larger than the structure) */
export function withLength(bytes: Uint8Array, length: number | undefined): Uint8Array {
  if (length === undefined || length === bytes.length) return bytes
  if (length < bytes.length) return bytes.subarray(0, length)
  const out = new Uint8Array(length)
  out.set(bytes)
  return out
}

function decodeRanges(b: Uint8Array): { Ranges: { FileOffset: number; Length: number }[] } {
  const Ranges: { FileOffset: number; Length: number }[] = []
  for (let o = 0; o + FILE_ALLOCATED_RANGE_BUFFER.size <= b.length; o += FILE_ALLOCATED_RANGE_BUFFER.size) Ranges.push(FILE_ALLOCATED_RANGE_BUFFER.decode(b, o))
  return { Ranges }
}

function decodeRetrievalPointers(b: Uint8Array): object {
  const head = RETRIEVAL_POINTERS_BUFFER.decode(b)
  const Extents: object[] = []
  for (let i = 0, o = 16; i < head.ExtentCount && o + 16 <= b.length; i++, o += 16) Extents.push(RETRIEVAL_EXTENT.decode(b, o))
  return { ...head, Extents }
}

function decodeVolumeData(b: Uint8Array): object {
  const base = NTFS_VOLUME_DATA_BUFFER.decode(b)
  return b.length >= NTFS_VOLUME_DATA_BUFFER.size + NTFS_EXTENDED_VOLUME_DATA.size ? { ...base, ...NTFS_EXTENDED_VOLUME_DATA.decode(b, NTFS_VOLUME_DATA_BUFFER.size) } : base
}

type Decoder = (b: Uint8Array) => object
const OUTPUT_DECODER_LIST: readonly (readonly [number, Decoder])[] = [
  [FSCTL.FSCTL_GET_REPARSE_POINT, decodeReparsePoint],
  [FSCTL.FSCTL_GET_OBJECT_ID, decodeObjectIdBuffer],
  [FSCTL.FSCTL_CREATE_OR_GET_OBJECT_ID, decodeObjectIdBuffer],
  [FSCTL.FSCTL_QUERY_ALLOCATED_RANGES, decodeRanges],
  [FSCTL.FSCTL_GET_RETRIEVAL_POINTERS, decodeRetrievalPointers],
  [FSCTL.FSCTL_GET_NTFS_VOLUME_DATA, decodeVolumeData],
  [FSCTL.FSCTL_IS_VOLUME_DIRTY, (b) => ({ VolumeFlags: view(b).getUint32(0, true) })],
  [FSCTL.FSCTL_GET_COMPRESSION, (b) => ({ CompressionState: view(b).getUint16(0, true) })],
  [FSCTL.FSCTL_REQUEST_OPLOCK, decodeRequestOplockOutput],
]
const OUTPUT_DECODERS = new Map<number, Decoder>(OUTPUT_DECODER_LIST.map(([c, f]) => [c >>> 0, f]))

/** minimum bytes each decoder needs; shorter (partial) output is reported as raw Data */
const OUTPUT_MIN = new Map<number, number>([
  [FSCTL.FSCTL_GET_OBJECT_ID >>> 0, FILE_OBJECTID_BUFFER.size],
  [FSCTL.FSCTL_CREATE_OR_GET_OBJECT_ID >>> 0, FILE_OBJECTID_BUFFER.size],
  [FSCTL.FSCTL_GET_RETRIEVAL_POINTERS >>> 0, RETRIEVAL_POINTERS_BUFFER.size],
  [FSCTL.FSCTL_GET_NTFS_VOLUME_DATA >>> 0, NTFS_VOLUME_DATA_BUFFER.size],
  [FSCTL.FSCTL_IS_VOLUME_DIRTY >>> 0, 4],
  [FSCTL.FSCTL_GET_COMPRESSION >>> 0, 2],
  [FSCTL.FSCTL_REQUEST_OPLOCK >>> 0, REQUEST_OPLOCK_OUTPUT_BUFFER.size],
])

/**
 * The output buffer as an object of the FSCTL's shape; an FSCTL without a structure here, or
 * output cut too short to decode, gives `{ Data }` with the bytes returned.
 */
export function decodeFsctlOutput(code: number, bytes: Uint8Array): { readonly [k: string]: unknown } {
  const dec = OUTPUT_DECODERS.get(code >>> 0)
  if (!dec || bytes.length < (OUTPUT_MIN.get(code >>> 0) ?? 0)) return { Data: bytes }
  try {
    return dec(bytes) as { readonly [k: string]: unknown }
  } catch (e) {
    if (e instanceof StructError) return { Data: bytes }
    throw e
  }
}
