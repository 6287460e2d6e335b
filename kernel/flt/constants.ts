// Filter Manager constants with their fltKernel.h names and values: pre/post callback statuses,
// callback-data flags, registration and operation-registration flags, instance setup and
// teardown flags, context types, file-name options and I/O operation flags.

/** FLT_PREOP_CALLBACK_STATUS */
export const FLT_PREOP_SUCCESS_WITH_CALLBACK = 0
export const FLT_PREOP_SUCCESS_NO_CALLBACK = 1
export const FLT_PREOP_PENDING = 2
export const FLT_PREOP_DISALLOW_FASTIO = 3
export const FLT_PREOP_COMPLETE = 4
export const FLT_PREOP_SYNCHRONIZE = 5
export const FLT_PREOP_DISALLOW_FSFILTER_IO = 6
export type FLT_PREOP_CALLBACK_STATUS = number

export const FLT_PREOP_NAMES: Record<number, string> = {
  0: 'FLT_PREOP_SUCCESS_WITH_CALLBACK',
  1: 'FLT_PREOP_SUCCESS_NO_CALLBACK',
  2: 'FLT_PREOP_PENDING',
  3: 'FLT_PREOP_DISALLOW_FASTIO',
  4: 'FLT_PREOP_COMPLETE',
  5: 'FLT_PREOP_SYNCHRONIZE',
  6: 'FLT_PREOP_DISALLOW_FSFILTER_IO',
}

/** FLT_POSTOP_CALLBACK_STATUS */
export const FLT_POSTOP_FINISHED_PROCESSING = 0
export const FLT_POSTOP_MORE_PROCESSING_REQUIRED = 1
export const FLT_POSTOP_DISALLOW_FSFILTER_IO = 2
export type FLT_POSTOP_CALLBACK_STATUS = number

/** FLT_CALLBACK_DATA.Flags */
export const FLTFL_CALLBACK_DATA_REISSUE_MASK = 0x0000ffff
export const FLTFL_CALLBACK_DATA_IRP_OPERATION = 0x00000001
export const FLTFL_CALLBACK_DATA_FAST_IO_OPERATION = 0x00000002
export const FLTFL_CALLBACK_DATA_FS_FILTER_OPERATION = 0x00000004
export const FLTFL_CALLBACK_DATA_SYSTEM_BUFFER = 0x00000008
export const FLTFL_CALLBACK_DATA_GENERATED_IO = 0x00010000
export const FLTFL_CALLBACK_DATA_REISSUED_IO = 0x00020000
export const FLTFL_CALLBACK_DATA_DRAINING_IO = 0x00040000
export const FLTFL_CALLBACK_DATA_POST_OPERATION = 0x00080000
export const FLTFL_CALLBACK_DATA_NEW_SYSTEM_BUFFER = 0x00100000
export const FLTFL_CALLBACK_DATA_DIRTY = 0x80000000

/** the Flags of a post-operation callback */
export const FLTFL_POST_OPERATION_DRAINING = 0x00000001

/** FLT_OPERATION_REGISTRATION.Flags */
export const FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO = 0x00000001
export const FLTFL_OPERATION_REGISTRATION_SKIP_CACHED_IO = 0x00000002
export const FLTFL_OPERATION_REGISTRATION_SKIP_NON_DASD_IO = 0x00000004
export const FLTFL_OPERATION_REGISTRATION_SKIP_NON_CACHED_NON_PAGING_IO = 0x00000008

/** FLT_REGISTRATION.Flags */
export const FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP = 0x00000001
export const FLTFL_REGISTRATION_SUPPORT_NPFS_MSFS = 0x00000002
export const FLTFL_REGISTRATION_SUPPORT_DAX_VOLUME = 0x00000004
export const FLTFL_REGISTRATION_SUPPORT_WCOS = 0x00000008

export const FLT_REGISTRATION_VERSION_0200 = 0x0200
export const FLT_REGISTRATION_VERSION_0201 = 0x0201
export const FLT_REGISTRATION_VERSION_0202 = 0x0202
export const FLT_REGISTRATION_VERSION_0203 = 0x0203
export const FLT_REGISTRATION_VERSION = FLT_REGISTRATION_VERSION_0203

