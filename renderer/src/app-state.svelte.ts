// What the UI shows, fed only by the host: the machine status, the trace (as Process Monitor's
// operation rows), the Explorer pane and the connection. Components read this; actions go
// through `act` (failures open the error dialog) or `call` (failures are the caller's to show).

import { HostError } from '../../main/host/api.ts'
import type { MachineStatus, Method, Params, Result } from '../../main/host/api.ts'
import type { ConnectionState, HostClient } from './host/client.ts'
import { TraceModel } from './lib/trace-model.ts'
import { formatVirtualTime } from './lib/format.ts'
import { ExplorerState } from './explorer-state.svelte.ts'

export interface ErrorNotice {
  title: string
  message: string
  code?: string
  /** the NTSTATUS name, when the machine refused */
  status?: string
  /** what the dialog's primary button does */
  retry?: () => void
}

export type CallOutcome<M extends Method> = { ok: true; value: Result<M> } | { ok: false; error: HostError }

export class AppState {
  status = $state<MachineStatus | null>(null)
  connection = $state<ConnectionState>({ kind: 'connecting' })
  /** the trace's rows; not reactive itself: `traceVersion` changes when it does */
  readonly trace = new TraceModel()
  /** bumped whenever the trace changed (new events, dropped rows, cleared) */
  traceVersion = $state(0)
  /** rows dropped at the front by the last change (the trace panel keeps its scroll position) */
  traceDroppedLast = 0
  traceTotal = $state(0)
  traceGeneration = $state(0)
  error = $state<ErrorNotice | null>(null)
  busy = $state<Method | null>(null)
  /** the Settings or the Filters panel, when open */
  panel = $state<'settings' | 'filters' | null>(null)
  /** "Pull the plug" waits for the user's confirmation */
  confirmingPowerOff = $state(false)
  /** what the last power cut did, until dismissed */
  powerNotice = $state<string | null>(null)
  readonly explorer: ExplorerState
  readonly transport: string

  constructor(private readonly client: HostClient) {
    this.transport = client.transport
    this.explorer = new ExplorerState(this)
    client.on('machine.state', (status) => {
      this.status = status
      if (status.generation !== this.traceGeneration) {
        this.resetTrace(status.generation)
        this.explorer.machineReplaced()
      }
    })
    client.on('trace.events', ({ generation, events }) => {
      if (generation !== this.traceGeneration) {
        this.resetTrace(generation)
        this.explorer.machineReplaced()
      }
      this.traceTotal += events.length
      this.traceDroppedLast = this.trace.add(events)
      this.traceVersion++
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
    this.trace.clear()
    this.traceDroppedLast = 0
    this.traceTotal = 0
    this.traceVersion++
  }

  /** Forgets the rows shown so far (Procmon's Clear Display); new events keep coming. */
  clearTrace(): void {
    this.trace.clear()
    this.traceDroppedLast = 0
    this.traceVersion++
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
      const status = err instanceof HostError ? err.status : undefined
      this.error = { title: `${method} failed`, message, code, ...(status !== undefined ? { status } : {}) }
      return undefined
    } finally {
      this.busy = null
    }
  }

  /** Calls the host; the outcome says how it went, and nothing is shown. */
  async call<M extends Method>(method: M, params: Params<M>): Promise<CallOutcome<M>> {
    try {
      return { ok: true, value: await this.client.call(method, params) }
    } catch (err) {
      if (err instanceof HostError) return { ok: false, error: err }
      return { ok: false, error: new HostError('internal', err instanceof Error ? err.message : String(err)) }
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

  /**
   * Pulls the plug: the machine loses what its cache and mapped pages held dirty, its volumes
   * are mounted again, and the Explorer lists what survived.
   */
  async powerOff(): Promise<void> {
    this.confirmingPowerOff = false
    const before = this.status?.machine?.virtualTime
    const status = await this.act('machine.powerOff', {})
    if (status === undefined) return
    this.status = status
    const at = before === undefined ? '' : ` at ${formatVirtualTime(before)}`
    this.powerNotice = `The power was cut${at}: what the cache and mapped pages had not written is lost. The volumes were mounted again; the Explorer shows what survived.`
    await this.explorer.afterPowerCut()
  }

  dismissError(): void {
    this.error = null
  }
}
