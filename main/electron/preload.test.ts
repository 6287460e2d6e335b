import { describe, expect, it, vi } from 'vitest'
import { METHODS } from '../host/api.ts'
import { EVENT_CHANNEL, REQUEST_CHANNEL } from './channels.ts'

const exposed: Record<string, unknown> = {}
const handlers = new Map<string, (...args: unknown[]) => void>()
const invoke = vi.fn(async (_channel: string, message: unknown) => ({ id: (message as { id: number }).id, result: 'ok' }))

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (name: string, api: unknown) => (exposed[name] = api) },
  ipcRenderer: {
    invoke,
    on: (channel: string, fn: (...args: unknown[]) => void) => handlers.set(channel, fn),
    removeListener: (channel: string) => handlers.delete(channel),
  },
}))

describe('preload bridge', () => {
  it('exposes exactly the contract methods and an event subscription, nothing else', async () => {
    await import('./preload.ts')
    const bridge = exposed['altitude'] as { call: Record<string, (p: unknown) => Promise<unknown>>; onEvent: (l: (m: unknown) => void) => () => void }
    expect(Object.keys(exposed)).toEqual(['altitude'])
    expect(Object.keys(bridge).sort()).toEqual(['call', 'onEvent'])
    expect(Object.keys(bridge.call).sort()).toEqual([...METHODS].sort())
    expect(Object.isFrozen(bridge.call)).toBe(true)

    await expect(bridge.call['machine.restart']?.({ seed: 3 })).resolves.toEqual({ id: 1, result: 'ok' })
    expect(invoke).toHaveBeenCalledWith(REQUEST_CHANNEL, { id: 1, method: 'machine.restart', params: { seed: 3 } })

    const seen: unknown[] = []
    const off = bridge.onEvent((m) => seen.push(m))
    handlers.get(EVENT_CHANNEL)?.({ sender: 'ipc' }, { event: 'machine.state', data: 1 })
    expect(seen).toEqual([{ event: 'machine.state', data: 1 }])
    off()
    expect(handlers.has(EVENT_CHANNEL)).toBe(false)
  })
})
