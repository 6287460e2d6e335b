// The copy engine behind CopyFile2, CopyFileExW, CopyFileW and a MoveFileEx across volumes.
// The order of its operations, with how sure each step is (tags of
// shared/reference/irp-sequences.md §4):
//  1. open the source for read with FILE_SEQUENTIAL_ONLY ([D] KB Q163880: CopyFile uses
//     FILE_FLAG_SEQUENTIAL_SCAN); share read/write as ReactOS and Wine ([R]);
//  2. query its FileBasicInformation and FileStandardInformation ([R] ReactOS BasepCopyFileExW),
//     its streams (FileStreamInformation) and its extended attributes ([D] CopyFileEx "preserves
//     extended attributes … alternate data streams"; the IRPs [I]);
//  3. probe the destination: an open for GENERIC_READ, share read, then an attribute query
//     ([O-3rd] dokan-dotnet #115, setting copy.existenceProbes); a read-only or hidden
//     destination that would be replaced fails with ERROR_ACCESS_DENIED ([D] CopyFile remarks);
//  4. create the destination with read/write/delete/WRITE_DAC access, no sharing, FILE_CREATE
//     (FILE_OVERWRITE_IF when replacing), FILE_SEQUENTIAL_ONLY, the source's attributes, and the
//     source's EAs in the EaBuffer ([O-3rd] dokan-dotnet #115; EAs as CreateFileW's template
//     file [R]);
//  5. one FSCTL_OFFLOAD_READ per process and volume ([D] offloaded-data-transfers.md: a
//     failure is remembered and the engine falls back to reads and writes; setting
//     copy.offloadRead), FSCTL_OFFLOAD_WRITE with the token when it succeeds;
//  6. pre-allocate: the destination's end of file and allocation set to the final size ([I] from
//     COPY_FILE_DISABLE_PRE_ALLOCATION; setting copy.preallocate);
//  7. copy the data in cached 1 MiB reads and 64 KiB writes ([B] Windows Internals, Win7;
//     settings copy.readChunk, copy.writeChunk), unbuffered I/O with COPY_FILE_NO_BUFFERING;
//  8. each named stream: open `source:name`, create `destination:name`, copy, close ([I]);
//  9. set the destination's FileBasicInformation while it is open: the source's LastWriteTime,
//     zero ("don't change", MS-FSCC 2.4.7) for the other times and for the attributes ([T]
//     dokany #584, dokan-dotnet #149/#152; [R] ReactOS copies LastWriteTime);
// 10. close the destination, then the source ([O] generic cleanup order, §4.4 row 14).
// A failure or a cancel after the destination exists deletes it (FileDispositionInformation
// through the copy's own DELETE access) before the close; PROGRESS_STOP keeps it.

import type { Co } from '../../ke/index.ts'
import * as nt from '../../io/services/index.ts'
import { referenceFile } from '../../io/services/handles.ts'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_DISPOSITION as D, CREATE_OPTIONS as O, FILE_ATTRIBUTE, FILE_ATTRIBUTE_VALID_SET_FLAGS, OBJ_ATTRIBUTES, SHARE_ACCESS as S } from '../../nt/file.ts'
import { FILE_INFORMATION_CLASS as C } from '../../nt/infoclass.ts'
import { FSCTL } from '../../nt/irp.ts'
import { NT_SUCCESS, STATUS, type NTSTATUS } from '../../nt/status.ts'
import type { EaEntry } from '../../fs/ntfs/store.ts'
import { decodeFileInformation } from '../../rtl/structs/fileinfo.ts'
import { decodeFullEaList } from '../../rtl/structs/ea.ts'
import { COPY_FILE as CF, COPYFILE2_MESSAGE_ACTION as A } from '../constants.ts'
import { ERROR, RtlGetLastNtStatus, RtlNtStatusToDosErrorNoTeb } from '../errors.ts'
import { currentProcess, ntPathOf, processState, type Win32Env } from '../env.ts'
import { queryInfo, setInfo } from '../ntinfo.ts'
import { setEndOfFileTo } from '../readwrite.ts'
import { decodeOffloadReadOutput, decodeOffloadWriteOutput, encodeOffloadReadInput, encodeOffloadWriteInput, OFFLOAD_READ_OUTPUT_SIZE, OFFLOAD_WRITE_OUTPUT_SIZE } from './offload.ts'
import type { CopyCallbacks, CopyMessage, CopyMessageType } from './progress.ts'

