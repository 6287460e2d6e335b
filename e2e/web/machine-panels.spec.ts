// The machine's own controls, end to end: Pull the plug (power lost, volumes mounted again,
// the Explorer lists what survived), the Settings panel (every setting with its default and
// unit, checked by the host) and the Filters panel (fltmc in the machine: a loaded filter's
// instances see explorer.exe's IRPs in the trace).

import { expect, test } from '@playwright/test'
import { hostCall } from './host-kit.ts'
import { appOpener, goTo } from './app-page.ts'

const DESKTOP = 'C:\\Users\\User\\Desktop'

test.beforeEach(async () => {
  // the settings outlive machines: start every test from the defaults
  await hostCall('settings.set', { values: { lazyWriterFirstDelayMs: 3000, 'copy.writeChunk': 65536 } })
  const r = await hostCall('machine.restart', { seed: 1 })
  expect(r).toMatchObject({ result: { worker: 'ready', machine: { state: 'running' } } })
})

test.afterAll(async () => {
  await hostCall('settings.set', { values: { lazyWriterFirstDelayMs: 3000, 'copy.writeChunk': 65536 } })
})

const openApp = appOpener()


test('the Settings panel lists every setting with its default and unit, refuses a bad value, and says what waits for a restart', async ({ page }) => {
  await openApp(page)
  await page.getByRole('button', { name: 'Settings' }).click()
  const panel = page.getByRole('dialog', { name: 'Settings' })
  const lazy = panel.getByTestId('setting-row').filter({ has: page.getByText('lazyWriterFirstDelayMs', { exact: true }) })
  await expect(lazy.getByRole('cell')).toHaveText(['3000', 'ms', '3,000', 'at restart'].map((t, i) => (i === 0 ? '' : t)))
  await expect(lazy.getByRole('textbox', { name: 'lazyWriterFirstDelayMs' })).toHaveValue('3000')
  const chunk = panel.getByTestId('setting-row').filter({ has: page.getByText('copy.writeChunk', { exact: true }) })
  await expect(chunk.getByRole('cell').nth(1)).toHaveText('bytes')
  await expect(chunk.getByRole('cell').nth(3)).toHaveText('at once')
  await expect(panel.getByRole('checkbox', { name: 'cacheManager' })).toBeChecked()

  // a chunk that is not a multiple of the sector size: the host says so
  await chunk.getByRole('textbox').fill('1000')
  await chunk.getByRole('textbox').press('Tab')
  await panel.getByRole('button', { name: 'Apply' }).click()
  const error = page.getByRole('alertdialog', { name: 'settings.set failed' })
  await expect(error).toContainText('copy.writeChunk: 1000 is not a multiple of 512 bytes')
  await error.getByRole('button', { name: 'Close' }).click()

  await chunk.getByRole('textbox').fill('4096')
  await lazy.getByRole('textbox').fill('600000')
  await lazy.getByRole('textbox').press('Tab')
  await panel.getByRole('button', { name: 'Apply' }).click()
  await expect(panel.getByRole('status')).toHaveText('Waiting for a restart: lazyWriterFirstDelayMs')
  await expect(chunk.getByRole('textbox')).toHaveValue('4096')
  await panel.getByRole('button', { name: 'Close' }).click()

  await page.getByRole('button', { name: 'Restart machine' }).click()
  // the restart is done when the toolbar takes commands again
  await expect(page.getByRole('button', { name: 'Restart machine' })).toBeEnabled()
  await expect(page.getByTestId('machine-state')).toHaveText('Running')
  await page.getByRole('button', { name: 'Settings' }).click()
  await expect(page.getByRole('dialog', { name: 'Settings' }).getByRole('textbox', { name: 'lazyWriterFirstDelayMs' })).toHaveValue('600000')
  await expect(page.getByRole('dialog', { name: 'Settings' }).getByRole('status')).toHaveCount(0)
})

