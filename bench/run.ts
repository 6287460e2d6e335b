// Runs every benchmark module in bench/ (each exports run(): the figures it measured) and
// prints one line per figure: name, value with unit, and the ratio to its baseline.
//
//   npm run bench            # all modules
//   npm run bench -- ntfs    # modules whose file name contains "ntfs"

import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** one measured figure */
export interface BenchFigure {
  name: string
  value: number
  unit: string
  /** value relative to `baseline` (e.g. time through the store ÷ time of plain host I/O) */
  ratio?: number
  baseline?: string
}

export type BenchModule = { run: () => BenchFigure[] | Promise<BenchFigure[]> }

function format(f: BenchFigure): string {
  const value = f.value >= 100 ? f.value.toFixed(0) : f.value >= 10 ? f.value.toFixed(1) : f.value.toFixed(2)
  const ratio = f.ratio === undefined ? '' : `  ×${f.ratio.toFixed(2)} ${f.baseline ?? ''}`.trimEnd()
  return `${f.name.padEnd(52)} ${`${value} ${f.unit}`.padStart(16)}${ratio}`
}

async function main(): Promise<void> {
  const here = path.dirname(fileURLToPath(import.meta.url))
  const filter = process.argv[2]
  const modules = fs
    .readdirSync(here)
    .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.test.ts'))
    .filter((f) => filter === undefined || f.includes(filter))
    .sort()
  let failed = false
  for (const file of modules) {
    const mod = (await import(pathToFileURL(path.join(here, file)).href)) as Partial<BenchModule>
    if (typeof mod.run !== 'function') continue
    console.log(`# ${file}`)
    try {
      for (const f of await mod.run()) console.log(format(f))
    } catch (err) {
      failed = true
      console.log(`  failed: ${(err as Error).message}`)
    }
  }
  if (failed) process.exitCode = 1
}

await main()
