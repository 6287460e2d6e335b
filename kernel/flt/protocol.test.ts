import { describe, expect, it } from 'vitest'
import { KeDelayExecutionThread, KeRaiseIrql, DISPATCH_LEVEL, KeLowerIrql, PASSIVE_LEVEL, type Co } from '../ke/index.ts'
import type { FileObject } from '../io/file-object.ts'
import { IRP_FLAGS } from '../nt/irp.ts'
import { NtQueryInformationFile } from '../io/services/index.ts'
import {
  FltCompletePendedPostOperation,
  FltCompletePendedPreOperation,
  FltDoCompletionProcessingWhenSafe,
  FltQueueDeferredIoWorkItem,
  FltAllocateDeferredIoWorkItem,
  FltReadFile,
  FltAllocateContext,
  FltGetStreamHandleContext,
  FltReleaseContext,
  FLT_STREAMHANDLE_CONTEXT,
  NonPagedPool,
  FltSetCallbackDataDirty,
  FLT_IS_FASTIO_OPERATION,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_POSTOP_MORE_PROCESSING_REQUIRED,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_DISALLOW_FASTIO,
  FLT_PREOP_PENDING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_PREOP_SYNCHRONIZE,
  FLTFL_CALLBACK_DATA_GENERATED_IO,
  FLTFL_IO_OPERATION_NON_CACHED,
  FLTFL_IO_OPERATION_PAGING,
  FLTFL_OPERATION_REGISTRATION_SKIP_CACHED_IO,
  FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO,
  IRP_MJ,
  KeGetCurrentIrql,
  PsGetCurrentThreadId,
  STATUS,
  ref,
  type FLT_OPERATION_REGISTRATION,
  type FLT_RELATED_OBJECTS,
  type FltInstance,
} from './index.ts'
import { bootMachine, close, filterModule, lines, mark, open, read, run, spawn, write, makeFile } from './test-support.ts'
import type { Machine } from '../machine.ts'

type Pre = FLT_OPERATION_REGISTRATION['PreOperation']
type Post = FLT_OPERATION_REGISTRATION['PostOperation']

/** loads a filter that registers `ops` at `altitude` */
function load(m: Machine, name: string, altitude: string, ops: FLT_OPERATION_REGISTRATION[]): void {
  const r = m.fltmc.load(filterModule(name, altitude, () => ({ OperationRegistration: ops })))
  expect(r.statusName).toBe('STATUS_SUCCESS')
}

const pass: Pre = () => FLT_PREOP_SUCCESS_WITH_CALLBACK
const done: Post = () => FLT_POSTOP_FINISHED_PROCESSING

function fileObjectOf(m: Machine, handle: number): FileObject {
  return m.process('app.exe').handles.get(handle)!.object as FileObject
}

describe('order of callbacks', () => {
  it('calls pre-operation callbacks by descending altitude and post-operation callbacks by ascending altitude', () => {
    const m = bootMachine()
    load(m, 'middle', '200000', [{ MajorFunction: IRP_MJ.IRP_MJ_CREATE, PreOperation: pass, PostOperation: done }])
    load(m, 'top', '300000', [{ MajorFunction: IRP_MJ.IRP_MJ_CREATE, PreOperation: pass, PostOperation: done }])
    load(m, 'bottom', '100000', [{ MajorFunction: IRP_MJ.IRP_MJ_CREATE, PreOperation: pass, PostOperation: done }])
    const from = mark(m)
    run(m, function* () {
      const h = yield* open(m, 'C:\\a.txt')
      yield* close(m, h.handle)
    })
    expect(lines(m, from, { ops: ['IRP_MJ_CREATE'] })).toEqual([
      'top@300000 pre IRP_MJ_CREATE',
      'middle@200000 pre IRP_MJ_CREATE',
      'bottom@100000 pre IRP_MJ_CREATE',
      'fs dispatch IRP_MJ_CREATE',
      'fs complete IRP_MJ_CREATE STATUS_SUCCESS',
      'bottom@100000 post IRP_MJ_CREATE STATUS_SUCCESS',
      'middle@200000 post IRP_MJ_CREATE STATUS_SUCCESS',
      'top@300000 post IRP_MJ_CREATE STATUS_SUCCESS',
    ])
    expect(m.fltmc.filters().map((f) => f.name)).toEqual(['top', 'middle', 'bottom'])
  })

  it('refuses a second instance at an altitude already taken', () => {
    const m = bootMachine()
    load(m, 'one', '150000', [])
    const r = m.fltmc.load(filterModule('two', '150000', () => ({})))
    expect(r.statusName).toBe('STATUS_SUCCESS')
    expect(m.fltmc.instances().map((i) => i.filter)).toEqual(['one'])
    expect(m.fltmc.attach('two', 'C:').statusName).toBe('STATUS_FLT_INSTANCE_ALTITUDE_COLLISION')
    expect(m.fltmc.attach('two', 'C:', '150001').statusName).toBe('STATUS_SUCCESS')
    expect(m.fltmc.instances().map((i) => `${i.filter}@${i.altitude}`)).toEqual(['two@150001', 'one@150000'])
  })
})

