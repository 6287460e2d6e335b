// The write-ahead journal that makes metadata changes atomic across a killed process or a
// pulled plug, and the write-back cache of metadata sectors it protects.
//
// Every metadata write (MFT records, index blocks, bitmaps, $Secure, non-resident attribute
// lists …) goes into `dirty`, a map of 512-byte sector images, and reads see it. User file
// data bypasses it (as on Windows, where only metadata is logged). Work is grouped: a group
// is one metadata operation; the cache is only ever made durable at a group boundary, so the
// on-disk state always corresponds to the end of some group. A checkpoint makes the cache
// durable in three steps:
//   1. the redo images of all dirty sectors are written to the journal area with a header
//      naming them and a CRC-32 over everything, then fdatasync;
//   2. the sectors are written in place, then fdatasync;
//   3. the area is reset to 0xFF (the next checkpoint or flush makes that durable).
// At mount a journal whose header and CRC check out is replayed (redo is idempotent); one that
// does not (torn during step 1) is discarded: nothing of it reached the volume.
//
// The journal area is the data of $LogFile. ntfs-3g accepts a volume whose $LogFile is
// "empty": the first four bytes at offsets 0, 512, 1024, 2048, 4096 … (powers of two) are
// 0xFFFFFFFF (libntfs-3g/logfile.c, ntfs_check_logfile). So the journal never writes to the
// sectors at those offsets except sector 0, the header, which holds 0xFF bytes whenever no
// checkpoint is pending. While one is pending the header makes the log non-empty and ntfs-3g
// refuses the volume, as it refuses a Windows volume that needs its log replayed.
//
// Header (sector 0 of the area, little-endian):
//   0  u32 magic 'ALTJ'      4  u32 version (1)     8  u64 checkpoint sequence
//   16 u32 extent count      20 u32 payload sectors 24 u32 CRC-32 of the payload
//   28 u32 CRC-32 of bytes 0..27
// Payload (in the area's usable sectors, in order: every sector index ≥ 3 that is not a power
// of two): the extent table (per extent: u64 first sector on the disk, u32 sector count, u32
// zero), padded to a whole sector, then the sector images of all extents in table order.

import type { DiskDevice } from '../../../disk/device.ts'
import { u32, set32, set64, u64, crc32 } from './bytes.ts'

export const SECTOR = 512
const MAGIC = 0x4a544c41 // 'ALTJ'
const VERSION = 1

/** a byte range of the disk that belongs to the journal area, in area order */
export interface AreaRun {
  /** offset inside the area */
  areaOffset: number
  /** offset on the disk */
  diskOffset: number
  length: number
}

export interface JournalExtent {
  lba: number
  count: number
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0
}

/** true for area sector indices the journal may fill with payload */
function usable(sectorIndex: number): boolean {
  return sectorIndex >= 3 && !isPowerOfTwo(sectorIndex)
}

export interface PendingJournal {
  sequence: bigint
  extents: JournalExtent[]
  /** sector images, in extent order */
  data: Uint8Array
}

/** clean sectors kept after reads and checkpoints, so hot metadata is not read again */
const CLEAN_CACHE_SECTORS = 32768

export class Journal {
  private dirty = new Map<number, Uint8Array>()
  /** sector images known to equal the disk (metadata read or made durable); user data writes invalidate them */
  private clean = new Map<number, Uint8Array>()
  /** every overwrite of a cached sector inside a group, in order, so any group level can be undone */
  private undoLog: Array<{ lba: number; prev: Uint8Array | null }> = []
  /** open group levels: where each starts in the undo log and the sectors it already saved */
  private levels: Array<{ mark: number; seen: Set<number> }> = []
  private sequence = 1n
  private readonly areaSectors: number
  /** payload sectors the area can hold */
  readonly capacitySectors: number
  /** set when the area holds something else that must be reset before the first checkpoint (a clean foreign log) */
  private areaNeedsReset = false

  constructor(
    private readonly dev: DiskDevice,
    private readonly area: readonly AreaRun[],
    private readonly readOnly: boolean,
  ) {
    let len = 0
    for (const r of area) len = Math.max(len, r.areaOffset + r.length)
    this.areaSectors = Math.floor(len / SECTOR)
    let usableCount = 0
    for (let i = 0; i < this.areaSectors; i++) if (usable(i)) usableCount++
    this.capacitySectors = usableCount
  }

  /** bytes of dirty metadata waiting for a checkpoint */
  get dirtyBytes(): number {
    return this.dirty.size * SECTOR
  }

  get inGroup(): boolean {
    return this.levels.length > 0
  }

  markAreaForReset(): void {
    this.areaNeedsReset = true
  }

  // ---- the cache ------------------------------------------------------------------------

