// The I/O manager's checks on NtQueryInformationFile / NtSetInformationFile before any IRP is
// built: which FILE_INFORMATION_CLASS values each service accepts, the minimum buffer length
// of each (shorter → STATUS_INFO_LENGTH_MISMATCH), and the buffer alignment it probes for.
//
// Sources: the IopQueryOperationLength / IopSetOperationLength tables (ReactOS
// ntoskrnl/include/internal/io_i.h for classes 1..40, the XP-era set; Windows'
// NtQueryInformationFile fails a class whose entry is 0 with STATUS_INVALID_INFO_CLASS and a
// shorter buffer with STATUS_INFO_LENGTH_MISMATCH before referencing the handle). Entries for
// the classes added since Vista are the x64 sizeof of the class's structure (ntifs.h), which is
// how those tables are built. Wine's ntdll tests confirm the floor is the whole sizeof, tail
// WCHAR and padding included: FileNameInformation with 7 bytes gives INFO_LENGTH_MISMATCH and
// with 8 bytes BUFFER_OVERFLOW; FileAllInformation likewise at 103/104 bytes.

import { FILE_INFORMATION_CLASS, type FileInformationClassName, fileInformationClassName } from '../../nt/infoclass.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'

export interface FileInfoLength {
  /** minimum Length for NtQueryInformationFile; 0 = the service rejects the class */
  readonly query: number
  /** minimum Length for NtSetInformationFile; 0 = the service rejects the class */
  readonly set: number
  /** alignment the I/O manager requires of a user-mode buffer (ProbeForWrite/ProbeForRead) */
  readonly alignment: number
  /**
   * only kernel-mode callers may use the class (the *BypassAccessCheck classes, which the I/O
   * manager maps to their plain class); user mode gets STATUS_INVALID_INFO_CLASS
   */
  readonly kernelOnly?: boolean
  /** marks entries not taken from a published table */
  readonly note?: string
}

const Q = (query: number, alignment: number, note?: string): FileInfoLength => ({ query, set: 0, alignment, ...(note ? { note } : {}) })
const S = (set: number, alignment: number, note?: string): FileInfoLength => ({ query: 0, set, alignment, ...(note ? { note } : {}) })
const QS = (query: number, set: number, alignment: number, note?: string): FileInfoLength => ({ query, set, alignment, ...(note ? { note } : {}) })
const K = (set: number, alignment: number): FileInfoLength => ({ query: 0, set, alignment, kernelOnly: true })
const NONE: FileInfoLength = { query: 0, set: 0, alignment: 1 }

// unverified: entries after FileShortNameInformation (40) are the structures' x64 sizeof; the
// Windows tables are not published. Alignment is the structure's natural alignment (the
// IopQuerySetAlignmentRequirement table is not published either).
const POST_XP = 'sizeof of the ntifs.h structure (table not published)'

