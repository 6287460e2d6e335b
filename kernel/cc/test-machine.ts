// A machine for the Cache and Memory Manager tests: one NTFS volume (in memory, or an image
// file), NT services run on named processes' threads to completion, virtual time advanced on
// demand, the trace and the volume's store at hand.

import { Machine } from '../machine.ts'
import { ntfsVolume, type VolumeSource } from '../volumes.ts'
import type { Co } from '../ke/index.ts'
import * as nt from '../io/services/index.ts'
import { ACCESS } from '../nt/access.ts'
import { CREATE_DISPOSITION as D, CREATE_OPTIONS as O, SHARE_ACCESS as S } from '../nt/file.ts'
import { statusName, type NTSTATUS } from '../nt/status.ts'
import { FILE_INFORMATION_CLASS } from '../nt/infoclass.ts'
import type { NtfsStore } from '../fs/ntfs/store.ts'
import type { TraceEvent } from '../trace/event.ts'
import type { SettingInput } from '../mm/settings.ts'

export const SECOND = 10_000_000
export const MS = 10_000

export interface TestMachineOptions {
  settings?: { readonly [key: string]: SettingInput }
  volume?: VolumeSource
  seed?: number
}

export class TestMachine {
  machine: Machine
  constructor(opts: TestMachineOptions = {}) {
    this.machine = Machine.create({
      seed: opts.seed ?? 1,
      strategy: 'run-to-block',
      cacheManager: true,
      settings: opts.settings,
      volumes: [{ letter: 'C:', mount: ntfsVolume(opts.volume ?? { kind: 'memory', sizeBytes: 64 * 1024 * 1024 }) }],
    })
    this.machine.boot()
  }

  get store(): NtfsStore {
    return this.machine.volumes[0]!.store as NtfsStore
  }

  get now(): number {
    return this.machine.ke.now
  }

  /** runs `body` on thread `thread` of `process` to completion; returns its result */
  call<T>(process: string, body: () => Co<T>, thread = 'main'): T {
    const m = this.machine
    const p = m.process(process)
    let done = false
    let result: T | undefined
    const t = m.ke.createThread(p, thread, function* () {
      result = yield* body()
      done = true
    })
    m.registerThread(p, t.tid)
    const outcome = m.ke.runUntil(() => done, { deadline: m.ke.now + 600 * SECOND })
    m.afterRun()
    if (outcome !== 'done') throw new Error(`${process}: the call did not finish (${outcome}${m.ke.bugcheck ? `: ${m.ke.bugcheck.message}` : ''})`)
    return result as T
  }

  /** advances virtual time (the lazy writer, read-ahead and the page writers run meanwhile) */
  wait(ticks: number): void {
    this.machine.runFor(ticks)
    if (this.machine.ke.bugcheck) throw new Error(`bugcheck: ${this.machine.ke.bugcheck.message}`)
  }

  get trace(): readonly TraceEvent[] {
    return this.machine.trace.events
  }

  /** the events at the file system (`fs`) as they were dispatched, from `since` (a seq) on */
  fsOps(since = 0): TraceEvent[] {
    return this.trace.filter((e) => e.at === 'fs' && e.phase === 'dispatch' && e.seq > since)
  }

  lastSeq(): number {
    const t = this.trace
    return t.length === 0 ? 0 : t[t.length - 1]!.seq
  }

  /** the bytes of a file on the volume itself (what survives a power loss), by root-relative name */
  onDisk(name: string): Uint8Array | undefined {
    const s = this.store
    const e = s.lookup(s.rootRecord, name)
    if (!e) return undefined
    const r = s.readRecord(e.record)!
    const st = r.streams.find((x) => x.name === '')!
    return s.readStream(e.record, '', 0, st.size)
  }

  // ---- NT service shortcuts ----

  open(process: string, name: string, o: { access?: number; share?: number; disposition?: number; options?: number; attributes?: number } = {}): number {
    const r = this.call(process, () =>
      nt.NtCreateFile(this.machine.io, {
        FileName: `\\??\\C:\\${name}`,
        DesiredAccess: (o.access ?? ACCESS.GENERIC_READ | ACCESS.GENERIC_WRITE) | ACCESS.SYNCHRONIZE,
        ShareAccess: o.share ?? S.FILE_SHARE_READ | S.FILE_SHARE_WRITE,
        CreateDisposition: o.disposition ?? D.FILE_OPEN_IF,
        CreateOptions: (o.options ?? 0) | O.FILE_SYNCHRONOUS_IO_NONALERT | O.FILE_NON_DIRECTORY_FILE,
        FileAttributes: o.attributes,
      }),
    )
    if (r.handle === undefined) throw new Error(`open ${name}: ${statusName(r.status)}`)
    return r.handle
  }

  write(process: string, h: number, offset: number, data: Uint8Array | string): NTSTATUS {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data
    return this.call(process, () => nt.NtWriteFile(this.machine.io, { FileHandle: h, ByteOffset: offset, Data: bytes })).status
  }

  read(process: string, h: number, offset: number, length: number): { status: NTSTATUS; data: Uint8Array } {
    const r = this.call(process, () => nt.NtReadFile(this.machine.io, { FileHandle: h, ByteOffset: offset, Length: length }))
    return { status: r.status, data: r.data ?? new Uint8Array(0) }
  }

  flush(process: string, h: number): NTSTATUS {
    return this.call(process, () => nt.NtFlushBuffersFile(this.machine.io, { FileHandle: h })).status
  }

  setEof(process: string, h: number, eof: number): NTSTATUS {
    const buf = new Uint8Array(8)
    new DataView(buf.buffer).setBigInt64(0, BigInt(eof), true)
    return this.call(process, () => nt.NtSetInformationFile(this.machine.io, { FileHandle: h, FileInformationClass: FILE_INFORMATION_CLASS.FileEndOfFileInformation, FileInformation: buf })).status
  }

  close(process: string, h: number): void {
    this.call(process, () => nt.NtClose(this.machine.io, { Handle: h }))
  }

  /** a file with `size` bytes of a position pattern, written and settled before the test starts */
  prepare(name: string, size: number): Uint8Array {
    const data = pattern(size)
    const h = this.open('setup.exe', name, { disposition: D.FILE_OVERWRITE_IF })
    this.write('setup.exe', h, 0, data)
    this.close('setup.exe', h)
    this.wait(60 * SECOND)
    this.machine.trace.clear()
    return data
  }
}

/** deterministic content: a byte pattern that depends on the position */
export function pattern(size: number, offset = 0): Uint8Array {
  const b = new Uint8Array(size)
  for (let i = 0; i < size; i++) {
    const p = offset + i
    b[i] = (p * 31 + (p >>> 8) * 7 + (p >>> 16)) & 0xff
  }
  return b
}

/** a compact view of an event for assertions: op, process, flags */
export function brief(e: TraceEvent): string {
  return `${e.process} ${e.op}${e.minor && e.op === 'IRP_MJ_SET_INFORMATION' ? `(${e.minor})` : ''}${e.flags.length ? ` [${[...e.flags].sort().join(',')}]` : ''}`
}

/** byte equality without a deep comparison of every element (fast for megabytes) */
export function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
