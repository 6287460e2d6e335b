// Browsing the emulated C: end to end: a click in the Explorer pane becomes explorer.exe's NT
// calls inside the machine, their IRPs reach NTFS on the disk image, and the trace panel shows
// them as Process Monitor would.

import { expect, test } from '@playwright/test'
import type { Locator } from '@playwright/test'
import { hostCall } from './host-kit.ts'
import { appOpener } from './app-page.ts'

test.beforeEach(async () => {
  const r = await hostCall('machine.restart', { seed: 1 })
  expect(r).toMatchObject({ result: { worker: 'ready', machine: { state: 'running' } } })
})

const openApp = appOpener()

/** the trace rows of one operation on one path (Path column exactly) */
function traceRows(trace: Locator, operation: string, path: string): Locator {
  return trace.getByRole('row').filter({ has: trace.page().getByRole('gridcell', { name: operation, exact: true }) }).filter({ has: trace.page().getByRole('gridcell', { name: path, exact: true }) })
}

test('open C:, enter Users, and see the IRPs explorer.exe sent in the trace', async ({ page }) => {
  const { items, trace, tree } = await openApp(page)

  await tree.getByRole('treeitem', { name: 'Local Disk (C:)' }).click()
  for (const name of ['Users', 'Windows', 'Program Files']) await expect(items.getByRole('row', { name, exact: true })).toBeVisible()
  await expect(page.getByRole('navigation', { name: 'Address' }).getByRole('link', { name: 'Local Disk (C:)' })).toHaveAttribute('aria-current', 'page')

  await items.getByRole('row', { name: 'Users', exact: true }).dblclick()
  await expect(items.getByRole('row', { name: 'Public', exact: true })).toBeVisible()
  await expect(items.getByRole('row', { name: 'User', exact: true })).toBeVisible()
  await expect(page.getByTestId('folder-status')).toContainText('2 items')

  // the listing as Process Monitor shows it: open, query until NO MORE FILES, close
  const create = traceRows(trace, 'CreateFile', 'C:\\Users')
  await expect(create).toHaveCount(1)
  await expect(create.getByRole('gridcell').nth(1)).toHaveText('explorer.exe')
  await expect(create.getByRole('gridcell').nth(5)).toHaveText('SUCCESS')
  await expect(create.getByRole('gridcell').nth(6)).toContainText('Desired Access: Read Data/List Directory, Synchronize, Disposition: Open, Options: Directory, Synchronous IO Non-Alert, Attributes')
  const query = traceRows(trace, 'QueryDirectory', 'C:\\Users\\*')
  await expect(query).toHaveCount(1)
  await expect(query.getByRole('gridcell').nth(5)).toHaveText('SUCCESS')
  await expect(query.getByRole('gridcell').nth(6)).toContainText('FileInformationClass: FileIdBothDirectoryInformation')
  await expect(query.getByRole('gridcell').nth(6)).toContainText('Public')
  await expect(traceRows(trace, 'QueryDirectory', 'C:\\Users').getByRole('gridcell').nth(5)).toHaveText('NO MORE FILES')
  await expect(traceRows(trace, 'CloseFile', 'C:\\Users').getByRole('gridcell').nth(5)).toHaveText('SUCCESS')

  // the details drawer: the IRP behind the row
  await query.click()
  const details = page.getByRole('complementary', { name: 'Event details' })
  await expect(details.getByTestId('detail-major')).toHaveText('IRP_MJ_DIRECTORY_CONTROL')
  await expect(details.getByTestId('detail-minor')).toHaveText('IRP_MN_QUERY_DIRECTORY')
  await expect(details).toContainText('IRP_INPUT_OPERATION')
  await expect(details.getByRole('table', { name: 'Parameters' })).toContainText('FileInformationClass')
  await expect(details.getByRole('table', { name: 'Boundaries crossed' }).getByRole('row')).toHaveCount(3)
  await page.keyboard.press('Escape')
  await expect(details).toBeHidden()

  // Advanced output names the IRP major functions
  await page.getByRole('button', { name: 'Advanced output' }).click()
  await expect(traceRows(trace, 'IRP_MJ_DIRECTORY_CONTROL', 'C:\\Users\\*')).toHaveCount(1)
})

