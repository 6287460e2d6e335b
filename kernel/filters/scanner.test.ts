import { describe, expect, it } from 'vitest'
import { parseScenario } from '../scenario/parse.ts'
import { runScenario } from '../scenario/runner/index.ts'
import { serviceOutput, type ServiceRun } from '../flt/user/service.ts'
import type { Machine } from '../machine.ts'
import { ScanBuffer } from './scanner-user.ts'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)

const FILES = `
    - { path: 'C:\\a.txt', content: "a foul thing" }
    - { path: 'C:\\b.doc', content: "all good" }
    - { path: 'C:\\c.dat', content: "foul but unscanned" }
    - { path: 'C:\\empty.txt', content: "" }
`

function run(filter: string, steps: string): { failures: string[]; svc: ServiceRun | undefined; debug: string[] } {
  const text = `name: scanner test
seed: 2
background: false
settings: { cacheManager: false }
volume:
  files:${FILES}
filters:
  - ${filter}
steps:${steps}
`
  let svc: ServiceRun | undefined
  let debug: string[] = []
  const report = runScenario(parseScenario(text, 'scanner-test.yaml'), {
    onMachine: (m: Machine) => {
      svc = serviceOutput(m.ke, 'scanuser.exe')
      debug = m.flt.debug.map((d) => d.text)
    },
  })
  return { failures: report.failures.map((f) => f.message), svc, debug }
}

const open = (path: string, status: string, as = 'h', access = 'GENERIC_READ'): string => `
  - call: NtCreateFile
    process: app.exe
    args: { FileName: '${path}', DesiredAccess: [${access}, SYNCHRONIZE], ShareAccess: [FILE_SHARE_READ], CreateDisposition: FILE_OPEN, CreateOptions: [FILE_NON_DIRECTORY_FILE, FILE_SYNCHRONOUS_IO_NONALERT] }
    as: ${as}
    expect: { status: ${status} }`

describe('scanner', () => {
  it('ScanBuffer finds "foul" anywhere in the bytes it is given, and only there', () => {
    expect(ScanBuffer(enc('so foul'), 7)).toBe(true)
    expect(ScanBuffer(enc('foul'), 4)).toBe(true)
    expect(ScanBuffer(enc('so foul'), 6)).toBe(false)
    expect(ScanBuffer(enc('fou l FOUL'), 10)).toBe(false)
  })

  it('with scanuser.exe: .txt and .doc (the default list is "doc") are scanned; a foul file is denied, others open', () => {
    const r = run('{ name: scanner, altitude: 265000, Extensions: [txt, doc] }', open('C:\\a.txt', 'STATUS_ACCESS_DENIED') + open('C:\\b.doc', 'STATUS_SUCCESS', 'b') + open('C:\\c.dat', 'STATUS_SUCCESS', 'c') + open('C:\\empty.txt', 'STATUS_SUCCESS', 'e'))
    expect(r.failures).toEqual([])
    // a.txt and b.doc were sent; the empty file is never sent (its read ends at EOF)
    expect(r.svc?.published.get('scanned')).toBe(2)
    expect(r.svc?.published.get('foul')).toBe(1)
    expect(r.svc?.console).toEqual(expect.arrayContaining(['Scanner: Connecting to the filter ...', 'Replying message, SafeToOpen: 0', 'Replying message, SafeToOpen: 1']))
    expect(r.debug).toEqual(expect.arrayContaining(['!!! scanner.sys -- foul language detected in postcreate !!!', '!!! scanner.sys -- undoing create']))
  })

  it('without the Extensions value only .doc files are scanned', () => {
    const r = run('{ name: scanner, altitude: 265000 }', open('C:\\a.txt', 'STATUS_SUCCESS') + open('C:\\b.doc', 'STATUS_SUCCESS', 'b'))
    expect(r.failures).toEqual([])
    expect(r.svc?.published.get('scanned')).toBe(1)
  })

  it('without scanuser.exe connected everything is allowed', () => {
    const r = run('{ name: scanner, altitude: 265000, Extensions: txt, service: false }', open('C:\\a.txt', 'STATUS_SUCCESS', 'h', 'GENERIC_WRITE') + `
  - call: NtWriteFile
    process: app.exe
    args: { FileHandle: h, ByteOffset: 0, Data: "foul again" }
    expect: { status: STATUS_SUCCESS, information: 10 }`)
    expect(r.failures).toEqual([])
    expect(r.svc).toBeUndefined()
  })

  it('a handle opened for write: a foul write is refused; a paging write is not scanned; FSCTL_OFFLOAD_WRITE is refused', () => {
    const r = run('{ name: scanner, altitude: 265000, Extensions: doc }', open('C:\\b.doc', 'STATUS_SUCCESS', 'h', 'GENERIC_WRITE') + `
  - call: NtWriteFile
    process: app.exe
    args: { FileHandle: h, ByteOffset: 0, Data: "foul" }
    expect: { status: STATUS_ACCESS_DENIED }
  - call: NtWriteFile
    process: app.exe
    args: { FileHandle: h, ByteOffset: 0, Data: "fine" }
    expect: { status: STATUS_SUCCESS, information: 4 }
  - call: NtFsControlFile
    process: app.exe
    args: { FileHandle: h, FsControlCode: FSCTL_OFFLOAD_WRITE }
    expect: { status: STATUS_ACCESS_DENIED }
  - call: NtClose
    process: app.exe
    args: { Handle: h }`)
    expect(r.failures).toEqual([])
    expect(r.debug).toEqual(expect.arrayContaining(['!!! scanner.sys -- blocking the write !!!']))
    // the open, the two writes and the rescan at cleanup
    expect(r.svc?.published.get('scanned')).toBe(4)
  })

  it('after a power cycle scanuser.exe starts again with the filter', () => {
    const r = run('{ name: scanner, altitude: 265000, Extensions: txt }', open('C:\\a.txt', 'STATUS_ACCESS_DENIED') + `
  - power: off` + open('C:\\a.txt', 'STATUS_ACCESS_DENIED', 'again'))
    expect(r.failures).toEqual([])
    expect(r.svc?.published.get('scanned')).toBe(1)
  })
})
