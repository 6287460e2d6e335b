// CreateDirectoryW: NtCreateFile with FILE_CREATE and FILE_DIRECTORY_FILE, closed at once
// (ReactOS kernel32 file/dir.c: FILE_LIST_DIRECTORY | SYNCHRONIZE, FILE_ATTRIBUTE_NORMAL,
// share read/write, FILE_SYNCHRONOUS_IO_NONALERT | FILE_OPEN_FOR_BACKUP_INTENT). An existing
// name fails with STATUS_OBJECT_NAME_COLLISION, that is ERROR_ALREADY_EXISTS.

import type { Co } from '../ke/index.ts'
import * as nt from '../io/services/index.ts'
import { ACCESS } from '../nt/access.ts'
import { CREATE_DISPOSITION as D, CREATE_OPTIONS as O, FILE_ATTRIBUTE, OBJ_ATTRIBUTES, SHARE_ACCESS as S } from '../nt/file.ts'
import { ERROR } from './errors.ts'
import { failWith, ntPathOf, setError, type Win32Env } from './env.ts'

/** CreateDirectoryW */
export function* CreateDirectoryW(env: Win32Env, pathName: string): Co<boolean> {
  const name = ntPathOf(pathName)
  if (name === undefined) {
    setError(env, ERROR.ERROR_PATH_NOT_FOUND)
    return false
  }
  const r = yield* nt.NtCreateFile(env.io, {
    FileName: name,
    DesiredAccess: ACCESS.FILE_LIST_DIRECTORY | ACCESS.SYNCHRONIZE,
    Attributes: OBJ_ATTRIBUTES.OBJ_CASE_INSENSITIVE,
    FileAttributes: FILE_ATTRIBUTE.FILE_ATTRIBUTE_NORMAL,
    ShareAccess: S.FILE_SHARE_READ | S.FILE_SHARE_WRITE,
    CreateDisposition: D.FILE_CREATE,
    CreateOptions: O.FILE_DIRECTORY_FILE | O.FILE_SYNCHRONOUS_IO_NONALERT | O.FILE_OPEN_FOR_BACKUP_INTENT,
  })
  if (r.handle === undefined) {
    failWith(env, r.status)
    return false
  }
  yield* nt.NtClose(env.io, { Handle: r.handle })
  return true
}
