import { describe, expect, it } from 'vitest'
import { parseScenario } from './parse.ts'
import { runScenario } from './runner/run.ts'
import { patternBytes } from './runner/volume-files.ts'

const write = (data: string) => `
name: pattern data
volume:
  files:
    - { path: 'C:\\big.bin', size: 1MiB }
steps:
  - call: NtCreateFile
    args: { FileName: 'C:\\copy.bin', DesiredAccess: [GENERIC_WRITE, SYNCHRONIZE], CreateDisposition: FILE_CREATE, CreateOptions: [FILE_SYNCHRONOUS_IO_NONALERT] }
    as: h
  - call: NtWriteFile
    args: { FileHandle: h, ByteOffset: 0, Data: ${data} }
    expect: { status: STATUS_SUCCESS, information: 1048576 }
  - call: NtClose
    args: { Handle: h }
`

function problem(data: string): string {
  try {
    parseScenario(write(data), 's.yaml')
  } catch (e) {
    return (e as Error).message
  }
  return ''
}

describe('Data: { pattern: size }', () => {
  it('is that many bytes of the position pattern `size:` files hold', () => {
    const s = parseScenario(write('{ pattern: 1MiB }'), 's.yaml')
    const data = s.steps[1]!.kind === 'call' ? (s.steps[1]!.args['Data'] as Uint8Array) : undefined
    expect(data?.length).toBe(1048576)
    expect(data!.subarray(0, 8)).toEqual(patternBytes(8))
    expect(data![300_000]).toBe(patternBytes(300_001)[300_000])
  })

  it('written to a new file gives the same bytes as the `size:` file of that size', () => {
    const text = write('{ pattern: 1MiB }').replace('steps:', 'settings: { cacheManager: true }\nsteps:') + `expect:\n  files:\n    - { path: 'C:\\copy.bin', size: 1MiB }\n`
    const r = runScenario(parseScenario(text, 's.yaml'))
    expect(r.failures).toEqual([])
  })

  it('bad sizes and mixed forms are errors naming the place', () => {
    expect(problem('{ pattern: 1MB }')).toMatch(/s\.yaml:\d+:\d+: steps\[1\]\.args\.Data\.pattern: '1MB': write MiB/)
    expect(problem('{ pattern: -1 }')).toMatch(/Data\.pattern/)
    expect(problem('{ pattern: 1GiB }')).toMatch(/Data\.pattern: 1073741824 bytes is more than the 256MiB a pattern may have/)
    expect(problem('{ pattern: 4, hex: "00" }')).toMatch(/Data: give either 'hex' or 'pattern', not both/)
    expect(problem('{ patern: 4 }')).toMatch(/patern/)
  })
})
