import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { Machine } from '../machine.ts'
import { ntfsVolume } from '../volumes.ts'
import { runCheck } from '../fs/ntfs/disk/check/index.ts'
import {
  FltCompletePendedPreOperation,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_PENDING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLTFL_CALLBACK_DATA_DRAINING_IO,
  FLTFL_CALLBACK_DATA_GENERATED_IO,
  FLTFL_INSTANCE_SETUP_AUTOMATIC_ATTACHMENT,
  FLTFL_INSTANCE_SETUP_MANUAL_ATTACHMENT,
  FLTFL_INSTANCE_TEARDOWN_FILTER_UNLOAD,
  FLTFL_INSTANCE_TEARDOWN_MANUAL,
  FLTFL_POST_OPERATION_DRAINING,
  IRP_MJ,
  IRP_MJ_FLT,
  STATUS,
  type FLT_CALLBACK_DATA,
} from './test-exports.ts'
import { bootMachine, close, filterModule, makeFile, open, read, run, spawn, write } from './test-support.ts'
import type { LOG_RECORD } from '../filters/minispy.ts'
import { recordIrpFlags, recordKind } from '../filters/minispy.ts'

describe('loading, attaching and unloading', () => {
  it('fltmc lists filters and instances as plain data, and unload removes them', () => {
    const m = bootMachine()
    expect(m.fltmc.filters()).toEqual([])
    expect(m.fltmc.load('passthrough').statusName).toBe('STATUS_SUCCESS')
    expect(m.fltmc.load('passthrough').statusName).toBe('STATUS_IMAGE_ALREADY_LOADED')
    expect(m.fltmc.filters()).toEqual([{ name: 'passthrough', instances: 1, altitude: '370030', frame: 0 }])
    expect(m.fltmc.unload('passthrough').statusName).toBe('STATUS_SUCCESS')
    expect(m.fltmc.filters()).toEqual([])
    expect(m.fltmc.instances()).toEqual([])
    expect(m.fltmc.unload('passthrough').statusName).toBe('STATUS_FLT_FILTER_NOT_FOUND')
    expect(m.fltmc.load('nosuch').message).toMatch(/no built-in filter named 'nosuch'/)
  })

  it('InstanceSetupCallback is told automatic or manual attachment and may decline; without FilterUnloadCallback a filter cannot be unloaded', () => {
    const m = bootMachine()
    const flags: number[] = []
    const mod = filterModule('picky', '150000', () => ({
      FilterUnloadCallback: null,
      InstanceSetupCallback: (_o, Flags) => {
        flags.push(Flags)
        return Flags & FLTFL_INSTANCE_SETUP_AUTOMATIC_ATTACHMENT ? STATUS.STATUS_FLT_DO_NOT_ATTACH : STATUS.STATUS_SUCCESS
      },
    }))
    expect(m.fltmc.load(mod).statusName).toBe('STATUS_SUCCESS')
    expect(m.fltmc.instances()).toEqual([])
    expect(m.fltmc.attach('picky', 'C:').statusName).toBe('STATUS_SUCCESS')
    expect(flags).toEqual([FLTFL_INSTANCE_SETUP_AUTOMATIC_ATTACHMENT, FLTFL_INSTANCE_SETUP_MANUAL_ATTACHMENT])
    expect(m.fltmc.instances().map((i) => i.instance)).toEqual(['picky Instance'])
    expect(m.fltmc.unload('picky').statusName).toBe('STATUS_FLT_DO_NOT_DETACH')
  })

  it('InstanceQueryTeardownCallback can veto a manual detach; teardown callbacks get the reason', () => {
    const m = bootMachine()
    let allow = false
    const reasons: string[] = []
    const mod = filterModule('sticky', '150000', () => ({
      InstanceQueryTeardownCallback: () => (allow ? STATUS.STATUS_SUCCESS : STATUS.STATUS_FLT_DO_NOT_DETACH),
      InstanceTeardownStartCallback: (_o, Reason) => void reasons.push(`start ${Reason}`),
      InstanceTeardownCompleteCallback: (_o, Reason) => void reasons.push(`complete ${Reason}`),
    }))
    expect(m.fltmc.load(mod).statusName).toBe('STATUS_SUCCESS')
    expect(m.fltmc.detach('sticky', 'C:').statusName).toBe('STATUS_FLT_DO_NOT_DETACH')
    allow = true
    expect(m.fltmc.detach('sticky', 'C:').statusName).toBe('STATUS_SUCCESS')
    expect(m.fltmc.attach('sticky', 'C:').statusName).toBe('STATUS_SUCCESS')
    expect(m.fltmc.unload('sticky').statusName).toBe('STATUS_SUCCESS')
    expect(reasons).toEqual([`start ${FLTFL_INSTANCE_TEARDOWN_MANUAL}`, `complete ${FLTFL_INSTANCE_TEARDOWN_MANUAL}`, `start ${FLTFL_INSTANCE_TEARDOWN_FILTER_UNLOAD}`, `complete ${FLTFL_INSTANCE_TEARDOWN_FILTER_UNLOAD}`])
  })

  it('minispy attaches only by hand; three instances at three altitudes log independently', () => {
    const m = bootMachine()
    expect(m.fltmc.load('minispy').statusName).toBe('STATUS_SUCCESS')
    expect(m.fltmc.instances()).toEqual([])
    expect(m.fltmc.attach('minispy', 'C:', undefined, 'Minispy - Top Instance').statusName).toBe('STATUS_SUCCESS')
    expect(m.fltmc.attach('minispy', 'C:', undefined, 'Minispy - Bottom Instance').statusName).toBe('STATUS_SUCCESS')
    expect(m.fltmc.instances().map((i) => `${i.instance}@${i.altitude}`)).toEqual(['Minispy - Top Instance@385100', 'Minispy - Bottom Instance@361000'])
    run(m, function* () {
      const h = yield* open(m, 'C:\\spy.txt')
      yield* write(m, h.handle, 'spied')
      yield* close(m, h.handle)
    })
    // IRP_MJ_CLOSE comes from System once the lazy writer and the lazy close let the cache map go
    m.runFor(30 * 10_000_000)
    const log = m.flt.published('minispy', 'log') as LOG_RECORD[]
    const write1 = log.find((r) => r.Data.CallbackMajorId === IRP_MJ.IRP_MJ_WRITE)!
    const app = write1.Data.FileObject
    const byInstance = (name: string) => log.filter((r) => r.Instance === name && r.Data.FileObject === app).map((r) => r.Data.CallbackMajorId)
    // after cleanup, the lazy writer's flush (acquire, paging write, release, EOF update), then the close
    const lazyWrite = [IRP_MJ_FLT.IRP_MJ_ACQUIRE_FOR_CC_FLUSH, IRP_MJ.IRP_MJ_WRITE, IRP_MJ_FLT.IRP_MJ_RELEASE_FOR_CC_FLUSH, IRP_MJ.IRP_MJ_SET_INFORMATION]
    const ops = [IRP_MJ.IRP_MJ_CREATE, IRP_MJ.IRP_MJ_WRITE, IRP_MJ.IRP_MJ_CLEANUP, ...lazyWrite, IRP_MJ.IRP_MJ_CLOSE]
    expect(byInstance('Minispy - Top Instance')).toEqual(ops)
    // below it, the top instance's own name query (its first name request after the create) shows up
    expect(byInstance('Minispy - Bottom Instance')).toEqual([IRP_MJ.IRP_MJ_CREATE, IRP_MJ.IRP_MJ_QUERY_INFORMATION, IRP_MJ.IRP_MJ_WRITE, IRP_MJ.IRP_MJ_CLEANUP, ...lazyWrite, IRP_MJ.IRP_MJ_CLOSE])
    const q = log.find((r) => r.Instance === 'Minispy - Bottom Instance' && r.Data.FileObject === app && r.Data.CallbackMajorId === IRP_MJ.IRP_MJ_QUERY_INFORMATION)!
    expect(q.Data.Flags & FLTFL_CALLBACK_DATA_GENERATED_IO).toBeTruthy()
    // the top instance's name lookups in pre-create open the file below it: the bottom instance logs those too
    expect(log.some((r) => r.Instance === 'Minispy - Bottom Instance' && r.Data.FileObject !== app && r.Data.CallbackMajorId === IRP_MJ.IRP_MJ_CREATE)).toBe(true)
    expect(write1.Name).toBe('\\Device\\HarddiskVolume1\\spy.txt')
    expect(write1.Data.Status).toBe(0)
    expect(write1.Data.Information).toBe(5)
    expect(recordKind(write1)).toBe('IRP')
    expect(recordIrpFlags(write1)).toBe('----')
    expect(write1.Data.Arg1).toBe(5)
    expect(log.map((r) => r.SequenceNumber)).toEqual(log.map((_, i) => i + 1))
  })
})

