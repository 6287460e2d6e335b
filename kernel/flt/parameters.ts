// FLT_PARAMETERS as fltKernel.h lays it out: one union of pointer-sized slots, read through
// named views (Create, Read, Write, QueryFileInformation …). The views alias the same slots, as
// the C union does, so a filter that reads Parameters.Others.Argument1..6 (minispy) or a
// QueryDirectory field of a notify request (swapBuffers) reads what it would read on Windows.
// Slot numbers follow the x64 layout (POINTER_ALIGNMENT fields start a new slot).

/** how many slots FltMgr keeps: the six of FLT_PARAMETERS plus spare union members */
export const PARAMETER_SLOTS = 8

type Layout = Readonly<Record<string, number>>

/**
 * Defines a view class whose properties read and write the given slots. Fields that share a
 * slot in the C union (FileAttributes/ShareAccess of Create) are given as [slot, shift, bits].
 */
function defineView<T>(layout: Layout, packed: Readonly<Record<string, [slot: number, shift: number, bits: number]>> = {}): new (slots: unknown[]) => T {
  class View {
    constructor(readonly _s: unknown[]) {}
  }
  for (const [name, slot] of Object.entries(layout)) {
    Object.defineProperty(View.prototype, name, {
      get(this: View) {
        return this._s[slot]
      },
      set(this: View, v: unknown) {
        this._s[slot] = v
      },
      enumerable: true,
    })
  }
  for (const [name, [slot, shift, bits]] of Object.entries(packed)) {
    const unit = 2 ** shift
    const span = 2 ** bits
    Object.defineProperty(View.prototype, name, {
      get(this: View) {
        return Math.floor(Number(this._s[slot] ?? 0) / unit) % span
      },
      set(this: View, v: number) {
        const raw = Number(this._s[slot] ?? 0)
        const old = Math.floor(raw / unit) % span
        this._s[slot] = raw + ((Math.trunc(v) % span) - old) * unit
      },
      enumerable: true,
    })
  }
  return View as unknown as new (slots: unknown[]) => T
}

/** IO_SECURITY_CONTEXT as the create parameters carry it */
export interface IO_SECURITY_CONTEXT {
  DesiredAccess: number
  AccessState?: { RemainingDesiredAccess: number; PreviouslyGrantedAccess: number }
}

