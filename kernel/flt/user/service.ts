// User-mode programs that come with a filter (the scanner's scanuser.exe, an HSM's recall
// service): a filter module may export SERVICE, a generator run as the main thread of a new
// emulated process of that image name. It calls fltlib (kernel/win32/fltlib.ts) and the Win32
// and NT calls of kernel/win32 in its own threads, exactly as a user's program would, so its
// I/O goes through the whole stack and shows in the trace under its own process.
//
// The scenario runner starts it after the filter loads (a `filters:` entry with `service: false`
// leaves it out) and runs the machine until the program says it is ready (ctx.ready(), usually
// after connecting to the filter's port and posting its first FilterGetMessage), before the
// steps begin. What the program prints (ctx.printf) and publishes (ctx.publish) can be read
// with `serviceOutput(ke, imageName)`.

import { BugCheck, type Co, type KThread, type Scheduler } from '../../ke/index.ts'
import type { IoManager } from '../../io/iomgr.ts'
import type { EProcess } from '../../ob/index.ts'
import { win32Env, type Win32Env } from '../../win32/env.ts'

/** What a service's threads run with. */
export interface ServiceContext {
  /** the Win32 environment of the process (kernel/win32 and fltlib calls take it first) */
  readonly env: Win32Env
  readonly process: EProcess
  /** the scenario entry's keys (the same Parameters the filter's DriverEntry gets) */
  readonly Parameters: { readonly [key: string]: unknown }
  /** CreateThread: another thread of the process; it is a dispatcher object signalled when it ends */
  CreateThread(name: string, body: () => Co<void>): KThread
  /** the program is connected and waiting for work: the steps may begin */
  ready(): void
  /** a line on the program's console */
  printf(text: string): void
  /** data for hosts and tests (counters, what it recalled) */
  publish(key: string, value: unknown): void
}

/** A filter's user-mode program: its image name and its main function (the exit code). */
export interface UserModeService {
  readonly ImageName: string
  main(ctx: ServiceContext): Co<number>
}

/** A started program. */
export interface ServiceRun {
  readonly imageName: string
  readonly process: EProcess
  readonly thread: KThread
  isReady: boolean
  exitCode: number | undefined
  readonly console: string[]
  readonly published: Map<string, unknown>
}

const runs = new WeakMap<Scheduler, Map<string, ServiceRun>>()

/**
 * Starts `service` as the main thread of `process` (the host makes the process and registers
 * its threads with `registerThread`). The scheduler is not run here.
 */
export function startService(
  io: IoManager,
  process: EProcess,
  service: UserModeService,
  parameters: { readonly [key: string]: unknown },
  registerThread: (t: KThread) => void,
): ServiceRun {
  const ke = io.ke
  const env = win32Env(io)
  const run: Partial<ServiceRun> & { console: string[]; published: Map<string, unknown>; isReady: boolean } = {
    imageName: service.ImageName,
    process,
    isReady: false,
    exitCode: undefined,
    console: [],
    published: new Map(),
  }
  /**
   * A thread's body with the program's own exceptions caught: a crash in user mode ends the
   * thread (and, for the main thread, sets the exit code), not the machine. unverified: Windows
   * ends the whole process; here its other threads go on. Bugchecks from kernel code go through.
   */
  function* guarded(threadName: string, body: () => Co<void>): Co<void> {
    try {
      yield* body()
    } catch (e) {
      if (e instanceof BugCheck) throw e
      const code = e instanceof TypeError || e instanceof ReferenceError ? 0xc0000005 : 0xe06d7363
      run.console.push(`${service.ImageName} (${threadName}) stopped with exception 0x${code.toString(16).toUpperCase()}: ${(e as Error)?.message ?? String(e)}`)
      if (threadName === 'main') (run as { exitCode: number | undefined }).exitCode = code
    }
  }
  const ctx: ServiceContext = {
    env,
    process,
    Parameters: parameters,
    CreateThread(name, body) {
      const t = ke.createThread(process, name, () => guarded(name, body))
      registerThread(t)
      return t
    },
    ready: () => void (run.isReady = true),
    printf: (text) => void run.console.push(text),
    publish: (key, value) => void run.published.set(key, value),
  }
  const thread = ke.createThread(process, 'main', () =>
    guarded('main', function* () {
      const code = yield* service.main(ctx)
      ;(run as { exitCode: number | undefined }).exitCode = code
    }),
  )
  registerThread(thread)
  ;(run as { thread: KThread }).thread = thread
  let byImage = runs.get(ke)
  if (!byImage) runs.set(ke, (byImage = new Map()))
  byImage.set(service.ImageName.toLowerCase(), run as ServiceRun)
  return run as ServiceRun
}

/** a started program of this machine, by image name */
export function serviceOutput(ke: Scheduler, imageName: string): ServiceRun | undefined {
  return runs.get(ke)?.get(imageName.toLowerCase())
}

/** a module's SERVICE, when it exports one */
export function serviceOf(module: unknown): UserModeService | undefined {
  const s = (module as { SERVICE?: unknown } | null)?.SERVICE as Partial<UserModeService> | undefined
  return s && typeof s.ImageName === 'string' && typeof s.main === 'function' ? (s as UserModeService) : undefined
}
