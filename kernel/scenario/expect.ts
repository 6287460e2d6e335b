// Comparing a step's result with its `expect:` (shared/SCENARIOS.md §2, "Names in
// expect.output are compared field by field"): a field given is compared, a field not given is
// ignored; strings exactly; numbers as exact 64-bit integers; flag lists (FileAttributes, Mode,
// Flags …) as sets where 0 means none; `Entries` as an exact ordered list; `Data` as bytes.

import type { ConstTable } from '../nt/flags.ts'
import { flagNames } from '../nt/flags.ts'
import { ACCESS } from '../nt/access.ts'
import { CREATE_OPTIONS, FILE_ACTION, FILE_ATTRIBUTE, FILE_DEVICE, FILE_DEVICE_CHARACTERISTICS, FILE_NOTIFY_CHANGE, IO_REPARSE_TAG } from '../nt/file.ts'
import { FILE_FS_ATTRIBUTE } from '../rtl/structs/fsinfo.ts'
import { statusName } from '../nt/status.ts'
import type { StepExpect } from './types.ts'
import type { Int64 } from './units.ts'

/** What a step returned, as the runner reports it. */
export interface StepResult {
  readonly status?: number
  readonly information?: Int64 | string
  /** the returned structure's fields by their Windows names */
  readonly output?: { readonly [key: string]: unknown }
  /** win32: the return value */
  readonly result?: unknown
  /** win32: the Win32 error name (`ERROR_FILE_EXISTS`) */
  readonly error?: string
  /** win32: the Win32 error number */
  readonly errorCode?: number
}

export type ExpectOutcome = { readonly ok: true } | { readonly ok: false; readonly mismatches: readonly string[] }

/** Tables used to compare flag fields given as numbers against names. */
const FLAG_FIELDS: { readonly [field: string]: ConstTable | undefined } = {
  FileAttributes: FILE_ATTRIBUTE,
  Attributes: FILE_ATTRIBUTE,
  Mode: CREATE_OPTIONS,
  AccessFlags: ACCESS,
  Access: ACCESS,
  CompletionFilter: FILE_NOTIFY_CHANGE,
  FileSystemAttributes: FILE_FS_ATTRIBUTE,
  Characteristics: FILE_DEVICE_CHARACTERISTICS,
  Flags: undefined,
}

/** Fields holding one enumerated value: the expectation may give its name (`IO_REPARSE_TAG_SYMLINK`). */
const ENUM_FIELDS: { readonly [field: string]: ConstTable } = {
  ReparseTag: IO_REPARSE_TAG,
  Action: FILE_ACTION,
  DeviceType: FILE_DEVICE,
}

/** Compares a step's result with what the scenario expects. */
export function matchStepExpect(expect: StepExpect | undefined, result: StepResult): ExpectOutcome {
  if (!expect) return { ok: true }
  const out: string[] = []
  if (expect.status !== undefined) {
    if (result.status === undefined) out.push(`status: expected ${statusText(expect.status)}, but the step reported none`)
    else if ((result.status >>> 0) !== (expect.status >>> 0)) {
      out.push(`status: expected ${statusText(expect.status)}, got ${statusText(result.status)}`)
    }
  }
  if (expect.information !== undefined) {
    const got = toBig(result.information)
    if (got === undefined) out.push(`information: expected ${String(expect.information)}, but the step reported none`)
    else if (got !== BigInt(expect.information)) out.push(`information: expected ${String(expect.information)}, got ${got}`)
  }
  if (expect.output !== undefined) {
    const actual = result.output
    if (actual === undefined) out.push('output: expected output, but the step returned none')
    else compareFields('output', expect.output, actual, out)
  }
  if (expect.result !== undefined) {
    if (!sameScalar(expect.result, result.result)) out.push(`result: expected ${show(expect.result)}, got ${show(result.result)}`)
  }
  if (expect.error !== undefined) {
    const e = expect.error
    const ok = typeof e === 'number' ? result.errorCode === e : result.error === e
    if (!ok) out.push(`error: expected ${String(e)}, got ${result.error ?? (result.errorCode !== undefined ? String(result.errorCode) : 'none')}`)
  }
  return out.length === 0 ? { ok: true } : { ok: false, mismatches: out }
}