export interface FLT_PARAMETERS_CREATE {
  SecurityContext: IO_SECURITY_CONTEXT
  /** CreateDisposition in the high 8 bits, CreateOptions in the low 24 */
  Options: number
  FileAttributes: number
  ShareAccess: number
  EaLength: number
  EaBuffer: unknown
  AllocationSize: number
}
export interface FLT_PARAMETERS_READ {
  Length: number
  Key: number
  ByteOffset: number
  ReadBuffer: Uint8Array | undefined
  MdlAddress: unknown
}
export interface FLT_PARAMETERS_WRITE {
  Length: number
  Key: number
  ByteOffset: number
  WriteBuffer: Uint8Array | undefined
  MdlAddress: unknown
}
export interface FLT_PARAMETERS_QUERY_FILE {
  Length: number
  FileInformationClass: number
  InfoBuffer: Uint8Array | undefined
}
export interface FLT_PARAMETERS_SET_FILE {
  Length: number
  FileInformationClass: number
  ParentOfTarget: unknown
  ReplaceIfExists: boolean
  AdvanceOnly: boolean
  ClusterCount: number
  DeleteHandle: unknown
  InfoBuffer: Uint8Array | undefined
}
export interface FLT_PARAMETERS_QUERY_EA {
  Length: number
  EaList: unknown
  EaListLength: number
  EaIndex: number
  EaBuffer: Uint8Array | undefined
  MdlAddress: unknown
}
export interface FLT_PARAMETERS_SET_EA {
  Length: number
  EaBuffer: Uint8Array | undefined
  MdlAddress: unknown
}
export interface FLT_PARAMETERS_VOLUME {
  Length: number
  FsInformationClass: number
  VolumeBuffer: Uint8Array | undefined
}
export interface FLT_PARAMETERS_QUERY_DIRECTORY {
  Length: number
  FileName: string | undefined
  FileInformationClass: number
  FileIndex: number
  DirectoryBuffer: Uint8Array | undefined
  MdlAddress: unknown
}
export interface FLT_PARAMETERS_NOTIFY_DIRECTORY {
  Length: number
  CompletionFilter: number
  Spare1: number
  Spare2: number
  DirectoryBuffer: Uint8Array | undefined
  MdlAddress: unknown
}
export interface FLT_PARAMETERS_DIRECTORY_CONTROL {
  QueryDirectory: FLT_PARAMETERS_QUERY_DIRECTORY
  NotifyDirectory: FLT_PARAMETERS_NOTIFY_DIRECTORY
}
export interface FLT_PARAMETERS_FSCTL_COMMON {
  OutputBufferLength: number
  InputBufferLength: number
  FsControlCode: number
}
export interface FLT_PARAMETERS_FSCTL_NEITHER extends FLT_PARAMETERS_FSCTL_COMMON {
  InputBuffer: Uint8Array | undefined
  OutputBuffer: Uint8Array | undefined
  OutputMdlAddress: unknown
}
export interface FLT_PARAMETERS_FSCTL_BUFFERED extends FLT_PARAMETERS_FSCTL_COMMON {
  SystemBuffer: Uint8Array | undefined
}
export interface FLT_PARAMETERS_FSCTL_DIRECT extends FLT_PARAMETERS_FSCTL_COMMON {
  InputSystemBuffer: Uint8Array | undefined
  OutputBuffer: Uint8Array | undefined
  OutputMdlAddress: unknown
}
export interface FLT_PARAMETERS_FILE_SYSTEM_CONTROL {
  VerifyVolume: { Vpb: unknown; DeviceObject: unknown }
  Common: FLT_PARAMETERS_FSCTL_COMMON
  Neither: FLT_PARAMETERS_FSCTL_NEITHER
  Buffered: FLT_PARAMETERS_FSCTL_BUFFERED
  Direct: FLT_PARAMETERS_FSCTL_DIRECT
}
export interface FLT_PARAMETERS_DEVICE_IO_CONTROL {
  Common: { OutputBufferLength: number; InputBufferLength: number; IoControlCode: number }
  Neither: { OutputBufferLength: number; InputBufferLength: number; IoControlCode: number; InputBuffer: unknown; OutputBuffer: unknown; OutputMdlAddress: unknown }
  Buffered: { OutputBufferLength: number; InputBufferLength: number; IoControlCode: number; SystemBuffer: unknown }
  Direct: { OutputBufferLength: number; InputBufferLength: number; IoControlCode: number; InputSystemBuffer: unknown; OutputBuffer: unknown; OutputMdlAddress: unknown }
}
export interface FLT_PARAMETERS_LOCK_CONTROL {
  Length: number
  Key: number
  ByteOffset: number
  ProcessId: unknown
  FailImmediately: boolean
  ExclusiveLock: boolean
}
export interface FLT_PARAMETERS_NETWORK_QUERY_OPEN {
  Irp: unknown
  NetworkInformation: Uint8Array | undefined
}
export interface FLT_PARAMETERS_QUERY_OPEN {
  Irp: unknown
  FileInformation: Uint8Array | undefined
  Length: number
  FileInformationClass: number
}
export interface FLT_PARAMETERS_FAST_IO_CHECK_IF_POSSIBLE {
  FileOffset: number
  Length: number
  LockKey: number
  CheckForReadOperation: boolean
}
export interface FLT_PARAMETERS_MDL_READ {
  FileOffset: number
  Length: number
  Key: number
  MdlChain: unknown
}
export interface FLT_PARAMETERS_ACQUIRE_FOR_SECTION_SYNCHRONIZATION {
  SyncType: number
  PageProtection: number
  OutputInformation: unknown
  Flags: number
  AllocationAttributes: number
}
export interface FLT_PARAMETERS_ACQUIRE_FOR_MOD_WRITE {
  EndingOffset: number
  ResourceToRelease: unknown
}
export interface FLT_PARAMETERS_RELEASE_FOR_MOD_WRITE {
  ResourceToRelease: unknown
}
export interface FLT_PARAMETERS_OTHERS {
  Argument1: unknown
  Argument2: unknown
  Argument3: unknown
  Argument4: unknown
  Argument5: unknown
  Argument6: unknown
}

