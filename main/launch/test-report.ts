// npm test's bookkeeping: turns vitest's and Playwright's JSON reports into counts, and
// writes the summary CI reads — a last line of exactly "N passed, N failed[, N skipped]".

export interface Counts {
  passed: number
  failed: number
  skipped: number
  /** failures and skips worth a line under the suite's counts */
  notes: string[]
}

export const NONE: Counts = { passed: 0, failed: 0, skipped: 0, notes: [] }

export function add(a: Counts, b: Counts): Counts {
  return { passed: a.passed + b.passed, failed: a.failed + b.failed, skipped: a.skipped + b.skipped, notes: [...a.notes, ...b.notes] }
}

/** A step that passes or fails as a whole (tsc, svelte-check, the build). */
export function stepCounts(exitCode: number, what: string): Counts {
  return exitCode === 0 ? { ...NONE, passed: 1 } : { ...NONE, failed: 1, notes: [`${what} failed (exit ${exitCode})`] }
}

interface VitestReport {
  numPassedTests?: number
  numFailedTests?: number
  numPendingTests?: number
  numTodoTests?: number
  testResults?: { name: string; status: string; message?: string; assertionResults?: unknown[] }[]
}

/** A test file that failed to load counts as one failure; a crash without report as one too. */
export function vitestCounts(report: VitestReport | undefined, exitCode: number, root = ''): Counts {
  if (report === undefined) return { ...NONE, failed: 1, notes: [`vitest produced no report (exit ${exitCode})`] }
  let failed = report.numFailedTests ?? 0
  const notes: string[] = []
  for (const file of report.testResults ?? []) {
    if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) {
      failed += 1
      notes.push(`${file.name.replace(root, '')}: ${(file.message ?? 'failed to run').split('\n')[0] ?? ''}`)
    }
  }
  if (exitCode !== 0 && failed === 0) {
    failed = 1
    notes.push(`vitest exited with ${exitCode}`)
  }
  return { passed: report.numPassedTests ?? 0, failed, skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0), notes }
}

interface PlaywrightSuite {
  specs?: { tests?: { projectName?: string; status?: string; annotations?: { type: string; description?: string }[] }[] }[]
  suites?: PlaywrightSuite[]
}
interface PlaywrightReport {
  stats?: { expected?: number; unexpected?: number; flaky?: number; skipped?: number }
  suites?: PlaywrightSuite[]
  errors?: { message?: string }[]
}

/** Counts with the reasons of skipped tests (e.g. why the Electron suite did not run). */
export function playwrightCounts(report: PlaywrightReport | undefined, exitCode: number): Counts {
  if (report?.stats === undefined) return { ...NONE, failed: 1, notes: [`Playwright produced no report (exit ${exitCode})`] }
  const notes = new Set<string>()
  const visit = (suite: PlaywrightSuite): void => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        if (t.status !== 'skipped') continue
        for (const a of t.annotations ?? []) if (a.type === 'skip' && a.description) notes.add(`[${t.projectName ?? '?'}] skipped: ${a.description}`)
      }
    }
    for (const child of suite.suites ?? []) visit(child)
  }
  for (const suite of report.suites ?? []) visit(suite)
  const errors = report.errors ?? []
  for (const e of errors) notes.add(`error: ${(e.message ?? '').split('\n')[0] ?? ''}`)
  let failed = (report.stats.unexpected ?? 0) + errors.length
  if (exitCode !== 0 && failed === 0) {
    failed = 1
    notes.add(`Playwright exited with ${exitCode}`)
  }
  return { passed: (report.stats.expected ?? 0) + (report.stats.flaky ?? 0), failed, skipped: report.stats.skipped ?? 0, notes: [...notes] }
}

/** Per-suite lines (not in the N passed, N failed form) and the final summary line. */
export function summary(results: readonly (readonly [string, Counts])[]): { text: string; failed: boolean } {
  let total = NONE
  const lines: string[] = []
  for (const [name, r] of results) {
    lines.push(`${name.padEnd(10)} passed ${r.passed}  failed ${r.failed}  skipped ${r.skipped}`)
    for (const note of r.notes) lines.push(`           ${note}`)
    total = add(total, r)
  }
  lines.push(`${total.passed} passed, ${total.failed} failed${total.skipped > 0 ? `, ${total.skipped} skipped` : ''}`)
  return { text: lines.join('\n') + '\n', failed: total.failed > 0 }
}
