// The REPARSE_DATA_BUFFER NTFS hands back with STATUS_REPARSE (Irp->Tail.Overlay.AuxiliaryBuffer):
// the 8-byte header (ReparseTag, ReparseDataLength, Reserved), then for a non-Microsoft tag the
// 16-byte GUID (REPARSE_GUID_DATA_BUFFER), then the tag's data. On this path NTFS puts in
// Reserved the byte length of the part of the name it has not parsed yet, which the I/O
// manager appends to the substitute name (ntifs.h REPARSE_DATA_BUFFER; IopParseDevice).

import { IsReparseTagMicrosoft, REPARSE_DATA_BUFFER_HEADER_SIZE } from '../../nt/file.ts'
import type { ReparsePoint } from './store.ts'

export function reparseDataBuffer(rp: ReparsePoint, unparsedBytes: number): Uint8Array {
  const guid = !IsReparseTagMicrosoft(rp.tag) ? (rp.guid ?? new Uint8Array(16)) : undefined
  // REPARSE_GUID_DATA_BUFFER: ReparseDataLength counts the data after the GUID only
  const out = new Uint8Array(REPARSE_DATA_BUFFER_HEADER_SIZE + (guid ? 16 : 0) + rp.data.length)
  const dv = new DataView(out.buffer)
  dv.setUint32(0, rp.tag >>> 0, true)
  dv.setUint16(4, rp.data.length, true)
  dv.setUint16(6, unparsedBytes, true)
  let o = REPARSE_DATA_BUFFER_HEADER_SIZE
  if (guid) {
    out.set(guid.subarray(0, 16), o)
    o += 16
  }
  out.set(rp.data, o)
  return out
}
