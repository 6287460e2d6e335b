// What the HSM filter (./hsm.ts) and its recall service (./hsm-service.ts) share: the stubs'
// reparse tag and GUID, the port, and the layout of the recall message and its reply.
//
// A stub is a file with a third-party reparse point (tag 0x00000100, REPARSE_GUID_DATA_BUFFER
// with HSM_REPARSE_GUID) whose data name the object in the remote store
// ("hsm://store/objects/0001"). NTFS completes an open of it (without FILE_OPEN_REPARSE_POINT)
// with STATUS_REPARSE and the reparse buffer, which FltMgr hands the post-create as TagData.
//
// HSM_RECALL_MESSAGE (filter → service), 1044 bytes:
//   ULONG Mode (HSM_MODE_RECALL: write the data into the stub; HSM_MODE_COPY: recall to a copy)
//   ULONG FileNameLength (bytes)   WCHAR FileName[260] (the stub's NT name)
//   ULONG ObjectLength (bytes)     UCHAR Object[512]   (the stub's reparse data)
// HSM_REPLY (service → filter), 528 bytes:
//   NTSTATUS Status   ULONG NameLength (bytes)   WCHAR Name[260] (HSM_MODE_COPY: the copy's NT name)

import {
  FltBuildDefaultSecurityDescriptor,
  FltCloseClientPort,
  FltCreateCommunicationPort,
  FltFreeSecurityDescriptor,
  FltSendMessage,
  InitializeObjectAttributes,
  IoThreadToProcess,
  PsGetCurrentThread,
  FLT_PORT_ALL_ACCESS,
  OBJ_KERNEL_HANDLE,
  STATUS,
  ref,
  type Co,
  type FLT_RELATED_OBJECTS,
  type FltServerPort,
  type NTSTATUS,
  type PFLT_FILTER,
  type PFLT_PORT,
  type SECURITY_DESCRIPTOR,
} from '../flt/index.ts'
import { decodeReparsePoint } from '../rtl/structs/reparse.ts'
import type { EProcess } from '../ob/index.ts'

export const HsmPortName = '\\HsmRecallPort'
/** the stubs' third-party reparse tag (not a Microsoft tag: the buffer carries a GUID) */
export const IO_REPARSE_TAG_HSM_STUB = 0x00000100
/** stored as the bytes 6f1a2b3c4d5e6f708192a3b4c5d6e7f8, as the stubs of fixtures/volumes/hsm-stubs.yaml */
export const HSM_REPARSE_GUID = '{3C2B1A6F-5E4D-706F-8192-A3B4C5D6E7F8}'
/** ntstatus.h: STATUS_FILE_IS_OFFLINE (the recall failed: the data are not here) */
export const STATUS_FILE_IS_OFFLINE = STATUS.STATUS_FILE_IS_OFFLINE

export const HSM_MODE_RECALL = 1
export const HSM_MODE_COPY = 2

const MAX_NAME = 260 * 2
const MAX_OBJECT = 512
export const HSM_RECALL_MESSAGE_SIZE = 4 + 4 + MAX_NAME + 4 + MAX_OBJECT
export const HSM_REPLY_SIZE = 4 + 4 + MAX_NAME

function putName(dv: DataView, lenAt: number, at: number, name: string): void {
  const n = Math.min(name.length, MAX_NAME / 2)
  dv.setUint32(lenAt, n * 2, true)
  for (let i = 0; i < n; i++) dv.setUint16(at + 2 * i, name.charCodeAt(i), true)
}

function getName(dv: DataView, lenAt: number, at: number): string {
  const len = Math.min(dv.getUint32(lenAt, true), MAX_NAME)
  let s = ''
  for (let i = 0; i + 1 < len; i += 2) s += String.fromCharCode(dv.getUint16(at + i, true))
  return s
}

export interface HsmRecallMessage {
  Mode: number
  FileName: string
  Object: Uint8Array
}

export function encodeRecallMessage(m: HsmRecallMessage): Uint8Array {
  const b = new Uint8Array(HSM_RECALL_MESSAGE_SIZE)
  const dv = new DataView(b.buffer)
  dv.setUint32(0, m.Mode, true)
  putName(dv, 4, 8, m.FileName)
  const obj = m.Object.subarray(0, MAX_OBJECT)
  dv.setUint32(8 + MAX_NAME, obj.length, true)
  b.set(obj, 12 + MAX_NAME)
  return b
}

export function decodeRecallMessage(b: Uint8Array): HsmRecallMessage {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
  const objLen = Math.min(dv.getUint32(8 + MAX_NAME, true), MAX_OBJECT)
  return { Mode: dv.getUint32(0, true), FileName: getName(dv, 4, 8), Object: b.slice(12 + MAX_NAME, 12 + MAX_NAME + objLen) }
}

