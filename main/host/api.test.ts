import { describe, expect, it } from 'vitest'
import { METHODS, checkResponse, errorReply, HostError, parseRequest, parseServerMessage } from './api.ts'
import type { MachineStatus } from './api.ts'

const status: MachineStatus = {
  generation: 1,
  worker: 'ready',
  machine: {
    state: 'running',
    seed: 7,
    virtualTime: 1234,
    bootedAt: '2026-01-01T00:00:00.000Z',
    volumes: [{ letter: 'C', device: '\\Device\\HarddiskVolume1', fileSystem: 'NTFS', sizeBytes: 64 * 1024 * 1024, label: '' }],
    threads: 4,
    processes: [{ pid: 4, name: 'System' }],
  },
}

describe('parseRequest', () => {
  it('accepts a well-formed request and defaults missing params to {}', () => {
    const r = parseRequest({ id: 1, method: 'machine.info' })
    expect(r).toEqual({ ok: true, request: { id: 1, method: 'machine.info', params: {} } })
  })

  it('accepts a JSON string and string ids', () => {
    const r = parseRequest(JSON.stringify({ id: 'a-1', method: 'machine.restart', params: { seed: 9 } }))
    expect(r).toEqual({ ok: true, request: { id: 'a-1', method: 'machine.restart', params: { seed: 9 } } })
  })

  it.each([
    ['not JSON', '{nope', null, 'bad-message', /not valid JSON/],
    ['an array', [1, 2], null, 'bad-message', /JSON object/],
    ['null', null, null, 'bad-message', /JSON object/],
    ['no id', { method: 'machine.info' }, null, 'bad-message', /needs an id/],
    ['negative id', { id: -1, method: 'machine.info' }, null, 'bad-message', /needs an id/],
    ['no method', { id: 3 }, 3, 'bad-message', /method name/],
    ['an extra key', { id: 3, method: 'machine.info', x: 1 }, 3, 'bad-message', /unexpected key "x"/],
    ['an unknown method', { id: 4, method: 'machine.explode' }, 4, 'unknown-method', /unknown method "machine.explode"/],
    ['a prototype key as method', { id: 4, method: 'toString' }, 4, 'unknown-method', /toString/],
    ['params of the wrong type', { id: 5, method: 'machine.restart', params: { seed: 'x' } }, 5, 'invalid-params', /params\.seed expected an integer/],
    ['an unknown param', { id: 6, method: 'machine.info', params: { verbose: true } }, 6, 'invalid-params', /params\.verbose is not a known key/],
    ['a seed out of range', { id: 7, method: 'machine.boot', params: { seed: 2 ** 32 } }, 7, 'invalid-params', /≤ 4294967295/],
    ['a bad enum', { id: 8, method: 'debug.fault', params: { kind: 'melt' } }, 8, 'invalid-params', /params\.kind expected one of "hang", "crash", "throw"/],
    ['params that are not an object', { id: 9, method: 'machine.info', params: [] }, 9, 'invalid-params', /expected an object/],
  ])('rejects %s with a typed error reply', (_name, raw, id, code, message) => {
    const r = parseRequest(raw)
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.reply.id).toBe(id)
    expect(r.reply.error.code).toBe(code)
    expect(r.reply.error.message).toMatch(message)
  })

  it('knows every method of the contract', () => {
    expect(METHODS).toEqual(['machine.info', 'machine.boot', 'machine.restart', 'machine.shutdown', 'debug.fault', 'explorer.list', 'explorer.properties', 'explorer.newFolder', 'explorer.rename', 'explorer.delete', 'explorer.copy', 'explorer.move', 'explorer.drop', 'explorer.recycleBin', 'explorer.undo', 'explorer.newTextDocument', 'machine.powerOff', 'settings.get', 'settings.set', 'fltmc.filters', 'fltmc.instances', 'fltmc.load', 'fltmc.unload', 'fltmc.attach', 'fltmc.detach'])
  })
})

describe('client-side checks', () => {
  it('parses events and checks their data', () => {
    const ok = parseServerMessage(JSON.stringify({ event: 'machine.state', data: status }))
    expect(ok).toEqual({ ok: true, message: { kind: 'event', message: { event: 'machine.state', data: status } } })
    const bad = parseServerMessage({ event: 'machine.state', data: { ...status, worker: 'zombie' } })
    expect(bad).toEqual({ ok: false, problem: expect.stringMatching(/data\.worker expected one of/) })
    const unknown = parseServerMessage({ event: 'machine.melted', data: {} })
    expect(unknown).toEqual({ ok: false, problem: expect.stringMatching(/unknown event "machine.melted"/) })
  })

  it('checks a result against the method it answers', () => {
    expect(checkResponse('machine.info', status)).toEqual(status)
    const broken = { ...status, machine: { ...status.machine, state: 'exploded' } }
    expect(() => checkResponse('machine.info', broken)).toThrow(HostError)
    expect(() => checkResponse('machine.info', broken)).toThrow(/result\.machine\.state expected one of "booting", "running", "stopped", "bugchecked"/)
  })

  it('parses error replies, including id null', () => {
    const r = parseServerMessage({ id: null, error: { code: 'bad-message', message: 'x' } })
    expect(r).toEqual({ ok: true, message: { kind: 'error', id: null, error: { code: 'bad-message', message: 'x' } } })
    const badCode = parseServerMessage({ id: 1, error: { code: 'oops', message: 'x' } })
    expect(badCode.ok).toBe(false)
  })

  it('keeps extra keys the kernel may add to machine info (open objects)', () => {
    const extended = { ...status, machine: { ...status.machine, uptimeNote: 'x' } }
    expect(checkResponse('machine.info', extended)).toEqual(extended)
  })
})

