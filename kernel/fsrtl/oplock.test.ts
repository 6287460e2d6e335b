// The oplock package on its own: grants and the break tables, driven with IRPs built by hand
// (one stack location, as the file system sees them). Sources: learn.microsoft.com "Granting
// Oplocks" and the "Checking the Oplock State of an IRP_MJ_* operation" pages.

import { describe, expect, it } from 'vitest'
import { EProcess, ObNamespace } from '../ob/index.ts'
import { IoManager } from '../io/iomgr.ts'
import { FO, type FileObject } from '../io/file-object.ts'
import { IoAllocateIrp, type Irp } from '../io/irp.ts'
import { Scheduler, SystemWorkQueues } from '../ke/index.ts'
import { ACCESS } from '../nt/access.ts'
import { CREATE_DISPOSITION as D, CREATE_OPTIONS as O, SHARE_ACCESS as S } from '../nt/file.ts'
import { FSCTL, IRP_FLAGS, IRP_MJ, OPLOCK } from '../nt/irp.ts'
import { STATUS, statusName } from '../nt/status.ts'
import { encodeRequestOplockInput } from '../rtl/structs/oplock.ts'
import {
  FsRtlCheckOplockEx,
  FsRtlCurrentBatchOplock,
  FsRtlInitializeOplock,
  FsRtlOplockCleanup,
  FsRtlOplockFsctrl,
  FsRtlOplockFsctrlEx,
  FsRtlOplockIsFastIoPossible,
  OPLOCK_FLAG,
  OPLOCK_FSCTRL_FLAG,
  oplockAllowsFastIo,
  oplockKind,
  type Oplock,
} from './oplock.ts'

const R = OPLOCK.OPLOCK_LEVEL_CACHE_READ
const H = OPLOCK.OPLOCK_LEVEL_CACHE_HANDLE
const W = OPLOCK.OPLOCK_LEVEL_CACHE_WRITE
const ALL = S.FILE_SHARE_READ | S.FILE_SHARE_WRITE | S.FILE_SHARE_DELETE

function rig() {
  const ke = new Scheduler({ seed: 1 })
  const ob = new ObNamespace()
  const system = new EProcess(4, 'System', 'System', 'S-1-5-18', 0, '')
  const io = new IoManager({ ke, ob, workQueues: new SystemWorkQueues(ke, system), system, processOf: () => undefined })
  const device = io.createVolumeDevice('\\Device\\HarddiskVolume9', 'Z:')
  const fo = (): FileObject => io.createFileObject(device, '\\f.txt')
  const irp = (file: FileObject, major: number, setup: (i: Irp) => void = () => {}): Irp => {
    const i = IoAllocateIrp(io, 1)
    i.CurrentLocation = 1
    const sp = i.Stack[0]!
    sp.MajorFunction = major
    sp.FileObject = file
    setup(i)
    return i
  }
  const fsctl = (file: FileObject, code: number, input?: Uint8Array): Irp =>
    irp(file, IRP_MJ.IRP_MJ_FILE_SYSTEM_CONTROL, (i) => {
      i.SystemBuffer = input ?? new Uint8Array(0)
      i.OutputBuffer = new Uint8Array(24)
      i.Stack[0]!.Parameters.FileSystemControl = { FsControlCode: code, InputBufferLength: input?.length ?? 0, OutputBufferLength: 24 }
    })
  const open = (file: FileObject, access: number, share = ALL, disposition: number = D.FILE_OPEN, options = 0): Irp =>
    irp(file, IRP_MJ.IRP_MJ_CREATE, (i) => {
      i.Stack[0]!.Parameters.Create = {
        SecurityContext: { DesiredAccess: access },
        Options: (disposition << 24) | options,
        FileAttributes: 0,
        ShareAccess: share,
        EaBuffer: undefined,
        EaLength: 0,
        AllocationSize: 0,
      }
    })
  const op = (file: FileObject, major: number, flags = 0): Irp => irp(file, major, (i) => (i.Flags = flags))
  return { ke, fo, fsctl, open, op }
}

