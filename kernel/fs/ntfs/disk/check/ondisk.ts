// The on-disk structures the volume checker reads, parsed on their own (the checker does not
// reuse the store's parsers, so it can judge them): the boot sector, MFT record headers with
// their update sequence arrays, attribute records and runlists. Layouts per ntfs-3g
// include/ntfs-3g/layout.h (NTFS_BOOT_SECTOR, MFT_RECORD, ATTR_RECORD) and the Linux-NTFS
// documentation; each parser reports what is wrong instead of throwing.

// the constants are shared with the store (they are the format, not a parser to judge)
import { ATTR as AT, ATTR_NAMES } from '../layout.ts'
export { AT, ATTR_NAMES }

/** MFT_RECORD_FLAGS */
export const MFT_RECORD_IN_USE = 0x1
export const MFT_RECORD_IS_DIRECTORY = 0x2
export const MFT_RECORD_IS_4 = 0x4
export const MFT_RECORD_IS_VIEW_INDEX = 0x8

export function attrName(type: number): string {
  return ATTR_NAMES[type] ?? `attribute type 0x${type.toString(16)}`
}

export function dv(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength)
}

export function hex(n: number | bigint, width = 0): string {
  return '0x' + n.toString(16).toUpperCase().padStart(width, '0')
}

// ---- boot sector ----

export interface Boot {
  bytesPerSector: number
  sectorsPerCluster: number
  clusterSize: number
  totalSectors: bigint
  totalClusters: number
  mftLcn: number
  mftMirrLcn: number
  recordSize: number
  indexBlockSize: number
  serial: bigint
}

/** the size encoded in the boot sector's clusters-per-record / per-index-block byte */
function clustersField(v: number, clusterSize: number): number {
  const s = v > 127 ? v - 256 : v
  return s < 0 ? 2 ** -s : s * clusterSize
}

/** parses the boot sector; returns the problems that make the volume unusable, or the geometry */
export function parseBoot(b: Uint8Array, imageSize: number): { boot?: Boot; errors: string[]; warnings: string[] } {
  const errors: string[] = []
  const warnings: string[] = []
  const v = dv(b)
  if (b.length < 512) return { errors: [`boot sector: the image is only ${b.length} bytes`], warnings }
  if (v.getUint16(510, true) !== 0xaa55) errors.push(`boot sector: signature 0xAA55 missing at byte 510 (found ${hex(v.getUint16(510, true), 4)})`)
  const oem = String.fromCharCode(...b.subarray(3, 11))
  if (oem !== 'NTFS    ') errors.push(`boot sector: OEM id "NTFS    " missing at byte 3 (found ${JSON.stringify(oem)})`)
  const bytesPerSector = v.getUint16(11, true)
  if (![256, 512, 1024, 2048, 4096].includes(bytesPerSector)) errors.push(`boot sector: bytes per sector ${bytesPerSector} at byte 11 is not 256-4096`)
  const spcRaw = b[13]!
  // values above 0x80 encode 2^(256 - value) sectors (64 KiB+ clusters)
  const sectorsPerCluster = spcRaw > 0x80 ? 2 ** (256 - spcRaw) : spcRaw
  if (sectorsPerCluster === 0 || (sectorsPerCluster & (sectorsPerCluster - 1)) !== 0) errors.push(`boot sector: sectors per cluster ${spcRaw} at byte 13 is not a power of two`)
  if (b[21] !== 0xf8) warnings.push(`boot sector: media descriptor ${hex(b[21]!, 2)} at byte 21 (0xF8 expected)`)
  const totalSectors = v.getBigUint64(40, true)
  const mftLcn = v.getBigUint64(48, true)
  const mftMirrLcn = v.getBigUint64(56, true)
  if (errors.length) return { errors, warnings }
  const clusterSize = bytesPerSector * sectorsPerCluster
  const totalClusters = Number(totalSectors / BigInt(sectorsPerCluster))
  if (totalSectors === 0n) errors.push('boot sector: total sectors at byte 40 is zero')
  if (Number(totalSectors) * bytesPerSector > imageSize) errors.push(`boot sector: ${totalSectors} sectors at byte 40 need ${Number(totalSectors) * bytesPerSector} bytes, the image has ${imageSize}`)
  if (mftLcn >= BigInt(totalClusters)) errors.push(`boot sector: $MFT cluster ${mftLcn} at byte 48 is outside the ${totalClusters}-cluster volume`)
  if (mftMirrLcn >= BigInt(totalClusters)) errors.push(`boot sector: $MFTMirr cluster ${mftMirrLcn} at byte 56 is outside the ${totalClusters}-cluster volume`)
  const recordSize = clustersField(b[64]!, clusterSize)
  const indexBlockSize = clustersField(b[68]!, clusterSize)
  if (recordSize < 256 || recordSize > 65536 || (recordSize & (recordSize - 1)) !== 0) errors.push(`boot sector: MFT record size ${recordSize} (byte 64 = ${hex(b[64]!, 2)}) is invalid`)
  if (indexBlockSize < 256 || indexBlockSize > 65536 || (indexBlockSize & (indexBlockSize - 1)) !== 0) errors.push(`boot sector: index block size ${indexBlockSize} (byte 68 = ${hex(b[68]!, 2)}) is invalid`)
  if (errors.length) return { errors, warnings }
  return {
    boot: { bytesPerSector, sectorsPerCluster, clusterSize, totalSectors, totalClusters, mftLcn: Number(mftLcn), mftMirrLcn: Number(mftMirrLcn), recordSize, indexBlockSize, serial: v.getBigUint64(72, true) },
    errors,
    warnings,
  }
}

