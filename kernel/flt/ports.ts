// Filter Manager communication ports (fltKernel.h): a filter creates a named server port
// (FltCreateCommunicationPort, `\ScannerPort`) in the object namespace; a user-mode program
// connects to it with fltlib's FilterConnectCommunicationPort (kernel/win32/fltlib.ts), which
// gives the filter a client port for that connection (ConnectNotify) and the program a handle.
// Messages go both ways:
// - kernel → user: FltSendMessage queues the message on the client port and waits, in the
//   sending thread, until a FilterGetMessage takes it and, when the sender gave a reply buffer,
//   until FilterReplyMessage answers it (or the timeout passes: STATUS_TIMEOUT, a success code);
// - user → kernel: FilterSendMessage runs MessageNotify in the caller's thread.
// Closing the program's last handle disconnects (DisconnectNotify, in which the filter calls
// FltCloseClientPort). Senders still waiting then get STATUS_PORT_DISCONNECTED.
//
// Messages are bytes (Uint8Array), laid out as the C structures they stand for: what the filter
// sends is what the program finds after the FILTER_MESSAGE_HEADER, and what the program puts
// after its FILTER_REPLY_HEADER is what the filter finds in its reply buffer.
//
// A sender that waits for a program which itself waits for the sender (a pre-create asking a
// service that opens the same file) never wakes: the scheduler reports the deadlock with the
// wait chain, whose reasons name the port, the message and the process expected to answer.

import { KEvent, KeWaitForSingleObject, type Co } from '../ke/index.ts'
import { ObDirectory, ObjectHeader, type EProcess, type KObject, type ObjectType } from '../ob/index.ts'
import { NT_SUCCESS, STATUS, type NTSTATUS } from '../nt/status.ts'
import type { FilterManager } from './manager.ts'
import type { FltFilter } from './objects.ts'
import { invoke } from './invoke.ts'
import type { MaybeCo, OBJECT_ATTRIBUTES, Ref } from './types.ts'

/** ntstatus.h: STATUS_CONNECTION_COUNT_LIMIT (a connection past the port's MaxConnections) */
export const STATUS_CONNECTION_COUNT_LIMIT = STATUS.STATUS_CONNECTION_COUNT_LIMIT
/** ntstatus.h: STATUS_THREAD_IS_TERMINATING */
export const STATUS_THREAD_IS_TERMINATING = STATUS.STATUS_THREAD_IS_TERMINATING

/** fltKernel.h: the right to connect to a communication port */
export const FLT_PORT_CONNECT = 0x0001
/** fltKernel.h: FLT_PORT_CONNECT | STANDARD_RIGHTS_ALL */
export const FLT_PORT_ALL_ACCESS = FLT_PORT_CONNECT | 0x001f0000

/** OBJ_KERNEL_HANDLE: FltCreateCommunicationPort requires it in the object attributes */
export const OBJ_KERNEL_HANDLE = 0x00000200

/** sizeof(FILTER_MESSAGE_HEADER) on x64: ULONG ReplyLength, (padding), ULONGLONG MessageId */
export const FILTER_MESSAGE_HEADER_SIZE = 16
/** sizeof(FILTER_REPLY_HEADER) on x64: NTSTATUS Status, (padding), ULONGLONG MessageId */
export const FILTER_REPLY_HEADER_SIZE = 16

/** a security descriptor as FltBuildDefaultSecurityDescriptor makes it: who may connect */
export interface SECURITY_DESCRIPTOR {
  readonly Owner: string
  readonly Dacl: readonly { readonly Sid: string; readonly AccessMask: number }[]
}

