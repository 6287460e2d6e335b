import { describe, it, expect } from 'vitest'
import { generateShortName, isLegal8dot3, shortNameChecksum } from './shortname.ts'

const none = (): boolean => false

describe('8.3 short names', () => {
  it('gives no short name to a legal 8.3 name', () => {
    expect(generateShortName('README.TXT', none)).toBeUndefined()
    expect(generateShortName('readme.txt', none)).toBeUndefined()
    expect(generateShortName('A', none)).toBeUndefined()
    expect(isLegal8dot3('TOOLONGNAME.TXT')).toBe(false)
    expect(isLegal8dot3('a.b.c')).toBe(false)
    expect(isLegal8dot3('x.html')).toBe(false)
    expect(isLegal8dot3('a+b.txt')).toBe(false)
  })

  it('truncates base to 6 characters, extension to 3, and upcases', () => {
    expect(generateShortName('Long File Name.html', none)).toBe('LONGFI~1.HTM')
    expect(generateShortName('document.backup.docx', none)).toBe('DOCUME~1.DOC')
    expect(generateShortName('.gitignore', none)).toBe('GITIGN~1')
    expect(generateShortName('noextension_but_long', none)).toBe('NOEXTE~1')
  })

  it('replaces illegal characters with _ and drops spaces, dots and non-ASCII', () => {
    expect(generateShortName('a+b=c[1].txt', none)).toBe('A_B_C_~1.TXT')
    expect(generateShortName('Ünïcödé файл.txt', none)).toBe('NCD' + '~1.TXT')
  })

  it('counts ~1..~4, then switches to a checksum of the long name', () => {
    const taken = new Set<string>()
    const names: string[] = []
    for (let i = 0; i < 6; i++) {
      const s = generateShortName('Program Files.txt', (c) => taken.has(c))!
      taken.add(s)
      names.push(s)
    }
    const digits = [0, 1, 2, 3].map((i) => ((shortNameChecksum('Program Files.txt') >> (4 * i)) & 0xf).toString(16).toUpperCase()).join('')
    expect(names).toEqual(['PROGRA~1.TXT', 'PROGRA~2.TXT', 'PROGRA~3.TXT', 'PROGRA~4.TXT', `PR${digits}~1.TXT`, `PR${digits}~2.TXT`])
  })

  it('puts the checksum in at once for a base of 2 characters or less', () => {
    const s = generateShortName('ab.longext', none)!
    expect(s).toMatch(/^AB[0-9A-F]{4}~1\.LON$/)
  })

  it('computes the checksum with 16-bit arithmetic', () => {
    expect(shortNameChecksum('')).toBe(0)
    expect(shortNameChecksum('a')).toBe(0x61)
    expect(shortNameChecksum('ab')).toBe(0x6162)
    expect(shortNameChecksum('Program Files.txt')).toBeLessThan(0x10000)
  })
})
