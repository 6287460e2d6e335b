import { describe, expect, it } from 'vitest'
import { detailFields, duration, paramText, resultKind, resultText, timeOfDay } from './trace-text.ts'

describe('trace texts', () => {
  it('shows virtual time as Procmon\'s time of day and durations in seconds', () => {
    expect(timeOfDay({ time: 0 })).toBe('12:00:00.0000000 AM')
    expect(timeOfDay({ time: 15 * 10_000_000 + 70 })).toBe('12:00:15.0000070 AM')
    expect(duration(30)).toBe('0.0000030')
    expect(duration(undefined)).toBe('')
  })

  it('words results and tells errors from information', () => {
    expect(resultText('STATUS_NO_MORE_FILES')).toBe('NO MORE FILES')
    expect(resultText('STATUS_OBJECT_NAME_NOT_FOUND')).toBe('NAME NOT FOUND')
    expect(resultText('STATUS_FLT_DISALLOW_FAST_IO')).toBe('FAST IO DISALLOWED')
    expect(resultText(undefined)).toBe('')
    expect(resultKind('STATUS_SUCCESS')).toBe('success')
    expect(resultKind('STATUS_NO_MORE_FILES')).toBe('info')
    expect(resultKind('STATUS_OBJECT_NAME_NOT_FOUND')).toBe('error')
    expect(resultKind(undefined)).toBe('pending')
  })

  it('splits Detail into its fields where a key follows, not inside values', () => {
    expect(detailFields('Desired Access: Read Data/List Directory, Synchronize, Disposition: Open, Options: Directory, Synchronous IO Non-Alert, ShareMode: Read, Write, Delete')).toEqual([
      'Desired Access: Read Data/List Directory, Synchronize',
      'Disposition: Open',
      'Options: Directory, Synchronous IO Non-Alert',
      'ShareMode: Read, Write, Delete',
    ])
    expect(detailFields('Filter: *, 1: ., FileInformationClass: FileIdBothDirectoryInformation, 3: Public')).toEqual(['Filter: *', '1: .', 'FileInformationClass: FileIdBothDirectoryInformation', '3: Public'])
    expect(detailFields('')).toEqual([])
  })

  it('shows flag-like numbers with their hex', () => {
    expect(paramText('DesiredAccess', 0x100001)).toBe('1048577 (0x100001)')
    expect(paramText('Length', 65536)).toBe('65,536')
    expect(paramText('FileName', '*')).toBe('*')
    expect(paramText('ReplaceIfExists', true)).toBe('True')
    expect(paramText('Entries', ['a', 'b'])).toBe('["a","b"]')
  })
})
