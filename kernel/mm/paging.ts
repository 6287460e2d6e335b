// Paging I/O: the IRPs the Memory Manager sends for page faults (reads) and for writing dirty
// and modified pages back, down the whole device stack of the file object (filters see them).
//
// Flags (wdm.h values; observed, irp-sequences.md §1 and §3.6):
//   page fault in the faulting thread        IRP_NOCACHE | IRP_PAGING_IO | IRP_SYNCHRONOUS_PAGING_IO
//   lazy writer / CcFlushCache / view flush  IRP_NOCACHE | IRP_PAGING_IO | IRP_SYNCHRONOUS_PAGING_IO
//   mapped page writer, read-ahead           IRP_NOCACHE | IRP_PAGING_IO            (asynchronous)
// The lazy writer's observed 0x20043 carries an undocumented 0x20000 bit that is not reproduced.

import { KeWaitForSingleObject, type Co } from '../ke/index.ts'
import type { FileObject } from '../io/file-object.ts'
import type { IoStatusBlock } from '../io/irp.ts'
import type { IoManager } from '../io/iomgr.ts'
import { IRP_FLAGS, IRP_MJ, SL_FLAGS_READ_WRITE } from '../nt/irp.ts'
import { NT_SUCCESS, STATUS, type NTSTATUS } from '../nt/status.ts'
import { PAGE_SIZE } from './settings.ts'
import type { Segment } from './segment.ts'

export const PAGING_SYNC = IRP_FLAGS.IRP_NOCACHE | IRP_FLAGS.IRP_PAGING_IO | IRP_FLAGS.IRP_SYNCHRONOUS_PAGING_IO
export const PAGING_ASYNC = IRP_FLAGS.IRP_NOCACHE | IRP_FLAGS.IRP_PAGING_IO

/** IoPageRead / IoSynchronousPageWrite / IoAsynchronousPageWrite: one paging IRP, sent and waited for */
export function* pagingIo(io: IoManager, fo: FileObject, write: boolean, offset: number, buffer: Uint8Array, flags: number, writeThrough = false): Co<IoStatusBlock> {
  const { irp, sp, device } = io.buildIrp(fo, write ? IRP_MJ.IRP_MJ_WRITE : IRP_MJ.IRP_MJ_READ)
  irp.RequestorMode = 'KernelMode'
  irp.Flags = flags
  irp.UserBuffer = buffer
  const params = { Length: buffer.length, Key: 0, ByteOffset: offset }
  if (write) sp.Parameters.Write = params
  else sp.Parameters.Read = params
  if (writeThrough) sp.Flags |= SL_FLAGS_READ_WRITE.SL_WRITE_THROUGH
  const status = yield* io.sendAndWait(device, irp)
  return { Status: status, Information: irp.IoStatus.Information }
}

export interface FaultOptions {
  /** IRP flags of the page reads */
  flags: number
  /** pages one fault reads at most */
  clusterPages: number
  /** the page at which a cluster must stop (a cache view's end, a read-ahead's end), exclusive */
  stopAt?: number
  /** bytes of the file that exist: pages wholly past it are zero pages without I/O */
  fileSize: number
  /** bytes with valid data: pages wholly past it are zero pages without I/O (CcZeroData) */
  validData?: number
}

/**
 * MmAccessFault for the pages [first, end): every page not resident is read from the file, in
 * clusters, in the calling thread; a page another thread is reading is waited for. Returns the
 * status of a failed read (an in-page error), else STATUS_SUCCESS.
 */
export function* resolvePages(io: IoManager, seg: Segment, first: number, end: number, o: FaultOptions): Co<NTSTATUS> {
  const fo = seg.fileObject
  const filePages = Math.ceil(o.fileSize / PAGE_SIZE)
  const validPages = o.validData === undefined ? filePages : Math.min(filePages, Math.ceil(o.validData / PAGE_SIZE))
  let p = first
  while (p < end) {
    if (seg.pages.has(p)) {
      p++
      continue
    }
    const inflight = seg.inflightAt(p)
    if (inflight) {
      yield* KeWaitForSingleObject(inflight.done, undefined, `page read of ${fo?.traceName ?? 'a section'}`)
      continue
    }
    if (p >= validPages || !fo) {
      seg.zeroPage(p)
      p++
      continue
    }
    const stop = Math.min(p + o.clusterPages, o.stopAt ?? Number.POSITIVE_INFINITY, validPages)
    let n = 1
    while (p + n < stop && !seg.pages.has(p + n) && !seg.inflightAt(p + n)) n++
    const gen = seg.purgeGeneration
    const r = seg.startRead(io.ke, p, n)
    const buffer = new Uint8Array(n * PAGE_SIZE)
    let iosb: IoStatusBlock
    try {
      iosb = yield* pagingIo(io, fo, false, p * PAGE_SIZE, buffer, o.flags)
    } finally {
      seg.endRead(r)
    }
    if (!NT_SUCCESS(iosb.Status) && iosb.Status !== STATUS.STATUS_END_OF_FILE) return iosb.Status
    // a purge while the read was in flight makes what it read stale: fault again
    if (seg.purgeGeneration !== gen || seg.deleted) continue
    seg.install(p, buffer, n)
    p += n
  }
  return STATUS.STATUS_SUCCESS
}

/**
 * Writes pages [first, first+count) with one paging write. Their DIRTY and MODIFIED marks are
 * cleared before the write, so a page written to again meanwhile is written again later.
 */
export function* writePages(io: IoManager, seg: Segment, first: number, count: number, flags: number, writeThrough = false): Co<IoStatusBlock> {
  const fo = seg.fileObject
  if (!fo) {
    seg.clean(first, count)
    return { Status: STATUS.STATUS_SUCCESS, Information: 0 }
  }
  const buffer = seg.snapshot(first, count)
  seg.clean(first, count)
  return yield* pagingIo(io, fo, true, first * PAGE_SIZE, buffer, flags, writeThrough)
}
