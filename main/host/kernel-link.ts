// One kernel worker thread, seen from the host: calls with replies, heartbeats, and the
// detection of a worker that hangs (stops answering) or dies (exits or throws). A link is
// used once: after it hung, died or was terminated, the session makes a new one.

import type { Worker } from 'node:worker_threads'
import { HostError } from './api.ts'
import type { MachineInfoData, TraceEventData } from './api.ts'
import type { Json } from './schema.ts'
import { parseWorkerMessage } from './worker-protocol.ts'
import type { HostToWorker, WorkerCall, WorkerConfig } from './worker-protocol.ts'
import { spawnKernelWorker } from './worker-spawn.ts'
import type { WorkerEntry } from './worker-spawn.ts'

export interface LinkOptions {
  config: WorkerConfig
  /** host milliseconds between heartbeats */
  heartbeatMs: number
  /** a worker silent for this long (host milliseconds) is declared hung and terminated */
  hangTimeoutMs: number
  /** how long a new worker may take to load before it is declared hung */
  startTimeoutMs: number
  entry?: WorkerEntry
}

export type LinkEvent =
  | { kind: 'ready' }
  | { kind: 'info'; info: MachineInfoData }
  | { kind: 'trace'; events: TraceEventData[] }
  | { kind: 'hung'; silentMs: number }
  | { kind: 'died'; problem: string }
  | { kind: 'protocol'; problem: string }

type CallWithoutId = WorkerCall extends infer C ? (C extends WorkerCall ? Omit<C, 'id' | 't'> : never) : never

/** A call's answer: the machine as it is after the call, and what the call produced (if anything). */
export interface CallReply {
  info: MachineInfoData
  result: Json | undefined
}

interface Pending {
  resolve: (reply: CallReply) => void
  reject: (error: HostError) => void
}

export class KernelLink {
  private readonly worker: Worker
  private readonly pending = new Map<number, Pending>()
  private readonly timer: ReturnType<typeof setInterval>
  private nextId = 1
  private pingCount = 0
  private lastHeardAt: number
  private ready = false
  private over: 'hung' | 'died' | 'terminated' | undefined

  constructor(
    private readonly opts: LinkOptions,
    private readonly onEvent: (e: LinkEvent) => void,
  ) {
    this.lastHeardAt = Date.now()
    this.worker = spawnKernelWorker(opts.config, opts.entry)
    this.worker.on('message', (raw: unknown) => this.receive(raw))
    this.worker.on('error', (err: unknown) => {
      const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
      this.finish('died', `The kernel worker threw an uncaught exception: ${text}`)
    })
    this.worker.on('exit', (code: number) => {
      this.finish('died', `The kernel worker exited with code ${code}.`)
    })
    this.timer = setInterval(() => this.heartbeat(), opts.heartbeatMs)
    this.timer.unref()
  }

  /** true while the worker answers: calls can be made */
  get alive(): boolean {
    return this.over === undefined
  }

  get isReady(): boolean {
    return this.ready && this.over === undefined
  }

  /** Makes a call; resolves with the machine's info after it. */
  async call(call: CallWithoutId): Promise<MachineInfoData> {
    return (await this.request(call)).info
  }

  /** Makes a call; resolves with the machine's info and the call's result. */
  request(call: CallWithoutId): Promise<CallReply> {
    if (this.over !== undefined) {
      return Promise.reject(new HostError('machine-unavailable', 'the kernel worker is not running; restart the machine'))
    }
    const id = this.nextId++
    return new Promise<CallReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.post({ ...call, t: 'call', id } as WorkerCall)
    })
  }

  /** Stops the worker on purpose; no 'died' event follows. */
  async terminate(): Promise<void> {
    if (this.over === undefined) this.finish('terminated', 'the kernel worker was replaced')
    await this.worker.terminate()
  }

  private post(message: HostToWorker): void {
    try {
      this.worker.postMessage(message)
    } catch (err) {
      this.finish('died', `The kernel worker cannot be reached: ${err instanceof Error ? err.message : String(err)}`)
    }
  }

  private heartbeat(): void {
    if (this.over !== undefined) return
    const silentMs = Date.now() - this.lastHeardAt
    const limit = this.ready ? this.opts.hangTimeoutMs : this.opts.startTimeoutMs
    if (silentMs > limit) {
      this.finish('hung', `The kernel worker did not answer for ${silentMs} ms.`, silentMs)
      void this.worker.terminate()
      return
    }
    this.post({ t: 'ping', n: ++this.pingCount })
  }

  private receive(raw: unknown): void {
    if (this.over !== undefined) return
    this.lastHeardAt = Date.now()
    const parsed = parseWorkerMessage(raw)
    if (!parsed.ok) {
      this.onEvent({ kind: 'protocol', problem: parsed.problem })
      // a malformed reply still settles its call, so no request waits forever
      const r = raw as { t?: unknown; id?: unknown } | null
      const waiting = r?.t === 'reply' && typeof r.id === 'number' ? this.pending.get(r.id) : undefined
      if (waiting !== undefined && typeof r?.id === 'number') {
        this.pending.delete(r.id)
        waiting.reject(new HostError('invalid-result', parsed.problem))
      }
      return
    }
    const msg = parsed.message
    if (!this.ready) {
      this.ready = true
      this.onEvent({ kind: 'ready' })
    }
    switch (msg.t) {
      case 'pong':
        return
      case 'info':
        this.onEvent({ kind: 'info', info: msg.info })
        return
      case 'trace':
        this.onEvent({ kind: 'trace', events: msg.events })
        return
      case 'reply': {
        const waiting = this.pending.get(msg.id)
        if (waiting === undefined) return
        this.pending.delete(msg.id)
        if (msg.ok) {
          this.onEvent({ kind: 'info', info: msg.info })
          waiting.resolve({ info: msg.info, result: msg.result })
        } else if (msg.code !== undefined) {
          // a refusal the contract names (bad path, machine not running, a failed NT call)
          waiting.reject(new HostError(msg.code, msg.message, msg.status))
        } else {
          waiting.reject(new HostError('internal', `the kernel failed: ${msg.message}`))
        }
        return
      }
    }
  }

  private finish(how: 'hung' | 'died' | 'terminated', problem: string, silentMs = 0): void {
    if (this.over !== undefined) return
    this.over = how
    clearInterval(this.timer)
    for (const waiting of this.pending.values()) waiting.reject(new HostError('machine-unavailable', problem))
    this.pending.clear()
    if (how === 'hung') this.onEvent({ kind: 'hung', silentMs })
    else if (how === 'died') this.onEvent({ kind: 'died', problem })
  }
}
