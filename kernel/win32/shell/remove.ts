// Explorer's delete: to the Recycle Bin (Delete) or permanently (Shift+Delete).
//
// Permanent delete: a file is DeleteFileW (the observed sequence, irp-sequences.md §3.1 [O]; that
// Explorer uses it for Shift+Delete is [I]); a folder is emptied depth-first and removed with
// RemoveDirectoryW. A read-only file is made normal and deleted (unverified: Explorer asks first).
//
// Recycle (irp-sequences.md §5 and §7, [T]):
//  1. the "can it be deleted?" probe: open for delete, FileDispositionInformation TRUE then FALSE,
//     close (winfsp #185; setting shell.recycleProbe; not for folders, which are not empty);
//  2. `X:\$Recycle.Bin` and `X:\$Recycle.Bin\<SID>` made on first use, hidden and system, with the
//     SID folder's desktop.ini;
//  3. the item renamed into `X:\$Recycle.Bin\<SID>\$R<6 chars><ext>` (same volume, same file);
//  4. the `$I<same 6 chars><ext>` metadata file written, version 2: size, deletion time, original
//     path (recyclebinparser.com "$I file format").
// unverified: the order of the `$R` rename and the `$I` write, and the `$I` create's options; no
// capture of a Recycle Bin delete was found.

import type { Co } from '../../ke/index.ts'
import * as nt from '../../io/services/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_OPTIONS as O, FILE_ATTRIBUTE, OBJ_ATTRIBUTES, SHARE_ACCESS as S } from '../../nt/file.ts'
import { NT_SUCCESS, STATUS } from '../../nt/status.ts'
import { CREATION_DISPOSITION as CD, INVALID_HANDLE_VALUE } from '../constants.ts'
import { CloseHandle, CreateFileW } from '../create.ts'
import { DeleteFileW, RemoveDirectoryW } from '../delete.ts'
import { CreateDirectoryW } from '../directory.ts'
import { currentProcess, currentThread, failWith, ntPathOf, setError, type Win32Env } from '../env.ts'
import { ERROR, GetLastError } from '../errors.ts'
import { GetFileAttributesExW, SetFileAttributesW } from '../fileinfo.ts'
import { listDirectory } from '../find.ts'
import { MoveFileExW } from '../move.ts'
import { setInfo } from '../ntinfo.ts'
import { WriteFile } from '../readwrite.ts'
import { failed, isDirectory, probe, shellPrng, shellState, type ShellOutcome } from './context.ts'
import { encodeRecycleInfo, recycleBinDesktopIni } from './formats.ts'
import { baseName, driveOf, join, splitExtension, recycleId } from './names.ts'
import { listTree, type TreeNode } from './transfer.ts'

const HIDDEN_SYSTEM = FILE_ATTRIBUTE.FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE.FILE_ATTRIBUTE_SYSTEM

/** deletes a file or a whole folder, depth-first */
export function* deleteTree(env: Win32Env, path: string, attributes: number): Co<boolean> {
  if (isDirectory(attributes)) {
    const entries = yield* listDirectory(env, path)
    if (!entries) return false
    for (const e of entries) if (!(yield* deleteTree(env, join(path, e.FileName), e.FileAttributes))) return false
    if (attributes & FILE_ATTRIBUTE.FILE_ATTRIBUTE_READONLY) yield* SetFileAttributesW(env, path, FILE_ATTRIBUTE.FILE_ATTRIBUTE_NORMAL)
    return yield* RemoveDirectoryW(env, path)
  }
  if (yield* DeleteFileW(env, path)) return true
  if (!(attributes & FILE_ATTRIBUTE.FILE_ATTRIBUTE_READONLY)) return false
  if (!(yield* SetFileAttributesW(env, path, FILE_ATTRIBUTE.FILE_ATTRIBUTE_NORMAL))) return false
  return yield* DeleteFileW(env, path)
}

/** Shift+Delete */
export function* deleteItems(env: Win32Env, paths: readonly string[]): Co<ShellOutcome> {
  const done: string[] = []
  for (const path of paths) {
    // inferred (§5 Shift+Delete): that Explorer deletes with DeleteFileW, whose sequence is observed
    const attrs = yield* probe(env, path)
    if (attrs === undefined || !(yield* deleteTree(env, path, attrs))) return failed(env, { targets: done, skipped: [] }, path)
    done.push(path)
  }
  return { ok: true, targets: done, skipped: [] }
}

/**
 * the probe before a recycle: can the file be deleted at all?
 * inferred: a third party's file-system log (winfsp #185) shows Create, SetDisposition TRUE and
 * FALSE, Close; the open's access and options are the rename's (ReactOS), not seen
 */
function* deletableProbe(env: Win32Env, path: string): Co<boolean> {
  const name = ntPathOf(path)
  if (name === undefined) {
    setError(env, ERROR.ERROR_PATH_NOT_FOUND)
    return false
  }
  const r = yield* nt.NtOpenFile(env.io, {
    FileName: name,
    DesiredAccess: ACCESS.DELETE | ACCESS.FILE_READ_ATTRIBUTES | ACCESS.SYNCHRONIZE,
    Attributes: OBJ_ATTRIBUTES.OBJ_CASE_INSENSITIVE,
    ShareAccess: S.FILE_SHARE_READ | S.FILE_SHARE_WRITE | S.FILE_SHARE_DELETE,
    OpenOptions: O.FILE_SYNCHRONOUS_IO_NONALERT | O.FILE_OPEN_FOR_BACKUP_INTENT | O.FILE_OPEN_REPARSE_POINT,
  })
  if (r.handle === undefined) {
    failWith(env, r.status)
    return false
  }
  const set = yield* setInfo(env, r.handle, 'FileDispositionInformation', { DeleteFile: true })
  if (NT_SUCCESS(set)) yield* setInfo(env, r.handle, 'FileDispositionInformation', { DeleteFile: false })
  yield* nt.NtClose(env.io, { Handle: r.handle })
  // a read-only file cannot be deleted but can be renamed into the bin (unverified: that Explorer
  // goes on without asking, as Windows 10 does for a read-only file sent to the Recycle Bin)
  if (!NT_SUCCESS(set) && set !== STATUS.STATUS_CANNOT_DELETE) {
    failWith(env, set)
    return false
  }
  return true
}

