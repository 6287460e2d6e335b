// FsRtl, the file systems' runtime library: the parts that live above the I/O manager and
// below the file systems (the opportunistic lock package).

export {
  FsRtlCheckOplock,
  FsRtlCheckOplockAndWait,
  FsRtlCheckOplockEx,
  FsRtlCurrentBatchOplock,
  FsRtlCurrentOplock,
  FsRtlCurrentOplockH,
  FsRtlInitializeOplock,
  FsRtlOplockCleanup,
  FsRtlOplockFsctrl,
  FsRtlOplockFsctrlEx,
  FsRtlOplockIsFastIoPossible,
  FsRtlUninitializeOplock,
  FsRtlWaitForOplockBreaks,
  OPLOCK_FLAG,
  OPLOCK_FSCTRL_FLAG,
  Oplock,
  isOplockFsctl,
  oplockAllowsFastIo,
  oplockBreakForEntryChange,
  oplockBreakInProgress,
  oplockKind,
  oplockOperationOf,
} from './oplock.ts'
export type { OplockCheckOptions, OplockCheckResult, OplockFsctrlContext, OplockGrant, OplockKind, OplockOperation, OplockRequestType } from './oplock.ts'
