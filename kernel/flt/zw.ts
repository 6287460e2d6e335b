// Zw* routines for filter code. They are the NT system services called from the filter's own
// thread: the request enters the file-system stack at the top, so every filter (the caller
// included) sees it again, as on Windows. A ZwCreateFile from a pre-create callback on the same
// file recurses; the trace shows the nesting (`depth`), and unbounded recursion overflows the
// kernel stack.

import type { Co } from '../ke/index.ts'
import { NtClose, NtCreateFile, NtQueryInformationFile, NtReadFile, NtSetInformationFile, NtWriteFile } from '../io/services/index.ts'
import type { NTSTATUS } from '../nt/status.ts'
import type { EaEntry } from '../fs/ntfs/store.ts'
import { activeManager } from './invoke.ts'
import type { FilterManager } from './manager.ts'
import type { IO_STATUS_BLOCK, OBJECT_ATTRIBUTES, Ref } from './types.ts'

function mgr(api: string): FilterManager {
  const m = activeManager()
  if (!m) throw new Error(`${api} was called outside filter code (Zw routines run in a filter callback's thread)`)
  return m
}

function iosb(b: IO_STATUS_BLOCK | null | undefined, status: NTSTATUS, information: number): NTSTATUS {
  if (b) {
    b.Status = status
    b.Information = information
  }
  return status
}

/** ZwCreateFile */
export function* ZwCreateFile(
  FileHandle: Ref<number>,
  DesiredAccess: number,
  ObjectAttributes: OBJECT_ATTRIBUTES,
  IoStatusBlock: IO_STATUS_BLOCK | null,
  AllocationSize: number | null,
  FileAttributes: number,
  ShareAccess: number,
  CreateDisposition: number,
  CreateOptions: number,
  EaBuffer: EaEntry[] | null,
  _EaLength: number,
): Co<NTSTATUS> {
  const m = mgr('ZwCreateFile')
  const r = yield* NtCreateFile(m.io, {
    FileName: ObjectAttributes.ObjectName,
    DesiredAccess,
    Attributes: ObjectAttributes.Attributes,
    ...(ObjectAttributes.RootDirectory !== undefined ? { RootDirectory: ObjectAttributes.RootDirectory } : {}),
    AllocationSize: AllocationSize ?? 0,
    FileAttributes,
    ShareAccess,
    CreateDisposition,
    CreateOptions,
    ...(EaBuffer ? { EaBuffer } : {}),
  })
  FileHandle.value = r.handle
  return iosb(IoStatusBlock, r.status, r.information)
}

/** ZwClose */
export function* ZwClose(Handle: number): Co<NTSTATUS> {
  const r = yield* NtClose(mgr('ZwClose').io, { Handle })
  return r.status
}

/** ZwReadFile (synchronous handles; Event and APC are not used) */
export function* ZwReadFile(
  FileHandle: number,
  _Event: unknown,
  _ApcRoutine: unknown,
  _ApcContext: unknown,
  IoStatusBlock: IO_STATUS_BLOCK | null,
  Buffer: Uint8Array,
  Length: number,
  ByteOffset: number | null,
  Key: number | null,
): Co<NTSTATUS> {
  const r = yield* NtReadFile(mgr('ZwReadFile').io, { FileHandle, Length, ...(ByteOffset !== null ? { ByteOffset } : {}), Key: Key ?? 0 })
  if (r.data) Buffer.set(r.data.subarray(0, Math.min(r.data.length, Buffer.length)))
  return iosb(IoStatusBlock, r.status, r.information)
}

/** ZwWriteFile */
export function* ZwWriteFile(
  FileHandle: number,
  _Event: unknown,
  _ApcRoutine: unknown,
  _ApcContext: unknown,
  IoStatusBlock: IO_STATUS_BLOCK | null,
  Buffer: Uint8Array,
  Length: number,
  ByteOffset: number | null,
  Key: number | null,
): Co<NTSTATUS> {
  const r = yield* NtWriteFile(mgr('ZwWriteFile').io, { FileHandle, Data: Buffer.subarray(0, Length), ...(ByteOffset !== null ? { ByteOffset } : {}), Key: Key ?? 0 })
  return iosb(IoStatusBlock, r.status, r.information)
}

/** ZwQueryInformationFile */
export function* ZwQueryInformationFile(FileHandle: number, IoStatusBlock: IO_STATUS_BLOCK | null, FileInformation: Uint8Array, Length: number, FileInformationClass: number): Co<NTSTATUS> {
  const r = yield* NtQueryInformationFile(mgr('ZwQueryInformationFile').io, { FileHandle, FileInformationClass, Length })
  if (r.buffer) FileInformation.set(r.buffer.subarray(0, Math.min(r.buffer.length, FileInformation.length)))
  return iosb(IoStatusBlock, r.status, r.information)
}

/** ZwSetInformationFile */
export function* ZwSetInformationFile(FileHandle: number, IoStatusBlock: IO_STATUS_BLOCK | null, FileInformation: Uint8Array, Length: number, FileInformationClass: number): Co<NTSTATUS> {
  const r = yield* NtSetInformationFile(mgr('ZwSetInformationFile').io, { FileHandle, FileInformation, Length, FileInformationClass })
  return iosb(IoStatusBlock, r.status, r.information)
}
