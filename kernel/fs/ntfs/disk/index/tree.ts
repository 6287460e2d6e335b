// The B+ tree of an NTFS index ($I30 directories and the $SII, $SDH, $O, $R views).
//
// Shape, as NTFS keeps it (ntfs-3g index.c and the Linux-NTFS documentation describe the same):
// - the root node lives in the $INDEX_ROOT attribute of the MFT record; other nodes are INDX
//   blocks of $INDEX_ALLOCATION, addressed by VCN, their use tracked by the $BITMAP attribute;
// - every entry of an internal node carries the VCN of the child holding the keys that sort
//   before it; the END entry's child holds the keys after the node's last entry; all leaves
//   are at the same depth;
// - the root never splits: when it outgrows the record its entries move down into a new block
//   and the root keeps a single END entry pointing at it; a full block splits at the median
//   and the median entry moves up into the parent;
// - an entry removed from an internal node is replaced by its predecessor (the last entry of
//   the rightmost leaf of its left subtree); an underfull block merges with a sibling when the
//   two fit in one block (the separator comes down), an empty one borrows from its sibling;
//   when the root is left with only an END entry and its child fits in the root, the child's
//   entries move back up and the block is freed, down to a root-only index.
// Non-root nodes always hold at least one entry.
import type { Collation, IndexEntry, IndexHost, IndexTree } from './host.ts'
import { StoreError } from '../../store.ts'
import { COLLATION_RULE, collationFunction, type KeyCompare } from './collate.ts'
import {
  AT_FILE_NAME,
  INDEX_HEADER_SIZE,
  INDEX_ROOT_HEADER_SIZE,
  blockCapacity,
  entriesSize,
  entrySize,
  isLeaf,
  parseBlock,
  parseRoot,
  parseRootHeader,
  rootHeaderBytes,
  serializeBlock,
  serializeRoot,
  type EntryFormat,
  type Node,
  type NodeEntry,
} from './layout.ts'

/**
 * Root size used when the host does not say how much room its record has: an $INDEX_ROOT
 * value of this size fits a 1 KiB MFT record beside $STANDARD_INFORMATION and Win32 + DOS
 * $FILE_NAMEs of up to 64 characters.
 * unverified: Windows grows the root until the record is full; hosts that know their free
 * space should implement IndexHost.rootCapacity.
 */
export const DEFAULT_ROOT_CAPACITY = 480

/** deeper than any real index (a 4 KiB-block tree of depth 16 holds more than 2^64 entries) */
const MAX_DEPTH = 32

/** an IndexTree with the extra searches the store needs */
export interface NtfsIndexTree extends IndexTree {
  /**
   * finds an entry by a comparison that may be coarser than the collation, as long as it is
   * consistent with it: probe(key) < 0 when the wanted entry sorts before `key`, > 0 after,
   * 0 for a match (e.g. a case-insensitive name lookup in a case-preserving $I30)
   */
  search(probe: (key: Uint8Array) => number): IndexEntry | undefined
  /** the index's depth: 1 for a root-only index */
  depth(): number
}

interface PathStep {
  node: Node
  /** the slot followed to the next level: an entry index, or entries.length for the END entry */
  slot: number
}

function childAt(node: Node, slot: number): number | undefined {
  return slot < node.entries.length ? node.entries[slot]!.child : node.endChild
}

function setChildAt(node: Node, slot: number, vcn: number): void {
  if (slot < node.entries.length) node.entries[slot]!.child = vcn
  else node.endChild = vcn
}

function copyEntry(e: NodeEntry): IndexEntry {
  return { key: e.key.slice(), data: e.data.slice(), fileReference: e.fileReference }
}

/** the index of the entry to split at: the left part ends before it with about half the bytes */
function medianIndex(entries: readonly NodeEntry[], sizeOf: (e: NodeEntry) => number): number {
  let total = 0
  for (const e of entries) total += sizeOf(e)
  let acc = 0
  let m = 0
  while (m < entries.length - 2 && acc + sizeOf(entries[m]!) <= total / 2) acc += sizeOf(entries[m++]!)
  return Math.max(1, m)
}

class BPlusTree implements NtfsIndexTree {
  private readonly compare: KeyCompare
  private readonly blockCap: number

  constructor(
    private readonly host: IndexHost,
    private readonly collation: Collation,
    upcase: Uint16Array,
  ) {
    this.compare = collationFunction(collation, upcase)
    this.blockCap = blockCapacity(host.blockSize)
  }

