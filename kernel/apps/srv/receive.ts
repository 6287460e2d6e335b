// What srv2.sys does on the server while a remote client copies a file in (the client's CopyFile
// becomes SMB2 CREATE, SET_INFO end of file and allocation, WRITEs, SET_INFO basic, CLOSE), in
// the System process:
//   1. open/create the target (FILE_OVERWRITE_IF, as CopyFile's CREATE_ALWAYS arrives)
//   2. its size: FileEndOfFileInformation, then FileAllocationInformation (SetEndOfFile's pair)
//   3. the data in SMB2-sized chunks through fast I/O: FastIoWrite (FsRtlCopyWrite, a copy into
//      the cache), or FastIoPrepareMdlWrite + MdlWriteComplete (CcPrepareMdlWrite: the network
//      data lands in cached pages); a chunk the fast path declines goes down as an IRP_MJ_WRITE
//   4. the client's timestamps: FileBasicInformation (zero fields are "don't change")
//   5. close (the cache keeps the file object; IRP_MJ_CLOSE comes later from the lazy close)
// None of it is non-cached: the data reaches the disk later, from the lazy writer.

import type { Co } from '../../ke/index.ts'
import type { IoStatusBlock } from '../../io/irp.ts'
import type { IoManager } from '../../io/iomgr.ts'
import type { FileObject } from '../../io/file-object.ts'
import * as nt from '../../io/services/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_DISPOSITION as D, CREATE_OPTIONS as O, SHARE_ACCESS as S } from '../../nt/file.ts'
import { FILE_INFORMATION_CLASS } from '../../nt/infoclass.ts'
import { IRP_FLAGS, IRP_MJ, IRP_MN_READ_WRITE } from '../../nt/irp.ts'
import { NT_SUCCESS, STATUS, statusName, type NTSTATUS } from '../../nt/status.ts'
import { encodeFileInformation } from '../../rtl/structs/fileinfo.ts'
import type { CcMdl } from '../../cc/cache-manager.ts'
import { chunkSize, flag, SrvError, srvSettings, type SrvSettings } from './settings.ts'

/** what the SMB server needs of the machine: the I/O manager (the caller runs on a System thread) */
export interface SrvContext {
  io: IoManager
  /** the scenario's `settings:` (srv.writeChunk, srv.mdlWrites) */
  settings?: { readonly [key: string]: unknown }
}

export interface ReceiveCopyArgs {
  /** the target on this machine, Win32 (`C:\share\a.bin`) or NT form */
  path: string
  /** the file's bytes (a string is UTF-8) */
  content?: Uint8Array | string
  /** or its size: deterministic pattern content, as a scenario's `size:` files have */
  size?: number
  /** overrides settings.srv.writeChunk */
  chunk?: number | string
  /** overrides settings.srv.mdlWrites */
  mdl?: boolean
  /** the client's last-write time (FILETIME); 0 or omitted leaves the server's own */
  lastWriteTime?: number
}

/** one SMB2 WRITE and how it reached the file system */
export interface SrvWrite {
  offset: number
  length: number
  /** FastIoWrite / FastIoPrepareMdlWrite did it, or the IRP after the fast path declined */
  via: 'FastIoWrite' | 'PrepareMdlWrite' | 'IRP'
  status: NTSTATUS
}

export interface ReceiveCopyResult {
  /** the SMB2 status the client gets: the first failure, or STATUS_SUCCESS */
  status: NTSTATUS
  /** which step failed, when one did */
  failedAt?: string
  writes: SrvWrite[]
}

const SRV_ACCESS =
  // unverified: CopyFile opens the destination GENERIC_WRITE | DELETE; srv2 passes the mapped
  // rights with READ_ATTRIBUTES, as SMB2 CREATE carries them
  ACCESS.FILE_GENERIC_WRITE | ACCESS.FILE_READ_ATTRIBUTES | ACCESS.DELETE | ACCESS.SYNCHRONIZE
// unverified: srv2 opens asynchronous file objects with FILE_NON_DIRECTORY_FILE and the
// client's options (CopyFile's FILE_SEQUENTIAL_ONLY); it never asks for FILE_SYNCHRONOUS_IO_*
const SRV_OPTIONS = O.FILE_NON_DIRECTORY_FILE | O.FILE_SEQUENTIAL_ONLY
const SRV_SHARE = S.FILE_SHARE_READ | S.FILE_SHARE_WRITE | S.FILE_SHARE_DELETE

/** deterministic content for `size:` (the pattern of a scenario's volume files) */
export function srvPattern(size: number): Uint8Array {
  const b = new Uint8Array(size)
  for (let p = 0; p < size; p++) b[p] = (p * 31 + (p >>> 8) * 7 + (p >>> 16)) & 0xff
  return b
}

