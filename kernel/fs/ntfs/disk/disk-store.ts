// The NtfsStore over a real NTFS volume in an image file: files, names, directories, streams,
// reparse points, EAs, object ids and security ids kept in their on-disk structures, every
// change journaled (./journal.ts) so it is atomic across a crash. Behaves like the in-memory
// store (../memory-store.ts) through the interface; store-conformance.ts checks both.

import {
  NameSpace,
  StoreError,
  type CreateRecordOptions,
  type DirEntry,
  type EaEntry,
  type FileNameLink,
  type FileRecord,
  type NtfsStore,
  type RecordNo,
  type ReparsePoint,
  type StandardInfo,
  type StreamInfo,
  type VolumeGeometry,
} from '../store.ts'
import { Volume, asStoreError } from './volume.ts'
import type { Inode } from './inode.ts'
import { newResident } from './inode.ts'
import type { Attr, NonResidentAttr, ResidentAttr } from './attribute.ts'
import {
  ATTR,
  FILE_root,
  FILE_Volume,
  FILE_Secure,
  FILE_MFT,
  FIRST_ALLOCATED_RECORD,
  MFT_RECORD_IS_DIRECTORY,
  RESIDENT_ATTR_IS_INDEXED,
  FILE_ATTR_I30_INDEX_PRESENT,
  ATTR_IS_COMPRESSED,
  ATTR_IS_ENCRYPTED,
} from './layout.ts'
import { u32, utf16, encodeUtf16, align8, set32, set64n, bytesEqual } from './bytes.ts'
import { makeRef } from './record.ts'
import { runsLength } from './runlist.ts'
import {
  encodeStdInfo,
  decodeStdInfo,
  encodeFileName,
  decodeFileName,
  encodeEas,
  decodeEas,
  encodeReparse,
  decodeReparse,
  type FileNameValue,
} from './values.ts'
import { openRecordIndex } from './index-host.ts'
import { emptyIndexRoot, lookupName, lookupExactName, type NtfsIndexTree } from './index/index.ts'
import type { Collation } from './index/host.ts'
import {
  securityHash,
  siiKey,
  sdhKey,
  sdhData,
  encodeSdsHeader,
  decodeSdsHeader,
  nextSdsOffset,
  SDS_BLOCK,
  FIRST_SECURITY_ID,
} from './security.ts'

export interface OpenDiskStoreOptions {
  readOnly?: boolean
}

const FILE_ObjId = 25
const FILE_Reparse = 26
/** checkpoint when this much metadata waits in the cache (also bounded by the journal area) */
const CHECKPOINT_BYTES = 4 * 1024 * 1024

export function openDiskStore(path: string, options: OpenDiskStoreOptions = {}): DiskStore {
  return new DiskStore(Volume.mount(path, options))
}

interface StreamRef {
  inode: Inode
  attr: Attr
}

export class DiskStore implements NtfsStore {
  readonly geometry: VolumeGeometry
  readonly rootRecord: RecordNo = FILE_root
  private trees = new Map<string, NtfsIndexTree>()
  /** files whose duplicated information ($FILE_NAME copies, directory entries) is stale */
  private dupDirty = new Set<number>()
  private closed = false
  private depth = 0
  /** flush() was called inside a unit: the checkpoint happens when the unit ends */
  private flushRequested = false

  constructor(readonly volume: Volume) {
    const b = volume.boot
    this.geometry = {
      bytesPerSector: b.bytesPerSector,
      bytesPerCluster: b.bytesPerCluster,
      mftRecordSize: b.mftRecordSize,
      totalClusters: b.totalClusters,
      serialNumber: b.serialNumber,
      version: this.version(),
    }
    volume.onRollback = () => {
      this.trees.clear()
      this.sdsEnd = undefined
      this.nextSecurityId = undefined
    }
    volume.mftGrew = () => this.dupDirty.add(FILE_MFT)
  }

  private version(): string {
    const info = this.volume.loadInode(FILE_Volume)?.findResident(ATTR.VOLUME_INFORMATION)
    return info ? `${info.value[8] ?? 0}.${info.value[9] ?? 0}` : '3.1'
  }

  // ---- plumbing -----------------------------------------------------------------------

  private live(): void {
    if (this.closed) throw new StoreError('disk store: the volume is closed', 'io')
  }

  /** runs a read-only operation, turning host I/O errors into StoreError('io') */
  private read<T>(fn: () => T): T {
    this.live()
    try {
      return fn()
    } catch (err) {
      throw asStoreError(err)
    }
  }

