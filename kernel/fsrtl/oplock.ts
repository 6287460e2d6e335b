// The FsRtl opportunistic lock package: what a file system calls to grant, break and acknowledge
// oplocks on one stream (FsRtlInitializeOplock, FsRtlOplockFsctrl, FsRtlCheckOplock(Ex),
// FsRtlOplockIsFastIoPossible, FsRtlCurrentBatchOplock …). ReactOS ntoskrnl/fsrtl/oplock.c is
// an open implementation of the legacy half; the rules below follow the documentation:
// - grants: learn.microsoft.com "Granting Oplocks" (the conditions table per request type);
// - breaks: "Breaking Oplocks" and the per-operation pages "Checking the Oplock State of an
//   IRP_MJ_CREATE / READ / WRITE / LOCK_CONTROL / SET_INFORMATION / CLEANUP /
//   FILE_SYSTEM_CONTROL operation"; MS-FSA 2.1.4.12 (Algorithm to Check for an Oplock Break);
// - acknowledgements: FSCTL_OPLOCK_BREAK_ACKNOWLEDGE, FSCTL_OPLOCK_BREAK_ACK_NO_2,
//   FSCTL_OPBATCH_ACK_CLOSE_PENDING, FSCTL_OPLOCK_BREAK_NOTIFY, FSCTL_REQUEST_OPLOCK with
//   REQUEST_OPLOCK_INPUT_FLAG_ACK.
//
// A granted oplock is its pended FSCTL IRP: the IRP completes when the oplock breaks (legacy
// oplocks: STATUS_SUCCESS with FILE_OPLOCK_BROKEN_TO_LEVEL_2 / _NONE in Information; Windows 7
// oplocks: STATUS_SUCCESS with a REQUEST_OPLOCK_OUTPUT_BUFFER). The operation that caused a
// break waits for the acknowledgement when the rules say so; the check tells the caller which
// events to wait on, and the caller waits outside its own locks and then checks again.
// The oplock key of an open is its FILE_OBJECT (no IO_OPLOCK_KEY ECPs are modelled).

import { KEvent, KeWaitForMultipleObjects, type Co, type Scheduler } from '../ke/index.ts'
import type { FileObject } from '../io/file-object.ts'
import { FO } from '../io/file-object.ts'
import { IoCompleteRequest, IoGetCurrentIrpStackLocation, IoMarkIrpPending, type Irp } from '../io/irp.ts'
import { ACCESS } from '../nt/access.ts'
import { CREATE_DISPOSITION, CREATE_OPTIONS, SHARE_ACCESS } from '../nt/file.ts'
import { FILE_INFORMATION_CLASS as FIC } from '../nt/infoclass.ts'
import { FSCTL, IRP_FLAGS, IRP_MJ, OPLOCK } from '../nt/irp.ts'
import { STATUS, type NTSTATUS } from '../nt/status.ts'
import { checkRequestOplock, decodeRequestOplockInput, encodeRequestOplockOutput, REQUEST_OPLOCK_OUTPUT_BUFFER } from '../rtl/structs/oplock.ts'

const R = OPLOCK.OPLOCK_LEVEL_CACHE_READ
const H = OPLOCK.OPLOCK_LEVEL_CACHE_HANDLE
const W = OPLOCK.OPLOCK_LEVEL_CACHE_WRITE

/** How an oplock was requested: the four legacy FSCTLs, or FSCTL_REQUEST_OPLOCK (Windows 7 caching levels). */
export type OplockRequestType = 'level1' | 'batch' | 'filter' | 'level2' | 'caching'

/** The rule tables' names: the legacy types and the Windows 7 levels R, RH, RW, RWH. */
export type OplockKind = 'level1' | 'batch' | 'filter' | 'level2' | 'R' | 'RH' | 'RW' | 'RWH'

/** One granted oplock on the stream. */
export interface OplockGrant {
  type: OplockRequestType
  /** OPLOCK_LEVEL_CACHE_* held now (legacy: level 1 = RW, batch = RWH, filter = RW, level 2 = R) */
  level: number
  readonly fileObject: FileObject
  /** the oplock key (the FILE_OBJECT unless an oplock key was given) */
  readonly key: object
  /** the pended request that completes at the break; undefined while a break waits for its acknowledgement */
  irp: Irp | undefined
  /** a break that waits for its acknowledgement: the level it breaks to */
  breakingTo: number | undefined
  /** FSCTL_OPBATCH_ACK_CLOSE_PENDING: the holder will close its handle; waiters wait for that */
  closePending: boolean
  /** set when the break is acknowledged or the oplock is gone */
  readonly acknowledged: KEvent
}

/** The OPLOCK a file system keeps per stream (FsRtlInitializeOplock). */
export class Oplock {
  readonly grants: OplockGrant[] = []
  /** FSCTL_OPLOCK_BREAK_NOTIFY requests waiting for a break in progress to end */
  readonly notifyIrps: Irp[] = []
  /** breaks started, for tests and the UI */
  breaks = 0
  constructor(
    readonly ke: Scheduler,
    readonly name: string,
  ) {}
}

export function FsRtlInitializeOplock(ke: Scheduler, name = 'Oplock'): Oplock {
  return new Oplock(ke, name)
}

