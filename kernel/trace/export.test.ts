import { describe, expect, it } from 'vitest'
import type { TraceEventInput } from './event.ts'
import { procmonRows, toCsv, toJson, toJsonl, toXml } from './export.ts'
import { TraceRecorder } from './sink.ts'

const base = { process: 'notepad.exe', pid: 1000, tid: 1004, path: 'C:\\docs\\a.txt', fileObject: 'FO1' } as const

/** notepad opens a file: seen by a filter at 370000 and by the file system. */
function record(): TraceRecorder {
  const r = new TraceRecorder()
  const create = { ...base, op: 'IRP_MJ_CREATE', irp: 'IRP1', params: { DesiredAccess: 0x80000000, CreateDisposition: 1, CreateOptions: 0x60, FileAttributes: 0x80, ShareAccess: 3 } }
  const events: TraceEventInput[] = [
    { ...create, time: 1000, at: 'passthrough@370000', phase: 'pre' },
    { ...create, time: 1010, at: 'fs', phase: 'dispatch' },
    { ...create, time: 1130, at: 'fs', phase: 'complete', status: 'STATUS_SUCCESS', information: 1 },
    { ...create, time: 1139, at: 'passthrough@370000', phase: 'post', status: 'STATUS_SUCCESS', information: 1 },
    { ...base, op: 'IRP_MJ_DIRECTORY_CONTROL', minor: 'IRP_MN_QUERY_DIRECTORY', irp: 'IRP2', path: 'C:\\docs', time: 2000, at: 'fs', phase: 'dispatch', params: { FileName: 'a "q".txt', FileInformationClass: 'FileBothDirectoryInformation' } },
    { ...base, op: 'IRP_MJ_DIRECTORY_CONTROL', minor: 'IRP_MN_QUERY_DIRECTORY', irp: 'IRP2', path: 'C:\\docs', time: 2003, at: 'fs', phase: 'complete', status: 'STATUS_NO_SUCH_FILE', params: { FileName: 'a "q".txt', FileInformationClass: 'FileBothDirectoryInformation' } },
  ]
  for (const e of events) r.emit(e)
  return r
}

describe('JSON exports', () => {
  it('writes one event per line with the contract keys in order', () => {
    const lines = toJsonl(record().events).trimEnd().split('\n')
    expect(lines).toHaveLength(6)
    expect(lines[2]).toBe(
      '{"seq":3,"time":1130,"process":"notepad.exe","pid":1000,"tid":1004,"op":"IRP_MJ_CREATE","procmon":"CreateFile","path":"C:\\\\docs\\\\a.txt","at":"fs","phase":"complete","flags":[],"status":"STATUS_SUCCESS","information":1,"fileObject":"FO1","irp":"IRP1","params":{"DesiredAccess":2147483648,"CreateDisposition":1,"CreateOptions":96,"FileAttributes":128,"ShareAccess":3},"detail":"Desired Access: Generic Read, Disposition: Open, Options: Synchronous IO Non-Alert, Non-Directory File, Attributes: N, ShareMode: Read, Write, AllocationSize: n/a, OpenResult: Opened","durationTicks":120}',
    )
    expect(JSON.parse(toJson(record().events))).toHaveLength(6)
  })

  it('keeps 64-bit values exact', () => {
    const r = new TraceRecorder()
    r.emit({ ...base, op: 'IRP_MJ_READ', time: 0, at: 'fs', phase: 'pre', params: { ByteOffset: 9007199254740993n, Data: Uint8Array.from([1, 255]) } })
    const line = JSON.parse(toJsonl(r.events))
    expect(line.params).toEqual({ ByteOffset: '9007199254740993', Data: { hex: '01ff' } })
  })
})

