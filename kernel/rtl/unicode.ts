// Name helpers the NT layers share: FsRtlIsNameInExpression with the DOS wildcards,
// FsRtlDoesNameContainWildCards, the Win32 FindFirstFile mask translation,
// RtlIsNameLegalDOS8Dot3, NTFS name validity, and the split of an NTFS name into
// file:stream:type with the statuses NTFS gives.

import { STATUS, type NTSTATUS } from '../nt/status.ts'

/** FsRtl's DOS wildcards (ntifs.h): `<` matches like DOS `*`, `>` like DOS `?`, `"` like DOS `.`. */
export const DOS_STAR = '<'
export const DOS_QM = '>'
export const DOS_DOT = '"'

const C_STAR = 0x2a
const C_QM = 0x3f
const C_DOS_STAR = 0x3c
const C_DOS_QM = 0x3e
const C_DOS_DOT = 0x22
const C_DOT = 0x2e
const C_BACKSLASH = 0x5c

// ---------------------------------------------------------------------------------------------
// Upcase

let defaultUpcase: Uint16Array | undefined

/**
 * A 65,536-entry upcase table for when the caller has none: each UTF-16 unit maps to its
 * single-unit upper case (units whose upper case is longer, like ß, map to themselves, as
 * RtlUpcaseUnicodeChar does). The NTFS driver should pass the volume's $UpCase table instead.
 * unverified: derived from the host's Unicode data, which differs from Windows' NLS table in
 * places.
 */
export function defaultUpcaseTable(): Uint16Array {
  if (defaultUpcase) return defaultUpcase
  const t = new Uint16Array(65536)
  for (let c = 0; c < 65536; c++) {
    if (c >= 0xd800 && c <= 0xdfff) {
      t[c] = c
      continue
    }
    const u = String.fromCharCode(c).toUpperCase()
    t[c] = u.length === 1 ? u.charCodeAt(0) : c
  }
  defaultUpcase = t
  return t
}

/** `s` upper-cased unit by unit through `table` (RtlUpcaseUnicodeString). */
export function upcaseString(s: string, table: Uint16Array = defaultUpcaseTable()): string {
  let out = ''
  for (let i = 0; i < s.length; i++) out += String.fromCharCode(table[s.charCodeAt(i)]!)
  return out
}

// ---------------------------------------------------------------------------------------------
// Wildcards

/** FsRtlIsUnicodeCharacterWild: `*`, `?`, `<`, `>`, `"`. */
export function isWildCharacter(c: number): boolean {
  return c === C_STAR || c === C_QM || c === C_DOS_STAR || c === C_DOS_QM || c === C_DOS_DOT
}

/**
 * FsRtlDoesNameContainWildCards: whether the last component of `name` (after the last
 * backslash) holds a wildcard character.
 */
export function FsRtlDoesNameContainWildCards(name: string): boolean {
  for (let i = name.length - 1; i >= 0; i--) {
    const c = name.charCodeAt(i)
    if (c === C_BACKSLASH) return false
    if (isWildCharacter(c)) return true
  }
  return false
}

/**
 * FsRtlIsNameInExpression: whether `name` matches `expression`.
 *
 * - `*` matches any run of characters, including none; `?` exactly one character;
 * - `<` (DOS_STAR) matches any run of characters up to and including the name's last `.`, but
 *   never past it (with no `.` in the name, up to the end);
 * - `>` (DOS_QM) matches one character other than `.`, or nothing when the name is at a `.` or
 *   at its end (so a run of `>` stops at the dot);
 * - `"` (DOS_DOT) matches a `.`, or nothing at the end of the name;
 * - an empty name matches only an empty expression.
 *
 * With `ignoreCase` the name is upper-cased through `upcase` (the volume's table) and compared
 * with the expression as given: as the documentation requires, the caller passes an
 * upper-cased expression (NTFS upcases the search mask once, at the first query).
 * Semantics per the FsRtlIsNameInExpression documentation and the ReactOS kernel-mode test
 * table (modules/rostests/kmtests/ntos_fsrtl/FsRtlExpression.c), which passes on Windows.
 */
