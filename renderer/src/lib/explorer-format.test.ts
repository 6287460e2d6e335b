import { describe, expect, it } from 'vitest'
import type { FolderEntryData } from '../../../main/host/api.ts'
import { attributeWords, baseName, childPath, detailsDate, detailsSize, itemType, longDate, normalizeTyped, parentPath, pathChain, reparseTagName, sizeWithBytes, sortItems } from './explorer-format.ts'

function item(name: string, directory: boolean, size = 0, modified = '2023-05-06T08:12:40.0000000Z'): FolderEntryData {
  return { name, directory, size, allocationSize: size, attributes: [], created: modified, modified, accessed: modified, changed: modified, fileId: '0x0' }
}

describe('Details view formats', () => {
  it('names types as Windows does', () => {
    expect(itemType(item('Users', true))).toBe('File folder')
    expect(itemType(item('report.docx', false))).toBe('Microsoft Word Document')
    expect(itemType(item('readme.TXT', false))).toBe('Text Document')
    expect(itemType(item('hosts', false))).toBe('File')
    expect(itemType(item('archive.7z', false))).toBe('7Z File')
  })

  it('shows sizes in KB rounded up, folders without', () => {
    expect(detailsSize(item('a', false, 0))).toBe('0 KB')
    expect(detailsSize(item('a', false, 1))).toBe('1 KB')
    expect(detailsSize(item('a', false, 38_300))).toBe('38 KB')
    expect(detailsSize(item('a', false, 5 * 1024 * 1024))).toBe('5,120 KB')
    expect(detailsSize(item('d', true, 4096))).toBe('')
    expect(sizeWithBytes(14_041)).toBe('13.7 KB (14,041 bytes)')
    expect(sizeWithBytes(512)).toBe('512 bytes')
    expect(sizeWithBytes(1)).toBe('1 byte')
  })

  it('shows dates in UTC, short and long', () => {
    expect(detailsDate('2023-12-18T17:42:31.0000000Z')).toBe('12/18/2023 5:42 PM')
    expect(detailsDate('2023-05-06T00:05:00.0000000Z')).toBe('5/6/2023 12:05 AM')
    expect(longDate('2023-12-18T17:42:31.0000000Z')).toBe('Monday, December 18, 2023, 5:42:31 PM')
  })

  it('sorts folders first, then by the column, names with numbers in numeric order', () => {
    const items = [item('b.txt', false, 10), item('Zeta', true), item('IMG 10.jpg', false, 5), item('alpha', true), item('IMG 2.jpg', false, 50)]
    expect(sortItems(items, 'name', 'ascending').map((i) => i.name)).toEqual(['alpha', 'Zeta', 'b.txt', 'IMG 2.jpg', 'IMG 10.jpg'])
    expect(sortItems(items, 'name', 'descending').map((i) => i.name)).toEqual(['Zeta', 'alpha', 'IMG 10.jpg', 'IMG 2.jpg', 'b.txt'])
    expect(sortItems(items, 'size', 'descending').map((i) => i.name)).toEqual(['alpha', 'Zeta', 'IMG 2.jpg', 'b.txt', 'IMG 10.jpg'])
    expect(sortItems(items, 'type', 'ascending').map((i) => i.name)).toEqual(['alpha', 'Zeta', 'IMG 2.jpg', 'IMG 10.jpg', 'b.txt'])
  })

  it('walks paths', () => {
    expect(parentPath('C:\\Users\\Public')).toBe('C:\\Users')
    expect(parentPath('C:\\Users')).toBe('C:\\')
    expect(parentPath('C:\\')).toBeUndefined()
    expect(childPath('C:\\', 'Users')).toBe('C:\\Users')
    expect(childPath('C:\\Users', 'Public')).toBe('C:\\Users\\Public')
    expect(pathChain('C:\\Users\\Public')).toEqual(['C:\\', 'C:\\Users', 'C:\\Users\\Public'])
    expect(baseName('C:\\Users\\Public')).toBe('Public')
    expect(baseName('C:\\')).toBe('')
    expect(normalizeTyped(' c:/users/ ')).toBe('C:\\users')
    expect(normalizeTyped('c:')).toBe('C:\\')
    expect(normalizeTyped('Users')).toBeUndefined()
  })

  it('names attributes and reparse tags', () => {
    expect(attributeWords(['FILE_ATTRIBUTE_READONLY', 'FILE_ATTRIBUTE_ARCHIVE', '0x00800000'])).toEqual(['Read-only', 'Archive', '0x00800000'])
    expect(reparseTagName(0xa0000003)).toBe('IO_REPARSE_TAG_MOUNT_POINT (0xA0000003)')
    expect(reparseTagName(0x12345)).toBe('0x00012345')
  })
})
