// Fixed-layout structures described once, field by field, at their x64 offsets. One
// description gives the offsets (asserted in tests against MS-FSCC / ntifs.h), an encoder and
// a decoder. Variable tails (names, chains) are handled by the callers around these.

import {
  StructError,
  i32,
  i64,
  i64n,
  readGuid,
  setI32,
  setI64,
  setU128,
  setU16,
  setU32,
  setU64,
  setU8,
  u128,
  u16,
  u32,
  u64,
  u64n,
  u8,
  writeGuid,
} from './buffer.ts'

/**
 * How a field is stored and what it decodes to:
 * - u8, u16, u32: unsigned integers (number); i32: LONG (number)
 * - bool: BOOLEAN, one byte (boolean)
 * - size: LARGE_INTEGER size or offset (number)
 * - usize: ULONGLONG size (number)
 * - time: LARGE_INTEGER FILETIME, 100 ns units (bigint, signed)
 * - id: 64-bit file reference or id (bigint, unsigned)
 * - id128: FILE_ID_128, 16 bytes little-endian (bigint)
 * - handle: HANDLE / pointer-sized value, 8 bytes (number)
 * - guid: GUID, 16 bytes ('{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}')
 */
export type FieldKind = 'u8' | 'bool' | 'u16' | 'u32' | 'i32' | 'size' | 'usize' | 'time' | 'id' | 'id128' | 'handle' | 'guid'

export const FIELD_SIZE: { readonly [K in FieldKind]: number } = {
  u8: 1,
  bool: 1,
  u16: 2,
  u32: 4,
  i32: 4,
  size: 8,
  usize: 8,
  time: 8,
  id: 8,
  id128: 16,
  handle: 8,
  guid: 16,
}

/** The JavaScript type a field kind decodes to. */
export type FieldValue<K extends FieldKind> = K extends 'bool'
  ? boolean
  : K extends 'time' | 'id' | 'id128'
    ? bigint
    : K extends 'guid'
      ? string
      : number

/** What an encoder accepts for a field kind (64-bit kinds take number or bigint). */
export type FieldInput<K extends FieldKind> = K extends 'bool'
  ? boolean
  : K extends 'time' | 'id' | 'id128' | 'size' | 'usize' | 'handle'
    ? number | bigint
    : K extends 'guid'
      ? string
      : number

/** Field name → [kind, offset]. */
export type FieldMap = { readonly [name: string]: readonly [FieldKind, number] }

/** The decoded object of a field map. */
export type Decoded<M extends FieldMap> = { [N in keyof M]: FieldValue<M[N][0]> }
/** The encoder input of a field map: every field optional, zero when absent. */
export type Input<M extends FieldMap> = { [N in keyof M]?: FieldInput<M[N][0]> }

export interface StructDef<M extends FieldMap> {
  /** the C name, e.g. FILE_BASIC_INFORMATION */
  readonly name: string
  /** sizeof on x64 (padded to the structure's alignment) */
  readonly size: number
  /** the structure's alignment (its largest member's) */
  readonly alignment: number
  /** field → byte offset */
  readonly offsets: { readonly [N in keyof M]: number }
  readonly fields: M
  /** writes the fields of `obj` at `base` (absent fields are written as zero) */
  writeTo(dv: DataView, base: number, obj: Input<M>): void
  /** reads every field at `base` */
  readFrom(dv: DataView, base: number): Decoded<M>
  /** a new buffer of `size` bytes holding `obj` */
  encode(obj: Input<M>): Uint8Array
  /** decodes at `offset`; throws StructError when fewer than `size` bytes remain */
  decode(bytes: Uint8Array, offset?: number): Decoded<M>
}

const KIND_CODE: { readonly [K in FieldKind]: number } = {
  u8: 0,
  bool: 1,
  u16: 2,
  u32: 3,
  i32: 4,
  size: 5,
  time: 6,
  usize: 7,
  id: 8,
  handle: 9,
  id128: 10,
  guid: 11,
}