  /** reads bytes through the cache (any range) */
  read(offset: number, length: number, purpose: string): Uint8Array {
    const first = Math.floor(offset / SECTOR)
    const last = Math.floor((offset + length - 1) / SECTOR)
    const out = new Uint8Array(length)
    let missing = false
    for (let lba = first; lba <= last; lba++) {
      const img = this.dirty.get(lba) ?? this.clean.get(lba)
      if (!img) {
        missing = true
        break
      }
      const secStart = lba * SECTOR
      const from = Math.max(offset, secStart)
      const to = Math.min(offset + length, secStart + SECTOR)
      out.set(img.subarray(from - secStart, to - secStart), from - offset)
    }
    if (!missing) return out
    // read the whole sector span once, remember it, then lay the dirty images over it
    const span = this.dev.read(first * SECTOR, (last - first + 1) * SECTOR, purpose)
    for (let lba = first; lba <= last; lba++) {
      const i = lba - first
      if (!this.dirty.has(lba)) this.remember(lba, span.slice(i * SECTOR, (i + 1) * SECTOR))
      const img = this.dirty.get(lba) ?? span.subarray(i * SECTOR, (i + 1) * SECTOR)
      const secStart = lba * SECTOR
      const from = Math.max(offset, secStart)
      const to = Math.min(offset + length, secStart + SECTOR)
      out.set(img.subarray(from - secStart, to - secStart), from - offset)
    }
    return out
  }

  private remember(lba: number, img: Uint8Array): void {
    if (this.clean.size >= CLEAN_CACHE_SECTORS) {
      let drop = CLEAN_CACHE_SECTORS / 4
      for (const k of this.clean.keys()) {
        this.clean.delete(k)
        if (--drop === 0) break
      }
    }
    this.clean.set(lba, img)
  }

  /** forgets clean images of a range written around the cache (user data) */
  invalidate(offset: number, length: number): void {
    if (this.clean.size === 0 || length <= 0) return
    const first = Math.floor(offset / SECTOR)
    const last = Math.floor((offset + length - 1) / SECTOR)
    if (last - first + 1 > this.clean.size) {
      for (const lba of this.clean.keys()) if (lba >= first && lba <= last) this.clean.delete(lba)
    } else {
      for (let lba = first; lba <= last; lba++) this.clean.delete(lba)
    }
  }

  /** writes metadata through the cache; `offset` and the length are whole sectors */
  write(offset: number, data: Uint8Array): void {
    if (this.readOnly) throw new Error('metadata write on a read-only volume')
    if (offset % SECTOR !== 0 || data.length % SECTOR !== 0) {
      throw new Error(`metadata write at byte ${offset} of ${data.length} bytes is not sector-aligned`)
    }
    const first = offset / SECTOR
    for (let i = 0; i < data.length / SECTOR; i++) {
      const lba = first + i
      const prev = this.dirty.get(lba)
      const level = this.levels[this.levels.length - 1]
      let img: Uint8Array
      if (level && !level.seen.has(lba)) {
        // first write of this sector at this level: keep the previous image for rollback and
        // never change that image again
        level.seen.add(lba)
        this.undoLog.push({ lba, prev: prev ?? null })
        img = new Uint8Array(SECTOR)
        this.dirty.set(lba, img)
      } else if (prev) {
        img = prev
      } else {
        img = new Uint8Array(SECTOR)
        this.dirty.set(lba, img)
      }
      img.set(data.subarray(i * SECTOR, (i + 1) * SECTOR))
    }
  }

  /** true when a sector range has cached images (user data must never be written there directly) */
  hasDirty(offset: number, length: number): boolean {
    if (this.dirty.size === 0) return false
    const first = Math.floor(offset / SECTOR)
    const last = Math.floor((offset + length - 1) / SECTOR)
    if (last - first > this.dirty.size) {
      for (const lba of this.dirty.keys()) if (lba >= first && lba <= last) return true
      return false
    }
    for (let lba = first; lba <= last; lba++) if (this.dirty.has(lba)) return true
    return false
  }

  // ---- groups ---------------------------------------------------------------------------

  begin(): void {
    this.levels.push({ mark: this.undoLog.length, seen: new Set() })
  }

  /** ends the innermost group successfully; returns true when the outermost group ended */
  end(): boolean {
    const level = this.levels.pop()
    if (!level) throw new Error('journal group ended twice')
    const parent = this.levels[this.levels.length - 1]
    if (!parent) {
      this.undoLog = []
      return true
    }
    // the parent can undo what this level did through the log entries it leaves behind
    for (const lba of level.seen) parent.seen.add(lba)
    return false
  }

