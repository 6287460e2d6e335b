// What an explorer.exe routine returns: its result, or the NTSTATUS of the NT call that failed.
// Routines run on emulated threads, where an exception would bug-check the machine, so failures
// are values.

import { statusName, type NTSTATUS } from '../../nt/status.ts'

export type ExplorerOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false
      /** the failing call's NTSTATUS */
      readonly status: NTSTATUS
      /** the NT call that failed (`NtCreateFile` …) */
      readonly call: string
      /** the path it was about */
      readonly path: string
    }

export function failed(status: NTSTATUS, call: string, path: string): ExplorerOutcome<never> {
  return { ok: false, status, call, path }
}

/** `C:\Nope: STATUS_OBJECT_NAME_NOT_FOUND (NtCreateFile)` */
export function describeFailure(o: { status: NTSTATUS; call: string; path: string }): string {
  return `${o.path}: ${statusName(o.status)} (${o.call})`
}
