// The volume checker: reads an NTFS image (never writes it) and reports every inconsistency
// it finds between the structures that must agree — boot sector and its backup, $MFT and
// $MFTMirr, MFT records and their attributes, runlists and the cluster $Bitmap, in-use flags
// and the MFT $BITMAP, directory indexes and $FILE_NAME attributes, link counts, security
// ids and $Secure, $Extend\$Reparse and $ObjId and the records they name.
import type { Collation, IndexEntry } from '../index/host.ts'
import { StoreError } from '../../store.ts'
import { collationFromRule } from '../index/collate.ts'
import { parseRootHeader, AT_FILE_NAME } from '../index/layout.ts'
import { verifyIndex } from '../index/verify.ts'
import { parseFileNameKey, splitFileReference, type FileNameKey } from '../index/filename.ts'
import { parseSecurityHeader, parseSdhKey, parseSiiKey, parseReparseKey, parseObjectIdEntry, securityDescriptorHash } from '../index/views.ts'
import { parseUpcaseTable, upcaseTable } from '../upcase.ts'
import { ImageReader } from './image.ts'
import {
  AT,
  MFT_RECORD_IN_USE,
  MFT_RECORD_IS_DIRECTORY,
  MFT_RECORD_IS_4,
  MFT_RECORD_IS_VIEW_INDEX,
  attrName,
  dv,
  hex,
  parseAttributes,
  parseBoot,
  parseRecordHeader,
  removeFixups,
  type AttrRec,
  type Boot,
  type RecordHeader,
  type Run,
} from './ondisk.ts'
import { formatRanges, UnreadableImageError, type Problem } from './problems.ts'

/** system files (NTFS_SYSTEM_FILES in layout.h) */
const FILE_MFT = 0
const FILE_MFTMirr = 1
const FILE_Bitmap = 6
const FILE_Secure = 9
const FILE_UpCase = 10
const FILE_Extend = 11

/** attributes that are always resident, and those always non-resident ($AttrDef flags of a fresh volume) */
const ALWAYS_RESIDENT = new Set<number>([AT.STANDARD_INFORMATION, AT.FILE_NAME, AT.OBJECT_ID, AT.VOLUME_NAME, AT.VOLUME_INFORMATION, AT.INDEX_ROOT])
const NEVER_RESIDENT = new Set<number>([AT.INDEX_ALLOCATION])
const RESIDENT_ATTR_IS_INDEXED = 0x01
/** $SDS keeps each descriptor twice, 256 KiB apart (layout.h SDS_ENTRY) */
const SDS_MIRROR_DISTANCE = 0x40000
/** records the MFT reserves for system files; 0-15 are always in use */
const FIRST_USER_RECORD = 16

interface RecordInfo {
  n: number
  header: RecordHeader
  attrs: AttrRec[]
}

interface FileAttr extends AttrRec {
  record: number
}

interface FileInfo {
  base: number
  header: RecordHeader
  records: number[]
  attrs: FileAttr[]
}

/** checks the volume in the image at `path`; throws UnreadableImageError when it cannot be read as NTFS at all */
export function checkVolume(path: string): Problem[] {
  let img: ImageReader
  try {
    img = new ImageReader(path)
  } catch (e) {
    throw new UnreadableImageError(`${path}: cannot open the image (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`)
  }
  try {
    return new Checker(img).run()
  } finally {
    img.close()
  }
}

class Checker {
  private readonly problems: Problem[] = []
  private boot!: Boot
  private mftRuns: Run[] = []
  private recordCount = 0
  private readonly records = new Map<number, RecordInfo>()
  private readonly rawHead: Uint8Array[] = []
  private readonly files = new Map<number, FileInfo>()
  private upcase: Uint16Array = upcaseTable()
  /** (directory record) → its $I30 entries */
  private readonly directories = new Map<number, IndexEntry[]>()

  constructor(private readonly img: ImageReader) {}

  private report(where: string, what: string): void {
    this.problems.push({ where, what })
  }

  run(): Problem[] {
    this.readBoot()
    this.readMft()
    this.checkMirror()
    this.groupFiles()
    this.readUpcase()
    this.checkClusters()
    this.checkMftBitmap()
    for (const f of this.files.values()) this.guard(`MFT record ${f.base}`, () => this.checkIndexes(f))
    this.guard('directories', () => this.checkNames())
    this.guard('$Secure', () => this.checkSecurity())
    this.guard('$Extend', () => this.checkExtend())
    return this.problems
  }

  /** runs a check, turning an unexpected failure into a problem instead of a crash */
  private guard(where: string, fn: () => void): void {
    try {
      fn()
    } catch (e) {
      this.report(where, e instanceof StoreError ? e.message : `cannot be checked: ${(e as Error).message}`)
    }
  }

  // ---- reading ----

