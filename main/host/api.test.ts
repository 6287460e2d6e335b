import { describe, expect, it } from 'vitest'
import { METHODS, checkResponse, HostError, parseRequest, parseServerMessage } from './api.ts'
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
    expect(METHODS).toEqual(['machine.info', 'machine.boot', 'machine.restart', 'machine.shutdown', 'debug.fault'])
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
