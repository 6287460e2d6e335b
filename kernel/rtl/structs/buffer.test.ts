import { describe, expect, it } from 'vitest'
import {
  StructError,
  align4,
  align8,
  alloc,
  encodeUtf16,
  fromHex,
  guidFromBytes,
  guidToBytes,
  i64,
  i64n,
  readAnsi,
  readUtf16,
  setI64,
  setU128,
  setU64,
  toHex,
  u128,
  u64,
  u64n,
  writeAnsi,
  writeUtf16,
} from './buffer.ts'

describe('64-bit fields', () => {
  it('writes LARGE_INTEGER from numbers and bigints, two’s complement for negatives', () => {
    const { bytes, dv } = alloc(8)
    setI64(dv, 0, -1)
    expect(toHex(bytes)).toBe('ffffffffffffffff')
    setI64(dv, 0, -2n)
    expect(i64(dv, 0)).toBe(-2n)
    expect(i64n(dv, 0)).toBe(-2)
    setI64(dv, 0, 0x123456789a)
    expect(toHex(bytes)).toBe('9a78563412000000')
    expect(i64n(dv, 0)).toBe(0x123456789a)
    setI64(dv, 0, 2n ** 62n)
    expect(i64(dv, 0)).toBe(2n ** 62n)
  })

  it('keeps values above 2^53 exact as bigint', () => {
    const { dv } = alloc(8)
    setU64(dv, 0, 0xfedcba9876543210n)
    expect(u64(dv, 0)).toBe(0xfedcba9876543210n)
    expect(u64n(dv, 0)).toBe(Number(0xfedcba9876543210n))
  })

  it('rejects values that do not fit, naming the field', () => {
    const { dv } = alloc(8)
    expect(() => setU64(dv, 0, -1, 'X.Size')).toThrow(StructError)
    expect(() => setU64(dv, 0, 1n << 64n, 'X.Size')).toThrow(/X\.Size/)
    expect(() => setI64(dv, 0, 1n << 63n, 'X.Time')).toThrow(/LARGE_INTEGER/)
    expect(() => setI64(dv, 0, 1.5, 'X.Time')).toThrow(/not an integer/)
  })

  it('stores FILE_ID_128 little-endian', () => {
    const { bytes, dv } = alloc(16)
    setU128(dv, 0, 0x0102n | (0xffn << 120n))
    expect(bytes[0]).toBe(0x02)
    expect(bytes[1]).toBe(0x01)
    expect(bytes[15]).toBe(0xff)
    expect(u128(dv, 0)).toBe(0x0102n | (0xffn << 120n))
  })
})

describe('UTF-16LE', () => {
  it('round-trips names with lone surrogates (NTFS names are 16-bit units)', () => {
    const s = 'a\ud83db\udd25\u00e9'
    const b = encodeUtf16(s)
    expect(b.length).toBe(10)
    expect(readUtf16(b, 0, b.length)).toBe(s)
  })

  it('writes whole code units only within a byte budget', () => {
    const b = new Uint8Array(8).fill(0xcc)
    expect(writeUtf16(b, 0, 'abcd', 5)).toBe(4)
    expect(Array.from(b)).toEqual([0x61, 0, 0x62, 0, 0xcc, 0xcc, 0xcc, 0xcc])
  })

  it('reads long strings', () => {
    const s = 'x'.repeat(10000)
    expect(readUtf16(encodeUtf16(s), 0, 20000)).toBe(s)
  })
})

describe('8-bit strings', () => {
  it('round-trips and rejects characters above 0xFF', () => {
    const b = new Uint8Array(3)
    writeAnsi(b, 0, 'A.b', 'EA name')
    expect(readAnsi(b, 0, 3)).toBe('A.b')
    expect(() => writeAnsi(b, 0, 'é€', 'EA name')).toThrow(/U\+20ac/)
  })
})

describe('alignment', () => {
  it('rounds up to 4 and 8', () => {
    expect([0, 1, 4, 5, 8].map(align4)).toEqual([0, 4, 4, 8, 8])
    expect([0, 1, 8, 9, 66].map(align8)).toEqual([0, 8, 8, 16, 72])
  })
})

describe('GUID', () => {
  it('uses Windows byte order (Data1..3 little-endian, Data4 in order)', () => {
    const b = guidToBytes('{00112233-4455-6677-8899-AABBCCDDEEFF}')
    expect(toHex(b)).toBe('33221100554477668899aabbccddeeff')
    expect(guidFromBytes(b)).toBe('{00112233-4455-6677-8899-AABBCCDDEEFF}')
    expect(guidFromBytes(guidToBytes('00112233-4455-6677-8899-aabbccddeeff'))).toBe('{00112233-4455-6677-8899-AABBCCDDEEFF}')
  })

  it('rejects malformed GUIDs with the text in the message', () => {
    expect(() => guidToBytes('{0011-22}')).toThrow(/'\{0011-22\}' is not a GUID/)
    expect(() => guidFromBytes(new Uint8Array(15))).toThrow(/needs 16 bytes/)
  })
})

describe('hex', () => {
  it('parses with whitespace and reports bad digits', () => {
    expect(Array.from(fromHex('00 ff 1A'))).toEqual([0, 255, 26])
    expect(() => fromHex('abc')).toThrow(/odd number/)
    expect(() => fromHex('zz')).toThrow(/not hex digits/)
  })
})
