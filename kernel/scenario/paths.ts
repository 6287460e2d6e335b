// Win32 path names to NT path names, the conversion RtlDosPathNameToNtPathName_U applies
// before a Win32 API calls an Nt* service. Expected values follow Wine's ntdll tests
// (dlls/ntdll/tests/path.c: test_RtlDosPathNameToNtPathName_U, test_RtlGetFullPathName_U,
// test_RtlIsDosDeviceName_U), which record what Windows returns.
//
// Scenario files have no current directory, so relative names (`foo`, `.\foo`, `C:foo`) are
// refused. A rooted name without a drive (`\foo`) resolves against C:, the system drive.
// NT names (`\??\…`, `\Device\…`, `\GLOBAL??\…`) are taken as they are, as NtCreateFile takes
// them; RtlDosPathNameToNtPathName_U itself would read `\Device\x` as `C:\Device\x`.

/** A path a scenario file cannot use; the message says why. */
export class PathError extends Error {
  override readonly name = 'PathError'
}

const DEVICE_NAMES = new Set([
  'CON', 'PRN', 'AUX', 'NUL',
  'COM1', 'COM2', 'COM3', 'COM4', 'COM5', 'COM6', 'COM7', 'COM8', 'COM9',
  'LPT1', 'LPT2', 'LPT3', 'LPT4', 'LPT5', 'LPT6', 'LPT7', 'LPT8', 'LPT9',
])
// Windows 8 and later map these console names without a prefix.
const CONSOLE_NAMES = new Set(['CONIN$', 'CONOUT$'])

/**
 * The DOS device a path names (RtlIsDosDeviceName_U), or undefined. Only the last component
 * counts and only when the path does not end in a separator; anything from a ':' on, trailing
 * dots and spaces, and an extension are ignored: `C:\dir\nul.txt`, `c:prn:aaa`, `C:NUL.` name
 * devices, `c:nul0`, `c:\lpt0.txt` and `c:\nul\` do not.
 */
