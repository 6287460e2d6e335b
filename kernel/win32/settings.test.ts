import { describe, expect, it } from 'vitest'
import { DEFAULT_WIN32_SETTINGS, WIN32_SETTINGS, Win32SettingError, win32Settings } from './settings.ts'

describe('copy engine and shell settings', () => {
  it('have the documented defaults, each with its evidence', () => {
    expect(DEFAULT_WIN32_SETTINGS['copy.readChunk']).toBe(1024 * 1024)
    expect(DEFAULT_WIN32_SETTINGS['copy.writeChunk']).toBe(64 * 1024)
    expect(DEFAULT_WIN32_SETTINGS['copy.offloadRead']).toBe(true)
    expect(DEFAULT_WIN32_SETTINGS['copy.preallocate']).toBe(true)
    expect(DEFAULT_WIN32_SETTINGS['shell.newFolderProbes']).toBe(1)
    for (const s of WIN32_SETTINGS) expect(s.source, s.name).toMatch(/\[[ODBRTI]/)
  })
  it('take sizes with units and leave other components\' settings alone', () => {
    const s = win32Settings({ 'copy.readChunk': '256KiB', 'copy.writeChunk': 4096, 'copy.offloadRead': false, 'cc.lazyWriterIntervalMs': 5 })
    expect(s['copy.readChunk']).toBe(256 * 1024)
    expect(s['copy.writeChunk']).toBe(4096)
    expect(s['copy.offloadRead']).toBe(false)
  })
  it('name the bad setting', () => {
    expect(() => win32Settings({ 'copy.readChunck': 4096 })).toThrow(/copy\.readChunck: unknown setting \(did you mean copy\.readChunk/)
    expect(() => win32Settings({ 'copy.readChunk': 1000 })).toThrow(/not a multiple of 512/)
    expect(() => win32Settings({ 'copy.preallocate': 'yes' })).toThrow(Win32SettingError)
    expect(() => win32Settings({ 'shell.newFolderProbes': -1 })).toThrow(/shell\.newFolderProbes/)
  })
})
