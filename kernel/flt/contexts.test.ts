import { describe, expect, it } from 'vitest'
import {
  FltAllocateContext,
  FltDeleteContext,
  FltGetInstanceContext,
  FltGetStreamContext,
  FltGetStreamHandleContext,
  FltGetFileContext,
  FltGetVolumeContext,
  FltReferenceContext,
  FltReleaseContext,
  FltSetInstanceContext,
  FltSetStreamContext,
  FltSetStreamHandleContext,
  FltSetFileContext,
  FltSetVolumeContext,
  FLT_FILE_CONTEXT,
  FLT_INSTANCE_CONTEXT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FLT_SET_CONTEXT_REPLACE_IF_EXISTS,
  FLT_STREAM_CONTEXT,
  FLT_STREAMHANDLE_CONTEXT,
  FLT_VARIABLE_SIZED_CONTEXTS,
  FLT_VOLUME_CONTEXT,
  IRP_MJ,
  NonPagedPool,
  NT_SUCCESS,
  STATUS,
  ref,
  statusNameOf,
  type FLT_CONTEXT_REGISTRATION,
  type PFLT_CONTEXT,
  type PFLT_FILTER,
} from './test-exports.ts'
import { bootMachine, close, filterModule, open, run } from './test-support.ts'

interface Counts {
  Name: string
  Creates: number
}

