import { describe, expect, it } from 'vitest'
import type { DetailInput } from './procmon.ts'
import { accessText, attributeLetters, procmonCategory, procmonDetail, procmonOperation, procmonResult } from './procmon.ts'
import { filetimeFromCivil } from './format.test-helpers.ts'

/** An event as the emulator would emit it at completion. */
function ev(op: string, params: Record<string, unknown>, more: Partial<DetailInput> = {}): DetailInput {
  return { op, phase: 'post', flags: [], params, status: 'STATUS_SUCCESS', ...more }
}

const ft = filetimeFromCivil

// Each case: an event reconstructed from a row of the real Process Monitor captures in
// shared/reference/captures, and that row's Operation, Result and Detail, verbatim.
const rows: [string, DetailInput, string, string, string][] = [
  [
    'Explorer DeleteFile open',
    ev('IRP_MJ_CREATE', { DesiredAccess: ['FILE_READ_ATTRIBUTES', 'DELETE'], CreateDisposition: 'FILE_OPEN', CreateOptions: 0x200040, FileAttributes: 0, ShareAccess: 7 }, { information: 1 }),
    'CreateFile',
    'SUCCESS',
    'Desired Access: Read Attributes, Delete, Disposition: Open, Options: Non-Directory File, Open Reparse Point, Attributes: n/a, ShareMode: Read, Write, Delete, AllocationSize: n/a, OpenResult: Opened',
  ],
  [
    'probe of a missing .lnk',
    ev('IRP_MJ_CREATE', { DesiredAccess: 0x80, CreateDisposition: 1, CreateOptions: 0x200000, ShareAccess: 7 }, { status: 'STATUS_OBJECT_NAME_NOT_FOUND' }),
    'CreateFile',
    'NAME NOT FOUND',
    'Desired Access: Read Attributes, Disposition: Open, Options: Open Reparse Point, Attributes: n/a, ShareMode: Read, Write, Delete, AllocationSize: n/a',
  ],
  [
    'notepad open for read',
    ev('IRP_MJ_CREATE', { DesiredAccess: 0x80000000, CreateDisposition: 1, CreateOptions: 0x60, FileAttributes: 0x80, ShareAccess: 3 }, { information: 1 }),
    'CreateFile',
    'SUCCESS',
    'Desired Access: Generic Read, Disposition: Open, Options: Synchronous IO Non-Alert, Non-Directory File, Attributes: N, ShareMode: Read, Write, AllocationSize: n/a, OpenResult: Opened',
  ],
  [
    'notepad save',
    ev('IRP_MJ_CREATE', { DesiredAccess: 0xc0000000, CreateDisposition: 3, CreateOptions: 0x60, FileAttributes: 0x80, ShareAccess: 1, AllocationSize: 0 }, { information: 1 }),
    'CreateFile',
    'SUCCESS',
    'Desired Access: Generic Read/Write, Disposition: OpenIf, Options: Synchronous IO Non-Alert, Non-Directory File, Attributes: N, ShareMode: Read, AllocationSize: 0, OpenResult: Opened',
  ],
  [
    'new .lnk',
    ev('IRP_MJ_CREATE', { DesiredAccess: 0xc0000000, CreateDisposition: 5, CreateOptions: 0x60, ShareAccess: 3 }, { information: 2 }),
    'CreateFile',
    'SUCCESS',
    'Desired Access: Generic Read/Write, Disposition: OverwriteIf, Options: Synchronous IO Non-Alert, Non-Directory File, Attributes: n/a, ShareMode: Read, Write, AllocationSize: 0, OpenResult: Created',
  ],
  [
    'directory create collision',
    ev('IRP_MJ_CREATE', { DesiredAccess: 0x100001, CreateDisposition: 2, CreateOptions: 0x200021, FileAttributes: 0x80, ShareAccess: 3, AllocationSize: 0 }, { status: 'STATUS_OBJECT_NAME_COLLISION' }),
    'CreateFile',
    'NAME COLLISION',
    'Desired Access: Read Data/List Directory, Synchronize, Disposition: Create, Options: Directory, Synchronous IO Non-Alert, Open Reparse Point, Attributes: N, ShareMode: Read, Write, AllocationSize: 0',
  ],
  [
    'impersonated open that failed',
    ev('IRP_MJ_CREATE', { DesiredAccess: 'GENERIC_READ', CreateDisposition: 'FILE_OPEN', CreateOptions: ['FILE_SYNCHRONOUS_IO_NONALERT', 'FILE_NON_DIRECTORY_FILE'], ShareAccess: ['FILE_SHARE_READ', 'FILE_SHARE_DELETE'], Impersonating: 'DESKTOP-6PCIALL\\test' }, { status: 'STATUS_OBJECT_NAME_NOT_FOUND' }),
    'CreateFile',
    'NAME NOT FOUND',
    'Desired Access: Generic Read, Disposition: Open, Options: Synchronous IO Non-Alert, Non-Directory File, Attributes: n/a, ShareMode: Read, Delete, AllocationSize: n/a, Impersonating: DESKTOP-6PCIALL\\test',
  ],
  [
    'cached write',
    ev('IRP_MJ_WRITE', { ByteOffset: 0, Length: 135 }, { information: 135 }),
    'WriteFile',
    'SUCCESS',
    'Offset: 0, Length: 135, Priority: Normal',
  ],
  [
    'lazy writer paging write',
    ev('IRP_MJ_WRITE', { ByteOffset: 5242880, Length: 1048576, Priority: 'Very Low' }, { flags: ['IRP_NOCACHE', 'IRP_PAGING_IO', 'IRP_SYNCHRONOUS_PAGING_IO'], information: 1048576 }),
    'WriteFile',
    'SUCCESS',
    'Offset: 5,242,880, Length: 1,048,576, I/O Flags: Non-cached, Paging I/O, Synchronous Paging I/O, Priority: Very Low',
  ],
  [
    'mapped page writer write',
    ev('IRP_MJ_WRITE', { ByteOffset: 16384, Length: 16384 }, { flags: ['IRP_NOCACHE', 'IRP_PAGING_IO'], information: 16384 }),
    'WriteFile',
    'SUCCESS',
    'Offset: 16,384, Length: 16,384, I/O Flags: Non-cached, Paging I/O, Priority: Normal',
  ],
  [
    'fast I/O write refused by a filter',
    ev('FASTIO_WRITE', { ByteOffset: 26776, Length: 32768 }, { status: 'STATUS_FLT_DISALLOW_FAST_IO' }),
    'WriteFile',
    'FAST IO DISALLOWED',
    'Offset: 26,776, Length: 32,768',
  ],
  [
    'fast I/O write that succeeded',
    ev('FASTIO_WRITE', { ByteOffset: 223384, Length: 24736 }, { information: 24736 }),
    'WriteFile',
    'SUCCESS',
    'Offset: 223,384, Length: 24,736',
  ],
  [
    'write-through non-cached write',
    ev('IRP_MJ_WRITE', { ByteOffset: 196608, Length: 32768 }, { flags: ['IRP_NOCACHE'], information: 32768 }),
    'WriteFile',
    'SUCCESS',
    'Offset: 196,608, Length: 32,768, I/O Flags: Non-cached, Priority: Normal',
  ],
  ['delete', ev('IRP_MJ_SET_INFORMATION', { FileInformationClass: 'FileDispositionInformation', DeleteFile: true }, { minor: 'FileDispositionInformation' }), 'SetDispositionInformationFile', 'SUCCESS', 'Delete: True'],
  ['set end of file', ev('IRP_MJ_SET_INFORMATION', { EndOfFile: 3584 }, { minor: 'FileEndOfFileInformation' }), 'SetEndOfFileInformationFile', 'SUCCESS', 'EndOfFile: 3,584'],
  ['set allocation', ev('IRP_MJ_SET_INFORMATION', { AllocationSize: 135 }, { minor: 'FileAllocationInformation' }), 'SetAllocationInformationFile', 'SUCCESS', 'AllocationSize: 135'],
  [
    'set basic: only LastWriteTime',
    ev('IRP_MJ_SET_INFORMATION', { CreationTime: 0, LastAccessTime: 0, LastWriteTime: ft(2020, 7, 11, 16, 33, 18), ChangeTime: 0, FileAttributes: 0 }, { minor: 'FileBasicInformation' }),
    'SetBasicInformationFile',
    'SUCCESS',
    'CreationTime: 1/1/1601 12:00:00 AM, LastAccessTime: 1/1/1601 12:00:00 AM, LastWriteTime: 7/11/2020 4:33:18 PM, ChangeTime: 1/1/1601 12:00:00 AM, FileAttributes: n/a',
  ],
  [
    'query attribute tag',
    ev('IRP_MJ_QUERY_INFORMATION', {}, { minor: 'FileAttributeTagInformation', output: { FileAttributes: ['FILE_ATTRIBUTE_ARCHIVE'], ReparseTag: 0 } }),
    'QueryAttributeTagFile',
    'SUCCESS',
    'Attributes: A, ReparseTag: 0x0',
  ],
  [
    'query standard',
    ev('IRP_MJ_QUERY_INFORMATION', {}, { minor: 'FileStandardInformation', output: { AllocationSize: 4096, EndOfFile: 3584, NumberOfLinks: 1, DeletePending: false, Directory: false } }),
    'QueryStandardInformationFile',
    'SUCCESS',
    'AllocationSize: 4,096, EndOfFile: 3,584, NumberOfLinks: 1, DeletePending: False, Directory: False',
  ],
  [
    'query basic',
    ev('IRP_MJ_QUERY_INFORMATION', {}, {
      minor: 'FileBasicInformation',
      output: { CreationTime: ft(2020, 7, 11, 9, 58, 47), LastAccessTime: ft(2020, 7, 11, 9, 58, 47), LastWriteTime: ft(2020, 7, 11, 15, 52, 19), ChangeTime: ft(2020, 7, 11, 15, 52, 19), FileAttributes: 0x20 },
    }),
    'QueryBasicInformationFile',
    'SUCCESS',
    'CreationTime: 7/11/2020 9:58:47 AM, LastAccessTime: 7/11/2020 9:58:47 AM, LastWriteTime: 7/11/2020 3:52:19 PM, ChangeTime: 7/11/2020 3:52:19 PM, FileAttributes: A',
  ],
  [
    'query all, truncated by the buffer',
    ev('IRP_MJ_QUERY_INFORMATION', {}, {
      minor: 'FileAllInformation',
      status: 'STATUS_BUFFER_OVERFLOW',
      output: {
        CreationTime: ft(2020, 7, 11, 16, 14, 59), LastAccessTime: ft(2020, 7, 11, 16, 14, 59), LastWriteTime: ft(2020, 7, 11, 16, 23, 59), ChangeTime: ft(2020, 7, 11, 16, 23, 59),
        FileAttributes: 0x20, AllocationSize: 136, EndOfFile: 129, NumberOfLinks: 1, DeletePending: false, Directory: false,
        IndexNumber: 0x2000000017fab, EaSize: 0, AccessFlags: 0x80000000, CurrentByteOffset: 0, Mode: 0x20, AlignmentRequirement: 3,
      },
    }),
    'QueryAllInformationFile',
    'BUFFER OVERFLOW',
    'CreationTime: 7/11/2020 4:14:59 PM, LastAccessTime: 7/11/2020 4:14:59 PM, LastWriteTime: 7/11/2020 4:23:59 PM, ChangeTime: 7/11/2020 4:23:59 PM, FileAttributes: A, AllocationSize: 136, EndOfFile: 129, NumberOfLinks: 1, DeletePending: False, Directory: False, IndexNumber: 0x2000000017fab, EaSize: 0, Access: Generic Read, Position: 0, Mode: Synchronous IO Non-Alert, AlignmentRequirement: Long',
  ],
  [
    'query network open (Procmon prints sizes as dates)',
    ev('IRP_MJ_QUERY_INFORMATION', {}, {
      minor: 'FileNetworkOpenInformation',
      output: { CreationTime: ft(2020, 7, 11, 16, 14, 59), LastAccessTime: ft(2020, 7, 11, 16, 14, 59), LastWriteTime: ft(2020, 7, 12, 1, 18, 18), ChangeTime: ft(2020, 7, 12, 1, 18, 18), AllocationSize: 0, EndOfFile: 0, FileAttributes: 0x20 },
    }),
    'QueryNetworkOpenInformationFile',
    'SUCCESS',
    'CreationTime: 7/11/2020 4:14:59 PM, LastAccessTime: 7/11/2020 4:14:59 PM, LastWriteTime: 7/12/2020 1:18:18 AM, ChangeTime: 7/12/2020 1:18:18 AM, AllocationSize: 1/1/1601 12:00:00 AM, EndOfFile: 1/1/1601 12:00:00 AM, FileAttributes: A',
  ],
  ['query name', ev('IRP_MJ_QUERY_INFORMATION', {}, { minor: 'FileNameInformation', output: { FileName: '\\Users\\test\\Downloads\\asdcascascasc.txt' } }), 'QueryNameInformationFile', 'SUCCESS', 'Name: \\Users\\test\\Downloads\\asdcascascasc.txt'],
  ['query normalized name', ev('IRP_MJ_QUERY_INFORMATION', {}, { minor: 'FileNormalizedNameInformation', output: { FileName: '\\x' } }), 'QueryNormalizedNameInformationFile', 'SUCCESS', ''],
  ['query internal', ev('IRP_MJ_QUERY_INFORMATION', {}, { minor: 'FileInternalInformation', output: { IndexNumber: 0x6000000016671 } }), 'QueryFileInternalInformationFile', 'SUCCESS', 'IndexNumber: 0x6000000016671'],
  ['query id', ev('IRP_MJ_QUERY_INFORMATION', {}, { minor: 'FileIdInformation' }), 'QueryIdInformation', 'SUCCESS', ''],
  [
    'query directory with a filter',
    ev('IRP_MJ_DIRECTORY_CONTROL', { FileName: 'asdcascascasc.txt', FileInformationClass: 'FileBothDirectoryInformation' }, { minor: 'IRP_MN_QUERY_DIRECTORY', output: { Entries: ['asdcascascasc.txt'] } }),
    'QueryDirectory',
    'SUCCESS',
    'Filter: asdcascascasc.txt, 1: asdcascascasc.txt, FileInformationClass: FileBothDirectoryInformation',
  ],
  [
    'query directory listing (FileInformationClass takes slot 2)',
    ev('IRP_MJ_DIRECTORY_CONTROL', { FileInformationClass: 37 }, {
      minor: 'IRP_MN_QUERY_DIRECTORY',
      output: { Entries: ['.', '..', 'desktop.ini', 'KMSpico-setup', 'KMSpico-setup.zip', 'LogFileMy32.csv', 'LogFileMy32.PML', 'Procmon.exe'] },
    }),
    'QueryDirectory',
    'SUCCESS',
    '0: ., 1: .., FileInformationClass: FileIdBothDirectoryInformation, 3: KMSpico-setup, 4: KMSpico-setup.zip, 5: LogFileMy32.csv, 6: LogFileMy32.PML, 7: Procmon.exe',
  ],
  ['query directory, one entry', ev('IRP_MJ_DIRECTORY_CONTROL', { FileInformationClass: 3 }, { minor: 'IRP_MN_QUERY_DIRECTORY', output: { Entries: ['..'] } }), 'QueryDirectory', 'SUCCESS', '0: ..'],
  ['query directory, no match', ev('IRP_MJ_DIRECTORY_CONTROL', { FileName: 'cmd', FileInformationClass: 3 }, { minor: 'IRP_MN_QUERY_DIRECTORY', status: 'STATUS_NO_SUCH_FILE' }), 'QueryDirectory', 'NO SUCH FILE', 'Filter: cmd'],
  ['query directory, end', ev('IRP_MJ_DIRECTORY_CONTROL', { FileInformationClass: 3 }, { minor: 'IRP_MN_QUERY_DIRECTORY', status: 'STATUS_NO_MORE_FILES' }), 'QueryDirectory', 'NO MORE FILES', ''],
  [
    'change notification',
    ev('IRP_MJ_DIRECTORY_CONTROL', { CompletionFilter: 0x15 }, { minor: 'IRP_MN_NOTIFY_CHANGE_DIRECTORY' }),
    'NotifyChangeDirectory',
    'SUCCESS',
    'Filter: FILE_NOTIFY_CHANGE_FILE_NAME, FILE_NOTIFY_CHANGE_ATTRIBUTES, FILE_NOTIFY_CHANGE_LAST_WRITE',
  ],
  ['FSCTL', ev('IRP_MJ_FILE_SYSTEM_CONTROL', { FsControlCode: 0x900c0 }, { minor: 'IRP_MN_USER_FS_REQUEST' }), 'FileSystemControl', 'SUCCESS', 'Control: FSCTL_CREATE_OR_GET_OBJECT_ID'],
  ['FSCTL on a non-reparse directory', ev('IRP_MJ_FILE_SYSTEM_CONTROL', { FsControlCode: 'FSCTL_GET_REPARSE_POINT' }, { status: 'STATUS_NOT_A_REPARSE_POINT' }), 'FileSystemControl', 'NOT REPARSE POINT', 'Control: FSCTL_GET_REPARSE_POINT'],
  ['unknown FSCTL', ev('IRP_MJ_FILE_SYSTEM_CONTROL', { FsControlCode: 0x902eb }), 'FileSystemControl', 'SUCCESS', 'Control: 0x902eb (Device:0x9 Function:186 Method: 3)'],
  ['offload read', ev('IRP_MJ_FILE_SYSTEM_CONTROL', { FsControlCode: 0x94264, FileOffset: 0, CopyLength: 2097152 }), 'FileSystemControl', 'SUCCESS', 'Control: FSCTL_OFFLOAD_READ, Offset: 0, Length: 2,097,152'],
  ['IOCTL named by the emitter', ev('IRP_MJ_DEVICE_CONTROL', { IoControlCode: 0x4d0008 }, { minor: 'IOCTL_MOUNTDEV_QUERY_DEVICE_NAME', status: 'STATUS_FLT_DISALLOW_FAST_IO' }), 'DeviceIoControl', 'FAST IO DISALLOWED', 'Control: IOCTL_MOUNTDEV_QUERY_DEVICE_NAME'],
  [
    'byte-range lock',
    ev('IRP_MJ_LOCK_CONTROL', { ByteOffset: 2147483538, Length: 1, ExclusiveLock: true, FailImmediately: true }, { minor: 'IRP_MN_LOCK' }),
    'LockFile',
    'SUCCESS',
    'Exclusive: True, Offset: 2,147,483,538, Length: 1, Fail Immediately: True',
  ],
  ['byte-range unlock', ev('IRP_MJ_LOCK_CONTROL', { ByteOffset: 2147483539, Length: 20 }, { minor: 'IRP_MN_UNLOCK_SINGLE' }), 'UnlockFileSingle', 'SUCCESS', 'Offset: 2,147,483,539, Length: 20'],
  [
    'section creation, refused share',
    ev('IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION', { SyncType: 'SyncTypeCreateSection', PageProtection: 'PAGE_READONLY' }, { status: 'STATUS_FILE_LOCKED_WITH_ONLY_READERS' }),
    'CreateFileMapping',
    'FILE LOCKED WITH ONLY READERS',
    'SyncType: SyncTypeCreateSection, PageProtection: PAGE_READONLY',
  ],
  [
    'image section',
    ev('IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION', { SyncType: 1, PageProtection: 0x220 }, { status: 'STATUS_FILE_LOCKED_WITH_ONLY_READERS' }),
    'CreateFileMapping',
    'FILE LOCKED WITH ONLY READERS',
    'SyncType: SyncTypeCreateSection, PageProtection: PAGE_EXECUTE_READ|PAGE_NOCACHE',
  ],
  ['section with only PAGE_NOCACHE', ev('IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION', { SyncType: 1, PageProtection: 0x200 }, { status: 'STATUS_FILE_LOCKED_WITH_WRITERS' }), 'CreateFileMapping', 'FILE LOCKED WITH WRITERS', 'SyncType: SyncTypeCreateSection, PageProtection: |PAGE_NOCACHE'],
  ['section sync, other', ev('IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION', { SyncType: 'SyncTypeOther' }), 'CreateFileMapping', 'SUCCESS', 'SyncType: SyncTypeOther'],
  ['release for section', ev('IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION', {}), 'FASTIO_RELEASE_FOR_SECTION_SYNCHRONIZATION', 'SUCCESS', ''],
  ['acquire for mod write', ev('IRP_MJ_ACQUIRE_FOR_MOD_WRITE', { EndingOffset: 1048576 }), 'FASTIO_ACQUIRE_FOR_MOD_WRITE', 'SUCCESS', 'EndingOffset: 1,048,576'],
  ['release for mod write', ev('IRP_MJ_RELEASE_FOR_MOD_WRITE', {}), 'FASTIO_RELEASE_FOR_MOD_WRITE', 'SUCCESS', ''],
  ['acquire for cc flush', ev('IRP_MJ_ACQUIRE_FOR_CC_FLUSH', {}), 'FASTIO_ACQUIRE_FOR_CC_FLUSH', 'SUCCESS', ''],
  ['query open refused', ev('IRP_MJ_NETWORK_QUERY_OPEN', {}, { status: 'STATUS_FLT_DISALLOW_FAST_IO' }), 'QueryOpen', 'FAST IO DISALLOWED', ''],
  ['MDL read complete', ev('FASTIO_MDL_READ_COMPLETE', { MdlChain: '0xffffa90f24a614f0' }), 'FASTIO_MDL_READ_COMPLETE', 'SUCCESS', 'MDL: 0xffffa90f24a614f0'],
  ['query security', ev('IRP_MJ_QUERY_SECURITY', { SecurityInformation: 0x4 }), 'QuerySecurityFile', 'SUCCESS', 'Information: DACL'],
  ['query security, all', ev('IRP_MJ_QUERY_SECURITY', { SecurityInformation: 0x1f }), 'QuerySecurityFile', 'SUCCESS', 'Information: Owner, Group, DACL, SACL, Label'],
  ['cleanup', ev('IRP_MJ_CLEANUP', {}), 'CloseFile', 'SUCCESS', ''],
  ['flush', ev('IRP_MJ_FLUSH_BUFFERS', {}), 'FlushBuffersFile', 'SUCCESS', ''],
  ['query EA', ev('IRP_MJ_QUERY_EA', {}), 'QueryEAFile', 'SUCCESS', ''],
  [
    'volume information',
    ev('IRP_MJ_QUERY_VOLUME_INFORMATION', {}, { minor: 'FileFsVolumeInformation', output: { VolumeCreationTime: ft(2020, 7, 11, 21, 7, 57), VolumeSerialNumber: 0xa85a5794, SupportsObjects: true, VolumeLabel: '' } }),
    'QueryInformationVolume',
    'SUCCESS',
    'VolumeCreationTime: 7/11/2020 9:07:57 PM, VolumeSerialNumber: A85A-5794, SupportsObjects: True, VolumeLabel: ',
  ],
  [
    'volume attributes',
    ev('IRP_MJ_QUERY_VOLUME_INFORMATION', {}, { minor: 'FileFsAttributeInformation', output: { FileSystemAttributes: 0x3e700ff, MaximumComponentNameLength: 255, FileSystemName: 'NTFS' } }),
    'QueryAttributeInformationVolume',
    'SUCCESS',
    'FileSystemAttributes: Case Preserved, Case Sensitive, Unicode, ACLs, Compression, Named Streams, EFS, Object IDs, Reparse Points, Sparse Files, Quotas, Transactions, 0x3c00000, MaximumComponentNameLength: 255, FileSystemName: NTFS',
  ],
  [
    'volume size',
    ev('IRP_MJ_QUERY_VOLUME_INFORMATION', {}, { minor: 'FileFsSizeInformation', output: { TotalAllocationUnits: 7863807, AvailableAllocationUnits: 5314124, SectorsPerAllocationUnit: 8, BytesPerSector: 512 } }),
    'QuerySizeInformationVolume',
    'SUCCESS',
    'TotalAllocationUnits: 7,863,807, AvailableAllocationUnits: 5,314,124, SectorsPerAllocationUnit: 8, BytesPerSector: 512',
  ],
  [
    'volume full size',
    ev('IRP_MJ_QUERY_VOLUME_INFORMATION', {}, { minor: 'FileFsFullSizeInformation', output: { TotalAllocationUnits: 7706623, CallerAvailableAllocationUnits: 1808570, ActualAvailableAllocationUnits: 1808570, SectorsPerAllocationUnit: 8, BytesPerSector: 512 } }),
    'QueryFullSizeInformationVolume',
    'SUCCESS',
    'TotalAllocationUnits: 7,706,623, CallerAvailableAllocationUnits: 1,808,570, ActualAvailableAllocationUnits: 1,808,570, SectorsPerAllocationUnit: 8, BytesPerSector: 512',
  ],
  [
    'volume object id',
    ev('IRP_MJ_QUERY_VOLUME_INFORMATION', {}, { minor: 'FileFsObjectIdInformation', output: { ObjectId: Uint8Array.from([0x7c, 0x8b, 0x93, 0x68, 0xee, 0x53, 0x50, 0x4a, 0xa2, 0x99, 0x1e, 0xdc, 0xb3, 0xae, 0x7a, 0x4a]) } }),
    'QueryObjectIdInformationVolume',
    'SUCCESS',
    'ObjectId: 7C8B9368EE53504AA2991EDCB3AE7A4A',
  ],
]

