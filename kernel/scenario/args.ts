// Validates and normalises argument values against their ArgType (services.ts).

import type { ConstTable } from '../nt/flags.ts'
import { closestNames, enumName } from '../nt/flags.ts'
import { BYTE_OFFSET_SPECIAL } from '../nt/file.ts'
import { FSCTL } from '../nt/irp.ts'
import { FILE_INFORMATION_CLASS } from '../nt/infoclass.ts'
import type { Ctx } from './context.ts'
import { join, listNames } from './context.ts'
import { dosPathToNtPath, isBareName, PathError } from './paths.ts'
import type { ArgType, FieldTable } from './services.ts'
import { FSCTL_INPUT_FIELDS, SET_FILE_INFORMATION_FIELDS } from './services.ts'
import type { MapNode, TreeNode } from './tree.ts'
import { describe } from './tree.ts'
import type { ArgValue, Args, HandleArg, PathArg, ViewAddressArg } from './types.ts'
import type { Int64 } from './units.ts'
import { parseDuration, parseSize, toInt64 } from './units.ts'
import { patternBytes } from './runner/volume-files.ts'

const I64_MIN = -(1n << 63n)
const I64_MAX = (1n << 63n) - 1n

/** Siblings already validated in the same object (FileInformation reads FileInformationClass). */
type Siblings = { readonly [name: string]: ArgValue }

/** Validates an object's fields against a field table; returns the normalised fields. */
export function validateFields(
  ctx: Ctx,
  m: MapNode,
  path: string,
  fields: FieldTable,
  required: readonly string[],
  where = '',
): Args {
  const entries = ctx.keys(m, path, Object.keys(fields), where)
  ctx.required(m, path, entries, required)
  const out: Record<string, ArgValue> = {}
  // schema order, so that classes and codes are known before the fields that depend on them
  for (const [name, type] of Object.entries(fields)) {
    const e = entries.get(name)
    if (!e) continue
    const v = validateArg(ctx, e.value, join(path, name), type, out)
    if (v !== undefined) out[name] = v
  }
  return out
}

/** Validates one value; undefined after reporting a problem. */
export function validateArg(ctx: Ctx, n: TreeNode, path: string, type: ArgType, siblings: Siblings): ArgValue | undefined {
  switch (type.t) {
    case 'path':
      if (type.relativeTo !== undefined && siblings[type.relativeTo] !== undefined) return relativeNameArg(ctx, n, path)
      return pathArg(ctx, n, path, type.bare === true)
    case 'string':
      return ctx.string(n, path)
    case 'flags':
      return flagsArg(ctx, n, path, type.table)
    case 'enum':
      return enumArg(ctx, n, path, type.table, type.what)
    case 'int': {
      const v = ctx.integer(n, path, type.min, type.max)
      return v === undefined ? undefined : toInt64(v)
    }
    case 'size':
      return sizeArg(ctx, n, path)
    case 'offset':
      return offsetArg(ctx, n, path)
    case 'filetime':
      return filetimeArg(ctx, n, path)
    case 'bool':
      return ctx.bool(n, path)
    case 'handle':
      return handleArg(ctx, n, path)
    case 'processHandle':
      return processHandleArg(ctx, n, path)
    case 'view':
      return viewArg(ctx, n, path)
    case 'data':
      return dataArg(ctx, n, path)
    case 'timeout':
      return timeoutArg(ctx, n, path)
    case 'guid':
      return guidArg(ctx, n, path)
    case 'list': {
      const s = ctx.seq(n, path)
      if (!s) return undefined
      const items: ArgValue[] = []
      s.items.forEach((item, i) => {
        const v = validateArg(ctx, item, join(path, i), type.of, {})
        if (v !== undefined) items.push(v)
      })
      return items
    }
    case 'object': {
      const m = ctx.map(n, path)
      if (!m) return undefined
      return validateFields(ctx, m, path, type.fields, type.required ?? [])
    }
    case 'fileInformation':
      return fileInformationArg(ctx, n, path, siblings)
    case 'fsInputBuffer':
      return fsInputBufferArg(ctx, n, path, siblings)
    case 'free':
      return freeValue(ctx, n, path)
  }
}

