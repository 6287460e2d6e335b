import { describe, expect, it } from 'vitest'
import { TestMachine, SECOND } from '../../cc/test-machine.ts'
import { STATUS } from '../../nt/status.ts'
import type { TraceEvent } from '../../trace/event.ts'
import { planReceive, receiveCopy, srvPattern, SrvError, type ReceiveCopyArgs } from './index.ts'

function run(args: ReceiveCopyArgs, settings: Record<string, unknown> = {}) {
  const t = new TestMachine()
  const since = t.lastSeq()
  const r = t.call('System', () => receiveCopy({ io: t.machine.io, settings }, args))
  return { t, r, events: t.trace.filter((e) => e.seq > since) }
}

/** the file system's view of the sequence: op and, for fast I/O, whether it was done */
function fsOps(events: readonly TraceEvent[]): string[] {
  return events
    .filter((e) => e.at === 'fs' && e.phase === 'complete' && e.process === 'System')
    .map((e) => `${e.op}${e.minor ? ` ${e.minor}` : ''}${e.op.startsWith('FASTIO') ? (e.status === 'STATUS_FLT_DISALLOW_FAST_IO' ? ' declined' : ' done') : ''}`)
}

describe('srv receiveCopy: what the SMB server does when a remote client copies a file in', () => {
  it('creates the target, sets its size, writes through FastIoWrite after the first write initializes the cache, closes', () => {
    const { t, r, events } = run({ path: 'C:\\in.bin', size: 200_000 }, { 'srv.writeChunk': '64KiB' })
    expect(r.status).toBe(STATUS.STATUS_SUCCESS)
    expect(r.writes.map((w) => w.via)).toEqual(['IRP', 'FastIoWrite', 'FastIoWrite', 'FastIoWrite'])
    expect(r.writes.map((w) => w.length)).toEqual([65536, 65536, 65536, 200_000 - 3 * 65536])
    const ops = fsOps(events).filter((o) => !o.startsWith('FASTIO_QUERY') && o !== 'IRP_MJ_CLEANUP' && o !== 'IRP_MJ_CLOSE')
    expect(ops).toEqual([
      'IRP_MJ_CREATE',
      'IRP_MJ_SET_INFORMATION FileEndOfFileInformation',
      'IRP_MJ_SET_INFORMATION FileAllocationInformation',
      'FASTIO_WRITE declined',
      'IRP_MJ_WRITE IRP_MN_NORMAL',
      'FASTIO_WRITE done',
      'FASTIO_WRITE done',
      'FASTIO_WRITE done',
    ])
    const create = events.find((e) => e.op === 'IRP_MJ_CREATE' && e.at === 'fs' && e.phase === 'dispatch')!
    expect(create.process).toBe('System')
    expect(create.params?.['CreateDisposition']).toBe(5) // FILE_OVERWRITE_IF
    // nothing the server did was non-cached: the data reaches the disk later, from the lazy writer
    expect(events.filter((e) => e.op === 'IRP_MJ_WRITE' && (e.flags ?? []).includes('IRP_NOCACHE'))).toEqual([])
    expect(t.onDisk('in.bin')?.subarray(0, 16)).toEqual(new Uint8Array(16))
    t.wait(10 * SECOND)
    const paging = t.trace.filter((e) => e.op === 'IRP_MJ_WRITE' && e.at === 'fs' && e.phase === 'dispatch' && (e.flags ?? []).includes('IRP_PAGING_IO'))
    expect(paging.length).toBeGreaterThan(0)
    expect(paging.every((e) => e.process === 'System')).toBe(true)
    expect(t.onDisk('in.bin')).toEqual(srvPattern(200_000))
  })

  it('MDL writes: FastIoPrepareMdlWrite and MdlWriteComplete once the cache is up, IRP_MN_MDL and IRP_MN_COMPLETE_MDL write IRPs before', () => {
    const { t, r, events } = run({ path: 'C:\\m.bin', content: 'x'.repeat(10_000), chunk: 4096, mdl: true })
    expect(r.status).toBe(STATUS.STATUS_SUCCESS)
    expect(r.writes.map((w) => w.via)).toEqual(['IRP', 'PrepareMdlWrite', 'PrepareMdlWrite'])
    const ops = fsOps(events).filter((o) => o.includes('MDL') || o.includes('WRITE'))
    expect(ops).toEqual([
      'FASTIO_PREPARE_MDL_WRITE declined',
      // the IRP path of an MDL write: the cache's pages handed out, then given back
      'IRP_MJ_WRITE IRP_MN_MDL',
      'IRP_MJ_WRITE IRP_MN_COMPLETE_MDL',
      'FASTIO_PREPARE_MDL_WRITE done',
      'FASTIO_MDL_WRITE_COMPLETE done',
      'FASTIO_PREPARE_MDL_WRITE done',
      'FASTIO_MDL_WRITE_COMPLETE done',
    ])
    t.wait(10 * SECOND)
    expect(new TextDecoder().decode(t.onDisk('m.bin'))).toBe('x'.repeat(10_000))
  })

  it('overwrites an existing file and sets the client\'s last-write time', () => {
    const t = new TestMachine()
    t.prepare('old.txt', 50_000)
    const r = t.call('System', () => receiveCopy({ io: t.machine.io }, { path: 'C:\\old.txt', content: 'new', lastWriteTime: 132_000_000_000_000_000 }))
    expect(r.status).toBe(STATUS.STATUS_SUCCESS)
    const h = t.open('reader.exe', 'old.txt', { access: 0x80000000 })
    const got = t.read('reader.exe', h, 0, 100)
    expect(new TextDecoder().decode(got.data)).toBe('new')
    const basic = t.trace.filter((e) => e.at === 'fs' && e.phase === 'dispatch' && e.minor === 'FileBasicInformation')
    expect(basic).toHaveLength(1)
  })

  it('a target it cannot create is the status the client gets, naming the step', () => {
    const { r } = run({ path: 'C:\\no\\such\\dir\\a.bin', content: 'x' })
    expect(r.status).toBe(STATUS.STATUS_OBJECT_PATH_NOT_FOUND)
    expect(r.failedAt).toBe('create')
    expect(r.writes).toEqual([])
  })

  it('bad arguments and settings are errors naming them', () => {
    expect(() => planReceive({ path: 'C:\\a', content: 'x', size: 3 })).toThrow(SrvError)
    expect(() => planReceive({ path: 'C:\\a' })).toThrow(/content or size/)
    expect(() => planReceive({ path: 'a.bin', content: 'x' })).toThrow(/path: expected a drive path/)
    expect(() => planReceive({ path: 'C:\\a', content: 'x' }, { 'srv.writeChunk': '3MB' })).toThrow(/settings\.srv\.writeChunk: expected a size/)
    expect(() => planReceive({ path: 'C:\\a', content: 'x', mdl: 'yes' as never })).toThrow(/mdl: expected true or false/)
    expect(planReceive({ path: 'C:\\a', size: 5 }, { 'srv.writeChunk': '64KiB', 'srv.mdlWrites': true })).toMatchObject({ name: '\\??\\C:\\a', chunk: 65536, mdl: true })
    // in the emulated server the client gets STATUS_INVALID_PARAMETER, with what was wrong
    const t = new TestMachine()
    const r = t.call('System', () => receiveCopy({ io: t.machine.io }, { path: 'C:\\a' }))
    expect(r).toMatchObject({ status: STATUS.STATUS_INVALID_PARAMETER, failedAt: 'content or size: the file to receive needs one of them' })
  })
})
