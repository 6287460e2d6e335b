// An NtfsStore that keeps the volume in memory. It mirrors what a freshly formatted volume
// (mkntfs, ntfs-3g 2022.10) holds and how NTFS allocates: the metafiles in records 0–15 with
// sequence number = record number ($MFT 1), $Extend's $Quota/$ObjId/$Reparse in 24–26, the
// first user file in record 64 with sequence 1 (observed: ntfscp on a fresh mkntfs volume),
// directory indexes in COLLATION_FILE_NAME order by the volume's $UpCase table, resident data
// while it fits in the 1 KiB file record, and cluster accounting with 4 KiB clusters
// (including the metafiles' clusters, so free space starts where mkntfs leaves it).
//
// Nothing here knows about NTSTATUS or access: the semantic layer decides, the store records.

import { upcaseName, upcaseTable, upcaseTableBytes } from './disk/upcase.ts'
import {
  NameSpace,
  StoreError,
  type CreateRecordOptions,
  type DirEntry,
  type EaEntry,
  type FileNameLink,
  type FileRecord,
  type FileTime,
  type NtfsStore,
  type RecordNo,
  type ReparsePoint,
  type StandardInfo,
  type StreamInfo,
  type VolumeGeometry,
} from './store.ts'

export interface MemoryStoreOptions {
  /** size of the volume in bytes (the partition); at least 1 MiB */
  sizeBytes: number
  /** volume label (up to 32 characters), '' when absent */
  label?: string
  /** the 64-bit volume serial number (the low 32 bits are what GetVolumeInformation shows) */
  serialNumber?: bigint
  /** format time for the metafiles' timestamps (a FILETIME, or a clock such as ke.systemTime) */
  time: FileTime | (() => FileTime)
}

const SECTOR = 512
const CLUSTER = 4096
const RECORD_SIZE = 1024

/** first record number a user file gets (observed: mkntfs + ntfscp; ntfs-3g reserves 0–63) */
export const MEMORY_STORE_FIRST_USER_RECORD = 64

// Sizes of the pieces of an MFT record, for the "does it still fit resident" rule.
const RECORD_HEADER = 56 // FILE record header with the update sequence array, NTFS 3.1
const END_MARKER = 8
const RESIDENT_HEADER = 24
const NON_RESIDENT_HEADER = 64
const STD_INFO_VALUE = 72
const FILE_NAME_VALUE = 66 // $FILE_NAME before the name
const INDEX_ROOT_FIXED = 16 + 16 + 16 // root header + node header + end entry
const INDEX_ENTRY_HEADER = 16
const INDEX_BLOCK_USABLE = 4096 - 64 // INDX header + update sequence array
// unverified: B+ tree blocks are assumed three-quarters full on average after splits
const INDEX_BLOCK_FILL = 0.75

const ATTR_HIDDEN_SYSTEM = 0x6
/** stream bytes are kept in pieces of this size so that a sparse write far out costs little */
const CHUNK = 64 * 1024

function align8(n: number): number {
  return (n + 7) & ~7
}

function roundUp(n: number, unit: number): number {
  return Math.ceil(n / unit) * unit
}

interface MemStream {
  name: string
  size: number
  allocated: number
  validDataLength: number
  resident: boolean
  /** bytes written so far, in CHUNK-sized pieces by chunk index; a missing chunk reads as zero */
  data: Map<number, Uint8Array>
  /** clusters this stream holds on the volume (0 for resident and for $BadClus:$Bad, which is sparse) */
  clusters: number
  /** sparse metafile stream whose allocation is not counted ($BadClus:$Bad) */
  sparse: boolean
}

interface MemIndexEntry extends DirEntry {
  /** collation key: the upcased name */
  key: string
  /** size of the $I30 entry on disk */
  bytes: number
}

interface MemRecord {
  record: RecordNo
  seq: number
  isDirectory: boolean
  std: StandardInfo
  names: FileNameLink[]
  streams: MemStream[]
  reparse: ReparsePoint | undefined
  eas: EaEntry[]
  objectId: Uint8Array | undefined
  /** $I30 entries in collation order (directories only) */
  index: MemIndexEntry[]
  indexBytes: number
  /** INDX blocks held by the directory (never shrinks while the directory lives, as NTFS) */
  indexBlocks: number
}

