// The Explorer's file operations, the power button, the settings and fltmc through a session
// with a real kernel worker: the sample C:, an empty D:, the trace events the calls cause, and
// the typed errors.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Session } from './session.ts'
import type { EventMessage, FolderListingData, SettingsListData, TraceEventData } from './api.ts'

let session: Session
const events: EventMessage[] = []
const DOCS = 'C:\\Users\\User\\Documents'
const SID = 'S-1-5-21-3623811015-3361044348-30300820-1001'

beforeAll(async () => {
  session = new Session({ heartbeatMs: 200, hangTimeoutMs: 10_000, log: () => undefined })
  session.onEvent((e) => events.push(e))
  const status = await session.start()
  expect(status).toMatchObject({ worker: 'ready', machine: { state: 'running' } })
}, 60_000)

afterAll(async () => {
  await session.close()
})

type Reply = { result?: Record<string, unknown>; error?: { code: string; message: string; status?: string } }

async function call(method: string, params: unknown = {}): Promise<Reply> {
  return (await session.handle({ id: 1, method, params })) as never
}

async function names(path: string): Promise<string[]> {
  const r = await call('explorer.list', { path })
  return ((r.result as unknown as FolderListingData).entries ?? []).map((e) => e.name)
}

function traceSince(mark: number): TraceEventData[] {
  return events.slice(mark).flatMap((e) => (e.event === 'trace.events' ? e.data.events : []))
}

describe('the machine has C: and an empty D:', () => {
  it('mounts both', () => {
    expect(session.current().machine?.volumes.map((v) => v.letter)).toEqual(['C:', 'D:'])
  })
})

