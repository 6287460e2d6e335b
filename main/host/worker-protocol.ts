// Messages between the session (host thread) and the kernel worker thread. Internal to
// main/host: the renderer never sees these; it sees the contract in api.ts.

import * as s from './schema.ts'
import type { Infer } from './schema.ts'
import { CONFLICT_CHOICES, DEBUG_FAULTS, dropKeys, machineInfo, traceEvent } from './api.ts'
import type { VolumeSource } from '../../kernel/index.ts'
import type { Recipe } from '../../kernel/fs/ntfs/disk/recipe.ts'

/** A volume the worker mounts at boot; an image with a recipe is built from it first. */
export interface WorkerVolume {
  letter: string
  source: VolumeSource
  /**
   * what the image holds (image sources only): the recipe is built once into `template`, and
   * every machine mounts a fresh copy of it at `source.path`
   */
  recipe?: { recipe: Recipe; template: string }
}

export interface WorkerConfig {
  /** host milliseconds between two runFor calls */
  pumpMs: number
  /** virtual 100 ns ticks each runFor advances */
  ticksPerPump: number
  /** host milliseconds between two info snapshots while the machine runs */
  infoIntervalMs: number
  /** accept `fault` calls (hang, crash, throw) */
  debugHooks: boolean
  /** the volumes every machine in this worker mounts at boot */
  volumes: WorkerVolume[]
  /** most trace events the machine keeps in memory (listeners see every one) */
  traceCapacity?: number
  /** the Settings panel's values that differ from their defaults (settings-catalog.ts) */
  settings?: Record<string, number | boolean>
}

export const FLTMC_COMMANDS = ['filters', 'instances', 'load', 'unload', 'attach', 'detach'] as const
export type FltmcCommandName = (typeof FLTMC_COMMANDS)[number]

export type WorkerCall =
  | { t: 'call'; id: number; op: 'boot'; seed: number }
  | { t: 'call'; id: number; op: 'info' }
  | { t: 'call'; id: number; op: 'shutdown' }
  | { t: 'call'; id: number; op: 'fault'; kind: (typeof DEBUG_FAULTS)[number] }
  | { t: 'call'; id: number; op: 'explorer.list'; path: string }
  | { t: 'call'; id: number; op: 'explorer.properties'; path: string }
  | { t: 'call'; id: number; op: 'explorer.newFolder'; path: string; name?: string; conflict?: (typeof CONFLICT_CHOICES)[number] }
  | { t: 'call'; id: number; op: 'explorer.rename'; path: string; newName: string; conflict?: (typeof CONFLICT_CHOICES)[number] }
  | { t: 'call'; id: number; op: 'explorer.delete'; paths: string[]; permanent?: boolean }
  | { t: 'call'; id: number; op: 'explorer.copy' | 'explorer.move'; paths: string[]; to: string; conflict?: (typeof CONFLICT_CHOICES)[number] }
  | { t: 'call'; id: number; op: 'explorer.drop'; from: string[]; to: string; keys?: { ctrl?: boolean; shift?: boolean; alt?: boolean }; conflict?: (typeof CONFLICT_CHOICES)[number] }
  | { t: 'call'; id: number; op: 'explorer.undo' }
  | { t: 'call'; id: number; op: 'explorer.recycleBin'; drive: string }
  | { t: 'call'; id: number; op: 'explorer.newTextDocument'; path: string; name?: string; conflict?: (typeof CONFLICT_CHOICES)[number] }
  | { t: 'call'; id: number; op: 'powerOff' }
  | { t: 'call'; id: number; op: 'settings'; values: Record<string, number | boolean> }
  | { t: 'call'; id: number; op: 'fltmc'; command: FltmcCommandName; name?: string; volume?: string; altitude?: string; instance?: string }

/** The error codes a worker reply may carry (a subset of the contract's); none means `internal`. */
export const WORKER_ERROR_CODES = ['invalid-state', 'invalid-params', 'nt-status', 'conflict'] as const
export type WorkerErrorCode = (typeof WORKER_ERROR_CODES)[number]

