// SetFileInformationByHandle, GetFileAttributesW, GetFileAttributesExW and SetFileAttributesW.
// GetFileAttributes(Ex)W are NtQueryAttributesFile / NtQueryFullAttributesFile (Wine and ReactOS
// kernel32 agree); SetFileAttributesW opens the file for FILE_WRITE_ATTRIBUTES and sets
// FileBasicInformation with zero times ("don't change", MS-FSCC 2.4.7) and the attributes, 0
// becoming FILE_ATTRIBUTE_NORMAL.

import type { Co } from '../ke/index.ts'
import * as nt from '../io/services/index.ts'
import { ACCESS } from '../nt/access.ts'
import { CREATE_OPTIONS as O, FILE_ATTRIBUTE, OBJ_ATTRIBUTES, SHARE_ACCESS as S } from '../nt/file.ts'
import { FILE_INFORMATION_CLASS } from '../nt/infoclass.ts'
import { NT_SUCCESS } from '../nt/status.ts'
import { decodeFileInformation, type CodecClass } from '../rtl/structs/fileinfo.ts'
import { isBareName } from '../scenario/paths.ts'
import { FILE_INFO_BY_HANDLE_CLASS as H, INVALID_FILE_ATTRIBUTES } from './constants.ts'
import { ERROR } from './errors.ts'
import { failWith, ntPathOf, setError, type Win32Env } from './env.ts'
import { setInfo } from './ntinfo.ts'

const SHARE_ALL = S.FILE_SHARE_READ | S.FILE_SHARE_WRITE | S.FILE_SHARE_DELETE

/** the FILE_INFO_BY_HANDLE_CLASS values SetFileInformationByHandle takes, and their NT classes */
const SET_CLASSES: Readonly<Record<number, CodecClass>> = {
  [H.FileBasicInfo]: 'FileBasicInformation',
  [H.FileRenameInfo]: 'FileRenameInformation',
  [H.FileRenameInfoEx]: 'FileRenameInformationEx',
  [H.FileDispositionInfo]: 'FileDispositionInformation',
  [H.FileDispositionInfoEx]: 'FileDispositionInformationEx',
  [H.FileAllocationInfo]: 'FileAllocationInformation',
  [H.FileEndOfFileInfo]: 'FileEndOfFileInformation',
  [H.FileIoPriorityHintInfo]: 'FileIoPriorityHintInformation',
  [H.FileCaseSensitiveInfo]: 'FileCaseSensitiveInformation',
}

/** the NT information class SetFileInformationByHandle uses for a FILE_INFO_BY_HANDLE_CLASS */
export function ntClassForSet(cls: number): CodecClass | undefined {
  return SET_CLASSES[cls]
}

/**
 * SetFileInformationByHandle. `info` holds the Win32 structure's fields (FILE_BASIC_INFO …, the
 * same names as the NT structure). A rename target that is a full path is converted to its NT
 * name; a bare name is passed as it is. unverified: that kernelbase converts the full path.
 */
export function* SetFileInformationByHandle(env: Win32Env, a: { File: number; FileInformationClass: number; FileInformation: Record<string, unknown> }): Co<boolean> {
  const cls = SET_CLASSES[a.FileInformationClass]
  if (!cls) {
    setError(env, ERROR.ERROR_INVALID_PARAMETER)
    return false
  }
  const info: Record<string, unknown> = { ...a.FileInformation }
  if ((cls === 'FileRenameInformation' || cls === 'FileRenameInformationEx') && typeof info['FileName'] === 'string') {
    const name = info['FileName'] as string
    if (!isBareName(name)) {
      const ntName = ntPathOf(name)
      if (ntName === undefined) {
        setError(env, ERROR.ERROR_PATH_NOT_FOUND)
        return false
      }
      info['FileName'] = ntName
    }
  }
  if (cls === 'FileDispositionInformation') info['DeleteFile'] = info['DeleteFile'] === true
  const st = yield* setInfo(env, a.File, cls, info as never)
  if (!NT_SUCCESS(st)) {
    failWith(env, st)
    return false
  }
  return true
}

