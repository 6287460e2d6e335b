import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['kernel/**/*.test.ts', 'main/**/*.test.ts', 'fixtures/**/*.test.ts', 'renderer/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
