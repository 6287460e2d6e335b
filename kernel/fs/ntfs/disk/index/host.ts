// The seam between an NTFS index B+ tree and the MFT record that holds it. The record layer
// implements IndexHost per (record, index name); the tree (./tree.ts) implements IndexTree.
// openIndex and emptyIndexRoot are implemented in ./tree.ts and re-exported by ./index.ts.

/** What a B+ tree needs from the MFT record that holds it; the core engineer implements it per (record, index name). */
export interface IndexHost {
  /** the index name: '$I30' for directories, '$SII', '$SDH', '$O', '$R' */
  readonly name: string
  /** bytes per index record (INDX block), from the boot sector / $INDEX_ROOT; usually 4096 */
  readonly blockSize: number
  /** clusters per index block, or (if the block is smaller than a cluster) the 512-byte units per block, as $INDEX_ROOT's field */
  readonly blockVcnUnit: number
  /** the $INDEX_ROOT attribute value (header + index header + entries) */
  readRoot(): Uint8Array
  /** replaces the $INDEX_ROOT value; the record may have to move other attributes (or go through $ATTRIBUTE_LIST) */
  writeRoot(value: Uint8Array): void
  /** reads an INDX block by VCN with the update-sequence fixups already removed; throws StoreError('corrupt') on a bad signature or fixup */
  readBlock(vcn: number): Uint8Array
  /** writes an INDX block (the host applies fixups, keeps $INDEX_ALLOCATION/$BITMAP consistent) */
  writeBlock(vcn: number, block: Uint8Array): void
  /** allocates a block (sets its bit in the index's $BITMAP attribute, creating $INDEX_ALLOCATION and $BITMAP when the index first outgrows the root, extending them as needed) and returns its VCN */
  allocateBlock(): number
  /** frees a block (clears its $BITMAP bit; may shrink $INDEX_ALLOCATION) */
  freeBlock(vcn: number): void
  /** true when the index has an $INDEX_ALLOCATION attribute */
  hasAllocation(): boolean
  /**
   * optional: the largest $INDEX_ROOT value (bytes) the record can hold now without moving
   * other attributes out. When the root would outgrow it, the tree moves the root's entries
   * into an index block (as NTFS does) instead of growing the root. Without it the tree uses
   * DEFAULT_ROOT_CAPACITY (./tree.ts). The root must still accept one entry plus the END entry
   * (up to 656 bytes for a 255-character name) after a push-down.
   */
  rootCapacity?(): number
}

export type Collation = 'filename' | 'ulong' | 'ulongs' | 'sid' | 'security-hash' | 'binary' // COLLATION_FILE_NAME 1, NTOFS_ULONG 0x10, NTOFS_ULONGS 0x13, NTOFS_SID 0x11, NTOFS_SECURITY_HASH 0x12, BINARY 0

/** One index entry: key bytes (for $I30 the whole $FILE_NAME attribute value), data bytes (for view indexes), and for $I30 the file reference */
export interface IndexEntry {
  key: Uint8Array
  data: Uint8Array
  fileReference: bigint
}

export interface IndexTree {
  lookup(key: Uint8Array): IndexEntry | undefined
  insert(entry: IndexEntry): void // throws StoreError('invalid') if the key exists
  remove(key: Uint8Array): boolean
  /** entries in collation order, optionally starting after `afterKey` */
  entries(afterKey?: Uint8Array): Iterable<IndexEntry>
  isEmpty(): boolean
}

/** signature of openIndex (implemented in ./tree.ts) */
export type OpenIndex = (host: IndexHost, collation: Collation, upcase: Uint16Array) => IndexTree

/** builds the $INDEX_ROOT value of an empty index (for format and for new directories); signature of emptyIndexRoot (./tree.ts) */
export type EmptyIndexRoot = (
  attributeType: number /* 0x30 for $I30, 0 for view indexes */,
  collation: Collation,
  blockSize: number,
  blockVcnUnit: number,
) => Uint8Array
