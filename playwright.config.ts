import { defineConfig } from '@playwright/test'

const json = process.env['ALTITUDE_E2E_JSON']

export default defineConfig({
  testDir: './e2e',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  workers: 1,
  forbidOnly: !!process.env['CI'],
  reporter: json ? [['list'], ['json', { outputFile: json }]] : [['list']],
  // starts `altitude web` (debug hooks on) and publishes its URL to the tests
  globalSetup: './e2e/global-setup.ts',
  use: { trace: 'retain-on-failure' },
  projects: [
    {
      name: 'web',
      testMatch: 'web/**/*.spec.ts',
      use: {
        browserName: 'chromium',
        headless: true,
        launchOptions: {
          executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
          // launch() already uses a fresh temporary profile; a --user-data-dir here is rejected
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                 '--disable-background-networking', '--disable-component-update', '--disable-sync'],
        },
      },
    },
    {
      name: 'build',
      testMatch: 'build/**/*.spec.ts',
    },
    {
      name: 'electron',
      testMatch: 'electron/**/*.spec.ts',
    },
  ],
})