  /** runs a change as (part of) one journal group */
  private change<T>(fn: () => T): T {
    this.live()
    if (this.volume.readOnly) throw new StoreError('disk store: the volume is mounted read-only', 'invalid')
    this.depth++
    let result: T
    try {
      result = this.volume.group(fn)
    } catch (err) {
      this.depth--
      if (this.depth === 0) this.trees.clear()
      throw asStoreError(err)
    }
    this.depth--
    if (this.depth === 0 && (this.flushRequested || this.volume.journal.dirtyBytes > this.checkpointThreshold())) {
      this.flushRequested = false
      try {
        this.checkpoint()
      } catch (err) {
        throw asStoreError(err)
      }
    }
    return result
  }

  private checkpointThreshold(): number {
    return Math.min(CHECKPOINT_BYTES, (this.volume.journal.capacitySectors * 512) / 4)
  }

  private inode(record: RecordNo): Inode {
    const inode = this.volume.loadInode(record)
    if (!inode) throw new StoreError(`disk store: MFT record ${record} is not in use`, 'not-found')
    return inode
  }

  private dirInode(record: RecordNo): Inode {
    const inode = this.inode(record)
    if ((inode.flags & MFT_RECORD_IS_DIRECTORY) === 0 || !inode.find(ATTR.INDEX_ROOT, '$I30')) {
      throw new StoreError(`disk store: MFT record ${record} is not a directory`, 'invalid')
    }
    return inode
  }

  private tree(record: RecordNo, name: string, collation: Collation): NtfsIndexTree {
    const key = `${record}:${name}`
    let t = this.trees.get(key)
    if (!t) {
      t = openRecordIndex(this.volume, record, name, collation)
      this.trees.set(key, t)
    }
    return t
  }

  private dirTree(dir: RecordNo): NtfsIndexTree {
    this.dirInode(dir)
    return this.tree(dir, '$I30', 'filename')
  }

  private save(inode: Inode): void {
    this.volume.saveInode(inode)
  }

  // ---- volume -------------------------------------------------------------------------

  volumeLabel(): string {
    return this.read(() => {
      const v = this.inode(FILE_Volume).findResident(ATTR.VOLUME_NAME)
      return v ? utf16(v.value, 0, v.value.length >> 1) : ''
    })
  }

  setVolumeLabel(label: string): void {
    if (label.length > 32) throw new StoreError(`disk store: a volume label has at most 32 characters, got ${label.length}`, 'invalid')
    this.change(() => {
      const inode = this.inode(FILE_Volume)
      const a = inode.find(ATTR.VOLUME_NAME)
      if (a) inode.remove(a)
      inode.add(newResident(ATTR.VOLUME_NAME, '', encodeUtf16(label)))
      this.save(inode)
    })
  }

  freeClusters(): number {
    return this.read(() => this.volume.clusters.freeClusters)
  }

  upcase(name: string): string {
    return this.volume.upcaseString(name)
  }

  // ---- records ------------------------------------------------------------------------

  readRecord(record: RecordNo): FileRecord | undefined {
    return this.read(() => {
      const inode = this.volume.loadInode(record)
      return inode ? this.snapshot(inode) : undefined
    })
  }

  private snapshot(inode: Inode): FileRecord {
    const stdAttr = inode.findResident(ATTR.STANDARD_INFORMATION)
    if (!stdAttr) throw new StoreError(`MFT record ${inode.record}: no $STANDARD_INFORMATION`, 'corrupt')
    const names: FileNameLink[] = []
    const streams: StreamInfo[] = []
    let reparse: ReparsePoint | undefined
    let eas: EaEntry[] = []
    let objectId: Uint8Array | undefined
    for (const a of inode.attrs) {
      switch (a.type) {
        case ATTR.FILE_NAME:
          if (a.resident) {
            const f = decodeFileName(a.value)
            names.push({ parent: Number(f.parentRef & 0xffffffffffffn), name: f.name, nameSpace: f.nameSpace })
          }
          break
        case ATTR.DATA: {
          const s = this.streamInfo(a)
          if (a.name === '') streams.unshift(s)
          else streams.push(s)
          break
        }
        case ATTR.REPARSE_POINT:
          reparse = decodeReparse(this.attrValue(inode, a))
          break
        case ATTR.EA:
          eas = decodeEas(this.attrValue(inode, a))
          break
        case ATTR.OBJECT_ID:
          if (a.resident) objectId = a.value.slice(0, 16)
          break
      }
    }
    return {
      record: inode.record,
      seq: inode.seq,
      isDirectory: (inode.flags & MFT_RECORD_IS_DIRECTORY) !== 0,
      std: decodeStdInfo(stdAttr.value),
      names,
      streams,
      reparse,
      eas,
      objectId,
    }
  }