describe('Process Monitor view of events, against real captures', () => {
  it.each(rows)('%s', (_what, e, operation, result, detail) => {
    expect(procmonOperation(e.op, e.minor)).toBe(operation)
    expect(procmonResult(e.status)).toBe(result)
    expect(procmonDetail(e)).toBe(detail)
  })
})

describe('operation names', () => {
  it.each([
    ['IRP_MJ_CLEANUP', undefined, 'CloseFile'],
    ['IRP_MJ_CLOSE', undefined, 'IRP_MJ_CLOSE'],
    ['IRP_MJ_SET_INFORMATION', 'FileRenameInformation', 'SetRenameInformationFile'],
    ['IRP_MJ_SET_INFORMATION', 'FileDispositionInformationEx', 'SetDispositionInformationEx'],
    ['IRP_MJ_SET_INFORMATION', 'FileRenameInformationEx', 'SetRenameInformationEx'],
    ['IRP_MJ_SET_INFORMATION', 'FileLinkInformation', 'SetLinkInformationFile'],
    ['IRP_MJ_SET_INFORMATION', 'FileValidDataLengthInformation', 'SetValidDataLengthInformationFile'],
    ['IRP_MJ_SET_INFORMATION', 'FileCaseSensitiveInformation', 'SetInformationFile'],
    ['IRP_MJ_QUERY_INFORMATION', 'FileAccessInformation', 'QueryInformationFile'],
    ['IRP_MJ_QUERY_INFORMATION', 35, 'QueryAttributeTagFile'],
    ['IRP_MJ_QUERY_VOLUME_INFORMATION', 'FileFsSizeInformation', 'QuerySizeInformationVolume'],
    ['IRP_MJ_QUERY_VOLUME_INFORMATION', 'FileFsSectorSizeInformation', 'QueryVolumeInformation'],
    ['IRP_MJ_LOCK_CONTROL', 'IRP_MN_UNLOCK_ALL', 'UnlockFileAll'],
    ['IRP_MJ_LOCK_CONTROL', 4, 'UnlockFileByKey'],
    ['IRP_MJ_DIRECTORY_CONTROL', 'IRP_MN_QUERY_DIRECTORY', 'QueryDirectory'],
    ['FASTIO_NETWORK_QUERY_OPEN', undefined, 'QueryOpen'],
    ['FASTIO_ACQUIRE_FOR_SECTION_SYNCHRONIZATION', undefined, 'CreateFileMapping'],
    ['FASTIO_READ', undefined, 'ReadFile'],
    ['FASTIO_LOCK', undefined, 'LockFile'],
    ['IRP_MJ_QUERY_SECURITY', undefined, 'QuerySecurityFile'],
    ['IRP_MJ_PNP', undefined, 'PlugAndPlay'],
  ] as const)('%s %s → %s', (op, minor, name) => {
    expect(procmonOperation(op, minor)).toBe(name)
  })
})

