// Win32 constants of the file APIs (winnt.h, fileapi.h, winbase.h, minwinbase.h) with their
// real values. NT-level constants (FILE_ATTRIBUTE_*, FILE_SHARE_*, access rights) live in
// kernel/nt; these are the ones only kernel32 knows.

import { ACCESS } from '../nt/access.ts'
import { FILE_ATTRIBUTE, SHARE_ACCESS } from '../nt/file.ts'

/** CreateFileW dwCreationDisposition (fileapi.h) */
export const CREATION_DISPOSITION = {
  CREATE_NEW: 1,
  CREATE_ALWAYS: 2,
  OPEN_EXISTING: 3,
  OPEN_ALWAYS: 4,
  TRUNCATE_EXISTING: 5,
} as const

/** CreateFileW dwFlagsAndAttributes: the FILE_FLAG_* bits (winbase.h) */
export const FILE_FLAG = {
  FILE_FLAG_WRITE_THROUGH: 0x80000000,
  FILE_FLAG_OVERLAPPED: 0x40000000,
  FILE_FLAG_NO_BUFFERING: 0x20000000,
  FILE_FLAG_RANDOM_ACCESS: 0x10000000,
  FILE_FLAG_SEQUENTIAL_SCAN: 0x08000000,
  FILE_FLAG_DELETE_ON_CLOSE: 0x04000000,
  FILE_FLAG_BACKUP_SEMANTICS: 0x02000000,
  FILE_FLAG_POSIX_SEMANTICS: 0x01000000,
  FILE_FLAG_SESSION_AWARE: 0x00800000,
  FILE_FLAG_OPEN_REPARSE_POINT: 0x00200000,
  FILE_FLAG_OPEN_NO_RECALL: 0x00100000,
  FILE_FLAG_FIRST_PIPE_INSTANCE: 0x00080000,
  FILE_FLAG_OPEN_REQUIRING_OPLOCK: 0x00040000,
} as const

/** dwFlagsAndAttributes: SECURITY_SQOS_PRESENT shares its bit with FILE_FLAG_OPEN_NO_RECALL */
export const SECURITY_SQOS_PRESENT = 0x00100000

/** Everything CreateFileW's dwFlagsAndAttributes may name: attributes and flags. */
export const FLAGS_AND_ATTRIBUTES = { ...FILE_ATTRIBUTE, ...FILE_FLAG } as const

/** dwDesiredAccess names: the NT rights plus the generic ones */
export const DESIRED_ACCESS = ACCESS

/** dwShareMode names */
export const SHARE_MODE = SHARE_ACCESS

export const INVALID_HANDLE_VALUE = -1
export const INVALID_FILE_ATTRIBUTES = 0xffffffff
export const INVALID_FILE_SIZE = 0xffffffff

/** SetFilePointerEx dwMoveMethod */
export const MOVE_METHOD = {
  FILE_BEGIN: 0,
  FILE_CURRENT: 1,
  FILE_END: 2,
} as const

/** MoveFileExW dwFlags (winbase.h) */
export const MOVEFILE = {
  MOVEFILE_REPLACE_EXISTING: 0x00000001,
  MOVEFILE_COPY_ALLOWED: 0x00000002,
  MOVEFILE_DELAY_UNTIL_REBOOT: 0x00000004,
  MOVEFILE_WRITE_THROUGH: 0x00000008,
  MOVEFILE_CREATE_HARDLINK: 0x00000010,
  MOVEFILE_FAIL_IF_NOT_TRACKABLE: 0x00000020,
} as const

/** CopyFileExW / CopyFile2 dwCopyFlags (winbase.h) */
export const COPY_FILE = {
  COPY_FILE_FAIL_IF_EXISTS: 0x00000001,
  COPY_FILE_RESTARTABLE: 0x00000002,
  COPY_FILE_OPEN_SOURCE_FOR_WRITE: 0x00000004,
  COPY_FILE_ALLOW_DECRYPTED_DESTINATION: 0x00000008,
  COPY_FILE_DIRECTORY: 0x00000080,
  COPY_FILE_COPY_SYMLINK: 0x00000800,
  COPY_FILE_NO_BUFFERING: 0x00001000,
  COPY_FILE_REQUEST_SECURITY_PRIVILEGES: 0x00002000,
  COPY_FILE_RESUME_FROM_PAUSE: 0x00004000,
  COPY_FILE_SKIP_ALTERNATE_STREAMS: 0x00008000,
  COPY_FILE_NO_OFFLOAD: 0x00040000,
  COPY_FILE_OPEN_AND_COPY_REPARSE_POINT: 0x00200000,
  COPY_FILE_IGNORE_EDP_BLOCK: 0x00400000,
  COPY_FILE_IGNORE_SOURCE_ENCRYPTION: 0x00800000,
  COPY_FILE_DONT_REQUEST_DEST_WRITE_DAC: 0x02000000,
  COPY_FILE_DISABLE_PRE_ALLOCATION: 0x04000000,
  COPY_FILE_ENABLE_LOW_FREE_SPACE_MODE: 0x08000000,
  COPY_FILE_REQUEST_COMPRESSED_TRAFFIC: 0x10000000,
  COPY_FILE_ENABLE_SPARSE_COPY: 0x20000000,
} as const