export function encodeReply(Status: NTSTATUS, Name: string): Uint8Array {
  const b = new Uint8Array(HSM_REPLY_SIZE)
  const dv = new DataView(b.buffer)
  dv.setUint32(0, Status >>> 0, true)
  putName(dv, 4, 8, Name)
  return b
}

export function decodeReply(b: Uint8Array): { Status: NTSTATUS; Name: string } {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
  return { Status: dv.getUint32(0, true), Name: getName(dv, 4, 8) }
}

/** the stub's reparse data when TagData is one of ours (our tag and GUID), else undefined */
export function hsmStubOf(TagData: unknown): Uint8Array | undefined {
  if (!(TagData instanceof Uint8Array)) return undefined
  try {
    const rp = decodeReparsePoint(TagData)
    if (rp.ReparseTag !== IO_REPARSE_TAG_HSM_STUB) return undefined
    if ((rp.ReparseGuid ?? '').toUpperCase() !== HSM_REPARSE_GUID) return undefined
    return rp.Data ?? new Uint8Array(0)
  } catch {
    return undefined
  }
}

/** the NT name a create opens: the volume's device name and the file object's name (joined to its related file object's) */
export function createTargetName(FltObjects: FLT_RELATED_OBJECTS): string {
  const fo = FltObjects.FileObject!
  const rel = fo.RelatedFileObject
  const path = rel ? rel.FileName.replace(/\\$/, '') + (fo.FileName.startsWith(':') ? '' : '\\') + fo.FileName : fo.FileName
  return FltObjects.Volume.name + path
}

/** the port and who is connected to it (the recall service's process: its opens are not recalled) */
export interface HsmPortState {
  Filter: PFLT_FILTER | undefined
  ServerPort: FltServerPort | undefined
  ClientPort: { value: PFLT_PORT | undefined }
  ServiceProcess: EProcess | undefined
}

export function newPortState(): HsmPortState {
  return { Filter: undefined, ServerPort: undefined, ClientPort: ref<PFLT_PORT>(), ServiceProcess: undefined }
}

/** creates \HsmRecallPort (one connection: the recall service) */
export function createRecallPort(state: HsmPortState, DbgPrint: (text: string) => void): NTSTATUS {
  const sd = ref<SECURITY_DESCRIPTOR>()
  let status = FltBuildDefaultSecurityDescriptor(sd, FLT_PORT_ALL_ACCESS)
  if (status !== STATUS.STATUS_SUCCESS) return status
  const server = ref<FltServerPort>()
  status = FltCreateCommunicationPort(
    state.Filter!,
    server,
    InitializeObjectAttributes(HsmPortName, OBJ_KERNEL_HANDLE | 0x40 /* OBJ_CASE_INSENSITIVE */, undefined, sd.value),
    null,
    function HsmPortConnect(ClientPort) {
      state.ClientPort.value = ClientPort
      state.ServiceProcess = IoThreadToProcess(PsGetCurrentThread()!)
      DbgPrint(`hsm: recall service connected (${state.ServiceProcess?.imageName ?? '?'})`)
      return STATUS.STATUS_SUCCESS
    },
    function HsmPortDisconnect() {
      FltCloseClientPort(state.Filter!, state.ClientPort)
      state.ServiceProcess = undefined
      DbgPrint('hsm: recall service disconnected')
    },
    null,
    1,
  )
  FltFreeSecurityDescriptor(sd.value)
  state.ServerPort = server.value
  return status
}

/**
 * Asks the service to recall `FileName` (its stub data `Object`) and waits for the answer in
 * this thread. The status, and for HSM_MODE_COPY the copy's name.
 */
export function* HsmRecallInUserMode(state: HsmPortState, Mode: number, FileName: string, Object: Uint8Array, timeout: bigint | null): Co<{ Status: NTSTATUS; Name: string }> {
  const msg = encodeRecallMessage({ Mode, FileName, Object })
  const reply = new Uint8Array(HSM_REPLY_SIZE)
  const replyLength = ref(HSM_REPLY_SIZE)
  const st = yield* FltSendMessage(state.Filter!, state.ClientPort, msg, msg.length, reply, replyLength, timeout)
  if (st !== STATUS.STATUS_SUCCESS) return { Status: st === STATUS.STATUS_TIMEOUT ? STATUS_FILE_IS_OFFLINE : st, Name: '' }
  return decodeReply(reply.subarray(0, replyLength.value))
}
