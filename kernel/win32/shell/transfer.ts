// Explorer's copy and move (IFileOperation CopyItems / MoveItems), over the Win32 layer:
//  - each source's attributes are read, and a folder's whole tree is listed first ("Preparing
//    to copy": totals for the progress dialog, Raymond Chen via ui-anchors.md §3.3);
//  - each destination name is probed (setting shell.destinationProbes; [O-3rd] dokan-dotnet #115,
//    [O] the .lnk creation in the Win10 1709 capture); a name that exists is a conflict the
//    user settles: replace, skip, or keep both as "name (2)" (ui-anchors.md §3.4);
//  - a copy into the source's own folder is named "name - Copy" (Explorer's paste);
//  - files are copied by the copy engine (CopyFile2, COPY_FILE_FAIL_IF_EXISTS unless replacing),
//    folders are created (CreateDirectoryW, then their attributes) and filled recursively;
//  - a move on one volume is a rename (MoveFileExW); across volumes a file is moved by
//    MoveFileEx with MOVEFILE_COPY_ALLOWED (copy, link tracking, delete) and a folder is made on
//    the destination, filled, and removed from the source.
// unverified: Explorer's own calls are not published; these are the kernel32 calls whose IRP
// sequences irp-sequences.md §4–§5 assemble.

import type { Co } from '../../ke/index.ts'
import { FILE_ATTRIBUTE } from '../../nt/file.ts'
import { COPY_FILE, MOVEFILE } from '../constants.ts'
import { CopyFile2 } from '../copy/api.ts'
import { CreateDirectoryW } from '../directory.ts'
import { RemoveDirectoryW } from '../delete.ts'
import { setError, type Win32Env } from '../env.ts'
import { ERROR } from '../errors.ts'
import { SetFileAttributesW } from '../fileinfo.ts'
import { listDirectory } from '../find.ts'
import { MoveFileExW } from '../move.ts'
import { failed, isDirectory, probe, sameText, ShellConflict, shellState, type ConflictChoice, type ShellOutcome } from './context.ts'
import { baseName, copyName, driveOf, join, numbered, parentOf } from './names.ts'

/** a listed tree: a file, or a folder with its children */
export interface TreeNode {
  readonly path: string
  readonly attributes: number
  readonly children?: TreeNode[]
}

/**
 * lists a folder's tree (FindFirstFileEx … FindClose per folder).
 * inferred: the "Preparing to copy" walk is described (Raymond Chen), its IRPs were not captured
 */
export function* listTree(env: Win32Env, path: string, attributes: number): Co<TreeNode | undefined> {
  if (!isDirectory(attributes)) return { path, attributes }
  const entries = yield* listDirectory(env, path)
  if (!entries) return undefined
  const children: TreeNode[] = []
  for (const e of entries) {
    const child = yield* listTree(env, join(path, e.FileName), e.FileAttributes)
    if (!child) return undefined
    children.push(child)
  }
  return { path, attributes, children }
}

/** attributes a new folder takes from its source beyond FILE_ATTRIBUTE_DIRECTORY (CreateDirectoryEx's template) */
const FOLDER_ATTRIBUTES = FILE_ATTRIBUTE.FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE.FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE.FILE_ATTRIBUTE_SYSTEM | FILE_ATTRIBUTE.FILE_ATTRIBUTE_ARCHIVE

/** copies a listed node to `target`; `replace` overwrites files that exist (within a merged folder too) */
function* copyNode(env: Win32Env, node: TreeNode, target: string, replace: boolean): Co<boolean> {
  if (!node.children) {
    const r = yield* CopyFile2(env, node.path, target, { CopyFlags: replace ? 0 : COPY_FILE.COPY_FILE_FAIL_IF_EXISTS })
    return r.hresult === 0
  }
  const exists = replace ? isDirectory(yield* probe(env, target)) : false
  if (!exists) {
    // inferred: a copied folder is CreateDirectoryW, then its attributes (no capture of a folder copy)
    if (!(yield* CreateDirectoryW(env, target))) return false
    const extra = node.attributes & FOLDER_ATTRIBUTES
    if (extra && !(yield* SetFileAttributesW(env, target, extra))) return false
  }
  for (const child of node.children) {
    if (!(yield* copyNode(env, child, join(target, baseName(child.path)), replace))) return false
  }
  return true
}

