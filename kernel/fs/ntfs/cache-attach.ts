// NTFS over the Cache Manager: the cache seam's routines as NTFS calls Cc (caching is
// initialized on a file object's first cached read or write, with NTFS's lazy-write and
// read-ahead callbacks), and the callbacks themselves.

import type { Co } from '../../ke/index.ts'
import { STATUS } from '../../nt/status.ts'
import type { CacheManager } from '../../cc/cache-manager.ts'
import type { CACHE_MANAGER_CALLBACKS } from '../../cc/cache-map.ts'
import type { FileObject } from '../../io/file-object.ts'
import type { NtfsCacheSeam } from './cache-seam.ts'
import { Scb, type Vcb } from './structures.ts'

/**
 * NtfsAcquireScbForLazyWrite / NtfsAcquireScbForReadAhead: the main resource shared, so that
 * the paging I/O that follows is not racing a change of the file's sizes. unverified: NTFS
 * also takes the paging resource for some streams.
 */
export const NTFS_CACHE_CALLBACKS: CACHE_MANAGER_CALLBACKS = {
  *AcquireForLazyWrite(context: unknown, wait: boolean): Co<boolean> {
    if (!(context instanceof Scb)) return false
    return yield* context.fcb.Resource.acquireShared(wait)
  },
  ReleaseFromLazyWrite(context: unknown): void {
    if (context instanceof Scb) context.fcb.Resource.release()
  },
  *AcquireForReadAhead(context: unknown, wait: boolean): Co<boolean> {
    if (!(context instanceof Scb)) return false
    return yield* context.fcb.Resource.acquireShared(wait)
  },
  ReleaseFromReadAhead(context: unknown): void {
    if (context instanceof Scb) context.fcb.Resource.release()
  },
}

function sizesOf(scb: Scb) {
  return { AllocationSize: scb.header.AllocationSize, FileSize: scb.header.FileSize, ValidDataLength: scb.header.ValidDataLength }
}

/** CcInitializeCacheMap on the first cached access through a file object */
export function ensureCaching(cc: CacheManager, scb: Scb, fo: FileObject): void {
  if (!fo.PrivateCacheMap) cc.initializeCacheMap(fo, sizesOf(scb), NTFS_CACHE_CALLBACKS, scb)
}

/** attaches a machine's Cache Manager to a mounted volume */
export function attachCache(vcb: Vcb, cc: CacheManager): void {
  const seam: NtfsCacheSeam = {
    *copyRead(scb, fo, offset, out) {
      ensureCaching(cc, scb, fo)
      return (yield* cc.copyRead(fo, offset, out, true)) ?? STATUS.STATUS_CANT_WAIT
    },
    *copyWrite(scb, fo, offset, data) {
      ensureCaching(cc, scb, fo)
      return (yield* cc.copyWrite(fo, offset, data, true)) ?? STATUS.STATUS_CANT_WAIT
    },
    *canIWrite(bytes) {
      yield* cc.canIWrite(bytes, true)
    },
    *writeThrough(scb, offset, length) {
      const fo = cc.sharedMapOf(scb.sectionObjectPointers)?.fileObject
      if (!fo) return STATUS.STATUS_SUCCESS
      return (yield* cc.writeThrough(fo, offset, length)).Status
    },
    setFileSizes(scb) {
      cc.setFileSizes(scb.sectionObjectPointers, sizesOf(scb))
    },
    *flush(scb, offset, length, onlyIfDirty) {
      return (yield* cc.flushCache(scb.sectionObjectPointers, offset ?? 0, length, { onlyIfDirty })).Status
    },
    purge(scb, offset, length) {
      return cc.purgeCacheSection(scb.sectionObjectPointers, offset, length)
    },
    zeroCached(scb, from, to) {
      cc.zeroCachedRange(scb.sectionObjectPointers, from, to)
    },
    uninitialize(fo, truncateSize) {
      cc.uninitializeCacheMap(fo, truncateSize)
    },
    isUserMapped(scb) {
      return cc.mm.isUserMapped(scb.sectionObjectPointers)
    },
  }
  vcb.cache = seam
  vcb.cc = cc
}
