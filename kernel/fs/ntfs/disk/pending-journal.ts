// What a crash left in the journal (./journal.ts), for readers that look at an image without
// mounting it (the checker): the sectors a complete but not yet applied checkpoint will write
// at the next mount. Overlaying them on the image gives the volume as Altitude will see it.
// Nothing is written.

import { DiskDevice } from '../../../disk/device.ts'
import { Volume } from './volume.ts'
import { Journal, SECTOR } from './journal.ts'

export interface PendingWrite {
  /** byte offset on the image */
  offset: number
  data: Uint8Array
}

/**
 * The writes a pending journal transaction holds, in order; an empty list when the journal is
 * empty, torn (discarded at mount) or foreign, or the image cannot be read as NTFS.
 */
export function pendingJournalWrites(path: string): PendingWrite[] {
  let dev: DiskDevice
  try {
    dev = DiskDevice.open(path, { readOnly: true })
  } catch {
    return []
  }
  try {
    const { area } = Volume.probe(dev)
    const state = new Journal(dev, area, true).inspect()
    if (state.state !== 'pending') return []
    const out: PendingWrite[] = []
    let o = 0
    for (const e of state.journal.extents) {
      out.push({ offset: e.lba * SECTOR, data: state.journal.data.slice(o, o + e.count * SECTOR) })
      o += e.count * SECTOR
    }
    return out
  } catch {
    return []
  } finally {
    dev.close()
  }
}
