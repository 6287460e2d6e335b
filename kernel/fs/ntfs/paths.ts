// Names on the volume: the path of a file from the root as FileNameInformation reports it
// (built from the names stored on the volume, so their case, not the case an open used), the
// link a directory entry stands for, and the NTFS file reference.

import { NameSpace, type FileNameLink, type FileRecord, type NtfsStore, type RecordNo } from './store.ts'
import type { Fcb, Link, Vcb } from './structures.ts'

/** the name a caller sees for a Win32+DOS pair: the Win32 (or POSIX) one */
export function primaryName(r: FileRecord, parent?: RecordNo): FileNameLink | undefined {
  const candidates = r.names.filter((n) => n.nameSpace !== NameSpace.Dos && (parent === undefined || n.parent === parent))
  return candidates[0]
}

/** the 8.3 name of the file in `parent`, when it has one of its own */
export function dosName(r: FileRecord, parent: RecordNo): FileNameLink | undefined {
  const both = r.names.find((n) => n.parent === parent && n.nameSpace === NameSpace.Win32AndDos)
  if (both) return both
  return r.names.find((n) => n.parent === parent && n.nameSpace === NameSpace.Dos)
}

/** the path of a directory from the root, '\' for the root */
export function directoryPath(store: NtfsStore, dir: RecordNo): string {
  const parts: string[] = []
  let cur = dir
  for (let guard = 0; cur !== store.rootRecord; guard++) {
    if (guard > 4096) throw new Error(`NTFS: directory ${dir} has no path to the root (a cycle in the parent links)`)
    const r = store.readRecord(cur)
    const n = r && primaryName(r)
    if (!n) throw new Error(`NTFS: directory ${cur} has no name on the way to the root`)
    parts.unshift(n.name)
    cur = n.parent
  }
  return '\\' + parts.join('\\')
}

/** the path of a link from the root: \dir\name */
export function linkPath(store: NtfsStore, link: Link): string {
  const dir = directoryPath(store, link.parent)
  return (dir === '\\' ? '' : dir) + '\\' + link.name
}

/** a link of the record as the caller opened it, normalized to the stored Win32/POSIX name */
export function linkFromEntry(r: FileRecord, parent: RecordNo, entryName: string, upcase: (s: string) => string): Link {
  const exact = r.names.find((n) => n.parent === parent && n.name === entryName)
  if (exact && exact.nameSpace !== NameSpace.Dos) return { parent, name: exact.name }
  // a DOS name stands for the Win32 name of the same pair
  const key = upcase(entryName)
  const sameKey = r.names.find((n) => n.parent === parent && n.nameSpace !== NameSpace.Dos && upcase(n.name) === key)
  if (sameKey) return { parent, name: sameKey.name }
  const win32 = primaryName(r, parent)
  return { parent, name: win32?.name ?? entryName }
}

/**
 * The path FileNameInformation reports for an open: its link's path; for an open without a
 * link (by file id, the root) the file's first name; for a file whose names are gone (POSIX
 * delete) the name NTFS gives it in \$Extend\$Deleted.
 */
export function openPath(vcb: Vcb, fcb: Fcb, link: Link | undefined): string {
  if (fcb.kind === 'volume') return ''
  if (fcb.record === vcb.store.rootRecord) return '\\'
  const r = fcb.read()
  if (link && r && r.names.some((n) => n.parent === link.parent && n.name === link.name)) return linkPath(vcb.store, link)
  const first = r && primaryName(r)
  if (first) return linkPath(vcb.store, { parent: first.parent, name: first.name })
  // observed (WinBtrfs tests on NTFS): the orphan is moved to \$Extend\$Deleted under a generated
  // name. unverified: the name's format; the file reference in hex is used.
  return `\\$Extend\\$Deleted\\${fcb.fileReference.toString(16).toUpperCase().padStart(16, '0')}`
}

/** FILE_OPEN_BY_FILE_ID names: 8 bytes (a file reference) or 16 bytes (an object id) as UTF-16 units */
export function fileIdToFileName(fileReference: bigint): string {
  let s = ''
  for (let i = 0; i < 4; i++) s += String.fromCharCode(Number((fileReference >> BigInt(16 * i)) & 0xffffn))
  return s
}

export function objectIdToFileName(objectId: Uint8Array): string {
  if (objectId.length !== 16) throw new Error(`an object id has 16 bytes, got ${objectId.length}`)
  let s = ''
  for (let i = 0; i < 16; i += 2) s += String.fromCharCode(objectId[i]! | (objectId[i + 1]! << 8))
  return s
}

export function fileNameToBytes(name: string): Uint8Array {
  const b = new Uint8Array(name.length * 2)
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    b[2 * i] = c & 0xff
    b[2 * i + 1] = c >> 8
  }
  return b
}
