// A mounted NTFS volume at the level of records and attributes: the boot sector's geometry,
// MFT records with fixups, files (Inodes) loaded from and laid out into their records with
// $ATTRIBUTE_LIST when they overflow, non-resident attribute data through runlists, cluster
// allocation ($Bitmap), record allocation ($MFT's $BITMAP, growing $MFT), and the journal
// every metadata write goes through. The store (./disk-store.ts) builds NTFS files,
// directories and streams on top of it.

import { DiskDevice, DiskError } from '../../../disk/device.ts'
import { StoreError } from '../store.ts'
import { u16, u32, set16 } from './bytes.ts'
import { parseBootSector, BootSectorError, type BootSector } from './boot.ts'
import { removeFixups, applyFixups } from './fixup.ts'
import {
  parseRecord,
  buildRecord,
  emptyRecord,
  recordSpace,
  RecordError,
  makeRef,
  baseRecordOf,
  FILE_MAGIC,
  type ParsedRecord,
} from './record.ts'
import {
  encodeResident,
  encodeNonResident,
  residentSize,
  nonResidentSize,
  compareAttrKeys,
  type Attr,
  type NonResidentAttr,
  type ResidentAttr,
  type AttrRecord,
} from './attribute.ts'
import { parseAttrList, encodeAttrList, attrListEntrySize, AttrListError, type AttrListEntry } from './attrlist.ts'
import { Inode, newNonResident, convertible, type ExtensionRecord } from './inode.ts'
import {
  ATTR,
  MFT_RECORD_IN_USE,
  FILE_MFT,
  FILE_MFTMirr,
  FILE_LogFile,
  FILE_Bitmap,
  FILE_UpCase,
  FILE_Volume,
  FIRST_USER_RECORD,
  FIRST_ALLOCATED_RECORD,
  attrTypeName,
  mustBeResident,
} from './layout.ts'
import { mapVcn, runsLength, truncateRuns, appendRun, encodedSize, pairSize, SPARSE, type Run } from './runlist.ts'
import { ClusterAllocator } from './clusters.ts'
import { Journal, SECTOR, type AreaRun } from './journal.ts'
import { checkRestartArea } from './logfile.ts'

export interface MountOptions {
  readOnly?: boolean
}

const INODE_CACHE_LIMIT = 4096
/** resident values at least this large are moved out of a full record before an attribute list is used */
const CONVERT_MIN = 64
/** records added to $MFT at a time when it is full (at least) */
const MFT_GROW_RECORDS = 64

export class Volume {
  readonly clusterSize: number
  readonly recordSize: number
  readonly indexBlockSize: number
  readonly totalClusters: number
  readonly journal: Journal
  upcase: Uint16Array = new Uint16Array(0)
  clusters!: ClusterAllocator
  /** $MFT's $BITMAP value */
  private mftBitmap: Uint8Array = new Uint8Array(0)
  private mftRuns: Run[] = []
  private mftRecords = 0
  private mirrorRecords = 0
  private mirrorLcn: number
  private inodes = new Map<number, Inode>()
  /** for each open group level, what to restore on failure besides the journal's cache */
  private groupMarks: Array<{ pending: number }> = []
  /** called after a rolled-back group, so layers above can drop their caches */
  onRollback: (() => void) | undefined

  private constructor(
    readonly dev: DiskDevice,
    readonly boot: BootSector,
    area: AreaRun[],
    readonly readOnly: boolean,
  ) {
    this.clusterSize = boot.bytesPerCluster
    this.recordSize = boot.mftRecordSize
    this.indexBlockSize = boot.indexBlockSize
    this.totalClusters = boot.totalClusters
    this.mirrorLcn = boot.mftMirrLcn
    this.journal = new Journal(dev, area, readOnly)
  }

  // ---- mount --------------------------------------------------------------------------

  /**
   * Mounts an image: validates it read-only first (a corrupt or foreign image is never
   * written), then reopens it read-write, replays a pending journal and loads the bitmaps.
   */
  static mount(path: string, options: MountOptions = {}): Volume {
    const readOnly = options.readOnly ?? false
    const open = (ro: boolean): Volume => {
      let dev: DiskDevice
      try {
        dev = DiskDevice.open(path, { readOnly: ro })
      } catch (err) {
        throw asStoreError(err)
      }
      try {
        const { boot, area } = Volume.probe(dev)
        const vol = new Volume(dev, boot, area, ro)
        vol.openJournal()
        vol.load()
        return vol
      } catch (err) {
        dev.close()
        throw asStoreError(err)
      }
    }
    // everything is validated without write access first (a pending journal is only overlaid)
    const checked = open(true)
    if (readOnly) return checked
    checked.close()
    return open(false)
  }

  /** reads and checks the boot sector and the $LogFile record; returns the journal area */
  static probe(dev: DiskDevice): { boot: BootSector; area: AreaRun[] } {
    if (dev.size < 512) {
      throw new StoreError(`image ${dev.path}: ${dev.fileBytes} bytes is too small for a boot sector (truncated image?)`, 'corrupt')
    }
    let boot: BootSector
    try {
      boot = parseBootSector(dev.read(0, 512, 'boot'), dev.size)
    } catch (err) {
      if (err instanceof BootSectorError) throw new StoreError(err.message, 'corrupt')
      throw err
    }
    const cs = boot.bytesPerCluster
    const rs = boot.mftRecordSize
    const mftOffset = boot.mftLcn * cs
    if (mftOffset + 4 * rs > dev.size) {
      throw new StoreError(`$MFT at byte ${mftOffset} lies past the end of the image (${dev.size} bytes; truncated image?)`, 'corrupt')
    }
    // $LogFile's record is in $MFT's first cluster(s): read it directly to find the journal
    const logImg = dev.read(mftOffset + FILE_LogFile * rs, rs, 'mft')
    const rec = parseRecordImage(logImg, FILE_LogFile, rs, mftOffset + FILE_LogFile * rs)
    const data = rec.attrs.find((a) => a.attr.type === ATTR.DATA && a.attr.name === '')
    if (!data || data.attr.resident) {
      throw new StoreError(`MFT record 2 ($LogFile): no non-resident $DATA attribute`, 'corrupt')
    }
    const area: AreaRun[] = []
    for (const r of data.attr.runs) {
      if (r.lcn === SPARSE) continue
      if ((r.lcn + r.length) * cs > dev.size) {
        throw new StoreError(`$LogFile data at cluster ${r.lcn} lies past the end of the image (truncated image?)`, 'corrupt')
      }
      area.push({ areaOffset: r.vcn * cs, diskOffset: r.lcn * cs, length: r.length * cs })
    }
    return { boot, area }
  }

