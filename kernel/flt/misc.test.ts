import { describe, expect, it } from 'vitest'
import { KeDelayExecutionThread, type Co } from '../ke/index.ts'
import type { FileObject } from '../io/file-object.ts'
import { CREATE_DISPOSITION } from '../nt/file.ts'
import { FILE_INFORMATION_CLASS } from '../nt/infoclass.ts'
import { FSCTL } from '../nt/irp.ts'
import {
  FltAllocateCallbackData,
  FltAllocateContext,
  FltCloseSectionForDataScan,
  FltCreateSectionForDataScan,
  FltRegisterForDataScan,
  FltReleaseContext,
  readSection,
  DataScanSection,
  FLT_SECTION_CONTEXT,
  NonPagedPool,
  FltAllocateGenericWorkItem,
  FltFsControlFile,
  FltGetFileNameInformation,
  FltGetTunneledName,
  FltPerformAsynchronousIo,
  FltQueueGenericWorkItem,
  FltReadFile,
  FltReissueSynchronousIo,
  FltSetCallbackDataDirty,
  FltSetInformationFile,
  FLT_FILE_NAME_NORMALIZED,
  FLT_FILE_NAME_QUERY_DEFAULT,
  FLT_IS_FS_FILTER_OPERATION,
  FLT_PREOP_COMPLETE,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_DISALLOW_FSFILTER_IO,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_PREOP_SYNCHRONIZE,
  FLTFL_CALLBACK_DATA_REISSUED_IO,
  IRP_MJ,
  IRP_MJ_FLT,
  NT_SUCCESS,
  STATUS,
  ref,
  statusNameOf,
  type FLT_CALLBACK_DATA,
  type FLT_FILE_NAME_INFORMATION,
  type FLT_RELATED_OBJECTS,
} from './test-exports.ts'
import { bootMachine, close, filterModule, lines, makeFile, mark, open, read, run } from './test-support.ts'
import type { Machine } from '../machine.ts'
import type { LOG_RECORD } from '../filters/minispy.ts'
import { recordKind } from '../filters/minispy.ts'
import { fltMgrFsFilterCallbacks, STATUS_FSFILTER_OP_COMPLETED_SUCCESSFULLY } from './fsfilter.ts'

function fileObjectOf(m: Machine, handle: number): FileObject {
  return m.process('app.exe').handles.get(handle)!.object as FileObject
}

