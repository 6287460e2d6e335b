// Stream sizes: the store is where they live, the SCB's FSRTL_ADVANCED_FCB_HEADER is what the
// Cache Manager and FsRtl read. Every size change goes through here so both agree.

import type { StreamInfo } from './store.ts'
import type { Scb } from './structures.ts'

/** the store's view of the SCB's stream; undefined for an index or a deleted stream */
export function streamInfo(scb: Scb): StreamInfo | undefined {
  if (scb.kind !== 'data') return undefined
  const r = scb.fcb.read()
  if (!r) return undefined
  const key = scb.fcb.vcb.upcase(scb.streamName)
  return r.streams.find((s) => s.name === scb.streamName) ?? r.streams.find((s) => scb.fcb.vcb.upcase(s.name) === key)
}

/**
 * copies the store's sizes into the SCB header; the valid data length in memory is the larger
 * of the one on disk and what cached writes have reached (never past end of file)
 */
export function refreshHeader(scb: Scb): void {
  const s = streamInfo(scb)
  const size = s?.size ?? 0
  if (scb.cachedValidData > size) scb.cachedValidData = size
  scb.header.FileSize = size
  scb.header.AllocationSize = s?.allocated ?? 0
  scb.header.ValidDataLength = Math.max(s?.validDataLength ?? 0, scb.cachedValidData)
}

/** the valid data length the volume has (what the lazy writer has not yet caught up with stays in memory) */
export function validDataOnDisk(scb: Scb): number {
  return streamInfo(scb)?.validDataLength ?? 0
}

/** sets sizes in the store and the header */
export function setStreamSizes(scb: Scb, sizes: { size?: number; allocated?: number; validDataLength?: number }): void {
  scb.fcb.vcb.store.setStreamSizes(scb.fcb.record, scb.streamName, sizes)
  refreshHeader(scb)
}

/** writes data at an offset (extending the stream as needed) and refreshes the header */
export function writeStreamData(scb: Scb, offset: number, data: Uint8Array): void {
  scb.fcb.vcb.store.writeStream(scb.fcb.record, scb.streamName, offset, data)
  refreshHeader(scb)
}
