import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { readFileSync, openSync, writeSync, closeSync, ftruncateSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { runCheck, checkVolume } from './index.ts'
import { tempImages } from './test-images.ts'
import { parseAttributes, parseRecordHeader, removeFixups, AT, dv, type AttrRec } from './ondisk.ts'

const images = tempImages('check-')
let fresh = ''
let mftOffset = 0
const RECORD = 1024

beforeAll(() => {
  fresh = images.mkntfs('fresh.img', 8)
  const boot = readFileSync(fresh).subarray(0, 512)
  mftOffset = Number(dv(boot).getBigUint64(48, true)) * 4096
})
afterAll(() => images.cleanup())

function patch(path: string, offset: number, bytes: number[] | Uint8Array): void {
  const fd = openSync(path, 'r+')
  writeSync(fd, Uint8Array.from(bytes), 0, bytes.length, offset)
  closeSync(fd)
}

function u16le(n: number): number[] {
  return [n & 0xff, n >> 8]
}

/** a record of the fresh image with fixups removed, and its attributes */
function record(path: string, n: number): { at: number; attrs: AttrRec[] } {
  const at = mftOffset + n * RECORD
  const b = new Uint8Array(readFileSync(path).subarray(at, at + RECORD))
  expect(removeFixups(b, RECORD)).toBeUndefined()
  const h = parseRecordHeader(b)
  return { at, attrs: parseAttributes(b, h.attrsOffset, h.bytesInUse).attrs }
}

function valueOffset(path: string, recordAt: number, attr: AttrRec): number {
  return recordAt + attr.offset + dv(new Uint8Array(readFileSync(path).subarray(recordAt + attr.offset, recordAt + attr.offset + 24))).getUint16(20, true)
}

function corrupted(name: string, change: (path: string) => void): ReturnType<typeof runCheck> {
  const path = images.copy(fresh, name)
  change(path)
  const before = createHash('sha256').update(readFileSync(path)).digest('hex')
  const result = runCheck(path)
  expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(before) // never modified
  return result
}

function expectProblem(result: ReturnType<typeof runCheck>, where: string | RegExp, what: RegExp): void {
  expect(result.exitCode).toBe(1)
  const hit = result.problems.find((p) => (typeof where === 'string' ? p.where === where : where.test(p.where)) && what.test(p.what))
  if (!hit) expect(result.lines).toContain(`${String(where)}: ${String(what)}`) // shows every problem found
}

describe('altitude check', () => {
  it('finds a fresh mkntfs volume clean', () => {
    const result = runCheck(fresh)
    expect(result.problems).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(result.lines).toEqual([`${fresh}: no problems found`])
  })

  it('reports a missing boot signature as an unreadable image, naming the byte', () => {
    const result = corrupted('nosig.img', (p) => patch(p, 510, [0, 0]))
    expect(result.exitCode).toBe(2)
    expect(result.lines[0]).toContain('boot sector: signature 0xAA55 missing at byte 510')
  })

  it('reports a foreign image (not NTFS) and a truncated one', () => {
    const foreign = corrupted('fat.img', (p) => patch(p, 3, [...Buffer.from('MSDOS5.0')]))
    expect(foreign.exitCode).toBe(2)
    expect(foreign.lines[0]).toContain('OEM id "NTFS    " missing at byte 3')
    const truncated = corrupted('short.img', (p) => {
      const fd = openSync(p, 'r+')
      ftruncateSync(fd, 100_000)
      closeSync(fd)
    })
    expect(truncated.exitCode).toBe(2)
    expect(truncated.lines[0]).toMatch(/boot sector: 16383 sectors at byte 40 need 8388096 bytes, the image has 100000/)
    expect(runCheck(images.dir + '/does-not-exist.img').exitCode).toBe(2)
  })

  it('reports a backup boot sector that differs', () => {
    expectProblem(corrupted('backup.img', (p) => patch(p, 8 * 1024 * 1024 - 512 + 72, [1, 2, 3])), 'backup boot sector', /differs from the boot sector \(first difference at byte 72\)/)
  })

  it('reports a torn MFT record (fixup mismatch)', () => {
    expectProblem(corrupted('torn.img', (p) => patch(p, mftOffset + 3 * RECORD + 510, [0x12, 0x34])), 'MFT record 3', /fixup mismatch at byte 510/)
  })

  it('reports $MFTMirr differing from $MFT', () => {
    const r = record(fresh, 1)
    const data = r.attrs.find((a) => a.type === AT.DATA)!
    const mirrorAt = data.runs![0]!.lcn! * 4096
    expectProblem(corrupted('mirror.img', (p) => patch(p, mirrorAt + 2 * RECORD + 18, [9])), '$MFTMirr', /record 2 differs from MFT record 2 \(first difference at byte 18\)/)
  })

  it('reports a link count that does not match the names', () => {
    expectProblem(corrupted('links.img', (p) => patch(p, mftOffset + 7 * RECORD + 18, u16le(3))), 'MFT record 7', /link count 3 at byte 18, the record has 1 \$FILE_NAME attribute$/)
  })

  it('reports bad record header fields and attribute ids', () => {
    const result = corrupted('header.img', (p) => {
      patch(p, mftOffset + 8 * RECORD + 28, [0, 8, 0, 0]) // allocated size 2048
      patch(p, mftOffset + 4 * RECORD + 40, u16le(1)) // next attribute id below the ids in use
    })
    expectProblem(result, 'MFT record 8', /allocated size 2048 at byte 28, the record size is 1024/)
    expectProblem(result, /^MFT record 4, attribute /, /is not below the record's next attribute id 1/)
  })

  it('reports an attribute whose length runs outside the record', () => {
    const r = record(fresh, 2)
    const second = r.attrs[1]!
    expectProblem(corrupted('attrlen.img', (p) => patch(p, r.at + second.offset + 4, [0x0c, 0x20, 0, 0])), 'MFT record 2', /attribute #1 \(\$FILE_NAME\) at byte \d+: length 8204 is not a multiple of 8 inside the record/)
  })

  it('reports clusters used but free in $Bitmap, and lost clusters', () => {
    const r = record(fresh, 6)
    const data = r.attrs.find((a) => a.type === AT.DATA)!
    const bitmapAt = data.runs![0]!.lcn! * 4096
    const original = readFileSync(fresh)[bitmapAt]!
    // clear cluster 0 (the boot sector, $Boot's) and set a bit far in the free area (cluster 1000)
    const result = corrupted('bitmap.img', (p) => {
      patch(p, bitmapAt, [original & ~1])
      patch(p, bitmapAt + 125, [1])
    })
    expectProblem(result, '$Bitmap', /^clusters 0 are used \(by MFT record 7\) but marked free$/)
    expectProblem(result, '$Bitmap', /^clusters 1000 are marked in use but no attribute uses them \(lost clusters\)$/)
  })

  it('reports a cluster claimed by two files', () => {
    const r = record(fresh, 2) // $LogFile
    const data = r.attrs.find((a) => a.type === AT.DATA)!
    const pairsAt = r.at + data.offset + dv(new Uint8Array(readFileSync(fresh).subarray(r.at + data.offset, r.at + data.offset + 64))).getUint16(32, true)
    const image = readFileSync(fresh)
    const header = image[pairsAt]!
    const lenBytes = header & 15
    const offBytes = header >> 4
    const mftLcn = mftOffset / 4096
    const lcn = Array.from({ length: offBytes }, (_, i) => (i < 4 ? (mftLcn >> (8 * i)) & 0xff : 0))
    const result = corrupted('double.img', (p) => patch(p, pairsAt + 1 + lenBytes, lcn))
    expectProblem(result, 'clusters', new RegExp(`^clusters ${mftLcn}-\\d+.* are claimed by both MFT record 0 and MFT record 2$`))
  })

  it('reports a run outside the volume', () => {
    const r = record(fresh, 2)
    const data = r.attrs.find((a) => a.type === AT.DATA)!
    const pairsAt = r.at + data.offset + dv(new Uint8Array(readFileSync(fresh).subarray(r.at + data.offset, r.at + data.offset + 64))).getUint16(32, true)
    const header = readFileSync(fresh)[pairsAt]!
    const offBytes = header >> 4
    const lcn = Array.from({ length: offBytes }, (_, i) => (i === 1 ? 0x70 : 0)) // LCN 0x7000, past the 2047 clusters
    const result = corrupted('outside.img', (p) => patch(p, pairsAt + 1 + (header & 15), lcn))
    expectProblem(result, /^MFT record 2, attribute \$DATA #\d+$/, /^run of \d+ clusters at LCN 28672 lies outside the 2047-cluster volume$/)
  })

  it('reports a torn index block', () => {
    const image = readFileSync(fresh)
    const indx = image.indexOf(Buffer.from('INDX'))
    const result = corrupted('tornindx.img', (p) => patch(p, indx + 1022, [0xee, 0xee]))
    expectProblem(result, 'MFT record 5, index $I30', /^INDX block at VCN 0: fixup mismatch at byte 1022/)
  })

  it('reports a record in use whose $MFT:$BITMAP bit is clear', () => {
    const r = record(fresh, 0)
    const bitmap = r.attrs.find((a) => a.type === AT.BITMAP)!
    const at = bitmap.nonResident ? bitmap.runs![0]!.lcn! * 4096 : valueOffset(fresh, r.at, bitmap)
    const first = readFileSync(fresh)[at + 3]!
    expectProblem(corrupted('mftbitmap.img', (p) => patch(p, at + 3, [first & ~1])), '$MFT:$BITMAP', /^MFT records 24 are in use but their bits are clear$/)
  })

  it('reports index entries out of order and disagreeing with $FILE_NAME', () => {
    const image = readFileSync(fresh)
    const indx = image.indexOf(Buffer.from('INDX'))
    const name = image.indexOf(Buffer.from('$Boot', 'utf16le'), indx)
    expect(name).toBeGreaterThan(indx)
    const result = corrupted('order.img', (p) => patch(p, name + 2, [...Buffer.from('Z', 'utf16le')])) // "$Zoot" now sorts after "$Extend"
    expectProblem(result, /^MFT record 5, index \$I30 INDX block at VCN 0$/, /entry \d+ sorts before the key before it/)
    expectProblem(result, 'MFT record 5, index $I30, entry "$Zoot"', /MFT record 7 has no \$FILE_NAME "\$Zoot"/)
    expectProblem(result, /^MFT record 7, attribute \$FILE_NAME #\d+ "\$Boot"$/, /has no entry in the \$I30 index of its parent, MFT record 5/)
  })

  it('reports an index entry pointing to a record not in use', () => {
    const image = readFileSync(fresh)
    const indx = image.indexOf(Buffer.from('INDX'))
    const name = image.indexOf(Buffer.from('$UpCase', 'utf16le'), indx)
    const entryAt = name - 66 - 16
    const result = corrupted('dangling.img', (p) => patch(p, entryAt, [30, 0, 0, 0, 0, 0, 30, 0]))
    expectProblem(result, 'MFT record 5, index $I30, entry "$UpCase"', /points to MFT record 30, which is not in use/)
  })

  it('reports a security id missing from $Secure:$SII', () => {
    const r = record(fresh, 2)
    const si = r.attrs.find((a) => a.type === AT.STANDARD_INFORMATION)!
    expect(si.value!.length).toBe(72)
    const result = corrupted('secid.img', (p) => patch(p, valueOffset(fresh, r.at, si) + 52, [0x99, 0x09, 0, 0]))
    expectProblem(result, /^MFT record 2, attribute \$STANDARD_INFORMATION #\d+$/, /security id 0x999 is not in \$Secure:\$SII/)
  })

  it('checks quickly: a fresh volume in well under a second', () => {
    const problems = checkVolume(fresh)
    expect(problems).toEqual([])
  })
})