  private openJournal(): void {
    const state = this.journal.inspect()
    if (state.state === 'pending') {
      if (this.readOnly) this.journal.overlay(state.journal)
      else this.journal.replay(state.journal)
    } else if (state.state === 'torn') {
      if (!this.readOnly) this.journal.clearArea()
    } else if (state.state === 'foreign') {
      const clean = checkRestartArea(this.journal, (o, n) => this.readLogFile(o, n))
      if (!clean.clean && !this.readOnly) {
        throw new StoreError(`$LogFile: ${clean.reason}; the volume was not shut down cleanly (mount it read-only, or let Windows replay its log)`, 'corrupt')
      }
      if (!this.readOnly) this.journal.markAreaForReset()
    }
  }

  private readLogFile(offset: number, length: number): Uint8Array {
    const img = this.readRecordAt(FILE_LogFile)
    const rec = parseRecordImage(img, FILE_LogFile, this.recordSize, this.mftOffsetOf(FILE_LogFile))
    const data = rec.attrs.find((a) => a.attr.type === ATTR.DATA)!.attr as NonResidentAttr
    return this.readRuns(data.runs, data.initializedSize, offset, length, true)
  }

  private load(): void {
    // $MFT
    const mft = this.loadInodeRaw(FILE_MFT, true)
    if (!mft) throw new StoreError('MFT record 0 ($MFT) is not in use', 'corrupt')
    const data = mft.find(ATTR.DATA)
    if (!data || data.resident) throw new StoreError('MFT record 0 ($MFT): no non-resident $DATA attribute', 'corrupt')
    this.mftRuns = data.runs
    this.mftRecords = Math.floor(data.initializedSize / this.recordSize)
    const bmp = mft.find(ATTR.BITMAP)
    if (!bmp) throw new StoreError('MFT record 0 ($MFT): no $BITMAP attribute', 'corrupt')
    this.mftBitmap = this.readAttr(mft, bmp, 0, bmp.resident ? bmp.value.length : bmp.dataSize)
    this.inodes.set(FILE_MFT, mft)
    // $MFTMirr
    const mirr = this.loadInode(FILE_MFTMirr)
    const mirrData = mirr?.find(ATTR.DATA)
    if (!mirrData || mirrData.resident) throw new StoreError('MFT record 1 ($MFTMirr): no non-resident $DATA attribute', 'corrupt')
    this.mirrorRecords = Math.min(Math.floor(mirrData.dataSize / this.recordSize), this.mftRecords)
    this.mirrorLcn = mirrData.runs[0]?.lcn ?? this.boot.mftMirrLcn
    // $Volume version
    const volume = this.loadInode(FILE_Volume)
    const info = volume?.findResident(ATTR.VOLUME_INFORMATION)
    if (!info || info.value.length < 12) throw new StoreError('MFT record 3 ($Volume): no $VOLUME_INFORMATION attribute', 'corrupt')
    const major = info.value[8] ?? 0
    const minor = info.value[9] ?? 0
    if (major !== 3) throw new StoreError(`$Volume: NTFS version ${major}.${minor} is not supported (3.0 and 3.1 are)`, 'corrupt')
    // $Bitmap
    const bitmapFile = this.loadInode(FILE_Bitmap)
    const bitmapData = bitmapFile?.find(ATTR.DATA)
    if (!bitmapFile || !bitmapData) throw new StoreError('MFT record 6 ($Bitmap): no $DATA attribute', 'corrupt')
    const bitmapBytes = bitmapData.resident ? bitmapData.value.length : bitmapData.dataSize
    if (bitmapBytes * 8 < this.totalClusters) {
      throw new StoreError(`$Bitmap: ${bitmapBytes} bytes cannot map ${this.totalClusters} clusters`, 'corrupt')
    }
    const bitmap = this.readAttr(bitmapFile, bitmapData, 0, bitmapBytes)
    const mftStart = this.mftRuns[0]?.lcn ?? this.boot.mftLcn
    this.clusters = new ClusterAllocator(
      bitmap,
      this.totalClusters,
      (byteOffset, byteLength) => this.persistBitmap(byteOffset, byteLength),
      this.mftZone(mftStart),
    )
    // $UpCase
    const upcaseFile = this.loadInode(FILE_UpCase)
    const upcaseData = upcaseFile?.find(ATTR.DATA)
    if (!upcaseFile || !upcaseData) throw new StoreError('MFT record 10 ($UpCase): no $DATA attribute', 'corrupt')
    const upBytes = this.readAttr(upcaseFile, upcaseData, 0, upcaseData.resident ? upcaseData.value.length : upcaseData.dataSize)
    if (upBytes.length !== 0x20000) throw new StoreError(`$UpCase: ${upBytes.length} bytes, expected 131072 (65536 characters)`, 'corrupt')
    this.upcase = new Uint16Array(0x10000)
    for (let i = 0; i < 0x10000; i++) this.upcase[i] = u16(upBytes, 2 * i)
  }

  private mftZone(mftStart: number): { start: number; end: number } {
    // 12.5 % of the volume from the start of $MFT, as mkntfs and Windows reserve by default
    return { start: mftStart, end: Math.min(this.totalClusters, mftStart + Math.floor(this.totalClusters / 8)) }
  }