/** PFLT_CONNECT_NOTIFY: runs in the connecting program's thread */
export type PFLT_CONNECT_NOTIFY = (
  ClientPort: FltClientPort,
  ServerPortCookie: unknown,
  ConnectionContext: Uint8Array | null,
  SizeOfContext: number,
  ConnectionPortCookie: Ref<unknown>,
) => MaybeCo<NTSTATUS>
/** PFLT_DISCONNECT_NOTIFY: runs in the thread that closed the program's last handle */
export type PFLT_DISCONNECT_NOTIFY = (ConnectionCookie: unknown) => MaybeCo<void>
/** PFLT_MESSAGE_NOTIFY: runs in the thread of the program's FilterSendMessage */
export type PFLT_MESSAGE_NOTIFY = (
  PortCookie: unknown,
  InputBuffer: Uint8Array | null,
  InputBufferLength: number,
  OutputBuffer: Uint8Array | null,
  OutputBufferLength: number,
  ReturnOutputBufferLength: Ref<number>,
) => MaybeCo<NTSTATUS>

/** FltBuildDefaultSecurityDescriptor: SYSTEM and the Administrators group get DesiredAccess */
export function FltBuildDefaultSecurityDescriptor(SecurityDescriptor: Ref<SECURITY_DESCRIPTOR>, DesiredAccess: number): NTSTATUS {
  SecurityDescriptor.value = {
    Owner: 'S-1-5-32-544',
    Dacl: [
      { Sid: 'S-1-5-18', AccessMask: DesiredAccess },
      { Sid: 'S-1-5-32-544', AccessMask: DesiredAccess },
    ],
  }
  return STATUS.STATUS_SUCCESS
}

/** FltFreeSecurityDescriptor */
export function FltFreeSecurityDescriptor(_SecurityDescriptor: SECURITY_DESCRIPTOR | undefined): void {}

/** One message FltSendMessage sent, from the queue to its reply. */
interface PortMessage {
  readonly id: bigint
  readonly data: Uint8Array
  /** the sender's reply buffer size (0: it waits only until the message is taken) */
  readonly replyLength: number
  readonly taken: KEvent
  readonly replied: KEvent
  reply: Uint8Array | undefined
  /** set when the connection went away before the message was answered */
  failure: NTSTATUS | undefined
}

/** A FilterGetMessage waiting for a message. */
export interface PendingGet {
  readonly buffer: Uint8Array
  readonly size: number
  /** called with the message (or undefined when the wait ends without one) and the HRESULT-to-be */
  complete(status: NTSTATUS, bytes: number): void
}

const ServerPortType: ObjectType<FltServerPort> = { name: 'FilterConnectionPort' }

/** PFLT_PORT for the server side: a name in the object namespace programs connect to */
export class FltServerPort implements KObject {
  readonly header: ObjectHeader
  readonly connections = new Set<FltClientPort>()
  closed = false
  nextMessageId = 0n
  constructor(
    readonly filter: FltFilter,
    name: string,
    readonly cookie: unknown,
    readonly connect: PFLT_CONNECT_NOTIFY,
    readonly disconnect: PFLT_DISCONNECT_NOTIFY,
    readonly message: PFLT_MESSAGE_NOTIFY | null,
    readonly maxConnections: number,
    readonly securityDescriptor: SECURITY_DESCRIPTOR | undefined,
  ) {
    this.header = new ObjectHeader(ServerPortType, name)
  }
  get name(): string {
    return this.header.name
  }
  get mgr(): FilterManager {
    return this.filter.mgr
  }
}

/** PFLT_PORT for one connection: what the filter sends on, and its queue of messages */
export class FltClientPort {
  /** the filter's ConnectionPortCookie from ConnectNotify */
  cookie: unknown
  /** the program's handle is gone (disconnected) or the filter closed its side */
  userClosed = false
  kernelClosed = false
  readonly queue: PortMessage[] = []
  readonly getters: PendingGet[] = []
  readonly awaitingReply = new Map<bigint, PortMessage>()
  constructor(
    readonly server: FltServerPort,
    readonly process: EProcess,
    readonly id: number,
  ) {}
  get open(): boolean {
    return !this.userClosed && !this.kernelClosed
  }
  toString(): string {
    return `${this.server.name} connection ${this.id} (${this.process.imageName})`
  }