  private readRuns(runs: readonly Run[], offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length)
    const cs = this.boot.clusterSize
    for (const r of runs) {
      const runStart = r.vcn * cs
      const runEnd = runStart + r.length * cs
      const from = Math.max(offset, runStart)
      const to = Math.min(offset + length, runEnd)
      if (from >= to || r.lcn === undefined) continue
      if (r.lcn < 0 || r.lcn + r.length > this.boot.totalClusters) continue // reported by checkClusters
      const { bytes } = this.img.read(r.lcn * cs + (from - runStart), to - from)
      out.set(bytes, from - offset)
    }
    return out
  }

  /** the value of an attribute: resident bytes, or the non-resident extents joined (up to the initialized size) */
  private attrValue(extents: readonly AttrRec[]): Uint8Array {
    const first = extents[0]
    if (!first) return new Uint8Array(0)
    if (!first.nonResident) return first.value ?? new Uint8Array(0)
    const runs = extents.flatMap((e) => e.runs ?? [])
    const size = first.dataSize ?? 0
    const init = Math.min(first.initializedSize ?? 0, size)
    const out = new Uint8Array(size)
    out.set(this.readRuns(runs, 0, init), 0)
    return out
  }

  private readBoot(): void {
    const { bytes, short } = this.img.read(0, 512)
    if (short === 512) throw new UnreadableImageError(`${this.img.path}: the image is empty`)
    const { boot, errors, warnings } = parseBoot(bytes.subarray(0, 512 - short), this.img.size)
    if (!boot) throw new UnreadableImageError(`${this.img.path}: ${errors[0]}`)
    for (const w of warnings) this.report('boot sector', w.replace(/^boot sector: /, ''))
    for (const e of errors) this.report('boot sector', e.replace(/^boot sector: /, ''))
    this.boot = boot
    // the backup boot sector: the last sector of the volume (mkntfs and Windows put it just past totalSectors)
    const backupAt = Number(boot.totalSectors) * boot.bytesPerSector
    const backup = this.img.read(backupAt, 512)
    if (backup.short > 0) this.report('backup boot sector', `missing: the image ends before byte ${backupAt + 512}`)
    else if (!bytesEqual(backup.bytes, bytes)) this.report('backup boot sector', `at byte ${backupAt} differs from the boot sector (first difference at byte ${firstDifference(backup.bytes, bytes)})`)
  }

  private readRecordAt(offset: number, n: number): { bytes: Uint8Array; problem?: string } {
    const { bytes, short } = this.img.read(offset, this.boot.recordSize)
    if (short > 0) return { bytes, problem: `MFT record ${n} at byte ${offset} lies past the end of the image` }
    return { bytes }
  }

  private readMft(): void {
    const rs = this.boot.recordSize
    const first = this.readRecordAt(this.boot.mftLcn * this.boot.clusterSize, 0)
    if (first.problem) throw new UnreadableImageError(`${this.img.path}: ${first.problem}`)
    const rec0 = first.bytes.slice()
    if (String.fromCharCode(...rec0.subarray(0, 4)) !== 'FILE') throw new UnreadableImageError(`${this.img.path}: MFT record 0 at byte ${this.boot.mftLcn * this.boot.clusterSize}: signature "FILE" missing`)
    const fix = removeFixups(rec0, rs)
    if (fix) throw new UnreadableImageError(`${this.img.path}: MFT record 0 ($MFT): ${fix}`)
    const h0 = parseRecordHeader(rec0)
    const { attrs } = parseAttributes(rec0, h0.attrsOffset, Math.min(h0.bytesInUse, rs))
    const data = attrs.find((a) => a.type === AT.DATA && a.name === '' && a.nonResident && a.lowestVcn === 0)
    if (!data || !data.runs || data.runs.length === 0) throw new UnreadableImageError(`${this.img.path}: MFT record 0 ($MFT) has no non-resident $DATA attribute`)
    this.mftRuns = [...data.runs]
    const mftSize = data.dataSize ?? 0
    // $MFT's own $DATA may continue in extension records named by its attribute list
    const list = attrs.find((a) => a.type === AT.ATTRIBUTE_LIST)
    if (list) {
      const value = list.nonResident ? this.readRuns(list.runs ?? [], 0, list.dataSize ?? 0) : (list.value ?? new Uint8Array(0))
      for (const e of parseAttributeList(value).entries) {
        if (e.type !== AT.DATA || e.name !== '' || e.lowestVcn === 0) continue
        const ext = this.readMftRecordRaw(e.record)
        if (!ext) continue
        const eh = parseRecordHeader(ext)
        const extAttrs = parseAttributes(ext, eh.attrsOffset, Math.min(eh.bytesInUse, rs)).attrs
        const extent = extAttrs.find((a) => a.type === AT.DATA && a.name === '' && a.lowestVcn === e.lowestVcn)
        if (extent?.runs) this.mftRuns.push(...extent.runs)
      }
    }
    this.recordCount = Math.floor(mftSize / rs)
    if (mftSize % rs !== 0) this.report('MFT record 0, attribute $DATA', `data size ${mftSize} is not a multiple of the ${rs}-byte record size`)
    if (data.runs[0]!.lcn !== this.boot.mftLcn) this.report('boot sector', `$MFT cluster ${this.boot.mftLcn} at byte 48, but $MFT's $DATA starts at cluster ${data.runs[0]!.lcn}`)
    const batch = 1024
    for (let start = 0; start < this.recordCount; start += batch) {
      const count = Math.min(batch, this.recordCount - start)
      const chunk = this.readRuns(this.mftRuns, start * rs, count * rs)
      for (let i = 0; i < count; i++) this.readRecord(start + i, chunk.subarray(i * rs, (i + 1) * rs))
    }
  }

  private readMftRecordRaw(n: number): Uint8Array | undefined {
    const rs = this.boot.recordSize
    const b = this.readRuns(this.mftRuns, n * rs, rs)
    return removeFixups(b, rs) ? undefined : b
  }

  private readRecord(n: number, raw: Uint8Array): void {
    const rs = this.boot.recordSize
    if (n < 16) this.rawHead[n] = raw.slice()
    const where = `MFT record ${n}`
    const magic = String.fromCharCode(...raw.subarray(0, 4))
    if (magic === 'BAAD') {
      this.report(where, 'marked BAAD (a torn multi-sector write found by an earlier check)')
      return
    }
    if (magic !== 'FILE') {
      if (n < FIRST_USER_RECORD) this.report(where, `signature "FILE" missing (found ${hex(dv(raw).getUint32(0, true), 8)})`)
      return
    }
    const flags = dv(raw).getUint16(22, true)
    if ((flags & MFT_RECORD_IN_USE) === 0) return
    const b = raw.slice()
    const fix = removeFixups(b, rs)
    if (fix) {
      this.report(where, fix)
      return
    }
    const h = parseRecordHeader(b)
    const usaOfs = dv(b).getUint16(4, true)
    const usaEnd = usaOfs + 2 * dv(b).getUint16(6, true)
    if (h.bytesAllocated !== rs) this.report(where, `allocated size ${h.bytesAllocated} at byte 28, the record size is ${rs}`)
    if (h.bytesInUse > rs || h.bytesInUse % 8 !== 0) {
      this.report(where, `bytes in use ${h.bytesInUse} at byte 24 is not a multiple of 8 within the ${rs}-byte record`)
      return
    }
    if (h.attrsOffset % 8 !== 0 || h.attrsOffset < usaEnd || h.attrsOffset >= h.bytesInUse) {
      this.report(where, `first attribute offset ${h.attrsOffset} at byte 20 is not 8-aligned between the update sequence array (ends at ${usaEnd}) and bytes in use (${h.bytesInUse})`)
      return
    }
    if (h.seq === 0) this.report(where, 'sequence number 0 in a record in use')
    const unknown = h.flags & ~(MFT_RECORD_IN_USE | MFT_RECORD_IS_DIRECTORY | MFT_RECORD_IS_4 | MFT_RECORD_IS_VIEW_INDEX)
    if (unknown) this.report(where, `unknown flags ${hex(unknown, 4)} at byte 22`)
    // NTFS 3.1 records (update sequence array at 0x30) carry their own number at 0x2C
    if (usaOfs >= 0x30 && h.recordNumber !== n) this.report(where, `record number field says ${h.recordNumber} (byte 44)`)
    const { attrs, problems } = parseAttributes(b, h.attrsOffset, h.bytesInUse)
    for (const p of problems) this.report(where, p)
    const end = attrs.length ? attrs[attrs.length - 1]!.offset + attrs[attrs.length - 1]!.length : h.attrsOffset
    if (problems.length === 0 && end + 8 !== h.bytesInUse) this.report(where, `bytes in use ${h.bytesInUse}, but the end marker at byte ${end} makes it ${end + 8}`)
    const instances = new Set<number>()
    let prevType = 0
    for (const [i, a] of attrs.entries()) {
      const aw = `${where}, attribute ${attrName(a.type)}${a.name ? `:${a.name}` : ''} #${a.instance}`
      if (a.type < prevType) this.report(aw, `out of order: type ${hex(a.type)} after type ${hex(prevType)} (attributes are sorted by type)`)
      prevType = a.type
      if (instances.has(a.instance)) this.report(aw, `attribute id ${a.instance} is used twice in the record`)
      instances.add(a.instance)
      if (a.instance >= h.nextInstance) this.report(aw, `attribute id ${a.instance} is not below the record's next attribute id ${h.nextInstance} (byte 40)`)
      if (!ATTR_NAMES_KNOWN(a.type)) this.report(aw, `unknown attribute type ${hex(a.type)} (attribute #${i})`)
      this.checkAttrForm(aw, a)
    }
    this.records.set(n, { n, header: h, attrs })
  }

  private checkAttrForm(where: string, a: AttrRec): void {
    if (a.nonResident && ALWAYS_RESIDENT.has(a.type)) this.report(where, 'is non-resident but must be resident')
    if (!a.nonResident && NEVER_RESIDENT.has(a.type)) this.report(where, 'is resident but must be non-resident')
    if (!a.nonResident) {
      const v = a.value!
      if (a.type === AT.STANDARD_INFORMATION && v.length !== 48 && v.length !== 72) this.report(where, `value of ${v.length} bytes (48 or 72 expected)`)
      if (a.type === AT.FILE_NAME) {
        if (v.length < 66 || v.length !== 66 + 2 * v[64]!) this.report(where, `value of ${v.length} bytes for a name of ${v[64] ?? 0} characters`)
        if (((a.residentFlags ?? 0) & RESIDENT_ATTR_IS_INDEXED) === 0) this.report(where, 'resident flag "indexed" (0x01) is not set')
      }
      if (a.type === AT.OBJECT_ID && v.length !== 16 && v.length !== 64) this.report(where, `value of ${v.length} bytes (16 or 64 expected)`)
      return
    }
    const cs = this.boot.clusterSize
    const runs = a.runs ?? []
    const covered = runs.reduce((s, r) => s + r.length, 0)
    const expected = (a.highestVcn ?? -1) - (a.lowestVcn ?? 0) + 1
    if ((a.lowestVcn ?? 0) < 0 || expected < 0 || (expected === 0 && (a.highestVcn ?? -1) !== -1 && (a.lowestVcn ?? 0) === 0)) this.report(where, `VCN range ${a.lowestVcn}-${a.highestVcn} is invalid`)
    else if (covered !== expected && !(expected === 0 && covered === 0)) this.report(where, `runlist covers ${covered} clusters, the VCN range ${a.lowestVcn}-${a.highestVcn} has ${expected}`)
    for (const r of runs) {
      if (r.lcn !== undefined && (r.lcn < 0 || r.lcn + r.length > this.boot.totalClusters)) this.report(where, `run of ${r.length} clusters at LCN ${r.lcn} lies outside the ${this.boot.totalClusters}-cluster volume`)
    }
    if (a.lowestVcn === 0) {
      const alloc = a.allocatedSize ?? 0
      const size = a.dataSize ?? 0
      const init = a.initializedSize ?? 0
      if (alloc % cs !== 0) this.report(where, `allocated size ${alloc} is not a multiple of the cluster size ${cs}`)
      if (size > alloc) this.report(where, `data size ${size} exceeds the allocated size ${alloc}`)
      if (init > size) this.report(where, `initialized size ${init} exceeds the data size ${size}`)
    }
  }

  // ---- $MFTMirr ----

  private checkMirror(): void {
    const mirror = this.records.get(FILE_MFTMirr)
    const data = mirror?.attrs.find((a) => a.type === AT.DATA && a.name === '')
    if (!mirror || !data || !data.nonResident) {
      this.report('$MFTMirr', 'record 1 has no non-resident $DATA attribute')
      return
    }
    const rs = this.boot.recordSize
    const runs = data.runs ?? []
    if (runs[0]?.lcn !== this.boot.mftMirrLcn) this.report('boot sector', `$MFTMirr cluster ${this.boot.mftMirrLcn} at byte 56, but $MFTMirr's $DATA starts at cluster ${runs[0]?.lcn}`)
    const count = Math.min(Math.floor((data.dataSize ?? 0) / rs), 16, this.recordCount)
    if (count < 4) this.report('$MFTMirr', `mirrors ${count} records, at least 4 ($MFT, $MFTMirr, $LogFile, $Volume) expected`)
    const copy = this.readRuns(runs, 0, count * rs)
    for (let i = 0; i < count; i++) {
      const mine = this.rawHead[i]
      if (mine && !bytesEqual(mine, copy.subarray(i * rs, (i + 1) * rs))) this.report('$MFTMirr', `record ${i} differs from MFT record ${i} (first difference at byte ${firstDifference(mine, copy.subarray(i * rs, (i + 1) * rs))})`)
    }
  }

  // ---- files: base records with their extension records ----

  private groupFiles(): void {
    for (const r of this.records.values()) {
      if (r.header.baseRef !== 0n) continue
      this.files.set(r.n, { base: r.n, header: r.header, records: [r.n], attrs: r.attrs.map((a) => ({ ...a, record: r.n })) })
    }
    for (const r of this.records.values()) {
      if (r.header.baseRef === 0n) continue
      const { record: base, seq } = splitFileReference(r.header.baseRef)
      const where = `MFT record ${r.n}`
      const f = this.files.get(base)
      if (!f) {
        this.report(where, `extension record of MFT record ${base}, which is not an in-use base record`)
        continue
      }
      if (f.header.seq !== seq) this.report(where, `base reference names sequence ${seq} of MFT record ${base}, which has sequence ${f.header.seq}`)
      if (r.header.linkCount !== 0) this.report(where, `extension record with link count ${r.header.linkCount} (0 expected)`)
      f.records.push(r.n)
      for (const a of r.attrs) f.attrs.push({ ...a, record: r.n })
    }
    for (const f of this.files.values()) this.guard(`MFT record ${f.base}`, () => this.checkAttributeList(f))
  }

  private checkAttributeList(f: FileInfo): void {
    const where = `MFT record ${f.base}`
    const listAttr = f.attrs.find((a) => a.type === AT.ATTRIBUTE_LIST && a.record === f.base)
    if (!listAttr) {
      if (f.records.length > 1) this.report(where, `has extension records ${f.records.slice(1).join(', ')} but no $ATTRIBUTE_LIST`)
      return
    }
    const { entries, problem } = parseAttributeList(this.attrValue([listAttr]))
    const lw = `${where}, attribute $ATTRIBUTE_LIST #${listAttr.instance}`
    if (problem) this.report(lw, problem)
    const listed = new Set<string>()
    for (const e of entries) {
      const key = `${e.record}/${e.type}/${e.instance}`
      listed.add(key)
      const target = f.attrs.find((a) => a.record === e.record && a.type === e.type && a.instance === e.instance)
      if (!f.records.includes(e.record)) this.report(lw, `entry for ${attrName(e.type)} names MFT record ${e.record}, which is not part of this file`)
      else if (!target) this.report(lw, `entry for ${attrName(e.type)} #${e.instance} in MFT record ${e.record}: no such attribute there`)
      else if (target.name !== e.name || (target.nonResident ? target.lowestVcn : 0) !== e.lowestVcn) this.report(lw, `entry for ${attrName(e.type)} #${e.instance} in MFT record ${e.record} does not match its name or lowest VCN`)
      const { record, seq } = splitFileReference(e.ref)
      const rec = this.records.get(record)
      if (rec && rec.header.seq !== seq) this.report(lw, `entry for ${attrName(e.type)} names sequence ${seq} of MFT record ${record}, which has sequence ${rec.header.seq}`)
    }
    for (const a of f.attrs) {
      if (a.type === AT.ATTRIBUTE_LIST) continue
      if (!listed.has(`${a.record}/${a.type}/${a.instance}`)) this.report(`MFT record ${a.record}, attribute ${attrName(a.type)} #${a.instance}`, `not listed in the $ATTRIBUTE_LIST of MFT record ${f.base}`)
    }
  }

  private readUpcase(): void {
    const f = this.files.get(FILE_UpCase)
    const data = f?.attrs.filter((a) => a.type === AT.DATA && a.name === '')
    if (!f || !data?.length) {
      this.report('$UpCase', 'record 10 has no $DATA attribute; names are checked with the default table')
      return
    }
    const value = this.attrValue(data)
    if (value.length !== 131072) this.report('$UpCase', `table of ${value.length} bytes (131072 expected)`)
    this.upcase = parseUpcaseTable(value)
  }

  // ---- clusters ----

  private checkClusters(): void {
    const total = this.boot.totalClusters
    const owner = new Int32Array(total).fill(-1)
    const doubles = new Map<string, number[]>()
    for (const r of this.records.values()) {
      for (const a of r.attrs) {
        if (!a.nonResident) continue
        for (const run of a.runs ?? []) {
          if (run.lcn === undefined) continue
          const from = Math.max(0, run.lcn)
          const to = Math.min(total, run.lcn + run.length)
          for (let c = from; c < to; c++) {
            const prev = owner[c]!
            if (prev >= 0 && prev !== r.n) {
              const key = `${prev}/${r.n}`
              let list = doubles.get(key)
              if (!list) doubles.set(key, (list = []))
              list.push(c)
            } else if (prev === r.n && c >= from) {
              // the same record claiming a cluster twice (two runs overlapping)
              const key = `${r.n}/${r.n}`
              let list = doubles.get(key)
              if (!list) doubles.set(key, (list = []))
              if (claimedTwiceInRecord(r, c)) list.push(c)
            }
            owner[c] = r.n
          }
        }
      }
    }
    for (const [key, list] of doubles) {
      if (list.length === 0) continue
      const [a, b] = key.split('/')
      this.report('clusters', a === b ? `clusters ${formatRanges(list)} are claimed twice by MFT record ${a}` : `clusters ${formatRanges(list)} are claimed by both MFT record ${a} and MFT record ${b}`)
    }
    const bitmapFile = this.files.get(FILE_Bitmap)
    const data = bitmapFile?.attrs.filter((x) => x.type === AT.DATA && x.name === '')
    if (!data?.length) {
      this.report('$Bitmap', 'record 6 has no $DATA attribute')
      return
    }
    const bits = this.attrValue(data)
    if (bits.length * 8 < total) this.report('$Bitmap', `${bits.length} bytes cover ${bits.length * 8} clusters, the volume has ${total}`)
    const lost: number[] = []
    const unmarked: number[] = []
    for (let c = 0; c < total; c++) {
      const set = ((bits[c >> 3] ?? 0) >> (c & 7)) & 1
      const used = owner[c]! >= 0
      if (set && !used) lost.push(c)
      else if (!set && used) unmarked.push(c)
    }
    if (lost.length) this.report('$Bitmap', `clusters ${formatRanges(lost)} are marked in use but no attribute uses them (lost clusters)`)
    if (unmarked.length) this.report('$Bitmap', `clusters ${formatRanges(unmarked)} are used (${describeOwners(unmarked, owner)}) but marked free`)
  }

  private checkMftBitmap(): void {
    const mft = this.files.get(FILE_MFT)
    const bitmap = mft?.attrs.filter((a) => a.type === AT.BITMAP && a.name === '')
    if (!bitmap?.length) {
      this.report('$MFT:$BITMAP', 'MFT record 0 has no $BITMAP attribute')
      return
    }
    const bits = this.attrValue(bitmap)
    if (bits.length * 8 < this.recordCount) this.report('$MFT:$BITMAP', `${bits.length * 8} bits for ${this.recordCount} MFT records`)
    const freeButUsed: number[] = []
    const usedButFree: number[] = []
    for (let n = 0; n < this.recordCount; n++) {
      const set = ((bits[n >> 3] ?? 0) >> (n & 7)) & 1
      const inUse = this.records.has(n)
      if (inUse && !set) usedButFree.push(n)
      // records 16-23 are reserved: Windows and mkntfs leave them out of use with clear bits, but
      // a bit set there without a record is harmless only below 24 (unverified: chkdsk's view)
      else if (!inUse && set && !this.recordInUseFlag(n) && !(n >= FIRST_USER_RECORD && n < 24)) freeButUsed.push(n)
    }
    if (usedButFree.length) this.report('$MFT:$BITMAP', `MFT records ${formatRanges(usedButFree)} are in use but their bits are clear`)
    if (freeButUsed.length) this.report('$MFT:$BITMAP', `MFT records ${formatRanges(freeButUsed)} are marked in use but are not in use`)
    for (let n = this.recordCount; n < bits.length * 8; n++) {
      if (((bits[n >> 3] ?? 0) >> (n & 7)) & 1) {
        this.report('$MFT:$BITMAP', `bit ${n} is set beyond the ${this.recordCount} records of $MFT`)
        break
      }
    }
  }

  /** true when the record has the in-use flag but was rejected (already reported) */
  private recordInUseFlag(n: number): boolean {
    const raw = this.readRuns(this.mftRuns, n * this.boot.recordSize, 24)
    return String.fromCharCode(...raw.subarray(0, 4)) === 'FILE' && (dv(raw).getUint16(22, true) & MFT_RECORD_IN_USE) !== 0
  }

  // ---- indexes ----

  private checkIndexes(f: FileInfo): void {
    const roots = f.attrs.filter((a) => a.type === AT.INDEX_ROOT)
    const hasI30 = roots.some((a) => a.name === '$I30')
    const isDir = (f.header.flags & MFT_RECORD_IS_DIRECTORY) !== 0
    if (hasI30 && !isDir) this.report(`MFT record ${f.base}`, 'has a $I30 index but not the directory flag (0x02 at byte 22)')
    if (!hasI30 && isDir) this.report(`MFT record ${f.base}`, 'has the directory flag but no $I30 index')
    for (const root of roots) this.guard(`MFT record ${f.base}, index ${root.name}`, () => this.checkIndex(f, root))
    for (const a of f.attrs) {
      if ((a.type === AT.INDEX_ALLOCATION || (a.type === AT.BITMAP && f.base !== FILE_MFT)) && !roots.some((r) => r.name === a.name)) {
        this.report(`MFT record ${a.record}, attribute ${attrName(a.type)}:${a.name} #${a.instance}`, `no $INDEX_ROOT named ${a.name}`)
      }
    }
  }

  private checkIndex(f: FileInfo, rootAttr: FileAttr): void {
    const where = `MFT record ${f.base}, index ${rootAttr.name}`
    const value = rootAttr.value ?? new Uint8Array(0)
    const info = parseRootHeader(value)
    const collation: Collation | undefined = collationFromRule(info.collationRule)
    if (!collation) {
      this.report(where, `collation rule ${hex(info.collationRule)} in $INDEX_ROOT is not one NTFS uses`)
      return
    }
    if (rootAttr.name === '$I30' && (info.attributeType !== AT_FILE_NAME || collation !== 'filename')) this.report(where, `$INDEX_ROOT indexes type ${hex(info.attributeType)} with ${collation} collation ($FILE_NAME with COLLATION_FILE_NAME expected)`)
    if (info.blockSize !== this.boot.indexBlockSize) this.report(where, `index block size ${info.blockSize} in $INDEX_ROOT, the boot sector says ${this.boot.indexBlockSize}`)
    const cs = this.boot.clusterSize
    const expectedUnit = info.blockSize >= cs ? info.blockSize / cs : info.blockSize / 512
    if (info.clustersPerBlock !== expectedUnit) this.report(where, `$INDEX_ROOT gives ${info.clustersPerBlock} ${info.blockSize >= cs ? 'clusters' : 'sectors'} per index block, ${expectedUnit} expected`)
    const alloc = f.attrs.filter((a) => a.type === AT.INDEX_ALLOCATION && a.name === rootAttr.name).sort((a, b) => (a.lowestVcn ?? 0) - (b.lowestVcn ?? 0))
    const bitmapAttr = f.attrs.filter((a) => a.type === AT.BITMAP && a.name === rootAttr.name)
    const unit = info.blockSize >= cs ? cs : 512
    const allocSize = alloc[0]?.dataSize ?? 0
    const runs = alloc.flatMap((a) => a.runs ?? [])
    const host = {
      name: rootAttr.name,
      blockSize: info.blockSize,
      readRoot: () => value,
      readBlock: (vcn: number): Uint8Array => {
        if (alloc.length === 0) throw new StoreError(`${where}: child VCN ${vcn}, but there is no $INDEX_ALLOCATION`, 'corrupt')
        const offset = vcn * unit
        if (offset + info.blockSize > allocSize) throw new StoreError(`${where}: child VCN ${vcn} lies past the ${allocSize}-byte $INDEX_ALLOCATION`, 'corrupt')
        const b = this.readRuns(runs, offset, info.blockSize)
        if (String.fromCharCode(...b.subarray(0, 4)) !== 'INDX') throw new StoreError(`${where}: INDX block at VCN ${vcn}: signature "INDX" missing`, 'corrupt')
        const fix = removeFixups(b, info.blockSize)
        if (fix) throw new StoreError(`${where}: INDX block at VCN ${vcn}: ${fix}`, 'corrupt')
        return b
      },
    }
    const report = verifyIndex(host, collation, this.upcase, where)
    for (const p of report.problems) {
      const m = /^(.*?): (.*)$/s.exec(p)
      this.report(m && m[1]!.startsWith(where) ? m[1]! : where, m && m[1]!.startsWith(where) ? m[2]! : p)
    }
    // $BITMAP of the index: exactly the blocks the tree reaches
    if (alloc.length > 0) {
      if (bitmapAttr.length === 0) this.report(where, 'has $INDEX_ALLOCATION but no $BITMAP')
      else {
        const bits = this.attrValue(bitmapAttr)
        const blocks = Math.floor(allocSize / info.blockSize)
        const reached = new Set(report.blocks.map((vcn) => (vcn * unit) / info.blockSize))
        const notMarked: number[] = []
        const notReached: number[] = []
        for (let i = 0; i < Math.max(blocks, bits.length * 8); i++) {
          const set = ((bits[i >> 3] ?? 0) >> (i & 7)) & 1
          if (reached.has(i) && !set) notMarked.push((i * info.blockSize) / unit)
          if (!reached.has(i) && set) notReached.push((i * info.blockSize) / unit)
        }
        if (notMarked.length) this.report(`${where}, $BITMAP`, `blocks at VCN ${formatRanges(notMarked)} are in the tree but clear in $BITMAP`)
        if (notReached.length) this.report(`${where}, $BITMAP`, `blocks at VCN ${formatRanges(notReached)} are marked in use but not in the tree`)
      }
    } else if (report.depth > 1) {
      this.report(where, 'the root has child blocks but there is no $INDEX_ALLOCATION')
    }
    if (rootAttr.name === '$I30') this.directories.set(f.base, report.entries)
    else this.views.set(`${f.base}/${rootAttr.name}`, report.entries)
  }

  private readonly views = new Map<string, IndexEntry[]>()

  // ---- names: $I30 entries against $FILE_NAME attributes, link counts ----

  private readonly namesCache = new Map<number, { attr: FileAttr; fn: FileNameKey }[]>()

  /** the parsed $FILE_NAME attributes of a file (parsed once; bad ones reported once) */
  private fileNames(f: FileInfo): { attr: FileAttr; fn: FileNameKey }[] {
    const cached = this.namesCache.get(f.base)
    if (cached) return cached
    const out: { attr: FileAttr; fn: FileNameKey }[] = []
    this.namesCache.set(f.base, out)
    for (const a of f.attrs) {
      if (a.type !== AT.FILE_NAME || !a.value) continue
      try {
        out.push({ attr: a, fn: parseFileNameKey(a.value) })
      } catch (e) {
        this.report(`MFT record ${a.record}, attribute $FILE_NAME #${a.instance}`, (e as Error).message)
      }
    }
    return out
  }

  private checkNames(): void {
    const indexed = new Set<string>()
    for (const [dir, entries] of this.directories) {
      const dirFile = this.files.get(dir)!
      for (const e of entries) {
        let fn: FileNameKey
        try {
          fn = parseFileNameKey(e.key)
        } catch (err) {
          this.report(`MFT record ${dir}, index $I30`, `entry: ${(err as Error).message}`)
          continue
        }
        const where = `MFT record ${dir}, index $I30, entry "${fn.name}"`
        const { record, seq } = splitFileReference(e.fileReference)
        const parent = splitFileReference(fn.parentRef)
        indexed.add(`${dir}/${fn.nameSpace}/${fn.name}/${record}`)
        if (parent.record !== dir || parent.seq !== dirFile.header.seq) this.report(where, `key names parent MFT record ${parent.record} sequence ${parent.seq}, the directory is record ${dir} sequence ${dirFile.header.seq}`)
        const target = this.files.get(record)
        if (!target) {
          this.report(where, this.records.has(record) ? `points to MFT record ${record}, an extension record` : `points to MFT record ${record}, which is not in use`)
          continue
        }
        if (target.header.seq !== seq) this.report(where, `points to sequence ${seq} of MFT record ${record}, which has sequence ${target.header.seq}`)
        const names = this.fileNames(target)
        if (!names.some((n) => n.fn.name === fn.name && n.fn.nameSpace === fn.nameSpace && splitFileReference(n.fn.parentRef).record === dir)) {
          this.report(where, `MFT record ${record} has no $FILE_NAME "${fn.name}" (namespace ${fn.nameSpace}) in this directory`)
        }
        const isDir = (target.header.flags & MFT_RECORD_IS_DIRECTORY) !== 0
        // FILE_ATTRIBUTE_DUP_FILE_NAME_INDEX_PRESENT marks directories in the duplicated attributes
        if (isDir !== ((fn.fileAttributes & 0x10000000) !== 0)) this.report(where, `file attributes ${hex(fn.fileAttributes, 8)} ${isDir ? 'lack' : 'have'} the directory bit 0x10000000 but MFT record ${record} ${isDir ? 'is' : 'is not'} a directory`)
      }
    }
    for (const f of this.files.values()) {
      const names = this.fileNames(f)
      for (const { attr, fn } of names) {
        const parent = splitFileReference(fn.parentRef)
        const where = `MFT record ${f.base}, attribute $FILE_NAME #${attr.instance} "${fn.name}"`
        if (!this.directories.has(parent.record)) {
          this.report(where, `parent MFT record ${parent.record} is not a directory in use`)
          continue
        }
        if (!indexed.has(`${parent.record}/${fn.nameSpace}/${fn.name}/${f.base}`)) this.report(where, `has no entry in the $I30 index of its parent, MFT record ${parent.record}`)
        if (this.files.get(parent.record)!.header.seq !== parent.seq) this.report(where, `names sequence ${parent.seq} of its parent MFT record ${parent.record}, which has sequence ${this.files.get(parent.record)!.header.seq}`)
      }
      // layout.h MFT_RECORD.link_count: the number of directory entries naming the record; a
      // separate DOS name has its own entry and counts (ntfs-3g ntfs_link_i counts it too)
      if (f.header.linkCount !== names.length) this.report(`MFT record ${f.base}`, `link count ${f.header.linkCount} at byte 18, the record has ${names.length} $FILE_NAME attribute${names.length === 1 ? '' : 's'}`)
    }
  }

  // ---- security ids ----

  private checkSecurity(): void {
    const secure = this.files.get(FILE_Secure)
    if (!secure) {
      this.report('$Secure', 'MFT record 9 is not in use')
      return
    }
    const sii = this.views.get(`${FILE_Secure}/$SII`)
    const sdh = this.views.get(`${FILE_Secure}/$SDH`)
    const sdsAttr = secure.attrs.filter((a) => a.type === AT.DATA && a.name === '$SDS')
    if (!sii || !sdh || sdsAttr.length === 0) {
      this.report('$Secure', `missing ${[!sii && '$SII index', !sdh && '$SDH index', sdsAttr.length === 0 && '$SDS stream'].filter(Boolean).join(', ')}`)
      return
    }
    const sds = this.attrValue(sdsAttr)
    const ids = new Set<number>()
    const sdhKeys = new Set(sdh.map((e) => {
      const k = parseSdhKey(e.key)
      return `${k.hash}/${k.securityId}`
    }))
    for (const e of sii) {
      const id = parseSiiKey(e.key)
      ids.add(id)
      const where = `$Secure:$SII, security id ${hex(id)}`
      const h = parseSecurityHeader(e.data)
      if (h.securityId !== id) this.report(where, `entry data names security id ${hex(h.securityId)}`)
      if (h.offset + h.length > sds.length || h.length < 20) {
        this.report(where, `$SDS entry at ${h.offset}+${h.length} lies outside the ${sds.length}-byte $SDS`)
        continue
      }
      const stored = parseSecurityHeader(sds.subarray(h.offset, h.offset + 20))
      if (stored.hash !== h.hash || stored.securityId !== id || stored.offset !== h.offset || stored.length !== h.length) this.report(where, `$SDS header at byte ${h.offset} does not match the index entry`)
      const hash = securityDescriptorHash(sds.subarray(h.offset + 20, h.offset + h.length))
      if (hash !== h.hash) this.report(where, `descriptor hash is ${hex(hash, 8)}, the index says ${hex(h.hash, 8)}`)
      const mirror = h.offset + SDS_MIRROR_DISTANCE
      if (mirror + h.length <= sds.length && !bytesEqual(sds.subarray(h.offset, h.offset + h.length), sds.subarray(mirror, mirror + h.length))) this.report(where, `the $SDS copy at byte ${mirror} differs from the one at byte ${h.offset}`)
      if (!sdhKeys.has(`${h.hash}/${id}`)) this.report(where, 'has no $SDH entry')
    }
    for (const e of sdh) {
      const k = parseSdhKey(e.key)
      if (!ids.has(k.securityId)) this.report(`$Secure:$SDH, security id ${hex(k.securityId)}`, 'has no $SII entry')
    }
    for (const f of this.files.values()) {
      const si = f.attrs.find((a) => a.type === AT.STANDARD_INFORMATION)
      if (!si) {
        if (f.base < FIRST_USER_RECORD || f.attrs.some((a) => a.type === AT.FILE_NAME)) this.report(`MFT record ${f.base}`, 'has no $STANDARD_INFORMATION')
        continue
      }
      if (!si.value || si.value.length < 72) continue
      const id = dv(si.value).getUint32(52, true)
      if (id !== 0 && !ids.has(id)) this.report(`MFT record ${f.base}, attribute $STANDARD_INFORMATION #${si.instance}`, `security id ${hex(id)} is not in $Secure:$SII`)
    }
  }

  // ---- $Extend: $Reparse and $ObjId ----

  private extendChild(name: string): FileInfo | undefined {
    const entries = this.directories.get(FILE_Extend)
    if (!entries) return undefined
    for (const e of entries) {
      try {
        if (parseFileNameKey(e.key).name === name) return this.files.get(splitFileReference(e.fileReference).record)
      } catch {
        // reported by checkNames
      }
    }
    return undefined
  }

  private checkExtend(): void {
    const reparse = this.extendChild('$Reparse')
    const objid = this.extendChild('$ObjId')
    const withReparse = [...this.files.values()].filter((f) => f.attrs.some((a) => a.type === AT.REPARSE_POINT))
    const withObjectId = [...this.files.values()].filter((f) => f.attrs.some((a) => a.type === AT.OBJECT_ID))
    const refOf = (f: FileInfo) => (BigInt(f.header.seq) << 48n) | BigInt(f.base)

    if (!reparse) {
      if (withReparse.length) this.report('$Extend', `no $Reparse, but MFT records ${formatRanges(withReparse.map((f) => f.base))} are reparse points`)
    } else {
      const entries = this.views.get(`${reparse.base}/$R`)
      if (!entries) this.report(`MFT record ${reparse.base} ($Reparse)`, 'has no $R index')
      else {
        const keys = new Set<string>()
        for (const e of entries) {
          const { tag, fileReference } = parseReparseKey(e.key)
          keys.add(`${tag}/${fileReference}`)
          const { record, seq } = splitFileReference(fileReference)
          const where = `$Reparse:$R, entry for MFT record ${record}`
          const f = this.files.get(record)
          const rp = f?.attrs.find((a) => a.type === AT.REPARSE_POINT)
          if (!f || f.header.seq !== seq) this.report(where, `names sequence ${seq} of a record that is not in use with that sequence`)
          else if (!rp) this.report(where, 'the record has no $REPARSE_POINT')
          else {
            const v = this.attrValue([rp])
            const actual = v.length >= 4 ? dv(v).getUint32(0, true) : -1
            if (actual !== tag) this.report(where, `tag ${hex(tag, 8)}, the record's $REPARSE_POINT has ${hex(actual >>> 0, 8)}`)
          }
        }
        for (const f of withReparse) {
          const rp = f.attrs.find((a) => a.type === AT.REPARSE_POINT)!
          const v = this.attrValue([rp])
          const tag = v.length >= 4 ? dv(v).getUint32(0, true) : 0
          if (!keys.has(`${tag}/${refOf(f)}`)) this.report(`MFT record ${f.base}, attribute $REPARSE_POINT #${rp.instance}`, `tag ${hex(tag, 8)} has no entry in $Extend\\$Reparse:$R`)
        }
      }
    }

    if (!objid) {
      if (withObjectId.length) this.report('$Extend', `no $ObjId, but MFT records ${formatRanges(withObjectId.map((f) => f.base))} have object ids`)
    } else {
      const entries = this.views.get(`${objid.base}/$O`)
      if (!entries) this.report(`MFT record ${objid.base} ($ObjId)`, 'has no $O index')
      else {
        const keys = new Map<string, bigint>()
        for (const e of entries) {
          const o = parseObjectIdEntry(e)
          const guid = Buffer.from(o.objectId).toString('hex')
          keys.set(guid, o.fileReference)
          const { record, seq } = splitFileReference(o.fileReference)
          const where = `$ObjId:$O, object id ${guid}`
          const f = this.files.get(record)
          const attr = f?.attrs.find((a) => a.type === AT.OBJECT_ID)
          if (!f || f.header.seq !== seq) this.report(where, `names MFT record ${record} sequence ${seq}, which is not in use with that sequence`)
          else if (!attr) this.report(where, `MFT record ${record} has no $OBJECT_ID`)
          else if (Buffer.from((attr.value ?? new Uint8Array(0)).subarray(0, 16)).toString('hex') !== guid) this.report(where, `MFT record ${record}'s $OBJECT_ID is ${Buffer.from((attr.value ?? new Uint8Array(0)).subarray(0, 16)).toString('hex')}`)
        }
        for (const f of withObjectId) {
          const attr = f.attrs.find((a) => a.type === AT.OBJECT_ID)!
          const guid = Buffer.from((attr.value ?? new Uint8Array(0)).subarray(0, 16)).toString('hex')
          if (keys.get(guid) !== refOf(f)) this.report(`MFT record ${f.base}, attribute $OBJECT_ID #${attr.instance}`, `object id ${guid} has no entry in $Extend\\$ObjId:$O naming this record`)
        }
      }
    }
  }
}

