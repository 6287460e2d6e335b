import { describe, expect, it } from 'vitest'
import { TestMachine } from '../cc/test-machine.ts'
import * as nt from '../io/services/index.ts'
import { ACCESS } from '../nt/access.ts'
import { BYTE_OFFSET_SPECIAL, CREATE_DISPOSITION as D } from '../nt/file.ts'
import { FILE_INFORMATION_CLASS as C } from '../nt/infoclass.ts'
import { STATUS } from '../nt/status.ts'
import { encodeRenameInformation } from '../rtl/structs/fileinfo.ts'
import type { FilterModule } from '../flt/manager.ts'
import * as stateTracking from './state-tracking.ts'
import type { TrackedState } from './state-tracking.ts'
import { checkTrackedState, compareTrackedState, type TruthFile } from './state-tracking-checker.ts'

function machine() {
  const t = new TestMachine()
  expect(t.machine.fltmc.load(stateTracking as FilterModule).status).toBe(0)
  const view = () => t.machine.flt.published('state-tracking', 'state') as TrackedState
  const check = () => t.call('checker.exe', () => checkTrackedState(t.machine.io, view()))
  const setInfo = (h: number, cls: number, bytes: Uint8Array) => t.call('app.exe', () => nt.NtSetInformationFile(t.machine.io, { FileHandle: h, FileInformationClass: cls, FileInformation: bytes })).status
  const i64 = (v: number) => {
    const b = new Uint8Array(8)
    new DataView(b.buffer).setBigInt64(0, BigInt(v), true)
    return b
  }
  return { t, view, check, setInfo, i64 }
}

describe('state-tracking: the filter mirrors names, sizes and delete state from post-operation callbacks', () => {
  it('follows creates, writes, appends, truncates, renames with replace, links and deletes done one after another', () => {
    const { t, view, check, setInfo, i64 } = machine()
    const rw = ACCESS.GENERIC_READ | ACCESS.GENERIC_WRITE | ACCESS.DELETE
    const a = t.open('app.exe', 'a.txt', { access: rw, disposition: D.FILE_CREATE })
    expect(t.write('app.exe', a, 0, 'hello')).toBe(STATUS.STATUS_SUCCESS)
    expect(t.write('app.exe', a, BYTE_OFFSET_SPECIAL.FILE_WRITE_TO_END_OF_FILE, ' world')).toBe(STATUS.STATUS_SUCCESS)
    expect(view()['\\a.txt']).toEqual({ size: 11, deletePending: false })
    expect(setInfo(a, C.FileEndOfFileInformation, i64(4))).toBe(STATUS.STATUS_SUCCESS)
    expect(view()['\\a.txt']!.size).toBe(4)
    const b = t.open('app.exe', 'b.txt', { access: rw, disposition: D.FILE_CREATE })
    t.write('app.exe', b, 0, 'bbbbbbbb')
    t.close('app.exe', b)
    expect(setInfo(a, C.FileRenameInformation, encodeRenameInformation({ ReplaceIfExists: true, FileName: '\\??\\C:\\b.txt' }))).toBe(STATUS.STATUS_SUCCESS)
    expect(Object.keys(view())).toEqual(['\\b.txt'])
    expect(view()['\\b.txt']).toEqual({ size: 4, deletePending: false })
    expect(setInfo(a, C.FileLinkInformation, encodeRenameInformation({ ReplaceIfExists: false, FileName: '\\??\\C:\\c.txt' }))).toBe(STATUS.STATUS_SUCCESS)
    expect(view()['\\c.txt']).toEqual({ size: 4, deletePending: false })
    expect(setInfo(a, C.FileDispositionInformation, new Uint8Array([1]))).toBe(STATUS.STATUS_SUCCESS)
    expect(view()['\\b.txt']!.deletePending).toBe(true)
    expect(setInfo(a, C.FileDispositionInformation, new Uint8Array([0]))).toBe(STATUS.STATUS_SUCCESS)
    expect(view()['\\b.txt']!.deletePending).toBe(false)
    expect(setInfo(a, C.FileDispositionInformation, new Uint8Array([1]))).toBe(STATUS.STATUS_SUCCESS)
    t.close('app.exe', a)
    expect(view()).toEqual({ '\\c.txt': { size: 4, deletePending: false } })
    expect(check()).toEqual([])
    const log = t.machine.flt.published('state-tracking', 'log') as string[]
    expect(log).toContain('rename \\a.txt -> \\b.txt (replacing it)')
    expect(log.at(-1)).toBe('deleted \\b.txt')
  })

  it('the checker names each divergence: a file only the filter believes in, one it does not know, a size, a delete state', () => {
    const view: TrackedState = {
      '\\d\\gone.txt': { size: 1, deletePending: false },
      '\\d\\a.txt': { size: 3, deletePending: false },
      '\\d\\b.txt': { size: 0, deletePending: true },
      '\\other.txt': { size: 9, deletePending: false },
    }
    const truth = new Map<string, TruthFile>([
      ['\\D\\A.TXT', { path: '\\d\\a.txt', size: 5, deletePending: false }],
      ['\\D\\B.TXT', { path: '\\d\\b.txt', size: 0, deletePending: false }],
      ['\\D\\NEW.TXT', { path: '\\d\\new.txt', size: 2, deletePending: false }],
    ])
    const d = compareTrackedState(view, truth, { scope: '\\d' })
    expect(d.map((x) => [x.path, x.kind])).toEqual([
      ['\\d\\a.txt', 'size'],
      ['\\d\\b.txt', 'delete-pending'],
      ['\\d\\gone.txt', 'only-in-view'],
      ['\\d\\new.txt', 'missing-from-view'],
    ])
    expect(d[0]!.message).toBe('\\d\\a.txt: the filter believes 3 bytes; the file has 5')
    expect(compareTrackedState(view, truth, { scope: '\\d', complete: false }).map((x) => x.kind)).not.toContain('missing-from-view')
  })

  it('the checker reads the truth through NT calls: a file the filter never saw is missing from its view', () => {
    const { t, check } = machine()
    const h = t.open('app.exe', 'seen.txt', { disposition: D.FILE_CREATE })
    t.write('app.exe', h, 0, 'abc')
    t.close('app.exe', h)
    expect(check()).toEqual([])
    expect(t.machine.fltmc.unload('state-tracking').status).toBe(0)
    const u = t.open('app.exe', 'unseen.txt', { disposition: D.FILE_CREATE })
    t.close('app.exe', u)
    const d = t.call('checker.exe', () => checkTrackedState(t.machine.io, { '\\seen.txt': { size: 3, deletePending: false } }))
    expect(d.map((x) => `${x.kind} ${x.path}`)).toEqual(['missing-from-view \\unseen.txt'])
  })
})