  private persistBitmap(byteOffset: number, byteLength: number): void {
    const file = this.loadInode(FILE_Bitmap)!
    const data = file.find(ATTR.DATA)!
    if (data.resident) throw new StoreError('$Bitmap data is resident', 'corrupt')
    const from = Math.floor(byteOffset / SECTOR) * SECTOR
    const to = Math.min(Math.ceil((byteOffset + byteLength) / SECTOR) * SECTOR, this.clusters.bitmap.length)
    this.writeRuns(data.runs, from, this.clusters.bitmap.subarray(from, to), true)
  }

  // ---- groups -------------------------------------------------------------------------

  /**
   * Runs fn as one journal group. Groups nest; when fn throws, every metadata change made by
   * this level is undone (the enclosing levels keep theirs and may go on).
   */
  group<T>(fn: () => T): T {
    this.journal.begin()
    this.groupMarks.push({ pending: this.clusters.pendingMark })
    let ok = false
    try {
      const r = fn()
      ok = true
      return r
    } finally {
      const mark = this.groupMarks.pop()!
      if (ok) this.journal.end()
      else this.rollback(mark)
    }
  }

  get inGroup(): boolean {
    return this.groupMarks.length > 0
  }

  private rollback(mark: { pending: number }): void {
    this.journal.rollback()
    this.inodes.clear()
    const mft = this.loadInodeRaw(FILE_MFT, true)!
    this.inodes.set(FILE_MFT, mft)
    const data = mft.find(ATTR.DATA) as NonResidentAttr
    this.mftRuns = data.runs
    this.mftRecords = Math.floor(data.initializedSize / this.recordSize)
    const bmp = mft.find(ATTR.BITMAP)!
    this.mftBitmap = this.readAttr(mft, bmp, 0, bmp.resident ? bmp.value.length : bmp.dataSize)
    const bitmapFile = this.loadInode(FILE_Bitmap)!
    const bitmapData = bitmapFile.find(ATTR.DATA)!
    const bytes = this.readAttr(bitmapFile, bitmapData, 0, this.clusters.bitmap.length)
    this.clusters.reload(bytes, mark.pending)
    this.onRollback?.()
  }

  /** makes every metadata change durable (journal checkpoint) and user data too (fdatasync) */
  checkpoint(): void {
    if (this.readOnly) return
    this.journal.checkpoint()
    this.clusters.checkpointed()
  }

  close(): void {
    this.dev.close()
  }

  // ---- MFT records --------------------------------------------------------------------

  get recordCount(): number {
    return this.mftRecords
  }

  isRecordInUse(n: number): boolean {
    if (n < 0 || n >= this.mftRecords) return false
    return ((this.mftBitmap[n >> 3] ?? 0) & (1 << (n & 7))) !== 0
  }

  /** byte offset of record n on the disk (records never straddle non-contiguous clusters here) */
  private mftOffsetOf(n: number): number {
    const byte = n * this.recordSize
    if (this.mftRuns.length === 0) return this.boot.mftLcn * this.clusterSize + byte
    const vcn = Math.floor(byte / this.clusterSize)
    const m = mapVcn(this.mftRuns, vcn)
    if (!m || m.lcn === SPARSE) throw new StoreError(`MFT record ${n} is outside $MFT's data`, 'corrupt')
    if (this.recordSize > this.clusterSize && m.count * this.clusterSize < this.recordSize) {
      throw new StoreError(`MFT record ${n} straddles a fragment boundary of $MFT`, 'corrupt')
    }
    return m.lcn * this.clusterSize + (byte % this.clusterSize)
  }

  private readRecordAt(n: number): Uint8Array {
    return this.journal.read(this.mftOffsetOf(n), this.recordSize, 'mft')
  }

  /** a record's image with fixups removed; StoreError('corrupt') naming the record and byte on a bad one */
  readRecordImage(n: number): Uint8Array {
    const img = this.readRecordAt(n)
    const problem = removeFixups(img, 0, this.recordSize)
    if (problem) {
      throw new StoreError(
        `MFT record ${n}: ${problem.message} at byte ${problem.offset} (disk byte ${this.mftOffsetOf(n) + problem.offset})`,
        'corrupt',
      )
    }
    return img
  }

  /** writes a record image (fixups applied on a copy), mirrored in $MFTMirr for the first records */
  writeRecordImage(n: number, img: Uint8Array): void {
    const out = applyFixups(img, this.recordSize)
    this.journal.write(this.mftOffsetOf(n), out)
    if (n < this.mirrorRecords) this.journal.write(this.mirrorLcn * this.clusterSize + n * this.recordSize, out)
  }

  parseRecord(n: number, img: Uint8Array): ParsedRecord {
    return parseRecordImage(img, n, this.recordSize, this.mftOffsetOf(n))
  }

  // ---- files --------------------------------------------------------------------------

  /** the file whose base record is n, or undefined when the record is free or an extension record */
  loadInode(n: number): Inode | undefined {
    const cached = this.inodes.get(n)
    if (cached) return cached
    if (n !== FILE_MFT && !this.isRecordInUse(n)) return undefined
    const inode = this.loadInodeRaw(n, false)
    if (inode) {
      if (this.inodes.size >= INODE_CACHE_LIMIT) {
        let drop = INODE_CACHE_LIMIT / 2
        for (const k of this.inodes.keys()) {
          if (k === FILE_MFT) continue
          this.inodes.delete(k)
          if (--drop === 0) break
        }
      }
      this.inodes.set(n, inode)
    }
    return inode
  }

  /** drops cached files (after a rollback or when a layer above changes records behind us) */
  forget(n?: number): void {
    if (n === undefined) {
      const mft = this.inodes.get(FILE_MFT)
      this.inodes.clear()
      if (mft) this.inodes.set(FILE_MFT, mft)
    } else if (n !== FILE_MFT) this.inodes.delete(n)
  }

