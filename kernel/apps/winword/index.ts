// winword.exe: opening a document (probes, the document kept open against writers, its data
// read, the hidden owner file ~$name created) and saving it the way Word does: the new content
// goes to a temporary file, the original is renamed to a backup temporary name, the temporary
// file is renamed to the document's name, and the backup is deleted.
// [D] Microsoft support, "Description of how Word creates temporary files" (~WRD####.tmp for
// the new document, ~WRL####.tmp for the renamed original, the owner file ~$); [T] dokany PR
// #186 (Word relies on SetEndOfFile giving EndOfFile then Allocation).
// inferred: the number of attribute probes, the access and share of each open, the read
// pattern (the end of the package, then from the start) and the release of the document's
// handle around the renames are not in a public capture.

import type { Co } from '../../ke/index.ts'
import type { EProcess } from '../../ob/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { FILE_ATTRIBUTE, SHARE_ACCESS } from '../../nt/file.ts'
import * as w32 from '../../win32/index.ts'
import type { AppArgs } from '../args.ts'
import { failedIn, failWin32 } from '../calls.ts'
import type { AppContext, AppOutcome, AppProfile } from '../registry.ts'
import { settingFlag, settingNumber } from '../settings.ts'
import { ownerFileContent, ownerFileName } from './owner.ts'

const { GENERIC_READ, GENERIC_WRITE } = ACCESS
const { FILE_SHARE_READ, FILE_SHARE_WRITE, FILE_SHARE_DELETE } = SHARE_ACCESS
const CD = w32.CREATION_DISPOSITION
/** the user named in owner files (the captures' account) */
const USER_NAME = 'test'
/** how much of the end Word reads first (the zip end record and central directory of a .docx) */
// inferred: a package is opened at its central directory, at the end of the file
const TAIL_BYTES = 4096
/** ~WRD0000.tmp … ~WRDFFFF.tmp */
const MAX_TEMP_NUMBER = 0xffff

interface OpenDocument {
  handle: number
  readOnly: boolean
  owner?: { path: string; handle: number }
}

const documents = new WeakMap<EProcess, Map<string, OpenDocument>>()

function docsOf(process: EProcess): Map<string, OpenDocument> {
  let m = documents.get(process)
  if (!m) documents.set(process, (m = new Map()))
  return m
}

function folderOf(path: string): string {
  return path.slice(0, path.lastIndexOf('\\') + 1)
}

/** the first free `~WRD0000.tmp`-style name in the document's folder (probed with GetFileAttributesW) */
function* freeTempName(ctx: AppContext, folder: string, prefix: string, from: number): Co<string | undefined> {
  for (let n = from; n <= MAX_TEMP_NUMBER; n++) {
    const name = `${folder}${prefix}${n.toString(16).toUpperCase().padStart(4, '0')}.tmp`
    if ((yield* w32.GetFileAttributesW(ctx.env, name)) === w32.INVALID_FILE_ATTRIBUTES) return name
  }
  return undefined
}

function* readAll(ctx: AppContext, handle: number): Co<number | undefined> {
  const chunk = settingNumber(ctx.settings, 'app.word.ioChunk')
  const size = yield* w32.GetFileSizeEx(ctx.env, handle)
  if (!size.ok) return undefined
  const total = size.size
  if (total > TAIL_BYTES) {
    const tail = yield* w32.ReadFile(ctx.env, { File: handle, NumberOfBytesToRead: TAIL_BYTES, Offset: total - TAIL_BYTES })
    if (!tail.ok) return undefined
  }
  for (let offset = 0; offset < total; offset += chunk) {
    const r = yield* w32.ReadFile(ctx.env, { File: handle, NumberOfBytesToRead: Math.min(chunk, total - offset), Offset: offset })
    if (!r.ok) return undefined
  }
  return total
}

