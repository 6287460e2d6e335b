// Structural verification of one index, read-only: every node parses, keys are in collation
// order inside each node, the keys of each subtree sit between the parent keys around it,
// all leaves are at the same depth, no block is reached twice, non-root blocks are not empty,
// the header flags match the entries. Used by the volume checker and by the tree's tests.
import type { Collation, IndexEntry, IndexHost } from './host.ts'
import { StoreError } from '../../store.ts'
import { collationFunction } from './collate.ts'
import { AT_FILE_NAME, parseBlock, parseRoot, parseRootHeader, type Node } from './layout.ts'

export interface IndexReport {
  /** each problem as "where: what" */
  problems: string[]
  /** the entries in tree order (as found, even when out of order) */
  entries: IndexEntry[]
  /** the VCNs of the blocks the tree reaches */
  blocks: number[]
  depth: number
}

const MAX_DEPTH = 32

export function verifyIndex(host: Pick<IndexHost, 'name' | 'blockSize' | 'readRoot' | 'readBlock'>, collation: Collation, upcase: Uint16Array, label = host.name): IndexReport {
  const compare = collationFunction(collation, upcase)
  const problems: string[] = []
  const entries: IndexEntry[] = []
  const blocks: number[] = []
  const seen = new Set<number>()
  let leafDepth = -1
  let isI30 = false

  const safeCompare = (a: Uint8Array, b: Uint8Array, where: string): number | undefined => {
    try {
      return compare(a, b)
    } catch (e) {
      problems.push(`${where}: ${(e as Error).message}`)
      return undefined
    }
  }

  const walk = (node: Node, where: string, depth: number, low: Uint8Array | undefined, high: Uint8Array | undefined): void => {
    if (node.vcn !== undefined && node.entries.length === 0 && node.endChild === undefined) problems.push(`${where}: empty leaf block`)
    let prev = low
    const visitChild = (vcn: number | undefined, hi: Uint8Array | undefined) => {
      if (vcn === undefined) return
      if (depth + 1 >= MAX_DEPTH) {
        problems.push(`${where}: deeper than ${MAX_DEPTH} levels`)
        return
      }
      if (seen.has(vcn)) {
        problems.push(`${where}: child VCN ${vcn} is reached twice`)
        return
      }
      seen.add(vcn)
      blocks.push(vcn)
      let child: Node
      const childWhere = `${label} INDX block at VCN ${vcn}`
      try {
        child = parseBlock(host.readBlock(vcn).slice(), vcn, host.blockSize, isI30, childWhere)
      } catch (e) {
        problems.push(e instanceof StoreError ? e.message : `${childWhere}: ${(e as Error).message}`)
        return
      }
      walk(child, childWhere, depth + 1, prev, hi)
    }
    if (node.endChild === undefined) {
      if (leafDepth < 0) leafDepth = depth
      else if (leafDepth !== depth) problems.push(`${where}: leaf at depth ${depth + 1}, other leaves at depth ${leafDepth + 1}`)
    }
    for (const [i, e] of node.entries.entries()) {
      visitChild(e.child, e.key)
      if (prev !== undefined) {
        const c = safeCompare(prev, e.key, where)
        if (c !== undefined && c >= 0) problems.push(`${where}: entry ${i} ${c === 0 ? 'repeats the key before it' : 'sorts before the key before it'}${prev === low ? ' (the parent entry)' : ''}`)
      }
      if (high !== undefined && i === node.entries.length - 1) {
        const c = safeCompare(e.key, high, where)
        if (c !== undefined && c >= 0) problems.push(`${where}: entry ${i} does not sort before the parent entry that points here`)
      }
      entries.push({ key: e.key.slice(), data: e.data.slice(), fileReference: e.fileReference })
      prev = e.key
    }
    visitChild(node.endChild, high)
  }

  let depth = 0
  try {
    const value = host.readRoot().slice()
    const info = parseRootHeader(value)
    isI30 = info.attributeType === AT_FILE_NAME
    if (info.blockSize !== host.blockSize) problems.push(`${label} $INDEX_ROOT: index block size ${info.blockSize}, the volume uses ${host.blockSize}`)
    const root = parseRoot(value, `${label} $INDEX_ROOT`)
    walk(root, `${label} $INDEX_ROOT`, 0, undefined, undefined)
    depth = leafDepth + 1
  } catch (e) {
    problems.push(e instanceof StoreError ? e.message : `${label}: ${(e as Error).message}`)
  }
  return { problems, entries, blocks, depth }
}