/** a name relative to a RootDirectory handle: no DOS conversion, as NtCreateFile takes it (may be empty) */
function relativeNameArg(ctx: Ctx, n: TreeNode, path: string): PathArg | undefined {
  const s = n.kind === 'scalar' && n.value === null ? '' : ctx.string(n, path, 'a name relative to RootDirectory')
  if (s === undefined) return undefined
  return { kind: 'path', input: s, nt: s }
}

function pathArg(ctx: Ctx, n: TreeNode, path: string, bare: boolean): PathArg | undefined {
  const s = ctx.string(n, path, 'a path')
  if (s === undefined) return undefined
  if (bare && isBareName(s)) return { kind: 'path', input: s, nt: s }
  try {
    return { kind: 'path', input: s, nt: dosPathToNtPath(s) }
  } catch (e) {
    if (e instanceof PathError) {
      ctx.problem(n.pos, path, e.message)
      return undefined
    }
    throw e
  }
}

/** Flag names: a list (`[A, B]`), one string (`A | B`), a number, or a list mixing names and numbers. */
export function flagsArg(ctx: Ctx, n: TreeNode, path: string, table: ConstTable): number | undefined {
  let ok = true
  let v = 0
  const addToken = (tok: string | bigint, at: TreeNode): void => {
    if (typeof tok === 'bigint') {
      if (tok < 0n || tok > 0xffffffffn) {
        ctx.problem(at.pos, path, `${tok} is not a 32-bit flag value`)
        ok = false
        return
      }
      v = (v | Number(tok)) >>> 0
      return
    }
    const t = tok.trim()
    const known = Object.prototype.hasOwnProperty.call(table, t) ? table[t] : undefined
    if (known !== undefined) {
      v = (v | known) >>> 0
      return
    }
    if (/^0x[0-9a-f]{1,8}$/i.test(t) || /^[0-9]+$/.test(t)) {
      const num = Number(t)
      if (num <= 0xffffffff) {
        v = (v | num) >>> 0
        return
      }
    }
    ctx.problem(at.pos, path, unknownName('flag', t, Object.keys(table)))
    ok = false
  }
  if (n.kind === 'seq') {
    for (const item of n.items) {
      if (item.kind === 'scalar' && (typeof item.value === 'string' || typeof item.value === 'bigint')) addToken(item.value, item)
      else {
        ctx.problem(item.pos, path, `expected a flag name or number, found ${describe(item)}`)
        ok = false
      }
    }
  } else if (n.kind === 'scalar' && typeof n.value === 'bigint') addToken(n.value, n)
  else if (n.kind === 'scalar' && typeof n.value === 'string') {
    for (const tok of n.value.split(/[|,\s]+/).filter((t) => t.length > 0)) addToken(tok, n)
  } else if (n.kind === 'scalar' && n.value === null) {
    return 0
  } else {
    ctx.problem(n.pos, path, `expected flag names or a number, found ${describe(n)}`)
    return undefined
  }
  return ok ? v : undefined
}

/** `unknown value 'X' (did you mean Y? expected one of …)` */
export function unknownName(what: string, name: string, names: readonly string[]): string {
  const near = closestNames(names, name, 2)
  const parts: string[] = []
  if (near.length > 0) parts.push(`did you mean ${near.join(' or ')}?`)
  if (names.length <= 12) parts.push(`expected one of ${names.join(', ')}`)
  else if (near.length === 0) parts.push(`${names.length} names are known, such as ${listNames(names, 4)}`)
  return `unknown ${what} '${name}'${parts.length > 0 ? ` (${parts.join(' ')})` : ''}`
}

function enumArg(ctx: Ctx, n: TreeNode, path: string, table: ConstTable, what: string): number | undefined {
  if (n.kind === 'scalar' && typeof n.value === 'string') {
    const name = n.value.trim()
    if (Object.prototype.hasOwnProperty.call(table, name)) return table[name]
    if (/^0x[0-9a-f]{1,8}$/i.test(name)) return Number(name)
    ctx.problem(n.pos, path, unknownName('value', name, Object.keys(table)))
    return undefined
  }
  if (n.kind === 'scalar' && typeof n.value === 'bigint') {
    if (n.value < -0x80000000n || n.value > 0xffffffffn) {
      ctx.problem(n.pos, path, `${n.value} is not a 32-bit ${what}`)
      return undefined
    }
    return Number(n.value)
  }
  ctx.problem(n.pos, path, `expected a ${what} name or number, found ${describe(n)}`)
  return undefined
}

