// CreateFileW and CloseHandle. The mapping of dwDesiredAccess, dwShareMode,
// dwCreationDisposition and dwFlagsAndAttributes to NtCreateFile is kernelbase's (Wine
// dlls/kernelbase/file.c CreateFileW / get_nt_file_options; ReactOS kernel32 file/create.c):
// SYNCHRONIZE | FILE_READ_ATTRIBUTES are added to the access, FILE_NON_DIRECTORY_FILE unless
// FILE_FLAG_BACKUP_SEMANTICS, FILE_SYNCHRONOUS_IO_NONALERT unless FILE_FLAG_OVERLAPPED, the name
// is case-insensitive unless FILE_FLAG_POSIX_SEMANTICS, and a template file's extended
// attributes go into the EaBuffer of a create.

import type { Co } from '../ke/index.ts'
import * as nt from '../io/services/index.ts'
import { ACCESS } from '../nt/access.ts'
import { CREATE_DISPOSITION as D, CREATE_OPTIONS as O, CREATE_RESULT, FILE_ATTRIBUTE_VALID_FLAGS, OBJ_ATTRIBUTES } from '../nt/file.ts'
import { FILE_INFORMATION_CLASS as C } from '../nt/infoclass.ts'
import { NT_SUCCESS, STATUS, type NTSTATUS } from '../nt/status.ts'
import type { EaEntry } from '../fs/ntfs/store.ts'
import { decodeFullEaList } from '../rtl/structs/ea.ts'
import { CREATION_DISPOSITION as CD, FILE_FLAG as F, INVALID_HANDLE_VALUE } from './constants.ts'
import { ERROR } from './errors.ts'
import { failWith, ntPathOf, setError, type Win32Env } from './env.ts'

export interface CreateFileArgs {
  FileName: string
  DesiredAccess: number
  ShareMode: number
  CreationDisposition: number
  FlagsAndAttributes: number
  TemplateFile?: number
}

/** What CreateFileW passes to NtCreateFile (without the name and the EAs). */
export interface NtCreateParameters {
  DesiredAccess: number
  Attributes: number
  FileAttributes: number
  ShareAccess: number
  CreateDisposition: number
  CreateOptions: number
}

const DISPOSITIONS: Readonly<Record<number, number>> = {
  [CD.CREATE_NEW]: D.FILE_CREATE,
  [CD.CREATE_ALWAYS]: D.FILE_OVERWRITE_IF,
  [CD.OPEN_EXISTING]: D.FILE_OPEN,
  [CD.OPEN_ALWAYS]: D.FILE_OPEN_IF,
  [CD.TRUNCATE_EXISTING]: D.FILE_OVERWRITE,
}

/** kernelbase's translation; undefined for a creation disposition CreateFileW refuses */
export function createFileParameters(a: Omit<CreateFileArgs, 'FileName' | 'TemplateFile'>): NtCreateParameters | undefined {
  const disposition = DISPOSITIONS[a.CreationDisposition]
  if (disposition === undefined) return undefined
  const flags = a.FlagsAndAttributes >>> 0
  let options = 0
  let access = (a.DesiredAccess | ACCESS.SYNCHRONIZE | ACCESS.FILE_READ_ATTRIBUTES) >>> 0
  if (flags & F.FILE_FLAG_BACKUP_SEMANTICS) options |= O.FILE_OPEN_FOR_BACKUP_INTENT
  else options |= O.FILE_NON_DIRECTORY_FILE
  if (flags & F.FILE_FLAG_DELETE_ON_CLOSE) {
    options |= O.FILE_DELETE_ON_CLOSE
    access |= ACCESS.DELETE
  }
  if (flags & F.FILE_FLAG_NO_BUFFERING) options |= O.FILE_NO_INTERMEDIATE_BUFFERING
  if (!(flags & F.FILE_FLAG_OVERLAPPED)) options |= O.FILE_SYNCHRONOUS_IO_NONALERT
  if (flags & F.FILE_FLAG_RANDOM_ACCESS) options |= O.FILE_RANDOM_ACCESS
  if (flags & F.FILE_FLAG_SEQUENTIAL_SCAN) options |= O.FILE_SEQUENTIAL_ONLY
  if (flags & F.FILE_FLAG_WRITE_THROUGH) options |= O.FILE_WRITE_THROUGH
  if (flags & F.FILE_FLAG_OPEN_REPARSE_POINT) options |= O.FILE_OPEN_REPARSE_POINT
  if (flags & F.FILE_FLAG_OPEN_NO_RECALL) options |= O.FILE_OPEN_NO_RECALL
  if (flags & F.FILE_FLAG_SESSION_AWARE) options |= O.FILE_SESSION_AWARE
  if (flags & F.FILE_FLAG_OPEN_REQUIRING_OPLOCK) options |= O.FILE_OPEN_REQUIRING_OPLOCK
  return {
    DesiredAccess: access >>> 0,
    Attributes: flags & F.FILE_FLAG_POSIX_SEMANTICS ? 0 : OBJ_ATTRIBUTES.OBJ_CASE_INSENSITIVE,
    FileAttributes: flags & FILE_ATTRIBUTE_VALID_FLAGS,
    ShareAccess: a.ShareMode >>> 0,
    CreateDisposition: disposition,
    CreateOptions: options >>> 0,
  }
}

