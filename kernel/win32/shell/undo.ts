// Ctrl+Z: the last operation of this Explorer, reversed from its history record (ui-anchors.md
// §3.4): a copy's copies are deleted, moves and renames go back, a Recycle Bin delete is restored
// (the `$R` item renamed back, its `$I` file deleted, as "Undo Delete" does, swiftforensics 2018
// [T]), new items and shortcuts are deleted. A permanent delete leaves nothing to undo.
// unverified: that undoing a copy deletes permanently rather than to the Recycle Bin.
// inferred: every undo sequence (its IRPs are those of the delete, move and rename it runs; no
// capture of Ctrl+Z was found).

import type { Co } from '../../ke/index.ts'
import { DeleteFileW } from '../delete.ts'
import type { Win32Env } from '../env.ts'
import { failed, probe, shellState, type HistoryRecord, type ShellOutcome } from './context.ts'
import { deleteTree } from './remove.ts'
import { moveNode } from './transfer.ts'

export interface UndoOutcome extends ShellOutcome {
  /** the operation undone, or undefined when there was nothing to undo */
  readonly undone?: HistoryRecord['kind']
}

/** deletes `paths` that still exist */
function* deleteAll(env: Win32Env, paths: readonly string[]): Co<ShellOutcome> {
  const done: string[] = []
  for (const p of [...paths].reverse()) {
    const attrs = yield* probe(env, p)
    if (attrs === undefined) continue
    if (!(yield* deleteTree(env, p, attrs))) return failed(env, { targets: done, skipped: [] }, p)
    done.push(p)
  }
  return { ok: true, targets: done, skipped: [] }
}

/** Edit ▸ Undo */
export function* undo(env: Win32Env): Co<UndoOutcome> {
  const record = shellState(env).history.pop()
  if (!record) return { ok: false, targets: [], skipped: [] }
  switch (record.kind) {
    case 'copy':
    case 'link':
      return { ...(yield* deleteAll(env, record.created)), undone: record.kind }
    case 'new':
      return { ...(yield* deleteAll(env, [record.path])), undone: record.kind }
    case 'move': {
      const back: string[] = []
      for (const m of [...record.moves].reverse()) {
        const attrs = yield* probe(env, m.to)
        if (attrs === undefined || !(yield* moveNode(env, m.to, attrs, m.from, false))) return { ...failed(env, { targets: back, skipped: [] }, m.to), undone: record.kind }
        back.push(m.from)
      }
      return { ok: true, targets: back, skipped: [], undone: record.kind }
    }
    case 'recycle': {
      const back: string[] = []
      for (const item of [...record.items].reverse()) {
        const attrs = yield* probe(env, item.recycled)
        if (attrs === undefined || !(yield* moveNode(env, item.recycled, attrs, item.original, false))) return { ...failed(env, { targets: back, skipped: [] }, item.recycled), undone: record.kind }
        yield* DeleteFileW(env, item.info)
        back.push(item.original)
      }
      return { ok: true, targets: back, skipped: [], undone: record.kind }
    }
  }
}
