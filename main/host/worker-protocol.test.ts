import { describe, expect, it } from 'vitest'
import { parseHostMessage, parseWorkerMessage } from './worker-protocol.ts'

const info = { state: 'running', seed: 1, virtualTime: 0, bootedAt: '2024-01-01T00:00:00.0000000Z', volumes: [], threads: 1, processes: [] }

describe('worker protocol: explorer calls', () => {
  it('accepts explorer calls with a path and refuses them without one', () => {
    expect(parseHostMessage({ t: 'call', id: 3, op: 'explorer.list', path: 'C:\\Users' })).toEqual({ ok: true, message: { t: 'call', id: 3, op: 'explorer.list', path: 'C:\\Users' } })
    expect(parseHostMessage({ t: 'call', id: 4, op: 'explorer.properties', path: 'C:\\' }).ok).toBe(true)
    expect(parseHostMessage({ t: 'call', id: 5, op: 'explorer.list' })).toEqual({ ok: false, problem: expect.stringMatching(/path is required/) })
    expect(parseHostMessage({ t: 'call', id: 6, op: 'explorer.copy', path: 'C:\\x' })).toEqual({ ok: false, problem: expect.stringMatching(/paths is required/) })
    expect(parseHostMessage({ t: 'call', id: 7, op: 'explorer.format', path: 'C:\\x' })).toEqual({ ok: false, problem: expect.stringMatching(/unknown request/) })
    expect(parseHostMessage({ t: 'call', id: 8, op: 'fltmc', command: 'load', name: 'passthrough' }).ok).toBe(true)
    expect(parseHostMessage({ t: 'call', id: 9, op: 'fltmc', command: 'format' })).toEqual({ ok: false, problem: expect.stringMatching(/command expected one of/) })
    expect(parseHostMessage({ t: 'call', id: 10, op: 'ping', n: 1 })).toEqual({ ok: false, problem: expect.stringMatching(/unknown request/) })
  })

  it('carries a call\'s result, and a refusal\'s code and NTSTATUS', () => {
    const ok = parseWorkerMessage({ t: 'reply', id: 3, ok: true, info, result: { path: 'C:\\', entries: [] } })
    expect(ok).toMatchObject({ ok: true, message: { result: { path: 'C:\\', entries: [] } } })
    const refused = parseWorkerMessage({ t: 'reply', id: 3, ok: false, message: 'no', code: 'nt-status', status: 'STATUS_ACCESS_DENIED' })
    expect(refused).toMatchObject({ ok: true, message: { code: 'nt-status', status: 'STATUS_ACCESS_DENIED' } })
    expect(parseWorkerMessage({ t: 'reply', id: 3, ok: false, message: 'no', code: 'melted' })).toEqual({ ok: false, problem: expect.stringMatching(/code expected one of/) })
  })

  it('accepts the file commands and checks their fields', () => {
    expect(parseHostMessage({ t: 'call', id: 7, op: 'explorer.newFolder', path: 'C:\\', name: 'Plans', conflict: 'keepBoth' }).ok).toBe(true)
    expect(parseHostMessage({ t: 'call', id: 8, op: 'explorer.rename', path: 'C:\\a', newName: 'b' }).ok).toBe(true)
    expect(parseHostMessage({ t: 'call', id: 9, op: 'explorer.delete', paths: ['C:\\a'], permanent: true }).ok).toBe(true)
    expect(parseHostMessage({ t: 'call', id: 10, op: 'explorer.delete', paths: [] })).toEqual({ ok: false, problem: expect.stringMatching(/paths expected at least 1 item/) })
    expect(parseHostMessage({ t: 'call', id: 11, op: 'explorer.rename', path: 'C:\\a' })).toEqual({ ok: false, problem: expect.stringMatching(/newName is required/) })
    expect(parseWorkerMessage({ t: 'reply', id: 3, ok: false, message: 'taken', code: 'conflict' }).ok).toBe(true)
  })
})