describe('FsFilter operations', () => {
  it('the Cache Manager\'s acquire-for-flush reaches the instances as an FsFilter operation around the file system\'s routine', () => {
    const m = bootMachine()
    expect(m.fltmc.load('passthrough').statusName).toBe('STATUS_SUCCESS')
    expect(m.fltmc.load('minispy').statusName).toBe('STATUS_SUCCESS')
    expect(m.fltmc.attach('minispy', 'C:').statusName).toBe('STATUS_SUCCESS')
    const kinds: string[] = []
    expect(
      m.fltmc.load(
        filterModule('fsf', '200000', () => ({
          OperationRegistration: [
            { MajorFunction: IRP_MJ_FLT.IRP_MJ_ACQUIRE_FOR_CC_FLUSH, PreOperation: (d) => (kinds.push(`fsf ${FLT_IS_FS_FILTER_OPERATION(d)}`), FLT_PREOP_SUCCESS_NO_CALLBACK) },
            { MajorFunction: IRP_MJ_FLT.IRP_MJ_QUERY_OPEN, PreOperation: () => FLT_PREOP_DISALLOW_FSFILTER_IO },
          ],
        })),
      ).statusName,
    ).toBe('STATUS_SUCCESS')
    const from = mark(m)
    let fsCalled = 0
    const outcome = run(m, function* () {
      const h = yield* open(m, 'C:\\f.txt')
      const fo = fileObjectOf(m, h.handle)
      const a = yield* m.flt.fsFilter(fo, IRP_MJ_FLT.IRP_MJ_ACQUIRE_FOR_CC_FLUSH, () => {}, function* () {
        fsCalled++
        return STATUS.STATUS_SUCCESS
      })
      const q = yield* m.flt.fsFilter(fo, IRP_MJ_FLT.IRP_MJ_QUERY_OPEN, () => {}, function* () {
        fsCalled++
        return STATUS.STATUS_SUCCESS
      })
      return [a, q]
    })
    expect(outcome.map((o) => o.disallowed)).toEqual([false, true])
    expect(fsCalled).toBe(1)
    expect(kinds).toEqual(['fsf true'])
    expect(lines(m, from, { ops: ['IRP_MJ_ACQUIRE_FOR_CC_FLUSH'] })).toEqual([
      'minispy@385100 pre IRP_MJ_ACQUIRE_FOR_CC_FLUSH',
      'passthrough@370030 pre IRP_MJ_ACQUIRE_FOR_CC_FLUSH',
      'fsf@200000 pre IRP_MJ_ACQUIRE_FOR_CC_FLUSH',
      'passthrough@370030 post IRP_MJ_ACQUIRE_FOR_CC_FLUSH STATUS_SUCCESS',
      'minispy@385100 post IRP_MJ_ACQUIRE_FOR_CC_FLUSH STATUS_SUCCESS',
    ])
    const log = m.flt.published('minispy', 'log') as LOG_RECORD[]
    const rec = log.find((r) => r.Data.CallbackMajorId === IRP_MJ_FLT.IRP_MJ_ACQUIRE_FOR_CC_FLUSH)!
    expect(recordKind(rec)).toBe('FSF')
    // names cannot be asked of the file system in acquire-for-flush, and nothing had cached one
    expect(rec.Name).toBe('<NO NAME: NameStatus=STATUS_FLT_INVALID_NAME_REQUEST>')
  })
})

describe('FltMgr\'s FsFilter callbacks for FsRtl', () => {
  it('run the pre-operation callbacks in Pre…, the post-operation callbacks in Post…, and report a completed acquire', () => {
    const m = bootMachine()
    expect(m.fltmc.load('passthrough').statusName).toBe('STATUS_SUCCESS')
    let complete = false
    expect(
      m.fltmc.load(
        filterModule('acq', '200000', () => ({
          OperationRegistration: [
            {
              MajorFunction: IRP_MJ_FLT.IRP_MJ_ACQUIRE_FOR_MOD_WRITE,
              PreOperation: (d) => {
                if (!complete) return FLT_PREOP_SUCCESS_NO_CALLBACK
                d.IoStatus = { Status: STATUS.STATUS_SUCCESS, Information: 0 }
                return FLT_PREOP_COMPLETE
              },
            },
          ],
        })),
      ).statusName,
    ).toBe('STATUS_SUCCESS')
    const cb = fltMgrFsFilterCallbacks(m.flt)
    const fo = fileObjectAfterOpen(m)
    const from = mark(m)
    const got = run(m, function* () {
      const out: number[] = []
      for (const c of [false, true]) {
        complete = c
        const context = { completionContext: undefined as unknown }
        const data = { Operation: -3, FileObject: fo, Parameters: { EndingOffset: 8192 } }
        out.push(yield* (cb['PreAcquireForModifiedPageWriter'] as (d: typeof data, x: typeof context) => Co<number>)(data, context))
        yield* (cb['PostAcquireForModifiedPageWriter'] as (d: typeof data, s: number, x: unknown) => Co<void>)(data, STATUS.STATUS_SUCCESS, context.completionContext)
      }
      return out
    })
    expect(got).toEqual([STATUS.STATUS_SUCCESS, STATUS_FSFILTER_OP_COMPLETED_SUCCESSFULLY])
    expect(lines(m, from, { ops: ['IRP_MJ_ACQUIRE_FOR_MOD_WRITE'] })).toEqual([
      'passthrough@370030 pre IRP_MJ_ACQUIRE_FOR_MOD_WRITE',
      'acq@200000 pre IRP_MJ_ACQUIRE_FOR_MOD_WRITE',
      'passthrough@370030 post IRP_MJ_ACQUIRE_FOR_MOD_WRITE STATUS_SUCCESS',
      'passthrough@370030 pre IRP_MJ_ACQUIRE_FOR_MOD_WRITE',
      'acq@200000 pre IRP_MJ_ACQUIRE_FOR_MOD_WRITE',
      'passthrough@370030 post IRP_MJ_ACQUIRE_FOR_MOD_WRITE STATUS_SUCCESS',
    ])
  })
})