/** LPPROGRESS_ROUTINE dwCallbackReason (CopyFileExW, MoveFileWithProgressW) */
export const CALLBACK_REASON = {
  CALLBACK_CHUNK_FINISHED: 0,
  CALLBACK_STREAM_SWITCH: 1,
} as const

/** LPPROGRESS_ROUTINE return values */
export const PROGRESS = {
  PROGRESS_CONTINUE: 0,
  PROGRESS_CANCEL: 1,
  PROGRESS_STOP: 2,
  PROGRESS_QUIET: 3,
} as const

/** COPYFILE2_MESSAGE_TYPE */
export const COPYFILE2_MESSAGE_TYPE = {
  COPYFILE2_CALLBACK_NONE: 0,
  COPYFILE2_CALLBACK_CHUNK_STARTED: 1,
  COPYFILE2_CALLBACK_CHUNK_FINISHED: 2,
  COPYFILE2_CALLBACK_STREAM_STARTED: 3,
  COPYFILE2_CALLBACK_STREAM_FINISHED: 4,
  COPYFILE2_CALLBACK_POLL_CONTINUE: 5,
  COPYFILE2_CALLBACK_ERROR: 6,
} as const

/** COPYFILE2_MESSAGE_ACTION */
export const COPYFILE2_MESSAGE_ACTION = {
  COPYFILE2_PROGRESS_CONTINUE: 0,
  COPYFILE2_PROGRESS_CANCEL: 1,
  COPYFILE2_PROGRESS_STOP: 2,
  COPYFILE2_PROGRESS_QUIET: 3,
  COPYFILE2_PROGRESS_PAUSE: 4,
} as const

/** FILE_INFO_BY_HANDLE_CLASS (minwinbase.h) */
export const FILE_INFO_BY_HANDLE_CLASS = {
  FileBasicInfo: 0,
  FileStandardInfo: 1,
  FileNameInfo: 2,
  FileRenameInfo: 3,
  FileDispositionInfo: 4,
  FileAllocationInfo: 5,
  FileEndOfFileInfo: 6,
  FileStreamInfo: 7,
  FileCompressionInfo: 8,
  FileAttributeTagInfo: 9,
  FileIdBothDirectoryInfo: 10,
  FileIdBothDirectoryRestartInfo: 11,
  FileIoPriorityHintInfo: 12,
  FileRemoteProtocolInfo: 13,
  FileFullDirectoryInfo: 14,
  FileFullDirectoryRestartInfo: 15,
  FileStorageInfo: 16,
  FileAlignmentInfo: 17,
  FileIdInfo: 18,
  FileIdExtdDirectoryInfo: 19,
  FileIdExtdDirectoryRestartInfo: 20,
  FileDispositionInfoEx: 21,
  FileRenameInfoEx: 22,
  FileCaseSensitiveInfo: 23,
  FileNormalizedNameInfo: 24,
} as const

/** FINDEX_INFO_LEVELS */
export const FINDEX_INFO_LEVELS = {
  FindExInfoStandard: 0,
  FindExInfoBasic: 1,
} as const

/** FINDEX_SEARCH_OPS */
export const FINDEX_SEARCH_OPS = {
  FindExSearchNameMatch: 0,
  FindExSearchLimitToDirectories: 1,
  FindExSearchLimitToDevices: 2,
} as const

/** FindFirstFileExW dwAdditionalFlags */
export const FIND_FIRST_EX = {
  FIND_FIRST_EX_CASE_SENSITIVE: 0x00000001,
  FIND_FIRST_EX_LARGE_FETCH: 0x00000002,
  FIND_FIRST_EX_ON_DISK_ENTRIES_ONLY: 0x00000004,
} as const

/** GET_FILEEX_INFO_LEVELS */
export const GET_FILEEX_INFO_LEVELS = {
  GetFileExInfoStandard: 0,
} as const
