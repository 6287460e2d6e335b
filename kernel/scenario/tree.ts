// The YAML document as a small tree that keeps every node's source position, so that the
// validator can name the line and column of each problem. Integers are exact: the reader
// resolves them as bigint (no rounding above 2^53).

import { LineCounter, parseDocument, isAlias, isMap, isPair, isScalar, isSeq } from 'yaml'
import type { Document, Node as YamlNode } from 'yaml'
import type { ScenarioProblem, SourcePos } from './errors.ts'
import { ScenarioError } from './errors.ts'

export type ScalarValue = string | bigint | number | boolean | null

export interface ScalarNode {
  readonly kind: 'scalar'
  readonly value: ScalarValue
  readonly pos: SourcePos
  /** true for quoted scalars ('…' or "…"): `'1'` is the string 1, not a number */
  readonly quoted: boolean
}
export interface MapEntry {
  readonly key: string
  readonly keyPos: SourcePos
  readonly value: TreeNode
}
export interface MapNode {
  readonly kind: 'map'
  readonly entries: readonly MapEntry[]
  readonly pos: SourcePos
}
export interface SeqNode {
  readonly kind: 'seq'
  readonly items: readonly TreeNode[]
  readonly pos: SourcePos
}
export type TreeNode = ScalarNode | MapNode | SeqNode

/** Parses YAML text into a positioned tree; syntax errors become a ScenarioError. */
export function parseTree(text: string, file: string): TreeNode {
  const lc = new LineCounter()
  const doc = parseDocument(text, { intAsBigInt: true, lineCounter: lc, uniqueKeys: true, prettyErrors: false })
  if (doc.errors.length > 0) {
    const problems: ScenarioProblem[] = doc.errors.map((e) => {
      const at = e.linePos?.[0] ?? lc.linePos(e.pos[0])
      return { file, line: at.line, col: at.col, path: '', message: yamlMessage(e.code, e.message) }
    })
    throw new ScenarioError(problems)
  }
  const pos = (offset: number | undefined): SourcePos => {
    const p = lc.linePos(offset ?? 0)
    return { line: p.line, col: p.col }
  }
  const seen = new Set<YamlNode>()
  const convert = (node: unknown, fallback: SourcePos): TreeNode => {
    if (node === null || node === undefined) return { kind: 'scalar', value: null, pos: fallback, quoted: false }
    if (isAlias(node)) {
      const target = node.resolve(doc as Document) as YamlNode | undefined
      if (!target || seen.has(target)) {
        throw new ScenarioError([{ file, ...pos(node.range?.[0]), path: '', message: `alias *${node.source} cannot be resolved` }])
      }
      seen.add(target)
      const r = convert(target, pos(node.range?.[0]))
      seen.delete(target)
      return r
    }
    if (isMap(node)) {
      const entries: MapEntry[] = []
      for (const item of node.items) {
        if (!isPair(item)) continue
        const k = item.key
        const keyPos = isScalar(k) || isMap(k) || isSeq(k) ? pos(k.range?.[0]) : fallback
        let key: string
        if (isScalar(k)) key = String(k.value)
        else if (k === null || k === undefined) key = ''
        else {
          throw new ScenarioError([{ file, ...keyPos, path: '', message: 'mapping keys must be plain names' }])
        }
        entries.push({ key, keyPos, value: convert(item.value, keyPos) })
      }
      return { kind: 'map', entries, pos: pos(node.range?.[0]) }
    }
    if (isSeq(node)) {
      const p = pos(node.range?.[0])
      return { kind: 'seq', items: node.items.map((i) => convert(i, p)), pos: p }
    }
    if (isScalar(node)) {
      const v = node.value
      const value: ScalarValue =
        typeof v === 'string' || typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean' || v === null
          ? v
          : String(v)
      const quoted = node.type === 'QUOTE_SINGLE' || node.type === 'QUOTE_DOUBLE'
      return { kind: 'scalar', value, pos: pos(node.range?.[0]), quoted }
    }
    return { kind: 'scalar', value: null, pos: fallback, quoted: false }
  }
  return convert(doc.contents, { line: 1, col: 1 })
}

function yamlMessage(code: string, message: string): string {
  const first = message.split('\n')[0] ?? message
  // yaml appends " at line L, column C:" to its messages; the position is already in front
  const trimmed = first.replace(/ at line \d+, column \d+:?$/, '')
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'the same key appears twice in one mapping'
    case 'TAB_AS_INDENT':
      return 'tabs cannot indent YAML; use spaces'
    default:
      return `YAML syntax: ${trimmed.charAt(0).toLowerCase()}${trimmed.slice(1)}`
  }
}

/** A short description of a node's kind, for messages. */
export function describe(n: TreeNode): string {
  if (n.kind === 'map') return 'a mapping'
  if (n.kind === 'seq') return 'a list'
  const v = n.value
  if (v === null) return 'nothing'
  if (typeof v === 'string') return `'${v}'`
  return String(v)
}
