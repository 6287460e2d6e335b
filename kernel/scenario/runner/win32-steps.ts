// `win32:` steps: a kernel32-level function called in the step's process and thread, with its
// parameters named without the Hungarian prefix (SCENARIOS.md Conventions). The step reports
// `result` (the return value: true/false for a BOOL, a handle or INVALID_HANDLE_VALUE, an
// HRESULT for CopyFile2), `error` (GetLastError's name) and `status` (RtlGetLastNtStatus), and
// `output` with the structures the function fills (WIN32_FIND_DATAW, the bytes read …).
// Arguments are checked here, each by its name: a bad one fails the step with a message naming it.

import type { Co } from '../../ke/index.ts'
import type { EProcess } from '../../ob/index.ts'
import { closestNames, flagsFromNames, type ConstTable } from '../../nt/flags.ts'
import { ACCESS } from '../../nt/access.ts'
import { FILE_ATTRIBUTE, FILE_DISPOSITION_FLAGS, FILE_RENAME_FLAGS, SHARE_ACCESS } from '../../nt/file.ts'
import { statusName } from '../../nt/status.ts'
import { dosPathToNtPath, PathError } from '../paths.ts'
import { parseSize } from '../units.ts'
import type { Args, ArgValue, Win32Step, SettingValue } from '../types.ts'
import { matchStepExpect } from '../expect.ts'
import * as w32 from '../../win32/index.ts'
import type { RunContext } from './context.ts'
import { StepError } from './values.ts'

export type ApiStepOutcome = { readonly ok: true } | { readonly ok: false; readonly message: string }

// ---------------------------------------------------------------------------------------------
// Reading arguments

/** reads a step's free-form arguments by name, each checked; `checkKnown` refuses names that are not parameters */
export class ArgReader {
  constructor(
    private readonly args: Args,
    readonly known: readonly string[],
  ) {}

  private take(k: string): ArgValue | undefined {
    const v = this.args[k]
    return v === null ? undefined : v
  }

  has(k: string): boolean {
    return this.args[k] !== undefined && this.args[k] !== null
  }

  required(k: string): ArgValue {
    const v = this.take(k)
    if (v === undefined) throw new StepError(`${k}: required`)
    return v
  }

  /** a Win32 path; a name the path conversion refuses is a step error (an empty name is left to the API) */
  path(k: string): string {
    const v = this.required(k)
    if (typeof v !== 'string') throw new StepError(`${k}: expected a path such as 'C:\\dir\\file.txt'`)
    if (v !== '') {
      try {
        dosPathToNtPath(v)
      } catch (e) {
        if (e instanceof PathError) throw new StepError(`${k}: ${e.message}`)
        throw e
      }
    }
    return v
  }

  optPath(k: string): string | undefined {
    return this.has(k) ? this.path(k) : (this.take(k), undefined)
  }

  string(k: string): string {
    const v = this.required(k)
    if (typeof v !== 'string') throw new StepError(`${k}: expected a string`)
    return v
  }

  flags(k: string, table: ConstTable, fallback = 0): number {
    const v = this.take(k)
    if (v === undefined) return fallback
    return flagValue(v, table, k)
  }

  enumValue(k: string, table: ConstTable, fallback?: number): number {
    const v = this.take(k)
    if (v === undefined) {
      if (fallback === undefined) throw new StepError(`${k}: required (one of ${Object.keys(table).join(', ')})`)
      return fallback
    }
    return enumOf(v, table, k)
  }

  /** an integer or a size with a unit (`64KiB`) */
  int(k: string, fallback?: number): number {
    const v = this.take(k)
    if (v === undefined) {
      if (fallback === undefined) throw new StepError(`${k}: required`)
      return fallback
    }
    return intOf(v, k)
  }

  optInt(k: string): number | undefined {
    return this.has(k) ? this.int(k) : (this.take(k), undefined)
  }

  bool(k: string, fallback = false): boolean {
    const v = this.take(k)
    if (v === undefined) return fallback
    if (typeof v !== 'boolean') throw new StepError(`${k}: expected true or false`)
    return v
  }

  /** bytes: a UTF-8 string or { hex: "00ff" } */
  data(k: string): Uint8Array {
    return dataOf(this.required(k), k)
  }

