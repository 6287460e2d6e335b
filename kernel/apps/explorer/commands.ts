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
import { ACCESS } from '../../nt/access.ts'
import { SHARE_ACCESS } from '../../nt/file.ts'
import { USER_SID } from '../../machine.ts'
import { isoTime } from './attributes.ts'
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

/** One item of the Recycle Bin as its view shows it: the `$R` item and what its `$I` record says. */
export interface RecycledItem {
  /** the `$R` item's name in `$Recycle.Bin\<SID>` */
  readonly name: string
  /** the `$I` record's name */
  readonly info: string
  /** where the item was when it was deleted */
  readonly originalPath: string
  /** the size the record holds (of a folder: its contents) */
  readonly size: number
  /** when it was deleted, ISO */
  readonly deleted: string
}

export type RecycleBinOutcome = { readonly ok: true; readonly folder: string; readonly items: RecycledItem[] } | { readonly ok: false; readonly status: NTSTATUS; readonly path: string }

/** the most a `$I` record holds: the version-2 header and a 32,767-character path */
const MAX_INFO_BYTES = 0x1c + 32_768 * 2

/**
 * The Recycle Bin's view of a drive, as explorer.exe builds it: the user's `$Recycle.Bin\<SID>`
 * listed, then each `$I` record opened and read for the original path, size and deletion time.
 * A record without its `$R` item (or unreadable) is left out. A drive nothing was recycled on
 * has an empty Recycle Bin.
 */
// unverified: the shell reads the $I records through its own folder view; the open's access and
// sharing here are those of a plain read
export function* recycleBinItems(io: IoManager, drive: string): Co<RecycleBinOutcome> {
  const env = w32.win32Env(io)
  const folder = `${drive.slice(0, 2).toUpperCase()}\\$Recycle.Bin\\${USER_SID}`
  const entries = yield* w32.listDirectory(env, folder)
  if (entries === undefined) {
    const status = w32.RtlGetLastNtStatus(io.ke.currentThread)
    const nothingYet = w32.GetLastError(io.ke.currentThread) === w32.ERROR.ERROR_PATH_NOT_FOUND || w32.GetLastError(io.ke.currentThread) === w32.ERROR.ERROR_FILE_NOT_FOUND
    return nothingYet ? { ok: true, folder, items: [] } : { ok: false, status, path: folder }
  }
  const names = new Set(entries.map((e) => e.FileName))
  const items: RecycledItem[] = []
  for (const e of entries) {
    if (!e.FileName.startsWith('$I')) continue
    const recycled = `$R${e.FileName.slice(2)}`
    if (!names.has(recycled)) continue
    const path = `${folder}\\${e.FileName}`
    const h = yield* w32.CreateFileW(env, {
      FileName: path,
      DesiredAccess: ACCESS.GENERIC_READ,
      ShareMode: SHARE_ACCESS.FILE_SHARE_READ | SHARE_ACCESS.FILE_SHARE_WRITE | SHARE_ACCESS.FILE_SHARE_DELETE,
      CreationDisposition: w32.CREATION_DISPOSITION.OPEN_EXISTING,
      FlagsAndAttributes: 0,
    })
    if (h.handle === w32.INVALID_HANDLE_VALUE) continue
    const r = yield* w32.ReadFile(env, { File: h.handle, NumberOfBytesToRead: Math.min(MAX_INFO_BYTES, e.FileSizeLow || 0x1c), Offset: 0 })
    yield* w32.CloseHandle(env, h.handle)
    const record = r.ok ? shell.decodeRecycleInfo(r.data) : undefined
    if (record === undefined) continue
    items.push({ name: recycled, info: e.FileName, originalPath: record.originalPath, size: record.size, deleted: isoTime(record.deletionTime) })
  }
  return { ok: true, folder, items }
}
