import { describe, expect, it } from 'vitest'
import { brief, TestMachine } from '../../cc/test-machine.ts'
import type { TraceEvent } from '../../trace/event.ts'
import {
  FLT_IS_FASTIO_OPERATION,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_DISALLOW_FASTIO,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  IRP_MJ,
  IRP_MJ_FLT,
  type FLT_CALLBACK_DATA,
} from '../../flt/test-exports.ts'
import { filterModule } from '../../flt/test-support.ts'
import { FILE_INFORMATION_CLASS as C } from '../../nt/infoclass.ts'
import { CREATE_DISPOSITION, CREATE_OPTIONS, SHARE_ACCESS } from '../../nt/file.ts'
import { ACCESS } from '../../nt/access.ts'
import { STATUS, statusName } from '../../nt/status.ts'
import * as nt from './index.ts'

function query(t: TestMachine, process: string, h: number, cls: number, length: number): { status: string; bytes: Uint8Array } {
  const r = t.call(process, () => nt.NtQueryInformationFile(t.machine.io, { FileHandle: h, FileInformationClass: cls, Length: length }))
  return { status: statusName(r.status), bytes: r.buffer ?? new Uint8Array(0) }
}

/** the file system's view: op, and the status of fast I/O calls */
function fsView(t: TestMachine, since: number): string[] {
  return t.trace
    .filter((e: TraceEvent) => e.seq > since && e.at === 'fs' && (e.op.startsWith('FASTIO_') ? e.phase === 'complete' : e.phase === 'dispatch'))
    .map((e) => (e.op.startsWith('FASTIO_') ? `${e.op} ${e.status}` : e.op))
}

/** a filter that answers FLT_PREOP_DISALLOW_FASTIO for fast I/O of `major`, and records what it saw */
function disallowing(t: TestMachine, major: number, seen: string[]): void {
  const r = t.machine.fltmc.load(
    filterModule('nofast', '320000', () => ({
      OperationRegistration: [
        {
          MajorFunction: major,
          PreOperation: (d: FLT_CALLBACK_DATA) => {
            seen.push(FLT_IS_FASTIO_OPERATION(d) ? 'fast' : 'irp')
            return FLT_IS_FASTIO_OPERATION(d) ? FLT_PREOP_DISALLOW_FASTIO : FLT_PREOP_SUCCESS_NO_CALLBACK
          },
          PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING,
        },
      ],
    })),
  )
  expect(r.statusName).toBe('STATUS_SUCCESS')
}

function openAsync(t: TestMachine, process: string, name: string): number {
  const r = t.call(process, () =>
    nt.NtCreateFile(t.machine.io, {
      FileName: `\\??\\C:\\${name}`,
      DesiredAccess: ACCESS.GENERIC_READ,
      ShareAccess: SHARE_ACCESS.FILE_SHARE_READ | SHARE_ACCESS.FILE_SHARE_WRITE,
      CreateDisposition: CREATE_DISPOSITION.FILE_OPEN,
      CreateOptions: CREATE_OPTIONS.FILE_NON_DIRECTORY_FILE,
    }),
  )
  return r.handle!
}