describe('the frame\'s acquire and release routines', () => {
  it('pass down to the file system\'s exactly when it has them', () => {
    const m = bootMachine()
    const ntfs = m.flt.refreshVolumes()[0]!.fsDevice
    const calls: string[] = []
    ntfs.DriverObject.FastIoDispatch = {
      *AcquireForCcFlush(_fo, device) {
        calls.push(`acquire at ${device === ntfs ? 'ntfs' : 'other'}`)
        return STATUS.STATUS_SUCCESS
      },
    }
    expect(m.fltmc.load('passthrough').statusName).toBe('STATUS_SUCCESS')
    const top = m.io.topDeviceFor(fileObjectAfterOpen(m))
    expect(top).not.toBe(ntfs)
    const table = top.DriverObject.FastIoDispatch!
    expect(table.ReleaseForCcFlush).toBeUndefined()
    expect(table.AcquireForModWrite).toBeUndefined()
    const st = run(m, function* () {
      return yield* table.AcquireForCcFlush!(fileObjectAfterOpen(m), top)
    })
    expect(st).toBe(STATUS.STATUS_SUCCESS)
    expect(calls).toEqual(['acquire at ntfs'])
  })
})

function fileObjectAfterOpen(m: Machine): FileObject {
  const existing = [...m.io.fileObjects.values()].find((f) => f.traceName === 'C:\\fc.txt' && f.state === 'open')
  if (existing) return existing
  const h = run(m, function* () {
    return (yield* open(m, 'C:\\fc.txt')).handle
  })
  return fileObjectOf(m, h)
}

