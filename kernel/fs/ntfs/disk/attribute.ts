// Attribute records inside a FILE record (Linux-NTFS documentation, "Attribute - header";
// layout.h ATTR_RECORD): a common 16-byte header (type, length, non-resident flag, name,
// flags, instance) followed either by the resident value's length and offset or by the
// non-resident extent's VCN range, mapping pairs offset, compression unit and the three sizes.

import { u8, u16, u32, u64, set8, set16, set32, set64, utf16, setUtf16, align8 } from './bytes.ts'
import { ATTR, ATTR_IS_COMPRESSED, ATTR_IS_SPARSE } from './layout.ts'
import { decodeRuns, encodeRuns, type Run, RunlistError } from './runlist.ts'

export interface ResidentAttr {
  resident: true
  type: number
  name: string
  flags: number
  /** instance within the MFT record that holds it; -1 until placed */
  instance: number
  /** RESIDENT_ATTR_IS_INDEXED for $FILE_NAME */
  residentFlags: number
  value: Uint8Array
}

export interface NonResidentAttr {
  resident: false
  type: number
  name: string
  flags: number
  instance: number
  compressionUnit: number
  /** the whole attribute's runlist (all extents merged) */
  runs: Run[]
  allocatedSize: number
  dataSize: number
  initializedSize: number
  /** allocated clusters × cluster size; present on disk for sparse/compressed attributes */
  compressedSize: number
}

export type Attr = ResidentAttr | NonResidentAttr

/** One attribute record as found in one MFT record (a non-resident attribute may have several, one per extent). */
export interface AttrRecord {
  attr: Attr
  /** the extent's VCN range (non-resident only) */
  lowestVcn: number
  highestVcn: number
  /** byte offset of the attribute record inside the MFT record */
  offset: number
}

export class AttributeError extends Error {
  constructor(
    message: string,
    /** byte offset inside the MFT record */
    readonly offset: number,
  ) {
    super(message)
  }
}

/** parses the attribute record at `off` of a (fixed-up) MFT record */
export function parseAttribute(b: Uint8Array, off: number, end: number): AttrRecord {
  const type = u32(b, off)
  const length = u32(b, off + 4)
  if (length < 24 || off + length > end || (length & 7) !== 0) {
    throw new AttributeError(`attribute 0x${type.toString(16)} has invalid length ${length}`, off + 4)
  }
  const nonResident = u8(b, off + 8)
  const nameLength = u8(b, off + 9)
  const nameOffset = u16(b, off + 10)
  const flags = u16(b, off + 12)
  const instance = u16(b, off + 14)
  if (nameLength > 0 && nameOffset + 2 * nameLength > length) {
    throw new AttributeError(`attribute 0x${type.toString(16)} name runs past the attribute`, off + 10)
  }
  const name = nameLength > 0 ? utf16(b, off + nameOffset, nameLength) : ''
  if (nonResident === 0) {
    const valueLength = u32(b, off + 16)
    const valueOffset = u16(b, off + 20)
    if (valueOffset + valueLength > length) {
      throw new AttributeError(
        `resident attribute 0x${type.toString(16)} value (${valueLength} bytes at ${valueOffset}) runs past the attribute (${length} bytes)`,
        off + 16,
      )
    }
    return {
      attr: {
        resident: true,
        type,
        name,
        flags,
        instance,
        residentFlags: u8(b, off + 22),
        value: b.slice(off + valueOffset, off + valueOffset + valueLength),
      },
      lowestVcn: 0,
      highestVcn: 0,
      offset: off,
    }
  }
  if (nonResident !== 1) throw new AttributeError(`attribute 0x${type.toString(16)} has non-resident flag ${nonResident}`, off + 8)
  if (length < 64) throw new AttributeError(`non-resident attribute 0x${type.toString(16)} is too short (${length} bytes)`, off + 4)
  let lowestVcn: number
  let highestVcn: number
  let allocatedSize: number
  let dataSize: number
  let initializedSize: number
  try {
    lowestVcn = u64(b, off + 16)
    highestVcn = u64(b, off + 24)
    allocatedSize = u64(b, off + 40)
    dataSize = u64(b, off + 48)
    initializedSize = u64(b, off + 56)
  } catch {
    throw new AttributeError(`non-resident attribute 0x${type.toString(16)} has an out-of-range size or VCN`, off + 16)
  }
  const pairsOffset = u16(b, off + 32)
  if (pairsOffset < 64 || pairsOffset > length) {
    throw new AttributeError(`attribute 0x${type.toString(16)} mapping pairs offset ${pairsOffset} is invalid`, off + 32)
  }
  let runs: Run[]
  try {
    runs = decodeRuns(b, off + pairsOffset, off + length, lowestVcn)
  } catch (err) {
    if (err instanceof RunlistError) {
      throw new AttributeError(`attribute 0x${type.toString(16)} runlist: ${err.message}`, off + pairsOffset + err.offset)
    }
    throw err
  }
  const hasCompressed = (flags & (ATTR_IS_COMPRESSED | ATTR_IS_SPARSE)) !== 0 && pairsOffset >= 72
  return {
    attr: {
      resident: false,
      type,
      name,
      flags,
      instance,
      compressionUnit: u8(b, off + 34),
      runs,
      allocatedSize,
      dataSize,
      initializedSize,
      compressedSize: hasCompressed ? u64(b, off + 64) : 0,
    },
    lowestVcn,
    highestVcn,
    offset: off,
  }
}

