// FSCTLs on a file's data: FSCTL_SET_SPARSE, FSCTL_SET_ZERO_DATA, FSCTL_QUERY_ALLOCATED_RANGES,
// FSCTL_GET_RETRIEVAL_POINTERS (MS-FSA 2.1.5.10; MS-FSCC 2.3).
//
// The store keeps no holes: a sparse file's zeroed ranges stay allocated, so
// FSCTL_QUERY_ALLOCATED_RANGES reports the whole of the stream as one allocated range, as it
// does for any file that is not sparse.

import { ACCESS } from '../../nt/access.ts'
import { FILE_ATTRIBUTE } from '../../nt/file.ts'
import { STATUS } from '../../nt/status.ts'
import { metadataChanged, result, type FsctlRequest, type FsctlResult } from './fsctl-common.ts'
import { refreshHeader, streamInfo } from './sizes.ts'

/** FILE_ALLOCATED_RANGE_BUFFER and FILE_ZERO_DATA_INFORMATION: two LARGE_INTEGERs */
const RANGE_SIZE = 16
const ZERO_CHUNK = 64 * 1024

function readRange(input: Uint8Array): [bigint, bigint] | undefined {
  if (input.length < RANGE_SIZE) return undefined
  const dv = new DataView(input.buffer, input.byteOffset, input.byteLength)
  return [dv.getBigInt64(0, true), dv.getBigInt64(8, true)]
}

/** a data stream open (not a directory's index, not the volume) */
function dataOpen(req: FsctlRequest): boolean {
  return req.ccb.scb.kind === 'data'
}

export function setSparse(req: FsctlRequest): FsctlResult {
  const { vcb, ccb, input } = req
  if (!dataOpen(req)) return result(STATUS.STATUS_INVALID_PARAMETER)
  // FSCTL_SET_SPARSE docs: the handle needs FILE_WRITE_DATA, FILE_WRITE_ATTRIBUTES or FILE_APPEND_DATA
  if ((ccb.grantedAccess & (ACCESS.FILE_WRITE_DATA | ACCESS.FILE_WRITE_ATTRIBUTES | ACCESS.FILE_APPEND_DATA)) === 0) {
    return result(STATUS.STATUS_ACCESS_DENIED)
  }
  // FILE_SET_SPARSE_BUFFER is optional: no input means "make it sparse"
  const sparse = input.length === 0 ? true : input[0] !== 0
  const r = ccb.fcb.mustRead()
  const attrs = sparse ? r.std.fileAttributes | FILE_ATTRIBUTE.FILE_ATTRIBUTE_SPARSE_FILE : r.std.fileAttributes & ~FILE_ATTRIBUTE.FILE_ATTRIBUTE_SPARSE_FILE
  if (attrs >>> 0 !== r.std.fileAttributes >>> 0) {
    vcb.store.atomic(() => vcb.store.setStandardInfo(r.record, { fileAttributes: attrs >>> 0 }))
    metadataChanged(ccb)
  }
  return result(STATUS.STATUS_SUCCESS)
}

export function setZeroData(req: FsctlRequest): FsctlResult {
  const { vcb, ccb } = req
  if (!dataOpen(req)) return result(STATUS.STATUS_INVALID_PARAMETER)
  const range = readRange(req.input)
  // MS-FSA 2.1.5.10.38: a short buffer, a negative offset or FileOffset > BeyondFinalZero is STATUS_INVALID_PARAMETER
  if (!range) return result(STATUS.STATUS_INVALID_PARAMETER)
  const [from, beyond] = range
  if (from < 0n || beyond < 0n || from > beyond) return result(STATUS.STATUS_INVALID_PARAMETER)
  const scb = ccb.scb
  const r = ccb.fcb.mustRead()
  const s = streamInfo(scb)
  if (!s) return result(STATUS.STATUS_FILE_DELETED)
  // the range is clipped to the end of file (zeroing never extends a file); past valid data it
  // already reads as zero (valid in memory: cached writes count before the lazy writer catches up)
  refreshHeader(scb)
  const start = Number(from)
  const end = Math.min(Number(beyond > BigInt(s.size) ? BigInt(s.size) : beyond), scb.header.ValidDataLength)
  if (start < end) {
    vcb.cache?.zeroCached(scb, start, end)
    const zeros = new Uint8Array(Math.min(ZERO_CHUNK, end - start))
    vcb.store.atomic(() => {
      for (let o = start; o < end; o += zeros.length) vcb.store.writeStream(r.record, s.name, o, zeros.subarray(0, Math.min(zeros.length, end - o)))
    })
    refreshHeader(scb)
    // the handle wrote: LastWriteTime and ChangeTime are stamped at its cleanup
    ccb.modified = true
  }
  return result(STATUS.STATUS_SUCCESS)
}