describe('explorer calls in the contract', () => {
  it.each([['C:\\'], ['C:\\Users'], ['c:\\Users\\Public\\'], ['D:\\Program Files\\Sample App\\license.txt'], ['C:\\Ünïcødé файл 日本語.txt']])(
    'accepts the full drive path %s',
    (path) => {
      expect(parseRequest({ id: 1, method: 'explorer.list', params: { path } })).toEqual({ ok: true, request: { id: 1, method: 'explorer.list', params: { path } } })
      expect(parseRequest({ id: 2, method: 'explorer.properties', params: { path } }).ok).toBe(true)
    },
  )

  it.each([
    ['a relative path', 'Users'],
    ['a drive-relative path', 'C:Users'],
    ['a UNC path', '\\\\server\\share'],
    ['an empty name', 'C:\\Users\\\\Public'],
    ['a wildcard', 'C:\\Users\\*'],
    ['a stream name', 'C:\\a.txt:Zone.Identifier'],
    ['a control character', 'C:\\a\u0007b'],
    ['forward slashes', 'C:/Users'],
  ])('rejects %s with invalid-params naming the expected form', (_what, path) => {
    const r = parseRequest({ id: 3, method: 'explorer.list', params: { path } })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.reply.error.code).toBe('invalid-params')
    expect(r.reply.error.message).toMatch(/^explorer\.list: params\.path expected a full path on a drive, such as C:\\Users/)
  })

  it('rejects a missing path and unknown params', () => {
    const missing = parseRequest({ id: 4, method: 'explorer.properties', params: {} })
    expect(!missing.ok && missing.reply.error.message).toMatch(/params\.path is required/)
    const extra = parseRequest({ id: 5, method: 'explorer.list', params: { path: 'C:\\', recursive: true } })
    expect(!extra.ok && extra.reply.error.message).toMatch(/params\.recursive is not a known key/)
  })

  it('checks listings and properties on the client side', () => {
    const entry = {
      name: 'readme.txt', directory: false, size: 12, allocationSize: 16, attributes: ['FILE_ATTRIBUTE_ARCHIVE'],
      created: '2023-05-06T08:12:40.0000000Z', modified: '2023-05-06T08:12:40.0000000Z', accessed: '2023-05-06T08:12:40.0000000Z', changed: '2023-05-06T08:12:40.0000000Z',
      fileId: '0x0001000000000040',
    }
    expect(checkResponse('explorer.list', { path: 'C:\\', entries: [entry], queries: 2 })).toMatchObject({ entries: [entry] })
    expect(() => checkResponse('explorer.list', { path: 'C:\\', entries: [{ ...entry, size: -1 }] })).toThrow(/result\.entries\[0\]\.size expected a number ≥ 0/)
    expect(() => checkResponse('explorer.list', { path: 'C:\\', entries: [{ ...entry, name: '' }] })).toThrow(/result\.entries\[0\]\.name/)
    const props = { ...entry, path: 'C:\\readme.txt', links: 1, deletePending: false, eaSize: 0, streams: [{ name: '', size: 12, allocationSize: 16 }] }
    expect(checkResponse('explorer.properties', props)).toEqual(props)
    expect(() => checkResponse('explorer.properties', { ...props, streams: undefined })).toThrow(/result\.streams is required/)
  })

  it('carries the NTSTATUS name of an nt-status error to the client', () => {
    const reply = errorReply(6, 'nt-status', 'explorer.exe could not list C:\\Nope: STATUS_OBJECT_NAME_NOT_FOUND (NtCreateFile)', 'STATUS_OBJECT_NAME_NOT_FOUND')
    expect(reply).toEqual({ id: 6, error: { code: 'nt-status', message: expect.any(String), status: 'STATUS_OBJECT_NAME_NOT_FOUND' } })
    expect(parseServerMessage(JSON.stringify(reply))).toEqual({ ok: true, message: { kind: 'error', id: 6, error: reply.error } })
    expect(errorReply(7, 'internal', 'x')).toEqual({ id: 7, error: { code: 'internal', message: 'x' } })
    expect(new HostError('nt-status', 'm', 'STATUS_ACCESS_DENIED').status).toBe('STATUS_ACCESS_DENIED')
  })

  it('checks the file commands\' names, lists and choices', () => {
    expect(parseRequest({ id: 8, method: 'explorer.rename', params: { path: 'C:\\a.txt', newName: 'b.txt', conflict: 'keepBoth' } }).ok).toBe(true)
    const badName = parseRequest({ id: 9, method: 'explorer.rename', params: { path: 'C:\\a.txt', newName: 'b:c' } })
    expect(!badName.ok && badName.reply.error.message).toMatch(/params\.newName expected a file name/)
    const badChoice = parseRequest({ id: 10, method: 'explorer.newFolder', params: { path: 'C:\\', conflict: 'merge' } })
    expect(!badChoice.ok && badChoice.reply.error.message).toMatch(/params\.conflict expected one of "replace", "skip", "keepBoth"/)
    const none = parseRequest({ id: 11, method: 'explorer.delete', params: { paths: [] } })
    expect(!none.ok && none.reply.error.message).toMatch(/params\.paths expected at least 1 item, got 0/)
    const badPath = parseRequest({ id: 12, method: 'explorer.delete', params: { paths: ['C:\\a', 'b'], permanent: true } })
    expect(!badPath.ok && badPath.reply.error.message).toMatch(/params\.paths\[1\] expected a full path/)
    expect(checkResponse('explorer.delete', { targets: ['C:\\$Recycle.Bin\\S-1\\$RABC123.txt'], skipped: [], info: ['C:\\$Recycle.Bin\\S-1\\$IABC123.txt'] }).info).toHaveLength(1)
  })
})
