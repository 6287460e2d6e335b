// Byte layouts of NTFS index nodes: the $INDEX_ROOT value (INDEX_ROOT header, INDEX_HEADER,
// entries) and the INDX blocks of $INDEX_ALLOCATION (record header, INDEX_HEADER, entries).
// Offsets per ntfs-3g include/ntfs-3g/layout.h (INDEX_ROOT, INDEX_BLOCK, INDEX_HEADER,
// INDEX_ENTRY) and checked against what mkntfs writes.
import { StoreError } from '../../store.ts'

/** INDEX_ENTRY.flags */
export const INDEX_ENTRY_NODE = 0x1 // the entry ends with the VCN of a child block
export const INDEX_ENTRY_END = 0x2 // the last entry of a node: no key, may have a child
/** INDEX_HEADER.flags: in the root SMALL_INDEX 0 / LARGE_INDEX 1; in a block LEAF_NODE 0 / INDEX_NODE 1 */
export const INDEX_HEADER_NODE = 0x1

export const INDEX_ROOT_HEADER_SIZE = 16 // type, collation rule, block size, clusters per block
export const INDEX_HEADER_SIZE = 16 // entries offset, index length, allocated size, flags
export const INDEX_ENTRY_HEADER_SIZE = 16
/** INDX block: "INDX", usa offset, usa count, LSN, VCN, then the INDEX_HEADER at 0x18 */
export const INDX_MAGIC = 0x58444e49 // "INDX" little-endian
export const INDX_HEADER_OFFSET = 0x18
export const INDX_USA_OFFSET = 0x28
/** attribute type indexed by $I30 ($FILE_NAME); view indexes store 0 */
export const AT_FILE_NAME = 0x30

/** one entry of a node as held in memory: a real entry (key) or, implicitly, the node's END */
export interface NodeEntry {
  key: Uint8Array
  /** view indexes: the data after the key; $I30: empty */
  data: Uint8Array
  /** $I30: the MFT reference of the file; view indexes: 0n */
  fileReference: bigint
  /** VCN of the block holding the entries that sort before this one (internal nodes) */
  child: number | undefined
}

/** a node: its entries in collation order and the END entry's child (internal nodes) */
export interface Node {
  /** undefined for the root, else the VCN of the INDX block */
  vcn: number | undefined
  entries: NodeEntry[]
  endChild: number | undefined
  /** INDX blocks: LSN and the update sequence array bytes, kept when the block is rewritten */
  lsn: bigint
  usa: Uint8Array | undefined
}

export function align8(n: number): number {
  return (n + 7) & ~7
}

/** the on-disk size of an entry: header, key, data, 8-byte alignment, then the child VCN */
export function entrySize(e: NodeEntry): number {
  return align8(INDEX_ENTRY_HEADER_SIZE + e.key.length + e.data.length) + (e.child !== undefined ? 8 : 0)
}

export function endEntrySize(node: Node): number {
  return INDEX_ENTRY_HEADER_SIZE + (node.endChild !== undefined ? 8 : 0)
}

/** bytes the entries of a node take, END entry included */
export function entriesSize(node: Node): number {
  let size = endEntrySize(node)
  for (const e of node.entries) size += entrySize(e)
  return size
}

export function isLeaf(node: Node): boolean {
  return node.endChild === undefined
}

/** update sequence array of an INDX block: one USN plus one saved word per 512-byte sector */
export function usaCount(blockSize: number): number {
  return blockSize / 512 + 1
}

/** INDEX_HEADER.entries_offset of an INDX block (relative to the header at 0x18): after the USA, 8-aligned */
export function blockEntriesOffset(blockSize: number): number {
  return align8(INDX_USA_OFFSET + 2 * usaCount(blockSize)) - INDX_HEADER_OFFSET
}

/** the bytes available for entries in one INDX block */
export function blockCapacity(blockSize: number): number {
  return blockSize - INDX_HEADER_OFFSET - blockEntriesOffset(blockSize)
}

// ---- reading ----

/** the data of entries without data ($I30 and $R): shared, never written to */
const NO_DATA = new Uint8Array(0)

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength)
}

