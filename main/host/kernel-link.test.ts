// The link with workers that misbehave in ways the kernel worker's debug hooks cannot show:
// replies outside the protocol, and a worker that never starts.

import { afterEach, describe, expect, it } from 'vitest'
import { KernelLink } from './kernel-link.ts'
import type { LinkEvent } from './kernel-link.ts'

const links: KernelLink[] = []
afterEach(async () => {
  await Promise.all(links.splice(0).map((l) => l.terminate()))
})

function workerFrom(code: string): { kind: 'file'; url: URL } {
  return { kind: 'file', url: new URL(`data:text/javascript,${encodeURIComponent(code)}`) }
}

function link(code: string, events: LinkEvent[], startTimeoutMs = 30_000): KernelLink {
  const l = new KernelLink(
    {
      config: { pumpMs: 50, ticksPerPump: 500_000, infoIntervalMs: 250, debugHooks: false, volumes: [] },
      heartbeatMs: 50,
      hangTimeoutMs: 1000,
      startTimeoutMs,
      entry: workerFrom(code),
    },
    (e) => events.push(e),
  )
  links.push(l)
  return l
}

describe('KernelLink', () => {
  it('settles a call whose reply is outside the protocol, and reports the problem', async () => {
    const events: LinkEvent[] = []
    const l = link(
      `import { parentPort } from 'node:worker_threads'
       parentPort.on('message', (m) => {
         if (m.t === 'ping') parentPort.postMessage({ t: 'pong', n: m.n })
         else parentPort.postMessage({ t: 'reply', id: m.id, ok: true, info: { state: 'flying' } })
       })
       parentPort.postMessage({ t: 'pong', n: 0 })`,
      events,
    )
    await expect(l.call({ op: 'info' })).rejects.toMatchObject({ code: 'invalid-result', message: expect.stringMatching(/malformed reply message from the kernel worker: info\.state expected one of/) })
    expect(events).toContainEqual({ kind: 'protocol', problem: expect.stringMatching(/malformed reply/) })
    expect(l.alive).toBe(true)
  })

  it('declares a worker that never says hello hung after the start timeout', async () => {
    const events: LinkEvent[] = []
    const l = link(`setInterval(() => {}, 1000)`, events, 300)
    await expect(l.call({ op: 'info' })).rejects.toMatchObject({ code: 'machine-unavailable', message: expect.stringMatching(/did not answer/) })
    expect(events.map((e) => e.kind)).toEqual(['hung'])
  })
})
