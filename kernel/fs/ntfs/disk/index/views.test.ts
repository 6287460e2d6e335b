import { describe, it, expect, afterAll } from 'vitest'
import { openIndex, emptyIndexRoot } from './tree.ts'
import { MemoryIndexHost } from './memory-host.ts'
import { verifyIndex } from './verify.ts'
import {
  siiEntry,
  sdhEntry,
  parseSecurityHeader,
  parseSdhKey,
  parseSiiKey,
  securityDescriptorHash,
  objectIdEntry,
  parseObjectIdEntry,
  reparseEntry,
  parseReparseKey,
  simpleObjectIdEntry,
  VIEW_INDEXES,
} from './views.ts'
import { parseBlock, parseRoot } from './layout.ts'
import { upcaseTable } from '../upcase.ts'
import { tempImages, ntfsTool } from '../check/test-images.ts'

const upcase = upcaseTable()

describe('$Secure entries', () => {
  const images = tempImages('views-')
  afterAll(() => images.cleanup())

  it('hashes the descriptors of a fresh mkntfs volume as the $SDS headers say', () => {
    const image = images.mkntfs('sds.img', 8)
    const sds = new Uint8Array(ntfsTool('ntfscat', ['-a', '0x80', '-n', '$SDS', image, '$Secure']))
    let at = 0
    let count = 0
    while (at + 20 <= 0x40000 && at < sds.length) {
      const h = parseSecurityHeader(sds.subarray(at, at + 20))
      if (h.length === 0) break
      expect(h.offset).toBe(at)
      expect(securityDescriptorHash(sds.subarray(at + 20, at + h.length))).toBe(h.hash)
      count++
      at = (at + h.length + 15) & ~15
    }
    expect(count).toBeGreaterThanOrEqual(2)
  })

  it('builds $SII and $SDH entries byte-identical to mkntfs (data offset, length, "II" padding)', () => {
    const header = { hash: 0x00b32451, securityId: 0x100, offset: 0, length: 0x7c }
    const host = new MemoryIndexHost(emptyIndexRoot(0, 'security-hash', 4096, 1), '$SDH')
    openIndex(host, 'security-hash', upcase).insert(sdhEntry(header))
    const root = host.root
    // first entry after the 32-byte root and index headers
    const e = Buffer.from(root.subarray(32, 32 + 48)).toString('hex')
    expect(e).toBe('1800' + '1400' + '00000000' + '3000' + '0800' + '0000' + '0000' + '5124b300' + '00010000' + '5124b30000010000' + '0000000000000000' + '7c000000' + '49004900')
    const siiHost = new MemoryIndexHost(emptyIndexRoot(0, 'ulong', 4096, 1), '$SII')
    openIndex(siiHost, 'ulong', upcase).insert(siiEntry(header))
    expect(Buffer.from(siiHost.root.subarray(32, 32 + 40)).toString('hex')).toBe('1400' + '1400' + '00000000' + '2800' + '0400' + '0000' + '0000' + '00010000' + '5124b30000010000' + '0000000000000000' + '7c000000')
    const parsed = parseRoot(host.root).entries[0]!
    expect(parseSdhKey(parsed.key)).toEqual({ hash: 0x00b32451, securityId: 0x100 })
    expect(parseSecurityHeader(parsed.data)).toEqual(header)
    expect(parseSiiKey(parseRoot(siiHost.root).entries[0]!.key)).toBe(0x100)
  })

  it('orders $SDH by hash, then security id', () => {
    const host = new MemoryIndexHost(emptyIndexRoot(0, 'security-hash', 4096, 1), '$SDH')
    const tree = openIndex(host, 'security-hash', upcase)
    const items = [
      { hash: 5, securityId: 0x102 },
      { hash: 1, securityId: 0x105 },
      { hash: 5, securityId: 0x101 },
      { hash: 0xffffffff, securityId: 0x100 },
    ]
    for (const i of items) tree.insert(sdhEntry({ ...i, offset: 0, length: 20 }))
    expect([...tree.entries()].map((e) => parseSdhKey(e.key))).toEqual([
      { hash: 1, securityId: 0x105 },
      { hash: 5, securityId: 0x101 },
      { hash: 5, securityId: 0x102 },
      { hash: 0xffffffff, securityId: 0x100 },
    ])
  })

  it('keeps the "II" padding of $SDH entries when blocks split', () => {
    const host = new MemoryIndexHost(emptyIndexRoot(0, 'security-hash', 4096, 1), '$SDH')
    const tree = openIndex(host, 'security-hash', upcase)
    for (let i = 0; i < 300; i++) tree.insert(sdhEntry({ hash: (i * 2654435761) >>> 0, securityId: 0x100 + i, offset: i * 0x80, length: 0x7c }))
    expect(verifyIndex(host, 'security-hash', upcase).problems).toEqual([])
    const [vcn, block] = [...host.blocks.entries()][0]!
    const node = parseBlock(block, vcn, 4096, false)
    const e = node.entries[0]!
    const entryStart = e.key.byteOffset - block.byteOffset - 16
    expect(Buffer.from(block.subarray(entryStart + 44, entryStart + 48)).toString('hex')).toBe('49004900')
  })
})