function ntPath(path: string): string {
  if (path.startsWith('\\??\\') || path.startsWith('\\Device\\')) return path
  if (path.startsWith('\\\\?\\')) return `\\??\\${path.slice(4)}`
  if (/^[A-Za-z]:\\/.test(path)) return `\\??\\${path}`
  throw new SrvError(`path: expected a drive path such as C:\\share\\a.bin, found '${path}'`)
}

/** the file's bytes from the arguments; a bad combination is an error naming the argument */
function contentOf(a: ReceiveCopyArgs): Uint8Array {
  if (a.content !== undefined && a.size !== undefined) throw new SrvError('content and size: give one of them, not both')
  if (a.content !== undefined) return typeof a.content === 'string' ? new TextEncoder().encode(a.content) : a.content
  if (a.size !== undefined) {
    if (!Number.isSafeInteger(a.size) || a.size < 0) throw new SrvError(`size: expected a whole number of bytes, found ${String(a.size)}`)
    return srvPattern(a.size)
  }
  throw new SrvError('content or size: the file to receive needs one of them')
}

/**
 * The SMB server receives a remote client's copy of a file into `path`. Runs in the calling
 * thread (a System thread: srv2's worker). Returns the status the client would see.
 */
/** what one receive will do, from its arguments and settings; bad ones are an SrvError naming them */
export interface ReceivePlan {
  name: string
  data: Uint8Array
  chunk: number
  mdl: boolean
}

export function planReceive(args: ReceiveCopyArgs, given?: { readonly [key: string]: unknown }): ReceivePlan {
  const base = srvSettings(given)
  return {
    name: ntPath(args.path),
    data: contentOf(args),
    chunk: args.chunk === undefined ? base['srv.writeChunk'] : chunkSize('chunk', args.chunk),
    mdl: args.mdl === undefined ? base['srv.mdlWrites'] : flag('mdl', args.mdl),
  }
}

/**
 * The SMB server receives a remote client's copy of a file into `path`. Runs in the calling
 * thread (a System thread: srv2's worker). Returns the status the client would see; arguments
 * it cannot use give STATUS_INVALID_PARAMETER with `failedAt` naming what was wrong.
 */
export function* receiveCopy(ctx: SrvContext, args: ReceiveCopyArgs): Co<ReceiveCopyResult> {
  let plan: ReceivePlan
  try {
    plan = planReceive(args, ctx.settings)
  } catch (e) {
    if (e instanceof SrvError) return { status: STATUS.STATUS_INVALID_PARAMETER, failedAt: e.message, writes: [] }
    throw e
  }
  const settings: SrvSettings = { 'srv.writeChunk': plan.chunk, 'srv.mdlWrites': plan.mdl }
  const data = plan.data
  const io = ctx.io
  const writes: SrvWrite[] = []
  const fail = (failedAt: string, status: NTSTATUS): ReceiveCopyResult => ({ status, failedAt, writes })

  const created = yield* nt.NtCreateFile(io, {
    FileName: plan.name,
    DesiredAccess: SRV_ACCESS,
    ShareAccess: SRV_SHARE,
    CreateDisposition: D.FILE_OVERWRITE_IF,
    CreateOptions: SRV_OPTIONS,
    Attributes: 0x40, // OBJ_CASE_INSENSITIVE
  })
  if (created.handle === undefined || !created.fileObject) return fail('create', created.status)
  const handle = created.handle
  const fo = created.fileObject
  try {
    // SMB2 SET_INFO FileEndOfFileInformation, then FileAllocationInformation (the client's SetEndOfFile)
    let st = yield* setInfo(io, handle, 'FileEndOfFileInformation', { EndOfFile: data.length })
    if (!NT_SUCCESS(st)) return fail('FileEndOfFileInformation', st)
    st = yield* setInfo(io, handle, 'FileAllocationInformation', { AllocationSize: data.length })
    if (!NT_SUCCESS(st)) return fail('FileAllocationInformation', st)

    for (let offset = 0; offset < data.length; offset += settings['srv.writeChunk']) {
      const chunk = data.subarray(offset, Math.min(data.length, offset + settings['srv.writeChunk']))
      const w = yield* writeChunk(io, fo, offset, chunk, settings['srv.mdlWrites'])
      writes.push(w)
      if (!NT_SUCCESS(w.status)) return fail(`write at ${offset}`, w.status)
    }

    if (args.lastWriteTime !== undefined && args.lastWriteTime !== 0) {
      // SMB2 SET_INFO FileBasicInformation: MS-FSCC 2.4.7, zero means "don't change"
      st = yield* setInfo(io, handle, 'FileBasicInformation', { CreationTime: 0, LastAccessTime: 0, LastWriteTime: args.lastWriteTime, ChangeTime: 0, FileAttributes: 0 })
      if (!NT_SUCCESS(st)) return fail('FileBasicInformation', st)
    }
    return { status: STATUS.STATUS_SUCCESS, writes }
  } finally {
    yield* nt.NtClose(io, { Handle: handle })
  }
}