describe('NtQueryInformationFile: the fast query first', () => {
  it('FileBasicInformation and FileStandardInformation on a synchronous handle are answered by FastIoQueryBasicInfo / FastIoQueryStandardInfo, with the bytes the IRP gives', () => {
    const t = new TestMachine()
    t.prepare('q.txt', 5000)
    const h = t.open('app.exe', 'q.txt')
    const a = openAsync(t, 'app.exe', 'q.txt')
    for (const [cls, length, op] of [
      [C.FileBasicInformation, 40, 'FASTIO_QUERY_BASIC_INFO'],
      [C.FileStandardInformation, 24, 'FASTIO_QUERY_STANDARD_INFO'],
    ] as const) {
      const s = t.lastSeq()
      const fast = query(t, 'app.exe', h, cls, length)
      expect(fsView(t, s)).toEqual([`${op} STATUS_SUCCESS`])
      // an asynchronous handle does not try it: the IRP
      const s2 = t.lastSeq()
      const slow = query(t, 'app.exe', a, cls, length)
      expect(fsView(t, s2)).toEqual(['IRP_MJ_QUERY_INFORMATION'])
      expect(fast.status).toBe('STATUS_SUCCESS')
      expect(slow.status).toBe('STATUS_SUCCESS')
      expect(fast.bytes).toEqual(slow.bytes)
    }
    expect(new DataView(query(t, 'app.exe', h, C.FileStandardInformation, 24).bytes.buffer).getBigInt64(8, true)).toBe(5000n)
    // the other classes go by IRP only (FileNetworkOpenInformation included)
    const s3 = t.lastSeq()
    expect(query(t, 'app.exe', h, C.FileNetworkOpenInformation, 56).status).toBe('STATUS_SUCCESS')
    expect(fsView(t, s3)).toEqual(['IRP_MJ_QUERY_INFORMATION'])
  })

  it('a minifilter that disallows it sees FLT_IS_FASTIO_OPERATION, and the IRP follows with the same answer', () => {
    const t = new TestMachine()
    t.prepare('q.txt', 300)
    const seen: string[] = []
    disallowing(t, IRP_MJ.IRP_MJ_QUERY_INFORMATION, seen)
    const h = t.open('app.exe', 'q.txt')
    seen.length = 0
    const s = t.lastSeq()
    const r = query(t, 'app.exe', h, C.FileStandardInformation, 24)
    expect(r.status).toBe('STATUS_SUCCESS')
    expect(new DataView(r.bytes.buffer, r.bytes.byteOffset).getBigInt64(8, true)).toBe(300n)
    expect(seen).toEqual(['fast', 'irp'])
    // the file system is not asked for the fast path at all: the frame declined it above
    expect(fsView(t, s)).toEqual(['IRP_MJ_QUERY_INFORMATION'])
    const frame = t.trace.filter((e) => e.seq > s && e.at.startsWith('nofast') && e.phase === 'pre').map((e) => e.op)
    expect(frame).toEqual(['FASTIO_QUERY_STANDARD_INFO', 'IRP_MJ_QUERY_INFORMATION'])
  })
})

