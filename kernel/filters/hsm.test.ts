import { describe, expect, it } from 'vitest'
import { parseScenario } from '../scenario/parse.ts'
import { runScenario } from '../scenario/runner/index.ts'
import { serviceOutput } from '../flt/user/service.ts'
import type { Machine } from '../machine.ts'
import { decodeRecallMessage, decodeReply, encodeRecallMessage, encodeReply, hsmStubOf, HSM_MODE_COPY, HSM_REPARSE_GUID, IO_REPARSE_TAG_HSM_STUB } from './hsm-protocol.ts'
import { storePath } from './hsm-service.ts'
import { encodeReparsePoint } from '../rtl/structs/reparse.ts'
import { cachedRecipeImage } from '../fs/ntfs/disk/recipe.ts'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

const STUB = `
    - { path: 'C:\\HsmStore\\objects\\0001', content: "the real data" }
    - path: 'C:\\archive\\a.doc'
      size: 0
      attributes: [FILE_ATTRIBUTE_OFFLINE, FILE_ATTRIBUTE_ARCHIVE]
      reparse: { ReparseTag: 0x100, ReparseGuid: '${HSM_REPARSE_GUID}', Data: "hsm://store/objects/0001" }
    - path: 'C:\\archive\\lost.doc'
      size: 0
      attributes: [FILE_ATTRIBUTE_OFFLINE]
      reparse: { ReparseTag: 0x100, ReparseGuid: '${HSM_REPARSE_GUID}', Data: "hsm://store/objects/9999" }
    - { path: 'C:\\docs', directory: true }
    - { path: 'C:\\docs\\plain.txt', content: "plain" }
    - path: 'C:\\link'
      directory: true
      reparse: { ReparseTag: 0xA000000C, SubstituteName: '\\??\\C:\\docs', PrintName: 'C:\\docs', Flags: 0 }
`

const open = (path: string, options = 'FILE_NON_DIRECTORY_FILE, FILE_SYNCHRONOUS_IO_NONALERT', as = 'h', expect = '{ status: STATUS_SUCCESS }'): string => `
  - call: NtCreateFile
    process: app.exe
    args: { FileName: '${path}', DesiredAccess: [GENERIC_READ, SYNCHRONIZE], ShareAccess: [FILE_SHARE_READ], CreateDisposition: FILE_OPEN, CreateOptions: [${options}] }
    as: ${as}
    expect: ${expect}`

const close = (as = 'h'): string => `
  - call: NtClose
    process: app.exe
    args: { Handle: ${as} }`

function run(filters: string, steps: string, extra = ''): { failures: string[]; recalls: unknown; fetches: unknown; copies: unknown } {
  const text = `name: hsm test
seed: 3
background: false
settings: { cacheManager: true }
volume:
  files:${STUB}
filters:
${filters}
steps:${steps}
${extra}`
  let recalls: unknown
  let fetches: unknown
  let copies: unknown
  const report = runScenario(parseScenario(text, 'hsm-test.yaml'), {
    onMachine: (m: Machine) => {
      recalls = m.flt.published('hsm', 'recalls')
      fetches = serviceOutput(m.ke, 'HsmRecall.exe')?.published.get('fetches')
      copies = serviceOutput(m.ke, 'HsmRecall.exe')?.published.get('copies')
    },
  })
  return { failures: report.failures.map((f) => f.message), recalls, fetches, copies }
}

describe('hsm protocol', () => {
  it('the recall message and reply keep their fields; only our tag and GUID are stubs', () => {
    const m = decodeRecallMessage(encodeRecallMessage({ Mode: HSM_MODE_COPY, FileName: '\\Device\\HarddiskVolume1\\a.doc', Object: new TextEncoder().encode('hsm://store/x') }))
    expect(m.Mode).toBe(HSM_MODE_COPY)
    expect(m.FileName).toBe('\\Device\\HarddiskVolume1\\a.doc')
    expect(new TextDecoder().decode(m.Object)).toBe('hsm://store/x')
    expect(decodeReply(encodeReply(0xc0000034, '\\??\\C:\\c.dat'))).toEqual({ Status: 0xc0000034, Name: '\\??\\C:\\c.dat' })
    const ours = encodeReparsePoint({ ReparseTag: IO_REPARSE_TAG_HSM_STUB, ReparseGuid: HSM_REPARSE_GUID, Data: new Uint8Array([1, 2]) })
    expect(hsmStubOf(ours)).toEqual(new Uint8Array([1, 2]))
    expect(hsmStubOf(encodeReparsePoint({ ReparseTag: IO_REPARSE_TAG_HSM_STUB, ReparseGuid: '{00000000-0000-0000-0000-000000000001}', Data: new Uint8Array([1]) }))).toBeUndefined()
    expect(hsmStubOf(undefined)).toBeUndefined()
    expect(storePath('C:\\HsmStore', 'hsm://store/objects/0001')).toBe('C:\\HsmStore\\objects\\0001')
    expect(storePath('C:\\HsmStore', 'hsm://store/../secret')).toBeUndefined()
    expect(storePath('C:\\HsmStore', 'ftp://x')).toBeUndefined()
  })
})