type Rig = ReturnType<typeof rig>

const only = { openCount: 1, hasByteRangeLocks: false, isDirectory: false }
const shared = { openCount: 2, hasByteRangeLocks: false, isDirectory: false }

function grant(r: Rig, oplock: Oplock, file: FileObject, code: number, ctx = only): Irp {
  const i = r.fsctl(file, code)
  expect(statusName(FsRtlOplockFsctrl(oplock, i, ctx))).toBe('STATUS_PENDING')
  return i
}

function grantWin7(r: Rig, oplock: Oplock, file: FileObject, level: number, ctx = only): Irp {
  const i = r.fsctl(file, FSCTL.FSCTL_REQUEST_OPLOCK, encodeRequestOplockInput({ RequestedOplockLevel: level, Flags: OPLOCK.REQUEST_OPLOCK_INPUT_FLAG_REQUEST }))
  expect(statusName(FsRtlOplockFsctrl(oplock, i, ctx))).toBe('STATUS_PENDING')
  return i
}

describe('FsRtl oplock package', () => {
  it('grants exclusive kinds only to the sole open, never on a synchronous file object, never twice', () => {
    const r = rig()
    const o = FsRtlInitializeOplock(r.ke)
    const a = r.fo()
    expect(statusName(FsRtlOplockFsctrl(o, r.fsctl(a, FSCTL.FSCTL_REQUEST_BATCH_OPLOCK), shared))).toBe('STATUS_OPLOCK_NOT_GRANTED')
    const sync = r.fo()
    sync.Flags |= FO.FO_SYNCHRONOUS_IO
    expect(statusName(FsRtlOplockFsctrl(o, r.fsctl(sync, FSCTL.FSCTL_REQUEST_OPLOCK_LEVEL_2), only))).toBe('STATUS_OPLOCK_NOT_GRANTED')
    grant(r, o, a, FSCTL.FSCTL_REQUEST_BATCH_OPLOCK)
    expect(FsRtlCurrentBatchOplock(o)).toBe(true)
    expect(oplockKind(o.grants[0]!)).toBe('batch')
    expect(statusName(FsRtlOplockFsctrl(o, r.fsctl(a, FSCTL.FSCTL_REQUEST_OPLOCK_LEVEL_1), only))).toBe('STATUS_OPLOCK_NOT_GRANTED')
    expect(statusName(FsRtlOplockFsctrl(o, r.fsctl(a, FSCTL.FSCTL_REQUEST_OPLOCK_LEVEL_2), only))).toBe('STATUS_OPLOCK_NOT_GRANTED')
  })

  it('FsRtlOplockFsctrlEx with OPLOCK_FSCTRL_FLAG_ALL_KEYS_MATCH grants RWH beside other handles; legacy exclusive requests still need the sole open', () => {
    const r = rig()
    const o = FsRtlInitializeOplock(r.ke)
    const a = r.fo()
    const rwh = r.fsctl(a, FSCTL.FSCTL_REQUEST_OPLOCK, encodeRequestOplockInput({ RequestedOplockLevel: R | W | H, Flags: OPLOCK.REQUEST_OPLOCK_INPUT_FLAG_REQUEST }))
    expect(statusName(FsRtlOplockFsctrlEx(o, rwh, shared, OPLOCK_FSCTRL_FLAG.OPLOCK_FSCTRL_FLAG_ALL_KEYS_MATCH))).toBe('STATUS_PENDING')
    const b = r.fo()
    expect(statusName(FsRtlOplockFsctrlEx(o, r.fsctl(b, FSCTL.FSCTL_REQUEST_BATCH_OPLOCK), shared, OPLOCK_FSCTRL_FLAG.OPLOCK_FSCTRL_FLAG_ALL_KEYS_MATCH))).toBe('STATUS_OPLOCK_NOT_GRANTED')
  })

  it('level 2 and read oplocks are refused while byte-range locks exist', () => {
    const r = rig()
    const o = FsRtlInitializeOplock(r.ke)
    const locked = { openCount: 1, hasByteRangeLocks: true, isDirectory: false }
    expect(statusName(FsRtlOplockFsctrl(o, r.fsctl(r.fo(), FSCTL.FSCTL_REQUEST_OPLOCK_LEVEL_2), locked))).toBe('STATUS_OPLOCK_NOT_GRANTED')
    const rq = r.fsctl(r.fo(), FSCTL.FSCTL_REQUEST_OPLOCK, encodeRequestOplockInput({ RequestedOplockLevel: R, Flags: OPLOCK.REQUEST_OPLOCK_INPUT_FLAG_REQUEST }))
    expect(statusName(FsRtlOplockFsctrl(o, rq, locked))).toBe('STATUS_OPLOCK_NOT_GRANTED')
  })

  it('an open breaks level 1 to level 2 and must wait; an overwrite breaks it to none; attribute-only opens break nothing', () => {
    const r = rig()
    const o = FsRtlInitializeOplock(r.ke)
    const a = r.fo()
    const req = grant(r, o, a, FSCTL.FSCTL_REQUEST_OPLOCK_LEVEL_1)
    expect(FsRtlCheckOplockEx(o, r.open(r.fo(), ACCESS.FILE_READ_ATTRIBUTES | ACCESS.SYNCHRONIZE)).status).toBe(STATUS.STATUS_SUCCESS)
    const check = FsRtlCheckOplockEx(o, r.open(r.fo(), ACCESS.FILE_READ_DATA))
    expect(statusName(check.status)).toBe('STATUS_PENDING')
    expect(check.waitFor).toHaveLength(1)
    expect(req.IoStatus.Information).toBe(OPLOCK.FILE_OPLOCK_BROKEN_TO_LEVEL_2)
    expect(FsRtlOplockIsFastIoPossible(o)).toBe(false)
    // a second break while the first waits lowers the target; the holder's acknowledgement then ends at none
    const over = FsRtlCheckOplockEx(o, r.open(r.fo(), ACCESS.FILE_WRITE_DATA, ALL, D.FILE_OVERWRITE))
    expect(statusName(over.status)).toBe('STATUS_PENDING')
    const ack = r.fsctl(a, FSCTL.FSCTL_OPLOCK_BREAK_ACKNOWLEDGE)
    expect(statusName(FsRtlOplockFsctrl(o, ack, only))).toBe('STATUS_SUCCESS')
    expect(o.grants).toHaveLength(0)
    expect(check.waitFor[0]!.signalState).toBe(1)
  })

  it('FILE_COMPLETE_IF_OPLOCKED reports the break instead of waiting; a check-only call breaks nothing', () => {
    const r = rig()
    const o = FsRtlInitializeOplock(r.ke)
    const req = grantWin7(r, o, r.fo(), R | W | H)
    const dry = FsRtlCheckOplockEx(o, r.open(r.fo(), ACCESS.FILE_READ_DATA), 0, { checkOnly: true })
    expect(statusName(dry.status)).toBe('STATUS_CANNOT_BREAK_OPLOCK')
    expect(req.completed).toBe(false)
    const c = FsRtlCheckOplockEx(o, r.open(r.fo(), ACCESS.FILE_READ_DATA), OPLOCK_FLAG.OPLOCK_FLAG_COMPLETE_IF_OPLOCKED)
    expect(statusName(c.status)).toBe('STATUS_OPLOCK_BREAK_IN_PROGRESS')
    expect(req.completed).toBe(true)
  })

  it('read-handle breaks only for a sharing violation, an overwrite or FILE_RESERVE_OPFILTER; waits only for the sharing violation', () => {
    const r = rig()
    const o = FsRtlInitializeOplock(r.ke)
    const req = grantWin7(r, o, r.fo(), R | H, shared)
    expect(FsRtlCheckOplockEx(o, r.open(r.fo(), ACCESS.FILE_READ_DATA | ACCESS.FILE_WRITE_DATA)).status).toBe(STATUS.STATUS_SUCCESS)
    expect(req.completed).toBe(false)
    const violation = FsRtlCheckOplockEx(o, r.open(r.fo(), ACCESS.FILE_WRITE_DATA), 0, { sharingViolation: true })
    expect(statusName(violation.status)).toBe('STATUS_PENDING')
    const r2 = rig()
    const o2 = FsRtlInitializeOplock(r2.ke)
    const req2 = grantWin7(r2, o2, r2.fo(), R | H, shared)
    const reserve = FsRtlCheckOplockEx(o2, r2.open(r2.fo(), ACCESS.FILE_READ_ATTRIBUTES, ALL, D.FILE_OPEN, O.FILE_RESERVE_OPFILTER))
    // broken to none with an acknowledgement required, but the open goes on
    expect(reserve.status).toBe(STATUS.STATUS_SUCCESS)
    expect(req2.completed).toBe(true)
  })

  it('writes: level 2 breaks whatever the key, without waiting; filter oplocks survive byte-range locks', () => {
    const r = rig()
    const o = FsRtlInitializeOplock(r.ke)
    const a = r.fo()
    const l2 = grant(r, o, a, FSCTL.FSCTL_REQUEST_OPLOCK_LEVEL_2, shared)
    expect(oplockAllowsFastIo(o, a, 'read')).toBe(true)
    expect(oplockAllowsFastIo(o, a, 'write')).toBe(false)
    expect(FsRtlCheckOplockEx(o, r.op(a, IRP_MJ.IRP_MJ_WRITE, IRP_FLAGS.IRP_PAGING_IO)).status).toBe(STATUS.STATUS_SUCCESS)
    expect(l2.completed).toBe(false)
    expect(FsRtlCheckOplockEx(o, r.op(a, IRP_MJ.IRP_MJ_WRITE)).status).toBe(STATUS.STATUS_SUCCESS)
    expect(l2.IoStatus.Information).toBe(OPLOCK.FILE_OPLOCK_BROKEN_TO_NONE)
    expect(o.grants).toHaveLength(0)

    const f = r.fo()
    const filter = grant(r, o, f, FSCTL.FSCTL_REQUEST_FILTER_OPLOCK)
    expect(FsRtlCheckOplockEx(o, r.op(r.fo(), IRP_MJ.IRP_MJ_LOCK_CONTROL)).status).toBe(STATUS.STATUS_SUCCESS)
    expect(filter.completed).toBe(false)
    expect(oplockAllowsFastIo(o, r.fo(), 'lock')).toBe(true)
    expect(oplockAllowsFastIo(o, r.fo(), 'read')).toBe(true)
    expect(statusName(FsRtlCheckOplockEx(o, r.op(r.fo(), IRP_MJ.IRP_MJ_WRITE)).status)).toBe('STATUS_PENDING')
    expect(filter.IoStatus.Information).toBe(OPLOCK.FILE_OPLOCK_BROKEN_TO_NONE)
  })

  it("cleanup completes the handle's own requests and ends waits on them", () => {
    const r = rig()
    const o = FsRtlInitializeOplock(r.ke)
    const a = r.fo()
    grant(r, o, a, FSCTL.FSCTL_REQUEST_BATCH_OPLOCK)
    const wait = FsRtlCheckOplockEx(o, r.open(r.fo(), ACCESS.FILE_READ_DATA))
    expect(wait.waitFor[0]!.signalState).toBe(0)
    FsRtlOplockCleanup(o, a)
    expect(wait.waitFor[0]!.signalState).toBe(1)
    expect(o.grants).toHaveLength(0)
  })
})