describe('NtQueryAttributesFile / NtQueryFullAttributesFile: FastIoQueryOpen, the open, the fast query', () => {
  function attrs(t: TestMachine, full: boolean, name: string) {
    return t.call('explorer.exe', () =>
      nt.queryAttributesByName(t.machine.io, { FileName: `\\??\\C:\\${name}` }, full ? C.FileNetworkOpenInformation : C.FileBasicInformation, full ? 56 : 40),
    )
  }

  it('NTFS declines the query open (FAST IO DISALLOWED), so the file is opened and FastIoQueryBasicInfo / NetworkOpenInfo answer', () => {
    const t = new TestMachine()
    t.prepare('p.txt', 7000)
    const s = t.lastSeq()
    const b = attrs(t, false, 'p.txt')
    expect(statusName(b.status)).toBe('STATUS_SUCCESS')
    expect(b.information).toBe(40)
    expect(new DataView(b.buffer!.buffer, b.buffer!.byteOffset).getUint32(32, true) & 0x20).toBe(0x20) // FILE_ATTRIBUTE_ARCHIVE
    expect(fsView(t, s)).toEqual(['FASTIO_QUERY_OPEN STATUS_FLT_DISALLOW_FAST_IO', 'IRP_MJ_CREATE', 'FASTIO_QUERY_BASIC_INFO STATUS_SUCCESS', 'IRP_MJ_CLEANUP', 'IRP_MJ_CLOSE'])
    expect(t.trace.find((e) => e.seq > s && e.op === 'FASTIO_QUERY_OPEN')!.procmon).toBe('QueryOpen')
    const s2 = t.lastSeq()
    const f = attrs(t, true, 'p.txt')
    expect(statusName(f.status)).toBe('STATUS_SUCCESS')
    expect(new DataView(f.buffer!.buffer, f.buffer!.byteOffset).getBigInt64(40, true)).toBe(7000n)
    expect(fsView(t, s2)).toEqual(['FASTIO_QUERY_OPEN STATUS_FLT_DISALLOW_FAST_IO', 'IRP_MJ_CREATE', 'FASTIO_QUERY_NETWORK_OPEN_INFO STATUS_SUCCESS', 'IRP_MJ_CLEANUP', 'IRP_MJ_CLOSE'])
    // a missing name fails the open after the declined query open
    const s3 = t.lastSeq()
    expect(statusName(attrs(t, false, 'nope.txt').status)).toBe('STATUS_OBJECT_NAME_NOT_FOUND')
    expect(fsView(t, s3)).toEqual(['FASTIO_QUERY_OPEN STATUS_FLT_DISALLOW_FAST_IO', 'IRP_MJ_CREATE'])
  })

  it('with the fast query disallowed by a filter, IRP_MJ_QUERY_INFORMATION (flags 0x14) follows', () => {
    const t = new TestMachine()
    t.prepare('p.txt', 100)
    const seen: string[] = []
    disallowing(t, IRP_MJ.IRP_MJ_QUERY_INFORMATION, seen)
    const s = t.lastSeq()
    const f = attrs(t, true, 'p.txt')
    expect(new DataView(f.buffer!.buffer, f.buffer!.byteOffset).getBigInt64(40, true)).toBe(100n)
    expect(seen).toEqual(['fast', 'irp'])
    expect(fsView(t, s)).toEqual(['FASTIO_QUERY_OPEN STATUS_FLT_DISALLOW_FAST_IO', 'IRP_MJ_CREATE', 'IRP_MJ_QUERY_INFORMATION', 'IRP_MJ_CLEANUP', 'IRP_MJ_CLOSE'])
    expect(t.trace.find((e) => e.seq > s && e.at === 'fs' && e.op === 'IRP_MJ_QUERY_INFORMATION')!.flags).toEqual(expect.arrayContaining(['IRP_BUFFERED_IO', 'IRP_SYNCHRONOUS_API']))
  })

  it('a filter that completes IRP_MJ_NETWORK_QUERY_OPEN answers the query: no file is opened', () => {
    const t = new TestMachine()
    t.prepare('p.txt', 100)
    expect(
      t.machine.fltmc.load(
        filterModule('answers', '320000', () => ({
          OperationRegistration: [
            {
              MajorFunction: IRP_MJ_FLT.IRP_MJ_NETWORK_QUERY_OPEN,
              PreOperation: (d: FLT_CALLBACK_DATA) => {
                const info = d.Iopb.Parameters.NetworkQueryOpen.NetworkInformation as Uint8Array
                const dv = new DataView(info.buffer, info.byteOffset, info.byteLength)
                dv.setBigInt64(40, 4242n, true) // EndOfFile
                dv.setUint32(48, 0x80, true) // FILE_ATTRIBUTE_NORMAL
                d.IoStatus = { Status: STATUS.STATUS_SUCCESS, Information: 0 }
                return FLT_PREOP_COMPLETE
              },
            },
          ],
        })),
      ).statusName,
    ).toBe('STATUS_SUCCESS')
    const s = t.lastSeq()
    const f = attrs(t, true, 'p.txt')
    expect(statusName(f.status)).toBe('STATUS_SUCCESS')
    expect(new DataView(f.buffer!.buffer, f.buffer!.byteOffset).getBigInt64(40, true)).toBe(4242n)
    const b = attrs(t, false, 'p.txt')
    expect(new DataView(b.buffer!.buffer, b.buffer!.byteOffset).getUint32(32, true)).toBe(0x80)
    expect(fsView(t, s)).toEqual([])
  })
})

