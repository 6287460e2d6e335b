// The choices of the process profiles that change traces and that no public source settles:
// delays of the background services, how much they read, the sizes of the archivers' reads.
// Each has a default from the closest evidence and can be changed per scenario (`settings:`)
// by the names below (all start with `app.`). The UI lists APP_SETTINGS to show them.

import { closestNames } from '../nt/flags.ts'

export interface AppSettingInfo {
  readonly name: string
  readonly default: number | boolean
  /** 'ms' values are milliseconds of virtual time; 'bytes' accept sizes with units (`64KiB`) */
  readonly kind: 'ms' | 'bytes' | 'count' | 'bool'
  readonly description: string
  /** where the default comes from */
  readonly source: string
}

export const APP_SETTINGS: readonly AppSettingInfo[] = [
  {
    name: 'app.defender.delay',
    default: 2,
    kind: 'ms',
    description: 'Virtual time between a change to a file and MsMpEng.exe opening it to scan it.',
    source: '[O] Win10 1709 capture (irp-sequences.md §3.3): MsMpEng maps the saved .txt about 2 ms after Notepad\'s close',
  },
  {
    name: 'app.defender.scanBytes',
    default: 1024 * 1024,
    kind: 'bytes',
    description: 'How much of a file MsMpEng.exe reads through its data-scan view (the whole file when smaller).',
    source: '[I] no public source; data-scan sections map the whole file, the engine reads what it needs',
  },
  {
    name: 'app.indexer.delay',
    default: 30,
    kind: 'ms',
    description: 'Virtual time between a change to a file and SearchProtocolHost.exe opening it to index it.',
    source: '[O] Win10 1709 capture (irp-sequences.md §3.3): SearchProtocolHost opens the saved .txt about 30 ms after Notepad\'s close',
  },
  {
    name: 'app.indexer.readChunk',
    default: 64 * 1024,
    kind: 'bytes',
    description: 'Bytes per read of SearchProtocolHost.exe (at very low I/O priority).',
    source: '[I] no public source for the filter host\'s read size',
  },
  {
    name: 'app.indexer.readPause',
    default: 0,
    kind: 'ms',
    description: 'Virtual time SearchProtocolHost.exe waits between its reads (its very-low-priority I/O is throttled behind other I/O).',
    source: '[I] background-priority I/O is throttled by the I/O manager; by how much depends on the load, not published',
  },
  {
    name: 'app.indexer.oplock',
    default: true,
    kind: 'bool',
    description: 'SearchProtocolHost.exe opens with FILE_OPEN_REQUIRING_OPLOCK and asks for a read-handle oplock (FSCTL_REQUEST_OPLOCK) before reading.',
    source: '[D] docs: FILE_OPEN_REQUIRING_OPLOCK / FSCTL_REQUEST_OPLOCK are how the Windows Search protocol host avoids blocking other applications',
  },
  {
    name: 'app.explorer.reactionDelay',
    default: 100,
    kind: 'ms',
    description: 'Virtual time between a change notification on an open folder and explorer.exe reading the new item\'s properties.',
    source: '[I] the shell coalesces notifications (SHChangeNotify) before refreshing a view; not published',
  },
  {
    name: 'app.explorer.thumbnailBytes',
    default: 4096,
    kind: 'bytes',
    description: 'Bytes explorer.exe reads from the start of a new item to make its thumbnail / read its properties.',
    source: '[I] property handlers read the file header; the size depends on the handler',
  },
  {
    name: 'app.archiver.tailBytes',
    default: 64 * 1024,
    kind: 'bytes',
    description: 'Bytes 7-Zip and WinRAR read at the end of an archive looking for the end of its central directory.',
    source: '[S] PKWARE APPNOTE 4.3.16: the end record is at most 22 + 65,535 bytes from the end; the read size of each archiver is not published',
  },
  {
    name: 'app.word.probes',
    default: 2,
    kind: 'count',
    description: 'Attribute probes (GetFileAttributesExW) winword.exe makes of a document before opening it.',
    source: '[I] Word and the shell probe a document more than once before the open; the count is not published',
  },
  {
    name: 'app.word.ioChunk',
    default: 64 * 1024,
    kind: 'bytes',
    description: 'Bytes per ReadFile and WriteFile of winword.exe on a document and its temporary file.',
    source: '[I] no public source for Word\'s I/O size on a package',
  },
  {
    name: 'app.word.ownerFile',
    default: true,
    kind: 'bool',
    description: 'winword.exe creates the hidden owner file ~$name.docx next to a document it opens.',
    source: '[D] Microsoft support: "Description of how Word creates temporary files" (owner file ~$)',
  },
]

export type AppSettings = { readonly [name: string]: number | boolean }

export const DEFAULT_APP_SETTINGS: AppSettings = Object.fromEntries(APP_SETTINGS.map((s) => [s.name, s.default]))

export class AppSettingError extends Error {
  override readonly name = 'AppSettingError'
}

const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 * 1024, GiB: 1024 * 1024 * 1024, ms: 1, s: 1000 }

function show(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : String(v)
}

/**
 * The `app.` settings of a scenario on top of the defaults; an unknown `app.` key or a value of
 * the wrong kind throws AppSettingError naming it. Other keys belong to other components.
 */
export function appSettings(given: { readonly [key: string]: number | bigint | string | boolean } | undefined): AppSettings {
  const out: Record<string, number | boolean> = { ...DEFAULT_APP_SETTINGS }
  if (!given) return out
  for (const [key, v] of Object.entries(given)) {
    if (!key.startsWith('app.')) continue
    const info = APP_SETTINGS.find((s) => s.name === key)
    if (!info) {
      const near = closestNames(APP_SETTINGS.map((s) => s.name), key)
      throw new AppSettingError(`settings.${key}: unknown setting${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}`)
    }
    if (info.kind === 'bool') {
      if (typeof v !== 'boolean') throw new AppSettingError(`settings.${key}: expected true or false, found ${show(v)}`)
      out[key] = v
      continue
    }
    let n: number | undefined
    if (typeof v === 'number' || typeof v === 'bigint') n = Number(v)
    else if (typeof v === 'string') {
      const m = /^\s*([0-9]+)\s*(B|KiB|MiB|GiB|ms|s)?\s*$/.exec(v)
      const unit = m?.[2]
      const fits = unit === undefined || (info.kind === 'ms' ? unit === 'ms' || unit === 's' : unit !== 'ms' && unit !== 's')
      if (m && fits) n = Number(m[1]) * UNITS[unit ?? (info.kind === 'ms' ? 'ms' : 'B')]!
    }
    if (info.kind === 'count') {
      if (typeof v !== 'number' && typeof v !== 'bigint') n = undefined
      if (n === undefined || !Number.isSafeInteger(n) || n < 0 || n > 16) throw new AppSettingError(`settings.${key}: expected a whole number from 0 to 16, found ${show(v)}`)
      out[key] = n
      continue
    }
    const min = info.kind === 'bytes' ? 1 : 0
    if (n === undefined || !Number.isSafeInteger(n) || n < min) {
      throw new AppSettingError(`settings.${key}: expected ${info.kind === 'ms' ? 'milliseconds such as 100 or 2s' : 'a size in bytes such as 4096 or 64KiB'}, found ${show(v)}`)
    }
    out[key] = n
  }
  return out
}

export function settingNumber(settings: AppSettings, name: string): number {
  const v = settings[name]
  if (typeof v !== 'number') throw new Error(`app setting ${name} is not a number`)
  return v
}

export function settingFlag(settings: AppSettings, name: string): boolean {
  return settings[name] === true
}

export const TICKS_PER_MS = 10_000
