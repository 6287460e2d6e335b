// The names Explorer makes: new items ("New folder", "New folder (2)" …), copies into the
// source's own folder ("a - Copy.txt", "a - Copy (2).txt"), "keep both" on a name collision
// ("a (2).txt"), shortcuts ("a - Shortcut.lnk"), and the Recycle Bin's `$R`/`$I` pair
// (shared/reference/ui-anchors.md §3.4; irp-sequences.md §5 and §7). The English (en-US)
// strings; unverified: the exact Windows 10/11 strings were not checked against a capture.

import type { Prng } from '../../ke/index.ts'

export const NEW_FOLDER = 'New folder'
export const NEW_TEXT_DOCUMENT = 'New Text Document.txt'

/** splits `name.ext` into base and extension (with its dot); a name without a dot or starting with one has none */
export function splitExtension(name: string): { base: string; ext: string } {
  const dot = name.lastIndexOf('.')
  if (dot <= 0) return { base: name, ext: '' }
  return { base: name.slice(0, dot), ext: name.slice(dot) }
}

/** the n-th candidate of a numbered series: n = 1 is the name itself, then "base (2).ext" … */
export function numbered(name: string, n: number, isDirectory = false): string {
  if (n <= 1) return name
  if (isDirectory) return `${name} (${n})`
  const { base, ext } = splitExtension(name)
  return `${base} (${n})${ext}`
}

/** "a - Copy.txt", then "a - Copy (2).txt" … (a copy into the source's own folder) */
export function copyName(name: string, n: number, isDirectory: boolean): string {
  const { base, ext } = isDirectory ? { base: name, ext: '' } : splitExtension(name)
  return n <= 1 ? `${base} - Copy${ext}` : `${base} - Copy (${n})${ext}`
}

/** "notepad.exe - Shortcut.lnk" (the whole name is kept), then "notepad.exe - Shortcut (2).lnk" … */
export function shortcutName(name: string, n: number): string {
  return n <= 1 ? `${name} - Shortcut.lnk` : `${name} - Shortcut (${n}).lnk`
}

const R_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

/**
 * The six random characters of a Recycle Bin pair (`$R4X9QZ2.txt` and `$I4X9QZ2.txt`): upper-case
 * letters and digits [T] (forensic write-ups of Vista+ Recycle Bins), drawn from the machine's
 * seeded generator.
 */
export function recycleId(prng: Prng): string {
  let s = ''
  for (let i = 0; i < 6; i++) s += R_CHARS[prng.nextInt(R_CHARS.length)]
  return s
}

/** the last component of a Win32 path */
export function baseName(path: string): string {
  const p = path.replace(/[\\/]+$/, '')
  return p.slice(p.lastIndexOf('\\') + 1)
}

/** the directory part of a Win32 path (`C:\a\b.txt` → `C:\a`; `C:\b.txt` → `C:\`) */
export function parentOf(path: string): string {
  const p = path.replace(/[\\/]+$/, '')
  const i = p.lastIndexOf('\\')
  const parent = p.slice(0, i)
  return /^[A-Za-z]:$/.test(parent) ? `${parent}\\` : parent
}

/** `dir` + `name` with one separator */
export function join(dir: string, name: string): string {
  return dir.endsWith('\\') ? `${dir}${name}` : `${dir}\\${name}`
}

/** the drive letter of a Win32 path, upper-case (`C:`) */
export function driveOf(path: string): string {
  const m = /^(?:\\\\\?\\)?([A-Za-z]):/.exec(path)
  return m ? `${m[1]!.toUpperCase()}:` : ''
}