/** $LogFile size mkntfs chooses for a volume of `bytes` (ntfs-3g mkntfs.c; matched against mkntfs output) */
function logFileBytes(bytes: number): number {
  if (bytes < 2048 * 1024) return 256 * 1024
  if (bytes < 4_000_000) return 512 * 1024
  if (bytes <= 200 * 1024 * 1024) return 2048 * 1024
  if (bytes >= 12 * 1024 * 1024 * 1024) return 64 * 1024 * 1024
  return Math.floor(bytes / 200 / CLUSTER) * CLUSTER
}

// $MFT's own $BITMAP (1 cluster) plus 2 clusters mkntfs marks in use that ntfsinfo attributes
// to no stream. unverified: the two are assumed to be formatting overhead; with them a fresh
// 64 MiB memory volume has exactly the free clusters a fresh mkntfs volume has.
const METADATA_EXTRA_CLUSTERS = 3
/** records mkntfs initialises in $MFT (0–26) */
const MKNTFS_MFT_RECORDS = 27
const MKNTFS_MFT_ALLOCATED = 28672

/** the collation order of COLLATION_FILE_NAME: upcased code units, then case-sensitive */
function collate(aKey: string, aName: string, bKey: string, bName: string): number {
  if (aKey !== bKey) return aKey < bKey ? -1 : 1
  if (aName !== bName) return aName < bName ? -1 : 1
  return 0
}

function entryBytes(name: string): number {
  return align8(INDEX_ENTRY_HEADER + FILE_NAME_VALUE + 2 * name.length)
}

function hexId(id: Uint8Array): string {
  let s = ''
  for (const b of id) s += b.toString(16).padStart(2, '0')
  return s
}

function copyStd(std: StandardInfo): StandardInfo {
  return { ...std }
}

export function createMemoryStore(opts: MemoryStoreOptions): NtfsStore {
  return new MemoryStore(opts)
}

class MemoryStore implements NtfsStore {
  readonly geometry: VolumeGeometry
  readonly rootRecord: RecordNo = 5
  private readonly table = upcaseTable()
  private readonly records = new Map<RecordNo, MemRecord>()
  /** sequence numbers of freed records, kept for their next use */
  private readonly freedSeq = new Map<RecordNo, number>()
  private readonly objectIds = new Map<string, RecordNo>()
  private label: string
  private usedClusters = 0
  /** highest record number ever used: $MFT never shrinks */
  private mftHighWater = MKNTFS_MFT_RECORDS - 1
  private mftClusters = 0
  private closed = false
  private atomicDepth = 0