describe('hsm filter', () => {
  it('recalls on the first open; the next open finds an ordinary file', () => {
    const r = run('  - { name: hsm, altitude: 185000 }', open('C:\\archive\\a.doc') + close() + open('C:\\archive\\a.doc', undefined, 'g') + close('g'), `expect:
  files:
    - { path: 'C:\\archive\\a.doc', content: "the real data" }`)
    expect(r.failures).toEqual([])
    expect([r.recalls, r.fetches]).toEqual([1, 1])
  })

  it('without its service a stub cannot be opened: STATUS_FILE_IS_OFFLINE', () => {
    const r = run('  - { name: hsm, altitude: 185000, service: false }', open('C:\\archive\\a.doc', undefined, 'h', '{ status: 0xC0000267 }'))
    expect(r.failures).toEqual([])
    expect(r.recalls).toBe(1)
    expect(r.fetches).toBeUndefined()
  })

  it('a failed recall fails the open with STATUS_FILE_IS_OFFLINE and the next open tries again', () => {
    const r = run('  - { name: hsm, altitude: 185000 }', open('C:\\archive\\lost.doc', undefined, 'h', '{ status: 0xC0000267 }') + open('C:\\archive\\lost.doc', undefined, 'g', '{ status: 0xC0000267 }'))
    expect(r.failures).toEqual([])
    expect(r.recalls).toBe(2)
  })

  it('FILE_OPEN_REPARSE_POINT opens the stub itself, without a recall', () => {
    const r = run(
      '  - { name: hsm, altitude: 185000 }',
      open('C:\\archive\\a.doc', 'FILE_NON_DIRECTORY_FILE, FILE_SYNCHRONOUS_IO_NONALERT, FILE_OPEN_REPARSE_POINT') +
        `
  - call: NtQueryInformationFile
    process: app.exe
    args: { FileHandle: h, FileInformationClass: FileAttributeTagInformation }
    expect: { status: STATUS_SUCCESS, output: { ReparseTag: 0x100 } }` +
        close(),
    )
    expect(r.failures).toEqual([])
    expect(r.recalls).toBe(0)
  })

  it('a symbolic link is not its business: the I/O manager follows it', () => {
    const r = run('  - { name: hsm, altitude: 185000 }', open('C:\\link\\plain.txt') + close())
    expect(r.failures).toEqual([])
    expect(r.recalls).toBe(0)
  })

  it('redirect: later opens go to the same copy; the stub stays a stub', () => {
    const r = run(
      '  - { name: hsm, altitude: 185000, mode: redirect }',
      open('C:\\archive\\a.doc') +
        `
  - call: NtQueryInformationFile
    process: app.exe
    args: { FileHandle: h, FileInformationClass: FileNameInformation }
    expect: { status: STATUS_SUCCESS, output: { FileName: '\\HsmCache\\0001-1.dat' } }` +
        close() +
        open('C:\\archive\\a.doc', undefined, 'g') +
        `
  - call: NtReadFile
    process: app.exe
    args: { FileHandle: g, ByteOffset: 0, Length: 64 }
    expect: { status: STATUS_SUCCESS, output: { Data: "the real data" } }` +
        close('g') +
        open('C:\\archive\\a.doc', 'FILE_NON_DIRECTORY_FILE, FILE_SYNCHRONOUS_IO_NONALERT, FILE_OPEN_REPARSE_POINT', 'stub') +
        `
  - call: NtQueryInformationFile
    process: app.exe
    args: { FileHandle: stub, FileInformationClass: FileAttributeTagInformation }
    expect: { status: STATUS_SUCCESS, output: { ReparseTag: 0x100 } }` +
        close('stub'),
    )
    expect(r.failures).toEqual([])
    expect([r.recalls, r.fetches, r.copies]).toEqual([1, 1, ['C:\\HsmCache\\0001-1.dat']])
  })

  it('a mode it does not know fails the load with a message', () => {
    const r = run('  - { name: hsm, altitude: 185000, mode: sideways }', open('C:\\docs\\plain.txt') + close())
    expect(r.failures).toEqual([expect.stringMatching(/loading hsm failed: STATUS_INVALID_PARAMETER/)])
  })

  it('recalls the stubs of the hsm-stubs volume recipe (fixtures/volumes/hsm-stubs.yaml) on its disk image', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'altitude-hsm-'))
    try {
      const recipe = new URL('../../fixtures/volumes/hsm-stubs.yaml', import.meta.url).pathname
      const image = path.join(dir, 'hsm.img')
      fs.copyFileSync(cachedRecipeImage(recipe, dir), image)
      const text = `name: hsm on the recipe image
seed: 1
background: false
settings: { cacheManager: true }
volume:
  files:
    - { path: 'C:\\HsmStore\\objects\\0002', content: "recalled from the recipe" }
filters:
  - { name: hsm, altitude: 185000 }
steps:${open('C:\\archive\\stub-recall.dat')}
  - call: NtReadFile
    process: app.exe
    args: { FileHandle: h, ByteOffset: 0, Length: 64 }
    expect: { status: STATUS_SUCCESS, output: { Data: "recalled from the recipe" } }${close()}
${open('C:\\archive\\stub-offline.dat', undefined, 'g', '{ status: 0xC0000267 }')}
`
      let recalls: unknown
      const report = runScenario(parseScenario(text, 'hsm-recipe.yaml'), { volume: () => ({ kind: 'image', path: image }), onMachine: (m) => void (recalls = m.flt.published('hsm', 'recalls')) })
      expect(report.failures.map((f) => f.message)).toEqual([])
      // stub-offline.dat names object 0001, which the store does not have
      expect(recalls).toBe(2)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