/** InstanceSetupCallback Flags */
export const FLTFL_INSTANCE_SETUP_AUTOMATIC_ATTACHMENT = 0x00000001
export const FLTFL_INSTANCE_SETUP_MANUAL_ATTACHMENT = 0x00000002
export const FLTFL_INSTANCE_SETUP_NEWLY_MOUNTED_VOLUME = 0x00000004
export const FLTFL_INSTANCE_SETUP_DETACHED_VOLUME = 0x00000008

/** InstanceTeardownStart/CompleteCallback Reason */
export const FLTFL_INSTANCE_TEARDOWN_MANUAL = 0x00000001
export const FLTFL_INSTANCE_TEARDOWN_FILTER_UNLOAD = 0x00000002
export const FLTFL_INSTANCE_TEARDOWN_MANDATORY_FILTER_UNLOAD = 0x00000004
export const FLTFL_INSTANCE_TEARDOWN_VOLUME_DISMOUNT = 0x00000008
export const FLTFL_INSTANCE_TEARDOWN_INTERNAL_ERROR = 0x00000010

/** FilterUnloadCallback Flags */
export const FLTFL_FILTER_UNLOAD_MANDATORY = 0x00000001

/** The instance flags of a filter's INF (Instances\<name>\Flags) */
export const INSTANCE_FLAG_NO_AUTOMATIC_ATTACH = 0x1
export const INSTANCE_FLAG_NO_MANUAL_ATTACH = 0x2

/** FLT_CONTEXT_TYPE */
export const FLT_VOLUME_CONTEXT = 0x0001
export const FLT_INSTANCE_CONTEXT = 0x0002
export const FLT_FILE_CONTEXT = 0x0004
export const FLT_STREAM_CONTEXT = 0x0008
export const FLT_STREAMHANDLE_CONTEXT = 0x0010
export const FLT_TRANSACTION_CONTEXT = 0x0020
export const FLT_SECTION_CONTEXT = 0x0040
export const FLT_CONTEXT_END = 0xffff
export type FLT_CONTEXT_TYPE = number

export const FLT_CONTEXT_TYPE_NAMES: Record<number, string> = {
  0x0001: 'FLT_VOLUME_CONTEXT',
  0x0002: 'FLT_INSTANCE_CONTEXT',
  0x0004: 'FLT_FILE_CONTEXT',
  0x0008: 'FLT_STREAM_CONTEXT',
  0x0010: 'FLT_STREAMHANDLE_CONTEXT',
  0x0020: 'FLT_TRANSACTION_CONTEXT',
  0x0040: 'FLT_SECTION_CONTEXT',
}

/** FLT_CONTEXT_REGISTRATION.Flags */
export const FLTFL_CONTEXT_REGISTRATION_NO_EXACT_SIZE_MATCH = 0x00000001
/** FLT_CONTEXT_REGISTRATION.Size for contexts of any size ((SIZE_T)-1) */
export const FLT_VARIABLE_SIZED_CONTEXTS = -1

/** FLT_SET_CONTEXT_OPERATION */
export const FLT_SET_CONTEXT_REPLACE_IF_EXISTS = 0
export const FLT_SET_CONTEXT_KEEP_IF_EXISTS = 1

/** POOL_TYPE values the samples pass */
export const NonPagedPool = 0
export const PagedPool = 1
export const NonPagedPoolNx = 512

/** FLT_FILE_NAME_OPTIONS: format (low byte), query method (second byte), flags (high byte) */
export const FLT_VALID_FILE_NAME_FORMATS = 0x000000ff
export const FLT_FILE_NAME_NORMALIZED = 0x01
export const FLT_FILE_NAME_OPENED = 0x02
export const FLT_FILE_NAME_SHORT = 0x03
export const FLT_VALID_FILE_NAME_QUERY_METHODS = 0x0000ff00
export const FLT_FILE_NAME_QUERY_DEFAULT = 0x0100
export const FLT_FILE_NAME_QUERY_CACHE_ONLY = 0x0200
export const FLT_FILE_NAME_QUERY_FILESYSTEM_ONLY = 0x0300
export const FLT_FILE_NAME_QUERY_ALWAYS_ALLOW_CACHE_LOOKUP = 0x0400
export const FLT_VALID_FILE_NAME_FLAGS = 0xff000000
export const FLT_FILE_NAME_REQUEST_FROM_CURRENT_PROVIDER = 0x01000000
export const FLT_FILE_NAME_DO_NOT_CACHE = 0x02000000
export const FLT_FILE_NAME_ALLOW_QUERY_ON_REPARSE = 0x04000000

