// The process profiles (kernel/apps): what a program does when a user works in it, made of the
// calls the real program makes. `findApp('notepad.exe')` gives a profile; its actions run in a
// thread of the program's process. Background services (Defender, the search indexer) react to
// new and changed files on their own: kernel/apps/background.

import { registerApp } from './registry.ts'
import { notepad } from './notepad/index.ts'
import { srvProfile } from './srv/index.ts'

export { registerApp, findApp, findAction, appImages, actionKey, type AppContext, type AppOutcome, type AppAction, type AppProfile } from './registry.ts'
export { AppArgs, AppArgError } from './args.ts'
export { APP_SETTINGS, DEFAULT_APP_SETTINGS, appSettings, AppSettingError, type AppSettings, type AppSettingInfo } from './settings.ts'

let registered = false

/** registers the built-in profiles (once) */
export function registerBuiltinApps(): void {
  if (registered) return
  registered = true
  registerApp(notepad)
  registerApp(srvProfile)
}

registerBuiltinApps()
