import { describe, expect, it } from 'vitest'
import type { Co } from '../ke/index.ts'
import type { Machine } from '../machine.ts'
import { win32Env } from '../win32/env.ts'
import { CloseHandle } from '../win32/create.ts'
import { GetLastError } from '../win32/errors.ts'
import {
  CancelIoEx,
  CreateIoCompletionPort,
  ERROR_FLT_NO_WAITER_FOR_REPLY,
  FilterConnectCommunicationPort,
  FilterGetMessage,
  FilterReplyMessage,
  FilterSendMessage,
  GetQueuedCompletionStatus,
  HRESULT_IO_PENDING,
  readMessageHeader,
  S_OK,
  writeReplyHeader,
  type OVERLAPPED,
} from '../win32/fltlib.ts'
import { KEvent } from '../ke/index.ts'
import {
  FltBuildDefaultSecurityDescriptor,
  FltCloseClientPort,
  FltCloseCommunicationPort,
  FltCreateCommunicationPort,
  FltSendMessage,
  disconnectFilterPorts,
  FLT_PORT_ALL_ACCESS,
  OBJ_KERNEL_HANDLE,
  STATUS_CONNECTION_COUNT_LIMIT,
  type FltClientPort,
  type FltServerPort,
  type SECURITY_DESCRIPTOR,
} from './ports.ts'
import { FLT_PREOP_SUCCESS_NO_CALLBACK, IRP_MJ, InitializeObjectAttributes, STATUS, ref, type FLT_CALLBACK_DATA, type FLT_RELATED_OBJECTS, type Ref } from './index.ts'
import { bootMachine, filterModule, open, run, spawn } from './test-support.ts'
import type { FltFilter } from './objects.ts'
import { PsGetCurrentProcessId } from './registration.ts'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const dec = (b: Uint8Array): string => new TextDecoder().decode(b)

interface PortFilter {
  filter: FltFilter
  server: Ref<FltServerPort>
  client: Ref<FltClientPort>
  log: string[]
}

/** a filter with a port \TestPort (MaxConnections given) that records its notifications */
function portFilter(m: Machine, max = 1, withMessage = true, preCreate?: (pf: PortFilter) => (d: FLT_CALLBACK_DATA, o: FLT_RELATED_OBJECTS) => Co<number>): PortFilter {
  const pf = { server: ref<FltServerPort>(), client: ref<FltClientPort>(), log: [] as string[] } as PortFilter
  const mod = filterModule('porty', '320000', () => ({
    OperationRegistration: preCreate ? [{ MajorFunction: IRP_MJ.IRP_MJ_CREATE, PreOperation: (d, o) => preCreate(pf)(d, o) }] : [],
  }))
  expect(m.fltmc.load(mod).statusName).toBe('STATUS_SUCCESS')
  pf.filter = mod.handle.value!
  const sd = ref<SECURITY_DESCRIPTOR>()
  expect(FltBuildDefaultSecurityDescriptor(sd, FLT_PORT_ALL_ACCESS)).toBe(STATUS.STATUS_SUCCESS)
  const st = FltCreateCommunicationPort(
    pf.filter,
    pf.server,
    InitializeObjectAttributes('\\TestPort', OBJ_KERNEL_HANDLE, undefined, sd.value),
    'server-cookie',
    (ClientPort, ServerPortCookie, ConnectionContext, SizeOfContext, ConnectionPortCookie) => {
      pf.client.value = ClientPort
      ConnectionPortCookie.value = `conn ${PsGetCurrentProcessId()}`
      pf.log.push(`connect ${String(ServerPortCookie)} ${ConnectionContext ? dec(ConnectionContext) : '-'} ${SizeOfContext}`)
      return STATUS.STATUS_SUCCESS
    },
    (cookie) => {
      pf.log.push(`disconnect ${String(cookie)}`)
      FltCloseClientPort(pf.filter, pf.client)
    },
    withMessage
      ? (cookie, input, inLen, output, outLen, ret) => {
          pf.log.push(`message ${String(cookie)} ${dec(input!.subarray(0, inLen))} pid ${PsGetCurrentProcessId()}`)
          const answer = enc('pong')
          output!.set(answer.subarray(0, outLen))
          ret.value = Math.min(answer.length, outLen)
          return STATUS.STATUS_SUCCESS
        }
      : null,
    max,
  )
  expect(st).toBe(STATUS.STATUS_SUCCESS)
  return pf
}

