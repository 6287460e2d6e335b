import { describe, expect, it } from 'vitest'
import { jsonSafe, toWireEvent } from './trace-wire.ts'
import { traceEvent } from './api.ts'
import { TraceRecorder } from '../../kernel/trace/sink.ts'

describe('trace records on the wire', () => {
  it('numbers records, names NTSTATUS values and keeps the rest', () => {
    let seq = 0
    const next = (): number => ++seq
    const record = {
      time: 10, process: 'notepad.exe', pid: 1000, tid: 8, op: 'IRP_MJ_CREATE', path: 'C:\\a.txt', at: 'fs', phase: 'complete',
      flags: ['IRP_SYNCHRONOUS_API'], status: 0xc0000034, information: 0, fileObject: 3, irp: 7,
      params: { AllocationSize: 2n ** 64n - 1n, Length: 5n },
    }
    const wire = toWireEvent(record, next)
    expect(wire).toMatchObject({ seq: 1, status: 'STATUS_OBJECT_NAME_NOT_FOUND', op: 'IRP_MJ_CREATE', fileObject: 3 })
    expect(wire.params).toEqual({ AllocationSize: '18446744073709551615', Length: 5 })
    expect(traceEvent.check(wire, '')).toBeUndefined()
    expect(toWireEvent({ ...record, status: 0 }, next)).toMatchObject({ seq: 2, status: 'STATUS_SUCCESS' })
    expect(toWireEvent({ ...record, seq: 40, status: 'STATUS_REPARSE' }, next)).toMatchObject({ seq: 40, status: 'STATUS_REPARSE' })
  })

  it('turns values JSON cannot carry into ones it can', () => {
    expect(jsonSafe({ a: new Uint8Array([0, 255]), f: () => 1, n: Number.NaN, u: undefined })).toEqual({ a: { hex: '00ff' }, n: 'NaN' })
  })

  it('materialises the Detail the kernel computes lazily', () => {
    const recorder = new TraceRecorder()
    const event = recorder.emit({
      time: 5, process: 'explorer.exe', pid: 1000, tid: 40, op: 'IRP_MJ_DIRECTORY_CONTROL', minor: 'IRP_MN_QUERY_DIRECTORY',
      path: 'C:\\Users', at: 'fs', phase: 'complete', status: 'STATUS_SUCCESS', irp: 'IRP8',
      params: { FileInformationClass: 37, FileName: '*', Length: 65536 }, output: { Entries: ['.', '..', 'Public'] },
    })!
    // the recorder defers Detail to its first read: not an own property yet
    expect(Object.getOwnPropertyDescriptor(event, 'detail')).toBeUndefined()
    const wire = toWireEvent(event, () => 0)
    expect(wire.detail).toBe('Filter: *, 1: ., FileInformationClass: FileIdBothDirectoryInformation, 3: Public')
    expect(JSON.parse(JSON.stringify(wire))).toMatchObject({ detail: wire.detail, procmon: 'QueryDirectory', seq: 1 })
    expect(traceEvent.check(wire, '')).toBeUndefined()
  })
})
