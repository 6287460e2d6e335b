// $ATTRIBUTE_LIST: when a file's attributes do not fit in its base record, the base record
// carries this list of every attribute (extent) and the MFT record holding it (layout.h
// ATTR_LIST_ENTRY: type, entry length, name length/offset, lowest VCN, MFT reference,
// instance, name; entries 8-byte aligned, sorted by type, name, lowest VCN).

import { u8, u16, u32, u64, u64n, set8, set16, set32, set64, set64n, utf16, setUtf16, align8 } from './bytes.ts'

export interface AttrListEntry {
  type: number
  name: string
  lowestVcn: number
  /** MFT reference (sequence << 48 | record) of the record holding the extent */
  ref: bigint
  instance: number
}

export class AttrListError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message)
  }
}

export function attrListEntrySize(nameLength: number): number {
  return align8(26 + 2 * nameLength)
}

export function parseAttrList(b: Uint8Array): AttrListEntry[] {
  const out: AttrListEntry[] = []
  let o = 0
  while (o + 26 <= b.length) {
    const type = u32(b, o)
    const length = u16(b, o + 4)
    if (type === 0 && length === 0) break
    if (length < 26 || o + length > b.length) throw new AttrListError(`entry length ${length} is invalid`, o + 4)
    const nameLength = u8(b, o + 6)
    const nameOffset = u8(b, o + 7)
    if (nameLength > 0 && nameOffset + 2 * nameLength > length) throw new AttrListError('entry name runs past the entry', o + 6)
    let lowestVcn: number
    try {
      lowestVcn = u64(b, o + 8)
    } catch {
      throw new AttrListError('lowest VCN out of range', o + 8)
    }
    out.push({
      type,
      name: nameLength > 0 ? utf16(b, o + nameOffset, nameLength) : '',
      lowestVcn,
      ref: u64n(b, o + 16),
      instance: u16(b, o + 24),
    })
    o += length
  }
  return out
}

export function encodeAttrList(entries: readonly AttrListEntry[]): Uint8Array {
  let size = 0
  for (const e of entries) size += attrListEntrySize(e.name.length)
  const b = new Uint8Array(size)
  let o = 0
  for (const e of entries) {
    const length = attrListEntrySize(e.name.length)
    set32(b, o, e.type)
    set16(b, o + 4, length)
    set8(b, o + 6, e.name.length)
    set8(b, o + 7, 26)
    set64(b, o + 8, e.lowestVcn)
    set64n(b, o + 16, e.ref)
    set16(b, o + 24, e.instance)
    setUtf16(b, o + 26, e.name)
    o += length
  }
  return b
}
