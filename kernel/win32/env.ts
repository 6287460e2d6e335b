// What a Win32 function runs with: the machine's I/O manager (the NT services), the settings of
// the copy engine and the shell, the calling thread (its last error) and the calling process
// (its find handles, its copy engine's per-volume memory). Win32 functions run in the caller's
// emulated thread, as kernelbase.dll runs in the caller's thread.

import type { KThread } from '../ke/index.ts'
import type { IoManager } from '../io/iomgr.ts'
import type { EProcess } from '../ob/index.ts'
import type { NTSTATUS } from '../nt/status.ts'
import { dosPathToNtPath, PathError } from '../scenario/paths.ts'
import { BaseSetLastNTError, SetLastError } from './errors.ts'
import { DEFAULT_WIN32_SETTINGS, type Win32Settings } from './settings.ts'

export interface Win32Env {
  readonly io: IoManager
  readonly settings: Win32Settings
}

export function win32Env(io: IoManager, settings: Win32Settings = DEFAULT_WIN32_SETTINGS): Win32Env {
  return { io, settings }
}

export function currentThread(env: Win32Env): KThread {
  return env.io.ke.currentThread
}

export function currentProcess(env: Win32Env): EProcess {
  return env.io.currentProcess()
}

/** BaseSetLastNTError in the calling thread; returns the Win32 error */
export function failWith(env: Win32Env, status: NTSTATUS): number {
  return BaseSetLastNTError(currentThread(env), status)
}

/** SetLastError in the calling thread */
export function setError(env: Win32Env, error: number): void {
  SetLastError(currentThread(env), error)
}

/**
 * RtlDosPathNameToNtPathName_U: the NT name of a Win32 path, or undefined when it has none (the
 * callers then fail with ERROR_PATH_NOT_FOUND, as kernelbase does).
 */
export function ntPathOf(name: string): string | undefined {
  try {
    return dosPathToNtPath(name)
  } catch (e) {
    if (e instanceof PathError) return undefined
    throw e
  }
}

/** One FindFirstFile search: the directory handle and the entries not yet returned. */
export interface FindState {
  readonly directoryHandle: number
  readonly pattern: string
  readonly infoClass: number
  readonly limitToDirectories: boolean
  /** entries read from the last NtQueryDirectoryFile and not yet returned */
  readonly pending: FindEntry[]
  /** NtQueryDirectoryFile returned STATUS_NO_MORE_FILES */
  exhausted: boolean
}

/** WIN32_FIND_DATAW by its field names (without the Hungarian prefixes) */
export interface FindEntry {
  readonly FileAttributes: number
  readonly CreationTime: bigint
  readonly LastAccessTime: bigint
  readonly LastWriteTime: bigint
  readonly FileSizeHigh: number
  readonly FileSizeLow: number
  /** dwReserved0: the reparse tag of a reparse point */
  readonly Reserved0: number
  readonly FileName: string
  readonly AlternateFileName: string
}

/** What kernelbase keeps per process. */
export interface Win32ProcessState {
  /** volumes (device names) whose FSCTL_OFFLOAD_READ failed: the copy engine does not try again */
  readonly offloadTried: Set<string>
  readonly finds: Map<number, FindState>
  nextFindHandle: number
}

const states = new WeakMap<EProcess, Win32ProcessState>()

/** find handles are heap addresses in kernelbase; these never collide with kernel handle values (multiples of 4 from 4) */
const FIRST_FIND_HANDLE = 0x10000001

export function processState(process: EProcess): Win32ProcessState {
  let s = states.get(process)
  if (!s) {
    s = { offloadTried: new Set(), finds: new Map(), nextFindHandle: FIRST_FIND_HANDLE }
    states.set(process, s)
  }
  return s
}
