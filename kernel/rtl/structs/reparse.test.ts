import { describe, expect, it } from 'vitest'
import { IO_REPARSE_TAG } from '../../nt/file.ts'
import { STATUS } from '../../nt/status.ts'
import { readUtf16, toHex, view } from './buffer.ts'
import {
  DEFAULT_REPARSE_GUID,
  SYMLINK_FLAG_RELATIVE,
  decodeReparsePoint,
  encodeReparsePoint,
  encodeReparseQuery,
  isReparseTagValid,
  validateReparseBuffer,
} from './reparse.ts'

const T = IO_REPARSE_TAG
const junction = { ReparseTag: T.IO_REPARSE_TAG_MOUNT_POINT, SubstituteName: '\\??\\C:\\target', PrintName: 'C:\\target' }
const symlink = { ReparseTag: T.IO_REPARSE_TAG_SYMLINK, SubstituteName: '..\\a.txt', PrintName: '..\\a.txt', Flags: SYMLINK_FLAG_RELATIVE }

describe('mount points', () => {
  it('substitute name, NUL, print name, NUL; ReparseDataLength = 8 + names + 4', () => {
    const b = encodeReparsePoint(junction)
    const dv = view(b)
    expect(dv.getUint32(0, true)).toBe(0xa0000003)
    expect(dv.getUint16(4, true)).toBe(8 + 26 + 18 + 4)
    expect(b.length).toBe(8 + 56)
    expect([dv.getUint16(8, true), dv.getUint16(10, true), dv.getUint16(12, true), dv.getUint16(14, true)]).toEqual([0, 26, 28, 18])
    expect(readUtf16(b, 16, 26)).toBe('\\??\\C:\\target')
    expect(dv.getUint16(16 + 26, true)).toBe(0)
    expect(readUtf16(b, 16 + 28, 18)).toBe('C:\\target')
    expect(validateReparseBuffer(b)).toBe(STATUS.STATUS_SUCCESS)
    expect(decodeReparsePoint(b)).toEqual({ ...junction, ReparseDataLength: 56, Reserved: 0 })
  })

  it('rejects a wrong ReparseDataLength, a moved substitute name, a relative target', () => {
    const b = encodeReparsePoint(junction)
    expect(validateReparseBuffer(encodeReparsePoint({ ...junction, ReparseDataLength: 54 }))).toBe(STATUS.STATUS_IO_REPARSE_DATA_INVALID)
    const moved = b.slice()
    view(moved).setUint16(8, 2, true)
    expect(validateReparseBuffer(moved)).toBe(STATUS.STATUS_IO_REPARSE_DATA_INVALID)
    const noNul = b.slice()
    view(noNul).setUint16(12, 26, true)
    expect(validateReparseBuffer(noNul)).toBe(STATUS.STATUS_IO_REPARSE_DATA_INVALID)
    const relative = encodeReparsePoint({ ...junction, SubstituteName: 'target' })
    expect(validateReparseBuffer(relative)).toBe(STATUS.STATUS_IO_REPARSE_DATA_INVALID)
    expect(validateReparseBuffer(relative, { requireNtMountPointTarget: false })).toBe(STATUS.STATUS_SUCCESS)
  })
})

describe('symbolic links', () => {
  it('Flags at 16, PathBuffer at 20, print name first', () => {
    const b = encodeReparsePoint(symlink)
    const dv = view(b)
    expect(dv.getUint16(4, true)).toBe(12 + 16 + 16)
    expect([dv.getUint16(8, true), dv.getUint16(10, true), dv.getUint16(12, true), dv.getUint16(14, true)]).toEqual([16, 16, 0, 16])
    expect(dv.getUint32(16, true)).toBe(1)
    expect(validateReparseBuffer(b)).toBe(STATUS.STATUS_SUCCESS)
    expect(decodeReparsePoint(b)).toEqual({ ...symlink, ReparseDataLength: 44, Reserved: 0 })
    const subFirst = encodeReparsePoint(symlink, { symlinkOrder: 'substitute-first' })
    expect(view(subFirst).getUint16(8, true)).toBe(0)
    expect(decodeReparsePoint(subFirst)).toEqual(decodeReparsePoint(b))
  })

  it('empty names, odd lengths and names past the data are invalid', () => {
    expect(validateReparseBuffer(encodeReparsePoint({ ...symlink, PrintName: '' }))).toBe(STATUS.STATUS_IO_REPARSE_DATA_INVALID)
    const odd = encodeReparsePoint(symlink)
    view(odd).setUint16(10, 15, true)
    expect(validateReparseBuffer(odd)).toBe(STATUS.STATUS_IO_REPARSE_DATA_INVALID)
    const past = encodeReparsePoint(symlink)
    view(past).setUint16(8, 18, true)
    expect(validateReparseBuffer(past)).toBe(STATUS.STATUS_IO_REPARSE_DATA_INVALID)
    expect(() => decodeReparsePoint(past)).toThrow(/SymbolicLinkReparseBuffer: SubstituteName \(offset 18, length 16\) runs past the buffer/)
  })
})

