import { describe, expect, it } from 'vitest'
import { ACCESS } from '../nt/access.ts'
import { CREATE_OPTIONS as O } from '../nt/file.ts'
import { CreateDirectoryW } from './directory.ts'
import { DeleteFileW, RemoveDirectoryW } from './delete.ts'
import { ERROR, GetLastError } from './errors.ts'
import { fsOps, testMachine } from './test-machine.ts'

describe('DeleteFileW, RemoveDirectoryW, CreateDirectoryW', () => {
  it('DeleteFileW is the observed open for delete, attribute-tag query, disposition, cleanup (Win10 1709 capture)', () => {
    const tm = testMachine()
    tm.make({ 'C:\\Recent\\x.lnk': 'lnk' })
    tm.clearTrace()
    const ok = tm.run((env) => DeleteFileW(env, 'C:\\Recent\\x.lnk'))
    expect(ok).toBe(true)
    expect(fsOps(tm.trace()).slice(0, 4)).toEqual([
      'CreateFile C:\\Recent\\x.lnk',
      'QueryAttributeTagFile C:\\Recent\\x.lnk',
      'SetDispositionInformationFile C:\\Recent\\x.lnk',
      'CloseFile C:\\Recent\\x.lnk',
    ])
    const create = tm.trace().find((e) => e.op === 'IRP_MJ_CREATE' && e.phase === 'dispatch')!
    expect(create.params['DesiredAccess']).toBe(ACCESS.DELETE | ACCESS.FILE_READ_ATTRIBUTES)
    expect(create.params['ShareAccess']).toBe(7)
    expect(create.params['CreateOptions']).toBe(O.FILE_NON_DIRECTORY_FILE | O.FILE_OPEN_REPARSE_POINT)
    expect(create.detail).toContain('Desired Access: Read Attributes, Delete, Disposition: Open, Options: Non-Directory File, Open Reparse Point')
    expect(tm.read('C:\\Recent\\x.lnk')).toBeUndefined()
  })
  it('fails for a missing file and for a directory', () => {
    const tm = testMachine()
    tm.make({ 'C:\\d\\': '' })
    const r = tm.run(function* (env) {
      const t = env.io.ke.currentThread
      const a = yield* DeleteFileW(env, 'C:\\gone.txt')
      const ea = GetLastError(t)
      const b = yield* DeleteFileW(env, 'C:\\d')
      return { a, ea, b, eb: GetLastError(t) }
    })
    expect(r).toEqual({ a: false, ea: ERROR.ERROR_FILE_NOT_FOUND, b: false, eb: ERROR.ERROR_ACCESS_DENIED })
  })
  it('creates a directory once, refuses a second and removes it only when empty', () => {
    const tm = testMachine()
    const r = tm.run(function* (env) {
      const t = env.io.ke.currentThread
      const a = yield* CreateDirectoryW(env, 'C:\\new')
      const b = yield* CreateDirectoryW(env, 'C:\\new')
      const eb = GetLastError(t)
      const c = yield* CreateDirectoryW(env, 'C:\\new\\sub')
      const d = yield* RemoveDirectoryW(env, 'C:\\new')
      const ed = GetLastError(t)
      const e = yield* RemoveDirectoryW(env, 'C:\\new\\sub')
      const f = yield* RemoveDirectoryW(env, 'C:\\new')
      const g = yield* CreateDirectoryW(env, 'C:\\missing\\x')
      return { a, b, eb, c, d, ed, e, f, g, eg: GetLastError(t) }
    })
    expect(r).toEqual({ a: true, b: false, eb: ERROR.ERROR_ALREADY_EXISTS, c: true, d: false, ed: ERROR.ERROR_DIR_NOT_EMPTY, e: true, f: true, g: false, eg: ERROR.ERROR_PATH_NOT_FOUND })
  })
})