describe('reissue, asynchronous I/O, work items', () => {
  it('FltReissueSynchronousIo from a synchronized post-create sends the changed create again below the instance', () => {
    const m = bootMachine()
    const seen: string[] = []
    expect(
      m.fltmc.load(
        filterModule('below', '100000', () => ({
          OperationRegistration: [
            {
              MajorFunction: IRP_MJ.IRP_MJ_CREATE,
              PreOperation: (d) => (seen.push(`below ${d.Iopb.Parameters.Create.Options >>> 24}${d.Flags & FLTFL_CALLBACK_DATA_REISSUED_IO ? ' reissued' : ''}`), FLT_PREOP_SUCCESS_NO_CALLBACK),
            },
          ],
        })),
      ).statusName,
    ).toBe('STATUS_SUCCESS')
    expect(
      m.fltmc.load(
        filterModule('retry', '200000', () => ({
          OperationRegistration: [
            {
              MajorFunction: IRP_MJ.IRP_MJ_CREATE,
              PreOperation: () => FLT_PREOP_SYNCHRONIZE,
              *PostOperation(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): Co<number> {
                if (Data.IoStatus.Status !== STATUS.STATUS_OBJECT_NAME_NOT_FOUND) return FLT_POSTOP_FINISHED_PROCESSING
                // create the file instead of failing: FILE_OPEN becomes FILE_OPEN_IF
                const p = Data.Iopb.Parameters.Create
                p.Options = (CREATE_DISPOSITION.FILE_OPEN_IF << 24) | (p.Options & 0xffffff)
                FltSetCallbackDataDirty(Data)
                yield* FltReissueSynchronousIo(FltObjects.Instance, Data)
                seen.push(`reissued ${statusNameOf(Data.IoStatus.Status)} ${Data.IoStatus.Information}`)
                return FLT_POSTOP_FINISHED_PROCESSING
              },
            },
          ],
        })),
      ).statusName,
    ).toBe('STATUS_SUCCESS')
    const r = run(m, function* () {
      const h = yield* open(m, 'C:\\made.txt', { disposition: CREATE_DISPOSITION.FILE_OPEN })
      if (h.name === 'STATUS_SUCCESS') yield* close(m, h.handle)
      return h.name
    })
    expect(r).toBe('STATUS_SUCCESS')
    expect(seen).toEqual(['below 1', 'below 3 reissued', 'reissued STATUS_SUCCESS 2'])
  })

  it('FltReadFile with a callback routine and FltPerformAsynchronousIo complete through their callbacks', () => {
    const m = bootMachine()
    const got: string[] = []
    expect(
      m.fltmc.load(
        filterModule('async', '200000', () => ({
          OperationRegistration: [
            {
              MajorFunction: IRP_MJ.IRP_MJ_CLEANUP,
              *PreOperation(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): Co<number> {
                const buf = new Uint8Array(5)
                const st = yield* FltReadFile(FltObjects.Instance, Data.Iopb.TargetFileObject!, 0, 5, buf, 0, null, (d) => {
                  got.push(`read callback ${statusNameOf(d.IoStatus.Status)} ${d.IoStatus.Information} ${new TextDecoder().decode(buf)}`)
                }, 'ctx')
                got.push(`read returned ${statusNameOf(st)}`)
                const cbd = ref<FLT_CALLBACK_DATA>()
                FltAllocateCallbackData(FltObjects.Instance, Data.Iopb.TargetFileObject!, cbd)
                const d = cbd.value!
                d.Iopb.MajorFunction = IRP_MJ.IRP_MJ_QUERY_INFORMATION
                d.Iopb.Parameters.QueryFileInformation.FileInformationClass = FILE_INFORMATION_CLASS.FileStandardInformation
                d.Iopb.Parameters.QueryFileInformation.Length = 24
                d.Iopb.Parameters.QueryFileInformation.InfoBuffer = new Uint8Array(24)
                yield* FltPerformAsynchronousIo(d, (done, ctx) => {
                  got.push(`query callback ${statusNameOf(done.IoStatus.Status)} ${done.IoStatus.Information} ${String(ctx)} same=${done === d}`)
                }, 'qctx')
                return FLT_PREOP_SUCCESS_NO_CALLBACK
              },
            },
          ],
        })),
      ).statusName,
    ).toBe('STATUS_SUCCESS')
    run(m, function* () {
      yield* makeFile(m, 'C:\\a.txt', 'async')
    })
    expect(got).toEqual(['read callback STATUS_SUCCESS 5 async', 'read returned STATUS_SUCCESS', 'query callback STATUS_SUCCESS 24 qctx same=true'])
  })

  it('a generic work item runs on a worker thread; the filter does not unload until it is done', () => {
    const m = bootMachine()
    const got: string[] = []
    const mod = filterModule('worker', '200000', (handle) => ({
      InstanceSetupCallback: (FltObjects) => {
        const wi = FltAllocateGenericWorkItem()
        FltQueueGenericWorkItem(wi, FltObjects.Instance, function* (_w, obj, ctx) {
          got.push(`work ${String(ctx)} for ${(obj as { name: string }).name}`)
          yield* KeDelayExecutionThread(50_000_000)
          got.push('work done')
        }, 'DelayedWorkQueue', 'w1')
        void handle
        return STATUS.STATUS_SUCCESS
      },
      FilterUnloadCallback: () => {
        got.push('unload callback')
        return STATUS.STATUS_SUCCESS
      },
    }))
    expect(m.fltmc.load(mod).statusName).toBe('STATUS_SUCCESS')
    const t0 = m.ke.now
    expect(m.fltmc.unload('worker').statusName).toBe('STATUS_SUCCESS')
    expect(got).toEqual(['work w1 for worker Instance', 'unload callback', 'work done'])
    expect(m.ke.now - t0).toBeGreaterThanOrEqual(40_000_000)
  })

  it('FltSetInformationFile and FltFsControlFile go below the instance', () => {
    const m = bootMachine()
    const got: string[] = []
    expect(
      m.fltmc.load(
        filterModule('setter', '200000', () => ({
          OperationRegistration: [
            {
              MajorFunction: IRP_MJ.IRP_MJ_CLEANUP,
              *PreOperation(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): Co<number> {
                const eof = new Uint8Array(8)
                new DataView(eof.buffer).setBigInt64(0, 3n, true)
                got.push(`eof ${statusNameOf(yield* FltSetInformationFile(FltObjects.Instance, Data.Iopb.TargetFileObject!, eof, 8, FILE_INFORMATION_CLASS.FileEndOfFileInformation))}`)
                const out = new Uint8Array(64)
                const n = ref<number>()
                const st = yield* FltFsControlFile(FltObjects.Instance, Data.Iopb.TargetFileObject!, FSCTL.FSCTL_CREATE_OR_GET_OBJECT_ID, null, 0, out, 64, n)
                got.push(`objectid ${statusNameOf(st)} ${n.value}`)
                return FLT_PREOP_SUCCESS_NO_CALLBACK
              },
            },
          ],
        })),
      ).statusName,
    ).toBe('STATUS_SUCCESS')
    const text = run(m, function* () {
      yield* makeFile(m, 'C:\\s.txt', 'truncate me')
      const h = yield* open(m, 'C:\\s.txt')
      const t = (yield* read(m, h.handle, 20)).text
      yield* close(m, h.handle)
      return t
    })
    expect(text).toBe('tru')
    expect(got.slice(0, 2)).toEqual(['eof STATUS_SUCCESS', 'objectid STATUS_SUCCESS 64'])
  })

  it('FltGetTunneledName answers nothing when the name did not change', () => {
    const m = bootMachine()
    const got: string[] = []
    expect(
      m.fltmc.load(
        filterModule('tunnel', '200000', () => ({
          OperationRegistration: [
            {
              MajorFunction: IRP_MJ.IRP_MJ_CREATE,
              PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
              *PostOperation(Data: FLT_CALLBACK_DATA): Co<number> {
                if (!NT_SUCCESS(Data.IoStatus.Status)) return FLT_POSTOP_FINISHED_PROCESSING
                const n = ref<FLT_FILE_NAME_INFORMATION>()
                yield* FltGetFileNameInformation(Data, FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT, n)
                const t = ref<FLT_FILE_NAME_INFORMATION>()
                const st = yield* FltGetTunneledName(Data, n.value!, t)
                got.push(`${statusNameOf(st)} ${t.value ? t.value.Name : 'none'}`)
                return FLT_POSTOP_FINISHED_PROCESSING
              },
            },
          ],
        })),
      ).statusName,
    ).toBe('STATUS_SUCCESS')
    run(m, function* () {
      yield* open(m, 'C:\\t.txt')
    })
    expect(got).toEqual(['STATUS_SUCCESS none'])
  })
})

