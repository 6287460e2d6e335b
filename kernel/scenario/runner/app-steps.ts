// `app:` steps: a process profile (kernel/apps) doing what a user does in the program, in the
// program's own process (`app: notepad.exe`, `action: save`, `args: { path, content }`). The
// step reports `result` (true when the action completed), `error` / `status` (the Win32 error
// and the NTSTATUS behind it of the call that stopped it) and `output` (what the action read or
// made: the text of an open, the entries of an archive …). A step without `expect` fails when
// the action fails, as the program would show an error.

import type { Co } from '../../ke/index.ts'
import type { EProcess } from '../../ob/index.ts'
import { statusName } from '../../nt/status.ts'
import { closestNames } from '../../nt/flags.ts'
import type { AppStep, Scenario, SettingValue } from '../types.ts'
import type { Machine } from '../../machine.ts'
import { startBackground, watchersIdle, type BackgroundServices } from '../../apps/background/index.ts'
import { matchStepExpect } from '../expect.ts'
import * as w32 from '../../win32/index.ts'
import { AppArgError, AppArgs, AppSettingError, appImages, appSettings, findAction, findApp, type AppOutcome, type AppSettings } from '../../apps/index.ts'
import type { RunContext } from './context.ts'
import { settingsOf, type ApiStepOutcome } from './win32-steps.ts'

const appSettingsCache = new WeakMap<object, AppSettings>()

/** the scenario's `app.` settings (checked once per scenario) */
export function appSettingsOf(given: { readonly [key: string]: SettingValue }): AppSettings {
  let s = appSettingsCache.get(given)
  if (!s) {
    s = appSettings(given)
    appSettingsCache.set(given, s)
  }
  return s
}

/** runs an `app:` step and checks its expectations */
export function* runAppStep(ctx: RunContext, step: AppStep, process: EProcess, settings: { readonly [key: string]: SettingValue }): Co<ApiStepOutcome> {
  const profile = findApp(step.app)
  if (!profile) {
    const near = closestNames(appImages(), step.app)
    return { ok: false, message: `app ${step.app}: no process profile for this program${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}; the profiles are ${appImages().join(', ')}` }
  }
  const found = findAction(profile, step.action)
  const names = Object.keys(profile.actions)
  if (!found) {
    const near = closestNames(names, step.action)
    return { ok: false, message: `app ${step.app}: unknown action '${step.action}'${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}; ${profile.image} does ${names.join(', ')}` }
  }
  const what = `app ${step.app} ${found.name}`
  let env: w32.Win32Env
  let appSet: AppSettings
  try {
    env = w32.win32Env(ctx.machine.io, settingsOf(settings))
    appSet = appSettingsOf(settings)
  } catch (e) {
    if (e instanceof w32.Win32SettingError || e instanceof AppSettingError) return { ok: false, message: e.message }
    throw e
  }
  const args = new AppArgs(step.args, found.action.params)
  let out: AppOutcome
  try {
    args.checkKnown()
    out = yield* found.action.run({ machine: ctx.machine, process, env, settings: appSet }, args)
  } catch (e) {
    if (e instanceof AppArgError) return { ok: false, message: `${what}: ${e.message}` }
    throw e
  }
  const thread = ctx.machine.ke.currentThread
  const code = out.ok ? 0 : w32.GetLastError(thread)
  const status = w32.RtlGetLastNtStatus(thread)
  if (!step.expect) {
    if (out.ok) return { ok: true }
    return { ok: false, message: `${what} failed${out.failedAt ? ` at ${out.failedAt}` : ''}: ${w32.errorName(code)} (${statusName(status)})` }
  }
  const m = matchStepExpect(step.expect, { result: out.ok, error: w32.errorName(code), errorCode: code, status, output: out.output ?? {} })
  if (m.ok) return { ok: true }
  return { ok: false, message: `${what} (result ${out.ok}, ${w32.errorName(code)}${out.failedAt ? ` at ${out.failedAt}` : ''}): ${m.mismatches.join('; ')}` }
}

/** how long the background services may take to open the volume roots and arm their watches (virtual time) */
const BACKGROUND_START_LIMIT = 10 * 10_000_000

/**
 * The scenario's background services (Defender, the indexer), unless `background: false`:
 * started and run until their watches are pending, before the trace starts (their setup is not
 * part of what a scenario shows). A message for a bad `app.` setting or a service that does not
 * come to rest.
 */
export function startScenarioBackground(machine: Machine, scenario: Scenario): { services?: BackgroundServices; problem?: string } {
  if (!scenario.background) return {}
  let settings: AppSettings
  try {
    settings = appSettingsOf(scenario.settings)
  } catch (e) {
    if (e instanceof AppSettingError) return { problem: e.message }
    throw e
  }
  // not recorded at all: the trace's sequence numbers start with the scenario's first step
  const recording = machine.trace.enabled
  machine.trace.enabled = false
  const services = startBackground(machine, settings)
  try {
    machine.ke.runUntil(() => services.idle, { deadline: machine.ke.now + BACKGROUND_START_LIMIT })
    machine.afterRun()
  } finally {
    machine.trace.enabled = recording
  }
  if (!services.idle) return { problem: `background: the services (${services.services.map((s) => s.process.imageName).join(', ')}) did not start` }
  return { services }
}

/** the background services and Explorer's folder watches have nothing left to do */
export function appsIdle(machine: Machine): boolean {
  return watchersIdle(machine)
}
