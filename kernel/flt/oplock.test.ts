// A filter that serves a file's oplocks itself (as an isolation filter does): it takes the oplock
// FSCTLs on *.virt files with FltOplockFsctrl and checks writes with FltCheckOplock; NTFS never
// sees the requests.

import { describe, expect, it } from 'vitest'
import { ACCESS } from '../nt/access.ts'
import { CREATE_DISPOSITION } from '../nt/file.ts'
import { FSCTL, OPLOCK } from '../nt/irp.ts'
import { NtClose, NtCreateFile, NtFsControlFile, NtWaitForSingleObject, NtWriteFile } from '../io/services/index.ts'
import {
  FltCheckOplock,
  FltCompletePendedPreOperation,
  FltInitializeOplock,
  FltOplockFsctrl,
  FltOplockIsFastIoPossible,
  FLT_PREOP_PENDING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  IRP_MJ,
  STATUS,
  ref,
  type Co,
  type FLT_CALLBACK_DATA,
  type FLT_RELATED_OBJECTS,
  type OPLOCK as FltOplockObject,
} from './test-exports.ts'
import { bootMachine, filterModule, makeFile, run } from './test-support.ts'

describe('FltOplockFsctrl and FltCheckOplock', () => {
  it('a level 2 oplock the filter grants is broken to none by a write it checks; NTFS never sees the FSCTL', () => {
    const m = bootMachine(1, { cacheManager: false })
    const oplock = ref<FltOplockObject>()
    const fastIo: boolean[] = []
    const virt = (o: FLT_RELATED_OBJECTS) => o.FileObject?.FileName.toLowerCase().endsWith('.virt') ?? false
    const mod = filterModule('isolation', '300000', () => ({
      OperationRegistration: [
        {
          MajorFunction: IRP_MJ.IRP_MJ_FILE_SYSTEM_CONTROL,
          PreOperation: (Data: FLT_CALLBACK_DATA, o: FLT_RELATED_OBJECTS) => {
            if (!virt(o)) return FLT_PREOP_SUCCESS_NO_CALLBACK
            if (!oplock.value) FltInitializeOplock(oplock)
            const r = FltOplockFsctrl(oplock, Data, 1)
            fastIo.push(FltOplockIsFastIoPossible(oplock))
            return r
          },
        },
        {
          MajorFunction: IRP_MJ.IRP_MJ_WRITE,
          *PreOperation(Data: FLT_CALLBACK_DATA, o: FLT_RELATED_OBJECTS): Co<number> {
            if (!virt(o)) return FLT_PREOP_SUCCESS_NO_CALLBACK
            yield* FltCheckOplock(oplock, Data, null, null, null)
            return FLT_PREOP_SUCCESS_NO_CALLBACK
          },
        },
      ],
    }))
    expect(m.fltmc.load(mod).statusName).toBe('STATUS_SUCCESS')
    let grant: { status: number; iosb?: { Status: number; Information: number } } | undefined
    run(m, function* () {
      yield* makeFile(m, 'C:\\a.virt', 'data')
      // an asynchronous handle asks for a level 2 oplock: granted, the request pends
      const h = yield* NtCreateFile(m.io, { FileName: '\\??\\C:\\a.virt', DesiredAccess: ACCESS.GENERIC_READ, ShareAccess: 7, CreateDisposition: CREATE_DISPOSITION.FILE_OPEN, CreateOptions: 0 })
      const r = yield* NtFsControlFile(m.io, { FileHandle: h.handle!, FsControlCode: FSCTL.FSCTL_REQUEST_OPLOCK_LEVEL_2 })
      grant = { status: r.status, iosb: r.IoStatusBlock }
      expect(r.status).toBe(STATUS.STATUS_PENDING)
      // a write through another handle breaks it (level 2 breaks do not wait)
      const w = yield* NtCreateFile(m.io, { FileName: '\\??\\C:\\a.virt', DesiredAccess: ACCESS.GENERIC_WRITE | ACCESS.SYNCHRONIZE, ShareAccess: 7, CreateDisposition: CREATE_DISPOSITION.FILE_OPEN, CreateOptions: 0x20 })
      expect((yield* NtWriteFile(m.io, { FileHandle: w.handle!, ByteOffset: 0, Data: new TextEncoder().encode('DATA') })).status).toBe(STATUS.STATUS_SUCCESS)
      yield* NtClose(m.io, { Handle: w.handle! })
      yield* NtClose(m.io, { Handle: h.handle! })
    })
    expect(grant?.iosb).toMatchObject({ Status: STATUS.STATUS_SUCCESS, Information: OPLOCK.FILE_OPLOCK_BROKEN_TO_NONE })
    // a level 2 holder makes fast I/O questionable for writers: not possible while it is held
    expect(fastIo).toEqual([false])
    expect(m.trace.events.some((e) => e.op === 'IRP_MJ_FILE_SYSTEM_CONTROL' && e.at === 'fs')).toBe(false)
  })
})

