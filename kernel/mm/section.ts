// Section objects and mapped views: a section stands for a segment (a file's data or image
// pages, or paging-file memory); a view maps part of it into a process. Touching a view is what
// causes I/O: a read of a page not in memory is a page fault, answered by a synchronous paging
// read in the faulting thread (clustered); a write marks the page modified, and the mapped page
// writer writes it later (or NtFlushVirtualMemory now).

import type { Co } from '../ke/index.ts'
import type { IoStatusBlock } from '../io/irp.ts'
import type { IoManager } from '../io/iomgr.ts'
import { PAGE } from '../nt/file.ts'
import { NT_SUCCESS, STATUS, type NTSTATUS } from '../nt/status.ts'
import { ObDereferenceObject, ObjectHeader, ObReferenceObject, type EProcess, type KObject, type ObjectType } from '../ob/index.ts'
import { FsRtlAcquireFileForCcFlushEx, FsRtlReleaseFileForCcFlush } from './fsrtl.ts'
import { FsRtlHeaderOf } from './fsrtl-header.ts'
import type { MemoryManager } from './memory-manager.ts'
import { PAGING_ASYNC, PAGING_SYNC, resolvePages, writePages } from './paging.ts'
import { PAGE_DIRTY, PAGE_MODIFIED, type Segment } from './segment.ts'
import { PAGE_SHIFT, PAGE_SIZE } from './settings.ts'

/** ntstatus.h codes the section services return that the shared table does not list */
/** the section statuses, from the shared table */
export const MM_STATUS = {
  STATUS_NOT_MAPPED_VIEW: STATUS.STATUS_NOT_MAPPED_VIEW,
  STATUS_INVALID_FILE_FOR_SECTION: STATUS.STATUS_INVALID_FILE_FOR_SECTION,
  STATUS_SECTION_PROTECTION: STATUS.STATUS_SECTION_PROTECTION,
  STATUS_INVALID_IMAGE_NOT_MZ: STATUS.STATUS_INVALID_IMAGE_NOT_MZ,
  STATUS_MAPPED_ALIGNMENT: STATUS.STATUS_MAPPED_ALIGNMENT,
} as const

/** 64 KB: views start on allocation-granularity boundaries */
export const ALLOCATION_GRANULARITY = 0x10000

const SectionType: ObjectType<SectionObject> = {
  name: 'Section',
  *delete(s: SectionObject): Co<void> {
    yield* s.mm.release(s.segment, 'section')
  },
}

export class SectionObject implements KObject {
  readonly header = new ObjectHeader(SectionType, '')
  constructor(
    readonly mm: MemoryManager,
    readonly segment: Segment,
    /** bytes the section spans (MaximumSize, or the file's size) */
    readonly size: number,
    /** SectionPageProtection */
    readonly protection: number,
    readonly allocationAttributes: number,
  ) {}

  get image(): boolean {
    return this.segment.kind === 'image'
  }
}

export interface MappedView {
  readonly base: number
  readonly size: number
  readonly section: SectionObject
  /** SectionOffset: where in the section the view starts */
  readonly offset: number
  readonly protection: number
  readonly process: EProcess
  /** writes reach the file's pages (not copy-on-write, not read-only) */
  readonly writesShared: boolean
  /** copy-on-write pages of this view (PAGE_WRITECOPY, image views) */
  readonly privatePages: Map<number, Uint8Array>
}

/** a process's views by base address */
export class AddressSpace {
  readonly views = new Map<number, MappedView>()
  /** unverified: where Windows puts the first view varies (ASLR); a fixed start keeps traces stable */
  next = 0x0000_01a0_0000_0000
  find(address: number): MappedView | undefined {
    for (const v of this.views.values()) if (address >= v.base && address < v.base + v.size) return v
    return undefined
  }
}

const spaces = new WeakMap<EProcess, AddressSpace>()

export function addressSpaceOf(process: EProcess): AddressSpace {
  let s = spaces.get(process)
  if (!s) {
    s = new AddressSpace()
    spaces.set(process, s)
  }
  return s
}

const base = (p: number): number => p & 0xff

/** whether a protection lets the view write */
export function isWritable(protection: number): boolean {
  const p = base(protection)
  return p === PAGE.PAGE_READWRITE || p === PAGE.PAGE_EXECUTE_READWRITE || p === PAGE.PAGE_WRITECOPY || p === PAGE.PAGE_EXECUTE_WRITECOPY
}
export function isCopyOnWrite(protection: number): boolean {
  const p = base(protection)
  return p === PAGE.PAGE_WRITECOPY || p === PAGE.PAGE_EXECUTE_WRITECOPY
}
export function isValidProtection(protection: number): boolean {
  const p = base(protection)
  return [PAGE.PAGE_NOACCESS, PAGE.PAGE_READONLY, PAGE.PAGE_READWRITE, PAGE.PAGE_WRITECOPY, PAGE.PAGE_EXECUTE, PAGE.PAGE_EXECUTE_READ, PAGE.PAGE_EXECUTE_READWRITE, PAGE.PAGE_EXECUTE_WRITECOPY].includes(p as never) && (protection & ~0x7ff) === 0
}