/** FsRtlUninitializeOplock: every pended oplock request completes (broken to none) and every waiter goes on. */
export function FsRtlUninitializeOplock(oplock: Oplock | undefined): void {
  if (!oplock) return
  for (const g of oplock.grants.slice()) releaseGrant(oplock, g, 'closed')
  completeNotifies(oplock)
}

// ---------------------------------------------------------------------------------------------
// queries

/** FsRtlCurrentBatchOplock: a batch or filter oplock is held (documented: TRUE for either). */
export function FsRtlCurrentBatchOplock(oplock: Oplock | undefined): boolean {
  return !!oplock && oplock.grants.some((g) => g.type === 'batch' || g.type === 'filter')
}

/** FsRtlCurrentOplock: any oplock is held. */
export function FsRtlCurrentOplock(oplock: Oplock | undefined): boolean {
  return !!oplock && oplock.grants.length > 0
}

/** FsRtlCurrentOplockH: an oplock with handle caching is held. */
export function FsRtlCurrentOplockH(oplock: Oplock | undefined): boolean {
  return !!oplock && oplock.grants.some((g) => (g.level & H) !== 0)
}

/** FsRtlOplockBreakInProgress-style query: some break waits for its acknowledgement. */
export function oplockBreakInProgress(oplock: Oplock | undefined): boolean {
  return !!oplock && oplock.grants.some((g) => g.breakingTo !== undefined)
}

/** The rule-table name of a grant (before any break in progress takes effect). */
export function oplockKind(g: Pick<OplockGrant, 'type' | 'level'>): OplockKind {
  if (g.type !== 'caching') return g.type
  const h = (g.level & H) !== 0
  return g.level & W ? (h ? 'RWH' : 'RW') : h ? 'RH' : 'R'
}

/**
 * FsRtlOplockIsFastIoPossible: FALSE while a break waits for its acknowledgement, and while
 * level 2 or read oplocks are held (a fast write would have to break them; NTFS marks such a
 * stream FastIoIsQuestionable).
 */
export function FsRtlOplockIsFastIoPossible(oplock: Oplock | undefined): boolean {
  if (!oplock) return true
  if (oplockBreakInProgress(oplock)) return false
  return !oplock.grants.some((g) => g.type === 'level2' || oplockKind(g) === 'R')
}

/**
 * Whether a fast I/O call on `fo` may go on without the IRP path: nothing waits for an
 * acknowledgement, and the operation would break nothing (a read breaks level 1, batch, RW and
 * RWH oplocks of other keys; a write every oplock of another key and every level 2 oplock; a
 * byte-range lock every level 2 oplock and those of other keys except filter oplocks).
 */
export function oplockAllowsFastIo(oplock: Oplock | undefined, fo: FileObject, op: 'read' | 'write' | 'lock'): boolean {
  if (!oplock || oplock.grants.length === 0) return true
  if (oplockBreakInProgress(oplock)) return false
  for (const g of oplock.grants) {
    if (op !== 'read' && g.type === 'level2') return false
    if (g.key === fo) continue
    const kind = oplockKind(g)
    if (op === 'write') return false
    // the lock table spares filter oplocks; the read table breaks level 1, batch, RW and RWH
    if (op === 'lock' && kind !== 'filter') return false
    if (op === 'read' && (kind === 'level1' || kind === 'batch' || kind === 'RW' || kind === 'RWH')) return false
  }
  return true
}

// ---------------------------------------------------------------------------------------------
// granting and acknowledging: FsRtlOplockFsctrl

/** What the file system knows that the oplock package does not. */
export interface OplockFsctrlContext {
  /**
   * OpenCount of FsRtlOplockFsctrl: the user handles on the stream (for exclusive and
   * write-caching requests, any other handle means "not granted").
   */
  openCount: number
  /** byte-range locks exist on the stream (level 2, R and RH are not granted then) */
  hasByteRangeLocks: boolean
  /** the stream is a directory's index */
  isDirectory: boolean
}

const LEGACY_REQUEST = new Map<number, OplockRequestType>([
  [FSCTL.FSCTL_REQUEST_OPLOCK_LEVEL_1 >>> 0, 'level1'],
  [FSCTL.FSCTL_REQUEST_BATCH_OPLOCK >>> 0, 'batch'],
  [FSCTL.FSCTL_REQUEST_FILTER_OPLOCK >>> 0, 'filter'],
  [FSCTL.FSCTL_REQUEST_OPLOCK_LEVEL_2 >>> 0, 'level2'],
])

/** the caching level a legacy request holds */
function legacyLevel(type: OplockRequestType): number {
  switch (type) {
    case 'level1':
    case 'filter':
      return R | W
    case 'batch':
      return R | W | H
    default:
      return R
  }
}

/** the FSCTLs this package handles (the file system passes them on unchanged) */
export function isOplockFsctl(code: number): boolean {
  const c = code >>> 0
  return (
    LEGACY_REQUEST.has(c) ||
    c === FSCTL.FSCTL_REQUEST_OPLOCK >>> 0 ||
    c === FSCTL.FSCTL_OPLOCK_BREAK_ACKNOWLEDGE >>> 0 ||
    c === FSCTL.FSCTL_OPLOCK_BREAK_ACK_NO_2 >>> 0 ||
    c === FSCTL.FSCTL_OPBATCH_ACK_CLOSE_PENDING >>> 0 ||
    c === FSCTL.FSCTL_OPLOCK_BREAK_NOTIFY >>> 0
  )
}

