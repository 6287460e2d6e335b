// Who may use the web host: only a page from the host itself, with this run's token.

import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect, test } from '@playwright/test'
import type { Page } from '@playwright/test'
import { cspMeta } from '../../main/security/csp.ts'
import { hostUrl } from './host-kit.ts'

/** Opens a WebSocket from the page; resolves 'open' or 'refused'. */
function trySocket(page: Page, url: string): Promise<string> {
  return page.evaluate(
    (u) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(u)
        ws.onopen = () => {
          ws.close()
          resolve('open')
        }
        ws.onclose = () => resolve('refused')
      }),
    url,
  )
}

test('the socket opens with the token and is refused with a wrong or missing one', async ({ page }) => {
  const url = hostUrl()
  await page.goto(url.href)
  await expect(page.getByTestId('machine-state')).toHaveText('Running')
  const api = `ws://${url.host}/api`
  expect(await trySocket(page, `${api}?token=${url.searchParams.get('token')}`)).toBe('open')
  expect(await trySocket(page, `${api}?token=wrong-token`)).toBe('refused')
  expect(await trySocket(page, `${api}?token=`)).toBe('refused')
  expect(await trySocket(page, api)).toBe('refused')
})

test('a page from another origin is refused even with the right token', async ({ page }) => {
  const foreign = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' })
    res.end('<!doctype html><title>elsewhere</title>')
  })
  await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', () => resolve()))
  try {
    const port = (foreign.address() as AddressInfo).port
    await page.goto(`http://127.0.0.1:${port}/`)
    const url = hostUrl()
    expect(await trySocket(page, `ws://${url.host}/api?token=${url.searchParams.get('token')}`)).toBe('refused')
  } finally {
    await new Promise<void>((resolve) => foreign.close(() => resolve()))
  }
})

test('the app page itself needs the token', async ({ page }) => {
  const url = hostUrl()
  const response = await page.goto(`${url.origin}/`)
  expect(response?.status()).toBe(403)
  await expect(page.locator('body')).toContainText("carries this run's token")
  const wrong = await page.goto(`${url.origin}/?token=not-the-token`)
  expect(wrong?.status()).toBe(403)
})

test('the page is served with a Content-Security-Policy', async ({ page }) => {
  const response = await page.goto(hostUrl().href)
  const csp = response?.headers()['content-security-policy'] ?? ''
  expect(csp).toContain("default-src 'none'")
  expect(csp).toContain("script-src 'self'")
  expect(csp).toContain("connect-src 'self'")
  // the same policy travels in the page itself, which is what applies under Electron (file://)
  await expect(page.locator('meta[http-equiv="Content-Security-Policy"]')).toHaveAttribute('content', cspMeta())
  // inline script is blocked
  const ran = await page.evaluate(() => {
    const s = document.createElement('script')
    s.textContent = 'window.__inlineRan = true'
    document.head.appendChild(s)
    return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true
  })
  expect(ran).toBe(false)
})
