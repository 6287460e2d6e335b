// How a background service learns of new and changed files: a change notification on the root
// of each volume with WatchTree (ReadDirectoryChangesW on `C:\`), kept pending by a watcher
// thread, and a worker thread that handles each changed file once the file has been quiet for
// the service's delay.
// inferred: Defender learns of files from its minifilter (WdFilter: post-create / post-cleanup
// callbacks) and the indexer from the USN journal; a watch-tree notification on the root reports
// the same files (names, sizes, last-write changes) and is what a user-mode emulation can use.
// Its own IRP (NotifyChangeDirectory on C:\, pending) is in the trace where the real services'
// mechanisms are not.

import { KEvent, KeDelayExecutionThread, KeWaitForSingleObject, type Co, type KThread } from '../../ke/index.ts'
import type { Machine } from '../../machine.ts'
import type { EProcess } from '../../ob/index.ts'
import * as nt from '../../io/services/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_DISPOSITION, CREATE_OPTIONS, FILE_ACTION, FILE_NOTIFY_CHANGE, SHARE_ACCESS } from '../../nt/file.ts'
import { NT_SUCCESS, STATUS } from '../../nt/status.ts'
import { decodeNotifyEntries } from '../../rtl/structs/notify.ts'

/** what the services watch: names, sizes and last-write times of files (not directories) */
export const WATCH_FILTER = FILE_NOTIFY_CHANGE.FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE.FILE_NOTIFY_CHANGE_SIZE | FILE_NOTIFY_CHANGE.FILE_NOTIFY_CHANGE_LAST_WRITE
/** ReadDirectoryChangesW's buffer */
// unverified: the services' buffer size; 64 KiB is the largest a network-safe watcher uses
const NOTIFY_BUFFER_BYTES = 0x10000

/** A changed file waiting for its quiet time. */
interface Pending {
  /** the NT name (`\??\C:\dir\a.txt`) */
  readonly name: string
  /** virtual time at which it is handled */
  due: number
}

interface Watcher {
  /** the watched directory, NT name */
  readonly dir: string
  thread: KThread
  /** its notification is pending (or the watch has ended) */
  armed: boolean
  handle: number | undefined
  readonly ready: KEvent
}

/** What one service does with a changed file, in its worker thread. */
export type Handler = (ntName: string) => Co<void>

const services = new WeakMap<Machine, Set<WatchingService>>()

/** every watching service of the machine (background services, Explorer's open folders) is at rest */
export function watchersIdle(machine: Machine): boolean {
  for (const s of services.get(machine) ?? []) if (!s.idle) return false
  return true
}

/** A background service watching every volume: its threads, its queue, and whether it is at rest. */
export class WatchingService {
  private readonly queue = new Map<string, Pending>()
  private readonly wake: KEvent
  private busy = false
  private readonly watchers: Watcher[] = []
  private workerStarted = false
  readonly process: EProcess

  constructor(
    private readonly machine: Machine,
    process: EProcess,
    /** virtual time a file must be quiet before it is handled (100-ns ticks) */
    private readonly delay: number,
    private readonly handler: Handler,
  ) {
    this.process = process
    const image = process.imageName
    this.wake = new KEvent(machine.ke, 'synchronization', false, `${image} changed files`)
    let set = services.get(machine)
    if (!set) services.set(machine, (set = new Set()))
    set.add(this)
  }

  /**
   * Nothing to do: no file waits, the worker is not handling one, and every watcher has its
   * notification pending (a completed one not yet read counts as work).
   */
  get idle(): boolean {
    return this.queue.size === 0 && !this.busy && this.watchers.every((w) => w.armed && w.thread.state === 'waiting')
  }

  /** starts the worker thread (once) */
  private startWorker(): void {
    if (this.workerStarted) return
    this.workerStarted = true
    const worker = this.machine.ke.createThread(this.process, 'worker', () => this.work())
    this.machine.registerThread(this.process, worker.tid)
  }

  /** starts the worker and one watcher per volume root (`C:`, `D:` …), each watching its whole tree */
  start(volumes: readonly string[]): void {
    for (const letter of volumes) this.watch(`\\??\\${letter}\\`, true, WATCH_FILTER, `watch ${letter}`)
  }

  /**
   * Watches the directory `ntDir` (and below it with `tree`) on a thread of its own, which opens
   * the directory and keeps a change notification pending on it until `unwatch`. The event is
   * set when the first notification is about to be sent (or the directory could not be opened).
   * `backupIntent`: the directory is opened with FILE_OPEN_FOR_BACKUP_INTENT.
   */
  watch(ntDir: string, tree: boolean, filter: number, threadName: string, backupIntent = true): KEvent {
    this.startWorker()
    const ready = new KEvent(this.machine.ke, 'notification', false, `${threadName} armed`)
    const entry: Watcher = { dir: ntDir, thread: undefined as unknown as KThread, armed: false, handle: undefined, ready }
    entry.thread = this.machine.ke.createThread(this.process, threadName, () => this.watchLoop(entry, tree, filter, backupIntent))
    this.machine.registerThread(this.process, entry.thread.tid)
    this.watchers.push(entry)
    return ready
  }

