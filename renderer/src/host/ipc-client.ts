// The host client under Electron: calls go through the preload's bridge (window.altitude).

import { HostError, parseServerMessage } from '../../../main/host/api.ts'
import type { Method, Params, Result } from '../../../main/host/api.ts'
import type { AltitudeBridge } from '../../../main/electron/bridge.ts'
import { ClientBase } from './client.ts'

export class IpcClient extends ClientBase {
  readonly transport = 'Electron IPC'
  private readonly unsubscribe: () => void

  constructor(private readonly bridge: AltitudeBridge) {
    super()
    this.unsubscribe = bridge.onEvent((raw) => {
      const parsed = parseServerMessage(raw)
      if (!parsed.ok) return this.protocolError(parsed.problem)
      if (parsed.message.kind !== 'event') return this.protocolError('the host pushed a message that is not an event')
      this.deliverEvent(parsed.message.message)
    })
    this.setConnection({ kind: 'open' })
  }

  async call<M extends Method>(method: M, params: Params<M>): Promise<Result<M>> {
    const fn = this.bridge.call[method] as ((p: Params<M>) => Promise<unknown>) | undefined
    if (fn === undefined) throw new HostError('unknown-method', `the preload does not offer ${method}`)
    return this.settle(method, await fn(params))
  }

  close(): void {
    this.unsubscribe()
  }
}