/** GetFileAttributesW: the attributes, or INVALID_FILE_ATTRIBUTES */
export function* GetFileAttributesW(env: Win32Env, fileName: string): Co<number> {
  const name = ntPathOf(fileName)
  if (name === undefined) {
    setError(env, ERROR.ERROR_PATH_NOT_FOUND)
    return INVALID_FILE_ATTRIBUTES
  }
  const r = yield* nt.queryAttributesByName(env.io, { FileName: name, Attributes: OBJ_ATTRIBUTES.OBJ_CASE_INSENSITIVE }, FILE_INFORMATION_CLASS.FileBasicInformation, 40)
  if (!NT_SUCCESS(r.status) || !r.buffer) {
    failWith(env, r.status)
    return INVALID_FILE_ATTRIBUTES
  }
  return decodeFileInformation('FileBasicInformation', r.buffer).FileAttributes
}

/** WIN32_FILE_ATTRIBUTE_DATA by its field names (without the Hungarian prefixes) */
export interface Win32FileAttributeData {
  FileAttributes: number
  CreationTime: bigint
  LastAccessTime: bigint
  LastWriteTime: bigint
  FileSizeHigh: number
  FileSizeLow: number
}

/** GetFileAttributesExW (GetFileExInfoStandard) */
export function* GetFileAttributesExW(env: Win32Env, fileName: string, infoLevel = 0): Co<Win32FileAttributeData | undefined> {
  if (infoLevel !== 0) {
    setError(env, ERROR.ERROR_INVALID_PARAMETER)
    return undefined
  }
  const name = ntPathOf(fileName)
  if (name === undefined) {
    setError(env, ERROR.ERROR_PATH_NOT_FOUND)
    return undefined
  }
  const r = yield* nt.queryAttributesByName(env.io, { FileName: name, Attributes: OBJ_ATTRIBUTES.OBJ_CASE_INSENSITIVE }, FILE_INFORMATION_CLASS.FileNetworkOpenInformation, 56)
  if (!NT_SUCCESS(r.status) || !r.buffer) {
    failWith(env, r.status)
    return undefined
  }
  const n = decodeFileInformation('FileNetworkOpenInformation', r.buffer)
  return {
    FileAttributes: n.FileAttributes,
    CreationTime: n.CreationTime,
    LastAccessTime: n.LastAccessTime,
    LastWriteTime: n.LastWriteTime,
    FileSizeHigh: Math.floor(n.EndOfFile / 0x100000000),
    FileSizeLow: n.EndOfFile >>> 0,
  }
}

/** SetFileAttributesW */
export function* SetFileAttributesW(env: Win32Env, fileName: string, attributes: number): Co<boolean> {
  const name = ntPathOf(fileName)
  if (name === undefined) {
    setError(env, ERROR.ERROR_PATH_NOT_FOUND)
    return false
  }
  // unverified: FILE_OPEN_FOR_BACKUP_INTENT | FILE_OPEN_REPARSE_POINT are ReactOS's options (Wine opens without them)
  const r = yield* nt.NtOpenFile(env.io, {
    FileName: name,
    DesiredAccess: ACCESS.FILE_WRITE_ATTRIBUTES | ACCESS.SYNCHRONIZE,
    Attributes: OBJ_ATTRIBUTES.OBJ_CASE_INSENSITIVE,
    ShareAccess: SHARE_ALL,
    OpenOptions: O.FILE_SYNCHRONOUS_IO_NONALERT | O.FILE_OPEN_FOR_BACKUP_INTENT | O.FILE_OPEN_REPARSE_POINT,
  })
  if (r.handle === undefined) {
    failWith(env, r.status)
    return false
  }
  const st = yield* setInfo(env, r.handle, 'FileBasicInformation', {
    CreationTime: 0,
    LastAccessTime: 0,
    LastWriteTime: 0,
    ChangeTime: 0,
    FileAttributes: attributes === 0 ? FILE_ATTRIBUTE.FILE_ATTRIBUTE_NORMAL : attributes,
  })
  yield* nt.NtClose(env.io, { Handle: r.handle })
  if (!NT_SUCCESS(st)) {
    failWith(env, st)
    return false
  }
  return true
}

