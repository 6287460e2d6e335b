// FSCTLs about the volume: FSCTL_GET_NTFS_VOLUME_DATA (NTFS_VOLUME_DATA_BUFFER and, when the
// caller's buffer has room, NTFS_EXTENDED_VOLUME_DATA), FSCTL_IS_VOLUME_DIRTY,
// FSCTL_LOCK_VOLUME / FSCTL_UNLOCK_VOLUME and FSCTL_QUERY_USN_JOURNAL. They need a handle to the
// volume (MS-FSCC 2.3: "the handle is not a volume handle" → STATUS_INVALID_PARAMETER).

import { STATUS } from '../../nt/status.ts'
import { result, type FsctlRequest, type FsctlResult } from './fsctl-common.ts'
import type { Ccb, Vcb } from './structures.ts'

/** sizeof(NTFS_VOLUME_DATA_BUFFER) */
export const NTFS_VOLUME_DATA_BUFFER_SIZE = 96
/** sizeof(NTFS_EXTENDED_VOLUME_DATA) on Windows 8 and later (with the trim fields) */
export const NTFS_EXTENDED_VOLUME_DATA_SIZE = 32

/**
 * Where mkntfs puts the MFT, its mirror and the MFT zone (observed with ntfsinfo -m on 8 MiB to
 * 4 GiB images: $MFT at LCN 4, $MFTMirr at TotalClusters / 2, the zone from 0 to
 * TotalClusters / 8 + 4). unverified: the store boundary does not report these, so a volume laid
 * out by another formatter reports mkntfs's positions.
 */
function mkntfsLayout(totalClusters: number): { mftStartLcn: number; mft2StartLcn: number; zoneStart: number; zoneEnd: number } {
  return { mftStartLcn: 4, mft2StartLcn: Math.floor(totalClusters / 2), zoneStart: 0, zoneEnd: Math.floor(totalClusters / 8) + 4 }
}

export function getNtfsVolumeData(req: FsctlRequest): FsctlResult {
  const { vcb, ccb } = req
  if (ccb.scb.kind !== 'volume') return result(STATUS.STATUS_INVALID_PARAMETER)
  if (req.outputLength < NTFS_VOLUME_DATA_BUFFER_SIZE) return result(STATUS.STATUS_BUFFER_TOO_SMALL)
  const { store } = vcb
  const g = store.geometry
  const layout = mkntfsLayout(g.totalClusters)
  const mft = store.readRecord(0)?.streams.find((s) => s.name === '')
  const extended = req.outputLength >= NTFS_VOLUME_DATA_BUFFER_SIZE + NTFS_EXTENDED_VOLUME_DATA_SIZE
  const out = new Uint8Array(NTFS_VOLUME_DATA_BUFFER_SIZE + (extended ? NTFS_EXTENDED_VOLUME_DATA_SIZE : 0))
  const dv = new DataView(out.buffer)
  dv.setBigInt64(0, BigInt.asIntN(64, g.serialNumber), true) // VolumeSerialNumber: all 64 bits
  // unverified: NumberSectors is the sectors the clusters cover (the boot sector's count can be a few more)
  dv.setBigInt64(8, BigInt(g.totalClusters) * BigInt(g.bytesPerCluster / g.bytesPerSector), true)
  dv.setBigInt64(16, BigInt(g.totalClusters), true)
  dv.setBigInt64(24, BigInt(store.freeClusters()), true)
  dv.setBigInt64(32, 0n, true) // TotalReserved: no clusters are held back for delayed allocation here
  dv.setUint32(40, g.bytesPerSector, true)
  dv.setUint32(44, g.bytesPerCluster, true)
  dv.setUint32(48, g.mftRecordSize, true)
  // ClustersPerFileRecordSegment is 0 when a record is smaller than a cluster
  dv.setUint32(52, Math.floor(g.mftRecordSize / g.bytesPerCluster), true)
  dv.setBigInt64(56, BigInt(mft?.validDataLength ?? 0), true)
  dv.setBigInt64(64, BigInt(layout.mftStartLcn), true)
  dv.setBigInt64(72, BigInt(layout.mft2StartLcn), true)
  dv.setBigInt64(80, BigInt(layout.zoneStart), true)
  dv.setBigInt64(88, BigInt(layout.zoneEnd), true)
  if (extended) {
    const [major, minor] = g.version.split('.').map((x) => Number(x))
    dv.setUint32(96, NTFS_EXTENDED_VOLUME_DATA_SIZE, true) // ByteCount
    dv.setUint16(100, major ?? 3, true)
    dv.setUint16(102, minor ?? 1, true)
    dv.setUint32(104, g.bytesPerSector, true) // BytesPerPhysicalSector
    // unverified: Windows 8 and later format $LogFile as LFS 2.0
    dv.setUint16(108, 2, true)
    dv.setUint16(110, 0, true)
    // MaxDeviceTrimExtentCount, MaxDeviceTrimByteCount, MaxVolumeTrimExtentCount, MaxVolumeTrimByteCount: no trim
  }
  return result(STATUS.STATUS_SUCCESS, out)
}

