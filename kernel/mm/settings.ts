// Timing and size choices of the Memory Manager and the Cache Manager that change traces. Each
// has the default a current Windows client uses where that is documented or observed, and can be
// overridden per machine (a scenario's `settings:`).

/** a setting as a scenario gives it (numbers may arrive as bigint from the YAML reader) */
export type SettingInput = number | bigint | string | boolean

export interface MmSettings {
  /**
   * How long modified pages of mapped views wait before the mapped page writer writes them.
   * unverified: Windows wakes the mapped page writer on modified-list thresholds and on a
   * periodic timer; the Win10 1903 capture shows its writes every few hundred milliseconds.
   */
  mappedPageWriterIntervalMs: number
  /** most bytes the mapped page writer writes in one paging write (observed up to 172,032) */
  mappedWriteMaxBytes: number
  /**
   * Pages read by one page fault on a mapped or cached file (Windows Internals: data-file
   * clusters of 8 pages; the Win10 1709 capture's fault reads are 32 KiB most often).
   */
  pageFaultClusterPages: number
}

export const DEFAULT_MM_SETTINGS: MmSettings = {
  mappedPageWriterIntervalMs: 1000,
  mappedWriteMaxBytes: 256 * 1024,
  pageFaultClusterPages: 8,
}

export interface CcSettings {
  /** CcFirstDelay: the first lazy-writer scan after the cache goes from idle to dirty (ReactOS lazywrite.c: 3 s) */
  lazyWriterFirstDelayMs: number
  /** CcIdleDelay: the scan interval while there is work (Windows Internals: once per second) */
  lazyWriterIntervalMs: number
  /** each scan queues one n-th of the dirty pages (Windows Internals: one eighth) */
  lazyWriterFraction: number
  /** the largest write-behind paging write (Windows Internals: 1 MB on client SKUs, 32 MB on servers) */
  maxWriteBehindBytes: number
  /**
   * How long an unused cache map (no handle, nothing dirty) stays before the lazy writer deletes
   * it and drops its file object reference (IRP_MJ_CLOSE from System). unverified: observed
   * closes came 7-22 s after the lazy writes (ZFSin #149); Windows ties it to the lazy-close
   * pass and to Mm trimming the section's pages.
   */
  lazyCloseDelayMs: number
  /** the read-ahead unit (CcSetReadAheadGranularity); unverified: NTFS's value is not documented */
  readAheadGranularityBytes: number
  /** the largest read-ahead paging read (Windows Internals experiment: 1 MB non-cached reads) */
  readAheadMaxBytes: number
  /**
   * CcDirtyPageThreshold: above it cached writers wait (CcCanIWrite) until the lazy writer has
   * written enough. unverified: Windows sizes it from physical memory.
   */
  dirtyPageThresholdBytes: number
  /** the most clean cached data kept before the oldest clean views are trimmed */
  systemCacheBytes: number
  /** Cc's own System worker threads (lazy write, write-behind, read-ahead, lazy close) */
  workerThreads: number
}

export const DEFAULT_CC_SETTINGS: CcSettings = {
  lazyWriterFirstDelayMs: 3000,
  lazyWriterIntervalMs: 1000,
  lazyWriterFraction: 8,
  maxWriteBehindBytes: 1024 * 1024,
  lazyCloseDelayMs: 10_000,
  readAheadGranularityBytes: 64 * 1024,
  readAheadMaxBytes: 1024 * 1024,
  dirtyPageThresholdBytes: 64 * 1024 * 1024,
  systemCacheBytes: 128 * 1024 * 1024,
  workerThreads: 3,
}

/**
 * Picks the settings named in `defaults` from `given` (other keys belong to other components and
 * are left alone). A value that is not a positive integer is an error naming the setting.
 */
export function pickSettings<T extends object>(defaults: T, given: { readonly [key: string]: SettingInput } | undefined): T {
  const out: { [k: string]: number } = { ...(defaults as unknown as { [k: string]: number }) }
  if (!given) return out as T
  for (const key of Object.keys(defaults)) {
    if (!(key in given)) continue
    const v = given[key]
    const n = typeof v === 'bigint' ? Number(v) : v
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) {
      throw new SettingError(`settings.${key}: expected a positive whole number, found ${typeof v === 'string' ? `'${v}'` : String(v)}`)
    }
    out[key] = n
  }
  return out as T
}

/** A setting with a value it cannot take. */
export class SettingError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SettingError'
  }
}

/** the problems in a scenario's settings for the Cache and Memory Managers (empty when none) */
export function checkCacheSettings(given: { readonly [key: string]: SettingInput } | undefined): string[] {
  const problems: string[] = []
  const on = given?.['cacheManager']
  if (on !== undefined && typeof on !== 'boolean') problems.push(`settings.cacheManager: expected true or false, found ${String(on)}`)
  for (const defaults of [DEFAULT_MM_SETTINGS, DEFAULT_CC_SETTINGS] as object[]) {
    try {
      pickSettings(defaults, given)
    } catch (e) {
      if (!(e instanceof SettingError)) throw e
      problems.push(e.message)
    }
  }
  return problems
}

export const PAGE_SIZE = 4096
export const PAGE_SHIFT = 12
/** VACB_MAPPING_GRANULARITY: the cache maps files in views of 256 KB */
export const VIEW_SIZE = 256 * 1024
export const PAGES_PER_VIEW = VIEW_SIZE / PAGE_SIZE
export const TICKS_PER_MS = 10_000
