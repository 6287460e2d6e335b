// Errors of scenario files: every problem names the file, the line and column (1-based), the
// path inside the document (steps[3].args.CreateDisposition) and what was expected.

export interface SourcePos {
  readonly line: number
  readonly col: number
}

export interface ScenarioProblem {
  readonly file: string
  readonly line: number
  readonly col: number
  /** where in the document: `steps[3].args.CreateDisposition`, or '' for the document itself */
  readonly path: string
  readonly message: string
}

/** One problem as a line: `file:line:col: path: problem`. */
export function formatProblem(p: ScenarioProblem): string {
  const where = `${p.file}:${p.line}:${p.col}`
  return p.path ? `${where}: ${p.path}: ${p.message}` : `${where}: ${p.message}`
}

/**
 * A scenario file that cannot be used. The message lists every problem found, one per line,
 * in document order; `file`, `line`, `col` are those of the first.
 */
export class ScenarioError extends Error {
  readonly file: string
  readonly line: number
  readonly col: number
  readonly problems: readonly ScenarioProblem[]

  constructor(problems: readonly ScenarioProblem[]) {
    const first = problems[0]
    if (!first) throw new Error('ScenarioError needs at least one problem')
    super(problems.map(formatProblem).join('\n'))
    this.name = 'ScenarioError'
    this.file = first.file
    this.line = first.line
    this.col = first.col
    this.problems = problems
  }
}