function sizeArg(ctx: Ctx, n: TreeNode, path: string): Int64 | undefined {
  if (n.kind === 'scalar' && typeof n.value === 'bigint') {
    if (n.value < 0n || n.value > I64_MAX) {
      ctx.problem(n.pos, path, `${n.value} is not a size (0..${I64_MAX})`)
      return undefined
    }
    return toInt64(n.value)
  }
  if (n.kind === 'scalar' && typeof n.value === 'string') {
    const r = parseSize(n.value)
    if (typeof r === 'string') {
      ctx.problem(n.pos, path, r)
      return undefined
    }
    if (r > I64_MAX) {
      ctx.problem(n.pos, path, `'${n.value}' is larger than a 64-bit size`)
      return undefined
    }
    return toInt64(r)
  }
  ctx.problem(n.pos, path, `expected a size (4096, 4KiB, 64MiB), found ${describe(n)}`)
  return undefined
}

function offsetArg(ctx: Ctx, n: TreeNode, path: string): Int64 | undefined {
  if (n.kind === 'scalar' && typeof n.value === 'string' && Object.prototype.hasOwnProperty.call(BYTE_OFFSET_SPECIAL, n.value)) {
    return BYTE_OFFSET_SPECIAL[n.value as keyof typeof BYTE_OFFSET_SPECIAL]
  }
  if (n.kind === 'scalar' && typeof n.value === 'string' && !/^-?(0x)?[0-9a-f]+$/i.test(n.value)) {
    ctx.problem(n.pos, path, unknownName('offset', n.value, Object.keys(BYTE_OFFSET_SPECIAL)) + '; or give a number')
    return undefined
  }
  const v = ctx.integer(n, path, I64_MIN, I64_MAX)
  return v === undefined ? undefined : toInt64(v)
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y0: number, m: number, d: number): bigint {
  const y = BigInt(m <= 2 ? y0 - 1 : y0)
  const era = (y >= 0n ? y : y - 399n) / 400n
  const yoe = y - era * 400n
  const mp = BigInt(m > 2 ? m - 3 : m + 9)
  const doy = (153n * mp + 2n) / 5n + BigInt(d - 1)
  const doe = yoe * 365n + yoe / 4n - yoe / 100n + doy
  return era * 146097n + doe - 719468n
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0

/** FILETIME of 1970-01-01 (100-ns units since 1601-01-01). */
const FILETIME_UNIX_EPOCH = 116444736000000000n

/** Parses `YYYY-MM-DD[THH:MM[:SS[.fffffff]]][Z]` (UTC) into a FILETIME, or undefined. */
export function parseIsoFiletime(s: string): bigint | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?Z?$/.exec(s.trim())
  if (!m) return undefined
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = ''] = m
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  if (month < 1 || month > 12 || Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return undefined
  const maxDay = month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1]!
  if (day < 1 || day > maxDay) return undefined
  const seconds = daysFromCivil(year, month, day) * 86400n + BigInt(Number(h) * 3600 + Number(mi) * 60 + Number(sec))
  return seconds * 10_000_000n + BigInt(frac.padEnd(7, '0')) + FILETIME_UNIX_EPOCH
}

function filetimeArg(ctx: Ctx, n: TreeNode, path: string): Int64 | undefined {
  if (n.kind === 'scalar' && typeof n.value === 'string') {
    const ft = parseIsoFiletime(n.value)
    if (ft === undefined || ft < 0n) {
      ctx.problem(n.pos, path, `'${n.value}' is not a time (write a FILETIME number or 2024-01-31T12:00:00Z)`)
      return undefined
    }
    return toInt64(ft)
  }
  const v = ctx.integer(n, path, I64_MIN, I64_MAX)
  return v === undefined ? undefined : toInt64(v)
}

