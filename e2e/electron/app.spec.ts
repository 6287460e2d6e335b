// The Electron build, driven through Playwright's _electron, where an Electron binary exists.
// Elsewhere (no binary and no way to download one) the suite is skipped with the reason.

import { fileURLToPath } from 'node:url'
import { _electron as electron, expect, test } from '@playwright/test'
import { findElectron } from '../../main/launch/electron-binary.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const binary = findElectron(root)
const displayMissing = process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY']
const skipReason = !binary.ok ? `Electron cannot run here: ${binary.why}` : displayMissing ? 'Electron cannot run here: there is no display (DISPLAY is not set)' : undefined
if (skipReason !== undefined) console.log(`electron suite skipped: ${skipReason}`)

test.skip(skipReason !== undefined, skipReason)

test('the Electron app shows the machine state from its host, with a locked-down renderer', async () => {
  if (!binary.ok) return
  const app = await electron.launch({ executablePath: binary.path, args: [root] })
  try {
    const win = await app.firstWindow()
    await expect(win.getByRole('status', { name: 'Machine status' }).getByTestId('machine-state')).toHaveText('Running')
    await expect(win.getByRole('toolbar', { name: 'Machine' })).toContainText('Electron IPC')
    const exposed = await win.evaluate(() => ({
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
      bridge: Object.keys((window as unknown as { altitude: { call: object } }).altitude.call).sort(),
    }))
    expect(exposed).toEqual({ require: 'undefined', process: 'undefined', bridge: ['debug.fault', 'machine.boot', 'machine.info', 'machine.restart', 'machine.shutdown'] })
    // navigation away from the app is blocked
    await win.evaluate(() => {
      window.location.href = 'https://example.com/'
    })
    await expect(win.getByTestId('machine-state')).toHaveText('Running')
    expect(win.url()).toMatch(/renderer\/index\.html$/)
  } finally {
    await app.close()
  }
})
