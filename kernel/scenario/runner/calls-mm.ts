// `call:` adapters for sections and mapped views: NtCreateSection (as: names the section handle),
// NtMapViewOfSection (as: names the view; later steps address it as `view` or `view+4096`),
// NtUnmapViewOfSection, NtReadVirtualMemory, NtWriteVirtualMemory and NtFlushVirtualMemory.

import * as sections from '../../io/services/section.ts'
import type { ArgValue, ViewAddressArg } from '../types.ts'
import type { CallAdapter } from './calls.ts'
import type { RunContext } from './context.ts'
import type { EProcess } from '../../ob/index.ts'
import { bytes, num, optNum, StepError } from './values.ts'

function isView(v: ArgValue | undefined): v is ViewAddressArg {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v) && (v as ViewAddressArg).kind === 'view'
}

/** a view address (`v`, `v+0x1000`) as the number it stands for in the step's process */
function address(ctx: RunContext, v: ArgValue | undefined, what: string, process: EProcess): number {
  if (typeof v === 'number') return v
  if (!isView(v)) throw new StepError(`${what}: expected a view address (a view named by NtMapViewOfSection's as:, optionally +offset)`)
  const named = ctx.handles.get(v.name)
  if (!named) throw new StepError(`${what}: the view '${v.name}' is not mapped (its step failed or has not run yet)`)
  if (named.process !== process) throw new StepError(`${what}: the view '${v.name}' is in ${named.process.imageName}, not ${process.imageName}`)
  return named.value + num(v.offset, `${what} offset`)
}

export const mmCalls: Record<string, CallAdapter> = {
  *NtCreateSection(ctx, a, process) {
    const r = yield* sections.NtCreateSection(ctx.machine.io, {
      FileHandle: ctx.handle(a['FileHandle'], 'FileHandle', process),
      DesiredAccess: optNum(a['DesiredAccess'], 'DesiredAccess') ?? 0,
      MaximumSize: optNum(a['MaximumSize'], 'MaximumSize'),
      SectionPageProtection: num(a['SectionPageProtection'], 'SectionPageProtection'),
      AllocationAttributes: num(a['AllocationAttributes'], 'AllocationAttributes'),
    })
    return { status: r.status, information: r.information, handle: r.handle }
  },
  *NtMapViewOfSection(ctx, a, process) {
    const r = yield* sections.NtMapViewOfSection(ctx.machine.io, {
      SectionHandle: ctx.handle(a['SectionHandle'], 'SectionHandle', process)!,
      SectionOffset: optNum(a['SectionOffset'], 'SectionOffset'),
      ViewSize: optNum(a['ViewSize'], 'ViewSize'),
      Win32Protect: num(a['Win32Protect'], 'Win32Protect'),
    })
    return {
      status: r.status,
      information: r.information,
      handle: r.baseAddress,
      output: r.baseAddress === undefined ? undefined : { BaseAddress: r.baseAddress, ViewSize: r.viewSize },
    }
  },
  *NtUnmapViewOfSection(ctx, a, process) {
    return yield* sections.NtUnmapViewOfSection(ctx.machine.io, { BaseAddress: address(ctx, a['BaseAddress'], 'BaseAddress', process) })
  },
  *NtReadVirtualMemory(ctx, a, process) {
    const r = yield* sections.NtReadVirtualMemory(ctx.machine.io, {
      BaseAddress: address(ctx, a['BaseAddress'], 'BaseAddress', process),
      NumberOfBytesToRead: num(a['NumberOfBytesToRead'], 'NumberOfBytesToRead'),
    })
    return { status: r.status, information: r.information, output: r.data ? { Data: r.data } : undefined }
  },
  *NtWriteVirtualMemory(ctx, a, process) {
    let data = bytes(a['Data'], 'Data')
    const n = optNum(a['NumberOfBytesToWrite'], 'NumberOfBytesToWrite')
    if (n !== undefined) data = data.subarray(0, n)
    return yield* sections.NtWriteVirtualMemory(ctx.machine.io, { BaseAddress: address(ctx, a['BaseAddress'], 'BaseAddress', process), Data: data })
  },
  *NtFlushVirtualMemory(ctx, a, process) {
    return yield* sections.NtFlushVirtualMemory(ctx.machine.io, {
      BaseAddress: address(ctx, a['BaseAddress'], 'BaseAddress', process),
      RegionSize: optNum(a['RegionSize'], 'RegionSize'),
    })
  },
}
