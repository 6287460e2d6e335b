// The parts of a ZIP archive an archiver reads to list and extract it: the end of central
// directory record (found by searching the end of the file backwards for its signature), the
// central directory entries, and each entry's local header before its data.
// [S] PKWARE APPNOTE.TXT 6.3.10: 4.3.7 local file header, 4.3.12 central directory header,
// 4.3.16 end of central directory record, 4.4.6 MS-DOS date and time.

export const EOCD_SIGNATURE = 0x06054b50
const CENTRAL_SIGNATURE = 0x02014b50
const LOCAL_SIGNATURE = 0x04034b50
export const EOCD_BYTES = 22
export const LOCAL_HEADER_BYTES = 30

export interface EndRecord {
  readonly entries: number
  readonly directorySize: number
  readonly directoryOffset: number
}

export interface ZipEntry {
  readonly name: string
  readonly method: number
  readonly compressedSize: number
  readonly size: number
  readonly localHeaderOffset: number
  /** the MS-DOS date and time of the entry */
  readonly dosDate: number
  readonly dosTime: number
  readonly directory: boolean
}

/** an archive this reader cannot use; the message says what is wrong with it */
export class ZipFormatError extends Error {
  override readonly name = 'ZipFormatError'
}

function dv(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength)
}

/** the end record within `tail` (the last bytes of the file), searched from the end */
export function findEndRecord(tail: Uint8Array): EndRecord | undefined {
  const d = dv(tail)
  for (let o = tail.length - EOCD_BYTES; o >= 0; o--) {
    if (d.getUint32(o, true) !== EOCD_SIGNATURE) continue
    return { entries: d.getUint16(o + 10, true), directorySize: d.getUint32(o + 12, true), directoryOffset: d.getUint32(o + 16, true) }
  }
  return undefined
}

/** the central directory's entries */
export function parseCentralDirectory(bytes: Uint8Array, count: number): ZipEntry[] {
  const d = dv(bytes)
  const out: ZipEntry[] = []
  let o = 0
  for (let i = 0; i < count; i++) {
    if (o + 46 > bytes.length || d.getUint32(o, true) !== CENTRAL_SIGNATURE) throw new ZipFormatError(`central directory entry ${i} at offset ${o} has no signature`)
    const nameLength = d.getUint16(o + 28, true)
    const extra = d.getUint16(o + 30, true)
    const comment = d.getUint16(o + 32, true)
    if (o + 46 + nameLength > bytes.length) throw new ZipFormatError(`central directory entry ${i} runs past the directory`)
    const name = new TextDecoder().decode(bytes.subarray(o + 46, o + 46 + nameLength))
    out.push({
      name,
      method: d.getUint16(o + 10, true),
      dosTime: d.getUint16(o + 12, true),
      dosDate: d.getUint16(o + 14, true),
      compressedSize: d.getUint32(o + 20, true),
      size: d.getUint32(o + 24, true),
      localHeaderOffset: d.getUint32(o + 42, true),
      directory: name.endsWith('/'),
    })
    o += 46 + nameLength + extra + comment
  }
  return out
}

/** where an entry's data starts, from its local header */
export function dataOffset(entry: ZipEntry, localHeader: Uint8Array): number {
  const d = dv(localHeader)
  if (localHeader.length < LOCAL_HEADER_BYTES || d.getUint32(0, true) !== LOCAL_SIGNATURE) throw new ZipFormatError(`${entry.name}: no local header at offset ${entry.localHeaderOffset}`)
  return entry.localHeaderOffset + LOCAL_HEADER_BYTES + d.getUint16(26, true) + d.getUint16(28, true)
}

/** FILETIME (100 ns since 1601) of an MS-DOS date and time, taken as UTC */
// unverified: archivers convert the DOS time as local time; the machine's time zone is UTC
export function dosTimeToFileTime(date: number, time: number): bigint {
  const ms = Date.UTC(1980 + (date >> 9), ((date >> 5) & 15) - 1, date & 31, time >> 11, (time >> 5) & 63, (time & 31) * 2)
  return (BigInt(ms) + 11_644_473_600_000n) * 10_000n
}