describe('contexts', () => {
  function setup() {
    const m = bootMachine()
    const log: string[] = []
    const cleanup = (ctx: PFLT_CONTEXT, type: number): void => {
      log.push(`cleanup ${type === FLT_STREAM_CONTEXT ? 'stream' : type === FLT_STREAMHANDLE_CONTEXT ? 'handle' : type === FLT_FILE_CONTEXT ? 'file' : type === FLT_INSTANCE_CONTEXT ? 'instance' : 'volume'} ${(ctx as Counts).Name}`)
    }
    const contexts: FLT_CONTEXT_REGISTRATION[] = [FLT_STREAM_CONTEXT, FLT_STREAMHANDLE_CONTEXT, FLT_FILE_CONTEXT, FLT_INSTANCE_CONTEXT, FLT_VOLUME_CONTEXT].map((t) => ({
      ContextType: t,
      Size: FLT_VARIABLE_SIZED_CONTEXTS,
      ContextCleanupCallback: cleanup,
    }))
    const mod = filterModule('ctx', '370070', (handle) => ({
      ContextRegistration: contexts,
      InstanceSetupCallback: (FltObjects) => {
        const c = ref<Counts>()
        FltAllocateContext(handle.value!, FLT_INSTANCE_CONTEXT, 16, NonPagedPool, c)
        c.value!.Name = 'inst'
        const st = FltSetInstanceContext(FltObjects.Instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, c.value!, null)
        FltReleaseContext(c.value!)
        const v = ref<Counts>()
        FltAllocateContext(handle.value!, FLT_VOLUME_CONTEXT, 16, NonPagedPool, v)
        v.value!.Name = 'vol'
        FltSetVolumeContext(FltObjects.Volume, FLT_SET_CONTEXT_KEEP_IF_EXISTS, v.value!, null)
        FltReleaseContext(v.value!)
        return st
      },
      OperationRegistration: [
        {
          MajorFunction: IRP_MJ.IRP_MJ_CREATE,
          PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
          PostOperation: (Data, FltObjects) => {
            if (!NT_SUCCESS(Data.IoStatus.Status) || Data.IoStatus.Status === STATUS.STATUS_REPARSE) return FLT_POSTOP_FINISHED_PROCESSING
            const fo = FltObjects.FileObject!
            const name = fo.FileName
            // a stream context shared by every open of the stream: keep the one that is there
            const sc = ref<Counts>()
            FltAllocateContext(handle.value!, FLT_STREAM_CONTEXT, 16, NonPagedPool, sc)
            sc.value!.Name = `stream ${name}`
            sc.value!.Creates = 1
            const old = ref<PFLT_CONTEXT>()
            const st = FltSetStreamContext(FltObjects.Instance, fo, FLT_SET_CONTEXT_KEEP_IF_EXISTS, sc.value!, old)
            log.push(`set stream ${statusNameOf(st)}`)
            if (st === STATUS.STATUS_FLT_CONTEXT_ALREADY_DEFINED) {
              ;(old.value as Counts).Creates++
              FltReleaseContext(old.value!)
            }
            FltReleaseContext(sc.value!)
            // a handle context per file object, replaced if there is one
            const hc = ref<Counts>()
            FltAllocateContext(handle.value!, FLT_STREAMHANDLE_CONTEXT, 16, NonPagedPool, hc)
            hc.value!.Name = `handle FO${fo.id}`
            FltSetStreamHandleContext(FltObjects.Instance, fo, FLT_SET_CONTEXT_REPLACE_IF_EXISTS, hc.value!, null)
            FltReleaseContext(hc.value!)
            const fc = ref<Counts>()
            FltAllocateContext(handle.value!, FLT_FILE_CONTEXT, 16, NonPagedPool, fc)
            fc.value!.Name = `file ${name}`
            if (FltSetFileContext(FltObjects.Instance, fo, FLT_SET_CONTEXT_KEEP_IF_EXISTS, fc.value!, null) === STATUS.STATUS_FLT_CONTEXT_ALREADY_DEFINED) log.push('file context kept')
            FltReleaseContext(fc.value!)
            return FLT_POSTOP_FINISHED_PROCESSING
          },
        },
      ],
    }))
    expect(m.fltmc.load(mod).statusName).toBe('STATUS_SUCCESS')
    return { m, log, mod }
  }

  it('keeps one stream context per stream, one handle context per file object, and cleans each up when its object goes', () => {
    const { m, log, mod } = setup()
    const inst = m.flt.volumes[0]!.instances[0]!
    let streamCreates = 0
    run(m, function* () {
      const a = yield* open(m, 'C:\\f.txt')
      const b = yield* open(m, 'C:\\f.txt')
      const foA = m.process('app.exe').handles.get(a.handle)!.object as import('../io/file-object.ts').FileObject
      const foB = m.process('app.exe').handles.get(b.handle)!.object as import('../io/file-object.ts').FileObject
      const s = ref<PFLT_CONTEXT>()
      expect(FltGetStreamContext(inst, foA, s)).toBe(STATUS.STATUS_SUCCESS)
      streamCreates = (s.value as Counts).Creates
      const s2 = ref<PFLT_CONTEXT>()
      FltGetStreamContext(inst, foB, s2)
      expect(s2.value).toBe(s.value)
      FltReleaseContext(s.value!)
      FltReleaseContext(s2.value!)
      const ha = ref<PFLT_CONTEXT>()
      const hb = ref<PFLT_CONTEXT>()
      FltGetStreamHandleContext(inst, foA, ha)
      FltGetStreamHandleContext(inst, foB, hb)
      expect((ha.value as Counts).Name).toBe(`handle FO${foA.id}`)
      expect((hb.value as Counts).Name).toBe(`handle FO${foB.id}`)
      FltReleaseContext(ha.value!)
      FltReleaseContext(hb.value!)
      const fc = ref<PFLT_CONTEXT>()
      expect(FltGetFileContext(inst, foA, fc)).toBe(STATUS.STATUS_SUCCESS)
      FltReleaseContext(fc.value!)
      yield* close(m, a.handle)
      log.push('closed a')
      yield* close(m, b.handle)
      log.push('closed b')
    })
    expect(streamCreates).toBe(2)
    expect(log).toEqual([
      'set stream STATUS_SUCCESS',
      'set stream STATUS_FLT_CONTEXT_ALREADY_DEFINED',
      // the second open's own contexts were never attached: released, they are freed at once
      'cleanup stream stream \\f.txt',
      'file context kept',
      'cleanup file file \\f.txt',
      'cleanup handle handle FO1',
      'closed a',
      'cleanup handle handle FO2',
      'cleanup stream stream \\f.txt',
      'cleanup file file \\f.txt',
      'closed b',
    ].map((l) => l.replace('FO1', `FO${firstFo(m)}`).replace('FO2', `FO${firstFo(m) + 1}`)))
    // the instance and volume contexts go with the instance
    log.length = 0
    expect(m.fltmc.unload('ctx').statusName).toBe('STATUS_SUCCESS')
    expect(log.sort()).toEqual(['cleanup instance inst', 'cleanup volume vol'])
    void mod
  })

  it('Get returns STATUS_NOT_FOUND before a Set; Set on an attached context fails; Delete detaches and cleans up when released', () => {
    const { m, log } = setup()
    const inst = m.flt.volumes[0]!.instances[0]!
    const filter = m.flt.filters.get('ctx')! as PFLT_FILTER
    const c = ref<Counts>()
    expect(FltAllocateContext(filter, FLT_INSTANCE_CONTEXT, 16, NonPagedPool, c)).toBe(STATUS.STATUS_SUCCESS)
    c.value!.Name = 'second'
    const old = ref<PFLT_CONTEXT>()
    run(m, function* () {
      expect(FltSetInstanceContext(inst, FLT_SET_CONTEXT_REPLACE_IF_EXISTS, c.value!, old)).toBe(STATUS.STATUS_SUCCESS)
    })
    expect((old.value as Counts).Name).toBe('inst')
    // the replaced context comes back referenced: its cleanup runs when that reference goes
    expect(log).toEqual([])
    FltReleaseContext(old.value!)
    expect(log).toEqual(['cleanup instance inst'])
    run(m, function* () {
      expect(FltSetInstanceContext(inst, FLT_SET_CONTEXT_KEEP_IF_EXISTS, c.value!, null)).toBe(STATUS.STATUS_FLT_CONTEXT_ALREADY_LINKED)
      const v = ref<PFLT_CONTEXT>()
      expect(FltGetVolumeContext(filter, inst.volume, v)).toBe(STATUS.STATUS_SUCCESS)
      FltReleaseContext(v.value!)
    })
    FltReleaseContext(c.value!)
    FltReferenceContext(c.value!)
    FltDeleteContext(c.value!)
    expect(log).toEqual(['cleanup instance inst'])
    FltReleaseContext(c.value!)
    expect(log).toEqual(['cleanup instance inst', 'cleanup instance second'])
    run(m, function* () {
      const none = ref<PFLT_CONTEXT>()
      expect(FltGetInstanceContext(inst, none)).toBe(STATUS.STATUS_NOT_FOUND)
    })
  })

  it('releasing a context more often than it was referenced is bugcheck 0xF5 / 0x6D', () => {
    const { m } = setup()
    const filter = m.flt.filters.get('ctx')!
    const c = ref<Counts>()
    FltAllocateContext(filter, FLT_INSTANCE_CONTEXT, 16, NonPagedPool, c)
    const inst = m.flt.volumes[0]!.instances[0]!
    run(m, function* () {
      FltSetInstanceContext(inst, FLT_SET_CONTEXT_REPLACE_IF_EXISTS, c.value!, null)
    })
    FltReleaseContext(c.value!)
    expect(() => FltReleaseContext(c.value!)).toThrow(/more often than it referenced/)
    try {
      FltReleaseContext(c.value!)
    } catch (e) {
      expect((e as { params: bigint[] }).params[0]).toBe(0x6dn)
    }
  })
})

function firstFo(m: import('../machine.ts').Machine): number {
  // the first file object the test opened (files made before come first)
  return Math.min(...[...m.io.fileObjects.values()].filter((f) => f.traceName === 'C:\\f.txt').map((f) => f.id))
}
