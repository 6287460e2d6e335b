// New ▸ Folder, New ▸ Text Document, and shortcuts (a drop with Alt or Ctrl+Shift).
//
// New items: Explorer probes "New folder", "New folder (2)" … until a name is free (winfsp #51
// [T]; each candidate probed shell.newFolderProbes times), creates it (CreateDirectoryW; for a
// text document an empty file — `.txt` has no ShellNew template data, irp-sequences.md §5 [I]),
// and when the user types a name, renames it (the F2 sequence).
//
// Shortcuts follow the Win10 1709 capture of Explorer writing a .lnk (irp-sequences.md §3.2 [O],
// Tests64bit CSV rows 29698-29721): the link's name probed, the volume root opened for its name
// and volume information (the serial number goes into the link), the target opened for
// attributes with FSCTL_CREATE_OR_GET_OBJECT_ID and the volume's object id (link tracking), the
// target's folder checked (a non-directory open that fails, a reparse-point read, a plain
// open), the target's name queried, the link's name probed twice more, then the .lnk created
// with OverwriteIf, written once, closed. fixtures/realism/explorer-small-file-create.yaml
// measures the sequence against the capture.

import type { Co } from '../../ke/index.ts'
import * as nt from '../../io/services/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_DISPOSITION as D, CREATE_OPTIONS as O, FILE_ATTRIBUTE, OBJ_ATTRIBUTES, SHARE_ACCESS as S } from '../../nt/file.ts'
import { FILE_INFORMATION_CLASS as C, FS_INFORMATION_CLASS as F } from '../../nt/infoclass.ts'
import { FSCTL } from '../../nt/irp.ts'
import { NT_SUCCESS } from '../../nt/status.ts'
import { decodeFileInformation } from '../../rtl/structs/fileinfo.ts'
import { decodeFsInformation } from '../../rtl/structs/fsinfo.ts'
import { CREATION_DISPOSITION as CD, INVALID_HANDLE_VALUE } from '../constants.ts'
import { CloseHandle, CreateFileW } from '../create.ts'
import { CreateDirectoryW } from '../directory.ts'
import { failWith, ntPathOf, type Win32Env } from '../env.ts'
import { WriteFile } from '../readwrite.ts'
import { failed, probe, shellState, type ConflictChoice, type ShellOutcome } from './context.ts'
import { encodeShellLink } from './formats.ts'
import { baseName, driveOf, join, NEW_FOLDER, NEW_TEXT_DOCUMENT, numbered, parentOf, shortcutName } from './names.ts'
import { renameItem } from './transfer.ts'

/** the first free name of a numbered series, each candidate probed */
function* freeName(env: Win32Env, dir: string, name: (n: number) => string, probes: number): Co<string> {
  for (let n = 1; ; n++) {
    const candidate = join(dir, name(n))
    if ((yield* probe(env, candidate, probes)) === undefined) return candidate
  }
}

function* newItem(env: Win32Env, dir: string, folder: boolean, typedName: string | undefined, conflict: ConflictChoice | undefined): Co<ShellOutcome> {
  // inferred (§5 New folder, New ▸ Text Document): the numbered probes are a third party's log
  // (winfsp #51); CreateDirectoryW's open is ReactOS's; the text document's create and the
  // rename when the user types a name were not seen
  const probes = env.settings['shell.newFolderProbes']
  const path = yield* freeName(env, dir, (n) => numbered(folder ? NEW_FOLDER : NEW_TEXT_DOCUMENT, n, folder), probes)
  if (folder) {
    if (!(yield* CreateDirectoryW(env, path))) return failed(env, { targets: [], skipped: [] }, path)
  } else {
    // unverified: the access and sharing of the create (an empty file from ShellNew's NullFile)
    const c = yield* CreateFileW(env, { FileName: path, DesiredAccess: ACCESS.GENERIC_READ | ACCESS.GENERIC_WRITE, ShareMode: S.FILE_SHARE_READ | S.FILE_SHARE_WRITE, CreationDisposition: CD.CREATE_NEW, FlagsAndAttributes: FILE_ATTRIBUTE.FILE_ATTRIBUTE_NORMAL })
    if (c.handle === INVALID_HANDLE_VALUE) return failed(env, { targets: [], skipped: [] }, path)
    yield* CloseHandle(env, c.handle)
  }
  const history = shellState(env).history
  if (typedName === undefined || typedName === baseName(path)) {
    history.push({ kind: 'new', path })
    return { ok: true, targets: [path], skipped: [] }
  }
  // the inline rename as the user types the name; undo then removes the item under its new name
  const r = yield* renameItem(env, path, typedName, conflict)
  if (r.ok && r.targets.length > 0) {
    history.pop()
    history.push({ kind: 'new', path: r.targets[0]! })
  }
  return r.ok ? { ok: true, targets: r.targets.length > 0 ? r.targets : [path], skipped: [] } : r
}