/** the volumes' sector size (512-byte sectors on every image this machine mounts) */
const SECTOR = 512

export interface CopyRequest extends CopyCallbacks {
  readonly existingFileName: string
  readonly newFileName: string
  /** COPY_FILE_* */
  readonly flags: number
  /** MoveFileEx across volumes keeps both handles open for its link-tracking notification */
  readonly keepHandles?: boolean
}

export interface CopyOutcome {
  readonly ok: boolean
  /** the Win32 error of a failure (0 on success) */
  readonly error: number
  /** the NTSTATUS behind the error (0 when the error is the engine's own) */
  readonly status: NTSTATUS
  /** with keepHandles: the open source and destination */
  readonly sourceHandle?: number
  readonly destinationHandle?: number
  /** bytes of all streams copied */
  readonly bytesCopied: number
  /** the destination was left in place after a stop or pause */
  readonly destinationKept?: boolean
}

interface StreamPlan {
  /** '' for the unnamed data stream, else `name` of `:name:$DATA` */
  readonly name: string
  readonly size: number
}

class CopyAbort {
  constructor(
    readonly error: number,
    readonly status: NTSTATUS,
    readonly keepDestination = false,
  ) {}
}

const SHARE_RW = S.FILE_SHARE_READ | S.FILE_SHARE_WRITE
const SHARE_ALL = S.FILE_SHARE_READ | S.FILE_SHARE_WRITE | S.FILE_SHARE_DELETE

function fromStatus(status: NTSTATUS, collisionIsExists = false): CopyAbort {
  if (collisionIsExists && status === STATUS.STATUS_OBJECT_NAME_COLLISION) return new CopyAbort(ERROR.ERROR_FILE_EXISTS, status)
  return new CopyAbort(RtlNtStatusToDosErrorNoTeb(status), status)
}

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to
}

/** the name of the volume a handle's file is on (the engine remembers offload failures per volume) */
function volumeOf(env: Win32Env, handle: number): string {
  const ref = referenceFile(env.io, handle)
  return 'fo' in ref ? ref.fo.DeviceObject.header.name : ''
}

/** `:name:$DATA` → `name`; the unnamed stream `::$DATA` → '' */
function streamName(entry: string): string {
  const m = /^:([^:]*):\$DATA$/i.exec(entry)
  return m ? m[1]! : entry.replace(/^:/, '')
}

