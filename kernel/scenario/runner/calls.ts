// `call:` steps: each NT service's arguments from the scenario, the call, and its result in the
// shape scenario expectations use (SCENARIOS.md, "Argument and output shapes").

import type { Co } from '../../ke/index.ts'
import * as nt from '../../io/services/index.ts'
import { FILE_INFORMATION_CLASS, fileInformationClassName } from '../../nt/infoclass.ts'
import { decodeFileInformation, encodeFileInformation, hasFileInformationCodec } from '../../rtl/structs/fileinfo.ts'
import { decodeDirEntries, isDirClass } from '../../rtl/structs/dirinfo.ts'
import type { EProcess } from '../../ob/index.ts'
import type { StepResult } from '../expect.ts'
import type { ArgValue, Args, CallStep } from '../types.ts'
import type { RunContext } from './context.ts'
import { asObject, bool, bytes, isHandle, isPath, num, optNum, StepError, str } from './values.ts'
import { extraCalls } from './calls-extra.ts'
import { mmCalls } from './calls-mm.ts'
import { waitForIoStatus } from './pended-io.ts'

export interface CallOutcome extends StepResult {
  /** the handle the step returns (named by `as:`) */
  readonly handle?: number
}

export type CallAdapter = (ctx: RunContext, a: Args, process: EProcess) => Co<CallOutcome>

/** a whole-answer buffer when the scenario gives no Length (SCENARIOS.md "Buffers") */
const BIG_BUFFER = 64 * 1024

function len(a: Args, fallback = BIG_BUFFER): number {
  return optNum(a['Length'], 'Length') ?? fallback
}

function decodeInfo(cls: number, buffer: Uint8Array | undefined): { readonly [k: string]: unknown } | undefined {
  const name = fileInformationClassName(cls)
  if (!buffer || !name || !hasFileInformationCodec(name) || buffer.length === 0) return undefined
  return decodeFileInformation(name, buffer) as unknown as { readonly [k: string]: unknown }
}

/** the scenario's FileInformation mapping → the class's input structure */
function infoInput(ctx: RunContext, cls: string, v: ArgValue | undefined, process: EProcess): Record<string, unknown> {
  const o = v === undefined ? {} : asObject(v, 'FileInformation')
  const out: Record<string, unknown> = {}
  for (const [k, val] of Object.entries(o)) {
    if (isPath(val)) out[k] = val.nt
    else if (isHandle(val)) out[k] = ctx.handle(val, `FileInformation.${k}`, process) ?? 0
    else out[k] = val
  }
  if (cls === 'FileDispositionInformation' && 'DeleteFile' in out) out['DeleteFile'] = out['DeleteFile'] === true
  return out
}