  /** a handle: the `as:` name of an earlier step, or a raw value */
  handle(k: string, ctx: RunContext, process: EProcess): number {
    const v = this.required(k)
    if (typeof v === 'number' || typeof v === 'bigint') return intOf(v, k)
    if (typeof v !== 'string') throw new StepError(`${k}: expected the name of a handle (as: of an earlier step) or a number`)
    const named = ctx.handles.get(v)
    if (!named) throw new StepError(`${k}: the handle '${v}' has not been opened (its step failed or has not run yet)`)
    if (named.process !== process) throw new StepError(`${k}: the handle '${v}' belongs to ${named.process.imageName}, not ${process.imageName} (give the step process: ${named.process.imageName})`)
    return named.value
  }

  object(k: string): { readonly [key: string]: ArgValue } | undefined {
    const v = this.take(k)
    if (v === undefined) return undefined
    if (typeof v !== 'object' || v instanceof Uint8Array || Array.isArray(v)) throw new StepError(`${k}: expected a mapping`)
    return v as { readonly [key: string]: ArgValue }
  }

  raw(k: string): ArgValue | undefined {
    return this.take(k)
  }

  /** fails on an argument that is not one of the parameters (before anything runs) */
  checkKnown(): void {
    for (const k of Object.keys(this.args)) {
      if (this.known.includes(k)) continue
      const near = closestNames(this.known, k)
      throw new StepError(`${k}: unknown argument${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}; the parameters are ${this.known.join(', ') || 'none'}`)
    }
  }
}

export function intOf(v: ArgValue, k: string): number {
  if (typeof v === 'number') return v
  if (typeof v === 'bigint') {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new StepError(`${k}: ${v} is beyond what this argument can hold`)
    return Number(v)
  }
  if (typeof v === 'string') {
    const s = parseSize(v)
    if (typeof s === 'string') throw new StepError(`${k}: ${s}`)
    return Number(s)
  }
  throw new StepError(`${k}: expected a number`)
}

export function flagValue(v: ArgValue, table: ConstTable, k: string): number {
  let input: readonly (string | number)[] | number | string
  if (typeof v === 'number' || typeof v === 'string') input = v
  else if (typeof v === 'bigint') input = Number(v)
  else if (Array.isArray(v)) {
    input = (v as readonly ArgValue[]).map((x) => {
      if (typeof x === 'string' || typeof x === 'number') return x
      if (typeof x === 'bigint') return Number(x)
      throw new StepError(`${k}: expected flag names or numbers`)
    })
  } else throw new StepError(`${k}: expected a flag name, a list of them, or a number`)
  try {
    return flagsFromNames(table, input, k)
  } catch (e) {
    if (e instanceof StepError) throw e
    throw new StepError((e as Error).message)
  }
}

export function enumOf(v: ArgValue, table: ConstTable, k: string): number {
  if (typeof v === 'number') return v
  if (typeof v === 'bigint') return Number(v)
  if (typeof v === 'string' && Object.prototype.hasOwnProperty.call(table, v)) return table[v]!
  throw new StepError(`${k}: expected one of ${Object.keys(table).join(', ')}, found ${typeof v === 'string' ? `'${v}'` : String(v)}`)
}

export function dataOf(v: ArgValue, k: string): Uint8Array {
  if (v instanceof Uint8Array) return v
  if (typeof v === 'string') return new TextEncoder().encode(v)
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { hex?: unknown }).hex === 'string') {
    const clean = ((v as { hex: string }).hex).replace(/[\s:-]/g, '')
    if (!/^([0-9a-f]{2})*$/i.test(clean)) throw new StepError(`${k}.hex: not an even number of hexadecimal digits`)
    const out = new Uint8Array(clean.length / 2)
    for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16)
    return out
  }
  throw new StepError(`${k}: expected a string (UTF-8) or { hex: "00ff…" }`)
}

// ---------------------------------------------------------------------------------------------
// Settings (parsed once per scenario)

const settingsCache = new WeakMap<object, w32.Win32Settings>()

export function settingsOf(given: { readonly [key: string]: SettingValue }): w32.Win32Settings {
  let s = settingsCache.get(given)
  if (!s) {
    s = w32.win32Settings(given)
    settingsCache.set(given, s)
  }
  return s
}

// ---------------------------------------------------------------------------------------------
// The functions

interface CallResult {
  readonly result: unknown
  readonly output?: { readonly [key: string]: unknown }
  /** the handle `as:` names */
  readonly handle?: number
}

type Win32Fn = (r: ArgReader, env: w32.Win32Env, ctx: RunContext, process: EProcess) => Co<CallResult>

