// FILE records of the MFT (layout.h MFT_RECORD, NTFS 3.1 form): a 48-byte header, the update
// sequence array at 0x30, attributes from 0x38 in (type, name, VCN) order, an end marker
// 0xFFFFFFFF. Records are read and written whole, with the fixups handled by ./fixup.ts.

import { u16, u32, set16, set32, set64, hex } from './bytes.ts'
import { ATTR } from './layout.ts'
import { parseAttribute, AttributeError, type AttrRecord } from './attribute.ts'

export const FILE_MAGIC = 0x454c4946 // 'FILE'
export const BAAD_MAGIC = 0x44414142 // 'BAAD'
export const RECORD_USA_OFFSET = 0x30

export interface RecordHeader {
  /** update sequence number of the last write (kept so the next write continues the sequence) */
  lsn: bigint
  seq: number
  linkCount: number
  flags: number
  /** bytes_in_use / bytes_allocated */
  bytesInUse: number
  bytesAllocated: number
  /** base record reference for extension records (0 for a base record) */
  baseRef: bigint
  nextInstance: number
  recordNumber: number
}

export interface ParsedRecord {
  header: RecordHeader
  attrs: AttrRecord[]
}

/** first attribute offset for a record of this size (the update sequence array ends before it) */
export function attrsOffset(recordSize: number): number {
  const usaEnd = RECORD_USA_OFFSET + 2 * (recordSize / 512 + 1)
  return (usaEnd + 7) & ~7
}

/** bytes available for attribute records in an empty record (header, array and end marker excluded) */
export function recordSpace(recordSize: number): number {
  return recordSize - attrsOffset(recordSize) - 8
}

export class RecordError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message)
  }
}

/** parses a FILE record whose fixups are already removed; throws RecordError with the byte offset of the problem */
export function parseRecord(b: Uint8Array, recordSize: number): ParsedRecord {
  const magic = u32(b, 0)
  if (magic !== FILE_MAGIC) {
    if (magic === BAAD_MAGIC) throw new RecordError('record is marked BAAD (a failed multi-sector transfer)', 0)
    throw new RecordError(`signature ${hex(magic, 8)} is not 'FILE'`, 0)
  }
  const firstAttr = u16(b, 0x14)
  const bytesInUse = u32(b, 0x18)
  const bytesAllocated = u32(b, 0x1c)
  if (bytesAllocated !== recordSize) throw new RecordError(`allocated size ${bytesAllocated} is not the record size ${recordSize}`, 0x1c)
  if (bytesInUse > recordSize || bytesInUse < firstAttr + 8) throw new RecordError(`bytes in use ${bytesInUse} is invalid`, 0x18)
  if (firstAttr < 0x30 || firstAttr >= bytesInUse || (firstAttr & 7) !== 0) {
    throw new RecordError(`first attribute offset ${firstAttr} is invalid`, 0x14)
  }
  const header: RecordHeader = {
    lsn: BigInt(u32(b, 8)) | (BigInt(u32(b, 12)) << 32n),
    seq: u16(b, 0x10),
    linkCount: u16(b, 0x12),
    flags: u16(b, 0x16),
    bytesInUse,
    bytesAllocated,
    baseRef: BigInt(u32(b, 0x20)) | (BigInt(u32(b, 0x24)) << 32n),
    nextInstance: u16(b, 0x28),
    recordNumber: u32(b, 0x2c),
  }
  const attrs: AttrRecord[] = []
  let off = firstAttr
  for (;;) {
    if (off + 4 > bytesInUse) throw new RecordError('attributes are not terminated by an end marker', off)
    const type = u32(b, off)
    if (type === ATTR.END) break
    try {
      const a = parseAttribute(b, off, bytesInUse)
      attrs.push(a)
      off += u32(b, off + 4)
    } catch (err) {
      if (err instanceof AttributeError) throw new RecordError(err.message, err.offset)
      throw err
    }
  }
  return { header, attrs }
}

/** builds a record image (without fixups) from encoded attribute records, already in order */
export function buildRecord(header: Omit<RecordHeader, 'bytesInUse' | 'bytesAllocated' | 'lsn'> & { usn: number }, encodedAttrs: readonly Uint8Array[], recordSize: number): Uint8Array {
  const b = new Uint8Array(recordSize)
  const first = attrsOffset(recordSize)
  set32(b, 0, FILE_MAGIC)
  set16(b, 4, RECORD_USA_OFFSET)
  set16(b, 6, recordSize / 512 + 1)
  set16(b, 0x10, header.seq)
  set16(b, 0x12, header.linkCount)
  set16(b, 0x14, first)
  set16(b, 0x16, header.flags)
  set64(b, 0x20, Number(header.baseRef & 0xffffffffffffn))
  set16(b, 0x26, Number(header.baseRef >> 48n))
  set16(b, 0x28, header.nextInstance)
  set32(b, 0x2c, header.recordNumber)
  set16(b, RECORD_USA_OFFSET, header.usn)
  let off = first
  for (const a of encodedAttrs) {
    if (off + a.length + 8 > recordSize) throw new RangeError(`attributes overflow the ${recordSize}-byte record`)
    b.set(a, off)
    off += a.length
  }
  set32(b, off, ATTR.END)
  set32(b, 0x18, off + 8)
  set32(b, 0x1c, recordSize)
  return b
}

/** an unused, formatted record (as mkntfs and Windows leave free records) */
export function emptyRecord(recordNumber: number, seq: number, recordSize: number): Uint8Array {
  return buildRecord(
    { seq, linkCount: 0, flags: 0, baseRef: 0n, nextInstance: 0, recordNumber, usn: 1 },
    [],
    recordSize,
  )
}

export function recordUsn(b: Uint8Array): number {
  return u16(b, RECORD_USA_OFFSET)
}

export function baseRecordOf(ref: bigint): number {
  return Number(ref & 0xffffffffffffn)
}

export function makeRef(record: number, seq: number): bigint {
  return (BigInt(seq) << 48n) | BigInt(record)
}