export function* copyFileEngine(env: Win32Env, req: CopyRequest): Co<CopyOutcome> {
  const io = env.io
  const s = env.settings
  const flags = req.flags >>> 0
  const noBuffering = (flags & CF.COPY_FILE_NO_BUFFERING) !== 0
  const failIfExists = (flags & CF.COPY_FILE_FAIL_IF_EXISTS) !== 0
  const srcName = ntPathOf(req.existingFileName)
  const dstName = ntPathOf(req.newFileName)
  if (srcName === undefined || dstName === undefined) return { ok: false, error: ERROR.ERROR_PATH_NOT_FOUND, status: STATUS.STATUS_OBJECT_PATH_NOT_FOUND, bytesCopied: 0 }
  if (req.cancelled?.()) return { ok: false, error: ERROR.ERROR_REQUEST_ABORTED, status: 0, bytesCopied: 0 }

  let src: number | undefined
  let dst: number | undefined
  let copied = 0
  let quiet = false

  const bufferingOptions = noBuffering ? O.FILE_NO_INTERMEDIATE_BUFFERING : 0
  try {
    // 1. the source
    // inferred (irp-sequences.md §4.4 row 2): the access beyond GENERIC_READ and the sharing;
    // FILE_SEQUENTIAL_ONLY is documented (KB Q163880), no capture of a copy was found
    const so = yield* nt.NtCreateFile(io, {
      FileName: srcName,
      DesiredAccess: ACCESS.GENERIC_READ | ACCESS.SYNCHRONIZE | ACCESS.FILE_READ_ATTRIBUTES | (flags & CF.COPY_FILE_OPEN_SOURCE_FOR_WRITE ? ACCESS.GENERIC_WRITE : 0),
      Attributes: OBJ_ATTRIBUTES.OBJ_CASE_INSENSITIVE,
      ShareAccess: SHARE_RW,
      CreateDisposition: D.FILE_OPEN,
      CreateOptions: O.FILE_SEQUENTIAL_ONLY | O.FILE_SYNCHRONOUS_IO_NONALERT | O.FILE_NON_DIRECTORY_FILE | bufferingOptions | (flags & CF.COPY_FILE_COPY_SYMLINK ? O.FILE_OPEN_REPARSE_POINT : 0),
    })
    if (so.handle === undefined) throw fromStatus(so.status)
    src = so.handle

    // 2. what there is to copy
    // inferred (§4.4 row 3): the FileBasic, FileStandard, FileStream and EA queries follow from
    // "preserves extended attributes … alternate data streams"; their order is ReactOS's
    const basic = yield* queryInfo(env, src, 'FileBasicInformation')
    if (!basic.value) throw fromStatus(basic.status)
    const std = yield* queryInfo(env, src, 'FileStandardInformation')
    if (!std.value) throw fromStatus(std.status)
    const streams: StreamPlan[] = [{ name: '', size: std.value.EndOfFile }]
    if (!(flags & CF.COPY_FILE_SKIP_ALTERNATE_STREAMS)) {
      const si = yield* queryInfo(env, src, 'FileStreamInformation')
      if (si.value) {
        for (const e of si.value.Streams) {
          const name = streamName(e.StreamName)
          if (name !== '') streams.push({ name, size: e.StreamSize })
        }
      }
    }
    const eas = yield* sourceEas(env, src)
    const totalSize = streams.reduce((a, x) => a + x.size, 0)

    // 3. the destination's probes (observed by a third party: dokan-dotnet #115, §4.3)
    if (s['copy.existenceProbes']) {
      const probe = yield* nt.NtCreateFile(io, {
        FileName: dstName,
        DesiredAccess: ACCESS.GENERIC_READ | ACCESS.SYNCHRONIZE | ACCESS.FILE_READ_ATTRIBUTES,
        Attributes: OBJ_ATTRIBUTES.OBJ_CASE_INSENSITIVE,
        FileAttributes: FILE_ATTRIBUTE.FILE_ATTRIBUTE_NORMAL,
        ShareAccess: S.FILE_SHARE_READ,
        CreateDisposition: D.FILE_OPEN,
        CreateOptions: O.FILE_NON_DIRECTORY_FILE | O.FILE_SYNCHRONOUS_IO_NONALERT,
      })
      if (probe.handle !== undefined) yield* nt.NtClose(io, { Handle: probe.handle })
      const attrs = yield* nt.queryAttributesByName(io, { FileName: dstName, Attributes: OBJ_ATTRIBUTES.OBJ_CASE_INSENSITIVE }, C.FileBasicInformation, 40)
      if (NT_SUCCESS(attrs.status) && attrs.buffer && !failIfExists) {
        const a = decodeFileInformation('FileBasicInformation', attrs.buffer).FileAttributes
        if (a & (FILE_ATTRIBUTE.FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE.FILE_ATTRIBUTE_HIDDEN)) throw new CopyAbort(ERROR.ERROR_ACCESS_DENIED, 0)
      }
    }

    // 4. the destination (observed by a third party: dokan-dotnet #115 — access, no sharing,
    // Create, SequentialScan, the source's attributes; inferred: the EAs in the EaBuffer)
    const attributes = basic.value.FileAttributes & FILE_ATTRIBUTE_VALID_SET_FLAGS
    const dOpen = yield* nt.NtCreateFile(io, {
      FileName: dstName,
      DesiredAccess: ACCESS.GENERIC_READ | ACCESS.GENERIC_WRITE | ACCESS.DELETE | ACCESS.SYNCHRONIZE | (flags & CF.COPY_FILE_DONT_REQUEST_DEST_WRITE_DAC ? 0 : ACCESS.WRITE_DAC),
      Attributes: OBJ_ATTRIBUTES.OBJ_CASE_INSENSITIVE,
      FileAttributes: attributes === 0 ? FILE_ATTRIBUTE.FILE_ATTRIBUTE_NORMAL : attributes,
      ShareAccess: 0,
      CreateDisposition: failIfExists ? D.FILE_CREATE : D.FILE_OVERWRITE_IF,
      CreateOptions: O.FILE_SEQUENTIAL_ONLY | O.FILE_SYNCHRONOUS_IO_NONALERT | O.FILE_NON_DIRECTORY_FILE | bufferingOptions,
      EaBuffer: eas,
    })
    if (dOpen.handle === undefined) throw fromStatus(dOpen.status, true)
    dst = dOpen.handle
    const srcHandle = src
    const dstHandle = dst

    const notify = (m: Omit<CopyMessage, 'TotalFileSize' | 'TotalBytesTransferred'>): void => {
      if (!req.progress || quiet) return
      const action = req.progress({ ...m, TotalFileSize: totalSize, TotalBytesTransferred: copied })
      if (action === A.COPYFILE2_PROGRESS_CONTINUE) return
      if (action === A.COPYFILE2_PROGRESS_QUIET) {
        quiet = true
        return
      }
      if (action === A.COPYFILE2_PROGRESS_CANCEL) throw new CopyAbort(ERROR.ERROR_REQUEST_ABORTED, 0)
      if (action === A.COPYFILE2_PROGRESS_STOP) throw new CopyAbort(ERROR.ERROR_REQUEST_ABORTED, 0, true)
      if (action === A.COPYFILE2_PROGRESS_PAUSE) throw new CopyAbort(ERROR.ERROR_REQUEST_PAUSED, 0, true)
    }

    // 5. offloaded transfer
    // inferred (§4.4 row 5): its place after the destination's create and the status a volume
    // without ODX answers; the attempt and its once-per-process-and-volume memory are documented
    let start = 0
    const main = streams[0]!
    if (s['copy.offloadRead'] && !(flags & CF.COPY_FILE_NO_OFFLOAD) && main.size > 0) {
      start = yield* tryOffload(env, srcHandle, dstHandle, main.size)
    }

    // 6. pre-allocation
    // inferred (§4.4 row 6): from the existence of COPY_FILE_DISABLE_PRE_ALLOCATION; the IRPs
    // (end of file, then allocation) and their place were not seen
    if (s['copy.preallocate'] && !(flags & CF.COPY_FILE_DISABLE_PRE_ALLOCATION) && main.size > 0) {
      if (!(yield* setEndOfFileTo(env, dstHandle, main.size))) throw fromStatus(lastNtStatus(env))
    }

    // 7.–8. the streams' data
    // inferred (§4.4 rows 7, 9, 12): 1 MiB reads and 64 KiB writes are Windows 7's (Windows
    // Internals); a named stream's open, create and copy loop were not seen
    for (let i = 0; i < streams.length; i++) {
      const st = streams[i]!
      const number = i + 1
      if (i === 0) {
        copied += start
        yield* copyStream(env, srcHandle, dstHandle, st.size, start, noBuffering, number, notify, req, (n) => (copied += n))
        if (noBuffering && st.size % SECTOR !== 0) {
          // unbuffered writes are whole sectors: the end of file comes back to the source's size
          if (!(yield* setEndOfFileTo(env, dstHandle, st.size))) throw fromStatus(lastNtStatus(env))
        }
        continue
      }
      const sIn = yield* nt.NtCreateFile(io, {
        FileName: `${srcName}:${st.name}:$DATA`,
        DesiredAccess: ACCESS.GENERIC_READ | ACCESS.SYNCHRONIZE,
        Attributes: OBJ_ATTRIBUTES.OBJ_CASE_INSENSITIVE,
        ShareAccess: SHARE_RW,
        CreateDisposition: D.FILE_OPEN,
        CreateOptions: O.FILE_SEQUENTIAL_ONLY | O.FILE_SYNCHRONOUS_IO_NONALERT | O.FILE_NON_DIRECTORY_FILE,
      })
      if (sIn.handle === undefined) throw fromStatus(sIn.status)
      const sOut = yield* nt.NtCreateFile(io, {
        FileName: `${dstName}:${st.name}:$DATA`,
        DesiredAccess: ACCESS.GENERIC_WRITE | ACCESS.SYNCHRONIZE,
        Attributes: OBJ_ATTRIBUTES.OBJ_CASE_INSENSITIVE,
        ShareAccess: 0,
        CreateDisposition: D.FILE_OVERWRITE_IF,
        CreateOptions: O.FILE_SEQUENTIAL_ONLY | O.FILE_SYNCHRONOUS_IO_NONALERT | O.FILE_NON_DIRECTORY_FILE,
      })
      if (sOut.handle === undefined) {
        yield* nt.NtClose(io, { Handle: sIn.handle })
        throw fromStatus(sOut.status)
      }
      try {
        yield* copyStream(env, sIn.handle, sOut.handle, st.size, 0, false, number, notify, req, (n) => (copied += n))
      } finally {
        yield* nt.NtClose(io, { Handle: sOut.handle })
        yield* nt.NtClose(io, { Handle: sIn.handle })
      }
    }

    // 9. the times, while the destination is open
    // inferred (§4.4 row 13): which times are set (ReactOS: LastWriteTime); the zero "don't
    // change" attributes while the handle is open are reported by third parties (dokany #584)
    const times = yield* setInfo(env, dstHandle, 'FileBasicInformation', { CreationTime: 0, LastAccessTime: 0, LastWriteTime: basic.value.LastWriteTime, ChangeTime: 0, FileAttributes: 0 })
    if (!NT_SUCCESS(times)) throw fromStatus(times)

    // 10. cleanup: destination first
    if (req.keepHandles) return { ok: true, error: 0, status: 0, sourceHandle: srcHandle, destinationHandle: dstHandle, bytesCopied: copied }
    yield* nt.NtClose(io, { Handle: dstHandle })
    dst = undefined
    yield* nt.NtClose(io, { Handle: srcHandle })
    src = undefined
    return { ok: true, error: 0, status: 0, bytesCopied: copied }
  } catch (e) {
    if (!(e instanceof CopyAbort)) throw e
    if (dst !== undefined) {
      if (!e.keepDestination) yield* setInfo(env, dst, 'FileDispositionInformation', { DeleteFile: true })
      yield* nt.NtClose(io, { Handle: dst })
    }
    if (src !== undefined) yield* nt.NtClose(io, { Handle: src })
    return { ok: false, error: e.error, status: e.status, bytesCopied: copied, ...(e.keepDestination && dst !== undefined ? { destinationKept: true } : {}) }
  }
}

