import { describe, expect, it } from 'vitest'
import { parseScenario } from '../parse.ts'
import { runScenario } from './run.ts'

function run(yaml: string): string[] {
  const r = runScenario(parseScenario(yaml, 'calls-extra.yaml'))
  return r.failures.map((f) => f.message)
}

const OPEN_FILE = `
  - call: NtCreateFile
    args:
      FileName: 'C:\\d\\a.txt'
      DesiredAccess: [GENERIC_READ, GENERIC_WRITE, FILE_READ_EA, FILE_WRITE_EA, SYNCHRONIZE]
      CreateDisposition: FILE_OPEN_IF
      CreateOptions: [FILE_SYNCHRONOUS_IO_NONALERT, FILE_NON_DIRECTORY_FILE]
    as: h
`
const FILES = `
volume:
  label: DATA
  files:
    - { path: 'C:\\d', directory: true }
`

describe('NtQueryVolumeInformationFile / NtSetVolumeInformationFile', () => {
  it('decodes the class structure and sets the label', () => {
    expect(
      run(`
name: volume information
${FILES}
steps:
${OPEN_FILE}
  - call: NtQueryVolumeInformationFile
    args: { FileHandle: h, FsInformationClass: FileFsAttributeInformation }
    expect: { status: STATUS_SUCCESS, output: { FileSystemName: NTFS, MaximumComponentNameLength: 255 } }
  - call: NtQueryVolumeInformationFile
    args: { FileHandle: h, FsInformationClass: FileFsVolumeInformation }
    expect: { status: STATUS_SUCCESS, output: { VolumeLabel: DATA, VolumeLabelLength: 8 } }
  - call: NtQueryVolumeInformationFile
    args: { FileHandle: h, FsInformationClass: FileFsDeviceInformation }
    expect: { status: STATUS_SUCCESS, output: { DeviceType: FILE_DEVICE_DISK } }
  - call: NtQueryVolumeInformationFile
    args: { FileHandle: h, FsInformationClass: FileFsSizeInformation, Length: 23 }
    expect: { status: STATUS_INFO_LENGTH_MISMATCH }
  - call: NtCreateFile
    args: { FileName: '\\??\\C:', DesiredAccess: [GENERIC_READ, GENERIC_WRITE, SYNCHRONIZE], ShareAccess: [FILE_SHARE_READ, FILE_SHARE_WRITE], CreateDisposition: FILE_OPEN, CreateOptions: [FILE_SYNCHRONOUS_IO_NONALERT] }
    as: vol
  - call: NtSetVolumeInformationFile
    args: { FileHandle: vol, FsInformationClass: FileFsLabelInformation, FsInformation: { VolumeLabel: RENAMED } }
    expect: { status: STATUS_SUCCESS }
  - call: NtQueryVolumeInformationFile
    args: { FileHandle: h, FsInformationClass: FileFsVolumeInformation }
    expect: { output: { VolumeLabel: RENAMED } }
`),
    ).toEqual([])
  })

  it('fails the step with a message for a class it cannot build', () => {
    const f = run(`
name: bad set
steps:
  - call: NtCreateFile
    args: { FileName: 'C:\\x', DesiredAccess: [GENERIC_WRITE, SYNCHRONIZE], CreateDisposition: FILE_CREATE, CreateOptions: [FILE_SYNCHRONOUS_IO_NONALERT] }
    as: h
  - call: NtSetVolumeInformationFile
    args: { FileHandle: h, FsInformationClass: FileFsLabelInformation, FsInformation: { VolumeLabel: 7 } }
`)
    expect(f).toEqual(['NtSetVolumeInformationFile: FsInformation.VolumeLabel: expected a string'])
  })
})