function nameBytes(name: string): number {
  return name.length * 2
}

/** encoded size of a resident attribute */
export function residentSize(a: { name: string; value: Uint8Array }): number {
  return align8(24 + nameBytes(a.name)) + align8(a.value.length)
}

/** header size (before the name) of a non-resident attribute extent */
function nonResidentHeader(a: NonResidentAttr, lowestVcn: number): number {
  return (a.flags & (ATTR_IS_COMPRESSED | ATTR_IS_SPARSE)) !== 0 && lowestVcn === 0 ? 72 : 64
}

/** encoded size of a non-resident attribute extent whose mapping pairs take `pairsBytes` */
export function nonResidentSize(a: NonResidentAttr, pairsBytes: number, lowestVcn = 0): number {
  return align8(nonResidentHeader(a, lowestVcn) + nameBytes(a.name)) + align8(pairsBytes)
}

export function encodeResident(a: ResidentAttr, instance: number): Uint8Array {
  const valueOffset = align8(24 + nameBytes(a.name))
  const length = valueOffset + align8(a.value.length)
  const b = new Uint8Array(length)
  set32(b, 0, a.type)
  set32(b, 4, length)
  set8(b, 8, 0)
  set8(b, 9, a.name.length)
  set16(b, 10, 24)
  set16(b, 12, a.flags)
  set16(b, 14, instance)
  set32(b, 16, a.value.length)
  set16(b, 20, valueOffset)
  set8(b, 22, a.residentFlags)
  setUtf16(b, 24, a.name)
  b.set(a.value, valueOffset)
  return b
}

/**
 * Encodes one extent of a non-resident attribute: runs[from, to) covering VCNs
 * [lowestVcn, highestVcn]. Only the first extent carries the sizes (Windows writes zeros in
 * the others).
 */
export function encodeNonResident(
  a: NonResidentAttr,
  instance: number,
  runs: readonly Run[],
  lowestVcn: number,
  highestVcn: number,
): Uint8Array {
  const pairs = encodeRuns(runs)
  const header = nonResidentHeader(a, lowestVcn)
  const pairsOffset = align8(header + nameBytes(a.name))
  const length = pairsOffset + align8(pairs.length)
  const b = new Uint8Array(length)
  set32(b, 0, a.type)
  set32(b, 4, length)
  set8(b, 8, 1)
  set8(b, 9, a.name.length)
  set16(b, 10, header)
  set16(b, 12, a.flags)
  set16(b, 14, instance)
  set64(b, 16, lowestVcn)
  set64(b, 24, highestVcn)
  set16(b, 32, pairsOffset)
  set8(b, 34, a.compressionUnit)
  if (lowestVcn === 0) {
    set64(b, 40, a.allocatedSize)
    set64(b, 48, a.dataSize)
    set64(b, 56, a.initializedSize)
    if (header === 72) set64(b, 64, a.compressedSize)
  }
  setUtf16(b, header, a.name)
  b.set(pairs, pairsOffset)
  return b
}

/**
 * Order of attributes inside a record and in $ATTRIBUTE_LIST: by type, then by name (upcased
 * first, then exact), then by lowest VCN. `up` maps a name to its upcased form.
 */
export function compareAttrKeys(
  aType: number,
  aName: string,
  bType: number,
  bName: string,
  up: (s: string) => string,
): number {
  if (aType !== bType) return aType < bType ? -1 : 1
  if (aName === bName) return 0
  const ua = up(aName)
  const ub = up(bName)
  if (ua !== ub) return ua < ub ? -1 : 1
  return aName < bName ? -1 : 1
}

export function isStreamAttr(type: number): boolean {
  return type === ATTR.DATA
}
