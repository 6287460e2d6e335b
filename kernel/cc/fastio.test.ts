import { describe, expect, it } from 'vitest'
import { brief, pattern, sameBytes, TestMachine } from './test-machine.ts'
import type { FileObject } from '../io/file-object.ts'
import type { IoStatusBlock } from '../io/irp.ts'
import * as nt from '../io/services/index.ts'
import { STATUS } from '../nt/status.ts'
import { procmonResult } from '../trace/procmon.ts'
import type { MdlStatusBlock } from '../fs/ntfs/fastio.ts'

function fileObject(t: TestMachine, process: string, h: number): FileObject {
  return t.machine.process(process).handles.get(h)!.object as FileObject
}

function iosb(): IoStatusBlock {
  return { Status: STATUS.STATUS_PENDING, Information: 0 }
}

describe('fast I/O', () => {
  it('a cached write past the allocation is declined (FAST IO DISALLOWED) and sent again as the IRP', () => {
    const t = new TestMachine()
    const h = t.open('svchost.exe', 'grow.dll', { disposition: 5 })
    t.write('svchost.exe', h, 0, pattern(5000))
    const start = t.lastSeq()
    t.write('svchost.exe', h, 5000, pattern(20000, 5000))
    const ev = t.trace.filter((e) => e.seq > start && e.at === 'fs')
    expect(ev.slice(0, 3).map((e) => `${e.op} ${e.phase} ${e.status ?? ''}`.trim())).toEqual([
      'FASTIO_WRITE dispatch',
      'FASTIO_WRITE complete STATUS_FLT_DISALLOW_FAST_IO',
      'IRP_MJ_WRITE dispatch',
    ])
    expect(procmonResult(ev[1]!.status)).toBe('FAST IO DISALLOWED')
    expect(ev[1]!.procmon).toBe('WriteFile')
    // within the allocation the fast path does it
    const s2 = t.lastSeq()
    t.write('svchost.exe', h, 100, 'x')
    expect(t.fsOps(s2).map(brief)).toEqual(['svchost.exe FASTIO_WRITE'])
    expect(sameBytes(t.read('svchost.exe', h, 0, 25000).data.subarray(5000), pattern(20000, 5000))).toBe(true)
    t.close('svchost.exe', h)
  })

  it('byte-range locks make fast I/O questionable: FastIoCheckIfPossible decides, a conflict falls back to the IRP', () => {
    const t = new TestMachine()
    t.prepare('locked.db', 65536)
    const a = t.open('a.exe', 'locked.db')
    const b = t.open('b.exe', 'locked.db')
    t.read('a.exe', a, 0, 4096)
    t.read('b.exe', b, 0, 4096)
    // a locks [0, 100) exclusively through the fast path
    const foA = fileObject(t, 'a.exe', a)
    const lockIosb = iosb()
    const top = t.machine.io.topDeviceFor(foA)
    const fast = top.DriverObject.FastIoDispatch!
    const proc = t.machine.process('a.exe')
    expect(t.call('a.exe', () => fast.FastIoLock!(foA, 0, 100, proc, 0, true, true, lockIosb, top))).toBe(true)
    expect(lockIosb.Status).toBe(STATUS.STATUS_SUCCESS)
    const start = t.lastSeq()
    const r = t.read('b.exe', b, 0, 50)
    expect(r.status).toBe(STATUS.STATUS_FILE_LOCK_CONFLICT)
    expect(t.fsOps(start).map(brief)).toEqual(['b.exe FASTIO_READ', 'b.exe FASTIO_CHECK_IF_POSSIBLE', 'b.exe IRP_MJ_READ [IRP_READ_OPERATION]'])
    // outside the locked range the check allows it
    const s2 = t.lastSeq()
    expect(t.read('b.exe', b, 200, 50).status).toBe(STATUS.STATUS_SUCCESS)
    expect(t.fsOps(s2).map(brief)).toEqual(['b.exe FASTIO_READ', 'b.exe FASTIO_CHECK_IF_POSSIBLE'])
    // a second lock that conflicts fails at once with FailImmediately, or goes as an IRP without it
    const foB = fileObject(t, 'b.exe', b)
    const i2 = iosb()
    expect(t.call('b.exe', () => fast.FastIoLock!(foB, 0, 10, t.machine.process('b.exe'), 0, true, true, i2, top))).toBe(true)
    expect(i2.Status).toBe(STATUS.STATUS_LOCK_NOT_GRANTED)
    expect(t.call('b.exe', () => fast.FastIoLock!(foB, 0, 10, t.machine.process('b.exe'), 0, false, true, iosb(), top))).toBe(false)
    const u = iosb()
    expect(t.call('a.exe', () => fast.FastIoUnlockSingle!(foA, 0, 100, proc, 0, u, top))).toBe(true)
    expect(u.Status).toBe(STATUS.STATUS_SUCCESS)
    expect(t.call('a.exe', () => fast.FastIoUnlockAll!(foA, proc, iosb(), top))).toBe(true)
    const s3 = t.lastSeq()
    t.read('b.exe', b, 0, 50)
    expect(t.fsOps(s3).map(brief)).toEqual(['b.exe FASTIO_READ'])
    t.close('a.exe', a)
    t.close('b.exe', b)
  })

  it('answers basic, standard and network-open information without an IRP', () => {
    const t = new TestMachine()
    t.prepare('info.txt', 1234)
    const h = t.open('explorer.exe', 'info.txt')
    const fo = fileObject(t, 'explorer.exe', h)
    const top = t.machine.io.topDeviceFor(fo)
    const fast = top.DriverObject.FastIoDispatch!
    const out = new Uint8Array(56)
    const s = iosb()
    expect(t.call('explorer.exe', () => fast.FastIoQueryNetworkOpenInfo!(fo, true, out, s, top))).toBe(true)
    expect(s).toEqual({ Status: STATUS.STATUS_SUCCESS, Information: 56 })
    expect(Number(new DataView(out.buffer).getBigInt64(40, true))).toBe(1234)
    const std = new Uint8Array(24)
    expect(t.call('explorer.exe', () => fast.FastIoQueryStandardInfo!(fo, true, std, iosb(), top))).toBe(true)
    expect(Number(new DataView(std.buffer).getBigInt64(8, true))).toBe(1234)
    expect(t.call('explorer.exe', () => fast.FastIoQueryBasicInfo!(fo, true, new Uint8Array(40), iosb(), top))).toBe(true)
    const ops = t.trace.filter((e) => e.at === 'fs' && e.phase === 'complete').slice(-3)
    expect(ops.map((e) => `${e.procmon} ${e.status}`)).toEqual([
      'QueryNetworkOpenInformationFile STATUS_SUCCESS',
      'QueryStandardInformationFile STATUS_SUCCESS',
      'QueryBasicInformationFile STATUS_SUCCESS',
    ])
    expect(ops[1]!.output).toMatchObject({ EndOfFile: 1234 })
    t.close('explorer.exe', h)
  })

  it('MdlRead / MdlReadComplete and PrepareMdlWrite / MdlWriteComplete go through the cache', () => {
    const t = new TestMachine()
    const data = t.prepare('srv.bin', 32768)
    const h = t.open('System', 'srv.bin')
    t.read('System', h, 0, 1)
    const fo = fileObject(t, 'System', h)
    const top = t.machine.io.topDeviceFor(fo)
    const fast = top.DriverObject.FastIoDispatch!
    const r: MdlStatusBlock = iosb()
    expect(t.call('System', () => fast.MdlRead!(fo, 4096, 8192, 0, r, top))).toBe(true)
    expect(r.Information).toBe(8192)
    expect(sameBytes(r.MdlChain!.data, data.subarray(4096, 12288))).toBe(true)
    expect(t.call('System', () => fast.MdlReadComplete!(fo, r.MdlChain, top))).toBe(true)
    const w: MdlStatusBlock = iosb()
    expect(t.call('System', () => fast.PrepareMdlWrite!(fo, 100, 10, 0, w, top))).toBe(true)
    w.MdlChain!.data.set(new TextEncoder().encode('0123456789'))
    expect(t.call('System', () => fast.MdlWriteComplete!(fo, 100, w.MdlChain, top))).toBe(true)
    expect(new TextDecoder().decode(t.read('System', h, 100, 10).data)).toBe('0123456789')
    const names = t.trace.filter((e) => e.at === 'fs' && e.phase === 'dispatch' && e.op.includes('MDL')).map((e) => e.procmon)
    expect(names).toEqual(['ReadFile', 'FASTIO_MDL_READ_COMPLETE', 'WriteFile', 'FASTIO_MDL_WRITE_COMPLETE'])
    t.close('System', h)
  })

  it('QueryOpen is declined (observed on NTFS: FAST IO DISALLOWED), and a synchronous fast read moves the file position', () => {
    const t = new TestMachine()
    t.prepare('pos.txt', 100)
    const h = t.open('app.exe', 'pos.txt')
    t.read('app.exe', h, 0, 10)
    const r = t.call('app.exe', () => nt.NtReadFile(t.machine.io, { FileHandle: h, Length: 5 }))
    expect(r.status).toBe(STATUS.STATUS_SUCCESS)
    const fo = fileObject(t, 'app.exe', h)
    expect(fo.CurrentByteOffset).toBe(15)
    const { irp, device } = t.machine.io.buildIrp(fo, 0)
    irp.CurrentLocation--
    const s = t.lastSeq()
    expect(t.call('app.exe', () => device.DriverObject.FastIoDispatch!.FastIoQueryOpen!(irp, new Uint8Array(56), device))).toBe(false)
    const ev = t.trace.filter((e) => e.seq > s && e.op === 'FASTIO_QUERY_OPEN')
    expect(ev.map((e) => `${e.procmon} ${procmonResult(e.status)}`)).toEqual(['QueryOpen ', 'QueryOpen FAST IO DISALLOWED'])
    t.close('app.exe', h)
  })
})
