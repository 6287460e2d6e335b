// SearchProtocolHost.exe (the Windows Search filter host): indexes a new or changed file without
// getting in anyone's way. It opens the file with FILE_OPEN_REQUIRING_OPLOCK and asks for a
// read-handle oplock (FSCTL_REQUEST_OPLOCK, READ | HANDLE), queries the file's information,
// reads it at very low I/O priority, and closes it; if another program's open breaks the oplock
// while it reads, it stops and closes at once so that the other open can go on.
// [O] Win10 1709 capture (irp-sequences.md §3.3), ~30 ms after Notepad's close: CreateFile
// Generic Read, Open Requiring Oplock; FileSystemControl FSCTL_REQUEST_OPLOCK (completed with
// OPLOCK HANDLE CLOSED when the handle goes); QueryAttributeTag, Basic, Standard, Internal,
// RemoteProtocol (INVALID PARAMETER), Security, Name; ReadFile of the whole 135 bytes, Priority:
// Very Low.
// When the file system grants no oplock (STATUS_INVALID_DEVICE_REQUEST or
// STATUS_OPLOCK_NOT_GRANTED) the indexer reads without one.

import { KeDelayExecutionThread, type Co } from '../../ke/index.ts'
import type { Machine } from '../../machine.ts'
import * as nt from '../../io/services/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_DISPOSITION, CREATE_OPTIONS, SHARE_ACCESS } from '../../nt/file.ts'
import { FILE_INFORMATION_CLASS as C } from '../../nt/infoclass.ts'
import { FSCTL, IRP_FLAGS, IRP_MJ, IRP_MN_FILE_SYSTEM_CONTROL, OPLOCK, OPLOCK_LEVEL } from '../../nt/irp.ts'
import { sendFileIrp } from '../../io/services/file-irp.ts'
import { IO_PRIORITY_SLOT } from '../../io/trace-hooks.ts'
import { NT_SUCCESS, STATUS } from '../../nt/status.ts'
import { encodeRequestOplockInput } from '../../rtl/structs/oplock.ts'
import type { Irp } from '../../io/irp.ts'
import { settingFlag, settingNumber, TICKS_PER_MS, type AppSettings } from '../settings.ts'

export const INDEXER_IMAGE = 'SearchProtocolHost.exe'

/** IO_PRIORITY_HINT IoPriorityVeryLow */
const IO_PRIORITY_VERY_LOW = 0

/** the queries the capture shows between the oplock request and the read, with their buffer sizes */
// unverified: the buffer sizes (room for a long name and a security descriptor)
const QUERIES: readonly [number, number][] = [
  [C.FileAttributeTagInformation, 8],
  [C.FileBasicInformation, 40],
  [C.FileStandardInformation, 24],
  [C.FileInternalInformation, 8],
  [C.FileRemoteProtocolInformation, 116],
  [C.FileNameInformation, 4 + 2 * 520],
]

/**
 * NtFsControlFile(FSCTL_REQUEST_OPLOCK) as the service's ntdll sends it, keeping the IRP: a
 * granted request stays pending, and its completion is the break the indexer watches for.
 */
function* requestOplock(machine: Machine, handle: number, level: number): Co<{ status: number; irp?: Irp }> {
  const input = encodeRequestOplockInput({ RequestedOplockLevel: level, Flags: OPLOCK.REQUEST_OPLOCK_INPUT_FLAG_REQUEST })
  const r = yield* sendFileIrp(machine.io, handle, 'NtFsControlFile', {}, IRP_MJ.IRP_MJ_FILE_SYSTEM_CONTROL, IRP_MN_FILE_SYSTEM_CONTROL.IRP_MN_USER_FS_REQUEST, (irp, sp) => {
    irp.Flags = IRP_FLAGS.IRP_BUFFERED_IO | IRP_FLAGS.IRP_DEFER_IO_COMPLETION | IRP_FLAGS.IRP_INPUT_OPERATION
    irp.SystemBuffer = input
    irp.OutputBuffer = new Uint8Array(REQUEST_OPLOCK_OUTPUT_BYTES)
    sp.Parameters.FileSystemControl = { FsControlCode: FSCTL.FSCTL_REQUEST_OPLOCK, InputBufferLength: input.length, OutputBufferLength: REQUEST_OPLOCK_OUTPUT_BYTES }
  })
  return { status: r.status, irp: r.irp }
}