/** a folder made hidden and system; one another thread made first is as good (it sets the attributes) */
function* makeHiddenFolder(env: Win32Env, path: string): Co<'made' | 'exists' | 'failed'> {
  if (yield* CreateDirectoryW(env, path)) return (yield* SetFileAttributesW(env, path, HIDDEN_SYSTEM)) ? 'made' : 'failed'
  return GetLastError(currentThread(env)) === ERROR.ERROR_ALREADY_EXISTS ? 'exists' : 'failed'
}

/**
 * `X:\$Recycle.Bin\<SID>`, made (hidden, system, with desktop.ini) when missing.
 * inferred (§7 [T], forensics sources): the folders, their attributes and desktop.ini; how
 * Explorer creates them was not seen
 */
function* recycleFolder(env: Win32Env, drive: string): Co<string | undefined> {
  const bin = `${drive}\\$Recycle.Bin`
  const mine = join(bin, currentProcess(env).userSid)
  if ((yield* probe(env, mine)) !== undefined) return mine
  if ((yield* probe(env, bin)) === undefined && (yield* makeHiddenFolder(env, bin)) === 'failed') return undefined
  const made = yield* makeHiddenFolder(env, mine)
  if (made === 'failed') return undefined
  if (made === 'made' && !(yield* writeNewFile(env, join(mine, 'desktop.ini'), recycleBinDesktopIni(), HIDDEN_SYSTEM))) return undefined
  return mine
}

/** a new file with `data` (CREATE_NEW, written, closed) */
function* writeNewFile(env: Win32Env, path: string, data: Uint8Array, attributes: number): Co<boolean> {
  const c = yield* CreateFileW(env, { FileName: path, DesiredAccess: ACCESS.GENERIC_READ | ACCESS.GENERIC_WRITE, ShareMode: 0, CreationDisposition: CD.CREATE_NEW, FlagsAndAttributes: attributes })
  if (c.handle === INVALID_HANDLE_VALUE) return false
  const w = yield* WriteFile(env, { File: c.handle, Buffer: data })
  yield* CloseHandle(env, c.handle)
  return w.ok
}

/** the bytes a recycled item held (a folder: its files together) */
function sizeOf(node: TreeNode, sizes: Map<string, number>): number {
  if (!node.children) return sizes.get(node.path) ?? 0
  return node.children.reduce((a, c) => a + sizeOf(c, sizes), 0)
}

function* treeSizes(env: Win32Env, node: TreeNode, into: Map<string, number>): Co<void> {
  if (!node.children) {
    const a = yield* GetFileAttributesExW(env, node.path)
    if (a) into.set(node.path, a.FileSizeHigh * 0x100000000 + a.FileSizeLow)
    return
  }
  for (const c of node.children) yield* treeSizes(env, c, into)
}

/** Delete: to the Recycle Bin */
export function* recycleItems(env: Win32Env, paths: readonly string[]): Co<ShellOutcome> {
  const targets: string[] = []
  const info: string[] = []
  const items: { original: string; recycled: string; info: string }[] = []
  const prng = shellPrng(env)
  for (const path of paths) {
    const attrs = yield* probe(env, path)
    if (attrs === undefined) return failed(env, { targets, skipped: [], info }, path)
    if (!isDirectory(attrs) && env.settings['shell.recycleProbe'] && !(yield* deletableProbe(env, path))) return failed(env, { targets, skipped: [], info }, path)
    const node = yield* listTree(env, path, attrs)
    if (!node) return failed(env, { targets, skipped: [], info }, path)
    // inferred: the original size for `$I` read with GetFileAttributesExW
    const sizes = new Map<string, number>()
    yield* treeSizes(env, node, sizes)
    const folder = yield* recycleFolder(env, driveOf(path))
    if (!folder) return failed(env, { targets, skipped: [], info }, path)
    const { ext } = splitExtension(baseName(path))
    let id = recycleId(prng)
    while ((yield* probe(env, join(folder, `$R${id}${ext}`))) !== undefined) id = recycleId(prng)
    const recycled = join(folder, `$R${id}${ext}`)
    const infoPath = join(folder, `$I${id}${ext}`)
    // inferred (§7): the rename into the bin ([T] winfsp #185) before the `$I` file is written,
    // and the `$I` create's options (CREATE_NEW, no sharing): neither order nor options were seen
    if (!(yield* MoveFileExW(env, path, recycled, 0))) return failed(env, { targets, skipped: [], info }, path)
    const record = encodeRecycleInfo(path, sizeOf(node, sizes), env.io.ke.systemTime())
    if (!(yield* writeNewFile(env, infoPath, record, FILE_ATTRIBUTE.FILE_ATTRIBUTE_NORMAL))) return failed(env, { targets, skipped: [], info }, path)
    targets.push(recycled)
    info.push(infoPath)
    items.push({ original: path, recycled, info: infoPath })
  }
  if (items.length > 0) shellState(env).history.push({ kind: 'recycle', items })
  return { ok: true, targets, skipped: [], info }
}