  private streamInfo(a: Attr): StreamInfo {
    if (a.resident) {
      return { name: a.name, size: a.value.length, allocated: align8(a.value.length), validDataLength: a.value.length, resident: true }
    }
    return { name: a.name, size: a.dataSize, allocated: a.allocatedSize, validDataLength: a.initializedSize, resident: false }
  }

  private attrValue(inode: Inode, a: Attr): Uint8Array {
    return a.resident ? a.value : this.volume.readAttr(inode, a, 0, a.dataSize)
  }

  createRecord(opts: CreateRecordOptions): FileRecord {
    checkName(opts.name.name, 'file name')
    return this.change(() => {
      const parent = this.dirInode(opts.name.parent)
      const inode = this.volume.newInode('user', opts.isDirectory ? MFT_RECORD_IS_DIRECTORY : 0)
      inode.add(newResident(ATTR.STANDARD_INFORMATION, '', encodeStdInfo(opts.std)))
      const fn = this.fileNameValue(inode, opts.name, parent, opts.std, opts.isDirectory)
      inode.add(newResident(ATTR.FILE_NAME, '', encodeFileName(fn), RESIDENT_ATTR_IS_INDEXED))
      if (opts.isDirectory) {
        const cs = this.volume.clusterSize
        const bs = this.volume.indexBlockSize
        inode.add(newResident(ATTR.INDEX_ROOT, '$I30', emptyIndexRoot(ATTR.FILE_NAME, 'filename', bs, bs >= cs ? bs / cs : bs / 512)))
      }
      this.save(inode)
      this.dirTree(parent.record).insert({ key: encodeFileName(fn), data: new Uint8Array(0), fileReference: makeRef(inode.record, inode.seq) })
      return this.snapshot(inode)
    })
  }

  deleteRecord(record: RecordNo): void {
    this.change(() => {
      if (record < FIRST_ALLOCATED_RECORD) throw new StoreError(`disk store: record ${record} is a metafile and cannot be deleted`, 'invalid')
      const inode = this.inode(record)
      const names = inode.findAll(ATTR.FILE_NAME).length
      if (names > 0) throw new StoreError(`disk store: record ${record} still has ${names} name(s); remove them before deleting it`, 'invalid')
      if ((inode.flags & MFT_RECORD_IS_DIRECTORY) !== 0 && !this.tree(record, '$I30', 'filename').isEmpty()) {
        throw new StoreError(`disk store: directory ${record} is not empty`, 'invalid')
      }
      const reparse = inode.find(ATTR.REPARSE_POINT)
      if (reparse) this.reparseIndexRemove(inode, reparse)
      const oid = inode.findResident(ATTR.OBJECT_ID)
      if (oid) this.tree(FILE_ObjId, '$O', 'ulongs').remove(oid.value.slice(0, 16))
      for (const a of inode.attrs) if (!a.resident) this.volume.clusters.release(a.runs)
      for (const key of [...this.trees.keys()]) if (key.startsWith(`${record}:`)) this.trees.delete(key)
      this.volume.deleteInode(inode)
      this.dupDirty.delete(record)
    })
  }

  setStandardInfo(record: RecordNo, patch: Partial<StandardInfo>): void {
    this.change(() => {
      const inode = this.inode(record)
      const a = inode.findResident(ATTR.STANDARD_INFORMATION)
      if (!a) throw new StoreError(`MFT record ${record}: no $STANDARD_INFORMATION`, 'corrupt')
      a.value = encodeStdInfo({ ...decodeStdInfo(a.value), ...patch })
      this.save(inode)
      this.dupDirty.add(record)
    })
  }

  // ---- names --------------------------------------------------------------------------

  /** the $FILE_NAME value for a link, with the file's current duplicated information */
  private fileNameValue(inode: Inode, link: FileNameLink, parent: Inode, std?: StandardInfo, isDirectory?: boolean): FileNameValue {
    const s = std ?? decodeStdInfo(inode.findResident(ATTR.STANDARD_INFORMATION)!.value)
    const dir = isDirectory ?? (inode.flags & MFT_RECORD_IS_DIRECTORY) !== 0
    const data = dir ? undefined : inode.find(ATTR.DATA, '')
    let reparseOrEa = 0
    const reparse = inode.find(ATTR.REPARSE_POINT)
    if (reparse) reparseOrEa = u32(this.attrValue(inode, reparse), 0)
    else {
      const info = inode.findResident(ATTR.EA_INFORMATION)
      if (info) reparseOrEa = info.value[0]! | (info.value[1]! << 8)
    }
    return {
      parentRef: makeRef(parent.record, parent.seq),
      creationTime: s.creationTime,
      lastWriteTime: s.lastWriteTime,
      changeTime: s.changeTime,
      lastAccessTime: s.lastAccessTime,
      allocatedSize: data ? (data.resident ? align8(data.value.length) : data.allocatedSize) : 0,
      dataSize: data ? (data.resident ? data.value.length : data.dataSize) : 0,
      fileAttributes: s.fileAttributes | (dir ? FILE_ATTR_I30_INDEX_PRESENT : 0),
      reparseOrEa,
      nameSpace: link.nameSpace,
      name: link.name,
    }
  }