export function FsRtlIsNameInExpression(expression: string, name: string, ignoreCase: boolean, upcase?: Uint16Array): boolean {
  const E = expression.length
  const N = name.length
  if (E === 0 || N === 0) return E === 0 && N === 0
  if (E === 1 && expression.charCodeAt(0) === C_STAR) return true
  const table = ignoreCase ? (upcase ?? defaultUpcaseTable()) : undefined
  const expr = new Uint16Array(E)
  for (let i = 0; i < E; i++) expr[i] = expression.charCodeAt(i)
  const lastDot = name.lastIndexOf('.')

  let cur = new Uint8Array(E + 1)
  let next = new Uint8Array(E + 1)
  cur[0] = 1
  for (let n = 0; n <= N; n++) {
    const atEnd = n === N
    const ch = atEnd ? -1 : table ? table[name.charCodeAt(n)]! : name.charCodeAt(n)
    // zero-width moves only go from i to i + 1, so one forward pass closes the set
    for (let i = 0; i < E; i++) {
      if (!cur[i]) continue
      const c = expr[i]!
      if (c === C_STAR || c === C_DOS_STAR) cur[i + 1] = 1
      else if (c === C_DOS_QM) {
        if (atEnd || ch === C_DOT) cur[i + 1] = 1
      } else if (c === C_DOS_DOT) {
        if (atEnd) cur[i + 1] = 1
      }
    }
    if (atEnd) return cur[E] === 1
    next.fill(0)
    let any = false
    for (let i = 0; i < E; i++) {
      if (!cur[i]) continue
      const c = expr[i]!
      let to = -1
      switch (c) {
        case C_STAR:
          to = i
          break
        case C_QM:
          to = i + 1
          break
        case C_DOS_STAR:
          // stays on any character and on every '.' but the last; the last '.' ends it
          to = ch === C_DOT && n === lastDot ? i + 1 : i
          break
        case C_DOS_QM:
          if (ch !== C_DOT) to = i + 1
          break
        case C_DOS_DOT:
          if (ch === C_DOT) to = i + 1
          break
        default:
          if (ch === c) to = i + 1
      }
      if (to >= 0) {
        next[to] = 1
        any = true
      }
    }
    if (!any) return false
    const t = cur
    cur = next
    next = t
  }
  return false
}

/**
 * How FindFirstFileW turns a Win32 search mask into the expression it passes to
 * NtQueryDirectoryFile: the mask's trailing dots and spaces are dropped (as path conversion
 * drops them), "*.*" becomes "*", `?` becomes `>`, a `*` followed by `.` becomes `<`, and a `.`
 * followed by `?` or `*` becomes `"` (a following character counts even when it was a dropped
 * trailing dot). Verified case by case against the table of ReactOS's kernel32 FindFile test
 * (modules/rostests/kmtests/kernel32/FindFile_user.c), which records what Windows sends.
 * So "*.*" matches names without a dot, and "*." matches only names without one.
 */
