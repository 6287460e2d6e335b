// Random metadata operations for the crash test (crash.test.ts, crash-worker.ts): a model of
// the expected namespace and a generator that picks the next operation from the model alone,
// so the same seed gives the same sequence in the process that runs it and in the process
// that checks the volume after killing it.

import { Prng } from '../../../ke/prng.ts'
import { NameSpace, type NtfsStore } from '../store.ts'
import { stdInfo } from './store-conformance.ts'

interface MFile {
  id: number
  dir: boolean
  links: Array<{ parent: number; name: string }>
  size: number
  reparse: number | undefined
  eas: string[]
}

export type Op =
  | { kind: 'create'; id: number; parent: number; name: string; dir: boolean }
  | { kind: 'rename'; id: number; parent: number; name: string; toParent: number; toName: string }
  | { kind: 'link'; id: number; parent: number; name: string }
  | { kind: 'delete'; id: number }
  | { kind: 'extend'; id: number; size: number; write: boolean }
  | { kind: 'truncate'; id: number; size: number }
  | { kind: 'reparse'; id: number; tag: number | undefined }
  | { kind: 'ea'; id: number; names: string[] }

const ROOT = 0

export class CrashModel {
  readonly files = new Map<number, MFile>([[ROOT, { id: ROOT, dir: true, links: [], size: 0, reparse: undefined, eas: [] }]])
  private nextId = 1
  private readonly prng: Prng

  constructor(seed: number) {
    this.prng = new Prng(seed)
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[this.prng.nextU32() % xs.length]!
  }

  private below(n: number): number {
    return this.prng.nextU32() % n
  }

  private children(dir: number): Array<{ id: number; name: string }> {
    const out: Array<{ id: number; name: string }> = []
    for (const f of this.files.values()) for (const l of f.links) if (l.parent === dir) out.push({ id: f.id, name: l.name })
    return out
  }

  private freshName(parent: number): string {
    const taken = new Set(this.children(parent).map((c) => c.name.toUpperCase()))
    for (;;) {
      const n = `n${this.below(400)}${this.pick(['', '.txt', ' long name with spaces.dat', '.Ünï'])}`
      if (!taken.has(n.toUpperCase())) return n
    }
  }

  /** the next operation, chosen from the model only */
  next(): Op {
    const all = [...this.files.values()]
    const dirs = all.filter((f) => f.dir)
    const files = all.filter((f) => !f.dir)
    for (;;) {
      const roll = this.below(100)
      if (roll < 22 || files.length < 3) {
        const dir = this.below(6) === 0 && dirs.length < 6
        const parent = this.pick(dirs).id
        return { kind: 'create', id: this.nextId++, parent, name: this.freshName(parent), dir }
      }
      if (roll < 34) {
        const f = this.pick(all.filter((x) => x.id !== ROOT))
        if (!f) continue
        const l = this.pick(f.links)
        const toParent = f.dir ? l.parent : this.pick(dirs).id
        return { kind: 'rename', id: f.id, parent: l.parent, name: l.name, toParent, toName: this.freshName(toParent) }
      }
      if (roll < 42) {
        const f = this.pick(files)
        if (f.links.length >= 4) continue
        const parent = this.pick(dirs).id
        return { kind: 'link', id: f.id, parent, name: this.freshName(parent) }
      }
      if (roll < 56) {
        const f = this.pick(all.filter((x) => x.id !== ROOT))
        if (!f || (f.dir && this.children(f.id).length > 0)) continue
        return { kind: 'delete', id: f.id }
      }
      if (roll < 72) {
        const f = this.pick(files)
        return { kind: 'extend', id: f.id, size: f.size + 1 + this.below(this.below(4) === 0 ? 300_000 : 3000), write: this.below(3) !== 0 }
      }
      if (roll < 82) {
        const f = this.pick(files)
        return { kind: 'truncate', id: f.id, size: this.below(f.size + 1) }
      }
      if (roll < 91) {
        const f = this.pick(files)
        return { kind: 'reparse', id: f.id, tag: f.reparse === undefined ? this.pick([0x80000017, 0xa000000c, 0x00000100]) : undefined }
      }
      const f = this.pick(all.filter((x) => x.id !== ROOT))
      if (!f) continue
      const names = Array.from({ length: this.below(3) }, (_, i) => `EA${i}_${this.below(50)}`)
      return { kind: 'ea', id: f.id, names }
    }
  }

