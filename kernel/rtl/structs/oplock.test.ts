import { describe, expect, it } from 'vitest'
import { OPLOCK } from '../../nt/irp.ts'
import { STATUS } from '../../nt/status.ts'
import { toHex, view } from './buffer.ts'
import {
  REQUEST_OPLOCK_INPUT_BUFFER,
  REQUEST_OPLOCK_OUTPUT_BUFFER,
  checkRequestOplock,
  decodeRequestOplockInput,
  decodeRequestOplockOutput,
  encodeRequestOplockInput,
  encodeRequestOplockOutput,
} from './oplock.ts'

const RWH = OPLOCK.OPLOCK_LEVEL_CACHE_READ | OPLOCK.OPLOCK_LEVEL_CACHE_WRITE | OPLOCK.OPLOCK_LEVEL_CACHE_HANDLE
const REQUEST = OPLOCK.REQUEST_OPLOCK_INPUT_FLAG_REQUEST
const ACK = OPLOCK.REQUEST_OPLOCK_INPUT_FLAG_ACK

describe('REQUEST_OPLOCK buffers', () => {
  it('input is 12 bytes, output 24 with ShareMode at 20', () => {
    expect(REQUEST_OPLOCK_INPUT_BUFFER.size).toBe(12)
    expect(REQUEST_OPLOCK_OUTPUT_BUFFER.size).toBe(24)
    expect(REQUEST_OPLOCK_OUTPUT_BUFFER.offsets.ShareMode).toBe(20)
    const b = encodeRequestOplockInput({ RequestedOplockLevel: RWH, Flags: REQUEST })
    expect(toHex(b)).toBe('0100' + '0c00' + '07000000' + '01000000')
    expect(decodeRequestOplockInput(b)).toEqual({ StructureVersion: 1, StructureLength: 12, RequestedOplockLevel: 7, Flags: 1 })
    const o = encodeRequestOplockOutput({ OriginalOplockLevel: 7, NewOplockLevel: 5, Flags: OPLOCK.REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED, AccessMode: 0x120089, ShareMode: 7 })
    expect(decodeRequestOplockOutput(o)).toEqual({ StructureVersion: 1, StructureLength: 24, OriginalOplockLevel: 7, NewOplockLevel: 5, Flags: 1, AccessMode: 0x120089, ShareMode: 7 })
  })

  it('checks sizes, version, flags and levels', () => {
    const ok = encodeRequestOplockInput({ RequestedOplockLevel: RWH, Flags: REQUEST })
    expect(checkRequestOplock(ok, 24)).toBe(STATUS.STATUS_SUCCESS)
    expect(checkRequestOplock(ok, 23)).toBe(STATUS.STATUS_BUFFER_TOO_SMALL)
    expect(checkRequestOplock(ok.subarray(0, 11), 24)).toBe(STATUS.STATUS_BUFFER_TOO_SMALL)
    const v2 = ok.slice()
    view(v2).setUint16(0, 2, true)
    expect(checkRequestOplock(v2, 24)).toBe(STATUS.STATUS_INVALID_PARAMETER)
    const shortLen = ok.slice()
    view(shortLen).setUint16(2, 8, true)
    expect(checkRequestOplock(shortLen, 24)).toBe(STATUS.STATUS_INVALID_PARAMETER)
    expect(checkRequestOplock(encodeRequestOplockInput({ RequestedOplockLevel: RWH, Flags: REQUEST | ACK }), 24)).toBe(STATUS.STATUS_INVALID_PARAMETER)
    expect(checkRequestOplock(encodeRequestOplockInput({ RequestedOplockLevel: RWH, Flags: 0 }), 24)).toBe(STATUS.STATUS_INVALID_PARAMETER)
    for (const bad of [0, 2, 4, 6]) {
      expect(checkRequestOplock(encodeRequestOplockInput({ RequestedOplockLevel: bad, Flags: REQUEST }), 24), `level ${bad}`).toBe(STATUS.STATUS_INVALID_PARAMETER)
    }
    for (const good of [1, 3, 5, 7]) {
      expect(checkRequestOplock(encodeRequestOplockInput({ RequestedOplockLevel: good, Flags: REQUEST }), 24), `level ${good}`).toBe(STATUS.STATUS_SUCCESS)
    }
    expect(checkRequestOplock(encodeRequestOplockInput({ RequestedOplockLevel: 0, Flags: ACK }), 24)).toBe(STATUS.STATUS_SUCCESS)
  })
})
