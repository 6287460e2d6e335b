// A machine for the Filter Manager's tests: one in-memory NTFS volume as C:, filters defined in
// the test as modules, NT services run on emulated user threads, and the trace's filter and
// file-system events in a compact form (`at phase op`).

import type { Co } from '../ke/index.ts'
import { Machine } from '../machine.ts'
import { ntfsVolume } from '../volumes.ts'
import * as nt from '../io/services/index.ts'
import { ACCESS } from '../nt/access.ts'
import { CREATE_DISPOSITION, CREATE_OPTIONS, SHARE_ACCESS } from '../nt/file.ts'
import { statusName, type NTSTATUS } from '../nt/status.ts'
import type { TraceEvent } from '../trace/event.ts'
import type { FilterModule } from './manager.ts'
import { FltRegisterFilter, FltStartFiltering, FltUnregisterFilter } from './registration.ts'
import { ref, type FLT_REGISTRATION, type PFLT_FILTER } from './types.ts'
import { NT_SUCCESS, STATUS } from '../nt/status.ts'

export const SHARE_ALL = SHARE_ACCESS.FILE_SHARE_READ | SHARE_ACCESS.FILE_SHARE_WRITE | SHARE_ACCESS.FILE_SHARE_DELETE

export function bootMachine(seed = 1, opts: { cacheManager?: boolean } = {}): Machine {
  const m = Machine.create({ seed, strategy: 'run-to-block', ...opts, volumes: [{ letter: 'C:', mount: ntfsVolume({ kind: 'memory', sizeBytes: 64 * 1024 * 1024 }) }] })
  m.boot()
  return m
}

/**
 * A filter module from a registration: DriverEntry registers it, keeps the handle in `handle`,
 * and starts filtering. The unload callback unregisters it unless the registration has its own.
 */
export function filterModule(name: string, altitude: string, make: (handle: { value: PFLT_FILTER | undefined }) => FLT_REGISTRATION, flags = 0): FilterModule & { handle: { value: PFLT_FILTER | undefined } } {
  const handle = ref<PFLT_FILTER>()
  return {
    NAME: name,
    INF: { Instances: [{ Name: `${name} Instance`, Altitude: altitude, Flags: flags }] },
    handle,
    DriverEntry(ctx) {
      const reg = make(handle)
      const full: FLT_REGISTRATION = {
        FilterUnloadCallback: () => {
          FltUnregisterFilter(handle.value!)
          return STATUS.STATUS_SUCCESS
        },
        InstanceQueryTeardownCallback: () => STATUS.STATUS_SUCCESS,
        ...reg,
      }
      let st = FltRegisterFilter(ctx.DriverObject, full, handle)
      if (NT_SUCCESS(st)) st = FltStartFiltering(handle.value!)
      return st
    },
  }
}

/** runs `body` as a thread of `process` until it returns; fails the test if it does not */
export function run<T>(m: Machine, body: () => Co<T>, process = 'app.exe', threadName = 'main'): T {
  let done = false
  let value: T | undefined
  const p = m.process(process)
  const t = m.ke.createThread(p, threadName, function* () {
    value = yield* body()
    done = true
  })
  m.registerThread(p, t.tid)
  const outcome = m.ke.runUntil(() => done, { deadline: m.ke.now + 3600 * 10_000_000 })
  m.afterRun()
  if (!done) {
    const bc = m.ke.bugcheck
    const chains = m.ke.waitChains().map((c) => `${c.thread}: ${c.reason}`)
    throw new Error(`the thread did not finish (${outcome})${bc ? `: bugcheck ${bc.codeName} ${bc.message}` : ''}${chains.length ? `\n${chains.join('\n')}` : ''}`)
  }
  return value as T
}

/** starts `body` on a thread without running the scheduler */
export function spawn(m: Machine, body: () => Co<void>, process = 'app.exe', threadName = 'worker'): void {
  const p = m.process(process)
  const t = m.ke.createThread(p, threadName, body)
  m.registerThread(p, t.tid)
}

