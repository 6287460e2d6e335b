// The app window and the rules every web contents in the app follows: isolated, sandboxed,
// no Node in the page, no navigation away from the app, no new windows, no permissions.

import type { BrowserWindowConstructorOptions, WebContents } from 'electron'

export function windowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1360,
    height: 860,
    minWidth: 900,
    minHeight: 560,
    title: 'Altitude',
    backgroundColor: '#f3f3f3',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  }
}

/** Blocks navigation, new windows and <webview> for one web contents. */
export function harden(contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
  contents.on('will-navigate', (event) => event.preventDefault())
  contents.on('will-redirect', (event) => event.preventDefault())
  contents.on('will-attach-webview', (event) => event.preventDefault())
}

/** Only the app's own page may call the host. */
export function isAppFrame(frameUrl: string | undefined, appUrl: string): boolean {
  if (frameUrl === undefined) return false
  const strip = (u: string): string => u.split('#')[0]?.split('?')[0] ?? ''
  return strip(frameUrl) === strip(appUrl)
}
