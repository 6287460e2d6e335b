// FindFirstFileW, FindFirstFileExW, FindNextFileW, FindClose. The directory is opened for
// listing, then NtQueryDirectoryFile reads a buffer of entries matching the mask (translated by
// win32MaskToNtExpression, as kernelbase translates it), restarting the scan the first time;
// FindNextFileW hands out the buffered entries and reads more when they run out. FindExInfoBasic
// asks for FileFullDirectoryInformation (no short names), the standard level for
// FileBothDirectoryInformation (ReactOS kernel32 file/find.c; Wine kernelbase FindFirstFileExW).

import type { Co } from '../ke/index.ts'
import * as nt from '../io/services/index.ts'
import { ACCESS } from '../nt/access.ts'
import { CREATE_OPTIONS as O, FILE_ATTRIBUTE, OBJ_ATTRIBUTES, SHARE_ACCESS as S } from '../nt/file.ts'
import { FILE_INFORMATION_CLASS as C } from '../nt/infoclass.ts'
import { NT_SUCCESS, STATUS } from '../nt/status.ts'
import { decodeDirEntries } from '../rtl/structs/dirinfo.ts'
import { win32MaskToNtExpression } from '../rtl/unicode.ts'
import { FIND_FIRST_EX, FINDEX_INFO_LEVELS, FINDEX_SEARCH_OPS, INVALID_HANDLE_VALUE } from './constants.ts'
import { ERROR } from './errors.ts'
import { currentProcess, failWith, ntPathOf, processState, setError, type FindEntry, type FindState, type Win32Env } from './env.ts'

/** unverified: the buffer kernelbase passes (ReactOS uses 16 KiB; FIND_FIRST_EX_LARGE_FETCH asks for a larger one) */
const FIND_BUFFER = 16 * 1024
const FIND_BUFFER_LARGE = 64 * 1024

export interface FindFirstFileExArgs {
  FileName: string
  InfoLevelId?: number
  SearchOp?: number
  AdditionalFlags?: number
}

export interface FindResult {
  /** the find handle, or INVALID_HANDLE_VALUE */
  handle: number
  data?: FindEntry
}

