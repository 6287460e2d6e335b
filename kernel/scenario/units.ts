// Sizes (`64MiB`) and durations (`5s`) as scenario files write them.

/** A 64-bit integer: a number when it is exactly representable (|v| ≤ 2^53 − 1), else a bigint. */
export type Int64 = number | bigint

export const INT64_MIN = -(1n << 63n)
export const UINT64_MAX = (1n << 64n) - 1n

/** Narrows a bigint to a number when that is exact. */
export function toInt64(v: bigint): Int64 {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v
}

/** Any Int64 as a bigint. */
export function int64ToBigInt(v: Int64): bigint {
  return typeof v === 'bigint' ? v : BigInt(v)
}

const SIZE_UNITS: Record<string, bigint> = {
  B: 1n,
  KiB: 1n << 10n,
  MiB: 1n << 20n,
  GiB: 1n << 30n,
  TiB: 1n << 40n,
}

/**
 * Parses a size: a byte count (`4096`, `0x1000`) or a number with a binary unit
 * (`1KiB`, `64MiB`, `1.5GiB`). Decimal units (KB, MB) are refused as ambiguous.
 * Returns the byte count or an error message.
 */
export function parseSize(text: string): bigint | string {
  const t = text.trim()
  if (/^[0-9]+$/.test(t)) return BigInt(t)
  if (/^0x[0-9a-f]+$/i.test(t)) return BigInt(t)
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]+)$/.exec(t)
  if (!m) return `'${text}' is not a size (write a byte count or a number with KiB, MiB, GiB)`
  const num = m[1]!
  const unit = m[2]!
  const mult = SIZE_UNITS[unit]
  if (mult === undefined) {
    if (/^(k|m|g|t)b?$/i.test(unit)) return `'${text}': write ${unit[0]!.toUpperCase()}iB for a binary unit (1KiB = 1024 bytes)`
    return `'${text}': unknown size unit '${unit}' (use B, KiB, MiB, GiB, TiB)`
  }
  const [whole, frac = ''] = num.split('.')
  const scale = 10n ** BigInt(frac.length)
  const scaled = BigInt(whole! + frac) * mult
  if (scaled % scale !== 0n) return `'${text}' is not a whole number of bytes`
  return scaled / scale
}

const TICKS: Record<string, bigint> = {
  ns: 0n, // handled separately: 100 ns is the smallest unit
  us: 10n,
  µs: 10n,
  ms: 10_000n,
  s: 10_000_000n,
  min: 600_000_000n,
  h: 36_000_000_000n,
  ticks: 1n,
}

/**
 * Parses a duration with a unit into 100-ns ticks: `10us`, `200ms`, `5s`, `2min`, `1h`,
 * `300ns` (a multiple of 100), `15ticks`. A bare number is refused: durations need a unit.
 */
export function parseDuration(text: string): bigint | string {
  const t = text.trim()
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*(ns|us|µs|ms|s|min|h|ticks)$/.exec(t)
  if (!m) {
    if (/^[0-9.]+$/.test(t)) return `'${text}' needs a unit (for example 5s, 200ms, 10us)`
    return `'${text}' is not a duration (write a number with ns, us, ms, s, min or h)`
  }
  const num = m[1]!
  const unit = m[2]!
  const [whole, frac = ''] = num.split('.')
  const scale = 10n ** BigInt(frac.length)
  const digits = BigInt(whole! + frac)
  if (unit === 'ns') {
    if ((digits % (100n * scale)) !== 0n) return `'${text}': the clock counts 100 ns ticks; use a multiple of 100ns`
    return digits / (100n * scale)
  }
  const mult = TICKS[unit]!
  const ticks = digits * mult
  if (ticks % scale !== 0n) return `'${text}' is finer than the 100 ns clock`
  return ticks / scale
}