  addName(record: RecordNo, link: FileNameLink): void {
    checkName(link.name, 'file name')
    this.change(() => {
      const inode = this.inode(record)
      const parent = this.dirInode(link.parent)
      if (inode.findAll(ATTR.FILE_NAME).length >= 1024) throw new StoreError(`disk store: record ${record} has the maximum of 1024 names`, 'invalid')
      const fn = this.fileNameValue(inode, link, parent)
      this.dirTree(link.parent).insert({ key: encodeFileName(fn), data: new Uint8Array(0), fileReference: makeRef(inode.record, inode.seq) })
      inode.add(newResident(ATTR.FILE_NAME, '', encodeFileName(fn), RESIDENT_ATTR_IS_INDEXED))
      this.save(inode)
    })
  }

  removeName(record: RecordNo, parent: RecordNo, name: string): void {
    this.change(() => {
      const inode = this.inode(record)
      this.dirInode(parent)
      const attr = inode.findAll(ATTR.FILE_NAME).find((a) => {
        if (!a.resident) return false
        const f = decodeFileName(a.value)
        return Number(f.parentRef & 0xffffffffffffn) === parent && f.name === name
      }) as ResidentAttr | undefined
      if (!attr) throw new StoreError(`disk store: record ${record} has no name '${name}' in directory ${parent}`, 'not-found')
      const tree = this.dirTree(parent)
      const entry = tree.lookup(attr.value)
      if (!entry || Number(entry.fileReference & 0xffffffffffffn) !== record) {
        throw new StoreError(`disk store: directory ${parent} has no index entry '${name}' for record ${record}`, 'corrupt')
      }
      tree.remove(entry.key)
      inode.remove(attr)
      this.save(inode)
    })
  }

  lookup(dir: RecordNo, name: string): DirEntry | undefined {
    return this.read(() => {
      const tree = this.dirTree(dir)
      const e = lookupExactName(tree, this.volume.upcase, name) ?? lookupName(tree, this.volume.upcase, name)
      return e ? toDirEntry(decodeFileName(e.key), e.fileReference) : undefined
    })
  }

  list(dir: RecordNo, after?: string): Iterable<DirEntry> {
    return this.read(() => {
      const tree = this.dirTree(dir)
      const out: DirEntry[] = []
      const start = after === undefined ? undefined : encodeFileName(blankName(after))
      for (const e of tree.entries(start)) out.push(toDirEntry(decodeFileName(e.key), e.fileReference))
      return out
    })
  }

  isEmptyDirectory(dir: RecordNo): boolean {
    return this.read(() => this.dirTree(dir).isEmpty())
  }

  // ---- streams ------------------------------------------------------------------------

  private findStream(inode: Inode, name: string): Attr | undefined {
    const exact = inode.attrs.find((a) => a.type === ATTR.DATA && a.name === name)
    if (exact) return exact
    const key = this.upcase(name)
    return inode.attrs.find((a) => a.type === ATTR.DATA && this.upcase(a.name) === key)
  }

  private stream(record: RecordNo, name: string): StreamRef {
    const inode = this.inode(record)
    const attr = this.findStream(inode, name)
    if (!attr) throw new StoreError(`disk store: record ${record} has no $DATA stream ${name === '' ? '(unnamed)' : `'${name}'`}`, 'not-found')
    if ((attr.flags & (ATTR_IS_COMPRESSED | ATTR_IS_ENCRYPTED)) !== 0) {
      const what = attr.flags & ATTR_IS_COMPRESSED ? 'compressed' : 'encrypted'
      throw new StoreError(`disk store: record ${record} stream ${name === '' ? '(unnamed)' : `'${name}'`} is ${what} on disk, which this volume driver does not read`, 'invalid')
    }
    return { inode, attr }
  }

