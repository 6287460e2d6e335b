// The process profiles: each is an image name (`notepad.exe`, case-insensitive as Windows image
// names are) with the actions a user does in it. An action runs in a thread of that process and
// makes the calls the real program makes (Win32 and NT services), so the trace shows what the
// program would send to the file system. Profiles register here; the scenario runner's `app:`
// steps and the UI find them by name.

import type { Co } from '../ke/index.ts'
import type { Machine } from '../machine.ts'
import type { EProcess } from '../ob/index.ts'
import type { NTSTATUS } from '../nt/status.ts'
import type { Win32Env } from '../win32/index.ts'
import type { AppArgs } from './args.ts'
import type { AppSettings } from './settings.ts'

/** What an action runs with. */
export interface AppContext {
  readonly machine: Machine
  /** the app's process (the step's process) */
  readonly process: EProcess
  /** Win32 functions in the calling thread, with the scenario's copy/shell settings */
  readonly env: Win32Env
  /** the `app.` settings */
  readonly settings: AppSettings
}

/**
 * What an action did. `ok` false: the user would see an error; the calling thread's last error
 * and last NTSTATUS say which (GetLastError / RtlGetLastNtStatus), `failedAt` what it was doing.
 */
export interface AppOutcome {
  readonly ok: boolean
  readonly output?: { readonly [field: string]: unknown }
  readonly failedAt?: string
}

export interface AppAction {
  /** the argument names the action takes */
  readonly params: readonly string[]
  /** one line: what the user does */
  readonly summary: string
  run(ctx: AppContext, args: AppArgs): Co<AppOutcome>
}

export interface AppProfile {
  /** the image name as Windows shows it (`notepad.exe`) */
  readonly image: string
  readonly description: string
  readonly actions: { readonly [action: string]: AppAction }
}

/** another name for the same profile (`7z.exe` runs 7-Zip's console, `7zFM.exe` its file manager) */
const profiles = new Map<string, AppProfile>()

/** adds a profile under its image name (and `aliases`); a second profile for one name is a programming error */
export function registerApp(profile: AppProfile, aliases: readonly string[] = []): void {
  for (const name of [profile.image, ...aliases]) {
    const key = name.toLowerCase()
    const existing = profiles.get(key)
    if (existing && existing !== profile) throw new Error(`a process profile for ${name} is already registered`)
    profiles.set(key, profile)
  }
}

/** the profile of an image name, case-insensitive */
export function findApp(image: string): AppProfile | undefined {
  return profiles.get(image.toLowerCase())
}

/** every registered image name, sorted */
export function appImages(): string[] {
  return [...profiles.keys()].sort()
}

/** action names compare without case, spaces, dashes and underscores (`open folder` = `openFolder`) */
export function actionKey(name: string): string {
  return name.replace(/[\s_-]+/g, '').toLowerCase()
}

export function findAction(profile: AppProfile, action: string): { name: string; action: AppAction } | undefined {
  const want = actionKey(action)
  for (const [name, a] of Object.entries(profile.actions)) if (actionKey(name) === want) return { name, action: a }
  return undefined
}

/** a failure with the NTSTATUS set as the thread's last error, for NT-level calls of a profile */
export type FailStatus = (status: NTSTATUS, at: string) => AppOutcome
