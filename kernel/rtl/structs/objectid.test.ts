import { describe, expect, it } from 'vitest'
import { STATUS } from '../../nt/status.ts'
import { toHex } from './buffer.ts'
import {
  FILE_OBJECTID_BUFFER,
  checkSetObjectIdInput,
  decodeObjectIdBuffer,
  decodeObjectIdExtendedInfo,
  encodeObjectIdBuffer,
  encodeObjectIdExtendedInfo,
  encodeObjectIdQuery,
} from './objectid.ts'

const oid = {
  ObjectId: '{4F2F5E9A-1C3B-11EF-8A5B-00155D000001}',
  BirthVolumeId: '{00000000-0000-0000-0000-0000000000AA}',
  BirthObjectId: '{4F2F5E9A-1C3B-11EF-8A5B-00155D000001}',
  DomainId: '{00000000-0000-0000-0000-000000000000}',
}

describe('FILE_OBJECTID_BUFFER', () => {
  it('is 64 bytes: ObjectId then BirthVolumeId, BirthObjectId, DomainId', () => {
    expect(FILE_OBJECTID_BUFFER.size).toBe(64)
    expect(FILE_OBJECTID_BUFFER.offsets).toEqual({ ObjectId: 0, BirthVolumeId: 16, BirthObjectId: 32, DomainId: 48 })
    const b = encodeObjectIdBuffer(oid)
    expect(toHex(b.subarray(0, 8))).toBe('9a5e2f4f3b1cef11')
    expect(decodeObjectIdBuffer(b)).toEqual(oid)
    expect(() => decodeObjectIdBuffer(b.subarray(0, 63))).toThrow(/needs 64 bytes/)
  })

  it('ExtendedInfo alone is 48 bytes', () => {
    const ext = encodeObjectIdExtendedInfo(oid)
    expect(ext.length).toBe(48)
    const { ObjectId: _id, ...rest } = oid
    expect(decodeObjectIdExtendedInfo(ext)).toEqual(rest)
  })

  it('FSCTL size checks', () => {
    expect(checkSetObjectIdInput(64)).toBe(STATUS.STATUS_SUCCESS)
    expect(checkSetObjectIdInput(63)).toBe(STATUS.STATUS_INVALID_PARAMETER)
    expect(checkSetObjectIdInput(48, true)).toBe(STATUS.STATUS_SUCCESS)
    expect(encodeObjectIdQuery(oid, 64)).toMatchObject({ status: STATUS.STATUS_SUCCESS, information: 64 })
    expect(encodeObjectIdQuery(oid, 63)).toMatchObject({ status: STATUS.STATUS_INVALID_PARAMETER, information: 0 })
    expect(encodeObjectIdQuery(oid, 0).status).toBe(STATUS.STATUS_INVALID_PARAMETER)
  })
})