describe('$ObjId and $Reparse entries', () => {
  it('round-trips $O entries and orders GUIDs as four ULONGs', () => {
    const host = new MemoryIndexHost(emptyIndexRoot(0, VIEW_INDEXES.$O, 4096, 1), '$O')
    const tree = openIndex(host, VIEW_INDEXES.$O, upcase)
    // layout.h's example: a1 61 65 b7 ... sorts before 38 14 37 d2 ... (0xb76561a1 < 0xd2371438)
    const first = Uint8Array.from(Buffer.from('a16165b7657bd4119e3d00e081104259', 'hex'))
    const second = Uint8Array.from(Buffer.from('381437d2d2f3d411a521c86b79b19745', 'hex'))
    tree.insert(simpleObjectIdEntry(second, 0x0001000000000040n))
    const birth = new Uint8Array(16).fill(7)
    tree.insert(objectIdEntry({ objectId: first, fileReference: 0x0002000000000041n, birthVolumeId: birth, birthObjectId: first, domainId: new Uint8Array(16) }))
    const listed = [...tree.entries()].map(parseObjectIdEntry)
    expect(listed.map((e) => Buffer.from(e.objectId).toString('hex'))).toEqual([Buffer.from(first).toString('hex'), Buffer.from(second).toString('hex')])
    expect(listed[0]!.fileReference).toBe(0x0002000000000041n)
    expect(listed[0]!.birthVolumeId).toEqual(birth)
    expect(listed[1]!.fileReference).toBe(0x0001000000000040n)
    expect(parseRoot(host.root).entries[0]!.data.length).toBe(56)
  })

  it('builds $R entries of 32 bytes, ordered by tag then file reference', () => {
    const host = new MemoryIndexHost(emptyIndexRoot(0, VIEW_INDEXES.$R, 4096, 1), '$R')
    const tree = openIndex(host, VIEW_INDEXES.$R, upcase)
    tree.insert(reparseEntry(0xa000000c, 0x0001000000000050n)) // IO_REPARSE_TAG_SYMLINK
    tree.insert(reparseEntry(0xa0000003, 0x0001000000000060n)) // IO_REPARSE_TAG_MOUNT_POINT
    tree.insert(reparseEntry(0xa0000003, 0x0001000000000051n))
    expect([...tree.entries()].map((e) => parseReparseKey(e.key))).toEqual([
      { tag: 0xa0000003, fileReference: 0x0001000000000051n },
      { tag: 0xa0000003, fileReference: 0x0001000000000060n },
      { tag: 0xa000000c, fileReference: 0x0001000000000050n },
    ])
    // entry header: data offset 0x1c, data length 0, length 32, key length 12
    expect(Buffer.from(host.root.subarray(32, 48)).toString('hex')).toBe('1c000000000000002000' + '0c00' + '00000000')
    expect(tree.remove(reparseEntry(0xa0000003, 0x0001000000000060n).key)).toBe(true)
    expect([...tree.entries()].length).toBe(2)
  })
})