function complete(irp: Irp, status: NTSTATUS, information = 0): NTSTATUS {
  irp.IoStatus.Status = status
  irp.IoStatus.Information = information
  IoCompleteRequest(irp)
  return status
}

function pend(irp: Irp): NTSTATUS {
  IoMarkIrpPending(irp)
  return STATUS.STATUS_PENDING
}

/**
 * FsRtlOplockFsctrl: an oplock request is granted (the IRP pends, STATUS_PENDING), refused (the
 * IRP completes with the reason) or an acknowledgement is taken. The IRP is always either
 * pended or completed here.
 */
export function FsRtlOplockFsctrl(oplock: Oplock, irp: Irp, ctx: OplockFsctrlContext): NTSTATUS {
  return FsRtlOplockFsctrlEx(oplock, irp, ctx, 0)
}

/** OPLOCK_FSCTRL_FLAG_* of FsRtlOplockFsctrlEx (ntifs.h) */
export const OPLOCK_FSCTRL_FLAG = {
  /** the file system checked that every open handle has the request's oplock key: RW and RWH may be granted beside them */
  OPLOCK_FSCTRL_FLAG_ALL_KEYS_MATCH: 0x00000001,
} as const

/** FsRtlOplockFsctrlEx: FsRtlOplockFsctrl with OPLOCK_FSCTRL_FLAG_* */
export function FsRtlOplockFsctrlEx(oplock: Oplock, irp: Irp, ctx: OplockFsctrlContext, flags: number): NTSTATUS {
  const sp = IoGetCurrentIrpStackLocation(irp)
  const fo = sp.FileObject
  const code = (sp.Parameters.FileSystemControl?.FsControlCode ?? 0) >>> 0
  if (!fo) return complete(irp, STATUS.STATUS_INVALID_PARAMETER)
  const legacy = LEGACY_REQUEST.get(code)
  if (legacy) return requestLegacy(oplock, irp, fo, legacy, ctx)
  switch (code) {
    case FSCTL.FSCTL_REQUEST_OPLOCK >>> 0:
      return requestOplock(oplock, irp, fo, ctx, (flags & OPLOCK_FSCTRL_FLAG.OPLOCK_FSCTRL_FLAG_ALL_KEYS_MATCH) !== 0)
    case FSCTL.FSCTL_OPLOCK_BREAK_ACKNOWLEDGE >>> 0:
      return acknowledgeLegacy(oplock, irp, fo, true)
    case FSCTL.FSCTL_OPLOCK_BREAK_ACK_NO_2 >>> 0:
      return acknowledgeLegacy(oplock, irp, fo, false)
    case FSCTL.FSCTL_OPBATCH_ACK_CLOSE_PENDING >>> 0:
      return ackClosePending(oplock, irp, fo)
    case FSCTL.FSCTL_OPLOCK_BREAK_NOTIFY >>> 0:
      if (!oplockBreakInProgress(oplock)) return complete(irp, STATUS.STATUS_SUCCESS)
      oplock.notifyIrps.push(irp)
      return pend(irp)
    default:
      return complete(irp, STATUS.STATUS_INVALID_DEVICE_REQUEST)
  }
}

function newGrant(oplock: Oplock, type: OplockRequestType, level: number, fo: FileObject, irp: Irp): OplockGrant {
  const g: OplockGrant = {
    type,
    level,
    fileObject: fo,
    key: fo,
    irp,
    breakingTo: undefined,
    closePending: false,
    acknowledged: new KEvent(oplock.ke, 'notification', false, `${oplock.name} acknowledged`),
  }
  oplock.grants.push(g)
  return g
}

/** Granting Oplocks: level 1, batch, filter and level 2 */
function requestLegacy(oplock: Oplock, irp: Irp, fo: FileObject, type: OplockRequestType, ctx: OplockFsctrlContext): NTSTATUS {
  if (ctx.isDirectory) return complete(irp, STATUS.STATUS_INVALID_PARAMETER)
  // "oplocks are never granted for synchronous I/O"
  if (fo.Flags & FO.FO_SYNCHRONOUS_IO) return complete(irp, STATUS.STATUS_OPLOCK_NOT_GRANTED)
  if (oplockBreakInProgress(oplock)) return complete(irp, STATUS.STATUS_OPLOCK_NOT_GRANTED)
  if (type === 'level2') {
    if (ctx.hasByteRangeLocks) return complete(irp, STATUS.STATUS_OPLOCK_NOT_GRANTED)
    // level 2 coexists with level 2 and read oplocks only (not with read-handle)
    if (oplock.grants.some((g) => g.type !== 'level2' && oplockKind(g) !== 'R')) return complete(irp, STATUS.STATUS_OPLOCK_NOT_GRANTED)
    newGrant(oplock, 'level2', R, fo, irp)
    return pend(irp)
  }
  // level 1, batch, filter: no other open of the stream, even by the same thread
  if (ctx.openCount > 1) return complete(irp, STATUS.STATUS_OPLOCK_NOT_GRANTED)
  if (oplock.grants.some((g) => g.type !== 'level2')) return complete(irp, STATUS.STATUS_OPLOCK_NOT_GRANTED)
  // a level 2 oplock (necessarily on this handle) is broken to none, then the request is granted
  for (const g of oplock.grants.slice()) breakGrant(oplock, g, 0, undefined)
  newGrant(oplock, type, legacyLevel(type), fo, irp)
  return pend(irp)
}

