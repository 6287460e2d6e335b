// Extended attributes: IRP_MJ_QUERY_EA and IRP_MJ_SET_EA (NtfsCommonQueryEa / NtfsCommonSetEa),
// and the EA rules create needs (EAs given at create, FILE_NEED_EA with FILE_NO_EA_KNOWLEDGE).
// FILE_FULL_EA_INFORMATION and FILE_GET_EA_INFORMATION come from kernel/rtl/structs/ea.ts.
//
// Behaviour observed on Windows NTFS (WinBtrfs src/tests/ea.cpp):
// - names are stored upper-cased; a query of a file without EAs is STATUS_NO_EAS_ON_FILE;
// - setting an EA that exists replaces it and moves it to the end; a zero-length value deletes;
// - an EaList query returns the listed EAs in the list's order, a missing one with an empty
//   value, and does not move the handle's EA position ("Read next EA" returns the first again);
// - without a list, single-entry queries walk the EAs from the handle's position and end with
//   STATUS_NO_MORE_EAS; SL_INDEX_SPECIFIED starts at EaIndex, which counts from 1;
// - FileEaInformation.EaSize is the size of the EAs as FILE_FULL_EA_INFORMATION entries, each
//   padded to 4 bytes;
// - EA requests on a volume handle fail with STATUS_INVALID_PARAMETER;
// - an open with FILE_NO_EA_KNOWLEDGE of a file that has a FILE_NEED_EA EA is STATUS_ACCESS_DENIED.

import type { Co } from '../../ke/index.ts'
import type { DeviceObject } from '../../io/device.ts'
import { IoGetCurrentIrpStackLocation, type Irp } from '../../io/irp.ts'
import { CREATE_OPTIONS, FILE_ACTION, FILE_NEED_EA, FILE_NOTIFY_CHANGE } from '../../nt/file.ts'
import { IRP_MJ, SL_FLAGS_QUERY_DIRECTORY } from '../../nt/irp.ts'
import { STATUS, type NTSTATUS } from '../../nt/status.ts'
import {
  checkEaBufferValidity,
  checkEaNames,
  decodeFullEaList,
  eaSizeAsNtfsReports,
  encodeFullEaQuery,
  isValidEaName,
  upcaseEaName,
  type EaEntryInput,
} from '../../rtl/structs/ea.ts'
import { completeIrp } from './complete.ts'
import { reportChange } from './notify.ts'
import type { EaEntry, FileRecord } from './store.ts'
import { ccbOf, type Ccb } from './structures.ts'
import { touchChange } from './times.ts'
import { storeFailure } from './volume.ts'

/** unverified: NTFS keeps at most 64 KiB of EAs per file ($EA is limited to 0xFFFF bytes) */
export const MAX_EA_SIZE = 0xffff

const CURSOR_KEY = 'ntfs.ea.next'

/** FileEaInformation.EaSize (and the EaSize of directory entries) for a file's EAs */
export function eaSize(eas: readonly EaEntry[]): number {
  return eaSizeAsNtfsReports(eas.map(toRtl))
}

const toRtl = (e: EaEntry): EaEntryInput => ({ Name: e.name, Value: e.value, Flags: e.flags })

/**
 * The check an open makes before anything else when the caller says it does not understand
 * EAs (FILE_NO_EA_KNOWLEDGE): a file that has an EA with FILE_NEED_EA cannot be opened.
 */
export function checkEaKnowledge(r: FileRecord, createOptions: number): NTSTATUS {
  if ((createOptions & CREATE_OPTIONS.FILE_NO_EA_KNOWLEDGE) === 0) return STATUS.STATUS_SUCCESS
  return r.eas.some((e) => e.flags & FILE_NEED_EA) ? STATUS.STATUS_ACCESS_DENIED : STATUS.STATUS_SUCCESS
}

/**
 * Applies a list of EAs to a file's EAs as NtSetEaFile and a create's EaBuffer do: names
 * upper-cased, an existing EA replaced (and moved to the end), a zero-length value deleting.
 */
