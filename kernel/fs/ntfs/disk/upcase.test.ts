import { describe, it, expect, afterAll } from 'vitest'
import { buildUpcaseTable, upcaseName, upcaseTable, upcaseTableBytes, parseUpcaseTable } from './upcase.ts'
import { tempImages, ntfsTool } from './check/test-images.ts'

describe('$UpCase', () => {
  const images = tempImages('upcase-')
  afterAll(() => images.cleanup())

  it('equals the $UpCase mkntfs writes, code unit for code unit', () => {
    const image = images.mkntfs('fresh.img', 8)
    const disk = new Uint8Array(ntfsTool('ntfscat', [image, '$UpCase']))
    expect(disk.length).toBe(131072)
    const ours = upcaseTableBytes(buildUpcaseTable())
    const firstDiff = ours.findIndex((b, i) => b !== disk[i])
    expect(firstDiff).toBe(-1)
    expect(parseUpcaseTable(disk)).toEqual(buildUpcaseTable())
  })

  it('maps ASCII, Latin-1, Greek and Cyrillic lower case to upper case', () => {
    const t = upcaseTable()
    expect(upcaseName(t, 'readme.txt')).toBe('README.TXT')
    expect(upcaseName(t, 'àéîõüÿ')).toBe('ÀÉÎÕÜŸ')
    expect(upcaseName(t, 'αβγδ ωσ')).toBe('ΑΒΓΔ ΩΣ')
    expect(t[0x3c2]).toBe(0x3c2) // final sigma stays (host Unicode maps it to Σ)
    expect(upcaseName(t, 'привет')).toBe('ПРИВЕТ')
  })

  it('leaves what Windows leaves: ß, dotless ı stays, µ, supplementary planes', () => {
    const t = upcaseTable()
    expect(upcaseName(t, 'ß')).toBe('ß') // no single-unit upper case
    expect(t[0x131]).toBe(0x131) // dotless i: Windows keeps it (host Unicode maps it to I)
    expect(t[0xb5]).toBe(0xb5) // micro sign
    expect(upcaseName(t, '𐐨')).toBe('𐐨') // Deseret small letter: a surrogate pair, not upcased
    expect(upcaseName(t, 'ｆｕｌｌ')).toBe('ＦＵＬＬ')
  })

  it('is a table of 65,536 entries that maps upper case to itself', () => {
    const t = buildUpcaseTable()
    expect(t.length).toBe(65536)
    const notIdempotent: number[] = []
    for (let c = 0; c < 65536; c++) if (t[t[c]!] !== t[c]) notIdempotent.push(c)
    expect(notIdempotent).toEqual([])
  })
})