  /** one operation = one Session: nodes read once, written once at the end */
  private session(): Session {
    return new Session(this.host, this.collation, this.blockCap)
  }

  // ---- IndexTree ----

  lookup(key: Uint8Array): IndexEntry | undefined {
    return this.search((k) => this.compare(key, k))
  }

  search(probe: (key: Uint8Array) => number): IndexEntry | undefined {
    const s = this.session()
    let node = s.root()
    for (let depth = 0; ; depth++) {
      const { slot, exact } = findSlot(node.entries, probe)
      if (exact) return copyEntry(node.entries[slot]!)
      const child = childAt(node, slot)
      if (child === undefined) return undefined
      if (depth >= MAX_DEPTH) throw s.tooDeep()
      node = s.block(child)
    }
  }

  insert(entry: IndexEntry): void {
    if (entry.key.length === 0) throw new StoreError(`${this.host.name}: an index key cannot be empty`, 'invalid')
    const s = this.session()
    const path: PathStep[] = []
    let node = s.root()
    for (;;) {
      const { slot, exact } = findSlot(node.entries, (k) => this.compare(entry.key, k))
      if (exact) throw new StoreError(`${this.host.name}: the key is already in the index`, 'invalid')
      path.push({ node, slot })
      const child = childAt(node, slot)
      if (child === undefined) break
      if (path.length >= MAX_DEPTH) throw s.tooDeep()
      node = s.block(child)
    }
    const leaf = path[path.length - 1]!
    leaf.node.entries.splice(leaf.slot, 0, { key: entry.key.slice(), data: entry.data.slice(), fileReference: entry.fileReference, child: undefined })
    s.dirty(leaf.node)
    s.rebalance(path)
    s.commit()
  }

  remove(key: Uint8Array): boolean {
    const s = this.session()
    const path: PathStep[] = []
    let node = s.root()
    let found = -1
    for (;;) {
      const { slot, exact } = findSlot(node.entries, (k) => this.compare(key, k))
      path.push({ node, slot })
      if (exact) {
        found = path.length - 1
        break
      }
      const child = childAt(node, slot)
      if (child === undefined) return false
      if (path.length >= MAX_DEPTH) throw s.tooDeep()
      node = s.block(child)
    }
    const at = path[found]!
    if (isLeaf(at.node)) {
      at.node.entries.splice(at.slot, 1)
      s.dirty(at.node)
    } else {
      // replace by the predecessor: the last entry of the rightmost leaf of the left subtree
      let child = at.node.entries[at.slot]!.child!
      for (;;) {
        if (path.length >= MAX_DEPTH) throw s.tooDeep()
        const n = s.block(child)
        path.push({ node: n, slot: n.entries.length })
        if (isLeaf(n)) break
        child = n.endChild!
      }
      const leaf = path[path.length - 1]!
      const pred = leaf.node.entries.pop()
      if (!pred) throw new StoreError(`${this.host.name}: INDX block at VCN ${leaf.node.vcn} is an empty leaf`, 'corrupt')
      leaf.slot = leaf.node.entries.length
      const replaced = at.node.entries[at.slot]!
      at.node.entries[at.slot] = { key: pred.key, data: pred.data, fileReference: pred.fileReference, child: replaced.child }
      s.dirty(leaf.node)
      s.dirty(at.node)
    }
    s.rebalance(path)
    s.commit()
    return true
  }

  *entries(afterKey?: Uint8Array): Iterable<IndexEntry> {
    let after = afterKey
    for (;;) {
      const batch = this.nextBatch(after)
      if (batch.length === 0) return
      yield* batch
      after = batch[batch.length - 1]!.key
    }
  }

  /**
   * The entries that follow `after` (all from the start when undefined) up to and including
   * the next internal entry: the rest of one leaf, then the nearest ancestor entry. Each batch
   * starts from the root, so iteration stays correct when the index changes between batches.
   */
  private nextBatch(after: Uint8Array | undefined): IndexEntry[] {
    const s = this.session()
    let node = s.root()
    let candidate: NodeEntry | undefined
    for (let depth = 0; ; depth++) {
      const slot = after === undefined ? 0 : findSlot(node.entries, (k) => (this.compare(after, k) < 0 ? -1 : 1)).slot
      const child = childAt(node, slot)
      if (child === undefined) {
        const out = node.entries.slice(slot).map(copyEntry)
        if (candidate) out.push(copyEntry(candidate))
        return out
      }
      if (slot < node.entries.length) candidate = node.entries[slot]
      if (depth >= MAX_DEPTH) throw s.tooDeep()
      node = s.block(child)
    }
  }