  /** abandons the innermost group: every sector it wrote gets its previous cached image back */
  rollback(): void {
    const level = this.levels.pop()
    if (!level) return
    for (let i = this.undoLog.length - 1; i >= level.mark; i--) {
      const { lba, prev } = this.undoLog[i]!
      if (prev === null) this.dirty.delete(lba)
      else this.dirty.set(lba, prev)
    }
    this.undoLog.length = level.mark
    if (this.levels.length === 0) this.undoLog = []
  }

  // ---- checkpoints ----------------------------------------------------------------------

  /**
   * Makes every cached sector durable, atomically (see the file comment). Must be called
   * between groups. When the cache exceeds the journal area it is written in several
   * transactions, each atomic on its own.
   */
  checkpoint(): void {
    if (this.levels.length !== 0) throw new Error('checkpoint inside a journal group')
    if (this.readOnly) return
    if (this.dirty.size === 0) {
      this.dev.flush('checkpoint')
      return
    }
    const lbas = [...this.dirty.keys()].sort((a, b) => a - b)
    let start = 0
    while (start < lbas.length) {
      // how many sectors fit with their extent table
      let end = start
      let extents = 0
      let prev = -2
      for (; end < lbas.length; end++) {
        const lba = lbas[end]!
        const ext = lba === prev + 1 ? extents : extents + 1
        const tableSectors = Math.ceil((ext * 16) / SECTOR)
        if (tableSectors + (end - start + 1) > this.capacitySectors) break
        extents = ext
        prev = lba
      }
      if (end === start) throw new Error('journal area is too small for one sector')
      this.commit(lbas.slice(start, end))
      start = end
    }
    for (const [lba, img] of this.dirty) this.remember(lba, img)
    this.dirty.clear()
  }

  private commit(lbas: number[]): void {
    const extents: JournalExtent[] = []
    for (const lba of lbas) {
      const last = extents[extents.length - 1]
      if (last && last.lba + last.count === lba) last.count++
      else extents.push({ lba, count: 1 })
    }
    const tableSectors = Math.ceil((extents.length * 16) / SECTOR)
    const payload = new Uint8Array((tableSectors + lbas.length) * SECTOR)
    extents.forEach((e, i) => {
      set64(payload, i * 16, e.lba)
      set32(payload, i * 16 + 8, e.count)
    })
    let o = tableSectors * SECTOR
    for (const lba of lbas) {
      payload.set(this.dirty.get(lba)!, o)
      o += SECTOR
    }
    const seq = this.sequence++
    const header = new Uint8Array(SECTOR).fill(0xff)
    set32(header, 0, MAGIC)
    set32(header, 4, VERSION)
    set64(header, 8, Number(seq))
    set32(header, 16, extents.length)
    set32(header, 20, payload.length / SECTOR)
    set32(header, 24, crc32(payload))
    set32(header, 28, crc32(header.subarray(0, 28)))
    // 1. the redo images and the header, in one pass over the area
    const lastSector = this.areaSectorOfPayload(payload.length / SECTOR - 1)
    const image = new Uint8Array((lastSector + 1) * SECTOR).fill(0xff)
    image.set(header, 0)
    let p = 0
    for (let s = 0; s <= lastSector; s++) {
      if (!usable(s)) continue
      image.set(payload.subarray(p * SECTOR, (p + 1) * SECTOR), s * SECTOR)
      p++
    }
    if (this.areaNeedsReset) {
      this.resetForeignLog()
      this.areaNeedsReset = false
    }
    this.writeArea(0, image)
    this.dev.flush('journal')
    // 2. in place
    this.applyExtents(extents, payload.subarray(tableSectors * SECTOR))
    this.dev.flush('checkpoint')
    // 3. back to an empty log: the whole used part of the area, so $LogFile is all 0xFF as
    // mkntfs leaves it (a crash half-way leaves a transaction that no longer checks out:
    // discarded at mount, which is right, its writes are already durable)
    this.writeArea(0, image.fill(0xff))
  }

  private areaSectorOfPayload(index: number): number {
    let n = -1
    for (let s = 0; s < this.areaSectors; s++) {
      if (!usable(s)) continue
      n++
      if (n === index) return s
    }
    throw new Error('journal payload exceeds the area')
  }

  private applyExtents(extents: readonly JournalExtent[], data: Uint8Array): void {
    let o = 0
    for (const e of extents) {
      this.dev.write(e.lba * SECTOR, data.subarray(o, o + e.count * SECTOR), 'journal-apply')
      o += e.count * SECTOR
    }
  }

  private writeArea(areaOffset: number, data: Uint8Array): void {
    let done = 0
    while (done < data.length) {
      const at = areaOffset + done
      const run = this.area.find((r) => at >= r.areaOffset && at < r.areaOffset + r.length)
      if (!run) throw new Error(`journal area has no byte ${at}`)
      const n = Math.min(data.length - done, run.areaOffset + run.length - at)
      this.dev.write(run.diskOffset + (at - run.areaOffset), data.subarray(done, done + n), 'journal')
      done += n
    }
  }