/** VOLUME_IS_DIRTY (0x1) when the volume needs chkdsk; the store reports a consistent volume */
export function isVolumeDirty(req: FsctlRequest): FsctlResult {
  if (req.ccb.scb.kind !== 'volume') return result(STATUS.STATUS_INVALID_PARAMETER)
  // unverified: an output buffer smaller than a ULONG is STATUS_INVALID_PARAMETER, as a wrong handle is
  if (req.outputLength < 4) return result(STATUS.STATUS_INVALID_PARAMETER)
  return result(STATUS.STATUS_SUCCESS, new Uint8Array(4))
}

const LOCK_KEY = 'ntfs.volume.lock'
const LOCK_HOOK_KEY = 'ntfs.volume.lockHook'

/** the handle (CCB) that holds the volume locked, if any */
export function volumeLockHolder(vcb: Vcb): Ccb | undefined {
  return vcb.ext.get(LOCK_KEY) as Ccb | undefined
}

/**
 * Whether an open other than through the locking handle must fail: a locked volume admits no
 * new opens (FSCTL_LOCK_VOLUME docs: "prevents other processes from opening the volume").
 */
export function isVolumeLocked(vcb: Vcb): boolean {
  return volumeLockHolder(vcb) !== undefined
}

/** handles open on the volume: every FCB's, the volume's own included */
function openHandles(vcb: Vcb): number {
  let n = 0
  for (const fcb of vcb.fcbTable.values()) n += fcb.cleanupCount
  return n
}

/**
 * FSCTL_LOCK_VOLUME: only through a volume handle, and only when it is the volume's only open
 * handle (FSCTL_LOCK_VOLUME docs: fails with access denied while other files are open). The
 * lock ends with FSCTL_UNLOCK_VOLUME or the cleanup of the locking handle.
 */
export function lockVolume(req: FsctlRequest): FsctlResult {
  const { vcb, ccb } = req
  if (ccb.scb.kind !== 'volume') return result(STATUS.STATUS_INVALID_PARAMETER)
  if (isVolumeLocked(vcb) || openHandles(vcb) > 1) return result(STATUS.STATUS_ACCESS_DENIED)
  vcb.store.flush()
  vcb.ext.set(LOCK_KEY, ccb)
  if (!vcb.ext.get(LOCK_HOOK_KEY)) {
    vcb.ext.set(LOCK_HOOK_KEY, true)
    vcb.cleanupHooks.push((c) => {
      if (volumeLockHolder(c.vcb) === c) c.vcb.ext.delete(LOCK_KEY)
    })
  }
  return result(STATUS.STATUS_SUCCESS)
}

/** FSCTL_UNLOCK_VOLUME: through the handle that locked it; otherwise STATUS_NOT_LOCKED */
export function unlockVolume(req: FsctlRequest): FsctlResult {
  const { vcb, ccb } = req
  if (ccb.scb.kind !== 'volume') return result(STATUS.STATUS_INVALID_PARAMETER)
  if (volumeLockHolder(vcb) !== ccb) return result(STATUS.STATUS_NOT_LOCKED)
  vcb.ext.delete(LOCK_KEY)
  return result(STATUS.STATUS_SUCCESS)
}

/** FSCTL_QUERY_USN_JOURNAL: the volume keeps no change journal ($Extend\$UsnJrnl is absent) */
export function queryUsnJournal(req: FsctlRequest): FsctlResult {
  // unverified: through a file's handle NTFS answers as for the volume; here only the volume's is accepted
  if (req.ccb.scb.kind !== 'volume') return result(STATUS.STATUS_INVALID_PARAMETER)
  return result(STATUS.STATUS_JOURNAL_NOT_ACTIVE)
}
