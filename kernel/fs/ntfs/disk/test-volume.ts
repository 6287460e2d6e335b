// Temporary volumes for tests: formatted images in a temp directory, removed afterwards.

import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { formatVolume, type FormatOptions } from './format.ts'

export const TEST_TIME = 132_000_000_000_000_000n

export class TempImages {
  private dirs: string[] = []

  /** a path in a fresh temp directory */
  path(name = 'volume.img'): string {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'altitude-ntfs-'))
    this.dirs.push(d)
    return path.join(d, name)
  }

  /** a freshly formatted image */
  formatted(options: Partial<FormatOptions> = {}): string {
    const p = this.path()
    formatVolume(p, { sizeBytes: 16 * 1024 * 1024, label: 'TEST', serialNumber: 0x1234_5678_9abc_def0n, time: TEST_TIME, ...options })
    return p
  }

  cleanup(): void {
    for (const d of this.dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
  }
}