/** the destination of one source: its own name, "name - Copy" in its own folder, or the conflict's answer */
function* destinationFor(
  env: Win32Env,
  source: string,
  attributes: number,
  destDir: string,
  conflict: ConflictChoice | undefined,
  sameFolderCopy: boolean,
): Co<{ target: string; replace: boolean } | 'skip'> {
  const name = baseName(source)
  const dir = isDirectory(attributes)
  const probes = env.settings['shell.destinationProbes']
  if (sameFolderCopy) {
    for (let n = 1; ; n++) {
      const candidate = join(destDir, copyName(name, n, dir))
      if ((yield* probe(env, candidate, probes)) === undefined) return { target: candidate, replace: false }
    }
  }
  const target = join(destDir, name)
  // observed by a third party (dokan-dotnet #115) and in the .lnk capture: the name probed first;
  // inferred: the number of probes (setting shell.destinationProbes)
  if ((yield* probe(env, target, probes)) === undefined) return { target, replace: false }
  if (conflict === undefined) throw new ShellConflict(target)
  if (conflict === 'skip') return 'skip'
  if (conflict === 'replace') return { target, replace: true }
  for (let n = 2; ; n++) {
    const candidate = join(destDir, numbered(name, n, dir))
    if ((yield* probe(env, candidate, probes)) === undefined) return { target: candidate, replace: false }
  }
}

/** IFileOperation::CopyItems + PerformOperations */
export function* copyItems(env: Win32Env, sources: readonly string[], destDir: string, conflict?: ConflictChoice): Co<ShellOutcome> {
  const targets: string[] = []
  const skipped: string[] = []
  // "Preparing to copy": every source's attributes and tree, before any data moves
  const nodes: TreeNode[] = []
  for (const source of sources) {
    const attrs = yield* probe(env, source)
    if (attrs === undefined) return failed(env, { targets, skipped }, source)
    const node = yield* listTree(env, source, attrs)
    if (!node) return failed(env, { targets, skipped }, source)
    nodes.push(node)
  }
  for (const node of nodes) {
    const d = yield* destinationFor(env, node.path, node.attributes, destDir, conflict, sameText(parentOf(node.path), destDir.replace(/\\$/, '')) || sameText(parentOf(node.path), destDir))
    if (d === 'skip') {
      skipped.push(node.path)
      continue
    }
    if (isDirectory(node.attributes) && isInside(d.target, node.path)) {
      setError(env, ERROR.ERROR_INVALID_PARAMETER)
      return failed(env, { targets, skipped }, node.path)
    }
    if (!(yield* copyNode(env, node, d.target, d.replace))) return failed(env, { targets, skipped }, node.path)
    targets.push(d.target)
  }
  if (targets.length > 0) shellState(env).history.push({ kind: 'copy', created: targets })
  return { ok: true, targets, skipped }
}

/** `inner` is `outer` or below it */
function isInside(inner: string, outer: string): boolean {
  const a = inner.toLowerCase()
  const b = outer.toLowerCase().replace(/\\$/, '')
  return a === b || a.startsWith(`${b}\\`)
}

