// The host client in a browser: the web host's WebSocket, authorised by this run's token
// (taken from the page URL).

import { HostError, parseServerMessage } from '../../../main/host/api.ts'
import type { Method, Params, Result } from '../../../main/host/api.ts'
import { ClientBase } from './client.ts'

const CALL_TIMEOUT_MS = 30_000

interface Waiting {
  method: Method
  resolve: (raw: unknown) => void
  reject: (err: HostError) => void
  timer: ReturnType<typeof setTimeout>
}

export function socketUrl(location: Pick<Location, 'protocol' | 'host' | 'search'>): string | undefined {
  const token = new URLSearchParams(location.search).get('token')
  if (token === null || token === '') return undefined
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${location.host}/api?token=${encodeURIComponent(token)}`
}

export class WebSocketClient extends ClientBase {
  readonly transport = 'WebSocket'
  private socket: WebSocket | undefined
  private readonly waiting = new Map<number, Waiting>()
  private nextId = 1
  private opened: Promise<void> = Promise.resolve()

  constructor(private readonly url: string | undefined) {
    super()
    this.connect()
  }

  reconnect(): void {
    this.connect()
  }

  /** (Re)opens the socket; used at start and by the Retry button. */
  private connect(): void {
    if (this.url === undefined) {
      this.setConnection({ kind: 'closed', reason: 'This page was opened without its token. Open the full URL that `altitude web` or `npm start` printed.' })
      return
    }
    this.socket?.close()
    this.setConnection({ kind: 'connecting' })
    const socket = new WebSocket(this.url)
    this.socket = socket
    let wasOpen = false
    this.opened = new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => {
        wasOpen = true
        this.setConnection({ kind: 'open' })
        resolve()
      })
      socket.addEventListener('close', (e) => {
        if (this.socket !== socket) return
        const reason = wasOpen
          ? `The connection to the Altitude host closed (code ${e.code}). The host may have stopped; start it again and open the URL it prints.`
          : 'The Altitude host refused or did not accept the connection. It may have stopped, or this page belongs to an earlier run (each run has its own token): start it again and open the URL it prints.'
        this.setConnection({ kind: 'closed', reason })
        for (const [id, w] of this.waiting) {
          clearTimeout(w.timer)
          w.reject(new HostError('machine-unavailable', reason))
          this.waiting.delete(id)
        }
        reject(new HostError('machine-unavailable', reason))
      })
    })
    this.opened.catch(() => undefined)
    socket.addEventListener('message', (e: MessageEvent) => this.receive(e.data))
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return this.protocolError('the host sent a binary message')
    const parsed = parseServerMessage(data)
    if (!parsed.ok) return this.protocolError(parsed.problem)
    const msg = parsed.message
    if (msg.kind === 'event') return this.deliverEvent(msg.message)
    const id = msg.id
    if (typeof id !== 'number') {
      if (msg.kind === 'error') this.protocolError(`the host reported: ${msg.error.message}`)
      return
    }
    const w = this.waiting.get(id)
    if (w === undefined) return
    this.waiting.delete(id)
    clearTimeout(w.timer)
    w.resolve(msg.kind === 'error' ? { id, error: msg.error } : { id, result: msg.result })
  }

  async call<M extends Method>(method: M, params: Params<M>): Promise<Result<M>> {
    await this.opened
    const socket = this.socket
    if (socket === undefined || socket.readyState !== WebSocket.OPEN) {
      throw new HostError('machine-unavailable', 'not connected to the Altitude host')
    }
    const id = this.nextId++
    const raw = await new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id)
        reject(new HostError('internal', `the host did not answer ${method} within ${CALL_TIMEOUT_MS / 1000} s`))
      }, CALL_TIMEOUT_MS)
      this.waiting.set(id, { method, resolve, reject, timer })
      socket.send(JSON.stringify({ id, method, params }))
    })
    return this.settle(method, raw)
  }

  close(): void {
    const socket = this.socket
    this.socket = undefined
    socket?.close()
  }
}
