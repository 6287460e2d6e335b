import { describe, expect, it } from 'vitest'
import { FSCTL } from '../../nt/irp.ts'
import { IO_REPARSE_TAG } from '../../nt/file.ts'
import { decodeFsctlOutput, defaultOutputLength, encodeFsctlInput, withLength } from './fsctl-buffers.ts'

const hex = (b: Uint8Array | undefined): string => Array.from(b ?? [], (x) => x.toString(16).padStart(2, '0')).join('')

describe('FSCTL input buffers', () => {
  it('builds a delete header: 8 bytes for a Microsoft tag, 24 with the GUID for a third-party one', () => {
    expect(hex(encodeFsctlInput(FSCTL.FSCTL_DELETE_REPARSE_POINT, { ReparseTag: IO_REPARSE_TAG.IO_REPARSE_TAG_MOUNT_POINT }))).toBe('030000a000000000')
    const third = encodeFsctlInput(FSCTL.FSCTL_DELETE_REPARSE_POINT, { ReparseTag: 0x1234, ReparseGuid: '{00112233-4455-6677-8899-AABBCCDDEEFF}' })!
    expect(hex(third)).toBe('3412000000000000' + '33221100554477668899aabbccddeeff')
  })

  it('lays out the range, sparse and VCN structures', () => {
    expect(hex(encodeFsctlInput(FSCTL.FSCTL_SET_ZERO_DATA, { FileOffset: 1, BeyondFinalZero: 0x100 }))).toBe('0100000000000000' + '0001000000000000')
    expect(hex(encodeFsctlInput(FSCTL.FSCTL_SET_SPARSE, { SetSparse: false }))).toBe('00')
    expect(hex(encodeFsctlInput(FSCTL.FSCTL_GET_RETRIEVAL_POINTERS, { StartingVcn: 2 }))).toBe('0200000000000000')
  })

  it('passes { hex } through and resizes to InputBufferLength', () => {
    const raw = new Uint8Array([1, 2, 3])
    expect(encodeFsctlInput(FSCTL.FSCTL_MARK_HANDLE, raw)).toBe(raw)
    expect(hex(withLength(raw, 2))).toBe('0102')
    expect(hex(withLength(raw, 5))).toBe('0102030000')
  })

  it('gives an output buffer only to FSCTLs that return data', () => {
    expect(defaultOutputLength(FSCTL.FSCTL_GET_REPARSE_POINT, 4096)).toBe(4096)
    expect(defaultOutputLength(FSCTL.FSCTL_DELETE_REPARSE_POINT, 4096)).toBe(0)
  })
})

describe('FSCTL output buffers', () => {
  it('decodes allocated ranges and falls back to Data for short or unknown output', () => {
    const b = new Uint8Array(16)
    new DataView(b.buffer).setBigInt64(8, 4096n, true)
    expect(decodeFsctlOutput(FSCTL.FSCTL_QUERY_ALLOCATED_RANGES, b)).toEqual({ Ranges: [{ FileOffset: 0, Length: 4096 }] })
    expect(decodeFsctlOutput(FSCTL.FSCTL_GET_OBJECT_ID, new Uint8Array(10))).toEqual({ Data: new Uint8Array(10) })
    expect(decodeFsctlOutput(FSCTL.FSCTL_MARK_HANDLE, new Uint8Array(2))).toEqual({ Data: new Uint8Array(2) })
  })
})