/** New ▸ Folder (and the name the user types, if any) */
export function* newFolder(env: Win32Env, dir: string, name?: string, conflict?: ConflictChoice): Co<ShellOutcome> {
  return yield* newItem(env, dir, true, name, conflict)
}

/** New ▸ Text Document */
export function* newTextDocument(env: Win32Env, dir: string, name?: string, conflict?: ConflictChoice): Co<ShellOutcome> {
  return yield* newItem(env, dir, false, name, conflict)
}

/** the volume serial number and label, read the way the capture shows (root opened, name and volume queried) */
function* volumeOf(env: Win32Env, drive: string): Co<{ serial: number; label: string }> {
  const root = yield* nt.NtCreateFile(env.io, {
    FileName: `\\??\\${drive}\\`,
    DesiredAccess: ACCESS.SYNCHRONIZE,
    Attributes: OBJ_ATTRIBUTES.OBJ_CASE_INSENSITIVE,
    ShareAccess: S.FILE_SHARE_READ | S.FILE_SHARE_WRITE,
    CreateDisposition: D.FILE_OPEN,
    CreateOptions: O.FILE_DIRECTORY_FILE | O.FILE_SYNCHRONOUS_IO_NONALERT,
  })
  if (root.handle === undefined) return { serial: 0, label: '' }
  yield* nt.NtQueryInformationFile(env.io, { FileHandle: root.handle, FileInformationClass: C.FileNameInformation, Length: 1024 })
  const v = yield* nt.NtQueryVolumeInformationFile(env.io, { FileHandle: root.handle, FsInformationClass: F.FileFsVolumeInformation, Length: 1024 })
  yield* nt.NtClose(env.io, { Handle: root.handle })
  if (!NT_SUCCESS(v.status) || !v.buffer) return { serial: 0, label: '' }
  const info = decodeFsInformation('FileFsVolumeInformation', v.buffer)
  return { serial: info.VolumeSerialNumber >>> 0, label: info.VolumeLabel }
}

/**
 * The shell's check of the target's folder, as the capture shows it (rows 29707-29712): an open
 * for Read Attributes with Non-Directory File (IS DIRECTORY), an open with Open Reparse Point and
 * FILE_ATTRIBUTE_NORMAL whose FSCTL_GET_REPARSE_POINT answers NOT REPARSE POINT, and a plain open.
 * inferred: that it resolves junctions and symbolic links on the way to the target (the IRPs
 * are observed; what the shell does with the answers is not).
 */
function* checkFolder(env: Win32Env, folder: string): Co<void> {
  const open = (attributes: number, options: number) =>
    nt.NtCreateFile(env.io, {
      FileName: folder,
      DesiredAccess: ACCESS.FILE_READ_ATTRIBUTES | ACCESS.SYNCHRONIZE,
      Attributes: OBJ_ATTRIBUTES.OBJ_CASE_INSENSITIVE,
      FileAttributes: attributes,
      ShareAccess: S.FILE_SHARE_READ | S.FILE_SHARE_WRITE,
      CreateDisposition: D.FILE_OPEN,
      CreateOptions: O.FILE_SYNCHRONOUS_IO_NONALERT | options,
    })
  const asFile = yield* open(0, O.FILE_NON_DIRECTORY_FILE)
  if (asFile.handle !== undefined) yield* nt.NtClose(env.io, { Handle: asFile.handle })
  const reparse = yield* open(FILE_ATTRIBUTE.FILE_ATTRIBUTE_NORMAL, O.FILE_OPEN_REPARSE_POINT)
  if (reparse.handle !== undefined) {
    yield* nt.NtFsControlFile(env.io, { FileHandle: reparse.handle, FsControlCode: FSCTL.FSCTL_GET_REPARSE_POINT, OutputBufferLength: 16 * 1024 })
    yield* nt.NtClose(env.io, { Handle: reparse.handle })
  }
  const plain = yield* open(0, 0)
  if (plain.handle !== undefined) yield* nt.NtClose(env.io, { Handle: plain.handle })
}