  private loadInodeRaw(n: number, bootstrap: boolean): Inode | undefined {
    const img = bootstrap
      ? (() => {
          const at = this.boot.mftLcn * this.clusterSize + n * this.recordSize
          const raw = this.journal.read(at, this.recordSize, 'mft')
          const p = removeFixups(raw, 0, this.recordSize)
          if (p) throw new StoreError(`MFT record ${n}: ${p.message} at byte ${p.offset} (disk byte ${at + p.offset})`, 'corrupt')
          return raw
        })()
      : this.readRecordImage(n)
    const rec = parseRecordImage(img, n, this.recordSize, bootstrap ? this.boot.mftLcn * this.clusterSize + n * this.recordSize : this.mftOffsetOf(n))
    const h = rec.header
    if ((h.flags & MFT_RECORD_IN_USE) === 0) return undefined
    if (h.baseRef !== 0n) return undefined
    let records: AttrRecord[] = rec.attrs.filter((a) => a.attr.type !== ATTR.ATTRIBUTE_LIST)
    const extensions: ExtensionRecord[] = []
    const list = rec.attrs.find((a) => a.attr.type === ATTR.ATTRIBUTE_LIST)
    if (list) {
      const listAttr = list.attr
      let value: Uint8Array
      if (listAttr.resident) value = listAttr.value
      else value = this.readRuns(listAttr.runs, listAttr.initializedSize, 0, listAttr.dataSize, true)
      let entries: AttrListEntry[]
      try {
        entries = parseAttrList(value)
      } catch (err) {
        if (err instanceof AttrListError) throw new StoreError(`MFT record ${n}: $ATTRIBUTE_LIST: ${err.message} at byte ${err.offset} of the list`, 'corrupt')
        throw err
      }
      const seen = new Set<number>([n])
      for (const e of entries) {
        const ext = baseRecordOf(e.ref)
        if (seen.has(ext)) continue
        seen.add(ext)
        const extImg = this.readRecordImage(ext)
        const extRec = this.parseRecord(ext, extImg)
        if (baseRecordOf(extRec.header.baseRef) !== n || (extRec.header.flags & MFT_RECORD_IN_USE) === 0) {
          throw new StoreError(`MFT record ${n}: $ATTRIBUTE_LIST names record ${ext}, which is not an extension of it`, 'corrupt')
        }
        if (extRec.header.seq !== Number(e.ref >> 48n)) {
          throw new StoreError(`MFT record ${n}: $ATTRIBUTE_LIST names record ${ext} with sequence ${Number(e.ref >> 48n)}, the record has ${extRec.header.seq}`, 'corrupt')
        }
        extensions.push({ record: ext, seq: extRec.header.seq, usn: u16(extImg, 0x30) })
        records = records.concat(extRec.attrs)
      }
    }
    return new Inode(n, h.seq, h.flags, mergeExtents(records, n), extensions, u16(img, 0x30))
  }

  /**
   * Writes a file back: all attributes in the base record when they fit; otherwise large
   * resident values are made non-resident, and if still too big an $ATTRIBUTE_LIST in the
   * base record points to extension records.
   */
  saveInode(inode: Inode): void {
    const space = recordSpace(this.recordSize)
    const up = (s: string): string => this.upcaseString(s)
    const sortAttrs = (): void => {
      inode.attrs.sort((a, b) => compareAttrKeys(a.type, a.name, b.type, b.name, up))
    }
    let attrs = inode.attrs.filter((a) => a.type !== ATTR.ATTRIBUTE_LIST)
    const oldList = inode.attrs.find((a) => a.type === ATTR.ATTRIBUTE_LIST)
    inode.attrs = attrs
    sortAttrs()
    attrs = inode.attrs
    const sizeOf = (a: Attr): number => (a.resident ? residentSize(a) : nonResidentSize(a, encodedSize(a.runs)))
    let total = attrs.reduce((n, a) => n + sizeOf(a), 0)
    // large resident values move out first
    while (total > space) {
      let best: ResidentAttr | undefined
      for (const a of attrs) {
        if (a.resident && convertible(a.type) && a.value.length >= CONVERT_MIN && (!best || a.value.length > best.value.length)) best = a
      }
      if (!best) break
      total -= sizeOf(best)
      const nr = this.makeNonResident(inode, best)
      total += sizeOf(nr)
    }
    attrs = inode.attrs
    if (total <= space) {
      if (oldList && !oldList.resident) this.clusters.release(oldList.runs)
      this.writeLayout(inode, [attrs.map((a) => ({ attr: a, lowestVcn: 0, highestVcn: lastVcn(a), runs: a.resident ? [] : a.runs }))], [])
      return
    }
    // attribute list
    const pieces: Piece[] = []
    for (const a of attrs) {
      if (a.resident) {
        if (residentSize(a) > space) {
          throw new StoreError(`MFT record ${inode.record}: ${attrTypeName(a.type)} of ${a.value.length} bytes does not fit in a record`, 'invalid')
        }
        pieces.push({ attr: a, lowestVcn: 0, highestVcn: 0, runs: [] })
      } else {
        pieces.push(...splitExtents(a, space))
      }
    }
    let listSize = 0
    for (const p of pieces) listSize += attrListEntrySize(p.attr.name.length)
    const std = pieces.find((p) => p.attr.type === ATTR.STANDARD_INFORMATION)
    const stdSize = std ? residentSize(std.attr as ResidentAttr) : 0
    let listAttr: Attr
    if (residentSize({ name: '', value: new Uint8Array(listSize) }) + stdSize <= space / 2) {
      if (oldList && !oldList.resident) this.clusters.release(oldList.runs)
      listAttr = { resident: true, type: ATTR.ATTRIBUTE_LIST, name: '', flags: 0, instance: -1, residentFlags: 0, value: new Uint8Array(listSize) }
    } else {
      const clusters = Math.ceil(listSize / this.clusterSize)
      let runs: Run[]
      if (oldList && !oldList.resident) {
        runs = oldList.runs
        const have = runsLength(runs)
        if (have > clusters) this.clusters.release(truncateRuns(runs, clusters))
        else if (have < clusters) this.extendRuns(runs, clusters - have, false)
      } else {
        runs = []
        this.extendRuns(runs, clusters, false)
      }
      listAttr = newNonResident(ATTR.ATTRIBUTE_LIST, '', runs, this.clusterSize, listSize)
    }
    const listPiece: Piece = { attr: listAttr, lowestVcn: 0, highestVcn: lastVcn(listAttr), runs: listAttr.resident ? [] : listAttr.runs }
    // place: $STANDARD_INFORMATION and the list in the base record, then first-fit in order
    const base: Piece[] = []
    const rest: Piece[] = []
    let baseUsed = stdSize + pieceSize(listPiece)
    for (const p of pieces) {
      if (p === std) continue
      const s = pieceSize(p)
      if (baseUsed + s <= space) {
        base.push(p)
        baseUsed += s
      } else rest.push(p)
    }
    const ordered = (ps: Piece[]): Piece[] =>
      ps.sort((a, b) => compareAttrKeys(a.attr.type, a.attr.name, b.attr.type, b.attr.name, up) || a.lowestVcn - b.lowestVcn)
    const baseRecord = ordered([...(std ? [std] : []), listPiece, ...base])
    const extRecords: Piece[][] = []
    let cur: Piece[] = []
    let used = 0
    for (const p of rest) {
      const s = pieceSize(p)
      if (used + s > space && cur.length > 0) {
        extRecords.push(cur)
        cur = []
        used = 0
      }
      cur.push(p)
      used += s
    }
    if (cur.length) extRecords.push(cur)
    inode.attrs = [...attrs, listAttr]
    this.writeLayout(inode, [baseRecord, ...extRecords.map(ordered)], pieces, listAttr)
  }

