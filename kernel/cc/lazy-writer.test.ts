import { describe, expect, it } from 'vitest'
import { brief, MS, pattern, sameBytes, SECOND, TestMachine } from './test-machine.ts'
import { STATUS } from '../nt/status.ts'
import { CREATE_OPTIONS as O, FILE_ATTRIBUTE } from '../nt/file.ts'

const LAZY_WRITE = ['IRP_NOCACHE', 'IRP_PAGING_IO', 'IRP_SYNCHRONOUS_PAGING_IO']

describe('lazy writer', () => {
  it('writes a cached write behind from System 3 s later: ACQUIRE_FOR_CC_FLUSH, paging write, RELEASE, EOF update', () => {
    const t = new TestMachine()
    const h = t.open('svchost.exe', 'out.cab', { disposition: 5 })
    const start = t.lastSeq()
    const data = pattern(1024 * 1024)
    expect(t.write('svchost.exe', h, 0, data)).toBe(STATUS.STATUS_SUCCESS)
    // the data is in the cache only: no paging write yet, and nothing on the volume
    expect(t.fsOps(start).map(brief)).toEqual(['svchost.exe IRP_MJ_WRITE [IRP_WRITE_OPERATION]'])
    expect(t.onDisk('out.cab')!.length).toBe(1024 * 1024)
    expect(t.onDisk('out.cab')!.some((b) => b !== 0)).toBe(false)
    const written = t.now
    t.wait(2 * SECOND)
    expect(t.fsOps(start).length).toBe(1)
    t.wait(2 * SECOND)
    const ops = t.fsOps(start).slice(1)
    expect(ops.map(brief)).toEqual([
      'System IRP_MJ_ACQUIRE_FOR_CC_FLUSH',
      `System IRP_MJ_WRITE [${LAZY_WRITE.join(',')}]`,
      'System IRP_MJ_RELEASE_FOR_CC_FLUSH',
      'System IRP_MJ_SET_INFORMATION(FileEndOfFileInformation) [IRP_PAGING_IO,IRP_SYNCHRONOUS_PAGING_IO]',
    ])
    // CcFirstDelay: 3 s after the cache went dirty
    expect(ops[0]!.time - written).toBeGreaterThanOrEqual(3 * SECOND)
    expect(ops[0]!.time - written).toBeLessThan(3 * SECOND + 10 * MS)
    expect(ops[1]!.params).toMatchObject({ ByteOffset: 0, Length: 1024 * 1024 })
    expect(ops[3]!.params).toMatchObject({ AdvanceOnly: true })
    // all four from one System thread, the lazy writer's
    expect(new Set(ops.map((e) => e.tid)).size).toBe(1)
    expect(sameBytes(t.onDisk('out.cab'), data)).toBe(true)
    t.close('svchost.exe', h)
  })

  it('writes one eighth of the dirty pages per 1 s scan, in writes of at most 1 MiB', () => {
    const t = new TestMachine()
    const h = t.open('app.exe', 'big.dat', { disposition: 5 })
    const start = t.lastSeq()
    t.write('app.exe', h, 0, pattern(12 * 1024 * 1024))
    t.wait(3 * SECOND + 10 * MS)
    const first = t.fsOps(start).filter((e) => e.op === 'IRP_MJ_WRITE' && e.process === 'System')
    // 3072 dirty pages: an eighth is 384 pages, in writes of 256 + 128 pages
    expect(first.map((e) => e.params['Length'])).toEqual([1024 * 1024, 512 * 1024])
    t.wait(SECOND)
    const second = t.fsOps(start).filter((e) => e.op === 'IRP_MJ_WRITE' && e.process === 'System').slice(2)
    // 2688 left: 336 pages
    expect(second.map((e) => e.params['Length'])).toEqual([1024 * 1024, 320 * 1024])
    expect(second[0]!.time - first[0]!.time).toBeGreaterThanOrEqual(SECOND)
    t.wait(60 * SECOND)
    expect(sameBytes(t.onDisk('big.dat'), pattern(12 * 1024 * 1024))).toBe(true)
    t.close('app.exe', h)
  })

  it('leaves a temporary file alone while it is open, and writes it after its last handle', () => {
    const t = new TestMachine()
    const h = t.open('app.exe', 'tmp.dat', { disposition: 5, attributes: FILE_ATTRIBUTE.FILE_ATTRIBUTE_TEMPORARY })
    const start = t.lastSeq()
    t.write('app.exe', h, 0, 'scratch')
    t.wait(10 * SECOND)
    expect(t.fsOps(start).filter((e) => e.process === 'System')).toEqual([])
    t.close('app.exe', h)
    t.wait(5 * SECOND)
    expect(t.fsOps(start).some((e) => e.process === 'System' && e.op === 'IRP_MJ_WRITE')).toBe(true)
    expect(new TextDecoder().decode(t.onDisk('tmp.dat'))).toBe('scratch')
  })

  it('throttles a writer over the dirty threshold (CcCanIWrite) and writes behind at once', () => {
    const t = new TestMachine({ settings: { dirtyPageThresholdBytes: 1024 * 1024 } })
    const h = t.open('app.exe', 'thr.dat', { disposition: 5 })
    t.write('app.exe', h, 0, pattern(1024 * 1024))
    const start = t.lastSeq()
    const before = t.now
    t.write('app.exe', h, 1024 * 1024, pattern(64 * 1024, 1024 * 1024))
    const ops = t.fsOps(start)
    // the second write waited for the lazy writer, which did not wait for its 3 s
    const lazy = ops.find((e) => e.process === 'System' && e.op === 'IRP_MJ_WRITE')!
    expect(lazy).toBeDefined()
    expect(lazy.time - before).toBeLessThan(SECOND)
    const done = t.trace.find((e) => e.seq > start && e.op === 'IRP_MJ_WRITE' && e.process === 'app.exe' && e.phase === 'complete')!
    expect(done.seq).toBeGreaterThan(lazy.seq)
    t.close('app.exe', h)
  })

  it('lazy-closes an unused cache map: IRP_MJ_CLOSE from System after the writes, none for a stat probe', () => {
    const t = new TestMachine()
    const h = t.open('app.exe', 'lc.txt', { disposition: 5 })
    t.write('app.exe', h, 0, 'data')
    const start = t.lastSeq()
    t.close('app.exe', h)
    const cleanup = t.fsOps(start).find((e) => e.op === 'IRP_MJ_CLEANUP')!
    expect(t.fsOps(start).some((e) => e.op === 'IRP_MJ_CLOSE')).toBe(false)
    t.wait(30 * SECOND)
    const ops = t.fsOps(start)
    const close = ops.find((e) => e.op === 'IRP_MJ_CLOSE')!
    const write = ops.find((e) => e.op === 'IRP_MJ_WRITE')!
    expect(close.process).toBe('System')
    expect(close.seq).toBeGreaterThan(write.seq)
    expect(close.time - cleanup.time).toBeGreaterThanOrEqual(10 * SECOND)
    // a handle that did no cached I/O closes at once
    const s2 = t.lastSeq()
    const p = t.open('explorer.exe', 'lc.txt', { access: 0x80, options: O.FILE_OPEN_REPARSE_POINT })
    t.close('explorer.exe', p)
    expect(t.fsOps(s2).map(brief).slice(-2)).toEqual(['explorer.exe IRP_MJ_CLEANUP [IRP_CLOSE_OPERATION,IRP_SYNCHRONOUS_API]', 'explorer.exe IRP_MJ_CLOSE [IRP_CLOSE_OPERATION,IRP_SYNCHRONOUS_API]'])
  })

  it('closes the file object that cached the stream last; a second handle closes at once', () => {
    const t = new TestMachine()
    const a = t.open('a.exe', 'two.txt', { disposition: 5 })
    t.write('a.exe', a, 0, 'first')
    const b = t.open('b.exe', 'two.txt')
    expect(new TextDecoder().decode(t.read('b.exe', b, 0, 5).data)).toBe('first')
    const start = t.lastSeq()
    t.close('b.exe', b)
    expect(t.fsOps(start).map((e) => `${e.process} ${e.op}`)).toEqual(['b.exe IRP_MJ_CLEANUP', 'b.exe IRP_MJ_CLOSE'])
    t.close('a.exe', a)
    t.wait(30 * SECOND)
    const closes = t.fsOps(start).filter((e) => e.op === 'IRP_MJ_CLOSE')
    expect(closes.map((e) => e.process)).toEqual(['b.exe', 'System'])
  })
})