/** a shortcut to `target` in `dir` ("name - Shortcut.lnk") */
export function* createShortcut(env: Win32Env, target: string, dir: string): Co<string | undefined> {
  const lnk = yield* freeName(env, dir, (n) => shortcutName(baseName(target), n), env.settings['shell.destinationProbes'])
  const volume = yield* volumeOf(env, driveOf(target))
  const name = ntPathOf(target)
  if (name === undefined) return undefined
  const t = yield* nt.NtCreateFile(env.io, {
    FileName: name,
    DesiredAccess: ACCESS.FILE_READ_ATTRIBUTES | ACCESS.SYNCHRONIZE,
    Attributes: OBJ_ATTRIBUTES.OBJ_CASE_INSENSITIVE,
    ShareAccess: S.FILE_SHARE_READ | S.FILE_SHARE_WRITE | S.FILE_SHARE_DELETE,
    CreateDisposition: D.FILE_OPEN,
    CreateOptions: O.FILE_SYNCHRONOUS_IO_NONALERT | O.FILE_OPEN_REPARSE_POINT,
  })
  if (t.handle === undefined) {
    failWith(env, t.status)
    return undefined
  }
  const q = yield* nt.NtQueryInformationFile(env.io, { FileHandle: t.handle, FileInformationClass: C.FileNetworkOpenInformation, Length: 56 })
  yield* nt.NtFsControlFile(env.io, { FileHandle: t.handle, FsControlCode: FSCTL.FSCTL_CREATE_OR_GET_OBJECT_ID, OutputBufferLength: 64 })
  // observed (row 29706): the volume's object id, which link tracking stores beside the file's
  yield* nt.NtQueryVolumeInformationFile(env.io, { FileHandle: t.handle, FsInformationClass: F.FileFsObjectIdInformation, Length: 64 })
  const folder = ntPathOf(parentOf(target))
  if (folder !== undefined) yield* checkFolder(env, folder)
  // observed (rows 29713-29715): the target's name twice, then its normalized name, on the open handle
  yield* nt.NtQueryInformationFile(env.io, { FileHandle: t.handle, FileInformationClass: C.FileNameInformation, Length: 1024 })
  yield* nt.NtQueryInformationFile(env.io, { FileHandle: t.handle, FileInformationClass: C.FileNameInformation, Length: 1024 })
  yield* nt.NtQueryInformationFile(env.io, { FileHandle: t.handle, FileInformationClass: C.FileNormalizedNameInformation, Length: 1024 })
  yield* nt.NtClose(env.io, { Handle: t.handle })
  // observed (rows 29717-29718): the link's name probed twice more just before it is created
  yield* probe(env, lnk, 2)
  const open = NT_SUCCESS(q.status) && q.buffer ? decodeFileInformation('FileNetworkOpenInformation', q.buffer) : undefined
  const bytes = encodeShellLink({
    path: target,
    fileAttributes: open?.FileAttributes ?? 0,
    creationTime: open?.CreationTime ?? 0n,
    accessTime: open?.LastAccessTime ?? 0n,
    writeTime: open?.LastWriteTime ?? 0n,
    fileSize: open?.EndOfFile ?? 0,
    volumeSerialNumber: volume.serial,
    volumeLabel: volume.label,
  })
  const c = yield* CreateFileW(env, { FileName: lnk, DesiredAccess: ACCESS.GENERIC_READ | ACCESS.GENERIC_WRITE, ShareMode: S.FILE_SHARE_READ | S.FILE_SHARE_WRITE, CreationDisposition: CD.CREATE_ALWAYS, FlagsAndAttributes: 0 })
  if (c.handle === INVALID_HANDLE_VALUE) return undefined
  const w = yield* WriteFile(env, { File: c.handle, Buffer: bytes })
  yield* CloseHandle(env, c.handle)
  return w.ok ? lnk : undefined
}

/** shortcuts to each of `targets` in `dir` */
export function* createShortcuts(env: Win32Env, targets: readonly string[], dir: string): Co<ShellOutcome> {
  const made: string[] = []
  for (const t of targets) {
    if ((yield* probe(env, t)) === undefined) return failed(env, { targets: made, skipped: [] }, t)
    const lnk = yield* createShortcut(env, t, dir)
    if (!lnk) return failed(env, { targets: made, skipped: [] }, t)
    made.push(lnk)
  }
  if (made.length > 0) shellState(env).history.push({ kind: 'link', created: made })
  return { ok: true, targets: made, skipped: [] }
}
