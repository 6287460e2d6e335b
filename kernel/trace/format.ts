// Value formats of Process Monitor's columns: numbers with thousands separators, FILETIME
// dates (`7/11/2020 4:33:18 PM`), time of day with 100-ns digits (`7:19:37.0147934 AM`),
// relative times and durations. Pure arithmetic on 100-ns ticks (no host clock).

/** FILETIME of the emulated machine's boot: 2024-01-01 00:00:00 UTC. Event time 0 is this instant. */
export const BOOT_FILETIME = 133485408000000000n

const TICKS_PER_SECOND = 10_000_000n
const TICKS_PER_DAY = 86_400n * TICKS_PER_SECOND
/** Days from 1601-01-01 to 1970-01-01. */
const DAYS_1601_TO_1970 = 134774n

/** `16022` → `16,022`; negative and 64-bit values too. */
export function thousands(v: number | bigint | string): string {
  const s = typeof v === 'string' ? v : BigInt(v).toString()
  const neg = s.startsWith('-')
  const digits = neg ? s.slice(1) : s
  if (!/^[0-9]+$/.test(digits)) return s
  const out = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return neg ? '-' + out : out
}

export interface CivilTime {
  readonly year: number
  readonly month: number
  readonly day: number
  readonly hour: number
  readonly minute: number
  readonly second: number
  /** 100-ns units within the second, 0..9999999 */
  readonly fraction: number
}

/** Civil date from days since 1970-01-01 (proleptic Gregorian; H. Hinnant's algorithm). */
function civilFromDays(z0: bigint): { year: number; month: number; day: number } {
  const z = z0 + 719468n
  const era = (z >= 0n ? z : z - 146096n) / 146097n
  const doe = z - era * 146097n
  const yoe = (doe - doe / 1460n + doe / 36524n - doe / 146096n) / 365n
  const y = yoe + era * 400n
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n)
  const mp = (5n * doy + 2n) / 153n
  const d = doy - (153n * mp + 2n) / 5n + 1n
  const m = mp < 10n ? mp + 3n : mp - 9n
  return { year: Number(m <= 2n ? y + 1n : y), month: Number(m), day: Number(d) }
}

/** A FILETIME (100-ns units since 1601-01-01 UTC) as civil UTC time. */
export function filetimeToCivil(ft: bigint): CivilTime {
  const days = ft >= 0n ? ft / TICKS_PER_DAY : (ft - TICKS_PER_DAY + 1n) / TICKS_PER_DAY
  const rem = ft - days * TICKS_PER_DAY
  const { year, month, day } = civilFromDays(days - DAYS_1601_TO_1970)
  const secs = rem / TICKS_PER_SECOND
  return {
    year,
    month,
    day,
    hour: Number(secs / 3600n),
    minute: Number((secs / 60n) % 60n),
    second: Number(secs % 60n),
    fraction: Number(rem % TICKS_PER_SECOND),
  }
}

function clock12(hour: number): { h: number; ampm: 'AM' | 'PM' } {
  return { h: hour % 12 === 0 ? 12 : hour % 12, ampm: hour < 12 ? 'AM' : 'PM' }
}
const two = (n: number): string => String(n).padStart(2, '0')

/** `7/11/2020 4:33:18 PM` (Procmon's Detail dates and the Date & Time column). */
export function formatFiletimeDate(ft: bigint | number): string {
  const c = filetimeToCivil(BigInt(ft))
  const { h, ampm } = clock12(c.hour)
  return `${c.month}/${c.day}/${c.year} ${h}:${two(c.minute)}:${two(c.second)} ${ampm}`
}

/** `7:19:37.0147934 AM` (the Time of Day column). */
export function formatTimeOfDay(ft: bigint | number): string {
  const c = filetimeToCivil(BigInt(ft))
  const { h, ampm } = clock12(c.hour)
  return `${h}:${two(c.minute)}:${two(c.second)}.${String(c.fraction).padStart(7, '0')} ${ampm}`
}

/** `00:00:05.9596695` (the Relative Time column), from 100-ns ticks. */
export function formatRelative(ticks: bigint | number): string {
  const t = BigInt(ticks) < 0n ? 0n : BigInt(ticks)
  const secs = t / TICKS_PER_SECOND
  const frac = t % TICKS_PER_SECOND
  return `${two(Number(secs / 3600n))}:${two(Number((secs / 60n) % 60n))}:${two(Number(secs % 60n))}.${frac.toString().padStart(7, '0')}`
}

/** `0.0000139` (the Duration column: seconds with 7 decimals), from 100-ns ticks. */
export function formatDuration(ticks: bigint | number): string {
  const t = BigInt(ticks) < 0n ? 0n : BigInt(ticks)
  return `${t / TICKS_PER_SECOND}.${(t % TICKS_PER_SECOND).toString().padStart(7, '0')}`
}

/** An event's virtual time (ticks since boot) as FILETIME. */
export function eventFiletime(time: number | bigint): bigint {
  return BOOT_FILETIME + BigInt(time)
}
