import { describe, it, expect } from 'vitest'
import { openIndex, emptyIndexRoot } from './tree.ts'
import { MemoryIndexHost } from './memory-host.ts'
import { verifyIndex } from './verify.ts'
import { fileNameKey, fileNameOf, lookupName, lookupExactName, type DuplicatedInfo } from './filename.ts'
import { upcaseTable } from '../upcase.ts'
import { StoreError } from '../../store.ts'
import type { Collation } from './host.ts'

const upcase = upcaseTable()
const dup: DuplicatedInfo = { creationTime: 1n, lastWriteTime: 2n, changeTime: 3n, lastAccessTime: 4n, allocatedSize: 0, dataSize: 0, fileAttributes: 0x20, reparseOrEa: 0 }
const ROOT = 5n | (5n << 48n)
const key = (name: string) => fileNameKey(name, 1, ROOT, dup)

function dirHost(capacity?: number): MemoryIndexHost {
  return new MemoryIndexHost(emptyIndexRoot(0x30, 'filename', 4096, 1), '$I30', 4096, 1, capacity)
}

function ulongKey(n: number): Uint8Array {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setUint32(0, n, true)
  return b
}

/** a deterministic generator (xorshift32) for the randomized tests */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13
    s >>>= 0
    s ^= s >>> 17
    s ^= s << 5
    s >>>= 0
    return s / 0x100000000
  }
}

function names(host: MemoryIndexHost, after?: string): string[] {
  const tree = openIndex(host, 'filename', upcase)
  return [...tree.entries(after === undefined ? undefined : key(after))].map((e) => fileNameOf(e.key))
}

function expectValid(host: MemoryIndexHost, collation: Collation = 'filename') {
  const report = verifyIndex(host, collation, upcase)
  expect(report.problems).toEqual([])
  // every allocated block is in the tree and every tree block is allocated
  expect([...report.blocks].sort((a, b) => a - b)).toEqual([...host.inUse].sort((a, b) => a - b))
  return report
}

describe('emptyIndexRoot', () => {
  it('builds the 48-byte root mkntfs writes for an empty directory', () => {
    const root = emptyIndexRoot(0x30, 'filename', 4096, 1)
    expect(Buffer.from(root).toString('hex')).toBe(
      '30000000' + '01000000' + '00100000' + '01000000' + // type $FILE_NAME, COLLATION_FILE_NAME, 4096, 1 cluster
        '10000000' + '20000000' + '20000000' + '00000000' + // entries at 16, length 32, allocated 32, small index
        '0000000000000000' + '1000' + '0000' + '0200' + '0000', // END entry
    )
  })
  it('builds a view index root ($R: type 0, NTOFS_ULONGS)', () => {
    const root = emptyIndexRoot(0, 'ulongs', 4096, 1)
    expect(root.length).toBe(48)
    expect(new DataView(root.buffer).getUint32(4, true)).toBe(0x13)
  })
})

