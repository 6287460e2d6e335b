// explorer.list and explorer.properties through a session with a real kernel worker: the
// sample C:, the trace events the calls cause, and the typed errors.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Session } from './session.ts'
import type { EventMessage, FolderListingData, ItemPropertiesData, TraceEventData } from './api.ts'
import { CAMERA_ROLL_COUNT } from './sample-volume.ts'

let session: Session
const events: EventMessage[] = []

beforeAll(async () => {
  session = new Session({ heartbeatMs: 200, hangTimeoutMs: 10_000, log: () => undefined })
  session.onEvent((e) => events.push(e))
  const status = await session.start()
  expect(status).toMatchObject({ worker: 'ready', machine: { state: 'running' } })
}, 60_000)

afterAll(async () => {
  await session.close()
})

async function call(method: string, params: unknown): Promise<{ result?: unknown; error?: { code: string; message: string; status?: string } }> {
  return (await session.handle({ id: 1, method, params })) as never
}

function traceSince(mark: number): TraceEventData[] {
  return events.slice(mark).flatMap((e) => (e.event === 'trace.events' ? e.data.events : []))
}

describe('explorer.list', () => {
  it('lists the root of the sample C:', async () => {
    const r = await call('explorer.list', { path: 'C:\\' })
    const listing = r.result as FolderListingData
    expect(listing.path).toBe('C:\\')
    const names = listing.entries.map((e) => e.name)
    expect(names).toEqual(expect.arrayContaining(['Users', 'Windows', 'Program Files', 'ProgramData', 'Documents and Settings']))
    const junction = listing.entries.find((e) => e.name === 'Documents and Settings')
    expect(junction).toMatchObject({ directory: true, reparseTag: 0xa0000003 })
    expect(junction?.attributes).toEqual(expect.arrayContaining(['FILE_ATTRIBUTE_HIDDEN', 'FILE_ATTRIBUTE_SYSTEM', 'FILE_ATTRIBUTE_REPARSE_POINT']))
    expect(listing.entries.find((e) => e.name === 'ProgramData')?.attributes).toContain('FILE_ATTRIBUTE_HIDDEN')
    expect(listing.entries.find((e) => e.name === 'Windows')?.modified).toBe('2023-05-06T08:12:40.0000000Z')
  })

  it('sends the IRPs it caused as trace events before it answers, with Detail as text', async () => {
    const mark = events.length
    const r = await call('explorer.list', { path: 'c:\\users\\' })
    expect((r.result as FolderListingData).entries.map((e) => e.name)).toEqual(['Public', 'User'])
    const trace = traceSince(mark).filter((e) => e.phase === 'complete')
    expect(trace.map((e) => [e.process, e.procmon, e.path, e.status])).toEqual([
      ['explorer.exe', 'CreateFile', 'C:\\users', 'STATUS_SUCCESS'],
      ['explorer.exe', 'QueryDirectory', 'C:\\users', 'STATUS_SUCCESS'],
      ['explorer.exe', 'QueryDirectory', 'C:\\users', 'STATUS_NO_MORE_FILES'],
      ['explorer.exe', 'CloseFile', 'C:\\users', 'STATUS_SUCCESS'],
      ['explorer.exe', 'IRP_MJ_CLOSE', 'C:\\users', 'STATUS_SUCCESS'],
    ])
    expect(trace[1]?.detail).toBe('Filter: *, 1: ., FileInformationClass: FileIdBothDirectoryInformation, 3: Public, 4: User')
    expect(trace[1]).toMatchObject({ op: 'IRP_MJ_DIRECTORY_CONTROL', minor: 'IRP_MN_QUERY_DIRECTORY' })
    expect(typeof trace[0]?.detail).toBe('string')
    expect(trace[0]?.detail).toContain('Options: Directory, Synchronous IO Non-Alert,')
    expect(trace[0]?.detail).not.toContain('Open For Backup')
  })

  it('lists a folder of hundreds of files', async () => {
    const r = await call('explorer.list', { path: 'C:\\Users\\User\\Pictures\\Camera Roll' })
    const entries = (r.result as FolderListingData).entries
    expect(entries).toHaveLength(CAMERA_ROLL_COUNT)
    expect(entries[0]?.name).toMatch(/^IMG_\d{8}_0001\.jpg$/)
  })

  it('names the NTSTATUS when an NT call fails', async () => {
    const missing = await call('explorer.list', { path: 'C:\\Users\\Nobody' })
    expect(missing.error).toEqual({
      code: 'nt-status',
      status: 'STATUS_OBJECT_NAME_NOT_FOUND',
      message: 'explorer.exe could not list C:\\Users\\Nobody: STATUS_OBJECT_NAME_NOT_FOUND (NtCreateFile)',
    })
    const file = await call('explorer.list', { path: 'C:\\Windows\\win.ini' })
    expect(file.error).toMatchObject({ code: 'nt-status', status: 'STATUS_NOT_A_DIRECTORY' })
  })

  it('refuses paths that are not full drive paths, before and inside the worker', async () => {
    expect((await call('explorer.list', { path: 'Users' })).error).toMatchObject({ code: 'invalid-params', message: expect.stringContaining('a full path on a drive') })
    expect((await call('explorer.list', { path: 'C:\\a|b' })).error).toMatchObject({ code: 'invalid-params' })
    expect((await call('explorer.list', {})).error).toMatchObject({ code: 'invalid-params', message: expect.stringContaining('params.path is required') })
    expect((await call('explorer.list', { path: 'C:\\Users\\..\\Windows' })).error).toMatchObject({ code: 'invalid-params', message: expect.stringContaining('".."') })
  })
})

