// SHARED_CACHE_MAP (one per cached stream, shared by every file object of the stream through
// SectionObjectPointer->SharedCacheMap) and PRIVATE_CACHE_MAP (one per file object that did
// cached I/O: FileObject->PrivateCacheMap, with its read history for read-ahead).

import type { FileObject, SectionObjectPointers } from '../io/file-object.ts'
import type { Co } from '../ke/index.ts'
import type { Segment } from '../mm/segment.ts'

/** CC_FILE_SIZES */
export interface CC_FILE_SIZES {
  AllocationSize: number
  FileSize: number
  ValidDataLength: number
}

/**
 * CACHE_MANAGER_CALLBACKS: how the lazy writer and read-ahead take the file system's locks
 * before they send paging I/O (the file system's resource order is its own business).
 */
export interface CACHE_MANAGER_CALLBACKS {
  AcquireForLazyWrite(context: unknown, wait: boolean): Co<boolean>
  ReleaseFromLazyWrite(context: unknown): void
  AcquireForReadAhead(context: unknown, wait: boolean): Co<boolean>
  ReleaseFromReadAhead(context: unknown): void
}

export class SharedCacheMap {
  /** private cache maps (file objects with caching initialized) */
  openCount = 0
  /** the stream's size as the cache last heard it (CcSetFileSizes) */
  fileSize: number
  /** on the lazy writer's list of dirty streams */
  onDirtyList = false
  /** virtual time the last private map went (lazy close counts from here) */
  unusedSince: number | undefined
  deleted = false
  /** FILE_ATTRIBUTE_TEMPORARY: the lazy writer leaves it alone while it is open */
  readonly temporary: boolean

  constructor(
    readonly id: number,
    readonly sop: SectionObjectPointers,
    readonly segment: Segment,
    /** the file object the cache's paging I/O goes through (the first one cached) */
    readonly fileObject: FileObject,
    readonly callbacks: CACHE_MANAGER_CALLBACKS,
    readonly lazyWriteContext: unknown,
    sizes: CC_FILE_SIZES,
    temporary: boolean,
  ) {
    this.fileSize = sizes.FileSize
    this.temporary = temporary
  }

  get dirtyPages(): number {
    return this.segment.dirtyPages
  }
}

export class PrivateCacheMap {
  /** end of the previous read (sequential detection) */
  lastReadEnd = -1
  /** how far read-ahead has been scheduled */
  readAheadEnd = 0
  constructor(
    readonly sharedCacheMap: SharedCacheMap,
    readonly fileObject: FileObject,
  ) {}
}