/** the extended attributes of a template file (ReactOS CreateFileW: FileEaInformation, then NtQueryEaFile) */
function* templateEas(env: Win32Env, template: number): Co<EaEntry[] | undefined> {
  const q = yield* nt.NtQueryInformationFile(env.io, { FileHandle: template, FileInformationClass: C.FileEaInformation, Length: 4 })
  if (!NT_SUCCESS(q.status) || !q.buffer || q.buffer.length < 4) return undefined
  const size = new DataView(q.buffer.buffer, q.buffer.byteOffset, 4).getUint32(0, true)
  if (size === 0) return undefined
  const r = yield* nt.NtQueryEaFile(env.io, { FileHandle: template, Length: size + 64 * 1024, RestartScan: true })
  if (!NT_SUCCESS(r.status) || !r.buffer) return undefined
  return decodeFullEaList(r.buffer).map((e) => ({ name: e.Name, value: e.Value, flags: e.Flags }))
}

export interface CreateFileResult {
  /** the handle, or INVALID_HANDLE_VALUE */
  handle: number
  /** NtCreateFile's status */
  status: NTSTATUS
  /** IoStatus.Information of the create (FILE_CREATED …) */
  information: number
}

/** CreateFileW */
export function* CreateFileW(env: Win32Env, a: CreateFileArgs): Co<CreateFileResult> {
  const p = createFileParameters(a)
  if (!p) {
    setError(env, ERROR.ERROR_INVALID_PARAMETER)
    return { handle: INVALID_HANDLE_VALUE, status: STATUS.STATUS_INVALID_PARAMETER, information: 0 }
  }
  const name = ntPathOf(a.FileName)
  if (name === undefined) {
    setError(env, ERROR.ERROR_PATH_NOT_FOUND)
    return { handle: INVALID_HANDLE_VALUE, status: STATUS.STATUS_OBJECT_PATH_NOT_FOUND, information: 0 }
  }
  const creates = p.CreateDisposition !== D.FILE_OPEN && p.CreateDisposition !== D.FILE_OVERWRITE
  const eas = a.TemplateFile !== undefined && a.TemplateFile !== 0 && creates ? yield* templateEas(env, a.TemplateFile) : undefined
  const r = yield* nt.NtCreateFile(env.io, { FileName: name, ...p, EaBuffer: eas })
  if (r.handle === undefined || !NT_SUCCESS(r.status)) {
    failWith(env, r.status)
    // Wine CreateFileW: a name collision is reported as ERROR_FILE_EXISTS
    if (r.status === STATUS.STATUS_OBJECT_NAME_COLLISION) setError(env, ERROR.ERROR_FILE_EXISTS)
    return { handle: INVALID_HANDLE_VALUE, status: r.status, information: r.information }
  }
  // CREATE_ALWAYS / OPEN_ALWAYS on an existing file succeed with ERROR_ALREADY_EXISTS; everything else clears the error
  const existed =
    (a.CreationDisposition === CD.CREATE_ALWAYS && r.information === CREATE_RESULT.FILE_OVERWRITTEN) ||
    (a.CreationDisposition === CD.OPEN_ALWAYS && r.information === CREATE_RESULT.FILE_OPENED)
  setError(env, existed ? ERROR.ERROR_ALREADY_EXISTS : ERROR.ERROR_SUCCESS)
  return { handle: r.handle, status: r.status, information: r.information }
}

/** CloseHandle (a file handle: NtClose) */
export function* CloseHandle(env: Win32Env, handle: number): Co<boolean> {
  const r = yield* nt.NtClose(env.io, { Handle: handle })
  if (!NT_SUCCESS(r.status)) {
    failWith(env, r.status)
    return false
  }
  return true
}