function* open(ctx: AppContext, args: AppArgs): Co<AppOutcome> {
  const path = args.path('path')
  const docs = docsOf(ctx.process)
  if (docs.has(path.toLowerCase())) return { ok: true, output: { AlreadyOpen: true } }
  for (let i = 0; i < settingNumber(ctx.settings, 'app.word.probes'); i++) {
    if (!(yield* w32.GetFileAttributesExW(ctx.env, path))) return failedIn(`GetFileAttributesExW ${path}`)
  }
  // a first look at the file (its type), closed again
  const probe = yield* w32.CreateFileW(ctx.env, { FileName: path, DesiredAccess: GENERIC_READ, ShareMode: FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, CreationDisposition: CD.OPEN_EXISTING, FlagsAndAttributes: 0 })
  if (probe.handle === w32.INVALID_HANDLE_VALUE) return failedIn(`CreateFileW ${path}`)
  yield* w32.ReadFile(ctx.env, { File: probe.handle, NumberOfBytesToRead: 512, Offset: 0 })
  yield* w32.CloseHandle(ctx.env, probe.handle)
  // the document stays open for reading and writing, others may only read it
  let readOnly = false
  let doc = yield* w32.CreateFileW(ctx.env, { FileName: path, DesiredAccess: GENERIC_READ | GENERIC_WRITE, ShareMode: FILE_SHARE_READ, CreationDisposition: CD.OPEN_EXISTING, FlagsAndAttributes: 0 })
  if (doc.handle === w32.INVALID_HANDLE_VALUE) {
    // someone else has it (or it is read-only): Word opens it read-only
    readOnly = true
    doc = yield* w32.CreateFileW(ctx.env, { FileName: path, DesiredAccess: GENERIC_READ, ShareMode: FILE_SHARE_READ | FILE_SHARE_WRITE, CreationDisposition: CD.OPEN_EXISTING, FlagsAndAttributes: 0 })
    if (doc.handle === w32.INVALID_HANDLE_VALUE) return failedIn(`CreateFileW ${path}`)
  }
  const size = yield* readAll(ctx, doc.handle)
  if (size === undefined) {
    yield* w32.CloseHandle(ctx.env, doc.handle)
    return failedIn(`ReadFile ${path}`)
  }
  const entry: OpenDocument = { handle: doc.handle, readOnly }
  if (!readOnly && settingFlag(ctx.settings, 'app.word.ownerFile')) {
    const ownerPath = ownerFileName(path)
    const o = yield* w32.CreateFileW(ctx.env, { FileName: ownerPath, DesiredAccess: GENERIC_WRITE, ShareMode: FILE_SHARE_READ | FILE_SHARE_DELETE, CreationDisposition: CD.CREATE_ALWAYS, FlagsAndAttributes: FILE_ATTRIBUTE.FILE_ATTRIBUTE_HIDDEN })
    if (o.handle !== w32.INVALID_HANDLE_VALUE) {
      yield* w32.WriteFile(ctx.env, { File: o.handle, Buffer: ownerFileContent(USER_NAME) })
      entry.owner = { path: ownerPath, handle: o.handle }
    }
  }
  docs.set(path.toLowerCase(), entry)
  return { ok: true, output: { Size: size, ReadOnly: readOnly, OwnerFile: entry.owner?.path ?? '' } }
}

function* closeDocument(ctx: AppContext, path: string): Co<boolean> {
  const docs = docsOf(ctx.process)
  const doc = docs.get(path.toLowerCase())
  if (!doc) return false
  docs.delete(path.toLowerCase())
  yield* w32.CloseHandle(ctx.env, doc.handle)
  if (doc.owner) {
    yield* w32.CloseHandle(ctx.env, doc.owner.handle)
    yield* w32.DeleteFileW(ctx.env, doc.owner.path)
  }
  return true
}

