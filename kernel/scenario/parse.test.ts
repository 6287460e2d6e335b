import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ScenarioError } from './errors.ts'
import { loadScenarioFile, parseScenario } from './parse.ts'
import type { CallStep, HandleArg, PathArg } from './types.ts'

/** The message of the ScenarioError a text produces. */
function problems(text: string): string {
  try {
    parseScenario(text, 's.yaml')
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError)
    return (e as ScenarioError).message
  }
  throw new Error('expected the scenario to be refused')
}

const contractExample = new URL('../../fixtures/scenarios-examples/contract-example.yaml', import.meta.url)

describe('the contract example (SCENARIOS.md §2)', () => {
  const s = loadScenarioFile(contractExample.pathname)

  it('parses with its values normalised', () => {
    expect(s.name).toBe('notepad saves a file')
    expect(s.seed).toBe(7)
    expect(s.background).toBe(false)
    expect(s.volume.size).toBe(64n << 20n)
    expect(s.volume.files.map((f) => f.ntPath)).toEqual(['\\??\\C:\\docs\\a.txt', '\\??\\C:\\big.bin', '\\??\\C:\\stubs'])
    expect(new TextDecoder().decode(s.volume.files[0]!.content)).toBe('hello')
    expect(s.volume.files[1]!.size).toBe(8 * 1024 * 1024)
    expect(s.volume.files[2]!.directory).toBe(true)
    expect(s.filters).toEqual([
      { name: 'passthrough', module: undefined, altitude: '370000', options: {} },
      { name: undefined, module: './my-filter.ts', altitude: '141000', options: {} },
    ])
    expect(s.steps.map((x) => x.kind)).toEqual(['call', 'call', 'call', 'call', 'win32', 'shell', 'app', 'wait', 'power'])
  })

  it('resolves names of flags, enumerations and create results', () => {
    const create = s.steps[0] as CallStep
    expect(create.service).toBe('NtCreateFile')
    expect(create.process).toBe('notepad.exe')
    expect(create.as).toBe('h1')
    expect(create.args.DesiredAccess).toBe(0xc0000000)
    expect(create.args.ShareAccess).toBe(1)
    expect(create.args.CreateDisposition).toBe(3)
    expect(create.args.CreateOptions).toBe(0x60)
    expect(create.args.FileAttributes).toBe(0x80)
    expect((create.args.FileName as PathArg).nt).toBe('\\??\\C:\\docs\\a.txt')
    expect(create.expect).toEqual({ status: 0, information: 1 })
    expect(create.source).toEqual({ file: contractExample.pathname, line: 14, col: 5, index: 0 })
  })

  it('keeps handle references with the step that made them', () => {
    const write = s.steps[1] as CallStep
    expect(write.args.FileHandle).toEqual({ kind: 'handle', name: 'h1', value: undefined, owner: 'notepad.exe', definedAt: 0 })
    expect(new TextDecoder().decode(write.args.Data as Uint8Array)).toBe('hello world')
    expect(write.expect).toEqual({ status: 0, information: 11 })
    const query = s.steps[2] as CallStep
    expect(query.args.FileInformationClass).toBe(5)
    expect(query.expect?.output).toEqual({ EndOfFile: 11, Directory: false })
  })

  it('reads wait, power and the run expectations', () => {
    const wait = s.steps[7]!
    expect(wait.kind === 'wait' && wait.ticks).toBe(50_000_000n)
    expect(s.expect.files[1]).toMatchObject({ path: 'C:\\docs\\gone.txt', exists: false })
    expect(s.expect.trace.map((t) => t.fields)).toEqual([
      { op: 'IRP_MJ_CREATE', path: 'C:\\b.txt', status: 'STATUS_SUCCESS' },
      { op: 'IRP_MJ_WRITE', path: 'C:\\b.txt', flags: ['IRP_NOCACHE', 'IRP_PAGING_IO'] },
    ])
  })
})

