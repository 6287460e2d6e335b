// The NTFS driver's in-memory structures, named as in the NTFS driver and the fastfat sample:
// VCB (one per mounted volume), FCB (one per open file record), SCB (one per open stream:
// the unnamed $DATA, a named $DATA, a directory's $I30 index, or the volume itself), CCB (one
// per open file object). A link (LCB in NTFS) is the $FILE_NAME an open came through: delete
// pending is a property of the link, so deleting through one hard link leaves the others.
//
// Lifetimes: an FCB lives while any of its SCBs has file objects (closeCount); an SCB lives
// while file objects point at it. Handles are counted separately (cleanupCount): the last
// handle's IRP_MJ_CLEANUP is where delete-on-close and delete-pending take effect.

import { EResource } from '../../ke/index.ts'
import type { DeviceObject, Vpb } from '../../io/device.ts'
import type { FileObject, SectionObjectPointers } from '../../io/file-object.ts'
import type { IoManager } from '../../io/iomgr.ts'
import { newShareAccess, type ShareAccess } from '../../io/share-access.ts'
import type { CacheManager } from '../../cc/cache-manager.ts'
import type { NtfsCacheSeam } from './cache-seam.ts'
import { FileLock } from './filelock.ts'
import type { FileNameLink, FileRecord, NtfsStore, RecordNo } from './store.ts'
import { NameSpace } from './store.ts'

/** One change to a directory's entries or to a file in it, as NtNotifyChangeDirectoryFile reports it. */
export interface DirectoryChange {
  /** the directory whose entry changed */
  readonly dir: RecordNo
  /** its FCB when it is open (only an open directory can have notify IRPs) */
  readonly dirFcb: Fcb | undefined
  /** the entry's name in that directory (for a stream change, the file's name) */
  readonly name: string
  /** FILE_ACTION_* */
  readonly action: number
  /** the FILE_NOTIFY_CHANGE_* bits the change matches */
  readonly filter: number
}

/** $Volume: the record NTFS uses for volume (DASD) opens. */
export const VOLUME_RECORD: RecordNo = 3

/** The $FILE_NAME an open came through (NTFS's LCB): a parent directory and a name in it. */
export interface Link {
  readonly parent: RecordNo
  /** the name as stored (its case), the Win32/POSIX name of a Win32+DOS pair */
  readonly name: string
}

/** Driver-wide choices that change traces; defaults follow a current Windows client. */
export interface NtfsSettings {
  /**
   * NtfsDisableLastAccessUpdate: Windows 10 1803+ disables last-access updates on system
   * volumes by default ("fsutil behavior query disablelastaccess" → 2/3 System Managed).
   * unverified: whether a data volume gets updates depends on its size and the Windows build.
   */
  disableLastAccessUpdate: boolean
  /** NtfsDisable8dot3NameCreation (0 on a default install: 8.3 names are created) */
  create8dot3Names: boolean
  /**
   * How long (100 ns units) an operation waits for an oplock break acknowledgement before the
   * break is completed without it; undefined waits forever, as the local oplock package does
   * (learn.microsoft.com "Breaking Oplocks": the system waits without a timeout). The 35 s often
   * quoted is the SMB server's acknowledgement timer (MS-SMB2 3.3.2.1), not the file system's.
   */
  oplockBreakTimeout: number | undefined
}

export const DEFAULT_NTFS_SETTINGS: NtfsSettings = {
  disableLastAccessUpdate: true,
  create8dot3Names: true,
  oplockBreakTimeout: undefined,
}

