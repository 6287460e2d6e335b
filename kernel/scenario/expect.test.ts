import { describe, expect, it } from 'vitest'
import { STATUS } from '../nt/status.ts'
import { matchStepExpect } from './expect.ts'

describe('matchStepExpect', () => {
  it('passes when nothing is expected or everything matches', () => {
    expect(matchStepExpect(undefined, { status: STATUS.STATUS_ACCESS_DENIED })).toEqual({ ok: true })
    expect(matchStepExpect({ status: 0, information: 1 }, { status: 0, information: 1 })).toEqual({ ok: true })
  })

  it('names the expected and actual status', () => {
    expect(matchStepExpect({ status: 0 }, { status: STATUS.STATUS_OBJECT_NAME_NOT_FOUND })).toEqual({
      ok: false,
      mismatches: ['status: expected STATUS_SUCCESS (0x00000000), got STATUS_OBJECT_NAME_NOT_FOUND (0xC0000034)'],
    })
    expect(matchStepExpect({ status: 0 }, { status: 0xc000046f })).toEqual({
      ok: false,
      mismatches: ['status: expected STATUS_SUCCESS (0x00000000), got 0xC000046F'],
    })
  })

  it('compares information as exact 64-bit integers', () => {
    expect(matchStepExpect({ information: 18446744073709551615n }, { information: '18446744073709551615' }).ok).toBe(true)
    expect(matchStepExpect({ information: 9007199254740993n }, { information: 9007199254740992 })).toEqual({
      ok: false,
      mismatches: ['information: expected 9007199254740993, got 9007199254740992'],
    })
  })

  it('compares only the output fields given', () => {
    const actual = { EndOfFile: 11, AllocationSize: 16, Directory: false, NumberOfLinks: 1, DeletePending: false }
    expect(matchStepExpect({ output: { EndOfFile: 11, Directory: false } }, { output: actual }).ok).toBe(true)
    expect(matchStepExpect({ output: { EndOfFile: 12, Name: 'x' } }, { output: actual })).toEqual({
      ok: false,
      mismatches: ['output.EndOfFile: expected 12, got 11', 'output.Name: expected "x", but the result has no Name'],
    })
  })

  it('compares FileAttributes as a set, in names or numbers', () => {
    const out = { FileAttributes: ['FILE_ATTRIBUTE_HIDDEN', 'FILE_ATTRIBUTE_ARCHIVE'] }
    expect(matchStepExpect({ output: { FileAttributes: ['FILE_ATTRIBUTE_ARCHIVE', 'FILE_ATTRIBUTE_HIDDEN'] } }, { output: out }).ok).toBe(true)
    expect(matchStepExpect({ output: { FileAttributes: 0x22 } }, { output: out }).ok).toBe(true)
    expect(matchStepExpect({ output: { FileAttributes: ['FILE_ATTRIBUTE_ARCHIVE'] } }, { output: { FileAttributes: 0x22 } })).toEqual({
      ok: false,
      mismatches: [
        'output.FileAttributes: expected {FILE_ATTRIBUTE_ARCHIVE}, got {FILE_ATTRIBUTE_HIDDEN, FILE_ATTRIBUTE_ARCHIVE} (unexpected FILE_ATTRIBUTE_HIDDEN)',
      ],
    })
    expect(matchStepExpect({ output: { Mode: 0 } }, { output: { Mode: [] } }).ok).toBe(true)
  })

  it('compares Entries as an exact ordered list', () => {
    const out = { Entries: ['.', '..', 'a.txt', 'b.txt'] }
    expect(matchStepExpect({ output: { Entries: ['.', '..', 'a.txt', 'b.txt'] } }, { output: out }).ok).toBe(true)
    expect(matchStepExpect({ output: { Entries: ['.', '..', 'b.txt', 'a.txt'] } }, { output: out })).toEqual({
      ok: false,
      mismatches: ['output.Entries[2]: expected "b.txt", got "a.txt"', 'output.Entries[3]: expected "a.txt", got "b.txt"'],
    })
    expect(matchStepExpect({ output: { Entries: ['.', '..'] } }, { output: out })).toEqual({
      ok: false,
      mismatches: ['output.Entries: expected 2 entries [".", ".."], got 4 [".", "..", "a.txt", "b.txt"]'],
    })
  })

  it('compares list elements field by field', () => {
    const out = { Streams: [{ StreamName: '::$DATA', StreamSize: 11, StreamAllocationSize: 16 }] }
    expect(matchStepExpect({ output: { Streams: [{ StreamName: '::$DATA', StreamSize: 11 }] } }, { output: out }).ok).toBe(true)
  })

  it('compares Data as bytes from text or hex', () => {
    const data = new TextEncoder().encode('hello')
    expect(matchStepExpect({ output: { Data: 'hello' } }, { output: { Data: data } }).ok).toBe(true)
    expect(matchStepExpect({ output: { Data: { hex: '68656c6c6f' } } }, { output: { Data: data } }).ok).toBe(true)
    expect(matchStepExpect({ output: { Data: 'help' } }, { output: { Data: data } })).toEqual({
      ok: false,
      mismatches: ['output.Data: expected 4 bytes 68656c70, got 5 bytes 68656c6c6f (first difference at byte 3)'],
    })
  })

  it('compares win32 result and error', () => {
    expect(matchStepExpect({ result: false, error: 'ERROR_FILE_EXISTS' }, { result: false, error: 'ERROR_FILE_EXISTS', errorCode: 80 }).ok).toBe(true)
    expect(matchStepExpect({ error: 80 }, { error: 'ERROR_FILE_EXISTS', errorCode: 80 }).ok).toBe(true)
    expect(matchStepExpect({ result: true, error: 'ERROR_FILE_EXISTS' }, { result: false, error: 'ERROR_ACCESS_DENIED' })).toEqual({
      ok: false,
      mismatches: ['result: expected true, got false', 'error: expected ERROR_FILE_EXISTS, got ERROR_ACCESS_DENIED'],
    })
  })

  it('compares enumerated fields by name or number', () => {
    const out = { ReparseTag: 0xa000000c, Entries: [{ Action: 1, FileName: 'a' }], DeviceType: 7 }
    expect(matchStepExpect({ output: { ReparseTag: 'IO_REPARSE_TAG_SYMLINK', DeviceType: 'FILE_DEVICE_DISK' } }, { output: out }).ok).toBe(true)
    expect(matchStepExpect({ output: { ReparseTag: 0xa000000c, Entries: [{ Action: 'FILE_ACTION_ADDED' }] } }, { output: out }).ok).toBe(true)
    expect(matchStepExpect({ output: { Entries: [{ Action: 'FILE_ACTION_REMOVED' }] } }, { output: out })).toEqual({
      ok: false,
      mismatches: ['output.Entries[0].Action: expected FILE_ACTION_REMOVED, got FILE_ACTION_ADDED'],
    })
  })

  it('compares FileSystemAttributes as a set of FILE_* names', () => {
    const out = { FileSystemAttributes: 0x7 }
    expect(matchStepExpect({ output: { FileSystemAttributes: ['FILE_UNICODE_ON_DISK', 'FILE_CASE_PRESERVED_NAMES', 'FILE_CASE_SENSITIVE_SEARCH'] } }, { output: out }).ok).toBe(true)
    expect(matchStepExpect({ output: { FileSystemAttributes: ['FILE_UNICODE_ON_DISK'] } }, { output: out }).ok).toBe(false)
  })

  it('compares any bytes field as bytes (an EA value)', () => {
    const out = { Entries: [{ Name: 'A', Value: new Uint8Array([0x62, 0x63]) }] }
    expect(matchStepExpect({ output: { Entries: [{ Name: 'A', Value: 'bc' }] } }, { output: out }).ok).toBe(true)
    expect(matchStepExpect({ output: { Entries: [{ Value: { hex: '6263' } }] } }, { output: out }).ok).toBe(true)
    expect(matchStepExpect({ output: { Entries: [{ Value: 'bd' }] } }, { output: out }).ok).toBe(false)
  })
})
