import { describe, expect, it } from 'vitest'
import { parseScenario } from '../parse.ts'
import { runScenario } from './run.ts'
import { compareTraces, readSession, writeSession } from './session.ts'
import { toJsonl } from '../../trace/export.ts'

const SAVE = `
name: notepad saves a file
seed: 7
background: false   # the exact operation list below is Notepad's and System's alone
volume:
  files:
    - { path: 'C:\\docs\\a.txt', content: "hello" }
steps:
  - call: NtCreateFile
    process: notepad.exe
    args:
      FileName: 'C:\\docs\\a.txt'
      DesiredAccess: [GENERIC_READ, GENERIC_WRITE, SYNCHRONIZE]
      ShareAccess: [FILE_SHARE_READ]
      CreateDisposition: FILE_OPEN_IF
      CreateOptions: [FILE_NON_DIRECTORY_FILE, FILE_SYNCHRONOUS_IO_NONALERT]
    as: h1
    expect: { status: STATUS_SUCCESS, information: FILE_OPENED }
  - call: NtWriteFile
    args: { FileHandle: h1, ByteOffset: 0, Data: "hello world" }
    expect: { status: STATUS_SUCCESS, information: 11 }
  - call: NtQueryInformationFile
    args: { FileHandle: h1, FileInformationClass: FileStandardInformation }
    expect: { status: STATUS_SUCCESS, output: { EndOfFile: 11, Directory: false } }
  - call: NtClose
    args: { Handle: h1 }
expect:
  files:
    - { path: 'C:\\docs\\a.txt', content: "hello world" }
    - { path: 'C:\\docs\\gone.txt', exists: false }
  trace:
    - { op: IRP_MJ_CREATE, path: 'C:\\docs\\a.txt', status: STATUS_SUCCESS, process: notepad.exe }
    - { op: IRP_MJ_WRITE, path: 'C:\\docs\\a.txt', procmon: WriteFile }
    - { op: IRP_MJ_CLEANUP, procmon: CloseFile }
    - { op: IRP_MJ_CLOSE }
`

// two threads append to the same file concurrently; the seed decides who goes first
const RACE = `
name: concurrent appends
volume:
  files:
    - { path: 'C:\\log.txt', content: "" }
steps:
  - call: NtCreateFile
    process: a.exe
    thread: t1
    args: { FileName: 'C:\\log.txt', DesiredAccess: [FILE_APPEND_DATA, SYNCHRONIZE], ShareAccess: [FILE_SHARE_READ, FILE_SHARE_WRITE], CreateDisposition: FILE_OPEN, CreateOptions: [FILE_SYNCHRONOUS_IO_NONALERT] }
    as: ha
  - call: NtWriteFile
    process: a.exe
    thread: t1
    args: { FileHandle: ha, Data: "A" }
  - call: NtCreateFile
    process: b.exe
    thread: t1
    args: { FileName: 'C:\\log.txt', DesiredAccess: [FILE_APPEND_DATA, SYNCHRONIZE], ShareAccess: [FILE_SHARE_READ, FILE_SHARE_WRITE], CreateDisposition: FILE_OPEN, CreateOptions: [FILE_SYNCHRONOUS_IO_NONALERT] }
    as: hb
  - call: NtWriteFile
    process: b.exe
    thread: t1
    args: { FileHandle: hb, Data: "B" }
  - call: NtClose
    args: { Handle: ha }
  - call: NtClose
    args: { Handle: hb }
`

describe('scenario runner', () => {
  it('runs the contract example end to end: steps, files and trace expectations', () => {
    const r = runScenario(parseScenario(SAVE, 'save.yaml'))
    expect(r.failures).toEqual([])
    // 4 steps + 2 files + 4 trace matchers
    expect(r.passed).toBe(10)
    const ops = r.trace.filter((e) => e.phase === 'dispatch').map((e) => `${e.process} ${e.procmon}`)
    // cached: the write reads the file's first page in (paging read in notepad's thread); after
    // cleanup the lazy writer flushes from System and the lazy close sends IRP_MJ_CLOSE
    expect(ops).toEqual([
      'notepad.exe CreateFile',
      'notepad.exe WriteFile',
      'notepad.exe ReadFile',
      'notepad.exe QueryStandardInformationFile',
      'notepad.exe CloseFile',
      'System FASTIO_ACQUIRE_FOR_CC_FLUSH',
      'System WriteFile',
      'System FASTIO_RELEASE_FOR_CC_FLUSH',
      'System SetEndOfFileInformationFile',
      'System IRP_MJ_CLOSE',
    ])
  })

  it('reports a failed expectation with its source position', () => {
    const bad = SAVE.replace('information: 11 }', 'information: 12 }')
    const r = runScenario(parseScenario(bad, 'save.yaml'))
    expect(r.failed).toBe(1)
    expect(r.failures[0]!.where).toMatch(/^save\.yaml:\d+:\d+$/)
    expect(r.failures[0]!.message).toContain('information: expected 12, got 11')
  })

  it('gives byte-identical traces for the same scenario and seed', () => {
    const a = toJsonl(runScenario(parseScenario(RACE, 'race.yaml'), { seed: 3 }).trace)
    const b = toJsonl(runScenario(parseScenario(RACE, 'race.yaml'), { seed: 3 }).trace)
    expect(a).toBe(b)
  })

  it('explores different interleavings of a concurrent block with different seeds', () => {
    const orders = new Set<string>()
    for (let seed = 1; seed <= 12; seed++) {
      const r = runScenario(parseScenario(RACE, 'race.yaml'), { seed })
      expect(r.failures).toEqual([])
      orders.add(r.trace.filter((e) => e.phase === 'dispatch').map((e) => `${e.process}:${e.op}`).join(','))
    }
    expect(orders.size).toBeGreaterThan(1)
  })

  it('records a session that replays to the identical trace', () => {
    const report = runScenario(parseScenario(RACE, 'race.yaml'), { seed: 5 })
    const file = writeSession(report, RACE, 'jsonl')
    const s = readSession(file, 'race.trace.jsonl')
    expect(s.header.seed).toBe(5)
    const again = runScenario(parseScenario(s.header.scenario.text, s.header.scenario.file), { seed: s.header.seed })
    expect(compareTraces(s.events, again.trace)).toBeUndefined()
    const other = runScenario(parseScenario(s.header.scenario.text, s.header.scenario.file), { seed: 6 })
    const diff = compareTraces(s.events, other.trace)
    // a different seed may or may not reorder this short race; a changed scenario must differ
    const changed = runScenario(parseScenario(RACE.replace('Data: "B"', 'Data: "BB"'), 'race.yaml'), { seed: 5 })
    expect(compareTraces(s.events, changed.trace)).toMatch(/differs/)
    expect(typeof diff === 'string' || diff === undefined).toBe(true)
  })
})
