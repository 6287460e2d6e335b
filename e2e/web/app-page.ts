// The app page as the Explorer specs open it: the page's errors and console errors are
// collected and each test must end with none; the panes come back as locators.

import { expect, test } from '@playwright/test'
import type { Locator, Page } from '@playwright/test'
import { hostUrl } from './host-kit.ts'

export interface AppPanes {
  items: Locator
  trace: Locator
  tree: Locator
}

/**
 * Registers the spec file's check that no test leaves page or console errors, and returns the
 * function that opens the app for a test (call it at the top level of the spec file).
 */
export function appOpener(): (page: Page) => Promise<AppPanes> {
  let problems: string[] = []
  test.afterEach(() => {
    expect(problems).toEqual([])
  })
  return async (page: Page): Promise<AppPanes> => {
    problems = []
    page.on('pageerror', (e) => problems.push(e.message))
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text())
    })
    await page.goto(hostUrl().href)
    await expect(page.getByTestId('machine-state')).toHaveText('Running')
    return {
      items: page.getByRole('grid', { name: 'Items' }),
      trace: page.getByRole('grid', { name: 'Trace' }),
      tree: page.getByRole('tree', { name: 'Navigation pane' }),
    }
  }
}

/** types a path into the address bar, as a user does after Edit address */
export async function goTo(page: Page, path: string): Promise<void> {
  await page.getByRole('button', { name: 'Edit address' }).click()
  const address = page.getByRole('textbox', { name: 'Address' })
  await address.fill(path)
  await address.press('Enter')
  await expect(page.getByRole('navigation', { name: 'Address' })).toBeVisible()
}