  apply(op: Op): void {
    switch (op.kind) {
      case 'create':
        this.files.set(op.id, { id: op.id, dir: op.dir, links: [{ parent: op.parent, name: op.name }], size: 0, reparse: undefined, eas: [] })
        break
      case 'rename': {
        const f = this.files.get(op.id)!
        const l = f.links.find((x) => x.parent === op.parent && x.name === op.name)!
        l.parent = op.toParent
        l.name = op.toName
        break
      }
      case 'link':
        this.files.get(op.id)!.links.push({ parent: op.parent, name: op.name })
        break
      case 'delete':
        this.files.delete(op.id)
        break
      case 'extend':
      case 'truncate':
        this.files.get(op.id)!.size = op.size
        break
      case 'reparse':
        this.files.get(op.id)!.reparse = op.tag
        break
      case 'ea':
        this.files.get(op.id)!.eas = op.names
        break
    }
  }

  /** the namespace as sorted lines: path, kind, size, reparse tag, EA names, link count */
  snapshot(): string[] {
    const out: string[] = []
    const walk = (dir: number, prefix: string): void => {
      for (const c of this.children(dir)) {
        const f = this.files.get(c.id)!
        out.push(describe(prefix + '/' + c.name, f.dir, f.size, f.reparse, f.eas, f.links.length))
        if (f.dir) walk(f.id, prefix + '/' + c.name)
      }
    }
    walk(ROOT, '')
    return out.sort()
  }
}

function describe(path: string, dir: boolean, size: number, reparse: number | undefined, eas: readonly string[], links: number): string {
  return `${path} ${dir ? 'dir' : `file ${size}`} ${reparse === undefined ? '-' : reparse.toString(16)} [${eas.join(',')}] x${links}`
}

/** the same description of what a store holds under its root */
export function storeSnapshot(s: NtfsStore): string[] {
  const out: string[] = []
  const walk = (dir: number, prefix: string): void => {
    for (const e of s.list(dir)) {
      if (e.record < 64) continue
      const r = s.readRecord(e.record)
      if (!r) throw new Error(`${prefix}/${e.name} names record ${e.record}, which is not in use`)
      if (r.seq !== e.seq) throw new Error(`${prefix}/${e.name}: entry sequence ${e.seq}, record ${r.seq}`)
      const size = r.streams.find((x) => x.name === '')?.size ?? 0
      out.push(describe(prefix + '/' + e.name, r.isDirectory, r.isDirectory ? 0 : size, r.reparse?.tag, r.eas.map((x) => x.name), r.names.length))
      if (r.isDirectory) walk(e.record, prefix + '/' + e.name)
      if (!r.isDirectory) s.readStream(e.record, '', 0, size)
    }
  }
  walk(5, '')
  return out.sort()
}

/** runs operations against a store, keeping the model's ids mapped to records */
export class CrashRunner {
  private records = new Map<number, number>([[ROOT, 5]])

  constructor(private readonly store: NtfsStore) {}

  run(op: Op): void {
    const s = this.store
    const rec = (id: number): number => this.records.get(id)!
    s.atomic(() => {
      switch (op.kind) {
        case 'create': {
          const r = s.createRecord({ isDirectory: op.dir, std: stdInfo(op.dir ? 0x10 : 0x20), name: { parent: rec(op.parent), name: op.name, nameSpace: NameSpace.Win32 } })
          if (!op.dir) s.createStream(r.record, '')
          this.records.set(op.id, r.record)
          break
        }
        case 'rename':
          s.removeName(rec(op.id), rec(op.parent), op.name)
          s.addName(rec(op.id), { parent: rec(op.toParent), name: op.toName, nameSpace: NameSpace.Win32 })
          break
        case 'link':
          s.addName(rec(op.id), { parent: rec(op.parent), name: op.name, nameSpace: NameSpace.Win32 })
          break
        case 'delete': {
          const r = s.readRecord(rec(op.id))!
          for (const n of r.names) s.removeName(r.record, n.parent, n.name)
          s.deleteRecord(r.record)
          this.records.delete(op.id)
          break
        }
        case 'extend': {
          const r = s.readRecord(rec(op.id))!
          const cur = r.streams[0]!.size
          if (op.write) {
            const data = new Uint8Array(op.size - cur)
            for (let i = 0; i < data.length; i++) data[i] = (cur + i) & 0xff
            s.writeStream(r.record, '', cur, data)
          } else s.setStreamSizes(r.record, '', { size: op.size })
          break
        }
        case 'truncate':
          s.setStreamSizes(rec(op.id), '', { size: op.size })
          break
        case 'reparse':
          s.setReparsePoint(rec(op.id), op.tag === undefined ? undefined : { tag: op.tag, data: new Uint8Array(20).fill(7), ...((op.tag & 0x80000000) === 0 ? { guid: new Uint8Array(16).fill(3) } : {}) })
          break
        case 'ea':
          s.setEas(rec(op.id), op.names.map((name, i) => ({ name, value: new Uint8Array(i * 5 + 1).fill(i), flags: 0 })))
          break
      }
    })
  }
}