export function mergeEas(current: readonly EaEntry[], changes: readonly EaEntry[]): EaEntry[] {
  let out = current.slice()
  for (const c of changes) {
    const name = upcaseEaName(c.name)
    out = out.filter((e) => e.name !== name)
    if (c.value.length > 0) out.push({ name, value: c.value.slice(), flags: c.flags & FILE_NEED_EA })
  }
  return out
}

/**
 * The EAs a create stores from its EaBuffer (already parsed by the I/O manager): names must be
 * legal (STATUS_INVALID_EA_NAME), a caller that says FILE_NO_EA_KNOWLEDGE cannot give an EA it
 * marks FILE_NEED_EA (STATUS_ACCESS_DENIED: WinFsp ea-test.c ea_create_dotest, run against NTFS),
 * and the total must be within NTFS's limit (STATUS_EA_TOO_LARGE).
 */
export function easForCreate(buffer: readonly EaEntry[] | undefined, createOptions = 0): { status: NTSTATUS; eas: EaEntry[] } {
  if (!buffer || buffer.length === 0) return { status: STATUS.STATUS_SUCCESS, eas: [] }
  for (const e of buffer) {
    if (!isValidEaName(e.name)) return { status: STATUS.STATUS_INVALID_EA_NAME, eas: [] }
  }
  if (createOptions & CREATE_OPTIONS.FILE_NO_EA_KNOWLEDGE && buffer.some((e) => e.flags & FILE_NEED_EA)) {
    return { status: STATUS.STATUS_ACCESS_DENIED, eas: [] }
  }
  const eas = mergeEas([], buffer)
  if (eaSize(eas) > MAX_EA_SIZE) return { status: STATUS.STATUS_EA_TOO_LARGE, eas: [] }
  return { status: STATUS.STATUS_SUCCESS, eas }
}

/** IRP_MJ_QUERY_EA and IRP_MJ_SET_EA dispatch */
export function* eaDispatch(_device: DeviceObject, irp: Irp): Co<NTSTATUS> {
  const sp = IoGetCurrentIrpStackLocation(irp)
  const ccb = ccbOf(sp.FileObject)
  // WinBtrfs "Try to read/write EA on volume": STATUS_INVALID_PARAMETER
  if (!ccb || ccb.scb.kind === 'volume') return completeIrp(irp, STATUS.STATUS_INVALID_PARAMETER)
  if (ccb.vcb.dismounted) return completeIrp(irp, STATUS.STATUS_VOLUME_DISMOUNTED)
  const query = sp.MajorFunction === IRP_MJ.IRP_MJ_QUERY_EA
  const res = ccb.fcb.Resource
  if (query) yield* res.acquireShared()
  else yield* res.acquireExclusive()
  try {
    if (ccb.fcb.fileDeleted) return completeIrp(irp, STATUS.STATUS_FILE_DELETED)
    if (query) {
      const r = queryEa(ccb, irp, sp.Flags)
      return completeIrp(irp, r.status, r.information)
    }
    const r = setEa(ccb, irp)
    return completeIrp(irp, r.status, r.information)
  } catch (e) {
    return completeIrp(irp, storeFailure(e))
  } finally {
    res.release()
  }
}

interface EaOutcome {
  status: NTSTATUS
  information: number
}

