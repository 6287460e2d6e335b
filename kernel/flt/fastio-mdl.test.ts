// The SMB server's MDL writes through a filtered volume: minifilters see FastIoPrepareMdlWrite
// and MdlWriteComplete as fast I/O IRP_MJ_WRITE with IRP_MN_MDL / IRP_MN_COMPLETE_MDL, and the
// MDL the file system handed out in Parameters.Write.MdlAddress.

import { describe, expect, it } from 'vitest'
import { TestMachine, SECOND } from '../cc/test-machine.ts'
import { STATUS } from '../nt/status.ts'
import { IRP_MJ, IRP_MN_READ_WRITE } from '../nt/irp.ts'
import { receiveCopy } from '../apps/srv/index.ts'
import { FLT_IS_FASTIO_OPERATION, FLT_POSTOP_FINISHED_PROCESSING, FLT_PREOP_SUCCESS_WITH_CALLBACK, type FLT_CALLBACK_DATA } from './test-exports.ts'
import { filterModule } from './test-support.ts'

describe('MDL fast I/O through the Filter Manager', () => {
  it('PrepareMdlWrite and MdlWriteComplete reach minifilters as fast I/O writes with IRP_MN_MDL', () => {
    const t = new TestMachine()
    const seen: { minor: number; fast: boolean; mdl: boolean; status?: number }[] = []
    const mod = filterModule('mdlwatch', '200000', () => ({
      OperationRegistration: [
        {
          MajorFunction: IRP_MJ.IRP_MJ_WRITE,
          PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
          PostOperation: (Data: FLT_CALLBACK_DATA) => {
            seen.push({ minor: Data.Iopb.MinorFunction, fast: FLT_IS_FASTIO_OPERATION(Data), mdl: Data.Iopb.Parameters.Write.MdlAddress !== undefined, status: Data.IoStatus.Status })
            return FLT_POSTOP_FINISHED_PROCESSING
          },
        },
      ],
    }))
    expect(t.machine.fltmc.load(mod).statusName).toBe('STATUS_SUCCESS')
    const r = t.call('System', () => receiveCopy({ io: t.machine.io, settings: {} }, { path: 'C:\\m.bin', content: 'x'.repeat(10_000), chunk: 4096, mdl: true }))
    expect(r.status).toBe(STATUS.STATUS_SUCCESS)
    expect(r.writes.map((w) => w.via)).toEqual(['IRP', 'PrepareMdlWrite', 'PrepareMdlWrite'])
    const fast = seen.filter((s) => s.fast && s.status === STATUS.STATUS_SUCCESS)
    expect(fast.map((s) => s.minor)).toEqual([IRP_MN_READ_WRITE.IRP_MN_MDL, IRP_MN_READ_WRITE.IRP_MN_COMPLETE_MDL, IRP_MN_READ_WRITE.IRP_MN_MDL, IRP_MN_READ_WRITE.IRP_MN_COMPLETE_MDL])
    expect(fast.every((s) => s.mdl)).toBe(true)
    t.wait(10 * SECOND)
    expect(new TextDecoder().decode(t.onDisk('m.bin'))).toBe('x'.repeat(10_000))
    const ops = t.trace.filter((e) => e.at === 'mdlwatch@200000' && e.phase === 'pre').map((e) => e.op)
    expect(ops).toContain('FASTIO_PREPARE_MDL_WRITE')
    expect(ops).toContain('FASTIO_MDL_WRITE_COMPLETE')
  })
})
