// The settings the Settings panel lists: the machine's Cache Manager switch, the Memory and
// Cache Manager timings and sizes (kernel/mm/settings.ts) and the copy engine's and the shell's
// choices (kernel/win32/settings.ts), each with its default, unit and when a change applies.
// Values are checked with the kernel's own validators, so the panel and a scenario's
// `settings:` accept and refuse the same things.

import { DEFAULT_CC_SETTINGS, DEFAULT_MM_SETTINGS, pickSettings, SettingError } from '../../kernel/mm/settings.ts'
import { WIN32_SETTINGS, win32Settings, Win32SettingError } from '../../kernel/win32/settings.ts'
import type { Win32Settings } from '../../kernel/win32/settings.ts'
import { closestNames } from '../../kernel/nt/flags.ts'
import { APP_SETTINGS, AppSettingError, appSettings } from '../../kernel/apps/index.ts'
import type { SettingInfoData, SettingValue } from './api.ts'

type Entry = Omit<SettingInfoData, 'value'>

const machine: Entry[] = [
  {
    name: 'cacheManager',
    component: 'machine',
    default: true,
    unit: 'switch',
    applies: 'restart',
    description: 'Run the Cache Manager: cached I/O goes through cache maps and the lazy writer writes it to disk later from System. Off: cached requests go to the volume directly.',
  },
  {
    name: 'background',
    component: 'machine',
    // off in the app so the trace shows what the user's actions cause; scenarios run them unless `background: false`
    default: false,
    unit: 'switch',
    applies: 'restart',
    description: 'Run MsMpEng.exe (Defender) and SearchProtocolHost.exe (the indexer), which open, map and read new and changed files as on a real machine (a scenario\'s `background: false`).',
  },
]

const memory: Entry[] = [
  { name: 'mappedPageWriterIntervalMs', component: 'memory', default: DEFAULT_MM_SETTINGS.mappedPageWriterIntervalMs, unit: 'ms', applies: 'restart', description: 'How long modified pages of mapped views wait before the mapped page writer writes them.' },
  { name: 'mappedWriteMaxBytes', component: 'memory', default: DEFAULT_MM_SETTINGS.mappedWriteMaxBytes, unit: 'bytes', applies: 'restart', description: 'The most bytes the mapped page writer writes in one paging write.' },
  { name: 'pageFaultClusterPages', component: 'memory', default: DEFAULT_MM_SETTINGS.pageFaultClusterPages, unit: 'pages', applies: 'restart', description: 'Pages one page fault reads from a mapped or cached file.' },
]

const cache: Entry[] = [
  { name: 'lazyWriterFirstDelayMs', component: 'cache', default: DEFAULT_CC_SETTINGS.lazyWriterFirstDelayMs, unit: 'ms', applies: 'restart', description: 'The first lazy-writer scan after the cache goes from idle to dirty (CcFirstDelay).' },
  { name: 'lazyWriterIntervalMs', component: 'cache', default: DEFAULT_CC_SETTINGS.lazyWriterIntervalMs, unit: 'ms', applies: 'restart', description: 'The lazy-writer scan interval while there is work (CcIdleDelay).' },
  { name: 'lazyWriterFraction', component: 'cache', default: DEFAULT_CC_SETTINGS.lazyWriterFraction, unit: 'fraction', applies: 'restart', description: 'Each scan queues one n-th of the dirty pages.' },
  { name: 'maxWriteBehindBytes', component: 'cache', default: DEFAULT_CC_SETTINGS.maxWriteBehindBytes, unit: 'bytes', applies: 'restart', description: 'The largest write-behind paging write.' },
  { name: 'lazyCloseDelayMs', component: 'cache', default: DEFAULT_CC_SETTINGS.lazyCloseDelayMs, unit: 'ms', applies: 'restart', description: 'How long an unused cache map stays before the lazy writer drops it (IRP_MJ_CLOSE from System).' },
  { name: 'readAheadGranularityBytes', component: 'cache', default: DEFAULT_CC_SETTINGS.readAheadGranularityBytes, unit: 'bytes', applies: 'restart', description: 'The read-ahead unit (CcSetReadAheadGranularity).' },
  { name: 'readAheadMaxBytes', component: 'cache', default: DEFAULT_CC_SETTINGS.readAheadMaxBytes, unit: 'bytes', applies: 'restart', description: 'The largest read-ahead paging read.' },
  { name: 'dirtyPageThresholdBytes', component: 'cache', default: DEFAULT_CC_SETTINGS.dirtyPageThresholdBytes, unit: 'bytes', applies: 'restart', description: 'Above this much dirty data cached writers wait for the lazy writer (CcDirtyPageThreshold).' },
  { name: 'systemCacheBytes', component: 'cache', default: DEFAULT_CC_SETTINGS.systemCacheBytes, unit: 'bytes', applies: 'restart', description: 'The most clean cached data kept before the oldest views are trimmed.' },
  { name: 'workerThreads', component: 'cache', default: DEFAULT_CC_SETTINGS.workerThreads, unit: 'threads', applies: 'restart', description: "The Cache Manager's own System worker threads." },
]