  createStream(record: RecordNo, stream: string): void {
    if (stream.length > 255) throw new StoreError(`disk store: a stream name has at most 255 characters, got ${stream.length}`, 'invalid')
    this.change(() => {
      const inode = this.inode(record)
      if ((inode.flags & MFT_RECORD_IS_DIRECTORY) !== 0 && stream === '') {
        throw new StoreError(`disk store: directory ${record} cannot have an unnamed $DATA stream`, 'invalid')
      }
      if (this.findStream(inode, stream)) throw new StoreError(`disk store: record ${record} already has a $DATA stream '${stream}'`, 'invalid')
      inode.add(newResident(ATTR.DATA, stream, new Uint8Array(0)))
      this.save(inode)
      if (stream === '') this.dupDirty.add(record)
    })
  }

  deleteStream(record: RecordNo, stream: string): void {
    this.change(() => {
      const { inode, attr } = this.stream(record, stream)
      if (!attr.resident) this.volume.clusters.release(attr.runs)
      inode.remove(attr)
      this.save(inode)
      if (attr.name === '') this.dupDirty.add(record)
    })
  }

  renameStream(record: RecordNo, from: string, to: string): void {
    if (to.length > 255) throw new StoreError(`disk store: a stream name has at most 255 characters, got ${to.length}`, 'invalid')
    this.change(() => {
      const { inode, attr } = this.stream(record, from)
      const other = this.findStream(inode, to)
      if (other && other !== attr) throw new StoreError(`disk store: record ${record} already has a $DATA stream '${to}'`, 'invalid')
      if (to === '' && (inode.flags & MFT_RECORD_IS_DIRECTORY) !== 0) {
        throw new StoreError(`disk store: directory ${record} cannot have an unnamed $DATA stream`, 'invalid')
      }
      attr.name = to
      this.save(inode)
      this.dupDirty.add(record)
    })
  }

  readStream(record: RecordNo, stream: string, offset: number, length: number): Uint8Array {
    checkRange(offset, length)
    return this.read(() => {
      const { inode, attr } = this.stream(record, stream)
      const size = attr.resident ? attr.value.length : attr.dataSize
      const end = Math.min(size, offset + length)
      if (end <= offset) return new Uint8Array(0)
      return this.volume.readAttr(inode, attr, offset, end - offset)
    })
  }

  writeStream(record: RecordNo, stream: string, offset: number, data: Uint8Array): void {
    checkRange(offset, data.length)
    if (data.length === 0) {
      this.read(() => this.stream(record, stream))
      return
    }
    this.change(() => {
      const { inode } = this.stream(record, stream)
      let attr = this.findStream(inode, stream)!
      const end = offset + data.length
      if (attr.resident) {
        const size = Math.max(attr.value.length, end)
        if (this.fitsResident(inode, attr, size)) {
          const value = new Uint8Array(size)
          value.set(attr.value)
          value.set(data, offset)
          attr.value = value
          this.save(inode)
          if (attr.name === '') this.dupDirty.add(record)
          return
        }
        attr = this.volume.makeNonResident(inode, attr)
      }
      const nr = attr as NonResidentAttr
      const user = this.volume.isUserData(inode, nr)
      const oldSize = nr.dataSize
      const oldAlloc = nr.allocatedSize
      const oldInit = nr.initializedSize
      const cs = this.volume.clusterSize
      const clusters = Math.ceil(end / cs)
      if (clusters > runsLength(nr.runs)) this.volume.setAllocation(nr, clusters)
      this.volume.fillHoles(nr, Math.floor(Math.min(offset, nr.initializedSize) / cs), clusters, !user)
      // the gap between valid data and this write reads as zero from now on
      if (offset > nr.initializedSize) this.volume.zeroRuns(nr.runs, nr.initializedSize, offset - nr.initializedSize, !user)
      this.volume.writeRuns(nr.runs, offset, data, !user)
      nr.dataSize = Math.max(nr.dataSize, end)
      nr.initializedSize = Math.max(nr.initializedSize, end)
      if (nr.dataSize !== oldSize || nr.allocatedSize !== oldAlloc || nr.initializedSize !== oldInit) {
        this.save(inode)
        if (nr.name === '') this.dupDirty.add(record)
      }
    })
  }

  /** whether a resident stream of `size` bytes still fits in the file's base record */
  private fitsResident(inode: Inode, attr: ResidentAttr, size: number): boolean {
    if (size > this.volume.recordSize) return false
    const saved = attr.value
    attr.value = new Uint8Array(size)
    const fits = this.volume.fitsInBaseRecord(inode)
    attr.value = saved
    return fits
  }

