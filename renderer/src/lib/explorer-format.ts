// How File Explorer's Details view shows items: the Type column from the extension, sizes in
// KB rounded up, dates without seconds, folders before files, and the attribute words of the
// Properties dialog. Dates are shown in UTC, so a machine reads the same everywhere.

import type { FolderEntryData } from '../../../main/host/api.ts'

export type SortKey = 'name' | 'modified' | 'type' | 'size'
export type SortDirection = 'ascending' | 'descending'

/** the Type column for the common extensions, as Windows names them */
const TYPES: Record<string, string> = {
  txt: 'Text Document',
  log: 'Text Document',
  ini: 'Configuration settings',
  inf: 'Setup Information',
  docx: 'Microsoft Word Document',
  doc: 'Microsoft Word 97 - 2003 Document',
  xlsx: 'Microsoft Excel Worksheet',
  pptx: 'Microsoft PowerPoint Presentation',
  pdf: 'PDF Document',
  exe: 'Application',
  dll: 'Application extension',
  sys: 'System file',
  jpg: 'JPG File',
  jpeg: 'JPEG File',
  png: 'PNG File',
  gif: 'GIF File',
  bmp: 'BMP File',
  zip: 'Compressed (zipped) Folder',
  lnk: 'Shortcut',
  bat: 'Windows Batch File',
  cmd: 'Windows Command Script',
  xml: 'XML Document',
  html: 'HTML Document',
  json: 'JSON File',
  mp3: 'MP3 File',
  mp4: 'MP4 File',
  eml: 'Email Message',
}

export type IconKind = 'folder' | 'document' | 'text' | 'image' | 'application' | 'settings' | 'file'

function extension(name: string): string {
  const dot = name.lastIndexOf('.')
  return dot <= 0 || dot === name.length - 1 ? '' : name.slice(dot + 1).toLowerCase()
}

/** The Type column: `File folder`, `Text Document`, `JPG File`, or `File` without an extension. */
export function itemType(item: Pick<FolderEntryData, 'name' | 'directory'>): string {
  if (item.directory) return 'File folder'
  const ext = extension(item.name)
  if (ext === '') return 'File'
  return TYPES[ext] ?? `${ext.toUpperCase()} File`
}

export function iconKind(item: Pick<FolderEntryData, 'name' | 'directory'>): IconKind {
  if (item.directory) return 'folder'
  const ext = extension(item.name)
  if (['txt', 'log', 'xml', 'json', 'html', 'eml'].includes(ext) || ext === '') return 'text'
  if (['jpg', 'jpeg', 'png', 'gif', 'bmp'].includes(ext)) return 'image'
  if (['exe', 'dll', 'sys', 'bat', 'cmd'].includes(ext)) return 'application'
  if (['ini', 'inf'].includes(ext)) return 'settings'
  if (['docx', 'doc', 'xlsx', 'pptx', 'pdf'].includes(ext)) return 'document'
  return 'file'
}

/** The Size column: KB rounded up, with separators (`0 KB`, `1 KB`, `37 KB`, `1,024 KB`); folders show none. */
export function detailsSize(item: Pick<FolderEntryData, 'directory' | 'size'>): string {
  if (item.directory) return ''
  return `${Math.ceil(item.size / 1024).toLocaleString('en-US')} KB`
}

