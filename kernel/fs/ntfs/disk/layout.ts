// NTFS 3.1 on-disk constants: attribute type codes, record and attribute flags, well-known
// MFT record numbers, the $AttrDef table. Values as in the Linux-NTFS documentation and
// ntfs-3g's layout.h (read for the format; nothing copied).

export const ATTR = {
  STANDARD_INFORMATION: 0x10,
  ATTRIBUTE_LIST: 0x20,
  FILE_NAME: 0x30,
  OBJECT_ID: 0x40,
  SECURITY_DESCRIPTOR: 0x50,
  VOLUME_NAME: 0x60,
  VOLUME_INFORMATION: 0x70,
  DATA: 0x80,
  INDEX_ROOT: 0x90,
  INDEX_ALLOCATION: 0xa0,
  BITMAP: 0xb0,
  REPARSE_POINT: 0xc0,
  EA_INFORMATION: 0xd0,
  EA: 0xe0,
  LOGGED_UTILITY_STREAM: 0x100,
  END: 0xffffffff,
} as const

export const ATTR_NAMES: Record<number, string> = {
  0x10: '$STANDARD_INFORMATION',
  0x20: '$ATTRIBUTE_LIST',
  0x30: '$FILE_NAME',
  0x40: '$OBJECT_ID',
  0x50: '$SECURITY_DESCRIPTOR',
  0x60: '$VOLUME_NAME',
  0x70: '$VOLUME_INFORMATION',
  0x80: '$DATA',
  0x90: '$INDEX_ROOT',
  0xa0: '$INDEX_ALLOCATION',
  0xb0: '$BITMAP',
  0xc0: '$REPARSE_POINT',
  0xd0: '$EA_INFORMATION',
  0xe0: '$EA',
  0x100: '$LOGGED_UTILITY_STREAM',
}

export function attrTypeName(type: number): string {
  return ATTR_NAMES[type] ?? `attribute 0x${type.toString(16)}`
}

/** MFT_RECORD.flags */
export const MFT_RECORD_IN_USE = 0x0001
export const MFT_RECORD_IS_DIRECTORY = 0x0002
export const MFT_RECORD_IS_4 = 0x0004 // set on $Extend's children by mkntfs
export const MFT_RECORD_IS_VIEW_INDEX = 0x0008

/** ATTR_RECORD.flags */
export const ATTR_IS_COMPRESSED = 0x0001
export const ATTR_IS_ENCRYPTED = 0x4000
export const ATTR_IS_SPARSE = 0x8000

/** resident attribute flag: the attribute is indexed ($FILE_NAME) */
export const RESIDENT_ATTR_IS_INDEXED = 0x01

/** FILE_ATTRIBUTE_* (MS-FSCC 2.6) and the NTFS-internal bits of $FILE_NAME */
export const FILE_ATTRIBUTE_READONLY = 0x1
export const FILE_ATTRIBUTE_HIDDEN = 0x2
export const FILE_ATTRIBUTE_SYSTEM = 0x4
export const FILE_ATTRIBUTE_DIRECTORY = 0x10
export const FILE_ATTRIBUTE_ARCHIVE = 0x20
export const FILE_ATTRIBUTE_NORMAL = 0x80
export const FILE_ATTRIBUTE_SPARSE_FILE = 0x200
export const FILE_ATTRIBUTE_REPARSE_POINT = 0x400
export const FILE_ATTRIBUTE_COMPRESSED = 0x800
/** $FILE_NAME / $I30 duplicated attributes: the record has a $I30 index (a directory) */
export const FILE_ATTR_I30_INDEX_PRESENT = 0x10000000
/** the record has a view index ($Secure, $Extend\$Quota …) */
export const FILE_ATTR_VIEW_INDEX_PRESENT = 0x20000000

/** well-known MFT record numbers */
export const FILE_MFT = 0
export const FILE_MFTMirr = 1
export const FILE_LogFile = 2
export const FILE_Volume = 3
export const FILE_AttrDef = 4
export const FILE_root = 5
export const FILE_Bitmap = 6
export const FILE_Boot = 7
export const FILE_BadClus = 8
export const FILE_Secure = 9
export const FILE_UpCase = 10
export const FILE_Extend = 11
/** the first record a user file may get (16–23 are reserved for $MFT extension records) */
export const FIRST_USER_RECORD = 24
/** where user files start (ntfs-3g reserves records below 64 and so does the in-memory store) */
export const FIRST_ALLOCATED_RECORD = 64