describe('NtFsControlFile', () => {
  it('sets, reads back and deletes a symbolic link and a third-party reparse point', () => {
    expect(
      run(`
name: reparse round trip
${FILES}
steps:
${OPEN_FILE}
  - call: NtFsControlFile
    args:
      FileHandle: h
      FsControlCode: FSCTL_SET_REPARSE_POINT
      InputBuffer: { ReparseTag: IO_REPARSE_TAG_SYMLINK, SubstituteName: '\\??\\C:\\t', PrintName: 'C:\\t', Flags: 0 }
    expect: { status: STATUS_SUCCESS, information: 0 }
  - call: NtFsControlFile
    args: { FileHandle: h, FsControlCode: FSCTL_GET_REPARSE_POINT }
    expect:
      status: STATUS_SUCCESS
      output: { OutputBuffer: { ReparseTag: IO_REPARSE_TAG_SYMLINK, SubstituteName: '\\??\\C:\\t', PrintName: 'C:\\t', Flags: 0 } }
  - call: NtFsControlFile
    args: { FileHandle: h, FsControlCode: FSCTL_GET_REPARSE_POINT, OutputBufferLength: 12 }
    expect: { status: STATUS_BUFFER_OVERFLOW, information: 12, output: { OutputBuffer: { Data: { hex: 0c0000a0 2400 0000 0800 1000 } } } }
  - call: NtFsControlFile
    args: { FileHandle: h, FsControlCode: FSCTL_DELETE_REPARSE_POINT, InputBuffer: { ReparseTag: IO_REPARSE_TAG_SYMLINK } }
    expect: { status: STATUS_SUCCESS }
  - call: NtFsControlFile
    args: { FileHandle: h, FsControlCode: FSCTL_SET_REPARSE_POINT, InputBuffer: { ReparseTag: 0x0000BEEF, Data: "hsm" } }
    expect: { status: STATUS_SUCCESS }
  - call: NtFsControlFile
    args: { FileHandle: h, FsControlCode: FSCTL_GET_REPARSE_POINT }
    expect: { output: { OutputBuffer: { ReparseTag: 0xBEEF, ReparseGuid: '{A17171DE-0000-4000-8000-000000000001}', Data: hsm } } }
  - call: NtFsControlFile
    args: { FileHandle: h, FsControlCode: FSCTL_DELETE_REPARSE_POINT, InputBuffer: { ReparseTag: 0x0000BEEF } }
    expect: { status: STATUS_SUCCESS }
  - call: NtFsControlFile
    args: { FileHandle: h, FsControlCode: FSCTL_DELETE_REPARSE_POINT, InputBuffer: { hex: "0c0000a000000000" } }
    expect: { status: STATUS_NOT_A_REPARSE_POINT }
`),
    ).toEqual([])
  })

  it('decodes object ids and cuts the input to InputBufferLength', () => {
    expect(
      run(`
name: object id
${FILES}
steps:
${OPEN_FILE}
  - call: NtFsControlFile
    args: { FileHandle: h, FsControlCode: FSCTL_SET_OBJECT_ID, InputBuffer: { ObjectId: '{11111111-2222-3333-4444-555555555555}' }, InputBufferLength: 60 }
    expect: { status: STATUS_INVALID_PARAMETER }
  - call: NtFsControlFile
    args: { FileHandle: h, FsControlCode: FSCTL_SET_OBJECT_ID, InputBuffer: { ObjectId: '{11111111-2222-3333-4444-555555555555}' } }
    expect: { status: STATUS_SUCCESS }
  - call: NtFsControlFile
    args: { FileHandle: h, FsControlCode: FSCTL_GET_OBJECT_ID }
    expect: { status: STATUS_SUCCESS, information: 64, output: { OutputBuffer: { ObjectId: '{11111111-2222-3333-4444-555555555555}' } } }
`),
    ).toEqual([])
  })

  it('names an FSCTL whose input has no structure', () => {
    const f = run(`
name: no codec
${FILES}
steps:
${OPEN_FILE}
  - call: NtFsControlFile
    args: { FileHandle: h, FsControlCode: FSCTL_MARK_HANDLE, InputBuffer: { UsnSourceInfo: 1 } }
`)
    expect(f).toEqual(['NtFsControlFile: InputBuffer: FSCTL_MARK_HANDLE has no input structure here; give its bytes as { hex: "…" }'])
  })
})

describe('NtSetEaFile / NtQueryEaFile', () => {
  it('writes entries and reads them back as { Name, Value, Flags }', () => {
    expect(
      run(`
name: eas
${FILES}
steps:
${OPEN_FILE}
  - call: NtQueryEaFile
    args: { FileHandle: h }
    expect: { status: STATUS_NO_EAS_ON_FILE }
  - call: NtSetEaFile
    args: { FileHandle: h, EaBuffer: [{ Name: first, Value: one }, { Name: Second, Value: { hex: "0001" }, Flags: FILE_NEED_EA }] }
    expect: { status: STATUS_SUCCESS }
  - call: NtQueryEaFile
    args: { FileHandle: h }
    expect: { status: STATUS_SUCCESS, output: { Entries: [{ Name: FIRST, Value: one, Flags: 0 }, { Name: SECOND, Value: { hex: "0001" }, Flags: 0x80 }] } }
  - call: NtQueryEaFile
    args: { FileHandle: h, EaList: [second] }
    expect: { status: STATUS_SUCCESS, output: { Entries: [{ Name: SECOND }] } }
  - call: NtQueryEaFile
    args: { FileHandle: h, ReturnSingleEntry: true, RestartScan: true }
    expect: { status: STATUS_SUCCESS, output: { Entries: [{ Name: FIRST }] } }
  - call: NtQueryEaFile
    args: { FileHandle: h, ReturnSingleEntry: true }
    expect: { status: STATUS_SUCCESS, output: { Entries: [{ Name: SECOND }] } }
`),
    ).toEqual([])
  })
})

describe('NtNotifyChangeDirectoryFile', () => {
  it('pends on one thread and lists what another thread changed', () => {
    expect(
      run(`
name: notify
${FILES}
steps:
  - call: NtCreateFile
    args: { FileName: 'C:\\d', DesiredAccess: [FILE_LIST_DIRECTORY, SYNCHRONIZE], ShareAccess: [FILE_SHARE_READ, FILE_SHARE_WRITE, FILE_SHARE_DELETE], CreateDisposition: FILE_OPEN, CreateOptions: [FILE_DIRECTORY_FILE, FILE_SYNCHRONOUS_IO_NONALERT] }
    as: dir
  - call: NtNotifyChangeDirectoryFile
    thread: watcher
    args: { FileHandle: dir, CompletionFilter: [FILE_NOTIFY_CHANGE_FILE_NAME] }
    expect: { status: STATUS_SUCCESS, output: { Entries: [{ Action: FILE_ACTION_ADDED, FileName: new.txt }] } }
  - wait: 1ms
    thread: worker
  - call: NtCreateFile
    thread: worker
    args: { FileName: 'C:\\d\\new.txt', DesiredAccess: [GENERIC_WRITE, SYNCHRONIZE], CreateDisposition: FILE_CREATE, CreateOptions: [FILE_SYNCHRONOUS_IO_NONALERT] }
    expect: { status: STATUS_SUCCESS }
`),
    ).toEqual([])
  })
})