interface FnSpec {
  readonly params: readonly string[]
  readonly run: Win32Fn
}

const ACCESS_TABLE: ConstTable = ACCESS
const INVALID = 'INVALID_HANDLE_VALUE'

function findData(e: w32.FindEntry): { [k: string]: unknown } {
  return { ...e }
}

/** FILE_INFO_BY_HANDLE_CLASS structures from the scenario: flag fields by name, sizes with units */
function fileInformation(o: { readonly [key: string]: ArgValue } | undefined, cls: number): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(o ?? {})) {
    const what = `FileInformation.${k}`
    if (k === 'FileAttributes') out[k] = flagValue(v, FILE_ATTRIBUTE, what)
    else if (k === 'Flags') out[k] = flagValue(v, cls === w32.FILE_INFO_BY_HANDLE_CLASS.FileDispositionInfoEx ? FILE_DISPOSITION_FLAGS : FILE_RENAME_FLAGS, what)
    else if (k === 'FileName') {
      if (typeof v !== 'string') throw new StepError(`${what}: expected a string`)
      out[k] = v
    } else if (typeof v === 'boolean') out[k] = v
    else out[k] = intOf(v, what)
  }
  return out
}

/** a progress routine from the scenario: record every call; answer `Action` once `AfterBytes` are copied */
function progressPlan(v: ArgValue | undefined, actions: ConstTable, what: string): { record: boolean; action: number; afterBytes: number } | undefined {
  if (v === undefined || v === false) return undefined
  if (v === true) return { record: true, action: 0, afterBytes: Infinity }
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) throw new StepError(`${what}: expected true or { Action, AfterBytes }`)
  const o = v as { readonly [k: string]: ArgValue }
  for (const k of Object.keys(o)) if (k !== 'Action' && k !== 'AfterBytes') throw new StepError(`${what}.${k}: unknown field (Action, AfterBytes)`)
  return {
    record: true,
    action: o['Action'] === undefined ? 0 : enumOf(o['Action'], actions, `${what}.Action`),
    afterBytes: o['AfterBytes'] === undefined ? 0 : intOf(o['AfterBytes'], `${what}.AfterBytes`),
  }
}

/** *pbCancel from the scenario: true (set before the call) or { AfterBytes } (set once that much is copied) */
function cancelPlan(v: ArgValue | undefined, what: string): number | undefined {
  if (v === undefined || v === false) return undefined
  if (v === true) return 0
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)) {
    const o = v as { readonly [k: string]: ArgValue }
    for (const k of Object.keys(o)) if (k !== 'AfterBytes') throw new StepError(`${what}.${k}: unknown field (AfterBytes)`)
    return intOf(o['AfterBytes'] ?? 0, `${what}.AfterBytes`)
  }
  throw new StepError(`${what}: expected true or { AfterBytes }`)
}

