// IRP_MN_MDL reads and writes: the SMB server's zero-copy path when the fast MDL routines
// decline. NtfsCommonRead/Write give a cached MDL request to the Cache Manager (CcMdlRead,
// CcPrepareMdlWrite) and return its MDL in Irp->MdlAddress with the byte count; the caller uses
// the pages and sends IRP_MN_COMPLETE_MDL with the same MDL (CcMdlReadComplete,
// CcMdlWriteComplete), which makes written data dirty in the cache.

import type { Irp, IoStackLocation } from '../../io/irp.ts'
import { IRP_MN_READ_WRITE } from '../../nt/irp.ts'
import { STATUS } from '../../nt/status.ts'
import type { CcMdl } from '../../cc/cache-manager.ts'
import { ensureCaching } from './cache-attach.ts'
import { outcome, type Outcome } from './complete.ts'
import { isNonCached } from './rw-common.ts'
import { refreshHeader, setStreamSizes } from './sizes.ts'
import type { Ccb } from './structures.ts'
import { FO } from '../../io/file-object.ts'
import type { Co } from '../../ke/index.ts'

/** IRP_MN_MDL and its completion (IRP_MN_COMPLETE_MDL), with or without the DPC bit */
export function isMdlRequest(sp: IoStackLocation): boolean {
  return (sp.MinorFunction & IRP_MN_READ_WRITE.IRP_MN_MDL) !== 0
}

function isCompletion(sp: IoStackLocation): boolean {
  return (sp.MinorFunction & IRP_MN_READ_WRITE.IRP_MN_COMPLETE) !== 0
}

/** the MDL an IRP_MN_COMPLETE_MDL returns, if it is one the Cache Manager gave out for this file */
function returnedMdl(ccb: Ccb, irp: Irp): CcMdl | undefined {
  const mdl = irp.MdlAddress as CcMdl | undefined
  return mdl && mdl.fileObject === ccb.fileObject ? mdl : undefined
}

/** an MDL write: CcPrepareMdlWrite, or CcMdlWriteComplete */
export function* mdlWrite(ccb: Ccb, irp: Irp, sp: IoStackLocation, offset: number, length: number): Co<Outcome> {
  const cc = ccb.vcb.cc
  const { scb, fileObject: fo } = ccb
  // unverified: MDL requests are cached I/O only (NTFS asserts it); refused otherwise
  if (!cc || isNonCached(irp, fo)) return outcome(STATUS.STATUS_INVALID_PARAMETER)
  if (isCompletion(sp)) {
    const mdl = returnedMdl(ccb, irp)
    if (!mdl) return outcome(STATUS.STATUS_INVALID_PARAMETER)
    cc.mdlWriteComplete(fo, offset, mdl)
    irp.MdlAddress = undefined
    return outcome(STATUS.STATUS_SUCCESS, 0)
  }
  ensureCaching(cc, scb, fo)
  refreshHeader(scb)
  if (offset + length > scb.header.FileSize) {
    setStreamSizes(scb, { size: offset + length })
    ccb.vcb.cache?.setFileSizes(scb)
  }
  const r = yield* cc.prepareMdlWrite(fo, offset, length)
  if (r.status !== STATUS.STATUS_SUCCESS || !r.mdl) return outcome(r.status === STATUS.STATUS_SUCCESS ? STATUS.STATUS_INSUFFICIENT_RESOURCES : r.status)
  if (offset + length > scb.cachedValidData) scb.cachedValidData = offset + length
  refreshHeader(scb)
  ccb.modified = true
  fo.Flags |= FO.FO_FILE_MODIFIED
  irp.MdlAddress = r.mdl
  return outcome(STATUS.STATUS_SUCCESS, length)
}

/** an MDL read: CcMdlRead (to the end of the file), or CcMdlReadComplete */
export function* mdlRead(ccb: Ccb, irp: Irp, sp: IoStackLocation, offset: number, length: number): Co<Outcome> {
  const cc = ccb.vcb.cc
  const { scb, fileObject: fo } = ccb
  if (!cc || isNonCached(irp, fo)) return outcome(STATUS.STATUS_INVALID_PARAMETER)
  if (isCompletion(sp)) {
    const mdl = returnedMdl(ccb, irp)
    if (!mdl) return outcome(STATUS.STATUS_INVALID_PARAMETER)
    cc.mdlReadComplete(mdl)
    irp.MdlAddress = undefined
    return outcome(STATUS.STATUS_SUCCESS, 0)
  }
  refreshHeader(scb)
  const size = scb.header.FileSize
  if (offset >= size) return outcome(STATUS.STATUS_END_OF_FILE)
  const n = Math.min(length, size - offset)
  ensureCaching(cc, scb, fo)
  const r = yield* cc.mdlRead(fo, offset, n)
  if (r.status !== STATUS.STATUS_SUCCESS || !r.mdl) return outcome(r.status === STATUS.STATUS_SUCCESS ? STATUS.STATUS_INSUFFICIENT_RESOURCES : r.status)
  irp.MdlAddress = r.mdl
  return outcome(STATUS.STATUS_SUCCESS, n)
}