describe('NtLockFile / NtUnlockFile and the last handle: FastIoLock, FastIoUnlockSingle, FastIoUnlockAll', () => {
  function lock(t: TestMachine, process: string, h: number, offset: number, length: number, failImmediately = true) {
    return statusName(t.call(process, () => nt.NtLockFile(t.machine.io, { FileHandle: h, ByteOffset: offset, Length: length, ExclusiveLock: true, FailImmediately: failImmediately })).status)
  }
  function unlock(t: TestMachine, process: string, h: number, offset: number, length: number) {
    return statusName(t.call(process, () => nt.NtUnlockFile(t.machine.io, { FileHandle: h, ByteOffset: offset, Length: length })).status)
  }

  it('locks and unlocks go by fast I/O; a refused FailImmediately lock is a fast answer too; the last handle unlocks all before cleanup', () => {
    const t = new TestMachine()
    t.prepare('l.db', 8192)
    const a = t.open('a.exe', 'l.db')
    const b = t.open('b.exe', 'l.db')
    const s = t.lastSeq()
    expect(lock(t, 'a.exe', a, 0, 100)).toBe('STATUS_SUCCESS')
    expect(lock(t, 'b.exe', b, 50, 10)).toBe('STATUS_LOCK_NOT_GRANTED')
    expect(lock(t, 'a.exe', a, 200, 10)).toBe('STATUS_SUCCESS')
    expect(unlock(t, 'a.exe', a, 200, 10)).toBe('STATUS_SUCCESS')
    expect(unlock(t, 'a.exe', a, 200, 10)).toBe('STATUS_RANGE_NOT_LOCKED')
    expect(fsView(t, s)).toEqual([
      'FASTIO_LOCK STATUS_SUCCESS',
      'FASTIO_LOCK STATUS_LOCK_NOT_GRANTED',
      'FASTIO_LOCK STATUS_SUCCESS',
      'FASTIO_UNLOCK_SINGLE STATUS_SUCCESS',
      'FASTIO_UNLOCK_SINGLE STATUS_RANGE_NOT_LOCKED',
    ])
    // a's last handle: its locks go first, then the cleanup (and the close: no cache map); b can lock the range now
    const s2 = t.lastSeq()
    t.close('a.exe', a)
    expect(fsView(t, s2)).toEqual(['FASTIO_UNLOCK_ALL STATUS_SUCCESS', 'IRP_MJ_CLEANUP', 'IRP_MJ_CLOSE'])
    expect(lock(t, 'b.exe', b, 50, 10)).toBe('STATUS_SUCCESS')
    // a handle that never locked closes without it
    const c = t.open('c.exe', 'l.db')
    const s3 = t.lastSeq()
    t.close('c.exe', c)
    expect(fsView(t, s3)).toEqual(['IRP_MJ_CLEANUP', 'IRP_MJ_CLOSE'])
  })

  it('a lock that must wait is declined and sent as IRP_MJ_LOCK_CONTROL; with fast lock control disallowed, the unlock-all is IRP_MN_UNLOCK_ALL', () => {
    const t = new TestMachine()
    t.prepare('l.db', 8192)
    const seen: string[] = []
    disallowing(t, IRP_MJ.IRP_MJ_LOCK_CONTROL, seen)
    const a = t.open('a.exe', 'l.db')
    const s = t.lastSeq()
    expect(lock(t, 'a.exe', a, 0, 100, false)).toBe('STATUS_SUCCESS')
    expect(seen).toEqual(['fast', 'irp'])
    expect(fsView(t, s)).toEqual(['IRP_MJ_LOCK_CONTROL'])
    const s2 = t.lastSeq()
    t.close('a.exe', a)
    const ops = t.fsOps(s2)
    expect(ops.map(brief)).toEqual([
      'a.exe IRP_MJ_LOCK_CONTROL [IRP_SYNCHRONOUS_API]',
      'a.exe IRP_MJ_CLEANUP [IRP_CLOSE_OPERATION,IRP_SYNCHRONOUS_API]',
      'a.exe IRP_MJ_CLOSE [IRP_CLOSE_OPERATION,IRP_SYNCHRONOUS_API]',
    ])
    expect(ops[0]!.minor).toBe('IRP_MN_UNLOCK_ALL')
  })
})
