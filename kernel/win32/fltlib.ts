// fltlib.dll's communication-port calls for user-mode programs (fltUser.h), the other side of
// kernel/flt/ports.ts: FilterConnectCommunicationPort, FilterGetMessage, FilterReplyMessage,
// FilterSendMessage, with CloseHandle (./create.ts) to disconnect. Each returns an HRESULT as
// fltlib does: S_OK, or HRESULT_FROM_WIN32 of the Win32 error the NTSTATUS maps to (a missing
// port is HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)).
//
// Buffers are bytes in the C layout:
// - FilterGetMessage's buffer starts with FILTER_MESSAGE_HEADER { ULONG ReplyLength; ULONGLONG
//   MessageId } (16 bytes, `readMessageHeader`), then the filter's message;
// - FilterReplyMessage's buffer starts with FILTER_REPLY_HEADER { NTSTATUS Status; ULONGLONG
//   MessageId } (16 bytes, `writeReplyHeader`), then the reply for the filter.
//
// Overlapped FilterGetMessage (the scanner's and avscan's programs) returns
// HRESULT_FROM_WIN32(ERROR_IO_PENDING) and completes through the OVERLAPPED: its event is set and,
// when the handle is associated with an I/O completion port (CreateIoCompletionPort), a packet
// is queued there for GetQueuedCompletionStatus. CancelIoEx ends such a wait with
// ERROR_OPERATION_ABORTED.

import { KEvent, KSemaphore, KeWaitForSingleObject, type Co } from '../ke/index.ts'
import { ObjectHeader, type KObject, type ObjectType } from '../ob/index.ts'
import { insertHandle } from '../io/services/handles.ts'
import { NT_SUCCESS, STATUS, type NTSTATUS } from '../nt/status.ts'
import { managerOf } from '../flt/manager.ts'
import {
  connectClient,
  FILTER_MESSAGE_HEADER_SIZE,
  FILTER_REPLY_HEADER_SIZE,
  FltPortHandle,
  invokeMessageNotify,
  serverPortByName,
  STATUS_CONNECTION_COUNT_LIMIT,
  type FltClientPort,
} from '../flt/ports.ts'
import { hresultFromWin32 } from './copy/api.ts'
import { ERROR, RtlNtStatusToDosError, SetLastError } from './errors.ts'
import { currentProcess, currentThread, type Win32Env } from './env.ts'

export const S_OK = 0
/** winerror.h: ERROR_CONNECTION_COUNT_LIMIT */
export const ERROR_CONNECTION_COUNT_LIMIT = 1238
/** winerror.h (FACILITY_USERMODE_FILTER_MANAGER): a reply nobody waits for */
export const ERROR_FLT_NO_WAITER_FOR_REPLY = 0x801f0020
/** HRESULT_FROM_WIN32(ERROR_IO_PENDING) */
export const HRESULT_IO_PENDING = hresultFromWin32(ERROR.ERROR_IO_PENDING)
/** E_HANDLE-style result for a handle that is not a port: HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE) */
export const HRESULT_INVALID_HANDLE = hresultFromWin32(ERROR.ERROR_INVALID_HANDLE)

export { FILTER_MESSAGE_HEADER_SIZE, FILTER_REPLY_HEADER_SIZE }

/** FILTER_MESSAGE_HEADER at the start of a FilterGetMessage buffer */
export function readMessageHeader(buffer: Uint8Array): { ReplyLength: number; MessageId: bigint } {
  const dv = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength)
  return { ReplyLength: dv.getUint32(0, true), MessageId: dv.getBigUint64(8, true) }
}

/** FILTER_REPLY_HEADER at the start of a FilterReplyMessage buffer */
export function writeReplyHeader(buffer: Uint8Array, Status: NTSTATUS, MessageId: bigint): void {
  const dv = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength)
  dv.setUint32(0, Status >>> 0, true)
  dv.setUint32(4, 0, true)
  dv.setBigUint64(8, MessageId, true)
}

