// The renderer's view of a host: the contract's calls and events, whatever carries them.
// Two implementations: Electron IPC (through the preload's bridge) and WebSocket (the web
// host). Both validate every response and event against the contract before using it.

import { HostError, checkResponse, parseServerMessage } from '../../../main/host/api.ts'
import type { EventData, EventMessage, EventName, Method, Params, Result } from '../../../main/host/api.ts'

export type ConnectionState = { kind: 'connecting' } | { kind: 'open' } | { kind: 'closed'; reason: string }

export interface HostClient {
  readonly transport: string
  call<M extends Method>(method: M, params: Params<M>): Promise<Result<M>>
  on<E extends EventName>(event: E, listener: (data: EventData<E>) => void): () => void
  onConnection(listener: (state: ConnectionState) => void): () => void
  /** the host sent something outside the contract; it is dropped and reported here */
  onProtocolError(listener: (problem: string) => void): () => void
  readonly connection: ConnectionState
  /** tries the connection again, where the transport can (WebSocket) */
  reconnect?(): void
  close(): void
}

type AnyListener = (data: unknown) => void

/** Listener bookkeeping and message checking shared by both transports. */
export abstract class ClientBase implements HostClient {
  abstract readonly transport: string
  abstract call<M extends Method>(method: M, params: Params<M>): Promise<Result<M>>
  abstract close(): void

  private readonly eventListeners = new Map<EventName, Set<AnyListener>>()
  private readonly connectionListeners = new Set<(state: ConnectionState) => void>()
  private readonly protocolListeners = new Set<(problem: string) => void>()
  connection: ConnectionState = { kind: 'connecting' }

  on<E extends EventName>(event: E, listener: (data: EventData<E>) => void): () => void {
    let set = this.eventListeners.get(event)
    if (set === undefined) {
      set = new Set()
      this.eventListeners.set(event, set)
    }
    set.add(listener as AnyListener)
    return () => set.delete(listener as AnyListener)
  }

  onConnection(listener: (state: ConnectionState) => void): () => void {
    this.connectionListeners.add(listener)
    listener(this.connection)
    return () => this.connectionListeners.delete(listener)
  }

  onProtocolError(listener: (problem: string) => void): () => void {
    this.protocolListeners.add(listener)
    return () => this.protocolListeners.delete(listener)
  }

  protected setConnection(state: ConnectionState): void {
    this.connection = state
    for (const l of this.connectionListeners) l(state)
  }

  protected protocolError(problem: string): void {
    for (const l of this.protocolListeners) l(problem)
  }

  protected deliverEvent(message: EventMessage): void {
    for (const l of this.eventListeners.get(message.event) ?? []) l(message.data)
  }

  /**
   * Turns a response envelope into the method's typed result, or throws HostError.
   * Events arriving through the same path are delivered and yield undefined.
   */
  protected settle<M extends Method>(method: M, raw: unknown): Result<M> {
    const parsed = parseServerMessage(raw)
    if (!parsed.ok) throw new HostError('invalid-result', parsed.problem)
    const msg = parsed.message
    if (msg.kind === 'error') throw new HostError(msg.error.code, msg.error.message, msg.error.status)
    if (msg.kind === 'event') throw new HostError('invalid-result', `the host answered ${method} with an event`)
    return checkResponse(method, msg.result)
  }
}