test('a folder of hundreds of files lists and scrolls; sorting, properties and the navigation buttons', async ({ page }) => {
  const { items, tree } = await openApp(page)
  await tree.getByRole('treeitem', { name: 'Local Disk (C:)' }).click()
  await expect(items.getByRole('row', { name: 'Users', exact: true })).toBeVisible()

  // type a path into the address bar
  await page.getByRole('button', { name: 'Edit address' }).click()
  const address = page.getByRole('textbox', { name: 'Address' })
  await address.fill('C:\\Users\\User\\Pictures\\Camera Roll')
  await address.press('Enter')
  await expect(page.getByTestId('folder-status')).toContainText('320 items')
  await expect(items).toHaveAttribute('aria-rowcount', '321')

  // scroll to the end of the list
  const last = items.getByRole('row', { name: 'IMG_20230724_0320.jpg' })
  await expect(last).not.toBeInViewport()
  await items.getByRole('row', { name: 'IMG_20230601_0001.jpg' }).click()
  await page.keyboard.press('End')
  await expect(last).toBeInViewport()
  await expect(last).toHaveAttribute('aria-selected', 'true')

  // sort by size, largest first: folders none, so the biggest picture leads
  const sizeHeader = items.getByRole('columnheader', { name: 'Size' })
  await sizeHeader.getByRole('button').click()
  await sizeHeader.getByRole('button').click()
  await expect(sizeHeader).toHaveAttribute('aria-sort', 'descending')
  await expect(items.getByRole('row').nth(1).getByRole('gridcell').nth(3)).toHaveText('14 KB')

  // breadcrumb, Back and Up
  await page.getByRole('navigation', { name: 'Address' }).getByRole('link', { name: 'User', exact: true }).click()
  await expect(items.getByRole('row', { name: 'Downloads', exact: true })).toBeVisible()
  // hidden items are shown, dimmed
  await expect(items.getByRole('row', { name: 'AppData', exact: true })).toHaveClass(/hidden/)
  await page.getByRole('button', { name: 'Back' }).click()
  await expect(page.getByTestId('folder-status')).toContainText('320 items')
  await page.getByRole('button', { name: 'Up' }).click()
  await expect(items.getByRole('row', { name: 'Camera Roll', exact: true })).toBeVisible()

  // the Properties panel for a download with an alternate data stream
  await page.getByRole('navigation', { name: 'Address' }).getByRole('link', { name: 'User', exact: true }).click()
  await items.getByRole('row', { name: 'Downloads', exact: true }).dblclick()
  await items.getByRole('row', { name: 'SampleAppSetup.exe' }).click()
  await page.getByRole('button', { name: 'Properties', exact: true }).click()
  const properties = page.getByRole('complementary', { name: 'Properties' })
  await expect(properties).toContainText('212 KB (217,088 bytes)')
  await expect(properties.getByRole('table', { name: 'Data streams' })).toContainText(':Zone.Identifier:$DATA')
  await expect(page.getByRole('grid', { name: 'Trace' }).getByRole('row').filter({ hasText: 'QueryStreamInformationFile' }).first()).toBeVisible()
})

test('a folder that is not there: the machine\'s NTSTATUS, in the pane and in the trace', async ({ page }) => {
  const { trace, tree } = await openApp(page)
  await tree.getByRole('treeitem', { name: 'Local Disk (C:)' }).click()
  await page.getByRole('button', { name: 'Edit address' }).click()
  await page.getByRole('textbox', { name: 'Address' }).fill('C:\\Users\\Nobody')
  await page.getByRole('textbox', { name: 'Address' }).press('Enter')
  const alert = page.getByRole('alert')
  await expect(alert).toContainText("Windows can't find 'C:\\Users\\Nobody'")
  await expect(alert).toContainText('STATUS_OBJECT_NAME_NOT_FOUND')
  await expect(traceRows(trace, 'CreateFile', 'C:\\Users\\Nobody').getByRole('gridcell').nth(5)).toHaveText('NAME NOT FOUND')
})

test('the trace renders only the rows in view, follows the newest, and stays put when scrolled up', async ({ page }) => {
  const { trace } = await openApp(page)
  // 1,500 operations (five a listing), made through the host like any other client
  for (let i = 0; i < 300; i++) {
    const r = await hostCall('explorer.list', { path: 'C:\\Windows\\System32' })
    expect(r['result']).toBeDefined()
  }
  await expect(page.getByTestId('trace-count')).toContainText('1,500 operations')
  expect(Number(await trace.getAttribute('aria-rowcount'))).toBe(1501)
  const rendered = await trace.getByRole('row').count()
  expect(rendered).toBeLessThan(120)

  // following: the newest row is in view
  const rows = page.getByTestId('trace-row')
  await expect(rows.last()).toHaveAttribute('aria-rowindex', '1501')
  await expect(rows.last()).toBeInViewport()

  // scrolled up: new operations do not move the view
  const body = page.getByTestId('trace-scroll')
  await body.evaluate((el) => {
    el.scrollTop = 0
    el.dispatchEvent(new Event('scroll'))
  })
  await expect(rows.first()).toHaveAttribute('aria-rowindex', '2')
  await hostCall('explorer.list', { path: 'C:\\Windows' })
  await expect(page.getByTestId('trace-count')).toContainText('1,505 operations')
  expect(await body.evaluate((el) => el.scrollTop)).toBe(0)
  await expect(page.getByRole('button', { name: 'Auto scroll' })).toHaveAttribute('aria-pressed', 'false')
})