export function dosDeviceName(path: string): string | undefined {
  const p = path.replace(/\//g, '\\')
  if (p.endsWith('\\')) return undefined
  let last = p.slice(p.lastIndexOf('\\') + 1)
  if (/^[A-Za-z]:/.test(last) && p.indexOf('\\') < 0) last = last.slice(2)
  if (CONSOLE_NAMES.has(last.toUpperCase())) return last
  const colon = last.indexOf(':')
  if (colon >= 0) last = last.slice(0, colon)
  last = last.replace(/[ .]+$/, '')
  const dot = last.indexOf('.')
  if (dot >= 0) last = last.slice(0, dot)
  last = last.replace(/ +$/, '')
  return DEVICE_NAMES.has(last.toUpperCase()) ? last : undefined
}

function isSep(c: string | undefined): boolean {
  return c === '\\' || c === '/'
}

/**
 * Normalises the components after a root: collapses repeated separators, resolves `.` and
 * `..` (never above the root), strips trailing dots and spaces from the last component, and a
 * single trailing dot from the others (`c:/test./file` → `c:\test\file`; since Vista
 * `c:/test../file` keeps `test..`). Returns the tail with a trailing separator when the input
 * ended in one or its last component reduced to nothing (`c:/test/ .. ` → `c:\test\`).
 */
function normaliseTail(tail: string): string {
  const parts = tail.split(/[\\/]/)
  const endsWithSep = tail.length > 0 && isSep(tail[tail.length - 1])
  let trailing = endsWithSep
  const out: string[] = []
  for (let i = 0; i < parts.length; i++) {
    let c = parts[i]!
    const isLast = i === parts.length - 1
    if (c === '' ) continue
    if (c === '.') continue
    if (c === '..') {
      out.pop()
      continue
    }
    if (isLast) {
      c = c.replace(/[. ]+$/, '')
      if (c === '') {
        trailing = true
        continue
      }
    } else if (c.endsWith('.') && !c.endsWith('..')) {
      c = c.slice(0, -1)
    }
    out.push(c)
  }
  // a path that ends in `.` or `..` names the directory itself, without a trailing separator
  const lastRaw = parts[parts.length - 1]
  if (!endsWithSep && (lastRaw === '.' || lastRaw === '..')) trailing = false
  if (out.length === 0) return ''
  return out.join('\\') + (trailing ? '\\' : '')
}

/**
 * Converts a Win32 path to the NT path Windows passes to the I/O manager:
 * `C:\a\b.txt` → `\??\C:\a\b.txt`, `c:/foo.` → `\??\c:\foo`, `\\server\share` →
 * `\??\UNC\server\share`, `\\.\foo/bar` → `\??\foo\bar`, `\\?\C:\a.` → `\??\C:\a.`,
 * `C:\dir\nul.txt` → `\??\nul`. Throws PathError for names Windows refuses (empty, blank)
 * and for relative names, which a scenario cannot resolve.
 */
export function dosPathToNtPath(path: string): string {
  if (path.trim() === '') throw new PathError(`'${path}' is not a path`)
  if (path.includes('\0')) throw new PathError('a path cannot contain NUL characters')
  // NT names are passed unchanged
  if (path.startsWith('\\??\\') || path.startsWith('\\Device\\') || path.startsWith('\\GLOBAL??\\')) return path
  // \\?\ : only the prefix changes; nothing after it is normalised
  if (path.startsWith('\\\\?\\')) return '\\??\\' + path.slice(4)
  const c0 = path[0]
  const c1 = path[1]
  const c2 = path[2]
  if (isSep(c0) && isSep(c1)) {
    // \\.\ and \\?\ written with forward slashes: local device namespace
    if ((c2 === '.' || c2 === '?') && (path.length === 3 || isSep(path[3]))) {
      return '\\??\\' + normaliseTail(path.slice(4))
    }
    // UNC: \\server\share\rest; `..` stops at the share
    const rest = path.slice(2)
    const parts = rest.split(/[\\/]/)
    const server = parts[0] ?? ''
    if (parts.length <= 1) return '\\??\\UNC\\' + server
    const share = parts[1] ?? ''
    if (parts.length === 2) return '\\??\\UNC\\' + server + '\\' + share
    const tail = normaliseTail(parts.slice(2).join('\\'))
    return '\\??\\UNC\\' + server + '\\' + share + (share === '' && tail === '' ? '' : '\\') + tail
  }
  const device = dosDeviceName(path)
  if (device !== undefined) return '\\??\\' + device
  if (c0 !== undefined && /[A-Za-z]/.test(c0) && c1 === ':') {
    if (!isSep(c2)) {
      throw new PathError(
        `'${path}' is relative to the current directory of drive ${c0.toUpperCase()}:, and scenarios have none; write ${c0}:\\${path.slice(2)}`,
      )
    }
    return '\\??\\' + c0 + ':\\' + normaliseTail(path.slice(3))
  }
  if (isSep(c0)) {
    // rooted without a drive: the system drive
    return '\\??\\C:\\' + normaliseTail(path.slice(1))
  }
  throw new PathError(`'${path}' is a relative path, and scenarios have no current directory; write a full path such as C:\\${path}`)
}

/** The Win32 form of an NT path for display: `\??\C:\a` → `C:\a`, `\??\UNC\s\x` → `\\s\x`. */
export function ntPathToDosPath(nt: string): string {
  if (nt.startsWith('\\??\\UNC\\')) return '\\\\' + nt.slice(8)
  if (/^\\\?\?\\[A-Za-z]:/.test(nt)) return nt.slice(4)
  if (nt.startsWith('\\??\\')) return '\\\\.\\' + nt.slice(4)
  return nt
}

/** True when the name is a simple file name without any separator (a rename target in the same directory). */
export function isBareName(name: string): boolean {
  return name.length > 0 && !/[\\/]/.test(name) && !/^[A-Za-z]:/.test(name)
}
