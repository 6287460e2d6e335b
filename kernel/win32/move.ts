// MoveFileWithProgressW, MoveFileExW, MoveFileW (ReactOS kernel32 file/move.c, which
// shared/reference/irp-sequences.md §4.2 and §5 follow):
//  - open the source for FILE_READ_ATTRIBUTES | DELETE | SYNCHRONIZE, share read/write/delete,
//    FILE_OPEN_FOR_BACKUP_INTENT, as the reparse point itself; query FileAttributeTagInformation;
//    a reparse point that is not a name surrogate is opened again as the file it stands for;
//  - FileRenameInformation (FileLinkInformation with MOVEFILE_CREATE_HARDLINK) with the new
//    name's full NT path, ReplaceIfExists from MOVEFILE_REPLACE_EXISTING; the I/O manager opens
//    the target's parent with SL_OPEN_TARGET_DIRECTORY;
//  - on STATUS_NOT_SAME_DEVICE with MOVEFILE_COPY_ALLOWED: close the source, copy with the copy
//    engine (COPY_FILE_OPEN_SOURCE_FOR_WRITE, COPY_FILE_FAIL_IF_EXISTS unless replacing),
//    keeping both handles open, tell the link-tracking service (FileTrackingInformation on the
//    source naming the destination handle and the machine's name), close both, delete the
//    source (DeleteFileW; on failure SetFileAttributesW(NORMAL) and DeleteFileW again).

import type { Co } from '../ke/index.ts'
import * as nt from '../io/services/index.ts'
import { ACCESS } from '../nt/access.ts'
import { CREATE_OPTIONS as O, FILE_ATTRIBUTE, IsReparseTagNameSurrogate, OBJ_ATTRIBUTES, SHARE_ACCESS as S } from '../nt/file.ts'
import { dosDeviceName } from '../scenario/paths.ts'
import { NT_SUCCESS, STATUS } from '../nt/status.ts'
import { COPY_FILE, MOVEFILE } from './constants.ts'
import { copyFileEngine } from './copy/engine.ts'
import { progressAsCopyFile2, type ProgressRoutineCall } from './copy/api.ts'
import { DeleteFileW } from './delete.ts'
import { ERROR, RtlNtStatusToDosError, SetLastError } from './errors.ts'
import { currentThread, failWith, ntPathOf, setError, type Win32Env } from './env.ts'
import { SetFileAttributesW } from './fileinfo.ts'
import { queryInfo, setInfo } from './ntinfo.ts'

/** the emulated machine's NetBIOS name, which link tracking records (unverified: any name works) */
export const COMPUTER_NAME = 'ALTITUDE'

const SHARE_ALL = S.FILE_SHARE_READ | S.FILE_SHARE_WRITE | S.FILE_SHARE_DELETE
const VALID_FLAGS = 0x3f

export interface MoveFileArgs {
  ExistingFileName: string
  NewFileName: string
  Flags: number
  /** lpProgressRoutine for the copy of a move across volumes */
  ProgressRoutine?: (c: ProgressRoutineCall) => number
}

/** MoveFileWithProgressW */
export function* MoveFileWithProgressW(env: Win32Env, a: MoveFileArgs): Co<boolean> {
  const flags = a.Flags >>> 0
  if (flags & ~VALID_FLAGS) {
    setError(env, ERROR.ERROR_INVALID_PARAMETER)
    return false
  }
  // renaming onto a device name is refused as a collision
  if (dosDeviceName(a.NewFileName) !== undefined) {
    failWith(env, STATUS.STATUS_OBJECT_NAME_COLLISION)
    return false
  }
  if (flags & MOVEFILE.MOVEFILE_DELAY_UNTIL_REBOOT) {
    // PendingFileRenameOperations lives in the registry, which this machine does not have
    setError(env, ERROR.ERROR_NOT_SUPPORTED)
    return false
  }
  const source = ntPathOf(a.ExistingFileName)
  const target = ntPathOf(a.NewFileName)
  if (source === undefined || target === undefined) {
    failWith(env, STATUS.STATUS_OBJECT_PATH_NOT_FOUND)
    return false
  }
  const writeThrough = flags & MOVEFILE.MOVEFILE_WRITE_THROUGH ? O.FILE_WRITE_THROUGH : 0
  const open = (options: number) =>
    nt.NtOpenFile(env.io, {
      FileName: source,
      DesiredAccess: ACCESS.FILE_READ_ATTRIBUTES | ACCESS.DELETE | ACCESS.SYNCHRONIZE,
      Attributes: OBJ_ATTRIBUTES.OBJ_CASE_INSENSITIVE,
      ShareAccess: SHARE_ALL,
      OpenOptions: O.FILE_OPEN_FOR_BACKUP_INTENT | writeThrough | options,
    })
  let r = yield* open(O.FILE_OPEN_REPARSE_POINT)
  if (r.handle === undefined) {
    failWith(env, r.status)
    return false
  }
  let handle = r.handle
  const tag = yield* queryInfo(env, handle, 'FileAttributeTagInformation')
  if (!tag.value && tag.status !== STATUS.STATUS_NOT_IMPLEMENTED && tag.status !== STATUS.STATUS_INVALID_PARAMETER) {
    yield* nt.NtClose(env.io, { Handle: handle })
    failWith(env, tag.status)
    return false
  }
  if (tag.value && tag.value.FileAttributes & FILE_ATTRIBUTE.FILE_ATTRIBUTE_REPARSE_POINT && !IsReparseTagNameSurrogate(tag.value.ReparseTag)) {
    yield* nt.NtClose(env.io, { Handle: handle })
    r = yield* open(0)
    if (r.handle === undefined) {
      failWith(env, r.status)
      return false
    }
    handle = r.handle
  }
  const replace = (flags & MOVEFILE.MOVEFILE_REPLACE_EXISTING) !== 0
  const cls = flags & MOVEFILE.MOVEFILE_CREATE_HARDLINK ? 'FileLinkInformation' : 'FileRenameInformation'
  const st = yield* setInfo(env, handle, cls, { ReplaceIfExists: replace, RootDirectory: 0, FileName: target })
  yield* nt.NtClose(env.io, { Handle: handle })
  if (NT_SUCCESS(st)) return true
  if (st !== STATUS.STATUS_NOT_SAME_DEVICE || !(flags & MOVEFILE.MOVEFILE_COPY_ALLOWED)) {
    failWith(env, st)
    return false
  }
  return yield* moveAcrossVolumes(env, a, replace)
}