describe('explorer.properties', () => {
  it('reads a download with its Zone.Identifier stream', async () => {
    const r = await call('explorer.properties', { path: 'C:\\Users\\User\\Downloads\\SampleAppSetup.exe' })
    const p = r.result as ItemPropertiesData
    expect(p).toMatchObject({ name: 'SampleAppSetup.exe', directory: false, size: 212 * 1024, links: 1, deletePending: false })
    expect(p.streams.map((s) => s.name)).toEqual(['', 'Zone.Identifier'])
  })

  it('reads a read-only file, a folder and a junction', async () => {
    const contract = (await call('explorer.properties', { path: 'C:\\Users\\User\\Documents\\Signed contract.pdf' })).result as ItemPropertiesData
    expect(contract.attributes).toContain('FILE_ATTRIBUTE_READONLY')
    const folder = (await call('explorer.properties', { path: 'C:\\Users' })).result as ItemPropertiesData
    expect(folder).toMatchObject({ directory: true, name: 'Users' })
    const junction = (await call('explorer.properties', { path: 'C:\\Documents and Settings' })).result as ItemPropertiesData
    expect(junction.reparseTag).toBe(0xa0000003)
  })
})

describe('explorer.exe\'s file commands', () => {
  it('makes a new folder, renames it, and settles a collision only when told how', async () => {
    const made = await call('explorer.newFolder', { path: 'C:\\Users\\Public\\Documents' })
    expect(made.result).toEqual({ targets: ['C:\\Users\\Public\\Documents\\New folder'], skipped: [] })
    const renamed = await call('explorer.rename', { path: 'C:\\Users\\Public\\Documents\\New folder', newName: 'Plans' })
    expect(renamed.result).toEqual({ targets: ['C:\\Users\\Public\\Documents\\Plans'], skipped: [] })
    const clash = await call('explorer.rename', { path: 'C:\\Users\\Public\\Documents\\Plans', newName: 'readme.txt' })
    expect(clash.error).toMatchObject({ code: 'conflict', message: expect.stringContaining('C:\\Users\\Public\\Documents\\readme.txt already exists') })
    const both = await call('explorer.newFolder', { path: 'C:\\Users\\Public\\Documents', name: 'Plans', conflict: 'keepBoth' })
    expect(both.result).toEqual({ targets: ['C:\\Users\\Public\\Documents\\Plans (2)'], skipped: [] })
    const listing = (await call('explorer.list', { path: 'C:\\Users\\Public\\Documents' })).result as FolderListingData
    expect(listing.entries.map((e) => e.name)).toEqual(['Plans', 'Plans (2)', 'readme.txt'])
  })

  it('recycles, deletes permanently, and names the status of a failure', async () => {
    const mark = events.length
    const recycled = await call('explorer.delete', { paths: ['C:\\Users\\User\\Documents\\notes.txt'] })
    expect(recycled.result).toMatchObject({ targets: [expect.stringMatching(/^C:\\\$Recycle\.Bin\\S-1-5-21-[\d-]+\\\$R\w{6}\.txt$/)], info: [expect.stringMatching(/\$I\w{6}\.txt$/)] })
    const renames = traceSince(mark).filter((e) => e.procmon === 'SetRenameInformationFile' && e.phase === 'complete')
    expect(renames.map((e) => [e.process, e.status])).toEqual([['explorer.exe', 'STATUS_SUCCESS']])
    const gone = await call('explorer.delete', { paths: ['C:\\Users\\User\\Documents\\budget 2024.xlsx'], permanent: true })
    expect(gone.result).toEqual({ targets: ['C:\\Users\\User\\Documents\\budget 2024.xlsx'], skipped: [] })
    const listing = (await call('explorer.list', { path: 'C:\\Users\\User\\Documents' })).result as FolderListingData
    expect(listing.entries.map((e) => e.name)).toEqual(['report.docx', 'Signed contract.pdf'])
    const missing = await call('explorer.rename', { path: 'C:\\Users\\Nobody.txt', newName: 'x.txt' })
    expect(missing.error).toEqual({
      code: 'nt-status',
      status: 'STATUS_OBJECT_NAME_NOT_FOUND',
      message: 'explorer.exe could not rename C:\\Users\\Nobody.txt: ERROR_FILE_NOT_FOUND (STATUS_OBJECT_NAME_NOT_FOUND)',
    })
    expect((await call('explorer.delete', { paths: ['C:\\'] })).error).toMatchObject({ code: 'invalid-params', message: expect.stringContaining("drive's root") })
  })
})

describe('explorer calls and the machine state', () => {
  it('are refused with invalid-state while the machine is shut down', async () => {
    await call('machine.shutdown', {})
    const r = await call('explorer.list', { path: 'C:\\' })
    expect(r.error).toMatchObject({ code: 'invalid-state', message: expect.stringContaining('stopped') })
    await call('machine.boot', {})
    expect(((await call('explorer.list', { path: 'C:\\Users' })).result as FolderListingData).entries).toHaveLength(2)
  }, 60_000)
})