  setStreamSizes(record: RecordNo, stream: string, sizes: { size?: number; allocated?: number; validDataLength?: number }): void {
    for (const [field, v] of Object.entries(sizes)) {
      if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) {
        throw new StoreError(`disk store: stream ${field} must be a non-negative integer, got ${String(v)}`, 'invalid')
      }
    }
    this.change(() => {
      const { inode } = this.stream(record, stream)
      let attr = this.findStream(inode, stream)!
      const curSize = attr.resident ? attr.value.length : attr.dataSize
      const curVdl = attr.resident ? curSize : attr.initializedSize
      const size = sizes.size ?? curSize
      const vdl = sizes.validDataLength ?? Math.min(curVdl, size)
      if (vdl > size) throw new StoreError(`disk store: validDataLength ${vdl} is past the end of the stream (${size})`, 'invalid')
      if (sizes.allocated !== undefined && sizes.allocated < size) {
        throw new StoreError(`disk store: allocation ${sizes.allocated} is smaller than the stream size ${size}`, 'invalid')
      }
      const cs = this.volume.clusterSize
      // truncation frees clusters; an explicit allocation is kept (rounded to clusters)
      const allocated = sizes.allocated ?? (size < curSize ? size : attr.resident ? 0 : attr.allocatedSize)
      if (attr.resident) {
        if (this.fitsResident(inode, attr, Math.max(size, allocated))) {
          const value = new Uint8Array(size)
          value.set(attr.value.subarray(0, Math.min(size, attr.value.length)))
          attr.value = value
          this.save(inode)
          if (attr.name === '') this.dupDirty.add(record)
          return
        }
        attr = this.volume.makeNonResident(inode, attr)
      }
      const nr = attr as NonResidentAttr
      const user = this.volume.isUserData(inode, nr)
      const clusters = Math.ceil(Math.max(size, allocated) / cs)
      // past the new end nothing is valid: the tail of the last kept cluster reads as zero if the file grows again
      if (size < nr.dataSize) nr.initializedSize = Math.min(nr.initializedSize, size)
      this.volume.setAllocation(nr, clusters)
      const newVdl = Math.min(vdl, size)
      // unverified: Windows's SetFileValidData exposes whatever the clusters held; the store
      // zeroes the newly valid range so both stores read the same bytes
      if (newVdl > nr.initializedSize) this.volume.zeroRuns(nr.runs, nr.initializedSize, newVdl - nr.initializedSize, !user)
      nr.dataSize = size
      nr.initializedSize = newVdl
      this.save(inode)
      if (nr.name === '') this.dupDirty.add(record)
    })
  }

  // ---- reparse points, EAs, object ids ------------------------------------------------

  private reparseKey(tag: number, inode: Inode): Uint8Array {
    const k = new Uint8Array(16)
    set32(k, 0, tag)
    set64n(k, 4, makeRef(inode.record, inode.seq))
    return k.subarray(0, 12)
  }

  private reparseIndexRemove(inode: Inode, a: Attr): void {
    const tag = u32(this.attrValue(inode, a), 0)
    this.tree(FILE_Reparse, '$R', 'ulongs').remove(this.reparseKey(tag, inode))
  }

  setReparsePoint(record: RecordNo, reparse: ReparsePoint | undefined): void {
    this.change(() => {
      const inode = this.inode(record)
      const old = inode.find(ATTR.REPARSE_POINT)
      if (old) {
        this.reparseIndexRemove(inode, old)
        if (!old.resident) this.volume.clusters.release(old.runs)
        inode.remove(old)
      }
      if (reparse) {
        const value = encodeReparse({ ...reparse, tag: reparse.tag >>> 0 })
        if (value.length > 16 * 1024) throw new StoreError(`disk store: reparse data of ${value.length} bytes exceeds 16 KiB`, 'invalid')
        inode.add(newResident(ATTR.REPARSE_POINT, '', value))
        this.tree(FILE_Reparse, '$R', 'ulongs').insert({ key: this.reparseKey(reparse.tag >>> 0, inode), data: new Uint8Array(0), fileReference: 0n })
      }
      this.save(inode)
      this.dupDirty.add(record)
    })
  }

  setEas(record: RecordNo, eas: readonly EaEntry[]): void {
    this.change(() => {
      const inode = this.inode(record)
      for (const type of [ATTR.EA, ATTR.EA_INFORMATION]) {
        const old = inode.find(type)
        if (!old) continue
        if (!old.resident) this.volume.clusters.release(old.runs)
        inode.remove(old)
      }
      if (eas.length > 0) {
        const { ea, info } = encodeEas(eas)
        if (ea.length > 65536) throw new StoreError(`disk store: extended attributes of ${ea.length} bytes exceed 64 KiB`, 'invalid')
        inode.add(newResident(ATTR.EA_INFORMATION, '', info))
        inode.add(newResident(ATTR.EA, '', ea))
      }
      this.save(inode)
      this.dupDirty.add(record)
    })
  }

  setObjectId(record: RecordNo, objectId: Uint8Array | undefined): void {
    if (objectId !== undefined && objectId.length !== 16) {
      throw new StoreError(`disk store: an object id has 16 bytes, got ${objectId.length}`, 'invalid')
    }
    this.change(() => {
      const inode = this.inode(record)
      const tree = this.tree(FILE_ObjId, '$O', 'ulongs')
      if (objectId) {
        const owner = tree.lookup(objectId)
        if (owner && Number(u32(owner.data, 0)) !== record) {
          throw new StoreError(`disk store: object id ${hexId(objectId)} already belongs to record ${u32(owner.data, 0)}`, 'invalid')
        }
      }
      const old = inode.findResident(ATTR.OBJECT_ID)
      if (old) {
        tree.remove(old.value.slice(0, 16))
        inode.remove(old)
      }
      if (objectId) {
        inode.add(newResident(ATTR.OBJECT_ID, '', objectId.slice()))
        // OBJ_ID_INDEX_DATA: file reference, birth volume id, birth object id, domain id
        const data = new Uint8Array(56)
        set64n(data, 0, makeRef(inode.record, inode.seq))
        data.set(objectId, 24)
        tree.insert({ key: objectId.slice(), data, fileReference: 0n })
      }
      this.save(inode)
    })
  }

  findByObjectId(objectId: Uint8Array): RecordNo | undefined {
    return this.read(() => {
      if (objectId.length !== 16) return undefined
      const e = this.tree(FILE_ObjId, '$O', 'ulongs').lookup(objectId)
      return e ? u32(e.data, 0) : undefined
    })
  }

  // ---- security ($Secure) -------------------------------------------------------------

  private sdsEnd: number | undefined
  private nextSecurityId: number | undefined

  /** the security id of a self-relative descriptor, adding it to $Secure when it is new */
  securityIdFor(descriptor: Uint8Array): number {
    return this.change(() => {
      const hash = securityHash(descriptor)
      const sdh = this.tree(FILE_Secure, '$SDH', 'security-hash')
      for (const e of sdh.entries(sdhKey(hash, 0))) {
        if (u32(e.key, 0) !== hash) break
        const loc = decodeSdsHeader(e.data)
        const existing = this.readSds(loc.offset + 20, loc.length - 20)
        if (bytesEqual(existing, descriptor)) return loc.securityId
      }
      const sii = this.tree(FILE_Secure, '$SII', 'ulong')
      if (this.sdsEnd === undefined || this.nextSecurityId === undefined) {
        let end = 0
        let next = FIRST_SECURITY_ID
        for (const e of sii.entries()) {
          const loc = decodeSdsHeader(e.data)
          end = Math.max(end, loc.offset + loc.length)
          next = Math.max(next, loc.securityId + 1)
        }
        this.sdsEnd = end
        this.nextSecurityId = next
      }
      const id = this.nextSecurityId
      const length = 20 + descriptor.length
      const offset = nextSdsOffset(this.sdsEnd, length)
      const loc = { hash, securityId: id, offset, length }
      const entry = new Uint8Array(align8(length + 8))
      entry.set(encodeSdsHeader(loc))
      entry.set(descriptor, 20)
      this.writeSds(offset, entry.subarray(0, length))
      this.writeSds(offset + SDS_BLOCK, entry.subarray(0, length))
      sii.insert({ key: siiKey(id), data: encodeSdsHeader(loc), fileReference: 0n })
      sdh.insert({ key: sdhKey(hash, id), data: sdhData(loc), fileReference: 0n })
      this.sdsEnd = offset + length
      this.nextSecurityId = id + 1
      return id
    })
  }

  /** the descriptor stored for a security id */
  securityDescriptor(securityId: number): Uint8Array | undefined {
    return this.read(() => {
      const e = this.tree(FILE_Secure, '$SII', 'ulong').lookup(siiKey(securityId))
      if (!e) return undefined
      const loc = decodeSdsHeader(e.data)
      return this.readSds(loc.offset + 20, loc.length - 20)
    })
  }

  private sds(): { inode: Inode; attr: NonResidentAttr } {
    const inode = this.inode(FILE_Secure)
    const attr = inode.find(ATTR.DATA, '$SDS')
    if (!attr || attr.resident) throw new StoreError('$Secure: no non-resident $SDS stream', 'corrupt')
    return { inode, attr }
  }

  private readSds(offset: number, length: number): Uint8Array {
    const { inode, attr } = this.sds()
    return this.volume.readAttr(inode, attr, offset, length)
  }

  private writeSds(offset: number, data: Uint8Array): void {
    const { inode, attr } = this.sds()
    const end = offset + data.length
    const cs = this.volume.clusterSize
    if (Math.ceil(end / cs) > runsLength(attr.runs)) this.volume.setAllocation(attr, Math.ceil(end / cs))
    if (offset > attr.initializedSize) this.volume.zeroRuns(attr.runs, attr.initializedSize, offset - attr.initializedSize, true)
    this.volume.writeRuns(attr.runs, offset, data, true)
    if (end > attr.dataSize || end > attr.initializedSize) {
      attr.dataSize = Math.max(attr.dataSize, end)
      attr.initializedSize = Math.max(attr.initializedSize, end)
      this.save(inode)
    }
  }

  // ---- duplicated information ---------------------------------------------------------

  // unverified: Windows refreshes the $I30 copies of times, sizes and attributes when a
  // handle is closed; the store refreshes them (and the $FILE_NAME attributes) before every
  // checkpoint, so the durable volume always has them current.
  private refreshDupInfo(): void {
    if (this.dupDirty.size === 0) return
    const records = [...this.dupDirty]
    this.dupDirty.clear()
    this.volume.group(() => {
      for (const record of records) {
        const inode = this.volume.loadInode(record)
        if (!inode) continue
        let changed = false
        for (const a of inode.findAll(ATTR.FILE_NAME)) {
          if (!a.resident) continue
          const old = decodeFileName(a.value)
          const parentNo = Number(old.parentRef & 0xffffffffffffn)
          const parent = this.volume.loadInode(parentNo)
          if (!parent) continue
          const fresh = encodeFileName(this.fileNameValue(inode, { parent: parentNo, name: old.name, nameSpace: old.nameSpace }, parent))
          if (bytesEqual(fresh, a.value)) continue
          const tree = this.tree(parentNo, '$I30', 'filename')
          const entry = tree.lookup(a.value)
          if (entry) {
            tree.remove(entry.key)
            tree.insert({ key: fresh, data: entry.data, fileReference: entry.fileReference })
          }
          a.value = fresh
          changed = true
        }
        if (changed) this.save(inode)
      }
    })
  }

  // ---- units --------------------------------------------------------------------------

  atomic<T>(fn: () => T): T {
    return this.change(fn)
  }

  private checkpoint(): void {
    this.refreshDupInfo()
    this.volume.checkpoint()
  }

  flush(): void {
    this.live()
    if (this.volume.readOnly) return
    if (this.depth > 0) {
      // a unit is never made durable half-done: the flush takes effect when the unit ends
      this.flushRequested = true
      return
    }
    try {
      this.checkpoint()
    } catch (err) {
      throw asStoreError(err)
    }
  }

  close(): void {
    if (this.closed) return
    try {
      if (!this.volume.readOnly) this.checkpoint()
    } catch (err) {
      this.closed = true
      this.volume.close()
      throw asStoreError(err)
    }
    this.closed = true
    this.volume.close()
  }
}

function toDirEntry(f: FileNameValue, ref: bigint): DirEntry {
  return { name: f.name, nameSpace: f.nameSpace, record: Number(ref & 0xffffffffffffn), seq: Number(ref >> 48n) }
}

/** a $FILE_NAME value carrying only a name: enough for a collation key */
function blankName(name: string): FileNameValue {
  return {
    parentRef: 0n,
    creationTime: 0n,
    lastWriteTime: 0n,
    changeTime: 0n,
    lastAccessTime: 0n,
    allocatedSize: 0,
    dataSize: 0,
    fileAttributes: 0,
    reparseOrEa: 0,
    nameSpace: NameSpace.Posix,
    name,
  }
}

function checkName(name: string, what: string): void {
  if (name.length === 0 || name.length > 255) {
    throw new StoreError(`disk store: a ${what} has 1 to 255 characters, got ${name.length}`, 'invalid')
  }
}

function checkRange(offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new StoreError(`disk store: bad stream range offset=${String(offset)} length=${String(length)}`, 'invalid')
  }
}

function hexId(id: Uint8Array): string {
  let s = ''
  for (const b of id) s += b.toString(16).padStart(2, '0')
  return s
}