  constructor(opts: MemoryStoreOptions) {
    const { sizeBytes } = opts
    if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 1024 * 1024) {
      throw new StoreError(`memory store: sizeBytes must be an integer of at least 1 MiB, got ${String(sizeBytes)}`, 'invalid')
    }
    const label = opts.label ?? ''
    if (label.length > 32) throw new StoreError(`memory store: a volume label has at most 32 characters, got ${label.length}`, 'invalid')
    this.label = label
    // the last sector holds the backup boot sector and is not part of the volume (as mkntfs)
    const sectors = Math.floor(sizeBytes / SECTOR) - 1
    this.geometry = {
      bytesPerSector: SECTOR,
      bytesPerCluster: CLUSTER,
      mftRecordSize: RECORD_SIZE,
      totalClusters: Math.floor(sectors / (CLUSTER / SECTOR)),
      serialNumber: opts.serialNumber ?? 0x1c2b3a4958677685n,
      version: '3.1',
    }
    const now = typeof opts.time === 'function' ? opts.time() : opts.time
    this.format(now, sizeBytes)
    if (this.usedClusters > this.geometry.totalClusters) {
      throw new StoreError(`memory store: a ${sizeBytes}-byte volume cannot hold the NTFS metadata`, 'disk-full')
    }
  }

  // ---------------------------------------------------------------- format

  private format(now: FileTime, sizeBytes: number): void {
    const std = (attrs: number): StandardInfo => ({
      creationTime: now,
      lastWriteTime: now,
      changeTime: now,
      lastAccessTime: now,
      fileAttributes: attrs,
      securityId: 0x100, // unverified: mkntfs gives metafiles the first $Secure entry
      ownerId: 0,
      usn: 0n,
    })
    const meta = (record: number, name: string, parent: number, isDirectory: boolean, seq = record): MemRecord => {
      const r: MemRecord = {
        record,
        seq,
        isDirectory,
        std: std(ATTR_HIDDEN_SYSTEM),
        names: [],
        streams: [],
        reparse: undefined,
        eas: [],
        objectId: undefined,
        index: [],
        indexBytes: 0,
        indexBlocks: 0,
      }
      this.records.set(record, r)
      r.names.push({ parent, name, nameSpace: NameSpace.Win32AndDos })
      return r
    }
    const root = meta(5, '.', 5, true)
    const extend = meta(11, '$Extend', 5, true)
    const files: [number, string, number][] = [
      [0, '$MFT', 5],
      [1, '$MFTMirr', 5],
      [2, '$LogFile', 5],
      [3, '$Volume', 5],
      [4, '$AttrDef', 5],
      [6, '$Bitmap', 5],
      [7, '$Boot', 5],
      [8, '$BadClus', 5],
      [9, '$Secure', 5],
      [10, '$UpCase', 5],
    ]
    for (const [record, name, parent] of files) meta(record, name, parent, false, record === 0 ? 1 : record)
    // records 12–15 are reserved and in use (mkntfs marks them so), with no names
    for (let record = 12; record < 16; record++) {
      const r = meta(record, '', 0, false)
      r.names.length = 0
    }
    for (const [record, name] of [[24, '$Quota'], [25, '$ObjId'], [26, '$Reparse']] as const) {
      const r = meta(record, name, 11, false, 1)
      r.std.fileAttributes = ATTR_HIDDEN_SYSTEM | 0x20 // HIDDEN SYSTEM ARCHIVE, as mkntfs
    }
    // index entries for every named metafile ("." is the root's own entry in its index)
    for (const r of this.records.values()) {
      for (const link of r.names) this.indexInsert(link.parent === 5 ? root : extend, link, r)
    }

    const stream = (record: number, name: string, size: number, content?: Uint8Array, sparse = false): void => {
      const r = this.records.get(record)!
      const s: MemStream = {
        name,
        size,
        allocated: roundUp(size, CLUSTER),
        validDataLength: size,
        resident: false,
        data: new Map(),
        clusters: 0,
        sparse,
      }
      r.streams.push(s)
      if (content !== undefined) writeBytes(s, 0, content)
      if (!sparse) this.chargeStream(s, s.allocated, false)
    }
    const total = this.geometry.totalClusters
    stream(0, '', MKNTFS_MFT_RECORDS * RECORD_SIZE)
    stream(1, '', 4 * RECORD_SIZE)
    stream(2, '', logFileBytes(sizeBytes))
    stream(4, '', 2560)
    stream(6, '', align8(Math.ceil(total / 8)))
    stream(7, '', 8192)
    stream(8, '$Bad', total * CLUSTER, undefined, true)
    stream(9, '$SDS', 262396) // mkntfs: 262,396 bytes in 65 clusters
    stream(10, '', 65536 * 2, upcaseTableBytes(this.table))
    // $MFT's stream is charged separately (it grows with the records in use)
    const mft = this.records.get(0)!.streams[0]!
    mft.allocated = MKNTFS_MFT_ALLOCATED
    this.usedClusters -= mft.clusters
    mft.clusters = 0
    this.mftClusters = MKNTFS_MFT_ALLOCATED / CLUSTER
    this.usedClusters += this.mftClusters + METADATA_EXTRA_CLUSTERS
    this.recomputeIndexBlocks(root)
    this.recomputeIndexBlocks(extend)
  }

  // ---------------------------------------------------------------- helpers

  private live(): void {
    if (this.closed) throw new StoreError('memory store: the volume is closed', 'io')
  }

  private get(record: RecordNo): MemRecord {
    this.live()
    const r = this.records.get(record)
    if (r === undefined) throw new StoreError(`memory store: MFT record ${record} is not in use`, 'not-found')
    return r
  }

  private dir(record: RecordNo): MemRecord {
    const r = this.get(record)
    if (!r.isDirectory) throw new StoreError(`memory store: MFT record ${record} is not a directory`, 'invalid')
    return r
  }

  private findStream(r: MemRecord, name: string): MemStream | undefined {
    const key = this.upcase(name)
    return r.streams.find((s) => s.name === name) ?? r.streams.find((s) => this.upcase(s.name) === key)
  }

  private stream(record: RecordNo, name: string): MemStream {
    const r = this.get(record)
    const s = this.findStream(r, name)
    if (s === undefined) {
      throw new StoreError(`memory store: record ${record} has no $DATA stream ${name === '' ? '(unnamed)' : `'${name}'`}`, 'not-found')
    }
    return s
  }

  private freeClustersRaw(): number {
    return this.geometry.totalClusters - this.usedClusters
  }

  /** sets a stream's cluster charge to cover `allocated` bytes; throws disk-full before changing anything */
  private chargeStream(s: MemStream, allocated: number, resident: boolean): void {
    const clusters = resident || s.sparse ? 0 : Math.ceil(allocated / CLUSTER)
    const delta = clusters - s.clusters
    if (delta > 0 && delta > this.freeClustersRaw()) {
      throw new StoreError(`memory store: disk full (${delta} clusters needed, ${this.freeClustersRaw()} free)`, 'disk-full')
    }
    this.usedClusters += delta
    s.clusters = clusters
  }

  /** bytes a record's attributes take, leaving out the value of `except` (a resident stream being resized) */
  private recordBytes(r: MemRecord, except?: MemStream): number {
    let n = RECORD_HEADER + END_MARKER + RESIDENT_HEADER + STD_INFO_VALUE
    for (const l of r.names) n += RESIDENT_HEADER + align8(FILE_NAME_VALUE + 2 * l.name.length)
    if (r.objectId !== undefined) n += RESIDENT_HEADER + 16
    if (r.reparse !== undefined) n += RESIDENT_HEADER + align8(8 + (r.reparse.guid !== undefined ? 16 : 0) + r.reparse.data.length)
    if (r.eas.length > 0) n += RESIDENT_HEADER + 8 + RESIDENT_HEADER + align8(eaBytes(r.eas))
    if (r.isDirectory) {
      n += RESIDENT_HEADER + 8 + INDEX_ROOT_FIXED
      if (r.indexBlocks > 0) n += 8 + (NON_RESIDENT_HEADER + 16 + 8) + (RESIDENT_HEADER + 8 + 8)
      else n += r.indexBytes
    }
    for (const s of r.streams) {
      const nameBytes = align8(2 * s.name.length)
      if (s === except) n += RESIDENT_HEADER + nameBytes
      else if (s.resident) n += RESIDENT_HEADER + nameBytes + align8(s.size)
      else n += NON_RESIDENT_HEADER + nameBytes + 8
    }
    return n
  }

  /** makes a stream non-resident if `size` (or a requested allocation) no longer fits in its record (NTFS never moves it back) */
  private placeStream(r: MemRecord, s: MemStream, size: number, allocated: number): void {
    if (s.resident && this.recordBytes(r, s) + align8(Math.max(size, allocated)) <= RECORD_SIZE) {
      s.allocated = align8(size)
      return
    }
    const alloc = roundUp(Math.max(size, allocated), CLUSTER)
    this.chargeStream(s, alloc, false) // throws disk-full before anything changed
    s.resident = false
    s.allocated = alloc
  }

  private indexInsert(dir: MemRecord, link: FileNameLink, target: MemRecord): void {
    const key = this.upcase(link.name)
    const pos = this.indexPosition(dir, key, link.name)
    const at = dir.index[pos]
    if (at !== undefined && at.key === key && at.name === link.name) {
      throw new StoreError(`memory store: directory ${dir.record} already has an entry '${link.name}'`, 'invalid')
    }
    const bytes = entryBytes(link.name)
    dir.index.splice(pos, 0, { name: link.name, nameSpace: link.nameSpace, record: target.record, seq: target.seq, key, bytes })
    dir.indexBytes += bytes
  }

  /** first position whose entry collates at or after (key, name) */
  private indexPosition(dir: MemRecord, key: string, name: string): number {
    let lo = 0
    let hi = dir.index.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      const e = dir.index[mid]!
      if (collate(e.key, e.name, key, name) < 0) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** INDX blocks the directory needs once its entries outgrow $INDEX_ROOT; they are not given back until the directory is deleted */
  private recomputeIndexBlocks(dir: MemRecord): void {
    const blocks = dir.indexBlocks
    const saved = dir.indexBlocks
    dir.indexBlocks = 0
    const fits = this.recordBytes(dir) <= RECORD_SIZE
    dir.indexBlocks = saved
    const needed = fits && blocks === 0 ? 0 : Math.max(1, Math.ceil(dir.indexBytes / (INDEX_BLOCK_USABLE * INDEX_BLOCK_FILL)))
    if (needed > blocks) {
      const delta = needed - blocks
      if (delta > this.freeClustersRaw()) {
        throw new StoreError(`memory store: disk full (directory ${dir.record} needs ${delta} more index blocks)`, 'disk-full')
      }
      this.usedClusters += delta
      dir.indexBlocks = needed
    }
  }

  /** the next free record number (lowest free at or above 64) and the $MFT growth it needs */
  private allocateRecordNumber(): RecordNo {
    let record = MEMORY_STORE_FIRST_USER_RECORD
    while (this.records.has(record)) record++
    if (record > this.mftHighWater) {
      // unverified: $MFT grows to cover the new record, rounded to a cluster (ntfs-3g and Windows grow it in larger steps)
      const clusters = Math.max(MKNTFS_MFT_ALLOCATED / CLUSTER, Math.ceil(((record + 1) * RECORD_SIZE) / CLUSTER))
      const delta = clusters - this.mftClusters
      if (delta > this.freeClustersRaw()) throw new StoreError('memory store: disk full (the MFT cannot grow)', 'disk-full')
      this.usedClusters += delta
      this.mftClusters = clusters
      this.mftHighWater = record
      const mft = this.records.get(0)!.streams[0]!
      mft.size = (record + 1) * RECORD_SIZE
      mft.validDataLength = mft.size
      mft.allocated = clusters * CLUSTER
    }
    return record
  }

  private snapshot(r: MemRecord): FileRecord {
    return {
      record: r.record,
      seq: r.seq,
      isDirectory: r.isDirectory,
      std: copyStd(r.std),
      names: r.names.map((l) => ({ ...l })),
      streams: r.streams.map(
        (s): StreamInfo => ({ name: s.name, size: s.size, allocated: s.allocated, validDataLength: s.validDataLength, resident: s.resident }),
      ),
      reparse:
        r.reparse === undefined
          ? undefined
          : {
              tag: r.reparse.tag,
              data: r.reparse.data.slice(),
              ...(r.reparse.guid !== undefined ? { guid: r.reparse.guid.slice() } : {}),
            },
      eas: r.eas.map((e) => ({ name: e.name, value: e.value.slice(), flags: e.flags })),
      objectId: r.objectId?.slice(),
    }
  }

  // ---------------------------------------------------------------- volume

  volumeLabel(): string {
    this.live()
    return this.label
  }

  setVolumeLabel(label: string): void {
    this.live()
    if (label.length > 32) throw new StoreError(`memory store: a volume label has at most 32 characters, got ${label.length}`, 'invalid')
    this.label = label
  }

  freeClusters(): number {
    this.live()
    return this.freeClustersRaw()
  }

  upcase(name: string): string {
    return upcaseName(this.table, name)
  }

  // ---------------------------------------------------------------- records

  readRecord(record: RecordNo): FileRecord | undefined {
    this.live()
    const r = this.records.get(record)
    return r === undefined ? undefined : this.snapshot(r)
  }

  createRecord(opts: CreateRecordOptions): FileRecord {
    const parent = this.dir(opts.name.parent)
    if (opts.name.name.length === 0 || opts.name.name.length > 255) {
      throw new StoreError(`memory store: a file name has 1 to 255 characters, got ${opts.name.name.length}`, 'invalid')
    }
    const key = this.upcase(opts.name.name)
    const existing = parent.index[this.indexPosition(parent, key, opts.name.name)]
    if (existing !== undefined && existing.key === key && existing.name === opts.name.name) {
      throw new StoreError(`memory store: directory ${parent.record} already has an entry '${opts.name.name}'`, 'invalid')
    }
    // a failed call leaves nothing behind (the MFT's growth included), as the on-disk store undoes it
    const saved = this.saveAllocation()
    const record = this.allocateRecordNumber()
    const r: MemRecord = {
      record,
      seq: this.freedSeq.get(record) ?? 1,
      isDirectory: opts.isDirectory,
      std: copyStd(opts.std),
      names: [{ ...opts.name }],
      streams: [],
      reparse: undefined,
      eas: [],
      objectId: undefined,
      index: [],
      indexBytes: 0,
      indexBlocks: 0,
    }
    this.records.set(record, r)
    this.indexInsert(parent, opts.name, r)
    try {
      this.recomputeIndexBlocks(parent)
    } catch (e) {
      this.indexRemove(parent, opts.name.name)
      this.records.delete(record)
      this.restoreAllocation(saved)
      throw e
    }
    this.freedSeq.delete(record)
    return this.snapshot(r)
  }

  /** the allocation state a failed call restores */
  private saveAllocation(): { used: number; mftClusters: number; mftHighWater: number; mft: { size: number; allocated: number } } {
    const mft = this.records.get(0)!.streams[0]!
    return { used: this.usedClusters, mftClusters: this.mftClusters, mftHighWater: this.mftHighWater, mft: { size: mft.size, allocated: mft.allocated } }
  }

  private restoreAllocation(a: ReturnType<MemoryStore['saveAllocation']>): void {
    this.usedClusters = a.used
    this.mftClusters = a.mftClusters
    this.mftHighWater = a.mftHighWater
    const mft = this.records.get(0)!.streams[0]!
    mft.size = a.mft.size
    mft.validDataLength = a.mft.size
    mft.allocated = a.mft.allocated
  }

  private indexRemove(dir: MemRecord, name: string): void {
    const pos = this.indexPosition(dir, this.upcase(name), name)
    const e = dir.index[pos]
    if (e && e.name === name) {
      dir.index.splice(pos, 1)
      dir.indexBytes -= e.bytes
    }
  }

  deleteRecord(record: RecordNo): void {
    const r = this.get(record)
    if (record < MEMORY_STORE_FIRST_USER_RECORD) throw new StoreError(`memory store: record ${record} is a metafile and cannot be deleted`, 'invalid')
    if (r.names.length > 0) {
      throw new StoreError(`memory store: record ${record} still has ${r.names.length} name(s); remove them before deleting it`, 'invalid')
    }
    if (r.isDirectory && r.index.length > 0) throw new StoreError(`memory store: directory ${record} is not empty`, 'invalid')
    for (const s of r.streams) this.usedClusters -= s.clusters
    this.usedClusters -= r.indexBlocks
    if (r.objectId !== undefined) this.objectIds.delete(hexId(r.objectId))
    this.records.delete(record)
    // NTFS bumps the sequence number when a record is freed; 0 is never used
    this.freedSeq.set(record, r.seq >= 0xffff ? 1 : r.seq + 1)
  }

  setStandardInfo(record: RecordNo, patch: Partial<StandardInfo>): void {
    const r = this.get(record)
    r.std = { ...r.std, ...patch }
  }

  // ---------------------------------------------------------------- names

  addName(record: RecordNo, link: FileNameLink): void {
    const r = this.get(record)
    const parent = this.dir(link.parent)
    if (link.name.length === 0 || link.name.length > 255) {
      throw new StoreError(`memory store: a file name has 1 to 255 characters, got ${link.name.length}`, 'invalid')
    }
    if (r.names.length >= 1024) throw new StoreError(`memory store: record ${record} has the maximum of 1024 names`, 'invalid')
    this.indexInsert(parent, link, r)
    try {
      this.recomputeIndexBlocks(parent)
    } catch (e) {
      this.indexRemove(parent, link.name)
      throw e
    }
    r.names.push({ ...link })
  }

  removeName(record: RecordNo, parent: RecordNo, name: string): void {
    const r = this.get(record)
    const dir = this.dir(parent)
    const i = r.names.findIndex((l) => l.parent === parent && l.name === name)
    if (i < 0) throw new StoreError(`memory store: record ${record} has no name '${name}' in directory ${parent}`, 'not-found')
    const key = this.upcase(name)
    const pos = this.indexPosition(dir, key, name)
    const e = dir.index[pos]
    if (e === undefined || e.name !== name || e.record !== record) {
      throw new StoreError(`memory store: directory ${parent} has no index entry '${name}' for record ${record}`, 'corrupt')
    }
    r.names.splice(i, 1)
    dir.index.splice(pos, 1)
    dir.indexBytes -= e.bytes
  }

  lookup(dir: RecordNo, name: string): DirEntry | undefined {
    const d = this.dir(dir)
    const key = this.upcase(name)
    let pos = this.indexPosition(d, key, '')
    let first: MemIndexEntry | undefined
    for (; pos < d.index.length; pos++) {
      const e = d.index[pos]!
      if (e.key !== key) break
      if (e.name === name) return publicEntry(e)
      first ??= e
    }
    return first === undefined ? undefined : publicEntry(first)
  }

  list(dir: RecordNo, after?: string): Iterable<DirEntry> {
    const d = this.dir(dir)
    let pos = 0
    if (after !== undefined) {
      const key = this.upcase(after)
      pos = this.indexPosition(d, key, after)
      const at = d.index[pos]
      if (at !== undefined && at.key === key && at.name === after) pos++
    }
    return d.index.slice(pos).map(publicEntry)
  }

  isEmptyDirectory(dir: RecordNo): boolean {
    return this.dir(dir).index.length === 0
  }

  // ---------------------------------------------------------------- streams

  createStream(record: RecordNo, stream: string): void {
    const r = this.get(record)
    if (r.isDirectory && stream === '') throw new StoreError(`memory store: directory ${record} cannot have an unnamed $DATA stream`, 'invalid')
    if (stream.length > 255) throw new StoreError(`memory store: a stream name has at most 255 characters, got ${stream.length}`, 'invalid')
    if (this.findStream(r, stream) !== undefined) {
      throw new StoreError(`memory store: record ${record} already has a $DATA stream '${stream}'`, 'invalid')
    }
    const s: MemStream = { name: stream, size: 0, allocated: 0, validDataLength: 0, resident: true, data: new Map(), clusters: 0, sparse: false }
    // the unnamed stream comes first, named ones follow in creation order
    if (stream === '') r.streams.unshift(s)
    else r.streams.push(s)
  }

  deleteStream(record: RecordNo, stream: string): void {
    const r = this.get(record)
    const s = this.stream(record, stream)
    this.usedClusters -= s.clusters
    r.streams.splice(r.streams.indexOf(s), 1)
  }

  renameStream(record: RecordNo, from: string, to: string): void {
    const r = this.get(record)
    const s = this.stream(record, from)
    const other = this.findStream(r, to)
    if (other !== undefined && other !== s) throw new StoreError(`memory store: record ${record} already has a $DATA stream '${to}'`, 'invalid')
    if (to === '' && r.isDirectory) throw new StoreError(`memory store: directory ${record} cannot have an unnamed $DATA stream`, 'invalid')
    s.name = to
    if (to === '') {
      r.streams.splice(r.streams.indexOf(s), 1)
      r.streams.unshift(s)
    }
  }

  readStream(record: RecordNo, stream: string, offset: number, length: number): Uint8Array {
    const s = this.stream(record, stream)
    checkRange(offset, length)
    const end = Math.min(s.size, offset + length)
    if (end <= offset) return new Uint8Array(0)
    const out = new Uint8Array(end - offset)
    const visible = Math.min(end, s.validDataLength)
    if (visible > offset) readBytes(s, offset, out.subarray(0, visible - offset))
    return out
  }

  writeStream(record: RecordNo, stream: string, offset: number, data: Uint8Array): void {
    const r = this.get(record)
    const s = this.stream(record, stream)
    checkRange(offset, data.length)
    if (data.length === 0) return
    const end = offset + data.length
    const size = Math.max(s.size, end)
    this.placeStream(r, s, size, s.resident ? 0 : s.allocated)
    // the gap between valid data and this write reads as zero from now on
    if (offset > s.validDataLength) zeroBytes(s, s.validDataLength, offset)
    writeBytes(s, offset, data)
    s.size = size
    s.validDataLength = s.resident ? size : Math.max(s.validDataLength, end)
  }

  setStreamSizes(record: RecordNo, stream: string, sizes: { size?: number; allocated?: number; validDataLength?: number }): void {
    const r = this.get(record)
    const s = this.stream(record, stream)
    for (const [field, v] of Object.entries(sizes)) {
      if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) {
        throw new StoreError(`memory store: stream ${field} must be a non-negative integer, got ${String(v)}`, 'invalid')
      }
    }
    const size = sizes.size ?? s.size
    const vdl = sizes.validDataLength ?? Math.min(s.validDataLength, size)
    if (vdl > size) throw new StoreError(`memory store: validDataLength ${vdl} is past the end of the stream (${size})`, 'invalid')
    if (sizes.allocated !== undefined && sizes.allocated < size) {
      throw new StoreError(`memory store: allocation ${sizes.allocated} is smaller than the stream size ${size}`, 'invalid')
    }
    // truncation frees clusters; an explicit allocation is kept (rounded to clusters)
    const allocated = sizes.allocated ?? (size < s.size ? size : s.resident ? 0 : s.allocated)
    this.placeStream(r, s, size, allocated)
    if (size < s.size) zeroBytes(s, size, s.size)
    s.size = size
    s.validDataLength = s.resident ? size : vdl
  }

  // ---------------------------------------------------------------- reparse, EAs, object ids

  setReparsePoint(record: RecordNo, reparse: ReparsePoint | undefined): void {
    const r = this.get(record)
    r.reparse =
      reparse === undefined
        ? undefined
        : { tag: reparse.tag >>> 0, data: reparse.data.slice(), ...(reparse.guid !== undefined ? { guid: reparse.guid.slice() } : {}) }
  }

  setEas(record: RecordNo, eas: readonly EaEntry[]): void {
    const r = this.get(record)
    r.eas = eas.map((e) => ({ name: e.name, value: e.value.slice(), flags: e.flags }))
  }

  setObjectId(record: RecordNo, objectId: Uint8Array | undefined): void {
    const r = this.get(record)
    if (objectId !== undefined && objectId.length !== 16) {
      throw new StoreError(`memory store: an object id has 16 bytes, got ${objectId.length}`, 'invalid')
    }
    if (objectId !== undefined) {
      const owner = this.objectIds.get(hexId(objectId))
      if (owner !== undefined && owner !== record) {
        throw new StoreError(`memory store: object id ${hexId(objectId)} already belongs to record ${owner}`, 'invalid')
      }
    }
    if (r.objectId !== undefined) this.objectIds.delete(hexId(r.objectId))
    r.objectId = objectId?.slice()
    if (objectId !== undefined) this.objectIds.set(hexId(objectId), record)
  }

  findByObjectId(objectId: Uint8Array): RecordNo | undefined {
    this.live()
    return this.objectIds.get(hexId(objectId))
  }

  // ---------------------------------------------------------------- units

  atomic<T>(fn: () => T): T {
    this.live()
    // in memory every change is immediate: a unit only groups (nested units join the outer one)
    this.atomicDepth++
    try {
      return fn()
    } finally {
      this.atomicDepth--
    }
  }

  flush(): void {
    this.live()
  }

  close(): void {
    this.closed = true
  }
}