  isEmpty(): boolean {
    const root = this.session().root()
    if (root.entries.length > 0) return false
    if (root.endChild === undefined) return true
    for (const _ of this.entries()) return false
    return true
  }

  depth(): number {
    const s = this.session()
    let node = s.root()
    let depth = 1
    while (node.endChild !== undefined) {
      if (depth >= MAX_DEPTH) throw s.tooDeep()
      node = s.block(node.endChild)
      depth++
    }
    return depth
  }
}

/** binary search: the first slot whose entry does not sort before the probe, and whether it matches */
function findSlot(entries: readonly NodeEntry[], probe: (key: Uint8Array) => number): { slot: number; exact: boolean } {
  let lo = 0
  let hi = entries.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const c = probe(entries[mid]!.key)
    if (c === 0) return { slot: mid, exact: true }
    if (c > 0) lo = mid + 1
    else hi = mid
  }
  return { slot: lo, exact: false }
}

/** the nodes one operation reads and changes; commit() writes the changed ones and frees blocks */
class Session {
  private rootNode: Node | undefined
  private rootHeader: Uint8Array = new Uint8Array(INDEX_ROOT_HEADER_SIZE)
  private readonly blocks = new Map<number, Node>()
  private readonly changed = new Set<Node>()
  private readonly freed: number[] = []
  private readonly format: EntryFormat
  private isI30 = false

  constructor(
    private readonly host: IndexHost,
    collation: Collation,
    private readonly blockCap: number,
  ) {
    this.format = { isI30: false, padII: collation === 'security-hash' }
  }

  tooDeep(): StoreError {
    return new StoreError(`${this.host.name}: index deeper than ${MAX_DEPTH} levels (a loop of child VCNs?)`, 'corrupt')
  }

  root(): Node {
    if (!this.rootNode) {
      const value = this.host.readRoot().slice()
      const info = parseRootHeader(value)
      this.isI30 = info.attributeType === AT_FILE_NAME
      this.format.isI30 = this.isI30
      this.rootHeader = value.slice(0, INDEX_ROOT_HEADER_SIZE)
      this.rootNode = parseRoot(value, `${this.host.name} $INDEX_ROOT`)
    }
    return this.rootNode
  }

  block(vcn: number): Node {
    let node = this.blocks.get(vcn)
    if (!node) {
      this.root()
      node = parseBlock(this.host.readBlock(vcn).slice(), vcn, this.host.blockSize, this.isI30, `${this.host.name} INDX block at VCN ${vcn}`)
      this.blocks.set(vcn, node)
    }
    return node
  }

  newBlock(entries: NodeEntry[], endChild: number | undefined): Node {
    const vcn = this.host.allocateBlock()
    const node: Node = { vcn, entries, endChild, lsn: 0n, usa: undefined }
    this.blocks.set(vcn, node)
    this.changed.add(node)
    return node
  }

  free(node: Node): void {
    this.changed.delete(node)
    if (node.vcn !== undefined) {
      this.blocks.delete(node.vcn)
      this.freed.push(node.vcn)
    }
  }

  dirty(node: Node): void {
    this.changed.add(node)
  }

  private rootCapacity(): number {
    const fromHost = this.host.rootCapacity?.() ?? DEFAULT_ROOT_CAPACITY
    // the root never needs more room than a block's entries (it would push down first)
    return Math.min(fromHost, INDEX_ROOT_HEADER_SIZE + INDEX_HEADER_SIZE + this.blockCap)
  }

  private rootSize(node: Node): number {
    return INDEX_ROOT_HEADER_SIZE + INDEX_HEADER_SIZE + entriesSize(node)
  }

  /** restores the size invariants from the deepest node of `path` up to the root */
  rebalance(path: PathStep[]): void {
    for (let level = path.length - 1; level > 0; level--) {
      const { node } = path[level]!
      if (!this.changed.has(node)) continue
      const parent = path[level - 1]!
      const size = entriesSize(node)
      if (size > this.blockCap) this.split(node, parent)
      else if (node.entries.length === 0 || size < this.blockCap / 4) this.underflow(node, parent)
    }
    this.fixRoot(path[0]!.node)
  }

