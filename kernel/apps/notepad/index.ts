// notepad.exe: open and save a text file, call for call as the Windows 10 1709 capture shows
// Notepad doing it (shared/reference/captures/excerpt_win10-1709_notepad_open_save.csv, rows
// 31781-32100 for the open and 37352-37648 for the save; irp-sequences.md §3.3).
//
// open (rows 31781-32100):
//   QueryDirectory (Filter: name, FileBothDirectoryInformation)   FindFirstFileW on the name
//   CreateFile Generic Read, share Read/Write, Open                CreateFileW
//   QueryEAFile                                                    (see below)
//   QueryInformationVolume, QueryAllInformationFile BUFFER OVERFLOW GetFileInformationByHandle
//   CreateFileMapping ×2 with QueryStandardInformationFile         CreateFileMapping
//   CloseFile                                                      CloseHandle, the view stays
//   (paging reads of the view: not in the basic-mode capture)      the text is read from the view
//   QueryDirectory                                                 FindFirstFileW again
// save (rows 37352-37648):
//   CreateFile Read Attributes, Open Reparse Point; QueryBasicInformationFile; CloseFile   GetFileAttributesW
//   CreateFile Generic Read/Write, OpenIf, share Read               CreateFileW OPEN_ALWAYS
//   WriteFile 0, length                                            WriteFile
//   SetEndOfFileInformationFile, SetAllocationInformationFile     SetEndOfFile
//   QueryDirectory                                                 FindFirstFileW
//   CloseFile                                                      CloseHandle
//   CreateFile Read Attributes; QueryNetworkOpenInformationFile; CloseFile                   GetFileAttributesExW

import type { Co } from '../../ke/index.ts'
import * as nt from '../../io/services/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_RESULT, FILE_ATTRIBUTE, SHARE_ACCESS } from '../../nt/file.ts'
import { FILE_INFORMATION_CLASS as C, FS_INFORMATION_CLASS as FS } from '../../nt/infoclass.ts'
import { STATUS } from '../../nt/status.ts'
import * as w32 from '../../win32/index.ts'
import type { AppArgs } from '../args.ts'
import { failedIn, failNt, readThroughView } from '../calls.ts'
import type { AppContext, AppOutcome, AppProfile } from '../registry.ts'

const { GENERIC_READ, GENERIC_WRITE } = ACCESS
const { FILE_SHARE_READ, FILE_SHARE_WRITE } = SHARE_ACCESS
const CD = w32.CREATION_DISPOSITION

/** sizeof(FILE_ALL_INFORMATION) without room for the name: GetFileInformationByHandle's buffer, hence BUFFER OVERFLOW */
const ALL_INFORMATION_BYTES = 104
/** FILE_FS_VOLUME_INFORMATION with room for a 32-character label (MAX_PATH+1 in kernelbase) */
// unverified: kernelbase's buffer size for the volume query of GetFileInformationByHandle
const VOLUME_INFORMATION_BYTES = 24 + 2 * 261
/** the EA query of the capture's open; its buffer is not visible in the capture */
// unverified: who queries the EAs (row 31789, after the open) and with what buffer is not known; a FILE_FULL_EA_INFORMATION-sized buffer
const EA_QUERY_BYTES = 0x100
/** Notepad reads at most this much of a file (its 1709 limit is far larger; a view of the file is read whole) */
const MAX_TEXT_BYTES = 64 * 1024 * 1024

/** FindFirstFileW + FindClose on the name: the dialogs' existence check (QueryDirectory with the name as filter) */
function* findName(ctx: AppContext, path: string): Co<boolean> {
  const f = yield* w32.FindFirstFileW(ctx.env, path)
  if (f.handle === w32.INVALID_HANDLE_VALUE) return false
  yield* w32.FindClose(ctx.env, f.handle)
  return true
}

