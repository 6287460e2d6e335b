// 7-Zip (7zFM.exe, the file manager; 7z.exe, the console) and WinRAR (WinRAR.exe) opening and
// extracting a ZIP archive. An archive is opened more than once with different access and
// sharing, its start is read (the format's signature), then its end (the end of central
// directory record, within the last 64 KiB + 22 bytes), then the central directory; extraction
// creates each file, writes its data, sets its last-write time from the archive and closes it.
// [S] PKWARE APPNOTE 4.3.16 (where the end record is); 7-Zip's source (CPP/Windows/FileIO.cpp:
// CInFile opens with FILE_SHARE_READ, CPP/7zip/UI/Common/ArchiveExtractCallback.cpp: the output
// file is created, written, SetFileTime with only the modification time, closed).
// inferred: the number of opens, their sharing, and the sizes of the reads of each program are
// not in a public capture; they are listed per program below and the tail size is a setting
// (app.archiver.tailBytes). Only stored (uncompressed) entries can be extracted.

import type { Co } from '../../ke/index.ts'
import * as nt from '../../io/services/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { FILE_ATTRIBUTE, SHARE_ACCESS } from '../../nt/file.ts'
import { FILE_INFORMATION_CLASS as C } from '../../nt/infoclass.ts'
import { NT_SUCCESS } from '../../nt/status.ts'
import * as w32 from '../../win32/index.ts'
import type { AppArgs } from '../args.ts'
import { failedIn, failNt, failWin32 } from '../calls.ts'
import type { AppContext, AppOutcome, AppProfile } from '../registry.ts'
import { settingNumber } from '../settings.ts'
import { dataOffset, dosTimeToFileTime, EOCD_BYTES, findEndRecord, LOCAL_HEADER_BYTES, parseCentralDirectory, ZipFormatError, type ZipEntry } from './zip.ts'

const { GENERIC_READ, GENERIC_WRITE } = ACCESS
const { FILE_SHARE_READ, FILE_SHARE_WRITE } = SHARE_ACCESS
const CD = w32.CREATION_DISPOSITION

/** How one program opens an archive. */
interface ArchiverStyle {
  /** attribute probes before the first open (GetFileAttributesExW) */
  readonly probes: number
  /** a first open that reads only the start (format detection), closed before the real open */
  readonly detectOpen?: { readonly share: number; readonly headBytes: number }
  /** the open that lists the archive */
  readonly listShare: number
  /** bytes read from the start in the listing open, before the end */
  readonly headBytes: number
  /** bytes per write of extracted data */
  readonly writeChunk: number
  /** the destination file's sharing while it is written */
  readonly outputShare: number
}

// inferred: 7-Zip's CInFile::Open shares read only; the file manager probes the item first
const SEVEN_ZIP: ArchiverStyle = { probes: 1, listShare: FILE_SHARE_READ, headBytes: 4096, writeChunk: 1 << 20, outputShare: 0 }
// inferred: WinRAR detects the format in a first open, then lists in a second, sharing write too
const WINRAR: ArchiverStyle = { probes: 1, detectOpen: { share: FILE_SHARE_READ | FILE_SHARE_WRITE, headBytes: 8192 }, listShare: FILE_SHARE_READ | FILE_SHARE_WRITE, headBytes: 8192, writeChunk: 1 << 20, outputShare: FILE_SHARE_READ }

interface OpenedArchive {
  readonly handle: number
  readonly size: number
  readonly entries: ZipEntry[]
}

function* read(ctx: AppContext, handle: number, offset: number, length: number): Co<Uint8Array | undefined> {
  const r = yield* w32.ReadFile(ctx.env, { File: handle, NumberOfBytesToRead: length, Offset: offset })
  return r.ok ? r.data : undefined
}

