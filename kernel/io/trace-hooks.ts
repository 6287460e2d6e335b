// What the I/O manager tells the trace at each boundary it owns (the file system's dispatch
// and completion; filters and fast I/O report their own). Keys follow SCENARIOS.md §3.

import { fsctlName, irpFlagNames, majorName, minorName } from '../nt/irp.ts'
import { fileInformationClassName, fsInformationClassName } from '../nt/infoclass.ts'
import { decodeFileInformation, hasFileInformationCodec } from '../rtl/structs/fileinfo.ts'
import { dirEntryNames, isDirClass } from '../rtl/structs/dirinfo.ts'
import { decodeFsInformation, hasFsInformationCodec } from '../rtl/structs/fsinfo.ts'
import type { Irp, IoStackLocation } from './irp.ts'
import type { TraceEventInput } from '../trace/event.ts'

export interface IoTraceSink {
  /** false makes every trace call a single branch */
  readonly enabled: boolean
  emit(r: TraceEventInput): void
}

export const NULL_TRACE: IoTraceSink = { enabled: false, emit() {} }

/** The minor column: the information class, FSCTL or IRP_MN_* name */
export function traceMinor(sp: IoStackLocation): string | undefined {
  const p = sp.Parameters
  if (p.QueryFile) return fileInformationClassName(p.QueryFile.FileInformationClass) ?? String(p.QueryFile.FileInformationClass)
  if (p.SetFile) return fileInformationClassName(p.SetFile.FileInformationClass) ?? String(p.SetFile.FileInformationClass)
  if (p.QueryVolume) return fsInformationClassName(p.QueryVolume.FsInformationClass) ?? String(p.QueryVolume.FsInformationClass)
  if (p.SetVolume) return fsInformationClassName(p.SetVolume.FsInformationClass) ?? String(p.SetVolume.FsInformationClass)
  if (p.FileSystemControl && sp.MinorFunction === 0) return fsctlName(p.FileSystemControl.FsControlCode)
  return minorName(sp.MajorFunction, sp.MinorFunction)
}

/**
 * The thread-local slot holding a thread's I/O priority (an IO_PRIORITY_HINT value): a thread in
 * background mode (SetThreadPriority THREAD_MODE_BACKGROUND_BEGIN) issues its I/O at very low
 * priority. Unset means normal.
 */
export const IO_PRIORITY_SLOT = 'IoPriority'

const IO_PRIORITY_NAMES = ['IoPriorityVeryLow', 'IoPriorityLow', 'IoPriorityNormal', 'IoPriorityHigh', 'IoPriorityCritical'] as const
/** how Process Monitor prints them in a read's or write's Detail */
const IO_PRIORITY_TEXT = ['Very Low', 'Low', 'Normal', 'High', 'Critical'] as const

/** IoGetIoPriorityHint of a read or write: the issuing thread's I/O priority, when it is not normal */
function priorityParams(irp: Irp): { IoPriority?: string; Priority?: string } {
  const hint = irp.Thread?.tls.get(IO_PRIORITY_SLOT)
  if (typeof hint !== 'number' || hint === 2 || IO_PRIORITY_NAMES[hint] === undefined) return {}
  return { IoPriority: IO_PRIORITY_NAMES[hint], Priority: IO_PRIORITY_TEXT[hint] }
}