const calls: Record<string, CallAdapter> = {
  *NtCreateFile(ctx, a, process) {
    const r = yield* nt.NtCreateFile(ctx.machine.io, {
      FileName: str(a['FileName'], 'FileName'),
      DesiredAccess: optNum(a['DesiredAccess'], 'DesiredAccess') ?? 0,
      Attributes: optNum(a['Attributes'], 'Attributes'),
      RootDirectory: ctx.handle(a['RootDirectory'], 'RootDirectory', process),
      AllocationSize: optNum(a['AllocationSize'], 'AllocationSize'),
      FileAttributes: optNum(a['FileAttributes'], 'FileAttributes'),
      ShareAccess: optNum(a['ShareAccess'], 'ShareAccess'),
      CreateDisposition: num(a['CreateDisposition'], 'CreateDisposition'),
      CreateOptions: optNum(a['CreateOptions'], 'CreateOptions'),
      EaBuffer: eaEntries(a['EaBuffer']),
    })
    return { status: r.status, information: r.information, handle: r.handle }
  },
  *NtOpenFile(ctx, a, process) {
    const r = yield* nt.NtOpenFile(ctx.machine.io, {
      FileName: str(a['FileName'], 'FileName'),
      DesiredAccess: optNum(a['DesiredAccess'], 'DesiredAccess') ?? 0,
      Attributes: optNum(a['Attributes'], 'Attributes'),
      RootDirectory: ctx.handle(a['RootDirectory'], 'RootDirectory', process),
      ShareAccess: optNum(a['ShareAccess'], 'ShareAccess'),
      OpenOptions: optNum(a['OpenOptions'], 'OpenOptions'),
    })
    return { status: r.status, information: r.information, handle: r.handle }
  },
  *NtClose(ctx, a, process) {
    return yield* nt.NtClose(ctx.machine.io, { Handle: ctx.handle(a['Handle'], 'Handle', process)! })
  },
  *NtReadFile(ctx, a, process) {
    const r = yield* nt.NtReadFile(ctx.machine.io, {
      FileHandle: ctx.handle(a['FileHandle'], 'FileHandle', process)!,
      ByteOffset: optNum(a['ByteOffset'], 'ByteOffset'),
      Length: num(a['Length'], 'Length'),
      Key: optNum(a['Key'], 'Key'),
    })
    return { status: r.status, information: r.information, output: r.data ? { Data: r.data } : undefined }
  },
  *NtWriteFile(ctx, a, process) {
    let data = bytes(a['Data'], 'Data')
    const l = optNum(a['Length'], 'Length')
    if (l !== undefined) data = data.subarray(0, l)
    return yield* nt.NtWriteFile(ctx.machine.io, {
      FileHandle: ctx.handle(a['FileHandle'], 'FileHandle', process)!,
      ByteOffset: optNum(a['ByteOffset'], 'ByteOffset'),
      Data: data,
      Key: optNum(a['Key'], 'Key'),
    })
  },
  *NtQueryInformationFile(ctx, a, process) {
    const cls = num(a['FileInformationClass'], 'FileInformationClass')
    const r = yield* nt.NtQueryInformationFile(ctx.machine.io, { FileHandle: ctx.handle(a['FileHandle'], 'FileHandle', process)!, FileInformationClass: cls, Length: len(a) })
    return { status: r.status, information: r.information, output: decodeInfo(cls, r.buffer) }
  },
  *NtSetInformationFile(ctx, a, process) {
    const cls = num(a['FileInformationClass'], 'FileInformationClass')
    const name = fileInformationClassName(cls)
    if (!name || !hasFileInformationCodec(name)) throw new StepError(`FileInformationClass: ${name ?? cls} has no structure to set`)
    const input = infoInput(ctx, name, a['FileInformation'], process)
    const enc = encodeFileInformation(name, input as never, 0x10000)
    return yield* nt.NtSetInformationFile(ctx.machine.io, {
      FileHandle: ctx.handle(a['FileHandle'], 'FileHandle', process)!,
      FileInformationClass: cls,
      FileInformation: enc.bytes,
      Length: optNum(a['Length'], 'Length'),
    })
  },
  *NtQueryDirectoryFile(ctx, a, process) {
    const cls = num(a['FileInformationClass'], 'FileInformationClass')
    const r = yield* nt.NtQueryDirectoryFile(ctx.machine.io, {
      FileHandle: ctx.handle(a['FileHandle'], 'FileHandle', process)!,
      FileInformationClass: cls,
      Length: len(a),
      FileName: a['FileName'] === undefined ? undefined : str(a['FileName'], 'FileName'),
      RestartScan: bool(a['RestartScan']),
      ReturnSingleEntry: bool(a['ReturnSingleEntry']),
    })
    const name = fileInformationClassName(cls)
    let output: { readonly [k: string]: unknown } | undefined
    if (r.buffer && r.buffer.length > 0 && name && isDirClass(name)) {
      const details = decodeDirEntries(name, r.buffer)
      output = { Entries: details.map((d) => d.FileName), Details: details }
    } else if (r.buffer) output = { Entries: [], Details: [] }
    return { status: r.status, information: r.information, output }
  },
  *NtDeleteFile(ctx, a, process) {
    return yield* nt.NtDeleteFile(ctx.machine.io, {
      FileName: str(a['FileName'], 'FileName'),
      Attributes: optNum(a['Attributes'], 'Attributes'),
      RootDirectory: ctx.handle(a['RootDirectory'], 'RootDirectory', process),
    })
  },
  *NtQueryAttributesFile(ctx, a, process) {
    const r = yield* nt.queryAttributesByName(
      ctx.machine.io,
      { FileName: str(a['FileName'], 'FileName'), Attributes: optNum(a['Attributes'], 'Attributes'), RootDirectory: ctx.handle(a['RootDirectory'], 'RootDirectory', process) },
      FILE_INFORMATION_CLASS.FileBasicInformation,
      40,
    )
    return { status: r.status, information: r.information, output: decodeInfo(FILE_INFORMATION_CLASS.FileBasicInformation, r.buffer) }
  },
  *NtQueryFullAttributesFile(ctx, a, process) {
    const r = yield* nt.queryAttributesByName(
      ctx.machine.io,
      { FileName: str(a['FileName'], 'FileName'), Attributes: optNum(a['Attributes'], 'Attributes'), RootDirectory: ctx.handle(a['RootDirectory'], 'RootDirectory', process) },
      FILE_INFORMATION_CLASS.FileNetworkOpenInformation,
      56,
    )
    return { status: r.status, information: r.information, output: decodeInfo(FILE_INFORMATION_CLASS.FileNetworkOpenInformation, r.buffer) }
  },
  *NtLockFile(ctx, a, process) {
    return yield* nt.NtLockFile(ctx.machine.io, {
      FileHandle: ctx.handle(a['FileHandle'], 'FileHandle', process)!,
      ByteOffset: num(a['ByteOffset'], 'ByteOffset'),
      Length: num(a['Length'], 'Length'),
      Key: optNum(a['Key'], 'Key'),
      FailImmediately: bool(a['FailImmediately']),
      ExclusiveLock: bool(a['ExclusiveLock']),
    })
  },
  *NtUnlockFile(ctx, a, process) {
    return yield* nt.NtUnlockFile(ctx.machine.io, {
      FileHandle: ctx.handle(a['FileHandle'], 'FileHandle', process)!,
      ByteOffset: num(a['ByteOffset'], 'ByteOffset'),
      Length: num(a['Length'], 'Length'),
      Key: optNum(a['Key'], 'Key'),
    })
  },
  *NtFlushBuffersFile(ctx, a, process) {
    return yield* nt.NtFlushBuffersFile(ctx.machine.io, { FileHandle: ctx.handle(a['FileHandle'], 'FileHandle', process)! })
  },
  *NtDuplicateObject(ctx, a, process) {
    const r = yield* nt.NtDuplicateObject(ctx.machine.io, {
      SourceHandle: ctx.handle(a['SourceHandle'], 'SourceHandle', process)!,
      DesiredAccess: optNum(a['DesiredAccess'], 'DesiredAccess'),
      Options: optNum(a['Options'], 'Options'),
      HandleAttributes: optNum(a['HandleAttributes'], 'HandleAttributes'),
    })
    return { status: r.status, information: r.information, handle: r.handle }
  },
  *NtWaitForSingleObject(ctx, a, process) {
    // with a named IO_STATUS_BLOCK: wait until that request completed and report the block
    if (a['IoStatusBlock'] !== undefined) {
      return yield* waitForIoStatus(ctx, str(a['IoStatusBlock'], 'IoStatusBlock'), ctx.handle(a['Handle'], 'Handle', process)!, optNum(a['Timeout'], 'Timeout'))
    }
    return yield* nt.NtWaitForSingleObject(ctx.machine.io, { Handle: ctx.handle(a['Handle'], 'Handle', process)!, Timeout: optNum(a['Timeout'], 'Timeout') })
  },
  ...extraCalls,
  ...mmCalls,
}

function eaEntries(v: ArgValue | undefined): { name: string; value: Uint8Array; flags: number }[] | undefined {
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v)) throw new StepError('EaBuffer: expected a list')
  return (v as ArgValue[]).map((e, i) => {
    const o = asObject(e, `EaBuffer[${i}]`)
    return { name: str(o['Name'], `EaBuffer[${i}].Name`), value: o['Value'] === undefined ? new Uint8Array(0) : bytes(o['Value'], `EaBuffer[${i}].Value`), flags: optNum(o['Flags'], `EaBuffer[${i}].Flags`) ?? 0 }
  })
}

export function callAdapter(service: string): CallAdapter | undefined {
  return calls[service]
}

export type { CallStep }
