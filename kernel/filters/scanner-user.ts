// scanuser.exe, the scanner sample's user-mode program (filesys/miniFilter/scanner/user/
// scanUser.c): connects to \ScannerPort, makes an I/O completion port for the connection, and
// starts worker threads (2 by default, the `ScanThreads` parameter) that each keep requests
// (5 by default, `ScanRequests`) of overlapped FilterGetMessage outstanding. A worker takes a
// completion, searches the SCANNER_NOTIFICATION's bytes for "foul", and replies with a
// SCANNER_REPLY_MESSAGE (FILTER_REPLY_HEADER + SCANNER_REPLY, 24 bytes with the structure's
// padding, as the sample sends it), then posts the request again.

import { KeWaitForMultipleObjects, type Co, type KThread } from '../ke/index.ts'
import {
  CreateIoCompletionPort,
  FilterConnectCommunicationPort,
  FilterGetMessage,
  FilterReplyMessage,
  GetQueuedCompletionStatus,
  HRESULT_IO_PENDING,
  readMessageHeader,
  writeReplyHeader,
  FILTER_MESSAGE_HEADER_SIZE,
  FILTER_REPLY_HEADER_SIZE,
  type OVERLAPPED,
} from '../win32/fltlib.ts'
import { GetLastError } from '../win32/errors.ts'
import { hresultFromWin32 } from '../win32/copy/api.ts'
import { CloseHandle } from '../win32/create.ts'
import type { ServiceContext, UserModeService } from '../flt/user/service.ts'

const ScannerPortName = '\\ScannerPort'
const SCANNER_READ_BUFFER_SIZE = 1024
const SCANNER_DEFAULT_REQUEST_COUNT = 5
const SCANNER_DEFAULT_THREAD_COUNT = 2
const SCANNER_MAX_THREAD_COUNT = 64
/** FIELD_OFFSET(SCANNER_MESSAGE, Ovlp): the header and the notification */
const SCANNER_MESSAGE_SIZE = FILTER_MESSAGE_HEADER_SIZE + 8 + SCANNER_READ_BUFFER_SIZE
/** sizeof(SCANNER_REPLY_MESSAGE): 16 + 1, padded to 8 */
const SCANNER_REPLY_MESSAGE_SIZE = 24

const FoulString = new TextEncoder().encode('foul')

/** SCANNER_MESSAGE: the message buffer and its OVERLAPPED */
interface SCANNER_MESSAGE {
  readonly buffer: Uint8Array
  readonly Ovlp: OVERLAPPED
}

/** ScanBuffer: whether the bytes contain "foul" */
export function ScanBuffer(Buffer: Uint8Array, BufferSize: number): boolean {
  outer: for (let i = 0; i + FoulString.length <= BufferSize; i++) {
    for (let k = 0; k < FoulString.length; k++) if (Buffer[i + k] !== FoulString[k]) continue outer
    return true
  }
  return false
}

function count(v: unknown, fallback: number, max: number): number {
  const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : fallback
  return Number.isInteger(n) && n >= 1 && n <= max ? n : fallback
}

const hex = (hr: number): string => '0x' + (hr >>> 0).toString(16).toUpperCase().padStart(8, '0')