/** VCB: one mounted NTFS volume. */
export class Vcb {
  /** Vcb->Resource: exclusive for volume-wide changes (rename across directories, dismount) */
  readonly Resource: EResource
  /** the FCB table: one FCB per open file record */
  readonly fcbTable = new Map<RecordNo, Fcb>()
  /** the volume's open handles (DASD opens), for FSCTL_LOCK_VOLUME and dismount */
  volumeCleanupCount = 0
  /** set by FSCTL_DISMOUNT_VOLUME: further I/O fails with STATUS_VOLUME_DISMOUNTED */
  dismounted = false
  readonly settings: NtfsSettings
  /** per-volume state of other modules (change notification lists, volume locks …) */
  readonly ext = new Map<string, unknown>()
  /** who hears about directory changes (change notification, tests): see ./notify.ts */
  readonly changeListeners: ((change: DirectoryChange) => void)[] = []
  /**
   * Called at IRP_MJ_CLEANUP of each file object, before the driver's own cleanup (pending
   * change-notify IRPs complete with STATUS_NOTIFY_CLEANUP, oplocks break …).
   */
  readonly cleanupHooks: ((ccb: Ccb) => void)[] = []
  /** the volume device object, created by mountNtfsVolume */
  volumeDevice!: DeviceObject
  /** the Cache Manager's entry points once it is attached; until then cached I/O goes to the store */
  cache: NtfsCacheSeam | undefined
  /** the Cache Manager itself (the fast I/O routines call it as FsRtlCopyRead does) */
  cc: CacheManager | undefined
  /** FCBs made by the create in progress, dropped again if it fails */
  private readonly fresh: Fcb[] = []

  constructor(
    readonly io: IoManager,
    readonly store: NtfsStore,
    readonly realDevice: DeviceObject,
    readonly vpb: Vpb,
    settings: Partial<NtfsSettings> = {},
  ) {
    this.Resource = new EResource(io.ke, 'Vcb->Resource')
    this.settings = { ...DEFAULT_NTFS_SETTINGS, ...settings }
  }

  /** the FCB of a record, created (unreferenced) on first use */
  fcbFor(record: FileRecord): Fcb {
    let f = this.fcbTable.get(record.record)
    if (f && f.seq !== record.seq) {
      // unverified: a stale FCB whose record was freed and reused; NTFS would never keep one
      this.fcbTable.delete(record.record)
      f = undefined
    }
    if (!f) {
      f = new Fcb(this, record.record, record.seq, record.isDirectory ? 'directory' : 'file')
      this.fcbTable.set(record.record, f)
      this.fresh.push(f)
    }
    return f
  }

  /** at the end of a create: FCBs it made that no file object uses are dropped */
  sweepFresh(): void {
    for (const f of this.fresh.splice(0)) this.maybeTeardown(f)
  }

  /** the FCB for volume (DASD) opens */
  volumeFcb(): Fcb {
    let f = this.fcbTable.get(VOLUME_RECORD)
    if (!f) {
      f = new Fcb(this, VOLUME_RECORD, VOLUME_RECORD, 'volume')
      this.fcbTable.set(VOLUME_RECORD, f)
    }
    return f
  }

  /** NTFS compares names by the volume's $UpCase table */
  upcase(name: string): string {
    return this.store.upcase(name)
  }

  linkKey(link: Link): string {
    return `${link.parent}\\${this.upcase(link.name)}`
  }

  /** drops an FCB that no file object references any more */
  maybeTeardown(fcb: Fcb): void {
    if (fcb.closeCount > 0 || fcb.cleanupCount > 0) return
    if (this.fcbTable.get(fcb.record) === fcb) this.fcbTable.delete(fcb.record)
  }
}

export type FcbKind = 'file' | 'directory' | 'volume'

