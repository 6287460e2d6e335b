// Little-endian field access on byte buffers, the way every NTFS structure is laid out.

export function u8(b: Uint8Array, o: number): number {
  return b[o] ?? 0
}

export function u16(b: Uint8Array, o: number): number {
  return (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8)
}

export function u32(b: Uint8Array, o: number): number {
  return ((b[o] ?? 0) | ((b[o + 1] ?? 0) << 8) | ((b[o + 2] ?? 0) << 16)) + (b[o + 3] ?? 0) * 0x1000000
}

export function i8(b: Uint8Array, o: number): number {
  const v = b[o] ?? 0
  return v >= 0x80 ? v - 0x100 : v
}

/** a 64-bit little-endian value as a number; throws past 2^53 (sizes and cluster numbers fit) */
export function u64(b: Uint8Array, o: number): number {
  const lo = u32(b, o)
  const hi = u32(b, o + 4)
  if (hi >= 0x200000) {
    // a negative signed value (-1 as "none") or an absurd size: callers validate
    if (hi >= 0x80000000) return -((0xffffffff - hi) * 0x100000000 + (0xffffffff - lo) + 1)
    throw new RangeError(`64-bit value at offset ${o} exceeds 2^53`)
  }
  return hi * 0x100000000 + lo
}

export function u64n(b: Uint8Array, o: number): bigint {
  return BigInt(u32(b, o)) | (BigInt(u32(b, o + 4)) << 32n)
}

export function set8(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff
}

export function set16(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff
  b[o + 1] = (v >>> 8) & 0xff
}

export function set32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff
  b[o + 1] = (v >>> 8) & 0xff
  b[o + 2] = (v >>> 16) & 0xff
  b[o + 3] = (v >>> 24) & 0xff
}

/** writes a number (may be negative, |v| < 2^53) as a 64-bit two's complement value */
export function set64(b: Uint8Array, o: number, v: number): void {
  if (v < 0) {
    set64n(b, o, BigInt.asUintN(64, BigInt(v)))
    return
  }
  set32(b, o, v % 0x100000000)
  set32(b, o + 4, Math.floor(v / 0x100000000))
}

export function set64n(b: Uint8Array, o: number, v: bigint): void {
  const x = BigInt.asUintN(64, v)
  set32(b, o, Number(x & 0xffffffffn))
  set32(b, o + 4, Number(x >> 32n))
}

/** UTF-16LE code units → string */
export function utf16(b: Uint8Array, o: number, chars: number): string {
  let s = ''
  for (let i = 0; i < chars; i++) s += String.fromCharCode(u16(b, o + 2 * i))
  return s
}

export function setUtf16(b: Uint8Array, o: number, s: string): void {
  for (let i = 0; i < s.length; i++) set16(b, o + 2 * i, s.charCodeAt(i))
}

export function encodeUtf16(s: string): Uint8Array {
  const b = new Uint8Array(s.length * 2)
  setUtf16(b, 0, s)
  return b
}

export function align8(n: number): number {
  return (n + 7) & ~7
}

export function alignUp(n: number, unit: number): number {
  return Math.ceil(n / unit) * unit
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

export function hex(n: number, width = 0): string {
  return '0x' + n.toString(16).toUpperCase().padStart(width, '0')
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  return t
})()

/** CRC-32 (IEEE 802.3), used by the journal to recognize complete transactions */
export function crc32(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0
  for (let i = 0; i < data.length; i++) c = (CRC_TABLE[(c ^ (data[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8)
  return ~c >>> 0
}
