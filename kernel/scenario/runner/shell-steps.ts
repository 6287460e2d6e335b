// `shell:` steps: what Explorer does for a user's action, in the step's process (explorer.exe by
// default). Arguments:
//   copy, move:        { from: path or [paths], to: folder, conflict?: replace | skip | keepBoth }
//   rename:            { path, newName, conflict? }
//   delete, recycle:   { from: path or [paths] }            (delete is Shift+Delete: permanent)
//   newFolder, newTextDocument: { in: folder, name?: the name the user types, conflict? }
//   drop:              { from, to, keys?: [ctrl, shift, alt], conflict? }
//   undo:              {}
// The step reports `result` (true when the operation completed), `error`/`status` of the call
// that stopped it, and `output`: Targets (what was made or reached), Skipped, Info (the `$I`
// files of a recycle), Effect (of a drop), Undone (the operation an undo reversed). A step with
// no `expect` fails when the operation fails, as Explorer would show an error.

import type { Co } from '../../ke/index.ts'
import type { EProcess } from '../../ob/index.ts'
import { statusName } from '../../nt/status.ts'
import type { ArgValue, SettingValue, ShellStep } from '../types.ts'
import { matchStepExpect } from '../expect.ts'
import * as w32 from '../../win32/index.ts'
import * as shell from '../../win32/shell/index.ts'
import type { RunContext } from './context.ts'
import { ArgReader, settingsOf, type ApiStepOutcome } from './win32-steps.ts'
import { StepError } from './values.ts'

const CONFLICTS: readonly shell.ConflictChoice[] = ['replace', 'skip', 'keepBoth']
const KEYS: readonly shell.DropKey[] = ['ctrl', 'shift', 'alt']

function pathList(r: ArgReader, k: string): string[] {
  const v = r.raw(k)
  if (v === undefined) throw new StepError(`${k}: required (a path or a list of paths)`)
  const items: readonly ArgValue[] = Array.isArray(v) ? (v as readonly ArgValue[]) : [v]
  if (items.length === 0) throw new StepError(`${k}: the list is empty`)
  return items.map((x, i) => {
    const one = new ArgReader({ [`${k}[${i}]`]: x }, [`${k}[${i}]`])
    return one.path(`${k}[${i}]`)
  })
}

function conflictOf(r: ArgReader): shell.ConflictChoice | undefined {
  const v = r.raw('conflict')
  if (v === undefined) return undefined
  if (typeof v !== 'string' || !(CONFLICTS as readonly string[]).includes(v)) throw new StepError(`conflict: expected replace, skip or keepBoth, found ${JSON.stringify(v)}`)
  return v as shell.ConflictChoice
}

function keysOf(r: ArgReader): shell.DropKey[] {
  const v = r.raw('keys')
  if (v === undefined) return []
  const list: readonly ArgValue[] = Array.isArray(v) ? (v as readonly ArgValue[]) : [v]
  return list.map((k) => {
    const name = typeof k === 'string' ? k.toLowerCase() : undefined
    if (!name || !(KEYS as readonly string[]).includes(name)) throw new StepError(`keys: expected ctrl, shift or alt, found ${JSON.stringify(k)}`)
    return name as shell.DropKey
  })
}

type Operation = (r: ArgReader, env: w32.Win32Env) => Co<shell.ShellOutcome & { undone?: string }>

const OPERATIONS: { readonly [op in ShellStep['operation']]: { readonly params: readonly string[]; readonly run: Operation } } = {
  copy: { params: ['from', 'to', 'conflict'], *run(r, env) { return yield* shell.copyItems(env, pathList(r, 'from'), r.path('to'), conflictOf(r)) } },
  move: { params: ['from', 'to', 'conflict'], *run(r, env) { return yield* shell.moveItems(env, pathList(r, 'from'), r.path('to'), conflictOf(r)) } },
  rename: {
    params: ['path', 'newName', 'conflict'],
    *run(r, env) {
      const path = r.path('path')
      const name = r.string('newName')
      if (name === '' || /[\\/:*?"<>|]/.test(name)) throw new StepError(`newName: '${name}' is not a file name (it may not contain \\ / : * ? " < > |)`)
      return yield* shell.renameItem(env, path, name, conflictOf(r))
    },
  },
  delete: { params: ['from'], *run(r, env) { return yield* shell.deleteItems(env, pathList(r, 'from')) } },
  recycle: { params: ['from'], *run(r, env) { return yield* shell.recycleItems(env, pathList(r, 'from')) } },
  newFolder: { params: ['in', 'name', 'conflict'], *run(r, env) { return yield* shell.newFolder(env, r.path('in'), r.has('name') ? r.string('name') : undefined, conflictOf(r)) } },
  newTextDocument: { params: ['in', 'name', 'conflict'], *run(r, env) { return yield* shell.newTextDocument(env, r.path('in'), r.has('name') ? r.string('name') : undefined, conflictOf(r)) } },
  drop: { params: ['from', 'to', 'keys', 'conflict'], *run(r, env) { return yield* shell.drop(env, pathList(r, 'from'), r.path('to'), keysOf(r), conflictOf(r)) } },
  undo: { params: [], *run(_r, env) { return yield* shell.undo(env) } },
}

/** runs a `shell:` step and checks its expectations */
export function* runShellStep(ctx: RunContext, step: ShellStep, _process: EProcess, settings: { readonly [key: string]: SettingValue }): Co<ApiStepOutcome> {
  const spec = OPERATIONS[step.operation]
  let env: w32.Win32Env
  try {
    env = w32.win32Env(ctx.machine.io, settingsOf(settings))
  } catch (e) {
    if (e instanceof w32.Win32SettingError) return { ok: false, message: e.message }
    throw e
  }
  const reader = new ArgReader(step.args, spec.params)
  let out: shell.ShellOutcome & { undone?: string }
  try {
    reader.checkKnown()
    out = yield* spec.run(reader, env)
  } catch (e) {
    if (e instanceof StepError || e instanceof shell.ShellConflict) return { ok: false, message: `shell ${step.operation}: ${e.message}` }
    throw e
  }
  const thread = ctx.machine.ke.currentThread
  const code = out.ok ? 0 : w32.GetLastError(thread)
  const status = w32.RtlGetLastNtStatus(thread)
  const output: Record<string, unknown> = { Targets: out.targets, Skipped: out.skipped }
  if (out.info) output['Info'] = out.info
  if (out.effect) output['Effect'] = out.effect
  if (step.operation === 'undo') output['Undone'] = out.undone ?? 'nothing'
  const what = `shell ${step.operation}`
  if (!step.expect) {
    if (out.ok || (step.operation === 'undo' && out.undone === undefined)) return { ok: true }
    return { ok: false, message: `${what} failed${out.failedAt ? ` at ${out.failedAt}` : ''}: ${w32.errorName(code)} (${statusName(status)})` }
  }
  const m = matchStepExpect(step.expect, { result: out.ok, error: w32.errorName(code), errorCode: code, status, output })
  if (m.ok) return { ok: true }
  return { ok: false, message: `${what} (result ${out.ok}, ${w32.errorName(code)}${out.failedAt ? ` at ${out.failedAt}` : ''}): ${m.mismatches.join('; ')}` }
}
