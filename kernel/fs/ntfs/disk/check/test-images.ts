// Test support: fresh volumes made by Debian's mkntfs (ntfs-3g), the independent oracle the
// on-disk tests compare against. Images live in a temporary directory removed by cleanup().
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, openSync, ftruncateSync, closeSync, copyFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TempImages {
  dir: string
  /** makes an image of `mib` MiB with mkntfs (512-byte sectors, 4 KiB clusters) and returns its path */
  mkntfs(name: string, mib: number, label?: string): string
  /** copies an image (to corrupt the copy) */
  copy(from: string, name: string): string
  cleanup(): void
}

export function tempImages(prefix = 'ntfs-'): TempImages {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return {
    dir,
    mkntfs(name, mib, label = 'Altitude') {
      const path = join(dir, name)
      const fd = openSync(path, 'w')
      ftruncateSync(fd, mib * 1024 * 1024)
      closeSync(fd)
      execFileSync('mkntfs', ['-F', '-Q', '-q', '-s', '512', '-c', '4096', '-L', label, path], { stdio: 'pipe' })
      return path
    },
    copy(from, name) {
      const path = join(dir, name)
      copyFileSync(from, path)
      return path
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** runs an ntfs-3g tool and returns its stdout as a Buffer */
export function ntfsTool(tool: 'ntfsls' | 'ntfscat' | 'ntfsinfo', args: string[]): Buffer {
  return execFileSync(tool, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 })
}