/** FSCTL_REQUEST_OPLOCK: REQUEST_OPLOCK_INPUT_FLAG_REQUEST grants, REQUEST_OPLOCK_INPUT_FLAG_ACK acknowledges */
function requestOplock(oplock: Oplock, irp: Irp, fo: FileObject, ctx: OplockFsctrlContext, allKeysMatch: boolean): NTSTATUS {
  const p = IoGetCurrentIrpStackLocation(irp).Parameters.FileSystemControl
  const input = (irp.SystemBuffer ?? new Uint8Array(0)).subarray(0, p?.InputBufferLength ?? 0)
  const outputLength = Math.min(p?.OutputBufferLength ?? 0, irp.OutputBuffer?.length ?? 0)
  const bad = checkRequestOplock(input, outputLength)
  if (bad !== STATUS.STATUS_SUCCESS) return complete(irp, bad)
  const req = decodeRequestOplockInput(input)
  const level = req.RequestedOplockLevel
  if (req.Flags & OPLOCK.REQUEST_OPLOCK_INPUT_FLAG_ACK) return acknowledgeCaching(oplock, irp, fo, level)
  // MS-FSA 2.1.5.17: a directory may hold R and RH (Windows 8 directory oplocks), never write caching
  if (ctx.isDirectory && level & W) return complete(irp, STATUS.STATUS_INVALID_PARAMETER)
  if (fo.Flags & FO.FO_SYNCHRONOUS_IO) return complete(irp, STATUS.STATUS_OPLOCK_NOT_GRANTED)
  if (oplockBreakInProgress(oplock)) return complete(irp, STATUS.STATUS_OPLOCK_NOT_GRANTED)
  const others = oplock.grants.filter((g) => g.key !== fo)
  const mine = oplock.grants.filter((g) => g.key === fo)
  const notGranted = (): NTSTATUS => complete(irp, STATUS.STATUS_OPLOCK_NOT_GRANTED)
  if (level & W) {
    // RW and RWH: every other open must have the same oplock key; existing oplocks only on this key
    if ((ctx.openCount > 1 && !allKeysMatch) || others.length > 0) return notGranted()
    const allowed: OplockKind[] = level & H ? ['R', 'RH', 'RW', 'RWH'] : ['R', 'RW']
    if (mine.some((g) => !allowed.includes(oplockKind(g)))) return notGranted()
  } else {
    if (ctx.hasByteRangeLocks) return notGranted()
    const kinds = oplock.grants.map((g) => ({ g, kind: oplockKind(g), same: g.key === fo }))
    if (level & H) {
      // RH: coexists with R and RH (an RH of the same key is replaced); not with level 2 or any exclusive kind
      if (kinds.some(({ kind }) => !(kind === 'R' || kind === 'RH'))) return notGranted()
    } else {
      // R: coexists with level 2, R, and RH of other keys
      if (kinds.some(({ kind, same }) => !(kind === 'level2' || kind === 'R' || (kind === 'RH' && !same)))) return notGranted()
    }
  }
  // an oplock of the same key is replaced: its request completes with STATUS_OPLOCK_SWITCHED_TO_NEW_HANDLE
  for (const g of mine) {
    if (g.type !== 'caching') continue
    removeGrant(oplock, g)
    if (g.irp) complete(g.irp, STATUS.STATUS_OPLOCK_SWITCHED_TO_NEW_HANDLE)
    g.irp = undefined
    g.acknowledged.set()
  }
  newGrant(oplock, 'caching', level, fo, irp)
  return pend(irp)
}

/** FSCTL_OPLOCK_BREAK_ACKNOWLEDGE (keep level 2 when the break was to level 2) and FSCTL_OPLOCK_BREAK_ACK_NO_2 */
function acknowledgeLegacy(oplock: Oplock, irp: Irp, fo: FileObject, keepLevel2: boolean): NTSTATUS {
  const g = oplock.grants.find((x) => x.fileObject === fo && x.type !== 'caching' && x.breakingTo !== undefined)
  if (!g) return complete(irp, STATUS.STATUS_INVALID_OPLOCK_PROTOCOL)
  if (keepLevel2 && g.breakingTo === R && g.type !== 'filter') {
    // documented (FltOplockFsctrl): the acknowledgement pends as the level 2 oplock
    g.type = 'level2'
    g.level = R
    g.breakingTo = undefined
    g.irp = irp
    g.acknowledged.set()
    afterAcknowledgement(oplock)
    return pend(irp)
  }
  removeGrant(oplock, g)
  g.acknowledged.set()
  afterAcknowledgement(oplock)
  return complete(irp, STATUS.STATUS_SUCCESS)
}

/** FSCTL_OPBATCH_ACK_CLOSE_PENDING: the holder of a broken batch or filter oplock will close its handle */
function ackClosePending(oplock: Oplock, irp: Irp, fo: FileObject): NTSTATUS {
  const g = oplock.grants.find((x) => x.fileObject === fo && (x.type === 'batch' || x.type === 'filter') && x.breakingTo !== undefined)
  if (!g) return complete(irp, STATUS.STATUS_INVALID_OPLOCK_PROTOCOL)
  // the operation that broke the oplock keeps waiting: its wait ends at the handle's cleanup
  g.closePending = true
  return complete(irp, STATUS.STATUS_SUCCESS)
}

