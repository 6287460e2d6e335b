import { describe, expect, it } from 'vitest'
import {
  FLT_IS_FASTIO_OPERATION,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_DISALLOW_FASTIO,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO,
  IRP_MJ,
} from './test-exports.ts'
import { bootMachine, close, filterModule, lines, mark, open, read, run, write } from './test-support.ts'

describe('filters over the Cache Manager', () => {
  it('see the lazy writer\'s flush (FsFilter acquire, paging write, release) and fast reads; SKIP_PAGING_IO leaves out the paging write', () => {
    const m = bootMachine(1, { cacheManager: true })
    expect(m.fltmc.load('passthrough').statusName).toBe('STATUS_SUCCESS')
    const seen: string[] = []
    expect(
      m.fltmc.load(
        filterModule('nopaging', '200000', () => ({
          OperationRegistration: [{ MajorFunction: IRP_MJ.IRP_MJ_WRITE, Flags: FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO, PreOperation: (d) => (seen.push(`write flags=${d.Iopb.IrpFlags}`), FLT_PREOP_SUCCESS_NO_CALLBACK) }],
        })),
      ).statusName,
    ).toBe('STATUS_SUCCESS')
    const from = mark(m)
    run(m, function* () {
      const h = yield* open(m, 'C:\\lazy.txt')
      yield* write(m, h.handle, 'lazy data')
      yield* close(m, h.handle)
    })
    m.runFor(100_000_000)
    const flush = m.trace.events.filter((e) => e.seq > from && e.at === 'passthrough@370030' && ['IRP_MJ_ACQUIRE_FOR_CC_FLUSH', 'IRP_MJ_WRITE', 'IRP_MJ_RELEASE_FOR_CC_FLUSH'].includes(e.op))
    expect(flush.map((e) => `${e.phase} ${e.op} ${e.flags.includes('IRP_PAGING_IO') ? 'paging' : ''}`.trim())).toEqual([
      'pre IRP_MJ_WRITE',
      'post IRP_MJ_WRITE',
      'pre IRP_MJ_ACQUIRE_FOR_CC_FLUSH',
      'post IRP_MJ_ACQUIRE_FOR_CC_FLUSH',
      'pre IRP_MJ_WRITE paging',
      'post IRP_MJ_WRITE paging',
      'pre IRP_MJ_RELEASE_FOR_CC_FLUSH',
      'post IRP_MJ_RELEASE_FOR_CC_FLUSH',
    ])
    // the filter that skips paging I/O saw only the application's cached write
    expect(seen).toHaveLength(1)
    const from2 = mark(m)
    run(m, function* () {
      const h = yield* open(m, 'C:\\lazy.txt')
      yield* read(m, h.handle, 4)
      yield* read(m, h.handle, 4)
      yield* close(m, h.handle)
    })
    expect(lines(m, from2, { ops: ['IRP_MJ_READ', 'FASTIO_READ'], at: (a) => a !== 'fs' })).toEqual([
      'passthrough@370030 pre IRP_MJ_READ',
      'passthrough@370030 post IRP_MJ_READ STATUS_SUCCESS',
      'passthrough@370030 pre FASTIO_READ',
      'passthrough@370030 post FASTIO_READ STATUS_SUCCESS',
    ])
  })

  it('a filter that disallows fast I/O turns every cached read into an IRP', () => {
    const m = bootMachine(1, { cacheManager: true })
    expect(
      m.fltmc.load(
        filterModule('nofast', '200000', () => ({
          OperationRegistration: [{ MajorFunction: IRP_MJ.IRP_MJ_READ, PreOperation: (d) => (FLT_IS_FASTIO_OPERATION(d) ? FLT_PREOP_DISALLOW_FASTIO : FLT_PREOP_SUCCESS_NO_CALLBACK), PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING }],
        })),
      ).statusName,
    ).toBe('STATUS_SUCCESS')
    run(m, function* () {
      const h = yield* open(m, 'C:\\r.txt')
      yield* write(m, h.handle, 'cached')
      yield* close(m, h.handle)
    })
    const from = mark(m)
    const texts = run(m, function* () {
      const h = yield* open(m, 'C:\\r.txt')
      const a = (yield* read(m, h.handle, 6)).text
      const b = (yield* read(m, h.handle, 6)).text
      yield* close(m, h.handle)
      return [a, b]
    })
    expect(texts).toEqual(['cached', 'cached'])
    const fsReads = m.trace.events.filter((e) => e.seq > from && e.at === 'fs' && e.phase === 'dispatch' && (e.op === 'IRP_MJ_READ' || e.op === 'FASTIO_READ')).map((e) => e.op)
    expect(fsReads).toEqual(['IRP_MJ_READ', 'IRP_MJ_READ'])
    expect(lines(m, from, { ops: ['FASTIO_READ'], at: (a) => a !== 'fs' })).toEqual(['nofast@200000 pre FASTIO_READ'])
  })
})
