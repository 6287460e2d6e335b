// Turning validated scenario arguments into what the services take.

import type { ArgValue, HandleArg, PathArg } from '../types.ts'
import type { Int64 } from '../units.ts'

export class StepError extends Error {}

export function isPath(v: ArgValue | undefined): v is PathArg {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v) && (v as PathArg).kind === 'path'
}
export function isHandle(v: ArgValue | undefined): v is HandleArg {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v) && (v as HandleArg).kind === 'handle'
}

/** a 64-bit scenario integer as a JS number (sizes and offsets stay far below 2^53 here) */
export function num(v: ArgValue | undefined, what: string): number {
  if (typeof v === 'number') return v
  if (typeof v === 'bigint') {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new StepError(`${what}: ${v} is beyond what this argument can hold`)
    return Number(v)
  }
  throw new StepError(`${what}: expected a number`)
}
export function optNum(v: ArgValue | undefined, what: string): number | undefined {
  return v === undefined || v === null ? undefined : num(v, what)
}
export function bool(v: ArgValue | undefined): boolean {
  return v === true
}
export function str(v: ArgValue | undefined, what: string): string {
  if (typeof v === 'string') return v
  if (isPath(v)) return v.nt
  throw new StepError(`${what}: expected a string`)
}
export function bytes(v: ArgValue | undefined, what: string): Uint8Array {
  if (v instanceof Uint8Array) return v
  if (typeof v === 'string') return new TextEncoder().encode(v)
  throw new StepError(`${what}: expected data`)
}
export function asObject(v: ArgValue | undefined, what: string): { readonly [k: string]: ArgValue } {
  if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v) && !('kind' in v)) return v as { readonly [k: string]: ArgValue }
  throw new StepError(`${what}: expected a mapping`)
}
export function int64ToNumber(v: Int64): number {
  return typeof v === 'bigint' ? Number(v) : v
}