/** opens and lists `path`; the handle stays open for extraction (the caller closes it) */
function* openArchive(ctx: AppContext, style: ArchiverStyle, path: string): Co<OpenedArchive | AppOutcome> {
  for (let i = 0; i < style.probes; i++) if (!(yield* w32.GetFileAttributesExW(ctx.env, path))) return failedIn(`GetFileAttributesExW ${path}`)
  if (style.detectOpen) {
    const d = yield* w32.CreateFileW(ctx.env, { FileName: path, DesiredAccess: GENERIC_READ, ShareMode: style.detectOpen.share, CreationDisposition: CD.OPEN_EXISTING, FlagsAndAttributes: 0 })
    if (d.handle === w32.INVALID_HANDLE_VALUE) return failedIn(`CreateFileW ${path}`)
    yield* read(ctx, d.handle, 0, style.detectOpen.headBytes)
    yield* w32.CloseHandle(ctx.env, d.handle)
  }
  const o = yield* w32.CreateFileW(ctx.env, { FileName: path, DesiredAccess: GENERIC_READ, ShareMode: style.listShare, CreationDisposition: CD.OPEN_EXISTING, FlagsAndAttributes: 0 })
  if (o.handle === w32.INVALID_HANDLE_VALUE) return failedIn(`CreateFileW ${path}`)
  const h = o.handle
  const fail = function* (outcome: AppOutcome): Co<AppOutcome> {
    yield* w32.CloseHandle(ctx.env, h)
    return outcome
  }
  const sizeQ = yield* w32.GetFileSizeEx(ctx.env, h)
  if (!sizeQ.ok) return yield* fail(failedIn(`GetFileSizeEx ${path}`))
  const size = sizeQ.size
  if (size > 0) yield* read(ctx, h, 0, Math.min(size, style.headBytes))
  const tailBytes = Math.min(size, settingNumber(ctx.settings, 'app.archiver.tailBytes') + EOCD_BYTES)
  const tail = yield* read(ctx, h, size - tailBytes, tailBytes)
  if (!tail) return yield* fail(failedIn(`ReadFile ${path}`))
  const end = findEndRecord(tail)
  if (!end) return yield* fail(failWin32(ctx, 'ERROR_INVALID_DATA', `${path}: no ZIP end of central directory record in its last ${tailBytes} bytes (can not open the file as an archive)`))
  const dir = yield* read(ctx, h, end.directoryOffset, end.directorySize)
  if (!dir || dir.length < end.directorySize) return yield* fail(failWin32(ctx, 'ERROR_INVALID_DATA', `${path}: the central directory (offset ${end.directoryOffset}, ${end.directorySize} bytes) is past the end of the file`))
  try {
    return { handle: h, size, entries: parseCentralDirectory(dir, end.entries) }
  } catch (e) {
    if (e instanceof ZipFormatError) return yield* fail(failWin32(ctx, 'ERROR_INVALID_DATA', `${path}: ${e.message}`))
    throw e
  }
}

function isOutcome(v: OpenedArchive | AppOutcome): v is AppOutcome {
  return 'ok' in v
}

function* open(style: ArchiverStyle, ctx: AppContext, args: AppArgs): Co<AppOutcome> {
  const path = args.path('path')
  const a = yield* openArchive(ctx, style, path)
  if (isOutcome(a)) return a
  yield* w32.CloseHandle(ctx.env, a.handle)
  return { ok: true, output: { Entries: a.entries.map((e) => e.name), Size: a.size } }
}

/** FileBasicInformation with only LastWriteTime set (zero: "don't change", MS-FSCC 2.4.7) — SetFileTime(h, NULL, NULL, &mtime) */
function basicInfoWithLastWrite(time: bigint): Uint8Array {
  const b = new Uint8Array(40)
  new DataView(b.buffer).setBigInt64(16, time, true)
  return b
}

function* ensureFolder(ctx: AppContext, folder: string, made: Set<string>): Co<boolean> {
  if (made.has(folder.toLowerCase())) return true
  const parent = folder.slice(0, folder.lastIndexOf('\\'))
  if (parent.length > 2 && !(yield* ensureFolder(ctx, parent, made))) return false
  const attrs = yield* w32.GetFileAttributesW(ctx.env, folder)
  if (attrs === w32.INVALID_FILE_ATTRIBUTES && !(yield* w32.CreateDirectoryW(ctx.env, folder))) return false
  made.add(folder.toLowerCase())
  return true
}

