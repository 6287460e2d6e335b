// The session with a real kernel worker: boot, requests, and what happens when the worker
// hangs, exits or throws (made to on purpose through the debug.fault hook).

import { existsSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { Session } from './session.ts'
import type { EventMessage, MachineStatus } from './api.ts'

const sessions: Session[] = []
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()))
})

function newSession(opts: ConstructorParameters<typeof Session>[0] = {}): { session: Session; events: EventMessage[]; logged: string[] } {
  const logged: string[] = []
  const session = new Session({ heartbeatMs: 100, hangTimeoutMs: 1500, debugHooks: true, log: (l) => logged.push(l), ...opts })
  sessions.push(session)
  const events: EventMessage[] = []
  session.onEvent((e) => events.push(e))
  return { session, events, logged }
}

/** Waits until the session reports a status that satisfies `ok` (events, not timing). */
function statusWhere(session: Session, ok: (s: MachineStatus) => boolean): Promise<MachineStatus> {
  if (ok(session.current())) return Promise.resolve(session.current())
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no such status within 30 s; last: ${JSON.stringify(session.current())}`)), 30_000)
    const off = session.onEvent((e) => {
      if (e.event === 'machine.state' && ok(e.data)) {
        clearTimeout(timer)
        off()
        resolve(e.data)
      }
    })
  })
}

async function call(session: Session, method: string, params?: unknown): Promise<Record<string, unknown>> {
  return (await session.handle({ id: 1, method, params })) as unknown as Record<string, unknown>
}

describe('Session', () => {
  it('boots a machine in a worker and reports it through the contract', async () => {
    const { session, events } = newSession({ seed: 42 })
    const status = await session.start()
    expect(status).toMatchObject({ generation: 1, worker: 'ready', machine: { state: 'running', seed: 42 } })
    expect(status.machine?.processes).toContainEqual({ pid: 4, name: 'System' })
    const states = events.filter((e) => e.event === 'machine.state').map((e) => (e.data as MachineStatus).worker)
    expect(states[0]).toBe('starting')
    expect(states).toContain('ready')

    const info = await call(session, 'machine.info')
    expect(info).toMatchObject({ id: 1, result: { generation: 1, worker: 'ready', machine: { state: 'running', seed: 42 } } })
  })

  it('mounts a fresh NTFS volume image as C: for each machine, and removes it afterwards', async () => {
    const { session } = newSession({ volume: { kind: 'image', sizeBytes: 16 * 1024 * 1024, label: 'Lab' } })
    const status = await session.start()
    expect(status.machine?.volumes).toEqual([
      { letter: 'C:', device: '\\Device\\HarddiskVolume1', fileSystem: 'NTFS', sizeBytes: expect.any(Number), label: 'Lab' },
      { letter: 'D:', device: '\\Device\\HarddiskVolume2', fileSystem: 'NTFS', sizeBytes: expect.any(Number), label: '' },
    ])
    expect(status.machine?.volumes[0]?.sizeBytes).toBeGreaterThan(15 * 1024 * 1024)
    const first = session.imagePath(1) as string
    expect(existsSync(first)).toBe(true)
    await call(session, 'machine.restart')
    expect(existsSync(first)).toBe(false)
    const second = session.imagePath(2) as string
    expect(existsSync(second)).toBe(true)
    await session.close()
    expect(existsSync(second)).toBe(false)
  })

  it('shuts down, refuses a second boot while running, boots again, restarts with a new generation', async () => {
    const { session } = newSession()
    await session.start()
    expect(await call(session, 'machine.boot')).toMatchObject({ error: { code: 'invalid-state' } })
    expect(await call(session, 'machine.shutdown')).toMatchObject({ result: { machine: { state: 'stopped' } } })
    expect(await call(session, 'machine.boot', { seed: 9 })).toMatchObject({ result: { generation: 2, machine: { state: 'running', seed: 9 } } })
    expect(await call(session, 'machine.restart')).toMatchObject({ result: { generation: 3, worker: 'ready', machine: { state: 'running', seed: 9 } } })
  })

  it('answers malformed and unknown messages with typed errors and keeps serving', async () => {
    const { session } = newSession()
    await session.start()
    expect(await session.handle('not json')).toEqual({ id: null, error: { code: 'bad-message', message: 'the message is not valid JSON' } })
    expect(await session.handle({ id: 5, method: 'machine.fly' })).toMatchObject({ id: 5, error: { code: 'unknown-method' } })
    expect(await session.handle({ id: 6, method: 'machine.restart', params: { seed: 'x' } })).toMatchObject({ id: 6, error: { code: 'invalid-params' } })
    expect(await session.handle(undefined)).toMatchObject({ id: null, error: { code: 'bad-message' } })
    expect(await call(session, 'machine.info')).toMatchObject({ result: { worker: 'ready' } })
  })

  it('refuses debug.fault unless debug hooks are on', async () => {
    const { session } = newSession({ debugHooks: false })
    expect(await call(session, 'debug.fault', { kind: 'crash' })).toMatchObject({ error: { code: 'debug-disabled' } })
  })

  it('detects a hung worker, reports DPC_WATCHDOG_VIOLATION, and restarts', async () => {
    const { session } = newSession()
    await session.start()
    expect(await call(session, 'debug.fault', { kind: 'hang' })).toMatchObject({ result: { accepted: true } })
    const hung = await statusWhere(session, (s) => s.worker === 'hung')
    expect(hung.machine?.state).toBe('bugchecked')
    expect(hung.machine?.bugcheck).toMatchObject({ code: 0x133, codeName: 'DPC_WATCHDOG_VIOLATION', culprit: 'kernel worker' })
    expect(hung.problem).toMatch(/stopped answering/)
    expect(await call(session, 'machine.shutdown')).toMatchObject({ error: { code: 'machine-unavailable' } })
    expect(await call(session, 'machine.info')).toMatchObject({ result: { worker: 'hung' } })
    expect(await call(session, 'machine.restart')).toMatchObject({ result: { generation: 2, worker: 'ready', machine: { state: 'running' } } })
  })

  it.each([
    ['crash', /exited with code 70/],
    ['throw', /uncaught exception: Error: debug\.fault: a deliberate exception/],
  ] as const)('detects a worker that dies (%s) and boots a fresh one on request', async (kind, problem) => {
    const { session } = newSession()
    await session.start()
    await call(session, 'debug.fault', { kind })
    const died = await statusWhere(session, (s) => s.worker === 'died')
    expect(died.problem).toMatch(problem)
    expect(died.machine?.state).toBe('stopped')
    expect(await call(session, 'machine.boot')).toMatchObject({ result: { generation: 2, worker: 'ready', machine: { state: 'running' } } })
  })
})
