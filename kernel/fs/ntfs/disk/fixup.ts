// Update-sequence ("multi-sector transfer") protection of FILE and INDX records: the last two
// bytes of every 512-byte stride of a record are replaced by the update sequence number on
// write and restored from the update sequence array on read, so a torn write shows as a
// mismatch. Format: Linux-NTFS documentation, "Fixup"; layout.h NTFS_RECORD.

import { u16, set16, hex } from './bytes.ts'

export const FIXUP_STRIDE = 512

/** Why a record's protection does not check out; `offset` is relative to the record start. */
export interface FixupProblem {
  message: string
  offset: number
}

/**
 * Verifies and removes the fixups of the record at `buf[base, base+size)` in place. Returns a
 * problem (and leaves the buffer partly restored) when the array is malformed or a stride
 * does not end with the update sequence number.
 */
export function removeFixups(buf: Uint8Array, base: number, size: number): FixupProblem | undefined {
  const usaOfs = u16(buf, base + 4)
  const usaCount = u16(buf, base + 6)
  const strides = size / FIXUP_STRIDE
  if (usaCount !== strides + 1) {
    return { message: `update sequence array has ${usaCount} entries, expected ${strides + 1}`, offset: 6 }
  }
  if (usaOfs < 8 || (usaOfs & 1) !== 0 || usaOfs + 2 * usaCount > FIXUP_STRIDE - 2) {
    return { message: `update sequence array offset ${hex(usaOfs)} is invalid`, offset: 4 }
  }
  const usn = u16(buf, base + usaOfs)
  for (let i = 0; i < strides; i++) {
    const end = base + (i + 1) * FIXUP_STRIDE - 2
    if (u16(buf, end) !== usn) {
      return {
        message: `update sequence mismatch (torn write): ${hex(u16(buf, end), 4)} instead of ${hex(usn, 4)}`,
        offset: end - base,
      }
    }
  }
  for (let i = 0; i < strides; i++) {
    const end = base + (i + 1) * FIXUP_STRIDE - 2
    set16(buf, end, u16(buf, base + usaOfs + 2 + 2 * i))
  }
  return undefined
}

/**
 * Applies fixups to a copy of the record (the caller's buffer keeps its plain contents): bumps
 * the update sequence number (never 0 or 0xFFFF), saves each stride's last two bytes in the
 * array and stamps the number in their place.
 */
export function applyFixups(record: Uint8Array, size: number): Uint8Array {
  const out = record.slice(0, size)
  const usaOfs = u16(out, 4)
  const strides = size / FIXUP_STRIDE
  let usn = (u16(out, usaOfs) + 1) & 0xffff
  if (usn === 0 || usn === 0xffff) usn = 1
  set16(out, usaOfs, usn)
  set16(record, usaOfs, usn) // the in-memory copy remembers the number for the next write
  for (let i = 0; i < strides; i++) {
    const end = (i + 1) * FIXUP_STRIDE - 2
    set16(out, usaOfs + 2 + 2 * i, u16(out, end))
    set16(out, end, usn)
  }
  return out
}