/**
 * Parses the entries that follow an INDEX_HEADER at `header` in `buf`, bounded by the
 * header's index length and by `limit`. `where` names the node in error messages.
 */
/**
 * Whether a node is internal follows from its entries' INDEX_ENTRY_NODE flags, which must
 * all agree. The header flag must say "node" when they have children (ntfs-3g refuses a child
 * in a node flagged as a leaf); a root flagged LARGE_INDEX without children is accepted, as
 * layout.h allows LARGE_INDEX whenever an $INDEX_ALLOCATION exists.
 */
function parseEntries(buf: Uint8Array, header: number, limit: number, isI30: boolean, where: string, isRoot: boolean): { entries: NodeEntry[]; endChild: number | undefined; internal: boolean } {
  const dv = view(buf)
  const entriesOffset = dv.getUint32(header, true)
  const indexLength = dv.getUint32(header + 4, true)
  const allocated = dv.getUint32(header + 8, true)
  const flagged = (buf[header + 12]! & INDEX_HEADER_NODE) !== 0
  let internal: boolean | undefined
  if (entriesOffset < INDEX_HEADER_SIZE || entriesOffset % 8 !== 0) throw new StoreError(`${where}: entries offset ${entriesOffset} is not an 8-aligned offset past the index header`, 'corrupt')
  if (indexLength > allocated || header + allocated > limit) throw new StoreError(`${where}: index length ${indexLength} / allocated size ${allocated} exceed the ${limit - header} bytes available`, 'corrupt')
  const end = header + indexLength
  const entries: NodeEntry[] = []
  let at = header + entriesOffset
  for (;;) {
    if (at + INDEX_ENTRY_HEADER_SIZE > end) throw new StoreError(`${where}: entry at byte ${at} runs past the index length ${indexLength} (no END entry)`, 'corrupt')
    const length = dv.getUint16(at + 8, true)
    const keyLength = dv.getUint16(at + 10, true)
    const flags = dv.getUint16(at + 12, true)
    if (length < INDEX_ENTRY_HEADER_SIZE || length % 8 !== 0 || at + length > end) throw new StoreError(`${where}: entry at byte ${at} has length ${length} (must be a multiple of 8 inside the index)`, 'corrupt')
    const hasChild = (flags & INDEX_ENTRY_NODE) !== 0
    if (internal === undefined) {
      internal = hasChild
      if (hasChild && !flagged) throw new StoreError(`${where}: entries have child VCNs but the index header (byte ${header + 12}) flags a leaf`, 'corrupt')
      if (!hasChild && flagged && !isRoot) throw new StoreError(`${where}: the index header (byte ${header + 12}) flags a node but the entries have no child VCNs`, 'corrupt')
    } else if (hasChild !== internal) {
      throw new StoreError(`${where}: entry at byte ${at} ${hasChild ? 'has' : 'lacks'} a child VCN, unlike the entries before it`, 'corrupt')
    }
    let child: number | undefined
    if (hasChild) {
      if (length < INDEX_ENTRY_HEADER_SIZE + 8 + (flags & INDEX_ENTRY_END ? 0 : keyLength)) throw new StoreError(`${where}: entry at byte ${at} is too short for its child VCN`, 'corrupt')
      const vcn = dv.getBigInt64(at + length - 8, true)
      if (vcn < 0n || vcn > BigInt(Number.MAX_SAFE_INTEGER)) throw new StoreError(`${where}: entry at byte ${at} has child VCN ${vcn}`, 'corrupt')
      child = Number(vcn)
    }
    if (flags & INDEX_ENTRY_END) return { entries, endChild: child, internal: hasChild }
    const bodyEnd = at + length - (hasChild ? 8 : 0)
    const keyEnd = at + INDEX_ENTRY_HEADER_SIZE + keyLength
    if (keyLength === 0 || keyEnd > bodyEnd) throw new StoreError(`${where}: entry at byte ${at} has key length ${keyLength} for an entry of ${length} bytes`, 'corrupt')
    const key = buf.subarray(at + INDEX_ENTRY_HEADER_SIZE, keyEnd)
    let data: Uint8Array = NO_DATA
    let fileReference = 0n
    if (isI30) {
      fileReference = dv.getBigUint64(at, true)
    } else {
      const dataOffset = dv.getUint16(at, true)
      const dataLength = dv.getUint16(at + 2, true)
      if (dataLength > 0) {
        if (dataOffset < INDEX_ENTRY_HEADER_SIZE + keyLength || at + dataOffset + dataLength > bodyEnd) throw new StoreError(`${where}: entry at byte ${at} has data at ${dataOffset}+${dataLength} outside the entry`, 'corrupt')
        data = buf.subarray(at + dataOffset, at + dataOffset + dataLength)
      }
    }
    entries.push({ key, data, fileReference, child })
    at += length
  }
}