describe('Procmon rows', () => {
  it('shows each operation once, at the first point it reached, by default', () => {
    const rows = procmonRows(record().events)
    expect(rows.map((r) => [r.start.seq, r.end?.seq])).toEqual([
      [1, 4],
      [5, 6],
    ])
    expect(procmonRows(record().events, 'fs').map((r) => [r.start.seq, r.end?.seq])).toEqual([
      [2, 3],
      [5, 6],
    ])
    expect(procmonRows(record().events, 'all')).toHaveLength(3)
    expect(procmonRows(record().events, 'passthrough@370000')).toHaveLength(1)
  })
})

describe('CSV export', () => {
  it('follows Procmon: BOM, quoted fields, CRLF, its columns and formats', () => {
    const csv = toCsv(record().events)
    expect(csv.startsWith('\uFEFF"Time of Day","Process Name","PID","Operation","Path","Result","Detail","TID","Category","Sequence","Relative Time","Duration","Completion Time"\r\n')).toBe(true)
    const lines = csv.slice(1).split('\r\n')
    expect(lines[1]).toBe(
      '"12:00:00.0001000 AM","notepad.exe","1000","CreateFile","C:\\docs\\a.txt","SUCCESS","Desired Access: Generic Read, Disposition: Open, Options: Synchronous IO Non-Alert, Non-Directory File, Attributes: N, ShareMode: Read, Write, AllocationSize: n/a, OpenResult: Opened","1004","","1","00:00:00.0000000","0.0000139","12:00:00.0001139 AM"',
    )
    // QueryDirectory appends the pattern to the path; quotes inside fields are doubled
    expect(lines[2]).toBe(
      '"12:00:00.0002000 AM","notepad.exe","1000","QueryDirectory","C:\\docs\\a ""q"".txt","NO SUCH FILE","Filter: a ""q"".txt","1004","Read Metadata","5","00:00:00.0001000","0.0000003","12:00:00.0002003 AM"',
    )
    expect(lines[3]).toBe('')
  })

  it('writes all 27 columns in Procmon order', () => {
    const csv = toCsv(record().events, { columns: 'all', at: 'fs' })
    const [header, first] = csv.slice(1).split('\r\n')
    expect(header).toBe(
      '"Time of Day","Process Name","PID","Operation","Path","Result","Detail","Date & Time","Relative Time","Duration","Completion Time","Event Class","Sequence","Image Path","Company","Description","Version","User","Authentication ID","Session","Command Line","TID","Virtualized","Integrity","Category","Parent PID","Architecture"',
    )
    expect(first!.split('","')[7]).toBe('1/1/2024 12:00:00 AM')
    expect(first!.split('","')[13]).toBe('C:\\Windows\\System32\\notepad.exe')
    expect(() => toCsv([], { columns: ['Time of Day', 'Nope' as 'PID'] })).toThrow("unknown Process Monitor column 'Nope'")
  })
})

describe('XML export', () => {
  it('lists processes and events in Procmon layout, escaped', () => {
    const xml = toXml(record().events, { columns: ['Time of Day', 'Process Name', 'PID', 'Operation', 'Path', 'Result', 'Detail'] })
    expect(xml).toContain('<procmon>\r\n<processlist>\r\n<process>\r\n<ProcessIndex>1</ProcessIndex>\r\n<ProcessId>1000</ProcessId>')
    expect(xml).toContain(
      '<event>\r\n<ProcessIndex>1</ProcessIndex>\r\n<Time_of_Day>12:00:00.0002000 AM</Time_of_Day>\r\n<Process_Name>notepad.exe</Process_Name>\r\n<PID>1000</PID>\r\n<Operation>QueryDirectory</Operation>\r\n<Path>C:\\docs\\a "q".txt</Path>\r\n<Result>NO SUCH FILE</Result>\r\n<Detail>Filter: a "q".txt</Detail>\r\n</event>',
    )
    expect(xml.trimEnd().endsWith('</eventlist>\r\n</procmon>')).toBe(true)
    expect(toXml([{ ...record().events[0]!, path: 'C:\\a&b<c>' }], { columns: ['Path'] })).toContain('<Path>C:\\a&amp;b&lt;c&gt;</Path>')
  })
})
