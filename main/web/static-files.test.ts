import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readStatic } from './static-files.ts'

describe('readStatic', () => {
  const root = mkdtempSync(join(tmpdir(), 'altitude-static-'))
  mkdirSync(join(root, 'assets'))
  writeFileSync(join(root, 'assets', 'a.js'), 'export {}')
  writeFileSync(join(tmpdir(), 'altitude-outside.txt'), 'secret')

  it('serves files inside the root with their type', async () => {
    const f = await readStatic(root, '/assets/a.js')
    expect(f?.type).toBe('text/javascript; charset=utf-8')
    expect(f?.body.toString()).toBe('export {}')
  })
  it('never serves outside the root, folders, or missing files', async () => {
    expect(await readStatic(root, '/../altitude-outside.txt')).toBeUndefined()
    expect(await readStatic(root, '/%2e%2e/altitude-outside.txt')).toBeUndefined()
    expect(await readStatic(root, '/assets')).toBeUndefined()
    expect(await readStatic(root, '/nope.js')).toBeUndefined()
    expect(await readStatic(root, '/%E0%A4%A')).toBeUndefined()
  })
})