/** splits `C:\dir\*.txt` into the directory's NT name and the mask */
function splitPattern(fileName: string): { directory: string; mask: string } | undefined {
  const p = fileName.replace(/\//g, '\\')
  const i = p.lastIndexOf('\\')
  if (i < 0) return undefined
  const dirPart = p.slice(0, i + 1)
  // the directory without its trailing separator, except a drive's root (`C:\`)
  const isRoot = /^[A-Za-z]:\\$/.test(dirPart) || /^\\\?\?\\[A-Za-z]:\\$/.test(dirPart)
  const directory = ntPathOf(isRoot ? dirPart : dirPart.slice(0, -1))
  if (directory === undefined) return undefined
  return { directory, mask: p.slice(i + 1) }
}

function toFindEntry(e: ReturnType<typeof decodeDirEntries>[number]): FindEntry {
  const size = e.EndOfFile ?? 0
  const attrs = e.FileAttributes ?? 0
  return {
    FileAttributes: attrs,
    CreationTime: e.CreationTime ?? 0n,
    LastAccessTime: e.LastAccessTime ?? 0n,
    LastWriteTime: e.LastWriteTime ?? 0n,
    FileSizeHigh: Math.floor(size / 0x100000000),
    FileSizeLow: size >>> 0,
    // WIN32_FIND_DATA.dwReserved0: the reparse tag, which the directory entry gives in EaSize
    Reserved0: attrs & FILE_ATTRIBUTE.FILE_ATTRIBUTE_REPARSE_POINT ? (e.EaSize ?? 0) : 0,
    FileName: e.FileName,
    AlternateFileName: e.ShortName ?? '',
  }
}

/** one NtQueryDirectoryFile into the search's buffer; the status it returned */
function* fill(env: Win32Env, s: FindState, restart: boolean, large: boolean): Co<number> {
  const cls = s.infoClass
  const r = yield* nt.NtQueryDirectoryFile(env.io, {
    FileHandle: s.directoryHandle,
    FileInformationClass: cls,
    Length: large ? FIND_BUFFER_LARGE : FIND_BUFFER,
    FileName: restart ? s.pattern : undefined,
    RestartScan: restart,
    ReturnSingleEntry: false,
  })
  if (NT_SUCCESS(r.status) && r.buffer && r.buffer.length > 0) {
    const name = cls === C.FileFullDirectoryInformation ? 'FileFullDirectoryInformation' : 'FileBothDirectoryInformation'
    for (const e of decodeDirEntries(name, r.buffer)) s.pending.push(toFindEntry(e))
  }
  if (r.status === STATUS.STATUS_NO_MORE_FILES || r.status === STATUS.STATUS_NO_SUCH_FILE) s.exhausted = true
  return r.status
}

/** FindFirstFileExW */
export function* FindFirstFileExW(env: Win32Env, a: FindFirstFileExArgs): Co<FindResult> {
  const level = a.InfoLevelId ?? FINDEX_INFO_LEVELS.FindExInfoStandard
  const op = a.SearchOp ?? FINDEX_SEARCH_OPS.FindExSearchNameMatch
  const flags = a.AdditionalFlags ?? 0
  if ((level !== FINDEX_INFO_LEVELS.FindExInfoStandard && level !== FINDEX_INFO_LEVELS.FindExInfoBasic) || op > FINDEX_SEARCH_OPS.FindExSearchLimitToDirectories || flags & ~0x7) {
    setError(env, ERROR.ERROR_INVALID_PARAMETER)
    return { handle: INVALID_HANDLE_VALUE }
  }
  const parts = splitPattern(a.FileName)
  if (!parts) {
    setError(env, ERROR.ERROR_PATH_NOT_FOUND)
    return { handle: INVALID_HANDLE_VALUE }
  }
  // a name ending in a separator has no mask: nothing can match
  if (parts.mask === '') {
    setError(env, ERROR.ERROR_FILE_NOT_FOUND)
    return { handle: INVALID_HANDLE_VALUE }
  }
  // observed (Notepad's FindFirstFileW in the Windows 7 and Windows 10 1709 captures,
  // irp-sequences.md §3.3): Read Data/List Directory, Synchronize; Options: Directory,
  // Synchronous IO Non-Alert (no backup intent); ShareMode: Read, Write, Delete
  const open = yield* nt.NtOpenFile(env.io, {
    FileName: parts.directory,
    DesiredAccess: ACCESS.FILE_LIST_DIRECTORY | ACCESS.SYNCHRONIZE,
    Attributes: flags & FIND_FIRST_EX.FIND_FIRST_EX_CASE_SENSITIVE ? 0 : OBJ_ATTRIBUTES.OBJ_CASE_INSENSITIVE,
    ShareAccess: S.FILE_SHARE_READ | S.FILE_SHARE_WRITE | S.FILE_SHARE_DELETE,
    OpenOptions: O.FILE_DIRECTORY_FILE | O.FILE_SYNCHRONOUS_IO_NONALERT,
  })
  if (open.handle === undefined) {
    failWith(env, open.status)
    // the directory part is missing: a path, not a file, was not found
    if (open.status === STATUS.STATUS_OBJECT_NAME_NOT_FOUND) setError(env, ERROR.ERROR_PATH_NOT_FOUND)
    return { handle: INVALID_HANDLE_VALUE }
  }
  const state: FindState = {
    directoryHandle: open.handle,
    pattern: win32MaskToNtExpression(parts.mask),
    infoClass: level === FINDEX_INFO_LEVELS.FindExInfoBasic ? C.FileFullDirectoryInformation : C.FileBothDirectoryInformation,
    limitToDirectories: op === FINDEX_SEARCH_OPS.FindExSearchLimitToDirectories,
    pending: [],
    exhausted: false,
  }
  const st = yield* fill(env, state, true, (flags & FIND_FIRST_EX.FIND_FIRST_EX_LARGE_FETCH) !== 0)
  const first = state.pending.shift()
  if (!first) {
    yield* nt.NtClose(env.io, { Handle: open.handle })
    if (st === STATUS.STATUS_NO_MORE_FILES || st === STATUS.STATUS_NO_SUCH_FILE || NT_SUCCESS(st)) setError(env, ERROR.ERROR_FILE_NOT_FOUND)
    else failWith(env, st)
    return { handle: INVALID_HANDLE_VALUE }
  }
  const ps = processState(currentProcess(env))
  const handle = ps.nextFindHandle
  ps.nextFindHandle += 8
  ps.finds.set(handle, state)
  setError(env, ERROR.ERROR_SUCCESS)
  return { handle, data: first }
}

/** FindFirstFileW: FindFirstFileExW at the standard level */
export function* FindFirstFileW(env: Win32Env, fileName: string): Co<FindResult> {
  return yield* FindFirstFileExW(env, { FileName: fileName })
}

/** FindNextFileW */
export function* FindNextFileW(env: Win32Env, findHandle: number): Co<FindEntry | undefined> {
  const s = processState(currentProcess(env)).finds.get(findHandle)
  if (!s) {
    setError(env, ERROR.ERROR_INVALID_HANDLE)
    return undefined
  }
  if (s.pending.length === 0 && !s.exhausted) {
    const st = yield* fill(env, s, false, false)
    if (!NT_SUCCESS(st) && st !== STATUS.STATUS_NO_MORE_FILES) {
      failWith(env, st)
      return undefined
    }
  }
  const next = s.pending.shift()
  if (!next) {
    setError(env, ERROR.ERROR_NO_MORE_FILES)
    return undefined
  }
  return next
}

/** FindClose */
export function* FindClose(env: Win32Env, findHandle: number): Co<boolean> {
  const ps = processState(currentProcess(env))
  const s = ps.finds.get(findHandle)
  if (!s) {
    setError(env, ERROR.ERROR_INVALID_HANDLE)
    return false
  }
  ps.finds.delete(findHandle)
  yield* nt.NtClose(env.io, { Handle: s.directoryHandle })
  return true
}

/** every entry of a directory matching `mask` (FindFirstFileExW … FindClose), "." and ".." left out */
export function* listDirectory(env: Win32Env, directory: string, mask = '*'): Co<FindEntry[] | undefined> {
  const first = yield* FindFirstFileExW(env, { FileName: `${directory.replace(/\\$/, '')}\\${mask}`, InfoLevelId: FINDEX_INFO_LEVELS.FindExInfoBasic, AdditionalFlags: FIND_FIRST_EX.FIND_FIRST_EX_LARGE_FETCH })
  if (first.handle === INVALID_HANDLE_VALUE || !first.data) return undefined
  const out: FindEntry[] = [first.data]
  for (;;) {
    const e = yield* FindNextFileW(env, first.handle)
    if (!e) break
    out.push(e)
  }
  yield* FindClose(env, first.handle)
  return out.filter((e) => e.FileName !== '.' && e.FileName !== '..')
}
