import { describe, expect, it } from 'vitest'
import { ERROR, GetLastError } from './errors.ts'
import { MOVEFILE } from './constants.ts'
import { MoveFileExW, MoveFileW } from './move.ts'
import { fsOps, testMachine } from './test-machine.ts'

const dec = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined)

describe('MoveFileExW', () => {
  it('renames on one volume: open for delete, attribute tag, target directory open, FileRenameInformation', () => {
    const tm = testMachine()
    tm.make({ 'C:\\a\\x.txt': 'data', 'C:\\b\\': '' })
    tm.clearTrace()
    const ok = tm.run((env) => MoveFileExW(env, 'C:\\a\\x.txt', 'C:\\b\\y.txt', 0))
    expect(ok).toBe(true)
    expect(fsOps(tm.trace()).slice(0, 4)).toEqual(['CreateFile C:\\a\\x.txt', 'QueryAttributeTagFile C:\\a\\x.txt', 'CreateFile C:\\b\\y.txt', 'SetRenameInformationFile C:\\a\\x.txt'])
    const rename = tm.trace().find((e) => e.minor === 'FileRenameInformation' && e.phase === 'complete')!
    expect(rename.detail).toContain('ReplaceIfExists: False')
    expect(dec(tm.read('C:\\b\\y.txt'))).toBe('data')
    expect(tm.read('C:\\a\\x.txt')).toBeUndefined()
  })
  it('refuses an existing target unless MOVEFILE_REPLACE_EXISTING', () => {
    const tm = testMachine()
    tm.make({ 'C:\\x.txt': 'new', 'C:\\y.txt': 'old' })
    const r = tm.run(function* (env) {
      const a = yield* MoveFileExW(env, 'C:\\x.txt', 'C:\\y.txt', 0)
      const e = GetLastError(env.io.ke.currentThread)
      const b = yield* MoveFileExW(env, 'C:\\x.txt', 'C:\\y.txt', MOVEFILE.MOVEFILE_REPLACE_EXISTING)
      return { a, e, b }
    })
    expect(r).toEqual({ a: false, e: ERROR.ERROR_ALREADY_EXISTS, b: true })
    expect(dec(tm.read('C:\\y.txt'))).toBe('new')
  })
  it('across volumes: ERROR_NOT_SAME_DEVICE, or with MOVEFILE_COPY_ALLOWED a copy, a link-tracking notice and a delete', () => {
    const tm = testMachine({ volumeD: true })
    tm.make({ 'C:\\m.txt': 'moving' })
    const r = tm.run(function* (env) {
      const a = yield* MoveFileExW(env, 'C:\\m.txt', 'D:\\m.txt', 0)
      const e = GetLastError(env.io.ke.currentThread)
      return { a, e }
    })
    expect(r).toEqual({ a: false, e: ERROR.ERROR_NOT_SAME_DEVICE })
    tm.clearTrace()
    expect(tm.run((env) => MoveFileW(env, 'C:\\m.txt', 'D:\\m.txt'))).toBe(true)
    const ops = fsOps(tm.trace())
    const tracking = ops.findIndex((o) => o.startsWith('SetInformationFile C:\\m.txt') || o.startsWith('SetTrackingInformationFile'))
    const write = ops.indexOf('WriteFile D:\\m.txt')
    const del = ops.indexOf('SetDispositionInformationFile C:\\m.txt')
    expect(write).toBeGreaterThan(0)
    expect(tracking).toBeGreaterThan(write)
    expect(del).toBeGreaterThan(tracking)
    const track = tm.trace().find((e) => e.minor === 'FileTrackingInformation' && e.phase === 'dispatch')
    expect(track).toBeDefined()
    expect(dec(tm.read('D:\\m.txt'))).toBe('moving')
    expect(tm.read('C:\\m.txt')).toBeUndefined()
  })
  it('rejects unknown flags and MOVEFILE_DELAY_UNTIL_REBOOT (no registry)', () => {
    const tm = testMachine()
    tm.make({ 'C:\\x.txt': '' })
    const r = tm.run(function* (env) {
      const t = env.io.ke.currentThread
      const a = yield* MoveFileExW(env, 'C:\\x.txt', 'C:\\y.txt', 0x100)
      const ea = GetLastError(t)
      const b = yield* MoveFileExW(env, 'C:\\x.txt', 'C:\\y.txt', MOVEFILE.MOVEFILE_DELAY_UNTIL_REBOOT)
      return { a, ea, b, eb: GetLastError(t) }
    })
    expect(r).toEqual({ a: false, ea: ERROR.ERROR_INVALID_PARAMETER, b: false, eb: ERROR.ERROR_NOT_SUPPORTED })
  })
})