describe('pre-operation statuses', () => {
  it('SUCCESS_NO_CALLBACK: no post for that instance', () => {
    const m = bootMachine()
    load(m, 'a', '300000', [{ MajorFunction: IRP_MJ.IRP_MJ_CREATE, PreOperation: () => FLT_PREOP_SUCCESS_NO_CALLBACK, PostOperation: done }])
    load(m, 'b', '200000', [{ MajorFunction: IRP_MJ.IRP_MJ_CREATE, PreOperation: pass, PostOperation: done }])
    const from = mark(m)
    run(m, function* () {
      yield* open(m, 'C:\\a.txt')
    })
    expect(lines(m, from, { ops: ['IRP_MJ_CREATE'], at: (a) => a !== 'fs' })).toEqual(['a@300000 pre IRP_MJ_CREATE', 'b@200000 pre IRP_MJ_CREATE', 'b@200000 post IRP_MJ_CREATE STATUS_SUCCESS'])
  })

  it('COMPLETE: the file system and the instances below never see it; the posts above run', () => {
    const m = bootMachine()
    load(m, 'above', '300000', [{ MajorFunction: IRP_MJ.IRP_MJ_CREATE, PreOperation: pass, PostOperation: done }])
    load(m, 'denier', '200000', [
      {
        MajorFunction: IRP_MJ.IRP_MJ_CREATE,
        PreOperation: (Data) => {
          Data.IoStatus = { Status: STATUS.STATUS_ACCESS_DENIED, Information: 0 }
          return FLT_PREOP_COMPLETE
        },
        PostOperation: done,
      },
    ])
    load(m, 'below', '100000', [{ MajorFunction: IRP_MJ.IRP_MJ_CREATE, PreOperation: pass, PostOperation: done }])
    const from = mark(m)
    const st = run(m, function* () {
      return (yield* open(m, 'C:\\a.txt')).name
    })
    expect(st).toBe('STATUS_ACCESS_DENIED')
    expect(lines(m, from)).toEqual(['above@300000 pre IRP_MJ_CREATE', 'denier@200000 pre IRP_MJ_CREATE', 'above@300000 post IRP_MJ_CREATE STATUS_ACCESS_DENIED'])
  })

  it('PENDING: the operation waits until a worker thread calls FltCompletePendedPreOperation', () => {
    const m = bootMachine()
    const order: string[] = []
    load(m, 'pender', '200000', [
      {
        MajorFunction: IRP_MJ.IRP_MJ_READ,
        PreOperation: (Data) => {
          order.push(`pre tid ${PsGetCurrentThreadId()}`)
          spawn(m, function* () {
            yield* KeDelayExecutionThread(10_000_000)
            order.push(`resume tid ${PsGetCurrentThreadIdOf(m)}`)
            FltCompletePendedPreOperation(Data, FLT_PREOP_SUCCESS_WITH_CALLBACK, 'ctx')
          }, 'System', 'resumer')
          return FLT_PREOP_PENDING
        },
        PostOperation: (_d, _o, ctx) => {
          order.push(`post ctx ${String(ctx)}`)
          return FLT_POSTOP_FINISHED_PROCESSING
        },
      },
    ])
    run(m, function* () {
      yield* makeFile(m, 'C:\\p.txt', 'pended')
    })
    const t0 = m.ke.now
    const text = run(m, function* () {
      const h = yield* open(m, 'C:\\p.txt')
      const r = yield* read(m, h.handle, 6)
      return r.text
    })
    expect(text).toBe('pended')
    expect(m.ke.now - t0).toBeGreaterThanOrEqual(10_000_000)
    expect(order[0]).toMatch(/^pre tid \d+$/)
    expect(order[1]).toMatch(/^resume tid \d+$/)
    expect(order[1]).not.toBe(order[0]!.replace('pre', 'resume'))
    expect(order[2]).toBe('post ctx ctx')
  })

  it('SYNCHRONIZE: the post runs in the issuing thread at PASSIVE_LEVEL even when a lower filter completes the operation in another thread', () => {
    const m = bootMachine()
    const seen: string[] = []
    const post = (tag: string): Post => () => {
      seen.push(`${tag} tid=${PsGetCurrentThreadId()} irql=${KeGetCurrentIrql()}`)
      return FLT_POSTOP_FINISHED_PROCESSING
    }
    load(m, 'sync', '300000', [{ MajorFunction: IRP_MJ.IRP_MJ_READ, PreOperation: () => FLT_PREOP_SYNCHRONIZE, PostOperation: post('sync') }])
    load(m, 'plain', '250000', [{ MajorFunction: IRP_MJ.IRP_MJ_READ, PreOperation: pass, PostOperation: post('plain') }])
    // pends every read and resumes it from a System worker
    load(m, 'lower', '100000', [
      {
        MajorFunction: IRP_MJ.IRP_MJ_READ,
        PreOperation: (Data) => {
          spawn(m, function* () {
            yield* KeDelayExecutionThread(1000)
            FltCompletePendedPreOperation(Data, FLT_PREOP_SUCCESS_NO_CALLBACK, null)
          }, 'System', 'lower worker')
          return FLT_PREOP_PENDING
        },
      },
    ])
    run(m, function* () {
      yield* makeFile(m, 'C:\\s.txt', 'sync')
    })
    let issuer = 0
    run(m, function* () {
      issuer = PsGetCurrentThreadIdOf(m)
      const h = yield* open(m, 'C:\\s.txt')
      const r = yield* read(m, h.handle, 4)
      expect(r.text).toBe('sync')
    })
    expect(seen).toHaveLength(2)
    // the plain post ran where the lower filter resumed the read; the synchronized one in the issuer
    expect(seen[0]).toMatch(/^plain tid=\d+ irql=0$/)
    expect(seen[0]).not.toBe(`plain tid=${issuer} irql=0`)
    expect(seen[1]).toBe(`sync tid=${issuer} irql=0`)
  })

  it('DISALLOW_FASTIO: the fast read fails over to an IRP that every instance sees again', () => {
    const m = bootMachine()
    // the file system offers a fast read once caching is set up (the Cache Manager's part, stood in for here)
    const ntfs = m.flt.refreshVolumes()[0]!.fsDevice.DriverObject
    let fastReads = 0
    ntfs.FastIoDispatch = {
      *FastIoRead(_fo, _offset, length, _wait, _key, buffer, iosb) {
        fastReads++
        buffer.set(new TextEncoder().encode('cache'.slice(0, length)))
        iosb.Status = STATUS.STATUS_SUCCESS
        iosb.Information = Math.min(5, length)
        return true
      },
    }
    const kinds: string[] = []
    load(m, 'above', '300000', [{ MajorFunction: IRP_MJ.IRP_MJ_READ, PreOperation: (d) => (kinds.push(`above ${FLT_IS_FASTIO_OPERATION(d) ? 'fast' : 'irp'}`), FLT_PREOP_SUCCESS_WITH_CALLBACK), PostOperation: done }])
    load(m, 'nofast', '200000', [
      { MajorFunction: IRP_MJ.IRP_MJ_READ, PreOperation: (d) => (kinds.push(`nofast ${FLT_IS_FASTIO_OPERATION(d) ? 'fast' : 'irp'}`), FLT_IS_FASTIO_OPERATION(d) ? FLT_PREOP_DISALLOW_FASTIO : FLT_PREOP_SUCCESS_WITH_CALLBACK), PostOperation: done },
    ])
    run(m, function* () {
      yield* makeFile(m, 'C:\\f.txt', 'on disk')
    })
    const from = mark(m)
    const text = run(m, function* () {
      const h = yield* open(m, 'C:\\f.txt')
      fileObjectOf(m, h.handle).PrivateCacheMap = {}
      return (yield* read(m, h.handle, 7)).text
    })
    expect(text).toBe('on disk')
    expect(fastReads).toBe(0)
    expect(kinds).toEqual(['above fast', 'nofast fast', 'above irp', 'nofast irp'])
    expect(lines(m, from, { ops: ['FASTIO_READ', 'IRP_MJ_READ'] })).toEqual([
      'above@300000 pre FASTIO_READ',
      'nofast@200000 pre FASTIO_READ',
      'above@300000 post FASTIO_READ STATUS_FLT_DISALLOW_FAST_IO',
      'above@300000 pre IRP_MJ_READ',
      'nofast@200000 pre IRP_MJ_READ',
      'fs dispatch IRP_MJ_READ',
      'fs complete IRP_MJ_READ STATUS_SUCCESS',
      'nofast@200000 post IRP_MJ_READ STATUS_SUCCESS',
      'above@300000 post IRP_MJ_READ STATUS_SUCCESS',
    ])
    // without the disallowing filter the fast path is taken
    expect(m.fltmc.unload('nofast').statusName).toBe('STATUS_SUCCESS')
    const fast = run(m, function* () {
      const h = yield* open(m, 'C:\\f.txt')
      fileObjectOf(m, h.handle).PrivateCacheMap = {}
      return (yield* read(m, h.handle, 5)).text
    })
    expect(fast).toBe('cache')
    expect(fastReads).toBe(1)
  })

  it('an invalid status from a pre-operation callback stops the machine (FLTMGR_FILE_SYSTEM)', () => {
    const m = bootMachine()
    load(m, 'bad', '200000', [{ MajorFunction: IRP_MJ.IRP_MJ_CREATE, PreOperation: () => 42, PostOperation: done }])
    expect(() => run(m, function* () {
      yield* open(m, 'C:\\a.txt')
    })).toThrow(/FLTMGR_FILE_SYSTEM/)
    expect(m.info().bugcheck?.culprit).toContain('bad')
  })

  it('SUCCESS_WITH_CALLBACK without a post-operation callback is bugcheck 0xF5 / 0x66', () => {
    const m = bootMachine()
    load(m, 'nopost', '200000', [{ MajorFunction: IRP_MJ.IRP_MJ_CREATE, PreOperation: pass }])
    expect(() => run(m, function* () {
      yield* open(m, 'C:\\a.txt')
    })).toThrow(/FLTMGR_FILE_SYSTEM/)
    expect(m.info().bugcheck?.params[0]).toBe('0x0000000000000066')
  })
})

