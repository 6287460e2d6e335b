// Creating a fresh NTFS 3.1 volume on an image file, equivalent to what mkntfs (ntfs-3g
// 2022.10, `mkntfs -F -Q -s 512 -c 4096`) makes: the same placement of $Boot, $MFT's bitmap,
// $MFT, $MFTMirr (middle of the volume) and $LogFile (sized by mkntfs's rule), the same
// system records 0–26 (16–23 reserved and free), the standard $AttrDef, the Windows 7+
// $UpCase, $Secure with the system descriptors 0x100 and 0x101, $Extend with $Quota, $ObjId
// and $Reparse. Differences: every system file refers to its security descriptor through
// $Secure (no $SECURITY_DESCRIPTOR attributes, as Windows formats), the root directory has
// its own descriptor (0x102), and no $UpCase:$Info stream.
//
// Deterministic: the serial number and every timestamp come from the options.

import { DiskDevice } from '../../../disk/device.ts'
import { StoreError } from '../store.ts'
import { NameSpace } from '../store.ts'
import { buildBootSector } from './boot.ts'
import { buildRecord, emptyRecord, makeRef } from './record.ts'
import { applyFixups } from './fixup.ts'
import { encodeResident, encodeNonResident, compareAttrKeys, type Attr, type NonResidentAttr } from './attribute.ts'
import { newResident, newNonResident } from './inode.ts'
import { encodeRuns, SPARSE, type Run } from './runlist.ts'
import { set32, set64, set64n, setUtf16, encodeUtf16, alignUp } from './bytes.ts'
import {
  ATTR,
  ATTR_DEFS,
  MFT_RECORD_IN_USE,
  MFT_RECORD_IS_DIRECTORY,
  MFT_RECORD_IS_4,
  MFT_RECORD_IS_VIEW_INDEX,
  FILE_ATTRIBUTE_HIDDEN,
  FILE_ATTRIBUTE_SYSTEM,
  FILE_ATTRIBUTE_ARCHIVE,
  FILE_ATTR_I30_INDEX_PRESENT,
  FILE_ATTR_VIEW_INDEX_PRESENT,
  RESIDENT_ATTR_IS_INDEXED,
  FILE_Extend,
  FILE_root,
  FILE_Secure,
} from './layout.ts'
import { encodeStdInfo, encodeFileName, encodeVolumeInformation, type FileNameValue } from './values.ts'
import { upcaseTable, upcaseTableBytes, upcaseName } from './upcase.ts'
import {
  SYSTEM_FILE_SD_RO,
  SYSTEM_FILE_SD_RW,
  ROOT_SD,
  securityHash,
  encodeSdsHeader,
  nextSdsOffset,
  SDS_BLOCK,
  FIRST_SECURITY_ID,
  type SdsLocation,
} from './security.ts'
import { emptyIndexRoot } from './index/index.ts'
import { Volume, asStoreError } from './volume.ts'
import { initialIndexEntries } from './format-indexes.ts'

export interface FormatOptions {
  sizeBytes: number
  label?: string
  /** 64-bit volume serial number; the CLI passes a random one, the kernel its seeded PRNG's */
  serialNumber?: bigint
  /** FILETIME of every timestamp on the new volume */
  time?: bigint
}

export const CLUSTER_SIZE = 4096
export const RECORD_SIZE = 1024
export const INDEX_BLOCK_SIZE = 4096
const SECTOR = 512
/** the smallest volume that holds the system files with room to spare */
export const MIN_VOLUME_BYTES = 2 * 1024 * 1024
/** records in the initial $MFT: 27 system records (mkntfs), rounded up to whole clusters */
const INITIAL_MFT_RECORDS = 27

/** mkntfs's $LogFile size rule (mkntfs.c, mkntfs_initialize_rl_logfile) */
export function logFileSize(volumeBytes: number, clusterSize: number): number {
  if (volumeBytes < 2048 * 1024) return 256 * 1024
  if (volumeBytes < 4000000) return 512 * 1024
  if (volumeBytes <= 200 * 1024 * 1024) return 2048 * 1024
  if (volumeBytes >= 12 * 1024 ** 3) return 64 * 1024 * 1024
  return Math.floor(volumeBytes / 200 / clusterSize) * clusterSize
}