  /** whether `ntDir` is watched (case-insensitive) */
  watching(ntDir: string): boolean {
    return this.watchers.some((w) => w.dir.toLowerCase() === ntDir.toLowerCase() && w.handle !== undefined)
  }

  /** closes the watch on `ntDir`, in the calling thread (its pending notification completes with STATUS_NOTIFY_CLEANUP) */
  *unwatch(ntDir: string): Co<boolean> {
    const w = this.watchers.find((x) => x.dir.toLowerCase() === ntDir.toLowerCase() && x.handle !== undefined)
    if (!w || w.handle === undefined) return false
    const h = w.handle
    w.handle = undefined
    yield* nt.NtClose(this.machine.io, { Handle: h })
    this.watchers.splice(this.watchers.indexOf(w), 1)
    return true
  }

  private *watchLoop(entry: Watcher, tree: boolean, filter: number, backupIntent: boolean): Co<void> {
    const io = this.machine.io
    const root = entry.dir
    const prefix = root.endsWith('\\') ? root : `${root}\\`
    const open = yield* nt.NtCreateFile(io, {
      FileName: root,
      DesiredAccess: ACCESS.FILE_LIST_DIRECTORY | ACCESS.SYNCHRONIZE,
      ShareAccess: SHARE_ACCESS.FILE_SHARE_READ | SHARE_ACCESS.FILE_SHARE_WRITE | SHARE_ACCESS.FILE_SHARE_DELETE,
      CreateDisposition: CREATE_DISPOSITION.FILE_OPEN,
      // unverified: the services (running as SYSTEM) open the roots for backup intent
      CreateOptions: CREATE_OPTIONS.FILE_DIRECTORY_FILE | CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_NONALERT | (backupIntent ? CREATE_OPTIONS.FILE_OPEN_FOR_BACKUP_INTENT : 0),
    })
    if (open.handle === undefined) {
      entry.armed = true
      entry.ready.set()
      return
    }
    entry.handle = open.handle
    for (;;) {
      if (entry.handle === undefined) break
      entry.armed = true
      entry.ready.set()
      const r = yield* nt.NtNotifyChangeDirectoryFile(io, { FileHandle: open.handle, CompletionFilter: filter, WatchTree: tree, Length: NOTIFY_BUFFER_BYTES })
      entry.armed = false
      // the handle was closed (unwatch, or the volume went away): the watch ends
      if (r.status === STATUS.STATUS_NOTIFY_CLEANUP || (!NT_SUCCESS(r.status) && r.status !== STATUS.STATUS_NOTIFY_ENUM_DIR)) break
      // STATUS_NOTIFY_ENUM_DIR (too many changes for the buffer): the real services rescan; here the names are lost
      if (r.status !== STATUS.STATUS_SUCCESS || !r.buffer) continue
      const now = this.machine.ke.now
      for (const e of decodeNotifyEntries(r.buffer)) {
        const name = `${prefix}${e.FileName}`
        const key = name.toLowerCase()
        if (e.Action === FILE_ACTION.FILE_ACTION_REMOVED || e.Action === FILE_ACTION.FILE_ACTION_RENAMED_OLD_NAME) {
          this.queue.delete(key)
          continue
        }
        if (e.Action !== FILE_ACTION.FILE_ACTION_ADDED && e.Action !== FILE_ACTION.FILE_ACTION_MODIFIED && e.Action !== FILE_ACTION.FILE_ACTION_RENAMED_NEW_NAME) continue
        // a file changed again waits its full delay from the last change (it goes to the back)
        this.queue.delete(key)
        this.queue.set(key, { name, due: now + this.delay })
      }
      if (this.queue.size > 0) this.wake.set()
    }
    entry.armed = true
  }

  private *work(): Co<void> {
    for (;;) {
      if (this.queue.size === 0) yield* KeWaitForSingleObject(this.wake, undefined, 'changed files')
      let next: [string, Pending] | undefined
      for (const e of this.queue) if (!next || e[1].due < next[1].due) next = e
      if (!next) continue
      const wait = next[1].due - this.machine.ke.now
      if (wait > 0) {
        // a change arriving meanwhile may move this file back; look again after the wait
        this.busy = true
        yield* KeDelayExecutionThread(wait)
        this.busy = false
        continue
      }
      this.queue.delete(next[0])
      this.busy = true
      try {
        yield* this.handler(next[1].name)
      } finally {
        this.busy = false
      }
    }
  }
}
