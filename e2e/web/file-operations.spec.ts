// What a user does in the Explorer pane, end to end: copy and paste, drag and drop with the
// keys deciding copy or move, undo, the Recycle Bin, Replace or Skip Files. Every action is
// explorer.exe's shell engine inside the machine, so its IRPs show in the trace panel.

import { expect, test } from '@playwright/test'
import type { Locator, Page } from '@playwright/test'
import { hostCall } from './host-kit.ts'
import { appOpener, goTo } from './app-page.ts'

const DOCS = 'C:\\Users\\User\\Documents'
const DESKTOP = 'C:\\Users\\User\\Desktop'

test.beforeEach(async () => {
  const r = await hostCall('machine.restart', { seed: 1 })
  expect(r).toMatchObject({ result: { worker: 'ready', machine: { state: 'running' } } })
})

const openApp = appOpener()


/** the trace rows of one operation on one path, once the trace is filtered to that path */
async function traceRows(page: Page, trace: Locator, operation: string, path: string): Promise<Locator> {
  await page.getByRole('searchbox', { name: 'Filter trace' }).fill(path)
  return trace.getByRole('row').filter({ has: page.getByRole('gridcell', { name: operation, exact: true }) }).filter({ has: page.getByRole('gridcell', { name: path, exact: true }) })
}

/** a real mouse drag from one element to another, with keys held at the drop */
async function drag(page: Page, from: Locator, to: Locator, keys: string[] = []): Promise<void> {
  await to.scrollIntoViewIfNeeded()
  await from.scrollIntoViewIfNeeded()
  const a = await from.boundingBox()
  const b = await to.boundingBox()
  if (a === null || b === null) throw new Error('drag: an element is not on screen')
  await page.mouse.move(a.x + 20, a.y + a.height / 2)
  await page.mouse.down()
  await page.mouse.move(a.x + 40, a.y + a.height / 2 + 4, { steps: 3 })
  for (const k of keys) await page.keyboard.down(k)
  // a tree item's own line (its subfolders are inside it)
  const y = b.y + Math.min(b.height, 26) / 2
  await page.mouse.move(b.x + 30, y, { steps: 6 })
  await page.mouse.move(b.x + 34, y, { steps: 2 })
}

async function release(page: Page, keys: string[] = []): Promise<void> {
  await page.mouse.up()
  for (const k of keys) await page.keyboard.up(k)
}

test('copy a file with Ctrl+C and Ctrl+V: it shows in the folder, and its create and write in the trace', async ({ page }) => {
  const { items, trace } = await openApp(page)
  await goTo(page, DOCS)
  await items.getByRole('row', { name: 'notes.txt', exact: true }).click()
  await page.keyboard.press('Control+c')
  await expect(page.getByTestId('clipboard')).toHaveText('1 item copied')
  await goTo(page, DESKTOP)
  await expect(items.getByRole('row', { name: 'Shopping list.txt', exact: true })).toBeVisible()
  await items.getByRole('row', { name: 'Shopping list.txt', exact: true }).click()
  await page.keyboard.press('Control+v')
  await expect(items.getByRole('row', { name: 'notes.txt', exact: true })).toBeVisible()

  const created = await traceRows(page, trace, 'CreateFile', `${DESKTOP}\\notes.txt`)
  await expect(created.filter({ hasText: 'explorer.exe' }).filter({ hasText: 'OpenResult: Created' })).toHaveCount(1)
  const written = await traceRows(page, trace, 'WriteFile', `${DESKTOP}\\notes.txt`)
  await expect(written.first()).toBeVisible()
  await expect(written.first()).toContainText('explorer.exe')
})