describe('teardown while operations are in flight', () => {
  /** a filter that holds every read pended until told */
  function holder(m: Machine, held: FLT_CALLBACK_DATA[], completeOnTeardown: boolean): void {
    const r = m.fltmc.load(
      filterModule('holder', '100000', () => ({
        InstanceTeardownStartCallback: () => {
          if (completeOnTeardown) for (const d of held.splice(0)) FltCompletePendedPreOperation(d, FLT_PREOP_SUCCESS_NO_CALLBACK, null)
        },
        OperationRegistration: [
          {
            MajorFunction: IRP_MJ.IRP_MJ_READ,
            PreOperation: (Data) => {
              held.push(Data)
              return FLT_PREOP_PENDING
            },
          },
        ],
      })),
    )
    expect(r.statusName).toBe('STATUS_SUCCESS')
  }

  function startRead(m: Machine, result: { text?: string }): void {
    spawn(m, function* () {
      const h = yield* open(m, 'C:\\held.txt')
      result.text = (yield* read(m, h.handle, 4)).text
    }, 'app.exe', 'reader')
    m.ke.runFor(1000)
  }

  it('detaching an instance drains the posts it owes (FLTFL_POST_OPERATION_DRAINING, on a copy, in the detaching thread) and never calls them again', () => {
    const m = bootMachine()
    const held: FLT_CALLBACK_DATA[] = []
    const posts: string[] = []
    expect(
      m.fltmc.load(
        filterModule('spy', '300000', () => ({
          OperationRegistration: [
            {
              MajorFunction: IRP_MJ.IRP_MJ_READ,
              PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
              PostOperation: (Data, _o, _c, Flags) => {
                posts.push(`post draining=${(Flags & FLTFL_POST_OPERATION_DRAINING) !== 0} copy=${(Data.Flags & FLTFL_CALLBACK_DATA_DRAINING_IO) !== 0} ${m.process('fltmc.exe').threads.includes(m.ke.current!) ? 'in fltmc' : 'elsewhere'}`)
                return FLT_POSTOP_FINISHED_PROCESSING
              },
            },
          ],
        })),
      ).statusName,
    ).toBe('STATUS_SUCCESS')
    holder(m, held, false)
    run(m, function* () {
      yield* makeFile(m, 'C:\\held.txt', 'held')
    })
    const result: { text?: string } = {}
    startRead(m, result)
    expect(held).toHaveLength(1)
    expect(m.fltmc.detach('spy', 'C:').statusName).toBe('STATUS_SUCCESS')
    expect(posts).toEqual(['post draining=true copy=true in fltmc'])
    spawn(m, function* () {
      FltCompletePendedPreOperation(held[0]!, FLT_PREOP_SUCCESS_NO_CALLBACK, null)
    }, 'System', 'resumer')
    m.ke.runFor(10_000_000)
    expect(result.text).toBe('held')
    expect(posts).toHaveLength(1)
  })

  it('teardown waits for the operations the instance pended; InstanceTeardownStart completing them lets it finish', () => {
    const m = bootMachine()
    const held: FLT_CALLBACK_DATA[] = []
    holder(m, held, true)
    run(m, function* () {
      yield* makeFile(m, 'C:\\held.txt', 'held')
    })
    const result: { text?: string } = {}
    startRead(m, result)
    expect(m.fltmc.detach('holder', 'C:').statusName).toBe('STATUS_SUCCESS')
    m.ke.runFor(1000)
    expect(result.text).toBe('held')
  })

  it('a teardown that can never finish is reported with what it waits for', () => {
    const m = bootMachine()
    const held: FLT_CALLBACK_DATA[] = []
    holder(m, held, false)
    run(m, function* () {
      yield* makeFile(m, 'C:\\held.txt', 'held')
    })
    startRead(m, {})
    const r = m.fltmc.detach('holder', 'C:')
    expect(r.statusName).toBe('STATUS_TIMEOUT')
    expect(r.message).toMatch(/teardown of holder@100000 on C: waits for 1 operation\(s\) it pended in pre-operation \(IRP_MJ_READ C:\\held\.txt/)
  })
})

describe('a filter that crashes', () => {
  it('stops the machine with KMODE_EXCEPTION_NOT_HANDLED naming the filter, the callback and the operation; the volume stays consistent and boots again', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'altitude-flt-crash-'))
    try {
      const image = path.join(dir, 'c.img')
      const m = Machine.create({ seed: 1, strategy: 'run-to-block', volumes: [{ letter: 'C:', mount: ntfsVolume({ kind: 'image', path: image, format: { sizeBytes: 32 * 1024 * 1024 } }) }] })
      m.boot()
      run(m, function* () {
        yield* makeFile(m, 'C:\\keep.txt', 'kept')
      })
      // the lazy writer puts the cached data on disk before the crash (a bugcheck loses what is still dirty)
      m.runFor(10 * 10_000_000)
      const r = m.fltmc.load(
        filterModule('crashy', '320000', () => ({
          OperationRegistration: [
            {
              MajorFunction: IRP_MJ.IRP_MJ_WRITE,
              PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
              PostOperation: function CrashyPostWrite(Data) {
                const ctx = (Data as unknown as { nothing: { here: number } }).nothing
                return ctx.here
              },
            },
          ],
        })),
      )
      expect(r.statusName).toBe('STATUS_SUCCESS')
      expect(() =>
        run(m, function* () {
          const h = yield* open(m, 'C:\\boom.txt')
          yield* write(m, h.handle, 'boom')
        }),
      ).toThrow(/KMODE_EXCEPTION_NOT_HANDLED/)
      const info = m.info()
      expect(info.state).toBe('bugchecked')
      expect(info.bugcheck!.code).toBe(0x1e)
      expect(info.bugcheck!.params[0]).toBe('0x00000000C0000005')
      expect(info.bugcheck!.culprit).toBe('crashy — CrashyPostWrite (IRP_MJ_WRITE post-operation)')
      expect(info.bugcheck!.message).toMatch(/^crashy raised an exception in CrashyPostWrite \(IRP_MJ_WRITE post-operation\): /)
      expect(info.bugcheck!.context).toMatch(/operation: IRP_MJ_WRITE C:\\boom\.txt FO\d+ IRP\d+ thread app\.exe/)
      expect(m.fltmc.load('passthrough').message).toMatch(/the machine has stopped/)
      m.shutdown()
      expect(runCheck(image).exitCode).toBe(0)
      // the machine boots again from the same volume
      const again = Machine.create({ seed: 1, strategy: 'run-to-block', volumes: [{ letter: 'C:', mount: ntfsVolume({ kind: 'image', path: image }) }] })
      again.boot()
      const text = run(again, function* () {
        const h = yield* open(again, 'C:\\keep.txt')
        return (yield* read(again, h.handle, 4)).text
      })
      expect(text).toBe('kept')
      again.shutdown()
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('an exception in DriverEntry is the filter\'s bugcheck too', () => {
    const m = bootMachine()
    const r = m.fltmc.load({
      NAME: 'broken',
      INF: { Instances: [{ Name: 'broken Instance', Altitude: '100000' }] },
      DriverEntry() {
        throw new Error('no memory for the lookaside list')
      },
    })
    expect(r.message).toMatch(/bugcheck 0x1E KMODE_EXCEPTION_NOT_HANDLED: broken raised an exception in DriverEntry: no memory for the lookaside list/)
  })
})