function handleArg(ctx: Ctx, n: TreeNode, path: string): HandleArg | undefined {
  if (n.kind === 'scalar' && typeof n.value === 'bigint') {
    if (n.value < 0n || n.value > 0xffffffffffffffffn) {
      ctx.problem(n.pos, path, `${n.value} is not a handle value`)
      return undefined
    }
    return { kind: 'handle', name: undefined, value: Number(n.value), owner: undefined, definedAt: undefined }
  }
  if (n.kind === 'scalar' && n.value === null) return { kind: 'handle', name: undefined, value: 0, owner: undefined, definedAt: undefined }
  if (n.kind === 'scalar' && typeof n.value === 'string') {
    const kind = ctx.names.get(n.value)
    if (kind === 'handle') {
      const o = ctx.nameOwners.get(n.value)
      return { kind: 'handle', name: n.value, value: undefined, owner: o?.process, definedAt: o?.step }
    }
    if (kind === 'view') {
      ctx.problem(n.pos, path, `'${n.value}' names a mapped view, not a handle`)
      return undefined
    }
    const defined = [...ctx.names].filter(([, k]) => k === 'handle').map(([name]) => name)
    const near = closestNames(defined, n.value, 1)
    const hint = near.length > 0 ? ` (did you mean '${near[0]}'?)` : defined.length > 0 ? ` (defined so far: ${listNames(defined)})` : ''
    ctx.problem(n.pos, path, `no earlier step names a handle '${n.value}' with as:${hint}`)
    return undefined
  }
  ctx.problem(n.pos, path, `expected a handle name (from an earlier step's as:) or a number, found ${describe(n)}`)
  return undefined
}

function processHandleArg(ctx: Ctx, n: TreeNode, path: string): string | undefined {
  if (n.kind === 'scalar' && (n.value === 'NtCurrentProcess' || n.value === -1n || n.value === null)) return 'NtCurrentProcess'
  ctx.problem(n.pos, path, `only the current process is supported: omit it, or write NtCurrentProcess (found ${describe(n)})`)
  return undefined
}

function viewArg(ctx: Ctx, n: TreeNode, path: string): ViewAddressArg | undefined {
  const s = ctx.string(n, path, 'a view name (from NtMapViewOfSection as:), optionally +offset')
  if (s === undefined) return undefined
  const m = /^([^+\s]+)\s*(?:\+\s*(0x[0-9a-f]+|[0-9]+))?$/i.exec(s.trim())
  if (!m) {
    ctx.problem(n.pos, path, `'${s}' is not a view address (write view or view+4096)`)
    return undefined
  }
  const name = m[1]!
  const kind = ctx.names.get(name)
  if (kind !== 'view') {
    ctx.problem(n.pos, path, kind === 'handle' ? `'${name}' names a handle, not a mapped view` : `no earlier NtMapViewOfSection step names a view '${name}' with as:`)
    return undefined
  }
  return { kind: 'view', name, offset: toInt64(BigInt(m[2] ?? '0')) }
}

const utf8 = new TextEncoder()

/** `hello` → its UTF-8 bytes; `{ hex: "00 ff" }` → those bytes. */
/** the largest `{ pattern: size }` data a step may ask for (it is made when the scenario is read) */
const MAX_PATTERN_DATA = 256n * 1024n * 1024n

/**
 * `Data:` (and every other data argument) is one of
 *   - a string: its UTF-8 bytes                      Data: "hello"
 *   - { hex: "…" }: bytes in hex (spaces, ':' and '-' ignored)   Data: { hex: "4d 5a 90 00" }
 *   - { pattern: size }: `size` bytes of the deterministic position pattern that `size:` files of
 *     `volume.files` hold (byte i is (i*31 + (i>>8)*7 + (i>>16)) & 0xff), so data written at
 *     offset 0 matches such a file byte for byte     Data: { pattern: 1MiB }
 */
