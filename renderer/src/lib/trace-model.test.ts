import { describe, expect, it } from 'vitest'
import type { TraceEventData } from '../../../main/host/api.ts'
import { displayPath, FilteredRows, rowDetail, rowDurationTicks, rowStatus, TraceModel } from './trace-model.ts'

let seq = 0
function ev(irp: string | undefined, at: string, phase: string, extra: Partial<TraceEventData> & Record<string, unknown> = {}): TraceEventData {
  seq++
  return { seq, time: seq * 10, process: 'explorer.exe', pid: 1000, tid: 40, op: 'IRP_MJ_CREATE', procmon: 'CreateFile', path: 'C:\\Users', at, phase, ...(irp !== undefined ? { irp } : {}), ...extra } as TraceEventData
}

describe('TraceModel', () => {
  it('makes one row per operation, paired at its first observation point', () => {
    const m = new TraceModel()
    const events = [
      ev('IRP1', 'minispy@385100', 'pre', { detail: 'Desired Access: Read' }),
      ev('IRP1', 'fs', 'dispatch'),
      ev('IRP1', 'fs', 'complete', { status: 'STATUS_OBJECT_NAME_NOT_FOUND' }),
      ev('IRP1', 'minispy@385100', 'post', { status: 'STATUS_SUCCESS', detail: 'Desired Access: Read, OpenResult: Opened', durationTicks: 30 }),
      ev('IRP2', 'fs', 'dispatch', { procmon: 'CloseFile', op: 'IRP_MJ_CLEANUP' }),
    ]
    m.add(events)
    expect(m.rows).toHaveLength(2)
    expect(m.events).toBe(5)
    const [create, cleanup] = m.rows
    expect(create!.start.at).toBe('minispy@385100')
    // the result at the top point, not the file system's
    expect(rowStatus(create!)).toBe('STATUS_SUCCESS')
    expect(rowDetail(create!)).toBe('Desired Access: Read, OpenResult: Opened')
    expect(rowDurationTicks(create!)).toBe(30)
    expect(create!.events.map((e) => e.phase)).toEqual(['pre', 'dispatch', 'complete', 'post'])
    // still pending: no result, no duration
    expect(rowStatus(cleanup!)).toBeUndefined()
    expect(rowDurationTicks(cleanup!)).toBeUndefined()
    m.add([ev('IRP2', 'fs', 'complete', { status: 'STATUS_SUCCESS', procmon: 'CloseFile' })])
    expect(m.rows).toHaveLength(2)
    expect(rowStatus(m.rows[1]!)).toBe('STATUS_SUCCESS')
    expect(rowDurationTicks(m.rows[1]!)).toBe(10)
  })

  it('gives events without an operation id, and lone completions, rows of their own', () => {
    const m = new TraceModel()
    m.add([ev(undefined, 'fs', 'dispatch'), ev(undefined, 'fs', 'complete', { status: 'STATUS_SUCCESS' }), ev('IRP9', 'fs', 'complete', { status: 'STATUS_SUCCESS' })])
    expect(m.rows).toHaveLength(3)
    expect(rowStatus(m.rows[2]!)).toBe('STATUS_SUCCESS')
    // a later event of that id starts a new row: the completed one is closed
    m.add([ev('IRP9', 'fs', 'dispatch')])
    expect(m.rows).toHaveLength(4)
  })

  it('keeps at most its capacity, dropping the oldest with room to spare, and numbers rows consecutively', () => {
    const m = new TraceModel(10)
    const batch = Array.from({ length: 12 }, (_, i) => ev(`IRP${100 + i}`, 'fs', 'dispatch'))
    expect(m.add(batch)).toBe(3)
    expect(m.rows).toHaveLength(9)
    expect(m.dropped).toBe(3)
    expect(m.rows.map((r) => r.n)).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12])
    // a completion of a dropped operation becomes a lone row; one still kept pairs up
    m.add([ev('IRP100', 'fs', 'complete', { status: 'STATUS_SUCCESS' }), ev('IRP111', 'fs', 'complete', { status: 'STATUS_SUCCESS' })])
    expect(m.rows).toHaveLength(10)
    expect(rowStatus(m.rows[8]!)).toBe('STATUS_SUCCESS')
    m.clear()
    expect([m.rows.length, m.events, m.dropped]).toEqual([0, 0, 0])
    expect(() => new TraceModel(0)).toThrow(/capacity/)
  })

  it('shows the pattern of a QueryDirectory in its path, as Procmon does', () => {
    const m = new TraceModel()
    m.add([
      ev('IRP5', 'fs', 'dispatch', { procmon: 'QueryDirectory', params: { FileName: '*', FileInformationClass: 37 } }),
      ev('IRP6', 'fs', 'dispatch', { procmon: 'QueryDirectory', path: 'C:\\', params: { FileName: 'a?.txt' } }),
      ev('IRP7', 'fs', 'dispatch', { procmon: 'QueryDirectory', params: { FileInformationClass: 37 } }),
    ])
    expect(m.rows.map(displayPath)).toEqual(['C:\\Users\\*', 'C:\\a?.txt', 'C:\\Users'])
  })
})

describe('FilteredRows', () => {
  it('keeps the matching rows as rows arrive, are dropped and are cleared', () => {
    const m = new TraceModel(10)
    const f = new FilteredRows('  New Folder ')
    m.add([ev('IRP1', 'fs', 'dispatch', { path: 'C:\\Docs\\New folder' }), ev('IRP2', 'fs', 'dispatch', { path: 'C:\\Docs' })])
    expect(f.update(m).map((r) => r.n)).toEqual([1])
    m.add([ev('IRP3', 'fs', 'dispatch', { path: 'C:\\new folder (2)' }), ev('IRP4', 'fs', 'dispatch', { procmon: 'QueryDirectory', process: 'System' })])
    expect(f.update(m).map((r) => r.n)).toEqual([1, 3])
    // the operation and the process match too
    const byOp = new FilteredRows('querydir')
    expect(byOp.update(m).map((r) => r.n)).toEqual([4])
    expect(new FilteredRows('system').update(m).map((r) => r.n)).toEqual([4])
    expect(new FilteredRows('IRP_MJ_CREATE').update(m)).toHaveLength(4)
    // eleven more rows: the oldest go, and their matches with them
    m.add(Array.from({ length: 11 }, (_, i) => ev(`IRP${10 + i}`, 'fs', 'dispatch', { path: 'C:\\x' })))
    expect(f.update(m)).toEqual([])
    m.add([ev('IRP40', 'fs', 'dispatch', { path: 'C:\\New folder' })])
    expect(f.update(m).map((r) => r.start.irp)).toEqual(['IRP40'])
    m.clear()
    expect(f.update(m)).toEqual([])
  })
})