const CreateView = defineView<FLT_PARAMETERS_CREATE>(
  { SecurityContext: 0, Options: 1, EaLength: 3, EaBuffer: 4, AllocationSize: 5 },
  { FileAttributes: [2, 0, 16], ShareAccess: [2, 16, 16] },
)
const ReadView = defineView<FLT_PARAMETERS_READ>({ Length: 0, Key: 1, ByteOffset: 2, ReadBuffer: 3, MdlAddress: 4 })
const WriteView = defineView<FLT_PARAMETERS_WRITE>({ Length: 0, Key: 1, ByteOffset: 2, WriteBuffer: 3, MdlAddress: 4 })
const QueryFileView = defineView<FLT_PARAMETERS_QUERY_FILE>({ Length: 0, FileInformationClass: 1, InfoBuffer: 2 })
// the union of ReplaceIfExists/AdvanceOnly, ClusterCount and DeleteHandle is slot 3 on Windows;
// the members are kept apart here (AdvanceOnly, ClusterCount, DeleteHandle in spare slots)
const SetFileView = defineView<FLT_PARAMETERS_SET_FILE>({
  Length: 0,
  FileInformationClass: 1,
  ParentOfTarget: 2,
  ReplaceIfExists: 3,
  InfoBuffer: 4,
  AdvanceOnly: 5,
  ClusterCount: 6,
  DeleteHandle: 7,
})
const QueryEaView = defineView<FLT_PARAMETERS_QUERY_EA>({ Length: 0, EaList: 1, EaListLength: 2, EaIndex: 3, EaBuffer: 4, MdlAddress: 5 })
const SetEaView = defineView<FLT_PARAMETERS_SET_EA>({ Length: 0, EaBuffer: 1, MdlAddress: 2 })
const VolumeView = defineView<FLT_PARAMETERS_VOLUME>({ Length: 0, FsInformationClass: 1, VolumeBuffer: 2 })
const QueryDirectoryView = defineView<FLT_PARAMETERS_QUERY_DIRECTORY>({ Length: 0, FileName: 1, FileInformationClass: 2, FileIndex: 3, DirectoryBuffer: 4, MdlAddress: 5 })
const NotifyDirectoryView = defineView<FLT_PARAMETERS_NOTIFY_DIRECTORY>({ Length: 0, CompletionFilter: 1, Spare1: 2, Spare2: 3, DirectoryBuffer: 4, MdlAddress: 5 })
const FsctlCommon = { OutputBufferLength: 0, InputBufferLength: 1, FsControlCode: 2 }
const FsctlCommonView = defineView<FLT_PARAMETERS_FSCTL_COMMON>(FsctlCommon)
const FsctlNeitherView = defineView<FLT_PARAMETERS_FSCTL_NEITHER>({ ...FsctlCommon, InputBuffer: 3, OutputBuffer: 4, OutputMdlAddress: 5 })
const FsctlBufferedView = defineView<FLT_PARAMETERS_FSCTL_BUFFERED>({ ...FsctlCommon, SystemBuffer: 3 })
const FsctlDirectView = defineView<FLT_PARAMETERS_FSCTL_DIRECT>({ ...FsctlCommon, InputSystemBuffer: 3, OutputBuffer: 4, OutputMdlAddress: 5 })
const VerifyVolumeView = defineView<{ Vpb: unknown; DeviceObject: unknown }>({ Vpb: 0, DeviceObject: 1 })
const IoctlCommon = { OutputBufferLength: 0, InputBufferLength: 1, IoControlCode: 2 }
const IoctlCommonView = defineView<FLT_PARAMETERS_DEVICE_IO_CONTROL['Common']>(IoctlCommon)
const IoctlNeitherView = defineView<FLT_PARAMETERS_DEVICE_IO_CONTROL['Neither']>({ ...IoctlCommon, InputBuffer: 3, OutputBuffer: 4, OutputMdlAddress: 5 })
const IoctlBufferedView = defineView<FLT_PARAMETERS_DEVICE_IO_CONTROL['Buffered']>({ ...IoctlCommon, SystemBuffer: 3 })
const IoctlDirectView = defineView<FLT_PARAMETERS_DEVICE_IO_CONTROL['Direct']>({ ...IoctlCommon, InputSystemBuffer: 3, OutputBuffer: 4, OutputMdlAddress: 5 })
const LockControlView = defineView<FLT_PARAMETERS_LOCK_CONTROL>({ Length: 0, Key: 1, ByteOffset: 2, ProcessId: 3, FailImmediately: 4, ExclusiveLock: 5 })
const NetworkQueryOpenView = defineView<FLT_PARAMETERS_NETWORK_QUERY_OPEN>({ Irp: 0, NetworkInformation: 1 })
const QueryOpenView = defineView<FLT_PARAMETERS_QUERY_OPEN>({ Irp: 0, FileInformation: 1, Length: 2, FileInformationClass: 3 })
const CheckIfPossibleView = defineView<FLT_PARAMETERS_FAST_IO_CHECK_IF_POSSIBLE>({ FileOffset: 0, Length: 1, LockKey: 2, CheckForReadOperation: 3 })
const MdlReadView = defineView<FLT_PARAMETERS_MDL_READ>({ FileOffset: 0, Length: 1, Key: 2, MdlChain: 3 })
const SectionSyncView = defineView<FLT_PARAMETERS_ACQUIRE_FOR_SECTION_SYNCHRONIZATION>({ SyncType: 0, PageProtection: 1, OutputInformation: 2, Flags: 3, AllocationAttributes: 4 })
const ModWriteView = defineView<FLT_PARAMETERS_ACQUIRE_FOR_MOD_WRITE>({ EndingOffset: 0, ResourceToRelease: 1 })
const ReleaseModWriteView = defineView<FLT_PARAMETERS_RELEASE_FOR_MOD_WRITE>({ ResourceToRelease: 0 })
const OthersView = defineView<FLT_PARAMETERS_OTHERS>({ Argument1: 0, Argument2: 1, Argument3: 2, Argument4: 3, Argument5: 4, Argument6: 5 })

