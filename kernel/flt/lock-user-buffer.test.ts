import { describe, expect, it } from 'vitest'
import { FltLockUserBuffer, FLT_PREOP_SUCCESS_NO_CALLBACK, IRP_MJ, statusNameOf, type FLT_CALLBACK_DATA, type FLT_LOCKED_MDL } from './test-exports.ts'
import { bootMachine, close, filterModule, makeFile, open, read, run } from './test-support.ts'

describe('FltLockUserBuffer', () => {
  it("a read's buffer gets an MDL describing it (kept when there is one)", () => {
    const m = bootMachine(1, { cacheManager: false })
    const seen: string[] = []
    let mdl: FLT_LOCKED_MDL | undefined
    let buffer: Uint8Array | undefined
    const lock = (Data: FLT_CALLBACK_DATA) => {
      const st = FltLockUserBuffer(Data)
      seen.push(`read ${statusNameOf(st)}`)
      {
        mdl = Data.Iopb.Parameters.Read.MdlAddress as FLT_LOCKED_MDL
        buffer = Data.Iopb.Parameters.Read.ReadBuffer
        seen.push(`again ${statusNameOf(FltLockUserBuffer(Data))} ${Data.Iopb.Parameters.Read.MdlAddress === mdl}`)
      }
      return FLT_PREOP_SUCCESS_NO_CALLBACK
    }
    expect(
      m.fltmc.load(filterModule('locker', '150000', () => ({ OperationRegistration: [{ MajorFunction: IRP_MJ.IRP_MJ_READ, PreOperation: lock }] }))).statusName,
    ).toBe('STATUS_SUCCESS')
    const text = run(m, function* () {
      yield* makeFile(m, 'C:\\x.txt', 'locked bytes')
      const h = yield* open(m, 'C:\\x.txt')
      const r = yield* read(m, h.handle, 6, 7)
      yield* close(m, h.handle)
      return r.text
    })
    expect(text).toBe('bytes')
    expect(seen.filter((s) => s.startsWith('read') || s.startsWith('again'))).toEqual(['read STATUS_SUCCESS', 'again STATUS_SUCCESS true'])
    expect(mdl).toMatchObject({ kind: 'mdl', ByteCount: 6 })
    expect(mdl!.MappedSystemVa).toBe(buffer)
  })
})
