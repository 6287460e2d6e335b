// The directory information classes of NtQueryDirectoryFile (MS-FSCC 2.4: FileDirectory-,
// FileFullDirectory-, FileBothDirectory-, FileNames-, FileIdBothDirectory-,
// FileIdFullDirectory-, FileIdGlobalTxDirectory-, FileIdExtdDirectory-,
// FileIdExtdBothDirectory-, FileId64Extd[Both]Directory-, FileIdAllExtd[Both]DirectoryInformation),
// their x64 layouts, the minimum buffer lengths, and the packing rules a file system follows.
//
// Packing (Wine ntdll tests, dlls/ntdll/tests/directory.c, run against Windows):
// - entries start on 8-byte boundaries; NextEntryOffset links them; the last entry has 0;
// - Information ends at the last entry's name, without its padding;
// - the first entry is always returned: if its name does not fit, the fixed part and as much of
//   the name as fits are written, FileNameLength stays the full length, and the call returns
//   STATUS_BUFFER_OVERFLOW with Information = the buffer length;
// - a later entry that does not fit whole is left for the next call (STATUS_SUCCESS).

import { fileInformationClassName, type FileInformationClassName } from '../../nt/infoclass.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import { StructError, align8, alignDown, readUtf16, setU32, setU8, u32, u8, utf16Bytes, view, writeUtf16 } from './buffer.ts'
import { FILE_OBJECTID_INFORMATION, FILE_REPARSE_POINT_INFORMATION } from './fileinfo-layouts.ts'
import { type FieldMap, type StructDef, defineStruct } from './struct.ts'

// ---------------------------------------------------------------------------------------------
// Minimum lengths

/**
 * NtQueryDirectoryFile's minimum Length per class (shorter → STATUS_INFO_LENGTH_MISMATCH; a
 * class not listed → STATUS_INVALID_INFO_CLASS). These are the structures' sizeof, as the
 * Windows 10 NtQueryDirectoryFile checks them; Wine's test_NtQueryDirectoryFile_classes finds
 * the first length that is not INFO_LENGTH_MISMATCH at (offsetof(FileName[1]) + 7) & ~7.
 * FileObjectId-, FileQuota- and FileReparsePointInformation are accepted for the
 * \$Extend\$ObjId, $Quota and $Reparse indexes (on a plain directory: INVALID_INFO_CLASS).
 */
export const DIR_INFO_LENGTH: { readonly [K in FileInformationClassName]?: number } = {
  FileDirectoryInformation: 72,
  FileFullDirectoryInformation: 72,
  FileBothDirectoryInformation: 96,
  FileNamesInformation: 16,
  FileObjectIdInformation: 72,
  FileQuotaInformation: 56,
  FileReparsePointInformation: 16,
  FileIdBothDirectoryInformation: 112,
  FileIdFullDirectoryInformation: 88,
  FileIdGlobalTxDirectoryInformation: 96,
  FileIdExtdDirectoryInformation: 96,
  FileIdExtdBothDirectoryInformation: 120,
  FileId64ExtdDirectoryInformation: 88,
  FileId64ExtdBothDirectoryInformation: 112,
  // unverified: Windows 11 classes, sizeof of the SDK structures
  FileIdAllExtdDirectoryInformation: 104,
  FileIdAllExtdBothDirectoryInformation: 128,
}

/** NtQueryDirectoryFile's class and length check (before the handle is used). */
export function checkQueryDirectoryFile(cls: number | FileInformationClassName, length: number): NTSTATUS {
  const name = typeof cls === 'number' ? fileInformationClassName(cls) : cls
  const min = name === undefined ? undefined : DIR_INFO_LENGTH[name]
  if (min === undefined) return STATUS.STATUS_INVALID_INFO_CLASS
  if (length < min) return STATUS.STATUS_INFO_LENGTH_MISMATCH
  return STATUS.STATUS_SUCCESS
}

// ---------------------------------------------------------------------------------------------
// Layouts

const COMMON = {
  NextEntryOffset: ['u32', 0],
  FileIndex: ['u32', 4],
  CreationTime: ['time', 8],
  LastAccessTime: ['time', 16],
  LastWriteTime: ['time', 24],
  ChangeTime: ['time', 32],
  EndOfFile: ['size', 40],
  AllocationSize: ['size', 48],
  FileAttributes: ['u32', 56],
  FileNameLength: ['u32', 60],
} as const

interface DirLayout {
  readonly def: StructDef<FieldMap>
  /** offset of FileName */
  readonly fileName: number
  /** offset of ShortNameLength (a CCHAR; ShortName, 12 WCHARs, follows at +2) */
  readonly shortName?: number
}