  /** hands the first queued message to the first waiting FilterGetMessage that can hold it */
  pump(): void {
    while (this.queue.length > 0 && this.getters.length > 0) {
      const msg = this.queue[0]!
      const get = this.getters[0]!
      if (FILTER_MESSAGE_HEADER_SIZE + msg.data.length > get.size) {
        // unverified: a buffer too small for the message fails that FilterGetMessage with
        // ERROR_INSUFFICIENT_BUFFER and leaves the message queued for a larger one
        this.getters.shift()
        get.complete(STATUS.STATUS_BUFFER_TOO_SMALL, 0)
        continue
      }
      this.queue.shift()
      this.getters.shift()
      this.deliver(msg, get.buffer)
      get.complete(STATUS.STATUS_SUCCESS, FILTER_MESSAGE_HEADER_SIZE + msg.data.length)
    }
  }

  /** takes a queued message into `buffer` now, if one fits; the status says what happened */
  takeNow(buffer: Uint8Array, size: number): { status: NTSTATUS; bytes: number } | undefined {
    const msg = this.queue[0]
    if (!msg) return undefined
    if (FILTER_MESSAGE_HEADER_SIZE + msg.data.length > size) return { status: STATUS.STATUS_BUFFER_TOO_SMALL, bytes: 0 }
    this.queue.shift()
    this.deliver(msg, buffer)
    return { status: STATUS.STATUS_SUCCESS, bytes: FILTER_MESSAGE_HEADER_SIZE + msg.data.length }
  }

  private deliver(msg: PortMessage, buffer: Uint8Array): void {
    const dv = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength)
    // documented: the program sees the sender's reply length plus its own reply header
    dv.setUint32(0, msg.replyLength > 0 ? msg.replyLength + FILTER_REPLY_HEADER_SIZE : 0, true)
    dv.setUint32(4, 0, true)
    dv.setBigUint64(8, msg.id, true)
    buffer.set(msg.data, FILTER_MESSAGE_HEADER_SIZE)
    if (msg.replyLength > 0) this.awaitingReply.set(msg.id, msg)
    msg.taken.set()
  }

  /** FilterReplyMessage's work: the status for the program (STATUS_NOT_FOUND: nobody waits) */
  reply(id: bigint, data: Uint8Array): NTSTATUS {
    const msg = this.awaitingReply.get(id)
    if (!msg) return STATUS.STATUS_NOT_FOUND
    this.awaitingReply.delete(id)
    // unverified: a reply longer than the sender's buffer (the scanner sample pads its reply to
    // the structure's alignment) is cut to the buffer, and the send succeeds; the DDI page says
    // STATUS_BUFFER_OVERFLOW, which would make the stock scanner never block anything
    msg.reply = data.subarray(0, Math.min(data.length, msg.replyLength))
    msg.replied.set()
    return STATUS.STATUS_SUCCESS
  }

  /** the connection is gone: senders waiting get STATUS_PORT_DISCONNECTED, getters give up */
  fail(): void {
    for (const msg of [...this.queue, ...this.awaitingReply.values()]) {
      msg.failure = STATUS.STATUS_PORT_DISCONNECTED
      msg.taken.set()
      msg.replied.set()
    }
    this.queue.length = 0
    this.awaitingReply.clear()
    for (const g of this.getters.splice(0)) g.complete(STATUS.STATUS_PORT_DISCONNECTED, 0)
  }
}

/**
 * The program's handle to its connection (fltlib's HANDLE from FilterConnectCommunicationPort):
 * closing the last one disconnects.
 */
export class FltPortHandle implements KObject {
  readonly header: ObjectHeader
  constructor(readonly client: FltClientPort) {
    this.header = new ObjectHeader(PortHandleType, client.server.name)
  }
}

