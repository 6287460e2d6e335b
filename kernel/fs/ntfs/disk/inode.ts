// A file as the on-disk layer holds it in memory: its base MFT record's header fields, all
// of its attributes (from the base record and any extension records, non-resident extents
// merged into one runlist each) and the extension records it owns. The volume
// (./volume.ts) loads an Inode from its records and lays it out again on every save.

import type { Attr, NonResidentAttr, ResidentAttr } from './attribute.ts'
import { ATTR } from './layout.ts'
import type { Run } from './runlist.ts'

export interface ExtensionRecord {
  record: number
  seq: number
  /** update sequence number of its last write */
  usn: number
}

export class Inode {
  constructor(
    readonly record: number,
    public seq: number,
    /** MFT_RECORD_* flags of the base record */
    public flags: number,
    public attrs: Attr[],
    public extensions: ExtensionRecord[],
    public usn: number,
  ) {}

  find(type: number, name = ''): Attr | undefined {
    for (const a of this.attrs) if (a.type === type && a.name === name) return a
    return undefined
  }

  findAll(type: number): Attr[] {
    return this.attrs.filter((a) => a.type === type)
  }

  findResident(type: number, name = ''): ResidentAttr | undefined {
    const a = this.find(type, name)
    return a && a.resident ? a : undefined
  }

  remove(attr: Attr): void {
    const i = this.attrs.indexOf(attr)
    if (i >= 0) this.attrs.splice(i, 1)
  }

  add(attr: Attr): void {
    this.attrs.push(attr)
  }

  replace(old: Attr, next: Attr): void {
    const i = this.attrs.indexOf(old)
    if (i < 0) throw new Error('attribute is not part of the file')
    this.attrs[i] = next
  }
}

export function newResident(type: number, name: string, value: Uint8Array, residentFlags = 0): ResidentAttr {
  return { resident: true, type, name, flags: 0, instance: -1, residentFlags, value }
}

export function newNonResident(type: number, name: string, runs: Run[], clusterSize: number, dataSize: number): NonResidentAttr {
  const clusters = runs.length ? runs[runs.length - 1]!.vcn + runs[runs.length - 1]!.length : 0
  return {
    resident: false,
    type,
    name,
    flags: 0,
    instance: -1,
    compressionUnit: 0,
    runs,
    allocatedSize: clusters * clusterSize,
    dataSize,
    initializedSize: dataSize,
    compressedSize: 0,
  }
}

/** attribute types whose value may move out of the record (made non-resident) when it fills up */
export function convertible(type: number): boolean {
  return (
    type === ATTR.DATA ||
    type === ATTR.EA ||
    type === ATTR.REPARSE_POINT ||
    type === ATTR.SECURITY_DESCRIPTOR ||
    type === ATTR.LOGGED_UTILITY_STREAM ||
    type === ATTR.BITMAP
  )
}