/** moves a file or folder to `target` (which does not exist, or is replaced/merged with `replace`) */
export function* moveNode(env: Win32Env, source: string, attributes: number, target: string, replace: boolean): Co<boolean> {
  const sameVolume = driveOf(source) === driveOf(target)
  if (!isDirectory(attributes)) {
    const flags = (replace ? MOVEFILE.MOVEFILE_REPLACE_EXISTING : 0) | (sameVolume ? 0 : MOVEFILE.MOVEFILE_COPY_ALLOWED)
    return yield* MoveFileExW(env, source, target, flags)
  }
  const targetIsFolder = replace ? isDirectory(yield* probe(env, target)) : false
  if (sameVolume && !targetIsFolder) return yield* MoveFileExW(env, source, target, replace ? MOVEFILE.MOVEFILE_REPLACE_EXISTING : 0)
  // a folder across volumes, or merged into an existing one: its children one by one, then the folder
  // inferred (irp-sequences.md §5 "Move, cross volume" is for files): made, filled, removed
  if (!targetIsFolder) {
    if (!(yield* CreateDirectoryW(env, target))) return false
    const extra = attributes & FOLDER_ATTRIBUTES
    if (extra && !(yield* SetFileAttributesW(env, target, extra))) return false
  }
  const entries = yield* listDirectory(env, source)
  if (!entries) return false
  for (const e of entries) {
    const childTarget = join(target, e.FileName)
    const exists = replace ? (yield* probe(env, childTarget)) !== undefined : false
    if (!(yield* moveNode(env, join(source, e.FileName), e.FileAttributes, childTarget, exists))) return false
  }
  return yield* RemoveDirectoryW(env, source)
}

/** IFileOperation::MoveItems + PerformOperations */
export function* moveItems(env: Win32Env, sources: readonly string[], destDir: string, conflict?: ConflictChoice): Co<ShellOutcome> {
  const targets: string[] = []
  const skipped: string[] = []
  const moves: { from: string; to: string }[] = []
  const infos: { path: string; attrs: number }[] = []
  for (const source of sources) {
    const attrs = yield* probe(env, source)
    if (attrs === undefined) return failed(env, { targets, skipped }, source)
    infos.push({ path: source, attrs })
  }
  for (const { path, attrs } of infos) {
    // a move onto the item's own folder does nothing
    if (sameText(parentOf(path), destDir.replace(/\\$/, '')) || sameText(parentOf(path), destDir)) {
      skipped.push(path)
      continue
    }
    if (isDirectory(attrs) && isInside(destDir, path)) {
      setError(env, ERROR.ERROR_INVALID_PARAMETER)
      return failed(env, { targets, skipped }, path)
    }
    const d = yield* destinationFor(env, path, attrs, destDir, conflict, false)
    if (d === 'skip') {
      skipped.push(path)
      continue
    }
    // a move on one volume is the rename sequence (§5 "Move, same volume" [R]/[D]); inferred that
    // Explorer's IFileOperation ends in MoveFileEx
    if (!(yield* moveNode(env, path, attrs, d.target, d.replace))) return failed(env, { targets, skipped }, path)
    targets.push(d.target)
    moves.push({ from: path, to: d.target })
  }
  if (moves.length > 0) shellState(env).history.push({ kind: 'move', moves })
  return { ok: true, targets, skipped }
}

/** F2: a new name in the same folder (IFileOperation::RenameItem) */
export function* renameItem(env: Win32Env, path: string, newName: string, conflict?: ConflictChoice): Co<ShellOutcome> {
  // inferred (§5 "Rename in place"): Explorer's probes of the item and of the new name before the
  // rename; the rename itself (open for delete, attribute tag, SL_OPEN_TARGET_DIRECTORY,
  // FileRenameInformation) is ReactOS's MoveFileWithProgressW and the documented target-directory open
  const attrs = yield* probe(env, path)
  if (attrs === undefined) return failed(env, { targets: [], skipped: [] }, path)
  const dir = parentOf(path)
  let target = join(dir, newName)
  let replace = false
  // a change of case only is a rename of the same name
  if (!sameText(target, path) && (yield* probe(env, target, env.settings['shell.destinationProbes'])) !== undefined) {
    if (conflict === undefined) throw new ShellConflict(target)
    if (conflict === 'skip') return { ok: true, targets: [], skipped: [path] }
    if (conflict === 'replace') replace = true
    else {
      for (let n = 2; ; n++) {
        target = join(dir, numbered(newName, n, isDirectory(attrs)))
        if ((yield* probe(env, target)) === undefined) break
      }
    }
  }
  if (!(yield* MoveFileExW(env, path, target, replace ? MOVEFILE.MOVEFILE_REPLACE_EXISTING : 0))) return failed(env, { targets: [], skipped: [] }, path)
  shellState(env).history.push({ kind: 'move', moves: [{ from: path, to: target }] })
  return { ok: true, targets: [target], skipped: [] }
}
