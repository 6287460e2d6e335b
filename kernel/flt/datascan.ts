// Data-scan sections (FltRegisterForDataScan, FltCreateSectionForDataScan,
// FltCloseSectionForDataScan): a read-only view of a file for a scanner, as avscan makes one in
// post-create or pre-cleanup. The section is a Memory Manager data section on the file
// (kernel/mm): it shares the file's segment with the Cache Manager and any other section, so a
// scan sees data still dirty in the cache, and the pages it lacks come in as page faults — a
// synchronous paging read (IRP_PAGING_IO | IRP_NOCACHE | IRP_SYNCHRONOUS_PAGING_IO) in the
// scanning thread, down the file object's whole stack. Its creation is bracketed by the FsFilter
// callbacks IRP_MJ_ACQUIRE/RELEASE_FOR_SECTION_SYNCHRONIZATION. A scanner reads the section
// with readSection, which maps a view in system space, reads it and unmaps it.

import type { Co } from '../ke/index.ts'
import type { FileObject } from '../io/file-object.ts'
import { insertHandle, NtClose } from '../io/services/handles.ts'
import { FILE_INFORMATION_CLASS } from '../nt/infoclass.ts'
import { SEC } from '../nt/file.ts'
import { MmOf } from '../mm/memory-manager.ts'
import { mapView, readMapped, SectionObject as MmSection, unmapView } from '../mm/section.ts'
import { IRP_MJ_FLT } from '../nt/irp.ts'
import { NT_SUCCESS, STATUS, type NTSTATUS } from '../nt/status.ts'
import { FltQueryInformationFile } from './generated-io.ts'
import type { FltInstance } from './objects.ts'
import type { OBJECT_ATTRIBUTES, PFLT_CONTEXT, Ref } from './types.ts'

const DATA_SCAN = new WeakSet<FltInstance>()
/** SyncTypeCreateSection (FS_FILTER_SECTION_SYNC_TYPE) */
const SyncTypeCreateSection = 1
/** PAGE_READONLY */
const PAGE_READONLY = 0x02

/** A data-scan section: the Memory Manager's section on the file, with the scan's bookkeeping. */
export class DataScanSection {
  handle = 0
  constructor(
    readonly instance: FltInstance,
    readonly fileObject: FileObject,
    /** the file's size when the section was made */
    readonly size: number,
    readonly context: PFLT_CONTEXT | undefined,
    /** the data section (its handle in the creating process is `handle`) */
    readonly section: MmSection,
  ) {}
}

const SECTIONS = new WeakMap<object, DataScanSection>()

/** FltRegisterForDataScan: the instance may create data-scan sections from now on */
export function FltRegisterForDataScan(Instance: FltInstance): NTSTATUS {
  DATA_SCAN.add(Instance)
  return STATUS.STATUS_SUCCESS
}

/**
 * FltCreateSectionForDataScan: a read-only section on `FileObject` for the instance's scan, with
 * a handle in the current process. SectionContext (an FLT_SECTION_CONTEXT the filter allocated)
 * stands for it in FltCloseSectionForDataScan.
 */
export function* FltCreateSectionForDataScan(
  Instance: FltInstance,
  FileObject: FileObject,
  SectionContext: PFLT_CONTEXT,
  _DesiredAccess: number,
  _ObjectAttributes: OBJECT_ATTRIBUTES | null,
  _MaximumSize: number | null,
  SectionPageProtection: number,
  _AllocationAttributes: number,
  _Flags: number,
  SectionHandle: Ref<number>,
  SectionObject: Ref<DataScanSection> | null,
  SectionFileSize: Ref<number> | null,
): Co<NTSTATUS> {
  const mgr = Instance.filter.mgr
  mgr.requirePassiveOrApc('FltCreateSectionForDataScan')
  SectionHandle.value = undefined
  // unverified: the status when the instance did not call FltRegisterForDataScan
  if (!DATA_SCAN.has(Instance)) return STATUS.STATUS_NOT_SUPPORTED
  const protection = SectionPageProtection || PAGE_READONLY
  const acquire = yield* mgr.fsFilter(
    FileObject,
    IRP_MJ_FLT.IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION,
    (p) => {
      p.AcquireForSectionSynchronization.SyncType = SyncTypeCreateSection
      p.AcquireForSectionSynchronization.PageProtection = protection
    },
    function* () {
      return STATUS.STATUS_SUCCESS
    },
  )
  if (!NT_SUCCESS(acquire.status)) return acquire.status
  try {
    const info = new Uint8Array(24)
    const st = yield* FltQueryInformationFile(Instance, FileObject, info, 24, FILE_INFORMATION_CLASS.FileStandardInformation, null)
    if (!NT_SUCCESS(st)) return st
    const size = Number(new DataView(info.buffer).getBigInt64(8, true))
    const mm = MmOf(mgr.io)
    if (!mm) return STATUS.STATUS_NOT_SUPPORTED
    // unverified: the status for a file without section object pointers (a directory, a volume open)
    if (!FileObject.SectionObjectPointer) return STATUS.STATUS_INVALID_PARAMETER
    // the file's data segment: the one the cache and other sections use, made now if there is none
    const seg = mm.dataSegmentFor(FileObject, 'data')
    mm.hold(seg, 'section')
    const mmSection = new MmSection(mm, seg, size, protection, SEC.SEC_COMMIT)
    // the creation reference, which the handle takes over
    mmSection.header.pointerCount = 1
    const section = new DataScanSection(Instance, FileObject, size, SectionContext, mmSection)
    section.handle = insertHandle(mgr.io.currentProcess(), mmSection, 0x0004 /* SECTION_MAP_READ */)
    SECTIONS.set(SectionContext, section)
    SectionHandle.value = section.handle
    if (SectionObject) SectionObject.value = section
    if (SectionFileSize) SectionFileSize.value = size
    return STATUS.STATUS_SUCCESS
  } finally {
    yield* mgr.fsFilter(FileObject, IRP_MJ_FLT.IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION, () => {}, function* () {
      return STATUS.STATUS_SUCCESS
    })
  }
}

/**
 * Reads `length` bytes of a data-scan section from `offset`, as a scanner reads its mapped view:
 * a read-only view in system space (MmMapViewInSystemSpace), page faults in the calling thread
 * for the pages not resident, the bytes, then the view is unmapped.
 */
export function* readSection(section: DataScanSection, offset: number, length: number): Co<{ status: NTSTATUS; data: Uint8Array }> {
  const end = Math.min(section.size, offset + length)
  if (offset >= end) return { status: STATUS.STATUS_SUCCESS, data: new Uint8Array(0) }
  const mgr = section.instance.filter.mgr
  const mm = section.section.mm
  const system = mgr.io.system
  const view = mapView(mm, system, section.section, 0, section.size, PAGE_READONLY)
  try {
    const r = yield* readMapped(mgr.io, mm, system, view.base + offset, end - offset)
    if (!NT_SUCCESS(r.status) || !r.data) return { status: r.status, data: new Uint8Array(0) }
    return { status: STATUS.STATUS_SUCCESS, data: r.data }
  } finally {
    yield* unmapView(view)
  }
}

/** FltCloseSectionForDataScan: closes the section made for SectionContext */
export function* FltCloseSectionForDataScan(SectionContext: PFLT_CONTEXT): Co<NTSTATUS> {
  const section = SECTIONS.get(SectionContext)
  if (!section) return STATUS.STATUS_INVALID_PARAMETER
  SECTIONS.delete(SectionContext)
  const r = yield* NtClose(section.instance.filter.mgr.io, { Handle: section.handle })
  return r.status
}