const win32: Entry[] = WIN32_SETTINGS.map((w) => ({
  name: w.name,
  component: w.name.startsWith('copy.') ? ('copy' as const) : ('shell' as const),
  default: w.default,
  unit: w.kind === 'bool' ? ('switch' as const) : w.kind === 'bytes' ? ('bytes' as const) : ('count' as const),
  // the copy engine and the shell read their settings at each command
  applies: 'now' as const,
  description: w.description,
  source: w.source,
}))

// the process profiles' choices (kernel/apps/settings.ts): read when the programs start
const apps: Entry[] = APP_SETTINGS.map((a) => ({
  name: a.name,
  component: 'apps' as const,
  default: a.default,
  unit: a.kind === 'bool' ? ('switch' as const) : a.kind,
  applies: 'restart' as const,
  description: a.description,
  source: a.source,
}))

/** every setting, in the order the panel lists them */
export const SETTINGS_CATALOG: readonly Entry[] = [...machine, ...memory, ...cache, ...win32, ...apps]

export type SettingValues = Readonly<Record<string, SettingValue>>

/** A setting change refused: names the setting and what it takes. */
export class SettingValueError extends Error {
  override readonly name = 'SettingValueError'
}

/** Checks one value for `name` with the component's own rules; throws SettingValueError. */
export function checkSetting(name: string, value: SettingValue): void {
  const entry = SETTINGS_CATALOG.find((e) => e.name === name)
  if (entry === undefined) {
    const near = closestNames(SETTINGS_CATALOG.map((e) => e.name), name)
    throw new SettingValueError(`${name}: unknown setting${near.length > 0 ? ` (did you mean ${near.join(', ')}?)` : ''}`)
  }
  if (entry.unit === 'switch') {
    if (typeof value !== 'boolean') throw new SettingValueError(`${name}: expected on or off (true or false), found ${String(value)}`)
    if (entry.component === 'machine') return
  } else if (typeof value !== 'number') {
    throw new SettingValueError(`${name}: expected a number of ${entry.unit}, found ${String(value)}`)
  }
  try {
    if (entry.component === 'memory') pickSettings(DEFAULT_MM_SETTINGS, { [name]: value })
    else if (entry.component === 'cache') pickSettings(DEFAULT_CC_SETTINGS, { [name]: value })
    else if (entry.component === 'apps') appSettings({ [name]: value })
    else win32Settings({ [name]: value })
  } catch (e) {
    if (e instanceof SettingError || e instanceof Win32SettingError || e instanceof AppSettingError) throw new SettingValueError(e.message.replace(/^settings\./, ''))
    throw e
  }
}

/** The values a change leaves: `current` with `changes` applied, a value equal to its default dropped. Throws SettingValueError. */
export function applyChanges(current: SettingValues, changes: SettingValues): Record<string, SettingValue> {
  const next: Record<string, SettingValue> = { ...current }
  for (const [name, value] of Object.entries(changes)) {
    checkSetting(name, value)
    const entry = SETTINGS_CATALOG.find((e) => e.name === name)!
    if (entry.default === value) delete next[name]
    else next[name] = value
  }
  return next
}

/** the list the panel shows, with the values in force */
export function settingsView(values: SettingValues): SettingInfoData[] {
  return SETTINGS_CATALOG.map((e) => ({ ...e, value: values[e.name] ?? e.default }))
}

/** the names whose value differs between the running machine's boot and now, among those that wait for a restart */
export function pendingRestart(bootedWith: SettingValues, now: SettingValues): string[] {
  return SETTINGS_CATALOG.filter((e) => e.applies === 'restart' && (bootedWith[e.name] ?? e.default) !== (now[e.name] ?? e.default)).map((e) => e.name)
}

/** whether the background programs run, and the programs' settings (kernel/apps) */
export function backgroundSettings(values: SettingValues): { background: boolean; apps: Record<string, number | boolean> } {
  const apps: Record<string, number | boolean> = {}
  for (const e of SETTINGS_CATALOG) {
    const v = values[e.name]
    if (e.component === 'apps' && (typeof v === 'number' || typeof v === 'boolean')) apps[e.name] = v
  }
  const on = values['background']
  return { background: typeof on === 'boolean' ? on : false, apps }
}

/** what Machine.create takes: the Cache Manager switch and the Cache/Memory Manager values */
export function machineSettings(values: SettingValues): { cacheManager: boolean; settings: Record<string, number> } {
  const settings: Record<string, number> = {}
  for (const e of SETTINGS_CATALOG) {
    const v = values[e.name]
    if ((e.component === 'memory' || e.component === 'cache') && typeof v === 'number') settings[e.name] = v
  }
  const on = values['cacheManager']
  return { cacheManager: typeof on === 'boolean' ? on : true, settings }
}

/** the copy engine's and the shell's settings in force */
export function shellSettings(values: SettingValues): Win32Settings {
  const given: Record<string, number | boolean> = {}
  for (const e of SETTINGS_CATALOG) {
    const v = values[e.name]
    if ((e.component === 'copy' || e.component === 'shell') && v !== undefined) given[e.name] = v
  }
  return win32Settings(given)
}
