// The trace's `depth` on the file system's events: 0 for what a thread asked for, 1 for the
// paging read a cached read faults in while it is being handled, 2 for I/O below that.

import { describe, expect, it } from 'vitest'
import { Machine } from '../machine.ts'
import { ntfsVolume } from '../volumes.ts'
import { ACCESS } from '../nt/access.ts'
import { CREATE_DISPOSITION, CREATE_OPTIONS, SHARE_ACCESS } from '../nt/file.ts'
import { NtClose, NtCreateFile, NtReadFile, NtWriteFile } from './services/index.ts'
import type { Co } from '../ke/index.ts'

function machine(cacheManager: boolean): Machine {
  const m = Machine.create({ seed: 1, strategy: 'run-to-block', cacheManager, volumes: [{ letter: 'C:', mount: ntfsVolume({ kind: 'memory', sizeBytes: 64 * 1024 * 1024 }) }] })
  m.boot()
  return m
}

function run(m: Machine, body: () => Co<void>): void {
  let done = false
  const p = m.process('app.exe')
  const t = m.ke.createThread(p, 'main', function* () {
    yield* body()
    done = true
  })
  m.registerThread(p, t.tid)
  m.ke.runUntil(() => done, { deadline: m.ke.now + 600 * 10_000_000 })
  m.afterRun()
  expect(done).toBe(true)
}

function* readBack(m: Machine, path: string, options: number): Co<void> {
  const share = SHARE_ACCESS.FILE_SHARE_READ | SHARE_ACCESS.FILE_SHARE_WRITE
  const w = yield* NtCreateFile(m.io, { FileName: path, DesiredAccess: ACCESS.GENERIC_WRITE | ACCESS.SYNCHRONIZE, ShareAccess: share, CreateDisposition: CREATE_DISPOSITION.FILE_OVERWRITE_IF, CreateOptions: CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_NONALERT | CREATE_OPTIONS.FILE_NO_INTERMEDIATE_BUFFERING })
  yield* NtWriteFile(m.io, { FileHandle: w.handle!, ByteOffset: 0, Data: new Uint8Array(8192).fill(7) })
  yield* NtClose(m.io, { Handle: w.handle! })
  const r = yield* NtCreateFile(m.io, { FileName: path, DesiredAccess: ACCESS.GENERIC_READ | ACCESS.SYNCHRONIZE, ShareAccess: share, CreateDisposition: CREATE_DISPOSITION.FILE_OPEN, CreateOptions: CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_NONALERT | options })
  yield* NtReadFile(m.io, { FileHandle: r.handle!, ByteOffset: 0, Length: 4096 })
  yield* NtClose(m.io, { Handle: r.handle! })
}

describe('trace depth of file-system events', () => {
  it("a paging read faulted in by a cached read is one level deep, in the reader's thread", () => {
    const m = machine(true)
    run(m, () => readBack(m, '\\??\\C:\\a.bin', 0))
    const events = m.trace.events.filter((e) => e.at === 'fs' && e.op === 'IRP_MJ_READ' && e.phase === 'dispatch')
    const user = events.find((e) => !(e.flags ?? []).includes('IRP_PAGING_IO'))
    const paging = events.find((e) => (e.flags ?? []).includes('IRP_PAGING_IO') && e.process === 'app.exe')
    expect(user).toBeDefined()
    expect(user!.depth ?? 0).toBe(0)
    expect(paging, "the cache miss is a paging read in the reader's thread").toBeDefined()
    expect(paging!.depth).toBe(1)
    expect(paging!.seq).toBeGreaterThan(user!.seq)
  })

  it('a non-cached read has no nested I/O: every event is at depth 0', () => {
    const m = machine(false)
    run(m, () => readBack(m, '\\??\\C:\\b.bin', CREATE_OPTIONS.FILE_NO_INTERMEDIATE_BUFFERING))
    expect(m.trace.events.filter((e) => e.at === 'fs').every((e) => (e.depth ?? 0) === 0)).toBe(true)
  })
})
