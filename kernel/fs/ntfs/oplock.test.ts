// Oplocks on NTFS through the NT services: grants, breaks caused by opens, reads, writes and
// renames, acknowledgements, cleanup, FILE_COMPLETE_IF_OPLOCKED and FILE_OPEN_REQUIRING_OPLOCK.
// Sources: learn.microsoft.com "Granting Oplocks", "Breaking Oplocks" and the per-operation
// "Checking the Oplock State" pages; MS-FSA 2.1.5.17; Wine/Samba oplock tests.

import { describe, expect, it } from 'vitest'
import { NtFsControlFile, NtSetInformationFile } from '../../io/services/index.ts'
import { FILE_INFORMATION_CLASS } from '../../nt/infoclass.ts'
import type { IoStatusBlock } from '../../io/irp.ts'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_DISPOSITION as D, CREATE_OPTIONS as O, SHARE_ACCESS as S } from '../../nt/file.ts'
import { FSCTL, OPLOCK } from '../../nt/irp.ts'
import { statusName } from '../../nt/status.ts'
import { encodeRenameInformation } from '../../rtl/structs/fileinfo.ts'
import { decodeRequestOplockOutput, encodeRequestOplockInput } from '../../rtl/structs/oplock.ts'
import { forEachStore } from './test-backends.ts'
import { ALL_SHARE, type TestVolume } from './test-support.ts'
import { withVolumeServices } from './test-services.ts'

const R = OPLOCK.OPLOCK_LEVEL_CACHE_READ
const H = OPLOCK.OPLOCK_LEVEL_CACHE_HANDLE
const W = OPLOCK.OPLOCK_LEVEL_CACHE_WRITE
const READ = ACCESS.FILE_READ_DATA | ACCESS.SYNCHRONIZE
const RW = ACCESS.FILE_READ_DATA | ACCESS.FILE_WRITE_DATA | ACCESS.SYNCHRONIZE

interface Pended {
  status: string
  iosb: IoStatusBlock
  out: Uint8Array | undefined
}

/** issues an oplock FSCTL and returns its immediate status with the live IO_STATUS_BLOCK */
function request(v: TestVolume, h: number, code: number, input?: Uint8Array, outLen = 0): Pended {
  const r = v.run(() => NtFsControlFile(v.io, { FileHandle: h, FsControlCode: code, ...(input ? { InputBuffer: input } : {}), OutputBufferLength: outLen }))
  return { status: statusName(r.status), iosb: r.IoStatusBlock ?? { Status: r.status, Information: r.information }, out: r.OutputBuffer }
}

function win7(v: TestVolume, h: number, level: number, flags: number = OPLOCK.REQUEST_OPLOCK_INPUT_FLAG_REQUEST): Pended {
  return request(v, h, FSCTL.FSCTL_REQUEST_OPLOCK, encodeRequestOplockInput({ RequestedOplockLevel: level, Flags: flags }), 24)
}

const pending = (p: Pended): boolean => statusName(p.iosb.Status) === 'STATUS_PENDING'