  /** where a byte of the journal area lies on the disk */
  diskOffsetOf(areaOffset: number): number {
    const run = this.area.find((r) => areaOffset >= r.areaOffset && areaOffset < r.areaOffset + r.length)
    if (!run) throw new Error(`journal area has no byte ${areaOffset}`)
    return run.diskOffset + (areaOffset - run.areaOffset)
  }

  private readArea(areaOffset: number, length: number): Uint8Array {
    const out = new Uint8Array(length)
    let done = 0
    while (done < length) {
      const at = areaOffset + done
      const run = this.area.find((r) => at >= r.areaOffset && at < r.areaOffset + r.length)
      if (!run) throw new Error(`journal area has no byte ${at}`)
      const n = Math.min(length - done, run.areaOffset + run.length - at)
      out.set(this.dev.read(run.diskOffset + (at - run.areaOffset), n, 'journal'), done)
      done += n
    }
    return out
  }

  // ---- mount ----------------------------------------------------------------------------

  /**
   * Looks at the journal area: 'empty' (all 0xFF header), 'pending' with a complete
   * transaction, 'torn' (our header but a bad CRC: discard), or 'foreign' (another journal,
   * e.g. a Windows $LogFile restart page).
   */
  inspect(): { state: 'empty' } | { state: 'pending'; journal: PendingJournal } | { state: 'torn'; reason: string } | { state: 'foreign' } {
    if (this.areaSectors === 0) return { state: 'empty' }
    const header = this.readArea(0, SECTOR)
    const magic = u32(header, 0)
    if (magic === 0xffffffff) return { state: 'empty' }
    if (magic !== MAGIC) return { state: 'foreign' }
    if (crc32(header.subarray(0, 28)) !== u32(header, 28)) return { state: 'torn', reason: 'header checksum mismatch' }
    if (u32(header, 4) !== VERSION) return { state: 'torn', reason: `unknown journal version ${u32(header, 4)}` }
    const extentCount = u32(header, 16)
    const sectors = u32(header, 20)
    if (sectors > this.capacitySectors) return { state: 'torn', reason: 'payload larger than the area' }
    const payload = new Uint8Array(sectors * SECTOR)
    let p = 0
    for (let s = 0; p < sectors && s < this.areaSectors; s++) {
      if (!usable(s)) continue
      payload.set(this.readArea(s * SECTOR, SECTOR), p * SECTOR)
      p++
    }
    if (crc32(payload) !== u32(header, 24)) return { state: 'torn', reason: 'payload checksum mismatch' }
    const extents: JournalExtent[] = []
    let total = 0
    for (let i = 0; i < extentCount; i++) {
      const e = { lba: u64(payload, i * 16), count: u32(payload, i * 16 + 8) }
      extents.push(e)
      total += e.count
    }
    const tableSectors = Math.ceil((extentCount * 16) / SECTOR)
    if (tableSectors + total !== sectors) return { state: 'torn', reason: 'extent table does not match the payload' }
    const seq = BigInt(u32(header, 8)) | (BigInt(u32(header, 12)) << 32n)
    return { state: 'pending', journal: { sequence: seq, extents, data: payload.subarray(tableSectors * SECTOR) } }
  }

  /** replays a pending transaction in place and empties the area (read-write mounts) */
  replay(pending: PendingJournal): void {
    this.applyExtents(pending.extents, pending.data)
    this.dev.flush('replay')
    this.sequence = pending.sequence + 1n
    this.clearArea()
  }

  /** loads a pending transaction into the cache without writing (read-only mounts see the replayed state) */
  overlay(pending: PendingJournal): void {
    let o = 0
    for (const e of pending.extents) {
      for (let i = 0; i < e.count; i++) {
        this.dirty.set(e.lba + i, pending.data.slice(o, o + SECTOR))
        o += SECTOR
      }
    }
  }

  /** resets the header to an empty log and makes it durable */
  clearArea(): void {
    this.writeArea(0, new Uint8Array(SECTOR).fill(0xff))
    this.dev.flush('journal')
  }

  /** resets a clean foreign log to an empty one ($LogFile filled with 0xFF, as ntfs-3g does on mount) */
  resetForeignLog(): void {
    const chunk = new Uint8Array(64 * 1024).fill(0xff)
    const total = this.areaSectors * SECTOR
    for (let o = 0; o < total; o += chunk.length) this.writeArea(o, chunk.subarray(0, Math.min(chunk.length, total - o)))
    this.dev.flush('journal')
  }

  get needsReset(): boolean {
    return this.areaNeedsReset
  }
}
