// A small runtime schema language for the host contract. Each schema checks an unknown value
// and carries its TypeScript type, so a message is described once and both checked and typed
// from that one description. No dependencies: the renderer and the Electron preload bundle it.

export interface Issue {
  /** where in the value, e.g. `params.seed` or `data.volumes[0].label` */
  readonly path: string
  readonly message: string
}

export interface Schema<T> {
  /** a short description of what is expected, used in error messages */
  readonly expected: string
  /** returns the first problem found, or undefined when the value conforms */
  check(value: unknown, path: string): Issue | undefined
  /** type carrier only; never set at runtime */
  readonly __type?: T
}

export interface OptionalSchema<T> extends Schema<T | undefined> {
  readonly optional: true
}

export type Infer<S> = S extends Schema<infer T> ? T : never

type Shape = Record<string, Schema<unknown>>
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalSchema<unknown> ? K : never }[keyof S]
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>
type Simplify<T> = { [K in keyof T]: T[K] } & {}
export type ObjectOf<S extends Shape> = Simplify<
  { [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Exclude<Infer<S[K]>, undefined> }
>

const MAX_DEPTH = 32

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value)
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value)
  if (typeof value === 'object') return 'an object'
  return `${typeof value} ${String(value)}`
}

function issue(path: string, expected: string, value: unknown): Issue {
  return { path, message: `expected ${expected}, got ${describe(value)}` }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function make<T>(expected: string, check: (value: unknown, path: string) => Issue | undefined): Schema<T> {
  return { expected, check }
}

export function string(opts: { maxLength?: number; minLength?: number; pattern?: RegExp; patternText?: string } = {}): Schema<string> {
  const maxLength = opts.maxLength ?? 1_000_000
  const minLength = opts.minLength ?? 0
  const expected = opts.patternText ?? (minLength > 0 ? `a non-empty string` : 'a string')
  return make(expected, (v, path) => {
    if (typeof v !== 'string') return issue(path, expected, v)
    if (v.length < minLength) return { path, message: `expected at least ${minLength} characters, got ${v.length}` }
    if (v.length > maxLength) return { path, message: `expected at most ${maxLength} characters, got ${v.length}` }
    if (opts.pattern !== undefined && !opts.pattern.test(v)) return issue(path, expected, v)
    return undefined
  })
}

export function number(opts: { integer?: boolean; min?: number; max?: number } = {}): Schema<number> {
  const expected = opts.integer === true ? 'an integer' : 'a finite number'
  return make(expected, (v, path) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return issue(path, expected, v)
    if (opts.integer === true && !Number.isSafeInteger(v)) return issue(path, 'a safe integer', v)
    if (opts.min !== undefined && v < opts.min) return { path, message: `expected a number ≥ ${opts.min}, got ${v}` }
    if (opts.max !== undefined && v > opts.max) return { path, message: `expected a number ≤ ${opts.max}, got ${v}` }
    return undefined
  })
}

export function integer(opts: { min?: number; max?: number } = {}): Schema<number> {
  return number({ ...opts, integer: true })
}

export function boolean(): Schema<boolean> {
  return make('a boolean', (v, path) => (typeof v === 'boolean' ? undefined : issue(path, 'a boolean', v)))
}

export function literal<const L extends string | number | boolean>(value: L): Schema<L> {
  const expected = JSON.stringify(value)
  return make(expected, (v, path) => (v === value ? undefined : issue(path, expected, v)))
}

export function oneOf<const V extends readonly string[]>(values: V): Schema<V[number]> {
  const expected = `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`
  const set = new Set<unknown>(values)
  return make(expected, (v, path) => (set.has(v) ? undefined : issue(path, expected, v)))
}

export function array<T>(item: Schema<T>, opts: { maxItems?: number; minItems?: number } = {}): Schema<T[]> {
  const maxItems = opts.maxItems ?? 1_000_000
  const minItems = opts.minItems ?? 0
  const expected = `an array of ${item.expected}`
  return make(expected, (v, path) => {
    if (!Array.isArray(v)) return issue(path, expected, v)
    if (v.length > maxItems) return { path, message: `expected at most ${maxItems} items, got ${v.length}` }
    if (v.length < minItems) return { path, message: `expected at least ${minItems} ${minItems === 1 ? 'item' : 'items'}, got ${v.length}` }
    for (let i = 0; i < v.length; i++) {
      const found = item.check(v[i], `${path}[${i}]`)
      if (found) return found
    }
    return undefined
  })
}

