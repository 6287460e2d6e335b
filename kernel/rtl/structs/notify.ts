// Change notification buffers (NtNotifyChangeDirectoryFile, IRP_MN_NOTIFY_CHANGE_DIRECTORY):
// FILE_NOTIFY_INFORMATION chains and FILE_NOTIFY_EXTENDED_INFORMATION (the
// ReadDirectoryNotifyExtendedInformation class of NtNotifyChangeDirectoryFileEx).
//
// FILE_NOTIFY_INFORMATION: NextEntryOffset (ULONG) 0, Action (ULONG) 4, FileNameLength (bytes)
// 8, FileName 12; entries DWORD-aligned (MS-FSCC FILE_NOTIFY_INFORMATION). The overflow rule is
// all or nothing: when the pending changes do not fit the caller's buffer, nothing is returned and
// the status is
// STATUS_NOTIFY_ENUM_DIR, telling the caller to re-enumerate the directory
// (ReadDirectoryChangesW: "the entire contents of the buffer are discarded and
// lpBytesReturned is zero"; MS-FSA change notification). A zero-length buffer always overflows.

import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import { StructError, align4, align8, readUtf16, setU32, u32, utf16Bytes, view, writeUtf16 } from './buffer.ts'
import { defineStruct } from './struct.ts'

export const FILE_NOTIFY_INFORMATION = { NextEntryOffset: 0, Action: 4, FileNameLength: 8, FileName: 12 } as const

/** One change: a FILE_ACTION_* and the name relative to the watched directory. */
export interface NotifyEntry {
  readonly Action: number
  readonly FileName: string
}

export interface NotifyEncodeResult {
  readonly bytes: Uint8Array
  readonly status: NTSTATUS
  readonly information: number
}

/**
 * Packs `entries` into a buffer of `bufferLength` bytes, or nothing with STATUS_NOTIFY_ENUM_DIR
 * when they do not all fit. Information is the end of the last entry (its name unpadded). No
 * entries gives STATUS_SUCCESS and nothing (a notify request completes only when there are).
 */
export function encodeNotifyEntries(entries: readonly NotifyEntry[], bufferLength: number): NotifyEncodeResult {
  const N = FILE_NOTIFY_INFORMATION
  const offsets: number[] = []
  let end = 0
  for (const e of entries) {
    const start = align4(end)
    offsets.push(start)
    end = start + N.FileName + utf16Bytes(e.FileName)
  }
  if (end > bufferLength) return { bytes: new Uint8Array(0), status: STATUS.STATUS_NOTIFY_ENUM_DIR, information: 0 }
  const bytes = new Uint8Array(end)
  const dv = view(bytes)
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!
    const o = offsets[i]!
    if (i + 1 < entries.length) setU32(dv, o + N.NextEntryOffset, offsets[i + 1]! - o)
    setU32(dv, o + N.Action, e.Action)
    setU32(dv, o + N.FileNameLength, utf16Bytes(e.FileName))
    writeUtf16(bytes, o + N.FileName, e.FileName)
  }
  return { bytes, status: STATUS.STATUS_SUCCESS, information: end }
}

/** Walks a FILE_NOTIFY_INFORMATION chain; throws StructError for an entry past the buffer. */
export function decodeNotifyEntries(bytes: Uint8Array): NotifyEntry[] {
  const N = FILE_NOTIFY_INFORMATION
  const out: NotifyEntry[] = []
  if (bytes.length === 0) return out
  const dv = view(bytes)
  let o = 0
  for (;;) {
    if (o + N.FileName > bytes.length) throw new StructError('FILE_NOTIFY_INFORMATION', 'entry runs past the buffer', o)
    const len = u32(dv, o + N.FileNameLength)
    if (o + N.FileName + len > bytes.length) throw new StructError('FILE_NOTIFY_INFORMATION', `FileNameLength ${len} runs past the buffer`, o)
    out.push({ Action: u32(dv, o + N.Action), FileName: readUtf16(bytes, o + N.FileName, len) })
    const next = u32(dv, o + N.NextEntryOffset)
    if (next === 0) break
    if (next < N.FileName + len || (next & 3) !== 0) {
      throw new StructError('FILE_NOTIFY_INFORMATION', `NextEntryOffset ${next} is not a DWORD-aligned offset past the entry`, o)
    }
    o += next
  }
  return out
}

