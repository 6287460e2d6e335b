import { describe, expect, it } from 'vitest'
import { ACCESS } from '../../nt/access.ts'
import { FILE_ATTRIBUTE, SHARE_ACCESS } from '../../nt/file.ts'
import { CREATION_DISPOSITION } from '../constants.ts'
import { CloseHandle, CreateFileW } from '../create.ts'
import { ERROR } from '../errors.ts'
import { USER_SID } from '../../machine.ts'
import { GetFileAttributesW, SetFileAttributesW } from '../fileinfo.ts'
import { fsOps, testMachine } from '../test-machine.ts'
import { decodeRecycleInfo } from './formats.ts'
import * as sh from './index.ts'

const text = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined)
const BIN = `C:\\$Recycle.Bin\\${USER_SID}`

describe('copy and move', () => {
  it('copies a folder tree: lists it first, then makes folders and copies files', () => {
    const tm = testMachine()
    tm.make({ 'C:\\src\\a.txt': 'A', 'C:\\src\\sub\\b.txt': 'B', 'C:\\dst\\': '' })
    tm.clearTrace()
    const r = tm.run((env) => sh.copyItems(env, ['C:\\src'], 'C:\\dst'))
    expect(r).toEqual({ ok: true, targets: ['C:\\dst\\src'], skipped: [] })
    expect(text(tm.read('C:\\dst\\src\\a.txt'))).toBe('A')
    expect(text(tm.read('C:\\dst\\src\\sub\\b.txt'))).toBe('B')
    const ops = fsOps(tm.trace())
    // every folder of the source is listed before the first folder is made
    const lastList = ops.map((o, i) => (o.startsWith('QueryDirectory C:\\src') ? i : -1)).reduce((a, b) => Math.max(a, b))
    const firstMake = ops.findIndex((o) => o.startsWith('CreateFile C:\\dst\\src') && !o.includes('NOT_FOUND'))
    expect(lastList).toBeLessThan(firstMake)
  })
  it('settles conflicts: no choice is an error, skip, keep both as "name (2)", replace', () => {
    const tm = testMachine()
    tm.make({ 'C:\\a.txt': 'new', 'C:\\dst\\a.txt': 'old' })
    const unresolved = tm.run(function* (env) {
      try {
        yield* sh.copyItems(env, ['C:\\a.txt'], 'C:\\dst')
        return 'copied'
      } catch (e) {
        return e instanceof sh.ShellConflict ? e.message : String(e)
      }
    })
    expect(unresolved).toMatch(/C:\\dst\\a\.txt already exists; give conflict: replace, skip or keepBoth/)
    expect(tm.run((env) => sh.copyItems(env, ['C:\\a.txt'], 'C:\\dst', 'skip'))).toEqual({ ok: true, targets: [], skipped: ['C:\\a.txt'] })
    expect(tm.run((env) => sh.copyItems(env, ['C:\\a.txt'], 'C:\\dst', 'keepBoth')).targets).toEqual(['C:\\dst\\a (2).txt'])
    expect(tm.run((env) => sh.copyItems(env, ['C:\\a.txt'], 'C:\\dst', 'keepBoth')).targets).toEqual(['C:\\dst\\a (3).txt'])
    expect(text(tm.read('C:\\dst\\a.txt'))).toBe('old')
    expect(tm.run((env) => sh.copyItems(env, ['C:\\a.txt'], 'C:\\dst', 'replace')).ok).toBe(true)
    expect(text(tm.read('C:\\dst\\a.txt'))).toBe('new')
  })
  it('a copy into the item\'s own folder is "name - Copy"', () => {
    const tm = testMachine()
    tm.make({ 'C:\\d\\a.txt': 'x' })
    const r = tm.run(function* (env) {
      const one = yield* sh.copyItems(env, ['C:\\d\\a.txt'], 'C:\\d')
      const two = yield* sh.copyItems(env, ['C:\\d\\a.txt'], 'C:\\d')
      return [...one.targets, ...two.targets]
    })
    expect(r).toEqual(['C:\\d\\a - Copy.txt', 'C:\\d\\a - Copy (2).txt'])
  })
  it('a move on one volume is a rename: no reads or writes of the data', () => {
    const tm = testMachine()
    tm.make({ 'C:\\a\\f.bin': 'data', 'C:\\b\\': '' })
    tm.clearTrace()
    const r = tm.run((env) => sh.moveItems(env, ['C:\\a\\f.bin'], 'C:\\b'))
    expect(r.targets).toEqual(['C:\\b\\f.bin'])
    const ops = fsOps(tm.trace())
    expect(ops.some((o) => o.startsWith('SetRenameInformationFile C:\\a\\f.bin'))).toBe(true)
    expect(ops.some((o) => o.startsWith('ReadFile') || o.startsWith('WriteFile'))).toBe(false)
  })
  it('moves a folder across volumes item by item and removes the source; undo brings it back', () => {
    const tm = testMachine({ volumeD: true })
    tm.make({ 'C:\\f\\a.txt': 'A', 'C:\\f\\s\\b.txt': 'B' })
    const r = tm.run((env) => sh.moveItems(env, ['C:\\f'], 'D:\\'))
    expect(r.targets).toEqual(['D:\\f'])
    expect(text(tm.read('D:\\f\\s\\b.txt'))).toBe('B')
    expect(tm.read('C:\\f\\a.txt')).toBeUndefined()
    const u = tm.run((env) => sh.undo(env))
    expect(u.undone).toBe('move')
    expect(text(tm.read('C:\\f\\s\\b.txt'))).toBe('B')
    expect(tm.read('D:\\f\\a.txt')).toBeUndefined()
  })
  it('rename (F2) probes the new name, then renames; undo renames back', () => {
    const tm = testMachine()
    tm.make({ 'C:\\d\\old.txt': 'x' })
    tm.clearTrace()
    const r = tm.run((env) => sh.renameItem(env, 'C:\\d\\old.txt', 'new.txt'))
    expect(r.targets).toEqual(['C:\\d\\new.txt'])
    const ops = fsOps(tm.trace())
    expect(ops.indexOf('CreateFile C:\\d\\new.txt STATUS_OBJECT_NAME_NOT_FOUND')).toBeLessThan(ops.findIndex((o) => o.startsWith('SetRenameInformationFile')))
    tm.run((env) => sh.undo(env))
    expect(text(tm.read('C:\\d\\old.txt'))).toBe('x')
  })
})

