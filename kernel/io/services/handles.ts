// Handles to file objects: insertion after a successful create, reference by handle with an
// access check, NtClose and NtDuplicateObject.

import type { Co } from '../../ke/index.ts'
import { DUPLICATE_OPTIONS } from '../../nt/file.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import { ObDereferenceObject, ObReferenceObject, type EProcess, type HandleEntry, type KObject } from '../../ob/index.ts'
import { FileObject, FO } from '../file-object.ts'
import type { IoManager } from '../iomgr.ts'

export interface ServiceResult {
  status: NTSTATUS
  information: number
}

/** ObInsertObject for a new file object: the creation reference moves to the handle */
export function insertHandle(process: EProcess, obj: KObject, grantedAccess: number, attributes = 0): number {
  obj.header.handleCount++
  if (obj instanceof FileObject) obj.Flags |= FO.FO_HANDLE_CREATED
  return process.handles.insert({ object: obj, grantedAccess, attributes, protectFromClose: false })
}

export type FileRef = { fo: FileObject; entry: HandleEntry } | { status: NTSTATUS }

/** ObReferenceObjectByHandle for a file handle; `access` must all be granted (any of `anyOf`) */
export function referenceFile(io: IoManager, handle: number, access = 0, anyOf = 0): FileRef {
  const entry = io.currentProcess().handles.get(handle)
  if (!entry) return { status: STATUS.STATUS_INVALID_HANDLE }
  if (!(entry.object instanceof FileObject)) return { status: STATUS.STATUS_OBJECT_TYPE_MISMATCH }
  if ((entry.grantedAccess & access) !== access) return { status: STATUS.STATUS_ACCESS_DENIED }
  if (anyOf && (entry.grantedAccess & anyOf) === 0) return { status: STATUS.STATUS_ACCESS_DENIED }
  return { fo: entry.object, entry }
}

/** NtClose */
export function* NtClose(io: IoManager, args: { Handle: number }): Co<ServiceResult> {
  const process = io.currentProcess()
  const entry = process.handles.get(args.Handle)
  if (!entry) return { status: STATUS.STATUS_INVALID_HANDLE, information: 0 }
  if (entry.protectFromClose) return { status: STATUS.STATUS_HANDLE_NOT_CLOSABLE, information: 0 }
  process.handles.remove(args.Handle)
  yield* closeHandleEntry(process, entry)
  return { status: STATUS.STATUS_SUCCESS, information: 0 }
}

export function* closeHandleEntry(process: EProcess, entry: HandleEntry): Co<void> {
  const obj = entry.object
  obj.header.handleCount--
  const close = obj.header.type.close
  if (close) yield* close(obj, process, obj.header.handleCount)
  yield* ObDereferenceObject(obj)
}

/** NtDuplicateObject within the current process */
export function* NtDuplicateObject(
  io: IoManager,
  args: { SourceHandle: number; DesiredAccess?: number; Options?: number; HandleAttributes?: number },
): Co<ServiceResult & { handle?: number }> {
  const process = io.currentProcess()
  const entry = process.handles.get(args.SourceHandle)
  if (!entry) return { status: STATUS.STATUS_INVALID_HANDLE, information: 0 }
  const options = args.Options ?? 0
  const access = options & DUPLICATE_OPTIONS.DUPLICATE_SAME_ACCESS ? entry.grantedAccess : (args.DesiredAccess ?? 0)
  const attributes = options & DUPLICATE_OPTIONS.DUPLICATE_SAME_ATTRIBUTES ? entry.attributes : (args.HandleAttributes ?? 0)
  ObReferenceObject(entry.object)
  const handle = insertHandleForExisting(process, entry.object, access, attributes)
  if (options & DUPLICATE_OPTIONS.DUPLICATE_CLOSE_SOURCE) {
    process.handles.remove(args.SourceHandle)
    yield* closeHandleEntry(process, entry)
  }
  return { status: STATUS.STATUS_SUCCESS, information: 0, handle }
}

function insertHandleForExisting(process: EProcess, obj: KObject, grantedAccess: number, attributes: number): number {
  obj.header.handleCount++
  return process.handles.insert({ object: obj, grantedAccess, attributes, protectFromClose: false })
}