// ---- update sequence arrays ----

/**
 * Checks and removes the fixups of a multi-sector record in place: the last two bytes of each
 * 512-byte stride must equal the update sequence number, and are replaced by the saved words.
 * Returns a problem description, or undefined when the record is sound.
 */
export function removeFixups(b: Uint8Array, size: number): string | undefined {
  const v = dv(b)
  const usaOfs = v.getUint16(4, true)
  const usaCount = v.getUint16(6, true)
  if (usaCount !== size / 512 + 1) return `update sequence array has ${usaCount} entries at byte 6, ${size / 512 + 1} expected`
  if (usaOfs % 2 !== 0 || usaOfs < 0x28 || usaOfs + 2 * usaCount > size) return `update sequence array offset ${usaOfs} at byte 4 is invalid`
  const usn = v.getUint16(usaOfs, true)
  for (let i = 1; i < usaCount; i++) {
    const at = i * 512 - 2
    if (v.getUint16(at, true) !== usn) return `fixup mismatch at byte ${at}: ${hex(v.getUint16(at, true), 4)} where the update sequence number ${hex(usn, 4)} belongs (torn write)`
    v.setUint16(at, v.getUint16(usaOfs + 2 * i, true), true)
  }
  return undefined
}

// ---- MFT records ----

export interface RecordHeader {
  magic: string
  lsn: bigint
  seq: number
  linkCount: number
  attrsOffset: number
  flags: number
  bytesInUse: number
  bytesAllocated: number
  baseRef: bigint
  nextInstance: number
  recordNumber: number
}

export function parseRecordHeader(b: Uint8Array): RecordHeader {
  const v = dv(b)
  return {
    magic: String.fromCharCode(...b.subarray(0, 4)),
    lsn: v.getBigUint64(8, true),
    seq: v.getUint16(16, true),
    linkCount: v.getUint16(18, true),
    attrsOffset: v.getUint16(20, true),
    flags: v.getUint16(22, true),
    bytesInUse: v.getUint32(24, true),
    bytesAllocated: v.getUint32(28, true),
    baseRef: v.getBigUint64(32, true),
    nextInstance: v.getUint16(40, true),
    recordNumber: v.getUint32(44, true),
  }
}

// ---- attributes ----

export interface Run {
  vcn: number
  /** undefined for a sparse run */
  lcn: number | undefined
  length: number
}

export interface AttrRec {
  /** offset in the record */
  offset: number
  type: number
  length: number
  nonResident: boolean
  name: string
  flags: number
  instance: number
  // resident
  value?: Uint8Array
  residentFlags?: number
  // non-resident
  lowestVcn?: number
  highestVcn?: number
  allocatedSize?: number
  dataSize?: number
  initializedSize?: number
  runs?: Run[]
}

/** ATTR_FLAGS */
export const ATTR_IS_COMPRESSED = 0x0001
export const ATTR_IS_ENCRYPTED = 0x4000
export const ATTR_IS_SPARSE = 0x8000

