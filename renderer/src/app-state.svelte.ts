// What the UI shows, fed only by the host: the machine status, the trace rows, and the
// connection. Components read this; actions go through `act`, which reports failures.

import { HostError } from '../../main/host/api.ts'
import type { MachineStatus, Method, Params, Result, TraceEventData } from '../../main/host/api.ts'
import type { ConnectionState, HostClient } from './host/client.ts'

/** rows kept for the trace table until the trace store lands (windowed queries) */
export const TRACE_ROW_LIMIT = 5000

export interface ErrorNotice {
  title: string
  message: string
  code?: string
  /** what the dialog's primary button does */
  retry?: () => void
}

export class AppState {
  status = $state<MachineStatus | null>(null)
  connection = $state<ConnectionState>({ kind: 'connecting' })
  trace = $state.raw<TraceEventData[]>([])
  traceTotal = $state(0)
  traceGeneration = $state(0)
  error = $state<ErrorNotice | null>(null)
  busy = $state<Method | null>(null)
  readonly transport: string

  constructor(private readonly client: HostClient) {
    this.transport = client.transport
    client.on('machine.state', (status) => {
      this.status = status
      if (status.generation !== this.traceGeneration) this.resetTrace(status.generation)
    })
    client.on('trace.events', ({ generation, events }) => {
      if (generation !== this.traceGeneration) this.resetTrace(generation)
      this.traceTotal += events.length
      const next = this.trace.concat(events)
      this.trace = next.length > TRACE_ROW_LIMIT ? next.slice(next.length - TRACE_ROW_LIMIT) : next
    })
    client.onProtocolError((problem) => {
      this.error = { title: 'The host sent something unexpected', message: problem, code: 'protocol' }
    })
    client.onConnection((state) => {
      this.connection = state
      if (state.kind === 'open') {
        if (this.error?.code === 'connection') this.error = null
        void this.refresh()
      } else if (state.kind === 'closed') {
        const retry = client.reconnect?.bind(client)
        this.error = { title: 'Not connected to the Altitude host', message: state.reason, code: 'connection', ...(retry ? { retry } : {}) }
      }
    })
  }

  private resetTrace(generation: number): void {
    this.traceGeneration = generation
    this.trace = []
    this.traceTotal = 0
  }

  async refresh(): Promise<void> {
    const status = await this.act('machine.info', {})
    if (status !== undefined) this.status = status
  }

  /** Calls the host; a failure becomes the error dialog. */
  async act<M extends Method>(method: M, params: Params<M>): Promise<Result<M> | undefined> {
    this.busy = method
    try {
      return await this.client.call(method, params)
    } catch (err) {
      const code = err instanceof HostError ? err.code : 'internal'
      const message = err instanceof Error ? err.message : String(err)
      this.error = { title: `${method} failed`, message, code }
      return undefined
    } finally {
      this.busy = null
    }
  }

  async restart(): Promise<void> {
    const status = await this.act('machine.restart', {})
    if (status !== undefined) this.status = status
  }

  async shutdown(): Promise<void> {
    const status = await this.act('machine.shutdown', {})
    if (status !== undefined) this.status = status
  }

  async boot(): Promise<void> {
    const status = await this.act('machine.boot', {})
    if (status !== undefined) this.status = status
  }

  dismissError(): void {
    this.error = null
  }
}