export interface RootInfo {
  attributeType: number
  collationRule: number
  blockSize: number
  clustersPerBlock: number
}

export function parseRootHeader(value: Uint8Array): RootInfo {
  if (value.length < INDEX_ROOT_HEADER_SIZE + INDEX_HEADER_SIZE + INDEX_ENTRY_HEADER_SIZE) throw new StoreError(`$INDEX_ROOT: value of ${value.length} bytes is too short`, 'corrupt')
  const dv = view(value)
  return {
    attributeType: dv.getUint32(0, true),
    collationRule: dv.getUint32(4, true),
    blockSize: dv.getUint32(8, true),
    clustersPerBlock: dv.getInt8(12),
  }
}

/** parses the $INDEX_ROOT value into its node (keys are views into `value`) */
export function parseRoot(value: Uint8Array, where = '$INDEX_ROOT'): Node {
  const info = parseRootHeader(value)
  const { entries, endChild } = parseEntries(value, INDEX_ROOT_HEADER_SIZE, value.length, info.attributeType === AT_FILE_NAME, where, true)
  return { vcn: undefined, entries, endChild, lsn: 0n, usa: undefined }
}

/** parses an INDX block (fixups already removed) into its node; checks magic and VCN */
export function parseBlock(block: Uint8Array, vcn: number, blockSize: number, isI30: boolean, where = `INDX block at VCN ${vcn}`): Node {
  if (block.length !== blockSize) throw new StoreError(`${where}: ${block.length} bytes read, ${blockSize} expected`, 'corrupt')
  const dv = view(block)
  if (dv.getUint32(0, true) !== INDX_MAGIC) throw new StoreError(`${where}: signature "INDX" missing at byte 0`, 'corrupt')
  const stored = dv.getBigInt64(16, true)
  if (stored !== BigInt(vcn)) throw new StoreError(`${where}: block says it is VCN ${stored}`, 'corrupt')
  const usaOfs = dv.getUint16(4, true)
  const usaCnt = dv.getUint16(6, true)
  const usa = usaOfs + 2 * usaCnt <= blockSize ? block.slice(usaOfs, usaOfs + 2 * usaCnt) : undefined
  const { entries, endChild } = parseEntries(block, INDX_HEADER_OFFSET, blockSize, isI30, where, false)
  return { vcn, entries, endChild, lsn: dv.getBigUint64(8, true), usa }
}

// ---- writing ----

/** how entries are written: $I30 entries carry a file reference, view entries a data offset and length */
export interface EntryFormat {
  isI30: boolean
  /** $SDH: pad entries with "II" (see writeEntries) */
  padII: boolean
}