const PortHandleType: ObjectType<FltPortHandle> = {
  name: 'FilterCommunicationPort',
  *close(obj: FltPortHandle, _process: EProcess, handleCount: number): Co<void> {
    if (handleCount === 0) yield* disconnectClient(obj.client)
  },
}

/** the program's side is gone: DisconnectNotify in this thread, waiting senders released */
export function* disconnectClient(client: FltClientPort): Co<void> {
  if (client.userClosed) return
  client.userClosed = true
  const server = client.server
  server.connections.delete(client)
  client.fail()
  if (client.kernelClosed) return
  const cb = server.disconnect
  yield* invoke(server.mgr, { filter: server.filter.name, callback: `${cb.name || 'DisconnectNotifyCallback'} (disconnect from ${server.name})` }, () => cb(client.cookie))
}

/**
 * The connect half of FilterConnectCommunicationPort: runs ConnectNotify in the connecting
 * thread. Returns the status and, on success, the handle object for the program.
 */
export function* connectClient(server: FltServerPort, process: EProcess, context: Uint8Array | null): Co<{ status: NTSTATUS; handle?: FltPortHandle }> {
  if (server.closed) return { status: STATUS.STATUS_OBJECT_NAME_NOT_FOUND }
  // ReactOS Messaging.c (CreateClientPort): a connection past MaxConnections is refused
  if (server.connections.size >= server.maxConnections) return { status: STATUS_CONNECTION_COUNT_LIMIT }
  const client = new FltClientPort(server, process, ++connectionIds)
  server.connections.add(client)
  const cookie: Ref<unknown> = { value: undefined }
  const cb = server.connect
  const st = yield* invoke(server.mgr, { filter: server.filter.name, callback: `${cb.name || 'ConnectNotifyCallback'} (connect to ${server.name})` }, () =>
    cb(client, server.cookie, context, context?.length ?? 0, cookie),
  )
  if (!NT_SUCCESS(st)) {
    server.connections.delete(client)
    client.userClosed = true
    return { status: st }
  }
  client.cookie = cookie.value
  return { status: STATUS.STATUS_SUCCESS, handle: new FltPortHandle(client) }
}
let connectionIds = 0

/** the server port a name in the object namespace stands for */
export function serverPortByName(mgr: FilterManager, name: string): FltServerPort | undefined {
  const o = mgr.io.ob.peek(name)
  return o instanceof FltServerPort && !o.closed ? o : undefined
}

/**
 * FltCreateCommunicationPort: a named server port. The security descriptor is kept with it
 * (unverified: processes here run elevated, as services and the samples' programs do, so it
 * refuses no one). MaxConnections must be at least 1.
 */
export function FltCreateCommunicationPort(
  Filter: FltFilter,
  ServerPort: Ref<FltServerPort>,
  ObjectAttributes: OBJECT_ATTRIBUTES,
  ServerPortCookie: unknown,
  ConnectNotifyCallback: PFLT_CONNECT_NOTIFY,
  DisconnectNotifyCallback: PFLT_DISCONNECT_NOTIFY,
  MessageNotifyCallback: PFLT_MESSAGE_NOTIFY | null,
  MaxConnections: number,
): NTSTATUS {
  const mgr = Filter.mgr
  // documented: the attributes must carry OBJ_KERNEL_HANDLE
  if (!(ObjectAttributes.Attributes & OBJ_KERNEL_HANDLE)) return STATUS.STATUS_INVALID_PARAMETER
  if (!Number.isInteger(MaxConnections) || MaxConnections < 1) return STATUS.STATUS_INVALID_PARAMETER
  if (typeof ConnectNotifyCallback !== 'function' || typeof DisconnectNotifyCallback !== 'function') return STATUS.STATUS_INVALID_PARAMETER
  const name = ObjectAttributes.ObjectName
  if (!name.startsWith('\\') || name.length < 2) return STATUS.STATUS_OBJECT_NAME_INVALID
  const existing = mgr.io.ob.peek(name)
  if (existing && !(existing instanceof FltServerPort && existing.closed)) return STATUS.STATUS_OBJECT_NAME_COLLISION
  const port = new FltServerPort(
    Filter,
    name,
    ServerPortCookie,
    ConnectNotifyCallback,
    DisconnectNotifyCallback,
    MessageNotifyCallback,
    MaxConnections,
    ObjectAttributes.SecurityDescriptor as SECURITY_DESCRIPTOR | undefined,
  )
  try {
    mgr.io.ob.insert(name, port)
  } catch {
    return STATUS.STATUS_OBJECT_PATH_NOT_FOUND
  }
  let ports = portsOfFilter.get(Filter)
  if (!ports) portsOfFilter.set(Filter, (ports = new Set()))
  ports.add(port)
  ServerPort.value = port
  return STATUS.STATUS_SUCCESS
}