function PsGetCurrentThreadIdOf(m: Machine): number {
  return m.ke.current?.tid ?? 0
}

describe('post-operation statuses and IRQL', () => {
  it('MORE_PROCESSING_REQUIRED holds the completion until FltCompletePendedPostOperation', () => {
    const m = bootMachine()
    const order: string[] = []
    load(m, 'upper', '300000', [{ MajorFunction: IRP_MJ.IRP_MJ_WRITE, PreOperation: pass, PostOperation: () => (order.push('upper post'), FLT_POSTOP_FINISHED_PROCESSING) }])
    load(m, 'holder', '200000', [
      {
        MajorFunction: IRP_MJ.IRP_MJ_WRITE,
        PreOperation: pass,
        PostOperation: (Data) => {
          order.push('holder post')
          spawn(m, function* () {
            yield* KeDelayExecutionThread(5_000_000)
            order.push('resume')
            FltCompletePendedPostOperation(Data)
          }, 'System', 'post worker')
          return FLT_POSTOP_MORE_PROCESSING_REQUIRED
        },
      },
    ])
    const t0 = m.ke.now
    run(m, function* () {
      const h = yield* open(m, 'C:\\w.txt')
      const st = yield* write(m, h.handle, 'x')
      order.push(`write returned ${st}`)
    })
    expect(order).toEqual(['holder post', 'resume', 'upper post', 'write returned 0'])
    expect(m.ke.now - t0).toBeGreaterThanOrEqual(5_000_000)
  })

  it('a post-operation callback completed at DISPATCH_LEVEL runs there; FltDoCompletionProcessingWhenSafe moves its work to a worker thread', () => {
    const m = bootMachine()
    const seen: string[] = []
    load(m, 'safe', '300000', [
      {
        MajorFunction: IRP_MJ.IRP_MJ_READ,
        PreOperation: pass,
        PostOperation: (Data, FltObjects, ctx, Flags) => {
          seen.push(`post irql=${KeGetCurrentIrql()}`)
          const ret = ref<number>()
          const posted = FltDoCompletionProcessingWhenSafe(Data, FltObjects, ctx, Flags, () => {
            seen.push(`safe irql=${KeGetCurrentIrql()}`)
            return FLT_POSTOP_FINISHED_PROCESSING
          }, ret)
          seen.push(`posted=${posted} ret=${ret.value}`)
          return ret.value!
        },
      },
    ])
    // completes every read from a thread that raised itself to DISPATCH_LEVEL (as a DPC would)
    load(m, 'dpc', '100000', [
      {
        MajorFunction: IRP_MJ.IRP_MJ_READ,
        PreOperation: (Data) => {
          spawn(m, function* () {
            yield* KeDelayExecutionThread(1000)
            KeRaiseIrql(m.ke, DISPATCH_LEVEL)
            Data.IoStatus = { Status: STATUS.STATUS_END_OF_FILE, Information: 0 }
            FltCompletePendedPreOperation(Data, FLT_PREOP_COMPLETE, null)
            KeLowerIrql(m.ke, PASSIVE_LEVEL)
          }, 'System', 'completer')
          return FLT_PREOP_PENDING
        },
      },
    ])
    const st = run(m, function* () {
      const h = yield* open(m, 'C:\\d.txt')
      return (yield* read(m, h.handle, 4)).status
    })
    expect(st).toBe(STATUS.STATUS_END_OF_FILE)
    expect(seen).toEqual(['post irql=2', 'posted=true ret=1', 'safe irql=0'])
  })

  it('blocking in a post-operation callback at DISPATCH_LEVEL is a bugcheck naming the filter', () => {
    const m = bootMachine()
    load(m, 'blocker', '300000', [
      {
        MajorFunction: IRP_MJ.IRP_MJ_READ,
        PreOperation: pass,
        *PostOperation() {
          yield* KeDelayExecutionThread(1000)
          return FLT_POSTOP_FINISHED_PROCESSING
        },
      },
    ])
    load(m, 'dpc', '100000', [
      {
        MajorFunction: IRP_MJ.IRP_MJ_READ,
        PreOperation: (Data) => {
          spawn(m, function* () {
            KeRaiseIrql(m.ke, DISPATCH_LEVEL)
            Data.IoStatus = { Status: STATUS.STATUS_SUCCESS, Information: 0 }
            FltCompletePendedPreOperation(Data, FLT_PREOP_COMPLETE, null)
          }, 'System', 'completer')
          return FLT_PREOP_PENDING
        },
      },
    ])
    expect(() => run(m, function* () {
      const h = yield* open(m, 'C:\\d.txt')
      yield* read(m, h.handle, 4)
    })).toThrow(/IRQL_NOT_LESS_OR_EQUAL/)
    expect(m.info().bugcheck?.culprit).toContain('blocker')
  })

  it('at DISPATCH_LEVEL a post may release a context but not get one', () => {
    const m = bootMachine()
    const seen: string[] = []
    const mod = filterModule('ctxpost', '300000', (handle) => ({
      ContextRegistration: [{ ContextType: FLT_STREAMHANDLE_CONTEXT, Size: 8 }],
      OperationRegistration: [
        {
          MajorFunction: IRP_MJ.IRP_MJ_READ,
          PreOperation: (_d, _o, ctx) => {
            const c = ref<object>()
            FltAllocateContext(handle.value!, FLT_STREAMHANDLE_CONTEXT, 8, NonPagedPool, c)
            ctx.value = c.value
            return FLT_PREOP_SUCCESS_WITH_CALLBACK
          },
          PostOperation: (_d, FltObjects, ctx) => {
            FltReleaseContext(ctx as object)
            seen.push('released at DISPATCH_LEVEL')
            const c = ref<object>()
            FltGetStreamHandleContext(FltObjects.Instance, FltObjects.FileObject!, c)
            seen.push('got one')
            return FLT_POSTOP_FINISHED_PROCESSING
          },
        },
      ],
    }))
    expect(m.fltmc.load(mod).statusName).toBe('STATUS_SUCCESS')
    load(m, 'dpc', '100000', [
      {
        MajorFunction: IRP_MJ.IRP_MJ_READ,
        PreOperation: (Data) => {
          spawn(m, function* () {
            KeRaiseIrql(m.ke, DISPATCH_LEVEL)
            Data.IoStatus = { Status: STATUS.STATUS_SUCCESS, Information: 0 }
            FltCompletePendedPreOperation(Data, FLT_PREOP_COMPLETE, null)
          }, 'System', 'completer')
          return FLT_PREOP_PENDING
        },
      },
    ])
    expect(() => run(m, function* () {
      const h = yield* open(m, 'C:\\d.txt')
      yield* read(m, h.handle, 4)
    })).toThrow(/IRQL_NOT_LESS_OR_EQUAL[\s\S]*FltGetStreamHandleContext called at DISPATCH_LEVEL/)
    expect(seen).toEqual(['released at DISPATCH_LEVEL'])
  })

  it('a deferred I/O work item resumes a pended operation from a worker thread', () => {
    const m = bootMachine()
    const seen: string[] = []
    load(m, 'deferrer', '200000', [
      {
        MajorFunction: IRP_MJ.IRP_MJ_READ,
        PreOperation: (Data) => {
          const wi = FltAllocateDeferredIoWorkItem()
          const st = FltQueueDeferredIoWorkItem(wi, Data, (_w, d, ctx) => {
            seen.push(`worker ${String(ctx)} irql=${KeGetCurrentIrql()}`)
            FltCompletePendedPreOperation(d, FLT_PREOP_SUCCESS_NO_CALLBACK, null)
          }, 'DelayedWorkQueue', 'c1')
          seen.push(`queued ${st}`)
          return FLT_PREOP_PENDING
        },
      },
    ])
    run(m, function* () {
      yield* makeFile(m, 'C:\\q.txt', 'queued')
    })
    const text = run(m, function* () {
      const h = yield* open(m, 'C:\\q.txt')
      return (yield* read(m, h.handle, 6)).text
    })
    expect(text).toBe('queued')
    expect(seen).toEqual(['queued 0', 'worker c1 irql=0'])
  })
})