/** the status of the last failed call in this thread (setEndOfFileTo records it) */
function lastNtStatus(env: Win32Env): NTSTATUS {
  return RtlGetLastNtStatus(env.io.ke.currentThread)
}

/** the source's extended attributes, for the destination's EaBuffer */
function* sourceEas(env: Win32Env, src: number): Co<EaEntry[] | undefined> {
  const q = yield* queryInfo(env, src, 'FileEaInformation')
  if (!q.value || q.value.EaSize === 0) return undefined
  const r = yield* nt.NtQueryEaFile(env.io, { FileHandle: src, Length: q.value.EaSize + 64 * 1024, RestartScan: true })
  if (!NT_SUCCESS(r.status) || !r.buffer) return undefined
  return decodeFullEaList(r.buffer).map((e) => ({ name: e.Name, value: e.Value, flags: e.Flags }))
}

/**
 * FSCTL_OFFLOAD_READ once per process and volume; with a token, FSCTL_OFFLOAD_WRITE. Returns the
 * bytes the offload wrote (the copy goes on from there), 0 when it did not happen.
 */
function* tryOffload(env: Win32Env, src: number, dst: number, size: number): Co<number> {
  const ps = processState(currentProcess(env))
  const volume = volumeOf(env, src)
  if (ps.offloadTried.has(volume)) return 0
  const length = roundUp(size, SECTOR)
  const r = yield* nt.NtFsControlFile(env.io, { FileHandle: src, FsControlCode: FSCTL.FSCTL_OFFLOAD_READ, InputBuffer: encodeOffloadReadInput(0, length), OutputBufferLength: OFFLOAD_READ_OUTPUT_SIZE })
  const out = NT_SUCCESS(r.status) && r.output ? decodeOffloadReadOutput(r.output) : undefined
  if (!out || out.TransferLength === 0) {
    ps.offloadTried.add(volume)
    return 0
  }
  const w = yield* nt.NtFsControlFile(env.io, {
    FileHandle: dst,
    FsControlCode: FSCTL.FSCTL_OFFLOAD_WRITE,
    InputBuffer: encodeOffloadWriteInput(0, Math.min(out.TransferLength, length), 0, out.Token),
    OutputBufferLength: OFFLOAD_WRITE_OUTPUT_SIZE,
  })
  const written = NT_SUCCESS(w.status) && w.output ? (decodeOffloadWriteOutput(w.output) ?? 0) : 0
  if (written === 0) ps.offloadTried.add(volume)
  // the token's data reaches the end of file, or the copy goes on from the last whole sector it wrote
  return written >= size ? size : written - (written % SECTOR)
}

