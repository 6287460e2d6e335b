// NtCreateSection, NtMapViewOfSection, NtUnmapViewOfSection and the services that touch mapped
// memory (NtReadVirtualMemory, NtWriteVirtualMemory: what a program does by reading or writing a
// view; NtFlushVirtualMemory). The Memory Manager does the work (kernel/mm/section.ts).
//
// NtCreateSection on a file, as observed (Win10 1903 / 1709, Win7; irp-sequences.md §3.6 d):
//   ACQUIRE_FOR_SECTION_SYNCHRONIZATION (SyncTypeCreateSection, the page protection) → the file
//   system's answer, STATUS_FILE_LOCKED_WITH_ONLY_READERS or _WITH_WRITERS → the file's size
//   (QueryStandardInformationFile) → RELEASE_FOR_SECTION_SYNCHRONIZATION, then a second pair with
//   SyncTypeOther and nothing between. Every acquire is paired with its release.

import type { Co } from '../../ke/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { PAGE, SEC, SECTION_ACCESS } from '../../nt/file.ts'
import { FILE_INFORMATION_CLASS } from '../../nt/infoclass.ts'
import { IRP_FLAGS, IRP_MJ } from '../../nt/irp.ts'
import { NT_SUCCESS, STATUS, type NTSTATUS } from '../../nt/status.ts'
import { FsRtlAcquireForSectionSynchronization, FsRtlReleaseFile, type SectionSyncType } from '../../mm/fsrtl.ts'
import { MmOf, type MemoryManager } from '../../mm/memory-manager.ts'
import { pagingIo, PAGING_ASYNC } from '../../mm/paging.ts'
import {
  addressSpaceOf,
  flushMapped,
  isValidProtection,
  isWritable,
  isCopyOnWrite,
  mapView,
  MM_STATUS,
  readMapped,
  SectionObject,
  unmapView,
  viewProtectionAllowed,
  ALLOCATION_GRANULARITY,
  writeMapped,
} from '../../mm/section.ts'
import { PAGE_SIZE } from '../../mm/settings.ts'
import type { FileObject } from '../file-object.ts'
import type { IoStatusBlock } from '../irp.ts'
import type { IoManager } from '../iomgr.ts'
import { insertHandle, referenceFile, type ServiceResult } from './handles.ts'

export interface CreateSectionArgs {
  /** omitted: memory backed by the paging file */
  FileHandle?: number
  DesiredAccess: number
  MaximumSize?: number
  SectionPageProtection: number
  AllocationAttributes: number
}

function mmOf(io: IoManager): MemoryManager {
  const mm = MmOf(io)
  if (!mm) throw new Error('NtCreateSection: this machine runs no Memory Manager')
  return mm
}

/** the file access a section's protection needs of the file handle (MmCreateSection) */
function fileAccessFor(protection: number): number {
  const p = protection & 0xff
  if (p === PAGE.PAGE_READWRITE || p === PAGE.PAGE_EXECUTE_READWRITE) return ACCESS.FILE_READ_DATA | ACCESS.FILE_WRITE_DATA
  if (p === PAGE.PAGE_EXECUTE || p === PAGE.PAGE_EXECUTE_READ || p === PAGE.PAGE_EXECUTE_WRITECOPY) return ACCESS.FILE_EXECUTE
  return ACCESS.FILE_READ_DATA
}

/**
 * FsRtlGetFileSize: FastIoQueryStandardInfo through the top of the stack, else the IRP
 * (IRP_MJ_QUERY_INFORMATION FileStandardInformation) — Procmon shows either as
 * QueryStandardInformationFile.
 */
function* querySize(io: IoManager, fo: FileObject): Co<{ status: NTSTATUS; size: number; directory: boolean }> {
  const out = new Uint8Array(24)
  const top = io.topDeviceFor(fo)
  const fast = top.DriverObject.FastIoDispatch?.FastIoQueryStandardInfo
  const iosb: IoStatusBlock = { Status: STATUS.STATUS_SUCCESS, Information: 0 }
  let status: NTSTATUS
  if (fast && (yield* fast(fo, true, out, iosb, top))) status = iosb.Status
  else {
    const { irp, sp, device } = io.buildIrp(fo, IRP_MJ.IRP_MJ_QUERY_INFORMATION)
    irp.RequestorMode = 'KernelMode'
    irp.Flags = IRP_FLAGS.IRP_BUFFERED_IO | IRP_FLAGS.IRP_SYNCHRONOUS_API
    irp.SystemBuffer = out
    sp.Parameters.QueryFile = { Length: 24, FileInformationClass: FILE_INFORMATION_CLASS.FileStandardInformation }
    status = yield* io.sendAndWait(device, irp)
  }
  const dv = new DataView(out.buffer)
  return { status, size: Number(dv.getBigInt64(8, true)), directory: out[21] !== 0 }
}