// ---- helpers ----

function ATTR_NAMES_KNOWN(type: number): boolean {
  return attrName(type).startsWith('$')
}

function claimedTwiceInRecord(r: RecordInfo, c: number): boolean {
  let n = 0
  for (const a of r.attrs) for (const run of a.runs ?? []) if (run.lcn !== undefined && c >= run.lcn && c < run.lcn + run.length) n++
  return n > 1
}

function describeOwners(clusters: readonly number[], owner: Int32Array): string {
  const owners = [...new Set(clusters.map((c) => owner[c]!))].slice(0, 5)
  return `by MFT record${owners.length > 1 ? 's' : ''} ${owners.join(', ')}`
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i
  return n
}

interface AttributeListEntry {
  type: number
  name: string
  lowestVcn: number
  ref: bigint
  record: number
  instance: number
}

/** ATTR_LIST_ENTRY (layout.h): type, entry length, name length/offset, lowest VCN, MFT reference, instance, name */
function parseAttributeList(b: Uint8Array): { entries: AttributeListEntry[]; problem?: string } {
  const entries: AttributeListEntry[] = []
  const v = dv(b)
  let at = 0
  while (at + 26 <= b.length) {
    const type = v.getUint32(at, true)
    const length = v.getUint16(at + 4, true)
    if (length < 26 || at + length > b.length) return { entries, problem: `entry at byte ${at} has length ${length}` }
    const nameLength = b[at + 6]!
    const nameOffset = b[at + 7]!
    let name = ''
    if (nameOffset + 2 * nameLength > length) return { entries, problem: `entry at byte ${at} has its name outside the entry` }
    for (let i = 0; i < nameLength; i++) name += String.fromCharCode(v.getUint16(at + nameOffset + 2 * i, true))
    const ref = v.getBigUint64(at + 16, true)
    entries.push({ type, name, lowestVcn: Number(v.getBigUint64(at + 8, true)), ref, record: Number(ref & 0xffffffffffffn), instance: v.getUint16(at + 24, true) })
    at += length
  }
  return { entries }
}
