// The small files Explorer writes: the Recycle Bin's `$I` metadata file (version 2, Windows 10
// and later), the `desktop.ini` of a user's Recycle Bin folder, and a shell link (.lnk) in the
// MS-SHLLINK format.

/**
 * `$I` version 2 (shared/reference/irp-sequences.md §7 [T], recyclebinparser.com "$I file
 * format"): 0x00 uint64 version = 2; 0x08 uint64 original size; 0x10 FILETIME deletion time
 * (UTC); 0x18 uint32 path length in characters including the NUL; 0x1C the UTF-16LE path and NUL.
 */
export function encodeRecycleInfo(originalPath: string, size: number, deletionTime: bigint): Uint8Array {
  const chars = originalPath.length + 1
  const b = new Uint8Array(0x1c + chars * 2)
  const dv = new DataView(b.buffer)
  dv.setBigUint64(0, 2n, true)
  dv.setBigUint64(8, BigInt(size), true)
  dv.setBigInt64(16, deletionTime, true)
  dv.setUint32(24, chars, true)
  for (let i = 0; i < originalPath.length; i++) dv.setUint16(0x1c + i * 2, originalPath.charCodeAt(i), true)
  return b
}

export interface RecycleInfo {
  readonly version: number
  readonly size: number
  readonly deletionTime: bigint
  readonly originalPath: string
}

/** reads a `$I` file of version 1 (fixed 520-byte path) or 2 */
export function decodeRecycleInfo(b: Uint8Array): RecycleInfo | undefined {
  if (b.length < 0x18) return undefined
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
  const version = Number(dv.getBigUint64(0, true))
  const size = Number(dv.getBigUint64(8, true))
  const deletionTime = dv.getBigInt64(16, true)
  let at = 0x18
  let chars = 260
  if (version === 2) {
    if (b.length < 0x1c) return undefined
    chars = dv.getUint32(24, true)
    at = 0x1c
  } else if (version !== 1) return undefined
  let s = ''
  for (let i = 0; i < chars && at + i * 2 + 1 < b.length; i++) {
    const c = dv.getUint16(at + i * 2, true)
    if (c === 0) break
    s += String.fromCharCode(c)
  }
  return { version, size, deletionTime, originalPath: s }
}

/**
 * The `desktop.ini` of `$Recycle.Bin\<SID>`: the Recycle Bin's class id and localized name, in
 * UTF-16LE with a byte-order mark. unverified: the exact bytes Windows writes.
 */
export function recycleBinDesktopIni(): Uint8Array {
  const text = '\r\n[.ShellClassInfo]\r\nCLSID={645FF040-5081-101B-9F08-00AA002F954E}\r\nLocalizedResourceName=@%SystemRoot%\\system32\\shell32.dll,-8964\r\n'
  const b = new Uint8Array(2 + text.length * 2)
  b[0] = 0xff
  b[1] = 0xfe
  for (let i = 0; i < text.length; i++) {
    b[2 + i * 2] = text.charCodeAt(i) & 0xff
    b[3 + i * 2] = text.charCodeAt(i) >> 8
  }
  return b
}

export interface LinkTarget {
  /** the target's full Win32 path */
  readonly path: string
  readonly fileAttributes: number
  readonly creationTime: bigint
  readonly accessTime: bigint
  readonly writeTime: bigint
  readonly fileSize: number
  readonly volumeSerialNumber: number
  readonly volumeLabel: string
}

const LINK_CLSID = [0x01, 0x14, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46]
/** LinkFlags: HasLinkInfo | HasRelativePath | IsUnicode */
const LINK_FLAGS = 0x02 | 0x08 | 0x80
const DRIVE_FIXED = 3

function ansi(s: string): number[] {
  return [...s].map((c) => (c.charCodeAt(0) < 0x80 ? c.charCodeAt(0) : 0x3f))
}

/**
 * A shell link to a local file (MS-SHLLINK): the ShellLinkHeader with the target's attributes,
 * times and size, a LinkInfo with the volume id and the local base path, the relative path, and
 * the terminal block.
 */
export function encodeShellLink(t: LinkTarget): Uint8Array {
  const out: number[] = []
  const u32 = (v: number) => out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff)
  const u16 = (v: number) => out.push(v & 0xff, (v >>> 8) & 0xff)
  const u64 = (v: bigint) => {
    u32(Number(v & 0xffffffffn))
    u32(Number((v >> 32n) & 0xffffffffn))
  }
  // ShellLinkHeader (0x4C bytes)
  u32(0x4c)
  out.push(...LINK_CLSID)
  u32(LINK_FLAGS)
  u32(t.fileAttributes)
  u64(t.creationTime)
  u64(t.accessTime)
  u64(t.writeTime)
  u32(t.fileSize >>> 0)
  u32(0) // IconIndex
  u32(1) // ShowCommand: SW_SHOWNORMAL
  u16(0) // HotKey
  u16(0)
  u32(0)
  u32(0)
  // LinkInfo: header, VolumeID, LocalBasePath, CommonPathSuffix
  const label = [...ansi(t.volumeLabel), 0]
  const volumeId = 16 + label.length
  const base = [...ansi(t.path), 0]
  const suffix = [0]
  const headerSize = 0x1c
  const size = headerSize + volumeId + base.length + suffix.length
  u32(size)
  u32(headerSize)
  u32(0x1) // VolumeIDAndLocalBasePath
  u32(headerSize) // VolumeIDOffset
  u32(headerSize + volumeId) // LocalBasePathOffset
  u32(0) // CommonNetworkRelativeLinkOffset
  u32(headerSize + volumeId + base.length) // CommonPathSuffixOffset
  u32(volumeId)
  u32(DRIVE_FIXED)
  u32(t.volumeSerialNumber)
  u32(0x10) // VolumeLabelOffset
  out.push(...label, ...base, ...suffix)
  // StringData: RELATIVE_PATH (UTF-16, counted)
  const rel = `.\\${t.path.slice(t.path.lastIndexOf('\\') + 1)}`
  u16(rel.length)
  for (const c of rel) u16(c.charCodeAt(0))
  u32(0) // TerminalBlock
  return new Uint8Array(out)
}