/** decodes mapping pairs; `problem` describes the first malformed pair */
export function decodeRuns(b: Uint8Array, at: number, end: number, startVcn: number): { runs: Run[]; problem?: string } {
  const runs: Run[] = []
  let vcn = startVcn
  let lcn = 0
  while (at < end) {
    const header = b[at]!
    if (header === 0) return { runs }
    const lenBytes = header & 0x0f
    const offBytes = header >> 4
    if (lenBytes === 0 || lenBytes > 8 || offBytes > 8) return { runs, problem: `mapping pair header ${hex(header, 2)} at byte ${at} is invalid` }
    if (at + 1 + lenBytes + offBytes > end) return { runs, problem: `mapping pair at byte ${at} runs past the attribute` }
    let length = 0
    for (let i = lenBytes - 1; i >= 0; i--) length = length * 256 + b[at + 1 + i]!
    if (length <= 0) return { runs, problem: `mapping pair at byte ${at} has run length ${length}` }
    if (offBytes === 0) {
      runs.push({ vcn, lcn: undefined, length })
    } else {
      let delta = 0
      for (let i = offBytes - 1; i >= 0; i--) delta = delta * 256 + b[at + 1 + lenBytes + i]!
      if (b[at + lenBytes + offBytes]! & 0x80) delta -= 2 ** (8 * offBytes)
      lcn += delta
      runs.push({ vcn, lcn, length })
    }
    vcn += length
    at += 1 + lenBytes + offBytes
  }
  return { runs, problem: 'mapping pairs are not terminated by a zero byte' }
}

/**
 * Parses the attributes of a record (fixups removed) up to the END marker. Problems with one
 * attribute are reported and parsing stops there (the rest of the record cannot be trusted).
 */
export function parseAttributes(b: Uint8Array, start: number, bytesInUse: number): { attrs: AttrRec[]; problems: string[] } {
  const attrs: AttrRec[] = []
  const problems: string[] = []
  const v = dv(b)
  let at = start
  for (let n = 0; ; n++) {
    if (at + 4 > bytesInUse) {
      problems.push(`attribute list runs past bytes in use (${bytesInUse}) without the 0xFFFFFFFF end marker`)
      break
    }
    const type = v.getUint32(at, true)
    if (type === AT.END) break
    const where = `attribute #${n} (${attrName(type)}) at byte ${at}`
    if (at + 24 > bytesInUse) {
      problems.push(`${where}: header runs past bytes in use (${bytesInUse})`)
      break
    }
    const length = v.getUint32(at + 4, true)
    if (length < 24 || length % 8 !== 0 || at + length > bytesInUse) {
      problems.push(`${where}: length ${length} is not a multiple of 8 inside the record`)
      break
    }
    const nonResident = b[at + 8]! !== 0
    const nameLength = b[at + 9]!
    const nameOffset = v.getUint16(at + 10, true)
    let name = ''
    if (nameLength > 0) {
      if (nameOffset + 2 * nameLength > length) {
        problems.push(`${where}: name at ${nameOffset} runs past the attribute`)
        break
      }
      for (let i = 0; i < nameLength; i++) name += String.fromCharCode(v.getUint16(at + nameOffset + 2 * i, true))
    }
    const a: AttrRec = { offset: at, type, length, nonResident, name, flags: v.getUint16(at + 12, true), instance: v.getUint16(at + 14, true) }
    if (!nonResident) {
      const valueLength = v.getUint32(at + 16, true)
      const valueOffset = v.getUint16(at + 20, true)
      if (valueOffset + valueLength > length || (valueLength > 0 && valueOffset < 24)) {
        problems.push(`${where}: resident value ${valueOffset}+${valueLength} lies outside the ${length}-byte attribute`)
        break
      }
      a.value = b.slice(at + valueOffset, at + valueOffset + valueLength)
      a.residentFlags = b[at + 22]!
    } else {
      if (length < 64) {
        problems.push(`${where}: non-resident attribute of ${length} bytes (at least 64 expected)`)
        break
      }
      const lowest = v.getBigInt64(at + 16, true)
      const highest = v.getBigInt64(at + 24, true)
      const pairsOffset = v.getUint16(at + 32, true)
      a.lowestVcn = Number(lowest)
      a.highestVcn = Number(highest)
      a.allocatedSize = Number(v.getBigInt64(at + 40, true))
      a.dataSize = Number(v.getBigInt64(at + 48, true))
      a.initializedSize = Number(v.getBigInt64(at + 56, true))
      if (pairsOffset < 64 || pairsOffset > length) {
        problems.push(`${where}: mapping pairs offset ${pairsOffset} is outside the attribute`)
        break
      }
      const { runs, problem } = decodeRuns(b, at + pairsOffset, at + length, a.lowestVcn)
      if (problem) problems.push(`${where}: ${problem}`)
      a.runs = runs
    }
    attrs.push(a)
    at += length
  }
  return { attrs, problems }
}
