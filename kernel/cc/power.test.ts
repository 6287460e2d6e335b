import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Machine, type MountedVolume, type MountVolume } from '../machine.ts'
import { mountNtfsVolume } from '../fs/ntfs/driver.ts'
import type { NtfsStore } from '../fs/ntfs/store.ts'
import { ntfsVolume } from '../volumes.ts'
import { parseScenario } from '../scenario/parse.ts'
import { runScenario } from '../scenario/runner/run.ts'
import * as sec from '../io/services/section.ts'
import { PAGE, SEC, SECTION_ACCESS } from '../nt/file.ts'
import { pattern, sameBytes, SECOND, TestMachine } from './test-machine.ts'

/** the same store, mounted again in a new machine */
function sameStore(v: MountedVolume): MountVolume {
  const store = v.store as NtfsStore
  return (io, dev) => {
    mountNtfsVolume(io, dev, store)
    return { info: v.info, store, close: () => store.close() }
  }
}

function cycle(t: TestMachine, remount: (v: MountedVolume) => MountVolume = sameStore): void {
  t.machine.powerOff()
  expect(t.machine.state).toBe('stopped')
  const next = Machine.powerOn(t.machine, remount)
  next.boot()
  t.machine = next
}

describe('power loss', () => {
  it('what the lazy writer had not written is lost; the file and its size (metadata) survive, reading as zeros', () => {
    const t = new TestMachine()
    const h = t.open('app.exe', 'lost.txt', { disposition: 5 })
    t.write('app.exe', h, 0, 'not yet on disk')
    const before = t.now
    cycle(t)
    expect(t.now).toBe(before)
    expect(t.onDisk('lost.txt')!.length).toBe(15)
    const h2 = t.open('app.exe', 'lost.txt')
    expect(t.read('app.exe', h2, 0, 15).data.some((b) => b !== 0)).toBe(false)
    t.close('app.exe', h2)
  })

  it('what was written behind (or flushed) survives; nothing the old machine had queued runs again', () => {
    const t = new TestMachine()
    const a = t.open('app.exe', 'kept.txt', { disposition: 5 })
    t.write('app.exe', a, 0, 'written behind')
    t.wait(5 * SECOND)
    const b = t.open('app.exe', 'flushed.txt', { disposition: 5 })
    t.write('app.exe', b, 0, 'flushed')
    t.flush('app.exe', b)
    const c = t.open('app.exe', 'dirty.txt', { disposition: 5 })
    t.write('app.exe', c, 0, 'dirty')
    const old = t.machine
    cycle(t)
    // the old machine's timers and threads do nothing any more
    old.ke.runFor(30 * SECOND)
    expect(new TextDecoder().decode(t.onDisk('kept.txt'))).toBe('written behind')
    expect(new TextDecoder().decode(t.onDisk('flushed.txt'))).toBe('flushed')
    expect(t.onDisk('dirty.txt')!.some((x) => x !== 0)).toBe(false)
  })

  it('pages modified through a mapped view and not yet written are lost', () => {
    const t = new TestMachine({ settings: { mappedPageWriterIntervalMs: 5000 } })
    t.prepare('mapped.bin', 8192)
    const f = t.open('app.exe', 'mapped.bin')
    const s = t.call('app.exe', () => sec.NtCreateSection(t.machine.io, { FileHandle: f, DesiredAccess: SECTION_ACCESS.SECTION_ALL_ACCESS, SectionPageProtection: PAGE.PAGE_READWRITE, AllocationAttributes: SEC.SEC_COMMIT }))
    const v = t.call('app.exe', () => sec.NtMapViewOfSection(t.machine.io, { SectionHandle: s.handle!, Win32Protect: PAGE.PAGE_READWRITE }))
    t.call('app.exe', () => sec.NtWriteVirtualMemory(t.machine.io, { BaseAddress: v.baseAddress!, Data: new TextEncoder().encode('gone') }))
    cycle(t)
    expect(sameBytes(t.onDisk('mapped.bin'), pattern(8192))).toBe(true)
  })

  describe('on a disk image', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'altitude-power-'))
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
    it('remounts the image: written data is there, dirty data is not, and the volume checks out', () => {
      const image = path.join(dir, 'p.img')
      const t = new TestMachine({ volume: { kind: 'image', path: image, format: { sizeBytes: 16 * 1024 * 1024 } } })
      const a = t.open('app.exe', 'a.bin', { disposition: 5 })
      t.write('app.exe', a, 0, pattern(10000))
      t.wait(5 * SECOND)
      const b = t.open('app.exe', 'b.bin', { disposition: 5 })
      t.write('app.exe', b, 0, pattern(10000, 3))
      cycle(t, (v) => {
        v.close()
        return ntfsVolume({ kind: 'image', path: image })
      })
      expect(sameBytes(t.onDisk('a.bin'), pattern(10000))).toBe(true)
      expect(t.onDisk('b.bin')!.some((x) => x !== 0)).toBe(false)
      t.machine.shutdown()
    })
  })
})