function* moveAcrossVolumes(env: Win32Env, a: MoveFileArgs, replace: boolean): Co<boolean> {
  // inferred (§5 "Move, cross volume"): ReactOS's order — copy with the source open for write,
  // FileTrackingInformation, delete; Windows' Explorer may use PrivMoveFileIdentityW instead
  const flags = a.Flags >>> 0
  const copy = yield* copyFileEngine(env, {
    existingFileName: a.ExistingFileName,
    newFileName: a.NewFileName,
    flags: COPY_FILE.COPY_FILE_OPEN_SOURCE_FOR_WRITE | (replace ? 0 : COPY_FILE.COPY_FILE_FAIL_IF_EXISTS),
    keepHandles: true,
    progress: a.ProgressRoutine ? progressAsCopyFile2(a.ProgressRoutine) : undefined,
  })
  const t = currentThread(env)
  if (!copy.ok || copy.sourceHandle === undefined || copy.destinationHandle === undefined) {
    if (copy.status !== 0) RtlNtStatusToDosError(t, copy.status)
    SetLastError(t, copy.error)
    return false
  }
  let ok = true
  const tracked = yield* setInfo(env, copy.sourceHandle, 'FileTrackingInformation', { DestinationFile: copy.destinationHandle, ObjectInformation: oemName(COMPUTER_NAME) })
  if (!NT_SUCCESS(tracked) && flags & MOVEFILE.MOVEFILE_FAIL_IF_NOT_TRACKABLE) {
    yield* nt.NtClose(env.io, { Handle: copy.destinationHandle })
    yield* nt.NtClose(env.io, { Handle: copy.sourceHandle })
    yield* DeleteFileW(env, a.NewFileName)
    failWith(env, tracked)
    return false
  }
  yield* nt.NtClose(env.io, { Handle: copy.sourceHandle })
  yield* nt.NtClose(env.io, { Handle: copy.destinationHandle })
  if (!(yield* DeleteFileW(env, a.ExistingFileName))) {
    yield* SetFileAttributesW(env, a.ExistingFileName, FILE_ATTRIBUTE.FILE_ATTRIBUTE_NORMAL)
    ok = yield* DeleteFileW(env, a.ExistingFileName)
  }
  return ok
}

/** the computer name in the OEM code page with its terminating NUL, as link tracking takes it */
function oemName(name: string): Uint8Array {
  const b = new Uint8Array(name.length + 1)
  for (let i = 0; i < name.length; i++) b[i] = name.charCodeAt(i) & 0x7f
  return b
}

/** MoveFileExW */
export function* MoveFileExW(env: Win32Env, existingFileName: string, newFileName: string, flags: number): Co<boolean> {
  return yield* MoveFileWithProgressW(env, { ExistingFileName: existingFileName, NewFileName: newFileName, Flags: flags })
}

/** MoveFileW: MOVEFILE_COPY_ALLOWED */
export function* MoveFileW(env: Win32Env, existingFileName: string, newFileName: string): Co<boolean> {
  return yield* MoveFileWithProgressW(env, { ExistingFileName: existingFileName, NewFileName: newFileName, Flags: MOVEFILE.MOVEFILE_COPY_ALLOWED })
}
