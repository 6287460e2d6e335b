// explorer.exe's file commands through the shell engine: what they make, the IRPs they send as
// explorer.exe, and how collisions and failures come back.

import { describe, expect, it } from 'vitest'
import type { Co } from '../../ke/index.ts'
import { Machine } from '../../machine.ts'
import { ntfsVolume } from '../../volumes.ts'
import * as nt from '../../io/services/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_DISPOSITION as D, CREATE_OPTIONS as O } from '../../nt/file.ts'
import { STATUS } from '../../nt/status.ts'
import type { TraceEvent } from '../../trace/event.ts'
import { checkTypedName, deleteItemsAt, listFolder, newFolderIn, parseDosPath, renameAt, runInExplorer, type CommandOutcome } from './index.ts'

function machineWith(items: { path: string; dir?: boolean }[]): Machine {
  const m = Machine.create({ seed: 3, volumes: [{ letter: 'C:', mount: ntfsVolume({ kind: 'memory', sizeBytes: 32 << 20 }) }] })
  m.boot()
  m.trace.enabled = false
  let done = false
  const t = m.ke.createThread(m.system, 'setup', function* (): Co<void> {
    for (const it of items) {
      const r = yield* nt.NtCreateFile(m.io, {
        FileName: `\\??\\${it.path}`,
        DesiredAccess: ACCESS.GENERIC_WRITE | ACCESS.SYNCHRONIZE,
        ShareAccess: 7,
        CreateDisposition: D.FILE_CREATE,
        CreateOptions: (it.dir ? O.FILE_DIRECTORY_FILE : O.FILE_NON_DIRECTORY_FILE) | O.FILE_SYNCHRONOUS_IO_NONALERT,
      })
      yield* nt.NtClose(m.io, { Handle: r.handle! })
    }
    done = true
  })
  m.registerThread(m.system, t.tid)
  m.ke.runUntil(() => done)
  m.trace.enabled = true
  return m
}

function p(path: string): ReturnType<typeof parseDosPath> & { ok: true } {
  const r = parseDosPath(path)
  if (!r.ok) throw new Error(r.problem)
  return r
}

function run(m: Machine, body: () => Co<CommandOutcome>): CommandOutcome {
  const r = runInExplorer(m, 'command', body)
  if (!r.done) throw new Error(r.problem)
  return r.value
}

function names(m: Machine, folder: string): string[] {
  const r = runInExplorer(m, 'list', () => listFolder(m.io, p(folder)))
  if (!r.done || !r.value.ok) throw new Error(`cannot list ${folder}`)
  return r.value.value.entries.map((e) => e.name)
}

describe('explorer.exe commands', () => {
  it('New folder makes "New folder", then "New folder (2)", or the typed name', () => {
    const m = machineWith([{ path: 'C:\\Work', dir: true }])
    const events: TraceEvent[] = []
    m.trace.subscribe((e) => events.push(e))
    expect(run(m, () => newFolderIn(m.io, p('C:\\Work')))).toEqual({ ok: true, value: { targets: ['C:\\Work\\New folder'], skipped: [] } })
    expect(new Set(events.map((e) => e.process))).toEqual(new Set(['explorer.exe']))
    const create = events.find((e) => e.procmon === 'CreateFile' && e.phase === 'complete' && e.status === 'STATUS_SUCCESS' && e.path === 'C:\\Work\\New folder')
    expect(create?.detail).toMatch(/Disposition: Create, Options: Directory/)
    expect(run(m, () => newFolderIn(m.io, p('C:\\Work')))).toMatchObject({ ok: true, value: { targets: ['C:\\Work\\New folder (2)'] } })
    expect(run(m, () => newFolderIn(m.io, p('C:\\Work'), 'Reports'))).toMatchObject({ ok: true, value: { targets: ['C:\\Work\\Reports'] } })
    expect(names(m, 'C:\\Work')).toEqual(['New folder', 'New folder (2)', 'Reports'])
  })

  it('Rename gives the item its new name, and reports a collision without a choice', () => {
    const m = machineWith([{ path: 'C:\\a.txt' }, { path: 'C:\\b.txt' }])
    expect(run(m, () => renameAt(m.io, p('C:\\a.txt'), 'c.txt'))).toEqual({ ok: true, value: { targets: ['C:\\c.txt'], skipped: [] } })
    expect(run(m, () => renameAt(m.io, p('C:\\c.txt'), 'b.txt'))).toEqual({ ok: false, kind: 'conflict', path: 'C:\\b.txt' })
    expect(run(m, () => renameAt(m.io, p('C:\\c.txt'), 'b.txt', 'keepBoth'))).toMatchObject({ ok: true, value: { targets: ['C:\\b (2).txt'] } })
    expect(names(m, 'C:\\')).toEqual(['b (2).txt', 'b.txt'])
  })

  it('a rename of an item that is not there fails with the last error and NTSTATUS', () => {
    const m = machineWith([])
    expect(run(m, () => renameAt(m.io, p('C:\\gone.txt'), 'x.txt'))).toEqual({
      ok: false,
      kind: 'failed',
      path: 'C:\\gone.txt',
      error: 2,
      errorName: 'ERROR_FILE_NOT_FOUND',
      status: STATUS.STATUS_OBJECT_NAME_NOT_FOUND,
    })
  })

  it('Delete recycles into $Recycle.Bin; Shift+Delete removes', () => {
    const m = machineWith([{ path: 'C:\\Docs', dir: true }, { path: 'C:\\Docs\\old.txt' }, { path: 'C:\\Docs\\older.txt' }])
    const recycled = run(m, () => deleteItemsAt(m.io, [p('C:\\Docs\\old.txt')], false))
    expect(recycled).toMatchObject({ ok: true, value: { targets: [expect.stringMatching(/^C:\\\$Recycle\.Bin\\S-1-5-21-[\d-]+\\\$R[0-9A-Z]{6}\.txt$/)], info: [expect.stringMatching(/\\\$I[0-9A-Z]{6}\.txt$/)] } })
    expect(run(m, () => deleteItemsAt(m.io, [p('C:\\Docs\\older.txt')], true))).toEqual({ ok: true, value: { targets: ['C:\\Docs\\older.txt'], skipped: [] } })
    expect(names(m, 'C:\\Docs')).toEqual([])
  })

  it('checks typed names as Explorer does', () => {
    expect(checkTypedName('report.docx')).toBeUndefined()
    expect(checkTypedName('a:b')).toMatch(/can't contain/)
    expect(checkTypedName('  ')).toMatch(/needed/)
    expect(checkTypedName('..')).toMatch(/not a file name/)
  })
})
