// The process profiles (kernel/apps): what a program does when a user works in it, made of the
// calls the real program makes. `findApp('notepad.exe')` gives a profile; its actions run in a
// thread of the program's process. Background services (Defender, the search indexer) react to
// new and changed files on their own: kernel/apps/background.

import { registerApp } from './registry.ts'
import { notepad } from './notepad/index.ts'
import { srvProfile } from './srv/index.ts'
import { winword } from './winword/index.ts'
import { sevenZip, sevenZipFM, winrar } from './archivers/index.ts'
import { explorerApp } from './explorer/app.ts'

export { registerApp, findApp, findAction, appImages, actionKey, type AppContext, type AppOutcome, type AppAction, type AppProfile } from './registry.ts'
export { AppArgs, AppArgError } from './args.ts'
export { startBackground, watchersIdle, DEFENDER_IMAGE, INDEXER_IMAGE, type BackgroundServices } from './background/index.ts'
export { APP_SETTINGS, DEFAULT_APP_SETTINGS, appSettings, AppSettingError, type AppSettings, type AppSettingInfo } from './settings.ts'

let registered = false

/** registers the built-in profiles (once) */
export function registerBuiltinApps(): void {
  if (registered) return
  registered = true
  registerApp(notepad)
  registerApp(srvProfile)
  registerApp(winword)
  registerApp(sevenZipFM)
  registerApp(sevenZip)
  registerApp(winrar)
  registerApp(explorerApp)
}

registerBuiltinApps()