/** the HRESULT fltlib returns for a status, with the thread's last error set as it does */
function hresultOf(env: Win32Env, status: NTSTATUS): number {
  if (NT_SUCCESS(status)) return S_OK
  const t = currentThread(env)
  const error = status === STATUS_CONNECTION_COUNT_LIMIT ? (RtlNtStatusToDosError(t, status), ERROR_CONNECTION_COUNT_LIMIT) : RtlNtStatusToDosError(t, status)
  SetLastError(t, error)
  return hresultFromWin32(error)
}

function portOf(env: Win32Env, hPort: number): FltClientPort | undefined {
  const e = currentProcess(env).handles.get(hPort)
  return e?.object instanceof FltPortHandle ? e.object.client : undefined
}

/**
 * FilterConnectCommunicationPort: connects to the named server port; ConnectNotify runs in this
 * thread with lpContext. hPort receives the handle.
 */
export function* FilterConnectCommunicationPort(
  env: Win32Env,
  lpPortName: string,
  dwOptions: number,
  lpContext: Uint8Array | null,
  wSizeOfContext: number,
  _lpSecurityAttributes: unknown,
  hPort: { value: number | undefined },
): Co<number> {
  hPort.value = undefined
  void dwOptions
  const mgr = managerOf(env.io.ke)
  const server = mgr ? serverPortByName(mgr, lpPortName) : undefined
  if (!server) return hresultOf(env, STATUS.STATUS_OBJECT_NAME_NOT_FOUND)
  const context = lpContext ? lpContext.slice(0, wSizeOfContext) : null
  const process = currentProcess(env)
  const r = yield* connectClient(server, process, context)
  if (!NT_SUCCESS(r.status) || !r.handle) return hresultOf(env, r.status)
  r.handle.header.pointerCount++
  hPort.value = insertHandle(process, r.handle, 0x001f0001)
  return S_OK
}

/** OVERLAPPED as the port calls use it: Internal holds the status, InternalHigh the bytes */
export interface OVERLAPPED {
  Internal: NTSTATUS
  InternalHigh: number
  hEvent?: KEvent
  /** set when the request is done (HasOverlappedIoCompleted) */
  completed?: boolean
}

/** the completion port a handle is associated with, and its key */
const associations = new WeakMap<FltClientPort, { port: IoCompletionPort; key: unknown }>()
/** FilterGetMessage calls waiting with an OVERLAPPED, for CancelIoEx */
const pendingOverlapped = new WeakMap<OVERLAPPED, { client: FltClientPort; cancel: () => void }>()

/**
 * FilterGetMessage: the next message the filter sent, with its FILTER_MESSAGE_HEADER, into
 * lpMessageBuffer. Without an OVERLAPPED it waits in this thread; with one it returns
 * HRESULT_FROM_WIN32(ERROR_IO_PENDING) and completes later.
 */
export function* FilterGetMessage(env: Win32Env, hPort: number, lpMessageBuffer: Uint8Array, dwMessageBufferSize: number, lpOverlapped: OVERLAPPED | null): Co<number> {
  const client = portOf(env, hPort)
  if (!client) return hresultOf(env, STATUS.STATUS_INVALID_HANDLE)
  if (!client.open) return hresultOf(env, STATUS.STATUS_PORT_DISCONNECTED)
  const size = Math.min(dwMessageBufferSize, lpMessageBuffer.length)
  if (lpOverlapped) {
    const ov = lpOverlapped
    ov.completed = false
    ov.Internal = STATUS.STATUS_PENDING
    const finish = (status: NTSTATUS, bytes: number): void => {
      pendingOverlapped.delete(ov)
      ov.Internal = status
      ov.InternalHigh = bytes
      ov.completed = true
      ov.hEvent?.set()
      const a = associations.get(client)
      if (a) a.port.post({ bytes, key: a.key, overlapped: ov, status })
    }
    const now = client.takeNow(lpMessageBuffer, size)
    if (now) finish(now.status, now.bytes)
    else {
      const get = { buffer: lpMessageBuffer, size, complete: finish }
      client.getters.push(get)
      pendingOverlapped.set(ov, {
        client,
        cancel: () => {
          const i = client.getters.indexOf(get)
          if (i >= 0) client.getters.splice(i, 1)
          finish(STATUS.STATUS_CANCELLED, 0)
        },
      })
    }
    SetLastError(currentThread(env), ERROR.ERROR_IO_PENDING)
    return HRESULT_IO_PENDING
  }
  const now = client.takeNow(lpMessageBuffer, size)
  if (now) return hresultOf(env, now.status)
  const done = new KEvent(env.io.ke, 'notification', false, `FilterGetMessage on ${client.server.name}`)
  let result: NTSTATUS = STATUS.STATUS_PENDING
  client.getters.push({
    buffer: lpMessageBuffer,
    size,
    complete: (status) => {
      result = status
      done.set()
    },
  })
  yield* KeWaitForSingleObject(done, undefined, `FilterGetMessage: ${currentProcess(env).imageName} waits for a message on ${client.server.name}`)
  return hresultOf(env, result)
}