function layout(name: string, size: number, fields: FieldMap, fileName: number, shortName?: number): DirLayout {
  return { def: defineStruct(name, size, fields), fileName, ...(shortName !== undefined ? { shortName } : {}) }
}

/** x64 layouts (ntifs.h; MS-FSCC gives the same offsets). */
export const DIR_LAYOUTS = {
  FileDirectoryInformation: layout('FILE_DIRECTORY_INFORMATION', 72, COMMON, 64),
  FileFullDirectoryInformation: layout('FILE_FULL_DIR_INFORMATION', 72, { ...COMMON, EaSize: ['u32', 64] }, 68),
  FileBothDirectoryInformation: layout('FILE_BOTH_DIR_INFORMATION', 96, { ...COMMON, EaSize: ['u32', 64] }, 94, 68),
  FileNamesInformation: layout('FILE_NAMES_INFORMATION', 16, { NextEntryOffset: ['u32', 0], FileIndex: ['u32', 4], FileNameLength: ['u32', 8] }, 12),
  FileIdBothDirectoryInformation: layout('FILE_ID_BOTH_DIR_INFORMATION', 112, { ...COMMON, EaSize: ['u32', 64], FileId: ['id', 96] }, 104, 68),
  FileIdFullDirectoryInformation: layout('FILE_ID_FULL_DIR_INFORMATION', 88, { ...COMMON, EaSize: ['u32', 64], FileId: ['id', 72] }, 80),
  FileIdGlobalTxDirectoryInformation: layout(
    'FILE_ID_GLOBAL_TX_DIR_INFORMATION',
    96,
    { ...COMMON, FileId: ['id', 64], LockingTransactionId: ['guid', 72], TxInfoFlags: ['u32', 88] },
    92,
  ),
  FileIdExtdDirectoryInformation: layout(
    'FILE_ID_EXTD_DIR_INFORMATION',
    96,
    { ...COMMON, EaSize: ['u32', 64], ReparsePointTag: ['u32', 68], FileId: ['id128', 72] },
    88,
  ),
  FileIdExtdBothDirectoryInformation: layout(
    'FILE_ID_EXTD_BOTH_DIR_INFORMATION',
    120,
    { ...COMMON, EaSize: ['u32', 64], ReparsePointTag: ['u32', 68], FileId: ['id128', 72] },
    114,
    88,
  ),
  FileId64ExtdDirectoryInformation: layout(
    'FILE_ID_64_EXTD_DIR_INFORMATION',
    88,
    { ...COMMON, EaSize: ['u32', 64], ReparsePointTag: ['u32', 68], FileId: ['id', 72] },
    80,
  ),
  FileId64ExtdBothDirectoryInformation: layout(
    'FILE_ID_64_EXTD_BOTH_DIR_INFORMATION',
    112,
    { ...COMMON, EaSize: ['u32', 64], ReparsePointTag: ['u32', 68], FileId: ['id', 72] },
    106,
    80,
  ),
  FileIdAllExtdDirectoryInformation: layout(
    'FILE_ID_ALL_EXTD_DIR_INFORMATION',
    104,
    { ...COMMON, EaSize: ['u32', 64], ReparsePointTag: ['u32', 68], FileId: ['id', 72], FileId128: ['id128', 80] },
    96,
  ),
  FileIdAllExtdBothDirectoryInformation: layout(
    'FILE_ID_ALL_EXTD_BOTH_DIR_INFORMATION',
    128,
    { ...COMMON, EaSize: ['u32', 64], ReparsePointTag: ['u32', 68], FileId: ['id', 72], FileId128: ['id128', 80] },
    122,
    96,
  ),
} as const

export type DirClass = keyof typeof DIR_LAYOUTS
/** The packed, fixed-size entry classes (no names, no NextEntryOffset). */
export type FixedDirClass = 'FileObjectIdInformation' | 'FileReparsePointInformation'

/** True when `cls` names a class whose entries this module encodes. */
export const isDirClass = (cls: string): cls is DirClass => Object.prototype.hasOwnProperty.call(DIR_LAYOUTS, cls)