export interface Opened {
  status: NTSTATUS
  name: string
  handle: number
}

export function* open(m: Machine, path: string, o: { access?: number; disposition?: number; options?: number; share?: number } = {}): Co<Opened> {
  const r = yield* nt.NtCreateFile(m.io, {
    FileName: path.startsWith('\\') ? path : `\\??\\${path}`,
    DesiredAccess: o.access ?? ACCESS.GENERIC_READ | ACCESS.GENERIC_WRITE | ACCESS.SYNCHRONIZE,
    ShareAccess: o.share ?? SHARE_ALL,
    CreateDisposition: o.disposition ?? CREATE_DISPOSITION.FILE_OPEN_IF,
    CreateOptions: o.options ?? CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_NONALERT | CREATE_OPTIONS.FILE_NON_DIRECTORY_FILE,
  })
  return { status: r.status, name: statusName(r.status), handle: r.handle ?? 0 }
}

export function* write(m: Machine, handle: number, text: string, offset = 0): Co<NTSTATUS> {
  return (yield* nt.NtWriteFile(m.io, { FileHandle: handle, ByteOffset: offset, Data: new TextEncoder().encode(text) })).status
}

export function* read(m: Machine, handle: number, length: number, offset = 0): Co<{ status: NTSTATUS; text: string }> {
  const r = yield* nt.NtReadFile(m.io, { FileHandle: handle, ByteOffset: offset, Length: length })
  return { status: r.status, text: new TextDecoder().decode(r.data ?? new Uint8Array(0)) }
}

export function* close(m: Machine, handle: number): Co<NTSTATUS> {
  return (yield* nt.NtClose(m.io, { Handle: handle })).status
}

/** a directory and its parents, made through the stack */
export function* mkdirs(m: Machine, path: string): Co<void> {
  const parts = path.split('\\')
  for (let i = 2; i <= parts.length; i++) {
    const r = yield* nt.NtCreateFile(m.io, {
      FileName: `\\??\\${parts.slice(0, i).join('\\')}`,
      DesiredAccess: ACCESS.FILE_LIST_DIRECTORY | ACCESS.SYNCHRONIZE,
      ShareAccess: SHARE_ALL,
      CreateDisposition: CREATE_DISPOSITION.FILE_OPEN_IF,
      CreateOptions: CREATE_OPTIONS.FILE_DIRECTORY_FILE | CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_NONALERT,
    })
    if (r.handle) yield* nt.NtClose(m.io, { Handle: r.handle })
  }
}

/** a file with content (and its parent directories), made through the stack */
export function* makeFile(m: Machine, path: string, text: string): Co<void> {
  const dir = path.slice(0, path.lastIndexOf('\\'))
  if (dir.length > 2) yield* mkdirs(m, dir)
  const h = yield* open(m, path, { disposition: CREATE_DISPOSITION.FILE_OVERWRITE_IF })
  if (h.status !== STATUS.STATUS_SUCCESS) throw new Error(`makeFile ${path}: ${h.name}`)
  yield* write(m, h.handle, text)
  yield* close(m, h.handle)
}

/** the trace from `from` on as `at phase op` lines (optionally only some `at`s and ops) */
export function lines(m: Machine, from = 0, opts: { ops?: string[]; at?: (at: string) => boolean } = {}): string[] {
  return events(m, from)
    .filter((e) => (!opts.ops || opts.ops.includes(e.op)) && (!opts.at || opts.at(e.at)))
    .map((e) => `${e.at} ${e.phase} ${e.op}${e.status && e.phase !== 'pre' && e.phase !== 'dispatch' ? ` ${e.status}` : ''}`)
}

export function events(m: Machine, from = 0): TraceEvent[] {
  return m.trace.events.filter((e) => e.seq > from) as TraceEvent[]
}

/** the last sequence number so far (to read only what comes after) */
export function mark(m: Machine): number {
  return m.trace.count
}
