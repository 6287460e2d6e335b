// The NTFS boot sector ($Boot's first sector, with a backup in the last sector of the volume):
// BIOS parameter block, total sectors, $MFT and $MFTMirr locations, record and index block
// sizes, serial number. Layout: layout.h NTFS_BOOT_SECTOR; validity rules as
// libntfs-3g/bootsect.c applies them.

import { u8, u16, u32, u64, i8, u64n, set8, set16, set32, set64, set64n, hex } from './bytes.ts'

export interface BootSector {
  bytesPerSector: number
  sectorsPerCluster: number
  bytesPerCluster: number
  /** sectors of the volume (the backup boot sector lies just past them) */
  totalSectors: number
  totalClusters: number
  mftLcn: number
  mftMirrLcn: number
  mftRecordSize: number
  indexBlockSize: number
  serialNumber: bigint
  mediaType: number
  sectorsPerTrack: number
  heads: number
  hiddenSectors: number
}

const OEM = 'NTFS    '

/** One problem with a boot sector, naming the byte it is at. */
export class BootSectorError extends Error {
  constructor(
    readonly problem: string,
    readonly offset: number,
  ) {
    super(`boot sector: ${problem} at byte ${offset}`)
  }
}

function sizeFromClustersPer(v: number, bytesPerCluster: number): number {
  return v > 0 ? v * bytesPerCluster : 2 ** -v
}

export function parseBootSector(b: Uint8Array, diskBytes: number): BootSector {
  if (b.length < 512) throw new BootSectorError(`only ${b.length} bytes`, 0)
  let oem = ''
  for (let i = 3; i < 11; i++) oem += String.fromCharCode(u8(b, i))
  if (u16(b, 510) !== 0xaa55) {
    if (oem !== OEM) throw new BootSectorError(`signature 0xAA55 missing (found ${hex(u16(b, 510), 4)}) and no NTFS OEM id`, 510)
    throw new BootSectorError(`signature 0xAA55 missing (found ${hex(u16(b, 510), 4)})`, 510)
  }
  if (oem !== OEM) throw new BootSectorError(`OEM id ${JSON.stringify(oem)} is not "NTFS    " (not an NTFS volume)`, 3)
  const bytesPerSector = u16(b, 0x0b)
  if (bytesPerSector < 256 || bytesPerSector > 4096 || (bytesPerSector & (bytesPerSector - 1)) !== 0) {
    throw new BootSectorError(`bytes per sector ${bytesPerSector} is invalid`, 0x0b)
  }
  if (bytesPerSector !== 512) throw new BootSectorError(`bytes per sector ${bytesPerSector} is not supported (512 only)`, 0x0b)
  const spcRaw = u8(b, 0x0d)
  let sectorsPerCluster: number
  if ([1, 2, 4, 8, 16, 32, 64, 128].includes(spcRaw)) sectorsPerCluster = spcRaw
  else if (spcRaw >= 240 && spcRaw <= 253) sectorsPerCluster = 2 ** (256 - spcRaw)
  else throw new BootSectorError(`sectors per cluster code ${hex(spcRaw, 2)} is invalid`, 0x0d)
  const bytesPerCluster = bytesPerSector * sectorsPerCluster
  if (bytesPerCluster > 2 * 1024 * 1024) throw new BootSectorError(`cluster size ${bytesPerCluster} is too large`, 0x0d)
  const reserved: Array<[number, number, string]> = [
    [0x0e, u16(b, 0x0e), 'reserved sectors'],
    [0x10, u8(b, 0x10), 'FAT count'],
    [0x11, u16(b, 0x11), 'root entries'],
    [0x13, u16(b, 0x13), 'small sector count'],
    [0x16, u16(b, 0x16), 'sectors per FAT'],
    [0x20, u32(b, 0x20), 'large sector count'],
  ]
  for (const [off, v, what] of reserved) if (v !== 0) throw new BootSectorError(`${what} is ${v}, must be 0`, off)
  let totalSectors: number
  let mftLcn: number
  let mftMirrLcn: number
  try {
    totalSectors = u64(b, 0x28)
    mftLcn = u64(b, 0x30)
    mftMirrLcn = u64(b, 0x38)
  } catch {
    throw new BootSectorError('a 64-bit field is out of range', 0x28)
  }
  if (totalSectors <= 0) throw new BootSectorError(`total sectors ${totalSectors} is invalid`, 0x28)
  if (totalSectors * bytesPerSector > diskBytes) {
    throw new BootSectorError(
      `volume of ${totalSectors} sectors (${totalSectors * bytesPerSector} bytes) is larger than the image (${diskBytes} bytes; truncated image?)`,
      0x28,
    )
  }
  const totalClusters = Math.floor((totalSectors * bytesPerSector) / bytesPerCluster)
  if (mftLcn <= 0 || mftLcn >= totalClusters) throw new BootSectorError(`$MFT cluster ${mftLcn} is outside the volume`, 0x30)
  if (mftMirrLcn <= 0 || mftMirrLcn >= totalClusters || mftMirrLcn === mftLcn) {
    throw new BootSectorError(`$MFTMirr cluster ${mftMirrLcn} is invalid`, 0x38)
  }
  const cpm = i8(b, 0x40)
  const cpi = i8(b, 0x44)
  const validCode = (v: number): boolean => [1, 2, 4, 8, 16, 32, 64].includes(v) || (v <= -9 && v >= -31)
  if (!validCode(cpm)) throw new BootSectorError(`clusters per MFT record ${cpm} is invalid`, 0x40)
  if (!validCode(cpi)) throw new BootSectorError(`clusters per index block ${cpi} is invalid`, 0x44)
  const mftRecordSize = sizeFromClustersPer(cpm, bytesPerCluster)
  const indexBlockSize = sizeFromClustersPer(cpi, bytesPerCluster)
  if (mftRecordSize < 512 || mftRecordSize > 4096) throw new BootSectorError(`MFT record size ${mftRecordSize} is not supported`, 0x40)
  if (indexBlockSize < 512 || indexBlockSize > 65536) throw new BootSectorError(`index block size ${indexBlockSize} is not supported`, 0x44)
  return {
    bytesPerSector,
    sectorsPerCluster,
    bytesPerCluster,
    totalSectors,
    totalClusters,
    mftLcn,
    mftMirrLcn,
    mftRecordSize,
    indexBlockSize,
    serialNumber: u64n(b, 0x48),
    mediaType: u8(b, 0x15),
    sectorsPerTrack: u16(b, 0x18),
    heads: u16(b, 0x1a),
    hiddenSectors: u32(b, 0x1c),
  }
}

