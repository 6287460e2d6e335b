import { describe, expect, it } from 'vitest'
import { FILE_ACTION } from '../../nt/file.ts'
import { STATUS } from '../../nt/status.ts'
import { toHex, view } from './buffer.ts'
import {
  FILE_NOTIFY_EXTENDED_INFORMATION,
  decodeNotifyEntries,
  decodeNotifyExtendedEntries,
  encodeNotifyEntries,
  encodeNotifyExtendedEntries,
} from './notify.ts'

const changes = [
  { Action: FILE_ACTION.FILE_ACTION_RENAMED_OLD_NAME, FileName: 'a.txt' },
  { Action: FILE_ACTION.FILE_ACTION_RENAMED_NEW_NAME, FileName: 'b.tx' },
]

describe('FILE_NOTIFY_INFORMATION', () => {
  it('header, name, DWORD-aligned chain', () => {
    const r = encodeNotifyEntries(changes, 4096)
    expect(r.status).toBe(STATUS.STATUS_SUCCESS)
    // 12 + 10 = 22 → next at 24; 12 + 8 = 20 → Information 44
    expect(r.information).toBe(44)
    expect(toHex(r.bytes.subarray(0, 12))).toBe('18000000' + '04000000' + '0a000000')
    expect(view(r.bytes).getUint32(24, true)).toBe(0)
    expect(decodeNotifyEntries(r.bytes)).toEqual(changes)
  })

  it('all or nothing: exactly fits, one byte short, zero-length buffer', () => {
    expect(encodeNotifyEntries(changes, 44).status).toBe(STATUS.STATUS_SUCCESS)
    expect(encodeNotifyEntries(changes, 43)).toEqual({ bytes: new Uint8Array(0), status: STATUS.STATUS_NOTIFY_ENUM_DIR, information: 0 })
    expect(encodeNotifyEntries(changes, 0).status).toBe(STATUS.STATUS_NOTIFY_ENUM_DIR)
    expect(encodeNotifyEntries([], 0)).toEqual({ bytes: new Uint8Array(0), status: STATUS.STATUS_SUCCESS, information: 0 })
  })

  it('rejects a misaligned chain and a name past the buffer', () => {
    const r = encodeNotifyEntries(changes, 4096)
    const bad = r.bytes.slice()
    view(bad).setUint32(0, 22, true)
    expect(() => decodeNotifyEntries(bad)).toThrow(/NextEntryOffset 22/)
    expect(() => decodeNotifyEntries(r.bytes.subarray(0, 20))).toThrow(/FileNameLength 10 runs past/)
  })
})

describe('FILE_NOTIFY_EXTENDED_INFORMATION', () => {
  it('layout and round trip', () => {
    expect(FILE_NOTIFY_EXTENDED_INFORMATION.offsets).toMatchObject({ FileAttributes: 56, ReparsePointTag: 60, FileId: 64, ParentFileId: 72, FileNameLength: 80 })
    const e = [{ Action: 1, FileName: 'new.txt', FileSize: 5, FileId: 0x24n, ParentFileId: 5n, FileAttributes: 0x20 }]
    const r = encodeNotifyExtendedEntries(e, 4096)
    expect(r.information).toBe(84 + 14)
    expect(decodeNotifyExtendedEntries(r.bytes)[0]).toMatchObject({ Action: 1, FileName: 'new.txt', FileSize: 5, FileId: 0x24n, ParentFileId: 5n, FileNameLength: 14 })
    expect(encodeNotifyExtendedEntries(e, 97).status).toBe(STATUS.STATUS_NOTIFY_ENUM_DIR)
  })
})
