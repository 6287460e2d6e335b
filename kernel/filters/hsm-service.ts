// HsmRecall.exe, the HSM filter's recall service (./hsm.ts). It connects to \HsmRecallPort and
// runs worker threads (2 by default, the `threads` parameter) that each wait in
// FilterGetMessage for a recall request. The remote store is a folder on the volume (`store`,
// default C:\HsmStore): the stub's data "hsm://store/objects/0001" is the file
// C:\HsmStore\objects\0001. Fetching it is the expensive part a real HSM wants to do once.
//
// - HSM_MODE_RECALL: opens the stub itself (FILE_OPEN_REPARSE_POINT), writes the fetched data
//   into it, deletes the reparse point (FSCTL_DELETE_REPARSE_POINT) and clears
//   FILE_ATTRIBUTE_OFFLINE; a stub that is no longer one was recalled already and is left as is.
// - HSM_MODE_COPY: writes the data to a new copy in the cache folder (`cache`, default
//   C:\HsmCache), <object>-<n>.dat, and answers its name.
//
// Published (serviceOutput): `fetches` (objects read from the store), `copies` (copies made).

import { type Co, type KThread, KeWaitForMultipleObjects } from '../ke/index.ts'
import * as nt from '../io/services/index.ts'
import { ACCESS } from '../nt/access.ts'
import { CREATE_DISPOSITION, CREATE_OPTIONS, FILE_ATTRIBUTE, SHARE_ACCESS } from '../nt/file.ts'
import { FILE_INFORMATION_CLASS } from '../nt/infoclass.ts'
import { FSCTL } from '../nt/irp.ts'
import { NT_SUCCESS, STATUS, type NTSTATUS } from '../nt/status.ts'
import { encodeReparsePoint } from '../rtl/structs/reparse.ts'
import { CloseHandle, CreateFileW } from '../win32/create.ts'
import { CreateDirectoryW } from '../win32/directory.ts'
import { GetFileSizeEx, ReadFile } from '../win32/readwrite.ts'
import { CREATION_DISPOSITION, FILE_FLAG } from '../win32/constants.ts'
import {
  FilterConnectCommunicationPort,
  FilterGetMessage,
  FilterReplyMessage,
  readMessageHeader,
  writeReplyHeader,
  FILTER_MESSAGE_HEADER_SIZE,
  FILTER_REPLY_HEADER_SIZE,
} from '../win32/fltlib.ts'
import type { ServiceContext, UserModeService } from '../flt/user/service.ts'
import {
  decodeRecallMessage,
  encodeReply,
  HSM_MODE_COPY,
  HSM_RECALL_MESSAGE_SIZE,
  HSM_REPARSE_GUID,
  HSM_REPLY_SIZE,
  HsmPortName,
  IO_REPARSE_TAG_HSM_STUB,
  STATUS_FILE_IS_OFFLINE,
} from './hsm-protocol.ts'

const SHARE_ALL = SHARE_ACCESS.FILE_SHARE_READ | SHARE_ACCESS.FILE_SHARE_WRITE | SHARE_ACCESS.FILE_SHARE_DELETE
const dec = new TextDecoder()

/** the store file an object name stands for: hsm://store/objects/0001 → <store>\objects\0001 */
export function storePath(store: string, object: string): string | undefined {
  const m = /^hsm:\/\/store\/(.+)$/.exec(object.replace(/\0+$/, ''))
  if (!m || m[1]!.split('/').some((c) => c === '' || c === '.' || c === '..')) return undefined
  return `${store.replace(/\\$/, '')}\\${m[1]!.replace(/\//g, '\\')}`
}