/** FSCTL_REQUEST_OPLOCK with REQUEST_OPLOCK_INPUT_FLAG_ACK */
function acknowledgeCaching(oplock: Oplock, irp: Irp, fo: FileObject, level: number): NTSTATUS {
  const g = oplock.grants.find((x) => x.key === fo && x.type === 'caching' && x.breakingTo !== undefined)
  if (!g) return complete(irp, STATUS.STATUS_INVALID_OPLOCK_PROTOCOL)
  const to = g.breakingTo ?? 0
  // unverified: an acknowledgement may keep less than the level broken to, never more
  if ((level & ~to) !== 0) return complete(irp, STATUS.STATUS_INVALID_PARAMETER)
  g.breakingTo = undefined
  g.acknowledged.set()
  if (level === 0) {
    removeGrant(oplock, g)
    afterAcknowledgement(oplock)
    return complete(irp, STATUS.STATUS_SUCCESS)
  }
  // the acknowledgement pends as the oplock at its new level
  g.level = level
  g.irp = irp
  afterAcknowledgement(oplock)
  return pend(irp)
}

// ---------------------------------------------------------------------------------------------
// breaking

function removeGrant(oplock: Oplock, g: OplockGrant): void {
  const i = oplock.grants.indexOf(g)
  if (i >= 0) oplock.grants.splice(i, 1)
}

function completeNotifies(oplock: Oplock): void {
  if (oplockBreakInProgress(oplock)) return
  for (const irp of oplock.notifyIrps.splice(0)) complete(irp, STATUS.STATUS_SUCCESS)
}

function afterAcknowledgement(oplock: Oplock): void {
  completeNotifies(oplock)
}

/** Why a grant breaks, for the REQUEST_OPLOCK_OUTPUT_BUFFER of a Windows 7 oplock. */
interface BreakCause {
  /** the access and share mode of the open that broke it (REQUEST_OPLOCK_OUTPUT_FLAG_MODES_PROVIDED) */
  accessMode: number
  shareMode: number
}

/**
 * Breaks `g` to `to`: its pended request completes now. A break that needs an acknowledgement
 * leaves the grant "breaking" until FSCTL_OPLOCK_BREAK_ACKNOWLEDGE / the ACK flag / cleanup; one
 * that needs none (level 2 and read oplocks to none) removes it at once. Returns whether an
 * acknowledgement is now awaited.
 */
function breakGrant(oplock: Oplock, g: OplockGrant, to: number, cause: BreakCause | undefined): boolean {
  to &= g.level
  if (g.breakingTo !== undefined) {
    // a second break while the first waits: the holder will end at the lower of the two levels
    g.breakingTo &= to
    return true
  }
  if (to === g.level) return false
  oplock.breaks++
  const needsAck = !((g.type === 'level2' || (g.type === 'caching' && g.level === R)) && to === 0)
  const irp = g.irp
  g.irp = undefined
  if (irp) {
    if (g.type === 'caching') {
      const out = encodeRequestOplockOutput({
        OriginalOplockLevel: g.level,
        NewOplockLevel: to,
        Flags: (needsAck ? OPLOCK.REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED : 0) | (cause ? OPLOCK.REQUEST_OPLOCK_OUTPUT_FLAG_MODES_PROVIDED : 0),
        // unverified: the modes are provided for breaks caused by an open (Windows 8 and later)
        AccessMode: cause?.accessMode ?? 0,
        ShareMode: cause?.shareMode ?? 0,
      })
      irp.OutputBuffer?.set(out.subarray(0, irp.OutputBuffer.length))
      complete(irp, STATUS.STATUS_SUCCESS, Math.min(REQUEST_OPLOCK_OUTPUT_BUFFER.size, irp.OutputBuffer?.length ?? 0))
    } else {
      complete(irp, STATUS.STATUS_SUCCESS, to === R && g.type !== 'filter' ? OPLOCK.FILE_OPLOCK_BROKEN_TO_LEVEL_2 : OPLOCK.FILE_OPLOCK_BROKEN_TO_NONE)
    }
  }
  if (!needsAck) {
    removeGrant(oplock, g)
    g.acknowledged.set()
    return false
  }
  g.breakingTo = g.type === 'filter' ? 0 : to
  g.acknowledged.reset()
  return true
}

/** A grant leaves: its pended request completes as broken by the handle's close. */
function releaseGrant(oplock: Oplock, g: OplockGrant, why: 'closed'): void {
  removeGrant(oplock, g)
  const irp = g.irp
  g.irp = undefined
  if (irp && why === 'closed') {
    if (g.type === 'caching') {
      // ntstatus.h STATUS_OPLOCK_HANDLE_CLOSED: "the handle with which this oplock was associated has been closed; the oplock is now broken"
      complete(irp, STATUS.STATUS_OPLOCK_HANDLE_CLOSED)
    } else {
      complete(irp, STATUS.STATUS_SUCCESS, OPLOCK.FILE_OPLOCK_BROKEN_TO_NONE)
    }
  }
  g.breakingTo = undefined
  g.acknowledged.set()
}

/** What an operation does to one kind of oplock held by another key (or by any key, for `always`). */
interface BreakRule {
  /** the level it breaks to */
  to: number
  /** the operation waits for the acknowledgement */
  wait: boolean
  /** level 2 rules that apply whatever the key */
  always?: boolean
}