function* extract(style: ArchiverStyle, ctx: AppContext, args: AppArgs): Co<AppOutcome> {
  const path = args.path('path')
  const to = args.path('to').replace(/\\+$/, '')
  const a = yield* openArchive(ctx, style, path)
  if (isOutcome(a)) return a
  const made = new Set<string>()
  const extracted: string[] = []
  try {
    if (!(yield* ensureFolder(ctx, to, made))) return failedIn(`CreateDirectoryW ${to}`)
    for (const e of a.entries) {
      const target = `${to}\\${e.name.replace(/\/+$/, '').replace(/\//g, '\\')}`
      if (e.directory) {
        if (!(yield* ensureFolder(ctx, target, made))) return failedIn(`CreateDirectoryW ${target}`)
        continue
      }
      if (e.method !== 0) return failWin32(ctx, 'ERROR_NOT_SUPPORTED', `${e.name} (compression method ${e.method}; only stored entries can be extracted here)`)
      if (!(yield* ensureFolder(ctx, target.slice(0, target.lastIndexOf('\\')), made))) return failedIn(`CreateDirectoryW for ${target}`)
      const header = yield* read(ctx, a.handle, e.localHeaderOffset, LOCAL_HEADER_BYTES + 512)
      if (!header) return failedIn(`ReadFile ${path}`)
      let start: number
      try {
        start = dataOffset(e, header)
      } catch (err) {
        if (err instanceof ZipFormatError) return failWin32(ctx, 'ERROR_INVALID_DATA', `${path}: ${err.message}`)
        throw err
      }
      const out = yield* w32.CreateFileW(ctx.env, { FileName: target, DesiredAccess: GENERIC_WRITE, ShareMode: style.outputShare, CreationDisposition: CD.CREATE_ALWAYS, FlagsAndAttributes: FILE_ATTRIBUTE.FILE_ATTRIBUTE_NORMAL })
      if (out.handle === w32.INVALID_HANDLE_VALUE) return failedIn(`CreateFileW ${target}`)
      try {
        for (let done = 0; done < e.size; ) {
          const n = Math.min(style.writeChunk, e.size - done)
          const data = yield* read(ctx, a.handle, start + done, n)
          if (!data || data.length < n) return failedIn(`ReadFile ${path}`)
          const w = yield* w32.WriteFile(ctx.env, { File: out.handle, Buffer: data })
          if (!w.ok) return failedIn(`WriteFile ${target}`)
          done += n
        }
        const st = yield* nt.NtSetInformationFile(ctx.env.io, { FileHandle: out.handle, FileInformationClass: C.FileBasicInformation, FileInformation: basicInfoWithLastWrite(dosTimeToFileTime(e.dosDate, e.dosTime)) })
        if (!NT_SUCCESS(st.status)) return failNt(ctx, st.status, `SetFileTime ${target}`)
      } finally {
        yield* w32.CloseHandle(ctx.env, out.handle)
      }
      extracted.push(target)
    }
  } finally {
    yield* w32.CloseHandle(ctx.env, a.handle)
  }
  return { ok: true, output: { Extracted: extracted } }
}

function archiver(image: string, description: string, style: ArchiverStyle): AppProfile {
  return {
    image,
    description,
    actions: {
      open: { params: ['path'], summary: 'open a ZIP archive and list it', run: (ctx, args) => open(style, ctx, args) },
      extract: { params: ['path', 'to'], summary: 'extract every entry of a ZIP archive into a folder', run: (ctx, args) => extract(style, ctx, args) },
    },
  }
}

export const sevenZipFM = archiver('7zFM.exe', '7-Zip File Manager: opens and extracts ZIP archives.', SEVEN_ZIP)
export const sevenZip = archiver('7z.exe', '7-Zip console: lists (l) and extracts (x) ZIP archives.', SEVEN_ZIP)
export const winrar = archiver('WinRAR.exe', 'WinRAR: opens and extracts ZIP archives.', WINRAR)
