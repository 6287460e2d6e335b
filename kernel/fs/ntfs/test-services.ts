// Test calls for directory control, volume information, EAs and FSCTLs on a TestVolume: each
// runs the NT service on an emulated user thread and returns the status, its name and the bytes.

import type { Irp } from '../../io/irp.ts'
import {
  NtFsControlFile,
  NtNotifyChangeDirectoryFile,
  NtQueryDirectoryFile,
  NtQueryEaFile,
  NtQueryVolumeInformationFile,
  NtSetEaFile,
  NtSetVolumeInformationFile,
} from '../../io/services/index.ts'
import { FILE_INFORMATION_CLASS as C, FS_INFORMATION_CLASS as F, type FsInformationClassName } from '../../nt/infoclass.ts'
import { IRP_MJ } from '../../nt/irp.ts'
import { statusName, type NTSTATUS } from '../../nt/status.ts'
import { decodeDirEntries, type DirClass, type DirEntry } from '../../rtl/structs/dirinfo.ts'
import { dirctrlDispatch } from './dirctrl.ts'
import { eaDispatch } from './ea.ts'
import { fsctlDispatch } from './fsctl.ts'
import type { TestVolume } from './test-support.ts'
import { volinfoDispatch } from './volinfo.ts'

export interface BytesResult {
  status: NTSTATUS
  name: string
  information: number
  bytes: Uint8Array
}

/** makes sure the volume's driver object routes these majors to their dispatch routines */
export function withVolumeServices(v: TestVolume): TestVolume {
  const d = v.vcb.volumeDevice.DriverObject.MajorFunction
  d[IRP_MJ.IRP_MJ_DIRECTORY_CONTROL] ??= dirctrlDispatch
  d[IRP_MJ.IRP_MJ_QUERY_VOLUME_INFORMATION] ??= volinfoDispatch
  d[IRP_MJ.IRP_MJ_SET_VOLUME_INFORMATION] ??= volinfoDispatch
  d[IRP_MJ.IRP_MJ_QUERY_EA] ??= eaDispatch
  d[IRP_MJ.IRP_MJ_SET_EA] ??= eaDispatch
  d[IRP_MJ.IRP_MJ_FILE_SYSTEM_CONTROL] ??= fsctlDispatch
  return v
}

export interface DirQuery {
  pattern?: string
  restart?: boolean
  single?: boolean
  length?: number
}

export function queryDir(v: TestVolume, handle: number, cls: DirClass, q: DirQuery = {}): BytesResult & { entries: DirEntry[]; names: string[] } {
  const r = v.run(() =>
    NtQueryDirectoryFile(v.io, {
      FileHandle: handle,
      FileInformationClass: C[cls],
      Length: q.length ?? 4096,
      ...(q.pattern !== undefined ? { FileName: q.pattern } : {}),
      RestartScan: q.restart ?? false,
      ReturnSingleEntry: q.single ?? false,
    }),
  )
  const bytes = r.buffer ?? new Uint8Array(0)
  const entries = bytes.length > 0 ? decodeDirEntries(cls, bytes) : []
  return { status: r.status, name: statusName(r.status), information: r.information, bytes, entries, names: entries.map((e) => e.FileName) }
}

/** every name an enumeration returns, query after query, until STATUS_NO_MORE_FILES */
export function listAll(v: TestVolume, handle: number, cls: DirClass = 'FileNamesInformation', q: DirQuery = {}): string[] {
  const names: string[] = []
  let first = true
  for (let i = 0; i < 10000; i++) {
    const r = queryDir(v, handle, cls, { ...q, restart: first && (q.restart ?? true) })
    first = false
    if (r.name === 'STATUS_NO_MORE_FILES' || r.name === 'STATUS_NO_SUCH_FILE') return names
    if (r.name !== 'STATUS_SUCCESS') throw new Error(`query directory: ${r.name}`)
    names.push(...r.names)
  }
  throw new Error('the enumeration did not end')
}

export function queryVolume(v: TestVolume, handle: number, cls: FsInformationClassName, length = 1024): BytesResult {
  const r = v.run(() => NtQueryVolumeInformationFile(v.io, { FileHandle: handle, FsInformationClass: F[cls], Length: length }))
  return { status: r.status, name: statusName(r.status), information: r.information, bytes: r.buffer ?? new Uint8Array(0) }
}

export function setVolume(v: TestVolume, handle: number, cls: FsInformationClassName, bytes: Uint8Array): BytesResult {
  const r = v.run(() => NtSetVolumeInformationFile(v.io, { FileHandle: handle, FsInformationClass: F[cls], FsInformation: bytes }))
  return { status: r.status, name: statusName(r.status), information: r.information, bytes: new Uint8Array(0) }
}

export function fsctl(v: TestVolume, handle: number, code: number, input?: Uint8Array, outputLength = 0): BytesResult {
  const r = v.run(() => NtFsControlFile(v.io, { FileHandle: handle, FsControlCode: code, ...(input ? { InputBuffer: input } : {}), OutputBufferLength: outputLength }))
  return { status: r.status, name: statusName(r.status), information: r.information, bytes: r.output ?? new Uint8Array(0) }
}

export interface EaQuery {
  length?: number
  single?: boolean
  list?: string[]
  index?: number
  restart?: boolean
}

export function queryEa(v: TestVolume, handle: number, q: EaQuery = {}): BytesResult {
  const r = v.run(() =>
    NtQueryEaFile(v.io, {
      FileHandle: handle,
      Length: q.length ?? 4096,
      ReturnSingleEntry: q.single ?? false,
      ...(q.list ? { EaList: q.list } : {}),
      ...(q.index !== undefined ? { EaIndex: q.index } : {}),
      RestartScan: q.restart ?? false,
    }),
  )
  return { status: r.status, name: statusName(r.status), information: r.information, bytes: r.buffer ?? new Uint8Array(0) }
}

export function setEa(v: TestVolume, handle: number, bytes: Uint8Array): BytesResult {
  const r = v.run(() => NtSetEaFile(v.io, { FileHandle: handle, Buffer: bytes }))
  return { status: r.status, name: statusName(r.status), information: r.information, bytes: new Uint8Array(0) }
}

/**
 * NtNotifyChangeDirectoryFile on an asynchronous handle: returns at once (STATUS_PENDING and the
 * IRP, or the status it completed with). Read the IRP's IoStatus and UserBuffer after later calls.
 */
export function notify(v: TestVolume, handle: number, filter: number, o: { watchTree?: boolean; length?: number } = {}): { status: NTSTATUS; name: string; irp: Irp | undefined } {
  const r = v.run(() => NtNotifyChangeDirectoryFile(v.io, { FileHandle: handle, CompletionFilter: filter, WatchTree: o.watchTree ?? false, Length: o.length ?? 4096 }))
  return { status: r.status, name: statusName(r.status), irp: r.irp }
}
