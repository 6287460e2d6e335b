// File attributes as NTFS stores and reports them.
// - $STANDARD_INFORMATION holds no DIRECTORY bit; a directory reports FILE_ATTRIBUTE_DIRECTORY
//   (MS-FSA 2.1.5.12: "FILE_ATTRIBUTE_DIRECTORY MUST always be set" for a DirectoryStream).
// - a file with no attribute reports FILE_ATTRIBUTE_NORMAL (MS-FSCC 2.6: NORMAL "is valid
//   only when used alone").
// - a new file gets FILE_ATTRIBUTE_ARCHIVE, a new directory does not (observed, WinBtrfs
//   create tests on NTFS: file → ARCHIVE, directory → DIRECTORY only).

import { FILE_ATTRIBUTE, FILE_ATTRIBUTE_VALID_SET_FLAGS } from '../../nt/file.ts'
import type { FileRecord } from './store.ts'

const A = FILE_ATTRIBUTE

/** the attributes a query reports for a file record */
export function reportedAttributes(r: FileRecord): number {
  let a = r.std.fileAttributes & ~(A.FILE_ATTRIBUTE_DIRECTORY | A.FILE_ATTRIBUTE_NORMAL)
  if (r.reparse) a |= A.FILE_ATTRIBUTE_REPARSE_POINT
  else a &= ~A.FILE_ATTRIBUTE_REPARSE_POINT
  if (r.isDirectory) a |= A.FILE_ATTRIBUTE_DIRECTORY
  else if (a === 0) a = A.FILE_ATTRIBUTE_NORMAL
  return a >>> 0
}

/** what a create stores for the FileAttributes it was given */
export function attributesForCreate(requested: number, isDirectory: boolean): number {
  let a = requested & FILE_ATTRIBUTE_VALID_SET_FLAGS & ~A.FILE_ATTRIBUTE_NORMAL
  if (!isDirectory) a |= A.FILE_ATTRIBUTE_ARCHIVE
  // a directory cannot be temporary (checked by the caller); never store DIRECTORY
  return (a & ~A.FILE_ATTRIBUTE_DIRECTORY) >>> 0
}

/** the bits FileBasicInformation may change (MS-FSA 2.1.5.15.1: FILE_ATTRIBUTE_VALID_SET_FLAGS) */
export function settableAttributes(requested: number): number {
  return (requested & FILE_ATTRIBUTE_VALID_SET_FLAGS & ~A.FILE_ATTRIBUTE_NORMAL) >>> 0
}

export const isReadOnly = (r: FileRecord): boolean => (r.std.fileAttributes & A.FILE_ATTRIBUTE_READONLY) !== 0
