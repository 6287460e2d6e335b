// Value parsers for command-line arguments: each returns the value or throws CliError naming
// the flag and what was expected.

import { statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { CliError } from './command.ts'

const UNITS: Record<string, number> = {
  '': 1,
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
}

/** `64MiB`, `1KiB`, `4096` (bytes). Binary units only: NTFS sizes are powers of two. */
export function parseSize(text: string, what: string): number {
  const m = /^(\d+)\s*([A-Za-z]*)$/.exec(text.trim())
  const unit = m?.[2] ?? ''
  const factor = UNITS[unit]
  if (m === null || factor === undefined) {
    throw new CliError(`${what} must be a size such as 64MiB, 512KiB or 1GiB (units: B, KiB, MiB, GiB, TiB), not "${text}"`)
  }
  const bytes = Number(m[1]) * factor
  if (!Number.isSafeInteger(bytes)) throw new CliError(`${what} is too large: ${text}`)
  return bytes
}

export function parseInteger(text: string, what: string, min: number, max: number): number {
  if (!/^\d+$/.test(text)) throw new CliError(`${what} must be a whole number from ${min} to ${max}, not "${text}"`)
  const n = Number(text)
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new CliError(`${what} must be from ${min} to ${max}, not ${text}`)
  return n
}

/** An existing regular file; returns its absolute path. */
export function existingFile(path: string, cwd: string, what: string): string {
  const full = resolve(cwd, path)
  let info
  try {
    info = statSync(full)
  } catch {
    throw new CliError(`${what} not found: ${path}`)
  }
  if (!info.isFile()) throw new CliError(`${what} is not a file: ${path}`)
  return full
}

/** A path to be created: its folder must exist and the path itself must not (unless allowed). */
export function newFilePath(path: string, cwd: string, what: string, opts: { mayExist?: boolean } = {}): string {
  const full = resolve(cwd, path)
  let parent
  try {
    parent = statSync(dirname(full))
  } catch {
    throw new CliError(`the folder for ${what} does not exist: ${dirname(path) || '.'}`)
  }
  if (!parent.isDirectory()) throw new CliError(`the folder for ${what} is not a folder: ${dirname(path)}`)
  let existing
  try {
    existing = statSync(full)
  } catch {
    return full
  }
  if (existing.isDirectory()) throw new CliError(`${what} is a folder: ${path}`)
  if (opts.mayExist !== true) throw new CliError(`${what} already exists: ${path} (remove it or choose another name)`)
  return full
}

/** A folder that exists or can be created (its parent exists). */
export function folderPath(path: string, cwd: string, what: string): string {
  const full = resolve(cwd, path)
  try {
    const info = statSync(full)
    if (!info.isDirectory()) throw new CliError(`${what} is not a folder: ${path}`)
    return full
  } catch (err) {
    if (err instanceof CliError) throw err
  }
  try {
    if (!statSync(dirname(full)).isDirectory()) throw new Error('not a folder')
  } catch {
    throw new CliError(`${what} cannot be created: the folder ${dirname(path) || '.'} does not exist`)
  }
  return full
}
