import { describe, expect, it } from 'vitest'
import { Machine } from './index.ts'

describe('Machine', () => {
  it('boots into running with System and its worker threads, deterministically', () => {
    const m = Machine.create({ seed: 5 })
    expect(m.info().state).toBe('booting')
    const states: string[] = []
    m.on((e) => e.kind === 'state' && states.push(e.info.state))
    m.boot()
    const info = m.info()
    expect(info.state).toBe('running')
    expect(states).toEqual(['running'])
    expect(info.seed).toBe(5)
    expect(info.processes).toEqual([{ pid: 4, name: 'System' }])
    expect(info.threads).toBeGreaterThan(0)
    expect(info.bootedAt).toBe('2024-01-01T00:00:00.0000000Z')
    m.runFor(10_000_000)
    expect(m.info().virtualTime).toBe(10_000_000)
  })
  it('creates processes on first use with stable ids', () => {
    const m = Machine.create()
    m.boot()
    const a = m.process('notepad.exe')
    expect(m.process('NOTEPAD.EXE')).toBe(a)
    expect(m.process('explorer.exe').pid).toBe(a.pid + 4)
  })
  it('reports a bugcheck from an emulated thread as the machine state', () => {
    const m = Machine.create()
    m.boot()
    m.ke.createThread(m.system, 'faulty', function* () {
      yield { k: 'point', label: '' }
      throw new Error('bad pointer')
    }, { system: true })
    m.runFor(1)
    const info = m.info()
    expect(info.state).toBe('bugchecked')
    expect(info.bugcheck?.codeName).toBe('SYSTEM_THREAD_EXCEPTION_NOT_HANDLED')
    expect(info.bugcheck?.message).toContain('bad pointer')
  })
  it('shuts down', () => {
    const m = Machine.create()
    m.boot()
    m.shutdown()
    expect(m.info().state).toBe('stopped')
  })
})
