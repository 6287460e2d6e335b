// Trace events for operations that are not IRPs: fast I/O calls and the FsFilter callbacks
// (AcquireForSectionSynchronization, AcquireForModWrite, AcquireForCcFlush and their releases).
// They are recorded where the file system sees them (`at: fs`), with the same keys the I/O
// manager uses for IRPs, so a trace shows them in line with the paging I/O they bracket.

import type { DeviceObject } from '../io/device.ts'
import type { FileObject } from '../io/file-object.ts'
import type { IoManager } from '../io/iomgr.ts'
import { statusName, type NTSTATUS } from '../nt/status.ts'

export interface OpTraceHandle {
  readonly id: string
  readonly op: string
  readonly at: string
  readonly fo: FileObject | undefined
  readonly params: Record<string, unknown>
  readonly minor: string | undefined
}

function emit(io: IoManager, h: OpTraceHandle, phase: 'dispatch' | 'complete', result?: { status: NTSTATUS; information: number; output?: Record<string, unknown> }): void {
  const t = io.ke.current
  const proc = io.currentProcess()
  const fo = h.fo
  io.trace.emit({
    time: io.ke.now,
    process: proc.imageName,
    pid: proc.pid,
    tid: t?.tid ?? 0,
    op: h.op,
    ...(h.minor !== undefined ? { minor: h.minor } : {}),
    path: fo ? fo.traceName : '',
    at: h.at,
    phase,
    flags: [],
    ...(result ? { status: statusName(result.status), information: result.information } : {}),
    ...(result?.output ? { output: result.output } : {}),
    fileObject: fo ? `FO${fo.id}` : undefined,
    ...(fo ? { fileObjectState: fo.state } : {}),
    irp: h.id,
    params: h.params,
  })
}

/**
 * Records the start of a non-IRP operation at `device` when that device is traced (the file
 * system's volume device: `fs`); returns the handle to record its end with, or undefined.
 */
export function traceOpStart(io: IoManager, device: DeviceObject | undefined, fo: FileObject | undefined, op: string, params: Record<string, unknown> = {}, minor?: string): OpTraceHandle | undefined {
  if (!io.trace.enabled || !device?.traceAt) return undefined
  const h: OpTraceHandle = { id: `IRP${io.nextId()}`, op, at: device.traceAt, fo, params, minor }
  emit(io, h, 'dispatch')
  return h
}

/** records the end of an operation started with traceOpStart */
export function traceOpEnd(io: IoManager, h: OpTraceHandle | undefined, status: NTSTATUS, information = 0, output?: Record<string, unknown>): void {
  if (!h || !io.trace.enabled) return
  emit(io, h, 'complete', { status, information, output })
}

/** the volume device of the file system a file object is open on (the base of its stack) */
export function baseDeviceOf(fo: FileObject): DeviceObject {
  return fo.Vpb?.DeviceObject ?? fo.DeviceObject
}
