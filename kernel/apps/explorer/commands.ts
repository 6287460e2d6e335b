// explorer.exe's file commands: New folder, Rename (F2), Delete (to the Recycle Bin) and
// Shift+Delete (permanently), done by the shell engine (kernel/win32/shell) on the calling
// thread, which is explorer.exe's. A name collision Explorer would ask about, and a failure
// with the thread's last error and NTSTATUS, come back as values.

import type { Co } from '../../ke/index.ts'
import type { IoManager } from '../../io/iomgr.ts'
import type { NTSTATUS } from '../../nt/status.ts'
import * as w32 from '../../win32/index.ts'
import * as shell from '../../win32/shell/index.ts'
import type { Win32Settings } from '../../win32/settings.ts'
import type { ParsedPath } from './paths.ts'

export type ConflictChoice = shell.ConflictChoice
export const CONFLICT_CHOICES: readonly ConflictChoice[] = ['replace', 'skip', 'keepBoth']

/** what a command did */
export interface CommandResult {
  /** the items made or reached: the new folder, the renamed item, the `$R` files of a recycle, the items Shift+Delete removed */
  readonly targets: string[]
  /** items left alone (a collision answered with skip) */
  readonly skipped: string[]
  /** the `$I` files of a recycle */
  readonly info?: string[]
  /** what a drop did (copy, move, or shortcuts) */
  readonly effect?: shell.DropEffect
  /** what Ctrl+Z undid */
  readonly undone?: shell.HistoryRecord['kind']
}

export type CommandOutcome =
  | { readonly ok: true; readonly value: CommandResult }
  /** the name is taken and no choice was given (Explorer would ask: replace, skip or keep both) */
  | { readonly ok: false; readonly kind: 'conflict'; readonly path: string }
  | {
      readonly ok: false
      readonly kind: 'failed'
      /** the item the command stopped at */
      readonly path: string
      /** GetLastError's value and name */
      readonly error: number
      readonly errorName: string
      /** RtlGetLastNtStatus: the NTSTATUS behind the error */
      readonly status: NTSTATUS
    }

/** characters a name typed for a rename or a new folder may not contain */
const ILLEGAL_NAME = /[\\/:*?"<>|\x00-\x1f]/

/** A typed name Explorer accepts, or why not (Explorer's own words where it has them). */
export function checkTypedName(name: string): string | undefined {
  if (name.trim() === '') return 'a file name is needed'
  if (ILLEGAL_NAME.test(name)) return 'A file name can\'t contain any of the following characters: \\ / : * ? " < > |'
  if (name === '.' || name === '..') return `"${name}" is not a file name`
  if (name.length > 255) return 'the name is longer than 255 characters'
  return undefined
}

function* run(io: IoManager, at: string, body: (env: w32.Win32Env) => Co<shell.ShellOutcome>, settings?: Win32Settings): Co<CommandOutcome> {
  const env = w32.win32Env(io, settings)
  let out: shell.ShellOutcome
  try {
    out = yield* body(env)
  } catch (e) {
    // caught on this coroutine's own stack: it never reaches the scheduler (which would bug-check)
    if (e instanceof shell.ShellConflict) return { ok: false, kind: 'conflict', path: e.path }
    throw e
  }
  if (out.ok) return { ok: true, value: { targets: out.targets, skipped: out.skipped, ...(out.info ? { info: out.info } : {}), ...(out.effect ? { effect: out.effect } : {}) } }
  const thread = io.ke.currentThread
  const error = out.error ?? w32.GetLastError(thread)
  return { ok: false, kind: 'failed', path: out.failedAt ?? at, error, errorName: w32.errorName(error), status: w32.RtlGetLastNtStatus(thread) }
}

/** New ▸ Folder in `folder` ("New folder", "New folder (2)" …), renamed to `name` when one is given */
export function newFolderIn(io: IoManager, folder: ParsedPath & { ok: true }, name?: string, conflict?: ConflictChoice): Co<CommandOutcome> {
  return run(io, folder.dos, (env) => shell.newFolder(env, folder.dos, name, conflict))
}

/** F2: `item` gets the name `newName` in its folder */
export function renameAt(io: IoManager, item: ParsedPath & { ok: true }, newName: string, conflict?: ConflictChoice): Co<CommandOutcome> {
  return run(io, item.dos, (env) => shell.renameItem(env, item.dos, newName, conflict))
}

/** Delete (to the Recycle Bin) or, `permanent`, Shift+Delete */
export function deleteItemsAt(io: IoManager, items: readonly (ParsedPath & { ok: true })[], permanent: boolean): Co<CommandOutcome> {
  const paths = items.map((p) => p.dos)
  return run(io, paths[0] ?? '', (env) => (permanent ? shell.deleteItems(env, paths) : shell.recycleItems(env, paths)))
}

/** Ctrl+V after Ctrl+C: `items` copied into `folder` (a copy into the items' own folder is "name - Copy") */
export function copyItemsTo(io: IoManager, items: readonly (ParsedPath & { ok: true })[], folder: ParsedPath & { ok: true }, conflict?: ConflictChoice, settings?: Win32Settings): Co<CommandOutcome> {
  const paths = items.map((p) => p.dos)
  return run(io, paths[0] ?? folder.dos, (env) => shell.copyItems(env, paths, folder.dos, conflict), settings)
}

/** Ctrl+V after Ctrl+X: `items` moved into `folder` */
export function moveItemsTo(io: IoManager, items: readonly (ParsedPath & { ok: true })[], folder: ParsedPath & { ok: true }, conflict?: ConflictChoice, settings?: Win32Settings): Co<CommandOutcome> {
  const paths = items.map((p) => p.dos)
  return run(io, paths[0] ?? folder.dos, (env) => shell.moveItems(env, paths, folder.dos, conflict), settings)
}

/** a drag of `items` dropped on `folder` with `keys` held: the effect comes from the keys and the volumes */
export function dropItemsOn(io: IoManager, items: readonly (ParsedPath & { ok: true })[], folder: ParsedPath & { ok: true }, keys: readonly shell.DropKey[], conflict?: ConflictChoice, settings?: Win32Settings): Co<CommandOutcome> {
  const paths = items.map((p) => p.dos)
  return run(io, paths[0] ?? folder.dos, (env) => shell.drop(env, paths, folder.dos, keys, conflict), settings)
}

/** New ▸ Text Document in `folder`, renamed to `name` when one is given */
export function newTextDocumentIn(io: IoManager, folder: ParsedPath & { ok: true }, name?: string, conflict?: ConflictChoice, settings?: Win32Settings): Co<CommandOutcome> {
  return run(io, folder.dos, (env) => shell.newTextDocument(env, folder.dos, name, conflict), settings)
}

/** Ctrl+Z: the last operation of this explorer.exe reversed; with nothing to undo, nothing happens */
export function* undoLast(io: IoManager, settings?: Win32Settings): Co<CommandOutcome> {
  let undone: shell.HistoryRecord['kind'] | undefined
  const out = yield* run(
    io,
    '',
    function* (env) {
      const r = yield* shell.undo(env)
      undone = r.undone
      // an empty history is not a failure: Explorer's Undo is just not available
      return r.undone === undefined ? { ok: true, targets: [], skipped: [] } : r
    },
    settings,
  )
  return out.ok && undone !== undefined ? { ok: true, value: { ...out.value, undone } } : out
}