/** FCB: one open file record. */
export class Fcb {
  /** FSRTL_ADVANCED_FCB_HEADER.Resource — the main resource (shared by every SCB of the file) */
  readonly Resource: EResource
  /** FSRTL_ADVANCED_FCB_HEADER.PagingIoResource */
  readonly PagingIoResource: EResource
  /** open streams by upcased stream name ('' = the unnamed $DATA, or $I30 for a directory) */
  readonly scbs = new Map<string, Scb>()
  /** handles on any stream of the file (IRP_MJ_CLEANUP not yet received) */
  cleanupCount = 0
  /** file objects on any stream of the file (IRP_MJ_CLOSE not yet received) */
  closeCount = 0
  /** the CCBs of every file object open on the file (any stream) */
  readonly ccbs = new Set<Ccb>()
  /** handles per link (by Vcb.linkKey), opened by name */
  readonly linkCleanupCounts = new Map<string, number>()
  /** links marked for deletion (FileDispositionInformation, FILE_DELETE_ON_CLOSE at cleanup) */
  readonly deletePendingLinks = new Set<string>()
  /**
   * FILE_DISPOSITION_POSIX_SEMANTICS / POSIX rename over an open file: the names are already
   * gone and the file lives on, nameless, while handles remain (NTFS keeps it in
   * \$Extend\$Deleted). Clearing the disposition then fails with STATUS_FILE_DELETED.
   */
  posixDeleted = false
  /** the record was freed (FCB_STATE_FILE_DELETED): I/O through remaining file objects fails */
  fileDeleted = false
  /** per-file state of other modules */
  readonly ext = new Map<string, unknown>()

  constructor(
    readonly vcb: Vcb,
    readonly record: RecordNo,
    readonly seq: number,
    readonly kind: FcbKind,
  ) {
    this.Resource = new EResource(vcb.io.ke, `Fcb ${record} Resource`)
    this.PagingIoResource = new EResource(vcb.io.ke, `Fcb ${record} PagingIoResource`)
  }

  get isDirectory(): boolean {
    return this.kind === 'directory'
  }

  /** FILE_INTERNAL_INFORMATION.IndexNumber: the file reference (sequence << 48 | record) */
  get fileReference(): bigint {
    return (BigInt(this.seq & 0xffff) << 48n) | BigInt(this.record)
  }

  /** the record as the store has it now (undefined once deleted) */
  read(): FileRecord | undefined {
    if (this.kind === 'volume' || this.fileDeleted) return undefined
    return this.vcb.store.readRecord(this.record)
  }

  /** like read(), for code paths where the record must exist */
  mustRead(): FileRecord {
    const r = this.read()
    if (!r) throw new Error(`NTFS: file record ${this.record} is gone but its FCB is in use`)
    return r
  }

  /** the names that are not DOS-only (the links a caller sees) */
  links(): FileNameLink[] {
    const r = this.read()
    if (!r) return []
    return r.names.filter((n) => n.nameSpace !== NameSpace.Dos)
  }

  isLinkDeletePending(link: Link | undefined): boolean {
    if (this.posixDeleted) return true
    if (!link) return false
    return this.deletePendingLinks.has(this.vcb.linkKey(link))
  }
}

export type ScbKind = 'data' | 'index' | 'volume'

/**
 * FSRTL_ADVANCED_FCB_HEADER: what the Cache Manager and FsRtl read. The sizes mirror the
 * store's stream sizes; every path that changes a size goes through setStreamSizes in
 * ./sizes.ts so the two never disagree.
 */
export interface FsrtlAdvancedFcbHeader {
  Resource: EResource
  PagingIoResource: EResource
  AllocationSize: number
  FileSize: number
  ValidDataLength: number
  /** FastIoIsPossible / FastIoIsQuestionable / FastIoIsNotPossible */
  IsFastIoPossible: 'FastIoIsPossible' | 'FastIoIsQuestionable' | 'FastIoIsNotPossible'
}

/** SCB: one open stream of a file. */
export class Scb {
  readonly shareAccess: ShareAccess = newShareAccess()
  /** handles on this stream */
  cleanupCount = 0
  /** file objects on this stream */
  closeCount = 0
  /** a named stream marked for deletion: deleted when its last handle goes */
  deletePending = false
  /** the named stream was deleted (at its last cleanup); file objects still on it get STATUS_FILE_DELETED */
  streamDeleted = false
  readonly header: FsrtlAdvancedFcbHeader
  /** SECTION_OBJECT_POINTERS shared by every file object of the stream */
  readonly sectionObjectPointers: SectionObjectPointers = { DataSectionObject: undefined, SharedCacheMap: undefined, ImageSectionObject: undefined }
  /** FILE_LOCK: byte-range locks of this stream */
  readonly fileLock: FileLock
  /**
   * How far cached writes have made data valid in memory (Scb->Header.ValidDataLength on
   * Windows), ahead of the valid data length on disk until the lazy writer catches up.
   */
  cachedValidData = 0
  /** per-stream state of other modules (oplocks …) */
  readonly ext = new Map<string, unknown>()

