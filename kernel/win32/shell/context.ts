// What the shell's operations share: the outcome of an operation, the undo history Explorer keeps
// per process (each operation returns a record that undo replays backwards, as
// files-community/Files' IStorageHistory does), the conflict choices of the "Replace or Skip
// Files" dialog, and the attribute probes Explorer makes before it touches a name.

import type { Co } from '../../ke/index.ts'
import type { EProcess, } from '../../ob/index.ts'
import type { Prng } from '../../ke/index.ts'
import { FILE_ATTRIBUTE } from '../../nt/file.ts'
import { INVALID_FILE_ATTRIBUTES } from '../constants.ts'
import { GetLastError } from '../errors.ts'
import { currentProcess, currentThread, type Win32Env } from '../env.ts'
import { GetFileAttributesW } from '../fileinfo.ts'

/** "Replace the file in the destination", "Skip this file", "Keep both files" (name (2)) */
export type ConflictChoice = 'replace' | 'skip' | 'keepBoth'

/** the effect of a drop (or of a copy/move/shortcut command) */
export type DropEffect = 'copy' | 'move' | 'link'

export interface ShellOutcome {
  readonly ok: boolean
  /** the items made or reached: copies, moved items, new folders, `$R` files, shortcuts */
  readonly targets: string[]
  /** sources left alone (conflict "skip", a move onto the item's own folder) */
  readonly skipped: string[]
  /** the `$I` files of a recycle */
  readonly info?: string[]
  /** what a drop did */
  readonly effect?: DropEffect
  /** the Win32 error that stopped the operation */
  readonly error?: number
  /** the item it stopped at */
  readonly failedAt?: string
}

/** what undo needs to reverse an operation */
export type HistoryRecord =
  | { readonly kind: 'copy'; readonly created: readonly string[] }
  | { readonly kind: 'move'; readonly moves: readonly { readonly from: string; readonly to: string }[] }
  | { readonly kind: 'recycle'; readonly items: readonly { readonly original: string; readonly recycled: string; readonly info: string }[] }
  | { readonly kind: 'new'; readonly path: string }
  | { readonly kind: 'link'; readonly created: readonly string[] }

/** a name collision the scenario gave no choice for (Explorer would ask) */
export class ShellConflict extends Error {
  override readonly name = 'ShellConflict'
  constructor(readonly path: string) {
    super(`${path} already exists; give conflict: replace, skip or keepBoth (Explorer would ask)`)
  }
}

interface ShellProcessState {
  readonly history: HistoryRecord[]
  prng: Prng | undefined
}

const states = new WeakMap<EProcess, ShellProcessState>()

export function shellState(env: Win32Env): ShellProcessState {
  const p = currentProcess(env)
  let s = states.get(p)
  if (!s) {
    s = { history: [], prng: undefined }
    states.set(p, s)
  }
  return s
}

/** the process's random stream for Recycle Bin names, forked from the machine's seeded generator */
export function shellPrng(env: Win32Env): Prng {
  const s = shellState(env)
  s.prng ??= env.io.ke.prng.fork()
  return s.prng
}

/** Explorer's attribute probe of a name, `times` over (GetFileAttributesW); the attributes or undefined */
export function* probe(env: Win32Env, path: string, times = 1): Co<number | undefined> {
  let attrs = INVALID_FILE_ATTRIBUTES
  for (let i = 0; i < Math.max(1, times); i++) attrs = yield* GetFileAttributesW(env, path)
  return attrs === INVALID_FILE_ATTRIBUTES ? undefined : attrs
}

export function isDirectory(attrs: number | undefined): boolean {
  return attrs !== undefined && (attrs & FILE_ATTRIBUTE.FILE_ATTRIBUTE_DIRECTORY) !== 0
}

/** the outcome of an operation that stopped at `path` with the thread's last error */
export function failed(env: Win32Env, partial: Omit<ShellOutcome, 'ok' | 'error' | 'failedAt'>, path: string): ShellOutcome {
  return { ...partial, ok: false, error: GetLastError(currentThread(env)), failedAt: path }
}

export function sameText(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase()
}
