// The record side of an NTFS index: implements IndexHost (./index/host.ts) for one (file,
// index name) pair — the resident $INDEX_ROOT, the non-resident $INDEX_ALLOCATION of INDX
// blocks (update-sequence protected) and the $BITMAP of blocks in use.

import type { IndexHost, Collation } from './index/host.ts'
import { openIndex, type NtfsIndexTree } from './index/index.ts'
import type { Volume } from './volume.ts'
import type { Inode } from './inode.ts'
import type { NonResidentAttr, ResidentAttr } from './attribute.ts'
import { StoreError } from '../store.ts'
import { ATTR } from './layout.ts'
import { u8, u32, hex } from './bytes.ts'
import { applyFixups, removeFixups } from './fixup.ts'
import { newNonResident, newResident } from './inode.ts'
import { runsLength } from './runlist.ts'

const INDX_MAGIC = 0x58444e49 // 'INDX'

export class RecordIndexHost implements IndexHost {
  readonly blockSize: number
  readonly blockVcnUnit: number
  /** bytes per VCN unit: a cluster, or 512 when blocks are smaller than a cluster */
  private readonly unitBytes: number
  /** block allocation changed the file but it did not fit its record yet (see finish): kept here so no cache eviction can lose it */
  private unsaved: Inode | undefined

  constructor(
    private readonly vol: Volume,
    readonly record: number,
    readonly name: string,
  ) {
    const root = this.rootAttr()
    this.blockSize = u32(root.value, 8)
    this.blockVcnUnit = u8(root.value, 12)
    if (this.blockSize < 512 || (this.blockSize & (this.blockSize - 1)) !== 0) {
      throw new StoreError(`MFT record ${record}: ${name} index block size ${this.blockSize} is invalid`, 'corrupt')
    }
    this.unitBytes = this.blockSize >= vol.clusterSize ? vol.clusterSize : 512
  }

  private inode(): Inode {
    if (this.unsaved) return this.unsaved
    const inode = this.vol.loadInode(this.record)
    if (!inode) throw new StoreError(`MFT record ${this.record} holding index ${this.name} is not in use`, 'corrupt')
    return inode
  }

  private rootAttr(): ResidentAttr {
    const a = this.inode().find(ATTR.INDEX_ROOT, this.name)
    if (!a || !a.resident) throw new StoreError(`MFT record ${this.record}: no resident $INDEX_ROOT named ${this.name}`, 'corrupt')
    return a
  }

  private allocation(): NonResidentAttr | undefined {
    const a = this.inode().find(ATTR.INDEX_ALLOCATION, this.name)
    if (a && a.resident) throw new StoreError(`MFT record ${this.record}: $INDEX_ALLOCATION ${this.name} is resident`, 'corrupt')
    return a
  }

  readRoot(): Uint8Array {
    return this.rootAttr().value.slice()
  }

  writeRoot(value: Uint8Array): void {
    const inode = this.inode()
    const root = inode.find(ATTR.INDEX_ROOT, this.name) as ResidentAttr
    root.value = value.slice()
    this.vol.saveInode(inode)
    this.unsaved = undefined
  }

  private blockOffset(vcn: number): number {
    return vcn * this.unitBytes
  }

  readBlock(vcn: number): Uint8Array {
    const alloc = this.allocation()
    if (!alloc) throw new StoreError(`MFT record ${this.record}: index ${this.name} has no $INDEX_ALLOCATION (block VCN ${vcn})`, 'corrupt')
    const off = this.blockOffset(vcn)
    if (vcn < 0 || off + this.blockSize > alloc.dataSize) {
      throw new StoreError(`MFT record ${this.record}: index ${this.name} block VCN ${vcn} is past the allocation (${alloc.dataSize} bytes)`, 'corrupt')
    }
    const b = this.vol.readRuns(alloc.runs, alloc.initializedSize, off, this.blockSize, true)
    const magic = u32(b, 0)
    if (magic !== INDX_MAGIC) {
      throw new StoreError(`MFT record ${this.record}: index ${this.name} block VCN ${vcn}: signature ${hex(magic, 8)} is not 'INDX' at byte 0`, 'corrupt')
    }
    const p = removeFixups(b, 0, this.blockSize)
    if (p) throw new StoreError(`MFT record ${this.record}: index ${this.name} block VCN ${vcn}: ${p.message} at byte ${p.offset}`, 'corrupt')
    return b
  }

  writeBlock(vcn: number, block: Uint8Array): void {
    const alloc = this.allocation()
    if (!alloc) throw new StoreError(`index ${this.name} of record ${this.record} has no $INDEX_ALLOCATION`, 'invalid')
    const out = applyFixups(block, this.blockSize)
    this.vol.writeRuns(alloc.runs, this.blockOffset(vcn), out, true)
  }

