// The arguments of an app action (`app: notepad.exe`, `action: save`, `args: { … }`), each read
// by its name and checked: a bad one is an AppArgError naming the argument, before anything runs.

import { closestNames } from '../nt/flags.ts'
import { dosPathToNtPath, PathError } from '../scenario/paths.ts'
import { parseSize } from '../scenario/units.ts'

/** an argument an action cannot use; the message starts with the argument's name */
export class AppArgError extends Error {
  override readonly name = 'AppArgError'
}

export type AppArgValue = unknown

export class AppArgs {
  constructor(
    private readonly args: { readonly [key: string]: AppArgValue },
    readonly known: readonly string[],
  ) {}

  private take(k: string): AppArgValue {
    const v = this.args[k]
    return v === null ? undefined : v
  }

  has(k: string): boolean {
    return this.take(k) !== undefined
  }

  /** refuses an argument that is not one of the action's parameters */
  checkKnown(): void {
    for (const k of Object.keys(this.args)) {
      if (this.known.includes(k)) continue
      const near = closestNames(this.known, k)
      throw new AppArgError(`${k}: unknown argument${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}; the parameters are ${this.known.join(', ') || 'none'}`)
    }
  }

  /** a Win32 path (`C:\dir\a.txt`); names the path conversion refuses are errors */
  path(k: string): string {
    const v = this.take(k)
    if (v === undefined) throw new AppArgError(`${k}: required (a path such as 'C:\\dir\\file.txt')`)
    if (typeof v !== 'string' || v === '') throw new AppArgError(`${k}: expected a path such as 'C:\\dir\\file.txt'`)
    try {
      dosPathToNtPath(v)
    } catch (e) {
      if (e instanceof PathError) throw new AppArgError(`${k}: ${e.message}`)
      throw e
    }
    return v
  }

  string(k: string, fallback?: string): string {
    const v = this.take(k)
    if (v === undefined) {
      if (fallback === undefined) throw new AppArgError(`${k}: required`)
      return fallback
    }
    if (typeof v !== 'string') throw new AppArgError(`${k}: expected a string`)
    return v
  }

  /** bytes: a UTF-8 string or { hex: "00ff" } */
  data(k: string, fallback?: Uint8Array): Uint8Array {
    const v = this.take(k)
    if (v === undefined) {
      if (fallback === undefined) throw new AppArgError(`${k}: required (a string or { hex: "00ff…" })`)
      return fallback
    }
    if (v instanceof Uint8Array) return v
    if (typeof v === 'string') return new TextEncoder().encode(v)
    if (typeof v === 'object' && !Array.isArray(v) && typeof (v as { hex?: unknown }).hex === 'string') {
      const clean = (v as { hex: string }).hex.replace(/[\s:-]/g, '')
      if (!/^([0-9a-f]{2})*$/i.test(clean)) throw new AppArgError(`${k}.hex: not an even number of hexadecimal digits`)
      const out = new Uint8Array(clean.length / 2)
      for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16)
      return out
    }
    throw new AppArgError(`${k}: expected a string (UTF-8) or { hex: "00ff…" }`)
  }

  /** a whole number, or a size with a unit (`64KiB`) */
  int(k: string, fallback?: number): number {
    const v = this.take(k)
    if (v === undefined) {
      if (fallback === undefined) throw new AppArgError(`${k}: required`)
      return fallback
    }
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v
    if (typeof v === 'bigint' && v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v)
    if (typeof v === 'string') {
      const s = parseSize(v)
      if (typeof s !== 'string') return Number(s)
    }
    throw new AppArgError(`${k}: expected a whole number or a size such as 64KiB, found ${JSON.stringify(typeof v === 'bigint' ? String(v) : v)}`)
  }

  bool(k: string, fallback = false): boolean {
    const v = this.take(k)
    if (v === undefined) return fallback
    if (typeof v !== 'boolean') throw new AppArgError(`${k}: expected true or false`)
    return v
  }

  /** one of `choices` */
  choice<T extends string>(k: string, choices: readonly T[], fallback: T): T {
    const v = this.take(k)
    if (v === undefined) return fallback
    if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) throw new AppArgError(`${k}: expected ${choices.join(' or ')}, found ${JSON.stringify(v)}`)
    return v as T
  }
}
