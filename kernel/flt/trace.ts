// Trace events of filter instances (SCENARIOS.md §3): one `pre` event per instance whose
// pre-operation callback is called and one `post` per post-operation callback, `at` the
// instance (`<filter>@<altitude>`), with the parameters as that instance sees them.

import { IoStackLocation, type Irp } from '../io/irp.ts'
import { traceFlags, traceMinor, traceOutput, traceParams } from '../io/trace-hooks.ts'
import { statusName } from '../nt/status.ts'
import type { FLT_CALLBACK_DATA } from './callback-data.ts'
import { FLTFL_CALLBACK_DATA_FAST_IO_OPERATION } from './constants.ts'
import { irpFromIopb } from './irp-params.ts'
import type { FilterManager } from './manager.ts'
import type { FltInstance } from './objects.ts'
import type { FltOperation } from './operation.ts'

/** a stack location and IRP-shaped view of callback data, for the I/O manager's trace formatters */
function views(data: FLT_CALLBACK_DATA): { sp: IoStackLocation; irp: Irp } {
  const iopb = data.Iopb
  const { parameters, buffers, flags, slFlags } = irpFromIopb(data, undefined)
  const sp = new IoStackLocation()
  sp.MajorFunction = iopb.MajorFunction
  sp.MinorFunction = iopb.MinorFunction
  sp.Flags = slFlags
  sp.Parameters = parameters
  sp.FileObject = iopb.TargetFileObject
  const irp = { Flags: flags, SystemBuffer: buffers.SystemBuffer, UserBuffer: buffers.UserBuffer, OutputBuffer: buffers.OutputBuffer, IoStatus: data.IoStatus } as unknown as Irp
  return { sp, irp }
}

export function emitInstanceEvent(mgr: FilterManager, op: FltOperation, inst: FltInstance, phase: 'pre' | 'post', drained = false): void {
  const trace = mgr.io.trace
  if (!trace.enabled) return
  const data = op.data
  const { sp, irp } = views(data)
  const t = data.Thread ?? mgr.ke.current
  const proc = t ? mgr.processOf(t.tid) : mgr.io.system
  const fo = data.Iopb.TargetFileObject
  const done = phase === 'post'
  const fast = (data.Flags & FLTFL_CALLBACK_DATA_FAST_IO_OPERATION) !== 0
  const minor = fast ? undefined : traceMinor(sp)
  trace.emit({
    time: mgr.ke.now,
    process: proc.imageName,
    pid: proc.pid,
    tid: t?.tid ?? 0,
    op: op.opName,
    ...(minor !== undefined ? { minor } : {}),
    path: fo ? fo.traceName : '',
    at: inst.at,
    phase,
    flags: fast ? [] : traceFlags(irp, sp),
    ...(done ? { status: statusName(data.IoStatus.Status), information: data.IoStatus.Information } : {}),
    ...(done && !fast ? traceOutput(irp, sp) : {}),
    fileObject: fo ? `FO${fo.id}` : undefined,
    ...(fo ? { fileObjectState: fo.state } : {}),
    irp: op.id,
    params: { ...traceParams(irp, sp), ...(drained ? { Draining: true } : {}) },
    ...(op.depth > 0 ? { depth: op.depth } : {}),
  })
}