const FUNCTIONS: { readonly [name: string]: FnSpec } = {
  CreateFileW: {
    params: ['FileName', 'DesiredAccess', 'ShareMode', 'SecurityAttributes', 'CreationDisposition', 'FlagsAndAttributes', 'TemplateFile'],
    *run(r, env, ctx, process) {
      r.raw('SecurityAttributes')
      const c = yield* w32.CreateFileW(env, {
        FileName: r.path('FileName'),
        DesiredAccess: r.flags('DesiredAccess', ACCESS_TABLE),
        ShareMode: r.flags('ShareMode', SHARE_ACCESS),
        CreationDisposition: r.enumValue('CreationDisposition', w32.CREATION_DISPOSITION),
        FlagsAndAttributes: r.flags('FlagsAndAttributes', { ...w32.FLAGS_AND_ATTRIBUTES, SECURITY_SQOS_PRESENT: w32.SECURITY_SQOS_PRESENT }),
        TemplateFile: r.has('TemplateFile') ? r.handle('TemplateFile', ctx, process) : (r.raw('TemplateFile'), undefined),
      })
      return c.handle === w32.INVALID_HANDLE_VALUE ? { result: INVALID } : { result: c.handle, handle: c.handle }
    },
  },
  CloseHandle: {
    params: ['Object'],
    *run(r, env, ctx, process) {
      return { result: yield* w32.CloseHandle(env, r.handle('Object', ctx, process)) }
    },
  },
  ReadFile: {
    params: ['File', 'NumberOfBytesToRead', 'Offset'],
    *run(r, env, ctx, process) {
      const x = yield* w32.ReadFile(env, { File: r.handle('File', ctx, process), NumberOfBytesToRead: r.int('NumberOfBytesToRead'), Offset: r.optInt('Offset') })
      return { result: x.ok, output: { Data: x.data, NumberOfBytesRead: x.data.length } }
    },
  },
  WriteFile: {
    params: ['File', 'Buffer', 'NumberOfBytesToWrite', 'Offset'],
    *run(r, env, ctx, process) {
      const file = r.handle('File', ctx, process)
      let data = r.data('Buffer')
      const n = r.optInt('NumberOfBytesToWrite')
      if (n !== undefined) data = data.subarray(0, n)
      const x = yield* w32.WriteFile(env, { File: file, Buffer: data, Offset: r.optInt('Offset') })
      return { result: x.ok, output: { NumberOfBytesWritten: x.written } }
    },
  },
  SetFilePointerEx: {
    params: ['File', 'DistanceToMove', 'MoveMethod'],
    *run(r, env, ctx, process) {
      const x = yield* w32.SetFilePointerEx(env, { File: r.handle('File', ctx, process), DistanceToMove: r.int('DistanceToMove'), MoveMethod: r.enumValue('MoveMethod', w32.MOVE_METHOD, 0) })
      return { result: x.ok, output: { NewFilePointer: x.position } }
    },
  },
  SetEndOfFile: {
    params: ['File'],
    *run(r, env, ctx, process) {
      return { result: yield* w32.SetEndOfFile(env, r.handle('File', ctx, process)) }
    },
  },
  FlushFileBuffers: {
    params: ['File'],
    *run(r, env, ctx, process) {
      return { result: yield* w32.FlushFileBuffers(env, r.handle('File', ctx, process)) }
    },
  },
  GetFileSizeEx: {
    params: ['File'],
    *run(r, env, ctx, process) {
      const x = yield* w32.GetFileSizeEx(env, r.handle('File', ctx, process))
      return { result: x.ok, output: { FileSize: x.size } }
    },
  },
  SetFileInformationByHandle: {
    params: ['File', 'FileInformationClass', 'FileInformation', 'BufferSize'],
    *run(r, env, ctx, process) {
      const file = r.handle('File', ctx, process)
      const cls = r.enumValue('FileInformationClass', w32.FILE_INFO_BY_HANDLE_CLASS)
      r.raw('BufferSize')
      return { result: yield* w32.SetFileInformationByHandle(env, { File: file, FileInformationClass: cls, FileInformation: fileInformation(r.object('FileInformation'), cls) }) }
    },
  },
  GetFileAttributesW: {
    params: ['FileName'],
    *run(r, env) {
      const a = yield* w32.GetFileAttributesW(env, r.path('FileName'))
      return a === w32.INVALID_FILE_ATTRIBUTES ? { result: 'INVALID_FILE_ATTRIBUTES' } : { result: a, output: { FileAttributes: a } }
    },
  },
  GetFileAttributesExW: {
    params: ['FileName', 'InfoLevelId'],
    *run(r, env) {
      const name = r.path('FileName')
      const x = yield* w32.GetFileAttributesExW(env, name, r.enumValue('InfoLevelId', w32.GET_FILEEX_INFO_LEVELS, 0))
      return x ? { result: true, output: { ...x } } : { result: false }
    },
  },
  SetFileAttributesW: {
    params: ['FileName', 'FileAttributes'],
    *run(r, env) {
      return { result: yield* w32.SetFileAttributesW(env, r.path('FileName'), r.flags('FileAttributes', FILE_ATTRIBUTE)) }
    },
  },
  FindFirstFileW: {
    params: ['FileName'],
    *run(r, env) {
      const f = yield* w32.FindFirstFileW(env, r.path('FileName'))
      return f.data ? { result: f.handle, handle: f.handle, output: findData(f.data) } : { result: INVALID }
    },
  },
  FindFirstFileExW: {
    params: ['FileName', 'InfoLevelId', 'SearchOp', 'AdditionalFlags'],
    *run(r, env) {
      const f = yield* w32.FindFirstFileExW(env, {
        FileName: r.path('FileName'),
        InfoLevelId: r.enumValue('InfoLevelId', w32.FINDEX_INFO_LEVELS, 0),
        SearchOp: r.enumValue('SearchOp', w32.FINDEX_SEARCH_OPS, 0),
        AdditionalFlags: r.flags('AdditionalFlags', w32.FIND_FIRST_EX),
      })
      return f.data ? { result: f.handle, handle: f.handle, output: findData(f.data) } : { result: INVALID }
    },
  },
  FindNextFileW: {
    params: ['FindFile'],
    *run(r, env, ctx, process) {
      const e = yield* w32.FindNextFileW(env, r.handle('FindFile', ctx, process))
      return e ? { result: true, output: findData(e) } : { result: false }
    },
  },
  FindClose: {
    params: ['FindFile'],
    *run(r, env, ctx, process) {
      return { result: yield* w32.FindClose(env, r.handle('FindFile', ctx, process)) }
    },
  },
  CreateDirectoryW: {
    params: ['PathName', 'SecurityAttributes'],
    *run(r, env) {
      r.raw('SecurityAttributes')
      return { result: yield* w32.CreateDirectoryW(env, r.path('PathName')) }
    },
  },
  RemoveDirectoryW: {
    params: ['PathName'],
    *run(r, env) {
      return { result: yield* w32.RemoveDirectoryW(env, r.path('PathName')) }
    },
  },
  DeleteFileW: {
    params: ['FileName'],
    *run(r, env) {
      return { result: yield* w32.DeleteFileW(env, r.path('FileName')) }
    },
  },
  MoveFileW: {
    params: ['ExistingFileName', 'NewFileName'],
    *run(r, env) {
      return { result: yield* w32.MoveFileW(env, r.path('ExistingFileName'), r.path('NewFileName')) }
    },
  },
  MoveFileExW: {
    params: ['ExistingFileName', 'NewFileName', 'Flags'],
    *run(r, env) {
      return { result: yield* w32.MoveFileExW(env, r.path('ExistingFileName'), r.path('NewFileName'), r.flags('Flags', w32.MOVEFILE)) }
    },
  },
  MoveFileWithProgressW: {
    params: ['ExistingFileName', 'NewFileName', 'ProgressRoutine', 'Data', 'Flags'],
    *run(r, env) {
      const from = r.path('ExistingFileName')
      const to = r.path('NewFileName')
      r.raw('Data')
      const plan = progressPlan(r.raw('ProgressRoutine'), w32.PROGRESS, 'ProgressRoutine')
      const calls: w32.ProgressRoutineCall[] = []
      const ok = yield* w32.MoveFileWithProgressW(env, { ExistingFileName: from, NewFileName: to, Flags: r.flags('Flags', w32.MOVEFILE), ProgressRoutine: plan ? routine(plan, calls) : undefined })
      return { result: ok, ...(plan ? { output: { Progress: calls } } : {}) }
    },
  },
  CopyFileW: {
    params: ['ExistingFileName', 'NewFileName', 'FailIfExists'],
    *run(r, env) {
      return { result: yield* w32.CopyFileW(env, r.path('ExistingFileName'), r.path('NewFileName'), r.bool('FailIfExists')) }
    },
  },
  CopyFileExW: {
    params: ['ExistingFileName', 'NewFileName', 'ProgressRoutine', 'Data', 'Cancel', 'CopyFlags'],
    *run(r, env) {
      const from = r.path('ExistingFileName')
      const to = r.path('NewFileName')
      r.raw('Data')
      const plan = progressPlan(r.raw('ProgressRoutine'), w32.PROGRESS, 'ProgressRoutine')
      const cancelAt = cancelPlan(r.raw('Cancel'), 'Cancel')
      const calls: w32.ProgressRoutineCall[] = []
      let copied = 0
      const inner = plan ? routine(plan, calls) : undefined
      const x = yield* w32.CopyFileExW(env, from, to, {
        CopyFlags: r.flags('CopyFlags', w32.COPY_FILE),
        // the routine also tracks the bytes copied, so that a cancel after N bytes can be set
        ProgressRoutine: (c) => {
          copied = c.TotalBytesTransferred
          return inner ? inner(c) : w32.PROGRESS.PROGRESS_CONTINUE
        },
        Cancel: cancelAt === undefined ? undefined : () => copied >= cancelAt,
      })
      return { result: x.ok, output: { ...(plan ? { Progress: calls } : {}), BytesCopied: x.outcome.bytesCopied } }
    },
  },
  CopyFile2: {
    params: ['ExistingFileName', 'NewFileName', 'ExtendedParameters'],
    *run(r, env) {
      const from = r.path('ExistingFileName')
      const to = r.path('NewFileName')
      const ext = new ArgReader(r.object('ExtendedParameters') ?? {}, ['CopyFlags', 'Cancel', 'ProgressRoutine', 'CallbackContext'])
      let flags: number
      let plan: ReturnType<typeof progressPlan>
      let cancelAt: number | undefined
      try {
        ext.checkKnown()
        flags = ext.flags('CopyFlags', w32.COPY_FILE)
        plan = progressPlan(ext.raw('ProgressRoutine'), w32.COPYFILE2_MESSAGE_ACTION, 'ProgressRoutine')
        cancelAt = cancelPlan(ext.raw('Cancel'), 'Cancel')
        ext.raw('CallbackContext')
      } catch (e) {
        if (e instanceof StepError) throw new StepError(`ExtendedParameters.${e.message}`)
        throw e
      }
      const messages: w32.CopyMessage[] = []
      let copied = 0
      let answered = false
      const x = yield* w32.CopyFile2(env, from, to, {
        CopyFlags: flags,
        ProgressRoutine: (m) => {
          copied = m.TotalBytesTransferred
          if (!plan) return 0
          messages.push(m)
          if (!answered && m.Type === 'COPYFILE2_CALLBACK_CHUNK_FINISHED' && m.TotalBytesTransferred >= plan.afterBytes) {
            answered = true
            return plan.action as w32.CopyAction
          }
          return 0
        },
        Cancel: cancelAt === undefined ? undefined : () => copied >= cancelAt,
      })
      return { result: x.hresult, output: { ...(plan ? { Progress: messages } : {}), BytesCopied: x.outcome.bytesCopied } }
    },
  },
  GetLastError: {
    params: [],
    *run(_r, env) {
      return { result: w32.GetLastError(w32.currentThread(env)) }
    },
  },
}

