// NTFS 8.3 short names, generated the way Windows does it (RtlGenerate8dot3Name, documented in
// the WDK: "ntifs.h RtlGenerate8dot3Name"; behaviour as reconstructed by ReactOS
// sdk/lib/rtl/dos8dot3.c — read for behaviour, not copied):
//   - leading dots are skipped; the base is the first 6 usable characters before the last dot, the extension the first 3
//     usable characters after it; spaces, dots and characters outside 0x21–0x7E are dropped,
//     characters illegal in 8.3 names (" * + , / : ; < = > ? [ \ ] |) become '_', a–z upcased;
//   - candidates are BASE~1.EXT … BASE~4.EXT; from the fifth on, the base keeps 2 characters
//     followed by 4 hex digits of a checksum of the long name and the index restarts at ~1;
//   - a base of 2 characters or less gets the checksum digits from the start.
// A long name that is already a legal 8.3 name gets no generated short name.

/** characters illegal in a short name (besides control characters), per RtlIsNameLegalDOS8Dot3 and the generator's table */
const ILLEGAL_IN_SHORT = new Set('"*+,/:;<=>?[\\]|')

function usable(c: number): boolean {
  return c > 0x20 && c !== 0x2e && c < 0x7f
}

function shortChar(c: number): string {
  const ch = String.fromCharCode(c)
  if (ILLEGAL_IN_SHORT.has(ch)) return '_'
  if (c >= 0x61 && c <= 0x7a) return String.fromCharCode(c - 32)
  return ch
}

// unverified: this is ReactOS's reconstruction of the checksum; Windows's hashed short
// names may differ in the four hex digits.
export function shortNameChecksum(name: string): number {
  const n = name.length
  if (n === 0) return 0
  const c = (i: number): number => name.charCodeAt(i)
  if (n === 1) return c(0)
  let hash = ((c(0) << 8) + c(1)) & 0xffff
  if (n === 2) return hash
  let saved = hash
  let i = 2
  do {
    hash = ((hash << 7) + c(i)) & 0xffff
    hash = ((saved >> 1) + (hash << 8)) & 0xffff
    if (i + 1 < n) hash = (hash + c(i + 1)) & 0xffff
    saved = hash
    i += 2
  } while (i < n)
  return hash
}

/** the four checksum digits, low nibble first, as the generator writes them */
function checksumDigits(sum: number): string {
  let s = ''
  for (let i = 0; i < 4; i++) {
    s += ((sum >> (4 * i)) & 0xf).toString(16).toUpperCase()
  }
  return s
}

/** RtlIsNameLegalDOS8Dot3 for names of printable ASCII (anything else cannot be a short name here) */
export function isLegal8dot3(name: string): boolean {
  if (name.length === 0 || name.length > 12) return false
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    if (c < 0x20 || c >= 0x7f) return false
  }
  const up = name.toUpperCase()
  if (up === '.' || up === '..') return true
  if (up.startsWith('.')) return false
  let dot = -1
  for (let i = 0; i < up.length; i++) {
    const ch = up[i]!
    if (ch === ' ') {
      if (i === 0 || i === up.length - 1 || up[i + 1] === '.') return false
    } else if (ch === '.') {
      if (dot !== -1) return false
      dot = i
    } else if (ILLEGAL_IN_SHORT.has(ch)) return false
  }
  if (dot === -1) return up.length <= 8
  return dot <= 8 && up.length - dot <= 4 && dot !== up.length - 1
}

/**
 * The short name Windows would give `longName`, the first candidate for which `exists` is
 * false; undefined when the long name is already a legal 8.3 name.
 */
export function generateShortName(longName: string, exists: (candidate: string) => boolean): string | undefined {
  if (isLegal8dot3(longName)) return undefined
  // "Any leading periods in this file name are skipped" (RtlGenerate8dot3Name, WDK docs)
  const name = longName.replace(/^\.+/, '')
  const lastDot = name.lastIndexOf('.')
  const dotPos = lastDot >= 0 ? lastDot : name.length
  let base = ''
  for (let i = 0; i < dotPos && base.length < 6; i++) {
    const c = name.charCodeAt(i)
    if (usable(c)) base += shortChar(c)
  }
  let ext = ''
  if (lastDot >= 0) {
    for (let i = lastDot + 1; i < name.length && ext.length < 3; i++) {
      const c = name.charCodeAt(i)
      if (usable(c)) ext += shortChar(c)
    }
  }
  const suffix = lastDot >= 0 ? '.' + ext : ''
  let checksumInserted = false
  if (base.length <= 2) {
    base += checksumDigits(shortNameChecksum(longName))
    checksumInserted = true
  }
  let index = 0
  for (let attempt = 0; attempt < 1_000_000; attempt++) {
    index++
    if (index > 4 && !checksumInserted) {
      base = base.slice(0, 2) + checksumDigits(shortNameChecksum(longName))
      checksumInserted = true
      index = 1
    }
    const tail = '~' + String(index)
    const candidate = base.slice(0, 8 - tail.length) + tail + suffix
    if (!exists(candidate)) return candidate
  }
  throw new Error(`no unique short name for ${JSON.stringify(longName)} after 1,000,000 attempts`)
}