function writeField(dv: DataView, o: number, code: number, v: unknown, what: string): void {
  switch (code) {
    case 0:
      return setU8(dv, o, num(v, what))
    case 1:
      return setU8(dv, o, v === true ? 1 : v === false || v === undefined ? 0 : num(v, what) !== 0 ? 1 : 0)
    case 2:
      return setU16(dv, o, num(v, what))
    case 3:
      return setU32(dv, o, num(v, what))
    case 4:
      return setI32(dv, o, num(v, what))
    case 5:
    case 6:
      return setI64(dv, o, big(v, what), what)
    case 7:
    case 8:
    case 9:
      return setU64(dv, o, big(v, what), what)
    case 10:
      return setU128(dv, o, big(v, what), what)
    default:
      if (v === undefined) return
      if (typeof v !== 'string') throw new StructError(what, `expected a GUID string, got ${typeof v}`)
      return writeGuid(dv, o, v, what)
  }
}

function num(v: unknown, what: string): number {
  if (v === undefined) return 0
  if (typeof v === 'number' && Number.isInteger(v)) return v
  if (typeof v === 'bigint') return Number(v)
  if (typeof v === 'boolean') return v ? 1 : 0
  throw new StructError(what, `expected an integer, got ${JSON.stringify(v)}`)
}

function big(v: unknown, what: string): number | bigint {
  if (v === undefined) return 0
  if (typeof v === 'bigint') return v
  if (typeof v === 'number' && Number.isInteger(v)) return v
  throw new StructError(what, `expected an integer, got ${JSON.stringify(v)}`)
}

function readField(dv: DataView, o: number, code: number): unknown {
  switch (code) {
    case 0:
      return u8(dv, o)
    case 1:
      return u8(dv, o) !== 0
    case 2:
      return u16(dv, o)
    case 3:
      return u32(dv, o)
    case 4:
      return i32(dv, o)
    case 5:
      return i64n(dv, o)
    case 6:
      return i64(dv, o)
    case 7:
    case 9:
      return u64n(dv, o)
    case 8:
      return u64(dv, o)
    case 10:
      return u128(dv, o)
    default:
      return readGuid(dv, o)
  }
}

/**
 * Describes a structure. `size` is its x64 sizeof; it is checked against the fields (every
 * field inside, the size a multiple of the alignment) so a typo in an offset fails at load.
 */
export function defineStruct<const M extends FieldMap>(name: string, size: number, fields: M): StructDef<M> {
  const entries = Object.entries(fields) as [keyof M & string, readonly [FieldKind, number]][]
  let alignment = 1
  const offsets = {} as { [N in keyof M]: number }
  for (const [field, [kind, offset]] of entries) {
    const fs = FIELD_SIZE[kind]
    const natural = kind === 'id128' || kind === 'guid' ? (kind === 'guid' ? 4 : 1) : fs
    if (offset % natural !== 0) throw new Error(`${name}.${field}: offset ${offset} is not ${natural}-aligned`)
    if (offset + fs > size) throw new Error(`${name}.${field}: ends at ${offset + fs}, past sizeof ${size}`)
    alignment = Math.max(alignment, natural)
    offsets[field] = offset
  }
  if (size % alignment !== 0) throw new Error(`${name}: sizeof ${size} is not a multiple of its alignment ${alignment}`)
  // flat plan, walked per call without allocating
  const names = entries.map(([field]) => field)
  const codes = entries.map(([, [kind]]) => KIND_CODE[kind])
  const offs = entries.map(([, [, offset]]) => offset)
  const labels = entries.map(([field]) => `${name}.${field}`)
  const count = entries.length
  const def: StructDef<M> = {
    name,
    size,
    alignment,
    offsets,
    fields,
    writeTo(dv, base, obj) {
      const o = obj as Record<string, unknown>
      for (let i = 0; i < count; i++) writeField(dv, base + offs[i]!, codes[i]!, o[names[i]!], labels[i]!)
    },
    readFrom(dv, base) {
      const out: Record<string, unknown> = {}
      for (let i = 0; i < count; i++) out[names[i]!] = readField(dv, base + offs[i]!, codes[i]!)
      return out as Decoded<M>
    },
    encode(obj) {
      const bytes = new Uint8Array(size)
      def.writeTo(new DataView(bytes.buffer), 0, obj)
      return bytes
    },
    decode(bytes, offset = 0) {
      if (offset + size > bytes.length) {
        throw new StructError(name, `needs ${size} bytes, the buffer has ${Math.max(0, bytes.length - offset)}`, offset)
      }
      return def.readFrom(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset)
    },
  }
  return def
}