test('drag a file onto a folder: the same volume moves it, with Ctrl it is copied, onto D: it is copied; undo puts it back', async ({ page }) => {
  const { items, tree } = await openApp(page)
  // through the navigation pane and the list, so the tree knows every folder on the way
  await tree.getByRole('treeitem', { name: 'Local Disk (C:)' }).click()
  for (const name of ['Users', 'User', 'Desktop']) await items.getByRole('row', { name, exact: true }).dblclick()
  await expect(items.getByRole('row', { name: 'Shopping list.txt', exact: true })).toBeVisible()
  // a folder to drop onto, made with Ctrl+Shift+N and named in place
  await items.getByRole('row', { name: 'Shopping list.txt', exact: true }).click()
  await page.keyboard.press('Control+Shift+N')
  const box = page.getByRole('textbox', { name: 'New name' })
  await box.fill('Lists')
  await box.press('Enter')
  const folder = items.getByRole('row', { name: 'Lists', exact: true })
  await expect(folder).toBeVisible()

  // no key, same volume: a move; the badge says so while over the folder
  const file = items.getByRole('row', { name: 'Shopping list.txt', exact: true })
  await drag(page, file, folder)
  await expect(page.getByTestId('drag-badge')).toHaveText(/Move to Lists/)
  await release(page)
  await expect(file).toHaveCount(0)
  await folder.dblclick()
  const moved = items.getByRole('row', { name: 'Shopping list.txt', exact: true })
  await expect(moved).toBeVisible()

  // with Ctrl onto the parent folder in the navigation pane: a copy
  await page.getByRole('button', { name: 'Up' }).click()
  await expect(folder).toBeVisible()
  await folder.dblclick()
  const desktopNode = tree.getByRole('treeitem', { name: 'Desktop', exact: true })
  await drag(page, moved, desktopNode, ['Control'])
  await expect(page.getByTestId('drag-badge')).toHaveText(/Copy to Desktop/)
  await release(page, ['Control'])
  await expect(moved).toBeVisible()
  await page.getByRole('button', { name: 'Up' }).click()
  await expect(items.getByRole('row', { name: 'Shopping list.txt', exact: true })).toBeVisible()

  // onto D: with no key: another volume, so a copy
  const dNode = tree.getByRole('treeitem', { name: 'Local Disk (D:)' })
  await drag(page, items.getByRole('row', { name: 'Shopping list.txt', exact: true }), dNode)
  await expect(page.getByTestId('drag-badge')).toHaveText(/Copy to Local Disk \(D:\)/)
  await release(page)
  await expect(items.getByRole('row', { name: 'Shopping list.txt', exact: true })).toBeVisible()
  await dNode.click()
  await expect(items.getByRole('row', { name: 'Shopping list.txt', exact: true })).toBeVisible()

  // Ctrl+Z undoes the copy to D:
  await items.getByRole('row', { name: 'Shopping list.txt', exact: true }).click()
  await page.keyboard.press('Control+z')
  await expect(page.getByText('This folder is empty.')).toBeVisible()
})