describe('delete', () => {
  it('recycles: the probe, the bin folders, the $R rename and the $I file; undo restores and removes $I', () => {
    const tm = testMachine()
    tm.make({ 'C:\\docs\\a.txt': 'hello' })
    tm.clearTrace()
    const r = tm.run((env) => sh.recycleItems(env, ['C:\\docs\\a.txt']))
    expect(r.ok).toBe(true)
    const [recycled] = r.targets
    const [info] = r.info!
    expect(recycled).toMatch(/^C:\\\$Recycle\.Bin\\S-1-5-21-[0-9-]+\\\$R[A-Z0-9]{6}\.txt$/)
    expect(info).toBe(recycled!.replace(/\\\$R([A-Z0-9]{6}\.txt)$/, '\\$$I$1'))
    expect(text(tm.read(recycled!))).toBe('hello')
    const meta = decodeRecycleInfo(tm.read(info!)!)
    expect(meta).toMatchObject({ version: 2, size: 5, originalPath: 'C:\\docs\\a.txt' })
    const ops = fsOps(tm.trace()).filter((o) => !o.startsWith('IRP_MJ_CLOSE'))
    const dispositions = ops.filter((o) => o.startsWith('SetDispositionInformationFile C:\\docs\\a.txt'))
    expect(dispositions.length).toBe(2)
    expect(ops.indexOf(dispositions[1]!)).toBeLessThan(ops.findIndex((o) => o.startsWith('SetRenameInformationFile C:\\docs\\a.txt')))
    const attrs = tm.run((env) => GetFileAttributesW(env, BIN))
    expect(attrs & (FILE_ATTRIBUTE.FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE.FILE_ATTRIBUTE_SYSTEM)).toBe(FILE_ATTRIBUTE.FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE.FILE_ATTRIBUTE_SYSTEM)
    expect(tm.read(`${BIN}\\desktop.ini`)).toBeDefined()
    const u = tm.run((env) => sh.undo(env))
    expect(u.undone).toBe('recycle')
    expect(text(tm.read('C:\\docs\\a.txt'))).toBe('hello')
    expect(tm.read(info!)).toBeUndefined()
  })
  it('recycles a read-only file (the probe cannot set the disposition, the rename still works); a file open without delete sharing stays', () => {
    const tm = testMachine()
    tm.make({ 'C:\\ro.txt': 'ro', 'C:\\open.txt': 'busy' })
    tm.run((env) => SetFileAttributesW(env, 'C:\\ro.txt', FILE_ATTRIBUTE.FILE_ATTRIBUTE_READONLY))
    expect(tm.run((env) => sh.recycleItems(env, ['C:\\ro.txt'])).ok).toBe(true)
    const r = tm.run(function* (env) {
      const h = yield* CreateFileW(env, { FileName: 'C:\\open.txt', DesiredAccess: ACCESS.GENERIC_READ, ShareMode: SHARE_ACCESS.FILE_SHARE_READ, CreationDisposition: CREATION_DISPOSITION.OPEN_EXISTING, FlagsAndAttributes: 0 })
      const out = yield* sh.recycleItems(env, ['C:\\open.txt'])
      yield* CloseHandle(env, h.handle)
      return out
    }, 'winword.exe')
    expect(r).toMatchObject({ ok: false, error: ERROR.ERROR_SHARING_VIOLATION, failedAt: 'C:\\open.txt' })
    expect(text(tm.read('C:\\open.txt'))).toBe('busy')
  })
  it('recycles a folder with the size of its files in $I', () => {
    const tm = testMachine()
    tm.make({ 'C:\\f\\a.txt': '123', 'C:\\f\\s\\b.txt': '4567' })
    const r = tm.run((env) => sh.recycleItems(env, ['C:\\f']))
    expect(r.ok).toBe(true)
    expect(decodeRecycleInfo(tm.read(r.info![0]!)!)?.size).toBe(7)
    expect(text(tm.read(`${r.targets[0]}\\s\\b.txt`))).toBe('4567')
  })
  it('Shift+Delete removes a tree depth-first, read-only files too; it leaves nothing to undo', () => {
    const tm = testMachine()
    tm.make({ 'C:\\t\\a.txt': 'a', 'C:\\t\\s\\b.txt': 'b' })
    tm.run((env) => SetFileAttributesW(env, 'C:\\t\\s\\b.txt', FILE_ATTRIBUTE.FILE_ATTRIBUTE_READONLY))
    const r = tm.run((env) => sh.deleteItems(env, ['C:\\t']))
    expect(r.ok).toBe(true)
    expect(tm.read('C:\\t\\a.txt')).toBeUndefined()
    expect(tm.run((env) => GetFileAttributesW(env, 'C:\\t'))).toBe(0xffffffff)
    expect(tm.run((env) => sh.undo(env)).undone).toBeUndefined()
  })
})

