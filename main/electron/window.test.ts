import { describe, expect, it } from 'vitest'
import { harden, isAppFrame, windowOptions } from './window.ts'

describe('app window', () => {
  it('is isolated, sandboxed and has no Node integration', () => {
    const prefs = windowOptions('/app/out/preload/index.cjs').webPreferences
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
    })
  })

  it('blocks navigation, redirects, webviews and new windows', () => {
    const listeners = new Map<string, (e: { preventDefault: () => void }) => void>()
    let openHandler: (() => { action: string }) | undefined
    harden({
      on: ((name: string, fn: (e: { preventDefault: () => void }) => void) => listeners.set(name, fn)) as never,
      setWindowOpenHandler: ((fn: () => { action: string }) => (openHandler = fn)) as never,
    })
    expect(openHandler?.()).toEqual({ action: 'deny' })
    for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      let prevented = false
      listeners.get(name)?.({ preventDefault: () => (prevented = true) })
      expect(prevented, name).toBe(true)
    }
  })

  it('accepts requests only from the app page', () => {
    const app = 'file:///opt/altitude/out/renderer/index.html'
    expect(isAppFrame(app, app)).toBe(true)
    expect(isAppFrame(`${app}#x`, app)).toBe(true)
    expect(isAppFrame('file:///tmp/evil.html', app)).toBe(false)
    expect(isAppFrame('https://example.com/', app)).toBe(false)
    expect(isAppFrame(undefined, app)).toBe(false)
  })
})
