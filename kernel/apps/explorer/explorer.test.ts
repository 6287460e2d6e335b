// explorer.exe's folder listing and Properties on a real machine: the result, and the IRPs the
// trace shows for them.

import { describe, expect, it } from 'vitest'
import type { Co } from '../../ke/index.ts'
import { Machine } from '../../machine.ts'
import { ntfsVolume } from '../../volumes.ts'
import * as nt from '../../io/services/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_DISPOSITION as D, CREATE_OPTIONS as O, FILE_ATTRIBUTE } from '../../nt/file.ts'
import { FILE_INFORMATION_CLASS as C } from '../../nt/infoclass.ts'
import { STATUS } from '../../nt/status.ts'
import { encodeFileInformation } from '../../rtl/structs/fileinfo.ts'
import type { TraceEvent } from '../../trace/event.ts'
import { describeFailure, itemProperties, LIST_BUFFER_BYTES, listFolder, parseDosPath, runInExplorer, type ExplorerOutcome } from './index.ts'

function bootMachine(): Machine {
  const m = Machine.create({ seed: 7, volumes: [{ letter: 'C:', mount: ntfsVolume({ kind: 'memory', sizeBytes: 32 << 20 }) }] })
  m.boot()
  return m
}

/** makes files and folders through the NT calls, untraced, on a System thread */
function populate(m: Machine, items: { path: string; dir?: boolean; data?: string; attributes?: number; stream?: string }[]): void {
  m.trace.enabled = false
  let done = false
  const t = m.ke.createThread(m.system, 'setup', function* (): Co<void> {
    for (const it of items) {
      const r = yield* nt.NtCreateFile(m.io, {
        FileName: `\\??\\${it.path}`,
        DesiredAccess: ACCESS.GENERIC_READ | ACCESS.GENERIC_WRITE | ACCESS.SYNCHRONIZE,
        ShareAccess: 7,
        CreateDisposition: D.FILE_CREATE,
        CreateOptions: (it.dir ? O.FILE_DIRECTORY_FILE : O.FILE_NON_DIRECTORY_FILE) | O.FILE_SYNCHRONOUS_IO_NONALERT,
      })
      if (r.handle === undefined) throw new Error(`setup: ${it.path}: 0x${r.status.toString(16)}`)
      if (it.data !== undefined) yield* nt.NtWriteFile(m.io, { FileHandle: r.handle, ByteOffset: 0, Data: new TextEncoder().encode(it.data) })
      if (it.attributes !== undefined) {
        const enc = encodeFileInformation('FileBasicInformation', { FileAttributes: it.attributes } as never, 40)
        yield* nt.NtSetInformationFile(m.io, { FileHandle: r.handle, FileInformationClass: C.FileBasicInformation, FileInformation: enc.bytes })
      }
      yield* nt.NtClose(m.io, { Handle: r.handle })
      if (it.stream !== undefined) {
        const s = yield* nt.NtCreateFile(m.io, { FileName: `\\??\\${it.path}:${it.stream}`, DesiredAccess: ACCESS.GENERIC_WRITE | ACCESS.SYNCHRONIZE, ShareAccess: 7, CreateDisposition: D.FILE_CREATE, CreateOptions: O.FILE_SYNCHRONOUS_IO_NONALERT })
        yield* nt.NtWriteFile(m.io, { FileHandle: s.handle!, ByteOffset: 0, Data: new TextEncoder().encode('[ZoneTransfer]\r\nZoneId=3\r\n') })
        yield* nt.NtClose(m.io, { Handle: s.handle! })
      }
    }
    done = true
  })
  m.registerThread(m.system, t.tid)
  expect(m.ke.runUntil(() => done)).toBe('done')
  m.trace.enabled = true
}

function traced(m: Machine): TraceEvent[] {
  const events: TraceEvent[] = []
  m.trace.subscribe((e) => events.push(e))
  return events
}

function run<T>(m: Machine, body: (io: Machine['io']) => Co<ExplorerOutcome<T>>): ExplorerOutcome<T> {
  const r = runInExplorer(m, 'test', () => body(m.io))
  if (!r.done) throw new Error(r.problem)
  return r.value
}

function path(p: string): ReturnType<typeof parseDosPath> & { ok: true } {
  const parsed = parseDosPath(p)
  if (!parsed.ok) throw new Error(parsed.problem)
  return parsed
}

