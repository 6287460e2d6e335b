// The object namespace: directories, symbolic links (\GLOBAL??\C: → \Device\HarddiskVolume1)
// and objects with a parse procedure (devices), looked up the way ObpLookupObjectName does:
// a symbolic link or a STATUS_REPARSE from a parse procedure restarts the lookup with the new
// name, up to a limit.

import { STATUS, type NTSTATUS } from '../nt/status.ts'
import type { Co } from '../ke/index.ts'
import { ObjectHeader, type KObject, type ObjectType } from './object.ts'

const DirectoryType: ObjectType = { name: 'Directory' }
const SymbolicLinkType: ObjectType = { name: 'SymbolicLink' }

/**
 * Documented: "There is a maximum of 63 reparse points in any given path" (Symbolic Link
 * Effects on File Systems Functions). unverified: the object manager's own symbolic-link limit
 * is taken to be the same.
 */
export const MAX_REPARSE = 63

export class ObDirectory implements KObject {
  readonly header: ObjectHeader
  readonly entries = new Map<string, KObject>()
  constructor(name: string) {
    this.header = new ObjectHeader(DirectoryType, name)
  }
}

export class ObSymbolicLink implements KObject {
  readonly header: ObjectHeader
  constructor(
    name: string,
    public target: string,
  ) {
    this.header = new ObjectHeader(SymbolicLinkType, name)
  }
}

export interface ParseResult {
  status: NTSTATUS
  object?: KObject
  /** with STATUS_REPARSE: the complete new name to look up from the root */
  reparseName?: string
  information?: number
}

/** An object whose type parses the rest of the name (a device: IopParseDevice). */
export interface Parseable extends KObject {
  parse(remaining: string, context: unknown, reparseCount: number): Co<ParseResult>
}

function isParseable(o: KObject): o is Parseable {
  return typeof (o as Partial<Parseable>).parse === 'function'
}

export class ObNamespace {
  readonly root = new ObDirectory('\\')

  /** creates the directories of `path` as needed and inserts `obj` under its last component */
  insert(path: string, obj: KObject): void {
    const parts = path.split('\\').filter((p) => p.length > 0)
    const leaf = parts.pop()
    if (!leaf) throw new Error(`ObNamespace.insert: bad name ${path}`)
    let dir = this.root
    for (const p of parts) {
      const next = dir.entries.get(p.toUpperCase())
      if (next instanceof ObDirectory) dir = next
      else if (!next) {
        const d = new ObDirectory(p)
        dir.entries.set(p.toUpperCase(), d)
        dir = d
      } else throw new Error(`ObNamespace.insert: ${p} in ${path} is not a directory`)
    }
    obj.header.name = path
    dir.entries.set(leaf.toUpperCase(), obj)
  }

  /** makes `alias` name the same directory as `path` (\?? and \GLOBAL??) */
  alias(alias: string, path: string): void {
    const target = this.findDirectory(path)
    const leaf = alias.replace(/^\\+/, '')
    this.root.entries.set(leaf.toUpperCase(), target)
  }

  createSymbolicLink(path: string, target: string): ObSymbolicLink {
    const l = new ObSymbolicLink(path, target)
    this.insert(path, l)
    return l
  }

  /** the object at an exact path without following links or parsing (for diagnostics) */
  peek(path: string): KObject | undefined {
    let cur: KObject = this.root
    for (const p of path.split('\\').filter((x) => x.length > 0)) {
      if (!(cur instanceof ObDirectory)) return undefined
      const next = cur.entries.get(p.toUpperCase())
      if (!next) return undefined
      cur = next
    }
    return cur
  }

  /** resolves symbolic links in the leading components only (for mapping an NT name to a device) */
  resolveLinks(name: string): string {
    for (let i = 0; i < MAX_REPARSE; i++) {
      const parts = name.split('\\')
      let cur: KObject = this.root
      let changed = false
      for (let k = 1; k < parts.length; k++) {
        if (!(cur instanceof ObDirectory)) break
        const next = cur.entries.get(parts[k]!.toUpperCase())
        if (!next) break
        if (next instanceof ObSymbolicLink) {
          name = next.target + (k + 1 < parts.length ? '\\' + parts.slice(k + 1).join('\\') : '')
          changed = true
          break
        }
        cur = next
      }
      if (!changed) return name
    }
    return name
  }

  /** ObpLookupObjectName */
  *lookup(name: string, context: unknown): Co<ParseResult> {
    let reparses = 0
    restart: for (;;) {
      if (!name.startsWith('\\')) return { status: STATUS.STATUS_OBJECT_PATH_SYNTAX_BAD }
      let dir: ObDirectory = this.root
      let rest = name.slice(1)
      for (;;) {
        if (rest === '') return { status: STATUS.STATUS_SUCCESS, object: dir }
        const slash = rest.indexOf('\\')
        const component = slash < 0 ? rest : rest.slice(0, slash)
        const remaining = slash < 0 ? '' : rest.slice(slash)
        if (component === '') return { status: STATUS.STATUS_OBJECT_NAME_INVALID }
        const obj = dir.entries.get(component.toUpperCase())
        if (!obj) return { status: remaining === '' ? STATUS.STATUS_OBJECT_NAME_NOT_FOUND : STATUS.STATUS_OBJECT_PATH_NOT_FOUND }
        if (obj instanceof ObDirectory) {
          dir = obj
          rest = remaining.slice(1)
          continue
        }
        if (obj instanceof ObSymbolicLink) {
          if (++reparses > MAX_REPARSE) return { status: STATUS.STATUS_REPARSE_POINT_NOT_RESOLVED }
          name = obj.target + remaining
          continue restart
        }
        if (isParseable(obj)) {
          const r = yield* obj.parse(remaining, context, reparses)
          if (r.status === STATUS.STATUS_REPARSE && r.reparseName !== undefined) {
            if (++reparses > MAX_REPARSE) return { status: STATUS.STATUS_REPARSE_POINT_NOT_RESOLVED }
            name = r.reparseName
            continue restart
          }
          return r
        }
        if (remaining === '') return { status: STATUS.STATUS_SUCCESS, object: obj }
        return { status: STATUS.STATUS_OBJECT_PATH_NOT_FOUND }
      }
    }
  }

  private findDirectory(path: string): ObDirectory {
    const o = this.peek(path)
    if (!(o instanceof ObDirectory)) throw new Error(`no object directory ${path}`)
    return o
  }
}