  constructor(
    readonly fcb: Fcb,
    /** the stream name as stored ('' for the unnamed $DATA and for a directory's index) */
    public streamName: string,
    readonly kind: ScbKind,
  ) {
    this.header = {
      Resource: fcb.Resource,
      PagingIoResource: fcb.PagingIoResource,
      AllocationSize: 0,
      FileSize: 0,
      ValidDataLength: 0,
      IsFastIoPossible: 'FastIoIsPossible',
    }
    this.fileLock = new FileLock()
  }

  get key(): string {
    return this.fcb.vcb.upcase(this.streamName)
  }

  get isDefaultStream(): boolean {
    return this.streamName === ''
  }
}

/** CCB_FLAG_* equivalents */
export interface CcbFlags {
  /** FILE_DELETE_ON_CLOSE: the link becomes delete-pending at this handle's cleanup */
  deleteOnClose: boolean
  /** FILE_OPEN_REPARSE_POINT: the reparse point itself was opened */
  openedReparsePoint: boolean
  /** FILE_OPEN_BY_FILE_ID (or by object id): no link, rename and delete are refused */
  openedById: boolean
  /** SL_CASE_SENSITIVE was set (OBJ_CASE_INSENSITIVE not given) */
  caseSensitive: boolean
  /** IRP_MJ_CLEANUP was received */
  cleanedUp: boolean
}

/**
 * How one handle drives a timestamp (MS-FSCC 2.4.7 FILE_BASIC_INFORMATION): 'auto' — the file
 * system updates it; 'user' — the caller set it, so this handle's operations no longer
 * change it; 'frozen' — set to -1, updates through this handle stop until -2.
 */
export type TimeControl = 'auto' | 'user' | 'frozen'

export interface CcbTimeControl {
  lastWrite: TimeControl
  change: TimeControl
  lastAccess: TimeControl
}

/** CCB: one open file object. */
export class Ccb {
  readonly flags: CcbFlags = { deleteOnClose: false, openedReparsePoint: false, openedById: false, caseSensitive: false, cleanedUp: false }
  readonly time: CcbTimeControl = { lastWrite: 'auto', change: 'auto', lastAccess: 'auto' }
  /** FILE_DISPOSITION_POSIX_SEMANTICS was set through this handle: its cleanup removes the link */
  posixDelete = false
  /** data was written through this handle (cleanup stamps the times) */
  modified = false
  /** the file's size changed through this handle */
  sizeChanged = false
  /** the file was read through this handle (last access, when updates are enabled) */
  accessed = false
  /** per-handle state of other modules (directory enumeration cursor, notify IRPs …) */
  readonly ext = new Map<string, unknown>()

  constructor(
    readonly scb: Scb,
    readonly fileObject: FileObject,
    /** the link this open came through; undefined for the root, the volume and opens by id */
    public link: Link | undefined,
    /** the access granted to the open (MAXIMUM_ALLOWED resolved) */
    readonly grantedAccess: number,
    /** CreateOptions of the open (FILE_SYNCHRONOUS_IO_*, FILE_NO_INTERMEDIATE_BUFFERING …) */
    readonly createOptions: number,
  ) {}

  get fcb(): Fcb {
    return this.scb.fcb
  }

  get vcb(): Vcb {
    return this.scb.fcb.vcb
  }
}

/** The CCB/SCB of a file object this driver opened, or undefined for a foreign one. */
export function ccbOf(fo: FileObject | undefined): Ccb | undefined {
  const c = fo?.FsContext2
  return c instanceof Ccb ? c : undefined
}

export function scbOf(fo: FileObject | undefined): Scb | undefined {
  const s = fo?.FsContext
  return s instanceof Scb ? s : undefined
}
