// The app in Debian's Chromium against the web host: it loads, shows the machine state the
// host reports, and reacts to the host (restarts, hangs).

import { expect, test } from '@playwright/test'
import type { Page } from '@playwright/test'
import { hostCall, hostUrl } from './host-kit.ts'

/** Collects CSP violations and console errors on the page. */
async function watchPage(page: Page): Promise<string[]> {
  const problems: string[] = []
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`)
    })
  })
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text())
  })
  page.on('pageerror', (e) => problems.push(e.message))
  return problems
}

test.beforeEach(async () => {
  // every test starts from a running machine with seed 1
  const r = await hostCall('machine.restart', { seed: 1 })
  expect(r).toMatchObject({ result: { worker: 'ready', machine: { state: 'running' } } })
})

test('the app loads and shows the machine state the host reports', async ({ page }) => {
  const problems = await watchPage(page)
  await page.goto(hostUrl().href)

  const status = page.getByRole('status', { name: 'Machine status' })
  await expect(status.getByTestId('machine-state')).toHaveText('Running')
  await expect(status).toContainText('Seed 1')
  await expect(page.getByRole('toolbar', { name: 'Machine' })).toBeVisible()
  const tree = page.getByRole('tree', { name: 'Navigation pane' })
  await expect(tree.getByRole('treeitem', { name: /This PC/ })).toBeVisible()

  // C: as the kernel mounted it: a fresh 64 MiB NTFS volume
  await expect(tree.getByRole('treeitem', { name: 'Local Disk (C:)' })).toBeVisible()
  const drive = page.getByRole('grid', { name: 'Items' }).getByRole('row', { name: /Local Disk \(C:\)/ })
  await expect(drive.getByRole('gridcell')).toHaveText(['Local Disk (C:)', 'Local Disk', 'NTFS', '64.0 MB', '\\Device\\HarddiskVolume1'])

  const grid = page.getByRole('grid', { name: 'Trace' })
  await expect(grid.getByRole('columnheader')).toHaveText(['Time of Day', 'Process Name', 'PID', 'Operation', 'Path', 'Result', 'Detail'])

  // virtual time comes from the running kernel: it advances
  const time = status.getByTestId('virtual-time')
  const first = await time.textContent()
  await expect(time).not.toHaveText(first ?? '')

  // the processes the kernel reports
  const info = await hostCall('machine.info')
  const processes = ((info['result'] as { machine: { processes: unknown[] } }).machine.processes).length
  await expect(status).toContainText(`${processes} ${processes === 1 ? 'process' : 'processes'}`)

  expect(problems).toEqual([])
})

test('the page follows the host: a restart with another seed shows up', async ({ page }) => {
  await page.goto(hostUrl().href)
  const status = page.getByRole('status', { name: 'Machine status' })
  await expect(status).toContainText('Seed 1')
  await hostCall('machine.restart', { seed: 77 })
  await expect(status).toContainText('Seed 77')
  await expect(status.getByTestId('machine-state')).toHaveText('Running')
})

test('shut down and boot from the toolbar', async ({ page }) => {
  await page.goto(hostUrl().href)
  const state = page.getByTestId('machine-state')
  await expect(state).toHaveText('Running')
  await page.getByRole('toolbar', { name: 'Machine' }).getByRole('button', { name: 'Shut down machine' }).click()
  await expect(state).toHaveText('Stopped')
  await page.getByRole('toolbar', { name: 'Machine' }).getByRole('button', { name: 'Boot machine' }).click()
  await expect(state).toHaveText('Running')
})

test('a hung kernel worker shows the bug check screen, and Restart recovers', async ({ page }) => {
  await page.goto(hostUrl().href)
  await expect(page.getByTestId('machine-state')).toHaveText('Running')
  expect(await hostCall('debug.fault', { kind: 'hang' })).toMatchObject({ result: { accepted: true } })

  const stop = page.getByTestId('stop-screen')
  await expect(stop.getByRole('heading', { name: 'Bug check 0x00000133: DPC_WATCHDOG_VIOLATION' })).toBeVisible()
  await expect(stop).toContainText('CULPRIT: kernel worker')
  await expect(stop).toContainText('Arg1: 0000000000000001')
  await expect(page.getByTestId('machine-state')).toHaveText('Bugchecked')

  await stop.getByRole('button', { name: 'Restart machine' }).click()
  await expect(page.getByTestId('machine-state')).toHaveText('Running')
  await expect(stop).toBeHidden()
})

test('a crashed kernel worker is reported and can be restarted', async ({ page }) => {
  await page.goto(hostUrl().href)
  await expect(page.getByTestId('machine-state')).toHaveText('Running')
  await hostCall('debug.fault', { kind: 'crash' })
  const stop = page.getByTestId('stop-screen')
  await expect(stop.getByRole('heading', { name: 'The kernel worker stopped' })).toBeVisible()
  await expect(stop).toContainText('exited with code 70')
  await stop.getByRole('button', { name: 'Restart machine' }).click()
  await expect(page.getByTestId('machine-state')).toHaveText('Running')
})

test('a lost connection opens a readable error dialog with Retry', async ({ page }) => {
  let refuse = true
  await page.routeWebSocket(/\/api\?token=/, (ws) => {
    if (refuse) return ws.close({ code: 1011, reason: 'test' })
    ws.connectToServer()
  })
  await page.goto(hostUrl().href)
  const dialog = page.getByRole('alertdialog', { name: 'Not connected to the Altitude host' })
  await expect(dialog).toBeVisible()
  await expect(dialog).toContainText('start it again and open the URL it prints')
  refuse = false
  await dialog.getByRole('button', { name: 'Retry' }).click()
  await expect(dialog).toBeHidden()
  await expect(page.getByTestId('machine-state')).toHaveText('Running')
})
