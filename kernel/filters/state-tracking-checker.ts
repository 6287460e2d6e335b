// The checker for the state-tracking filter: the file system's truth, read through NT calls
// after a run (NtQueryDirectoryFile folder by folder, then each file's FileStandardInformation),
// compared with the filter's published view. Each difference is a divergence naming the path
// and what differs: a file the filter believes in that the volume does not have, a file of the
// volume the filter does not know, a size, or the delete state.

import type { Co } from '../ke/index.ts'
import type { IoManager } from '../io/iomgr.ts'
import * as nt from '../io/services/index.ts'
import { ACCESS } from '../nt/access.ts'
import { CREATE_DISPOSITION as D, CREATE_OPTIONS as O, FILE_ATTRIBUTE, SHARE_ACCESS as S } from '../nt/file.ts'
import { FILE_INFORMATION_CLASS as C } from '../nt/infoclass.ts'
import { STATUS, statusName } from '../nt/status.ts'
import { decodeDirEntries } from '../rtl/structs/dirinfo.ts'
import type { TrackedFile, TrackedState } from './state-tracking.ts'

/** one file as the file system has it */
export interface TruthFile {
  path: string
  size: number
  deletePending: boolean
}

export interface Divergence {
  path: string
  kind: 'only-in-view' | 'missing-from-view' | 'size' | 'delete-pending'
  view?: TrackedFile
  truth?: TruthFile
  message: string
}

export interface CheckOptions {
  /** the folder compared, from the volume root (`\dir`); default the whole volume */
  scope?: string
  /** report files of the volume the filter does not know (default true) */
  complete?: boolean
}

const SHARE_ALL = S.FILE_SHARE_READ | S.FILE_SHARE_WRITE | S.FILE_SHARE_DELETE
const LIST_BYTES = 64 * 1024

/** NTFS's own names at the root, and folders no application's file lives in */
function hidden(name: string): boolean {
  return name.startsWith('$') || name.toLowerCase() === 'system volume information'
}

/**
 * The files under `scope` (recursively) on drive `drive`, read through NT calls on the calling
 * thread. A file that cannot be opened because its delete is pending counts as delete-pending
 * with the size its directory entry shows.
 */
export function* volumeTruth(io: IoManager, drive = 'C:', scope = '\\'): Co<Map<string, TruthFile>> {
  const out = new Map<string, TruthFile>()
  const folders = [scope.replace(/\\+$/, '')]
  while (folders.length > 0) {
    const folder = folders.shift()!
    const dir = yield* nt.NtCreateFile(io, {
      FileName: `\\??\\${drive}${folder}\\`,
      DesiredAccess: ACCESS.FILE_LIST_DIRECTORY | ACCESS.SYNCHRONIZE,
      ShareAccess: SHARE_ALL,
      CreateDisposition: D.FILE_OPEN,
      CreateOptions: O.FILE_DIRECTORY_FILE | O.FILE_SYNCHRONOUS_IO_NONALERT,
    })
    if (dir.handle === undefined) throw new Error(`the checker cannot open the folder ${drive}${folder || '\\'}: ${statusName(dir.status)}`)
    try {
      for (let first = true; ; first = false) {
        const q = yield* nt.NtQueryDirectoryFile(io, { FileHandle: dir.handle, FileInformationClass: C.FileDirectoryInformation, Length: LIST_BYTES, ...(first ? { FileName: '*', RestartScan: true } : {}) })
        if (q.status === STATUS.STATUS_NO_MORE_FILES || q.status === STATUS.STATUS_NO_SUCH_FILE) break
        if (q.status !== STATUS.STATUS_SUCCESS || !q.buffer) throw new Error(`the checker cannot list ${drive}${folder || '\\'}: ${statusName(q.status)}`)
        for (const e of decodeDirEntries('FileDirectoryInformation', q.buffer)) {
          if (e.FileName === '.' || e.FileName === '..' || (folder === '' && hidden(e.FileName))) continue
          const path = `${folder}\\${e.FileName}`
          if ((e.FileAttributes ?? 0) & FILE_ATTRIBUTE.FILE_ATTRIBUTE_DIRECTORY) {
            folders.push(path)
            continue
          }
          out.set(path.toUpperCase(), yield* fileTruth(io, drive, path, e.EndOfFile ?? 0))
        }
      }
    } finally {
      yield* nt.NtClose(io, { Handle: dir.handle })
    }
  }
  return out
}