describe('parseDosPath', () => {
  it('gives the canonical DOS path, its NT name and the last component', () => {
    expect(parseDosPath('c:\\Users\\Public\\')).toEqual({ ok: true, dos: 'C:\\Users\\Public', nt: '\\??\\C:\\Users\\Public', name: 'Public' })
    expect(parseDosPath('C:\\')).toEqual({ ok: true, dos: 'C:\\', nt: '\\??\\C:\\', name: '' })
  })

  it('refuses relative paths, dot components, empty components and illegal characters', () => {
    expect(parseDosPath('Users')).toMatchObject({ ok: false, problem: expect.stringContaining('not a full path') })
    expect(parseDosPath('C:Users')).toMatchObject({ ok: false })
    expect(parseDosPath('C:\\Users\\..\\Windows')).toMatchObject({ ok: false, problem: expect.stringContaining('".."') })
    expect(parseDosPath('C:\\Users\\\\Public')).toMatchObject({ ok: false, problem: expect.stringContaining('empty name') })
    expect(parseDosPath('C:\\a*b')).toMatchObject({ ok: false, problem: expect.stringContaining('"*"') })
    expect(parseDosPath('C:\\a\u0001b')).toMatchObject({ ok: false, problem: expect.stringContaining('0x01') })
  })
})

describe('explorer.exe lists a folder', () => {
  it('returns the entries without . and .., with sizes, attributes and times', () => {
    const m = bootMachine()
    populate(m, [
      { path: 'C:\\Users', dir: true },
      { path: 'C:\\Users\\Public', dir: true },
      { path: 'C:\\Users\\readme.txt', data: 'hello, world' },
      { path: 'C:\\Users\\desktop.ini', data: '[x]', attributes: FILE_ATTRIBUTE.FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE.FILE_ATTRIBUTE_SYSTEM },
    ])
    const r = run(m, (io) => listFolder(io, path('C:\\Users')))
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value.path).toBe('C:\\Users')
    expect(r.value.entries.map((e) => e.name)).toEqual(['desktop.ini', 'Public', 'readme.txt'])
    const [ini, pub, readme] = r.value.entries
    expect(pub).toMatchObject({ directory: true, size: 0, attributes: ['FILE_ATTRIBUTE_DIRECTORY'] })
    expect(readme).toMatchObject({ directory: false, size: 12, attributes: ['FILE_ATTRIBUTE_ARCHIVE'] })
    // the write after the attributes were set marks it for archiving again
    expect(ini?.attributes).toEqual(['FILE_ATTRIBUTE_HIDDEN', 'FILE_ATTRIBUTE_SYSTEM', 'FILE_ATTRIBUTE_ARCHIVE'])
    expect(readme?.modified).toMatch(/^2024-01-01T00:00:00\.\d{7}Z$/)
    expect(readme?.fileId).toMatch(/^0x[0-9a-f]{16}$/)
    expect(r.value.queries).toBe(2)
  })

  it('makes exactly the IRPs Explorer makes, as explorer.exe', () => {
    const m = bootMachine()
    populate(m, [{ path: 'C:\\Users', dir: true }, { path: 'C:\\Users\\Public', dir: true }])
    const events = traced(m)
    run(m, (io) => listFolder(io, path('C:\\Users')))
    const done = events.filter((e) => e.phase === 'complete')
    expect(done.map((e) => [e.procmon, e.status])).toEqual([
      ['CreateFile', 'STATUS_SUCCESS'],
      ['QueryDirectory', 'STATUS_SUCCESS'],
      ['QueryDirectory', 'STATUS_NO_MORE_FILES'],
      ['CloseFile', 'STATUS_SUCCESS'],
      ['IRP_MJ_CLOSE', 'STATUS_SUCCESS'],
    ])
    expect(new Set(events.map((e) => e.process))).toEqual(new Set(['explorer.exe']))
    expect(new Set(events.map((e) => e.path))).toEqual(new Set(['C:\\Users']))
    const [create, query, more] = done
    expect(create?.detail).toBe(
      'Desired Access: Read Data/List Directory, Synchronize, Disposition: Open, Options: Directory, Synchronous IO Non-Alert, Attributes: n/a, ShareMode: Read, Write, Delete, AllocationSize: n/a, OpenResult: Opened',
    )
    expect(query?.minor).toBe('IRP_MN_QUERY_DIRECTORY')
    expect(query?.op).toBe('IRP_MJ_DIRECTORY_CONTROL')
    expect(query?.params).toMatchObject({ FileInformationClass: C.FileIdBothDirectoryInformation, FileName: '*', Length: LIST_BUFFER_BYTES })
    expect(query?.detail).toBe('Filter: *, 1: ., FileInformationClass: FileIdBothDirectoryInformation, 3: Public')
    expect(more?.params['FileName']).toBeUndefined()
  })

  it('reads a folder of hundreds of entries in several 64 KiB buffers', () => {
    const m = bootMachine()
    const names = Array.from({ length: 300 }, (_, i) => `${'a long file name that fills the 64 KiB buffer sooner '.repeat(2)}${String(i).padStart(4, '0')}.txt`)
    populate(m, [{ path: 'C:\\many', dir: true }, ...names.map((n) => ({ path: `C:\\many\\${n}` }))])
    const r = run(m, (io) => listFolder(io, path('C:\\many')))
    expect(r.ok && r.value.entries.map((e) => e.name)).toEqual(names)
    expect(r.ok && r.value.queries).toBeGreaterThan(2)
  })

  it('lists the root of the drive', () => {
    const m = bootMachine()
    populate(m, [{ path: 'C:\\Windows', dir: true }])
    const r = run(m, (io) => listFolder(io, path('C:\\')))
    expect(r.ok && r.value.entries.map((e) => e.name)).toContain('Windows')
  })

  it('reports the NTSTATUS of the call that failed', () => {
    const m = bootMachine()
    populate(m, [{ path: 'C:\\file.txt', data: 'x' }])
    const missing = run(m, (io) => listFolder(io, path('C:\\Nope')))
    expect(missing).toEqual({ ok: false, status: STATUS.STATUS_OBJECT_NAME_NOT_FOUND, call: 'NtCreateFile', path: 'C:\\Nope' })
    if (!missing.ok) expect(describeFailure(missing)).toBe('C:\\Nope: STATUS_OBJECT_NAME_NOT_FOUND (NtCreateFile)')
    expect(run(m, (io) => listFolder(io, path('C:\\file.txt')))).toMatchObject({ ok: false, status: STATUS.STATUS_NOT_A_DIRECTORY })
    expect(run(m, (io) => listFolder(io, path('C:\\Nope\\deeper')))).toMatchObject({ ok: false, status: STATUS.STATUS_OBJECT_PATH_NOT_FOUND })
  })
})

