// The trace event: one per boundary crossing of an operation (each filter instance's pre and
// post, the file system's dispatch and completion, fast-I/O attempts, FsFilter callbacks,
// paging I/O). The keys are the contract of shared/SCENARIOS.md §3; the exports (JSON Lines,
// CSV, XML) and the scenario `expect.trace` matchers use them by these names.

/** Where an event was seen. */
export type TracePhase = 'pre' | 'post' | 'dispatch' | 'complete'

export interface TraceEvent {
  /** 1, 2, 3 … in emission order */
  readonly seq: number
  /** virtual time of the event, in 100-ns units since the machine started */
  readonly time: number
  /** image name of the process that issued the operation (`System` for lazy writer, read-ahead, page writers) */
  readonly process: string
  readonly pid: number
  readonly tid: number
  /**
   * The operation: an IRP major (`IRP_MJ_CREATE` …), a Filter Manager pseudo-major
   * (`IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION`, `IRP_MJ_NETWORK_QUERY_OPEN` …) or a fast-I/O
   * operation (`FASTIO_READ` …).
   */
  readonly op: string
  /**
   * The minor function or sub-class where there is one: `IRP_MN_QUERY_DIRECTORY`, an
   * information class (`FileRenameInformation`), an FS information class, an FSCTL/IOCTL name
   * (`FSCTL_SET_REPARSE_POINT`).
   */
  readonly minor?: string
  /** Process Monitor's name for the operation (`CreateFile`, `CloseFile`, `SetRenameInformationFile` …) */
  readonly procmon: string
  /** the file's name as opened, Win32 form (`C:\dir\a.txt`) */
  readonly path: string
  /** where it was seen: `fs` (the file system), `io` (the I/O manager) or `<filter>@<altitude>` */
  readonly at: string
  readonly phase: TracePhase
  /** IRP flags by name (`IRP_NOCACHE`, `IRP_PAGING_IO`, `IRP_SYNCHRONOUS_PAGING_IO` …) */
  readonly flags: readonly string[]
  /** NTSTATUS name on post/complete (`STATUS_SUCCESS` …); absent on pre/dispatch */
  readonly status?: string
  /**
   * IoStatus.Information on post/complete. A number when exact; values above 2^53 are kept as
   * decimal strings so that JSON stays exact.
   */
  readonly information?: number | string
  /** a stable id of the FILE_OBJECT (`FO1` …) */
  readonly fileObject?: string
  /** a stable id of the IRP or callback data, shared by all events of one operation */
  readonly irp?: string
  /** the operation's parameters by their Windows names (`ByteOffset`, `Length`, `DesiredAccess` …) */
  readonly params: { readonly [name: string]: unknown }
  /**
   * On post/complete: the returned structure's fields by their Windows names
   * (QueryStandardInformation: AllocationSize, EndOfFile …; QueryDirectory: Entries), when the
   * emitter records them. Process Monitor's Detail for queries is made from these.
   */
  readonly output?: { readonly [name: string]: unknown }
  /** Process Monitor's Detail text for the event */
  readonly detail: string
  /** nesting depth: 0 for an operation a thread issued, 1+ for I/O issued while handling another */
  readonly depth?: number
  /** on post/complete: virtual time since the matching pre/dispatch, in 100-ns units */
  readonly durationTicks?: number
  /** the FILE_OBJECT's lifecycle state after the event (`open`, `cleaned-up`, `closed` …) */
  readonly fileObjectState?: string
  /** IRP_MJ_FILE_SYSTEM_CONTROL/DEVICE_CONTROL: the control code as a number */
  readonly controlCode?: number
}

/** The keys a trace event may have (for validating `expect.trace` matchers). */
export const TRACE_EVENT_KEYS = [
  'seq', 'time', 'process', 'pid', 'tid', 'op', 'minor', 'procmon', 'path', 'at', 'phase', 'flags',
  'status', 'information', 'fileObject', 'irp', 'params', 'output', 'detail', 'depth', 'durationTicks',
  'fileObjectState', 'controlCode',
] as const
export type TraceEventKey = (typeof TRACE_EVENT_KEYS)[number]

export const TRACE_PHASES: readonly TracePhase[] = ['pre', 'post', 'dispatch', 'complete']

/** What an emitter supplies; the recorder assigns `seq` and fills `procmon` and `detail`. */
export type TraceEventInput = Omit<TraceEvent, 'seq' | 'procmon' | 'detail' | 'params' | 'flags'> & {
  readonly procmon?: string
  readonly detail?: string
  readonly params?: { readonly [name: string]: unknown }
  readonly flags?: readonly string[]
}
