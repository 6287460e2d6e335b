import { describe, expect, it } from 'vitest'
import type { Co } from '../../ke/index.ts'
import { parseScenario } from '../../scenario/parse.ts'
import { registerFilterModule, runScenario } from '../../scenario/runner/index.ts'
import * as nt from '../../io/services/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_DISPOSITION, CREATE_OPTIONS } from '../../nt/file.ts'
import { FilterConnectCommunicationPort, FilterGetMessage, readMessageHeader, writeReplyHeader, FilterReplyMessage } from '../../win32/fltlib.ts'
import {
  FltCreateCommunicationPort,
  FltRegisterFilter,
  FltSendMessage,
  FltStartFiltering,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  InitializeObjectAttributes,
  IRP_MJ,
  OBJ_KERNEL_HANDLE,
  STATUS,
  ref,
  type FLT_CALLBACK_DATA,
  type FilterDriverContext,
  type FltServerPort,
  type PFLT_FILTER,
  type PFLT_PORT,
} from '../index.ts'
import type { FilterModule } from '../manager.ts'
import { serviceOutput, type ServiceContext, type UserModeService } from './service.ts'

/**
 * A filter whose pre-create asks its program about every .doc opened, and a program that opens
 * the file it is asked about before answering when `programOpensFile` (its own opens are not
 * exempt from the question).
 */
function askingFilter(programOpensFile: boolean, portName = '\\AskPort'): FilterModule {
  const service: UserModeService = {
    ImageName: 'asker.exe',
    *main(ctx: ServiceContext): Co<number> {
      const h = ref<number>()
      const hr = yield* FilterConnectCommunicationPort(ctx.env, '\\AskPort', 0, null, 0, null, h)
      if (hr !== 0) {
        ctx.printf(`cannot connect: 0x${(hr >>> 0).toString(16)}`)
        return 2
      }
      ctx.ready()
      for (;;) {
        const buf = new Uint8Array(16 + 256)
        if ((yield* FilterGetMessage(ctx.env, h.value!, buf, buf.length, null)) !== 0) return 3
        const name = new TextDecoder().decode(buf.subarray(16)).replace(/\0+$/, '')
        ctx.printf(`asked about ${name}`)
        if (programOpensFile) {
          yield* nt.NtCreateFile(ctx.env.io, { FileName: name, DesiredAccess: ACCESS.GENERIC_READ | ACCESS.SYNCHRONIZE, CreateDisposition: CREATE_DISPOSITION.FILE_OPEN, CreateOptions: CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_NONALERT })
        }
        const reply = new Uint8Array(17)
        writeReplyHeader(reply, 0, readMessageHeader(buf).MessageId)
        reply[16] = 1
        yield* FilterReplyMessage(ctx.env, h.value!, reply, 17)
      }
    },
  }
  return {
    NAME: 'asker',
    SERVICE: service,
    DriverEntry(ctx: FilterDriverContext) {
      const filter = ref<PFLT_FILTER>()
      const client = ref<PFLT_PORT>()
      function* PreCreate(Data: FLT_CALLBACK_DATA): Co<number> {
        const fo = Data.Iopb.TargetFileObject!
        if (client.value && fo.FileName.toLowerCase().endsWith('.doc')) {
          const name = new TextEncoder().encode(`\\??\\C:${fo.FileName}`)
          const reply = new Uint8Array(1)
          yield* FltSendMessage(filter.value!, client, name, name.length, reply, ref(1), null)
        }
        return FLT_PREOP_SUCCESS_NO_CALLBACK
      }
      let st = FltRegisterFilter(ctx.DriverObject, { OperationRegistration: [{ MajorFunction: IRP_MJ.IRP_MJ_CREATE, PreOperation: PreCreate }] }, filter)
      if (st !== 0) return st
      st = FltCreateCommunicationPort(filter.value!, ref<FltServerPort>(), InitializeObjectAttributes(portName, OBJ_KERNEL_HANDLE), null, (c) => ((client.value = c), STATUS.STATUS_SUCCESS), () => {}, null, 1)
      if (st !== 0) return st
      return FltStartFiltering(filter.value!)
    },
  } as FilterModule
}