  /** bytes left in the base record when all of a file's attributes are in it (negative when they do not fit) */
  baseRecordFree(inode: Inode): number {
    let total = 0
    for (const a of inode.attrs) {
      if (a.type === ATTR.ATTRIBUTE_LIST) continue
      total += a.resident ? residentSize(a) : nonResidentSize(a, encodedSize(a.runs))
    }
    return recordSpace(this.recordSize) - total
  }

  /** true when all of a file's attributes fit in its base record without an attribute list */
  fitsInBaseRecord(inode: Inode): boolean {
    return this.baseRecordFree(inode) >= 0
  }

  /** writes the records of a planned layout; `records[0]` is the base record */
  private writeLayout(inode: Inode, records: Piece[][], listed: Piece[], listAttr?: Attr): void {
    // extension records: reuse, allocate, free
    const needed = records.length - 1
    while (inode.extensions.length > needed) {
      const ext = inode.extensions.pop()!
      this.freeRecord(ext.record)
    }
    while (inode.extensions.length < needed) {
      const r = this.allocateRecord(inode.record === FILE_MFT ? 'mft-extension' : 'user')
      inode.extensions.push({ record: r.record, seq: r.seq, usn: r.usn })
    }
    const recordOf = (i: number): { record: number; seq: number } =>
      i === 0 ? { record: inode.record, seq: inode.seq } : inode.extensions[i - 1]!
    // instances, then the list value
    const placed = new Map<Piece, { ref: bigint; instance: number }>()
    records.forEach((ps, i) => {
      const r = recordOf(i)
      ps.forEach((p, inst) => placed.set(p, { ref: makeRef(r.record, r.seq), instance: inst }))
    })
    if (listAttr) {
      const up = (s: string): string => this.upcaseString(s)
      const entries: AttrListEntry[] = listed
        .map((p) => ({ type: p.attr.type, name: p.attr.name, lowestVcn: p.lowestVcn, ref: placed.get(p)!.ref, instance: placed.get(p)!.instance }))
        .sort((a, b) => compareAttrKeys(a.type, a.name, b.type, b.name, up) || a.lowestVcn - b.lowestVcn)
      const value = encodeAttrList(entries)
      if (listAttr.resident) listAttr.value = value
      else {
        listAttr.dataSize = value.length
        listAttr.initializedSize = value.length
        this.writeRuns(listAttr.runs, 0, padTo(value, runsLength(listAttr.runs) * this.clusterSize), true)
      }
    }
    // every $FILE_NAME counts, a separate DOS name too (as Windows and ntfs-3g count them)
    const linkCount = inode.attrs.filter((a) => a.type === ATTR.FILE_NAME).length
    records.forEach((ps, i) => {
      const r = recordOf(i)
      const encoded = ps.map((p, inst) => {
        if (p.lowestVcn === 0) p.attr.instance = inst
        return p.attr.resident ? encodeResident(p.attr, inst) : encodeNonResident(p.attr, inst, p.runs, p.lowestVcn, p.highestVcn)
      })
      const usn = i === 0 ? inode.usn : inode.extensions[i - 1]!.usn
      const img = buildRecord(
        {
          seq: r.seq,
          linkCount: i === 0 ? linkCount : 0,
          flags: i === 0 ? inode.flags | MFT_RECORD_IN_USE : MFT_RECORD_IN_USE,
          baseRef: i === 0 ? 0n : makeRef(inode.record, inode.seq),
          nextInstance: ps.length,
          recordNumber: r.record,
          usn,
        },
        encoded,
        this.recordSize,
      )
      this.writeRecordImage(r.record, img)
      const next = u16(img, 0x30)
      if (i === 0) inode.usn = next
      else inode.extensions[i - 1]!.usn = next
    })
    if (inode.record === FILE_MFT) {
      const data = inode.find(ATTR.DATA) as NonResidentAttr
      this.mftRuns = data.runs
    }
    this.inodes.set(inode.record, inode)
  }

  /** moves a resident attribute's value to clusters */
  makeNonResident(inode: Inode, attr: ResidentAttr): NonResidentAttr {
    if (mustBeResident(attr.type)) throw new Error(`${attrTypeName(attr.type)} must stay resident`)
    const clusters = Math.ceil(attr.value.length / this.clusterSize)
    const runs: Run[] = []
    const user = this.isUserData(inode, attr)
    if (clusters > 0) this.extendRuns(runs, clusters, false)
    const nr = newNonResident(attr.type, attr.name, runs, this.clusterSize, attr.value.length)
    nr.flags = attr.flags
    if (clusters > 0) this.writeRuns(runs, 0, padTo(attr.value, clusters * this.clusterSize), !user)
    inode.replace(attr, nr)
    return nr
  }

