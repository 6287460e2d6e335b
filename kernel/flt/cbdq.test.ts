import { describe, expect, it } from 'vitest'
import {
  FltCbdqDisable,
  FltCbdqEnable,
  FltCbdqInitialize,
  FltCbdqInsertIo,
  FltCbdqRemoveIo,
  FltCbdqRemoveNextIo,
  FltCompletePendedPreOperation,
  FLT_CALLBACK_DATA_QUEUE,
  FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_PENDING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  IRP_MJ,
  STATUS,
  statusNameOf,
  type FLT_CALLBACK_DATA,
  type FLT_RELATED_OBJECTS,
} from './test-exports.ts'
import { cbdqCancelIo } from './cbdq.ts'
import { bootMachine, close, filterModule, makeFile, open, read, run, spawn } from './test-support.ts'
import type { Machine } from '../machine.ts'

/** a filter that pends every read of *.q in one cancel-safe queue (an array, as the filter's own list) */
function setup() {
  const m = bootMachine()
  const list: FLT_CALLBACK_DATA[] = []
  const cbdq = new FLT_CALLBACK_DATA_QUEUE()
  const calls: string[] = []
  const insertStatuses: string[] = []
  const contexts = new Map<FLT_CALLBACK_DATA, FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT>()
  let initialized = false
  const mod = filterModule('queuer', '150000', () => ({
    OperationRegistration: [
      {
        MajorFunction: IRP_MJ.IRP_MJ_READ,
        PreOperation: (Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS) => {
          if (!String(FltObjects.FileObject?.FileName).endsWith('.q')) return FLT_PREOP_SUCCESS_NO_CALLBACK
          if (!initialized) {
            const st = FltCbdqInitialize(
              FltObjects.Instance,
              cbdq,
              (_q, d) => (calls.push('insert'), list.push(d), STATUS.STATUS_SUCCESS),
              (_q, d) => (calls.push('remove'), list.splice(list.indexOf(d), 1)),
              (_q, d) => list[d ? list.indexOf(d) + 1 : 0] ?? null,
              () => calls.push('acquire'),
              () => calls.push('release'),
              (_q, d) => {
                calls.push('completeCanceled')
                d.IoStatus = { Status: STATUS.STATUS_CANCELLED, Information: 0 }
                FltCompletePendedPreOperation(d, FLT_PREOP_COMPLETE, undefined)
              },
            )
            expect(st).toBe(STATUS.STATUS_SUCCESS)
            initialized = true
          }
          const io = new FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT()
          const st = FltCbdqInsertIo(cbdq, Data, io, undefined)
          insertStatuses.push(statusNameOf(st))
          if (st !== STATUS.STATUS_SUCCESS) return FLT_PREOP_SUCCESS_NO_CALLBACK
          contexts.set(Data, io)
          return FLT_PREOP_PENDING
        },
      },
    ],
  }))
  expect(m.fltmc.load(mod).statusName).toBe('STATUS_SUCCESS')
  run(m, function* () {
    yield* makeFile(m, 'C:\\a.q', 'first')
    yield* makeFile(m, 'C:\\b.q', 'second')
  })
  return { m, list, cbdq, calls, insertStatuses, contexts }
}

/** starts a read of `path` on its own thread; the result lands in `out` */
function startRead(m: Machine, path: string, out: { status?: string; text?: string }, name: string): void {
  spawn(
    m,
    function* () {
      const h = yield* open(m, path)
      const r = yield* read(m, h.handle, 16)
      out.status = statusNameOf(r.status)
      out.text = r.text
      yield* close(m, h.handle)
    },
    'app.exe',
    name,
  )
}

function settle(m: Machine): void {
  m.ke.runUntil(() => false, { deadline: m.ke.now + 10_000_000 })
}

