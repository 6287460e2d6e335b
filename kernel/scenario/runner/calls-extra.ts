// `call:` adapters for services whose structures arrive with the volume, EA, reparse and
// notification codecs (kernel/rtl/structs): NtQueryVolumeInformationFile,
// NtSetVolumeInformationFile, NtFsControlFile, NtQueryEaFile, NtSetEaFile and
// NtNotifyChangeDirectoryFile, in the shapes of SCENARIOS.md "Argument and output shapes".

import * as nt from '../../io/services/index.ts'
import { fsInformationClassName } from '../../nt/infoclass.ts'
import { STATUS } from '../../nt/status.ts'
import { StructError } from '../../rtl/structs/buffer.ts'
import { decodeFullEaList, encodeFullEaList, type EaEntryInput } from '../../rtl/structs/ea.ts'
import { decodeFsInformation, encodeFsInformation, hasFsInformationCodec } from '../../rtl/structs/fsinfo.ts'
import { decodeNotifyEntries } from '../../rtl/structs/notify.ts'
import type { ArgValue } from '../types.ts'
import type { CallAdapter } from './calls.ts'
import { decodeFsctlOutput, defaultOutputLength, encodeFsctlInput, withLength } from './fsctl-buffers.ts'
import { rememberIoStatus } from './pended-io.ts'
import { asObject, bool, bytes, num, optNum, StepError, str } from './values.ts'

/** a whole-answer buffer when the scenario gives no Length (SCENARIOS.md "Buffers") */
const BIG_BUFFER = 64 * 1024

type Output = { readonly [k: string]: unknown }

/** FS class bytes → the structure's fields; bytes no codec can read come back as `{ Data }` */
function decodeVolumeInfo(cls: number, buffer: Uint8Array | undefined): Output | undefined {
  if (!buffer || buffer.length === 0) return undefined
  const name = fsInformationClassName(cls)
  if (!name || !hasFsInformationCodec(name)) return { Data: buffer }
  try {
    return decodeFsInformation(name, buffer) as unknown as Output
  } catch (e) {
    if (e instanceof StructError) return { Data: buffer }
    throw e
  }
}

/** the scenario's FsInformation mapping → the class's input structure */
function volumeInfoInput(cls: number, v: ArgValue | undefined): Uint8Array {
  const name = fsInformationClassName(cls)
  if (!name || !hasFsInformationCodec(name)) throw new StepError(`FsInformationClass: ${name ?? cls} has no structure to set`)
  if (v instanceof Uint8Array) return v
  const o = v === undefined ? {} : asObject(v, 'FsInformation')
  const input: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(o)) input[k] = x
  if (name === 'FileFsLabelInformation' && typeof input['VolumeLabel'] !== 'string') throw new StepError('FsInformation.VolumeLabel: expected a string')
  try {
    return encodeFsInformation(name, input as never, BIG_BUFFER).bytes
  } catch (e) {
    if (e instanceof StructError) throw new StepError(`FsInformation: ${e.message}`)
    throw e
  }
}

/** `EaBuffer: [{ Name, Value, Flags }]` → entries for FILE_FULL_EA_INFORMATION */
export function eaList(v: ArgValue | undefined, what: string): EaEntryInput[] {
  if (!Array.isArray(v)) throw new StepError(`${what}: expected a list of { Name, Value, Flags }`)
  return (v as readonly ArgValue[]).map((e, i) => {
    const o = asObject(e, `${what}[${i}]`)
    return {
      Name: str(o['Name'], `${what}[${i}].Name`),
      Value: o['Value'] === undefined ? new Uint8Array(0) : bytes(o['Value'], `${what}[${i}].Value`),
      Flags: optNum(o['Flags'], `${what}[${i}].Flags`) ?? 0,
    }
  })
}

function strings(v: ArgValue | undefined, what: string): string[] | undefined {
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v)) throw new StepError(`${what}: expected a list of names`)
  return (v as readonly ArgValue[]).map((x, i) => str(x, `${what}[${i}]`))
}