describe('FltCheckOplock with a WaitCompletionRoutine', () => {
  it('a second open pends until the level 1 holder acknowledges the break; then the routine lets it go on', () => {
    const m = bootMachine(2, { cacheManager: false })
    const oplock = ref<FltOplockObject>()
    const log: string[] = []
    const virt = (o: FLT_RELATED_OBJECTS) => o.FileObject?.FileName.toLowerCase().endsWith('.virt') ?? false
    let holderOpen = false
    function Resume(Data: FLT_CALLBACK_DATA): void {
      log.push('acknowledged: the create goes on')
      FltCompletePendedPreOperation(Data, FLT_PREOP_SUCCESS_NO_CALLBACK, null)
    }
    const mod = filterModule('isolation', '300000', () => ({
      OperationRegistration: [
        {
          MajorFunction: IRP_MJ.IRP_MJ_FILE_SYSTEM_CONTROL,
          PreOperation: (Data: FLT_CALLBACK_DATA, o: FLT_RELATED_OBJECTS) => {
            if (!virt(o)) return FLT_PREOP_SUCCESS_NO_CALLBACK
            if (!oplock.value) FltInitializeOplock(oplock)
            return FltOplockFsctrl(oplock, Data, 1)
          },
        },
        {
          MajorFunction: IRP_MJ.IRP_MJ_CREATE,
          *PreOperation(Data: FLT_CALLBACK_DATA, o: FLT_RELATED_OBJECTS): Co<number> {
            if (!virt(o) || !holderOpen) return FLT_PREOP_SUCCESS_NO_CALLBACK
            const r = yield* FltCheckOplock(oplock, Data, null, Resume, () => log.push('pending the create'))
            log.push(`check: ${r === FLT_PREOP_PENDING ? 'pending' : r}`)
            return r === FLT_PREOP_PENDING ? FLT_PREOP_PENDING : FLT_PREOP_SUCCESS_NO_CALLBACK
          },
        },
      ],
    }))
    expect(m.fltmc.load(mod).statusName).toBe('STATUS_SUCCESS')
    run(m, function* () {
      yield* makeFile(m, 'C:\\b.virt', 'data')
    })
    const p = m.process('app.exe')
    let broken: { Status: number; Information: number } | undefined
    let second: number | undefined
    const holder = m.ke.createThread(p, 'holder', function* () {
      const h = yield* NtCreateFile(m.io, { FileName: '\\??\\C:\\b.virt', DesiredAccess: ACCESS.GENERIC_READ, ShareAccess: 7, CreateDisposition: CREATE_DISPOSITION.FILE_OPEN, CreateOptions: 0 })
      holderOpen = true
      const r = yield* NtFsControlFile(m.io, { FileHandle: h.handle!, FsControlCode: FSCTL.FSCTL_REQUEST_OPLOCK_LEVEL_1 })
      expect(r.status).toBe(STATUS.STATUS_PENDING)
      // the break completes the request; the holder acknowledges it
      yield* NtWaitForSingleObject(m.io, { Handle: h.handle! })
      broken = { ...r.IoStatusBlock! }
      log.push('holder acknowledges')
      yield* NtFsControlFile(m.io, { FileHandle: h.handle!, FsControlCode: FSCTL.FSCTL_OPLOCK_BREAK_ACKNOWLEDGE })
    })
    m.registerThread(p, holder.tid)
    m.ke.runUntil(() => holderOpen && (oplock.value?.grants.length ?? 0) > 0, { deadline: m.ke.now + 60 * 10_000_000 })
    const opener = m.ke.createThread(p, 'opener', function* () {
      second = (yield* NtCreateFile(m.io, { FileName: '\\??\\C:\\b.virt', DesiredAccess: ACCESS.GENERIC_READ | ACCESS.SYNCHRONIZE, ShareAccess: 7, CreateDisposition: CREATE_DISPOSITION.FILE_OPEN, CreateOptions: 0x20 })).status
    })
    m.registerThread(p, opener.tid)
    m.ke.runUntil(() => second !== undefined, { deadline: m.ke.now + 60 * 10_000_000 })
    expect(second).toBe(STATUS.STATUS_SUCCESS)
    expect(broken).toMatchObject({ Status: STATUS.STATUS_SUCCESS, Information: OPLOCK.FILE_OPLOCK_BROKEN_TO_LEVEL_2 })
    expect(log).toEqual(['pending the create', 'check: pending', 'holder acknowledges', 'acknowledged: the create goes on'])
  })
})
