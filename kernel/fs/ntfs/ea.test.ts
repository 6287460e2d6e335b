// IRP_MJ_QUERY_EA / IRP_MJ_SET_EA on the NTFS driver, with the behaviour WinBtrfs's EA tests
// (src/tests/ea.cpp) expect of Windows NTFS.

import { describe, expect, it } from 'vitest'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_DISPOSITION as D, CREATE_OPTIONS as O, FILE_NEED_EA, SHARE_ACCESS as S } from '../../nt/file.ts'
import { decodeFullEaList, encodeFullEaList, type EaEntryInput } from '../../rtl/structs/ea.ts'
import { forEachStore } from './test-backends.ts'
import type { TestVolume } from './test-support.ts'
import { queryEa, setEa, withVolumeServices } from './test-services.ts'

const EA = ACCESS.FILE_READ_EA | ACCESS.FILE_WRITE_EA | ACCESS.FILE_READ_ATTRIBUTES | ACCESS.SYNCHRONIZE
const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const ea = (Name: string, value: string, Flags = 0): EaEntryInput => ({ Name, Value: text(value), Flags })

function file(vol: () => TestVolume, name = 'ea1'): { v: TestVolume; h: number } {
  const v = withVolumeServices(vol())
  return { v, h: v.create(name, { access: EA }) }
}

function names(bytes: Uint8Array): string[] {
  return decodeFullEaList(bytes).map((e) => `${e.Name}=${new TextDecoder().decode(e.Value)}`)
}