describe('B+ tree over $I30', () => {
  it('inserts, looks up and lists in COLLATION_FILE_NAME order within the root', () => {
    const host = dirHost(1000)
    const tree = openIndex(host, 'filename', upcase)
    expect(tree.isEmpty()).toBe(true)
    for (const n of ['b.txt', 'A.txt', 'c', '$Boot', 'a.TXT']) tree.insert({ key: key(n), data: new Uint8Array(0), fileReference: 42n })
    expect(names(host)).toEqual(['$Boot', 'A.txt', 'a.TXT', 'b.txt', 'c'])
    expect(host.inUse.size).toBe(0)
    expect(tree.lookup(key('a.TXT'))?.fileReference).toBe(42n)
    expect(tree.lookup(key('A.TXT'))).toBeUndefined() // exact collation: case matters as a tie-breaker
    expect(fileNameOf(lookupName(tree, upcase, 'B.TXT')!.key)).toBe('b.txt')
    expect(fileNameOf(lookupExactName(tree, upcase, 'a.TXT')!.key)).toBe('a.TXT')
    expect(lookupName(tree, upcase, 'd')).toBeUndefined()
    expect(tree.isEmpty()).toBe(false)
  })

  it('rejects a key that is already present', () => {
    const tree = openIndex(dirHost(), 'filename', upcase)
    tree.insert({ key: key('x'), data: new Uint8Array(0), fileReference: 1n })
    expect(() => tree.insert({ key: key('x'), data: new Uint8Array(0), fileReference: 2n })).toThrow(StoreError)
    try {
      tree.insert({ key: key('x'), data: new Uint8Array(0), fileReference: 2n })
    } catch (e) {
      expect((e as StoreError).kind).toBe('invalid')
    }
  })

  it('pushes the root down into a block when it outgrows the record, then splits blocks', () => {
    const host = dirHost()
    const tree = openIndex(host, 'filename', upcase)
    for (let i = 0; i < 5; i++) tree.insert({ key: key(`file${i}.txt`), data: new Uint8Array(0), fileReference: BigInt(i) })
    expect(host.inUse.size).toBe(1) // 5 entries of 96 bytes + headers > 480: pushed down
    expect(tree.depth()).toBe(2)
    for (let i = 5; i < 200; i++) tree.insert({ key: key(`file${i}.txt`), data: new Uint8Array(0), fileReference: BigInt(i) })
    expect(host.inUse.size).toBeGreaterThan(4)
    const report = expectValid(host)
    expect(report.entries.length).toBe(200)
    expect(names(host)).toEqual(Array.from({ length: 200 }, (_, i) => `file${i}.txt`).sort((a, b) => (a.toUpperCase() < b.toUpperCase() ? -1 : 1)))
  })

  it('resumes iteration after a key, present or not', () => {
    const host = dirHost()
    const tree = openIndex(host, 'filename', upcase)
    const all = Array.from({ length: 300 }, (_, i) => `n${String(i).padStart(4, '0')}`)
    for (const n of all) tree.insert({ key: key(n), data: new Uint8Array(0), fileReference: 1n })
    expect(names(host, 'n0149')).toEqual(all.slice(150))
    expect(names(host, 'n0149x')).toEqual(all.slice(150))
    expect(names(host, 'zzz')).toEqual([])
    expect(names(host, '!')).toEqual(all)
  })

  it('keeps iterating correctly while entries are removed between steps', () => {
    const host = dirHost()
    const tree = openIndex(host, 'filename', upcase)
    const all = Array.from({ length: 400 }, (_, i) => `e${String(i).padStart(4, '0')}`)
    for (const n of all) tree.insert({ key: key(n), data: new Uint8Array(0), fileReference: 1n })
    const seen: string[] = []
    for (const e of tree.entries()) {
      const n = fileNameOf(e.key)
      seen.push(n)
      expect(tree.remove(e.key)).toBe(true)
    }
    expect(seen).toEqual(all)
    expect(tree.isEmpty()).toBe(true)
    expect(host.inUse.size).toBe(0) // shrunk back to a root-only index
    expect(tree.depth()).toBe(1)
    expectValid(host)
  })

  it('removes from internal nodes and leaves, merging blocks, and stays valid (randomized)', () => {
    const host = dirHost()
    const tree = openIndex(host, 'filename', upcase)
    const random = rng(1234)
    const present = new Set<string>()
    for (let step = 0; step < 4000; step++) {
      const n = `f${Math.floor(random() * 2500)}${random() < 0.3 ? '_a_much_longer_name_to_vary_entry_sizes' : ''}`
      if (present.has(n) && random() < 0.6) {
        expect(tree.remove(key(n))).toBe(true)
        present.delete(n)
      } else if (!present.has(n)) {
        tree.insert({ key: key(n), data: new Uint8Array(0), fileReference: BigInt(step) })
        present.add(n)
      } else {
        expect(tree.remove(key(n + '-absent'))).toBe(false)
      }
      if (step % 500 === 0) expectValid(host)
    }
    const report = expectValid(host)
    expect(report.entries.map((e) => fileNameOf(e.key)).sort()).toEqual([...present].sort())
    for (const n of [...present].slice(0, 100)) expect(fileNameOf(tree.lookup(key(n))!.key)).toBe(n)
    // drain: everything goes, blocks are all freed
    for (const n of present) expect(tree.remove(key(n))).toBe(true)
    expect(host.inUse.size).toBe(0)
    expect(tree.isEmpty()).toBe(true)
  })

  it('handles 255-character names and a root with little room', () => {
    const host = dirHost(120)
    const tree = openIndex(host, 'filename', upcase)
    const long = (i: number) => String.fromCharCode(0x41 + (i % 26)).repeat(250) + String(i).padStart(5, '0')
    for (let i = 0; i < 120; i++) tree.insert({ key: key(long(i)), data: new Uint8Array(0), fileReference: BigInt(i) })
    expectValid(host)
    for (let i = 0; i < 120; i += 2) expect(tree.remove(key(long(i)))).toBe(true)
    expectValid(host)
    expect([...tree.entries()].length).toBe(60)
  })

  it('orders Unicode names by the upcase table, surrogate pairs by code unit', () => {
    const host = dirHost()
    const tree = openIndex(host, 'filename', upcase)
    const input = ['ωμέγα', 'Άλφα', 'αλφα', '漢字', 'かな', '😀smile', 'Zeta', 'zeta', 'ÉCOLE', 'école', 'ecole']
    for (const n of input) tree.insert({ key: key(n), data: new Uint8Array(0), fileReference: 1n })
    const listed = names(host)
    expect(listed).toEqual(['ecole', 'Zeta', 'zeta', 'ÉCOLE', 'école', 'Άλφα', 'αλφα', 'ωμέγα', 'かな', '漢字', '😀smile'])
  })
})

describe('B+ tree over view indexes', () => {
  it('$SII-like ulong keys with data: order, lookup, data round trip, splits', () => {
    const host = new MemoryIndexHost(emptyIndexRoot(0, 'ulong', 4096, 1), '$SII')
    const tree = openIndex(host, 'ulong', upcase)
    const random = rng(7)
    const ids = new Set<number>()
    while (ids.size < 1000) ids.add(0x100 + Math.floor(random() * 1_000_000))
    for (const id of ids) {
      const data = new Uint8Array(20)
      new DataView(data.buffer).setUint32(4, id, true)
      tree.insert({ key: ulongKey(id), data, fileReference: 0n })
    }
    const report = expectValid(host, 'ulong')
    const listed = report.entries.map((e) => new DataView(e.key.buffer).getUint32(0, true))
    expect(listed).toEqual([...ids].sort((a, b) => a - b))
    for (const id of [...ids].slice(0, 50)) {
      const e = tree.lookup(ulongKey(id))!
      expect(e.data.length).toBe(20)
      expect(new DataView(e.data.buffer).getUint32(4, true)).toBe(id)
    }
  })

  it('ulong collation is unsigned (0x80000000 after 0x7fffffff)', () => {
    const host = new MemoryIndexHost(emptyIndexRoot(0, 'ulong', 4096, 1), '$Q')
    const tree = openIndex(host, 'ulong', upcase)
    for (const n of [0xffffffff, 1, 0x80000000, 0x7fffffff]) tree.insert({ key: ulongKey(n), data: new Uint8Array(0), fileReference: 0n })
    expect([...tree.entries()].map((e) => new DataView(e.key.buffer).getUint32(0, true))).toEqual([1, 0x7fffffff, 0x80000000, 0xffffffff])
  })
})
