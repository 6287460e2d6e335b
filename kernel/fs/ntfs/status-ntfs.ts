// NTSTATUS values the NTFS driver returns that kernel/nt/status.ts does not list yet (ntstatus.h).
// They belong in that table; until they are there, the driver takes them from here.

/** a name (object id) is not unique on the volume (MS-FSA 2.1.5.10.35 FSCTL_SET_OBJECT_ID) */
export const STATUS_DUPLICATE_NAME = 0xc00000bd
/** the volume label is too long or has invalid characters */
export const STATUS_INVALID_VOLUME_LABEL = 0xc0000086
/** the volume has no active USN change journal (FSCTL_QUERY_USN_JOURNAL on a volume made by mkntfs) */
export const STATUS_JOURNAL_NOT_ACTIVE = 0xc00002a3