function queryEa(ccb: Ccb, irp: Irp, flags: number): EaOutcome {
  const p = IoGetCurrentIrpStackLocation(irp).Parameters.QueryEa
  const out = irp.SystemBuffer
  if (!p || !out) return { status: STATUS.STATUS_INVALID_PARAMETER, information: 0 }
  const length = Math.min(p.Length, out.length)
  const single = (flags & SL_FLAGS_QUERY_DIRECTORY.SL_RETURN_SINGLE_ENTRY) !== 0
  const eas = ccb.fcb.mustRead().eas
  if (eas.length === 0) return { status: STATUS.STATUS_NO_EAS_ON_FILE, information: 0 }

  let selected: EaEntryInput[]
  let start = 0
  const list = p.EaList
  if (list && list.length > 0) {
    // the listed EAs in the list's order, each name once; one the file does not have comes back
    // empty; a name that is not a legal EA name fails the query (WinFsp ea-test.c ea_check_ea,
    // run against NTFS)
    if (list.some((n) => !isValidEaName(n))) return { status: STATUS.STATUS_INVALID_EA_NAME, information: 0 }
    const names = [...new Set(list.map(upcaseEaName))]
    selected = names.map((name) => {
      const e = eas.find((x) => x.name === name)
      return e ? toRtl(e) : { Name: name, Value: new Uint8Array(0), Flags: 0 }
    })
  } else {
    const cursor = (ccb.ext.get(CURSOR_KEY) as number | undefined) ?? 0
    if (flags & SL_FLAGS_QUERY_DIRECTORY.SL_INDEX_SPECIFIED) {
      // EaIndex counts from 1; one past the last is the end of the list
      // unverified: an index of 0 or beyond the end + 1 is STATUS_NONEXISTENT_EA_ENTRY (the fastfat sample's rule)
      if (p.EaIndex === 0 || p.EaIndex > eas.length + 1) return { status: STATUS.STATUS_NONEXISTENT_EA_ENTRY, information: 0 }
      start = p.EaIndex - 1
    } else {
      start = flags & SL_FLAGS_QUERY_DIRECTORY.SL_RESTART_SCAN ? 0 : cursor
    }
    if (start >= eas.length) return { status: STATUS.STATUS_NO_MORE_EAS, information: 0 }
    selected = eas.slice(start).map(toRtl)
  }
  const r = encodeFullEaQuery(selected, length, single)
  // a list is answered whole or not at all: what does not fit is STATUS_BUFFER_OVERFLOW with
  // nothing returned (WinFsp ea-test.c ea_check_ea, Information 0)
  if (list && list.length > 0 && r.status !== STATUS.STATUS_SUCCESS) return { status: STATUS.STATUS_BUFFER_OVERFLOW, information: 0 }
  out.set(r.bytes)
  if (!list || list.length === 0) ccb.ext.set(CURSOR_KEY, start + r.count)
  return { status: r.status, information: r.information }
}

function setEa(ccb: Ccb, irp: Irp): EaOutcome {
  const p = IoGetCurrentIrpStackLocation(irp).Parameters.SetEa
  const input = irp.SystemBuffer
  if (!p || !input) return { status: STATUS.STATUS_INVALID_PARAMETER, information: 0 }
  const bytes = input.subarray(0, Math.min(p.Length, input.length))
  // IoCheckEaBufferValidity, then NTFS's name check: Information is the offset of the bad entry
  const valid = checkEaBufferValidity(bytes)
  if (valid.status !== STATUS.STATUS_SUCCESS) return { status: valid.status, information: valid.errorOffset }
  const names = checkEaNames(bytes)
  if (names.status !== STATUS.STATUS_SUCCESS) return { status: names.status, information: names.errorOffset }
  const changes: EaEntry[] = decodeFullEaList(bytes).map((e) => ({ name: e.Name, value: e.Value, flags: e.Flags }))
  // unverified: a flag other than FILE_NEED_EA is refused as NTFS refuses unknown EA flags
  if (changes.some((c) => c.flags & ~FILE_NEED_EA)) return { status: STATUS.STATUS_INVALID_PARAMETER, information: 0 }
  const { vcb, fcb } = ccb
  const r = fcb.mustRead()
  const next = mergeEas(r.eas, changes)
  if (eaSize(next) > MAX_EA_SIZE) return { status: STATUS.STATUS_EA_TOO_LARGE, information: 0 }
  vcb.store.atomic(() => vcb.store.setEas(r.record, next))
  touchChange(fcb, ccb)
  if (ccb.link) reportChange(vcb, ccb.link.parent, ccb.link.name, FILE_ACTION.FILE_ACTION_MODIFIED, FILE_NOTIFY_CHANGE.FILE_NOTIFY_CHANGE_EA)
  return { status: STATUS.STATUS_SUCCESS, information: 0 }
}