describe('explorer.exe reads an item\'s properties', () => {
  it('gives sizes, times, attributes, links, the file id and the data streams', () => {
    const m = bootMachine()
    populate(m, [{ path: 'C:\\setup.exe', data: 'MZ'.repeat(1000), stream: 'Zone.Identifier' }, { path: 'C:\\dir', dir: true }])
    const events = traced(m)
    const r = run(m, (io) => itemProperties(io, path('C:\\setup.exe')))
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value).toMatchObject({ path: 'C:\\setup.exe', name: 'setup.exe', directory: false, size: 2000, links: 1, deletePending: false, attributes: ['FILE_ATTRIBUTE_ARCHIVE'] })
    expect(r.value.allocationSize).toBeGreaterThanOrEqual(2000)
    expect(r.value.streams).toEqual([
      { name: '', size: 2000, allocationSize: expect.any(Number) },
      { name: 'Zone.Identifier', size: 26, allocationSize: expect.any(Number) },
    ])
    const done = events.filter((e) => e.phase === 'complete')
    expect(done.map((e) => e.procmon)).toEqual(['CreateFile', 'QueryAllInformationFile', 'QueryStreamInformationFile', 'CloseFile', 'IRP_MJ_CLOSE'])
    // Procmon's QueryAllInformationFile Detail, from the structure the file system returned
    expect(done[1]?.detail).toMatch(/^CreationTime: 1\/1\/2024 12:00:00 AM, .*FileAttributes: A, AllocationSize: [\d,]+, EndOfFile: 2,000, NumberOfLinks: 1, DeletePending: False, Directory: False, IndexNumber: 0x[0-9a-f]+, EaSize: 0, Access: Read Attributes, Synchronize, Position: 0, Mode: Synchronous IO Non-Alert, AlignmentRequirement: \w+$/)

    const dir = run(m, (io) => itemProperties(io, path('C:\\dir')))
    expect(dir).toMatchObject({ ok: true, value: { directory: true, name: 'dir', streams: [] } })
    expect(run(m, (io) => itemProperties(io, path('C:\\gone.txt')))).toMatchObject({ ok: false, status: STATUS.STATUS_OBJECT_NAME_NOT_FOUND })
  })
})

describe('runInExplorer', () => {
  it('runs on a thread of explorer.exe and says so when the machine is not running', () => {
    const m = bootMachine()
    let tid = 0
    const r = runInExplorer(m, 'probe', function* () {
      tid = m.ke.currentThread.tid
      return 5
    })
    expect(r).toEqual({ done: true, value: 5 })
    expect(m.processOfThread(tid)?.imageName).toBe('explorer.exe')
    m.shutdown()
    expect(runInExplorer(m, 'late', function* () {
      return 1
    })).toMatchObject({ done: false, problem: 'the machine is stopped' })
  })
})
