// The checker on volumes Altitude formats and writes: clean as made, and each deliberate
// corruption of an index, its $BITMAP, $Reparse or $ObjId reported where it is.
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { readFileSync, openSync, writeSync, closeSync, copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { openDiskStore } from '../disk-store.ts'
import { TempImages } from '../test-volume.ts'
import { stdInfo } from '../store-conformance.ts'
import { NameSpace } from '../../store.ts'
import { runCheck } from './index.ts'
import { AT, dv, parseAttributes, parseRecordHeader, removeFixups, type AttrRec } from './ondisk.ts'
import { parseBlock, parseRoot } from '../index/layout.ts'

const images = new TempImages()
afterAll(() => images.cleanup())

let img = ''
let dirRecord = 0
let fileRecord = 0

beforeAll(() => {
  img = images.formatted({ sizeBytes: 24 * 1024 * 1024 })
  const s = openDiskStore(img)
  const dir = s.createRecord({ isDirectory: true, std: stdInfo(0x10), name: { parent: 5, name: 'Documents and Settings', nameSpace: NameSpace.Win32 } })
  dirRecord = dir.record
  s.addName(dir.record, { parent: 5, name: 'DOCUME~1', nameSpace: NameSpace.Dos })
  for (let i = 0; i < 300; i++) s.createRecord({ isDirectory: false, std: stdInfo(), name: { parent: dir.record, name: `report ${String(i).padStart(3, '0')}.docx`, nameSpace: NameSpace.Win32 } })
  const f = s.createRecord({ isDirectory: false, std: stdInfo(), name: { parent: dir.record, name: 'a long file name.txt', nameSpace: NameSpace.Win32 } })
  fileRecord = f.record
  s.addName(f.record, { parent: dir.record, name: 'ALONGF~1.TXT', nameSpace: NameSpace.Dos })
  s.addName(f.record, { parent: 5, name: 'hardlink.txt', nameSpace: NameSpace.Win32AndDos })
  s.createStream(f.record, '')
  s.writeStream(f.record, '', 0, new Uint8Array(300_000).fill(7))
  s.createStream(f.record, 'Zone.Identifier')
  s.writeStream(f.record, 'Zone.Identifier', 0, new Uint8Array(30).fill(1))
  s.setReparsePoint(f.record, { tag: 0x80000017, data: new Uint8Array(24) })
  s.setObjectId(f.record, new Uint8Array(16).fill(9))
  s.setEas(f.record, [{ name: 'MYEA', value: new Uint8Array([1, 2, 3]), flags: 0 }])
  const many = s.createRecord({ isDirectory: false, std: stdInfo(), name: { parent: 5, name: 'many streams.bin', nameSpace: NameSpace.Win32 } })
  for (let i = 0; i < 30; i++) {
    s.createStream(many.record, `stream number ${i}`)
    s.writeStream(many.record, `stream number ${i}`, 0, new Uint8Array(100 + i))
  }
  const gone = s.createRecord({ isDirectory: false, std: stdInfo(), name: { parent: 5, name: 'deleted.bin', nameSpace: NameSpace.Win32 } })
  s.createStream(gone.record, '')
  s.writeStream(gone.record, '', 0, new Uint8Array(100_000).fill(3))
  s.removeName(gone.record, 5, 'deleted.bin')
  s.deleteRecord(gone.record)
  s.close()
})

// ---- image surgery that keeps fixups valid ----

const RS = 1024
function mftOffset(path: string): number {
  return Number(dv(new Uint8Array(readFileSync(path).subarray(0, 512))).getBigUint64(48, true)) * 4096
}
function readFixed(path: string, at: number, size: number): Uint8Array {
  const b = new Uint8Array(readFileSync(path).subarray(at, at + size))
  expect(removeFixups(b, size)).toBeUndefined()
  return b
}
function writeFixed(path: string, at: number, b: Uint8Array): void {
  const out = b.slice()
  const v = dv(out)
  const usaOfs = v.getUint16(4, true)
  const usn = v.getUint16(usaOfs, true)
  for (let i = 1; i < v.getUint16(6, true); i++) {
    v.setUint16(usaOfs + 2 * i, v.getUint16(i * 512 - 2, true), true)
    v.setUint16(i * 512 - 2, usn, true)
  }
  const fd = openSync(path, 'r+')
  writeSync(fd, out, 0, out.length, at)
  closeSync(fd)
}
function recordAttrs(path: string, n: number): { at: number; b: Uint8Array; attrs: AttrRec[] } {
  const at = mftOffset(path) + n * RS
  const b = readFixed(path, at, RS)
  const h = parseRecordHeader(b)
  return { at, b, attrs: parseAttributes(b, h.attrsOffset, h.bytesInUse).attrs }
}
function valueAt(b: Uint8Array, a: AttrRec): number {
  return a.offset + dv(b).getUint16(a.offset + 20, true)
}
function copy(name: string): string {
  const p = join(images.path(name))
  copyFileSync(img, p)
  return p
}
function problemsOf(path: string): string[] {
  const r = runCheck(path)
  return r.problems.map((p) => `${p.where}: ${p.what}`)
}

describe('checker on volumes Altitude writes', () => {
  it('finds a freshly formatted volume clean', () => {
    expect(runCheck(images.formatted({ sizeBytes: 8 * 1024 * 1024 })).exitCode).toBe(0)
  })

  it('finds a volume with hard links, 8.3 names, streams, a reparse point, an object id, EAs and an attribute list clean', () => {
    const r = runCheck(img)
    expect(r.lines).toEqual([`${img}: no problems found`])
    const many = recordAttrs(img, fileRecord + 1)
    expect(many.attrs.some((a) => a.type === AT.ATTRIBUTE_LIST)).toBe(true)
  })

  it('reports an index block in the tree whose $BITMAP bit is clear', () => {
    const p = copy('ibitmap.img')
    const { at, b, attrs } = recordAttrs(p, dirRecord)
    const bitmap = attrs.find((a) => a.type === AT.BITMAP && a.name === '$I30')!
    expect(bitmap.nonResident).toBe(false)
    b[valueAt(b, bitmap)] = 0
    writeFixed(p, at, b)
    expect(problemsOf(p)).toContainEqual(expect.stringMatching(new RegExp(`^MFT record ${dirRecord}, index \\$I30, \\$BITMAP: blocks at VCN .* are in the tree but clear in \\$BITMAP$`)))
  })

  it('reports a child block key outside the bracket of its parent entries', () => {
    const p = copy('bracket.img')
    const { b, attrs } = recordAttrs(p, dirRecord)
    const root = parseRoot(b.slice(valueAt(b, attrs.find((a) => a.type === AT.INDEX_ROOT)!), b.length))
    const alloc = attrs.find((a) => a.type === AT.INDEX_ALLOCATION)!
    expect(alloc.runs!.length).toBe(1) // contiguous on a fresh volume
    const lcn = alloc.runs![0]!.lcn!
    const readNode = (vcn: number) => parseBlock(readFixed(p, (lcn + vcn) * 4096, 4096), vcn, 4096, true)
    // the first node with an entry; its END child holds the keys after that node's last entry
    let node = root
    while (node.entries.length === 0) node = readNode(node.endChild!)
    const vcn = node.endChild!
    const blockAt = (lcn + vcn) * 4096
    const block = readFixed(p, blockAt, 4096)
    const child = parseBlock(block, vcn, 4096, true)
    const first = child.entries[0]!
    const nameAt = first.key.byteOffset - block.byteOffset + 66
    block.set(Buffer.from('!', 'utf16le'), nameAt) // "!" sorts before every "report …" name
    writeFixed(p, blockAt, block)
    expect(problemsOf(p)).toContainEqual(expect.stringMatching(new RegExp(`^MFT record ${dirRecord}, index \\$I30 INDX block at VCN ${vcn}: entry 0 sorts before the key before it \\(the parent entry\\)$`)))
  })

  it('reports a reparse point whose tag disagrees with $Extend\\$Reparse', () => {
    const p = copy('reparse.img')
    const { at, b, attrs } = recordAttrs(p, fileRecord)
    const rp = attrs.find((a) => a.type === AT.REPARSE_POINT)!
    dv(b).setUint32(valueAt(b, rp), 0xa000000c, true)
    writeFixed(p, at, b)
    const problems = problemsOf(p)
    expect(problems).toContainEqual(`$Reparse:$R, entry for MFT record ${fileRecord}: tag 0x80000017, the record's $REPARSE_POINT has 0xA000000C`)
    expect(problems).toContainEqual(expect.stringMatching(new RegExp(`^MFT record ${fileRecord}, attribute \\$REPARSE_POINT #\\d+: tag 0xA000000C has no entry in \\$Extend\\\\\\$Reparse:\\$R$`)))
  })

  it('reports an object id that disagrees with $Extend\\$ObjId', () => {
    const p = copy('objid.img')
    const { at, b, attrs } = recordAttrs(p, fileRecord)
    const oid = attrs.find((a) => a.type === AT.OBJECT_ID)!
    b[valueAt(b, oid)] = 0x42
    writeFixed(p, at, b)
    const problems = problemsOf(p)
    expect(problems).toContainEqual(expect.stringMatching(/^\$ObjId:\$O, object id 0909.*: MFT record \d+'s \$OBJECT_ID is 4209/))
    expect(problems).toContainEqual(expect.stringMatching(/^MFT record \d+, attribute \$OBJECT_ID #\d+: object id 4209.* has no entry in \$Extend\\\$ObjId:\$O naming this record$/))
  })

  it('reports an attribute list entry naming an attribute that is not there', () => {
    const p = copy('attrlist.img')
    const { at, b, attrs } = recordAttrs(p, fileRecord + 1)
    const list = attrs.find((a) => a.type === AT.ATTRIBUTE_LIST)!
    // the list is resident in the record or non-resident in its own clusters
    const value = list.nonResident ? new Uint8Array(readFileSync(p).subarray(list.runs![0]!.lcn! * 4096, list.runs![0]!.lcn! * 4096 + list.dataSize!)) : b.subarray(valueAt(b, list), valueAt(b, list) + list.value!.length)
    // the last entry's instance (entries: type, length, ..., instance at 24)
    let e = 0
    let last = 0
    while (e < value.length) {
      last = e
      e += dv(value).getUint16(e + 4, true)
    }
    dv(value).setUint16(last + 24, 0x7777, true)
    if (list.nonResident) {
      const fd = openSync(p, 'r+')
      writeSync(fd, value, 0, value.length, list.runs![0]!.lcn! * 4096)
      closeSync(fd)
    } else writeFixed(p, at, b)
    expect(problemsOf(p)).toContainEqual(expect.stringMatching(new RegExp(`^MFT record ${fileRecord + 1}, attribute \\$ATTRIBUTE_LIST #\\d+: entry for \\$DATA #30583 in MFT record \\d+: no such attribute there$`)))
  })
})