test('New folder, rename in place, Delete to the Recycle Bin and Shift+Delete, through the shell engine in the machine', async ({ page }) => {
  const { items, trace } = await openApp(page)
  await page.getByRole('button', { name: 'Edit address' }).click()
  await page.getByRole('textbox', { name: 'Address' }).fill('C:\\Users\\Public\\Documents')
  await page.getByRole('textbox', { name: 'Address' }).press('Enter')
  await expect(items.getByRole('row', { name: 'readme.txt' })).toBeVisible()
  const commands = page.getByRole('toolbar', { name: 'Commands' })

  // New folder: made as "New folder", its name edited in place
  await commands.getByRole('button', { name: 'New folder' }).click()
  const box = items.getByRole('textbox', { name: 'New name' })
  await expect(box).toBeFocused()
  await expect(box).toHaveValue('New folder')
  await box.fill('Plans')
  await box.press('Enter')
  await expect(items.getByRole('row', { name: 'Plans', exact: true })).toHaveAttribute('aria-selected', 'true')
  await expect(items.getByRole('row', { name: 'New folder', exact: true })).toHaveCount(0)
  // the trace's quick filter keeps the rows of interest in view
  await page.getByRole('searchbox', { name: 'Filter trace' }).fill('Documents\\New folder')
  await expect(page.getByTestId('trace-count')).toHaveText(/ · showing \d+ of [\d,]+ operations/)
  await expect(traceRows(trace, 'CreateFile', 'C:\\Users\\Public\\Documents\\New folder').filter({ hasText: 'OpenResult: Created' })).toHaveCount(1)
  await expect(traceRows(trace, 'SetRenameInformationFile', 'C:\\Users\\Public\\Documents\\New folder').getByRole('gridcell').nth(6)).toContainText('FileName: C:\\Users\\Public\\Documents\\Plans')

  // F2 on a file: a name that is taken asks, and Keep both makes "readme (2).txt"
  await items.getByRole('row', { name: 'readme.txt' }).click()
  await page.keyboard.press('F2')
  await expect(box).toBeFocused()
  await box.fill('Plans')
  await box.press('Enter')
  const ask = page.getByRole('alertdialog', { name: 'Rename' })
  await expect(ask).toContainText('There is already an item named Plans')
  await ask.getByRole('button', { name: 'Cancel' }).click()
  await expect(items.getByRole('row', { name: 'readme.txt' })).toBeVisible()
  await commands.getByRole('button', { name: 'Rename' }).click()
  await box.fill('notes.txt')
  await box.press('Enter')
  await expect(items.getByRole('row', { name: 'notes.txt' })).toBeVisible()

  // Delete: to the Recycle Bin (a rename into $Recycle.Bin)
  await items.getByRole('row', { name: 'notes.txt' }).click()
  await page.keyboard.press('Delete')
  await expect(items.getByRole('row', { name: 'notes.txt' })).toHaveCount(0)
  await page.getByRole('searchbox', { name: 'Filter trace' }).fill('notes.txt')
  await expect(trace.getByRole('row').filter({ hasText: 'SetRenameInformationFile' }).filter({ hasText: '$Recycle.Bin' }).first()).toBeVisible()

  // Shift+Delete asks, then deletes for good
  await items.getByRole('row', { name: 'Plans', exact: true }).click()
  await page.keyboard.press('Shift+Delete')
  const confirm = page.getByRole('alertdialog', { name: 'Delete Folder' })
  await expect(confirm).toContainText('Are you sure you want to permanently delete this folder?')
  await confirm.getByRole('button', { name: 'Yes' }).click()
  await expect(page.getByText('This folder is empty.')).toBeVisible()
  await page.getByRole('searchbox', { name: 'Filter trace' }).fill('Documents\\Plans')
  await expect(traceRows(trace, 'SetDispositionInformationFile', 'C:\\Users\\Public\\Documents\\Plans').first()).toBeVisible()
})
