// The choices of the copy engine and the shell that change traces and that no public source
// settles for current Windows. Each has a default taken from the closest evidence (tagged as in
// shared/reference/irp-sequences.md) and can be changed per scenario (`settings:`), by the names
// below. The UI lists WIN32_SETTINGS to show them.

import { closestNames } from '../nt/flags.ts'

export interface Win32Settings {
  /** bytes per source read of the copy engine (cached reads) */
  readonly 'copy.readChunk': number
  /** bytes per destination write of the copy engine (cached writes) */
  readonly 'copy.writeChunk': number
  /** bytes per read and per write when the copy is unbuffered (COPY_FILE_NO_BUFFERING) */
  readonly 'copy.noBufferingChunk': number
  /** the copy engine tries FSCTL_OFFLOAD_READ once per process and volume */
  readonly 'copy.offloadRead': boolean
  /** the copy engine sets the destination's size before the data (SetEndOfFile) */
  readonly 'copy.preallocate': boolean
  /** the copy engine probes the destination name before creating it */
  readonly 'copy.existenceProbes': boolean
  /** Explorer's attribute probes of each destination name before a copy or move */
  readonly 'shell.destinationProbes': number
  /** Explorer's attribute probes of each candidate name for a new folder or document */
  readonly 'shell.newFolderProbes': number
  /** Explorer's "can it be deleted?" probe before moving an item to the Recycle Bin */
  readonly 'shell.recycleProbe': boolean
}

export type Win32SettingName = keyof Win32Settings

export interface SettingInfo {
  readonly name: Win32SettingName
  readonly default: number | boolean
  /** 'bytes' values accept sizes with units (`1MiB`) */
  readonly kind: 'bytes' | 'count' | 'bool'
  readonly description: string
  /** where the default comes from, with the evidence tag of irp-sequences.md */
  readonly source: string
}

/** Every setting with its default and its evidence; the UI shows this list. */
export const WIN32_SETTINGS: readonly SettingInfo[] = [
  {
    name: 'copy.readChunk',
    default: 1024 * 1024,
    kind: 'bytes',
    description: 'Size of each cached source read of CopyFile2/CopyFileEx.',
    source: '[B] Windows Internals 6th ed., cache-manager experiment (Win7): 1-MB cached reads; Win10/11 not published',
  },
  {
    name: 'copy.writeChunk',
    default: 64 * 1024,
    kind: 'bytes',
    description: 'Size of each cached destination write of CopyFile2/CopyFileEx.',
    source: '[B] Windows Internals 6th ed. (Win7): sequential cached 64-KB writes; Win10/11 not published',
  },
  {
    name: 'copy.noBufferingChunk',
    default: 1024 * 1024,
    kind: 'bytes',
    description: 'Size of each read and write of an unbuffered copy (COPY_FILE_NO_BUFFERING).',
    source: '[I] no public source; the cached read size is used',
  },
  {
    name: 'copy.offloadRead',
    default: true,
    kind: 'bool',
    description: 'Try FSCTL_OFFLOAD_READ on the source once per process and volume before copying data.',
    source: '[D] windows-driver-docs ifs/offloaded-data-transfers.md (Windows 8 and later)',
  },
  {
    name: 'copy.preallocate',
    default: true,
    kind: 'bool',
    description: 'Set the destination to its final size (end of file, then allocation) before writing data.',
    source: '[I] from the existence of COPY_FILE_DISABLE_PRE_ALLOCATION; the IRP order was not seen',
  },
  {
    name: 'copy.existenceProbes',
    default: true,
    kind: 'bool',
    description: 'Probe the destination (an open for GENERIC_READ, then an attribute query) before creating it.',
    source: '[O-3rd] dokan-dotnet #115: probes of the destination before the create of an Explorer copy',
  },
  {
    name: 'shell.destinationProbes',
    default: 1,
    kind: 'count',
    description: "Explorer's attribute probes (FILE_READ_ATTRIBUTES opens) of each destination name before a copy or move.",
    source: '[O-3rd] dokan-dotnet #115 (first of three probes); [O] Win10 1709 capture of Explorer creating a .lnk (two probes)',
  },
  {
    name: 'shell.newFolderProbes',
    default: 1,
    kind: 'count',
    description: "Explorer's attribute probes of each candidate name (\"New folder\", \"New folder (2)\" …).",
    source: '[T] winfsp #51 (probes of "New folder (2)" … before the create)',
  },
  {
    name: 'shell.recycleProbe',
    default: true,
    kind: 'bool',
    description: 'Before recycling a file, open it for delete, set and clear its disposition, close it.',
    source: '[T] winfsp #185 (the file system\'s view of a Recycle Bin delete)',
  },
]

export const DEFAULT_WIN32_SETTINGS: Win32Settings = Object.fromEntries(WIN32_SETTINGS.map((s) => [s.name, s.default])) as unknown as Win32Settings

/** A setting with a value it cannot take, or an unknown copy./shell. setting. */
export class Win32SettingError extends Error {
  override readonly name = 'Win32SettingError'
}

const SIZE_UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 * 1024, GiB: 1024 * 1024 * 1024 }

function bytesValue(name: string, v: number | bigint | string | boolean): number {
  let n: number | undefined
  if (typeof v === 'number' || typeof v === 'bigint') n = Number(v)
  else if (typeof v === 'string') {
    const m = /^\s*([0-9]+)\s*(B|KiB|MiB|GiB)?\s*$/.exec(v)
    if (m) n = Number(m[1]) * SIZE_UNITS[m[2] ?? 'B']!
  }
  if (n === undefined || !Number.isSafeInteger(n) || n <= 0) throw new Win32SettingError(`settings.${name}: expected a size in bytes such as 65536 or 64KiB, found ${show(v)}`)
  if (n % 512 !== 0) throw new Win32SettingError(`settings.${name}: ${n} is not a multiple of 512 bytes (the sector size)`)
  return n
}

function show(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : String(v)
}

/**
 * The settings of a scenario's `settings:` that belong to the copy engine and the shell, on top
 * of the defaults. Keys outside `copy.` and `shell.` belong to other components and are left
 * alone; an unknown key inside them, or a value of the wrong kind, throws Win32SettingError.
 */
export function win32Settings(given: { readonly [key: string]: number | bigint | string | boolean } | undefined): Win32Settings {
  const out: Record<string, number | boolean> = { ...(DEFAULT_WIN32_SETTINGS as unknown as Record<string, number | boolean>) }
  if (!given) return out as unknown as Win32Settings
  for (const [key, v] of Object.entries(given)) {
    if (!key.startsWith('copy.') && !key.startsWith('shell.')) continue
    const info = WIN32_SETTINGS.find((s) => s.name === key)
    if (!info) {
      const near = closestNames(WIN32_SETTINGS.map((s) => s.name), key)
      throw new Win32SettingError(`settings.${key}: unknown setting${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}`)
    }
    if (info.kind === 'bool') {
      if (typeof v !== 'boolean') throw new Win32SettingError(`settings.${key}: expected true or false, found ${show(v)}`)
      out[key] = v
    } else if (info.kind === 'bytes') {
      out[key] = bytesValue(key, v)
    } else {
      const n = typeof v === 'bigint' ? Number(v) : v
      if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || n > 16) throw new Win32SettingError(`settings.${key}: expected a whole number from 0 to 16, found ${show(v)}`)
      out[key] = n
    }
  }
  return out as unknown as Win32Settings
}
