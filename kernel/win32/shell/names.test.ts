import { describe, expect, it } from 'vitest'
import { Prng } from '../../ke/index.ts'
import { dropEffect } from './drop.ts'
import { decodeRecycleInfo, encodeRecycleInfo, encodeShellLink } from './formats.ts'
import { baseName, copyName, driveOf, join, numbered, parentOf, recycleId, shortcutName } from './names.ts'

describe('Explorer names', () => {
  it('numbers new items, keep-both copies, same-folder copies and shortcuts', () => {
    expect([1, 2, 3].map((n) => numbered('New folder', n, true))).toEqual(['New folder', 'New folder (2)', 'New folder (3)'])
    expect(numbered('New Text Document.txt', 2)).toBe('New Text Document (2).txt')
    expect(numbered('archive.tar.gz', 2)).toBe('archive.tar (2).gz')
    expect(numbered('.hidden', 2)).toBe('.hidden (2)')
    expect(copyName('a.txt', 1, false)).toBe('a - Copy.txt')
    expect(copyName('a.txt', 2, false)).toBe('a - Copy (2).txt')
    expect(copyName('dir.v2', 1, true)).toBe('dir.v2 - Copy')
    expect(shortcutName('notepad.exe', 1)).toBe('notepad.exe - Shortcut.lnk')
    expect(shortcutName('notepad.exe', 2)).toBe('notepad.exe - Shortcut (2).lnk')
  })
  it('splits paths', () => {
    expect(baseName('C:\\a\\b.txt')).toBe('b.txt')
    expect(parentOf('C:\\a\\b.txt')).toBe('C:\\a')
    expect(parentOf('C:\\b.txt')).toBe('C:\\')
    expect(join('C:\\', 'x')).toBe('C:\\x')
    expect(join('C:\\a', 'x')).toBe('C:\\a\\x')
    expect(driveOf('d:\\x')).toBe('D:')
  })
  it('draws Recycle Bin ids of six letters and digits from the seeded generator', () => {
    const a = recycleId(new Prng(7))
    expect(a).toMatch(/^[A-Z0-9]{6}$/)
    expect(recycleId(new Prng(7))).toBe(a)
  })
})

describe('drag-and-drop effects (ui-anchors.md §3.2)', () => {
  it('follows the modifier table, then same volume = move, other volume = copy', () => {
    expect(dropEffect([], 'C:', 'C:')).toBe('move')
    expect(dropEffect([], 'C:', 'D:')).toBe('copy')
    expect(dropEffect(['ctrl'], 'C:', 'C:')).toBe('copy')
    expect(dropEffect(['shift'], 'C:', 'D:')).toBe('move')
    expect(dropEffect(['alt'], 'C:', 'C:')).toBe('link')
    expect(dropEffect(['ctrl', 'shift'], 'C:', 'D:')).toBe('link')
    expect(dropEffect(['alt', 'ctrl'], 'C:', 'D:')).toBe('link')
  })
})

describe('the $I file (version 2) and the shell link', () => {
  it('lays out $I v2: version, size, deletion time, path length with NUL, UTF-16 path', () => {
    const b = encodeRecycleInfo('C:\\docs\\a.txt', 1234, 133_000_000_000_000_000n)
    const dv = new DataView(b.buffer)
    expect(dv.getBigUint64(0, true)).toBe(2n)
    expect(dv.getBigUint64(8, true)).toBe(1234n)
    expect(dv.getBigInt64(16, true)).toBe(133_000_000_000_000_000n)
    expect(dv.getUint32(24, true)).toBe('C:\\docs\\a.txt'.length + 1)
    expect(b.length).toBe(0x1c + 2 * ('C:\\docs\\a.txt'.length + 1))
    expect(dv.getUint16(0x1c, true)).toBe('C'.charCodeAt(0))
    expect(dv.getUint16(b.length - 2, true)).toBe(0)
    expect(decodeRecycleInfo(b)).toEqual({ version: 2, size: 1234, deletionTime: 133_000_000_000_000_000n, originalPath: 'C:\\docs\\a.txt' })
  })
  it('writes a ShellLinkHeader with the link CLSID, the target\'s attributes and size, and a LinkInfo with the local path', () => {
    const b = encodeShellLink({ path: 'C:\\docs\\a.txt', fileAttributes: 0x20, creationTime: 1n, accessTime: 2n, writeTime: 3n, fileSize: 99, volumeSerialNumber: 0xa85a5794, volumeLabel: '' })
    const dv = new DataView(b.buffer)
    expect(dv.getUint32(0, true)).toBe(0x4c)
    expect([...b.subarray(4, 20)]).toEqual([0x01, 0x14, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46])
    expect(dv.getUint32(24, true)).toBe(0x20)
    expect(dv.getUint32(52, true)).toBe(99)
    const linkInfo = 0x4c
    const localBase = dv.getUint32(linkInfo + 16, true)
    const text = new TextDecoder().decode(b.subarray(linkInfo + localBase, linkInfo + localBase + 'C:\\docs\\a.txt'.length))
    expect(text).toBe('C:\\docs\\a.txt')
    expect(dv.getUint32(linkInfo + 0x1c + 8, true)).toBe(0xa85a5794)
    expect(dv.getUint32(b.length - 4, true)).toBe(0)
  })
})
