// Where a machine's volumes come from: an NTFS volume in memory, or the real NTFS on-disk
// format in an image file on the host (formatted fresh, or an existing image).

import { formatVolume } from './fs/ntfs/disk/format.ts'
import { openDiskStore } from './fs/ntfs/disk/disk-store.ts'
import { mountNtfsVolume } from './fs/ntfs/driver.ts'
import { createMemoryStore } from './fs/ntfs/memory-store.ts'
import type { NtfsStore } from './fs/ntfs/store.ts'
import type { MountVolume } from './machine.ts'

export type VolumeSource =
  | { kind: 'memory'; sizeBytes: number; label?: string }
  /** an image file: formatted first when `format` is given, else mounted as it is */
  | { kind: 'image'; path: string; format?: { sizeBytes: number; label?: string } }

/** the volume serial number a machine gives a fresh volume: from its seeded PRNG */
function serialFrom(next: () => number): bigint {
  return (BigInt(next()) << 32n) | BigInt(next())
}

export function ntfsVolume(source: VolumeSource): MountVolume {
  return (io, realDevice) => {
    let store: NtfsStore
    if (source.kind === 'memory') {
      store = createMemoryStore({
        sizeBytes: source.sizeBytes,
        label: source.label ?? '',
        serialNumber: serialFrom(() => io.ke.prng.nextU32()),
        time: () => io.ke.systemTime(),
      })
    } else {
      if (source.format) {
        formatVolume(source.path, {
          sizeBytes: source.format.sizeBytes,
          label: source.format.label ?? '',
          serialNumber: serialFrom(() => io.ke.prng.nextU32()),
          time: io.ke.systemTime(),
        })
      }
      store = openDiskStore(source.path)
    }
    mountNtfsVolume(io, realDevice, store)
    return {
      info: {
        letter: realDevice.dosName ?? '',
        device: realDevice.header.name,
        fileSystem: 'NTFS',
        sizeBytes: store.geometry.totalClusters * store.geometry.bytesPerCluster,
        label: store.volumeLabel(),
      },
      store,
      close: () => store.close(),
    }
  }
}