/** FILE_NOTIFY_EXTENDED_INFORMATION's fixed part (ntifs.h); FileName at 84. */
export const FILE_NOTIFY_EXTENDED_INFORMATION = defineStruct('FILE_NOTIFY_EXTENDED_INFORMATION', 88, {
  NextEntryOffset: ['u32', 0],
  Action: ['u32', 4],
  CreationTime: ['time', 8],
  LastModificationTime: ['time', 16],
  LastChangeTime: ['time', 24],
  LastAccessTime: ['time', 32],
  AllocatedLength: ['size', 40],
  FileSize: ['size', 48],
  FileAttributes: ['u32', 56],
  ReparsePointTag: ['u32', 60],
  FileId: ['id', 64],
  ParentFileId: ['id', 72],
  FileNameLength: ['u32', 80],
})
export const EXTENDED_NOTIFY_FILE_NAME = 84

export interface NotifyExtendedEntry {
  readonly Action: number
  readonly FileName: string
  readonly CreationTime?: number | bigint
  readonly LastModificationTime?: number | bigint
  readonly LastChangeTime?: number | bigint
  readonly LastAccessTime?: number | bigint
  readonly AllocatedLength?: number | bigint
  readonly FileSize?: number | bigint
  readonly FileAttributes?: number
  readonly ReparsePointTag?: number
  readonly FileId?: number | bigint
  readonly ParentFileId?: number | bigint
}

/**
 * The extended form, same all-or-nothing rule. unverified: entries 8-byte aligned (the
 * structure holds LARGE_INTEGERs); Windows' exact packing of this class is not documented.
 */
export function encodeNotifyExtendedEntries(entries: readonly NotifyExtendedEntry[], bufferLength: number): NotifyEncodeResult {
  const offsets: number[] = []
  let end = 0
  for (const e of entries) {
    const start = align8(end)
    offsets.push(start)
    end = start + EXTENDED_NOTIFY_FILE_NAME + utf16Bytes(e.FileName)
  }
  if (end > bufferLength) return { bytes: new Uint8Array(0), status: STATUS.STATUS_NOTIFY_ENUM_DIR, information: 0 }
  const bytes = new Uint8Array(end)
  const dv = view(bytes)
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!
    const o = offsets[i]!
    FILE_NOTIFY_EXTENDED_INFORMATION.writeTo(dv, o, { ...e, NextEntryOffset: i + 1 < entries.length ? offsets[i + 1]! - o : 0, FileNameLength: utf16Bytes(e.FileName) })
    writeUtf16(bytes, o + EXTENDED_NOTIFY_FILE_NAME, e.FileName)
  }
  return { bytes, status: STATUS.STATUS_SUCCESS, information: end }
}

export function decodeNotifyExtendedEntries(bytes: Uint8Array): (ReturnType<typeof FILE_NOTIFY_EXTENDED_INFORMATION.readFrom> & { FileName: string })[] {
  const out: (ReturnType<typeof FILE_NOTIFY_EXTENDED_INFORMATION.readFrom> & { FileName: string })[] = []
  if (bytes.length === 0) return out
  const dv = view(bytes)
  let o = 0
  for (;;) {
    if (o + EXTENDED_NOTIFY_FILE_NAME > bytes.length) throw new StructError('FILE_NOTIFY_EXTENDED_INFORMATION', 'entry runs past the buffer', o)
    const fixed = FILE_NOTIFY_EXTENDED_INFORMATION.readFrom(dv, o)
    const len = Math.min(fixed.FileNameLength, bytes.length - o - EXTENDED_NOTIFY_FILE_NAME)
    out.push({ ...fixed, FileName: readUtf16(bytes, o + EXTENDED_NOTIFY_FILE_NAME, len) })
    if (fixed.NextEntryOffset === 0) break
    o += fixed.NextEntryOffset
  }
  return out
}
