import { describe, expect, it } from 'vitest'
import { FILE_INFORMATION_CLASS as C } from '../nt/infoclass.ts'
import { INVALID_HANDLE_VALUE } from './constants.ts'
import { ERROR, GetLastError } from './errors.ts'
import { FindClose, FindFirstFileExW, FindFirstFileW, FindNextFileW, listDirectory } from './find.ts'
import { testMachine } from './test-machine.ts'

describe('FindFirstFileW / FindNextFileW / FindClose', () => {
  it('lists matching names through NtQueryDirectoryFile with the translated mask', () => {
    const tm = testMachine()
    tm.make({ 'C:\\d\\a.txt': '1', 'C:\\d\\b.txt': '22', 'C:\\d\\c.log': '333', 'C:\\d\\sub\\': '' })
    tm.clearTrace()
    const r = tm.run(function* (env) {
      const names: string[] = []
      const first = yield* FindFirstFileW(env, 'C:\\d\\*.txt')
      if (first.data) names.push(first.data.FileName)
      for (;;) {
        const e = yield* FindNextFileW(env, first.handle)
        if (!e) break
        names.push(e.FileName)
      }
      const end = GetLastError(env.io.ke.currentThread)
      const closed = yield* FindClose(env, first.handle)
      const again = yield* FindClose(env, first.handle)
      return { names, end, closed, again, size: first.data?.FileSizeLow }
    })
    expect(r).toEqual({ names: ['a.txt', 'b.txt'], end: ERROR.ERROR_NO_MORE_FILES, closed: true, again: false, size: 1 })
    const q = tm.trace().find((e) => e.op === 'IRP_MJ_DIRECTORY_CONTROL' && e.phase === 'dispatch')!
    expect(q.params['FileInformationClass']).toBe(C.FileBothDirectoryInformation)
    expect(q.params['FileName']).toBe('<.txt')
  })
  it('FindExInfoBasic asks for FileFullDirectoryInformation; listDirectory leaves out . and ..', () => {
    const tm = testMachine()
    tm.make({ 'C:\\d\\a.txt': '1', 'C:\\d\\sub\\': '' })
    tm.clearTrace()
    const names = tm.run(function* (env) {
      return (yield* listDirectory(env, 'C:\\d'))!.map((e) => e.FileName)
    })
    expect(names).toEqual(['a.txt', 'sub'])
    const q = tm.trace().find((e) => e.op === 'IRP_MJ_DIRECTORY_CONTROL' && e.phase === 'dispatch')!
    expect(q.params['FileInformationClass']).toBe(C.FileFullDirectoryInformation)
  })
  it('reports no match, a missing directory and a trailing separator', () => {
    const tm = testMachine()
    tm.make({ 'C:\\d\\a.txt': '1' })
    const r = tm.run(function* (env) {
      const t = env.io.ke.currentThread
      const out: [boolean, number][] = []
      for (const p of ['C:\\d\\*.doc', 'C:\\nope\\*', 'C:\\d\\']) {
        const f = yield* FindFirstFileExW(env, { FileName: p })
        out.push([f.handle === INVALID_HANDLE_VALUE, GetLastError(t)])
      }
      return out
    })
    expect(r).toEqual([
      [true, ERROR.ERROR_FILE_NOT_FOUND],
      [true, ERROR.ERROR_PATH_NOT_FOUND],
      [true, ERROR.ERROR_FILE_NOT_FOUND],
    ])
  })
})