function statusText(s: number): string {
  const name = statusName(s)
  return name.startsWith('0x') ? name : `${name} (0x${(s >>> 0).toString(16).toUpperCase().padStart(8, '0')})`
}

function toBig(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v)
  if (typeof v === 'string' && /^-?[0-9]+$/.test(v)) return BigInt(v)
  return undefined
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing'
  if (typeof v === 'string') return JSON.stringify(v)
  if (typeof v === 'bigint') return v.toString()
  if (v instanceof Uint8Array) return `${v.length} bytes ${hexOf(v, 32)}`
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`
  if (typeof v === 'object' && v !== null) {
    return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${show(x)}`).join(', ')} }`
  }
  return String(v)
}

function hexOf(b: Uint8Array, max: number): string {
  const parts = Array.from(b.subarray(0, max), (x) => x.toString(16).padStart(2, '0'))
  return parts.join('') + (b.length > max ? '…' : '')
}

function sameScalar(a: unknown, b: unknown): boolean {
  const ab = toBig(a)
  const bb = toBig(b)
  if (ab !== undefined && bb !== undefined && typeof a !== 'string' && typeof b !== 'string') return ab === bb
  return a === b
}

const utf8 = new TextEncoder()

/** Bytes of a Data value: a UTF-8 string, `{ hex }`, or bytes. */
function bytesOf(v: unknown): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v
  if (typeof v === 'string') return utf8.encode(v)
  if (typeof v === 'object' && v !== null && 'hex' in v && typeof (v as { hex: unknown }).hex === 'string') {
    const clean = (v as { hex: string }).hex.replace(/[\s:-]/g, '')
    if (!/^([0-9a-f]{2})*$/i.test(clean)) return undefined
    const out = new Uint8Array(clean.length / 2)
    for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16)
    return out
  }
  return undefined
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** A flag field as a set of names: from a list of names/numbers, or a number decoded with the table. */
function flagSet(v: unknown, table: ConstTable | undefined): Set<string> | undefined {
  const out = new Set<string>()
  const addNumber = (n: number): void => {
    if (n === 0) return
    if (table) for (const name of flagNames(table, n, { composites: false })) out.add(name)
    else out.add('0x' + (n >>> 0).toString(16).toUpperCase())
  }
  if (typeof v === 'number' || typeof v === 'bigint') {
    addNumber(Number(v))
    return out
  }
  if (typeof v === 'string') {
    for (const t of v.split(/[|,\s]+/).filter((x) => x.length > 0)) {
      if (/^(0x[0-9a-f]+|[0-9]+)$/i.test(t)) addNumber(Number(t))
      else out.add(t)
    }
    return out
  }
  if (Array.isArray(v)) {
    for (const x of v) {
      if (typeof x === 'number' || typeof x === 'bigint') addNumber(Number(x))
      else if (typeof x === 'string') {
        if (/^(0x[0-9a-f]+|[0-9]+)$/i.test(x)) addNumber(Number(x))
        else out.add(x)
      } else return undefined
    }
    return out
  }
  return undefined
}

/** Canonical names for set comparison: a name in the table is replaced by the bits' decoding. */
function canonicalSet(s: Set<string>, table: ConstTable | undefined): Set<string> {
  if (!table) return s
  const out = new Set<string>()
  for (const name of s) {
    const bits = table[name]
    if (bits === undefined) out.add(name)
    else if (bits !== 0) for (const n of flagNames(table, bits, { composites: false })) out.add(n)
  }
  return out
}

function compareFields(path: string, expected: { readonly [key: string]: unknown }, actual: { readonly [key: string]: unknown }, out: string[]): void {
  for (const [key, exp] of Object.entries(expected)) {
    const p = `${path}.${key}`
    if (!Object.prototype.hasOwnProperty.call(actual, key)) {
      out.push(`${p}: expected ${show(exp)}, but the result has no ${key}`)
      continue
    }
    compareValue(p, key, exp, actual[key], out)
  }
}

function compareValue(path: string, key: string, exp: unknown, got: unknown, out: string[]): void {
  // bytes (Data, an EA's Value …) compare as bytes, given as a UTF-8 string or { hex }
  if (key === 'Data' || got instanceof Uint8Array) {
    const e = bytesOf(exp)
    const g = bytesOf(got)
    if (e === undefined || g === undefined || !sameBytes(e, g)) {
      out.push(`${path}: expected ${e ? show(e) : show(exp)}, got ${g ? show(g) : show(got)}${e && g ? firstDifference(e, g) : ''}`)
    }
    return
  }
  if (key in FLAG_FIELDS) {
    const table = FLAG_FIELDS[key]
    const e = flagSet(exp, table)
    const g = flagSet(got, table)
    if (e && g) {
      const ec = canonicalSet(e, table)
      const gc = canonicalSet(g, table)
      const missing = [...ec].filter((x) => !gc.has(x))
      const extra = [...gc].filter((x) => !ec.has(x))
      if (missing.length > 0 || extra.length > 0) {
        const parts: string[] = []
        if (missing.length > 0) parts.push(`missing ${missing.join(', ')}`)
        if (extra.length > 0) parts.push(`unexpected ${extra.join(', ')}`)
        out.push(`${path}: expected {${[...ec].join(', ')}}, got {${[...gc].join(', ')}} (${parts.join('; ')})`)
      }
      return
    }
  }
  const names = ENUM_FIELDS[key]
  if (names && typeof exp === 'string' && Object.prototype.hasOwnProperty.call(names, exp)) {
    const g = toBig(got)
    if (g === undefined || (Number(g) >>> 0) !== (names[exp]! >>> 0)) {
      const gotName = g === undefined ? undefined : Object.keys(names).find((n) => names[n]! >>> 0 === Number(g) >>> 0)
      out.push(`${path}: expected ${exp}, got ${gotName ?? show(got)}`)
    }
    return
  }
  if (Array.isArray(exp)) {
    if (!Array.isArray(got)) {
      out.push(`${path}: expected a list ${show(exp)}, got ${show(got)}`)
      return
    }
    if (exp.length !== got.length) {
      out.push(`${path}: expected ${exp.length} entries ${show(exp)}, got ${got.length} ${show(got)}`)
      return
    }
    exp.forEach((e, i) => compareValue(`${path}[${i}]`, '', e, got[i], out))
    return
  }
  if (typeof exp === 'object' && exp !== null && !(exp instanceof Uint8Array)) {
    if ('hex' in exp && Object.keys(exp).length === 1) {
      compareValue(path, 'Data', exp, got, out)
      return
    }
    if (typeof got !== 'object' || got === null) {
      out.push(`${path}: expected ${show(exp)}, got ${show(got)}`)
      return
    }
    compareFields(path, exp as { [key: string]: unknown }, got as { [key: string]: unknown }, out)
    return
  }
  const eb = typeof exp === 'string' ? undefined : toBig(exp)
  const gb = typeof got === 'string' && typeof exp !== 'string' ? toBig(got) : typeof got === 'string' ? undefined : toBig(got)
  if (eb !== undefined) {
    if (gb === undefined || eb !== gb) out.push(`${path}: expected ${show(exp)}, got ${show(got)}`)
    return
  }
  if (exp !== got) out.push(`${path}: expected ${show(exp)}, got ${show(got)}`)
}

function firstDifference(a: Uint8Array, b: Uint8Array): string {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return ` (first difference at byte ${i})`
  return a.length !== b.length ? ` (lengths ${a.length} and ${b.length})` : ''
}