function* connect(m: Machine, name = '\\TestPort', context: string | null = null): Co<{ hr: number; handle: number }> {
  const env = win32Env(m.io)
  const h = ref<number>()
  const ctx = context === null ? null : enc(context)
  const hr = yield* FilterConnectCommunicationPort(env, name, 0, ctx, ctx?.length ?? 0, null, h)
  return { hr, handle: h.value ?? 0 }
}

/** a service loop: takes `count` messages and replies with the message text upper-cased (padded by `pad`) */
function replier(m: Machine, handle: () => number, count: number, seen: string[], pad = 0): () => Co<void> {
  return function* () {
    const env = win32Env(m.io)
    for (let i = 0; i < count; i++) {
      const buf = new Uint8Array(64)
      const hr = yield* FilterGetMessage(env, handle(), buf, buf.length, null)
      if (hr !== S_OK) {
        seen.push(`get 0x${hr.toString(16)}`)
        return
      }
      const hdr = readMessageHeader(buf)
      const text = dec(buf.subarray(16)).replace(/\0+$/, '')
      seen.push(`got ${hdr.MessageId} ${text} replyLength ${hdr.ReplyLength}`)
      const reply = new Uint8Array(16 + text.length + pad)
      writeReplyHeader(reply, 0, hdr.MessageId)
      reply.set(enc(text.toUpperCase()), 16)
      seen.push(`reply 0x${(yield* FilterReplyMessage(env, handle(), reply, reply.length)).toString(16)}`)
    }
  }
}