export function dataArg(ctx: Ctx, n: TreeNode, path: string): Uint8Array | undefined {
  if (n.kind === 'scalar' && typeof n.value === 'string') return utf8.encode(n.value)
  if (n.kind === 'map') {
    const entries = ctx.keys(n, path, ['hex', 'pattern'])
    const p = entries.get('pattern')
    if (p && entries.has('hex')) {
      ctx.problem(n.pos, path, `give either 'hex' or 'pattern', not both`)
      return undefined
    }
    if (p) {
      const size = sizeArg(ctx, p.value, join(path, 'pattern'))
      if (size === undefined) return undefined
      if (BigInt(size) > MAX_PATTERN_DATA) {
        ctx.problem(p.value.pos, join(path, 'pattern'), `${size} bytes is more than the ${MAX_PATTERN_DATA / 1024n / 1024n}MiB a pattern may have`)
        return undefined
      }
      return patternBytes(Number(size))
    }
    const e = entries.get('hex')
    if (!e) {
      if (n.entries.length === 0) ctx.problem(n.pos, path, `missing 'hex' or 'pattern'`)
      return undefined
    }
    const s = ctx.string(e.value, join(path, 'hex'), 'a hex string')
    if (s === undefined) return undefined
    const clean = s.replace(/[\s:-]/g, '')
    if (!/^([0-9a-f]{2})*$/i.test(clean)) {
      ctx.problem(e.value.pos, join(path, 'hex'), `'${s}' is not an even number of hex digits`)
      return undefined
    }
    const out = new Uint8Array(clean.length / 2)
    for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16)
    return out
  }
  ctx.problem(n.pos, path, `expected a string, { hex: "…" } or { pattern: size }, found ${describe(n)}`)
  return undefined
}

function timeoutArg(ctx: Ctx, n: TreeNode, path: string): Int64 | null | undefined {
  if (n.kind === 'scalar' && n.value === null) return null
  if (n.kind === 'scalar' && typeof n.value === 'string') {
    const r = parseDuration(n.value)
    if (typeof r === 'string') {
      ctx.problem(n.pos, path, r)
      return undefined
    }
    // a relative timeout is a negative LARGE_INTEGER in 100-ns units
    return toInt64(-r)
  }
  const v = ctx.integer(n, path, I64_MIN, I64_MAX)
  return v === undefined ? undefined : toInt64(v)
}

function guidArg(ctx: Ctx, n: TreeNode, path: string): string | undefined {
  const s = ctx.string(n, path, 'a GUID')
  if (s === undefined) return undefined
  const m = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i.exec(s.trim())
  if (!m) {
    ctx.problem(n.pos, path, `'${s}' is not a GUID ({xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx})`)
    return undefined
  }
  return `{${m[1]!.toUpperCase()}}`
}

function fileInformationArg(ctx: Ctx, n: TreeNode, path: string, siblings: Siblings): ArgValue | undefined {
  const cls = siblings.FileInformationClass
  const name = typeof cls === 'number' ? enumName(FILE_INFORMATION_CLASS, cls) : undefined
  const fields = name !== undefined ? SET_FILE_INFORMATION_FIELDS[name] : undefined
  if (fields === undefined) return freeValue(ctx, n, path)
  const m = ctx.map(n, path, `the fields of ${name}`)
  if (!m) return undefined
  return validateFields(ctx, m, path, fields, [], `for ${name}`)
}

function fsInputBufferArg(ctx: Ctx, n: TreeNode, path: string, siblings: Siblings): ArgValue | undefined {
  if (n.kind === 'map' && n.entries.length === 1 && n.entries[0]!.key === 'hex') return dataArg(ctx, n, path)
  const code = siblings.FsControlCode
  const name = typeof code === 'number' ? enumName(FSCTL, code >>> 0) : undefined
  const fields = name !== undefined ? FSCTL_INPUT_FIELDS[name] : undefined
  if (fields === undefined) return freeValue(ctx, n, path)
  const m = ctx.map(n, path, `the input of ${name}, or { hex: "…" }`)
  if (!m) return undefined
  return validateFields(ctx, m, path, fields, [], `for ${name}`)
}

/** Any YAML value as plain data: integers as Int64, mappings as objects, lists as arrays. */
export function freeValue(ctx: Ctx, n: TreeNode, path: string): ArgValue {
  void ctx
  void path
  return plain(n)
}

/** A tree as plain data (integers as Int64). */
export function plain(n: TreeNode): ArgValue {
  if (n.kind === 'scalar') {
    if (typeof n.value === 'bigint') return toInt64(n.value)
    return n.value
  }
  if (n.kind === 'seq') return n.items.map(plain)
  const o: Record<string, ArgValue> = {}
  for (const e of n.entries) o[e.key] = plain(e.value)
  return o
}
