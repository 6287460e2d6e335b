// Validation context: collects problems with their source positions, and small helpers to read
// the positioned YAML tree.

import type { ScenarioProblem, SourcePos } from './errors.ts'
import type { MapEntry, MapNode, ScalarNode, SeqNode, TreeNode } from './tree.ts'
import { describe } from './tree.ts'
import { closestNames } from '../nt/flags.ts'

/** Names a handle, section or view defined by an earlier step's `as:`. */
export type NameKind = 'handle' | 'view'

export class Ctx {
  readonly problems: ScenarioProblem[] = []
  /** `as:` names defined so far (in file order), with what they name */
  readonly names = new Map<string, NameKind>()
  /** the process and step index that defined each name */
  readonly nameOwners = new Map<string, { readonly process: string; readonly step: number }>()

  constructor(readonly file: string) {}

  problem(at: SourcePos, path: string, message: string): void {
    this.problems.push({ file: this.file, line: at.line, col: at.col, path, message })
  }

  /** The node as a mapping, or a problem and undefined. */
  map(n: TreeNode, path: string, what = 'a mapping'): MapNode | undefined {
    if (n.kind === 'map') return n
    this.problem(n.pos, path, `expected ${what}, found ${describe(n)}`)
    return undefined
  }

  seq(n: TreeNode, path: string, what = 'a list'): SeqNode | undefined {
    if (n.kind === 'seq') return n
    this.problem(n.pos, path, `expected ${what}, found ${describe(n)}`)
    return undefined
  }

  /**
   * Reports keys of `m` not in `allowed` (with a "did you mean" when one is close) and returns
   * the entries by key.
   */
  keys(m: MapNode, path: string, allowed: readonly string[], where = ''): Map<string, MapEntry> {
    const out = new Map<string, MapEntry>()
    for (const e of m.entries) {
      if (!allowed.includes(e.key)) {
        const near = closestNames(allowed, e.key, 1)
        const hint = near.length > 0 ? ` (did you mean '${near[0]}'?)` : ` (expected ${listNames(allowed)})`
        this.problem(e.keyPos, join(path, e.key), `unknown key${where ? ' ' + where : ''}${hint}`)
        continue
      }
      out.set(e.key, e)
    }
    return out
  }

  required(m: MapNode, path: string, entries: Map<string, MapEntry>, names: readonly string[]): void {
    for (const n of names) if (!entries.has(n)) this.problem(m.pos, path, `missing '${n}'`)
  }

  /** A string scalar, or a problem. Numbers and booleans are not strings here. */
  string(n: TreeNode, path: string, what = 'a string'): string | undefined {
    if (n.kind === 'scalar' && typeof n.value === 'string') return n.value
    this.problem(n.pos, path, `expected ${what}, found ${describe(n)}`)
    return undefined
  }

  bool(n: TreeNode, path: string): boolean | undefined {
    if (n.kind === 'scalar' && typeof n.value === 'boolean') return n.value
    this.problem(n.pos, path, `expected true or false, found ${describe(n)}`)
    return undefined
  }

  /** An integer scalar (exact) or a problem. */
  integer(n: TreeNode, path: string, min: bigint, max: bigint): bigint | undefined {
    if (n.kind === 'scalar' && typeof n.value === 'bigint') {
      if (n.value < min || n.value > max) {
        this.problem(n.pos, path, `${n.value} is out of range (${min}..${max})`)
        return undefined
      }
      return n.value
    }
    if (n.kind === 'scalar' && typeof n.value === 'string' && !n.quoted && /^-?0x[0-9a-f]+$/i.test(n.value)) {
      const neg = n.value.startsWith('-')
      const v = BigInt(neg ? n.value.slice(1) : n.value) * (neg ? -1n : 1n)
      return this.integer({ ...n, value: v }, path, min, max)
    }
    this.problem(n.pos, path, `expected an integer, found ${describe(n)}`)
    return undefined
  }
}

/** `a.b`, `a[3]` path building. */
export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`
  return path ? `${path}.${key}` : key
}

/** Lists names for a message: all when few, else the first ones and how many there are. */
export function listNames(names: readonly string[], max = 12): string {
  if (names.length <= max) return names.join(', ')
  return `${names.slice(0, max).join(', ')}, … (${names.length} in all)`
}

/** The scalar value of a node when it is a scalar. */
export function scalar(n: TreeNode): ScalarNode | undefined {
  return n.kind === 'scalar' ? n : undefined
}