/**
 * Whether a view's protection fits the section's (MiMapViewOfSection's check): a writable view
 * needs a writable section, except copy-on-write, which only needs read access.
 */
export function viewProtectionAllowed(section: number, view: number): boolean {
  const s = base(section)
  const v = base(view)
  const sectionWrites = s === PAGE.PAGE_READWRITE || s === PAGE.PAGE_EXECUTE_READWRITE
  const sectionExecutes = s === PAGE.PAGE_EXECUTE || s === PAGE.PAGE_EXECUTE_READ || s === PAGE.PAGE_EXECUTE_READWRITE || s === PAGE.PAGE_EXECUTE_WRITECOPY
  if ((v === PAGE.PAGE_READWRITE || v === PAGE.PAGE_EXECUTE_READWRITE) && !sectionWrites) return false
  if ((v === PAGE.PAGE_EXECUTE || v === PAGE.PAGE_EXECUTE_READ || v === PAGE.PAGE_EXECUTE_READWRITE || v === PAGE.PAGE_EXECUTE_WRITECOPY) && !sectionExecutes) return false
  return s !== PAGE.PAGE_NOACCESS
}

/** MmMapViewOfSection: a view of [offset, offset+size) of the section in `process` */
export function mapView(mm: MemoryManager, process: EProcess, section: SectionObject, offset: number, size: number, protection: number): MappedView {
  const space = addressSpaceOf(process)
  const base = space.next
  space.next += Math.ceil(size / ALLOCATION_GRANULARITY) * ALLOCATION_GRANULARITY + ALLOCATION_GRANULARITY
  const writesShared = isWritable(protection) && !isCopyOnWrite(protection) && !section.image
  const view: MappedView = { base, size, section, offset, protection, process, writesShared, privatePages: new Map() }
  ObReferenceObject(section)
  space.views.set(base, view)
  section.segment.mappedViews++
  if (writesShared) section.segment.writableViews++
  void mm
  return view
}

/** MmUnmapViewOfSection: the view goes; its section (and the file's segment) may go with it */
export function* unmapView(view: MappedView): Co<void> {
  const space = addressSpaceOf(view.process)
  space.views.delete(view.base)
  const seg = view.section.segment
  seg.mappedViews--
  if (view.writesShared) seg.writableViews--
  yield* ObDereferenceObject(view.section)
  yield* view.section.mm.deleteIfUnused(seg)
}

function faultOptions(mm: MemoryManager, view: MappedView, stopAt: number) {
  const seg = view.section.segment
  const h = seg.fileObject ? FsRtlHeaderOf(seg.fileObject) : undefined
  return {
    // image pages come in as the loader's non-cached reads (observed, Win10 1709: no Synchronous Paging I/O)
    flags: seg.kind === 'image' ? PAGING_ASYNC : PAGING_SYNC,
    clusterPages: mm.settings.pageFaultClusterPages,
    stopAt,
    fileSize: h?.FileSize ?? view.section.size,
    validData: seg.kind === 'image' ? undefined : h?.ValidDataLength,
  }
}

/** the view's range [address, address+length) as section offsets, or a status when it leaves the view */
function locate(space: AddressSpace, address: number, length: number): { view: MappedView; offset: number } | { status: NTSTATUS } {
  const view = space.find(address)
  if (!view) return { status: STATUS.STATUS_ACCESS_VIOLATION }
  if (address + length > view.base + view.size) return { status: STATUS.STATUS_ACCESS_VIOLATION }
  return { view, offset: view.offset + (address - view.base) }
}

/** makes the section pages under [offset, offset+length) resident (page faults in this thread) */
function* fault(io: IoManager, mm: MemoryManager, view: MappedView, offset: number, length: number): Co<NTSTATUS> {
  const seg = view.section.segment
  const first = offset >>> PAGE_SHIFT
  const end = Math.ceil((offset + length) / PAGE_SIZE)
  const stopAt = Math.ceil((view.offset + view.size) / PAGE_SIZE)
  for (;;) {
    const before = seg.pages.size
    const st = yield* resolvePages(io, seg, first, end, faultOptions(mm, view, stopAt))
    mm.touched(seg, before)
    if (!NT_SUCCESS(st)) return st
    let all = true
    for (let p = first; p < end && all; p++) if (!seg.pages.has(p) && !view.privatePages.has(p)) all = false
    if (all) return STATUS.STATUS_SUCCESS
  }
}