/** Per FILE_INFORMATION_CLASS: the lengths the I/O manager enforces. */
export const FILE_INFO_LENGTH: { readonly [K in FileInformationClassName]: FileInfoLength } = {
  // directory classes: NtQueryDirectoryFile only (see DIR_INFO_LENGTH in dirinfo.ts)
  FileDirectoryInformation: NONE,
  FileFullDirectoryInformation: NONE,
  FileBothDirectoryInformation: NONE,
  FileBasicInformation: QS(40, 40, 8),
  FileStandardInformation: Q(24, 8),
  FileInternalInformation: Q(8, 8),
  FileEaInformation: Q(4, 4),
  FileAccessInformation: Q(4, 4),
  // sizeof(FILE_NAME_INFORMATION) = ULONG + WCHAR[1] padded to 4 = 8
  FileNameInformation: Q(8, 4),
  // sizeof(FILE_RENAME_INFORMATION) on x64: BOOLEAN/ULONG @0, HANDLE @8, ULONG @16, WCHAR @20 → 24
  FileRenameInformation: S(24, 8),
  FileLinkInformation: S(24, 8),
  FileNamesInformation: NONE,
  FileDispositionInformation: S(1, 1),
  FilePositionInformation: QS(8, 8, 8),
  // EAs go through NtQueryEaFile / NtSetEaFile; both tables hold 0 here
  FileFullEaInformation: NONE,
  FileModeInformation: QS(4, 4, 4),
  FileAlignmentInformation: Q(4, 4),
  // Basic 40 + Standard 24 + Internal 8 + Ea 4 + Access 4 + Position 8 + Mode 4 + Alignment 4
  // + Name 8 = 104
  FileAllInformation: Q(104, 8),
  FileAllocationInformation: S(8, 8),
  FileEndOfFileInformation: S(8, 8),
  FileAlternateNameInformation: Q(8, 4),
  // 4 + 4 + 8 + 8 + WCHAR[1] = 26, padded to 8 = 32
  FileStreamInformation: Q(32, 8),
  FilePipeInformation: QS(8, 8, 4),
  FilePipeLocalInformation: Q(40, 4),
  FilePipeRemoteInformation: QS(16, 16, 8),
  FileMailslotQueryInformation: Q(24, 8),
  FileMailslotSetInformation: S(8, 8),
  FileCompressionInformation: Q(16, 8),
  FileObjectIdInformation: QS(72, 72, 8),
  FileCompletionInformation: S(16, 8),
  FileMoveClusterInformation: S(24, 8),
  FileQuotaInformation: QS(56, 56, 8),
  FileReparsePointInformation: Q(16, 8),
  FileNetworkOpenInformation: Q(56, 8),
  FileAttributeTagInformation: Q(8, 4),
  FileTrackingInformation: S(16, 8),
  FileIdBothDirectoryInformation: NONE,
  FileIdFullDirectoryInformation: NONE,
  FileValidDataLengthInformation: S(8, 8),
  // unverified: ReactOS writes sizeof(UNICODE_STRING) (16 on x64); the buffer is a
  // FILE_NAME_INFORMATION (8), which is what both sizes were on x86
  FileShortNameInformation: S(8, 4, 'FILE_NAME_INFORMATION (ReactOS: sizeof(UNICODE_STRING))'),
  FileIoCompletionNotificationInformation: QS(4, 4, 4, POST_XP),
  FileIoStatusBlockRangeInformation: S(16, 8, POST_XP),
  FileIoPriorityHintInformation: QS(4, 4, 4, POST_XP),
  FileSfioReserveInformation: QS(20, 20, 4, POST_XP),
  FileSfioVolumeInformation: Q(12, 4, POST_XP),
  // FILE_LINKS_INFORMATION: 2 ULONGs + FILE_LINK_ENTRY_INFORMATION (24, LONGLONG-aligned) = 32
  FileHardLinkInformation: Q(32, 8, POST_XP),
  FileProcessIdsUsingFileInformation: Q(16, 8, POST_XP),
  FileNormalizedNameInformation: Q(8, 4, POST_XP),
  FileNetworkPhysicalNameInformation: Q(8, 4, POST_XP),
  FileIdGlobalTxDirectoryInformation: NONE,
  FileIsRemoteDeviceInformation: Q(1, 1, POST_XP),
  FileUnusedInformation: NONE,
  FileNumaNodeInformation: Q(2, 2, POST_XP),
  FileStandardLinkInformation: Q(12, 4, POST_XP),
  FileRemoteProtocolInformation: Q(116, 4, POST_XP),
  FileRenameInformationBypassAccessCheck: K(24, 8),
  FileLinkInformationBypassAccessCheck: K(24, 8),
  FileVolumeNameInformation: Q(8, 4, POST_XP),
  FileIdInformation: Q(24, 8, POST_XP),
  FileIdExtdDirectoryInformation: NONE,
  FileReplaceCompletionInformation: S(16, 8, POST_XP),
  // unverified: FILE_LINKS_FULL_ID_INFORMATION with a byte-aligned FILE_ID_128 → 8 + 28
  FileHardLinkFullIdInformation: Q(36, 4, POST_XP),
  FileIdExtdBothDirectoryInformation: NONE,
  FileDispositionInformationEx: S(4, 4, POST_XP),
  FileRenameInformationEx: S(24, 8, POST_XP),
  FileRenameInformationExBypassAccessCheck: K(24, 8),
  FileDesiredStorageClassInformation: QS(8, 8, 4, POST_XP),
  FileStatInformation: Q(72, 8, POST_XP),
  FileMemoryPartitionInformation: S(16, 8, POST_XP),
  FileStatLxInformation: Q(96, 8, POST_XP),
  FileCaseSensitiveInformation: QS(4, 4, 4, POST_XP),
  FileLinkInformationEx: S(24, 8, POST_XP),
  FileLinkInformationExBypassAccessCheck: K(24, 8),
  FileStorageReserveIdInformation: QS(4, 4, 4, POST_XP),
  FileCaseSensitiveInformationForceAccessCheck: K(4, 4),
  FileKnownFolderInformation: QS(4, 4, 4, POST_XP),
  FileStatBasicInformation: Q(104, 8, POST_XP),
  FileId64ExtdDirectoryInformation: NONE,
  FileId64ExtdBothDirectoryInformation: NONE,
  FileIdAllExtdDirectoryInformation: NONE,
  FileIdAllExtdBothDirectoryInformation: NONE,
}

/** The plain class a kernel-only *BypassAccessCheck class stands for. */
export const BYPASS_CLASS_TARGET: { readonly [name: string]: FileInformationClassName } = {
  FileRenameInformationBypassAccessCheck: 'FileRenameInformation',
  FileLinkInformationBypassAccessCheck: 'FileLinkInformation',
  FileRenameInformationExBypassAccessCheck: 'FileRenameInformationEx',
  FileLinkInformationExBypassAccessCheck: 'FileLinkInformationEx',
  FileCaseSensitiveInformationForceAccessCheck: 'FileCaseSensitiveInformation',
}

function lookup(cls: number | FileInformationClassName): FileInfoLength | undefined {
  const name = typeof cls === 'number' ? fileInformationClassName(cls) : cls
  if (name === undefined || !(name in FILE_INFORMATION_CLASS)) return undefined
  return FILE_INFO_LENGTH[name]
}

/**
 * NtQueryInformationFile's checks before the handle is referenced: STATUS_INVALID_INFO_CLASS
 * for a class outside the table or with entry 0, STATUS_INFO_LENGTH_MISMATCH for a shorter
 * buffer, else STATUS_SUCCESS.
 */
export function checkQueryInformationFile(cls: number | FileInformationClassName, length: number): NTSTATUS {
  const e = lookup(cls)
  if (!e || e.query === 0) return STATUS.STATUS_INVALID_INFO_CLASS
  if (length < e.query) return STATUS.STATUS_INFO_LENGTH_MISMATCH
  return STATUS.STATUS_SUCCESS
}

/**
 * NtSetInformationFile's checks. `kernelMode` admits the *BypassAccessCheck classes, which
 * user mode may not use.
 */
export function checkSetInformationFile(cls: number | FileInformationClassName, length: number, kernelMode = false): NTSTATUS {
  const e = lookup(cls)
  if (!e || e.set === 0 || (e.kernelOnly && !kernelMode)) return STATUS.STATUS_INVALID_INFO_CLASS
  if (length < e.set) return STATUS.STATUS_INFO_LENGTH_MISMATCH
  return STATUS.STATUS_SUCCESS
}
