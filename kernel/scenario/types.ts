// The validated scenario: what parseScenario returns and a runner executes. Everything here has
// been checked against the contract (shared/SCENARIOS.md §2) and normalised:
//
// - flag lists and flag numbers → one 32-bit number (ACCESS_MASK, CreateOptions, …)
// - enumeration names → their numbers (CreateDisposition, FileInformationClass, FSCTL codes)
// - integers → Int64: a number when exact (|v| < 2^53), else a bigint; never rounded
// - sizes with units (`64MiB`) → byte counts; durations (`5s`) → 100-ns ticks
// - Win32 paths → `PathArg` with the NT path RtlDosPathNameToNtPathName_U would produce
// - `Data` strings (UTF-8) and `{ hex }` → bytes
// - handle references (`as:` names) → their names, checked to be defined by an earlier step
//
// Step arguments are kept per service as `Record<string, ArgValue>` keyed by the service's own
// parameter names; `kernel/scenario/services.ts` lists every service with the type of each
// parameter, so a runner reads `args.CreateDisposition as number` knowing it was validated.

import type { Int64 } from './units.ts'

/** A Win32 or NT path from the file and the NT path it stands for. */
export interface PathArg {
  readonly kind: 'path'
  /** as written in the scenario */
  readonly input: string
  /**
   * the NT path (`\??\C:\a.txt`); for a bare rename target (`new.txt`) or a name relative to a
   * RootDirectory handle, the name itself
   */
  readonly nt: string
}

/** A handle argument: the `as:` name of an earlier step, or a raw handle value. */
export interface HandleArg {
  readonly kind: 'handle'
  /** the `as:` name, or undefined for a raw value */
  readonly name: string | undefined
  /** a raw handle value given as a number (to test invalid handles) */
  readonly value: number | undefined
  /** for a name: the process of the step that defined it (handles belong to a process) */
  readonly owner: string | undefined
  /** for a name: the index of the step that defined it */
  readonly definedAt: number | undefined
}

/** A view address for NtReadVirtualMemory/NtWriteVirtualMemory/NtUnmapViewOfSection: `view` or `view+4096`. */
export interface ViewAddressArg {
  readonly kind: 'view'
  readonly name: string
  readonly offset: Int64
}

/** A validated argument value. */
export type ArgValue =
  | Int64
  | string
  | boolean
  | null
  | Uint8Array
  | PathArg
  | HandleArg
  | ViewAddressArg
  | readonly ArgValue[]
  | { readonly [key: string]: ArgValue }

export type Args = { readonly [name: string]: ArgValue }

/** Where a step came from, for messages (`scenario.yaml:12:5`). */
export interface StepSource {
  readonly file: string
  readonly line: number
  readonly col: number
  /** index in `steps` (0-based) */
  readonly index: number
}

/** What a step expects of its result. Absent fields are not compared. */
export interface StepExpect {
  /** NTSTATUS as a number (names are resolved) */
  readonly status?: number
  /** IoStatus.Information (create results resolved to numbers) */
  readonly information?: Int64
  /** fields of the returned structure, as written (compared by matchStepExpect) */
  readonly output?: { readonly [key: string]: unknown }
  /** win32 steps: the function's return value, as written */
  readonly result?: unknown
  /** win32 steps: the Win32 error name (`ERROR_FILE_EXISTS`) or number */
  readonly error?: string | number
}

interface StepCommon {
  readonly source: StepSource
  /** the process that runs the step (default explorer.exe) */
  readonly process: string
  /** the thread within the process (default main); different threads run concurrently */
  readonly thread: string
  /** `thread:` was written: the step joins a concurrent block (see kernel/scenario/runner/schedule.ts) */
  readonly threadExplicit: boolean
  /**
   * `process:` was written. A step that does not name its process and uses a handle runs in the
   * process that opened the handle (handles belong to a process).
   */
  readonly processExplicit: boolean
  /** names the handle, section or view the step returns */
  readonly as: string | undefined
  readonly expect: StepExpect | undefined
}

export interface CallStep extends StepCommon {
  readonly kind: 'call'
  /** the NT service (`NtCreateFile`) */
  readonly service: string
  readonly args: Args
}
export interface Win32Step extends StepCommon {
  readonly kind: 'win32'
  /** the kernel32-level function (`CopyFile2`; `CreateFile` and `CreateFileW` both accepted) */
  readonly function: string
  /** parameters named without their Hungarian prefix; integers normalised, paths as strings */
  readonly args: Args
}
export interface ShellStep extends StepCommon {
  readonly kind: 'shell'
  readonly operation: ShellOperation
  readonly args: Args
}
export interface AppStep extends StepCommon {
  readonly kind: 'app'
  /** the process profile (`notepad.exe`); also the step's process */
  readonly app: string
  readonly action: string
  readonly args: Args
}
export interface WaitStep extends StepCommon {
  readonly kind: 'wait'
  /** how long to advance virtual time, in 100-ns ticks */
  readonly ticks: bigint
}
export interface PowerStep extends StepCommon {
  readonly kind: 'power'
  /** `off`: the plug is pulled; dirty cached data is lost and the volume remounts */
  readonly state: 'off'
}
/** fltmc's commands as scenario steps (`fltmc: attach` with `args: { filter, volume }`) */
export const FLTMC_COMMANDS = ['filters', 'instances', 'load', 'unload', 'attach', 'detach'] as const
export type FltmcCommandName = (typeof FLTMC_COMMANDS)[number]
export interface FltmcStep extends StepCommon {
  readonly kind: 'fltmc'
  readonly command: FltmcCommandName
  /** `filter`, `altitude`, `volume`, `instance`, `parameters` (load: `module` relative to the scenario) */
  readonly args: Args
}

