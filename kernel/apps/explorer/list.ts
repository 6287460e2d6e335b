// Listing a folder, as explorer.exe does when the user opens one: open the directory for
// listing, read its entries with NtQueryDirectoryFile in large buffers until
// STATUS_NO_MORE_FILES, close. The trace shows exactly these IRPs: IRP_MJ_CREATE,
// IRP_MJ_DIRECTORY_CONTROL/IRP_MN_QUERY_DIRECTORY (QueryDirectory) until NO MORE FILES,
// IRP_MJ_CLEANUP (CloseFile) and IRP_MJ_CLOSE.

import type { Co } from '../../ke/index.ts'
import type { IoManager } from '../../io/iomgr.ts'
import * as nt from '../../io/services/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_DISPOSITION, CREATE_OPTIONS, FILE_ATTRIBUTE, SHARE_ACCESS } from '../../nt/file.ts'
import { FILE_INFORMATION_CLASS } from '../../nt/infoclass.ts'
import { STATUS } from '../../nt/status.ts'
import { decodeDirEntries, type DirEntry } from '../../rtl/structs/dirinfo.ts'
import { attributeNames, fileIdHex, isoTime } from './attributes.ts'
import { failed, type ExplorerOutcome } from './outcome.ts'
import type { ParsedPath } from './paths.ts'

/** One item of a folder as the Details view shows it. */
export interface FolderEntry {
  readonly name: string
  /** the 8.3 name, when the file system keeps one */
  readonly shortName?: string
  readonly directory: boolean
  /** EndOfFile, bytes */
  readonly size: number
  /** AllocationSize (size on disk), bytes */
  readonly allocationSize: number
  /** FILE_ATTRIBUTE_* names */
  readonly attributes: string[]
  readonly created: string
  readonly modified: string
  readonly accessed: string
  readonly changed: string
  /** the reparse tag of a reparse point (NTFS returns it in EaSize) */
  readonly reparseTag?: number
  /** the file reference number, hex */
  readonly fileId: string
}

export interface FolderListing {
  /** the folder, canonical DOS form */
  readonly path: string
  /** the entries in the order the file system returned them, without `.` and `..` */
  readonly entries: FolderEntry[]
  /** how many NtQueryDirectoryFile calls it took (the last one returned STATUS_NO_MORE_FILES) */
  readonly queries: number
}

const { FILE_SHARE_READ, FILE_SHARE_WRITE, FILE_SHARE_DELETE } = SHARE_ACCESS
const O = CREATE_OPTIONS

/** FindFirstFileEx with FIND_FIRST_EX_LARGE_FETCH: 64 KiB per NtQueryDirectoryFile */
// unverified: the buffer size of the shell's folder enumeration (the large-fetch size of kernelbase)
export const LIST_BUFFER_BYTES = 0x10000

/** the class the shell enumerates with (Procmon: FileInformationClass: FileIdBothDirectoryInformation) */
export const LIST_CLASS = 'FileIdBothDirectoryInformation' as const

/** a bound on queries for one listing: a file system that never says NO MORE FILES must not hang explorer.exe */
const MAX_QUERIES = 100_000

function toEntry(e: DirEntry): FolderEntry {
  const attrs = e.FileAttributes ?? 0
  const reparse = (attrs & FILE_ATTRIBUTE.FILE_ATTRIBUTE_REPARSE_POINT) !== 0
  return {
    name: e.FileName,
    ...(e.ShortName !== undefined && e.ShortName !== '' ? { shortName: e.ShortName } : {}),
    directory: (attrs & FILE_ATTRIBUTE.FILE_ATTRIBUTE_DIRECTORY) !== 0,
    size: Number(e.EndOfFile ?? 0),
    allocationSize: Number(e.AllocationSize ?? 0),
    attributes: attributeNames(attrs),
    created: isoTime(e.CreationTime),
    modified: isoTime(e.LastWriteTime),
    accessed: isoTime(e.LastAccessTime),
    changed: isoTime(e.ChangeTime),
    // MS-FSCC 2.4.17: for a reparse point, EaSize holds the reparse tag
    ...(reparse ? { reparseTag: (e.EaSize ?? 0) >>> 0 } : {}),
    fileId: fileIdHex(e.FileId),
  }
}

/** Lists the folder `path` through the NT services of `io`, on the calling thread. */
export function* listFolder(io: IoManager, path: ParsedPath & { ok: true }): Co<ExplorerOutcome<FolderListing>> {
  const open = yield* nt.NtCreateFile(io, {
    FileName: path.nt,
    DesiredAccess: ACCESS.FILE_LIST_DIRECTORY | ACCESS.SYNCHRONIZE,
    ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
    CreateDisposition: CREATE_DISPOSITION.FILE_OPEN,
    // no FILE_OPEN_FOR_BACKUP_INTENT: none of Explorer's folder opens in the Windows 10 1709
    // capture (excerpt_win10-1709_explorer_deletefile_and_create_lnk.csv) has "Open For Backup"
    CreateOptions: O.FILE_DIRECTORY_FILE | O.FILE_SYNCHRONOUS_IO_NONALERT,
  })
  if (open.handle === undefined) return failed(open.status, 'NtCreateFile', path.dos)
  const handle = open.handle
  const entries: FolderEntry[] = []
  let queries = 0
  try {
    for (;;) {
      const first = queries === 0
      queries++
      const q = yield* nt.NtQueryDirectoryFile(io, {
        FileHandle: handle,
        FileInformationClass: FILE_INFORMATION_CLASS[LIST_CLASS],
        Length: LIST_BUFFER_BYTES,
        // unverified: FindFirstFileExW's first call carries the pattern "*" and restarts the scan
        ...(first ? { FileName: '*', RestartScan: true } : {}),
      })
      if (q.status === STATUS.STATUS_NO_MORE_FILES) break
      // an empty folder has no match for "*" on the first call (only possible at a root)
      if (first && q.status === STATUS.STATUS_NO_SUCH_FILE) break
      if (q.status !== STATUS.STATUS_SUCCESS || q.buffer === undefined) return failed(q.status, 'NtQueryDirectoryFile', path.dos)
      for (const e of decodeDirEntries(LIST_CLASS, q.buffer)) {
        if (e.FileName === '.' || e.FileName === '..') continue
        entries.push(toEntry(e))
      }
      if (queries >= MAX_QUERIES) return failed(STATUS.STATUS_INTERNAL_ERROR, 'NtQueryDirectoryFile', path.dos)
    }
  } finally {
    yield* nt.NtClose(io, { Handle: handle })
  }
  return { ok: true, value: { path: path.dos, entries, queries } }
}