function* copyStream(
  env: Win32Env,
  from: number,
  to: number,
  size: number,
  start: number,
  noBuffering: boolean,
  number: number,
  notify: (m: Omit<CopyMessage, 'TotalFileSize' | 'TotalBytesTransferred'>) => void,
  req: CopyRequest,
  add: (n: number) => void,
): Co<void> {
  const s = env.settings
  const readChunk = noBuffering ? s['copy.noBufferingChunk'] : s['copy.readChunk']
  const writeChunk = noBuffering ? s['copy.noBufferingChunk'] : s['copy.writeChunk']
  const msg = (Type: CopyMessageType, done: number, extra: { ChunkNumber?: number; ChunkSize?: number } = {}) => ({ Type, StreamNumber: number, StreamSize: size, StreamBytesTransferred: done, ...extra })
  let offset = start
  notify(msg('COPYFILE2_CALLBACK_STREAM_STARTED', offset))
  let chunk = 0
  while (offset < size) {
    if (req.cancelled?.()) throw new CopyAbort(ERROR.ERROR_REQUEST_ABORTED, 0)
    const want = Math.min(readChunk, size - offset)
    notify(msg('COPYFILE2_CALLBACK_CHUNK_STARTED', offset, { ChunkNumber: chunk, ChunkSize: want }))
    const r = yield* nt.NtReadFile(env.io, { FileHandle: from, ByteOffset: offset, Length: noBuffering ? roundUp(want, SECTOR) : want })
    if (r.status === STATUS.STATUS_END_OF_FILE) break
    if (!NT_SUCCESS(r.status)) throw fromStatus(r.status)
    const data = (r.data ?? new Uint8Array(0)).subarray(0, want)
    if (data.length === 0) break
    for (let o = 0; o < data.length; o += writeChunk) {
      let piece = data.subarray(o, Math.min(o + writeChunk, data.length))
      if (noBuffering && piece.length % SECTOR !== 0) {
        const padded = new Uint8Array(roundUp(piece.length, SECTOR))
        padded.set(piece)
        piece = padded
      }
      const w = yield* nt.NtWriteFile(env.io, { FileHandle: to, ByteOffset: offset + o, Data: piece })
      if (!NT_SUCCESS(w.status)) throw fromStatus(w.status)
    }
    offset += data.length
    add(data.length)
    notify(msg('COPYFILE2_CALLBACK_CHUNK_FINISHED', offset, { ChunkNumber: chunk, ChunkSize: data.length }))
    chunk++
  }
  notify(msg('COPYFILE2_CALLBACK_STREAM_FINISHED', offset))
}