/** an LPPROGRESS_ROUTINE that records its calls and answers the plan's action once */
function routine(plan: { action: number; afterBytes: number }, calls: w32.ProgressRoutineCall[]): (c: w32.ProgressRoutineCall) => number {
  let answered = false
  return (c) => {
    calls.push(c)
    if (!answered && c.CallbackReason === 'CALLBACK_CHUNK_FINISHED' && c.TotalBytesTransferred >= plan.afterBytes) {
      answered = true
      return plan.action
    }
    return w32.PROGRESS.PROGRESS_CONTINUE
  }
}

/** the function a step names: `CreateFile` and `CreateFileW` are the same */
export function win32Function(name: string): string | undefined {
  if (FUNCTIONS[name]) return name
  if (FUNCTIONS[`${name}W`]) return `${name}W`
  return undefined
}

export const WIN32_FUNCTIONS: readonly string[] = Object.keys(FUNCTIONS)

/** runs a `win32:` step in the step's thread and checks its expectations */
export function* runWin32Step(ctx: RunContext, step: Win32Step, process: EProcess, settings: { readonly [key: string]: SettingValue }): Co<ApiStepOutcome> {
  const name = win32Function(step.function)
  if (!name) {
    const near = WIN32_FUNCTIONS.filter((f) => f.toLowerCase().startsWith(step.function.toLowerCase().slice(0, 5)))
    return { ok: false, message: `${step.function} is not an available Win32 function${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}; available: ${WIN32_FUNCTIONS.join(', ')}` }
  }
  const spec = FUNCTIONS[name]!
  let env: w32.Win32Env
  try {
    env = w32.win32Env(ctx.machine.io, settingsOf(settings))
  } catch (e) {
    if (e instanceof w32.Win32SettingError) return { ok: false, message: e.message }
    throw e
  }
  const reader = new ArgReader(step.args, spec.params)
  let out: CallResult
  try {
    reader.checkKnown()
    out = yield* spec.run(reader, env, ctx, process)
  } catch (e) {
    if (e instanceof StepError) return { ok: false, message: `${step.function}: ${e.message}` }
    throw e
  }
  ctx.name(step.as, process, out.handle)
  const thread = ctx.machine.ke.currentThread
  const code = w32.GetLastError(thread)
  const status = w32.RtlGetLastNtStatus(thread)
  const m = matchStepExpect(step.expect, { result: out.result, error: w32.errorName(code), errorCode: code, status, output: out.output })
  if (m.ok) return { ok: true }
  return { ok: false, message: `${step.function} (result ${String(out.result)}, ${w32.errorName(code)}, ${statusName(status)}): ${m.mismatches.join('; ')}` }
}