/** The parameters of a stack location by their Windows names */
export function traceParams(irp: Irp, sp: IoStackLocation): Record<string, unknown> {
  const p = sp.Parameters
  if (p.Create) {
    const o = p.Create.Options
    return {
      DesiredAccess: p.Create.SecurityContext.DesiredAccess,
      CreateDisposition: o >>> 24,
      CreateOptions: o & 0xffffff,
      ShareAccess: p.Create.ShareAccess,
      FileAttributes: p.Create.FileAttributes,
      AllocationSize: p.Create.AllocationSize,
      ...(sp.Flags ? { Flags: sp.Flags } : {}),
    }
  }
  if (p.Read) return { ByteOffset: p.Read.ByteOffset, Length: p.Read.Length, ...priorityParams(irp) }
  // SL_WRITE_THROUGH (0x4) on a write: Procmon's "Write Through" I/O flag
  if (p.Write) return sp.Flags & 0x04 ? { ByteOffset: p.Write.ByteOffset, Length: p.Write.Length, WriteThrough: true, ...priorityParams(irp) } : { ByteOffset: p.Write.ByteOffset, Length: p.Write.Length, ...priorityParams(irp) }
  if (p.QueryFile) return { FileInformationClass: p.QueryFile.FileInformationClass, Length: p.QueryFile.Length }
  if (p.SetFile) {
    const r: Record<string, unknown> = { FileInformationClass: p.SetFile.FileInformationClass, Length: p.SetFile.Length }
    if (p.SetFile.ReplaceIfExists) r['ReplaceIfExists'] = true
    if (p.SetFile.AdvanceOnly) r['AdvanceOnly'] = true
    // the structure the caller passed, by its field names (ReplaceIfExists, FileName, DeleteFile, EndOfFile …)
    const name = fileInformationClassName(p.SetFile.FileInformationClass)
    if (irp.SystemBuffer && name && hasFileInformationCodec(name)) {
      try {
        Object.assign(r, decodeFileInformation(name, irp.SystemBuffer))
      } catch {
        // a malformed buffer is the file system's to reject; the trace shows the class and length
      }
    }
    return r
  }
  if (p.QueryDirectory) {
    return { FileInformationClass: p.QueryDirectory.FileInformationClass, FileName: p.QueryDirectory.FileName, Length: p.QueryDirectory.Length, Flags: sp.Flags }
  }
  if (p.NotifyDirectory) return { CompletionFilter: p.NotifyDirectory.CompletionFilter, Length: p.NotifyDirectory.Length, Flags: sp.Flags }
  if (p.QueryVolume) return { FsInformationClass: p.QueryVolume.FsInformationClass, Length: p.QueryVolume.Length }
  if (p.SetVolume) return { FsInformationClass: p.SetVolume.FsInformationClass, Length: p.SetVolume.Length }
  if (p.FileSystemControl) return { FsControlCode: p.FileSystemControl.FsControlCode, InputBufferLength: p.FileSystemControl.InputBufferLength, OutputBufferLength: p.FileSystemControl.OutputBufferLength }
  if (p.LockControl) return { ByteOffset: p.LockControl.ByteOffset, Length: p.LockControl.Length, Key: p.LockControl.Key, Flags: sp.Flags }
  if (p.QueryEa) return { Length: p.QueryEa.Length, EaIndex: p.QueryEa.EaIndex }
  if (p.SetEa) return { Length: p.SetEa.Length }
  return {}
}

export function traceOp(sp: IoStackLocation): string {
  return majorName(sp.MajorFunction)
}

export function traceFlags(irp: Irp, sp: IoStackLocation): string[] {
  return irpFlagNames(irp.Flags, sp.MajorFunction)
}

/** the decoded result of a completed query, for the Detail column (OpenResult, attributes, sizes …) */
export function traceOutput(irp: Irp, sp: IoStackLocation): { output?: { readonly [k: string]: unknown } } {
  const st = irp.IoStatus.Status >>> 0
  if (st >= 0xc0000000) return {}
  const q = sp.Parameters.QueryFile
  if (q && irp.SystemBuffer) {
    const name = fileInformationClassName(q.FileInformationClass)
    if (!name || !hasFileInformationCodec(name)) return {}
    try {
      return { output: decodeFileInformation(name, irp.SystemBuffer.subarray(0, irp.IoStatus.Information)) as unknown as { [k: string]: unknown } }
    } catch {
      return {}
    }
  }
  const v = sp.Parameters.QueryVolume
  if (v && irp.SystemBuffer) {
    // the volume's answer (VolumeSerialNumber, FileSystemName …): Procmon's Detail shows it
    const name = fsInformationClassName(v.FsInformationClass)
    if (!name || !hasFsInformationCodec(name)) return {}
    try {
      return { output: decodeFsInformation(name, irp.SystemBuffer.subarray(0, irp.IoStatus.Information)) as unknown as { [k: string]: unknown } }
    } catch {
      return {}
    }
  }
  const d = sp.Parameters.QueryDirectory
  if (d && irp.UserBuffer) {
    // the names returned, in order (SCENARIOS.md: QueryDirectory output `Entries`); Procmon's Detail lists them
    const name = fileInformationClassName(d.FileInformationClass)
    if (!name || !isDirClass(name)) return {}
    try {
      return { output: { Entries: dirEntryNames(name, irp.UserBuffer.subarray(0, irp.IoStatus.Information)) } }
    } catch {
      return {}
    }
  }
  return {}
}
