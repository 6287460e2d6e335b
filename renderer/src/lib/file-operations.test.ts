import { describe, expect, it } from 'vitest'
import { USER_SID as KERNEL_USER_SID } from '../../../kernel/machine.ts'
import { dropEffect } from '../../../kernel/win32/shell/drop.ts'
import type { DropKey } from '../../../kernel/win32/shell/drop.ts'
import { badgeText, clickSelection, dropEffectFor, dropRefused, isRecycleBin, recycleBinOf, USER_SID } from './file-operations.ts'

describe('drop effect and badge', () => {
  const none = { ctrl: false, shift: false, alt: false }
  it('moves on the same drive and copies to another with no key', () => {
    expect(dropEffectFor(none, 'C:\\Users\\a.txt', 'C:\\Temp')).toBe('move')
    expect(dropEffectFor(none, 'C:\\Users\\a.txt', 'd:\\')).toBe('copy')
  })
  it('lets Ctrl copy, Shift move, Alt and Ctrl+Shift link', () => {
    expect(dropEffectFor({ ...none, ctrl: true }, 'C:\\a', 'C:\\b')).toBe('copy')
    expect(dropEffectFor({ ...none, shift: true }, 'C:\\a', 'D:\\')).toBe('move')
    expect(dropEffectFor({ ...none, alt: true }, 'C:\\a', 'C:\\b')).toBe('link')
    expect(dropEffectFor({ ctrl: true, shift: true, alt: false }, 'C:\\a', 'D:\\')).toBe('link')
  })
  it('agrees with the shell engine in the machine for every key combination', () => {
    for (const ctrl of [false, true])
      for (const shift of [false, true])
        for (const alt of [false, true])
          for (const to of ['C:\\x', 'D:\\']) {
            const keys = [ctrl && 'ctrl', shift && 'shift', alt && 'alt'].filter((k): k is DropKey => k !== false)
            expect(dropEffectFor({ ctrl, shift, alt }, 'C:\\a', to)).toBe(dropEffect(keys, 'C:', to.slice(0, 2)))
          }
  })
  it('words the badge as Windows does', () => {
    expect(badgeText('move', 'Documents')).toBe('Move to Documents')
    expect(badgeText('copy', 'Local Disk (D:)')).toBe('Copy to Local Disk (D:)')
    expect(badgeText('link', 'Desktop')).toBe('Create link in Desktop')
  })
  it('refuses a drop onto a dragged folder, inside it, or a move onto the items\' own folder', () => {
    expect(dropRefused(['C:\\Users\\Docs'], 'C:\\Users\\Docs', 'copy')).toBe(true)
    expect(dropRefused(['C:\\Users\\Docs'], 'C:\\Users\\Docs\\Old', 'move')).toBe(true)
    expect(dropRefused(['C:\\Users\\a.txt'], 'C:\\Users', 'move')).toBe(true)
    expect(dropRefused(['C:\\a.txt'], 'C:\\', 'move')).toBe(true)
    expect(dropRefused(['C:\\Users\\a.txt'], 'C:\\Users', 'copy')).toBe(false)
    expect(dropRefused(['C:\\Users\\a.txt'], 'C:\\Users\\Public', 'move')).toBe(false)
    expect(dropRefused(['C:\\Users\\a.txt'], 'D:\\', 'copy')).toBe(false)
  })
})

describe('click selection', () => {
  const order = ['a', 'b', 'c', 'd']
  it('selects one item on a plain click, toggles with Ctrl, ranges with Shift', () => {
    expect([...clickSelection(order, new Set(['a']), 'a', 'c', { ctrl: false, shift: false })]).toEqual(['c'])
    expect([...clickSelection(order, new Set(['a']), 'a', 'c', { ctrl: true, shift: false })].sort()).toEqual(['a', 'c'])
    expect([...clickSelection(order, new Set(['a', 'c']), 'a', 'c', { ctrl: true, shift: false })]).toEqual(['a'])
    expect([...clickSelection(order, new Set(['b']), 'b', 'd', { ctrl: false, shift: true })]).toEqual(['b', 'c', 'd'])
    expect([...clickSelection(order, new Set(['d']), 'd', 'b', { ctrl: false, shift: true })]).toEqual(['b', 'c', 'd'])
    expect([...clickSelection(order, new Set(['a']), 'c', 'd', { ctrl: true, shift: true })].sort()).toEqual(['a', 'c', 'd'])
  })
})

describe('Recycle Bin', () => {
  it('is the folder named after the machine\'s user', () => {
    expect(USER_SID).toBe(KERNEL_USER_SID)
    expect(recycleBinOf('c:')).toBe(`C:\\$Recycle.Bin\\${KERNEL_USER_SID}`)
    expect(isRecycleBin(`C:\\$Recycle.Bin\\${KERNEL_USER_SID}`)).toBe(true)
    expect(isRecycleBin('C:\\$Recycle.Bin')).toBe(false)
  })
})
