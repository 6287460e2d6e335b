// Reparse points: FSCTL_SET_REPARSE_POINT, FSCTL_GET_REPARSE_POINT, FSCTL_DELETE_REPARSE_POINT
// (MS-FSA 2.1.5.10.14 / .37 / .8, MS-FSCC 2.3.6 / 2.3.82), with the statuses WinBtrfs's reparse
// tests observed on Windows NTFS (src/tests/reparse.cpp):
// - neither FILE_WRITE_DATA nor FILE_WRITE_ATTRIBUTES → STATUS_ACCESS_DENIED;
// - the buffer is checked by validateReparseBuffer (kernel/rtl/structs/reparse.ts): a length
//   other than ReparseDataLength + 8 (Microsoft tag) or + 24 (with the GUID), a third-party tag
//   without its GUID, a malformed symlink or mount point → STATUS_IO_REPARSE_DATA_INVALID; a
//   reserved tag → STATUS_IO_REPARSE_TAG_INVALID;
// - a mount point on a file or a stream → STATUS_NOT_A_DIRECTORY;
// - a different tag than the one present → STATUS_IO_REPARSE_TAG_MISMATCH; the same
//   third-party tag with another GUID → STATUS_REPARSE_ATTRIBUTE_CONFLICT;
// - a non-empty directory takes only a tag with the directory bit → STATUS_DIRECTORY_NOT_EMPTY;
// - a symbolic link on a file that already has data → STATUS_IO_REPARSE_DATA_INVALID;
// - FILE_ATTRIBUTE_REPARSE_POINT is set and cleared with the reparse point; ARCHIVE is untouched.

import { FILE_ATTRIBUTE, IO_REPARSE_TAG, IsReparseTagDirectory, IsReparseTagMicrosoft, IsReparseTagNameSurrogate, REPARSE_DATA_BUFFER_HEADER_SIZE, REPARSE_GUID_DATA_BUFFER_HEADER_SIZE } from '../../nt/file.ts'
import { encodeReparseQuery, isReparseTagValid, validateReparseBuffer } from '../../rtl/structs/reparse.ts'
import { STATUS } from '../../nt/status.ts'
import { canWriteMetadata, isFileOpen, metadataChanged, result, type FsctlRequest, type FsctlResult } from './fsctl-common.ts'
import type { ReparsePoint } from './store.ts'

interface ParsedReparse {
  tag: number
  guid: Uint8Array | undefined
  data: Uint8Array
}

/** the reparse point a valid input buffer describes (validated by validateReparseBuffer first) */
function parseReparseInput(input: Uint8Array): ParsedReparse {
  const dv = new DataView(input.buffer, input.byteOffset, input.byteLength)
  const tag = dv.getUint32(0, true)
  const withGuid = !IsReparseTagMicrosoft(tag) || input.length === dv.getUint16(4, true) + REPARSE_GUID_DATA_BUFFER_HEADER_SIZE
  const header = withGuid ? REPARSE_GUID_DATA_BUFFER_HEADER_SIZE : REPARSE_DATA_BUFFER_HEADER_SIZE
  return { tag, guid: withGuid ? input.slice(8, 24) : undefined, data: input.slice(header) }
}

/** the stored reparse point as FSCTL_GET_REPARSE_POINT returns it (Reserved zero) */
function reparseBufferOf(rp: ReparsePoint): Uint8Array {
  const microsoft = IsReparseTagMicrosoft(rp.tag)
  const header = microsoft ? REPARSE_DATA_BUFFER_HEADER_SIZE : REPARSE_GUID_DATA_BUFFER_HEADER_SIZE
  const out = new Uint8Array(header + rp.data.length)
  const dv = new DataView(out.buffer)
  dv.setUint32(0, rp.tag >>> 0, true)
  dv.setUint16(4, rp.data.length, true)
  if (!microsoft) out.set(rp.guid ?? new Uint8Array(16), 8)
  out.set(rp.data, header)
  return out
}

function sameGuid(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b) return a === b
  return a.length === b.length && a.every((x, i) => x === b[i])
}