describe('changing parameters', () => {
  function* readAt(m: Machine, path: string, offset: number, length: number): Co<string> {
    const h = yield* open(m, path)
    const r = yield* read(m, h.handle, length, offset)
    return r.text
  }

  it('FltSetCallbackDataDirty: instances below and the file system see the change; the changer\'s post sees the original', () => {
    const m = bootMachine()
    const seen: string[] = []
    load(m, 'changer', '300000', [
      {
        MajorFunction: IRP_MJ.IRP_MJ_READ,
        PreOperation: (Data) => {
          Data.Iopb.Parameters.Read.ByteOffset = 6
          FltSetCallbackDataDirty(Data)
          return FLT_PREOP_SUCCESS_WITH_CALLBACK
        },
        PostOperation: (Data) => (seen.push(`changer post offset=${Data.Iopb.Parameters.Read.ByteOffset}`), FLT_POSTOP_FINISHED_PROCESSING),
      },
    ])
    load(m, 'watcher', '200000', [
      {
        MajorFunction: IRP_MJ.IRP_MJ_READ,
        PreOperation: (Data) => (seen.push(`watcher pre offset=${Data.Iopb.Parameters.Read.ByteOffset}`), FLT_PREOP_SUCCESS_WITH_CALLBACK),
        PostOperation: (Data) => (seen.push(`watcher post offset=${Data.Iopb.Parameters.Read.ByteOffset}`), FLT_POSTOP_FINISHED_PROCESSING),
      },
    ])
    run(m, function* () {
      yield* makeFile(m, 'C:\\d.txt', 'hello world')
    })
    const from = mark(m)
    const text = run(m, () => readAt(m, 'C:\\d.txt', 0, 5))
    expect(text).toBe('world')
    expect(seen).toEqual(['watcher pre offset=6', 'watcher post offset=6', 'changer post offset=0'])
    const trace = m.trace.events.filter((e) => e.seq > from && e.op === 'IRP_MJ_READ' && e.phase !== 'complete')
    expect(trace.map((e) => `${e.at} ${e.phase} ${String(e.params['ByteOffset'])}`)).toEqual(['changer@300000 pre 0', 'watcher@200000 pre 6', 'fs dispatch 6', 'watcher@200000 post 6', 'changer@300000 post 0'])
  })

  it('a filter that pends may change the parameters before it resumes the operation', () => {
    const m = bootMachine()
    load(m, 'mover', '200000', [
      {
        MajorFunction: IRP_MJ.IRP_MJ_READ,
        PreOperation: (Data) => {
          spawn(m, function* () {
            yield* KeDelayExecutionThread(1000)
            Data.Iopb.Parameters.Read.ByteOffset = 6
            FltSetCallbackDataDirty(Data)
            FltCompletePendedPreOperation(Data, FLT_PREOP_SUCCESS_NO_CALLBACK, null)
          }, 'System', 'mover worker')
          return FLT_PREOP_PENDING
        },
      },
    ])
    run(m, function* () {
      yield* makeFile(m, 'C:\\d.txt', 'hello world')
    })
    expect(run(m, () => readAt(m, 'C:\\d.txt', 0, 5))).toBe('world')
  })

  it('a change without FltSetCallbackDataDirty is not passed down', () => {
    const m = bootMachine()
    const seen: string[] = []
    load(m, 'forgetful', '300000', [
      {
        MajorFunction: IRP_MJ.IRP_MJ_READ,
        PreOperation: (Data) => {
          Data.Iopb.Parameters.Read.ByteOffset = 6
          return FLT_PREOP_SUCCESS_NO_CALLBACK
        },
      },
    ])
    load(m, 'watcher', '200000', [{ MajorFunction: IRP_MJ.IRP_MJ_READ, PreOperation: (Data) => (seen.push(`offset=${Data.Iopb.Parameters.Read.ByteOffset}`), FLT_PREOP_SUCCESS_NO_CALLBACK) }])
    run(m, function* () {
      yield* makeFile(m, 'C:\\d.txt', 'hello world')
    })
    expect(run(m, () => readAt(m, 'C:\\d.txt', 0, 5))).toBe('hello')
    expect(seen).toEqual(['offset=0'])
  })

  it('a buffer swapped by a filter reaches the file system and the caller still gets the data through its own buffer', () => {
    const m = bootMachine()
    let swapped: Uint8Array | undefined
    load(m, 'swapper', '141000', [
      {
        MajorFunction: IRP_MJ.IRP_MJ_READ,
        PreOperation: (Data, _o, ctx) => {
          const p = Data.Iopb.Parameters.Read
          swapped = new Uint8Array(p.Length)
          ctx.value = swapped
          p.ReadBuffer = swapped
          FltSetCallbackDataDirty(Data)
          return FLT_PREOP_SUCCESS_WITH_CALLBACK
        },
        PostOperation: (Data, _o, ctx) => {
          const mine = ctx as Uint8Array
          const theirs = Data.Iopb.Parameters.Read.ReadBuffer!
          // the post sees the caller's original buffer; copy the data over, upper-cased
          for (let i = 0; i < Data.IoStatus.Information; i++) theirs[i] = mine[i]! >= 97 && mine[i]! <= 122 ? mine[i]! - 32 : mine[i]!
          return FLT_POSTOP_FINISHED_PROCESSING
        },
      },
    ])
    run(m, function* () {
      yield* makeFile(m, 'C:\\s.txt', 'swap me')
    })
    expect(run(m, () => readAt(m, 'C:\\s.txt', 0, 7))).toBe('SWAP ME')
    expect(new TextDecoder().decode(swapped)).toBe('swap me')
  })
})

