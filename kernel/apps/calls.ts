// What several profiles do alike: fail with an NTSTATUS as the thread's last error, and read a
// file through a mapped view (CreateFileMapping + MapViewOfFile, then touching the pages: the
// data arrives as paging reads in the reading thread, not as ReadFile IRPs).

import type { Co } from '../ke/index.ts'
import * as nt from '../io/services/index.ts'
import { NtCreateSection, NtMapViewOfSection, NtReadVirtualMemory, NtUnmapViewOfSection } from '../io/services/section.ts'
import { PAGE, SEC, SECTION_ACCESS } from '../nt/file.ts'
import { NT_SUCCESS, STATUS, type NTSTATUS } from '../nt/status.ts'
import { failWith, setError } from '../win32/env.ts'
import { ERROR } from '../win32/errors.ts'
import type { AppContext, AppOutcome } from './registry.ts'

/** the action fails: `status` becomes the thread's last error (BaseSetLastNTError) */
export function failNt(ctx: AppContext, status: NTSTATUS, at: string): AppOutcome {
  failWith(ctx.env, status)
  return { ok: false, failedAt: at }
}

/** the action fails with a Win32 error that has no NTSTATUS behind it */
export function failWin32(ctx: AppContext, error: keyof typeof ERROR, at: string): AppOutcome {
  setError(ctx.env, ERROR[error])
  return { ok: false, failedAt: at }
}

/** the action failed in a Win32 function that already set the last error */
export function failedIn(at: string): AppOutcome {
  return { ok: false, failedAt: at }
}

export interface ViewRead {
  readonly status: NTSTATUS
  readonly data?: Uint8Array
  /** what failed */
  readonly at?: string
}

/**
 * CreateFileMapping(PAGE_READONLY) + MapViewOfFile(FILE_MAP_READ) of an open file, then
 * `before` (what the program does between mapping and reading, e.g. closing the file handle),
 * the first `bytes` of the view read, and the view unmapped. An empty file cannot be mapped
 * (STATUS_MAPPED_FILE_SIZE_ZERO): its data is empty.
 */
export function* readThroughView(ctx: AppContext, fileHandle: number, bytes: number, before?: () => Co<void>): Co<ViewRead> {
  const io = ctx.env.io
  const s = yield* NtCreateSection(io, { FileHandle: fileHandle, DesiredAccess: SECTION_ACCESS.SECTION_MAP_READ | SECTION_ACCESS.SECTION_QUERY, SectionPageProtection: PAGE.PAGE_READONLY, AllocationAttributes: SEC.SEC_COMMIT })
  if (s.status === STATUS.STATUS_MAPPED_FILE_SIZE_ZERO) {
    if (before) yield* before()
    return { status: STATUS.STATUS_SUCCESS, data: new Uint8Array(0) }
  }
  if (!NT_SUCCESS(s.status) || s.handle === undefined) return { status: s.status, at: 'CreateFileMapping' }
  const m = yield* NtMapViewOfSection(io, { SectionHandle: s.handle, Win32Protect: PAGE.PAGE_READONLY })
  // the view keeps the section: its handle goes as soon as the view exists (as MapViewOfFile's callers do)
  yield* nt.NtClose(io, { Handle: s.handle })
  if (!NT_SUCCESS(m.status) || m.baseAddress === undefined) return { status: m.status, at: 'MapViewOfFile' }
  if (before) yield* before()
  const length = Math.min(bytes, m.viewSize ?? 0)
  const r = length > 0 ? yield* NtReadVirtualMemory(io, { BaseAddress: m.baseAddress, NumberOfBytesToRead: length }) : { status: STATUS.STATUS_SUCCESS, data: new Uint8Array(0) }
  yield* NtUnmapViewOfSection(io, { BaseAddress: m.baseAddress })
  if (!NT_SUCCESS(r.status)) return { status: r.status, at: 'reading the view' }
  return { status: r.status, data: r.data }
}
