// The driver under the NT services that open and close files on their own (NtDeleteFile,
// NtQueryAttributesFile), flush, change notification fed by the driver's operations, and
// operations from several threads at once.

import { describe, expect, it } from 'vitest'
import { RandomStrategy } from '../../ke/index.ts'
import { NtDeleteFile, NtFlushBuffersFile, NtSetInformationFile, queryAttributesByName } from '../../io/services/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_OPTIONS as O, FILE_ACTION as FA, FILE_NOTIFY_CHANGE as N } from '../../nt/file.ts'
import { FILE_INFORMATION_CLASS as C } from '../../nt/infoclass.ts'
import { statusName } from '../../nt/status.ts'
import { decodeFileInformation, encodeRenameInformation } from '../../rtl/structs/fileinfo.ts'
import { decodeNotifyEntries } from '../../rtl/structs/notify.ts'
import { forEachStore } from './test-backends.ts'
import { notify } from './test-services.ts'

forEachStore((vol) => {
  describe('NT services that open on their own', () => {
    it('NtDeleteFile deletes through a handle-less open with FILE_DELETE_ON_CLOSE', () => {
      const v = vol()
      v.file('gone.txt', 'x')
      const r = v.run(() => NtDeleteFile(v.io, { FileName: '\\??\\C:\\gone.txt', Attributes: 0x40 }))
      expect(statusName(r.status)).toBe('STATUS_SUCCESS')
      expect(v.exists('gone.txt')).toBe(false)
      expect(v.vcb.fcbTable.size).toBe(0)
    })
    it('NtDeleteFile on a non-empty directory leaves it (the delete on close is dropped)', () => {
      const v = vol()
      v.close(v.mkdir('d'))
      v.file('d\\x')
      v.run(() => NtDeleteFile(v.io, { FileName: '\\??\\C:\\d', Attributes: 0x40 }))
      expect(v.exists('d')).toBe(true)
    })
    it('NtQueryFullAttributesFile answers from a query-only open', () => {
      const v = vol()
      v.file('q.txt', 'hello')
      const r = v.run(() => queryAttributesByName(v.io, { FileName: '\\??\\C:\\q.txt', Attributes: 0x40 }, C.FileNetworkOpenInformation, 56))
      expect(statusName(r.status)).toBe('STATUS_SUCCESS')
      const info = decodeFileInformation('FileNetworkOpenInformation', r.buffer!)
      expect(info.EndOfFile).toBe(5)
      expect(v.vcb.fcbTable.size).toBe(0)
    })
  })

  describe('flush', () => {
    it('NtFlushBuffersFile succeeds on a file opened for write; on a volume open too', () => {
      const v = vol()
      const h = v.create('f', { access: ACCESS.FILE_WRITE_DATA })
      v.write(h, 'abc', 0)
      expect(statusName(v.run(() => NtFlushBuffersFile(v.io, { FileHandle: h })).status)).toBe('STATUS_SUCCESS')
      const vh = v.open('\\??\\C:', { access: ACCESS.FILE_WRITE_DATA | ACCESS.FILE_READ_DATA, share: 3 }).handle
      expect(v.flush(vh).name).toBe('STATUS_SUCCESS')
    })
  })

  describe('change notification fed by the driver', () => {
    it('a create in a watched directory completes the pending notify with FILE_ACTION_ADDED', () => {
      const v = vol()
      const d = v.mkdir('watched', { access: ACCESS.FILE_LIST_DIRECTORY, share: 7 })
      const n = notify(v, d, N.FILE_NOTIFY_CHANGE_FILE_NAME)
      expect(n.name).toBe('STATUS_PENDING')
      v.file('watched\\new.txt')
      expect(n.irp?.IoStatus.Status).toBe(0)
      const entries = decodeNotifyEntries(n.irp!.UserBuffer!.subarray(0, n.irp!.IoStatus.Information))
      expect(entries.map((e) => [e.Action, e.FileName])).toEqual([[FA.FILE_ACTION_ADDED, 'new.txt']])
    })
    it('setting the directory\'s own disposition completes its notify with STATUS_DELETE_PENDING', () => {
      const v = vol()
      const d = v.mkdir('w2', { access: ACCESS.FILE_LIST_DIRECTORY | ACCESS.DELETE, share: 7 })
      const n = notify(v, d, N.FILE_NOTIFY_CHANGE_FILE_NAME)
      v.set(d, 'FileDispositionInformation', { DeleteFile: true })
      expect(statusName(n.irp!.IoStatus.Status)).toBe('STATUS_DELETE_PENDING')
    })
  })

  describe('several threads', () => {
    it('concurrent renames X→Y and Y→Z under random interleavings leave one consistent namespace', () => {
      for (let seed = 1; seed <= 6; seed++) {
        const v = vol()
        v.ke.strategy = new RandomStrategy(seed)
        v.file('X', 'x-data')
        v.file('Y', 'y-data')
        const hx = v.open('X', { access: ACCESS.DELETE | ACCESS.SYNCHRONIZE, options: O.FILE_SYNCHRONOUS_IO_NONALERT, share: 7 }).handle
        const hy = v.open('Y', { access: ACCESS.DELETE | ACCESS.SYNCHRONIZE, options: O.FILE_SYNCHRONOUS_IO_NONALERT, share: 7 }).handle
        const rename = (h: number, to: string) =>
          v.spawn(`rename→${to}`, () => NtSetInformationFile(v.io, { FileHandle: h, FileInformationClass: C.FileRenameInformation, FileInformation: encodeRenameInformation({ FileName: to }) }))
        const a = rename(hx, 'Y')
        const b = rename(hy, 'Z')
        v.settle()
        const names = v.entries('').filter((n) => ['X', 'Y', 'Z'].includes(n)).sort()
        const sa = statusName(a.value!.status)
        const sb = statusName(b.value!.status)
        // either Y→Z ran first (both succeed: Y and Z exist), or X→Y met Y and collided
        if (sa === 'STATUS_SUCCESS') {
          expect(sb).toBe('STATUS_SUCCESS')
          expect(names).toEqual(['Y', 'Z'])
          expect(v.content('Y')).toBe('x-data')
          expect(v.content('Z')).toBe('y-data')
        } else {
          expect(sa).toBe('STATUS_OBJECT_NAME_COLLISION')
          expect(names).toEqual(['X', 'Z'])
        }
      }
    })
    it('concurrent FILE_WRITE_TO_END_OF_FILE appends never overwrite each other', () => {
      const v = vol()
      v.ke.strategy = new RandomStrategy(3)
      v.file('log')
      const handles = [0, 1, 2].map(() => v.open('log', { access: ACCESS.FILE_APPEND_DATA | ACCESS.SYNCHRONIZE, options: O.FILE_SYNCHRONOUS_IO_NONALERT, share: 7 }).handle)
      for (const [i, h] of handles.entries()) {
        v.spawn(`writer${i}`, function* () {
          for (let k = 0; k < 3; k++) yield* v.writeCo(h, `${i}${k};`)
        })
      }
      v.settle()
      const text = v.content('log')
      expect(text.length).toBe(27)
      expect(text.split(';').filter(Boolean).sort()).toEqual(['00', '01', '02', '10', '11', '12', '20', '21', '22'])
    })
  })
})
