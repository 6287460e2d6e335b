import { describe, expect, it } from 'vitest'
import { STATUS } from '../../nt/status.ts'
import { toHex, view } from './buffer.ts'
import {
  FILE_NEED_EA,
  checkEaBufferValidity,
  checkEaNames,
  decodeFullEaList,
  decodeGetEaList,
  eaSizeAsNtfsReports,
  encodeFullEaList,
  encodeFullEaQuery,
  encodeGetEaList,
  isValidEaName,
  upcaseEaName,
} from './ea.ts'

const te = new TextEncoder()
const hello = { Name: 'HELLO', Value: te.encode('world'), Flags: 0 }
const foo = { Name: 'FOO', Value: te.encode('bar'), Flags: FILE_NEED_EA }

describe('FILE_FULL_EA_INFORMATION chains', () => {
  it('lays out header, name, NUL, value; 4-byte aligned; last entry unpadded', () => {
    const b = encodeFullEaList([hello, foo])
    // HELLO: 8 + 5 + 1 + 5 = 19 → next at 20; FOO: 8 + 3 + 1 + 3 = 15 → 35 bytes
    expect(b.length).toBe(35)
    expect(toHex(b.subarray(0, 8))).toBe('14000000' + '00' + '05' + '0500')
    expect(b[8 + 5]).toBe(0)
    expect(new TextDecoder().decode(b.subarray(14, 19))).toBe('world')
    expect(b[20 + 4]).toBe(0x80)
    expect(decodeFullEaList(b)).toEqual([hello, foo])
  })

  it('an empty value and an empty list', () => {
    const b = encodeFullEaList([{ Name: 'X' }])
    expect(b.length).toBe(10)
    expect(decodeFullEaList(b)).toEqual([{ Name: 'X', Value: new Uint8Array(0), Flags: 0 }])
    expect(encodeFullEaList([]).length).toBe(0)
  })

  it('refuses names that cannot be represented', () => {
    expect(() => encodeFullEaList([{ Name: 'x'.repeat(256) }])).toThrow(/longer than 255/)
    expect(() => encodeFullEaList([{ Name: 'nöme\u20ac' }])).toThrow(/not an 8-bit character/)
  })
})

describe('IoCheckEaBufferValidity', () => {
  it('accepts a well-formed chain, with or without trailing padding', () => {
    const b = encodeFullEaList([hello, foo])
    expect(checkEaBufferValidity(b)).toEqual({ status: STATUS.STATUS_SUCCESS, errorOffset: 0 })
    const padded = new Uint8Array(36)
    padded.set(b)
    expect(checkEaBufferValidity(padded).status).toBe(STATUS.STATUS_SUCCESS)
  })

  it('a NextEntryOffset other than the aligned size fails at that entry', () => {
    const b = encodeFullEaList([hello, foo, hello])
    view(b).setUint32(20, 24, true)
    expect(checkEaBufferValidity(b)).toEqual({ status: STATUS.STATUS_EA_LIST_INCONSISTENT, errorOffset: 20 })
  })

  it('a missing NUL after the name, a value past the end, a short header', () => {
    const noNul = encodeFullEaList([hello])
    noNul[13] = 0x41
    expect(checkEaBufferValidity(noNul)).toEqual({ status: STATUS.STATUS_EA_LIST_INCONSISTENT, errorOffset: 0 })
    const b = encodeFullEaList([hello, foo])
    expect(checkEaBufferValidity(b, 34)).toEqual({ status: STATUS.STATUS_EA_LIST_INCONSISTENT, errorOffset: 20 })
    expect(checkEaBufferValidity(b, 7).status).toBe(STATUS.STATUS_EA_LIST_INCONSISTENT)
    expect(checkEaBufferValidity(new Uint8Array(0)).status).toBe(STATUS.STATUS_EA_LIST_INCONSISTENT)
  })

  it('decoding a truncated chain names the offset', () => {
    const b = encodeFullEaList([hello, foo]).subarray(0, 30)
    expect(() => decodeFullEaList(b)).toThrow(/at offset 20/)
  })
})

