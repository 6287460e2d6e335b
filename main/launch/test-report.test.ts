import { describe, expect, it } from 'vitest'
import { playwrightCounts, stepCounts, summary, vitestCounts } from './test-report.ts'

describe('npm test summary', () => {
  it('ends with exactly "N passed, N failed" summed over the suites, per-suite lines in another form', () => {
    const r = summary([
      ['typecheck', stepCounts(0, 'tsc')],
      ['build', stepCounts(2, 'electron-vite build')],
      ['unit', vitestCounts({ numPassedTests: 10, numFailedTests: 1, numPendingTests: 0, testResults: [] }, 1)],
    ])
    const lines = r.text.trimEnd().split('\n')
    expect(lines[lines.length - 1]).toBe('11 passed, 2 failed')
    expect(r.failed).toBe(true)
    expect(lines.filter((l) => /^\d+ passed, \d+ failed/.test(l))).toHaveLength(1)
    expect(r.text).toContain('electron-vite build failed (exit 2)')
  })

  it('adds skipped tests as a suffix, and passes when nothing failed', () => {
    const r = summary([['e2e', playwrightCounts({ stats: { expected: 10, unexpected: 0, skipped: 1 }, suites: [] }, 0)]])
    expect(r.text.trimEnd().split('\n').pop()).toBe('10 passed, 0 failed, 1 skipped')
    expect(r.failed).toBe(false)
  })

  it('counts a test file that did not load, and a crash without a report, as failures', () => {
    const counts = vitestCounts(
      { numPassedTests: 3, numFailedTests: 0, testResults: [{ name: '/repo/kernel/x.test.ts', status: 'failed', message: 'SyntaxError: nope\n at …', assertionResults: [] }] },
      1,
      '/repo/',
    )
    expect(counts).toMatchObject({ passed: 3, failed: 1, notes: ['kernel/x.test.ts: SyntaxError: nope'] })
    expect(vitestCounts(undefined, 1)).toMatchObject({ failed: 1 })
    expect(playwrightCounts(undefined, 1)).toMatchObject({ failed: 1 })
    expect(vitestCounts({ numPassedTests: 5, numFailedTests: 0, testResults: [] }, 1)).toMatchObject({ passed: 5, failed: 1 })
  })

  it('reports why Playwright skipped a suite', () => {
    const counts = playwrightCounts(
      {
        stats: { expected: 2, unexpected: 0, skipped: 1 },
        suites: [{ suites: [{ specs: [{ tests: [{ projectName: 'electron', status: 'skipped', annotations: [{ type: 'skip', description: 'Electron cannot run here: no binary' }] }] }] }] }],
      },
      0,
    )
    expect(counts.notes).toEqual(['[electron] skipped: Electron cannot run here: no binary'])
  })
})
