// Generic decoding helpers for the constant tables of kernel/nt: bit-flag tables
// (ACCESS_MASK, CreateOptions, FILE_ATTRIBUTE_*) and enumerations (CreateDisposition,
// information classes).

/** A constant table: Windows name → numeric value. */
export type ConstTable = { readonly [name: string]: number }

function popcount(v: number): number {
  let n = 0
  let x = v >>> 0
  while (x !== 0) {
    x &= x - 1
    n++
  }
  return n
}

function hex(v: number): string {
  return '0x' + (v >>> 0).toString(16).toUpperCase()
}

interface Decoder {
  /** unique non-zero masks, multi-bit masks first (most bits first), then table order */
  readonly masks: readonly { readonly name: string; readonly mask: number; readonly order: number }[]
  readonly zeroName: string | undefined
}

const decoders = new WeakMap<ConstTable, Decoder>()

function decoderFor(table: ConstTable): Decoder {
  let d = decoders.get(table)
  if (d) return d
  const seen = new Set<number>()
  const masks: { name: string; mask: number; order: number }[] = []
  let zeroName: string | undefined
  let order = 0
  for (const [name, raw] of Object.entries(table)) {
    const mask = raw >>> 0
    if (mask === 0) {
      zeroName ??= name
      continue
    }
    // aliases (FILE_LIST_DIRECTORY = FILE_READ_DATA): the first name in the table wins
    if (seen.has(mask)) continue
    seen.add(mask)
    masks.push({ name, mask, order: order++ })
  }
  masks.sort((a, b) => popcount(b.mask) - popcount(a.mask) || a.order - b.order)
  d = { masks, zeroName }
  decoders.set(table, d)
  return d
}

export interface FlagNamesOptions {
  /**
   * Use multi-bit entries of the table (FILE_GENERIC_READ, FILE_ALL_ACCESS …) when all their
   * bits are set. Default true. With false only single-bit entries are used.
   */
  readonly composites?: boolean
}

/**
 * Names of the bits set in `value`, in table order. Multi-bit entries are taken first (most bits
 * first) when all their bits are present and at least one of them is not yet covered; the bits
 * left are named by single-bit entries; bits no entry names come last as one hex number.
 * A zero value gives the table's zero-valued entry if it has one, else an empty list.
 */
export function flagNames(table: ConstTable, value: number, opts?: FlagNamesOptions): string[] {
  const v = value >>> 0
  const d = decoderFor(table)
  if (v === 0) return d.zeroName !== undefined ? [d.zeroName] : []
  const useComposites = opts?.composites ?? true
  let covered = 0
  const chosen: { name: string; order: number }[] = []
  for (const m of d.masks) {
    const multi = popcount(m.mask) > 1
    if (multi && !useComposites) continue
    if ((v & m.mask) >>> 0 !== m.mask) continue
    if ((m.mask & ~covered) >>> 0 === 0) continue
    covered = (covered | m.mask) >>> 0
    chosen.push(m)
  }
  chosen.sort((a, b) => a.order - b.order)
  const names = chosen.map((c) => c.name)
  const rest = (v & ~covered) >>> 0
  if (rest !== 0) names.push(hex(rest))
  return names
}

function parseNumber(token: string): number | undefined {
  const t = token.trim()
  if (/^0x[0-9a-f]+$/i.test(t)) return parseInt(t.slice(2), 16)
  if (/^-?[0-9]+$/.test(t)) return Number(t)
  return undefined
}

/** Table names closest to `name` (for "did you mean" messages). */
export function closestNames(candidates: Iterable<string>, name: string, max = 3): string[] {
  const target = name.toUpperCase()
  const scored: { n: string; d: number }[] = []
  for (const c of candidates) scored.push({ n: c, d: editDistance(c.toUpperCase(), target) })
  scored.sort((a, b) => a.d - b.d)
  const limit = Math.max(2, Math.floor(target.length / 3))
  const best = scored[0]?.d ?? Infinity
  // only the closest candidates (ties kept), and only when close enough to be a typo
  return scored.filter((s) => s.d <= limit && s.d === best).slice(0, max).map((s) => s.n)
}

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1)
  for (let j = 0; j <= b.length; j++) prev[j] = j
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!
    prev[0] = i
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1))
      diag = up
    }
  }
  return prev[b.length]!
}

/**
 * Combines flag names into a number. Accepts a number, a list of names/numbers, or one string
 * of names/numbers separated by `|`, `,` or whitespace. Throws an Error naming the unknown
 * flag and `what` (e.g. "DesiredAccess") when a name is not in the table.
 */
export function flagsFromNames(table: ConstTable, names: readonly (string | number)[] | number | string, what: string): number {
  if (typeof names === 'number') {
    if (!Number.isInteger(names) || names < 0 || names > 0xffffffff) {
      throw new Error(`${what}: ${names} is not a 32-bit flag value`)
    }
    return names >>> 0
  }
  const tokens: (string | number)[] =
    typeof names === 'string' ? names.split(/[|,\s]+/).filter((t) => t.length > 0) : [...names]
  let v = 0
  for (const tok of tokens) {
    if (typeof tok === 'number') {
      v = (v | flagsFromNames(table, tok, what)) >>> 0
      continue
    }
    const name = tok.trim()
    const known = table[name]
    if (known !== undefined) {
      v = (v | known) >>> 0
      continue
    }
    const n = parseNumber(name)
    if (n !== undefined && n >= 0 && n <= 0xffffffff) {
      v = (v | n) >>> 0
      continue
    }
    const near = closestNames(Object.keys(table), name)
    const hint = near.length > 0 ? ` (did you mean ${near.join(', ')}?)` : ''
    throw new Error(`${what}: unknown flag '${name}'${hint}`)
  }
  return v
}

/** The first name in an enumeration table whose value is `value`. */
export function enumName(table: ConstTable, value: number): string | undefined {
  for (const [name, v] of Object.entries(table)) if (v === value) return name
  return undefined
}

/** The value of an enumeration name, or undefined when the table has no such name. */
export function enumValue(table: ConstTable, name: string): number | undefined {
  return Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined
}

/** Builds the reverse map of an enumeration table (first name wins for duplicate values). */
export function reverseTable(table: ConstTable): ReadonlyMap<number, string> {
  const m = new Map<number, string>()
  for (const [name, v] of Object.entries(table)) if (!m.has(v)) m.set(v, name)
  return m
}