/** `37,412 bytes` */
export function bytes(n: number): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? 'byte' : 'bytes'}`
}

/** The Properties dialog's sizes: `36.5 KB (37,412 bytes)`. */
export function sizeWithBytes(n: number): string {
  if (n < 1024) return bytes(n)
  const units = ['KB', 'MB', 'GB', 'TB']
  let value = n / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  const shown = value >= 100 ? Math.floor(value).toString() : value >= 10 ? (Math.floor(value * 10) / 10).toFixed(1) : (Math.floor(value * 100) / 100).toFixed(2)
  return `${shown} ${units[unit]} (${bytes(n)})`
}

function parts(iso: string): { y: number; mo: number; d: number; h: number; mi: number; s: number } | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(iso)
  if (m === null) return undefined
  return { y: Number(m[1]), mo: Number(m[2]), d: Number(m[3]), h: Number(m[4]), mi: Number(m[5]), s: Number(m[6]) }
}

/** The Date modified column: `12/18/2023 5:42 PM` (UTC). */
export function detailsDate(iso: string): string {
  const p = parts(iso)
  if (p === undefined) return iso
  const h12 = p.h % 12 === 0 ? 12 : p.h % 12
  return `${p.mo}/${p.d}/${p.y} ${h12}:${String(p.mi).padStart(2, '0')} ${p.h < 12 ? 'AM' : 'PM'}`
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

/** The Properties dialog's dates: `Monday, December 18, 2023, 5:42:31 PM` (UTC). */
export function longDate(iso: string): string {
  const p = parts(iso)
  if (p === undefined) return iso
  const weekday = WEEKDAYS[new Date(Date.UTC(p.y, p.mo - 1, p.d)).getUTCDay()]
  const h12 = p.h % 12 === 0 ? 12 : p.h % 12
  return `${weekday}, ${MONTHS[p.mo - 1]} ${p.d}, ${p.y}, ${h12}:${String(p.mi).padStart(2, '0')}:${String(p.s).padStart(2, '0')} ${p.h < 12 ? 'AM' : 'PM'}`
}

/** Explorer's name order: case-insensitive, digit runs compared as numbers (`IMG 2` before `IMG 10`). */
const collator = new Intl.Collator('en-US', { sensitivity: 'base', numeric: true })

function compareBy(key: SortKey, a: FolderEntryData, b: FolderEntryData): number {
  switch (key) {
    case 'name':
      return collator.compare(a.name, b.name)
    case 'modified':
      return a.modified < b.modified ? -1 : a.modified > b.modified ? 1 : 0
    case 'type':
      return collator.compare(itemType(a), itemType(b))
    case 'size':
      return a.size - b.size
  }
}

/** Sorts a copy: folders before files in either direction (as Explorer groups them), then by the key, then by name. */
export function sortItems(items: readonly FolderEntryData[], key: SortKey, direction: SortDirection): FolderEntryData[] {
  const sign = direction === 'ascending' ? 1 : -1
  return [...items].sort((a, b) => {
    if (a.directory !== b.directory) return a.directory ? -1 : 1
    const by = compareBy(key, a, b) * sign
    return by !== 0 ? by : collator.compare(a.name, b.name)
  })
}

export function hasAttribute(item: { attributes: readonly string[] }, name: string): boolean {
  return item.attributes.includes(`FILE_ATTRIBUTE_${name}`)
}

/** The attribute words of the Properties dialog for the names the kernel gives. */
export function attributeWords(attributes: readonly string[]): string[] {
  const words: Record<string, string> = {
    FILE_ATTRIBUTE_READONLY: 'Read-only',
    FILE_ATTRIBUTE_HIDDEN: 'Hidden',
    FILE_ATTRIBUTE_SYSTEM: 'System',
    FILE_ATTRIBUTE_DIRECTORY: 'Directory',
    FILE_ATTRIBUTE_ARCHIVE: 'Archive',
    FILE_ATTRIBUTE_NORMAL: 'Normal',
    FILE_ATTRIBUTE_TEMPORARY: 'Temporary',
    FILE_ATTRIBUTE_SPARSE_FILE: 'Sparse',
    FILE_ATTRIBUTE_REPARSE_POINT: 'Reparse point',
    FILE_ATTRIBUTE_COMPRESSED: 'Compressed',
    FILE_ATTRIBUTE_OFFLINE: 'Offline',
    FILE_ATTRIBUTE_NOT_CONTENT_INDEXED: 'Not content indexed',
    FILE_ATTRIBUTE_ENCRYPTED: 'Encrypted',
    FILE_ATTRIBUTE_RECALL_ON_OPEN: 'Recall on open',
    FILE_ATTRIBUTE_RECALL_ON_DATA_ACCESS: 'Recall on data access',
  }
  return attributes.map((a) => words[a] ?? a)
}

/** Reparse tags by their Windows names. */
export function reparseTagName(tag: number): string {
  const names: Record<number, string> = {
    0xa0000003: 'IO_REPARSE_TAG_MOUNT_POINT',
    0xa000000c: 'IO_REPARSE_TAG_SYMLINK',
    0x80000017: 'IO_REPARSE_TAG_WOF',
    0x80000018: 'IO_REPARSE_TAG_WCI',
    0x9000001a: 'IO_REPARSE_TAG_CLOUD',
    0x8000001b: 'IO_REPARSE_TAG_APPEXECLINK',
    0x80000023: 'IO_REPARSE_TAG_AF_UNIX',
  }
  const hex = `0x${(tag >>> 0).toString(16).toUpperCase().padStart(8, '0')}`
  const name = names[tag >>> 0]
  return name === undefined ? hex : `${name} (${hex})`
}

/** The parent of a folder path (`C:\Users\Public` → `C:\Users`, `C:\Users` → `C:\`); a root has none. */
export function parentPath(path: string): string | undefined {
  const m = /^([A-Za-z]:)\\(.*)$/.exec(path)
  if (m === null || m[2] === '') return undefined
  const rest = m[2]!.replace(/\\$/, '')
  const cut = rest.lastIndexOf('\\')
  return cut < 0 ? `${m[1]}\\` : `${m[1]}\\${rest.slice(0, cut)}`
}

/** `C:\Users` + `Public` → `C:\Users\Public` */
export function childPath(folder: string, name: string): string {
  return folder.endsWith('\\') ? `${folder}${name}` : `${folder}\\${name}`
}

/** `C:\Users\Public` → [`C:\`, `C:\Users`, `C:\Users\Public`] */
export function pathChain(path: string): string[] {
  const chain: string[] = []
  for (let p: string | undefined = path; p !== undefined; p = parentPath(p)) chain.unshift(p)
  return chain
}

/** the last name of a path (`''` for a root) */
export function baseName(path: string): string {
  const m = /^[A-Za-z]:\\(.*)$/.exec(path)
  if (m === null || m[1] === '') return ''
  const rest = m[1]!.replace(/\\$/, '')
  return rest.slice(rest.lastIndexOf('\\') + 1)
}

/** A path the user typed, made canonical for comparison and display (`c:\users\` → `C:\users`); undefined when it is no drive path. */
export function normalizeTyped(text: string): string | undefined {
  const t = text.trim().replace(/\//g, '\\')
  const m = /^([A-Za-z]):(\\.*)?$/.exec(t)
  if (m === null) return undefined
  const rest = (m[2] ?? '\\').replace(/\\+$/, '')
  return `${m[1]!.toUpperCase()}:\\${rest.replace(/^\\/, '')}`
}