/** system files and their ids in $Secure (as mkntfs assigns them) */
const SECURITY_RO = FIRST_SECURITY_ID // 0x100
const SECURITY_RW = FIRST_SECURITY_ID + 1 // 0x101
export const SECURITY_ROOT = FIRST_SECURITY_ID + 2 // 0x102

export function formatVolume(path: string, options: FormatOptions): void {
  const label = options.label ?? ''
  if (label.length > 32) throw new StoreError(`volume label "${label}" is longer than 32 characters`, 'invalid')
  if (!Number.isSafeInteger(options.sizeBytes) || options.sizeBytes < MIN_VOLUME_BYTES) {
    throw new StoreError(`volume size ${options.sizeBytes} bytes is below the minimum of ${MIN_VOLUME_BYTES} bytes`, 'invalid')
  }
  const time = options.time ?? 0n
  const serial = options.serialNumber ?? 0n
  const cs = CLUSTER_SIZE
  const sectors = Math.floor(options.sizeBytes / SECTOR)
  const volumeSectors = sectors - 1 // the last sector holds the backup boot sector
  const totalClusters = Math.floor((volumeSectors * SECTOR) / cs)
  const volumeBytes = totalClusters * cs

  // ---- cluster placement (mkntfs's) ----
  const bitmapBytes = alignUp(Math.ceil(totalClusters / 8), 8)
  const bitmap = new Uint8Array(alignUp(bitmapBytes, cs))
  const used = (lcn: number, count: number): void => {
    for (let c = lcn; c < lcn + count; c++) bitmap[c >> 3] = (bitmap[c >> 3] ?? 0) | (1 << (c & 7))
  }
  // bits past the end of the volume (up to the bitmap's size) are set, as mkntfs does
  used(totalClusters, bitmapBytes * 8 - totalClusters)
  const bootClusters = Math.ceil(8192 / cs)
  used(0, bootClusters)
  const mftBitmapLcn = bootClusters
  used(mftBitmapLcn, 1)
  const mftLcn = Math.max(mftBitmapLcn + 1, Math.ceil((16 * 1024) / cs))
  const mftBytes = Math.max(INITIAL_MFT_RECORDS * RECORD_SIZE, cs)
  const mftClusters = Math.ceil(mftBytes / cs)
  const mftRecords = (mftClusters * cs) / RECORD_SIZE
  used(mftLcn, mftClusters)
  const mirrLcn = Math.floor((volumeSectors * SECTOR) / 2 / cs)
  const mirrClusters = Math.ceil((4 * RECORD_SIZE) / cs)
  used(mirrLcn, mirrClusters)
  const logLcn = mirrLcn + mirrClusters
  let logBytes = logFileSize(volumeBytes, cs)
  while (logLcn + logBytes / cs >= totalClusters) logBytes /= 2
  if (logBytes < 256 * 1024) throw new StoreError(`volume of ${options.sizeBytes} bytes is too small for a $LogFile`, 'invalid')
  const logClusters = logBytes / cs
  used(logLcn, logClusters)
  // everything else from the end of the MFT zone on (12.5 % of the volume after $MFT)
  let cursor = mftLcn + Math.floor(totalClusters / 8)
  const place = (bytes: number): Run[] => {
    const n = Math.ceil(bytes / cs)
    if (n === 0) return []
    for (;;) {
      if (cursor + n > totalClusters) throw new StoreError(`volume of ${options.sizeBytes} bytes is too small for the system files`, 'invalid')
      let free = true
      for (let c = cursor; c < cursor + n; c++) if ((bitmap[c >> 3] ?? 0) & (1 << (c & 7))) free = false
      if (free) break
      cursor++
    }
    const run = { vcn: 0, lcn: cursor, length: n }
    used(cursor, n)
    cursor += n
    return [run]
  }
  const attrDef = buildAttrDef()
  const attrDefRuns = place(attrDef.length)
  const bitmapRuns = place(bitmapBytes)
  const sds = buildSds([
    [SECURITY_RO, SYSTEM_FILE_SD_RO],
    [SECURITY_RW, SYSTEM_FILE_SD_RW],
    [SECURITY_ROOT, ROOT_SD],
  ])
  const sdsRuns = place(sds.data.length)
  const upcase = upcaseTableBytes()
  const upcaseRuns = place(upcase.length)

  // ---- records ----
  const table = upcaseTable()
  const up = (s: string): string => upcaseName(table, s)
  const fileName = (name: string, parent: number, allocated: number, size: number, attrs: number): FileNameValue => ({
    parentRef: makeRef(parent, parent),
    creationTime: time,
    lastWriteTime: time,
    changeTime: time,
    lastAccessTime: time,
    allocatedSize: allocated,
    dataSize: size,
    fileAttributes: attrs,
    reparseOrEa: 0,
    nameSpace: NameSpace.Win32AndDos,
    name,
  })
  const std = (attrs: number, securityId: number): Attr =>
    newResident(
      ATTR.STANDARD_INFORMATION,
      '',
      encodeStdInfo({
        creationTime: time,
        lastWriteTime: time,
        changeTime: time,
        lastAccessTime: time,
        fileAttributes: attrs,
        ownerId: 0,
        securityId,
        usn: 0n,
      }),
    )
  const fnAttr = (f: FileNameValue): Attr => newResident(ATTR.FILE_NAME, '', encodeFileName(f), RESIDENT_ATTR_IS_INDEXED)
  const nonRes = (name: string, runs: Run[], size: number, allocated?: number): NonResidentAttr => {
    const a = newNonResident(ATTR.DATA, name, runs, cs, size)
    if (allocated !== undefined) a.allocatedSize = allocated
    return a
  }
  const hs = FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM
  const dirAttrs = hs | FILE_ATTR_I30_INDEX_PRESENT
  const indexRoot = (name: string, type: number, collation: Parameters<typeof emptyIndexRoot>[1]): Attr =>
    newResident(ATTR.INDEX_ROOT, name, emptyIndexRoot(type, collation, INDEX_BLOCK_SIZE, INDEX_BLOCK_SIZE >= cs ? INDEX_BLOCK_SIZE / cs : INDEX_BLOCK_SIZE / 512))

  interface SysFile {
    n: number
    seq: number
    flags: number
    attrs: Attr[]
    name?: FileNameValue
  }
  const files: SysFile[] = []
  const sys = (n: number, seq: number, flags: number, attrs: Attr[], name?: FileNameValue): void => {
    files.push({ n, seq, flags, attrs: name ? [...attrs, fnAttr(name)] : attrs, ...(name ? { name } : {}) })
  }
  const mftRuns: Run[] = [{ vcn: 0, lcn: mftLcn, length: mftClusters }]
  const mftBitmapBytes = alignUp(Math.ceil(mftRecords / 8), 8)
  const mftBitmap = new Uint8Array(cs)
  for (let i = 0; i < mftRecords; i++) {
    if (i < 16 || (i >= 24 && i < INITIAL_MFT_RECORDS)) mftBitmap[i >> 3] = (mftBitmap[i >> 3] ?? 0) | (1 << (i & 7))
  }
  const mftBitmapAttr = newNonResident(ATTR.BITMAP, '', [{ vcn: 0, lcn: mftBitmapLcn, length: 1 }], cs, mftBitmapBytes)
  sys(0, 1, 0, [std(hs, SECURITY_RO), nonRes('', mftRuns, mftRecords * RECORD_SIZE), mftBitmapAttr], fileName('$MFT', FILE_root, mftClusters * cs, mftRecords * RECORD_SIZE, hs))
  sys(1, 1, 0, [std(hs, SECURITY_RO), nonRes('', [{ vcn: 0, lcn: mirrLcn, length: mirrClusters }], mirrClusters * cs)], fileName('$MFTMirr', FILE_root, mirrClusters * cs, mirrClusters * cs, hs))
  sys(2, 2, 0, [std(hs, SECURITY_RO), nonRes('', [{ vcn: 0, lcn: logLcn, length: logClusters }], logBytes)], fileName('$LogFile', FILE_root, logBytes, logBytes, hs))
  const volumeName = encodeUtf16(label)
  sys(
    3,
    3,
    0,
    [
      std(hs, SECURITY_RW),
      newResident(ATTR.DATA, '', new Uint8Array(0)),
      newResident(ATTR.VOLUME_NAME, '', volumeName),
      newResident(ATTR.VOLUME_INFORMATION, '', encodeVolumeInformation(3, 1, 0)),
    ],
    fileName('$Volume', FILE_root, 0, 0, hs),
  )
  sys(4, 4, 0, [std(hs, SECURITY_RO), nonRes('', attrDefRuns, attrDef.length)], fileName('$AttrDef', FILE_root, alignUp(attrDef.length, cs), attrDef.length, hs))
  sys(5, 5, MFT_RECORD_IS_DIRECTORY, [std(hs | FILE_ATTRIBUTE_ARCHIVE, SECURITY_ROOT), indexRoot('$I30', ATTR.FILE_NAME, 'filename')], fileName('.', FILE_root, 0, 0, dirAttrs))
  sys(6, 6, 0, [std(hs, SECURITY_RO), nonRes('', bitmapRuns, bitmapBytes)], fileName('$Bitmap', FILE_root, alignUp(bitmapBytes, cs), bitmapBytes, hs))
  sys(7, 7, 0, [std(hs, SECURITY_RO), nonRes('', [{ vcn: 0, lcn: 0, length: bootClusters }], 8192)], fileName('$Boot', FILE_root, bootClusters * cs, 8192, hs))
  const bad = nonRes('$Bad', [{ vcn: 0, lcn: SPARSE, length: totalClusters }], volumeBytes, volumeBytes)
  sys(8, 8, 0, [std(hs, SECURITY_RO), newResident(ATTR.DATA, '', new Uint8Array(0)), bad], fileName('$BadClus', FILE_root, 0, 0, hs))
  const view = hs | FILE_ATTR_VIEW_INDEX_PRESENT
  const sdsAttr = nonRes('$SDS', sdsRuns, sds.data.length)
  sys(
    9,
    9,
    MFT_RECORD_IS_VIEW_INDEX,
    [std(view, SECURITY_RW), sdsAttr, indexRoot('$SDH', 0, 'security-hash'), indexRoot('$SII', 0, 'ulong')],
    fileName('$Secure', FILE_root, 0, 0, view),
  )
  sys(10, 10, 0, [std(hs, SECURITY_RO), nonRes('', upcaseRuns, upcase.length)], fileName('$UpCase', FILE_root, upcase.length, upcase.length, hs))
  sys(11, 11, MFT_RECORD_IS_DIRECTORY, [std(hs, SECURITY_RW), indexRoot('$I30', ATTR.FILE_NAME, 'filename')], fileName('$Extend', FILE_root, 0, 0, dirAttrs))
  for (let n = 12; n < 16; n++) sys(n, n, 0, [std(hs, SECURITY_RO), newResident(ATTR.DATA, '', new Uint8Array(0))])
  const extendChild = hs | FILE_ATTRIBUTE_ARCHIVE | FILE_ATTR_VIEW_INDEX_PRESENT
  const extName = (name: string): FileNameValue => ({ ...fileName(name, FILE_Extend, 0, 0, extendChild), parentRef: makeRef(FILE_Extend, FILE_Extend) })
  const viewFlags = MFT_RECORD_IS_4 | MFT_RECORD_IS_VIEW_INDEX
  sys(24, 1, viewFlags, [std(extendChild, SECURITY_RW), indexRoot('$O', 0, 'sid'), indexRoot('$Q', 0, 'ulong')], extName('$Quota'))
  sys(25, 1, viewFlags, [std(extendChild, SECURITY_RW), indexRoot('$O', 0, 'ulongs')], extName('$ObjId'))
  sys(26, 1, viewFlags, [std(extendChild, SECURITY_RW), indexRoot('$R', 0, 'ulongs')], extName('$Reparse'))

  const mftImage = new Uint8Array(mftClusters * cs)
  for (let n = 0; n < mftRecords; n++) {
    const f = files.find((x) => x.n === n)
    let rec: Uint8Array
    if (!f) {
      rec = emptyRecord(n, n < INITIAL_MFT_RECORDS ? n : 1, RECORD_SIZE)
    } else {
      const attrs = f.attrs.slice().sort((a, b) => compareAttrKeys(a.type, a.name, b.type, b.name, up))
      const encoded = attrs.map((a, i) => {
        a.instance = i
        if (a.resident) return encodeResident(a, i)
        const last = a.runs[a.runs.length - 1]
        return encodeNonResident(a, i, a.runs, 0, last ? last.vcn + last.length - 1 : -1)
      })
      const links = f.name ? 1 : 0
      rec = buildRecord(
        { seq: f.seq, linkCount: links, flags: f.flags | MFT_RECORD_IN_USE, baseRef: 0n, nextInstance: attrs.length, recordNumber: n, usn: 1 },
        encoded,
        RECORD_SIZE,
      )
    }
    mftImage.set(applyFixups(rec, RECORD_SIZE), n * RECORD_SIZE)
  }

  // ---- write ----
  let dev: DiskDevice
  try {
    dev = DiskDevice.create(path, sectors * SECTOR)
  } catch (err) {
    throw asStoreError(err)
  }
  try {
    const boot = buildBootSector({
      bytesPerSector: SECTOR,
      sectorsPerCluster: cs / SECTOR,
      totalSectors: volumeSectors,
      mftLcn,
      mftMirrLcn: mirrLcn,
      mftRecordSize: RECORD_SIZE,
      indexBlockSize: INDEX_BLOCK_SIZE,
      serialNumber: serial,
      mediaType: 0xf8,
      sectorsPerTrack: 0,
      heads: 0,
      hiddenSectors: 0,
    })
    dev.write(0, boot, 'boot')
    dev.write(volumeSectors * SECTOR, boot, 'boot')
    dev.write(mftBitmapLcn * cs, mftBitmap, 'mft-bitmap')
    dev.write(mftLcn * cs, mftImage, 'mft')
    dev.write(mirrLcn * cs, mftImage.subarray(0, mirrClusters * cs), 'mft-mirror')
    const ff = new Uint8Array(Math.min(logBytes, 1024 * 1024)).fill(0xff)
    for (let o = 0; o < logBytes; o += ff.length) dev.write(logLcn * cs + o, ff.subarray(0, Math.min(ff.length, logBytes - o)), 'logfile')
    dev.write(attrDefRuns[0]!.lcn * cs, attrDef, 'attrdef')
    dev.write(bitmapRuns[0]!.lcn * cs, bitmap.subarray(0, alignUp(bitmapBytes, cs)), 'bitmap')
    dev.write(sdsRuns[0]!.lcn * cs, sds.data, 'secure')
    dev.write(upcaseRuns[0]!.lcn * cs, upcase, 'upcase')
    dev.flush()
  } catch (err) {
    throw asStoreError(err)
  } finally {
    dev.close()
  }

  // ---- indexes, through the same code that maintains them later ----
  const vol = Volume.mount(path)
  try {
    vol.group(() => initialIndexEntries(vol, { time, sds: sds.locations, files: files.filter((f) => f.name).map((f) => ({ record: f.n, seq: f.seq, name: f.name! })) }))
    vol.checkpoint()
  } finally {
    vol.close()
  }
}