  /** splits an overfull block: the left half moves to a new block, the median goes up */
  private split(node: Node, parent: PathStep): void {
    const all = node.entries
    if (all.length < 3) throw new StoreError(`${this.host.name}: an entry does not fit in a ${this.host.blockSize}-byte index block`, 'invalid')
    const m = medianIndex(all, entrySize)
    const median = all[m]!
    const left = this.newBlock(all.slice(0, m), median.child)
    node.entries = all.slice(m + 1)
    const up: NodeEntry = { ...median, child: left.vcn }
    parent.node.entries.splice(parent.slot, 0, up)
    // parent.slot now names the new left block; the node stays at parent.slot + 1
    this.dirty(node)
    this.dirty(parent.node)
  }

  /** an underfull block: merge with a sibling if both fit one block, else (if empty) borrow */
  private underflow(node: Node, parent: PathStep): void {
    const p = parent.node
    const j = parent.slot
    let leftNode: Node
    let rightNode: Node
    let sep: number
    if (j > 0) {
      sep = j - 1
      leftNode = this.block(childAt(p, sep)!)
      rightNode = node
    } else if (p.entries.length > 0) {
      sep = 0
      leftNode = node
      rightNode = this.block(childAt(p, 1)!)
    } else {
      return // the only child of a root with no entries: fixRoot pulls it up
    }
    const separator = p.entries[sep]!
    const combined = [...leftNode.entries, { ...separator, child: leftNode.endChild }, ...rightNode.entries]
    const combinedNode: Node = { vcn: undefined, entries: combined, endChild: rightNode.endChild, lsn: 0n, usa: undefined }
    if (entriesSize(combinedNode) <= this.blockCap) {
      rightNode.entries = combined
      p.entries.splice(sep, 1) // the slot that named rightNode moves down to `sep`
      this.free(leftNode)
      this.dirty(rightNode)
      this.dirty(p)
      return
    }
    if (node.entries.length > 0) return // small but valid; the sibling is too full to merge
    const m = medianIndex(combined, entrySize)
    const median = combined[m]!
    leftNode.entries = combined.slice(0, m)
    leftNode.endChild = median.child
    rightNode.entries = combined.slice(m + 1)
    p.entries[sep] = { ...median, child: leftNode.vcn }
    this.dirty(leftNode)
    this.dirty(rightNode)
    this.dirty(p)
  }

  /** pushes an overfull root down into a block, or pulls a lone child back up */
  private fixRoot(root: Node): void {
    const capacity = this.rootCapacity()
    if (this.rootSize(root) > capacity && root.entries.length > 0) {
      const child = this.newBlock(root.entries, root.endChild)
      root.entries = []
      root.endChild = child.vcn
      this.dirty(root)
      if (entriesSize(child) > this.blockCap) this.split(child, { node: root, slot: 0 })
      return
    }
    while (root.entries.length === 0 && root.endChild !== undefined) {
      const child = this.block(root.endChild)
      if (INDEX_ROOT_HEADER_SIZE + INDEX_HEADER_SIZE + entriesSize(child) > capacity) break
      root.entries = child.entries
      root.endChild = child.endChild
      this.free(child)
      this.dirty(root)
    }
  }

  commit(): void {
    for (const node of this.changed) {
      if (node.vcn === undefined) this.host.writeRoot(serializeRoot(this.rootHeader, node, this.format))
      else this.host.writeBlock(node.vcn, serializeBlock(node, this.host.blockSize, this.format))
    }
    for (const vcn of this.freed) this.host.freeBlock(vcn)
    this.changed.clear()
    this.freed.length = 0
  }
}

/** opens the index whose root and blocks `host` holds, ordered by `collation` */
export function openIndex(host: IndexHost, collation: Collation, upcase: Uint16Array): NtfsIndexTree {
  return new BPlusTree(host, collation, upcase)
}

/** the $INDEX_ROOT value of an empty index: the root header, an index header and the END entry */
export function emptyIndexRoot(attributeType: number, collation: Collation, blockSize: number, blockVcnUnit: number): Uint8Array {
  const header = rootHeaderBytes(attributeType, COLLATION_RULE[collation], blockSize, blockVcnUnit)
  return serializeRoot(header, { vcn: undefined, entries: [], endChild: undefined, lsn: 0n, usa: undefined }, { isI30: attributeType === AT_FILE_NAME, padII: false })
}