export type Step = CallStep | Win32Step | ShellStep | AppStep | WaitStep | PowerStep | FltmcStep

export const SHELL_OPERATIONS = [
  'copy', 'move', 'rename', 'delete', 'recycle', 'newFolder', 'newTextDocument', 'drop', 'undo',
] as const
export type ShellOperation = (typeof SHELL_OPERATIONS)[number]

/** FILETIME values of a file (100-ns units since 1601); absent ones are left to the file system. */
export interface FileTimes {
  readonly CreationTime?: Int64
  readonly LastAccessTime?: Int64
  readonly LastWriteTime?: Int64
  readonly ChangeTime?: Int64
}

/** A named data stream of a file (`a.txt:stream`). */
export interface StreamSpec {
  readonly name: string
  /** content bytes, or undefined when only `size` was given */
  readonly content: Uint8Array | undefined
  /** size for deterministic pattern content when no content was given */
  readonly size: Int64 | undefined
}

/** The reparse point of a file or directory made before the run. */
export interface ReparseSpec {
  readonly ReparseTag: number
  readonly SubstituteName?: string
  readonly PrintName?: string
  readonly Flags?: number
  readonly Data?: Uint8Array
  readonly ReparseGuid?: string
}

/** A file or directory created on the volume before the run (outside the trace). */
export interface VolumeFile {
  /** the Win32 path as written */
  readonly path: string
  /** its NT path */
  readonly ntPath: string
  readonly directory: boolean
  /** content bytes; undefined for directories and for `size:` files */
  readonly content: Uint8Array | undefined
  /** size of deterministic pattern content when `size:` was given */
  readonly size: Int64 | undefined
  readonly streams: readonly StreamSpec[]
  /** FILE_ATTRIBUTE_* bits, or undefined for the file system's default */
  readonly attributes: number | undefined
  readonly times: FileTimes
  readonly reparse: ReparseSpec | undefined
}

export interface VolumeSpec {
  /** size in bytes of a fresh volume (default 64 MiB); undefined when `image` is used */
  readonly size: bigint | undefined
  /** an existing image file to mount (copied unless `persist`) */
  readonly image: string | undefined
  readonly persist: boolean
  /** volume label of a fresh volume */
  readonly label: string | undefined
  readonly files: readonly VolumeFile[]
}

export interface FilterSpec {
  /** a built-in filter's name, or undefined for a module */
  readonly name: string | undefined
  /** a user's filter module path, as written */
  readonly module: string | undefined
  /** the altitude as written (`370000`, `385201.5`): Filter Manager altitudes are decimal strings */
  readonly altitude: string
  /** every other key of the entry, for the filter itself (integers normalised) */
  readonly options: { readonly [key: string]: ArgValue }
}

/** What the volume must look like after the run. */
export interface FileExpectation {
  readonly source: StepSource
  readonly path: string
  readonly ntPath: string
  readonly exists: boolean
  readonly content: Uint8Array | undefined
  readonly size: Int64 | undefined
  readonly directory: boolean | undefined
  /** FILE_ATTRIBUTE_* bits that must be exactly the file's attributes (compared as a set) */
  readonly attributes: number | undefined
  readonly streams: readonly StreamSpec[] | undefined
}

/**
 * A partial trace event: every key given must match (see kernel/trace/match.ts): scalars by
 * equality, `flags` as a subset, `params` as a recursive subset, `path` case-insensitively,
 * `status` by name.
 */
export interface TraceMatcher {
  readonly source: StepSource
  readonly fields: { readonly [key: string]: unknown }
}

/** `expect: { bugcheck: { code: UNEXPECTED_KERNEL_MODE_TRAP } }`: the run must stop with this bug check */
export interface BugcheckExpectation {
  readonly source: StepSource
  /** the bug check code (bugcodes.h) */
  readonly code: number
}

export interface ScenarioExpect {
  readonly files: readonly FileExpectation[]
  readonly trace: readonly TraceMatcher[]
  readonly bugcheck?: BugcheckExpectation
}

export type SettingValue = number | bigint | string | boolean

export interface Scenario {
  /** the file it was read from (as given to parseScenario) */
  readonly file: string
  readonly name: string
  readonly description: string | undefined
  readonly seed: Int64
  readonly volume: VolumeSpec
  /** third-party processes (Defender, the indexer) react to new files */
  readonly background: boolean
  readonly filters: readonly FilterSpec[]
  readonly steps: readonly Step[]
  readonly expect: ScenarioExpect
  /** tunables by name (lazy-writer timings …), type-checked only */
  readonly settings: { readonly [key: string]: SettingValue }
}