describe('skip flags', () => {
  it('SKIP_PAGING_IO and SKIP_CACHED_IO leave out paging and cached reads', () => {
    const m = bootMachine()
    const seen: string[] = []
    const note = (who: string): Pre => (Data) => {
      const f = Data.Iopb.IrpFlags
      seen.push(`${who}:${f & IRP_FLAGS.IRP_PAGING_IO ? 'paging' : f & IRP_FLAGS.IRP_NOCACHE ? 'noncached' : 'cached'}`)
      return FLT_PREOP_SUCCESS_NO_CALLBACK
    }
    let inst: FltInstance | undefined
    // issues a paging read of its own below it
    load(m, 'issuer', '400000', [
      {
        MajorFunction: IRP_MJ.IRP_MJ_QUERY_INFORMATION,
        *PreOperation(Data, FltObjects: FLT_RELATED_OBJECTS) {
          inst = FltObjects.Instance
          const buf = new Uint8Array(4096)
          yield* FltReadFile(FltObjects.Instance, Data.Iopb.TargetFileObject!, 0, 4096, buf, FLTFL_IO_OPERATION_PAGING, null)
          yield* FltReadFile(FltObjects.Instance, Data.Iopb.TargetFileObject!, 0, 4096, buf, FLTFL_IO_OPERATION_NON_CACHED, null)
          return FLT_PREOP_SUCCESS_NO_CALLBACK
        },
      },
    ])
    load(m, 'all', '300000', [{ MajorFunction: IRP_MJ.IRP_MJ_READ, PreOperation: note('all') }])
    load(m, 'nopaging', '200000', [{ MajorFunction: IRP_MJ.IRP_MJ_READ, Flags: FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO, PreOperation: note('nopaging') }])
    load(m, 'nocached', '100000', [{ MajorFunction: IRP_MJ.IRP_MJ_READ, Flags: FLTFL_OPERATION_REGISTRATION_SKIP_CACHED_IO, PreOperation: note('nocached') }])
    run(m, function* () {
      yield* makeFile(m, 'C:\\k.txt', 'x'.repeat(4096))
    })
    seen.length = 0
    run(m, function* () {
      const h = yield* open(m, 'C:\\k.txt')
      yield* read(m, h.handle, 10)
      yield* queryStandard(m, h.handle)
    })
    expect(inst).toBeDefined()
    expect(seen).toEqual(['all:cached', 'nopaging:cached', 'all:paging', 'nocached:paging', 'all:noncached', 'nopaging:noncached', 'nocached:noncached'])
  })

  it('generated I/O carries FLTFL_CALLBACK_DATA_GENERATED_IO and starts below its issuer', () => {
    const m = bootMachine()
    const seen: string[] = []
    const note = (who: string): Pre => (Data) => (seen.push(`${who}${Data.Flags & FLTFL_CALLBACK_DATA_GENERATED_IO ? ' generated' : ''}`), FLT_PREOP_SUCCESS_NO_CALLBACK)
    load(m, 'above', '500000', [{ MajorFunction: IRP_MJ.IRP_MJ_READ, PreOperation: note('above') }])
    load(m, 'issuer', '400000', [
      {
        MajorFunction: IRP_MJ.IRP_MJ_QUERY_INFORMATION,
        *PreOperation(Data, FltObjects) {
          const buf = new Uint8Array(16)
          const n = ref<number>()
          const st = yield* FltReadFile(FltObjects.Instance, Data.Iopb.TargetFileObject!, 0, 16, buf, 0, n)
          seen.push(`read ${st} ${n.value} ${new TextDecoder().decode(buf.subarray(0, n.value))}`)
          return FLT_PREOP_SUCCESS_NO_CALLBACK
        },
      },
    ])
    load(m, 'below', '300000', [{ MajorFunction: IRP_MJ.IRP_MJ_READ, PreOperation: note('below') }])
    run(m, function* () {
      yield* makeFile(m, 'C:\\g.txt', 'generated')
      const h = yield* open(m, 'C:\\g.txt')
      yield* queryStandard(m, h.handle)
    })
    expect(seen).toEqual(['below generated', 'read 0 9 generated'])
  })
})

function* queryStandard(m: Machine, handle: number): Co<number> {
  const r = yield* NtQueryInformationFile(m.io, { FileHandle: handle, FileInformationClass: 5, Length: 24 })
  return r.status
}
