import { describe, expect, it } from 'vitest'
import type { TraceEvent, TraceEventInput } from './event.ts'
import { NULL_SINK, TraceRecorder } from './sink.ts'

const write = (time: number, phase: 'pre' | 'post', more: Partial<TraceEventInput> = {}): TraceEventInput => ({
  time,
  process: 'notepad.exe',
  pid: 1000,
  tid: 1004,
  op: 'IRP_MJ_WRITE',
  path: 'C:\\docs\\a.txt',
  at: 'fs',
  phase,
  irp: 'IRP7',
  fileObject: 'FO3',
  params: { ByteOffset: 0, Length: 11 },
  ...(phase === 'post' ? { status: 'STATUS_SUCCESS', information: 11 } : {}),
  ...more,
})

describe('TraceRecorder', () => {
  it('numbers events and fills the Procmon name', () => {
    const r = new TraceRecorder()
    const a = r.emit(write(10, 'pre'))!
    const b = r.emit(write(25, 'post'))!
    expect([a.seq, b.seq]).toEqual([1, 2])
    expect(a.procmon).toBe('WriteFile')
    expect(a.flags).toEqual([])
    expect(r.count).toBe(2)
    expect(r.events).toEqual([a, b])
  })

  it('computes the Detail when it is first read, and keeps it', () => {
    const r = new TraceRecorder()
    const e = r.emit(write(0, 'post'))!
    // not an own property until read: it comes from the events' prototype
    expect(Object.getOwnPropertyDescriptor(e, 'detail')).toBeUndefined()
    expect(e.detail).toBe('Offset: 0, Length: 11, Priority: Normal')
    expect(Object.getOwnPropertyDescriptor(e, 'detail')?.value).toBe('Offset: 0, Length: 11, Priority: Normal')
    // visible to JSON, after the other fields as an own property would be
    const json = JSON.stringify(r.emit(write(1, 'pre')))
    expect(JSON.parse(json).detail).toBe('Offset: 0, Length: 11, Priority: Normal')
    expect(Object.keys(JSON.parse(json)).at(-1)).toBe('detail')
    // once read, JSON is the same as before
    const read = r.emit(write(2, 'pre'))!
    const before = JSON.stringify(read)
    void read.detail
    expect(JSON.stringify(read)).toBe(before)
  })

  it('computes eagerly when asked, and keeps a detail given by the emitter', () => {
    const r = new TraceRecorder({ eagerDetail: true })
    expect(Object.getOwnPropertyDescriptor(r.emit(write(0, 'pre'))!, 'detail')?.value).toBe('Offset: 0, Length: 11, Priority: Normal')
    expect(r.emit(write(0, 'pre', { detail: 'custom' }))!.detail).toBe('custom')
  })

  it('fills the duration of a completion from its start at the same point', () => {
    const r = new TraceRecorder()
    r.emit(write(100, 'pre', { at: 'swapbuffers@140000' }))
    r.emit(write(120, 'pre'))
    const fsDone = r.emit(write(150, 'post'))!
    const filterDone = r.emit(write(170, 'post', { at: 'swapbuffers@140000' }))!
    expect(fsDone.durationTicks).toBe(30)
    expect(filterDone.durationTicks).toBe(70)
  })

  it('streams to listeners until they unsubscribe', () => {
    const r = new TraceRecorder()
    const seen: number[] = []
    const stop = r.subscribe((e) => seen.push(e.seq))
    r.emit(write(0, 'pre'))
    stop()
    r.emit(write(1, 'post'))
    expect(seen).toEqual([1])
  })

  it('records nothing when disabled', () => {
    const r = new TraceRecorder({ enabled: false })
    const seen: TraceEvent[] = []
    r.subscribe((e) => seen.push(e))
    expect(r.emit(write(0, 'pre'))).toBeUndefined()
    expect([r.count, r.events.length, seen.length]).toEqual([0, 0, 0])
    r.enabled = true
    expect(r.emit(write(0, 'pre'))!.seq).toBe(1)
    expect(NULL_SINK.enabled).toBe(false)
    expect(NULL_SINK.emit(write(0, 'pre'))).toBeUndefined()
  })

  it('keeps the newest events within its capacity', () => {
    const r = new TraceRecorder({ capacity: 3 })
    for (let i = 0; i < 5; i++) r.emit(write(i, 'pre'))
    expect(r.events.map((e) => e.seq)).toEqual([3, 4, 5])
    expect(r.dropped).toBe(2)
    expect(() => new TraceRecorder({ capacity: 0 })).toThrow('trace capacity must be at least 1, not 0')
  })
})
