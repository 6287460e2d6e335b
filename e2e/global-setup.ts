// Starts the web host the way a user does (`altitude web`), on a free port, and hands its
// URL (with the run's token) to the tests through the environment.

import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

const root = fileURLToPath(new URL('..', import.meta.url))

export default async function globalSetup(): Promise<() => Promise<void>> {
  const child = spawn(process.execPath, [join(root, 'bin', 'altitude.mjs'), 'web', '--no-open', '--port', '0'], {
    cwd: root,
    env: { ...process.env, ALTITUDE_DEBUG_HOOKS: '1', ALTITUDE_HANG_TIMEOUT_MS: '1500' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = ''
    const timer = setTimeout(() => reject(new Error(`altitude web printed no URL within 120 s\n${stdout}\n${stderr}`)), 120_000)
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString()
      const m = /serving at (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(stdout)
      if (m?.[1] !== undefined) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`altitude web exited with ${code} before serving\n${stdout}\n${stderr}`))
    })
  })
  process.env['ALTITUDE_E2E_URL'] = url
  return async () => {
    if (child.exitCode !== null) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.kill('SIGINT')
    await exited
  }
}