  /** true for attributes whose content is user data (written in place, not journaled) */
  isUserData(inode: Inode, attr: Attr): boolean {
    return attr.type === ATTR.DATA && inode.record >= FIRST_USER_RECORD
  }

  // ---- record allocation --------------------------------------------------------------

  /** allocates a free MFT record (growing $MFT when full) and returns it formatted, not yet in use */
  allocateRecord(kind: 'user' | 'mft-extension'): { record: number; seq: number; usn: number } {
    let n = -1
    if (kind === 'mft-extension') {
      for (let i = 16; i < FIRST_USER_RECORD && i < this.mftRecords; i++) {
        if (!this.isRecordInUse(i)) {
          n = i
          break
        }
      }
      if (n < 0) throw new StoreError('$MFT is too fragmented: no free record among 16–23 for its own extension', 'disk-full')
    } else {
      n = this.findFreeRecord()
      for (let grown = 0; n < 0; grown++) {
        if (grown === 8) throw new StoreError('no free MFT record after growing $MFT', 'disk-full')
        this.growMft()
        n = this.findFreeRecord()
      }
    }
    this.setRecordBit(n, true)
    // continue the record's sequence number (bumped when it was freed)
    const raw = this.readRecordAt(n)
    let seq = 1
    let usn = 1
    if (u32(raw, 0) === FILE_MAGIC && !removeFixups(raw.slice(), 0, this.recordSize)) {
      seq = u16(raw, 0x10) || 1
      usn = u16(raw, 0x30)
    }
    return { record: n, seq, usn }
  }

  private findFreeRecord(): number {
    for (let byte = FIRST_ALLOCATED_RECORD >> 3; byte < this.mftBitmap.length; byte++) {
      if (this.mftBitmap[byte] === 0xff) continue
      for (let bit = 0; bit < 8; bit++) {
        const n = byte * 8 + bit
        if (n < FIRST_ALLOCATED_RECORD || n >= this.mftRecords) continue
        if (!this.isRecordInUse(n)) return n
      }
    }
    return -1
  }

  private setRecordBit(n: number, on: boolean): void {
    const i = n >> 3
    const m = 1 << (n & 7)
    this.mftBitmap[i] = on ? (this.mftBitmap[i] ?? 0) | m : (this.mftBitmap[i] ?? 0) & ~m
    const mft = this.loadInode(FILE_MFT)!
    const bmp = mft.find(ATTR.BITMAP)!
    if (bmp.resident) {
      bmp.value = this.mftBitmap.slice(0, bmp.value.length)
      this.saveInode(mft)
    } else {
      const from = Math.floor(i / SECTOR) * SECTOR
      const to = Math.min(from + SECTOR, this.mftBitmap.length)
      this.writeRuns(bmp.runs, from, this.mftBitmap.subarray(from, to), true)
    }
  }

  /** marks a record free and bumps its sequence number so stale references fail */
  freeRecord(n: number): void {
    const img = this.readRecordImage(n)
    let seq = (u16(img, 0x10) + 1) & 0xffff
    if (seq === 0) seq = 1
    set16(img, 0x10, seq)
    set16(img, 0x16, u16(img, 0x16) & ~MFT_RECORD_IN_USE)
    this.writeRecordImage(n, img)
    this.setRecordBit(n, false)
    this.inodes.delete(n)
  }

  /** a new file's base record image in memory: the caller fills attributes and saves */
  newInode(kind: 'user' | 'mft-extension', flags: number): Inode {
    const r = this.allocateRecord(kind)
    return new Inode(r.record, r.seq, flags | MFT_RECORD_IN_USE, [], [], r.usn)
  }

  /** deletes a file's records (its clusters must already be released) */
  deleteInode(inode: Inode): void {
    for (const ext of inode.extensions) this.freeRecord(ext.record)
    inode.extensions = []
    this.freeRecord(inode.record)
  }

  private growMft(): void {
    const mft = this.loadInode(FILE_MFT)!
    const data = mft.find(ATTR.DATA) as NonResidentAttr
    // at least up to the first user record, then by an eighth (at most 16 Ki records at a time)
    const grow = Math.max(MFT_GROW_RECORDS, FIRST_ALLOCATED_RECORD + 1 - this.mftRecords, Math.min(Math.floor(this.mftRecords / 8), 16384))
    const clusters = Math.ceil((grow * this.recordSize) / this.clusterSize)
    const last = data.runs[data.runs.length - 1]
    const hint = last && last.lcn !== SPARSE ? last.lcn + last.length : undefined
    const runs = this.clusters.allocate(clusters, hint, true)
    const have = runsLength(data.runs)
    for (const r of runs) appendRun(data.runs, r.lcn, r.length)
    const first = this.mftRecords
    const newRecords = Math.floor(((have + clusters) * this.clusterSize) / this.recordSize)
    data.allocatedSize = (have + clusters) * this.clusterSize
    data.dataSize = newRecords * this.recordSize
    data.initializedSize = data.dataSize
    this.mftRuns = data.runs
    this.mftRecords = newRecords
    // format the new records (free, sequence 1). They are written in place, not journaled:
    // until the group commits they lie beyond $MFT's durable size in clusters the durable
    // bitmap calls free, so a crash leaves nothing that refers to them.
    const image = new Uint8Array((newRecords - first) * this.recordSize)
    for (let n = first; n < newRecords; n++) image.set(applyFixups(emptyRecord(n, 1, this.recordSize), this.recordSize), (n - first) * this.recordSize)
    this.writeRuns(data.runs, first * this.recordSize, image, false)
    // the record bitmap must cover them (8-byte multiples, as Windows keeps it)
    const bmp = mft.find(ATTR.BITMAP)!
    const needBytes = Math.ceil(newRecords / 64) * 8
    if (this.mftBitmap.length < needBytes) {
      const nb = new Uint8Array(needBytes)
      nb.set(this.mftBitmap)
      this.mftBitmap = nb
    }
    if (bmp.resident) {
      bmp.value = this.mftBitmap.slice(0, Math.max(bmp.value.length, needBytes))
    } else if (bmp.dataSize < needBytes) {
      const needClusters = Math.ceil(needBytes / this.clusterSize)
      const haveClusters = runsLength(bmp.runs)
      if (needClusters > haveClusters) {
        this.extendRuns(bmp.runs, needClusters - haveClusters, false)
        bmp.allocatedSize = needClusters * this.clusterSize
        // zero the new clusters' part of the bitmap
      }
      const from = Math.floor(bmp.dataSize / SECTOR) * SECTOR
      const to = Math.ceil(needBytes / SECTOR) * SECTOR
      this.writeRuns(bmp.runs, from, padTo(this.mftBitmap.subarray(from, needBytes), to - from), true)
      bmp.dataSize = needBytes
      bmp.initializedSize = needBytes
    }
    this.saveInode(mft)
    this.mftGrew?.()
  }

