import { describe, expect, it } from 'vitest'
import { DEFAULT_CC_SETTINGS, DEFAULT_MM_SETTINGS } from '../../kernel/mm/settings.ts'
import { DEFAULT_WIN32_SETTINGS, WIN32_SETTINGS } from '../../kernel/win32/settings.ts'
import { applyChanges, checkSetting, machineSettings, pendingRestart, SETTINGS_CATALOG, settingsView, shellSettings } from './settings-catalog.ts'

describe('the settings catalog', () => {
  it('lists every Cache Manager, Memory Manager, copy-engine and shell setting with the kernel\'s default', () => {
    const names = SETTINGS_CATALOG.map((e) => e.name)
    for (const [k, v] of Object.entries({ ...DEFAULT_CC_SETTINGS, ...DEFAULT_MM_SETTINGS })) expect(SETTINGS_CATALOG.find((e) => e.name === k)?.default).toBe(v)
    for (const w of WIN32_SETTINGS) expect(names).toContain(w.name)
    expect(names).toContain('cacheManager')
    expect(new Set(names).size).toBe(names.length)
  })

  it('checks a value with the component\'s rules, naming the setting', () => {
    expect(() => checkSetting('copy.readChunk', 100)).toThrow('copy.readChunk: 100 is not a multiple of 512 bytes')
    expect(() => checkSetting('shell.destinationProbes', 17)).toThrow('shell.destinationProbes: expected a whole number from 0 to 16')
    expect(() => checkSetting('lazyWriterFraction', 0)).toThrow('lazyWriterFraction: expected a positive whole number')
    expect(() => checkSetting('copy.offloadRead', 1)).toThrow('copy.offloadRead: expected on or off')
    expect(() => checkSetting('readAheadMaxByte', 1)).toThrow('did you mean readAheadMaxBytes')
    expect(() => checkSetting('copy.writeChunk', 4096)).not.toThrow()
  })

  it('keeps only values that differ from the default, and says which wait for a restart', () => {
    const v = applyChanges({}, { lazyCloseDelayMs: 2000, 'copy.preallocate': false, 'copy.writeChunk': 65536 })
    expect(v).toEqual({ lazyCloseDelayMs: 2000, 'copy.preallocate': false })
    expect(pendingRestart({}, v)).toEqual(['lazyCloseDelayMs'])
    expect(settingsView(v).find((s) => s.name === 'lazyCloseDelayMs')).toMatchObject({ value: 2000, default: 10_000, unit: 'ms' })
    expect(machineSettings({ ...v, cacheManager: false })).toEqual({ cacheManager: false, settings: { lazyCloseDelayMs: 2000 } })
    expect(machineSettings({})).toEqual({ cacheManager: true, settings: {} })
    expect(shellSettings(v)).toEqual({ ...DEFAULT_WIN32_SETTINGS, 'copy.preallocate': false })
  })
})

describe('the programs\' settings and the background switch', () => {
  it('lists every app. setting with its default and source, checked by the profiles\' own rules', async () => {
    const { SETTINGS_CATALOG, checkSetting, backgroundSettings } = await import('./settings-catalog.ts')
    const { APP_SETTINGS } = await import('../../kernel/apps/index.ts')
    const apps = SETTINGS_CATALOG.filter((e) => e.component === 'apps')
    expect(apps.map((e) => e.name)).toEqual(APP_SETTINGS.map((a) => a.name))
    expect(apps.every((e) => e.applies === 'restart' && typeof e.source === 'string')).toBe(true)
    expect(() => checkSetting('app.defender.delay', 5)).not.toThrow()
    expect(() => checkSetting('app.defender.delay', -1)).toThrow(/app\.defender\.delay/)
    expect(() => checkSetting('background', false)).not.toThrow()
    expect(backgroundSettings({})).toEqual({ background: false, apps: {} })
    expect(backgroundSettings({ background: true, 'app.indexer.delay': 7 })).toEqual({ background: true, apps: { 'app.indexer.delay': 7 } })
  })
})