function writeEntries(out: Uint8Array, at: number, node: Node, format: EntryFormat): number {
  const dv = view(out)
  for (const e of node.entries) {
    const length = entrySize(e)
    if (format.isI30) {
      dv.setBigUint64(at, e.fileReference, true)
    } else {
      // data_offset is set even without data (ntfs-3g reparse.c set_reparse_index does the same)
      dv.setUint16(at, INDEX_ENTRY_HEADER_SIZE + e.key.length, true)
      dv.setUint16(at + 2, e.data.length, true)
    }
    dv.setUint16(at + 8, length, true)
    dv.setUint16(at + 10, e.key.length, true)
    dv.setUint16(at + 12, e.child !== undefined ? INDEX_ENTRY_NODE : 0, true)
    out.set(e.key, at + INDEX_ENTRY_HEADER_SIZE)
    out.set(e.data, at + INDEX_ENTRY_HEADER_SIZE + e.key.length)
    if (format.padII) {
      // $SDH: Windows fills the alignment gap after the data with "II" in UTF-16
      // (ntfs-3g security.c writes the same when it adds an $SDH entry)
      const gapStart = at + INDEX_ENTRY_HEADER_SIZE + e.key.length + e.data.length
      const gapEnd = at + length - (e.child !== undefined ? 8 : 0)
      for (let i = gapStart; i < gapEnd; i++) out[i] = (i - gapStart) % 2 === 0 ? 0x49 : 0
    }
    if (e.child !== undefined) dv.setBigInt64(at + length - 8, BigInt(e.child), true)
    at += length
  }
  const endLength = endEntrySize(node)
  dv.setUint16(at + 8, endLength, true)
  dv.setUint16(at + 12, INDEX_ENTRY_END | (node.endChild !== undefined ? INDEX_ENTRY_NODE : 0), true)
  if (node.endChild !== undefined) dv.setBigInt64(at + 16, BigInt(node.endChild), true)
  return at + endLength
}

function writeIndexHeader(out: Uint8Array, header: number, entriesOffset: number, indexLength: number, allocated: number, internal: boolean): void {
  const dv = view(out)
  dv.setUint32(header, entriesOffset, true)
  dv.setUint32(header + 4, indexLength, true)
  dv.setUint32(header + 8, allocated, true)
  out[header + 12] = internal ? INDEX_HEADER_NODE : 0
}

/** the $INDEX_ROOT value for a node, keeping the 16-byte root header `rootHeader` */
export function serializeRoot(rootHeader: Uint8Array, node: Node, format: EntryFormat): Uint8Array {
  const length = INDEX_HEADER_SIZE + entriesSize(node)
  const out = new Uint8Array(INDEX_ROOT_HEADER_SIZE + length)
  out.set(rootHeader.subarray(0, INDEX_ROOT_HEADER_SIZE), 0)
  writeIndexHeader(out, INDEX_ROOT_HEADER_SIZE, INDEX_HEADER_SIZE, length, length, !isLeaf(node))
  writeEntries(out, INDEX_ROOT_HEADER_SIZE + INDEX_HEADER_SIZE, node, format)
  return out
}

/** an INDX block for a node (fixups not applied: the host applies them when it writes) */
export function serializeBlock(node: Node, blockSize: number, format: EntryFormat): Uint8Array {
  if (node.vcn === undefined) throw new Error('serializeBlock: the root is not a block')
  const out = new Uint8Array(blockSize)
  const dv = view(out)
  dv.setUint32(0, INDX_MAGIC, true)
  dv.setUint16(4, INDX_USA_OFFSET, true)
  dv.setUint16(6, usaCount(blockSize), true)
  dv.setBigUint64(8, node.lsn, true)
  dv.setBigInt64(16, BigInt(node.vcn), true)
  if (node.usa && node.usa.length === 2 * usaCount(blockSize)) out.set(node.usa, INDX_USA_OFFSET)
  const entriesOffset = blockEntriesOffset(blockSize)
  const length = entriesOffset + entriesSize(node)
  if (length > blockSize - INDX_HEADER_OFFSET) throw new Error(`serializeBlock: ${length} bytes of entries do not fit a ${blockSize}-byte block`)
  writeIndexHeader(out, INDX_HEADER_OFFSET, entriesOffset, length, blockSize - INDX_HEADER_OFFSET, !isLeaf(node))
  writeEntries(out, INDX_HEADER_OFFSET + entriesOffset, node, format)
  return out
}

/** the 16-byte INDEX_ROOT header */
export function rootHeaderBytes(attributeType: number, collationRule: number, blockSize: number, clustersPerBlock: number): Uint8Array {
  const out = new Uint8Array(INDEX_ROOT_HEADER_SIZE)
  const dv = view(out)
  dv.setUint32(0, attributeType, true)
  dv.setUint32(4, collationRule, true)
  dv.setUint32(8, blockSize, true)
  dv.setInt8(12, clustersPerBlock)
  return out
}
