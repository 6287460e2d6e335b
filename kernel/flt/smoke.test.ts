import { describe, expect, it } from 'vitest'
import { bootMachine, close, lines, mark, open, read, run, write } from './test-support.ts'

describe('smoke', () => {
  it('passthrough sees create, write, the cached read (fast I/O), cleanup, and the close once the cache lets go', () => {
    const m = bootMachine()
    const r = m.fltmc.load('passthrough')
    expect(r.statusName).toBe('STATUS_SUCCESS')
    expect(m.fltmc.instances()).toEqual([{ filter: 'passthrough', volume: 'C:', device: '\\Device\\HarddiskVolume1', altitude: '370030', instance: 'PassThrough Instance', frame: 0 }])
    const from = mark(m)
    run(m, function* () {
      const h = yield* open(m, 'C:\\a.txt')
      expect(h.name).toBe('STATUS_SUCCESS')
      yield* write(m, h.handle, 'hello')
      const t = yield* read(m, h.handle, 5)
      expect(t.text).toBe('hello')
      yield* close(m, h.handle)
    })
    // the write initialized caching, so the read is FASTIO_READ and IRP_MJ_CLOSE waits for the lazy close
    m.runFor(30 * 10_000_000)
    const seen = lines(m, from)
    for (const op of ['IRP_MJ_CREATE', 'IRP_MJ_WRITE', 'FASTIO_READ', 'IRP_MJ_CLEANUP', 'IRP_MJ_CLOSE']) {
      const once = [`passthrough@370030 pre ${op}`, `fs dispatch ${op}`, `fs complete ${op} STATUS_SUCCESS`, `passthrough@370030 post ${op} STATUS_SUCCESS`]
      // IRP_MJ_WRITE twice: the user's cached write, then the lazy writer's paging write from System
      expect(seen.filter((l) => l.endsWith(op) || l.includes(op + ' '))).toEqual(op === 'IRP_MJ_WRITE' ? [...once, ...once] : once)
    }
  })
})