test('Delete sends the selection to the Recycle Bin, which lists it; Ctrl+Z restores it', async ({ page }) => {
  const { items, tree } = await openApp(page)
  await goTo(page, DOCS)
  await items.getByRole('row', { name: 'notes.txt', exact: true }).click()
  await items.getByRole('row', { name: 'report.docx', exact: true }).click({ modifiers: ['Control'] })
  await expect(page.getByTestId('folder-status')).toContainText('2 items selected')
  // Shift+click selects a range, Ctrl+A everything; a plain click goes back to one
  await items.getByRole('row', { name: 'budget 2024.xlsx', exact: true }).click()
  await items.getByRole('row', { name: 'report.docx', exact: true }).click({ modifiers: ['Shift'] })
  await expect(items.getByRole('row', { name: 'notes.txt', exact: true })).toHaveAttribute('aria-selected', 'true')
  await expect(items.getByRole('row', { name: 'Signed contract.pdf', exact: true })).toHaveAttribute('aria-selected', 'false')
  await page.keyboard.press('Control+a')
  await expect(page.getByTestId('folder-status')).toContainText(/(\d+) items\s+\1 items selected/)
  await items.getByRole('row', { name: 'notes.txt', exact: true }).click()
  await items.getByRole('row', { name: 'report.docx', exact: true }).click({ modifiers: ['Control'] })
  await page.keyboard.press('Delete')
  await expect(items.getByRole('row', { name: 'notes.txt', exact: true })).toHaveCount(0)
  await expect(items.getByRole('row', { name: 'report.docx', exact: true })).toHaveCount(0)

  await tree.getByRole('treeitem', { name: 'Recycle Bin' }).click()
  await expect(page.getByRole('navigation', { name: 'Address' })).toContainText('S-1-5-21-3623811015-3361044348-30300820-1001')
  // the $R items by their original names and places, read from their $I records
  const notes = items.getByRole('row', { name: 'notes.txt', exact: true })
  await expect(notes).toHaveAttribute('data-name', /^\$R[A-Z0-9]{6}\.txt$/)
  await expect(notes.getByRole('gridcell').nth(1)).toHaveText(DOCS)
  await expect(items.getByRole('row', { name: 'report.docx', exact: true })).toHaveAttribute('data-name', /^\$R[A-Z0-9]{6}\.docx$/)
  await expect(items.getByRole('row', { name: /^\$I/ })).toHaveCount(0)
  await expect(page.getByTestId('folder-status')).toContainText('2 items')

  await page.keyboard.press('Control+z')
  await expect(page.getByText('This folder is empty.')).toBeVisible()
  await goTo(page, DOCS)
  await expect(items.getByRole('row', { name: 'notes.txt', exact: true })).toBeVisible()
  await expect(items.getByRole('row', { name: 'report.docx', exact: true })).toBeVisible()
})

test('a paste onto a taken name asks Replace or Skip Files; keep both makes "name (2)"; the context menu has the commands', async ({ page }) => {
  const { items } = await openApp(page)
  await goTo(page, DOCS)
  const notes = items.getByRole('row', { name: 'notes.txt', exact: true })
  await notes.click({ button: 'right' })
  const menu = page.getByRole('menu', { name: 'Context menu' })
  await menu.getByRole('menuitem', { name: /^Copy/ }).click()
  await expect(menu).toBeHidden()
  await notes.click()
  await page.keyboard.press('Control+v')
  // the same folder: Explorer names the copy "notes - Copy.txt"
  await expect(items.getByRole('row', { name: 'notes - Copy.txt', exact: true })).toBeVisible()

  await goTo(page, 'C:\\Users\\Public\\Documents')
  await items.getByRole('row', { name: 'readme.txt', exact: true }).click()
  await page.keyboard.press('Control+c')
  await goTo(page, DOCS)
  await notes.click()
  await page.keyboard.press('Control+v')
  await expect(items.getByRole('row', { name: 'readme.txt', exact: true })).toBeVisible()
  await page.keyboard.press('Control+v')
  const dialog = page.getByRole('alertdialog', { name: 'Replace or Skip Files' })
  await expect(dialog).toContainText('The destination already has a file named "readme.txt"')
  await dialog.getByRole('button', { name: 'Keep both files' }).click()
  await expect(items.getByRole('row', { name: 'readme (2).txt', exact: true })).toBeVisible()
  await page.keyboard.press('Control+v')
  await page.getByRole('alertdialog', { name: 'Replace or Skip Files' }).getByRole('button', { name: 'Skip this file' }).click()
  await expect(items.getByRole('row', { name: 'readme (3).txt', exact: true })).toHaveCount(0)

  // Shift+Delete asks, then deletes for good
  await items.getByRole('row', { name: 'readme (2).txt', exact: true }).click()
  await page.keyboard.press('Shift+Delete')
  const confirm = page.getByRole('alertdialog', { name: 'Delete File' })
  await expect(confirm).toContainText('Are you sure you want to permanently delete this file?')
  await confirm.getByRole('button', { name: 'Yes' }).click()
  await expect(items.getByRole('row', { name: 'readme (2).txt', exact: true })).toHaveCount(0)
})
