// The paths explorer.exe works with: Win32 drive paths (`C:\Users\Public`), turned into the NT
// names its NT calls take (`\??\C:\Users\Public`), the way RtlDosPathNameToNtPathName_U does
// for a fully qualified path.

/** characters a Win32 file name may not contain (plus the control characters 0x00-0x1f) */
const ILLEGAL = /[<>:"/|?*\x00-\x1f]/

export type ParsedPath = { ok: true; dos: string; nt: string; name: string } | { ok: false; problem: string }

/**
 * `C:\`, `C:\Users`, `c:\Users\Public\` → the canonical DOS form (drive letter upper-case, no
 * trailing separator except on the root), its NT name and the last component (`''` for a root).
 * Relative paths, `.` and `..` components, empty components and illegal characters are refused
 * with a sentence saying what is wrong.
 */
export function parseDosPath(path: string): ParsedPath {
  const m = /^([A-Za-z]):\\(.*)$/s.exec(path)
  if (m === null) return { ok: false, problem: `"${path}" is not a full path on a drive (expected e.g. C:\\Users)` }
  const drive = `${m[1]!.toUpperCase()}:`
  const rest = m[2]!.endsWith('\\') ? m[2]!.slice(0, -1) : m[2]!
  const parts = rest === '' ? [] : rest.split('\\')
  for (const part of parts) {
    if (part === '') return { ok: false, problem: `"${path}" has an empty name between two backslashes` }
    if (part === '.' || part === '..') return { ok: false, problem: `"${path}" contains "${part}"; give the folder's full path` }
    const bad = ILLEGAL.exec(part)
    if (bad !== null) {
      const c = bad[0]
      const shown = c.charCodeAt(0) < 0x20 ? `the control character 0x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : `"${c}"`
      return { ok: false, problem: `"${path}": the name "${part}" contains ${shown}, which file names may not contain` }
    }
    if (part.length > 255) return { ok: false, problem: `"${path}": the name "${part.slice(0, 20)}…" is longer than 255 characters` }
  }
  const dos = parts.length === 0 ? `${drive}\\` : `${drive}\\${parts.join('\\')}`
  return { ok: true, dos, nt: `\\??\\${dos}`, name: parts.length === 0 ? '' : parts[parts.length - 1]! }
}
