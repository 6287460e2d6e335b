// The kernel worker thread: owns one emulated machine, advances its virtual time on a host
// timer, answers the session's calls and heartbeats, and forwards the machine's events.
// The kernel itself is synchronous and never reads host time; this file may.

import { parentPort, workerData } from 'node:worker_threads'
import { Machine, ntfsVolume } from '../../kernel/index.ts'
import type { MachineEvent, MachineInfo } from '../../kernel/index.ts'
import { toWireEvent } from './trace-wire.ts'
import { parseHostMessage } from './worker-protocol.ts'
import type { HostToWorker, WorkerConfig, WorkerToHost } from './worker-protocol.ts'

const port = parentPort
if (port === null) throw new Error('kernel-worker.ts runs only as a worker thread')
const config = workerData as WorkerConfig

let machine: Machine | undefined
let unsubscribe: (() => void) | undefined
let lastInfoAt = 0
let seq = 0
const nextSeq = (): number => ++seq

function send(message: WorkerToHost): void {
  port!.postMessage(message)
}

function snapshot(m: Machine): MachineInfo {
  return m.info()
}

function onMachineEvent(e: MachineEvent): void {
  if (e.kind === 'state') send({ t: 'info', info: e.info })
  else if (e.events.length > 0) send({ t: 'trace', events: e.events.map((r) => toWireEvent(r, nextSeq)) })
}

function boot(seed: number): MachineInfo {
  if (machine !== undefined && machine.info().state !== 'stopped') machine.shutdown()
  unsubscribe?.()
  const volumes = config.volumes.map((v) => ({ letter: v.letter, mount: ntfsVolume(v.source) }))
  const m = Machine.create({ seed, volumes })
  machine = m
  seq = 0
  unsubscribe = m.on(onMachineEvent)
  m.boot()
  return snapshot(m)
}

function current(): MachineInfo {
  if (machine === undefined) throw new Error('no machine has been booted in this worker')
  return snapshot(machine)
}

function fault(kind: 'hang' | 'crash' | 'throw'): void {
  // runs after the reply is sent, so the host sees the fault as it would see a real one
  setTimeout(() => {
    if (kind === 'hang') {
      for (;;) {
        // a filter that loops forever without yielding
      }
    }
    if (kind === 'crash') process.exit(70)
    throw new Error('debug.fault: a deliberate exception in the kernel worker')
  }, 10)
}

function handle(message: HostToWorker): void {
  if (message.t === 'ping') {
    send({ t: 'pong', n: message.n })
    return
  }
  try {
    switch (message.op) {
      case 'boot':
        send({ t: 'reply', id: message.id, ok: true, info: boot(message.seed) })
        return
      case 'info':
        send({ t: 'reply', id: message.id, ok: true, info: current() })
        return
      case 'shutdown': {
        const m = machine
        if (m === undefined) throw new Error('no machine has been booted in this worker')
        if (m.info().state !== 'stopped') m.shutdown()
        send({ t: 'reply', id: message.id, ok: true, info: snapshot(m) })
        return
      }
      case 'fault':
        if (!config.debugHooks) throw new Error('debug hooks are off in this worker')
        send({ t: 'reply', id: message.id, ok: true, info: current() })
        fault(message.kind)
        return
    }
  } catch (err) {
    send({ t: 'reply', id: message.id, ok: false, message: err instanceof Error ? err.message : String(err) })
  }
}

function pump(): void {
  const m = machine
  if (m === undefined || m.info().state !== 'running') return
  m.runFor(config.ticksPerPump)
  const now = Date.now()
  if (now - lastInfoAt >= config.infoIntervalMs) {
    lastInfoAt = now
    send({ t: 'info', info: snapshot(m) })
  }
}

port.on('message', (raw: unknown) => {
  const parsed = parseHostMessage(raw)
  if (!parsed.ok) {
    const r = raw as { id?: unknown }
    if (typeof r === 'object' && r !== null && typeof r.id === 'number') {
      send({ t: 'reply', id: r.id, ok: false, message: parsed.problem })
    }
    return
  }
  handle(parsed.message)
})

setInterval(pump, config.pumpMs)
send({ t: 'pong', n: 0 })