function* open(ctx: AppContext, args: AppArgs): Co<AppOutcome> {
  const path = args.path('path')
  const io = ctx.env.io
  if (!(yield* findName(ctx, path))) return failedIn(`FindFirstFileW ${path}`)
  const c = yield* w32.CreateFileW(ctx.env, { FileName: path, DesiredAccess: GENERIC_READ, ShareMode: FILE_SHARE_READ | FILE_SHARE_WRITE, CreationDisposition: CD.OPEN_EXISTING, FlagsAndAttributes: FILE_ATTRIBUTE.FILE_ATTRIBUTE_NORMAL })
  if (c.handle === w32.INVALID_HANDLE_VALUE) return failedIn(`CreateFileW ${path}`)
  const h = c.handle
  let closed = false
  const close = function* (): Co<void> {
    if (closed) return
    closed = true
    yield* w32.CloseHandle(ctx.env, h)
  }
  try {
    // the answer does not matter to Notepad (a file without EAs answers too)
    yield* nt.NtQueryEaFile(io, { FileHandle: h, Length: EA_QUERY_BYTES, ReturnSingleEntry: false, RestartScan: true })
    // GetFileInformationByHandle: the volume's serial number, then FileAllInformation (BUFFER OVERFLOW: the name does not fit, the rest is there)
    yield* nt.NtQueryVolumeInformationFile(io, { FileHandle: h, FsInformationClass: FS.FileFsVolumeInformation, Length: VOLUME_INFORMATION_BYTES })
    const all = yield* nt.NtQueryInformationFile(io, { FileHandle: h, FileInformationClass: C.FileAllInformation, Length: ALL_INFORMATION_BYTES })
    if (all.status !== STATUS.STATUS_SUCCESS && all.status !== STATUS.STATUS_BUFFER_OVERFLOW) return failNt(ctx, all.status, `GetFileInformationByHandle ${path}`)
    // the file handle is closed once the view exists; the text is read from the view afterwards
    const v = yield* readThroughView(ctx, h, MAX_TEXT_BYTES, close)
    if (!v.data) return failNt(ctx, v.status, `${v.at ?? 'reading'} ${path}`)
    if (!(yield* findName(ctx, path))) return failedIn(`FindFirstFileW ${path}`)
    return { ok: true, output: { Content: new TextDecoder().decode(v.data), Size: v.data.length } }
  } finally {
    yield* close()
  }
}

function* save(ctx: AppContext, args: AppArgs): Co<AppOutcome> {
  const path = args.path('path')
  const data = args.data('content')
  // the save dialog's attribute probe: a missing file is fine (Save As a new name)
  yield* w32.GetFileAttributesW(ctx.env, path)
  const c = yield* w32.CreateFileW(ctx.env, { FileName: path, DesiredAccess: GENERIC_READ | GENERIC_WRITE, ShareMode: FILE_SHARE_READ, CreationDisposition: CD.OPEN_ALWAYS, FlagsAndAttributes: FILE_ATTRIBUTE.FILE_ATTRIBUTE_NORMAL })
  if (c.handle === w32.INVALID_HANDLE_VALUE) return failedIn(`CreateFileW ${path}`)
  const h = c.handle
  let written = 0
  try {
    if (data.length > 0) {
      const w = yield* w32.WriteFile(ctx.env, { File: h, Buffer: data })
      if (!w.ok) return failedIn(`WriteFile ${path}`)
      written = w.written
    }
    if (!(yield* w32.SetEndOfFile(ctx.env, h))) return failedIn(`SetEndOfFile ${path}`)
    yield* findName(ctx, path)
  } finally {
    yield* w32.CloseHandle(ctx.env, h)
  }
  // after the save Notepad reads the file's times (to notice later changes by others)
  yield* w32.GetFileAttributesExW(ctx.env, path)
  return { ok: true, output: { BytesWritten: written, Created: c.information === CREATE_RESULT.FILE_CREATED } }
}

export const notepad: AppProfile = {
  image: 'notepad.exe',
  description: 'Notepad (Windows 10 1709): opens a text file through a mapped view, saves with OpenIf, WriteFile and SetEndOfFile.',
  actions: {
    open: { params: ['path'], summary: 'File > Open: read the text through a mapped view', run: open },
    save: { params: ['path', 'content'], summary: 'File > Save: write the text over the file (or make it)', run: save },
  },
}