/**
 * FilterReplyMessage: answers the message whose MessageId the FILTER_REPLY_HEADER at the start
 * of lpReplyBuffer names; the bytes after the header go to the filter's reply buffer.
 */
export function* FilterReplyMessage(env: Win32Env, hPort: number, lpReplyBuffer: Uint8Array, dwReplyBufferSize: number): Co<number> {
  yield { k: 'point', label: 'FilterReplyMessage' }
  const client = portOf(env, hPort)
  if (!client) return hresultOf(env, STATUS.STATUS_INVALID_HANDLE)
  if (dwReplyBufferSize < FILTER_REPLY_HEADER_SIZE || lpReplyBuffer.length < dwReplyBufferSize) return hresultOf(env, STATUS.STATUS_INVALID_PARAMETER)
  if (!client.open) return hresultOf(env, STATUS.STATUS_PORT_DISCONNECTED)
  const dv = new DataView(lpReplyBuffer.buffer, lpReplyBuffer.byteOffset, lpReplyBuffer.byteLength)
  const id = dv.getBigUint64(8, true)
  const st = client.reply(id, lpReplyBuffer.slice(FILTER_REPLY_HEADER_SIZE, dwReplyBufferSize))
  if (st === STATUS.STATUS_NOT_FOUND) {
    // the sender timed out or the message was never sent (winerror.h)
    SetLastError(currentThread(env), ERROR_FLT_NO_WAITER_FOR_REPLY & 0xffff)
    return ERROR_FLT_NO_WAITER_FOR_REPLY
  }
  return hresultOf(env, st)
}

/**
 * FilterSendMessage: runs the filter's MessageNotify in this thread with lpInBuffer and
 * lpOutBuffer; lpBytesReturned receives what it wrote.
 */
export function* FilterSendMessage(
  env: Win32Env,
  hPort: number,
  lpInBuffer: Uint8Array | null,
  dwInBufferSize: number,
  lpOutBuffer: Uint8Array | null,
  dwOutBufferSize: number,
  lpBytesReturned: { value: number | undefined },
): Co<number> {
  lpBytesReturned.value = 0
  const client = portOf(env, hPort)
  if (!client) return hresultOf(env, STATUS.STATUS_INVALID_HANDLE)
  if (!client.open) return hresultOf(env, STATUS.STATUS_PORT_DISCONNECTED)
  const st = yield* invokeMessageNotify(client, lpInBuffer ? lpInBuffer.subarray(0, dwInBufferSize) : null, dwInBufferSize, lpOutBuffer, dwOutBufferSize, lpBytesReturned)
  return hresultOf(env, st)
}

// ---- I/O completion ports ------------------------------------------------------------------------

interface CompletionPacket {
  readonly bytes: number
  readonly key: unknown
  readonly overlapped: OVERLAPPED
  readonly status: NTSTATUS
}

const IoCompletionType: ObjectType = { name: 'IoCompletion' }

/** an I/O completion port: packets queued in completion order, taken by GetQueuedCompletionStatus */
export class IoCompletionPort implements KObject {
  readonly header = new ObjectHeader(IoCompletionType, '')
  readonly packets: CompletionPacket[] = []
  constructor(readonly count: KSemaphore) {}
  post(p: CompletionPacket): void {
    this.packets.push(p)
    this.count.release(1)
  }
}