/** FsRtlSetFileSize: a writable section larger than the file extends it (IRP_MJ_SET_INFORMATION FileEndOfFileInformation) */
function* setFileSize(io: IoManager, fo: FileObject, size: number): Co<NTSTATUS> {
  const { irp, sp, device } = io.buildIrp(fo, IRP_MJ.IRP_MJ_SET_INFORMATION)
  irp.RequestorMode = 'KernelMode'
  irp.Flags = IRP_FLAGS.IRP_BUFFERED_IO | IRP_FLAGS.IRP_SYNCHRONOUS_API
  const buf = new Uint8Array(8)
  new DataView(buf.buffer).setBigInt64(0, BigInt(size), true)
  irp.SystemBuffer = buf
  sp.Parameters.SetFile = { Length: 8, FileInformationClass: FILE_INFORMATION_CLASS.FileEndOfFileInformation, FileObject: undefined, ReplaceIfExists: false, AdvanceOnly: false, ClusterCount: 0, DeleteHandle: undefined }
  return yield* io.sendAndWait(device, irp)
}

/** one acquire/release pair of the section synchronization, with `body` in between */
function* synchronized<T>(io: IoManager, fo: FileObject, sync: SectionSyncType, protection: number, body: (acquired: NTSTATUS) => Co<T>): Co<{ acquired: NTSTATUS; result?: T }> {
  const acquired = yield* FsRtlAcquireForSectionSynchronization(io, fo, sync, protection)
  if (!NT_SUCCESS(acquired)) return { acquired }
  try {
    return { acquired, result: yield* body(acquired) }
  } finally {
    yield* FsRtlReleaseFile(io, fo)
  }
}

/** NtCreateSection */
export function* NtCreateSection(io: IoManager, a: CreateSectionArgs): Co<ServiceResult & { handle?: number; section?: SectionObject }> {
  const mm = mmOf(io)
  const protection = a.SectionPageProtection
  if (!isValidProtection(protection)) return { status: STATUS.STATUS_INVALID_PAGE_PROTECTION, information: 0 }
  const image = (a.AllocationAttributes & SEC.SEC_IMAGE) !== 0
  const process = io.currentProcess()
  if (a.FileHandle === undefined || a.FileHandle === 0) {
    // paging-file backed memory: the size is the caller's
    if (image || !a.MaximumSize || a.MaximumSize <= 0) return { status: STATUS.STATUS_INVALID_PARAMETER, information: 0 }
    const seg = mm.pagefileSegment()
    mm.hold(seg, 'section')
    const section = new SectionObject(mm, seg, a.MaximumSize, protection, a.AllocationAttributes)
    section.header.pointerCount = 1
    return { status: STATUS.STATUS_SUCCESS, information: 0, handle: insertHandle(process, section, a.DesiredAccess), section }
  }
  const ref = referenceFile(io, a.FileHandle, image ? ACCESS.FILE_EXECUTE | ACCESS.FILE_READ_DATA : fileAccessFor(protection))
  if ('status' in ref) return { status: ref.status, information: 0 }
  const fo = ref.fo
  fo.assertUsable('NtCreateSection')
  if (!fo.SectionObjectPointer) return { status: MM_STATUS.STATUS_INVALID_FILE_FOR_SECTION, information: 0 }
  let failure: NTSTATUS | undefined
  let made: SectionObject | undefined
  const first = yield* synchronized(io, fo, 'SyncTypeCreateSection', protection, function* () {
    const q = yield* querySize(io, fo)
    if (!NT_SUCCESS(q.status)) return (failure = q.status)
    if (q.directory) return (failure = MM_STATUS.STATUS_INVALID_FILE_FOR_SECTION)
    let size = q.size
    const wanted = a.MaximumSize ?? 0
    if (wanted === 0 && size === 0) return (failure = STATUS.STATUS_MAPPED_FILE_SIZE_ZERO)
    if (wanted > size) {
      if (!isWritable(protection) || isCopyOnWrite(protection) || image) return (failure = STATUS.STATUS_SECTION_TOO_BIG)
      const st = yield* setFileSize(io, fo, wanted)
      if (!NT_SUCCESS(st)) return (failure = st)
      size = wanted
    } else if (wanted > 0) size = wanted
    if (image) {
      // the image header is read with a non-cached paging read (observed: no Synchronous Paging I/O)
      const page = new Uint8Array(PAGE_SIZE)
      const r = yield* pagingIo(io, fo, false, 0, page, PAGING_ASYNC)
      if (!NT_SUCCESS(r.Status)) return (failure = r.Status)
      if (page[0] !== 0x4d || page[1] !== 0x5a) return (failure = MM_STATUS.STATUS_INVALID_IMAGE_NOT_MZ)
    }
    const seg = mm.dataSegmentFor(fo, image ? 'image' : 'data')
    mm.hold(seg, 'section')
    made = new SectionObject(mm, seg, size, protection, a.AllocationAttributes)
    made.header.pointerCount = 1
    return STATUS.STATUS_SUCCESS
  })
  if (!NT_SUCCESS(first.acquired)) return { status: first.acquired, information: 0 }
  if (failure !== undefined || !made) return { status: failure ?? STATUS.STATUS_INVALID_PARAMETER, information: 0 }
  // the second pair comes after every section creation, with nothing inside it (Win10 1709 capture
  // rows 32095-32097: CreateFileMapping SyncTypeCreateSection → QueryStandardInformationFile →
  // CreateFileMapping SyncTypeOther; unverified: which Mm routine takes it)
  yield* synchronized(io, fo, 'SyncTypeOther', 0, function* () {
    return STATUS.STATUS_SUCCESS
  })
  const section: SectionObject = made
  return { status: STATUS.STATUS_SUCCESS, information: 0, handle: insertHandle(process, section, a.DesiredAccess), section }
}

