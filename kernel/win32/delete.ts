// DeleteFileW and RemoveDirectoryW: open for DELETE | FILE_READ_ATTRIBUTES with
// FILE_OPEN_REPARSE_POINT, query FileAttributeTagInformation, set FileDispositionInformation,
// close; the file goes at IRP_MJ_CLEANUP. Observed for DeleteFileW in the Win10 1709 capture
// (shared/reference/irp-sequences.md §3.1 [O]: "Desired Access: Read Attributes, Delete,
// Options: Non-Directory File, Open Reparse Point, ShareMode: Read, Write, Delete" →
// QueryAttributeTagFile → SetDispositionInformationFile → CloseFile), which matches ReactOS
// kernel32 file/delete.c. Wine's delete-on-close open is not what Windows does.
// A reparse point that is not a name surrogate (an HSM stub, a cloud placeholder) is deleted as
// the file it stands for: kernelbase opens it again without FILE_OPEN_REPARSE_POINT (ReactOS).

import type { Co } from '../ke/index.ts'
import * as nt from '../io/services/index.ts'
import { ACCESS } from '../nt/access.ts'
import { CREATE_OPTIONS as O, FILE_ATTRIBUTE, IsReparseTagNameSurrogate, OBJ_ATTRIBUTES, SHARE_ACCESS as S } from '../nt/file.ts'
import { NT_SUCCESS, type NTSTATUS } from '../nt/status.ts'
import { ERROR } from './errors.ts'
import { failWith, ntPathOf, setError, type Win32Env } from './env.ts'
import { queryInfo, setInfo } from './ntinfo.ts'

const SHARE_ALL = S.FILE_SHARE_READ | S.FILE_SHARE_WRITE | S.FILE_SHARE_DELETE

/** opens `name` for delete, following a reparse point that is not a name surrogate */
function* openForDelete(env: Win32Env, name: string, access: number, options: number): Co<{ handle?: number; status: NTSTATUS }> {
  const open = (opts: number) => nt.NtOpenFile(env.io, { FileName: name, DesiredAccess: access, Attributes: OBJ_ATTRIBUTES.OBJ_CASE_INSENSITIVE, ShareAccess: SHARE_ALL, OpenOptions: opts })
  const r = yield* open(options | O.FILE_OPEN_REPARSE_POINT)
  if (r.handle === undefined) return { status: r.status }
  const tag = yield* queryInfo(env, r.handle, 'FileAttributeTagInformation')
  if (tag.value && tag.value.FileAttributes & FILE_ATTRIBUTE.FILE_ATTRIBUTE_REPARSE_POINT && !IsReparseTagNameSurrogate(tag.value.ReparseTag)) {
    yield* nt.NtClose(env.io, { Handle: r.handle })
    const again = yield* open(options)
    if (again.handle === undefined) return { status: again.status }
    return { handle: again.handle, status: again.status }
  }
  return { handle: r.handle, status: r.status }
}

function* deleteByName(env: Win32Env, fileName: string, access: number, options: number): Co<boolean> {
  const name = ntPathOf(fileName)
  if (name === undefined) {
    setError(env, ERROR.ERROR_PATH_NOT_FOUND)
    return false
  }
  const o = yield* openForDelete(env, name, access, options)
  if (o.handle === undefined) {
    failWith(env, o.status)
    return false
  }
  const st = yield* setInfo(env, o.handle, 'FileDispositionInformation', { DeleteFile: true })
  yield* nt.NtClose(env.io, { Handle: o.handle })
  if (!NT_SUCCESS(st)) {
    failWith(env, st)
    return false
  }
  return true
}

/** DeleteFileW */
export function* DeleteFileW(env: Win32Env, fileName: string): Co<boolean> {
  return yield* deleteByName(env, fileName, ACCESS.DELETE | ACCESS.FILE_READ_ATTRIBUTES, O.FILE_NON_DIRECTORY_FILE)
}

/**
 * RemoveDirectoryW. unverified: SYNCHRONIZE with FILE_SYNCHRONOUS_IO_NONALERT and
 * FILE_OPEN_FOR_BACKUP_INTENT are ReactOS's; no capture of RemoveDirectoryW was found.
 */
export function* RemoveDirectoryW(env: Win32Env, pathName: string): Co<boolean> {
  return yield* deleteByName(
    env,
    pathName,
    ACCESS.DELETE | ACCESS.FILE_READ_ATTRIBUTES | ACCESS.SYNCHRONIZE,
    O.FILE_DIRECTORY_FILE | O.FILE_SYNCHRONOUS_IO_NONALERT | O.FILE_OPEN_FOR_BACKUP_INTENT,
  )
}
