// Virtual time. The machine boots at a fixed FILETIME; time advances only by the work the
// emulated threads do and by waiting for timers — never by the host clock.

/** 2024-01-01T00:00:00Z as a FILETIME (100 ns units since 1601-01-01). */
export const BOOT_FILETIME = 133485408000000000n

export const TICKS_PER_US = 10
export const TICKS_PER_MS = 10_000
export const TICKS_PER_SECOND = 10_000_000

/** FILETIME → ISO-8601 (UTC), for display */
export function fileTimeToIso(ft: bigint): string {
  const ms = Number((ft - 116444736000000000n) / 10_000n)
  const frac = (ft % 10_000n).toString().padStart(4, '0')
  // host-time: formatting a given FILETIME, not reading the host clock
  return new Date(ms).toISOString().replace('Z', frac + 'Z')
}