describe('FltCbdq (cancel-safe callback data queue)', () => {
  it('queued reads come out first-in first-out; each goes on with its data when the filter resumes it', () => {
    const { m, list, cbdq, calls } = setup()
    const a: { status?: string; text?: string } = {}
    const b: { status?: string; text?: string } = {}
    startRead(m, 'C:\\a.q', a, 'A')
    settle(m)
    startRead(m, 'C:\\b.q', b, 'B')
    settle(m)
    expect(list).toHaveLength(2)
    expect(a.status).toBeUndefined()
    // every routine of the filter ran between its acquire and release
    expect(calls.slice(0, 3)).toEqual(['acquire', 'insert', 'release'])
    const got = run(m, function* () {
      const first = FltCbdqRemoveNextIo(cbdq, null)!
      const second = FltCbdqRemoveNextIo(cbdq, null)!
      const none = FltCbdqRemoveNextIo(cbdq, null)
      const names = [first, second].map((d) => String(d.Iopb.TargetFileObject?.FileName))
      FltCompletePendedPreOperation(first, FLT_PREOP_SUCCESS_NO_CALLBACK, undefined)
      FltCompletePendedPreOperation(second, FLT_PREOP_SUCCESS_NO_CALLBACK, undefined)
      return { names, none }
    }, 'System', 'resumer')
    settle(m)
    expect(got.names).toEqual(['\\a.q', '\\b.q'])
    expect(got.none).toBeNull()
    expect(list).toEqual([])
    expect(a).toEqual({ status: 'STATUS_SUCCESS', text: 'first' })
    expect(b).toEqual({ status: 'STATUS_SUCCESS', text: 'second' })
  })

  it('a cancel takes a queued read out and CompleteCanceledIo completes it; afterwards neither a remove nor another cancel finds it', () => {
    const { m, list, cbdq, calls, contexts } = setup()
    const a: { status?: string; text?: string } = {}
    startRead(m, 'C:\\a.q', a, 'A')
    settle(m)
    const data = list[0]!
    expect(cbdqCancelIo(data)).toBe(true)
    settle(m)
    expect(calls.slice(-4)).toEqual(['acquire', 'remove', 'release', 'completeCanceled'])
    expect(a.status).toBe('STATUS_CANCELLED')
    expect(list).toEqual([])
    expect(FltCbdqRemoveIo(cbdq, contexts.get(data)!)).toBeNull()
    expect(cbdqCancelIo(data)).toBe(false)
  })

  it('a read the filter removed is its own: a cancel then does nothing', () => {
    const { m, list, cbdq, contexts } = setup()
    const a: { status?: string; text?: string } = {}
    startRead(m, 'C:\\a.q', a, 'A')
    settle(m)
    const data = list[0]!
    expect(FltCbdqRemoveIo(cbdq, contexts.get(data)!)).toBe(data)
    expect(cbdqCancelIo(data)).toBe(false)
    run(m, function* () {
      FltCompletePendedPreOperation(data, FLT_PREOP_SUCCESS_NO_CALLBACK, undefined)
    }, 'System', 'resumer')
    settle(m)
    expect(a).toEqual({ status: 'STATUS_SUCCESS', text: 'first' })
  })

  it('a disabled queue refuses inserts with STATUS_FLT_CBDQ_DISABLED until it is enabled again', () => {
    const { m, list, cbdq, insertStatuses } = setup()
    const a: { status?: string; text?: string } = {}
    startRead(m, 'C:\\a.q', a, 'A')
    settle(m)
    FltCbdqDisable(cbdq)
    const b: { status?: string; text?: string } = {}
    startRead(m, 'C:\\b.q', b, 'B')
    settle(m)
    // refused: the filter let it go on
    expect(b).toEqual({ status: 'STATUS_SUCCESS', text: 'second' })
    FltCbdqEnable(cbdq)
    const c: { status?: string; text?: string } = {}
    startRead(m, 'C:\\b.q', c, 'C')
    settle(m)
    expect(insertStatuses).toEqual(['STATUS_SUCCESS', 'STATUS_FLT_CBDQ_DISABLED', 'STATUS_SUCCESS'])
    expect(list).toHaveLength(2)
    // removal works while disabled: teardown empties a disabled queue
    FltCbdqDisable(cbdq)
    run(m, function* () {
      for (let d = FltCbdqRemoveNextIo(cbdq, null); d; d = FltCbdqRemoveNextIo(cbdq, null)) FltCompletePendedPreOperation(d, FLT_PREOP_SUCCESS_NO_CALLBACK, undefined)
    }, 'System', 'drain')
    settle(m)
    expect(a.status).toBe('STATUS_SUCCESS')
    expect(c).toEqual({ status: 'STATUS_SUCCESS', text: 'second' })
  })

  it('a queue used before FltCbdqInitialize is a clear error', () => {
    expect(() => FltCbdqRemoveNextIo(new FLT_CALLBACK_DATA_QUEUE(), null)).toThrow(/FltCbdqRemoveNextIo: the queue was not set up with FltCbdqInitialize/)
  })
})
