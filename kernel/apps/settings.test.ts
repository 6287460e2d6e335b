import { describe, expect, it } from 'vitest'
import { APP_SETTINGS, appSettings, AppSettingError, DEFAULT_APP_SETTINGS } from './settings.ts'
import { ownerFileContent, ownerFileName, OWNER_FILE_BYTES } from './winword/owner.ts'
import { dosTimeToFileTime, findEndRecord, parseCentralDirectory, ZipFormatError } from './archivers/zip.ts'

describe('app settings', () => {
  it('have a default, a description and a source each, all under app.', () => {
    for (const s of APP_SETTINGS) {
      expect(s.name).toMatch(/^app\./)
      expect(DEFAULT_APP_SETTINGS[s.name]).toBe(s.default)
      expect(s.source).toMatch(/^\[[A-Z]/)
    }
  })
  it('take milliseconds, sizes with units, counts and switches', () => {
    const s = appSettings({ 'app.defender.delay': '2s', 'app.indexer.readChunk': '4KiB', 'app.word.probes': 0, 'app.indexer.oplock': false, 'copy.readChunk': 'not mine' })
    expect(s['app.defender.delay']).toBe(2000)
    expect(s['app.indexer.readChunk']).toBe(4096)
    expect(s['app.word.probes']).toBe(0)
    expect(s['app.indexer.oplock']).toBe(false)
    expect(s['app.explorer.reactionDelay']).toBe(100)
  })
  it('refuse a bad value or an unknown name, naming it', () => {
    expect(() => appSettings({ 'app.defender.delay': '5KiB' })).toThrow(new AppSettingError("settings.app.defender.delay: expected milliseconds such as 100 or 2s, found '5KiB'"))
    expect(() => appSettings({ 'app.indexer.readChunk': 0 })).toThrow(/settings\.app\.indexer\.readChunk: expected a size in bytes/)
    expect(() => appSettings({ 'app.word.probes': 17 })).toThrow(/settings\.app\.word\.probes: expected a whole number from 0 to 16, found 17/)
    expect(() => appSettings({ 'app.indexer.oplock': 'yes' })).toThrow(/expected true or false, found 'yes'/)
    expect(() => appSettings({ 'app.indexr.delay': 5 })).toThrow(/settings\.app\.indexr\.delay: unknown setting \(did you mean app\.indexer\.delay/)
  })
})

describe('Word owner files', () => {
  it('are named ~$ plus the name, losing one or two leading characters of longer names', () => {
    expect(ownerFileName('C:\\d\\plan.docx')).toBe('C:\\d\\~$plan.docx')
    expect(ownerFileName('C:\\d\\abcdef.docx')).toBe('C:\\d\\~$abcdef.docx')
    expect(ownerFileName('C:\\d\\abcdefg.docx')).toBe('C:\\d\\~$bcdefg.docx')
    expect(ownerFileName('C:\\d\\report2024.docx')).toBe('C:\\d\\~$port2024.docx')
  })
  it('hold the user name as a length byte and ANSI text, then as UTF-16 at offset 54', () => {
    const b = ownerFileContent('test')
    expect(b.length).toBe(OWNER_FILE_BYTES)
    expect([...b.subarray(0, 5)]).toEqual([4, 0x74, 0x65, 0x73, 0x74])
    expect([...b.subarray(54, 58)]).toEqual([4, 0, 0x74, 0])
  })
})

describe('ZIP structures', () => {
  it('find the end record from the end and read the central directory', () => {
    const name = new TextEncoder().encode('a.txt')
    const cd = new Uint8Array(46 + name.length)
    const v = new DataView(cd.buffer)
    v.setUint32(0, 0x02014b50, true)
    v.setUint16(12, (10 << 11) | (30 << 5), true)
    v.setUint16(14, (44 << 9) | (5 << 5) | 17, true)
    v.setUint32(24, 7, true)
    v.setUint16(28, name.length, true)
    v.setUint32(42, 0, true)
    cd.set(name, 46)
    const eocd = new Uint8Array(22)
    const e = new DataView(eocd.buffer)
    e.setUint32(0, 0x06054b50, true)
    e.setUint16(10, 1, true)
    e.setUint32(12, cd.length, true)
    e.setUint32(16, 100, true)
    const tail = new Uint8Array(40 + 22)
    tail.set(eocd, 40)
    expect(findEndRecord(tail)).toEqual({ entries: 1, directorySize: cd.length, directoryOffset: 100 })
    expect(findEndRecord(new Uint8Array(30))).toBeUndefined()
    const [entry] = parseCentralDirectory(cd, 1)
    expect(entry).toMatchObject({ name: 'a.txt', size: 7, method: 0, directory: false })
    expect(dosTimeToFileTime(entry!.dosDate, entry!.dosTime)).toBe(133604154000000000n)
    expect(() => parseCentralDirectory(cd.subarray(0, 20), 1)).toThrow(ZipFormatError)
  })
})