export function optional<T>(inner: Schema<T>): OptionalSchema<T> {
  return {
    expected: `${inner.expected} (optional)`,
    optional: true,
    check: (v, path) => (v === undefined ? undefined : inner.check(v, path)),
  }
}

export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return make(`${inner.expected} or null`, (v, path) => (v === null ? undefined : inner.check(v, path)))
}

/**
 * An object with the given keys. Closed objects (the default) reject keys they do not name,
 * so a misspelt parameter is an error rather than silently ignored. Open objects accept and
 * keep extra keys: used for data the kernel produces, which may grow fields over time.
 */
export function object<S extends Shape>(shape: S, opts: { open?: boolean } = {}): Schema<ObjectOf<S>> {
  const keys = Object.keys(shape)
  const expected = `an object with ${keys.length === 0 ? 'no keys' : `keys ${keys.join(', ')}`}`
  return make(expected, (v, path) => {
    if (!isPlainObject(v)) return issue(path, 'an object', v)
    for (const key of keys) {
      const schema = shape[key]
      if (schema === undefined) continue
      const child = path === '' ? key : `${path}.${key}`
      const value = Object.prototype.hasOwnProperty.call(v, key) ? v[key] : undefined
      if (value === undefined && !('optional' in schema)) return { path: child, message: `is required (${schema.expected})` }
      const found = schema.check(value, child)
      if (found) return found
    }
    if (opts.open !== true) {
      for (const key of Object.keys(v)) {
        if (!Object.prototype.hasOwnProperty.call(shape, key)) {
          return { path: path === '' ? key : `${path}.${key}`, message: 'is not a known key' }
        }
      }
    }
    return undefined
  })
}

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json }

/** Any JSON value (no functions, no undefined inside arrays, finite numbers, bounded depth). */
export function json(): Schema<Json> {
  const expected = 'a JSON value'
  const walk = (v: unknown, path: string, depth: number): Issue | undefined => {
    if (depth > MAX_DEPTH) return { path, message: `is nested deeper than ${MAX_DEPTH} levels` }
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return undefined
    if (typeof v === 'number') return Number.isFinite(v) ? undefined : issue(path, 'a finite number', v)
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const found = walk(v[i], `${path}[${i}]`, depth + 1)
        if (found) return found
      }
      return undefined
    }
    if (isPlainObject(v)) {
      for (const [k, x] of Object.entries(v)) {
        if (x === undefined) continue
        const found = walk(x, path === '' ? k : `${path}.${k}`, depth + 1)
        if (found) return found
      }
      return undefined
    }
    return issue(path, expected, v)
  }
  return make(expected, (v, path) => walk(v, path, 0))
}

/** A value matching one of the schemas (the first that accepts it). */
export function union<T extends readonly Schema<unknown>[]>(options: T): Schema<Infer<T[number]>> {
  const expected = options.map((o) => o.expected).join(' or ')
  return make(expected, (v, path) => {
    for (const o of options) if (o.check(v, path) === undefined) return undefined
    return issue(path, expected, v)
  })
}

/** A map from string keys to values of one schema. */
export function record<T>(value: Schema<T>): Schema<Record<string, T>> {
  const expected = `an object of ${value.expected}`
  return make(expected, (v, path) => {
    if (!isPlainObject(v)) return issue(path, 'an object', v)
    for (const [k, x] of Object.entries(v)) {
      const found = value.check(x, path === '' ? k : `${path}.${k}`)
      if (found) return found
    }
    return undefined
  })
}

/** Checks and narrows; the message names the path and what was expected. */
export function validate<T>(schema: Schema<T>, value: unknown, path = ''): { ok: true; value: T } | { ok: false; issue: Issue } {
  const found = schema.check(value, path)
  if (found) return { ok: false, issue: found }
  return { ok: true, value: value as T }
}

export function formatIssue(found: Issue): string {
  return found.path === '' ? found.message : `${found.path} ${found.message}`
}