  /** called when $MFT grew (its $FILE_NAME sizes in the root index are stale) */
  mftGrew: (() => void) | undefined

  // ---- clusters and attribute data ----------------------------------------------------

  /** appends `count` clusters to a runlist, near its last cluster */
  extendRuns(runs: Run[], count: number, forMft: boolean): void {
    if (count <= 0) return
    const last = runs[runs.length - 1]
    const hint = last && last.lcn !== SPARSE ? last.lcn + last.length : undefined
    for (const r of this.clusters.allocate(count, hint, forMft)) appendRun(runs, r.lcn, r.length)
  }

  /** sets a non-resident attribute's allocation to `clusters` (freeing or allocating) */
  setAllocation(attr: NonResidentAttr, clusters: number): void {
    const have = runsLength(attr.runs)
    if (clusters > have) this.extendRuns(attr.runs, clusters - have, false)
    else if (clusters < have) this.clusters.release(truncateRuns(attr.runs, clusters))
    attr.allocatedSize = clusters * this.clusterSize
    if (attr.compressedSize) attr.compressedSize = attr.allocatedSize
  }

  /**
   * Gives clusters to the sparse parts of VCNs [from, to) of an attribute (a volume written by
   * another driver may hold sparse files); the new clusters are zeroed, as the holes read.
   */
  fillHoles(attr: NonResidentAttr, from: number, to: number, meta: boolean): void {
    if (!attr.runs.some((r) => r.lcn === SPARSE && r.vcn < to && r.vcn + r.length > from)) return
    const out: Run[] = []
    const cs = this.clusterSize
    for (const r of attr.runs) {
      if (r.lcn !== SPARSE || r.vcn + r.length <= from || r.vcn >= to) {
        appendRun(out, r.lcn, r.length)
        continue
      }
      const a = Math.max(r.vcn, from)
      const b = Math.min(r.vcn + r.length, to)
      if (a > r.vcn) appendRun(out, SPARSE, a - r.vcn)
      let hint: number | undefined
      for (const x of out) if (x.lcn !== SPARSE) hint = x.lcn + x.length
      for (const g of this.clusters.allocate(b - a, hint)) {
        appendRun(out, g.lcn, g.length)
        this.writeRuns([{ vcn: 0, lcn: g.lcn, length: g.length }], 0, new Uint8Array(g.length * cs), meta)
        if (attr.compressedSize) attr.compressedSize += g.length * cs
      }
      if (b < r.vcn + r.length) appendRun(out, SPARSE, r.vcn + r.length - b)
    }
    attr.runs.length = 0
    attr.runs.push(...out)
  }

  /** reads [offset, offset+length) of an attribute's value; zeroes past the initialized size */
  readAttr(inode: Inode, attr: Attr, offset: number, length: number): Uint8Array {
    if (attr.resident) {
      const out = new Uint8Array(length)
      out.set(attr.value.subarray(offset, Math.min(attr.value.length, offset + length)))
      return out
    }
    return this.readRuns(attr.runs, attr.initializedSize, offset, length, !this.isUserData(inode, attr))
  }

  /** reads through a runlist; `meta` reads see the metadata cache */
  readRuns(runs: readonly Run[], initialized: number, offset: number, length: number, meta: boolean): Uint8Array {
    // large reads skip zero-filling: every byte is either read or zeroed below
    const out = length >= 65536 ? uninitialized(length) : new Uint8Array(length)
    const zeroed = length < 65536
    const cs = this.clusterSize
    const end = Math.min(offset + length, initialized)
    let pos = offset
    while (pos < end) {
      const vcn = Math.floor(pos / cs)
      const m = mapVcn(runs, vcn)
      if (!m) break
      const chunkEnd = Math.min(end, (vcn + m.count) * cs)
      if (m.lcn !== SPARSE) {
        const disk = m.lcn * cs + (pos - vcn * cs)
        const n = chunkEnd - pos
        if (meta) out.set(this.journal.read(disk, n, 'metadata'), pos - offset)
        else this.dev.readInto(disk, out.subarray(pos - offset, pos - offset + n), 'data')
      } else if (!zeroed) out.fill(0, pos - offset, chunkEnd - offset)
      pos = chunkEnd
    }
    if (!zeroed && pos < offset + length) out.fill(0, pos - offset)
    return out
  }

  /**
   * Writes through a runlist (the clusters must be allocated). Metadata goes through the
   * journal in whole sectors: `meta` writes must start on a sector boundary and are padded
   * with the current contents.
   */
  writeRuns(runs: readonly Run[], offset: number, data: Uint8Array, meta: boolean): void {
    const cs = this.clusterSize
    let buf = data
    let start = offset
    let length = data.length
    if (meta && (offset % SECTOR !== 0 || length % SECTOR !== 0)) {
      const s = Math.floor(offset / SECTOR) * SECTOR
      const e = Math.ceil((offset + length) / SECTOR) * SECTOR
      buf = this.readRuns(runs, Number.MAX_SAFE_INTEGER, s, e - s, true)
      buf.set(data, offset - s)
      start = s
      length = e - s
    }
    let pos = start
    const end = start + length
    while (pos < end) {
      const vcn = Math.floor(pos / cs)
      const m = mapVcn(runs, vcn)
      if (!m || m.lcn === SPARSE) throw new StoreError(`write at attribute offset ${pos} has no allocated cluster`, 'corrupt')
      const chunkEnd = Math.min(end, (vcn + m.count) * cs)
      const disk = m.lcn * cs + (pos - vcn * cs)
      const piece = buf.subarray(pos - start, chunkEnd - start)
      if (meta) this.journal.write(disk, piece)
      else {
        this.dev.write(disk, piece, 'data')
        this.journal.invalidate(disk, piece.length)
      }
      pos = chunkEnd
    }
  }