function* main(ctx: ServiceContext): Co<number> {
  const env = ctx.env
  const store = String(ctx.Parameters['store'] ?? 'C:\\HsmStore')
  const cache = String(ctx.Parameters['cache'] ?? 'C:\\HsmCache')
  const threadsParam = ctx.Parameters['threads']
  const threadCount = typeof threadsParam === 'number' && Number.isInteger(threadsParam) && threadsParam >= 1 && threadsParam <= 16 ? threadsParam : 2
  let fetches = 0
  let copies = 0
  ctx.publish('fetches', 0)
  ctx.publish('copies', [])
  const copyNames: string[] = []

  const port = { value: undefined as number | undefined }
  const hr = yield* FilterConnectCommunicationPort(env, HsmPortName, 0, null, 0, null, port)
  if (hr !== 0) {
    ctx.printf(`HsmRecall: cannot connect to ${HsmPortName}: 0x${(hr >>> 0).toString(16).toUpperCase()}`)
    return 2
  }

  /** the object's bytes from the store */
  function* fetch(object: string): Co<{ status: NTSTATUS; data?: Uint8Array }> {
    const path = storePath(store, object)
    if (!path) return { status: STATUS.STATUS_OBJECT_NAME_INVALID }
    fetches++
    ctx.publish('fetches', fetches)
    ctx.printf(`HsmRecall: fetching ${object} from ${path}`)
    const h = yield* CreateFileW(env, { FileName: path, DesiredAccess: ACCESS.GENERIC_READ, ShareMode: SHARE_ACCESS.FILE_SHARE_READ, CreationDisposition: CREATION_DISPOSITION.OPEN_EXISTING, FlagsAndAttributes: 0 })
    if (!NT_SUCCESS(h.status)) return { status: h.status }
    const size = yield* GetFileSizeEx(env, h.handle)
    const r = yield* ReadFile(env, { File: h.handle, NumberOfBytesToRead: size.size, Offset: 0 })
    yield* CloseHandle(env, h.handle)
    return r.ok ? { status: STATUS.STATUS_SUCCESS, data: r.data } : { status: STATUS_FILE_IS_OFFLINE }
  }

  /** HSM_MODE_RECALL: the data into the stub, then the stub is an ordinary file */
  function* recallInPlace(fileName: string, data: Uint8Array): Co<NTSTATUS> {
    const o = yield* nt.NtCreateFile(env.io, {
      FileName: fileName,
      DesiredAccess: ACCESS.GENERIC_READ | ACCESS.GENERIC_WRITE | ACCESS.SYNCHRONIZE,
      ShareAccess: SHARE_ALL,
      CreateDisposition: CREATE_DISPOSITION.FILE_OPEN,
      CreateOptions: CREATE_OPTIONS.FILE_OPEN_REPARSE_POINT | CREATE_OPTIONS.FILE_NON_DIRECTORY_FILE | CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_NONALERT,
    })
    if (!NT_SUCCESS(o.status)) return o.status
    const h = o.handle!
    try {
      const w = yield* nt.NtWriteFile(env.io, { FileHandle: h, ByteOffset: 0, Data: data })
      if (!NT_SUCCESS(w.status)) return w.status
      const del = encodeReparsePoint({ ReparseTag: IO_REPARSE_TAG_HSM_STUB, ReparseGuid: HSM_REPARSE_GUID, Data: new Uint8Array(0) })
      const f = yield* nt.NtFsControlFile(env.io, { FileHandle: h, FsControlCode: FSCTL.FSCTL_DELETE_REPARSE_POINT, InputBuffer: del })
      // another recall of the same stub finished first: the data are there already
      if (f.status === STATUS.STATUS_NOT_A_REPARSE_POINT) ctx.printf(`HsmRecall: ${fileName} was no longer a stub`)
      else if (!NT_SUCCESS(f.status)) return f.status
      // FILE_BASIC_INFORMATION with only the attributes changed (times 0: unchanged)
      const basic = new Uint8Array(40)
      new DataView(basic.buffer).setUint32(32, FILE_ATTRIBUTE.FILE_ATTRIBUTE_ARCHIVE, true)
      yield* nt.NtSetInformationFile(env.io, { FileHandle: h, FileInformationClass: FILE_INFORMATION_CLASS.FileBasicInformation, FileInformation: basic })
      return STATUS.STATUS_SUCCESS
    } finally {
      yield* nt.NtClose(env.io, { Handle: h })
    }
  }

  /** HSM_MODE_COPY: the data into a new file in the cache folder; its NT name */
  function* recallToCopy(object: string, data: Uint8Array): Co<{ status: NTSTATUS; name: string }> {
    yield* CreateDirectoryW(env, cache)
    copies++
    const base = object.replace(/\0+$/, '').split('/').pop() ?? 'object'
    const path = `${cache.replace(/\\$/, '')}\\${base}-${copies}.dat`
    const h = yield* CreateFileW(env, { FileName: path, DesiredAccess: ACCESS.GENERIC_WRITE, ShareMode: SHARE_ACCESS.FILE_SHARE_READ, CreationDisposition: CREATION_DISPOSITION.CREATE_ALWAYS, FlagsAndAttributes: 0 })
    if (!NT_SUCCESS(h.status)) return { status: h.status, name: '' }
    const w = yield* nt.NtWriteFile(env.io, { FileHandle: h.handle, ByteOffset: 0, Data: data })
    yield* CloseHandle(env, h.handle)
    if (!NT_SUCCESS(w.status)) return { status: w.status, name: '' }
    copyNames.push(path)
    ctx.publish('copies', [...copyNames])
    return { status: STATUS.STATUS_SUCCESS, name: `\\??\\${path}` }
  }

  function* worker(): Co<void> {
    const buffer = new Uint8Array(FILTER_MESSAGE_HEADER_SIZE + HSM_RECALL_MESSAGE_SIZE)
    for (;;) {
      const got = yield* FilterGetMessage(env, port.value!, buffer, buffer.length, null)
      if (got !== 0) return
      const header = readMessageHeader(buffer)
      const req = decodeRecallMessage(buffer.subarray(FILTER_MESSAGE_HEADER_SIZE))
      const object = dec.decode(req.Object)
      ctx.printf(`HsmRecall: recall of ${req.FileName} (${object})`)
      let status: NTSTATUS
      let name = ''
      const f = yield* fetch(object)
      if (!NT_SUCCESS(f.status) || !f.data) status = f.status
      else if (req.Mode === HSM_MODE_COPY) ({ status, name } = yield* recallToCopy(object, f.data))
      else status = yield* recallInPlace(req.FileName, f.data)
      const reply = new Uint8Array(FILTER_REPLY_HEADER_SIZE + HSM_REPLY_SIZE)
      writeReplyHeader(reply, 0, header.MessageId)
      reply.set(encodeReply(status, name), FILTER_REPLY_HEADER_SIZE)
      yield* FilterReplyMessage(env, port.value!, reply, reply.length)
    }
  }

  const threads: KThread[] = []
  for (let i = 0; i < threadCount; i++) threads.push(ctx.CreateThread(`recall ${i + 1}`, worker))
  ctx.ready()
  yield* KeWaitForMultipleObjects(threads, true, undefined, 'HsmRecall.exe: waiting for its worker threads')
  yield* CloseHandle(env, port.value!)
  return 0
}

/** HsmRecall.exe as the HSM filter's SERVICE */
export const HsmRecallService: UserModeService = { ImageName: 'HsmRecall.exe', main }
