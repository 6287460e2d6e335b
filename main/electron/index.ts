// Electron main: one window on the renderer, one session (kernel worker) served to it over
// IPC through the contract. Built by electron-vite into out/main/index.js.

import { app, BrowserWindow, ipcMain, session as electronSession } from 'electron'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { errorReply } from '../host/api.ts'
import { Session, sessionOptionsFromEnv } from '../host/session.ts'
import { kernelWorkerEntry } from '../host/worker-spawn.ts'
import { EVENT_CHANNEL, REQUEST_CHANNEL } from './channels.ts'
import { harden, isAppFrame, windowOptions } from './window.ts'

const here = import.meta.dirname
const indexHtml = join(here, '../renderer/index.html')
const appUrl = pathToFileURL(indexHtml).href

app.enableSandbox()
if (!app.requestSingleInstanceLock()) app.quit()

const hostSession = new Session({ ...sessionOptionsFromEnv(process.env), workerEntry: kernelWorkerEntry(import.meta.url) })
let mainWindow: BrowserWindow | undefined

app.on('web-contents-created', (_event, contents) => harden(contents))

app.on('second-instance', () => {
  if (mainWindow === undefined) return
  if (mainWindow.isMinimized()) mainWindow.restore()
  mainWindow.focus()
})

ipcMain.handle(REQUEST_CHANNEL, async (event, message: unknown) => {
  if (!isAppFrame(event.senderFrame?.url, appUrl)) return errorReply(null, 'bad-message', 'requests are only accepted from the app page')
  return hostSession.handle(message)
})

hostSession.onEvent((message) => {
  const win = mainWindow
  if (win !== undefined && !win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, message)
})

function createWindow(): BrowserWindow {
  const win = new BrowserWindow(windowOptions(join(here, '../preload/index.cjs')))
  win.once('ready-to-show', () => win.show())
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = undefined
  })
  void win.loadFile(indexHtml)
  return win
}

void app.whenReady().then(() => {
  electronSession.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  electronSession.defaultSession.setPermissionCheckHandler(() => false)
  mainWindow = createWindow()
  void hostSession.start()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow()
  })
})

app.on('window-all-closed', () => {
  void hostSession.close().finally(() => app.quit())
})