/** FLT_PARAMETERS: one set of slots, every member of the union a view of them */
export class FLT_PARAMETERS {
  readonly slots: unknown[]
  private views: Record<string, unknown> | undefined
  constructor(slots?: unknown[]) {
    this.slots = slots ?? new Array<unknown>(PARAMETER_SLOTS).fill(undefined)
  }
  private v<T>(key: string, make: () => T): T {
    const views = (this.views ??= {})
    return (views[key] ??= make()) as T
  }
  get Create(): FLT_PARAMETERS_CREATE {
    return this.v('Create', () => new CreateView(this.slots))
  }
  get CreatePipe(): FLT_PARAMETERS_OTHERS {
    return this.Others
  }
  get Read(): FLT_PARAMETERS_READ {
    return this.v('Read', () => new ReadView(this.slots))
  }
  get Write(): FLT_PARAMETERS_WRITE {
    return this.v('Write', () => new WriteView(this.slots))
  }
  get QueryFileInformation(): FLT_PARAMETERS_QUERY_FILE {
    return this.v('QueryFileInformation', () => new QueryFileView(this.slots))
  }
  get SetFileInformation(): FLT_PARAMETERS_SET_FILE {
    return this.v('SetFileInformation', () => new SetFileView(this.slots))
  }
  get QueryEa(): FLT_PARAMETERS_QUERY_EA {
    return this.v('QueryEa', () => new QueryEaView(this.slots))
  }
  get SetEa(): FLT_PARAMETERS_SET_EA {
    return this.v('SetEa', () => new SetEaView(this.slots))
  }
  get QueryVolumeInformation(): FLT_PARAMETERS_VOLUME {
    return this.v('QueryVolumeInformation', () => new VolumeView(this.slots))
  }
  get SetVolumeInformation(): FLT_PARAMETERS_VOLUME {
    return this.QueryVolumeInformation
  }
  get DirectoryControl(): FLT_PARAMETERS_DIRECTORY_CONTROL {
    return this.v('DirectoryControl', () => ({
      QueryDirectory: new QueryDirectoryView(this.slots),
      NotifyDirectory: new NotifyDirectoryView(this.slots),
    }))
  }
  get FileSystemControl(): FLT_PARAMETERS_FILE_SYSTEM_CONTROL {
    return this.v('FileSystemControl', () => ({
      VerifyVolume: new VerifyVolumeView(this.slots),
      Common: new FsctlCommonView(this.slots),
      Neither: new FsctlNeitherView(this.slots),
      Buffered: new FsctlBufferedView(this.slots),
      Direct: new FsctlDirectView(this.slots),
    }))
  }
  get DeviceIoControl(): FLT_PARAMETERS_DEVICE_IO_CONTROL {
    return this.v('DeviceIoControl', () => ({
      Common: new IoctlCommonView(this.slots),
      Neither: new IoctlNeitherView(this.slots),
      Buffered: new IoctlBufferedView(this.slots),
      Direct: new IoctlDirectView(this.slots),
    }))
  }
  get LockControl(): FLT_PARAMETERS_LOCK_CONTROL {
    return this.v('LockControl', () => new LockControlView(this.slots))
  }
  get NetworkQueryOpen(): FLT_PARAMETERS_NETWORK_QUERY_OPEN {
    return this.v('NetworkQueryOpen', () => new NetworkQueryOpenView(this.slots))
  }
  get QueryOpen(): FLT_PARAMETERS_QUERY_OPEN {
    return this.v('QueryOpen', () => new QueryOpenView(this.slots))
  }
  get FastIoCheckIfPossible(): FLT_PARAMETERS_FAST_IO_CHECK_IF_POSSIBLE {
    return this.v('FastIoCheckIfPossible', () => new CheckIfPossibleView(this.slots))
  }
  get MdlRead(): FLT_PARAMETERS_MDL_READ {
    return this.v('MdlRead', () => new MdlReadView(this.slots))
  }
  get PrepareMdlWrite(): FLT_PARAMETERS_MDL_READ {
    return this.MdlRead
  }
  get AcquireForSectionSynchronization(): FLT_PARAMETERS_ACQUIRE_FOR_SECTION_SYNCHRONIZATION {
    return this.v('AcquireForSectionSynchronization', () => new SectionSyncView(this.slots))
  }
  get AcquireForModifiedPageWriter(): FLT_PARAMETERS_ACQUIRE_FOR_MOD_WRITE {
    return this.v('AcquireForModifiedPageWriter', () => new ModWriteView(this.slots))
  }
  get ReleaseForModifiedPageWriter(): FLT_PARAMETERS_RELEASE_FOR_MOD_WRITE {
    return this.v('ReleaseForModifiedPageWriter', () => new ReleaseModWriteView(this.slots))
  }
  get Others(): FLT_PARAMETERS_OTHERS {
    return this.v('Others', () => new OthersView(this.slots))
  }
  /** copies every slot (FltMgr's saved parameters) */
  save(): unknown[] {
    return this.slots.slice()
  }
  /** puts saved slots back (the views keep working: they read the same array) */
  restore(saved: readonly unknown[]): void {
    for (let i = 0; i < PARAMETER_SLOTS; i++) this.slots[i] = saved[i]
  }
}