/** the server ports each filter created (their connections outlive FltCloseCommunicationPort) */
const portsOfFilter = new WeakMap<FltFilter, Set<FltServerPort>>()

/**
 * What FltMgr does when a filter is about to be unloaded: DisconnectNotify for every connection
 * still open on its ports (documented with FltCloseClientPort), in this thread; the programs'
 * handles stay, and their calls fail as for a closed connection.
 */
export function* disconnectFilterPorts(Filter: FltFilter): Co<void> {
  for (const server of portsOfFilter.get(Filter) ?? []) {
    for (const client of [...server.connections]) {
      if (!client.open) continue
      server.connections.delete(client)
      client.fail()
      const cb = server.disconnect
      yield* invoke(server.mgr, { filter: server.filter.name, callback: `${cb.name || 'DisconnectNotifyCallback'} (filter unload, ${server.name})` }, () => cb(client.cookie))
      // the filter's FltCloseClientPort normally did this; without it the connection is closed anyway
      client.kernelClosed = true
    }
  }
}

/** FltCloseCommunicationPort: the name goes; connections already made stay until closed */
export function FltCloseCommunicationPort(ServerPort: FltServerPort | undefined): void {
  if (!ServerPort || ServerPort.closed) return
  ServerPort.closed = true
  const mgr = ServerPort.mgr
  const cut = ServerPort.name.lastIndexOf('\\')
  const dir = mgr.io.ob.peek(ServerPort.name.slice(0, cut) || '\\')
  const leaf = ServerPort.name.slice(cut + 1).toUpperCase()
  if (dir instanceof ObDirectory && dir.entries.get(leaf) === ServerPort) dir.entries.delete(leaf)
}

/**
 * FltCloseClientPort: the filter's side of a connection is closed and the variable cleared;
 * later sends on it get STATUS_PORT_DISCONNECTED, and the program's gets fail.
 */
export function FltCloseClientPort(_Filter: FltFilter, ClientPort: Ref<FltClientPort>): void {
  const client = ClientPort.value
  ClientPort.value = undefined
  if (!client || client.kernelClosed) return
  client.kernelClosed = true
  client.server.connections.delete(client)
  client.fail()
}

/** a LARGE_INTEGER timeout as the relative wait it stands for: undefined waits for ever */
function relativeTimeout(mgr: FilterManager, Timeout: bigint | number | null | undefined): number | undefined {
  if (Timeout === null || Timeout === undefined) return undefined
  const t = BigInt(Timeout)
  // documented: negative is relative (100 ns units), positive is an absolute system time
  if (t <= 0n) return Number(-t)
  const left = t - mgr.ke.systemTime()
  return left > 0n ? Number(left) : 0
}

/**
 * FltSendMessage: sends SenderBuffer on the connection and waits in this thread until a
 * FilterGetMessage takes it and, with a reply buffer, until the reply comes (ReplyLength then
 * holds the reply's size). Timeout: null waits for ever; negative values are relative, in 100 ns
 * units. STATUS_TIMEOUT when it passes; STATUS_PORT_DISCONNECTED without a connection.
 */