describe('power: off in a scenario', () => {
  it('pulls the plug between steps: later steps run on the remounted volume with no handles, the trace goes on', () => {
    const yaml = `
name: power loss after a cached write
settings: { cacheManager: true }
steps:
  - call: NtCreateFile
    args: { FileName: 'C:\\saved.txt', DesiredAccess: [GENERIC_WRITE, SYNCHRONIZE], CreateDisposition: FILE_CREATE, CreateOptions: [FILE_SYNCHRONOUS_IO_NONALERT] }
    as: h
  - call: NtWriteFile
    args: { FileHandle: h, ByteOffset: 0, Data: "saved" }
  - call: NtFlushBuffersFile
    args: { FileHandle: h }
  - call: NtCreateFile
    args: { FileName: 'C:\\unsaved.txt', DesiredAccess: [GENERIC_WRITE, SYNCHRONIZE], CreateDisposition: FILE_CREATE, CreateOptions: [FILE_SYNCHRONOUS_IO_NONALERT] }
    as: u
  - call: NtWriteFile
    args: { FileHandle: u, ByteOffset: 0, Data: "unsaved" }
  - power: off
  - call: NtCreateFile
    args: { FileName: 'C:\\unsaved.txt', DesiredAccess: [GENERIC_READ, SYNCHRONIZE], ShareAccess: [FILE_SHARE_READ], CreateDisposition: FILE_OPEN, CreateOptions: [FILE_SYNCHRONOUS_IO_NONALERT] }
    as: r
    expect: { status: STATUS_SUCCESS }
  - call: NtReadFile
    args: { FileHandle: r, ByteOffset: 0, Length: 7 }
    expect: { status: STATUS_SUCCESS, output: { Data: { hex: "00000000000000" } } }
expect:
  files:
    - { path: 'C:\\saved.txt', content: "saved" }
    - { path: 'C:\\unsaved.txt', size: 7 }
  trace:
    - { op: IRP_MJ_WRITE, path: 'C:\\unsaved.txt', process: explorer.exe }
    - { op: IRP_MJ_CREATE, path: 'C:\\unsaved.txt', phase: dispatch }
`
    const sc = parseScenario(yaml, 'power.yaml')
    if (!('steps' in sc)) throw new Error(JSON.stringify(sc))
    const r = runScenario(sc)
    expect(r.failures).toEqual([])
    // numbering goes on across the power cycle, and so does the clock
    const seqs = r.trace.map((e) => e.seq)
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y))
    expect(new Set(seqs).size).toBe(seqs.length)
    const times = r.trace.map((e) => e.time)
    expect(times).toEqual([...times].sort((x, y) => x - y))
    // a handle from before the power loss is gone
    const stale = runScenario(parseScenario(yaml.replace("args: { FileHandle: r, ByteOffset: 0, Length: 7 }", "args: { FileHandle: u, ByteOffset: 0, Length: 7 }"), 'power.yaml') as never)
    expect(stale.failures.map((f) => f.message).join('\n')).toContain("the handle 'u' has not been opened")
  })
})