/** a read of mapped memory: page faults for what is not resident, then the bytes */
export function* readMapped(io: IoManager, mm: MemoryManager, process: EProcess, address: number, length: number): Co<{ status: NTSTATUS; data?: Uint8Array }> {
  const where = locate(addressSpaceOf(process), address, length)
  if ('status' in where) return { status: where.status }
  const { view, offset } = where
  if (base(view.protection) === PAGE.PAGE_NOACCESS) return { status: STATUS.STATUS_ACCESS_VIOLATION }
  const st = yield* fault(io, mm, view, offset, length)
  if (!NT_SUCCESS(st)) return { status: st }
  const out = new Uint8Array(length)
  const seg = view.section.segment
  for (let done = 0; done < length; ) {
    const pos = offset + done
    const p = pos >>> PAGE_SHIFT
    const inPage = pos & (PAGE_SIZE - 1)
    const n = Math.min(PAGE_SIZE - inPage, length - done)
    const data = view.privatePages.get(p) ?? seg.pages.get(p)!.data
    out.set(data.subarray(inPage, inPage + n), done)
    done += n
  }
  return { status: STATUS.STATUS_SUCCESS, data: out }
}

/**
 * A write to mapped memory: the pages are faulted in (a write fault reads the page first), then
 * changed and marked modified for the mapped page writer; copy-on-write views get private copies.
 */
export function* writeMapped(io: IoManager, mm: MemoryManager, process: EProcess, address: number, data: Uint8Array): Co<NTSTATUS> {
  const where = locate(addressSpaceOf(process), address, data.length)
  if ('status' in where) return where.status
  const { view, offset } = where
  if (!isWritable(view.protection) && !(view.section.image && isCopyOnWrite(view.protection))) return STATUS.STATUS_ACCESS_VIOLATION
  const st = yield* fault(io, mm, view, offset, data.length)
  if (!NT_SUCCESS(st)) return st
  const seg = view.section.segment
  if (view.writesShared) {
    seg.write(offset, data, PAGE_MODIFIED)
    mm.noteModified()
    return STATUS.STATUS_SUCCESS
  }
  for (let done = 0; done < data.length; ) {
    const pos = offset + done
    const p = pos >>> PAGE_SHIFT
    const inPage = pos & (PAGE_SIZE - 1)
    const n = Math.min(PAGE_SIZE - inPage, data.length - done)
    let priv = view.privatePages.get(p)
    if (!priv) {
      priv = seg.pages.get(p)!.data.slice()
      view.privatePages.set(p, priv)
    }
    priv.set(data.subarray(done, done + n), inPage)
    done += n
  }
  return STATUS.STATUS_SUCCESS
}

/**
 * MmFlushSection: writes the dirty and modified pages of [first, end) in this thread with
 * synchronous paging writes of at most `maxPages`, each bracketed by AcquireForCcFlush /
 * ReleaseForCcFlush (unverified for views: Windows' MmFlushVirtualMemory acquires the file the
 * way the cache flush does). With nothing to write and `pairWhenClean`, the pair still comes.
 */
export function* flushSegment(io: IoManager, seg: Segment, first: number, end: number, maxPages: number, opts: { writeThrough?: boolean; pairWhenClean?: boolean } = {}): Co<IoStatusBlock> {
  const fo = seg.fileObject
  const ok: IoStatusBlock = { Status: STATUS.STATUS_SUCCESS, Information: 0 }
  if (!fo || seg.deleted) return ok
  let run = seg.firstRun(PAGE_DIRTY | PAGE_MODIFIED, first, end, maxPages)
  if (!run) {
    if (opts.pairWhenClean) {
      yield* FsRtlAcquireFileForCcFlushEx(io, fo)
      yield* FsRtlReleaseFileForCcFlush(io, fo)
    }
    return ok
  }
  let written = 0
  while (run) {
    const st = yield* FsRtlAcquireFileForCcFlushEx(io, fo)
    if (!NT_SUCCESS(st)) return { Status: st, Information: written }
    let iosb: IoStatusBlock
    try {
      iosb = yield* writePages(io, seg, run.first, run.count, PAGING_SYNC, opts.writeThrough === true)
    } finally {
      yield* FsRtlReleaseFileForCcFlush(io, fo)
    }
    if (!NT_SUCCESS(iosb.Status)) return { Status: iosb.Status, Information: written }
    written += iosb.Information
    run = seg.firstRun(PAGE_DIRTY | PAGE_MODIFIED, run.first + run.count, end, maxPages)
  }
  return { Status: STATUS.STATUS_SUCCESS, Information: written }
}

/** MmFlushVirtualMemory: the view's modified pages in [address, address+length) go to the file now */
export function* flushMapped(io: IoManager, mm: MemoryManager, process: EProcess, address: number, length: number): Co<NTSTATUS> {
  const space = addressSpaceOf(process)
  const view = space.find(address)
  if (!view) return MM_STATUS.STATUS_NOT_MAPPED_VIEW
  const len = length === 0 ? view.base + view.size - address : Math.min(length, view.base + view.size - address)
  const offset = view.offset + (address - view.base)
  const r = yield* flushSegment(io, view.section.segment, offset >>> PAGE_SHIFT, Math.ceil((offset + len) / PAGE_SIZE), Math.max(1, Math.floor(mm.settings.mappedWriteMaxBytes / PAGE_SIZE)))
  return r.Status
}
