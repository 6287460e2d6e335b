// MsMpEng.exe (Microsoft Defender's engine): scans a new or changed file after the writer is
// done with it. It opens the file for reading, maps it with a data section
// (CreateFileMapping → the section-synchronization pair, NtCreateSection SEC_COMMIT) and reads
// the view, so its reads are paging reads in MsMpEng's thread; then it closes the file.
// [O] Win10 1709 capture (irp-sequences.md §3.3): MsMpEng.exe CreateFileMapping
// (SyncTypeCreateSection) + QueryStandardInformationFile on the saved .txt ~2 ms after Notepad's
// close. What else it reads (how much, in which order) is not in the basic-mode capture.
// inferred: the kernel side uses FltCreateSectionForDataScan from WdFilter; a user-mode section
// on a user-mode open gives the same file-system view (acquire/release pairs, paging reads).

import type { Co } from '../../ke/index.ts'
import type { Machine } from '../../machine.ts'
import * as nt from '../../io/services/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_DISPOSITION, CREATE_OPTIONS, SHARE_ACCESS } from '../../nt/file.ts'
import { win32Env } from '../../win32/index.ts'
import { readThroughView } from '../calls.ts'
import type { AppContext } from '../registry.ts'
import { settingNumber, type AppSettings } from '../settings.ts'

export const DEFENDER_IMAGE = 'MsMpEng.exe'

/** the scan of one file, in a thread of MsMpEng.exe */
export function* defenderScan(machine: Machine, settings: AppSettings, ntName: string): Co<void> {
  const io = machine.io
  const open = yield* nt.NtCreateFile(io, {
    FileName: ntName,
    // unverified: the engine's access and share; read data and attributes, sharing everything so that no application is disturbed
    DesiredAccess: ACCESS.FILE_READ_DATA | ACCESS.FILE_READ_ATTRIBUTES | ACCESS.SYNCHRONIZE,
    ShareAccess: SHARE_ACCESS.FILE_SHARE_READ | SHARE_ACCESS.FILE_SHARE_WRITE | SHARE_ACCESS.FILE_SHARE_DELETE,
    CreateDisposition: CREATE_DISPOSITION.FILE_OPEN,
    CreateOptions: CREATE_OPTIONS.FILE_NON_DIRECTORY_FILE | CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_NONALERT,
  })
  // gone, a directory, or locked by its writer: nothing to scan now (a later change brings it back)
  if (open.handle === undefined) return
  const ctx: AppContext = { machine, process: io.currentProcess(), env: win32Env(io), settings }
  try {
    // the view is as large as the file (an empty file has none); the engine reads up to its limit
    yield* readThroughView(ctx, open.handle, settingNumber(settings, 'app.defender.scanBytes'))
  } finally {
    yield* nt.NtClose(io, { Handle: open.handle })
  }
}