function* fileTruth(io: IoManager, drive: string, path: string, listed: number): Co<TruthFile> {
  const f = yield* nt.NtCreateFile(io, {
    FileName: `\\??\\${drive}${path}`,
    DesiredAccess: ACCESS.FILE_READ_ATTRIBUTES | ACCESS.SYNCHRONIZE,
    ShareAccess: SHARE_ALL,
    CreateDisposition: D.FILE_OPEN,
    CreateOptions: O.FILE_NON_DIRECTORY_FILE | O.FILE_SYNCHRONOUS_IO_NONALERT | O.FILE_OPEN_REPARSE_POINT,
  })
  if (f.handle === undefined) {
    if (f.status === STATUS.STATUS_DELETE_PENDING) return { path, size: listed, deletePending: true }
    throw new Error(`the checker cannot open ${drive}${path}: ${statusName(f.status)}`)
  }
  try {
    const q = yield* nt.NtQueryInformationFile(io, { FileHandle: f.handle, FileInformationClass: C.FileStandardInformation, Length: 24 })
    if (q.status !== STATUS.STATUS_SUCCESS || !q.buffer) throw new Error(`the checker cannot query ${drive}${path}: ${statusName(q.status)}`)
    const dv = new DataView(q.buffer.buffer, q.buffer.byteOffset, 24)
    return { path, size: Number(dv.getBigInt64(8, true)), deletePending: q.buffer[20] !== 0 }
  } finally {
    yield* nt.NtClose(io, { Handle: f.handle })
  }
}

/** the divergences between the filter's view and the truth, in path order */
export function compareTrackedState(view: TrackedState, truth: ReadonlyMap<string, TruthFile>, opts: CheckOptions = {}): Divergence[] {
  const scope = (opts.scope ?? '\\').replace(/\\+$/, '').toUpperCase()
  const inScope = (p: string): boolean => scope === '' || p.toUpperCase().startsWith(`${scope}\\`)
  const out: Divergence[] = []
  const seen = new Set<string>()
  for (const [path, v] of Object.entries(view)) {
    if (!inScope(path)) continue
    const k = path.toUpperCase()
    seen.add(k)
    const t = truth.get(k)
    if (!t) {
      out.push({ path, kind: 'only-in-view', view: v, message: `${path}: the filter believes it exists (${v.size} bytes${v.deletePending ? ', delete pending' : ''}); the volume has no such file` })
      continue
    }
    if (v.size !== t.size) out.push({ path, kind: 'size', view: v, truth: t, message: `${path}: the filter believes ${v.size} bytes; the file has ${t.size}` })
    if (v.deletePending !== t.deletePending) out.push({ path, kind: 'delete-pending', view: v, truth: t, message: `${path}: the filter believes its delete is ${v.deletePending ? '' : 'not '}pending; it is ${t.deletePending ? '' : 'not '}` })
  }
  if (opts.complete !== false) {
    for (const [k, t] of truth) {
      if (seen.has(k) || !inScope(t.path)) continue
      out.push({ path: t.path, kind: 'missing-from-view', truth: t, message: `${t.path}: the volume has it (${t.size} bytes); the filter does not know it` })
    }
  }
  return out.sort((a, b) => (a.path.toUpperCase() < b.path.toUpperCase() ? -1 : a.path.toUpperCase() > b.path.toUpperCase() ? 1 : 0))
}

/** reads the truth of `scope` on the calling thread and compares the view with it */
export function* checkTrackedState(io: IoManager, view: TrackedState, opts: CheckOptions & { drive?: string } = {}): Co<Divergence[]> {
  const truth = yield* volumeTruth(io, opts.drive ?? 'C:', opts.scope ?? '\\')
  return compareTrackedState(view, truth, opts)
}