/** One directory entry as a file system supplies it; fields a class lacks are ignored. */
export interface DirEntryInput {
  readonly FileName: string
  readonly FileIndex?: number
  readonly CreationTime?: number | bigint
  readonly LastAccessTime?: number | bigint
  readonly LastWriteTime?: number | bigint
  readonly ChangeTime?: number | bigint
  readonly EndOfFile?: number | bigint
  readonly AllocationSize?: number | bigint
  readonly FileAttributes?: number
  /** the EA size, or (NTFS, for a reparse point) the reparse tag */
  readonly EaSize?: number
  readonly ReparsePointTag?: number
  /** the 8.3 name, at most 12 characters */
  readonly ShortName?: string
  /** the file reference (64-bit classes) or FILE_ID_128 (Extd classes) */
  readonly FileId?: number | bigint
  readonly FileId128?: number | bigint
  readonly LockingTransactionId?: string
  readonly TxInfoFlags?: number
}

/** A decoded entry: the class's fields by their Windows names. */
export interface DirEntry {
  readonly FileName: string
  readonly FileNameLength: number
  readonly NextEntryOffset: number
  readonly FileIndex: number
  readonly CreationTime?: bigint
  readonly LastAccessTime?: bigint
  readonly LastWriteTime?: bigint
  readonly ChangeTime?: bigint
  readonly EndOfFile?: number
  readonly AllocationSize?: number
  readonly FileAttributes?: number
  readonly EaSize?: number
  readonly ReparsePointTag?: number
  readonly ShortNameLength?: number
  readonly ShortName?: string
  readonly FileId?: bigint
  readonly FileId128?: bigint
  readonly LockingTransactionId?: string
  readonly TxInfoFlags?: number
}

export interface DirEncodeResult {
  readonly bytes: Uint8Array
  readonly status: NTSTATUS
  /** IoStatus.Information: bytes written (bytes.length) */
  readonly information: number
  /** how many entries were written whole */
  readonly count: number
  /** the first entry's name did not fit and was cut short (STATUS_BUFFER_OVERFLOW) */
  readonly truncated: boolean
}

const SHORT_NAME_CHARS = 12

function writeEntry(dv: DataView, bytes: Uint8Array, o: number, lay: DirLayout, e: DirEntryInput, nameBytes: number): void {
  // the fixed part field by field (NextEntryOffset is linked by the caller), then the names
  lay.def.writeTo(dv, o, e as unknown as Record<string, never>)
  setU32(dv, o, 0)
  setU32(dv, o + (lay.def.offsets.FileNameLength as number), utf16Bytes(e.FileName))
  if (lay.shortName !== undefined && e.ShortName !== undefined && e.ShortName.length > 0) {
    setU8(dv, o + lay.shortName, utf16Bytes(e.ShortName))
    writeUtf16(bytes, o + lay.shortName + 2, e.ShortName)
  }
  writeUtf16(bytes, o + lay.fileName, e.FileName, nameBytes)
}

/**
 * Packs `entries` of class `cls` into a buffer of `bufferLength` bytes as NTFS does. With
 * `returnSingleEntry` only the first entry is written. An empty list gives
 * STATUS_NO_MORE_FILES (a first query that matches nothing is STATUS_NO_SUCH_FILE; that is the
 * caller's to say).
 */
export function encodeDirEntries(cls: DirClass, entries: readonly DirEntryInput[], bufferLength: number, returnSingleEntry = false): DirEncodeResult {
  const lay = DIR_LAYOUTS[cls] as DirLayout
  const min = DIR_INFO_LENGTH[cls]!
  if (bufferLength < min) return { bytes: new Uint8Array(0), status: STATUS.STATUS_INFO_LENGTH_MISMATCH, information: 0, count: 0, truncated: false }
  if (entries.length === 0) return { bytes: new Uint8Array(0), status: STATUS.STATUS_NO_MORE_FILES, information: 0, count: 0, truncated: false }
  for (const e of entries) {
    if (lay.shortName !== undefined && e.ShortName !== undefined && e.ShortName.length > SHORT_NAME_CHARS) {
      throw new StructError(lay.def.name, `ShortName '${e.ShortName}' is longer than ${SHORT_NAME_CHARS} characters`)
    }
  }
  const first = entries[0]!
  const firstName = utf16Bytes(first.FileName)
  if (lay.fileName + firstName > bufferLength) {
    // the first entry always goes out, its name cut to whole WCHARs
    const copy = alignDown(bufferLength - lay.fileName, 2)
    const bytes = new Uint8Array(lay.fileName + copy)
    writeEntry(view(bytes), bytes, 0, lay, first, copy)
    return { bytes, status: STATUS.STATUS_BUFFER_OVERFLOW, information: bytes.length, count: 0, truncated: true }
  }
  const offsets = [0]
  let end = lay.fileName + firstName
  const limit = returnSingleEntry ? 1 : entries.length
  for (let i = 1; i < limit; i++) {
    const start = align8(end)
    const stop = start + lay.fileName + utf16Bytes(entries[i]!.FileName)
    if (stop > bufferLength) break
    offsets.push(start)
    end = stop
  }
  const bytes = new Uint8Array(end)
  const dv = view(bytes)
  for (let i = 0; i < offsets.length; i++) {
    const e = entries[i]!
    writeEntry(dv, bytes, offsets[i]!, lay, e, utf16Bytes(e.FileName))
    if (i + 1 < offsets.length) setU32(dv, offsets[i]!, offsets[i + 1]! - offsets[i]!)
  }
  return { bytes, status: STATUS.STATUS_SUCCESS, information: end, count: offsets.length, truncated: false }
}