function clustersPerCode(size: number, bytesPerCluster: number): number {
  if (size >= bytesPerCluster) return size / bytesPerCluster
  return -Math.log2(size) & 0xff
}

// A boot program for machines that try to boot the volume: prints a line and halts.
// (real-mode x86: mov si,msg; lodsb; test al,al; jz halt; mov ah,0x0e; int 0x10; jmp; halt: hlt)
const BOOT_CODE = [0xfa, 0x31, 0xc0, 0x8e, 0xd8, 0xbe, 0x70, 0x7c, 0xfc, 0xac, 0x84, 0xc0, 0x74, 0x06, 0xb4, 0x0e, 0xcd, 0x10, 0xeb, 0xf5, 0xf4, 0xeb, 0xfd]
const BOOT_MESSAGE = 'This is an Altitude NTFS data volume, not a bootable disk.\r\n'

export function buildBootSector(bs: Omit<BootSector, 'totalClusters' | 'bytesPerCluster'>): Uint8Array {
  const b = new Uint8Array(512)
  b.set([0xeb, 0x52, 0x90], 0)
  for (let i = 0; i < 8; i++) b[3 + i] = OEM.charCodeAt(i)
  const bytesPerCluster = bs.bytesPerSector * bs.sectorsPerCluster
  set16(b, 0x0b, bs.bytesPerSector)
  set8(b, 0x0d, bs.sectorsPerCluster > 128 ? 256 - Math.log2(bs.sectorsPerCluster) : bs.sectorsPerCluster)
  set8(b, 0x15, bs.mediaType)
  set16(b, 0x18, bs.sectorsPerTrack)
  set16(b, 0x1a, bs.heads)
  set32(b, 0x1c, bs.hiddenSectors)
  set8(b, 0x24, 0x80) // physical drive
  set8(b, 0x26, 0x80) // extended boot signature, as Windows and mkntfs write it
  set64(b, 0x28, bs.totalSectors)
  set64(b, 0x30, bs.mftLcn)
  set64(b, 0x38, bs.mftMirrLcn)
  set8(b, 0x40, clustersPerCode(bs.mftRecordSize, bytesPerCluster))
  set8(b, 0x44, clustersPerCode(bs.indexBlockSize, bytesPerCluster))
  set64n(b, 0x48, bs.serialNumber)
  set32(b, 0x50, 0) // checksum: left zero as Windows does
  // the boot program starts at 0x54 (jump target of EB 52)
  b.set(BOOT_CODE, 0x54)
  const msgAt = 0x70 // loaded at 0x7c00, so the message is at 0x7c70
  for (let i = 0; i < BOOT_MESSAGE.length; i++) b[msgAt + i] = BOOT_MESSAGE.charCodeAt(i)
  set16(b, 510, 0xaa55)
  return b
}
