import { describe, expect, it } from 'vitest'
import { BOOT_FILETIME, filetimeToCivil, formatDuration, formatFiletimeDate, formatRelative, formatTimeOfDay, thousands } from './format.ts'
import { filetimeFromCivil } from './format.test-helpers.ts'

describe('Procmon value formats', () => {
  it('groups thousands', () => {
    expect(thousands(0)).toBe('0')
    expect(thousands(16022)).toBe('16,022')
    expect(thousands(2147483579)).toBe('2,147,483,579')
    expect(thousands(-1)).toBe('-1')
    expect(thousands(18446744073709551615n)).toBe('18,446,744,073,709,551,615')
  })

  it('prints FILETIME dates as Procmon does', () => {
    expect(formatFiletimeDate(0)).toBe('1/1/1601 12:00:00 AM')
    expect(formatFiletimeDate(filetimeFromCivil(2020, 7, 11, 16, 33, 18))).toBe('7/11/2020 4:33:18 PM')
    expect(formatFiletimeDate(filetimeFromCivil(2020, 7, 12, 0, 5, 9))).toBe('7/12/2020 12:05:09 AM')
    expect(formatFiletimeDate(filetimeFromCivil(2000, 2, 29, 12, 0, 0))).toBe('2/29/2000 12:00:00 PM')
  })

  it('boots the machine at 2024-01-01 00:00:00 UTC', () => {
    expect(BOOT_FILETIME).toBe(filetimeFromCivil(2024, 1, 1))
    expect(filetimeToCivil(BOOT_FILETIME)).toEqual({ year: 2024, month: 1, day: 1, hour: 0, minute: 0, second: 0, fraction: 0 })
  })

  it('prints time of day with 100-ns digits', () => {
    expect(formatTimeOfDay(filetimeFromCivil(2020, 7, 31, 7, 19, 37) + 147934n)).toBe('7:19:37.0147934 AM')
    expect(formatTimeOfDay(BOOT_FILETIME + 139n)).toBe('12:00:00.0000139 AM')
  })

  it('prints relative times and durations', () => {
    expect(formatRelative(59596695)).toBe('00:00:05.9596695')
    expect(formatRelative(36_000_000_000n + 10_000_000n * 61n)).toBe('01:01:01.0000000')
    expect(formatDuration(139)).toBe('0.0000139')
    expect(formatDuration(30_900_000)).toBe('3.0900000')
  })
})
