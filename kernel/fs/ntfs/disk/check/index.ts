// `altitude check IMAGE`: verifies an NTFS volume image without modifying it.
import { checkVolume } from './volume.ts'
import { UnreadableImageError, type Problem } from './problems.ts'

export { checkVolume } from './volume.ts'
export { UnreadableImageError, type Problem } from './problems.ts'

/** exit code 0: clean; 1: problems found; 2: the image could not be read as an NTFS volume */
export interface CheckResult {
  exitCode: 0 | 1 | 2
  lines: string[]
  problems: Problem[]
}

export function runCheck(path: string): CheckResult {
  let problems: Problem[]
  try {
    problems = checkVolume(path)
  } catch (e) {
    if (e instanceof UnreadableImageError) return { exitCode: 2, lines: [`${e.message}`], problems: [] }
    return { exitCode: 2, lines: [`${path}: cannot be checked: ${(e as Error).message}`], problems: [] }
  }
  if (problems.length === 0) return { exitCode: 0, lines: [`${path}: no problems found`], problems }
  const lines = problems.map((p) => `${p.where}: ${p.what}`)
  lines.push(`${path}: ${problems.length} problem${problems.length === 1 ? '' : 's'} found`)
  return { exitCode: 1, lines, problems }
}