describe('valid scenarios', () => {
  it('fills defaults', () => {
    const s = parseScenario('steps:\n  - wait: 1ms\n', 'dir/minimal.yaml')
    expect(s.name).toBe('minimal')
    expect(s.seed).toBe(1)
    expect(s.background).toBe(true)
    expect(s.volume).toEqual({ size: 64n << 20n, image: undefined, persist: false, label: undefined, files: [] })
    expect(s.steps[0]).toMatchObject({ kind: 'wait', ticks: 10_000n, process: 'explorer.exe', thread: 'main' })
  })

  it('keeps integers above 2^53 exact', () => {
    const s = parseScenario(
      `seed: 18446744073709551615
steps:
  - call: NtCreateFile
    args: { FileName: 'C:\\x', CreateDisposition: FILE_CREATE }
    as: h
  - call: NtWriteFile
    args: { FileHandle: h, ByteOffset: 9007199254740993, Data: { hex: "00 ff 10" } }
    expect: { information: 18446744073709551615 }
  - call: NtWriteFile
    args: { FileHandle: h, ByteOffset: FILE_WRITE_TO_END_OF_FILE, Data: x }
  - call: NtWriteFile
    args: { FileHandle: h, ByteOffset: -2, Data: x }
`,
      's.yaml',
    )
    expect(s.seed).toBe(18446744073709551615n)
    const w = s.steps[1] as CallStep
    expect(w.args.ByteOffset).toBe(9007199254740993n)
    expect(Array.from(w.args.Data as Uint8Array)).toEqual([0, 255, 16])
    expect(w.expect?.information).toBe(18446744073709551615n)
    expect((s.steps[2] as CallStep).args.ByteOffset).toBe(-1)
    expect((s.steps[3] as CallStep).args.ByteOffset).toBe(-2)
  })

  it('validates NtSetInformationFile fields by class', () => {
    const s = parseScenario(
      `steps:
  - call: NtOpenFile
    args: { FileName: 'C:\\a.txt', DesiredAccess: [DELETE, SYNCHRONIZE], OpenOptions: FILE_OPEN_REPARSE_POINT }
    as: h
  - call: NtSetInformationFile
    args: { FileHandle: h, FileInformationClass: FileRenameInformation, FileInformation: { ReplaceIfExists: false, FileName: 'C:\\dir\\new.txt' } }
  - call: NtSetInformationFile
    args: { FileHandle: h, FileInformationClass: FileRenameInformation, FileInformation: { FileName: new.txt } }
  - call: NtSetInformationFile
    args: { FileHandle: h, FileInformationClass: FileDispositionInformationEx, FileInformation: { Flags: [FILE_DISPOSITION_DELETE, FILE_DISPOSITION_POSIX_SEMANTICS] } }
  - call: NtSetInformationFile
    args: { FileHandle: h, FileInformationClass: FileEndOfFileInformation, FileInformation: { EndOfFile: 4KiB } }
  - call: NtSetInformationFile
    args: { FileHandle: h, FileInformationClass: FileBasicInformation, FileInformation: { LastWriteTime: '2020-07-11T16:33:18Z', FileAttributes: [FILE_ATTRIBUTE_READONLY] } }
  - call: NtSetInformationFile
    args: { FileHandle: h, FileInformationClass: 99 }
  - call: NtSetInformationFile
    args: { FileHandle: h, FileInformationClass: FilePositionInformation, FileInformation: { CurrentByteOffset: -100 } }
`,
      's.yaml',
    )
    const args = s.steps.map((x) => (x as CallStep).args)
    expect(args[0]!.DesiredAccess).toBe(0x110000)
    expect(args[0]!.OpenOptions).toBe(0x200000)
    expect(args[1]!.FileInformation).toEqual({
      ReplaceIfExists: false,
      FileName: { kind: 'path', input: 'C:\\dir\\new.txt', nt: '\\??\\C:\\dir\\new.txt' },
    })
    expect(args[2]!.FileInformation).toEqual({ FileName: { kind: 'path', input: 'new.txt', nt: 'new.txt' } })
    expect(args[3]!.FileInformation).toEqual({ Flags: 3 })
    expect(args[4]!.FileInformation).toEqual({ EndOfFile: 4096 })
    // 2020-07-11 16:33:18 UTC as FILETIME
    expect(args[5]!.FileInformation).toEqual({ LastWriteTime: 132389587980000000n, FileAttributes: 1 })
    expect(args[6]!.FileInformationClass).toBe(99)
    // CurrentByteOffset is a LARGE_INTEGER: negative offsets reach the file system, which refuses them
    expect(args[7]!.FileInformation).toEqual({ CurrentByteOffset: -100 })
  })

  it('takes FileName relative to RootDirectory as it is, and refuses a relative name without one', () => {
    const s = parseScenario(
      `steps:
  - call: NtOpenFile
    args: { FileName: 'C:\\root', DesiredAccess: [FILE_LIST_DIRECTORY] }
    as: d
  - call: NtOpenFile
    args: { RootDirectory: d, FileName: 'sub\\child.txt', DesiredAccess: [FILE_READ_DATA] }
  - call: NtCreateFile
    args: { FileName: '', RootDirectory: d, DesiredAccess: [FILE_READ_ATTRIBUTES], CreateDisposition: FILE_OPEN }
`,
      's.yaml',
    )
    const args = s.steps.map((x) => (x as CallStep).args)
    expect(args[1]!.FileName).toEqual({ kind: 'path', input: 'sub\\child.txt', nt: 'sub\\child.txt' })
    expect(args[2]!.FileName).toEqual({ kind: 'path', input: '', nt: '' })
    expect(problems(`steps:
  - call: NtOpenFile
    args: { FileName: 'sub\\child.txt', DesiredAccess: [FILE_READ_DATA] }
`)).toContain('is a relative path')
  })

  it('validates FSCTL input buffers, sections and views', () => {
    const s = parseScenario(
      `steps:
  - call: NtCreateFile
    args: { FileName: 'C:\\link', CreateDisposition: FILE_CREATE, CreateOptions: FILE_DIRECTORY_FILE }
    as: d
  - call: NtFsControlFile
    args:
      FileHandle: d
      FsControlCode: FSCTL_SET_REPARSE_POINT
      InputBuffer: { ReparseTag: IO_REPARSE_TAG_MOUNT_POINT, SubstituteName: '\\??\\C:\\target', PrintName: 'C:\\target' }
  - call: NtFsControlFile
    args: { FileHandle: d, FsControlCode: 0x90240, InputBuffer: { StructureVersion: 1, RequestedOplockLevel: [OPLOCK_LEVEL_CACHE_READ, OPLOCK_LEVEL_CACHE_HANDLE], Flags: REQUEST_OPLOCK_INPUT_FLAG_REQUEST } }
  - call: NtCreateSection
    args: { FileHandle: d, SectionPageProtection: PAGE_READWRITE, AllocationAttributes: SEC_COMMIT, DesiredAccess: [SECTION_MAP_READ, SECTION_MAP_WRITE] }
    as: sec
  - call: NtMapViewOfSection
    args: { SectionHandle: sec, Win32Protect: PAGE_READWRITE, InheritDisposition: ViewUnmap }
    as: v
  - call: NtWriteVirtualMemory
    args: { BaseAddress: v+0x10, Data: abc }
  - call: NtUnmapViewOfSection
    args: { BaseAddress: v }
`,
      's.yaml',
    )
    const a = s.steps.map((x) => (x as CallStep).args)
    expect(a[1]!.FsControlCode).toBe(0x900a4)
    expect(a[1]!.InputBuffer).toEqual({ ReparseTag: 0xa0000003, SubstituteName: '\\??\\C:\\target', PrintName: 'C:\\target' })
    expect(a[2]!.InputBuffer).toEqual({ StructureVersion: 1, RequestedOplockLevel: 3, Flags: 1 })
    expect(a[3]!.DesiredAccess).toBe(6)
    expect(a[3]!.AllocationAttributes).toBe(0x08000000)
    expect(a[4]!.InheritDisposition).toBe(2)
    expect(a[5]!.BaseAddress).toEqual({ kind: 'view', name: 'v', offset: 16 })
  })

  it('keeps filter options and settings', () => {
    const s = parseScenario(
      `filters:
  - { name: swapbuffers, altitude: 140000, cipher: xor, key: 0x5a }
  - { module: ./mine.ts, altitude: '385201.5' }
settings:
  lazyWriterIntervalMs: 1000
  readAhead: false
  mode: strict
steps: []
`,
      's.yaml',
    )
    expect(s.filters[0]).toEqual({ name: 'swapbuffers', module: undefined, altitude: '140000', options: { cipher: 'xor', key: 90 } })
    expect(s.filters[1]!.altitude).toBe('385201.5')
    expect(s.settings).toEqual({ lazyWriterIntervalMs: 1000, readAhead: false, mode: 'strict' })
  })

  it('reads volume files with streams, attributes, times and reparse points', () => {
    const s = parseScenario(
      `volume:
  label: DATA
  files:
    - path: 'C:\\a.txt'
      content: hi
      attributes: [FILE_ATTRIBUTE_HIDDEN, FILE_ATTRIBUTE_ARCHIVE]
      times: { CreationTime: 0, LastWriteTime: '2024-01-01T00:00:00Z' }
      streams: [{ name: Zone.Identifier, content: "[ZoneTransfer]" }, { name: big, size: 1MiB }]
    - { path: 'C:\\j', directory: true, reparse: { ReparseTag: IO_REPARSE_TAG_MOUNT_POINT, SubstituteName: '\\??\\C:\\t' } }
steps: []
`,
      's.yaml',
    )
    const [a, j] = s.volume.files
    expect(s.volume.label).toBe('DATA')
    expect(a!.attributes).toBe(0x22)
    expect(a!.times).toEqual({ CreationTime: 0, LastWriteTime: 133485408000000000n })
    expect(a!.streams.map((x) => [x.name, x.size])).toEqual([['Zone.Identifier', undefined], ['big', 1048576]])
    expect(j!.reparse).toEqual({ ReparseTag: 0xa0000003, SubstituteName: '\\??\\C:\\t' })
  })
})