function* main(ctx: ServiceContext): Co<number> {
  const env = ctx.env
  const requestCount = count(ctx.Parameters['ScanRequests'], SCANNER_DEFAULT_REQUEST_COUNT, 64)
  const threadCount = count(ctx.Parameters['ScanThreads'], SCANNER_DEFAULT_THREAD_COUNT, SCANNER_MAX_THREAD_COUNT)
  ctx.printf('Scanner: Connecting to the filter ...')
  const port = { value: undefined as number | undefined }
  let hr = yield* FilterConnectCommunicationPort(env, ScannerPortName, 0, null, 0, null, port)
  if (hr !== 0) {
    ctx.printf(`ERROR: Connecting to filter port: ${hex(hr)}`)
    return 2
  }
  const completion = CreateIoCompletionPort(env, port.value!, 0, 0, threadCount)
  if (completion === 0) {
    ctx.printf(`ERROR: Creating completion port: ${GetLastError(env.io.ke.currentThread)}`)
    yield* CloseHandle(env, port.value!)
    return 3
  }
  ctx.printf(`Scanner: Port = ${port.value} Completion = ${completion}`)
  let scanned = 0
  let foul = 0

  function* ScannerWorker(): Co<void> {
    for (;;) {
      const outSize = { value: undefined as number | undefined }
      const key = { value: undefined as unknown }
      const pOvlp = { value: undefined as OVERLAPPED | undefined }
      const result = yield* GetQueuedCompletionStatus(env, completion, outSize, key, pOvlp, undefined)
      const message = pOvlp.value ? messages.get(pOvlp.value) : undefined
      if (!result || !message) {
        hr = hresultFromWin32(GetLastError(env.io.ke.currentThread))
        break
      }
      ctx.printf(`Received message, size ${pOvlp.value!.InternalHigh}`)
      const dv = new DataView(message.buffer.buffer, message.buffer.byteOffset)
      const BytesToScan = dv.getUint32(FILTER_MESSAGE_HEADER_SIZE, true)
      const Contents = message.buffer.subarray(FILTER_MESSAGE_HEADER_SIZE + 8)
      const isFoul = ScanBuffer(Contents, Math.min(BytesToScan, SCANNER_READ_BUFFER_SIZE))
      scanned++
      if (isFoul) foul++
      ctx.publish('scanned', scanned)
      ctx.publish('foul', foul)
      const replyMessage = new Uint8Array(SCANNER_REPLY_MESSAGE_SIZE)
      writeReplyHeader(replyMessage, 0, readMessageHeader(message.buffer).MessageId)
      replyMessage[FILTER_REPLY_HEADER_SIZE] = isFoul ? 0 : 1 // SafeToOpen
      ctx.printf(`Replying message, SafeToOpen: ${isFoul ? 0 : 1}`)
      hr = yield* FilterReplyMessage(env, port.value!, replyMessage, SCANNER_REPLY_MESSAGE_SIZE)
      if (hr === 0) ctx.printf('Replied message')
      else {
        ctx.printf(`Scanner: Error replying message. Error = ${hex(hr)}`)
        break
      }
      message.Ovlp.Internal = 0
      message.Ovlp.InternalHigh = 0
      hr = yield* FilterGetMessage(env, port.value!, message.buffer, SCANNER_MESSAGE_SIZE, message.Ovlp)
      if (hr !== HRESULT_IO_PENDING) break
    }
    if (hr !== 0) ctx.printf(`Scanner: worker ends (${hex(hr)})`)
  }

  const messages = new Map<OVERLAPPED, SCANNER_MESSAGE>()
  const threads: KThread[] = []
  for (let i = 0; i < threadCount; i++) {
    threads.push(ctx.CreateThread(`worker ${i + 1}`, ScannerWorker))
    for (let j = 0; j < requestCount; j++) {
      const msg: SCANNER_MESSAGE = { buffer: new Uint8Array(SCANNER_MESSAGE_SIZE), Ovlp: { Internal: 0, InternalHigh: 0 } }
      messages.set(msg.Ovlp, msg)
      hr = yield* FilterGetMessage(env, port.value!, msg.buffer, SCANNER_MESSAGE_SIZE, msg.Ovlp)
      if (hr !== HRESULT_IO_PENDING) {
        ctx.printf(`ERROR: FilterGetMessage: ${hex(hr)}`)
        yield* CloseHandle(env, port.value!)
        return 4
      }
    }
  }
  ctx.ready()
  // WaitForMultipleObjectsEx(threads, TRUE, INFINITE)
  yield* KeWaitForMultipleObjects(threads, true, undefined, 'scanuser.exe: waiting for its worker threads')
  ctx.printf('Scanner:  All done.')
  yield* CloseHandle(env, port.value!)
  yield* CloseHandle(env, completion)
  return 0
}

/** scanuser.exe as a filter module's SERVICE */
export const ScanUser: UserModeService = { ImageName: 'scanuser.exe', main }
