// Data-scan sections (FltRegisterForDataScan, FltCreateSectionForDataScan,
// FltCloseSectionForDataScan): a read-only view of a file for a scanner, as avscan makes one in
// post-create or pre-cleanup. The section is an object with a handle in the calling process; its
// pages come in through paging reads sent below the instance
// (IRP_PAGING_IO | IRP_NOCACHE | IRP_SYNCHRONOUS_PAGING_IO), as the Memory Manager would fault
// them in, and its creation is bracketed by the FsFilter callbacks
// IRP_MJ_ACQUIRE/RELEASE_FOR_SECTION_SYNCHRONIZATION. Mapping a view into a user process comes
// with the Memory Manager; until then a scanner reads the section with readSection.

import type { Co } from '../ke/index.ts'
import type { FileObject } from '../io/file-object.ts'
import { insertHandle, NtClose } from '../io/services/handles.ts'
import { FILE_INFORMATION_CLASS } from '../nt/infoclass.ts'
import { IRP_MJ_FLT } from '../nt/irp.ts'
import { NT_SUCCESS, STATUS, type NTSTATUS } from '../nt/status.ts'
import { ObjectHeader, type KObject, type ObjectType } from '../ob/index.ts'
import { FLTFL_IO_OPERATION_PAGING, FLTFL_IO_OPERATION_SYNCHRONOUS_PAGING } from './constants.ts'
import { FltQueryInformationFile, FltReadFile } from './generated-io.ts'
import type { FltInstance } from './objects.ts'
import { ref, type OBJECT_ATTRIBUTES, type PFLT_CONTEXT, type Ref } from './types.ts'

const SectionType: ObjectType = { name: 'Section' }
const DATA_SCAN = new WeakSet<FltInstance>()
/** SyncTypeCreateSection (FS_FILTER_SECTION_SYNC_TYPE) */
const SyncTypeCreateSection = 1
/** PAGE_READONLY */
const PAGE_READONLY = 0x02

/** A data-scan section: the file's data as of its creation, read page by page below the instance. */
export class DataScanSection implements KObject {
  readonly header = new ObjectHeader(SectionType, '')
  handle = 0
  constructor(
    readonly instance: FltInstance,
    readonly fileObject: FileObject,
    /** the file's size when the section was made */
    readonly size: number,
    readonly context: PFLT_CONTEXT | undefined,
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
    const section = new DataScanSection(Instance, FileObject, size, SectionContext)
    // the creation reference, which the handle takes over
    section.header.pointerCount = 1
    section.handle = insertHandle(mgr.io.currentProcess(), section, 0x0004 /* SECTION_MAP_READ */)
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
 * Reads `length` bytes of a data-scan section from `offset`: the pages come in with paging
 * reads below the instance (what a view's page faults cost).
 */
export function* readSection(section: DataScanSection, offset: number, length: number): Co<{ status: NTSTATUS; data: Uint8Array }> {
  const end = Math.min(section.size, offset + length)
  if (offset >= end) return { status: STATUS.STATUS_SUCCESS, data: new Uint8Array(0) }
  const PAGE = 4096
  const first = Math.floor(offset / PAGE) * PAGE
  const last = Math.ceil(end / PAGE) * PAGE
  const pages = new Uint8Array(last - first)
  const got = ref<number>()
  const st = yield* FltReadFile(section.instance, section.fileObject, first, pages.length, pages, FLTFL_IO_OPERATION_PAGING | FLTFL_IO_OPERATION_SYNCHRONOUS_PAGING, got)
  if (!NT_SUCCESS(st)) return { status: st, data: new Uint8Array(0) }
  return { status: STATUS.STATUS_SUCCESS, data: pages.slice(offset - first, end - first) }
}

/** FltCloseSectionForDataScan: closes the section made for SectionContext */
export function* FltCloseSectionForDataScan(SectionContext: PFLT_CONTEXT): Co<NTSTATUS> {
  const section = SECTIONS.get(SectionContext)
  if (!section) return STATUS.STATUS_INVALID_PARAMETER
  SECTIONS.delete(SectionContext)
  const r = yield* NtClose(section.instance.filter.mgr.io, { Handle: section.handle })
  return r.status
}