describe('data-scan sections', () => {
  function scanner(m: ReturnType<typeof bootMachine>, got: string[]): void {
    expect(
      m.fltmc.load(
        filterModule('scan', '265000', (handle) => ({
          ContextRegistration: [{ ContextType: FLT_SECTION_CONTEXT, Size: 16 }],
          InstanceSetupCallback: (FltObjects) => FltRegisterForDataScan(FltObjects.Instance),
          OperationRegistration: [
            {
              MajorFunction: IRP_MJ.IRP_MJ_CREATE,
              PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
              *PostOperation(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): Co<number> {
                if (!NT_SUCCESS(Data.IoStatus.Status) || !FltObjects.FileObject!.FileName.endsWith('.exe')) return FLT_POSTOP_FINISHED_PROCESSING
                const ctx = ref<object>()
                FltAllocateContext(handle.value!, FLT_SECTION_CONTEXT, 16, NonPagedPool, ctx)
                const h = ref<number>()
                const sec = ref<DataScanSection>()
                const size = ref<number>()
                const st = yield* FltCreateSectionForDataScan(FltObjects.Instance, FltObjects.FileObject!, ctx.value!, 0x4, null, null, 0x02, 0, 0, h, sec, size)
                got.push(`section ${statusNameOf(st)} size=${size.value} handle=${h.value !== undefined}`)
                const r = yield* readSection(sec.value!, 6, 5)
                got.push(`read ${new TextDecoder().decode(r.data)}`)
                got.push(`close ${statusNameOf(yield* FltCloseSectionForDataScan(ctx.value!))}`)
                FltReleaseContext(ctx.value!)
                return FLT_POSTOP_FINISHED_PROCESSING
              },
            },
          ],
        })),
      ).statusName,
    ).toBe('STATUS_SUCCESS')
  }

  it('a scanner makes a section in post-create; its view faults the pages in with a synchronous paging read in the scanning thread', () => {
    const m = bootMachine()
    const got: string[] = []
    expect(m.fltmc.load('passthrough').statusName).toBe('STATUS_SUCCESS')
    scanner(m, got)
    run(m, function* () {
      yield* makeFile(m, 'C:\\tool.exe', 'MZ....virus body')
    })
    // the file was written long before the scan: its cached data is on disk and its cache map gone
    m.runFor(30 * 10_000_000)
    const from = mark(m)
    run(m, function* () {
      const h = yield* open(m, 'C:\\tool.exe', { disposition: CREATE_DISPOSITION.FILE_OPEN })
      yield* close(m, h.handle)
    })
    expect(got.slice(-3)).toEqual(['section STATUS_SUCCESS size=16 handle=true', 'read virus', 'close STATUS_SUCCESS'])
    const ev = m.trace.events.filter((e) => e.seq > from)
    // the page fault is paging I/O on the file object, down the whole stack (Memory Manager), in
    // the opening thread, nested in the create's post-operation
    const reads = ev.filter((e) => e.op === 'IRP_MJ_READ')
    expect(reads.map((e) => `${e.at} ${e.phase}`)).toEqual(['passthrough@370030 pre', 'fs dispatch', 'fs complete', 'passthrough@370030 post'])
    expect(reads[1]!.flags).toEqual(expect.arrayContaining(['IRP_PAGING_IO', 'IRP_NOCACHE', 'IRP_SYNCHRONOUS_PAGING_IO']))
    expect(reads[1]!.process).toBe('app.exe')
    expect(ev.filter((e) => e.op.endsWith('SECTION_SYNCHRONIZATION')).map((e) => `${e.at} ${e.phase} ${e.op}`)).toEqual([
      'passthrough@370030 pre IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION',
      'passthrough@370030 post IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION',
      'passthrough@370030 pre IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION',
      'passthrough@370030 post IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION',
    ])
  })

  it('the section shares the file\'s pages with the cache: a scan right after a cached write sees the data, with no paging read', () => {
    const m = bootMachine()
    const got: string[] = []
    scanner(m, got)
    run(m, function* () {
      yield* makeFile(m, 'C:\\tool.exe', 'MZ....virus body')
    })
    const from = mark(m)
    run(m, function* () {
      const h = yield* open(m, 'C:\\tool.exe', { disposition: CREATE_DISPOSITION.FILE_OPEN })
      yield* close(m, h.handle)
    })
    expect(got.slice(-3)).toEqual(['section STATUS_SUCCESS size=16 handle=true', 'read virus', 'close STATUS_SUCCESS'])
    expect(m.trace.events.filter((e) => e.seq > from && e.op === 'IRP_MJ_READ')).toEqual([])
  })
})
