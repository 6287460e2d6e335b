// The names a new link gets: NTFS (with 8.3 name creation on, the default) stores a name that is
// already a legal upper-case 8.3 name once, as Win32+DOS; any other name as a Win32 name plus a
// generated DOS name (RtlGenerate8dot3Name, ./shortname.ts).
// unverified: a legal 8.3 name in mixed case ("a.txt") gets no separate DOS name.

import { NameSpace, type RecordNo } from './store.ts'
import { generateShortName, isLegal8dot3 } from './shortname.ts'
import type { Vcb } from './structures.ts'

/** the namespace of the Win32 name of a new link */
export function namespaceFor(vcb: Vcb, name: string): NameSpace {
  if (vcb.settings.create8dot3Names && isLegal8dot3(name) && name === name.toUpperCase()) return NameSpace.Win32AndDos
  return NameSpace.Win32
}

/** after the Win32 name `name` was added in `dir`: its generated DOS name, when it needs one */
export function addShortNameIfNeeded(vcb: Vcb, record: RecordNo, dir: RecordNo, name: string): void {
  if (!vcb.settings.create8dot3Names || isLegal8dot3(name)) return
  const short = generateShortName(name, (c) => vcb.store.lookup(dir, c) !== undefined)
  if (short) vcb.store.addName(record, { parent: dir, name: short, nameSpace: NameSpace.Dos })
}

/** adds `name` in `dir` for the record, with its 8.3 name */
export function addNameWithShortName(vcb: Vcb, record: RecordNo, dir: RecordNo, name: string): void {
  vcb.store.addName(record, { parent: dir, name, nameSpace: namespaceFor(vcb, name) })
  addShortNameIfNeeded(vcb, record, dir, name)
}