function sectionByHandle(io: IoManager, handle: number, access: number): { section: SectionObject } | { status: NTSTATUS } {
  const entry = io.currentProcess().handles.get(handle)
  if (!entry) return { status: STATUS.STATUS_INVALID_HANDLE }
  if (!(entry.object instanceof SectionObject)) return { status: STATUS.STATUS_OBJECT_TYPE_MISMATCH }
  if ((entry.grantedAccess & access) !== access) return { status: STATUS.STATUS_ACCESS_DENIED }
  return { section: entry.object }
}

export interface MapViewArgs {
  SectionHandle: number
  SectionOffset?: number
  ViewSize?: number
  Win32Protect: number
}

/** NtMapViewOfSection (into the calling process): returns the view's base address and size */
export function* NtMapViewOfSection(io: IoManager, a: MapViewArgs): Co<ServiceResult & { baseAddress?: number; viewSize?: number }> {
  const mm = mmOf(io)
  if (!isValidProtection(a.Win32Protect)) return { status: STATUS.STATUS_INVALID_PAGE_PROTECTION, information: 0 }
  const writes = isWritable(a.Win32Protect) && !isCopyOnWrite(a.Win32Protect)
  const s = sectionByHandle(io, a.SectionHandle, SECTION_ACCESS.SECTION_MAP_READ | (writes ? SECTION_ACCESS.SECTION_MAP_WRITE : 0))
  if ('status' in s) return { status: s.status, information: 0 }
  const section = s.section
  const offset = a.SectionOffset ?? 0
  if (offset % ALLOCATION_GRANULARITY !== 0) return { status: MM_STATUS.STATUS_MAPPED_ALIGNMENT, information: 0 }
  if (offset >= section.size) return { status: STATUS.STATUS_INVALID_VIEW_SIZE, information: 0 }
  const size = a.ViewSize && a.ViewSize > 0 ? a.ViewSize : section.size - offset
  if (offset + size > Math.ceil(section.size / PAGE_SIZE) * PAGE_SIZE) return { status: STATUS.STATUS_INVALID_VIEW_SIZE, information: 0 }
  if (!viewProtectionAllowed(section.protection, a.Win32Protect)) return { status: MM_STATUS.STATUS_SECTION_PROTECTION, information: 0 }
  // documented: an image view may be mapped for write only copy-on-write
  if (section.image && writes) return { status: MM_STATUS.STATUS_SECTION_PROTECTION, information: 0 }
  const view = mapView(mm, io.currentProcess(), section, offset, size, a.Win32Protect)
  return { status: STATUS.STATUS_SUCCESS, information: 0, baseAddress: view.base, viewSize: view.size }
}

/** NtUnmapViewOfSection */
export function* NtUnmapViewOfSection(io: IoManager, a: { BaseAddress: number }): Co<ServiceResult> {
  const view = addressSpaceOf(io.currentProcess()).views.get(a.BaseAddress)
  if (!view) return { status: MM_STATUS.STATUS_NOT_MAPPED_VIEW, information: 0 }
  yield* unmapView(view)
  return { status: STATUS.STATUS_SUCCESS, information: 0 }
}

/** NtReadVirtualMemory on the calling process's views: a page fault for each page not in memory */
export function* NtReadVirtualMemory(io: IoManager, a: { BaseAddress: number; NumberOfBytesToRead: number }): Co<ServiceResult & { data?: Uint8Array }> {
  const r = yield* readMapped(io, mmOf(io), io.currentProcess(), a.BaseAddress, a.NumberOfBytesToRead)
  return { status: r.status, information: r.data?.length ?? 0, data: r.data }
}

/** NtWriteVirtualMemory on the calling process's views: faults, then modified pages */
export function* NtWriteVirtualMemory(io: IoManager, a: { BaseAddress: number; Data: Uint8Array }): Co<ServiceResult> {
  const st = yield* writeMapped(io, mmOf(io), io.currentProcess(), a.BaseAddress, a.Data)
  return { status: st, information: NT_SUCCESS(st) ? a.Data.length : 0 }
}

/** NtFlushVirtualMemory (FlushViewOfFile): the range's modified pages are written now, in this thread */
export function* NtFlushVirtualMemory(io: IoManager, a: { BaseAddress: number; RegionSize?: number }): Co<ServiceResult> {
  const st = yield* flushMapped(io, mmOf(io), io.currentProcess(), a.BaseAddress, a.RegionSize ?? 0)
  return { status: st, information: 0 }
}