describe('malformed scenarios name the file, line, column and what was expected', () => {
  it.each<[string, string, string]>([
    [
      'an unknown enumeration value',
      "steps:\n  - call: NtCreateFile\n    args:\n      FileName: 'C:\\a.txt'\n      CreateDisposition: FILE_OPENN\n",
      "s.yaml:5:26: steps[0].args.CreateDisposition: unknown value 'FILE_OPENN' (did you mean FILE_OPEN? expected one of FILE_SUPERSEDE, FILE_OPEN, FILE_CREATE, FILE_OPEN_IF, FILE_OVERWRITE, FILE_OVERWRITE_IF)",
    ],
    [
      'an unknown flag inside a list',
      "steps:\n  - call: NtCreateFile\n    args: { FileName: 'C:\\a', CreateDisposition: FILE_OPEN, ShareAccess: [FILE_SHARE_READ, FILE_SHARE_RAED] }\n",
      "s.yaml:3:92: steps[0].args.ShareAccess: unknown flag 'FILE_SHARE_RAED' (did you mean FILE_SHARE_READ? expected one of FILE_SHARE_READ, FILE_SHARE_WRITE, FILE_SHARE_DELETE)",
    ],
    ['an unknown service', 'steps:\n  - call: NtCreatFile\n', "s.yaml:2:11: steps[0].call: unknown NT service 'NtCreatFile' (did you mean NtCreateFile?)"],
    [
      'a handle no earlier step defined',
      "steps:\n  - call: NtClose\n    args: { Handle: h1 }\n  - call: NtOpenFile\n    args: { FileName: 'C:\\a' }\n    as: h1\n",
      "s.yaml:3:21: steps[0].args.Handle: no earlier step names a handle 'h1' with as:",
    ],
    [
      'a misspelt handle',
      "steps:\n  - call: NtOpenFile\n    args: { FileName: 'C:\\a' }\n    as: h1\n  - call: NtClose\n    args: { Handle: h2 }\n",
      "s.yaml:6:21: steps[1].args.Handle: no earlier step names a handle 'h2' with as: (did you mean 'h1'?)",
    ],
    [
      'a misspelt step key',
      'steps:\n  - call: NtClose\n    args: { Handle: 5 }\n    expcet: { status: STATUS_SUCCESS }\n',
      "s.yaml:4:5: steps[0].expcet: unknown key in a call step (did you mean 'expect'?)",
    ],
    [
      'an argument the service does not have',
      'steps:\n  - call: NtClose\n    args: { Handle: 5, FileHandle: 5 }\n',
      "s.yaml:3:24: steps[0].args.FileHandle: unknown key for NtClose (expected Handle)",
    ],
    ['a missing required argument', 'steps:\n  - call: NtReadFile\n    args: { FileHandle: 5 }\n', "s.yaml:3:11: steps[0].args: missing 'Length'"],
    [
      'two step kinds',
      'steps:\n  - call: NtClose\n    wait: 5s\n',
      "s.yaml:3:5: steps[0].wait: a step is exactly one of call, win32, shell, app, wait, power, fltmc; this one also has 'call'",
    ],
    ['a step of no kind', 'steps:\n  - process: a.exe\n', 's.yaml:2:5: steps[0]: a step needs exactly one of call, win32, shell, app, wait, power, fltmc'],
    ['a misspelt step kind', 'steps:\n  - cal: NtClose\n', "s.yaml:2:5: steps[0].cal: unknown step kind 'cal' (did you mean 'call'?)"],
    ['a wait without a unit', 'steps:\n  - wait: 1000\n', "s.yaml:2:11: steps[0].wait: '1000' needs a unit (for example 5s, 200ms, 10us)"],
    [
      'a relative path',
      "steps:\n  - call: NtDeleteFile\n    args: { FileName: 'docs\\a.txt' }\n",
      "s.yaml:3:23: steps[0].args.FileName: 'docs\\a.txt' is a relative path, and scenarios have no current directory; write a full path such as C:\\docs\\a.txt",
    ],
    ['a YAML syntax error', 'steps:\n  - call: NtClose\n   args: x\n', 's.yaml:3:1: YAML syntax: sequence item without - indicator'],
    ['a duplicate key', 'name: a\nname: b\nsteps: []\n', 's.yaml:2:1: the same key appears twice in one mapping'],
    ['no steps', 'name: a\n', "s.yaml:1:1: missing 'steps'"],
    ['an empty file', '', 's.yaml:1:1: the file is empty; a scenario needs at least steps:'],
    ['a list at the top', '- a\n', 's.yaml:1:1: expected a scenario mapping (name:, steps: …), found a list'],
    [
      'an unknown status',
      'steps:\n  - call: NtClose\n    args: { Handle: 1 }\n    expect: { status: STATUS_SUCESS }\n',
      "s.yaml:4:23: steps[0].expect.status: unknown status 'STATUS_SUCESS' (did you mean STATUS_SUCCESS?)",
    ],
    [
      'an unknown create result',
      'steps:\n  - call: NtClose\n    args: { Handle: 1 }\n    expect: { information: FILE_OPENNED }\n',
      "s.yaml:4:28: steps[0].expect.information: unknown information value 'FILE_OPENNED' (did you mean FILE_OPENED? expected one of FILE_SUPERSEDED, FILE_OPENED, FILE_CREATED, FILE_OVERWRITTEN, FILE_EXISTS, FILE_DOES_NOT_EXIST, FILE_OPLOCK_BROKEN_TO_LEVEL_2, FILE_OPLOCK_BROKEN_TO_NONE, FILE_OPBATCH_BREAK_UNDERWAY, IO_REPARSE, IO_REMOUNT); or give a number",
    ],
    ['a misspelt top-level key', 'nmae: a\nsteps: []\n', "s.yaml:1:1: nmae: unknown key (did you mean 'name'?)"],
    ['a decimal size unit', 'volume: { size: 64MB }\nsteps: []\n', "s.yaml:1:17: volume.size: '64MB': write MiB for a binary unit (1KiB = 1024 bytes)"],
    [
      'content and size together',
      "volume:\n  files:\n    - { path: 'C:\\a', content: x, size: 4 }\nsteps: []\n",
      's.yaml:3:35: volume.files[0].size: give content or size, not both',
    ],
    [
      'a filter without altitude',
      'filters:\n  - { name: passthrough }\nsteps: []\n',
      "s.yaml:2:5: filters[0]: missing 'altitude'",
    ],
    [
      'two filters at one altitude',
      'filters:\n  - { name: a, altitude: 1000 }\n  - { name: b, altitude: 1000 }\nsteps: []\n',
      's.yaml:3:5: filters[1]: altitude 1000 is already used by filters[0]; Filter Manager refuses two instances at one altitude',
    ],
    [
      'an unknown trace key',
      'steps: []\nexpect:\n  trace:\n    - { opp: IRP_MJ_CREATE }\n',
      "s.yaml:4:9: expect.trace[0].opp: unknown key of a trace event (did you mean 'op'?)",
    ],
    [
      'as: on a service that returns nothing',
      'steps:\n  - call: NtClose\n    args: { Handle: 1 }\n    as: x\n',
      's.yaml:4:5: steps[0].as: NtClose returns no handle or view to name',
    ],
    [
      'a handle used as a view',
      "steps:\n  - call: NtOpenFile\n    args: { FileName: 'C:\\a' }\n    as: h\n  - call: NtUnmapViewOfSection\n    args: { BaseAddress: h }\n",
      "s.yaml:6:26: steps[1].args.BaseAddress: 'h' names a handle, not a mapped view",
    ],
    [
      'odd hex data',
      "steps:\n  - call: NtWriteFile\n    args: { FileHandle: 4, Data: { hex: '0f0' } }\n",
      "s.yaml:3:41: steps[0].args.Data.hex: '0f0' is not an even number of hex digits",
    ],
    ['an unknown shell operation', 'steps:\n  - shell: cpy\n', "s.yaml:2:12: steps[0].shell: unknown shell operation 'cpy' (did you mean copy? expected one of copy, move, rename, delete, recycle, newFolder, newTextDocument, drop, undo)"],
    ['an app step without action', 'steps:\n  - app: notepad.exe\n', 's.yaml:2:5: steps[0]: an app step needs action: (what the user does in notepad.exe)'],
    ['power other than off', 'steps:\n  - power: on\n', "s.yaml:2:12: steps[0].power: expected off (pull the plug), found 'on'"],
    ['a setting that is a list', 'settings:\n  a: [1]\nsteps: []\n', 's.yaml:2:6: settings.a: a setting is a number, a string or true/false, found a list'],
  ])('%s', (_what, text, message) => {
    expect(problems(text)).toBe(message)
  })

  it('reports every problem, one per line, in document order', () => {
    const e = problems("seed: x\nsteps:\n  - call: NtClose\n    args: { Handle: 1 }\n  - wait: soon\n")
    expect(e.split('\n')).toEqual([
      "s.yaml:1:7: seed: expected an integer, found 'x'",
      "s.yaml:5:11: steps[1].wait: 'soon' is not a duration (write a number with ns, us, ms, s, min or h)",
    ])
  })

  it('carries the position of the first problem', () => {
    try {
      parseScenario('steps:\n  - wait: 3\n', 'here.yaml')
    } catch (e) {
      const err = e as ScenarioError
      expect([err.file, err.line, err.col]).toEqual(['here.yaml', 2, 11])
      expect(err.problems).toHaveLength(1)
    }
  })
})

describe('loadScenarioFile', () => {
  it('names a missing file', () => {
    expect(() => loadScenarioFile('/nonexistent/x.yaml')).toThrow("altitude: cannot read '/nonexistent/x.yaml': no such file")
  })
  it('reads the example files', () => {
    const text = readFileSync(contractExample, 'utf8')
    expect(parseScenario(text, 'example.yaml').steps).toHaveLength(9)
  })
})

it('handle args from raw numbers keep the value', () => {
  const s = parseScenario('steps:\n  - call: NtClose\n    args: { Handle: 0x1234 }\n', 's.yaml')
  expect((s.steps[0] as CallStep).args.Handle as HandleArg).toEqual({ kind: 'handle', name: undefined, value: 0x1234, owner: undefined, definedAt: undefined })
})