export function setReparsePoint(req: FsctlRequest): FsctlResult {
  const { vcb, ccb } = req
  if (!isFileOpen(ccb)) return result(STATUS.STATUS_INVALID_PARAMETER)
  if (!canWriteMetadata(ccb)) return result(STATUS.STATUS_ACCESS_DENIED)
  // FsRtlValidateReparsePointBuffer: lengths, tag, GUID, and the symlink / mount point layouts
  const valid = validateReparseBuffer(req.input)
  if (valid !== STATUS.STATUS_SUCCESS) return result(valid)
  const parsed = parseReparseInput(req.input)
  const r = ccb.fcb.mustRead()
  // a mount point needs a directory, and is refused on a stream of one (WinBtrfs "Try to set as mount point")
  if (parsed.tag === IO_REPARSE_TAG.IO_REPARSE_TAG_MOUNT_POINT && (!r.isDirectory || ccb.scb.kind !== 'index')) {
    return result(STATUS.STATUS_NOT_A_DIRECTORY)
  }
  const existing = r.reparse
  if (existing) {
    if (existing.tag !== parsed.tag) return result(STATUS.STATUS_IO_REPARSE_TAG_MISMATCH)
    if (!IsReparseTagMicrosoft(parsed.tag) && !sameGuid(existing.guid, parsed.guid)) return result(STATUS.STATUS_REPARSE_ATTRIBUTE_CONFLICT)
  } else {
    if (r.isDirectory && !IsReparseTagDirectory(parsed.tag) && !vcb.store.isEmptyDirectory(r.record)) return result(STATUS.STATUS_DIRECTORY_NOT_EMPTY)
    // WinBtrfs: a symlink on a file with 4 KiB of data fails; unverified: the same for every name-surrogate tag
    const data = r.streams.find((s) => s.name === '')
    if (IsReparseTagNameSurrogate(parsed.tag) && !r.isDirectory && data && data.size > 0) return result(STATUS.STATUS_IO_REPARSE_DATA_INVALID)
  }
  const rp: ReparsePoint = parsed.guid ? { tag: parsed.tag, data: parsed.data, guid: parsed.guid } : { tag: parsed.tag, data: parsed.data }
  vcb.store.atomic(() => {
    vcb.store.setReparsePoint(r.record, rp)
    vcb.store.setStandardInfo(r.record, { fileAttributes: (r.std.fileAttributes | FILE_ATTRIBUTE.FILE_ATTRIBUTE_REPARSE_POINT) >>> 0 })
  })
  metadataChanged(ccb)
  return result(STATUS.STATUS_SUCCESS)
}

export function getReparsePoint(req: FsctlRequest): FsctlResult {
  const { ccb } = req
  if (!isFileOpen(ccb)) return result(STATUS.STATUS_INVALID_PARAMETER)
  const rp = ccb.fcb.mustRead().reparse
  if (!rp) return result(STATUS.STATUS_NOT_A_REPARSE_POINT)
  // as much as fits: too small for the header is STATUS_BUFFER_TOO_SMALL, for the data STATUS_BUFFER_OVERFLOW
  const q = encodeReparseQuery(reparseBufferOf(rp), req.outputLength)
  return result(q.status, q.bytes)
}

export function deleteReparsePoint(req: FsctlRequest): FsctlResult {
  const { vcb, ccb, input } = req
  if (!isFileOpen(ccb)) return result(STATUS.STATUS_INVALID_PARAMETER)
  // MS-FSCC 2.3.6: a nonzero output buffer length is STATUS_INVALID_PARAMETER
  if (req.outputLength !== 0) return result(STATUS.STATUS_INVALID_PARAMETER)
  if (!canWriteMetadata(ccb)) return result(STATUS.STATUS_ACCESS_DENIED)
  if (input.length !== REPARSE_DATA_BUFFER_HEADER_SIZE && input.length !== REPARSE_GUID_DATA_BUFFER_HEADER_SIZE) {
    return result(STATUS.STATUS_IO_REPARSE_DATA_INVALID)
  }
  const dv = new DataView(input.buffer, input.byteOffset, input.byteLength)
  const tag = dv.getUint32(0, true)
  // only the header: no reparse data may come with a delete
  if (dv.getUint16(4, true) !== 0) return result(STATUS.STATUS_IO_REPARSE_DATA_INVALID)
  if (!isReparseTagValid(tag)) return result(STATUS.STATUS_IO_REPARSE_TAG_INVALID)
  // a third-party tag must come with its GUID (WinBtrfs "Try to delete reparse point without GUID")
  if (IsReparseTagMicrosoft(tag) ? input.length !== REPARSE_DATA_BUFFER_HEADER_SIZE : input.length !== REPARSE_GUID_DATA_BUFFER_HEADER_SIZE) {
    return result(STATUS.STATUS_IO_REPARSE_DATA_INVALID)
  }
  const r = ccb.fcb.mustRead()
  if (!r.reparse) return result(STATUS.STATUS_NOT_A_REPARSE_POINT)
  if (r.reparse.tag !== tag) return result(STATUS.STATUS_IO_REPARSE_TAG_MISMATCH)
  if (!IsReparseTagMicrosoft(tag) && !sameGuid(r.reparse.guid, input.subarray(8, 24))) return result(STATUS.STATUS_REPARSE_ATTRIBUTE_CONFLICT)
  vcb.store.atomic(() => {
    vcb.store.setReparsePoint(r.record, undefined)
    vcb.store.setStandardInfo(r.record, { fileAttributes: (r.std.fileAttributes & ~FILE_ATTRIBUTE.FILE_ATTRIBUTE_REPARSE_POINT) >>> 0 })
  })
  metadataChanged(ccb)
  return result(STATUS.STATUS_SUCCESS)
}