export function win32MaskToNtExpression(mask: string): string {
  let end = mask.length
  while (end > 0 && (mask[end - 1] === '.' || mask[end - 1] === ' ')) end--
  const trimmed = mask.slice(0, end)
  if (trimmed === '*.*') return '*'
  let out = ''
  for (let i = 0; i < trimmed.length; i++) {
    const c = trimmed[i]!
    const following = mask[i + 1]
    if (c === '?') out += DOS_QM
    else if (c === '*' && following === '.') out += DOS_STAR
    else if (c === '.' && (following === '?' || following === '*')) out += DOS_DOT
    else out += c
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// 8.3 names

/** Characters FAT refuses in a name (FsRtlIsAnsiCharacterLegalFat, wildcards not permitted). */
const FAT_ILLEGAL = new Set('"*+,/:;<=>?[\\]|'.split('').map((c) => c.charCodeAt(0)))

export interface Dos83Result {
  /** the name is a legal 8.3 name */
  readonly legal: boolean
  /** a legal name contains spaces (RtlIsNameLegalDOS8Dot3's NameContainsSpaces) */
  readonly nameContainsSpaces?: boolean
  /** the upper-cased OEM form of a legal name */
  readonly oemName?: string
}

/**
 * RtlIsNameLegalDOS8Dot3: "." and ".." are legal; otherwise a base of 1..8 characters and an
 * optional extension of 1..3 after a single `.`; neither may end in a space; no control
 * characters or "*+,/:;<=>?[\]|. Spaces elsewhere are legal and reported. Table of Wine's
 * dlls/ntdll/tests/path.c test_RtlIsNameLegalDOS8Dot3.
 * unverified: characters above 0xFF count as not representable in the OEM code page.
 */
export function RtlIsNameLegalDOS8Dot3(name: string): Dos83Result {
  if (name === '.' || name === '..') return { legal: true, nameContainsSpaces: false, oemName: name }
  if (name.length === 0 || name.length > 12) return { legal: false }
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    if (c < 0x20 || c > 0xff || FAT_ILLEGAL.has(c)) return { legal: false }
  }
  const dot = name.indexOf('.')
  if (dot !== name.lastIndexOf('.')) return { legal: false }
  const base = dot < 0 ? name : name.slice(0, dot)
  const ext = dot < 0 ? '' : name.slice(dot + 1)
  if (base.length === 0 || base.length > 8) return { legal: false }
  if (dot >= 0 && (ext.length === 0 || ext.length > 3)) return { legal: false }
  if (base.endsWith(' ') || ext.endsWith(' ')) return { legal: false }
  return { legal: true, nameContainsSpaces: name.includes(' '), oemName: name.toUpperCase() }
}

// ---------------------------------------------------------------------------------------------
// NTFS names

/** NTFS's longest name component and stream name, in UTF-16 units. */
export const NTFS_MAX_NAME_LENGTH = 255

/** Characters refused in a file name: \ / : * ? " < > | and 0x00..0x1F. */
export function isIllegalNameCharacter(c: number): boolean {
  return c < 0x20 || c === 0x5c || c === 0x2f || c === 0x3a || c === C_STAR || c === C_QM || c === C_DOS_DOT || c === C_DOS_STAR || c === C_DOS_QM || c === 0x7c
}

/** Characters refused in a stream name: only \ / : and 0x00..0x1F (WinBtrfs stream tests on NTFS: < > " | ? * are accepted). */
export function isIllegalStreamCharacter(c: number): boolean {
  return c < 0x20 || c === 0x5c || c === 0x2f || c === 0x3a
}

/**
 * Whether one NTFS file name component is legal, as NtCreateFile sees it: 1..255 UTF-16 units
 * (lone surrogates are fine), none of \ / : * ? " < > | or 0x00..0x1F, and not "." or ".."
 * (an NT path does not resolve dots; Win32 path conversion removes them first). Names that
 * Win32 refuses but NT accepts (CON, trailing dots and spaces) are legal here. Returns
 * STATUS_SUCCESS or STATUS_OBJECT_NAME_INVALID (WinBtrfs create tests, run against NTFS).
 */
export function checkNtfsFileName(component: string): NTSTATUS {
  if (component.length === 0 || component.length > NTFS_MAX_NAME_LENGTH) return STATUS.STATUS_OBJECT_NAME_INVALID
  if (component === '.' || component === '..') return STATUS.STATUS_OBJECT_NAME_INVALID
  for (let i = 0; i < component.length; i++) if (isIllegalNameCharacter(component.charCodeAt(i))) return STATUS.STATUS_OBJECT_NAME_INVALID
  return STATUS.STATUS_SUCCESS
}

/** The attribute type a name opens. */
export type NtfsStreamType = '$DATA' | '$INDEX_ALLOCATION'

export interface NtfsNameParts {
  readonly status: NTSTATUS
  /** the file name part ('' for a stream-relative name such as ":s") */
  readonly fileName: string
  /** the stream name ('' for the default stream / the directory index) */
  readonly streamName: string
  /** $DATA unless the name says $INDEX_ALLOCATION */
  readonly streamType: NtfsStreamType
  /** the name had a ':' part */
  readonly hasStreamPart: boolean
  /** the name gave the type explicitly (file::$DATA, file:s:$DATA, dir:$I30:$INDEX_ALLOCATION) */
  readonly explicitType: boolean
}

export interface ParseNtfsNameOptions {
  /** the name stands alone after RootDirectory or is a rename target ":s": the file part may be empty */
  readonly allowEmptyFileName?: boolean
  /**
   * the name is a FileRenameInformation target of the form ":stream" (renaming a stream):
   * a bad stream name gives STATUS_INVALID_PARAMETER instead of STATUS_OBJECT_NAME_INVALID
   * (WinBtrfs stream tests on NTFS)
   */
  readonly streamRename?: boolean
}

/**
 * Splits the last component of an NTFS name into file, stream and type:
 * `file`, `file:s`, `file:s:$DATA`, `file::$DATA` (the default stream), `dir:$I30:$INDEX_ALLOCATION`
 * and `dir::$INDEX_ALLOCATION` (the directory index). The type is matched case-insensitively.
 * Errors give STATUS_OBJECT_NAME_INVALID: a bad file name, an empty stream name without a type
 * ("file:"), a stream name over 255 units or with \ / :, more than two colons, a type other than
 * $DATA / $INDEX_ALLOCATION, or $INDEX_ALLOCATION with a stream name other than $I30.
 * unverified: the statuses for an unknown type and for "file:" follow MS-FSA's open algorithm.
 */
export function parseNtfsName(component: string, opts: ParseNtfsNameOptions = {}): NtfsNameParts {
  const parts = component.split(':')
  const fileName = parts[0]!
  const bad = (status: NTSTATUS = STATUS.STATUS_OBJECT_NAME_INVALID): NtfsNameParts => ({
    status,
    fileName,
    streamName: parts[1] ?? '',
    streamType: '$DATA',
    hasStreamPart: parts.length > 1,
    explicitType: parts.length > 2,
  })
  if (fileName.length === 0) {
    if (!(opts.allowEmptyFileName && parts.length > 1)) return bad()
  } else if (checkNtfsFileName(fileName) !== STATUS.STATUS_SUCCESS) return bad()
  if (parts.length === 1) {
    return { status: STATUS.STATUS_SUCCESS, fileName, streamName: '', streamType: '$DATA', hasStreamPart: false, explicitType: false }
  }
  const streamStatus = opts.streamRename ? STATUS.STATUS_INVALID_PARAMETER : STATUS.STATUS_OBJECT_NAME_INVALID
  if (parts.length > 3) return bad(streamStatus)
  const streamName = parts[1]!
  if (streamName.length > NTFS_MAX_NAME_LENGTH) return bad(streamStatus)
  for (let i = 0; i < streamName.length; i++) if (isIllegalStreamCharacter(streamName.charCodeAt(i))) return bad(streamStatus)
  if (parts.length === 2) {
    if (streamName.length === 0) return bad(streamStatus)
    return { status: STATUS.STATUS_SUCCESS, fileName, streamName, streamType: '$DATA', hasStreamPart: true, explicitType: false }
  }
  const type = parts[2]!.toUpperCase()
  if (type === '$DATA') {
    return { status: STATUS.STATUS_SUCCESS, fileName, streamName, streamType: '$DATA', hasStreamPart: true, explicitType: true }
  }
  if (type === '$INDEX_ALLOCATION' && (streamName === '' || streamName.toUpperCase() === '$I30')) {
    return { status: STATUS.STATUS_SUCCESS, fileName, streamName: '', streamType: '$INDEX_ALLOCATION', hasStreamPart: true, explicitType: true }
  }
  return bad(streamStatus)
}

/**
 * The directory checks NTFS makes on a parsed name before opening (WinBtrfs stream tests, run
 * against NTFS):
 * - a named stream opened with FILE_DIRECTORY_FILE → STATUS_NOT_A_DIRECTORY (streams are never
 *   directories, on files and on directories alike);
 * - the default data stream of a directory named explicitly (dir::$DATA) →
 *   STATUS_FILE_IS_A_DIRECTORY;
 * - $INDEX_ALLOCATION on a file → STATUS_NOT_A_DIRECTORY, and with FILE_NON_DIRECTORY_FILE →
 *   STATUS_FILE_IS_A_DIRECTORY (unverified: inferred from the directory-open rules).
 */
export function checkStreamOpen(
  parts: NtfsNameParts,
  target: { readonly isDirectory: boolean },
  options: { readonly directoryFile?: boolean; readonly nonDirectoryFile?: boolean },
): NTSTATUS {
  if (parts.streamType === '$INDEX_ALLOCATION') {
    if (!target.isDirectory) return STATUS.STATUS_NOT_A_DIRECTORY
    if (options.nonDirectoryFile) return STATUS.STATUS_FILE_IS_A_DIRECTORY
    return STATUS.STATUS_SUCCESS
  }
  if (parts.streamName !== '') return options.directoryFile ? STATUS.STATUS_NOT_A_DIRECTORY : STATUS.STATUS_SUCCESS
  if (parts.explicitType && target.isDirectory) return STATUS.STATUS_FILE_IS_A_DIRECTORY
  return STATUS.STATUS_SUCCESS
}