/** The operation being checked, decoded from its IRP. */
export type OplockOperation =
  | { op: 'create'; desiredAccess: number; shareAccess: number; disposition: number; options: number }
  | { op: 'read' | 'write' | 'lock' | 'size' | 'rename' | 'delete' | 'flush' | 'zero' | 'cleanup' | 'none' }

/** the operation an IRP is, for the oplock rules (paging I/O and the lazy writer's EOF are not checked) */
export function oplockOperationOf(irp: Irp): OplockOperation {
  const sp = IoGetCurrentIrpStackLocation(irp)
  switch (sp.MajorFunction) {
    case IRP_MJ.IRP_MJ_CREATE: {
      const c = sp.Parameters.Create
      if (!c) return { op: 'none' }
      return { op: 'create', desiredAccess: c.SecurityContext.DesiredAccess >>> 0, shareAccess: c.ShareAccess, disposition: (c.Options >>> 24) & 0xff, options: c.Options & 0xffffff }
    }
    case IRP_MJ.IRP_MJ_READ:
      return irp.Flags & IRP_FLAGS.IRP_PAGING_IO ? { op: 'none' } : { op: 'read' }
    case IRP_MJ.IRP_MJ_WRITE:
      return irp.Flags & IRP_FLAGS.IRP_PAGING_IO ? { op: 'none' } : { op: 'write' }
    case IRP_MJ.IRP_MJ_LOCK_CONTROL:
      return { op: 'lock' }
    case IRP_MJ.IRP_MJ_FLUSH_BUFFERS:
      return { op: 'flush' }
    case IRP_MJ.IRP_MJ_CLEANUP:
      return { op: 'cleanup' }
    case IRP_MJ.IRP_MJ_FILE_SYSTEM_CONTROL:
      return (sp.Parameters.FileSystemControl?.FsControlCode ?? 0) >>> 0 === FSCTL.FSCTL_SET_ZERO_DATA >>> 0 ? { op: 'zero' } : { op: 'none' }
    case IRP_MJ.IRP_MJ_SET_INFORMATION: {
      const p = sp.Parameters.SetFile
      if (!p) return { op: 'none' }
      switch (p.FileInformationClass) {
        case FIC.FileEndOfFileInformation:
        case FIC.FileAllocationInformation:
        case FIC.FileValidDataLengthInformation:
          // documented: the lazy writer's end-of-file update is not checked (its write was)
          return p.AdvanceOnly || irp.Flags & IRP_FLAGS.IRP_PAGING_IO ? { op: 'none' } : { op: 'size' }
        case FIC.FileRenameInformation:
        case FIC.FileRenameInformationEx:
        case FIC.FileRenameInformationBypassAccessCheck:
        case FIC.FileRenameInformationExBypassAccessCheck:
        case FIC.FileLinkInformation:
        case FIC.FileLinkInformationEx:
        case FIC.FileLinkInformationBypassAccessCheck:
        case FIC.FileLinkInformationExBypassAccessCheck:
        case FIC.FileShortNameInformation:
          return { op: 'rename' }
        case FIC.FileDispositionInformation:
          return (irp.SystemBuffer?.[0] ?? 0) !== 0 ? { op: 'delete' } : { op: 'none' }
        case FIC.FileDispositionInformationEx: {
          const b = irp.SystemBuffer
          const flags = b && b.length >= 4 ? (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0 : 0
          // FILE_DISPOSITION_DELETE = 0x1
          return flags & 1 ? { op: 'delete' } : { op: 'none' }
        }
        default:
          return { op: 'none' }
      }
    }
    default:
      return { op: 'none' }
  }
}

const NONE_WAIT: BreakRule = { to: 0, wait: true }
const NONE_NOWAIT: BreakRule = { to: 0, wait: false }
/** the access rights that do not break an oplock on open unless FILE_RESERVE_OPFILTER is given */
const ATTRIBUTE_ONLY = ACCESS.FILE_READ_ATTRIBUTES | ACCESS.FILE_WRITE_ATTRIBUTES | ACCESS.SYNCHRONIZE
/** "writable" for a filter oplock is any right other than these (IRP_MJ_CREATE oplock table) */
const FILTER_READ_ONLY = ACCESS.FILE_READ_ATTRIBUTES | ACCESS.FILE_WRITE_ATTRIBUTES | ACCESS.FILE_READ_DATA | ACCESS.FILE_READ_EA | ACCESS.FILE_EXECUTE | ACCESS.SYNCHRONIZE | ACCESS.READ_CONTROL

/** "Checking the Oplock State of an IRP_MJ_CREATE operation" */
function createRule(kind: OplockKind, o: Extract<OplockOperation, { op: 'create' }>, sharingViolation: boolean): BreakRule | undefined {
  const reserve = (o.options & CREATE_OPTIONS.FILE_RESERVE_OPFILTER) !== 0
  if (!reserve && (o.desiredAccess & ~ATTRIBUTE_ONLY) === 0) return undefined
  const D = CREATE_DISPOSITION
  const overwrite = o.disposition === D.FILE_SUPERSEDE || o.disposition === D.FILE_OVERWRITE || o.disposition === D.FILE_OVERWRITE_IF
  const toNone = reserve || overwrite
  switch (kind) {
    case 'level1':
      // level 1 is checked after the share access check: an open that fails it breaks nothing
      return sharingViolation ? undefined : { to: toNone ? 0 : R, wait: true }
    case 'batch':
      // documented: batch and filter are checked before share access, so they break even then
      return { to: toNone ? 0 : R, wait: true }
    case 'filter': {
      // unverified: the table's "writable access on a stream not opened for FILE_SHARE_READ" read as either condition
      const writable = (o.desiredAccess & ~FILTER_READ_ONLY) !== 0 || (o.shareAccess & SHARE_ACCESS.FILE_SHARE_READ) === 0
      return reserve || writable ? NONE_WAIT : undefined
    }
    case 'level2':
    case 'R':
      return !sharingViolation && toNone ? NONE_NOWAIT : undefined
    case 'RH':
      if (sharingViolation) return { to: toNone ? 0 : R, wait: true }
      return toNone ? { to: 0, wait: false } : undefined
    case 'RW':
      return sharingViolation ? undefined : { to: toNone ? 0 : R, wait: true }
    case 'RWH':
      return { to: toNone ? 0 : sharingViolation ? R | W : R | H, wait: true }
  }
}

/** the other operations' tables (READ, WRITE, LOCK_CONTROL, SET_INFORMATION, FLUSH, SET_ZERO_DATA) */
function operationRule(kind: OplockKind, op: OplockOperation['op']): BreakRule | undefined {
  switch (op) {
    case 'read':
      if (kind === 'level1' || kind === 'batch' || kind === 'RW') return { to: R, wait: true }
      if (kind === 'RWH') return { to: R | H, wait: true }
      return undefined
    case 'write':
    case 'zero':
    case 'size':
      if (kind === 'level2') return { to: 0, wait: false, always: true }
      if (kind === 'R') return NONE_NOWAIT
      // read-handle: the acknowledgement is required, the operation does not wait for it
      if (kind === 'RH') return NONE_NOWAIT
      return NONE_WAIT
    case 'lock':
      if (kind === 'level2') return { to: 0, wait: false, always: true }
      if (kind === 'filter') return undefined
      if (kind === 'R' || kind === 'RH' || kind === 'RWH') return NONE_NOWAIT
      return NONE_WAIT
    case 'rename':
      if (kind === 'batch' || kind === 'filter') return NONE_WAIT
      if (kind === 'RH') return { to: R, wait: true }
      if (kind === 'RWH') return { to: R | W, wait: true }
      return undefined
    case 'delete':
      if (kind === 'RH') return { to: R, wait: true }
      if (kind === 'RWH') return { to: R | W, wait: true }
      return undefined
    case 'flush':
      // unverified (MS-FSA 2.1.4.12 FLUSH_DATA breaks write caching): RW → R, RWH → RH, level 1/batch → level 2
      if (kind === 'level1' || kind === 'batch' || kind === 'RW') return { to: R, wait: true }
      if (kind === 'RWH') return { to: R | H, wait: true }
      return undefined
    default:
      return undefined
  }
}

/** The result of FsRtlCheckOplockEx. */
export interface OplockCheckResult {
  /**
   * STATUS_SUCCESS: the operation goes on; STATUS_PENDING: it must wait for `waitFor` and check
   * again; STATUS_OPLOCK_BREAK_IN_PROGRESS: breaks were started and the caller asked not to wait
   * (FILE_COMPLETE_IF_OPLOCKED); STATUS_CANNOT_BREAK_OPLOCK: a check-only call found a break.
   */
  status: NTSTATUS
  /** the acknowledgements to wait for */
  waitFor: KEvent[]
}

/** the OPLOCK_FLAG_* of FsRtlCheckOplockEx (ntifs.h) this package implements */
export const OPLOCK_FLAG = {
  OPLOCK_FLAG_COMPLETE_IF_OPLOCKED: 0x00000001,
  OPLOCK_FLAG_IGNORE_OPLOCK_KEYS: 0x00000008,
} as const

export interface OplockCheckOptions {
  /**
   * The open conflicts with an existing open (a sharing violation would occur): what NTFS
   * tells the package through FsRtlOplockBreakH before it fails the open, so that read-handle
   * caching holders can close their handles.
   */
  sharingViolation?: boolean
  /** only say whether something would break (FILE_OPEN_REQUIRING_OPLOCK: STATUS_CANNOT_BREAK_OPLOCK) */
  checkOnly?: boolean
  /** the access the open was granted (MAXIMUM_ALLOWED and generic rights resolved) */
  desiredAccess?: number
}

/**
 * FsRtlCheckOplockEx: breaks what `irp` breaks on this stream. Never waits: when the rules say
 * the operation must wait for acknowledgements, the result is STATUS_PENDING with the events,
 * and the caller waits (FsRtlWaitForOplockBreaks) outside its locks and checks again.
 */
export function FsRtlCheckOplockEx(oplock: Oplock | undefined, irp: Irp, flags = 0, opts: OplockCheckOptions = {}): OplockCheckResult {
  const ok: OplockCheckResult = { status: STATUS.STATUS_SUCCESS, waitFor: [] }
  if (!oplock) return ok
  const fo = IoGetCurrentIrpStackLocation(irp).FileObject
  let operation = oplockOperationOf(irp)
  if (operation.op === 'none') return ok
  if (operation.op === 'cleanup') {
    if (fo) FsRtlOplockCleanup(oplock, fo)
    return ok
  }
  if (operation.op === 'create' && opts.desiredAccess !== undefined) operation = { ...operation, desiredAccess: opts.desiredAccess }
  const ignoreKeys = (flags & OPLOCK_FLAG.OPLOCK_FLAG_IGNORE_OPLOCK_KEYS) !== 0
  const cause = operation.op === 'create' ? { accessMode: operation.desiredAccess, shareMode: operation.shareAccess } : undefined
  const plan: { g: OplockGrant; rule: BreakRule }[] = []
  for (const g of oplock.grants) {
    const kind = oplockKind(g)
    const rule = operation.op === 'create' ? createRule(kind, operation, !!opts.sharingViolation) : operationRule(kind, operation.op)
    if (!rule) continue
    if (g.key === fo && !ignoreKeys && !rule.always) continue
    const target = rule.to & g.level
    // nothing to do: already at (or breaking to) that level, and no reason to wait
    if (target === g.level && g.breakingTo === undefined) continue
    if (g.breakingTo !== undefined && (g.breakingTo & target) === g.breakingTo && !rule.wait) continue
    plan.push({ g, rule })
  }
  if (plan.length === 0) return ok
  if (opts.checkOnly) return { status: STATUS.STATUS_CANNOT_BREAK_OPLOCK, waitFor: [] }
  const waitFor: KEvent[] = []
  for (const { g, rule } of plan) {
    const awaiting = breakGrant(oplock, g, rule.to, cause)
    if (awaiting && rule.wait) waitFor.push(g.acknowledged)
  }
  if (waitFor.length === 0) return ok
  if (flags & OPLOCK_FLAG.OPLOCK_FLAG_COMPLETE_IF_OPLOCKED) return { status: STATUS.STATUS_OPLOCK_BREAK_IN_PROGRESS, waitFor: [] }
  return { status: STATUS.STATUS_PENDING, waitFor }
}

/** FsRtlCheckOplock: FsRtlCheckOplockEx without flags. */
export function FsRtlCheckOplock(oplock: Oplock | undefined, irp: Irp): OplockCheckResult {
  return FsRtlCheckOplockEx(oplock, irp)
}

/**
 * Waits for the acknowledgements a check asked for. `timeout` (100 ns units) bounds the wait;
 * undefined waits forever, as the local oplock package does ("Breaking Oplocks": the system
 * waits for the acknowledgement without a timeout). When a bounded wait runs out, the breaks it
 * waited for are completed as if acknowledged to none (unverified: the SMB server's behaviour
 * when its 35 s oplock break acknowledgement timer expires, MS-SMB2 3.3.2.1).
 */
export function* FsRtlWaitForOplockBreaks(oplock: Oplock, check: OplockCheckResult, timeout?: number): Co<void> {
  if (check.waitFor.length === 0) return
  const st = yield* KeWaitForMultipleObjects(check.waitFor, true, timeout, `oplock break acknowledgement (${oplock.name})`)
  if (st !== STATUS.STATUS_TIMEOUT) return
  for (const g of oplock.grants.slice()) {
    if (g.breakingTo !== undefined && check.waitFor.includes(g.acknowledged)) {
      removeGrant(oplock, g)
      g.breakingTo = undefined
      g.acknowledged.set()
    }
  }
  completeNotifies(oplock)
}

/**
 * Checks and waits until the operation may go on (for operations that are not retried as a
 * whole, such as reads and writes). Returns STATUS_SUCCESS, or STATUS_OPLOCK_BREAK_IN_PROGRESS
 * with OPLOCK_FLAG_COMPLETE_IF_OPLOCKED.
 */
export function* FsRtlCheckOplockAndWait(oplock: Oplock | undefined, irp: Irp, flags = 0, timeout?: number): Co<NTSTATUS> {
  if (!oplock) return STATUS.STATUS_SUCCESS
  for (let round = 0; round < 64; round++) {
    const r = FsRtlCheckOplockEx(oplock, irp, flags)
    if (r.status !== STATUS.STATUS_PENDING) return r.status
    yield* FsRtlWaitForOplockBreaks(oplock, r, timeout)
  }
  throw new Error(`${oplock.name}: oplock breaks did not settle after 64 rounds`)
}

/**
 * A directory's entries changed (a child was added, removed or renamed): what
 * FsRtlCheckOplockEx with OPLOCK_FLAG_PARENT_OBJECT does to the directory's oplocks. A local
 * open carries no parent oplock key, so no holder is spared (MS-FSA 2.1.4.12.2: keys that are
 * empty never match). The directory's R and RH oplocks break to none; RH asks for an
 * acknowledgement. unverified: the operation that changed the entry does not wait for it.
 */
export function oplockBreakForEntryChange(oplock: Oplock | undefined): void {
  if (!oplock) return
  for (const g of oplock.grants.slice()) breakGrant(oplock, g, 0, undefined)
}

/**
 * The handle's cleanup ("Checking the Oplock State of an IRP_MJ_CLEANUP operation"): this file
 * object's oplocks break to none without an acknowledgement, their requests complete, and the
 * operations waiting for their acknowledgement go on. Other handles' level 2 and read oplocks
 * are not affected.
 */
export function FsRtlOplockCleanup(oplock: Oplock | undefined, fo: FileObject): void {
  if (!oplock) return
  for (const g of oplock.grants.slice()) {
    if (g.fileObject === fo) releaseGrant(oplock, g, 'closed')
  }
  completeNotifies(oplock)
}
