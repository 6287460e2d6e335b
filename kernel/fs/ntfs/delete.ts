// Taking names and files off the volume: a link (with the 8.3 name that pairs with it), a
// named stream, and the file record once no name and no handle is left. Used by cleanup
// (delete pending, delete on close), by POSIX-semantics disposition and by rename/link
// replacing a target.

import { FILE_ACTION, FILE_NOTIFY_CHANGE } from '../../nt/file.ts'
import { reportChange } from './notify.ts'
import { NameSpace } from './store.ts'
import type { Fcb, Link, Vcb } from './structures.ts'
import { touchChange, touchDirectory } from './times.ts'

/** removes one link of the file: its $FILE_NAME in the parent and the DOS name that pairs with it */
export function removeLink(vcb: Vcb, fcb: Fcb, link: Link): void {
  const r = fcb.read()
  if (!r) return
  const mine = r.names.find((n) => n.parent === link.parent && n.name === link.name)
  if (!mine) return
  vcb.store.atomic(() => {
    vcb.store.removeName(fcb.record, link.parent, link.name)
    // a Win32 name's 8.3 partner lives in the same directory as a separate DOS-only name
    if (mine.nameSpace === NameSpace.Win32) {
      const dos = r.names.find((n) => n.parent === link.parent && n.nameSpace === NameSpace.Dos)
      if (dos) vcb.store.removeName(fcb.record, dos.parent, dos.name)
    }
  })
  fcb.deletePendingLinks.delete(vcb.linkKey(link))
  touchDirectory(vcb, link.parent)
  touchChange(fcb, undefined)
  reportChange(vcb, link.parent, link.name, FILE_ACTION.FILE_ACTION_REMOVED, fcb.isDirectory ? FILE_NOTIFY_CHANGE.FILE_NOTIFY_CHANGE_DIR_NAME : FILE_NOTIFY_CHANGE.FILE_NOTIFY_CHANGE_FILE_NAME)
}

/**
 * After a link went: with no name left the file is deleted once no handle remains, and until
 * then lives on nameless (NTFS moves it to \$Extend\$Deleted).
 */
export function deleteIfNameless(vcb: Vcb, fcb: Fcb): void {
  const r = fcb.read()
  if (!r) return
  if (r.names.some((n) => n.nameSpace !== NameSpace.Dos)) return
  if (fcb.cleanupCount > 0) {
    fcb.posixDeleted = true
    return
  }
  deleteRecordNow(vcb, fcb)
}

/** what the cache holds of a stream that is going away goes with it (dirty data too) */
function purgeCached(vcb: Vcb, fcb: Fcb, stream?: string): void {
  if (!vcb.cache) return
  for (const scb of fcb.scbs.values()) if (scb.kind === 'data' && (stream === undefined || scb.streamName === stream)) vcb.cache.purge(scb, 0)
}

/** frees the record: every remaining name, its streams and clusters */
export function deleteRecordNow(vcb: Vcb, fcb: Fcb): void {
  const r = fcb.read()
  if (!r) return
  purgeCached(vcb, fcb)
  vcb.store.atomic(() => {
    for (const n of r.names) vcb.store.removeName(fcb.record, n.parent, n.name)
    vcb.store.deleteRecord(fcb.record)
  })
  for (const n of r.names) {
    if (n.nameSpace === NameSpace.Dos) continue
    touchDirectory(vcb, n.parent)
    reportChange(vcb, n.parent, n.name, FILE_ACTION.FILE_ACTION_REMOVED, fcb.isDirectory ? FILE_NOTIFY_CHANGE.FILE_NOTIFY_CHANGE_DIR_NAME : FILE_NOTIFY_CHANGE.FILE_NOTIFY_CHANGE_FILE_NAME)
  }
  fcb.fileDeleted = true
  fcb.posixDeleted = false
  fcb.deletePendingLinks.clear()
  if (vcb.fcbTable.get(fcb.record) === fcb) vcb.fcbTable.delete(fcb.record)
}

/** deletes a named stream (its last handle went with the stream delete pending) */
export function deleteStreamNow(vcb: Vcb, fcb: Fcb, stream: string, reportAs: Link | undefined): void {
  const r = fcb.read()
  if (!r || stream === '') return
  if (!r.streams.some((s) => s.name === stream)) return
  purgeCached(vcb, fcb, stream)
  vcb.store.deleteStream(fcb.record, stream)
  touchChange(fcb, undefined)
  if (reportAs) reportChange(vcb, reportAs.parent, reportAs.name, FILE_ACTION.FILE_ACTION_REMOVED_STREAM, FILE_NOTIFY_CHANGE.FILE_NOTIFY_CHANGE_STREAM_NAME)
}