describe('other tags', () => {
  it('a Microsoft tag carries raw data after the 8-byte header', () => {
    const rp = { ReparseTag: T.IO_REPARSE_TAG_DEDUP, Data: new Uint8Array([1, 2, 3]) }
    const b = encodeReparsePoint(rp)
    expect(toHex(b)).toBe('13000080' + '0300' + '0000' + '010203')
    expect(validateReparseBuffer(b)).toBe(STATUS.STATUS_SUCCESS)
    expect(decodeReparsePoint(b)).toEqual({ ...rp, ReparseDataLength: 3, Reserved: 0 })
  })

  it('a third-party tag uses REPARSE_GUID_DATA_BUFFER; a null GUID is invalid', () => {
    const hsm = { ReparseTag: 0x00001234, ReparseGuid: '{11111111-2222-3333-4444-555555555555}', Data: new Uint8Array([0xaa]) }
    const b = encodeReparsePoint(hsm)
    expect(b.length).toBe(25)
    expect(toHex(b.subarray(8, 12))).toBe('11111111')
    expect(validateReparseBuffer(b)).toBe(STATUS.STATUS_SUCCESS)
    expect(decodeReparsePoint(b)).toEqual({ ...hsm, ReparseDataLength: 1, Reserved: 0 })
    expect(decodeReparsePoint(encodeReparsePoint({ ReparseTag: 0x1234 })).ReparseGuid).toBe(DEFAULT_REPARSE_GUID)
    expect(validateReparseBuffer(encodeReparsePoint({ ...hsm, ReparseGuid: '{00000000-0000-0000-0000-000000000000}' }))).toBe(STATUS.STATUS_IO_REPARSE_DATA_INVALID)
  })

  it('a third-party tag in the plain form, or a symlink in the GUID form, is invalid', () => {
    const plain = encodeReparsePoint({ ReparseTag: T.IO_REPARSE_TAG_DEDUP, Data: new Uint8Array(4) })
    view(plain).setUint32(0, 0x1234, true)
    expect(validateReparseBuffer(plain)).toBe(STATUS.STATUS_IO_REPARSE_DATA_INVALID)
    const guided = encodeReparsePoint({ ReparseTag: 0x1234, Data: new Uint8Array(4) })
    view(guided).setUint32(0, T.IO_REPARSE_TAG_SYMLINK >>> 0, true)
    expect(validateReparseBuffer(guided)).toBe(STATUS.STATUS_IO_REPARSE_DATA_INVALID)
  })

  it('reserved tags and reserved bits give TAG_INVALID; sizes out of range DATA_INVALID', () => {
    expect(isReparseTagValid(0)).toBe(false)
    expect(isReparseTagValid(2)).toBe(false)
    expect(isReparseTagValid(3)).toBe(true)
    expect(isReparseTagValid(0x80010005)).toBe(false)
    expect(validateReparseBuffer(encodeReparsePoint({ ReparseTag: 1, Data: new Uint8Array(1) }))).toBe(STATUS.STATUS_IO_REPARSE_TAG_INVALID)
    expect(validateReparseBuffer(encodeReparsePoint({ ReparseTag: 0x80100013, Data: new Uint8Array(1) }))).toBe(STATUS.STATUS_IO_REPARSE_TAG_INVALID)
    expect(validateReparseBuffer(new Uint8Array(7))).toBe(STATUS.STATUS_IO_REPARSE_DATA_INVALID)
    expect(validateReparseBuffer(encodeReparsePoint({ ReparseTag: T.IO_REPARSE_TAG_DEDUP, Data: new Uint8Array(16 * 1024 - 8) }))).toBe(STATUS.STATUS_SUCCESS)
    expect(validateReparseBuffer(encodeReparsePoint({ ReparseTag: T.IO_REPARSE_TAG_DEDUP, Data: new Uint8Array(16 * 1024 - 7) }))).toBe(STATUS.STATUS_IO_REPARSE_DATA_INVALID)
  })
})

describe('FSCTL_GET_REPARSE_POINT output', () => {
  it('exactly fits, one byte short, below the header', () => {
    const b = encodeReparsePoint(junction)
    expect(encodeReparseQuery(b, b.length)).toMatchObject({ status: STATUS.STATUS_SUCCESS, information: b.length })
    const short = encodeReparseQuery(b, b.length - 1)
    expect(short).toMatchObject({ status: STATUS.STATUS_BUFFER_OVERFLOW, information: b.length - 1 })
    expect(encodeReparseQuery(b, 7)).toMatchObject({ status: STATUS.STATUS_BUFFER_TOO_SMALL, information: 0 })
    expect(encodeReparseQuery(b, 0).status).toBe(STATUS.STATUS_BUFFER_TOO_SMALL)
    const third = encodeReparsePoint({ ReparseTag: 0x1234, Data: new Uint8Array(4) })
    expect(encodeReparseQuery(third, 23).status).toBe(STATUS.STATUS_BUFFER_TOO_SMALL)
    expect(encodeReparseQuery(third, 24).status).toBe(STATUS.STATUS_BUFFER_OVERFLOW)
  })
})