/** sizeof(REQUEST_OPLOCK_OUTPUT_BUFFER) on x64 */
const REQUEST_OPLOCK_OUTPUT_BYTES = 24

/** How one file was indexed (for tests). */
export interface IndexRun {
  readonly oplock: 'granted' | 'not granted' | 'not asked'
  /** the oplock broke while reading: the indexer let go early */
  readonly broken: boolean
  readonly bytesRead: number
}

/** the indexing of one file, in a thread of SearchProtocolHost.exe */
export function* indexFile(machine: Machine, settings: AppSettings, ntName: string): Co<IndexRun | undefined> {
  const io = machine.io
  const wantOplock = settingFlag(settings, 'app.indexer.oplock')
  const open = yield* nt.NtCreateFile(io, {
    FileName: ntName,
    DesiredAccess: ACCESS.FILE_GENERIC_READ,
    ShareAccess: SHARE_ACCESS.FILE_SHARE_READ | SHARE_ACCESS.FILE_SHARE_WRITE | SHARE_ACCESS.FILE_SHARE_DELETE,
    CreateDisposition: CREATE_DISPOSITION.FILE_OPEN,
    // an oplock needs an asynchronous handle: its request stays pending until the break or the close
    CreateOptions: CREATE_OPTIONS.FILE_NON_DIRECTORY_FILE | (wantOplock ? CREATE_OPTIONS.FILE_OPEN_REQUIRING_OPLOCK : CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_NONALERT),
  })
  if (open.handle === undefined) return undefined
  const h = open.handle
  // the filter host's threads run in background mode: their I/O goes at very low priority
  const thread = machine.ke.currentThread
  thread.tls.set(IO_PRIORITY_SLOT, IO_PRIORITY_VERY_LOW)
  let oplock: IndexRun['oplock'] = 'not asked'
  let request: Irp | undefined
  let bytesRead = 0
  let broken = false
  try {
    if (wantOplock) {
      const r = yield* requestOplock(machine, h, OPLOCK_LEVEL.OPLOCK_LEVEL_CACHE_READ | OPLOCK_LEVEL.OPLOCK_LEVEL_CACHE_HANDLE)
      if (r.status === STATUS.STATUS_PENDING) {
        oplock = 'granted'
        request = r.irp
      } else oplock = 'not granted'
    }
    let size = 0
    for (const [cls, length] of QUERIES) {
      const q = yield* nt.NtQueryInformationFile(io, { FileHandle: h, FileInformationClass: cls, Length: length })
      if (cls === C.FileStandardInformation && NT_SUCCESS(q.status) && q.buffer) size = Number(new DataView(q.buffer.buffer, q.buffer.byteOffset, 24).getBigInt64(8, true))
    }
    const chunk = settingNumber(settings, 'app.indexer.readChunk')
    const pause = settingNumber(settings, 'app.indexer.readPause') * TICKS_PER_MS
    for (let offset = 0; offset < size; offset += chunk) {
      if (request?.completed) {
        broken = true
        break
      }
      const r = yield* nt.NtReadFile(io, { FileHandle: h, ByteOffset: offset, Length: Math.min(chunk, size - offset) })
      if (r.status === STATUS.STATUS_PENDING) yield* nt.NtWaitForSingleObject(io, { Handle: h })
      else if (!NT_SUCCESS(r.status)) break
      bytesRead += Math.min(chunk, size - offset)
      if (pause > 0 && offset + chunk < size) yield* KeDelayExecutionThread(pause)
    }
    if (request?.completed) broken = true
  } finally {
    // closing the handle releases the oplock (a pending request completes with STATUS_OPLOCK_HANDLE_CLOSED)
    yield* nt.NtClose(io, { Handle: h })
    thread.tls.delete(IO_PRIORITY_SLOT)
  }
  return { oplock, broken, bytesRead }
}