describe('copy, move, drop, undo', () => {
  it('copies a file with explorer.exe, whose create and write reach the trace', async () => {
    await call('explorer.newFolder', { path: DOCS, name: 'Copies' })
    const mark = events.length
    const r = await call('explorer.copy', { paths: [`${DOCS}\\notes.txt`], to: `${DOCS}\\Copies` })
    expect(r.result).toEqual({ targets: [`${DOCS}\\Copies\\notes.txt`], skipped: [] })
    expect(await names(`${DOCS}\\Copies`)).toEqual(['notes.txt'])
    const mine = traceSince(mark).filter((e) => e.process === 'explorer.exe' && e.path === `${DOCS}\\Copies\\notes.txt` && e.phase === 'complete')
    expect(mine.map((e) => e.op)).toEqual(expect.arrayContaining(['IRP_MJ_CREATE', 'IRP_MJ_WRITE']))
  })

  it('asks about a name collision (conflict), then keeps both when told', async () => {
    const again = await call('explorer.copy', { paths: [`${DOCS}\\notes.txt`], to: `${DOCS}\\Copies` })
    expect(again.error).toMatchObject({ code: 'conflict' })
    expect(again.error?.message).toContain(`${DOCS}\\Copies\\notes.txt already exists`)
    const both = await call('explorer.copy', { paths: [`${DOCS}\\notes.txt`], to: `${DOCS}\\Copies`, conflict: 'keepBoth' })
    expect(both.result).toEqual({ targets: [`${DOCS}\\Copies\\notes (2).txt`], skipped: [] })
    const skip = await call('explorer.copy', { paths: [`${DOCS}\\notes.txt`], to: `${DOCS}\\Copies`, conflict: 'skip' })
    expect(skip.result).toEqual({ targets: [], skipped: [`${DOCS}\\notes.txt`] })
  })

  it('drops with Explorer rules: same volume moves (a rename), another volume copies, Ctrl copies, Alt links', async () => {
    const mark = events.length
    const moved = await call('explorer.drop', { from: [`${DOCS}\\Copies\\notes (2).txt`], to: DOCS })
    expect(moved.result).toMatchObject({ effect: 'move', targets: [`${DOCS}\\notes (2).txt`] })
    const renames = traceSince(mark).filter((e) => e.procmon === 'SetRenameInformationFile' && e.phase === 'complete')
    expect(renames.length).toBeGreaterThan(0)
    expect(traceSince(mark).some((e) => e.op === 'IRP_MJ_WRITE' && e.path.endsWith('notes (2).txt'))).toBe(false)

    const toD = await call('explorer.drop', { from: [`${DOCS}\\notes (2).txt`], to: 'D:\\' })
    expect(toD.result).toMatchObject({ effect: 'copy', targets: ['D:\\notes (2).txt'] })
    expect(await names(DOCS)).toContain('notes (2).txt')

    const ctrl = await call('explorer.drop', { from: [`${DOCS}\\notes (2).txt`], to: `${DOCS}\\Copies`, keys: { ctrl: true } })
    expect(ctrl.result).toMatchObject({ effect: 'copy' })
    const link = await call('explorer.drop', { from: [`${DOCS}\\notes (2).txt`], to: 'D:\\', keys: { alt: true } })
    expect(link.result).toMatchObject({ effect: 'link' })
    expect((link.result?.['targets'] as string[])[0]).toMatch(/^D:\\notes \(2\)\.txt - Shortcut\.lnk$/)
  })

  it('undoes the last operation, and then the one before', async () => {
    const r = await call('explorer.undo')
    expect(r.result).toMatchObject({ undone: 'link' })
    expect((await names('D:\\')).some((n) => n.endsWith('.lnk'))).toBe(false)
    await call('explorer.move', { paths: [`${DOCS}\\notes (2).txt`], to: 'D:\\', conflict: 'replace' })
    expect(await names(DOCS)).not.toContain('notes (2).txt')
    const back = await call('explorer.undo')
    expect(back.result).toMatchObject({ undone: 'move', targets: [`${DOCS}\\notes (2).txt`] })
    expect(await names(DOCS)).toContain('notes (2).txt')
  })

  it('sends an item to the Recycle Bin, where it can be listed, and undo restores it', async () => {
    const r = await call('explorer.delete', { paths: [`${DOCS}\\notes (2).txt`] })
    const recycled = (r.result?.['targets'] as string[])[0] ?? ''
    expect(recycled).toMatch(new RegExp(`^C:\\\\\\$Recycle\\.Bin\\\\${SID}\\\\\\$R[A-Z0-9]{6}\\.txt$`))
    const bin = await names(`C:\\$Recycle.Bin\\${SID}`)
    expect(bin).toContain(recycled.slice(recycled.lastIndexOf('\\') + 1))
    expect(bin.some((n) => n.startsWith('$I'))).toBe(true)
    // the Recycle Bin's view: explorer.exe reads the $I record for the original place
    const mark = events.length
    const view = (await call('explorer.recycleBin', { drive: 'C:' })).result as { path: string; items: { name: string; originalPath: string; size: number; deleted: string }[] }
    expect(view.path).toBe(`C:\\$Recycle.Bin\\${SID}`)
    expect(view.items).toEqual([expect.objectContaining({ name: recycled.slice(recycled.lastIndexOf('\\') + 1), originalPath: `${DOCS}\\notes (2).txt`, size: 40 })])
    expect(view.items[0]?.deleted).toMatch(/^20\d\d-/)
    expect(traceSince(mark).some((e) => e.op === 'IRP_MJ_READ' && e.path.includes('$I') && e.process === 'explorer.exe')).toBe(true)
    expect((await call('explorer.recycleBin', { drive: 'D:' })).result).toEqual({ path: `D:\\$Recycle.Bin\\${SID}`, items: [] })
    expect((await call('explorer.undo')).result).toMatchObject({ undone: 'recycle' })
    expect(await names(DOCS)).toContain('notes (2).txt')
  })

  it('makes a text document, which undo removes', async () => {
    const r = await call('explorer.newTextDocument', { path: 'D:\\', name: 'todo.txt' })
    expect(r.result).toMatchObject({ targets: ['D:\\todo.txt'] })
    expect(await names('D:\\')).toContain('todo.txt')
    expect((await call('explorer.undo')).result).toMatchObject({ undone: 'new' })
    expect(await names('D:\\')).not.toContain('todo.txt')
  })

  it('refuses bad parameters with the place named', async () => {
    expect((await call('explorer.copy', { paths: [], to: 'C:\\' })).error).toMatchObject({ code: 'invalid-params', message: expect.stringContaining('paths') })
    expect((await call('explorer.drop', { from: ['C:\\a'], to: 'C:\\', keys: { meta: true } })).error).toMatchObject({ code: 'invalid-params', message: expect.stringContaining('keys.meta') })
    const missing = await call('explorer.copy', { paths: ['C:\\nothing here.txt'], to: 'D:\\' })
    expect(missing.error).toMatchObject({ code: 'nt-status', status: 'STATUS_OBJECT_NAME_NOT_FOUND' })
  })
})