function* setInfo(io: IoManager, handle: number, cls: 'FileEndOfFileInformation' | 'FileAllocationInformation' | 'FileBasicInformation', value: Record<string, number>): Co<NTSTATUS> {
  const enc = encodeFileInformation(cls, value as never, 4096)
  const r = yield* nt.NtSetInformationFile(io, { FileHandle: handle, FileInformationClass: FILE_INFORMATION_CLASS[cls], FileInformation: enc.bytes })
  return r.status
}

/** one SMB2 WRITE: the fast path through the top of the stack, else the IRP */
function* writeChunk(io: IoManager, fo: FileObject, offset: number, chunk: Uint8Array, mdl: boolean): Co<SrvWrite> {
  const device = io.topDeviceFor(fo)
  const fast = device.DriverObject.FastIoDispatch
  const iosb: IoStatusBlock & { MdlChain?: CcMdl } = { Status: STATUS.STATUS_SUCCESS, Information: 0 }
  // the fast paths need the cache initialized on the file object (FsRtlCopyWrite, FsRtlPrepareMdlWriteDev);
  // srv2 asks regardless and the file system declines
  if (mdl && fast?.PrepareMdlWrite && fast.MdlWriteComplete) {
    if (yield* fast.PrepareMdlWrite(fo, offset, chunk.length, 0, iosb, device)) {
      const m = iosb.MdlChain
      if (!m) return { offset, length: chunk.length, via: 'PrepareMdlWrite', status: STATUS.STATUS_INVALID_PARAMETER }
      // the transport's receive lands in the MDL's pages
      m.data.set(chunk.subarray(0, m.data.length))
      yield* fast.MdlWriteComplete(fo, offset, m, device)
      return { offset, length: chunk.length, via: 'PrepareMdlWrite', status: iosb.Status }
    }
  } else if (!mdl && fast?.FastIoWrite) {
    if (yield* fast.FastIoWrite(fo, offset, chunk.length, true, 0, chunk, iosb, device)) {
      return { offset, length: chunk.length, via: 'FastIoWrite', status: iosb.Status }
    }
  }
  // the fast path declined (or the stack offers none): a cached write IRP from srv2's worker;
  // with MDL writes an IRP_MN_MDL write hands out the cache's pages, the data lands in them, and
  // IRP_MN_COMPLETE_MDL gives them back (unverified: srv2's order, as its fast MDL path does it)
  if (mdl) {
    const prep = io.buildIrp(fo, IRP_MJ.IRP_MJ_WRITE, IRP_MN_READ_WRITE.IRP_MN_MDL)
    prep.irp.RequestorMode = 'KernelMode'
    prep.irp.Flags = IRP_FLAGS.IRP_WRITE_OPERATION
    prep.sp.Parameters.Write = { Length: chunk.length, Key: 0, ByteOffset: offset }
    const st = yield* io.sendAndWait(device, prep.irp)
    const m = prep.irp.MdlAddress as CcMdl | undefined
    if (!NT_SUCCESS(st) || !m) return { offset, length: chunk.length, via: 'IRP', status: NT_SUCCESS(st) ? STATUS.STATUS_UNSUCCESSFUL : st }
    m.data.set(chunk.subarray(0, m.data.length))
    const done = io.buildIrp(fo, IRP_MJ.IRP_MJ_WRITE, IRP_MN_READ_WRITE.IRP_MN_COMPLETE_MDL)
    done.irp.RequestorMode = 'KernelMode'
    done.irp.Flags = IRP_FLAGS.IRP_WRITE_OPERATION
    done.irp.MdlAddress = m
    done.sp.Parameters.Write = { Length: chunk.length, Key: 0, ByteOffset: offset }
    return { offset, length: chunk.length, via: 'IRP', status: yield* io.sendAndWait(device, done.irp) }
  }
  const { irp, sp } = io.buildIrp(fo, IRP_MJ.IRP_MJ_WRITE)
  irp.RequestorMode = 'KernelMode'
  irp.Flags = IRP_FLAGS.IRP_WRITE_OPERATION
  irp.UserBuffer = chunk
  sp.Parameters.Write = { Length: chunk.length, Key: 0, ByteOffset: offset }
  const status = yield* io.sendAndWait(device, irp)
  return { offset, length: chunk.length, via: 'IRP', status: NT_SUCCESS(status) && irp.IoStatus.Information !== chunk.length ? STATUS.STATUS_UNSUCCESSFUL : status }
}

/** a one-line account of a result, for reports and errors */
export function describeReceive(r: ReceiveCopyResult): string {
  const counts = new Map<string, number>()
  for (const w of r.writes) counts.set(w.via, (counts.get(w.via) ?? 0) + 1)
  const how = [...counts].map(([k, n]) => `${n} by ${k}`).join(', ')
  return `${statusName(r.status)}${r.failedAt ? ` at ${r.failedAt}` : ''}; ${r.writes.length} writes${how ? ` (${how})` : ''}`
}
