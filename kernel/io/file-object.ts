// FILE_OBJECT: one per open instance of a file, stream or volume. Its lifecycle is an XState
// machine; I/O on a file object that is closed is a bugcheck, as a use-after-free would be.

import { BugCheck, BUGCODE, KEvent } from '../ke/index.ts'
import { ObjectHeader, type KObject, type ObjectType } from '../ob/index.ts'
import type { DeviceObject, Vpb } from './device.ts'
import { createFileObjectActor, type FileObjectActor, type FileObjectEvent, type FileObjectState } from './lifecycle.ts'

/** FO_* flags (wdm.h) */
export const FO = {
  FO_FILE_OPEN: 0x00000001,
  FO_SYNCHRONOUS_IO: 0x00000002,
  FO_ALERTABLE_IO: 0x00000004,
  FO_NO_INTERMEDIATE_BUFFERING: 0x00000008,
  FO_WRITE_THROUGH: 0x00000010,
  FO_SEQUENTIAL_ONLY: 0x00000020,
  FO_CACHE_SUPPORTED: 0x00000040,
  FO_NAMED_PIPE: 0x00000080,
  FO_STREAM_FILE: 0x00000100,
  FO_MAILSLOT: 0x00000200,
  FO_GENERATE_AUDIT_ON_CLOSE: 0x00000400,
  FO_DIRECT_DEVICE_OPEN: 0x00000800,
  FO_FILE_MODIFIED: 0x00001000,
  FO_FILE_SIZE_CHANGED: 0x00002000,
  FO_CLEANUP_COMPLETE: 0x00004000,
  FO_TEMPORARY_FILE: 0x00008000,
  FO_DELETE_ON_CLOSE: 0x00010000,
  FO_OPENED_CASE_SENSITIVE: 0x00020000,
  FO_HANDLE_CREATED: 0x00040000,
  FO_FILE_FAST_IO_READ: 0x00080000,
  FO_RANDOM_ACCESS: 0x00100000,
  FO_FILE_OPEN_CANCELLED: 0x00200000,
  FO_VOLUME_OPEN: 0x00400000,
  FO_REMOTE_ORIGIN: 0x01000000,
  FO_SKIP_COMPLETION_PORT: 0x02000000,
  FO_SKIP_SET_EVENT: 0x04000000,
  FO_SKIP_SET_FAST_IO: 0x08000000,
} as const

/** SECTION_OBJECT_POINTERS: shared by every file object of a stream */
export interface SectionObjectPointers {
  DataSectionObject: unknown
  SharedCacheMap: unknown
  ImageSectionObject: unknown
}

export interface LifecycleRecord {
  event: string
  from: FileObjectState
  to: FileObjectState
  time: number
}

export class FileObject implements KObject {
  readonly header: ObjectHeader
  /** a stable id for traces: FO#n */
  readonly id: number
  DeviceObject: DeviceObject
  Vpb: Vpb | undefined
  /** the file system's per-stream context (SCB / FCB) */
  FsContext: unknown
  /** the file system's per-open context (CCB) */
  FsContext2: unknown
  SectionObjectPointer: SectionObjectPointers | undefined
  PrivateCacheMap: unknown
  FinalStatus = 0
  RelatedFileObject: FileObject | undefined
  LockOperation = false
  DeletePending = false
  ReadAccess = false
  WriteAccess = false
  DeleteAccess = false
  SharedRead = false
  SharedWrite = false
  SharedDelete = false
  /**
   * IO_IGNORE_SHARE_ACCESS_CHECK (IoCreateFileEx, FltCreateFileEx): the file object's extension
   * says share access is neither checked nor recorded for it (IoSetFileObjectIgnoreSharing)
   */
  ignoreSharing = false
  Flags = 0
  /** the name as opened (changed by IoReplaceFileObjectName and by NTFS for target-directory opens) */
  FileName: string
  CurrentByteOffset = 0
  Waiters = 0
  Busy = false
  readonly Event: KEvent
  /** the file's name in Win32 form as the trace shows it (C:\dir\a.txt) */
  traceName: string
  /** FILE_OBJECT_EXTENSION-like slots for higher layers (Filter Manager contexts, oplock keys …) */
  readonly ext = new Map<string, unknown>()
  state: FileObjectState = 'creating'
  readonly history: LifecycleRecord[] = []
  private readonly actor: FileObjectActor

  constructor(
    type: ObjectType<FileObject>,
    id: number,
    device: DeviceObject,
    fileName: string,
    private readonly clock: { now: number },
    event: KEvent,
  ) {
    this.header = new ObjectHeader(type, fileName)
    this.id = id
    this.DeviceObject = device
    this.FileName = fileName
    this.traceName = fileName
    this.Event = event
    this.actor = createFileObjectActor()
  }

  /** drives the lifecycle machine; an event the current state does not accept is a bugcheck */
  transition(ev: FileObjectEvent): void {
    const snap = this.actor.getSnapshot()
    if (!snap.can(ev)) {
      throw new BugCheck(
        BUGCODE.DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL,
        `file object FO#${this.id} (${this.traceName}) got ${ev.type === 'NOTE' ? ev.what : ev.type} in state ${this.state}`,
        { params: [this.id, 0, 0, 0] },
      )
    }
    const from = this.state
    this.actor.send(ev)
    this.state = this.actor.getSnapshot().value as FileObjectState
    this.history.push({ event: ev.type === 'NOTE' ? ev.what : ev.type, from, to: this.state, time: this.clock.now })
  }

  /** records a lifecycle milestone (cache initialized, first write, section created) once */
  note(what: string): void {
    if (this.history.some((h) => h.event === what)) return
    this.transition({ type: 'NOTE', what })
  }

  /** the check every I/O path makes: a closed (freed) file object must not be used */
  assertUsable(operation: string): void {
    if (this.state === 'closed' || this.state === 'failed' || this.state === 'reparsed') {
      throw new BugCheck(
        BUGCODE.DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL,
        `${operation} on file object FO#${this.id} (${this.traceName}) in state ${this.state}`,
        { params: [this.id, 0, 0, 0] },
      )
    }
  }

  stop(): void {
    this.actor.stop()
  }
}
