// An item's Properties, as explorer.exe reads them for the Properties dialog: open the item
// for reading its attributes, FileAllInformation (sizes, times, attributes, links, file id),
// FileStreamInformation (the data streams and their sizes) and, for a reparse point,
// FileAttributeTagInformation (its tag), all by handle; then close.

import type { Co } from '../../ke/index.ts'
import type { IoManager } from '../../io/iomgr.ts'
import * as nt from '../../io/services/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_DISPOSITION, CREATE_OPTIONS, FILE_ATTRIBUTE, SHARE_ACCESS } from '../../nt/file.ts'
import { FILE_INFORMATION_CLASS as C } from '../../nt/infoclass.ts'
import { NT_SUCCESS, STATUS } from '../../nt/status.ts'
import { decodeFileAllInformation, decodeFileInformation, decodeFileStreamInformation } from '../../rtl/structs/fileinfo.ts'
import { attributeNames, fileIdHex, isoTime } from './attributes.ts'
import { failed, type ExplorerOutcome } from './outcome.ts'
import type { ParsedPath } from './paths.ts'

export interface StreamProperties {
  /** the stream's name without colons and type (`''` for the unnamed data stream, `Zone.Identifier` …) */
  readonly name: string
  readonly size: number
  readonly allocationSize: number
}

/** What the Properties dialog shows of an item. */
export interface ItemProperties {
  readonly path: string
  /** the last component of the path (`''` for a drive's root) */
  readonly name: string
  readonly directory: boolean
  readonly size: number
  /** size on disk */
  readonly allocationSize: number
  readonly attributes: string[]
  readonly created: string
  readonly modified: string
  readonly accessed: string
  readonly changed: string
  /** NumberOfLinks: the item's hard links */
  readonly links: number
  readonly deletePending: boolean
  /** the file reference number, hex */
  readonly fileId: string
  /** bytes of extended attributes */
  readonly eaSize: number
  readonly reparseTag?: number
  /** the data streams, the unnamed one first (a folder without named streams has none) */
  readonly streams: StreamProperties[]
}

const { FILE_SHARE_READ, FILE_SHARE_WRITE, FILE_SHARE_DELETE } = SHARE_ACCESS
const O = CREATE_OPTIONS

/** room for FILE_ALL_INFORMATION with a name of 2,000 characters */
// unverified: the buffer the shell passes; a shorter one gives BUFFER OVERFLOW with everything but the name
const ALL_INFO_BYTES = 0x1000
const STREAM_INFO_BYTES = 0x1000
const MAX_STREAM_INFO_BYTES = 0x100000

/** `:Zone.Identifier:$DATA` → `Zone.Identifier`, `::$DATA` → `` */
function streamName(s: string): string {
  const m = /^:(.*):\$DATA$/.exec(s)
  return m ? m[1]! : s.replace(/^:/, '')
}

/** Reads the properties of the file or folder `path`, on the calling thread. */
export function* itemProperties(io: IoManager, path: ParsedPath & { ok: true }): Co<ExplorerOutcome<ItemProperties>> {
  const open = yield* nt.NtCreateFile(io, {
    FileName: path.nt,
    DesiredAccess: ACCESS.FILE_READ_ATTRIBUTES | ACCESS.SYNCHRONIZE,
    ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
    CreateDisposition: CREATE_DISPOSITION.FILE_OPEN,
    // the item itself, not what a reparse point stands for
    CreateOptions: O.FILE_OPEN_REPARSE_POINT | O.FILE_SYNCHRONOUS_IO_NONALERT | O.FILE_OPEN_FOR_BACKUP_INTENT,
  })
  if (open.handle === undefined) return failed(open.status, 'NtCreateFile', path.dos)
  const handle = open.handle
  try {
    const all = yield* nt.NtQueryInformationFile(io, { FileHandle: handle, FileInformationClass: C.FileAllInformation, Length: ALL_INFO_BYTES })
    // BUFFER_OVERFLOW only cuts the name short; the fixed part is whole
    if ((!NT_SUCCESS(all.status) && all.status !== STATUS.STATUS_BUFFER_OVERFLOW) || all.buffer === undefined) {
      return failed(all.status, 'NtQueryInformationFile(FileAllInformation)', path.dos)
    }
    const info = decodeFileAllInformation(all.buffer)
    const basic = info.BasicInformation
    const std = info.StandardInformation
    const attrs = basic.FileAttributes

    let streams: StreamProperties[] = []
    for (let length = STREAM_INFO_BYTES; ; length *= 2) {
      const s = yield* nt.NtQueryInformationFile(io, { FileHandle: handle, FileInformationClass: C.FileStreamInformation, Length: length })
      if (s.status === STATUS.STATUS_BUFFER_OVERFLOW && length < MAX_STREAM_INFO_BYTES) continue
      if (!NT_SUCCESS(s.status)) return failed(s.status, 'NtQueryInformationFile(FileStreamInformation)', path.dos)
      streams = decodeFileStreamInformation(s.buffer ?? new Uint8Array(0)).Streams.map((e) => ({
        name: streamName(e.StreamName),
        size: Number(e.StreamSize),
        allocationSize: Number(e.StreamAllocationSize),
      }))
      break
    }

    let reparseTag: number | undefined
    if ((attrs & FILE_ATTRIBUTE.FILE_ATTRIBUTE_REPARSE_POINT) !== 0) {
      const t = yield* nt.NtQueryInformationFile(io, { FileHandle: handle, FileInformationClass: C.FileAttributeTagInformation, Length: 8 })
      if (!NT_SUCCESS(t.status) || t.buffer === undefined) return failed(t.status, 'NtQueryInformationFile(FileAttributeTagInformation)', path.dos)
      reparseTag = decodeFileInformation('FileAttributeTagInformation', t.buffer).ReparseTag >>> 0
    }

    return {
      ok: true,
      value: {
        path: path.dos,
        name: path.name,
        directory: std.Directory,
        size: Number(std.EndOfFile),
        allocationSize: Number(std.AllocationSize),
        attributes: attributeNames(attrs),
        created: isoTime(basic.CreationTime),
        modified: isoTime(basic.LastWriteTime),
        accessed: isoTime(basic.LastAccessTime),
        changed: isoTime(basic.ChangeTime),
        links: std.NumberOfLinks,
        deletePending: std.DeletePending,
        fileId: fileIdHex(info.InternalInformation.IndexNumber),
        eaSize: info.EaInformation.EaSize,
        ...(reparseTag !== undefined ? { reparseTag } : {}),
        streams,
      },
    }
  } finally {
    yield* nt.NtClose(io, { Handle: handle })
  }
}