describe('communication ports', () => {
  it('a port that does not exist: HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)', () => {
    const m = bootMachine()
    const r = run(m, () => connect(m, '\\NoSuchPort'), 'svc.exe')
    expect(r.hr).toBe(0x80070002)
    expect(r.handle).toBe(0)
  })

  it('connect runs ConnectNotify with the context; MaxConnections 1 refuses a second; closing the handle disconnects and frees the slot', () => {
    const m = bootMachine()
    const pf = portFilter(m, 1)
    const first = run(m, () => connect(m, '\\TestPort', 'hello'), 'svc.exe')
    expect(first.hr).toBe(S_OK)
    const svcPid = m.process('svc.exe').pid
    expect(pf.log).toEqual(['connect server-cookie hello 5'])
    const second = run(m, () => connect(m), 'other.exe')
    expect(second.hr).toBe(0x800704d6) // HRESULT_FROM_WIN32(ERROR_CONNECTION_COUNT_LIMIT)
    expect(pf.client.value?.process.imageName).toBe('svc.exe')
    expect(run(m, () => CloseHandle(win32Env(m.io), first.handle), 'svc.exe')).toBe(true)
    expect(pf.log).toEqual(['connect server-cookie hello 5', `disconnect conn ${svcPid}`])
    expect(pf.client.value).toBeUndefined()
    expect(run(m, () => connect(m), 'other.exe').hr).toBe(S_OK)
    expect(STATUS_CONNECTION_COUNT_LIMIT).toBe(0xc0000246)
  })

  it('FltCreateCommunicationPort checks its arguments and the name; FltCloseCommunicationPort takes the name away but keeps connections', () => {
    const m = bootMachine()
    const pf = portFilter(m, 2)
    const again = ref<FltServerPort>()
    const noop = () => STATUS.STATUS_SUCCESS
    expect(FltCreateCommunicationPort(pf.filter, again, InitializeObjectAttributes('\\TestPort', OBJ_KERNEL_HANDLE), null, noop, () => {}, null, 1)).toBe(STATUS.STATUS_OBJECT_NAME_COLLISION)
    expect(FltCreateCommunicationPort(pf.filter, again, InitializeObjectAttributes('\\Other', 0), null, noop, () => {}, null, 1)).toBe(STATUS.STATUS_INVALID_PARAMETER)
    expect(FltCreateCommunicationPort(pf.filter, again, InitializeObjectAttributes('\\Other', OBJ_KERNEL_HANDLE), null, noop, () => {}, null, 0)).toBe(STATUS.STATUS_INVALID_PARAMETER)
    const c = run(m, () => connect(m), 'svc.exe')
    expect(c.hr).toBe(S_OK)
    FltCloseCommunicationPort(pf.server.value)
    expect(run(m, () => connect(m), 'other.exe').hr).toBe(0x80070002)
    // the connection made before still carries messages
    const seen: string[] = []
    spawn(m, replier(m, () => c.handle, 1, seen), 'svc.exe')
    const reply = new Uint8Array(8)
    const len = ref(8)
    expect(run(m, () => FltSendMessage(pf.filter, pf.client, enc('x'), 1, reply, len, null), 'System')).toBe(STATUS.STATUS_SUCCESS)
    expect(dec(reply.subarray(0, len.value))).toBe('X')
  })

  it('FltSendMessage waits for FilterGetMessage and FilterReplyMessage; the program sees ReplyLength + sizeof(FILTER_REPLY_HEADER) and the MessageId', () => {
    const m = bootMachine()
    const pf = portFilter(m)
    const c = run(m, () => connect(m), 'svc.exe')
    const seen: string[] = []
    spawn(m, replier(m, () => c.handle, 2, seen), 'svc.exe', 'scan')
    const out: string[] = []
    run(
      m,
      function* () {
        for (const word of ['foul', 'fair']) {
          const reply = new Uint8Array(8)
          const len = ref(8)
          const st = yield* FltSendMessage(pf.filter, pf.client, enc(word), word.length, reply, len, null)
          out.push(`${st} ${dec(reply.subarray(0, len.value))} ${len.value}`)
        }
      },
      'System',
      'sender',
    )
    expect(out).toEqual(['0 FOUL 4', '0 FAIR 4'])
    expect(seen).toEqual(['got 1 foul replyLength 24', 'reply 0x0', 'got 2 fair replyLength 24', 'reply 0x0'])
  })

  it('a reply longer than the sender\'s buffer is cut to it (the scanner\'s padded reply)', () => {
    const m = bootMachine()
    const pf = portFilter(m)
    const c = run(m, () => connect(m), 'svc.exe')
    const seen: string[] = []
    spawn(m, replier(m, () => c.handle, 1, seen, 7), 'svc.exe')
    const reply = new Uint8Array(1)
    const len = ref(1)
    expect(run(m, () => FltSendMessage(pf.filter, pf.client, enc('ab'), 2, reply, len, null), 'System')).toBe(STATUS.STATUS_SUCCESS)
    expect(len.value).toBe(1)
    expect(dec(reply)).toBe('A')
    expect(seen[0]).toBe('got 1 ab replyLength 17')
  })

  it('without a reply buffer the send returns once the message is taken; a late reply finds no waiter', () => {
    const m = bootMachine()
    const pf = portFilter(m)
    const c = run(m, () => connect(m), 'svc.exe')
    const env = win32Env(m.io)
    const order: string[] = []
    spawn(
      m,
      function* () {
        const buf = new Uint8Array(32)
        expect(yield* FilterGetMessage(env, c.handle, buf, 32, null)).toBe(S_OK)
        const hdr = readMessageHeader(buf)
        order.push(`taken replyLength ${hdr.ReplyLength}`)
        const reply = new Uint8Array(17)
        writeReplyHeader(reply, 0, hdr.MessageId)
        order.push(`reply 0x${(yield* FilterReplyMessage(env, c.handle, reply, 17)).toString(16)}`)
      },
      'svc.exe',
    )
    const st = run(
      m,
      function* () {
        const s = yield* FltSendMessage(pf.filter, pf.client, enc('note'), 4, null, null, null)
        order.push('send returned')
        return s
      },
      'System',
      'sender',
    )
    m.ke.runUntil(() => order.length === 3)
    expect(st).toBe(STATUS.STATUS_SUCCESS)
    expect([...order].sort()).toEqual(['reply 0x801f0020', 'send returned', 'taken replyLength 0'])
    expect(order.indexOf('send returned')).toBeLessThan(order.indexOf(`reply 0x${ERROR_FLT_NO_WAITER_FOR_REPLY.toString(16)}`))
  })

  it('timeouts: nobody takes the message, or nobody replies, gives STATUS_TIMEOUT (a success code) after the relative time', () => {
    const m = bootMachine()
    const pf = portFilter(m)
    const c = run(m, () => connect(m), 'svc.exe')
    const start = m.ke.now
    const reply = new Uint8Array(4)
    const len = ref(4)
    expect(run(m, () => FltSendMessage(pf.filter, pf.client, enc('a'), 1, reply, len, -3n * 10_000_000n), 'System')).toBe(STATUS.STATUS_TIMEOUT)
    expect(m.ke.now - start).toBeGreaterThanOrEqual(3 * 10_000_000)
    // the timed-out message is no longer queued: the program's get waits for the next one
    const env = win32Env(m.io)
    const got: string[] = []
    spawn(
      m,
      function* () {
        const buf = new Uint8Array(32)
        yield* FilterGetMessage(env, c.handle, buf, 32, null)
        const hdr = readMessageHeader(buf)
        got.push(dec(buf.subarray(16, 17)))
        // answers after the sender gave up
        yield* (function* (): Co<void> {
          yield { k: 'wait', objects: [], waitAll: false, timeout: 5 * 10_000_000, reason: 'delay' }
        })()
        const r = new Uint8Array(17)
        writeReplyHeader(r, 0, hdr.MessageId)
        got.push(`0x${(yield* FilterReplyMessage(env, c.handle, r, 17)).toString(16)}`)
      },
      'svc.exe',
    )
    expect(run(m, () => FltSendMessage(pf.filter, pf.client, enc('b'), 1, reply, len, -1n * 10_000_000n), 'System')).toBe(STATUS.STATUS_TIMEOUT)
    m.ke.runUntil(() => got.length === 2)
    expect(got).toEqual(['b', `0x${ERROR_FLT_NO_WAITER_FOR_REPLY.toString(16)}`])
  })

  it('no connection, a closed client port, or a disconnect while waiting: STATUS_PORT_DISCONNECTED', () => {
    const m = bootMachine()
    const pf = portFilter(m)
    expect(run(m, () => FltSendMessage(pf.filter, pf.client, enc('a'), 1, null, null, null), 'System')).toBe(STATUS.STATUS_PORT_DISCONNECTED)
    const c = run(m, () => connect(m), 'svc.exe')
    const results: number[] = []
    spawn(
      m,
      function* () {
        results.push(yield* FltSendMessage(pf.filter, pf.client, enc('a'), 1, new Uint8Array(1), ref(1), null))
      },
      'System',
      'sender',
    )
    m.ke.runUntil(() => false, { deadline: m.ke.now + 10_000_000 })
    expect(results).toEqual([])
    // the program closes its handle: DisconnectNotify closes the client port, the sender is released
    expect(run(m, () => CloseHandle(win32Env(m.io), c.handle), 'svc.exe')).toBe(true)
    m.ke.runUntil(() => results.length === 1)
    expect(results).toEqual([STATUS.STATUS_PORT_DISCONNECTED])
    expect(pf.log.at(-1)).toMatch(/^disconnect conn /)
  })

  it('FltCloseClientPort ends the program\'s waiting FilterGetMessage', () => {
    const m = bootMachine()
    const pf = portFilter(m)
    const c = run(m, () => connect(m), 'svc.exe')
    const env = win32Env(m.io)
    const hrs: number[] = []
    spawn(m, function* () {
      hrs.push(yield* FilterGetMessage(env, c.handle, new Uint8Array(32), 32, null))
    }, 'svc.exe')
    m.ke.runUntil(() => false, { deadline: m.ke.now + 10_000 })
    FltCloseClientPort(pf.filter, pf.client)
    m.ke.runUntil(() => hrs.length === 1)
    expect(hrs).toEqual([0x80070006]) // STATUS_PORT_DISCONNECTED → ERROR_INVALID_HANDLE
    expect(pf.client.value).toBeUndefined()
  })

  it('FilterSendMessage runs MessageNotify in the calling process; a port without one refuses', () => {
    const m = bootMachine()
    const pf = portFilter(m)
    const c = run(m, () => connect(m), 'svc.exe')
    const out = new Uint8Array(8)
    const ret = ref<number>()
    expect(run(m, () => FilterSendMessage(win32Env(m.io), c.handle, enc('ping'), 4, out, 8, ret), 'svc.exe')).toBe(S_OK)
    expect(dec(out.subarray(0, ret.value))).toBe('pong')
    expect(pf.log.at(-1)).toBe(`message conn ${m.process('svc.exe').pid} ping pid ${m.process('svc.exe').pid}`)
    const m2 = bootMachine()
    portFilter(m2, 1, false)
    const c2 = run(m2, () => connect(m2), 'svc.exe')
    expect(run(m2, () => FilterSendMessage(win32Env(m2.io), c2.handle, enc('ping'), 4, out, 8, ret), 'svc.exe')).toBe(0x80070057)
    expect(run(m2, () => FilterSendMessage(win32Env(m2.io), 0x999, enc('ping'), 4, out, 8, ret), 'svc.exe')).toBe(0x80070006)
  })

  it('overlapped FilterGetMessage returns ERROR_IO_PENDING and completes through the I/O completion port; CancelIoEx aborts', () => {
    const m = bootMachine()
    const pf = portFilter(m)
    const c = run(m, () => connect(m), 'svc.exe')
    const env = win32Env(m.io)
    const log: string[] = []
    spawn(
      m,
      function* () {
        const iocp = CreateIoCompletionPort(env, c.handle, 0, 'key-1', 2)
        expect(iocp).not.toBe(0)
        const buffers = [new Uint8Array(32), new Uint8Array(32)]
        const ovs: OVERLAPPED[] = buffers.map(() => ({ Internal: 0, InternalHigh: 0, hEvent: new KEvent(m.ke, 'notification') }))
        for (let i = 0; i < 2; i++) log.push(`get ${(yield* FilterGetMessage(env, c.handle, buffers[i]!, 32, ovs[i]!)) === HRESULT_IO_PENDING ? 'pending' : 'other'}`)
        const bytes = ref<number>()
        const key = ref<unknown>()
        const ov = ref<OVERLAPPED>()
        const ok = yield* GetQueuedCompletionStatus(env, iocp, bytes, key, ov, undefined)
        const i = ovs.indexOf(ov.value!)
        log.push(`completed ${ok} ${bytes.value} ${String(key.value)} #${i} ${dec(buffers[i]!.subarray(16, 20))}`)
        const hdr = readMessageHeader(buffers[i]!)
        const r = new Uint8Array(18)
        writeReplyHeader(r, 0, hdr.MessageId)
        r.set(enc('ok'), 16)
        yield* FilterReplyMessage(env, c.handle, r, 18)
        expect(CancelIoEx(env, c.handle, ovs[1]!)).toBe(true)
        const ok2 = yield* GetQueuedCompletionStatus(env, iocp, bytes, key, ov, undefined)
        log.push(`completed ${ok2} #${ovs.indexOf(ov.value!)} error ${GetLastError(m.ke.currentThread)}`)
        const timedOut = yield* GetQueuedCompletionStatus(env, iocp, bytes, key, ov, 10)
        log.push(`timeout ${timedOut} ${ov.value === undefined} error ${GetLastError(m.ke.currentThread)}`)
      },
      'svc.exe',
    )
    const reply = new Uint8Array(4)
    const len = ref(4)
    expect(run(m, () => FltSendMessage(pf.filter, pf.client, enc('data'), 4, reply, len, null), 'System')).toBe(STATUS.STATUS_SUCCESS)
    expect(dec(reply.subarray(0, len.value))).toBe('ok')
    m.ke.runUntil(() => log.length === 5)
    expect(log).toEqual(['get pending', 'get pending', 'completed true 20 key-1 #0 data', 'completed false #1 error 995', 'timeout false true error 258'])
  })

  it('a pre-create that waits for a service which opens the same file is a deadlock, reported with the wait chain', () => {
    const m = bootMachine()
    const pf = portFilter(m, 1, true, (pf) =>
      function* (d) {
        if (!d.Iopb.TargetFileObject?.FileName.toLowerCase().endsWith('doc.txt')) return FLT_PREOP_SUCCESS_NO_CALLBACK
        const reply = new Uint8Array(1)
        yield* FltSendMessage(pf.filter, pf.client, enc('scan'), 4, reply, ref(1), null)
        return FLT_PREOP_SUCCESS_NO_CALLBACK
      },
    )
    const c = run(m, () => connect(m), 'svc.exe')
    // the service opens the file it is asked about before it answers
    spawn(
      m,
      function* () {
        const env = win32Env(m.io)
        const buf = new Uint8Array(32)
        yield* FilterGetMessage(env, c.handle, buf, 32, null)
        yield* open(m, 'C:\\doc.txt')
      },
      'svc.exe',
      'scan',
    )
    spawn(m, function* () {
      yield* open(m, 'C:\\doc.txt')
    }, 'winword.exe')
    // nothing can run any more and no timer is due: the scheduler's 'blocked' (the runner's deadlock)
    expect(m.ke.runUntil(() => false, { deadline: m.ke.now + 60 * 10_000_000 })).toBe('blocked')
    const chains = m.ke.waitChains().map((w) => `${w.thread}: ${w.reason}`)
    expect(chains.some((x) => /^WINWORD\.EXE.*FltSendMessage: message 1 on \\TestPort waits for the reply of svc\.exe/i.test(x))).toBe(true)
    expect(chains.some((x) => /^svc\.exe.*FltSendMessage: message 2 on \\TestPort waits for svc\.exe to take it/.test(x))).toBe(true)
    void pf
  })
})

describe('communication ports when the filter goes', () => {
  it('disconnectFilterPorts (filter unload) runs DisconnectNotify for each open connection; the program\'s calls then fail', () => {
    const m = bootMachine()
    const pf = portFilter(m, 2)
    const a = run(m, () => connect(m), 'svc.exe')
    const hrs: number[] = []
    spawn(m, function* () {
      hrs.push(yield* FilterGetMessage(win32Env(m.io), a.handle, new Uint8Array(32), 32, null))
    }, 'svc.exe')
    m.ke.runUntil(() => false, { deadline: m.ke.now + 10_000 })
    run(m, () => disconnectFilterPorts(pf.filter), 'System')
    m.ke.runUntil(() => hrs.length === 1)
    expect(pf.log.filter((l) => l.startsWith('disconnect'))).toHaveLength(1)
    expect(pf.client.value).toBeUndefined()
    expect(hrs).toEqual([0x80070006])
    // closing the program's handle afterwards does not notify again
    run(m, () => CloseHandle(win32Env(m.io), a.handle), 'svc.exe')
    expect(pf.log.filter((l) => l.startsWith('disconnect'))).toHaveLength(1)
  })
})
