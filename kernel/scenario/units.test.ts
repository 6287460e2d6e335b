import { describe, expect, it } from 'vitest'
import { parseIsoFiletime } from './args.ts'
import { parseDuration, parseSize, toInt64 } from './units.ts'

describe('sizes', () => {
  it('reads byte counts and binary units', () => {
    expect(parseSize('4096')).toBe(4096n)
    expect(parseSize('0x1000')).toBe(4096n)
    expect(parseSize('1KiB')).toBe(1024n)
    expect(parseSize('64MiB')).toBe(67108864n)
    expect(parseSize('1.5GiB')).toBe(1610612736n)
    expect(parseSize('16TiB')).toBe(17592186044416n)
  })
  it('refuses ambiguous and malformed sizes', () => {
    expect(parseSize('64MB')).toBe("'64MB': write MiB for a binary unit (1KiB = 1024 bytes)")
    expect(parseSize('1.3B')).toBe("'1.3B' is not a whole number of bytes")
    expect(parseSize('lots')).toBe("'lots' is not a size (write a byte count or a number with KiB, MiB, GiB)")
    expect(parseSize('3 parsecs')).toBe("'3 parsecs': unknown size unit 'parsecs' (use B, KiB, MiB, GiB, TiB)")
  })
})

describe('durations', () => {
  it('converts to 100-ns ticks', () => {
    expect(parseDuration('5s')).toBe(50_000_000n)
    expect(parseDuration('200ms')).toBe(2_000_000n)
    expect(parseDuration('10us')).toBe(100n)
    expect(parseDuration('10µs')).toBe(100n)
    expect(parseDuration('300ns')).toBe(3n)
    expect(parseDuration('1.5s')).toBe(15_000_000n)
    expect(parseDuration('2min')).toBe(1_200_000_000n)
    expect(parseDuration('7ticks')).toBe(7n)
  })
  it('needs a unit and the 100-ns resolution', () => {
    expect(parseDuration('1000')).toBe("'1000' needs a unit (for example 5s, 200ms, 10us)")
    expect(parseDuration('150ns')).toBe("'150ns': the clock counts 100 ns ticks; use a multiple of 100ns")
    expect(parseDuration('0.01us')).toBe("'0.01us' is finer than the 100 ns clock")
    expect(parseDuration('soon')).toBe("'soon' is not a duration (write a number with ns, us, ms, s, min or h)")
  })
})

describe('Int64', () => {
  it('keeps numbers exact', () => {
    expect(toInt64(9007199254740991n)).toBe(9007199254740991)
    expect(toInt64(9007199254740993n)).toBe(9007199254740993n)
    expect(toInt64(-5n)).toBe(-5)
  })
})


describe('ISO times as FILETIME', () => {
  it('converts UTC dates and refuses impossible ones', () => {
    expect(parseIsoFiletime('1601-01-01')).toBe(0n)
    expect(parseIsoFiletime('1970-01-01T00:00:00Z')).toBe(116444736000000000n)
    expect(parseIsoFiletime('2024-01-01T00:00:00Z')).toBe(133485408000000000n)
    expect(parseIsoFiletime('2020-07-11T16:33:18.1234567Z')).toBe(132389587981234567n)
    expect(parseIsoFiletime('2024-02-29')).toBe(133536384000000000n)
    expect(parseIsoFiletime('2023-02-29')).toBeUndefined()
    expect(parseIsoFiletime('2024-13-01')).toBeUndefined()
    expect(parseIsoFiletime('yesterday')).toBeUndefined()
  })
})