function publicEntry(e: MemIndexEntry): DirEntry {
  return { name: e.name, nameSpace: e.nameSpace, record: e.record, seq: e.seq }
}

function checkRange(offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new StoreError(`memory store: bad stream range offset=${String(offset)} length=${String(length)}`, 'invalid')
  }
}

/** bytes of the packed FILE_FULL_EA_INFORMATION list NTFS keeps in $EA (each entry 4-aligned) */
function eaBytes(eas: readonly EaEntry[]): number {
  let n = 0
  for (const e of eas) n += (8 + e.name.length + 1 + e.value.length + 3) & ~3
  return n
}

function readBytes(s: MemStream, offset: number, out: Uint8Array): void {
  let done = 0
  while (done < out.length) {
    const pos = offset + done
    const index = Math.floor(pos / CHUNK)
    const within = pos - index * CHUNK
    const n = Math.min(CHUNK - within, out.length - done)
    const chunk = s.data.get(index)
    if (chunk !== undefined) out.set(chunk.subarray(within, within + n), done)
    done += n
  }
}

function writeBytes(s: MemStream, offset: number, data: Uint8Array): void {
  let done = 0
  while (done < data.length) {
    const pos = offset + done
    const index = Math.floor(pos / CHUNK)
    const within = pos - index * CHUNK
    const n = Math.min(CHUNK - within, data.length - done)
    let chunk = s.data.get(index)
    if (chunk === undefined) {
      chunk = new Uint8Array(CHUNK)
      s.data.set(index, chunk)
    }
    chunk.set(data.subarray(done, done + n), within)
    done += n
  }
}

/** clears [from, to) of the stored bytes (whole chunks are dropped) */
function zeroBytes(s: MemStream, from: number, to: number): void {
  for (const [index, chunk] of s.data) {
    const start = index * CHUNK
    const lo = Math.max(from, start)
    const hi = Math.min(to, start + CHUNK)
    if (lo >= hi) continue
    if (lo === start && hi === start + CHUNK) s.data.delete(index)
    else chunk.fill(0, lo - start, hi - start)
  }
}