/** FLT_FILE_NAME_INFORMATION.NamesParsed */
export const FLTFL_FILE_NAME_PARSED_FINAL_COMPONENT = 0x0001
export const FLTFL_FILE_NAME_PARSED_EXTENSION = 0x0002
export const FLTFL_FILE_NAME_PARSED_STREAM = 0x0004
export const FLTFL_FILE_NAME_PARSED_PARENT_DIR = 0x0008

/** FltReadFile / FltWriteFile Flags */
export const FLTFL_IO_OPERATION_NON_CACHED = 0x00000001
export const FLTFL_IO_OPERATION_PAGING = 0x00000002
export const FLTFL_IO_OPERATION_DO_NOT_UPDATE_BYTE_OFFSET = 0x00000004
export const FLTFL_IO_OPERATION_SYNCHRONOUS_PAGING = 0x00000008

/** FltAllocateCallbackDataEx Flags */
export const FLT_ALLOCATE_CALLBACK_DATA_PREALLOCATE_ALL_MEMORY = 0x00000001

/** IoCreateFile / FltCreateFile Flags (wdm.h) */
export const IO_FORCE_ACCESS_CHECK = 0x0001
export const IO_NO_PARAMETER_CHECKING = 0x0100
export const IO_IGNORE_SHARE_ACCESS_CHECK = 0x0800
export const IO_STOP_ON_SYMLINK = 0x0004

/** FLT_FILESYSTEM_TYPE */
export const FLT_FSTYPE_UNKNOWN = 0
export const FLT_FSTYPE_RAW = 1
export const FLT_FSTYPE_NTFS = 2
export const FLT_FSTYPE_FAT = 3
export const FLT_FSTYPE_REFS = 0x1c

/** KPROCESSOR_MODE */
export const KernelMode = 0
export const UserMode = 1

/** the ECP FltCreateFile attaches to name the instance the create starts below (fltKernel.h) */
export const GUID_ECP_FLT_CREATEFILE_TARGET = '{ce08041d-f411-447f-b70d-ccee45c23fac}'

/** FLT_MAX_DEVICE_REPARSE_ATTEMPTS */
export const FLT_MAX_DEVICE_REPARSE_ATTEMPTS = 64

/** DEVICE_TYPE of a volume as InstanceSetupCallback receives it (FILE_DEVICE_DISK_FILE_SYSTEM) */
export const FILE_DEVICE_DISK_FILE_SYSTEM = 0x00000008

/**
 * FLTMGR_FILE_SYSTEM (0xF5) parameter 1 values. 0x66, 0x68, 0x6A, 0x6D and 0x6E are documented
 * (Bug Check 0xF5 reference); the others name violations Windows also stops on but whose code
 * is not published.
 */
export const FLTMGR_BUGCHECK = {
  /** documented: SUCCESS_WITH_CALLBACK or SYNCHRONIZE returned without a post-operation callback */
  NO_POST_CALLBACK: 0x66,
  /** documented: a FLT_FILE_NAME_INFORMATION released more often than referenced */
  NAME_OVER_RELEASED: 0x68,
  /** documented: FltCancelFileOpen after a handle was created */
  CANCEL_OPEN_AFTER_HANDLE: 0x6a,
  /** documented: a context released more often than referenced */
  CONTEXT_OVER_RELEASED: 0x6d,
  /** documented: a context referenced after it was freed */
  CONTEXT_USED_AFTER_FREE: 0x6e,
  /** unverified: code for an invalid pre-operation callback status */
  INVALID_PREOP_STATUS: 0x70,
  /** unverified: code for an invalid post-operation callback status */
  INVALID_POSTOP_STATUS: 0x71,
  /** unverified: code for completing an operation that is not pended (or twice) */
  NOT_PENDED: 0x72,
  /** unverified: code for an invalid completion status (STATUS_PENDING, or a failure for cleanup/close) */
  INVALID_COMPLETION_STATUS: 0x73,
  /** unverified: code for a pended operation left pending when the instance's teardown needs it */
  INVALID_CALL: 0x74,
} as const
