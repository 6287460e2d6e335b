// Opens a URL in the user's browser when there is one to open and a display to show it on.

import { spawn, spawnSync } from 'node:child_process'

export type OpenResult = { opened: true; via: string } | { opened: false; why: string }

const LINUX_OPENERS = ['xdg-open', 'chromium', 'chromium-browser', 'google-chrome', 'firefox']

function onPath(command: string): boolean {
  const probe = spawnSync('sh', ['-c', `command -v "${command}"`], { stdio: 'ignore' })
  return probe.status === 0
}

export function openBrowser(url: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): OpenResult {
  let command: string
  let args: string[]
  if (platform === 'win32') {
    command = 'cmd'
    args = ['/c', 'start', '""', url]
  } else if (platform === 'darwin') {
    command = 'open'
    args = [url]
  } else {
    if (!env['DISPLAY'] && !env['WAYLAND_DISPLAY']) return { opened: false, why: 'there is no display here (DISPLAY is not set)' }
    const found = LINUX_OPENERS.find(onPath)
    if (found === undefined) return { opened: false, why: 'no browser is installed (looked for xdg-open, chromium, google-chrome, firefox)' }
    command = found
    args = [url]
  }
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' })
    child.on('error', () => undefined)
    child.unref()
    return { opened: true, via: command }
  } catch (err) {
    return { opened: false, why: `${command} could not be started: ${err instanceof Error ? err.message : String(err)}` }
  }
}