export const extraCalls: Record<string, CallAdapter> = {
  *NtQueryVolumeInformationFile(ctx, a, process) {
    const cls = num(a['FsInformationClass'], 'FsInformationClass')
    const r = yield* nt.NtQueryVolumeInformationFile(ctx.machine.io, {
      FileHandle: ctx.handle(a['FileHandle'], 'FileHandle', process)!,
      FsInformationClass: cls,
      Length: optNum(a['Length'], 'Length') ?? BIG_BUFFER,
    })
    return { status: r.status, information: r.information, output: decodeVolumeInfo(cls, r.buffer) }
  },
  *NtSetVolumeInformationFile(ctx, a, process) {
    const cls = num(a['FsInformationClass'], 'FsInformationClass')
    const input = withLength(volumeInfoInput(cls, a['FsInformation']), optNum(a['Length'], 'Length'))
    return yield* nt.NtSetVolumeInformationFile(ctx.machine.io, {
      FileHandle: ctx.handle(a['FileHandle'], 'FileHandle', process)!,
      FsInformationClass: cls,
      FsInformation: input,
    })
  },
  *NtFsControlFile(ctx, a, process) {
    const code = num(a['FsControlCode'], 'FsControlCode') >>> 0
    const input = encodeFsctlInput(code, a['InputBuffer'])
    const inLen = optNum(a['InputBufferLength'], 'InputBufferLength')
    const r = yield* nt.NtFsControlFile(ctx.machine.io, {
      FileHandle: ctx.handle(a['FileHandle'], 'FileHandle', process)!,
      FsControlCode: code,
      InputBuffer: input === undefined && inLen === undefined ? undefined : withLength(input ?? new Uint8Array(0), inLen),
      OutputBufferLength: optNum(a['OutputBufferLength'], 'OutputBufferLength') ?? defaultOutputLength(code, BIG_BUFFER),
    })
    // the caller's IO_STATUS_BLOCK, named for a later NtWaitForSingleObject (requests that pend)
    if (a['IoStatusBlock'] !== undefined) rememberIoStatus(ctx, str(a['IoStatusBlock'], 'IoStatusBlock'), r.IoStatusBlock, r.OutputBuffer, code)
    const out = r.output && r.output.length > 0 ? { OutputBuffer: decodeFsctlOutput(code, r.output) } : undefined
    return { status: r.status, information: r.information, output: out }
  },
  *NtQueryEaFile(ctx, a, process) {
    const r = yield* nt.NtQueryEaFile(ctx.machine.io, {
      FileHandle: ctx.handle(a['FileHandle'], 'FileHandle', process)!,
      Length: optNum(a['Length'], 'Length') ?? BIG_BUFFER,
      ReturnSingleEntry: bool(a['ReturnSingleEntry']),
      EaList: strings(a['EaList'], 'EaList'),
      EaIndex: optNum(a['EaIndex'], 'EaIndex'),
      RestartScan: bool(a['RestartScan']),
    })
    let output: Output | undefined
    if (r.buffer && r.buffer.length > 0) {
      try {
        output = { Entries: decodeFullEaList(r.buffer) }
      } catch (e) {
        if (!(e instanceof StructError)) throw e
        output = { Data: r.buffer }
      }
    } else if (r.status === STATUS.STATUS_SUCCESS) output = { Entries: [] }
    return { status: r.status, information: r.information, output }
  },
  *NtSetEaFile(ctx, a, process) {
    let buffer: Uint8Array
    try {
      buffer = encodeFullEaList(eaList(a['EaBuffer'], 'EaBuffer'))
    } catch (e) {
      if (e instanceof StructError) throw new StepError(`EaBuffer: ${e.message}`)
      throw e
    }
    return yield* nt.NtSetEaFile(ctx.machine.io, {
      FileHandle: ctx.handle(a['FileHandle'], 'FileHandle', process)!,
      Buffer: withLength(buffer, optNum(a['Length'], 'Length')),
    })
  },
  *NtCancelIoFile(ctx, a, process) {
    return yield* nt.NtCancelIoFile(ctx.machine.io, { FileHandle: ctx.handle(a['FileHandle'], 'FileHandle', process)! })
  },
  *NtCancelIoFileEx(ctx, a, process) {
    return yield* nt.NtCancelIoFileEx(ctx.machine.io, { FileHandle: ctx.handle(a['FileHandle'], 'FileHandle', process)! })
  },
  *NtNotifyChangeDirectoryFile(ctx, a, process) {
    const r = yield* nt.NtNotifyChangeDirectoryFile(ctx.machine.io, {
      FileHandle: ctx.handle(a['FileHandle'], 'FileHandle', process)!,
      CompletionFilter: num(a['CompletionFilter'], 'CompletionFilter'),
      WatchTree: bool(a['WatchTree']),
      Length: optNum(a['Length'], 'Length') ?? BIG_BUFFER,
    })
    // a pending request has no answer yet; a completed one lists its changes (none on overflow)
    let output: Output | undefined
    if (r.status !== STATUS.STATUS_PENDING) {
      try {
        output = { Entries: decodeNotifyEntries(r.buffer ?? new Uint8Array(0)) }
      } catch (e) {
        if (!(e instanceof StructError)) throw e
        output = { Data: r.buffer }
      }
    }
    return { status: r.status, information: r.information, output }
  },
}