describe('result text', () => {
  it('uses Procmon names and hex for the rest', () => {
    expect(procmonResult('STATUS_SUCCESS')).toBe('SUCCESS')
    expect(procmonResult('STATUS_OBJECT_PATH_NOT_FOUND')).toBe('PATH NOT FOUND')
    expect(procmonResult('STATUS_FILE_IS_A_DIRECTORY')).toBe('IS DIRECTORY')
    expect(procmonResult('STATUS_DIRECTORY_NOT_EMPTY')).toBe('NOT EMPTY')
    expect(procmonResult('STATUS_BUFFER_OVERFLOW')).toBe('BUFFER OVERFLOW')
    expect(procmonResult('STATUS_OPLOCK_HANDLE_CLOSED')).toBe('OPLOCK HANDLE CLOSED')
    expect(procmonResult(0xc000046f)).toBe('0xC000046F')
    expect(procmonResult('STATUS_STOPPED_ON_SYMLINK')).toBe('0x8000002D')
    expect(procmonResult('STATUS_PENDING')).toBe('')
    expect(procmonResult(undefined)).toBe('')
  })
})

describe('vocabularies', () => {
  it('spells access masks as Procmon does', () => {
    expect(accessText(0x80000000)).toBe('Generic Read')
    expect(accessText(0xc0010000)).toBe('Generic Read/Write, Delete')
    expect(accessText(0x40000080)).toBe('Generic Write, Read Attributes')
    expect(accessText(0x001f01ff)).toBe('All Access')
    expect(accessText(0x100021)).toBe('Read Data/List Directory, Execute/Traverse, Synchronize')
    expect(accessText(0)).toBe('None 0x0')
  })
  it('spells attributes as letters', () => {
    expect(attributeLetters(0x2026)).toBe('HSANCI')
    expect(attributeLetters(0x11)).toBe('RD')
    expect(attributeLetters(0)).toBe('n/a')
  })
  it('assigns Procmon categories', () => {
    expect(procmonCategory(ev('IRP_MJ_READ', {}))).toBe('Read')
    expect(procmonCategory(ev('IRP_MJ_CREATE', { CreateDisposition: 5 }, { information: 2 }))).toBe('Write')
    expect(procmonCategory(ev('IRP_MJ_CREATE', { CreateDisposition: 3 }, { information: 1 }))).toBe('')
    expect(procmonCategory(ev('IRP_MJ_SET_INFORMATION', { DeleteFile: true }, { minor: 'FileDispositionInformation' }))).toBe('Write')
    expect(procmonCategory(ev('IRP_MJ_SET_INFORMATION', { EndOfFile: 1 }, { minor: 'FileEndOfFileInformation' }))).toBe('Write Metadata')
    expect(procmonCategory(ev('IRP_MJ_QUERY_INFORMATION', {}, { minor: 'FileStandardInformation' }))).toBe('Read Metadata')
    expect(procmonCategory(ev('IRP_MJ_FILE_SYSTEM_CONTROL', { FsControlCode: 'FSCTL_SET_REPARSE_POINT' }))).toBe('Write Metadata')
    expect(procmonCategory(ev('IRP_MJ_CLEANUP', {}))).toBe('')
  })
  it('shows the request length before completion and the transfer after', () => {
    const pre: DetailInput = { op: 'IRP_MJ_READ', phase: 'pre', flags: [], params: { ByteOffset: 0, Length: 4096 } }
    expect(procmonDetail(pre)).toBe('Offset: 0, Length: 4,096, Priority: Normal')
    expect(procmonDetail({ ...pre, phase: 'post', status: 'STATUS_SUCCESS', information: 1417 })).toBe('Offset: 0, Length: 1,417, Priority: Normal')
    expect(procmonDetail({ ...pre, params: { ByteOffset: 0, Length: 4096, WriteThrough: true } })).toBe('Offset: 0, Length: 4,096, I/O Flags: Write Through, Priority: Normal')
  })
  it('shows rename targets in Win32 form', () => {
    const e = ev('IRP_MJ_SET_INFORMATION', { ReplaceIfExists: false, FileName: '\\??\\C:\\dir\\new.txt' }, { minor: 'FileRenameInformation' })
    expect(procmonDetail(e)).toBe('ReplaceIfExists: False, FileName: C:\\dir\\new.txt')
  })
})