forEachStore((vol) => {
describe('EAs', () => {
  it('a file without EAs: STATUS_NO_EAS_ON_FILE (WinBtrfs "Read EA")', () => {
    const { v, h } = file(vol)
    expect(queryEa(v, h, { restart: true }).name).toBe('STATUS_NO_EAS_ON_FILE')
  })

  it('names are stored upper-cased; FileEaInformation is the 4-aligned FULL_EA size', () => {
    const { v, h } = file(vol)
    expect(setEa(v, h, encodeFullEaList([ea('hello', 'world')])).name).toBe('STATUS_SUCCESS')
    const q = queryEa(v, h, { restart: true })
    expect(q.name).toBe('STATUS_SUCCESS')
    expect(names(q.bytes)).toEqual(['HELLO=world'])
    expect(q.information).toBe(8 + 5 + 1 + 5)
    expect(v.query(h, 'FileEaInformation').info?.EaSize).toBe(20)
  })

  it('setting an existing EA replaces it and moves it to the end (WinBtrfs "Replace first EA")', () => {
    const { v, h } = file(vol)
    setEa(v, h, encodeFullEaList([ea('hello', 'world')]))
    setEa(v, h, encodeFullEaList([ea('fOo', 'bar')]))
    expect(names(queryEa(v, h, { restart: true }).bytes)).toEqual(['HELLO=world', 'FOO=bar'])
    setEa(v, h, encodeFullEaList([ea('HeLlO', 'baz')]))
    expect(names(queryEa(v, h, { restart: true }).bytes)).toEqual(['FOO=bar', 'HELLO=baz'])
  })

  it('a zero-length value deletes; deleting the last one leaves no EAs and EaSize 0', () => {
    const { v, h } = file(vol)
    setEa(v, h, encodeFullEaList([ea('a', '1'), ea('b', '2')]))
    setEa(v, h, encodeFullEaList([{ Name: 'a' }]))
    expect(names(queryEa(v, h, { restart: true }).bytes)).toEqual(['B=2'])
    setEa(v, h, encodeFullEaList([{ Name: 'B' }]))
    expect(queryEa(v, h, { restart: true }).name).toBe('STATUS_NO_EAS_ON_FILE')
    expect(v.query(h, 'FileEaInformation').info?.EaSize).toBe(0)
  })

  it('an EaList query returns the listed EAs in list order; a missing one comes back empty (WinBtrfs "Read non-existent EA")', () => {
    const { v, h } = file(vol)
    setEa(v, h, encodeFullEaList([ea('hello', 'world'), ea('foo', 'bar'), ea('xyzzy', 'plugh')]))
    expect(names(queryEa(v, h, { list: ['xyzzy', 'foo'], restart: true }).bytes)).toEqual(['XYZZY=plugh', 'FOO=bar'])
    expect(names(queryEa(v, h, { list: ['baz'], restart: true }).bytes)).toEqual(['BAZ='])
  })

  it('an EaList is answered whole or not at all, each name once; an illegal name is STATUS_INVALID_EA_NAME (WinFsp ea-test.c)', () => {
    const { v, h } = file(vol)
    setEa(v, h, encodeFullEaList([ea('Aname1', 'first'), ea('bnameTwo', 'second')]))
    const cut = queryEa(v, h, { list: ['Aname1', 'bnameTwo'], length: 20 })
    expect([cut.name, cut.information]).toEqual(['STATUS_BUFFER_OVERFLOW', 0])
    expect(names(queryEa(v, h, { list: ['bnameTwo', 'BNAMETWO'] }).bytes)).toEqual(['BNAMETWO=second'])
    expect(queryEa(v, h, { list: ['bnameTwo', 'bnameTwo*'] }).name).toBe('STATUS_INVALID_EA_NAME')
  })

  it('single-entry queries: a list does not move the position; without one they walk to STATUS_NO_MORE_EAS', () => {
    const { v, h } = file(vol)
    setEa(v, h, encodeFullEaList([ea('hello', 'world'), ea('foo', 'bar'), ea('xyzzy', 'plugh')]))
    expect(names(queryEa(v, h, { list: ['foo', 'xyzzy'], single: true, restart: true }).bytes)).toEqual(['FOO=bar'])
    expect(names(queryEa(v, h, { list: ['foo', 'xyzzy'], single: true }).bytes)).toEqual(['FOO=bar'])
    expect(names(queryEa(v, h, { single: true, restart: true }).bytes)).toEqual(['HELLO=world'])
    expect(names(queryEa(v, h, { single: true }).bytes)).toEqual(['FOO=bar'])
    expect(names(queryEa(v, h, { single: true }).bytes)).toEqual(['XYZZY=plugh'])
    expect(queryEa(v, h, { single: true }).name).toBe('STATUS_NO_MORE_EAS')
  })

  it('EaIndex counts from 1 (WinBtrfs "Read single EA with offset"); past the end is STATUS_NO_MORE_EAS', () => {
    const { v, h } = file(vol)
    setEa(v, h, encodeFullEaList([ea('hello', 'world'), ea('foo', 'bar'), ea('xyzzy', 'plugh')]))
    expect(names(queryEa(v, h, { index: 3, single: true }).bytes)).toEqual(['XYZZY=plugh'])
    expect(queryEa(v, h, { index: 4, single: true }).name).toBe('STATUS_NO_MORE_EAS')
    expect(queryEa(v, h, { index: 9, single: true }).name).toBe('STATUS_NONEXISTENT_EA_ENTRY')
  })

  it('a buffer too small for the first EA is STATUS_BUFFER_TOO_SMALL; for all of them STATUS_BUFFER_OVERFLOW', () => {
    const { v, h } = file(vol)
    setEa(v, h, encodeFullEaList([ea('hello', 'world'), ea('foo', 'bar')]))
    expect(queryEa(v, h, { restart: true, length: 10 }).name).toBe('STATUS_BUFFER_TOO_SMALL')
    const part = queryEa(v, h, { restart: true, length: 24 })
    expect(part.name).toBe('STATUS_BUFFER_OVERFLOW')
    expect(names(part.bytes)).toEqual(['HELLO=world'])
  })

  it('FILE_NEED_EA is kept; opening with FILE_NO_EA_KNOWLEDGE is then STATUS_ACCESS_DENIED (WinBtrfs)', () => {
    const { v, h } = file(vol, 'ea5')
    setEa(v, h, encodeFullEaList([ea('hello', 'world', FILE_NEED_EA)]))
    expect(decodeFullEaList(queryEa(v, h, { restart: true }).bytes)[0]!.Flags).toBe(FILE_NEED_EA)
    v.close(h)
    expect(v.open('ea5', { access: EA, options: O.FILE_NO_EA_KNOWLEDGE, disposition: D.FILE_OPEN }).name).toBe('STATUS_ACCESS_DENIED')
    // before the name collision (WinBtrfs "Open file with FILE_NO_EA_KNOWLEDGE" uses FILE_CREATE)
    expect(v.open('ea5', { access: EA, options: O.FILE_NO_EA_KNOWLEDGE, disposition: D.FILE_CREATE }).name).toBe('STATUS_ACCESS_DENIED')
  })

  it('an illegal EA name is STATUS_INVALID_EA_NAME with the offset of the entry', () => {
    const { v, h } = file(vol)
    const r = setEa(v, h, encodeFullEaList([ea('good', '1'), ea('bad*name', '2')]))
    expect(r.name).toBe('STATUS_INVALID_EA_NAME')
    expect(r.information).toBe(16)
    expect(queryEa(v, h, { restart: true }).name).toBe('STATUS_NO_EAS_ON_FILE')
  })

  it('an inconsistent FILE_FULL_EA_INFORMATION chain is STATUS_EA_LIST_INCONSISTENT', () => {
    const { v, h } = file(vol)
    const bytes = encodeFullEaList([ea('a', '1'), ea('b', '2')])
    new DataView(bytes.buffer).setUint32(0, 5, true) // NextEntryOffset not the entry's aligned size
    expect(setEa(v, h, bytes).name).toBe('STATUS_EA_LIST_INCONSISTENT')
  })

  it('EAs on a directory work too (WinBtrfs ea4)', () => {
    const v = withVolumeServices(vol())
    const d = v.create('d', { access: EA, options: O.FILE_DIRECTORY_FILE })
    expect(setEa(v, d, encodeFullEaList([ea('hello', 'world')])).name).toBe('STATUS_SUCCESS')
    expect(names(queryEa(v, d, { restart: true }).bytes)).toEqual(['HELLO=world'])
  })

  it('EA requests on a volume handle are STATUS_INVALID_PARAMETER (WinBtrfs "Try to read EA on volume")', () => {
    const v = withVolumeServices(vol())
    const volume = v.open('\\??\\C:', { access: EA, share: S.FILE_SHARE_READ | S.FILE_SHARE_WRITE }).handle
    expect(setEa(v, volume, encodeFullEaList([ea('HELLO', 'world', FILE_NEED_EA)])).name).toBe('STATUS_INVALID_PARAMETER')
    expect(queryEa(v, volume, { restart: true }).name).toBe('STATUS_INVALID_PARAMETER')
  })

  it('setting an EA moves ChangeTime and reports FILE_ACTION_MODIFIED with FILE_NOTIFY_CHANGE_EA', () => {
    const { v, h } = file(vol)
    const before = v.lookup('ea1')!.std.changeTime
    v.ke.runFor(10_000)
    setEa(v, h, encodeFullEaList([ea('x', 'y')]))
    expect(v.lookup('ea1')!.std.changeTime).toBeGreaterThan(before)
    expect(v.changes.at(-1)).toMatchObject({ name: 'ea1', action: 3, filter: 0x80 })
  })
})
})