describe('new items, shortcuts and undo', () => {
  it('probes "New folder", "New folder (2)" … and creates the first free name; the typed name renames it', () => {
    const tm = testMachine({ settings: { 'shell.newFolderProbes': 2 } })
    tm.make({ 'C:\\w\\New folder\\': '' })
    tm.clearTrace()
    const r = tm.run((env) => sh.newFolder(env, 'C:\\w', 'Reports'))
    expect(r.targets).toEqual(['C:\\w\\Reports'])
    const probes = fsOps(tm.trace()).filter((o) => o.startsWith('CreateFile C:\\w\\New folder (2) STATUS_OBJECT_NAME_NOT_FOUND'))
    expect(probes.length).toBe(2)
    expect(tm.run((env) => sh.undo(env)).undone).toBe('new')
    expect(tm.run((env) => GetFileAttributesW(env, 'C:\\w\\Reports'))).toBe(0xffffffff)
  })
  it('New Text Document is an empty file', () => {
    const tm = testMachine()
    tm.make({ 'C:\\w\\': '' })
    const r = tm.run((env) => sh.newTextDocument(env, 'C:\\w'))
    expect(r.targets).toEqual(['C:\\w\\New Text Document.txt'])
    expect(tm.read('C:\\w\\New Text Document.txt')?.length).toBe(0)
  })
  it('a shortcut follows the observed .lnk sequence: target attributes, object id, OverwriteIf create, one write', () => {
    const tm = testMachine()
    tm.make({ 'C:\\app\\tool.exe': 'MZ', 'C:\\desk\\': '' })
    tm.clearTrace()
    const r = tm.run((env) => sh.drop(env, ['C:\\app\\tool.exe'], 'C:\\desk', ['alt']))
    expect(r).toMatchObject({ ok: true, effect: 'link', targets: ['C:\\desk\\tool.exe - Shortcut.lnk'] })
    const ops = fsOps(tm.trace()).filter((o) => !o.startsWith('IRP_MJ_CLOSE'))
    const i = ops.indexOf('FileSystemControl C:\\app\\tool.exe')
    expect(i).toBeGreaterThan(0)
    expect(ops.slice(i)).toContain('WriteFile C:\\desk\\tool.exe - Shortcut.lnk')
    const lnk = tm.read('C:\\desk\\tool.exe - Shortcut.lnk')!
    expect(new DataView(lnk.buffer, lnk.byteOffset).getUint32(0, true)).toBe(0x4c)
    const create = tm.trace().find((e) => e.op === 'IRP_MJ_CREATE' && e.phase === 'complete' && e.path.endsWith('.lnk') && e.status === 'STATUS_SUCCESS')!
    expect(create.detail).toContain('Disposition: OverwriteIf')
  })
  it('undo of a copy deletes the copies; with nothing left, undo does nothing', () => {
    const tm = testMachine()
    tm.make({ 'C:\\a.txt': 'x', 'C:\\d\\': '' })
    tm.run((env) => sh.copyItems(env, ['C:\\a.txt'], 'C:\\d'))
    expect(tm.run((env) => sh.undo(env)).undone).toBe('copy')
    expect(tm.read('C:\\d\\a.txt')).toBeUndefined()
    expect(text(tm.read('C:\\a.txt'))).toBe('x')
    expect(tm.run((env) => sh.undo(env))).toEqual({ ok: false, targets: [], skipped: [] })
  })
})
