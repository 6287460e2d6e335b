import { describe, it, expect } from 'vitest'
import { decodeRuns, encodeRuns, encodedSize, mapVcn, appendRun, truncateRuns, SPARSE, type Run } from './runlist.ts'

describe('mapping pairs', () => {
  it('decodes the documented example and encodes it back byte for byte', () => {
    // Linux-NTFS documentation "Data Runs": 21 18 34 56 / 00 → 0x18 clusters at LCN 0x5634
    const b = Uint8Array.from([0x21, 0x18, 0x34, 0x56, 0x00])
    const runs = decodeRuns(b, 0, b.length, 0)
    expect(runs).toEqual([{ vcn: 0, lcn: 0x5634, length: 0x18 }])
    expect(encodeRuns(runs)).toEqual(b)
  })

  it('handles negative deltas, sparse runs and large values', () => {
    const runs: Run[] = [
      { vcn: 0, lcn: 100000, length: 300 },
      { vcn: 300, lcn: SPARSE, length: 5000 },
      { vcn: 5300, lcn: 20, length: 1 },
      { vcn: 5301, lcn: 2 ** 40, length: 2 ** 33 },
    ]
    const enc = encodeRuns(runs)
    expect(enc.length).toBe(encodedSize(runs))
    expect(decodeRuns(enc, 0, enc.length, 0)).toEqual(runs)
    // mkntfs's $BadClus:$Bad: one sparse run over the whole volume
    expect(encodeRuns([{ vcn: 0, lcn: SPARSE, length: 4095 }])).toEqual(Uint8Array.from([0x02, 0xff, 0x0f, 0x00]))
  })

  it('keeps run lengths positive in their signed encoding (0x80 needs two bytes)', () => {
    expect(encodeRuns([{ vcn: 0, lcn: 0x10, length: 0x80 }])).toEqual(Uint8Array.from([0x12, 0x80, 0x00, 0x10, 0x00]))
  })

  it('rejects malformed pairs with the offset of the problem', () => {
    const bad = Uint8Array.from([0x21, 0x18, 0x34, 0x56, 0x09, 0x01])
    expect(() => decodeRuns(bad, 0, bad.length, 0)).toThrow(/invalid mapping pair header 0x9|run past/)
    const unterminated = Uint8Array.from([0x11, 0x01, 0x05])
    expect(() => decodeRuns(unterminated, 0, unterminated.length, 0)).toThrow(/not terminated/)
  })
})

describe('runlist helpers', () => {
  it('maps VCNs, merges contiguous appends and truncates', () => {
    const runs: Run[] = []
    appendRun(runs, 10, 4)
    appendRun(runs, 14, 2)
    appendRun(runs, 50, 3)
    expect(runs).toEqual([
      { vcn: 0, lcn: 10, length: 6 },
      { vcn: 6, lcn: 50, length: 3 },
    ])
    expect(mapVcn(runs, 5)).toEqual({ lcn: 15, count: 1 })
    expect(mapVcn(runs, 7)).toEqual({ lcn: 51, count: 2 })
    expect(mapVcn(runs, 9)).toBeUndefined()
    expect(truncateRuns(runs, 4)).toEqual([
      { vcn: 6, lcn: 50, length: 3 },
      { vcn: 4, lcn: 14, length: 2 },
    ])
    expect(runs).toEqual([{ vcn: 0, lcn: 10, length: 4 }])
  })
})