describe('settings', () => {
  it('lists every setting with its value, default and unit', async () => {
    const r = (await call('settings.get')).result as unknown as SettingsListData
    const byName = new Map(r.settings.map((s) => [s.name, s]))
    expect(byName.get('cacheManager')).toMatchObject({ value: true, default: true, unit: 'switch', applies: 'restart' })
    expect(byName.get('lazyWriterFirstDelayMs')).toMatchObject({ value: 3000, unit: 'ms', component: 'cache' })
    expect(byName.get('copy.writeChunk')).toMatchObject({ value: 65536, unit: 'bytes', applies: 'now' })
    expect(byName.get('shell.recycleProbe')).toMatchObject({ value: true, unit: 'switch', component: 'shell' })
    expect(r.pendingRestart).toEqual([])
  })

  it('checks values with the kernel rules and says which wait for a restart', async () => {
    expect((await call('settings.set', { values: { 'copy.writeChunk': 1000 } })).error).toMatchObject({ code: 'invalid-params', message: expect.stringContaining('copy.writeChunk: 1000 is not a multiple of 512') })
    expect((await call('settings.set', { values: { lazyWriterIntervalMs: 0 } })).error?.message).toContain('lazyWriterIntervalMs: expected a positive whole number')
    expect((await call('settings.set', { values: { lazyWriterIntervalM: 5 } })).error?.message).toContain('did you mean lazyWriterIntervalMs')
    expect((await call('settings.set', { values: { cacheManager: 1 } })).error?.message).toContain('cacheManager: expected on or off')
    const r = (await call('settings.set', { values: { lazyWriterIntervalMs: 500, 'copy.writeChunk': 4096 } })).result as unknown as SettingsListData
    expect(r.settings.find((s) => s.name === 'lazyWriterIntervalMs')).toMatchObject({ value: 500, default: 1000 })
    expect(r.pendingRestart).toEqual(['lazyWriterIntervalMs'])
    // back to the defaults
    const reset = (await call('settings.set', { values: { lazyWriterIntervalMs: 1000, 'copy.writeChunk': 65536 } })).result as unknown as SettingsListData
    expect(reset.pendingRestart).toEqual([])
  })
})

describe('fltmc', () => {
  it('loads passthrough, whose instances then see explorer.exe\'s IRPs, and detaches, attaches and unloads it', async () => {
    const loaded = await call('fltmc.load', { name: 'passthrough' })
    expect(loaded.result?.['filters']).toEqual([expect.objectContaining({ name: 'passthrough', frame: 0 })])
    const instances = loaded.result?.['instances'] as { volume: string; filter: string }[]
    expect(instances.filter((i) => i.filter === 'passthrough').map((i) => i.volume).sort()).toEqual(['C:', 'D:'])
    expect(loaded.result?.['builtins']).toEqual(expect.arrayContaining(['passthrough', 'minispy']))

    const mark = events.length
    await call('explorer.list', { path: 'C:\\Users' })
    expect(traceSince(mark).some((e) => typeof e.at === 'string' && e.at.startsWith('passthrough@'))).toBe(true)

    const detached = await call('fltmc.detach', { name: 'passthrough', volume: 'D:' })
    expect((detached.result?.['instances'] as { volume: string }[]).map((i) => i.volume)).toEqual(['C:'])
    const again = await call('fltmc.detach', { name: 'passthrough', volume: 'D:' })
    expect(again.error).toMatchObject({ code: 'nt-status', status: 'STATUS_FLT_INSTANCE_NOT_FOUND' })
    const attached = await call('fltmc.attach', { name: 'passthrough', volume: 'D:' })
    expect((attached.result?.['instances'] as unknown[]).length).toBe(2)
    const unloaded = await call('fltmc.unload', { name: 'passthrough' })
    expect(unloaded.result?.['filters']).toEqual([])
  })

  it('names the NTSTATUS of a refused command, and checks altitudes', async () => {
    expect((await call('fltmc.load', { name: 'nosuchfilter' })).error).toMatchObject({ code: 'nt-status', status: 'STATUS_OBJECT_NAME_NOT_FOUND', message: expect.stringContaining("no built-in filter named 'nosuchfilter'") })
    expect((await call('fltmc.unload', { name: 'minispy' })).error).toMatchObject({ code: 'nt-status', status: 'STATUS_FLT_FILTER_NOT_FOUND' })
    expect((await call('fltmc.load', { name: 'minispy', altitude: 'high' })).error).toMatchObject({ code: 'invalid-params', message: expect.stringContaining('altitude') })
  })
})

describe('machine.powerOff', () => {
  it('pulls the plug and remounts: the items on disk survive, the trace goes on, Explorer starts over', async () => {
    const generation = session.current().generation
    await call('explorer.newFolder', { path: 'D:\\', name: 'Kept' })
    const before = await names(DOCS)
    const lastSeq = traceSince(0).at(-1)?.seq ?? 0
    const r = await call('machine.powerOff')
    expect(r.result).toMatchObject({ generation, worker: 'ready', machine: { state: 'running' } })
    expect(await names(DOCS)).toEqual(expect.arrayContaining(before.filter((n) => n !== 'desktop.ini')))
    expect(await names('D:\\')).toContain('Kept')
    const after = traceSince(0).at(-1)?.seq ?? 0
    expect(after).toBeGreaterThan(lastSeq)
    // a new explorer.exe: nothing to undo
    const none = await call('explorer.undo')
    expect(none.result).toEqual({ targets: [], skipped: [] })
  })
})
