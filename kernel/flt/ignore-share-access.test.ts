import { describe, expect, it } from 'vitest'
import { ACCESS } from '../nt/access.ts'
import { CREATE_DISPOSITION, CREATE_OPTIONS, OBJ_ATTRIBUTES } from '../nt/file.ts'
import { IO_IGNORE_SHARE_ACCESS_CHECK } from './constants.ts'
import { FltClose, FltCreateFileEx, InitializeObjectAttributes, FLT_PREOP_SUCCESS_NO_CALLBACK, IRP_MJ, ref, statusNameOf, type Co, type FLT_CALLBACK_DATA, type FLT_RELATED_OBJECTS } from './test-exports.ts'
import { bootMachine, close, filterModule, makeFile, open, run } from './test-support.ts'
import type { Machine } from '../machine.ts'
import { NtQueryInformationFile } from '../io/services/index.ts'
import { FILE_INFORMATION_CLASS } from '../nt/infoclass.ts'

/**
 * A filter that, when its query-information pre-operation runs, opens `target` for read with
 * FltCreateFileEx (Flags as given) and keeps the handle until `closeKept` runs.
 */
function opener(m: Machine, target: string, flags: number) {
  const state: { status?: string; handle?: number } = {}
  const mod = filterModule('opener', '200000', (handle) => ({
    OperationRegistration: [
      {
        MajorFunction: IRP_MJ.IRP_MJ_QUERY_INFORMATION,
        *PreOperation(_d: FLT_CALLBACK_DATA, o: FLT_RELATED_OBJECTS): Co<number> {
          if (state.status !== undefined) {
            // a later query closes the kept handle (FltClose runs in filter code)
            if (state.handle !== undefined) yield* FltClose(state.handle)
            state.handle = undefined
            return FLT_PREOP_SUCCESS_NO_CALLBACK
          }
          const h = ref<number>()
          const oa = InitializeObjectAttributes(`\\??\\${target}`, OBJ_ATTRIBUTES.OBJ_KERNEL_HANDLE | OBJ_ATTRIBUTES.OBJ_CASE_INSENSITIVE)
          // share nothing: without IO_IGNORE_SHARE_ACCESS_CHECK this open both conflicts and is counted
          const st = yield* FltCreateFileEx(handle.value!, o.Instance, h, null, ACCESS.GENERIC_READ | ACCESS.SYNCHRONIZE, oa, null, null, 0, 0, CREATE_DISPOSITION.FILE_OPEN, CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_NONALERT, null, 0, flags)
          state.status = statusNameOf(st)
          state.handle = h.value
          return FLT_PREOP_SUCCESS_NO_CALLBACK
        },
      },
    ],
  }))
  expect(m.fltmc.load(mod).statusName).toBe('STATUS_SUCCESS')
  return { state }
}

function* trigger(m: Machine, handle: number): Co<void> {
  yield* NtQueryInformationFile(m.io, { FileHandle: handle, FileInformationClass: FILE_INFORMATION_CLASS.FileStandardInformation, Length: 24 })
}

describe('IO_IGNORE_SHARE_ACCESS_CHECK (FltCreateFileEx Flags)', () => {
  it('opens a file another handle holds exclusively, and the open is not counted against later opens', () => {
    const m = bootMachine()
    const f = opener(m, 'C:\\locked.txt', IO_IGNORE_SHARE_ACCESS_CHECK)
    run(m, function* () {
      yield* makeFile(m, 'C:\\locked.txt', 'data')
      const app = yield* open(m, 'C:\\locked.txt', { access: ACCESS.GENERIC_READ | ACCESS.GENERIC_WRITE | ACCESS.SYNCHRONIZE, share: 0, disposition: CREATE_DISPOSITION.FILE_OPEN })
      expect(app.name).toBe('STATUS_SUCCESS')
      yield* trigger(m, app.handle)
      expect(f.state.status).toBe('STATUS_SUCCESS')
      yield* close(m, app.handle)
      // the filter's handle is still open, sharing nothing — yet an exclusive open succeeds
      const again = yield* open(m, 'C:\\locked.txt', { access: ACCESS.GENERIC_READ | ACCESS.GENERIC_WRITE | ACCESS.SYNCHRONIZE, share: 0, disposition: CREATE_DISPOSITION.FILE_OPEN })
      expect(again.name).toBe('STATUS_SUCCESS')
      yield* trigger(m, again.handle)
      expect(f.state.handle).toBeUndefined()
      yield* close(m, again.handle)
    })
  })

  it('without the flag the same open is a sharing violation', () => {
    const m = bootMachine()
    const f = opener(m, 'C:\\locked.txt', 0)
    run(m, function* () {
      yield* makeFile(m, 'C:\\locked.txt', 'data')
      const app = yield* open(m, 'C:\\locked.txt', { access: ACCESS.GENERIC_READ | ACCESS.SYNCHRONIZE, share: 0, disposition: CREATE_DISPOSITION.FILE_OPEN })
      yield* trigger(m, app.handle)
      expect(f.state.status).toBe('STATUS_SHARING_VIOLATION')
      yield* close(m, app.handle)
    })
  })

  it('without the flag a kept open that shares nothing blocks the next open', () => {
    const m = bootMachine()
    const f = opener(m, 'C:\\other.txt', 0)
    run(m, function* () {
      yield* makeFile(m, 'C:\\other.txt', 'data')
      yield* makeFile(m, 'C:\\probe.txt', 'x')
      const probe = yield* open(m, 'C:\\probe.txt', { disposition: CREATE_DISPOSITION.FILE_OPEN })
      yield* trigger(m, probe.handle)
      expect(f.state.status).toBe('STATUS_SUCCESS')
      const app = yield* open(m, 'C:\\other.txt', { access: ACCESS.GENERIC_READ | ACCESS.SYNCHRONIZE, disposition: CREATE_DISPOSITION.FILE_OPEN })
      expect(app.name).toBe('STATUS_SHARING_VIOLATION')
      // once the filter lets go, the same open succeeds
      yield* trigger(m, probe.handle)
      const after = yield* open(m, 'C:\\other.txt', { access: ACCESS.GENERIC_READ | ACCESS.SYNCHRONIZE, disposition: CREATE_DISPOSITION.FILE_OPEN })
      expect(after.name).toBe('STATUS_SUCCESS')
      yield* close(m, after.handle)
      yield* close(m, probe.handle)
    })
  })
})
