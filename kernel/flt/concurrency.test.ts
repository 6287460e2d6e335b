import { describe, expect, it } from 'vitest'
import { Machine } from '../machine.ts'
import { ntfsVolume } from '../volumes.ts'
import { KeDelayExecutionThread } from '../ke/index.ts'
import {
  FltCompletePendedPreOperation,
  FLT_IS_FASTIO_OPERATION,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_DISALLOW_FASTIO,
  FLT_PREOP_PENDING,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  IRP_MJ,
  type FLT_CALLBACK_DATA,
} from './test-exports.ts'
import { close, filterModule, open, read, spawn, write } from './test-support.ts'

/** two threads write and read their own files through passthrough, minispy and a filter that pends every write */
function workload(seed: number): { trace: string; texts: string[]; bugcheck?: string } {
  const m = Machine.create({ seed, volumes: [{ letter: 'C:', mount: ntfsVolume({ kind: 'memory', sizeBytes: 32 * 1024 * 1024 }) }] })
  m.boot()
  m.fltmc.load('passthrough')
  m.fltmc.load('minispy')
  m.fltmc.attach('minispy', 'C:')
  m.fltmc.load(
    filterModule('slow', '140000', () => ({
      OperationRegistration: [
        {
          MajorFunction: IRP_MJ.IRP_MJ_WRITE,
          PreOperation: (Data: FLT_CALLBACK_DATA) => {
            // a fast I/O write cannot be pended: the filter sends it back as an IRP
            if (FLT_IS_FASTIO_OPERATION(Data)) return FLT_PREOP_DISALLOW_FASTIO
            spawn(m, function* () {
              yield* KeDelayExecutionThread(1000)
              FltCompletePendedPreOperation(Data, FLT_PREOP_SUCCESS_WITH_CALLBACK, null)
            }, 'System', 'slow worker')
            return FLT_PREOP_PENDING
          },
          PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING,
        },
      ],
    })),
  )
  const texts: string[] = []
  let done = 0
  for (const who of ['a', 'b']) {
    spawn(m, function* () {
      const h = yield* open(m, `C:\\${who}.txt`)
      for (let i = 0; i < 5; i++) yield* write(m, h.handle, `${who}${i}`, i * 2)
      texts.push((yield* read(m, h.handle, 10)).text)
      yield* close(m, h.handle)
      done++
    }, `${who}.exe`, 'main')
  }
  m.ke.runUntil(() => done === 2 || m.ke.bugcheck !== undefined, { deadline: m.ke.now + 600 * 10_000_000 })
  const trace = m.trace.events.map((e) => `${e.tid} ${e.at} ${e.phase} ${e.op} ${e.path}`).join('\n')
  return { trace, texts: texts.sort(), ...(m.ke.bugcheck ? { bugcheck: m.ke.bugcheck.message } : {}) }
}

describe('concurrent operations through filters', () => {
  it('interleave as the seed decides, complete, and replay identically', () => {
    const traces = new Set<string>()
    for (const seed of [1, 2, 3, 4]) {
      const a = workload(seed)
      expect(a.bugcheck).toBeUndefined()
      expect(a.texts).toEqual(['a0a1a2a3a4', 'b0b1b2b3b4'])
      const b = workload(seed)
      expect(b.trace).toBe(a.trace)
      traces.add(a.trace)
    }
    expect(traces.size).toBeGreaterThan(1)
  })
})