test('Pull the plug: after a confirmation the machine loses power, its volumes are mounted again, and the Explorer lists what survived', async ({ page }) => {
  // the lazy writer waits ten minutes, so a copy's data is still only in the cache when the power goes
  await hostCall('settings.set', { values: { lazyWriterFirstDelayMs: 600000 } })
  await hostCall('machine.restart', { seed: 1 })
  const { items, trace } = await openApp(page)
  await goTo(page, 'C:\\Users\\User\\Documents')
  await items.getByRole('row', { name: 'notes.txt', exact: true }).click()
  await page.keyboard.press('Control+c')
  await goTo(page, DESKTOP)
  await items.getByRole('row', { name: 'Shopping list.txt', exact: true }).click()
  await page.keyboard.press('Control+v')
  await expect(items.getByRole('row', { name: 'notes.txt', exact: true })).toBeVisible()

  await page.getByRole('button', { name: 'Pull the plug' }).click()
  const confirm = page.getByRole('alertdialog', { name: 'Pull the plug' })
  await expect(confirm).toContainText('Data still dirty in the cache and in mapped pages is lost')
  await confirm.getByRole('button', { name: 'Pull the plug' }).click()
  await expect(page.getByTestId('power-notice')).toContainText('The power was cut at')
  await expect(page.getByTestId('machine-state')).toHaveText('Running')
  // the names survived (the journal), and the Explorer listed the folder again after the remount
  await expect(items.getByRole('row', { name: 'notes.txt', exact: true })).toBeVisible()
  await expect(items.getByRole('row', { name: 'Shopping list.txt', exact: true })).toBeVisible()
  await page.getByRole('searchbox', { name: 'Filter trace' }).fill(`${DESKTOP}\\notes.txt`)
  // the data never left the cache: no paging write of the copy from the lazy writer (System)
  await expect(trace.getByRole('row').filter({ hasText: 'explorer.exe' }).first()).toBeVisible()
  await expect(trace.getByRole('row').filter({ hasText: 'System' }).filter({ hasText: 'WriteFile' })).toHaveCount(0)
  // a new explorer.exe after the boot: nothing to undo
  await page.getByRole('button', { name: 'Undo' }).click()
  await expect(items.getByRole('row', { name: 'notes.txt', exact: true })).toBeVisible()
})

test('the Filters panel loads passthrough, whose instances show in the trace details; detach, a refused load, unload', async ({ page }) => {
  const { items, trace, tree } = await openApp(page)
  await page.getByRole('button', { name: 'Filters' }).click()
  const panel = page.getByRole('dialog', { name: 'Filters (fltmc)' })
  await expect(panel).toContainText('No filter is loaded.')
  await panel.getByRole('combobox', { name: 'Built-in filter' }).selectOption('passthrough')
  await panel.getByRole('button', { name: 'Load', exact: true }).click()
  const row = panel.getByTestId('filter-row').filter({ hasText: 'passthrough' })
  await expect(row.getByRole('cell').nth(0)).toHaveText('2')
  await expect(row.getByRole('cell').nth(1)).toHaveText('370030')
  await expect(panel.getByRole('table', { name: 'Instances' }).getByRole('row')).toHaveCount(3)

  await row.getByRole('button', { name: 'Detach from D:' }).click()
  await expect(row.getByRole('cell').nth(0)).toHaveText('1')
  await expect(row.getByRole('button', { name: 'Attach to D:' })).toBeVisible()

  // loading it a second time: the Filter Manager's NTSTATUS in the error dialog
  await panel.getByRole('button', { name: 'Load', exact: true }).click()
  const error = page.getByRole('alertdialog', { name: 'fltmc.load failed' })
  await expect(error.getByTestId('error-status')).toHaveText('STATUS_IMAGE_ALREADY_LOADED')
  await error.getByRole('button', { name: 'Close' }).click()
  await panel.getByRole('button', { name: 'Close' }).click()

  // explorer.exe's listing now passes through the filter's instance on C:
  await tree.getByRole('treeitem', { name: 'Local Disk (C:)' }).click()
  await items.getByRole('row', { name: 'Users', exact: true }).dblclick()
  await expect(items.getByRole('row', { name: 'Public', exact: true })).toBeVisible()
  await page.getByRole('searchbox', { name: 'Filter trace' }).fill('C:\\Users')
  const create = trace.getByRole('row').filter({ has: page.getByRole('gridcell', { name: 'CreateFile', exact: true }) }).filter({ has: page.getByRole('gridcell', { name: 'C:\\Users', exact: true }) })
  await create.first().click()
  const details = page.getByRole('complementary', { name: 'Event details' })
  await expect(details.getByRole('table', { name: 'Boundaries crossed' })).toContainText(/passthrough@370030/)
  await page.keyboard.press('Escape')

  await page.getByRole('button', { name: 'Filters' }).click()
  await panel.getByTestId('filter-row').filter({ hasText: 'passthrough' }).getByRole('button', { name: 'Unload' }).click()
  await expect(panel).toContainText('No filter is loaded.')
})