describe('EA names', () => {
  it('FastFAT rules: no control characters or \\ / : * ? " < > | , + = [ ] ;', () => {
    for (const ok of ['HELLO', '.LONGNAME', 'A.B', 'x'.repeat(255), '\u00e9t\u00e9']) expect(isValidEaName(ok), ok).toBe(true)
    for (const bad of ['', 'a b\u0001', 'a/b', 'a\\b', 'a:b', 'a*', 'a?', 'a"', 'a<', 'a>', 'a|b', 'a,b', 'a+b', 'a=b', 'a[b', 'a]', 'a;', 'x'.repeat(256), 'a\u0100']) {
      expect(isValidEaName(bad), JSON.stringify(bad)).toBe(false)
    }
  })

  it('reports the first bad name with its offset', () => {
    const b = encodeFullEaList([hello, { Name: 'A,B', Value: te.encode('v') }])
    expect(checkEaNames(b)).toEqual({ status: STATUS.STATUS_INVALID_EA_NAME, errorOffset: 20 })
    expect(checkEaNames(encodeFullEaList([hello])).status).toBe(STATUS.STATUS_SUCCESS)
  })

  it('names are stored upper-cased', () => {
    expect(upcaseEaName('hello.World_1')).toBe('HELLO.WORLD_1')
  })
})

describe('EaSize (WinBtrfs EA tests, which pass on NTFS)', () => {
  it('is the sum of the 4-aligned FILE_FULL_EA_INFORMATION sizes', () => {
    expect(eaSizeAsNtfsReports([])).toBe(0)
    expect(eaSizeAsNtfsReports([{ Name: 'hello', Value: te.encode('world') }])).toBe(20)
    expect(eaSizeAsNtfsReports([{ Name: 'hello', Value: te.encode('world') }, { Name: 'fOo', Value: te.encode('bar') }])).toBe(36)
  })
})

describe('NtQueryEaFile output (MS-FSA FileFullEaInformation)', () => {
  it('all fit: SUCCESS; Information without trailing padding', () => {
    const r = encodeFullEaQuery([hello, foo], 4096)
    expect(r).toMatchObject({ status: STATUS.STATUS_SUCCESS, information: 35, count: 2 })
    expect(decodeFullEaList(r.bytes)).toEqual([hello, foo])
  })

  it('exactly fits, one byte short, zero-length, single entry, none', () => {
    expect(encodeFullEaQuery([hello, foo], 35).status).toBe(STATUS.STATUS_SUCCESS)
    const short = encodeFullEaQuery([hello, foo], 34)
    expect(short).toMatchObject({ status: STATUS.STATUS_BUFFER_OVERFLOW, information: 19, count: 1 })
    expect(view(short.bytes).getUint32(0, true)).toBe(0)
    expect(encodeFullEaQuery([hello, foo], 18)).toMatchObject({ status: STATUS.STATUS_BUFFER_TOO_SMALL, information: 0, count: 0 })
    expect(encodeFullEaQuery([hello], 0).status).toBe(STATUS.STATUS_BUFFER_TOO_SMALL)
    expect(encodeFullEaQuery([hello, foo], 4096, true)).toMatchObject({ status: STATUS.STATUS_SUCCESS, count: 1, information: 19 })
    expect(encodeFullEaQuery([], 4096).status).toBe(STATUS.STATUS_NO_EAS_ON_FILE)
  })
})

describe('FILE_GET_EA_INFORMATION lists', () => {
  it('round-trips with 4-byte alignment', () => {
    const b = encodeGetEaList(['HELLO', 'FOO'])
    // 5 + 5 + 1 = 11 → next at 12; 5 + 3 + 1 = 9 → 21
    expect(b.length).toBe(21)
    expect(view(b).getUint32(0, true)).toBe(12)
    expect(decodeGetEaList(b)).toEqual({ status: STATUS.STATUS_SUCCESS, errorOffset: 0, names: ['HELLO', 'FOO'] })
  })

  it('an entry past the end or an offset inside the name is inconsistent', () => {
    const b = encodeGetEaList(['HELLO', 'FOO'])
    expect(decodeGetEaList(b.subarray(0, 18))).toMatchObject({ status: STATUS.STATUS_EA_LIST_INCONSISTENT, errorOffset: 12 })
    const inside = b.slice()
    view(inside).setUint32(0, 8, true)
    expect(decodeGetEaList(inside)).toMatchObject({ status: STATUS.STATUS_EA_LIST_INCONSISTENT, errorOffset: 0 })
  })
})