  allocateBlock(): number {
    const inode = this.inode()
    let alloc = inode.find(ATTR.INDEX_ALLOCATION, this.name) as NonResidentAttr | undefined
    let bitmap = inode.find(ATTR.BITMAP, this.name)
    if (!alloc) {
      alloc = newNonResident(ATTR.INDEX_ALLOCATION, this.name, [], this.vol.clusterSize, 0)
      inode.add(alloc)
    }
    if (!bitmap) {
      bitmap = newResident(ATTR.BITMAP, this.name, new Uint8Array(8))
      inode.add(bitmap)
    }
    const bits = this.vol.readAttr(inode, bitmap, 0, bitmap.resident ? bitmap.value.length : bitmap.dataSize)
    const blocks = Math.floor(alloc.dataSize / this.blockSize)
    let index = -1
    for (let i = 0; i < blocks; i++) {
      if (((bits[i >> 3] ?? 0) & (1 << (i & 7))) === 0) {
        index = i
        break
      }
    }
    if (index < 0) {
      index = blocks
      const bytes = (index + 1) * this.blockSize
      const clusters = Math.ceil(bytes / this.vol.clusterSize)
      if (clusters > runsLength(alloc.runs)) this.vol.setAllocation(alloc, clusters)
      alloc.dataSize = bytes
      alloc.initializedSize = bytes
    }
    // set the bit (the bitmap grows 8 bytes at a time)
    const need = Math.max(8, Math.ceil((index + 1) / 64) * 8)
    let value = bits
    if (value.length < need) {
      value = new Uint8Array(need)
      value.set(bits)
    }
    value[index >> 3] = (value[index >> 3] ?? 0) | (1 << (index & 7))
    this.storeBitmap(inode, bitmap, value)
    this.saveSoon(inode)
    return (index * this.blockSize) / this.unitBytes
  }

  freeBlock(vcn: number): void {
    const inode = this.inode()
    const bitmap = inode.find(ATTR.BITMAP, this.name)
    if (!bitmap) throw new StoreError(`MFT record ${this.record}: index ${this.name} has no $BITMAP`, 'corrupt')
    const index = (vcn * this.unitBytes) / this.blockSize
    const value = this.vol.readAttr(inode, bitmap, 0, bitmap.resident ? bitmap.value.length : bitmap.dataSize)
    value[index >> 3] = (value[index >> 3] ?? 0) & ~(1 << (index & 7))
    this.storeBitmap(inode, bitmap, value)
    this.saveSoon(inode)
  }

  /**
   * Saves the file after a block allocation, unless its attributes do not fit the base record
   * at this moment: while the tree pushes the root's entries down into a new block the root
   * is still full, and saving would move attributes out to an extension record only to move
   * them back when the shrunken root is written. The tree writes the root next; finish()
   * saves anything still pending once the tree operation is over.
   */
  private saveSoon(inode: Inode): void {
    if (this.vol.fitsInBaseRecord(inode)) {
      this.vol.saveInode(inode)
      this.unsaved = undefined
    } else this.unsaved = inode
  }

  /** called after every tree operation (also a failed one): saves a file left unsaved by saveSoon */
  finish(): void {
    const inode = this.unsaved
    if (!inode) return
    this.unsaved = undefined
    this.vol.saveInode(inode)
  }

  /** the largest $INDEX_ROOT value the base record can hold beside the file's other attributes */
  rootCapacity(): number {
    const inode = this.inode()
    const root = inode.find(ATTR.INDEX_ROOT, this.name) as ResidentAttr
    const saved = root.value
    root.value = new Uint8Array(0)
    const free = this.vol.baseRecordFree(inode)
    root.value = saved
    return Math.max(0, free)
  }

  hasAllocation(): boolean {
    return this.inode().find(ATTR.INDEX_ALLOCATION, this.name) !== undefined
  }

  private storeBitmap(_inode: Inode, bitmap: ReturnType<Inode['find']> & object, value: Uint8Array): void {
    if (bitmap.resident) {
      bitmap.value = value
      return
    }
    const clusters = Math.ceil(value.length / this.vol.clusterSize)
    if (clusters > runsLength(bitmap.runs)) this.vol.setAllocation(bitmap, clusters)
    this.vol.writeRuns(bitmap.runs, 0, value, true)
    bitmap.dataSize = value.length
    bitmap.initializedSize = value.length
  }
}

/** an index tree whose file is saved after every change (see RecordIndexHost.finish) */
export function hostedTree(tree: NtfsIndexTree, host: RecordIndexHost): NtfsIndexTree {
  return {
    lookup: (key) => tree.lookup(key),
    entries: (afterKey) => tree.entries(afterKey),
    isEmpty: () => tree.isEmpty(),
    search: (probe) => tree.search(probe),
    depth: () => tree.depth(),
    insert(entry) {
      try {
        tree.insert(entry)
      } finally {
        host.finish()
      }
    },
    remove(key) {
      try {
        return tree.remove(key)
      } finally {
        host.finish()
      }
    },
  }
}

/** opens the index `name` of a file */
export function openRecordIndex(vol: Volume, record: number, name: string, collation: Collation): NtfsIndexTree {
  const host = new RecordIndexHost(vol, record, name)
  return hostedTree(openIndex(host, collation, vol.upcase), host)
}