/** collation rules ($INDEX_ROOT.collation_rule) */
export const COLLATION_BINARY = 0x00
export const COLLATION_FILE_NAME = 0x01
export const COLLATION_NTOFS_ULONG = 0x10
export const COLLATION_NTOFS_SID = 0x11
export const COLLATION_NTOFS_SECURITY_HASH = 0x12
export const COLLATION_NTOFS_ULONGS = 0x13

/** $VOLUME_INFORMATION flags */
export const VOLUME_IS_DIRTY = 0x0001

/** size of $STANDARD_INFORMATION in NTFS 3.x (with owner, security id, quota, usn) */
export const STD_INFO_SIZE = 72
/** size of $FILE_NAME before the name */
export const FILE_NAME_HEADER = 66

/** $AttrDef entry flags */
const ATTR_DEF_INDEXABLE = 0x02
const ATTR_DEF_RESIDENT = 0x40
const ATTR_DEF_ALWAYS_LOG = 0x80

export interface AttrDefEntry {
  name: string
  type: number
  flags: number
  minSize: number
  /** -1 for no limit */
  maxSize: number
}

/** The standard NTFS 3.1 attribute definition table ($AttrDef), as Windows and mkntfs write it. */
export const ATTR_DEFS: readonly AttrDefEntry[] = [
  { name: '$STANDARD_INFORMATION', type: 0x10, flags: ATTR_DEF_RESIDENT, minSize: 48, maxSize: 72 },
  { name: '$ATTRIBUTE_LIST', type: 0x20, flags: ATTR_DEF_ALWAYS_LOG, minSize: 0, maxSize: -1 },
  { name: '$FILE_NAME', type: 0x30, flags: ATTR_DEF_RESIDENT | ATTR_DEF_INDEXABLE, minSize: 68, maxSize: 578 },
  { name: '$OBJECT_ID', type: 0x40, flags: ATTR_DEF_RESIDENT, minSize: 0, maxSize: 256 },
  { name: '$SECURITY_DESCRIPTOR', type: 0x50, flags: ATTR_DEF_ALWAYS_LOG, minSize: 0, maxSize: -1 },
  { name: '$VOLUME_NAME', type: 0x60, flags: ATTR_DEF_RESIDENT, minSize: 2, maxSize: 256 },
  { name: '$VOLUME_INFORMATION', type: 0x70, flags: ATTR_DEF_RESIDENT, minSize: 12, maxSize: 12 },
  { name: '$DATA', type: 0x80, flags: 0, minSize: 0, maxSize: -1 },
  { name: '$INDEX_ROOT', type: 0x90, flags: ATTR_DEF_RESIDENT, minSize: 0, maxSize: -1 },
  { name: '$INDEX_ALLOCATION', type: 0xa0, flags: ATTR_DEF_ALWAYS_LOG, minSize: 0, maxSize: -1 },
  { name: '$BITMAP', type: 0xb0, flags: ATTR_DEF_ALWAYS_LOG, minSize: 0, maxSize: -1 },
  { name: '$REPARSE_POINT', type: 0xc0, flags: ATTR_DEF_ALWAYS_LOG, minSize: 0, maxSize: 16384 },
  { name: '$EA_INFORMATION', type: 0xd0, flags: ATTR_DEF_RESIDENT, minSize: 8, maxSize: 8 },
  { name: '$EA', type: 0xe0, flags: 0, minSize: 0, maxSize: 65536 },
  { name: '$LOGGED_UTILITY_STREAM', type: 0x100, flags: ATTR_DEF_ALWAYS_LOG, minSize: 0, maxSize: 65536 },
]

/** attribute types that must stay resident */
export function mustBeResident(type: number): boolean {
  return ATTR_DEFS.some((d) => d.type === type && (d.flags & ATTR_DEF_RESIDENT) !== 0)
}