/**
 * Walks a buffer of class `cls` entries by NextEntryOffset. A name cut short by the buffer
 * decodes to the part present (FileNameLength keeps the full length). Throws StructError on an
 * offset that leaves the buffer or goes backwards.
 */
export function decodeDirEntries(cls: DirClass, bytes: Uint8Array): DirEntry[] {
  const lay = DIR_LAYOUTS[cls] as DirLayout
  const out: DirEntry[] = []
  if (bytes.length === 0) return out
  const dv = view(bytes)
  let o = 0
  for (;;) {
    if (o + lay.fileName > bytes.length) throw new StructError(lay.def.name, 'entry runs past the buffer', o)
    const fixed = lay.def.readFrom(dv, o) as Record<string, unknown>
    const len = fixed.FileNameLength as number
    const present = Math.min(len, bytes.length - o - lay.fileName)
    const e: Record<string, unknown> = { ...fixed, FileName: readUtf16(bytes, o + lay.fileName, present) }
    if (lay.shortName !== undefined) {
      const sl = Math.min(u8(dv, o + lay.shortName), SHORT_NAME_CHARS * 2)
      e.ShortNameLength = u8(dv, o + lay.shortName)
      e.ShortName = readUtf16(bytes, o + lay.shortName + 2, sl)
    }
    out.push(e as unknown as DirEntry)
    const next = u32(dv, o)
    if (next === 0) break
    if (next < lay.fileName || (next & 7) !== 0) {
      throw new StructError(lay.def.name, `NextEntryOffset ${next} is not a multiple of 8 past the entry's fixed part`, o)
    }
    o += next
  }
  return out
}

/** The names in a buffer, in order (what NtQueryDirectoryFile's `Entries` output lists). */
export function dirEntryNames(cls: DirClass, bytes: Uint8Array): string[] {
  return decodeDirEntries(cls, bytes).map((e) => e.FileName)
}

// ---------------------------------------------------------------------------------------------
// Fixed-size entries of the NTFS metadata indexes ($ObjId, $Reparse): packed, no links

const FIXED_DIR = {
  FileObjectIdInformation: FILE_OBJECTID_INFORMATION,
  FileReparsePointInformation: FILE_REPARSE_POINT_INFORMATION,
} as const

/** Packs whole fixed-size entries (as many as fit, or one with `returnSingleEntry`). */
export function encodeFixedDirEntries(
  cls: FixedDirClass,
  entries: readonly Record<string, unknown>[],
  bufferLength: number,
  returnSingleEntry = false,
): DirEncodeResult {
  const def = FIXED_DIR[cls] as StructDef<FieldMap>
  if (bufferLength < def.size) return { bytes: new Uint8Array(0), status: STATUS.STATUS_INFO_LENGTH_MISMATCH, information: 0, count: 0, truncated: false }
  if (entries.length === 0) return { bytes: new Uint8Array(0), status: STATUS.STATUS_NO_MORE_FILES, information: 0, count: 0, truncated: false }
  const n = Math.min(entries.length, returnSingleEntry ? 1 : Math.floor(bufferLength / def.size))
  const bytes = new Uint8Array(n * def.size)
  const dv = view(bytes)
  for (let i = 0; i < n; i++) def.writeTo(dv, i * def.size, entries[i] as Record<string, never>)
  return { bytes, status: STATUS.STATUS_SUCCESS, information: bytes.length, count: n, truncated: false }
}

export function decodeFixedDirEntries(cls: FixedDirClass, bytes: Uint8Array): Record<string, unknown>[] {
  const def = FIXED_DIR[cls] as StructDef<FieldMap>
  if (bytes.length % def.size !== 0) throw new StructError(def.name, `buffer of ${bytes.length} bytes is not a whole number of ${def.size}-byte entries`)
  const dv = view(bytes)
  const out: Record<string, unknown>[] = []
  for (let o = 0; o < bytes.length; o += def.size) out.push(def.readFrom(dv, o))
  return out
}