function scenario(module: string, extra = ''): string {
  return `name: a filter with its program
seed: 1
background: false
volume:
  files:
    - { path: 'C:\\a.doc', content: "x" }
filters:
  - { module: ${module}, altitude: 320000${extra} }
steps:
  - call: NtCreateFile
    process: WINWORD.EXE
    args: { FileName: 'C:\\a.doc', DesiredAccess: [GENERIC_READ, SYNCHRONIZE], CreateDisposition: FILE_OPEN, CreateOptions: [FILE_SYNCHRONOUS_IO_NONALERT] }
    expect: { status: STATUS_SUCCESS }
`
}

describe('filters\' user-mode programs in scenarios', () => {
  it('the runner starts the program after the filter loads; the filter\'s pre-create gets its answer', () => {
    registerFilterModule('/virtual/asker-ok.ts', askingFilter(false))
    let console: string[] = []
    const r = runScenario(parseScenario(scenario('/virtual/asker-ok.ts'), '/virtual/s.yaml'), { onMachine: (m) => void (console = serviceOutput(m.ke, 'asker.exe')?.console ?? []) })
    expect(r.failures).toEqual([])
    expect(console).toEqual(['asked about \\??\\C:\\a.doc'])
  })

  it('a pre-create waiting for a program that opens the same file is reported as a deadlock with the wait chain', () => {
    registerFilterModule('/virtual/asker-deadlock.ts', askingFilter(true))
    const r = runScenario(parseScenario(scenario('/virtual/asker-deadlock.ts'), '/virtual/s.yaml'), { stepTimeout: 60 * 10_000_000 })
    expect(r.failures).toHaveLength(1)
    const msg = r.failures[0]!.message
    expect(msg).toMatch(/^deadlock: the step can never return/)
    expect(msg).toMatch(/WINWORD\.EXE.* waits for FltSendMessage: message 1 on \\AskPort waits for the reply of asker\.exe/)
    expect(msg).toMatch(/asker\.exe.* waits for FltSendMessage: message 2 on \\AskPort waits for asker\.exe to take it/)
  })

  it('service: false leaves the program out; a program that cannot start is a failure naming it', () => {
    registerFilterModule('/virtual/asker-off.ts', askingFilter(true))
    expect(runScenario(parseScenario(scenario('/virtual/asker-off.ts', ', service: false'), '/virtual/s.yaml')).failures).toEqual([])
    registerFilterModule('/virtual/asker-badport.ts', askingFilter(false, '\\OtherPort'))
    const r = runScenario(parseScenario(scenario('/virtual/asker-badport.ts'), '/virtual/s.yaml'))
    expect(r.failures.map((f) => f.message)).toEqual(["asker's program asker.exe exited with code 2 before it was ready (cannot connect: 0x80070002)"])
  })

  it('a program that throws ends with an exception code; the machine goes on', () => {
    const module = askingFilter(false)
    const crashing: FilterModule = {
      ...module,
      SERVICE: {
        ImageName: 'asker.exe',
        *main(): Co<number> {
          const nothing = undefined as unknown as { go(): void }
          nothing.go()
          return 0
        },
      } satisfies UserModeService,
    } as FilterModule
    registerFilterModule('/virtual/asker-crash.ts', crashing)
    const r = runScenario(parseScenario(scenario('/virtual/asker-crash.ts'), '/virtual/s.yaml'))
    expect(r.bugcheck).toBeUndefined()
    expect(r.failures.map((f) => f.message)).toEqual([expect.stringMatching(/^asker's program asker\.exe exited with code 0xC0000005 before it was ready \(asker\.exe \(main\) stopped with exception 0xC0000005: /)])
  })
})
