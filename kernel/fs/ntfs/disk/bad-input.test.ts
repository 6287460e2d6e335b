// Bad images: a truncated, foreign or corrupt image gets one clear StoreError naming what is
// wrong and where, never a crash, and the image is not modified by the attempt.

import { describe, it, expect, afterAll } from 'vitest'
import * as fs from 'node:fs'
import { createHash } from 'node:crypto'
import { openDiskStore } from './disk-store.ts'
import { StoreError } from '../store.ts'
import { TempImages } from './test-volume.ts'

const images = new TempImages()
afterAll(() => images.cleanup())

function hash(p: string): string {
  return createHash('sha1').update(fs.readFileSync(p)).digest('hex')
}

/** opening the image read-write fails with a 'corrupt' StoreError matching `message`, and leaves it unchanged */
function refused(img: string, message: RegExp, kind: StoreError['kind'] = 'corrupt'): void {
  const before = hash(img)
  let error: unknown
  try {
    const s = openDiskStore(img)
    s.close()
  } catch (err) {
    error = err
  }
  expect(error).toBeInstanceOf(StoreError)
  expect((error as StoreError).kind).toBe(kind)
  expect((error as StoreError).message).toMatch(message)
  expect(hash(img)).toBe(before)
}

function patch(img: string, offset: number, bytes: number[]): void {
  const fd = fs.openSync(img, 'r+')
  fs.writeSync(fd, Uint8Array.from(bytes), 0, bytes.length, offset)
  fs.closeSync(fd)
}

describe('bad images', () => {
  it('a foreign image: no boot signature', () => {
    const img = images.path()
    fs.writeFileSync(img, new Uint8Array(1024 * 1024))
    refused(img, /^boot sector: signature 0xAA55 missing \(found 0x0000\) and no NTFS OEM id at byte 510$/)
  })

  it('a FAT image: signature present, not NTFS', () => {
    const img = images.path()
    const b = new Uint8Array(1024 * 1024)
    b.set(new TextEncoder().encode('MSDOS5.0'), 3)
    b[510] = 0x55
    b[511] = 0xaa
    fs.writeFileSync(img, b)
    refused(img, /^boot sector: OEM id "MSDOS5.0" is not "NTFS    " \(not an NTFS volume\) at byte 3$/)
  })

  it('an image smaller than a sector, and a missing file', () => {
    const img = images.path()
    fs.writeFileSync(img, new Uint8Array(100))
    refused(img, /100 bytes is too small for a boot sector \(truncated image\?\)/)
    expect(() => openDiskStore(img + '.missing')).toThrow(/cannot open image .*\.missing/)
  })

  it('a truncated image', () => {
    const img = images.formatted()
    fs.truncateSync(img, 4 * 1024 * 1024)
    refused(img, /^boot sector: volume of 32767 sectors \(16776704 bytes\) is larger than the image \(4194304 bytes; truncated image\?\) at byte 40$/)
  })

  it('a corrupt boot sector field', () => {
    const img = images.formatted()
    patch(img, 0x0d, [3])
    refused(img, /^boot sector: sectors per cluster code 0x03 is invalid at byte 13$/)
    const img2 = images.formatted()
    patch(img2, 0x30, [0, 0, 0, 0, 0, 0, 0, 0])
    refused(img2, /^boot sector: \$MFT cluster 0 is outside the volume at byte 48$/)
  })

  it('a torn MFT record (bad fixup)', () => {
    const img = images.formatted()
    const mft = 4 * 4096 // $MFT at cluster 4
    patch(img, mft + 510, [0x12, 0x34])
    refused(img, /^MFT record 0: update sequence mismatch \(torn write\): 0x3412 instead of 0x[0-9A-F]{4} at byte 510 \(disk byte 16894\)$/)
  })

  it('a corrupt MFT record header and attribute', () => {
    const img = images.formatted()
    const rec6 = 4 * 4096 + 6 * 1024
    patch(img, rec6, [0x46, 0x4f, 0x4f, 0x21])
    refused(img, /^MFT record 6: signature 0x214F4F46 is not 'FILE' at byte 0 \(disk byte 22528\)$/)
    // the root directory: its first attribute's length is broken; found when it is used
    const img2 = images.formatted()
    const rec5 = 4 * 4096 + 5 * 1024
    patch(img2, rec5 + 0x38 + 4, [0x03, 0x00, 0x00, 0x00])
    const before = hash(img2)
    const s = openDiskStore(img2)
    let error: unknown
    try {
      s.lookup(5, 'anything')
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).message).toMatch(/^MFT record 5: attribute 0x10 has invalid length 3 at byte 60 \(disk byte 21564\)$/)
    s.close()
    expect(hash(img2)).toBe(before)
  })

  it('a volume whose Windows log needs replaying is refused read-write, accepted read-only', () => {
    const img = images.formatted()
    // $LogFile: a restart page with a client in use and no clean flag
    const s = openDiskStore(img, { readOnly: true })
    const log = s.volume.journal.diskOffsetOf(0)
    s.close()
    const page = new Uint8Array(4096)
    page.set(new TextEncoder().encode('RSTR'), 0)
    page[4] = 0x1e // usa offset
    page[6] = 9 // usa count (4096 / 512 + 1)
    page[0x10] = 0x00
    page[0x11] = 0x10 // system page size 4096
    page[0x14] = 0x00
    page[0x15] = 0x10 // log page size 4096
    page[0x18] = 0x30 // restart area offset
    page[0x30 + 0x0c] = 0 // client in use list: 0
    page[0x30 + 0x0d] = 0
    page[0x30 + 0x0e] = 0 // flags: not clean
    // fixups: usn 1 at the end of every 512-byte stride
    page[0x1e] = 1
    for (let i = 1; i <= 8; i++) page[i * 512 - 2] = 1
    const fd = fs.openSync(img, 'r+')
    fs.writeSync(fd, page, 0, page.length, log)
    fs.closeSync(fd)
    refused(img, /^\$LogFile: the restart area has a client in use and no clean flag; the volume was not shut down cleanly/)
    const ro = openDiskStore(img, { readOnly: true })
    expect(ro.lookup(5, '$MFT')?.record).toBe(0)
    ro.close()
  })
})