  /** writes zeroes to [offset, offset+length) of an attribute's clusters */
  zeroRuns(runs: readonly Run[], offset: number, length: number, meta: boolean): void {
    const chunk = 1024 * 1024
    for (let o = 0; o < length; o += chunk) {
      const n = Math.min(chunk, length - o)
      this.writeRuns(runs, offset + o, new Uint8Array(n), meta)
    }
  }

  // ---- names --------------------------------------------------------------------------

  upcaseString(s: string): string {
    let out = ''
    for (let i = 0; i < s.length; i++) out += String.fromCharCode(this.upcase[s.charCodeAt(i)] ?? s.charCodeAt(i))
    return out
  }
}

interface Piece {
  attr: Attr
  lowestVcn: number
  highestVcn: number
  runs: Run[]
}

function pieceSize(p: Piece): number {
  return p.attr.resident ? residentSize(p.attr) : nonResidentSize(p.attr, encodedSize(p.runs), p.lowestVcn)
}

function lastVcn(a: Attr): number {
  if (a.resident) return 0
  const n = runsLength(a.runs)
  return n > 0 ? n - 1 : -1
}

/** splits a non-resident attribute into extents that each fit in an empty record */
function splitExtents(a: NonResidentAttr, space: number): Piece[] {
  if (nonResidentSize(a, encodedSize(a.runs)) <= space) return [{ attr: a, lowestVcn: 0, highestVcn: lastVcn(a), runs: a.runs }]
  const pieces: Piece[] = []
  let i = 0
  while (i < a.runs.length) {
    const lowest = a.runs[i]!.vcn
    // grow the extent run by run, keeping its encoded size up to date (each extent's pairs start from LCN 0)
    let bytes = encodedSize(a.runs, i, i + 1)
    let prevLcn = a.runs[i]!.lcn === SPARSE ? 0 : a.runs[i]!.lcn
    let j = i + 1
    while (j < a.runs.length) {
      const r = a.runs[j]!
      const add = pairSize(r.length, r.lcn === SPARSE ? undefined : r.lcn - prevLcn)
      if (nonResidentSize(a, bytes + add, lowest) > space) break
      bytes += add
      if (r.lcn !== SPARSE) prevLcn = r.lcn
      j++
    }
    const runs = a.runs.slice(i, j)
    const lastRun = runs[runs.length - 1]!
    pieces.push({ attr: a, lowestVcn: lowest, highestVcn: lastRun.vcn + lastRun.length - 1, runs })
    i = j
  }
  return pieces
}

/** merges the extents of each non-resident attribute into one runlist */
function mergeExtents(records: AttrRecord[], n: number): Attr[] {
  const out: Attr[] = []
  const byKey = new Map<string, { attr: NonResidentAttr; extents: AttrRecord[] }>()
  for (const r of records) {
    const a = r.attr
    if (a.resident) {
      out.push(a)
      continue
    }
    const key = `${a.type}:${a.name}`
    const e = byKey.get(key)
    if (e) e.extents.push(r)
    else {
      const entry = { attr: a, extents: [r] }
      byKey.set(key, entry)
      out.push(a)
    }
  }
  for (const { attr, extents } of byKey.values()) {
    if (extents.length === 1) {
      if (extents[0]!.lowestVcn !== 0) throw new StoreError(`MFT record ${n}: ${attrTypeName(attr.type)} has no extent at VCN 0`, 'corrupt')
      continue
    }
    extents.sort((x, y) => x.lowestVcn - y.lowestVcn)
    const first = extents[0]!
    if (first.lowestVcn !== 0) throw new StoreError(`MFT record ${n}: ${attrTypeName(attr.type)} has no extent at VCN 0`, 'corrupt')
    const fa = first.attr as NonResidentAttr
    const runs: Run[] = []
    let expect = 0
    for (const e of extents) {
      if (e.lowestVcn !== expect) {
        throw new StoreError(`MFT record ${n}: ${attrTypeName(attr.type)} extents leave a gap at VCN ${expect}`, 'corrupt')
      }
      for (const r of (e.attr as NonResidentAttr).runs) runs.push(r)
      expect = e.highestVcn + 1
    }
    const merged: NonResidentAttr = { ...fa, runs }
    out[out.indexOf(attr)] = merged
  }
  return out
}

/** a plain Uint8Array of its own memory, not zero-filled (the caller writes every byte) */
function uninitialized(n: number): Uint8Array {
  const b = Buffer.allocUnsafeSlow(n)
  return new Uint8Array(b.buffer, b.byteOffset, n)
}

function padTo(b: Uint8Array, n: number): Uint8Array {
  if (b.length === n) return b
  const out = new Uint8Array(n)
  out.set(b.subarray(0, Math.min(n, b.length)))
  return out
}

/** parses a fixed-up record, turning format problems into StoreError('corrupt') naming record and byte */
export function parseRecordImage(img: Uint8Array, n: number, recordSize: number, diskOffset: number): ParsedRecord {
  try {
    return parseRecord(img, recordSize)
  } catch (err) {
    if (err instanceof RecordError) {
      throw new StoreError(`MFT record ${n}: ${err.message} at byte ${err.offset} (disk byte ${diskOffset + err.offset})`, 'corrupt')
    }
    throw err
  }
}

/** host I/O failures become StoreError('io'); StoreErrors pass through */
export function asStoreError(err: unknown): unknown {
  if (err instanceof StoreError) return err
  if (err instanceof DiskError) return new StoreError(err.message, 'io')
  return err
}

