// The boundary between NTFS semantics (FCB/SCB/CCB, NTSTATUS rules, in ./ ) and where the
// volume's structures live. Two implementations satisfy it: an in-memory one
// (./memory-store.ts) and the real NTFS on-disk format over a disk image (./disk/). The
// semantic layer must not know which one it runs on; tests run both.
//
// Everything here is synchronous (Decision 1: no async host I/O in the kernel). A store
// does no access checks and knows no NTSTATUS: the semantic layer decides what is allowed,
// the store only records it. A store throws StoreError for a corrupt volume or a full disk.

/** An MFT record number (the low 48 bits of a file reference). */
export type RecordNo = number

/** FILETIME: 100 ns units since 1601-01-01 UTC; a bigint because it exceeds 2^53. */
export type FileTime = bigint

export const enum NameSpace {
  Posix = 0,
  Win32 = 1,
  Dos = 2,
  Win32AndDos = 3,
}

export interface StandardInfo {
  creationTime: FileTime
  lastWriteTime: FileTime // $STANDARD_INFORMATION "altered"
  changeTime: FileTime // "MFT changed"
  lastAccessTime: FileTime
  /** FILE_ATTRIBUTE_* as stored in $STANDARD_INFORMATION (no DIRECTORY bit, see isDirectory) */
  fileAttributes: number
  securityId: number
  /** $STANDARD_INFORMATION.OwnerId / QuotaCharged / Usn — kept for fidelity */
  ownerId: number
  usn: bigint
}

export interface FileNameLink {
  parent: RecordNo
  name: string
  nameSpace: NameSpace
}

export interface StreamInfo {
  /** '' for the unnamed $DATA stream */
  name: string
  /** EndOfFile */
  size: number
  /** AllocationSize: a multiple of the cluster size for non-resident, 8-aligned for resident */
  allocated: number
  /** ValidDataLength; reads beyond it return zeroes */
  validDataLength: number
  resident: boolean
}

export interface ReparsePoint {
  tag: number
  /** the reparse data buffer after the 8-byte header (for third-party tags the GUID comes first, see guid) */
  data: Uint8Array
  /** present for non-Microsoft tags (REPARSE_GUID_DATA_BUFFER) */
  guid?: Uint8Array
}

export interface EaEntry {
  name: string // stored upper-case by NTFS
  value: Uint8Array
  flags: number // FILE_NEED_EA 0x80
}

export interface FileRecord {
  record: RecordNo
  /** sequence number of the record; (seq << 48) | record is the file reference / IndexNumber */
  seq: number
  isDirectory: boolean
  std: StandardInfo
  names: readonly FileNameLink[]
  /** $DATA streams (unnamed first); directories have none unless named streams were added */
  streams: readonly StreamInfo[]
  reparse: ReparsePoint | undefined
  eas: readonly EaEntry[]
  objectId: Uint8Array | undefined // 16 bytes
}

/** One entry of a directory index ($I30), in collation order. */
export interface DirEntry {
  name: string
  nameSpace: NameSpace
  record: RecordNo
  seq: number
}

export interface VolumeGeometry {
  bytesPerSector: number
  bytesPerCluster: number
  mftRecordSize: number
  totalClusters: number
  serialNumber: bigint
  /** NTFS version as major.minor, 3.1 */
  version: string
}

export interface CreateRecordOptions {
  isDirectory: boolean
  std: StandardInfo
  /** the first name; an 8.3 DOS name, if any, is added with addName(..., NameSpace.Dos) */
  name: FileNameLink
}

export class StoreError extends Error {
  constructor(
    message: string,
    readonly kind: 'corrupt' | 'disk-full' | 'not-found' | 'invalid' | 'io',
  ) {
    super(message)
    this.name = 'StoreError'
  }
}

export interface NtfsStore {
  readonly geometry: VolumeGeometry
  readonly rootRecord: RecordNo
  volumeLabel(): string
  setVolumeLabel(label: string): void
  freeClusters(): number
  /** NTFS upcase of a name, by the volume's $UpCase table (names compare by this) */
  upcase(name: string): string

  readRecord(record: RecordNo): FileRecord | undefined
  /** allocates an MFT record, writes it and inserts its first name into the parent's index */
  createRecord(opts: CreateRecordOptions): FileRecord
  /** frees the record (its names must already be removed), its clusters and its index if a directory */
  deleteRecord(record: RecordNo): void
  setStandardInfo(record: RecordNo, patch: Partial<StandardInfo>): void

  /** adds a $FILE_NAME and its index entry in `link.parent` (hard link, or 8.3 name) */
  addName(record: RecordNo, link: FileNameLink): void
  /** removes one $FILE_NAME and its index entry (exact name, case-sensitive) */
  removeName(record: RecordNo, parent: RecordNo, name: string): void

  /** case-insensitive (upcase) lookup in a directory; POSIX names also match case-insensitively */
  lookup(dir: RecordNo, name: string): DirEntry | undefined
  /** the directory's entries in collation order, optionally those after `after` (exclusive) */
  list(dir: RecordNo, after?: string): Iterable<DirEntry>
  /** true when the directory has no entries */
  isEmptyDirectory(dir: RecordNo): boolean

  createStream(record: RecordNo, stream: string): void
  deleteStream(record: RecordNo, stream: string): void
  renameStream(record: RecordNo, from: string, to: string): void
  /** reads [offset, offset+length) clipped to the stream's size; bytes past validDataLength read as zero */
  readStream(record: RecordNo, stream: string, offset: number, length: number): Uint8Array
  /** writes bytes, extending size/allocation as needed; does not move validDataLength past offset+length */
  writeStream(record: RecordNo, stream: string, offset: number, data: Uint8Array): void
  /** sets any of size, allocated, validDataLength; truncation frees clusters */
  setStreamSizes(record: RecordNo, stream: string, sizes: { size?: number; allocated?: number; validDataLength?: number }): void

  setReparsePoint(record: RecordNo, reparse: ReparsePoint | undefined): void
  setEas(record: RecordNo, eas: readonly EaEntry[]): void
  setObjectId(record: RecordNo, objectId: Uint8Array | undefined): void
  /** $Extend\$ObjId lookup */
  findByObjectId(objectId: Uint8Array): RecordNo | undefined

  /**
   * Groups metadata changes into one atomic unit: after a crash either all of `fn`'s changes
   * are on the volume or none are (the on-disk store journals them). Nested calls join the
   * outer unit.
   */
  atomic<T>(fn: () => T): T
  /** makes everything written so far durable (FlushFileBuffers on the volume) */
  flush(): void
  /** releases the image; the store is unusable afterwards */
  close(): void
}