/**
 * CreateIoCompletionPort: with ExistingCompletionPort 0 makes a port; with a port handle as
 * FileHandle associates it (CompletionKey comes back with each packet). Returns the port's
 * handle, or 0 with the last error set.
 */
export function CreateIoCompletionPort(env: Win32Env, FileHandle: number, ExistingCompletionPort: number, CompletionKey: unknown, _NumberOfConcurrentThreads: number): number {
  const process = currentProcess(env)
  let portHandle = ExistingCompletionPort
  let port: IoCompletionPort
  if (portHandle === 0) {
    port = new IoCompletionPort(new KSemaphore(env.io.ke, 0, 0x7fffffff, 'I/O completion port'))
    port.header.pointerCount++
    portHandle = insertHandle(process, port, 0x001f0003)
  } else {
    const e = process.handles.get(portHandle)
    if (!(e?.object instanceof IoCompletionPort)) {
      SetLastError(currentThread(env), ERROR.ERROR_INVALID_PARAMETER)
      return 0
    }
    port = e.object
  }
  // INVALID_HANDLE_VALUE: a port with no handle associated yet
  if (FileHandle !== -1 && FileHandle !== 0xffffffff) {
    const client = portOf(env, FileHandle)
    if (!client) {
      SetLastError(currentThread(env), ERROR.ERROR_INVALID_HANDLE)
      return 0
    }
    associations.set(client, { port, key: CompletionKey })
  }
  return portHandle
}

/**
 * GetQueuedCompletionStatus: waits (dwMilliseconds, undefined for INFINITE) for a packet;
 * TRUE with the bytes, key and OVERLAPPED of a request that succeeded, FALSE with them for one
 * that failed (the last error says why), FALSE with no OVERLAPPED when the wait timed out.
 */
export function* GetQueuedCompletionStatus(
  env: Win32Env,
  CompletionPort: number,
  lpNumberOfBytesTransferred: { value: number | undefined },
  lpCompletionKey: { value: unknown },
  lpOverlapped: { value: OVERLAPPED | undefined },
  dwMilliseconds: number | undefined,
): Co<boolean> {
  lpOverlapped.value = undefined
  const e = currentProcess(env).handles.get(CompletionPort)
  if (!(e?.object instanceof IoCompletionPort)) {
    SetLastError(currentThread(env), ERROR.ERROR_INVALID_HANDLE)
    return false
  }
  const port = e.object
  const st = yield* KeWaitForSingleObject(port.count, dwMilliseconds === undefined ? undefined : dwMilliseconds * 10_000, `GetQueuedCompletionStatus: ${currentProcess(env).imageName} waits for a completion packet`)
  if (st === STATUS.STATUS_TIMEOUT) {
    SetLastError(currentThread(env), ERROR.WAIT_TIMEOUT)
    return false
  }
  const p = port.packets.shift()!
  lpNumberOfBytesTransferred.value = p.bytes
  lpCompletionKey.value = p.key
  lpOverlapped.value = p.overlapped
  if (!NT_SUCCESS(p.status)) {
    const t = currentThread(env)
    SetLastError(t, p.status === STATUS.STATUS_CANCELLED ? ERROR.ERROR_OPERATION_ABORTED : RtlNtStatusToDosError(t, p.status))
    return false
  }
  return true
}

/** CancelIoEx for a port handle: ends its overlapped FilterGetMessage (all of them with no OVERLAPPED) */
export function CancelIoEx(env: Win32Env, hFile: number, lpOverlapped: OVERLAPPED | null): boolean {
  const client = portOf(env, hFile)
  if (!client) {
    SetLastError(currentThread(env), ERROR.ERROR_INVALID_HANDLE)
    return false
  }
  let any = false
  const cancel = (ov: OVERLAPPED): void => {
    const p = pendingOverlapped.get(ov)
    if (p && p.client === client) {
      p.cancel()
      any = true
    }
  }
  if (lpOverlapped) cancel(lpOverlapped)
  else {
    any = client.getters.length > 0
    for (const g of client.getters.splice(0)) g.complete(STATUS.STATUS_CANCELLED, 0)
  }
  if (!any) SetLastError(currentThread(env), ERROR.ERROR_NOT_FOUND)
  return any
}