forEachStore((vol) => {
  const fresh = (): TestVolume => {
    const v = withVolumeServices(vol({ settings: {} }))
    v.file('f.txt', 'hello oplocks')
    return v
  }

  describe('oplocks', () => {
    it('a batch oplock on the only handle pends; a second open breaks it to level 2 and waits for the acknowledgement', () => {
      const v = fresh()
      const h = v.open('f.txt', { access: RW, share: ALL_SHARE }).handle
      const op = request(v, h, FSCTL.FSCTL_REQUEST_BATCH_OPLOCK)
      expect(op.status).toBe('STATUS_PENDING')
      expect(pending(op)).toBe(true)
      // the second open runs on its own thread: it stops at the break
      const second = v.spawn('second', () => v.openCo('f.txt', { access: READ, share: ALL_SHARE }))
      v.settle()
      expect(second.done).toBe(false)
      expect(statusName(op.iosb.Status)).toBe('STATUS_SUCCESS')
      expect(op.iosb.Information).toBe(OPLOCK.FILE_OPLOCK_BROKEN_TO_LEVEL_2)
      // acknowledging keeps a level 2 oplock: the acknowledgement pends as that oplock
      const ack = request(v, h, FSCTL.FSCTL_OPLOCK_BREAK_ACKNOWLEDGE)
      expect(ack.status).toBe('STATUS_PENDING')
      v.settle()
      expect(second.done).toBe(true)
      expect(second.value?.name).toBe('STATUS_SUCCESS')
      // a write through the second handle breaks the level 2 oplock to none without waiting
      expect(v.write(second.value!.handle, 'x', 0).name).toBe('STATUS_ACCESS_DENIED')
      const w = v.open('f.txt', { access: RW, share: ALL_SHARE })
      expect(v.write(w.handle, 'x', 0).name).toBe('STATUS_SUCCESS')
      expect(statusName(ack.iosb.Status)).toBe('STATUS_SUCCESS')
      expect(ack.iosb.Information).toBe(OPLOCK.FILE_OPLOCK_BROKEN_TO_NONE)
    })

    it('exclusive oplocks are not granted with a second handle open, nor on a synchronous handle', () => {
      const v = fresh()
      const a = v.open('f.txt', { access: READ, share: ALL_SHARE }).handle
      const b = v.open('f.txt', { access: READ, share: ALL_SHARE }).handle
      expect(request(v, a, FSCTL.FSCTL_REQUEST_OPLOCK_LEVEL_1).status).toBe('STATUS_OPLOCK_NOT_GRANTED')
      expect(win7(v, a, R | W | H).status).toBe('STATUS_OPLOCK_NOT_GRANTED')
      // shared levels coexist
      expect(request(v, a, FSCTL.FSCTL_REQUEST_OPLOCK_LEVEL_2).status).toBe('STATUS_PENDING')
      expect(win7(v, b, R).status).toBe('STATUS_PENDING')
      // level 2 and read-handle do not coexist
      expect(win7(v, b, R | H).status).toBe('STATUS_OPLOCK_NOT_GRANTED')
      const s = v.open('f.txt', { access: READ, share: ALL_SHARE, options: O.FILE_SYNCHRONOUS_IO_NONALERT }).handle
      expect(request(v, s, FSCTL.FSCTL_REQUEST_OPLOCK_LEVEL_2).status).toBe('STATUS_OPLOCK_NOT_GRANTED')
    })

    it('RWH: a compatible second open breaks only write caching (to RH) and waits for the acknowledgement', () => {
      const v = fresh()
      const h = v.open('f.txt', { access: RW, share: ALL_SHARE }).handle
      const op = win7(v, h, R | W | H)
      expect(op.status).toBe('STATUS_PENDING')
      const second = v.spawn('second', () => v.openCo('f.txt', { access: READ, share: ALL_SHARE }))
      v.settle()
      expect(second.done).toBe(false)
      const out = decodeRequestOplockOutput(op.out!)
      expect(out.OriginalOplockLevel).toBe(R | W | H)
      expect(out.NewOplockLevel).toBe(R | H)
      expect(out.Flags & OPLOCK.REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED).toBeTruthy()
      const ack = win7(v, h, R | H, OPLOCK.REQUEST_OPLOCK_INPUT_FLAG_ACK)
      expect(ack.status).toBe('STATUS_PENDING')
      v.settle()
      expect(second.value?.name).toBe('STATUS_SUCCESS')
      // read-handle caching survives a third compatible open
      const third = v.open('f.txt', { access: READ, share: ALL_SHARE })
      expect(third.name).toBe('STATUS_SUCCESS')
      expect(pending(ack)).toBe(true)
      // a write from another handle breaks RH to none; the writer does not wait
      expect(v.write(second.value!.handle, 'x').name).not.toBe('STATUS_PENDING')
      const w = v.open('f.txt', { access: RW, share: ALL_SHARE })
      expect(v.write(w.handle, 'x', 0).name).toBe('STATUS_SUCCESS')
      expect(decodeRequestOplockOutput(ack.out!).NewOplockLevel).toBe(0)
    })

    it('RH breaks on a sharing violation to R; closing the holder lets the open through', () => {
      const v = fresh()
      const h = v.open('f.txt', { access: READ, share: S.FILE_SHARE_READ }).handle
      const op = win7(v, h, R | H)
      expect(op.status).toBe('STATUS_PENDING')
      const writer = v.spawn('writer', () => v.openCo('f.txt', { access: RW, share: ALL_SHARE }))
      v.settle()
      expect(writer.done).toBe(false)
      expect(decodeRequestOplockOutput(op.out!).NewOplockLevel).toBe(R)
      // the holder closes its handle instead of acknowledging: the open goes on and succeeds
      v.close(h)
      v.settle()
      expect(writer.value?.name).toBe('STATUS_SUCCESS')
    })

    it('FILE_COMPLETE_IF_OPLOCKED: the open succeeds with STATUS_OPLOCK_BREAK_IN_PROGRESS', () => {
      const v = fresh()
      const h = v.open('f.txt', { access: RW, share: ALL_SHARE }).handle
      const op = request(v, h, FSCTL.FSCTL_REQUEST_OPLOCK_LEVEL_1)
      expect(op.status).toBe('STATUS_PENDING')
      const r = v.open('f.txt', { access: READ, share: ALL_SHARE, options: O.FILE_COMPLETE_IF_OPLOCKED })
      expect(r.name).toBe('STATUS_OPLOCK_BREAK_IN_PROGRESS')
      expect(r.handle).not.toBe(0)
      expect(op.iosb.Information).toBe(OPLOCK.FILE_OPLOCK_BROKEN_TO_LEVEL_2)
      // an attribute-only open breaks nothing
      expect(v.open('f.txt', { access: ACCESS.FILE_READ_ATTRIBUTES, share: ALL_SHARE }).name).toBe('STATUS_SUCCESS')
    })

    it('FILE_OPEN_REQUIRING_OPLOCK: STATUS_CANNOT_BREAK_OPLOCK over an oplock it would break; beside a plain handle it opens', () => {
      const v = fresh()
      const h = v.open('f.txt', { access: RW, share: ALL_SHARE }).handle
      expect(win7(v, h, R | W | H).status).toBe('STATUS_PENDING')
      expect(v.open('f.txt', { access: READ, share: ALL_SHARE, options: O.FILE_OPEN_REQUIRING_OPLOCK }).name).toBe('STATUS_CANNOT_BREAK_OPLOCK')
      v.close(h)
      const other = v.open('f.txt', { access: READ, share: ALL_SHARE }).handle
      const beside = v.open('f.txt', { access: READ, share: ALL_SHARE, options: O.FILE_OPEN_REQUIRING_OPLOCK })
      expect(beside.name).toBe('STATUS_SUCCESS')
      expect(win7(v, beside.handle, R | H).status).toBe('STATUS_PENDING')
      void other
    })

    it('closing the holder completes its request (legacy: broken to none; Windows 7: STATUS_OPLOCK_HANDLE_CLOSED)', () => {
      const v = fresh()
      const a = v.open('f.txt', { access: READ, share: ALL_SHARE }).handle
      const b = v.open('f.txt', { access: READ, share: ALL_SHARE }).handle
      const l2 = request(v, a, FSCTL.FSCTL_REQUEST_OPLOCK_LEVEL_2)
      const r = win7(v, b, R)
      v.close(a)
      v.close(b)
      expect(statusName(l2.iosb.Status)).toBe('STATUS_SUCCESS')
      expect(l2.iosb.Information).toBe(OPLOCK.FILE_OPLOCK_BROKEN_TO_NONE)
      expect(statusName(r.iosb.Status)).toBe('STATUS_OPLOCK_HANDLE_CLOSED')
    })

    it('an acknowledgement without a break is STATUS_INVALID_OPLOCK_PROTOCOL; FILE_RESERVE_OPFILTER beside another handle is not granted', () => {
      const v = fresh()
      const h = v.open('f.txt', { access: READ, share: ALL_SHARE }).handle
      expect(request(v, h, FSCTL.FSCTL_OPLOCK_BREAK_ACK_NO_2).status).toBe('STATUS_INVALID_OPLOCK_PROTOCOL')
      expect(win7(v, h, R, OPLOCK.REQUEST_OPLOCK_INPUT_FLAG_ACK).status).toBe('STATUS_INVALID_OPLOCK_PROTOCOL')
      expect(v.open('f.txt', { access: ACCESS.FILE_READ_ATTRIBUTES, share: ALL_SHARE, options: O.FILE_RESERVE_OPFILTER }).name).toBe('STATUS_OPLOCK_NOT_GRANTED')
      v.close(h)
      // FsRtlOplockFsctrl (IRP_MJ_CREATE): only FILE_READ_ATTRIBUTES, sharing everything
      expect(v.open('f.txt', { access: READ, share: ALL_SHARE, options: O.FILE_RESERVE_OPFILTER }).name).toBe('STATUS_OPLOCK_NOT_GRANTED')
      expect(v.open('f.txt', { access: ACCESS.FILE_READ_ATTRIBUTES, share: S.FILE_SHARE_READ, options: O.FILE_RESERVE_OPFILTER }).name).toBe('STATUS_OPLOCK_NOT_GRANTED')
      expect(v.probe('f.txt', { access: ACCESS.FILE_READ_ATTRIBUTES | ACCESS.SYNCHRONIZE, share: ALL_SHARE, options: O.FILE_RESERVE_OPFILTER }).name).toBe('STATUS_SUCCESS')
    })

    it('renaming an ancestor directory breaks a batch oplock below it and waits; the holder closes and the rename succeeds', () => {
      const v = fresh()
      v.close(v.mkdir('top'))
      v.file('top\\in.txt', 'inside')
      const h = v.open('top\\in.txt', { access: RW, share: ALL_SHARE }).handle
      const op = request(v, h, FSCTL.FSCTL_REQUEST_BATCH_OPLOCK)
      expect(op.status).toBe('STATUS_PENDING')
      const d = v.open('top', { access: ACCESS.DELETE | ACCESS.SYNCHRONIZE, share: ALL_SHARE, options: O.FILE_DIRECTORY_FILE }).handle
      const info = encodeRenameInformation({ ReplaceIfExists: false, FileName: 'moved' })
      const rename = v.spawn('rename', () => NtSetInformationFile(v.io, { FileHandle: d, FileInformationClass: FILE_INFORMATION_CLASS.FileRenameInformation, FileInformation: info }))
      v.settle()
      expect(rename.done).toBe(false)
      expect(op.iosb.Information).toBe(OPLOCK.FILE_OPLOCK_BROKEN_TO_NONE)
      // the holder gets out of the way: with no handle open below it, the directory can move
      v.close(h)
      v.settle()
      expect(statusName(rename.value!.status)).toBe('STATUS_SUCCESS')
      expect(v.exists('moved\\in.txt')).toBe(true)
    })

    it('a second request on the same handle replaces the first (STATUS_OPLOCK_SWITCHED_TO_NEW_HANDLE)', () => {
      const v = fresh()
      const h = v.open('f.txt', { access: RW, share: ALL_SHARE }).handle
      const r = win7(v, h, R)
      expect(r.status).toBe('STATUS_PENDING')
      const rh = win7(v, h, R | H)
      expect(rh.status).toBe('STATUS_PENDING')
      expect(statusName(r.iosb.Status)).toBe('STATUS_OPLOCK_SWITCHED_TO_NEW_HANDLE')
      expect(pending(rh)).toBe(true)
      const again = win7(v, h, R | H)
      expect(again.status).toBe('STATUS_PENDING')
      expect(statusName(rh.iosb.Status)).toBe('STATUS_OPLOCK_SWITCHED_TO_NEW_HANDLE')
      // a level 2 request beside a read-handle oplock is refused
      expect(request(v, h, FSCTL.FSCTL_REQUEST_OPLOCK_LEVEL_2).status).toBe('STATUS_OPLOCK_NOT_GRANTED')
    })

    it('FSCTL_OPBATCH_ACK_CLOSE_PENDING keeps the breaking open waiting until the holder closes; FSCTL_OPLOCK_BREAK_NOTIFY waits for the break to end', () => {
      const v = fresh()
      const h = v.open('f.txt', { access: RW, share: ALL_SHARE }).handle
      const n = v.open('f.txt', { access: ACCESS.FILE_READ_ATTRIBUTES, share: ALL_SHARE }).handle
      v.close(n)
      const op = request(v, h, FSCTL.FSCTL_REQUEST_BATCH_OPLOCK)
      expect(op.status).toBe('STATUS_PENDING')
      const second = v.spawn('second', () => v.openCo('f.txt', { access: READ, share: ALL_SHARE }))
      v.settle()
      expect(second.done).toBe(false)
      const watcher = v.open('f.txt', { access: ACCESS.FILE_READ_ATTRIBUTES, share: ALL_SHARE }).handle
      const notify = request(v, watcher, FSCTL.FSCTL_OPLOCK_BREAK_NOTIFY)
      expect(notify.status).toBe('STATUS_PENDING')
      expect(request(v, h, FSCTL.FSCTL_OPBATCH_ACK_CLOSE_PENDING).status).toBe('STATUS_SUCCESS')
      v.settle()
      expect(second.done).toBe(false)
      v.close(h)
      v.settle()
      expect(second.value?.name).toBe('STATUS_SUCCESS')
      expect(statusName(notify.iosb.Status)).toBe('STATUS_SUCCESS')
    })

    it('with a break timeout set, the breaking open goes on without the acknowledgement once it runs out', () => {
      const v = withVolumeServices(vol({ settings: { oplockBreakTimeout: 10_000_000 } }))
      v.file('t.txt', 'timeout')
      const h = v.open('t.txt', { access: RW, share: ALL_SHARE }).handle
      const op = request(v, h, FSCTL.FSCTL_REQUEST_OPLOCK_LEVEL_1)
      expect(op.status).toBe('STATUS_PENDING')
      const start = v.ke.now
      const second = v.spawn('second', () => v.openCo('t.txt', { access: READ, share: ALL_SHARE }))
      v.settle()
      expect(second.value?.name).toBe('STATUS_SUCCESS')
      expect(v.ke.now - start).toBeGreaterThanOrEqual(10_000_000)
      // the broken oplock is gone: acknowledging it now is a protocol error
      expect(request(v, h, FSCTL.FSCTL_OPLOCK_BREAK_ACKNOWLEDGE).status).toBe('STATUS_INVALID_OPLOCK_PROTOCOL')
    })

    it('directory oplocks: R and RH only; a new entry breaks them to none and the creator does not wait', () => {
      const v = fresh()
      const d = v.mkdir('dir', { access: ACCESS.FILE_LIST_DIRECTORY | ACCESS.SYNCHRONIZE, share: ALL_SHARE, options: O.FILE_DIRECTORY_FILE })
      expect(request(v, d, FSCTL.FSCTL_REQUEST_OPLOCK_LEVEL_1).status).toBe('STATUS_INVALID_PARAMETER')
      expect(win7(v, d, R | W).status).toBe('STATUS_INVALID_PARAMETER')
      const rh = win7(v, d, R | H)
      expect(rh.status).toBe('STATUS_PENDING')
      // listing the directory from another handle breaks nothing
      const other = v.open('dir', { access: ACCESS.FILE_LIST_DIRECTORY | ACCESS.SYNCHRONIZE, share: ALL_SHARE, options: O.FILE_DIRECTORY_FILE })
      expect(other.name).toBe('STATUS_SUCCESS')
      expect(pending(rh)).toBe(true)
      const made = v.open('dir\\new.txt', { access: RW, share: ALL_SHARE, disposition: D.FILE_CREATE })
      expect(made.name).toBe('STATUS_SUCCESS')
      const out = decodeRequestOplockOutput(rh.out!)
      expect(out.NewOplockLevel).toBe(0)
      expect(out.Flags & OPLOCK.REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED).toBeTruthy()
      expect(win7(v, d, 0, OPLOCK.REQUEST_OPLOCK_INPUT_FLAG_ACK).status).toBe('STATUS_SUCCESS')
    })

    it('filter oplock: a read-only open that shares read does not break it; a writer does', () => {
      const v = fresh()
      const f = v.open('f.txt', { access: ACCESS.FILE_READ_ATTRIBUTES, share: ALL_SHARE, options: O.FILE_RESERVE_OPFILTER }).handle
      const op = request(v, f, FSCTL.FSCTL_REQUEST_FILTER_OPLOCK)
      expect(op.status).toBe('STATUS_PENDING')
      const reader = v.open('f.txt', { access: READ, share: ALL_SHARE })
      expect(reader.name).toBe('STATUS_SUCCESS')
      expect(pending(op)).toBe(true)
      const writer = v.spawn('writer', () => v.openCo('f.txt', { access: RW, share: ALL_SHARE }))
      v.settle()
      expect(writer.done).toBe(false)
      expect(op.iosb.Information).toBe(OPLOCK.FILE_OPLOCK_BROKEN_TO_NONE)
      expect(request(v, f, FSCTL.FSCTL_OPLOCK_BREAK_ACKNOWLEDGE).status).toBe('STATUS_SUCCESS')
      v.settle()
      expect(writer.value?.name).toBe('STATUS_SUCCESS')
    })

    it('an overwrite breaks a batch oplock to none; a rename from another handle breaks it too', () => {
      const v = fresh()
      const h = v.open('f.txt', { access: RW, share: ALL_SHARE }).handle
      const op = request(v, h, FSCTL.FSCTL_REQUEST_BATCH_OPLOCK)
      const ow = v.spawn('overwrite', () => v.openCo('f.txt', { access: RW, share: ALL_SHARE, disposition: D.FILE_OVERWRITE }))
      v.settle()
      expect(ow.done).toBe(false)
      expect(op.iosb.Information).toBe(OPLOCK.FILE_OPLOCK_BROKEN_TO_NONE)
      expect(request(v, h, FSCTL.FSCTL_OPLOCK_BREAK_ACKNOWLEDGE).status).toBe('STATUS_SUCCESS')
      v.settle()
      expect(ow.value?.name).toBe('STATUS_SUCCESS')
      // a new batch oplock is refused while the other handle is open
      expect(request(v, h, FSCTL.FSCTL_REQUEST_BATCH_OPLOCK).status).toBe('STATUS_OPLOCK_NOT_GRANTED')
      v.close(ow.value!.handle)
      const op2 = request(v, h, FSCTL.FSCTL_REQUEST_BATCH_OPLOCK)
      expect(op2.status).toBe('STATUS_PENDING')
      const mover = v.open('f.txt', { access: ACCESS.DELETE | ACCESS.SYNCHRONIZE, share: ALL_SHARE, options: O.FILE_COMPLETE_IF_OPLOCKED })
      expect(mover.name).toBe('STATUS_OPLOCK_BREAK_IN_PROGRESS')
      expect(op2.iosb.Information).toBe(OPLOCK.FILE_OPLOCK_BROKEN_TO_LEVEL_2)
    })
  })
})
