import { describe, it, expect } from 'vitest'
import { applyFixups, removeFixups } from './fixup.ts'
import { set16, set32 } from './bytes.ts'

function record(): Uint8Array {
  const r = new Uint8Array(1024)
  set32(r, 0, 0x454c4946)
  set16(r, 4, 0x30)
  set16(r, 6, 3)
  set16(r, 510, 0xabcd)
  set16(r, 1022, 0x1234)
  return r
}

describe('update sequence fixups', () => {
  it('protects the end of every 512-byte stride and restores it on read', () => {
    const r = record()
    const disk = applyFixups(r, 1024)
    expect(disk[510]).toBe(disk[0x30])
    expect(disk[1022]).toBe(disk[0x30])
    const back = disk.slice()
    expect(removeFixups(back, 0, 1024)).toBeUndefined()
    expect(back.subarray(500, 512)).toEqual(r.subarray(500, 512))
    expect(back[1022]).toBe(0x34)
    // the sequence number moves on with every write
    const second = applyFixups(r, 1024)
    expect(second[0x30]).toBe(((disk[0x30] ?? 0) + 1) & 0xff)
  })

  it('detects a torn write and names the offset', () => {
    const disk = applyFixups(record(), 1024)
    disk[1022] = (disk[1022] ?? 0) ^ 0xff
    expect(removeFixups(disk, 0, 1024)).toEqual({ message: expect.stringMatching(/torn write/), offset: 1022 })
  })

  it('rejects an array of the wrong size', () => {
    const disk = applyFixups(record(), 1024)
    set16(disk, 6, 9)
    expect(removeFixups(disk, 0, 1024)?.message).toMatch(/has 9 entries, expected 3/)
  })
})