export type HostToWorker = { t: 'ping'; n: number } | WorkerCall

const callId = s.integer({ min: 0 })
const workerPath = s.string({ minLength: 1, maxLength: 32_767 })

export const hostToWorker = {
  ping: s.object({ t: s.literal('ping'), n: s.integer({ min: 0 }) }),
  boot: s.object({ t: s.literal('call'), id: callId, op: s.literal('boot'), seed: s.integer({ min: 0, max: 0xffff_ffff }) }),
  info: s.object({ t: s.literal('call'), id: callId, op: s.literal('info') }),
  shutdown: s.object({ t: s.literal('call'), id: callId, op: s.literal('shutdown') }),
  fault: s.object({ t: s.literal('call'), id: callId, op: s.literal('fault'), kind: s.oneOf(DEBUG_FAULTS) }),
  'explorer.list': s.object({ t: s.literal('call'), id: callId, op: s.literal('explorer.list'), path: workerPath }),
  'explorer.properties': s.object({ t: s.literal('call'), id: callId, op: s.literal('explorer.properties'), path: workerPath }),
  'explorer.newFolder': s.object({ t: s.literal('call'), id: callId, op: s.literal('explorer.newFolder'), path: workerPath, name: s.optional(s.string({ maxLength: 255 })), conflict: s.optional(s.oneOf(CONFLICT_CHOICES)) }),
  'explorer.rename': s.object({ t: s.literal('call'), id: callId, op: s.literal('explorer.rename'), path: workerPath, newName: s.string({ maxLength: 255 }), conflict: s.optional(s.oneOf(CONFLICT_CHOICES)) }),
  'explorer.delete': s.object({ t: s.literal('call'), id: callId, op: s.literal('explorer.delete'), paths: s.array(workerPath, { minItems: 1, maxItems: 10_000 }), permanent: s.optional(s.boolean()) }),
  'explorer.copy': s.object({ t: s.literal('call'), id: callId, op: s.literal('explorer.copy'), paths: s.array(workerPath, { minItems: 1, maxItems: 10_000 }), to: workerPath, conflict: s.optional(s.oneOf(CONFLICT_CHOICES)) }),
  'explorer.move': s.object({ t: s.literal('call'), id: callId, op: s.literal('explorer.move'), paths: s.array(workerPath, { minItems: 1, maxItems: 10_000 }), to: workerPath, conflict: s.optional(s.oneOf(CONFLICT_CHOICES)) }),
  'explorer.drop': s.object({
    t: s.literal('call'),
    id: callId,
    op: s.literal('explorer.drop'),
    from: s.array(workerPath, { minItems: 1, maxItems: 10_000 }),
    to: workerPath,
    keys: s.optional(dropKeys),
    conflict: s.optional(s.oneOf(CONFLICT_CHOICES)),
  }),
  'explorer.undo': s.object({ t: s.literal('call'), id: callId, op: s.literal('explorer.undo') }),
  'explorer.recycleBin': s.object({ t: s.literal('call'), id: callId, op: s.literal('explorer.recycleBin'), drive: s.string({ minLength: 2, maxLength: 3 }) }),
  'explorer.newTextDocument': s.object({ t: s.literal('call'), id: callId, op: s.literal('explorer.newTextDocument'), path: workerPath, name: s.optional(s.string({ maxLength: 255 })), conflict: s.optional(s.oneOf(CONFLICT_CHOICES)) }),
  powerOff: s.object({ t: s.literal('call'), id: callId, op: s.literal('powerOff') }),
  settings: s.object({ t: s.literal('call'), id: callId, op: s.literal('settings'), values: s.record(s.union([s.boolean(), s.integer({ min: 0 })])) }),
  fltmc: s.object({
    t: s.literal('call'),
    id: callId,
    op: s.literal('fltmc'),
    command: s.oneOf(FLTMC_COMMANDS),
    name: s.optional(s.string({ maxLength: 64 })),
    volume: s.optional(s.string({ maxLength: 3 })),
    altitude: s.optional(s.string({ maxLength: 20 })),
    instance: s.optional(s.string({ maxLength: 128 })),
  }),
}

