import { describe, it, expect } from 'vitest'
import { verifyIndex } from './verify.ts'
import { MemoryIndexHost } from './memory-host.ts'
import { rootHeaderBytes, serializeBlock, serializeRoot, type Node, type NodeEntry } from './layout.ts'
import { fileNameKey } from './filename.ts'
import { upcaseTable } from '../upcase.ts'

const upcase = upcaseTable()
const format = { isI30: true, padII: false }
const dup = { creationTime: 0n, lastWriteTime: 0n, changeTime: 0n, lastAccessTime: 0n, allocatedSize: 0, dataSize: 0, fileAttributes: 0, reparseOrEa: 0 }
const e = (name: string, child?: number): NodeEntry => ({ key: fileNameKey(name, 1, 5n, dup), data: new Uint8Array(0), fileReference: 1n, child })
const node = (vcn: number | undefined, entries: NodeEntry[], endChild?: number): Node => ({ vcn, entries, endChild, lsn: 0n, usa: undefined })

/** a host holding the given root and blocks */
function build(root: Node, blocks: Node[]): MemoryIndexHost {
  const host = new MemoryIndexHost(serializeRoot(rootHeaderBytes(0x30, 1, 4096, 1), root, format))
  for (const b of blocks) {
    host.inUse.add(b.vcn!)
    host.blocks.set(b.vcn!, serializeBlock(b, 4096, format))
  }
  return host
}

describe('verifyIndex', () => {
  it('accepts a well-formed two-level tree', () => {
    const host = build(node(undefined, [e('m', 0)], 1), [node(0, [e('a'), e('b')]), node(1, [e('x'), e('y')])])
    const r = verifyIndex(host, 'filename', upcase)
    expect(r.problems).toEqual([])
    expect(r.depth).toBe(2)
    expect(r.blocks).toEqual([0, 1])
    expect(r.entries.length).toBe(5)
  })

  it('reports leaves at different depths', () => {
    const host = build(node(undefined, [e('m', 0)], 1), [node(0, [e('a')]), node(1, [e('x', 2)], 3), node(2, [e('n')]), node(3, [e('z')])])
    expect(verifyIndex(host, 'filename', upcase).problems).toContainEqual('$I30 INDX block at VCN 2: leaf at depth 3, other leaves at depth 2')
  })

  it('reports a block reached twice, an empty leaf and a key outside its parent bracket', () => {
    const twice = build(node(undefined, [e('m', 0)], 0), [node(0, [e('a')])])
    expect(verifyIndex(twice, 'filename', upcase).problems).toContainEqual('$I30 $INDEX_ROOT: child VCN 0 is reached twice')
    const empty = build(node(undefined, [e('m', 0)], 1), [node(0, []), node(1, [e('x')])])
    expect(verifyIndex(empty, 'filename', upcase).problems).toContainEqual('$I30 INDX block at VCN 0: empty leaf block')
    const bracket = build(node(undefined, [e('m', 0)], 1), [node(0, [e('a'), e('q')]), node(1, [e('x')])])
    expect(verifyIndex(bracket, 'filename', upcase).problems).toContainEqual('$I30 INDX block at VCN 0: entry 1 does not sort before the parent entry that points here')
  })

  it('reports an unreadable block with the reason', () => {
    const host = build(node(undefined, [e('m', 0)], 1), [node(0, [e('a')])])
    expect(verifyIndex(host, 'filename', upcase).problems).toContainEqual('$I30: read of unallocated index block VCN 1')
    const bad = build(node(undefined, [e('m', 0)], 1), [node(0, [e('a')]), node(1, [e('x')])])
    bad.blocks.get(1)!.set([0x42, 0x41, 0x41, 0x44], 0)
    expect(verifyIndex(bad, 'filename', upcase).problems).toContainEqual('$I30 INDX block at VCN 1: signature "INDX" missing at byte 0')
  })
})