/** $AttrDef: 160-byte entries (name in UTF-16 padded to 128 bytes, type, display rule, collation, flags, min, max), zero-padded to 2560 bytes as Windows writes it */
export function buildAttrDef(): Uint8Array {
  const b = new Uint8Array(2560)
  ATTR_DEFS.forEach((d, i) => {
    const o = i * 160
    setUtf16(b, o, d.name)
    set32(b, o + 128, d.type)
    set32(b, o + 140, d.flags)
    set64(b, o + 144, d.minSize)
    if (d.maxSize < 0) set64n(b, o + 152, -1n)
    else set64(b, o + 152, d.maxSize)
  })
  return b
}

/** $SDS with the given descriptors, each followed in the next 256 KiB block by its mirror copy */
function buildSds(descriptors: Array<[number, Uint8Array]>): { data: Uint8Array; locations: SdsLocation[] } {
  const locations: SdsLocation[] = []
  let end = 0
  for (const [id, sd] of descriptors) {
    const length = 20 + sd.length
    const offset = nextSdsOffset(end, length)
    locations.push({ hash: securityHash(sd), securityId: id, offset, length })
    end = offset + length
  }
  const data = new Uint8Array(SDS_BLOCK + end)
  descriptors.forEach(([, sd], i) => {
    const l = locations[i]!
    const entry = new Uint8Array(l.length)
    entry.set(encodeSdsHeader(l))
    entry.set(sd, 20)
    data.set(entry, l.offset)
    data.set(entry, l.offset + SDS_BLOCK)
  })
  return { data, locations }
}