export function* FltSendMessage(
  Filter: FltFilter,
  ClientPort: Ref<FltClientPort>,
  SenderBuffer: Uint8Array,
  SenderBufferLength: number,
  ReplyBuffer: Uint8Array | null,
  ReplyLength: Ref<number> | null,
  Timeout: bigint | number | null,
): Co<NTSTATUS> {
  const mgr = Filter.mgr
  mgr.requirePassiveOrApc('FltSendMessage')
  const client = ClientPort.value
  if (!client || !client.open) return STATUS.STATUS_PORT_DISCONNECTED
  if (ReplyBuffer && !ReplyLength) return STATUS.STATUS_INVALID_PARAMETER
  const replyLength = ReplyBuffer ? Math.min(ReplyLength!.value ?? 0, ReplyBuffer.length) : 0
  const id = ++client.server.nextMessageId
  const label = `message ${id} on ${client.server.name}`
  const msg: PortMessage = {
    id,
    data: SenderBuffer.slice(0, SenderBufferLength),
    replyLength,
    taken: new KEvent(mgr.ke, 'notification', false, `${label} taken`),
    replied: new KEvent(mgr.ke, 'notification', false, `${label} replied`),
    reply: undefined,
    failure: undefined,
  }
  const relative = relativeTimeout(mgr, Timeout)
  const deadline = relative === undefined ? undefined : mgr.ke.now + relative
  const left = (): number | undefined => (deadline === undefined ? undefined : Math.max(0, deadline - mgr.ke.now))
  client.queue.push(msg)
  client.pump()
  while (!msg.taken.isSet) {
    const st = yield* KeWaitForSingleObject(msg.taken, left(), `FltSendMessage: ${label} waits for ${client.process.imageName} to take it (FilterGetMessage)`)
    if (st === STATUS.STATUS_TIMEOUT && !msg.taken.isSet) {
      const i = client.queue.indexOf(msg)
      if (i >= 0) client.queue.splice(i, 1)
      return STATUS.STATUS_TIMEOUT
    }
  }
  if (msg.failure !== undefined) return msg.failure
  if (!ReplyBuffer) return STATUS.STATUS_SUCCESS
  while (!msg.replied.isSet) {
    const st = yield* KeWaitForSingleObject(msg.replied, left(), `FltSendMessage: ${label} waits for the reply of ${client.process.imageName} (FilterReplyMessage)`)
    if (st === STATUS.STATUS_TIMEOUT && !msg.replied.isSet) {
      client.awaitingReply.delete(msg.id)
      return STATUS.STATUS_TIMEOUT
    }
  }
  if (msg.failure !== undefined) return msg.failure
  const reply = msg.reply ?? new Uint8Array(0)
  ReplyBuffer.set(reply, 0)
  ReplyLength!.value = reply.length
  return STATUS.STATUS_SUCCESS
}

/** FilterSendMessage's work: MessageNotify in the caller's thread (no callback: STATUS_INVALID_PARAMETER) */
export function* invokeMessageNotify(
  client: FltClientPort,
  input: Uint8Array | null,
  inputLength: number,
  output: Uint8Array | null,
  outputLength: number,
  returned: Ref<number>,
): Co<NTSTATUS> {
  const server = client.server
  const cb = server.message
  // unverified: a port created without MessageNotifyCallback refuses user messages this way
  if (!cb) return STATUS.STATUS_INVALID_PARAMETER
  return yield* invoke(server.mgr, { filter: server.filter.name, callback: `${cb.name || 'MessageNotifyCallback'} (message on ${server.name})` }, () =>
    cb(client.cookie, input, inputLength, output, output ? Math.min(outputLength, output.length) : 0, returned),
  )
}
