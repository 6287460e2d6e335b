// Test support for the Win32 layer: a booted machine with an in-memory C: (and D: when asked),
// a way to run a Win32 call to completion in a process's thread, and the trace it produced.

import type { Co } from '../ke/index.ts'
import { Machine } from '../machine.ts'
import { ntfsVolume } from '../volumes.ts'
import type { TraceEvent } from '../trace/event.ts'
import * as nt from '../io/services/index.ts'
import { ACCESS } from '../nt/access.ts'
import { CREATE_DISPOSITION, CREATE_OPTIONS } from '../nt/file.ts'
import { statusName } from '../nt/status.ts'
import { FILE_INFORMATION_CLASS } from '../nt/infoclass.ts'
import { decodeFileInformation } from '../rtl/structs/fileinfo.ts'
import { win32Env, type Win32Env } from './env.ts'
import { win32Settings } from './settings.ts'

export interface TestMachine {
  readonly machine: Machine
  /** runs `body` in `process` (explorer.exe by default) on a fresh thread and returns its result */
  run<T>(body: (env: Win32Env) => Co<T>, process?: string): T
  /** makes files (content as text or bytes) and directories (a path ending in `\\`) outside the trace */
  make(files: Record<string, string | Uint8Array>): void
  /** a file's content, read outside the trace; undefined when it cannot be opened */
  read(path: string): Uint8Array | undefined
  /** the trace events since the last `clearTrace` */
  trace(): TraceEvent[]
  clearTrace(): void
  /** runs `body` with tracing off */
  quietly<T>(body: (env: Win32Env) => Co<T>): T
}

const MIB = 1024 * 1024

export function testMachine(opts: { volumeD?: boolean; settings?: Record<string, number | string | boolean>; seed?: number } = {}): TestMachine {
  const volumes = [{ letter: 'C:', mount: ntfsVolume({ kind: 'memory', sizeBytes: 64 * MIB }) }]
  if (opts.volumeD) volumes.push({ letter: 'D:', mount: ntfsVolume({ kind: 'memory', sizeBytes: 32 * MIB }) })
  const machine = Machine.create({ seed: opts.seed ?? 1, volumes })
  machine.boot()
  if (machine.state !== 'running') throw new Error(`the test machine did not boot: ${machine.info().bugcheck?.message}`)
  const settings = win32Settings(opts.settings)
  let n = 0
  return {
    machine,
    run<T>(body: (env: Win32Env) => Co<T>, processName = 'explorer.exe'): T {
      const process = machine.process(processName)
      const env = win32Env(machine.io, settings)
      let result: { v: T } | undefined
      const t = machine.ke.createThread(process, `test ${++n}`, function* () {
        result = { v: yield* body(env) }
      })
      machine.registerThread(process, t.tid)
      const outcome = machine.ke.runUntil(() => result !== undefined, { deadline: machine.ke.now + 3600 * 10_000_000 })
      machine.afterRun()
      if (!result) throw new Error(`the call did not return (${outcome}${machine.ke.bugcheck ? `: ${machine.ke.bugcheck.message}` : ''})`)
      return result.v
    },
    make(files) {
      this.quietly(function* (env) {
        for (const [path, content] of Object.entries(files)) {
          const parts = path.replace(/\\$/, '').split('\\')
          for (let i = 2; i <= parts.length; i++) {
            const isLast = i === parts.length
            const directory = !isLast || path.endsWith('\\')
            const r = yield* nt.NtCreateFile(env.io, {
              FileName: `\\??\\${parts.slice(0, i).join('\\')}`,
              DesiredAccess: ACCESS.GENERIC_READ | ACCESS.GENERIC_WRITE | ACCESS.SYNCHRONIZE,
              ShareAccess: 7,
              CreateDisposition: directory ? CREATE_DISPOSITION.FILE_OPEN_IF : CREATE_DISPOSITION.FILE_OVERWRITE_IF,
              CreateOptions: (directory ? CREATE_OPTIONS.FILE_DIRECTORY_FILE : CREATE_OPTIONS.FILE_NON_DIRECTORY_FILE) | CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_NONALERT,
            })
            if (r.handle === undefined) throw new Error(`cannot make ${parts.slice(0, i).join('\\')}: ${statusName(r.status)}`)
            if (isLast && !directory) {
              const data = typeof content === 'string' ? new TextEncoder().encode(content) : content
              if (data.length > 0) yield* nt.NtWriteFile(env.io, { FileHandle: r.handle, ByteOffset: 0, Data: data })
            }
            yield* nt.NtClose(env.io, { Handle: r.handle })
          }
        }
      })
    },
    read(path) {
      return this.quietly(function* (env) {
        const r = yield* nt.NtCreateFile(env.io, {
          FileName: `\\??\\${path}`,
          DesiredAccess: ACCESS.GENERIC_READ | ACCESS.SYNCHRONIZE,
          ShareAccess: 7,
          CreateDisposition: CREATE_DISPOSITION.FILE_OPEN,
          CreateOptions: CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_NONALERT,
        })
        if (r.handle === undefined) return undefined
        const q = yield* nt.NtQueryInformationFile(env.io, { FileHandle: r.handle, FileInformationClass: FILE_INFORMATION_CLASS.FileStandardInformation, Length: 24 })
        const size = q.buffer ? decodeFileInformation('FileStandardInformation', q.buffer).EndOfFile : 0
        const d = yield* nt.NtReadFile(env.io, { FileHandle: r.handle, ByteOffset: 0, Length: size + 1 })
        yield* nt.NtClose(env.io, { Handle: r.handle })
        return d.data ?? new Uint8Array(0)
      })
    },
    quietly<T>(body: (env: Win32Env) => Co<T>): T {
      const was = machine.trace.enabled
      machine.trace.enabled = false
      try {
        return this.run(body, 'System')
      } finally {
        machine.trace.enabled = was
      }
    },
    trace: () => [...machine.trace.events] as TraceEvent[],
    clearTrace: () => machine.trace.clear(),
  }
}

/** the file system's completions of a trace, as `procmon op` strings, for sequence assertions */
export function fsOps(events: readonly TraceEvent[]): string[] {
  return events.filter((e) => e.at === 'fs' && e.phase === 'complete').map((e) => `${e.procmon} ${e.path}${e.status && e.status !== 'STATUS_SUCCESS' ? ` ${e.status}` : ''}`)
}