export const workerToHost = {
  pong: s.object({ t: s.literal('pong'), n: s.integer({ min: 0 }) }),
  /** `result`: what the call produced beyond the machine's info (explorer calls), checked by the session against the contract */
  replyOk: s.object({ t: s.literal('reply'), id: callId, ok: s.literal(true), info: machineInfo, result: s.optional(s.json()) }),
  replyError: s.object({
    t: s.literal('reply'),
    id: callId,
    ok: s.literal(false),
    message: s.string(),
    code: s.optional(s.oneOf(WORKER_ERROR_CODES)),
    /** with `nt-status`: the NTSTATUS name */
    status: s.optional(s.string({ maxLength: 80 })),
  }),
  info: s.object({ t: s.literal('info'), info: machineInfo }),
  trace: s.object({ t: s.literal('trace'), events: s.array(traceEvent) }),
}

export type WorkerToHost =
  | Infer<typeof workerToHost.pong>
  | Infer<typeof workerToHost.replyOk>
  | Infer<typeof workerToHost.replyError>
  | Infer<typeof workerToHost.info>
  | Infer<typeof workerToHost.trace>

/** Returns the message typed, or a description of what is wrong with it. */
export function parseWorkerMessage(raw: unknown): { ok: true; message: WorkerToHost } | { ok: false; problem: string } {
  const t = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)['t'] : undefined
  const schema =
    t === 'pong' ? workerToHost.pong
    : t === 'info' ? workerToHost.info
    : t === 'trace' ? workerToHost.trace
    : t === 'reply' ? ((raw as Record<string, unknown>)['ok'] === true ? workerToHost.replyOk : workerToHost.replyError)
    : undefined
  if (schema === undefined) return { ok: false, problem: `unknown message kind ${JSON.stringify(t)} from the kernel worker` }
  const found = schema.check(raw, '')
  if (found) return { ok: false, problem: `malformed ${String(t)} message from the kernel worker: ${s.formatIssue(found)}` }
  return { ok: true, message: raw as WorkerToHost }
}

export function parseHostMessage(raw: unknown): { ok: true; message: HostToWorker } | { ok: false; problem: string } {
  const r = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {}
  const schema =
    r['t'] === 'ping' ? hostToWorker.ping
    : r['t'] === 'call' && r['op'] === 'boot' ? hostToWorker.boot
    : r['t'] === 'call' && r['op'] === 'info' ? hostToWorker.info
    : r['t'] === 'call' && r['op'] === 'shutdown' ? hostToWorker.shutdown
    : r['t'] === 'call' && r['op'] === 'fault' ? hostToWorker.fault
    : r['t'] === 'call' && r['op'] === 'explorer.list' ? hostToWorker['explorer.list']
    : r['t'] === 'call' && r['op'] === 'explorer.properties' ? hostToWorker['explorer.properties']
    : r['t'] === 'call' && r['op'] === 'explorer.newFolder' ? hostToWorker['explorer.newFolder']
    : r['t'] === 'call' && r['op'] === 'explorer.rename' ? hostToWorker['explorer.rename']
    : r['t'] === 'call' && typeof r['op'] === 'string' && r['op'] !== 'ping' && Object.prototype.hasOwnProperty.call(hostToWorker, r['op']) ? hostToWorker[r['op'] as keyof typeof hostToWorker]
    : undefined
  if (schema === undefined) return { ok: false, problem: `unknown request ${JSON.stringify(r['t'])}/${JSON.stringify(r['op'])} to the kernel worker` }
  const found = schema.check(raw, '')
  if (found) return { ok: false, problem: `malformed request to the kernel worker: ${s.formatIssue(found)}` }
  return { ok: true, message: raw as HostToWorker }
}