function* save(ctx: AppContext, args: AppArgs): Co<AppOutcome> {
  const path = args.path('path')
  const data = args.data('content')
  const folder = folderOf(path)
  const doc = docsOf(ctx.process).get(path.toLowerCase())
  // Word offers Save As for a document it could only open read-only
  if (doc?.readOnly) return failWin32(ctx, 'ERROR_ACCESS_DENIED', `save ${path} (opened read-only)`)
  const temp = yield* freeTempName(ctx, folder, '~WRD', 0)
  if (!temp) return failedIn(`GetFileAttributesW ${folder}~WRD*.tmp`)
  // the new document, written whole to the temporary file
  const t = yield* w32.CreateFileW(ctx.env, { FileName: temp, DesiredAccess: GENERIC_READ | GENERIC_WRITE, ShareMode: 0, CreationDisposition: CD.CREATE_NEW, FlagsAndAttributes: FILE_ATTRIBUTE.FILE_ATTRIBUTE_HIDDEN })
  if (t.handle === w32.INVALID_HANDLE_VALUE) return failedIn(`CreateFileW ${temp}`)
  try {
    const chunk = settingNumber(ctx.settings, 'app.word.ioChunk')
    for (let offset = 0; offset < data.length; offset += chunk) {
      const w = yield* w32.WriteFile(ctx.env, { File: t.handle, Buffer: data.subarray(offset, Math.min(data.length, offset + chunk)) })
      if (!w.ok) return failedIn(`WriteFile ${temp}`)
    }
    if (!(yield* w32.SetEndOfFile(ctx.env, t.handle))) return failedIn(`SetEndOfFile ${temp}`)
    if (!(yield* w32.FlushFileBuffers(ctx.env, t.handle))) return failedIn(`FlushFileBuffers ${temp}`)
  } finally {
    yield* w32.CloseHandle(ctx.env, t.handle)
  }
  // the document's own handle is let go for the renames (inferred), and taken again after
  if (doc) yield* w32.CloseHandle(ctx.env, doc.handle)
  const exists = (yield* w32.GetFileAttributesW(ctx.env, path)) !== w32.INVALID_FILE_ATTRIBUTES
  let backup = ''
  if (exists) {
    const b = yield* freeTempName(ctx, folder, '~WRL', 1)
    if (!b) return failedIn(`GetFileAttributesW ${folder}~WRL*.tmp`)
    backup = b
    if (!(yield* w32.MoveFileExW(ctx.env, path, backup, 0))) return failedIn(`MoveFileExW ${path} → ${backup}`)
  }
  if (!(yield* w32.MoveFileExW(ctx.env, temp, path, 0))) return failedIn(`MoveFileExW ${temp} → ${path}`)
  // the saved document is not hidden (the temporary file was)
  yield* w32.SetFileAttributesW(ctx.env, path, FILE_ATTRIBUTE.FILE_ATTRIBUTE_ARCHIVE)
  if (backup && !(yield* w32.DeleteFileW(ctx.env, backup))) return failedIn(`DeleteFileW ${backup}`)
  if (doc) {
    const again = yield* w32.CreateFileW(ctx.env, { FileName: path, DesiredAccess: GENERIC_READ | GENERIC_WRITE, ShareMode: FILE_SHARE_READ, CreationDisposition: CD.OPEN_EXISTING, FlagsAndAttributes: 0 })
    if (again.handle === w32.INVALID_HANDLE_VALUE) {
      docsOf(ctx.process).delete(path.toLowerCase())
      return failedIn(`CreateFileW ${path}`)
    }
    doc.handle = again.handle
  }
  return { ok: true, output: { BytesWritten: data.length, Temporary: temp, Backup: backup } }
}

function* close(ctx: AppContext, args: AppArgs): Co<AppOutcome> {
  const path = args.path('path')
  if (!(yield* closeDocument(ctx, path))) return { ok: true, output: { WasOpen: false } }
  return { ok: true, output: { WasOpen: true } }
}

export const winword: AppProfile = {
  image: 'winword.exe',
  description: 'Microsoft Word: opens a document (kept open, owner file ~$name), saves through a temporary file and two renames.',
  actions: {
    open: { params: ['path'], summary: 'File > Open: probes, the document kept open for writing, its data read, the owner file made', run: open },
    save: { params: ['path', 'content'], summary: 'File > Save: ~WRD####.tmp written, the original renamed to ~WRL####.tmp, the temporary file renamed, the backup deleted', run: save },
    close: { params: ['path'], summary: 'File > Close: the document let go, the owner file deleted', run: close },
  },
}
