// IRP_MN_MDL reads and writes on NTFS: the Cache Manager's pages handed out in Irp->MdlAddress
// and given back with IRP_MN_COMPLETE_MDL; refused on a non-cached handle.

import { describe, expect, it } from 'vitest'
import { TestMachine, SECOND } from '../../cc/test-machine.ts'
import { referenceFile } from '../../io/services/handles.ts'
import { IRP_MJ, IRP_MN_READ_WRITE } from '../../nt/irp.ts'
import { CREATE_OPTIONS } from '../../nt/file.ts'
import { STATUS } from '../../nt/status.ts'
import type { CcMdl } from '../../cc/cache-manager.ts'
import type { Co } from '../../ke/index.ts'
import type { NTSTATUS } from '../../nt/status.ts'

function* mdlIrp(t: TestMachine, handle: number, major: number, minor: number, offset: number, length: number, mdl?: unknown): Co<{ status: NTSTATUS; information: number; mdl: unknown }> {
  const io = t.machine.io
  const ref = referenceFile(io, handle)
  if ('status' in ref) throw new Error('bad handle')
  const { irp, sp, device } = io.buildIrp(ref.fo, major, minor)
  irp.RequestorMode = 'KernelMode'
  irp.MdlAddress = mdl
  if (major === IRP_MJ.IRP_MJ_READ) sp.Parameters.Read = { Length: length, Key: 0, ByteOffset: offset }
  else sp.Parameters.Write = { Length: length, Key: 0, ByteOffset: offset }
  const status = yield* io.sendAndWait(device, irp)
  return { status, information: irp.IoStatus.Information, mdl: irp.MdlAddress }
}

describe('MDL read and write IRPs', () => {
  it('an MDL write fills the cache\'s pages and becomes dirty data the lazy writer writes; an MDL read hands out the pages', () => {
    const t = new TestMachine()
    const h = t.open('srv', 'm.bin')
    const text = new TextEncoder().encode('written through an MDL')
    t.call('srv', function* () {
      const prep = yield* mdlIrp(t, h, IRP_MJ.IRP_MJ_WRITE, IRP_MN_READ_WRITE.IRP_MN_MDL, 0, text.length)
      expect(prep.status).toBe(STATUS.STATUS_SUCCESS)
      expect(prep.information).toBe(text.length)
      const m = prep.mdl as CcMdl
      m.data.set(text)
      const done = yield* mdlIrp(t, h, IRP_MJ.IRP_MJ_WRITE, IRP_MN_READ_WRITE.IRP_MN_COMPLETE_MDL, 0, text.length, m)
      expect(done.status).toBe(STATUS.STATUS_SUCCESS)
      expect(done.mdl).toBeUndefined()
      const rd = yield* mdlIrp(t, h, IRP_MJ.IRP_MJ_READ, IRP_MN_READ_WRITE.IRP_MN_MDL, 8, 100)
      expect(rd.status).toBe(STATUS.STATUS_SUCCESS)
      expect(rd.information).toBe(text.length - 8)
      expect(new TextDecoder().decode((rd.mdl as CcMdl).data)).toBe('through an MDL')
      expect((yield* mdlIrp(t, h, IRP_MJ.IRP_MJ_READ, IRP_MN_READ_WRITE.IRP_MN_COMPLETE_MDL, 8, 0, rd.mdl)).status).toBe(STATUS.STATUS_SUCCESS)
      // a completion without the MDL the cache gave out is refused
      expect((yield* mdlIrp(t, h, IRP_MJ.IRP_MJ_WRITE, IRP_MN_READ_WRITE.IRP_MN_COMPLETE_MDL, 0, 4, { fake: true })).status).toBe(STATUS.STATUS_INVALID_PARAMETER)
    })
    // the new size is on the volume at once; the data only once the lazy writer has written it
    expect(t.onDisk('m.bin')).toEqual(new Uint8Array(text.length))
    t.wait(10 * SECOND)
    expect(new TextDecoder().decode(t.onDisk('m.bin'))).toBe('written through an MDL')
    t.close('srv', h)
  })

  it('is refused on a non-cached handle', () => {
    const t = new TestMachine()
    const h = t.open('srv', 'n.bin', { options: CREATE_OPTIONS.FILE_NO_INTERMEDIATE_BUFFERING | CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_NONALERT })
    const st = t.call('srv', function* () {
      return (yield* mdlIrp(t, h, IRP_MJ.IRP_MJ_WRITE, IRP_MN_READ_WRITE.IRP_MN_MDL, 0, 512)).status
    })
    expect(st).toBe(STATUS.STATUS_INVALID_PARAMETER)
  })
})