export function queryAllocatedRanges(req: FsctlRequest): FsctlResult {
  const { vcb, ccb } = req
  if (!dataOpen(req)) return result(STATUS.STATUS_INVALID_PARAMETER)
  const range = readRange(req.input)
  // MS-FSA 2.1.5.10.22: a short input, a negative offset or length, or an overflowing end is STATUS_INVALID_PARAMETER
  if (!range) return result(STATUS.STATUS_INVALID_PARAMETER)
  const [offset, length] = range
  if (offset < 0n || length < 0n || offset + length > 0x7fffffffffffffffn) return result(STATUS.STATUS_INVALID_PARAMETER)
  if (req.outputLength < RANGE_SIZE) return result(STATUS.STATUS_BUFFER_TOO_SMALL)
  const size = BigInt(streamInfo(ccb.scb)?.size ?? 0)
  const end = offset + length < size ? offset + length : size
  if (length === 0n || offset >= end) return result(STATUS.STATUS_SUCCESS, new Uint8Array(0))
  const out = new Uint8Array(RANGE_SIZE)
  const dv = new DataView(out.buffer)
  dv.setBigInt64(0, offset, true)
  dv.setBigInt64(8, end - offset, true)
  return result(STATUS.STATUS_SUCCESS, out)
}

/**
 * FSCTL_GET_RETRIEVAL_POINTERS: a stream kept in its file record has no clusters
 * (STATUS_END_OF_FILE, what defragmenters see for small files), nor has a starting VCN at or past
 * the allocation. The store boundary does not say where a stream's clusters lie, so the extents
 * of a non-resident stream cannot be reported: STATUS_NOT_IMPLEMENTED.
 */
export function getRetrievalPointers(req: FsctlRequest): FsctlResult {
  const { vcb, ccb } = req
  if (ccb.scb.kind === 'volume') return result(STATUS.STATUS_INVALID_PARAMETER)
  // STARTING_VCN_INPUT_BUFFER: one LARGE_INTEGER
  if (req.input.length < 8) return result(STATUS.STATUS_INVALID_PARAMETER)
  const startingVcn = new DataView(req.input.buffer, req.input.byteOffset, 8).getBigInt64(0, true)
  if (startingVcn < 0n) return result(STATUS.STATUS_INVALID_PARAMETER)
  // RETRIEVAL_POINTERS_BUFFER's fixed part: ExtentCount, StartingVcn and one extent
  if (req.outputLength < 32) return result(STATUS.STATUS_BUFFER_TOO_SMALL)
  const s = streamInfo(ccb.scb)
  const clusters = s && !s.resident ? Math.ceil(s.allocated / vcb.store.geometry.bytesPerCluster) : 0
  if (clusters === 0 || startingVcn >= BigInt(clusters)) return result(STATUS.STATUS_END_OF_FILE)
  return result(STATUS.STATUS_NOT_IMPLEMENTED)
}

/** COMPRESSION_FORMAT_* (ntifs.h) */
const COMPRESSION_FORMAT_NONE = 0
const COMPRESSION_FORMAT_DEFAULT = 1
const COMPRESSION_FORMAT_LZNT1 = 2

/**
 * FSCTL_SET_COMPRESSION (MS-FSA 2.1.5.10.34): COMPRESSION_FORMAT_NONE clears
 * FILE_ATTRIBUTE_COMPRESSED, DEFAULT or LZNT1 sets it; any other value or a short buffer is
 * STATUS_INVALID_PARAMETER. The data is kept as it is: the store does not compress.
 */
export function setCompression(req: FsctlRequest): FsctlResult {
  const { vcb, ccb, input } = req
  if (ccb.scb.kind === 'volume') return result(STATUS.STATUS_INVALID_PARAMETER)
  if (input.length < 2) return result(STATUS.STATUS_INVALID_PARAMETER)
  const format = input[0]! | (input[1]! << 8)
  if (format !== COMPRESSION_FORMAT_NONE && format !== COMPRESSION_FORMAT_DEFAULT && format !== COMPRESSION_FORMAT_LZNT1) {
    return result(STATUS.STATUS_INVALID_PARAMETER)
  }
  const r = ccb.fcb.mustRead()
  const C = FILE_ATTRIBUTE.FILE_ATTRIBUTE_COMPRESSED
  const attrs = (format === COMPRESSION_FORMAT_NONE ? r.std.fileAttributes & ~C : r.std.fileAttributes | C) >>> 0
  if (attrs !== r.std.fileAttributes >>> 0) {
    vcb.store.atomic(() => vcb.store.setStandardInfo(r.record, { fileAttributes: attrs }))
    metadataChanged(ccb)
  }
  return result(STATUS.STATUS_SUCCESS)
}

/** FSCTL_GET_COMPRESSION: COMPRESSION_FORMAT_LZNT1 for a compressed file, else NONE (a USHORT) */
export function getCompression(req: FsctlRequest): FsctlResult {
  const { ccb } = req
  if (ccb.scb.kind === 'volume') return result(STATUS.STATUS_INVALID_PARAMETER)
  if (req.outputLength < 2) return result(STATUS.STATUS_INVALID_PARAMETER)
  const compressed = (ccb.fcb.mustRead().std.fileAttributes & FILE_ATTRIBUTE.FILE_ATTRIBUTE_COMPRESSED) !== 0
  return result(STATUS.STATUS_SUCCESS, new Uint8Array([compressed ? COMPRESSION_FORMAT_LZNT1 : COMPRESSION_FORMAT_NONE, 0]))
}
