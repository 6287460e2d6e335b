import { describe, expect, it } from 'vitest'
import { ACCESS } from '../nt/access.ts'
import { CREATE_DISPOSITION } from '../nt/file.ts'
import { NtCancelIoFileEx, NtClose, NtCreateFile, NtReadFile } from '../io/services/index.ts'
import {
  FltClearCancelCompletion,
  FltCompletePendedPreOperation,
  FltIsIoCanceled,
  FltSetCancelCompletion,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_PENDING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  IRP_MJ,
  STATUS,
  type FLT_CALLBACK_DATA,
} from './test-exports.ts'
import { bootMachine, filterModule, makeFile, run } from './test-support.ts'

describe('FltSetCancelCompletion', () => {
  it('a read the filter holds pended ends with STATUS_CANCELLED when CancelIoEx cancels it; the filter\'s routine completes it', () => {
    const m = bootMachine(1, { cacheManager: false })
    const held: FLT_CALLBACK_DATA[] = []
    const log: string[] = []
    function Canceled(Data: FLT_CALLBACK_DATA): void {
      log.push(`canceled, FltIsIoCanceled ${FltIsIoCanceled(Data)}`)
      held.splice(held.indexOf(Data), 1)
      Data.IoStatus = { Status: STATUS.STATUS_CANCELLED, Information: 0 }
      FltCompletePendedPreOperation(Data, FLT_PREOP_COMPLETE, null)
    }
    const mod = filterModule('holder', '300000', () => ({
      OperationRegistration: [
        {
          MajorFunction: IRP_MJ.IRP_MJ_READ,
          PreOperation: (Data: FLT_CALLBACK_DATA) => {
            const st = FltSetCancelCompletion(Data, Canceled)
            log.push(`set ${st}`)
            held.push(Data)
            return FLT_PREOP_PENDING
          },
        },
      ],
    }))
    expect(m.fltmc.load(mod).statusName).toBe('STATUS_SUCCESS')
    let readStatus = -1
    let handle = 0
    let started = false
    run(m, function* () {
      yield* makeFile(m, 'C:\\held.txt', 'data')
    })
    const p = m.process('app.exe')
    const reader = m.ke.createThread(p, 'reader', function* () {
      const h = yield* NtCreateFile(m.io, { FileName: '\\??\\C:\\held.txt', DesiredAccess: ACCESS.GENERIC_READ | ACCESS.SYNCHRONIZE, ShareAccess: 7, CreateDisposition: CREATE_DISPOSITION.FILE_OPEN, CreateOptions: 0x20 })
      handle = h.handle!
      started = true
      readStatus = (yield* NtReadFile(m.io, { FileHandle: handle, ByteOffset: 0, Length: 4 })).status
    })
    m.registerThread(p, reader.tid)
    m.ke.runUntil(() => started && held.length === 1, { deadline: m.ke.now + 60 * 10_000_000 })
    expect(held).toHaveLength(1)
    run(m, function* () {
      expect((yield* NtCancelIoFileEx(m.io, { FileHandle: handle })).status).toBe(STATUS.STATUS_SUCCESS)
      yield* NtClose(m.io, { Handle: handle })
    })
    m.ke.runUntil(() => readStatus !== -1, { deadline: m.ke.now + 60 * 10_000_000 })
    expect(readStatus).toBe(STATUS.STATUS_CANCELLED)
    expect(log).toEqual(['set 0', 'canceled, FltIsIoCanceled true'])
  })

  it('cleared before the filter completes the read itself: the cancel finds nothing to call', () => {
    const m = bootMachine(1, { cacheManager: false })
    const statuses: number[] = []
    const mod = filterModule('clearer', '300000', () => ({
      OperationRegistration: [
        {
          MajorFunction: IRP_MJ.IRP_MJ_READ,
          PreOperation: (Data: FLT_CALLBACK_DATA) => {
            statuses.push(FltSetCancelCompletion(Data, () => undefined))
            statuses.push(FltClearCancelCompletion(Data))
            return FLT_PREOP_SUCCESS_NO_CALLBACK
          },
        },
      ],
    }))
    expect(m.fltmc.load(mod).statusName).toBe('STATUS_SUCCESS')
    run(m, function* () {
      yield* makeFile(m, 'C:\\c.txt', 'data')
      const h = yield* NtCreateFile(m.io, { FileName: '\\??\\C:\\c.txt', DesiredAccess: ACCESS.GENERIC_READ | ACCESS.SYNCHRONIZE, ShareAccess: 7, CreateDisposition: CREATE_DISPOSITION.FILE_OPEN, CreateOptions: 0x20 })
      expect((yield* NtReadFile(m.io, { FileHandle: h.handle!, ByteOffset: 0, Length: 4 })).status).toBe(STATUS.STATUS_SUCCESS)
      yield* NtClose(m.io, { Handle: h.handle! })
    })
    expect(statuses).toEqual([STATUS.STATUS_SUCCESS, STATUS.STATUS_SUCCESS])
  })
})
