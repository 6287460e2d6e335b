// A small emulated machine for the NTFS driver's tests: scheduler, object namespace, I/O
// manager, one NTFS volume mounted as C: on a store, and the NT services a program calls. Each
// call runs in an emulated user thread; the test reads the result when the scheduler is idle.

import { RunToBlockStrategy, Scheduler, SystemWorkQueues, type Co } from '../../ke/index.ts'
import { EProcess, ObNamespace } from '../../ob/index.ts'
import { IoManager } from '../../io/iomgr.ts'
import {
  NtClose,
  NtCreateFile,
  NtFlushBuffersFile,
  NtLockFile,
  NtQueryInformationFile,
  NtReadFile,
  NtSetInformationFile,
  NtUnlockFile,
  NtWriteFile,
  type CreateFileArgs,
} from '../../io/services/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_DISPOSITION, CREATE_OPTIONS, SHARE_ACCESS } from '../../nt/file.ts'
import { FILE_INFORMATION_CLASS as C, type FileInformationClassName } from '../../nt/infoclass.ts'
import { statusName, type NTSTATUS } from '../../nt/status.ts'
import {
  decodeFileInformation,
  encodeFileInformation,
  encodeRenameInformation,
  encodeRenameInformationEx,
  type CodecClass,
  type FileInformationInput,
  type FileInformationOutput,
} from '../../rtl/structs/fileinfo.ts'
import { mountNtfsVolume, vcbOfVolume } from './driver.ts'
import { createMemoryStore } from './memory-store.ts'
import type { NtfsStore } from './store.ts'
import type { DirectoryChange, NtfsSettings, Vcb } from './structures.ts'

export const ALL_SHARE = SHARE_ACCESS.FILE_SHARE_READ | SHARE_ACCESS.FILE_SHARE_WRITE | SHARE_ACCESS.FILE_SHARE_DELETE

export interface OpenArgs {
  access?: number
  share?: number
  disposition?: number
  options?: number
  attributes?: number
  allocation?: number
  root?: number
  ea?: CreateFileArgs['EaBuffer']
  caseSensitive?: boolean
}

export interface Result {
  status: NTSTATUS
  information: number
  /** the status name, for readable test failures */
  name: string
}

export interface OpenResult extends Result {
  handle: number
}

export interface VolumeOptions {
  settings?: Partial<NtfsSettings>
  /** a store of one's own (the on-disk one); default: a fresh 64 MiB memory store */
  store?: (time: () => bigint) => NtfsStore
}

export class TestVolume {
  readonly ke: Scheduler
  readonly ob: ObNamespace
  readonly io: IoManager
  readonly store: NtfsStore
  readonly vcb: Vcb
  readonly system: EProcess
  readonly user: EProcess
  /** every directory change the driver reported */
  readonly changes: DirectoryChange[] = []
  private readonly tidToProcess = new Map<number, EProcess>()

  constructor(opts: VolumeOptions = {}) {
    this.ke = new Scheduler({ seed: 1, strategy: new RunToBlockStrategy() })
    this.ob = new ObNamespace()
    this.ob.createSymbolicLink('\\GLOBAL??\\GLOBALROOT', '')
    this.ob.alias('\\??', '\\GLOBAL??')
    this.system = new EProcess(4, 'System', 'System', 'S-1-5-18', 0, '')
    this.user = new EProcess(1000, 'test.exe', 'C:\\test.exe', 'S-1-5-21-1-1-1-1001', 4, 'test.exe')
    const workQueues = new SystemWorkQueues(this.ke, this.system)
    this.io = new IoManager({ ke: this.ke, ob: this.ob, workQueues, system: this.system, processOf: (tid) => this.tidToProcess.get(tid) })
    const real = this.io.createVolumeDevice('\\Device\\HarddiskVolume1', 'C:')
    this.ob.createSymbolicLink('\\GLOBAL??\\C:', '\\Device\\HarddiskVolume1')
    const time = (): bigint => this.ke.systemTime()
    this.store = opts.store ? opts.store(time) : createMemoryStore({ sizeBytes: 64 * 1024 * 1024, label: 'TEST', time })
    this.vcb = vcbOfVolume(mountNtfsVolume(this.io, real, this.store, opts.settings))
    this.vcb.changeListeners.push((c) => this.changes.push(c))
  }

  /** starts `body` on a new user thread (it runs when the scheduler runs) */
  spawn<T>(name: string, body: () => Co<T>, process: EProcess = this.user): { done: boolean; value: T | undefined } {
    const box: { done: boolean; value: T | undefined } = { done: false, value: undefined }
    const t = this.ke.createThread(process, name, function* () {
      box.value = yield* body()
      box.done = true
    })
    this.tidToProcess.set(t.tid, process)
    return box
  }

  /** runs until nothing can run; a bugcheck is thrown */
  settle(): void {
    this.ke.runUntil(() => false)
    if (this.ke.bugcheck) throw this.ke.bugcheck
  }

  /** runs `body` on a user thread to completion */
  run<T>(body: () => Co<T>): T {
    const box = this.spawn('test', body)
    this.settle()
    if (!box.done) throw new Error(`the call did not complete: ${JSON.stringify(this.ke.waitChains())}`)
    return box.value as T
  }

  // ---- services ----

  *openCo(path: string, a: OpenArgs = {}): Co<OpenResult> {
    const r = yield* NtCreateFile(this.io, {
      FileName: path.startsWith('\\') || a.root !== undefined ? path : `\\??\\C:\\${path}`,
      DesiredAccess: a.access ?? ACCESS.FILE_ALL_ACCESS,
      ShareAccess: a.share ?? 0,
      CreateDisposition: a.disposition ?? CREATE_DISPOSITION.FILE_OPEN,
      CreateOptions: a.options ?? 0,
      FileAttributes: a.attributes ?? 0,
      AllocationSize: a.allocation ?? 0,
      ...(a.root !== undefined ? { RootDirectory: a.root } : {}),
      ...(a.ea ? { EaBuffer: a.ea } : {}),
      Attributes: a.caseSensitive ? 0 : 0x40,
    })
    return { status: r.status, information: r.information, name: statusName(r.status), handle: r.handle ?? 0 }
  }

  /** NtCreateFile; `path` is relative to C:\ unless it starts with a backslash */
  open(path: string, a: OpenArgs = {}): OpenResult {
    return this.run(() => this.openCo(path, a))
  }

  /** opens and closes at once (the result of the open) */
  probe(path: string, a: OpenArgs = {}): OpenResult {
    const r = this.open(path, a)
    if (r.handle) this.close(r.handle)
    return r
  }

  /** creates a file (FILE_CREATE) and returns its handle */
  create(path: string, a: OpenArgs = {}): number {
    const r = this.open(path, { disposition: CREATE_DISPOSITION.FILE_CREATE, ...a })
    if (r.name !== 'STATUS_SUCCESS') throw new Error(`create ${path}: ${r.name}`)
    return r.handle
  }

  mkdir(path: string, a: OpenArgs = {}): number {
    return this.create(path, { options: CREATE_OPTIONS.FILE_DIRECTORY_FILE, ...a })
  }

  /** creates a file with content and closes it */
  file(path: string, content: string | Uint8Array = ''): void {
    const h = this.create(path)
    const data = typeof content === 'string' ? new TextEncoder().encode(content) : content
    if (data.length > 0) {
      const w = this.write(h, data, 0)
      if (w.name !== 'STATUS_SUCCESS') throw new Error(`write ${path}: ${w.name}`)
    }
    this.close(h)
  }

  close(handle: number): Result {
    const r = this.run(() => NtClose(this.io, { Handle: handle }))
    return { ...r, name: statusName(r.status) }
  }

  *writeCo(handle: number, data: Uint8Array | string, offset?: number): Co<Result> {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data
    const r = yield* NtWriteFile(this.io, { FileHandle: handle, Data: bytes, ...(offset !== undefined ? { ByteOffset: offset } : {}) })
    return { ...r, name: statusName(r.status) }
  }

  write(handle: number, data: Uint8Array | string, offset?: number): Result {
    return this.run(() => this.writeCo(handle, data, offset))
  }

  read(handle: number, length: number, offset?: number): Result & { data: Uint8Array; text: string } {
    const r = this.run(() => NtReadFile(this.io, { FileHandle: handle, Length: length, ...(offset !== undefined ? { ByteOffset: offset } : {}) }))
    const data = r.data ?? new Uint8Array(0)
    return { status: r.status, information: r.information, name: statusName(r.status), data, text: new TextDecoder().decode(data) }
  }

  /** NtQueryInformationFile with a decoded result */
  query<K extends CodecClass & FileInformationClassName>(handle: number, cls: K, length = 4096): Result & { info?: FileInformationOutput<K>; bytes: Uint8Array } {
    const r = this.run(() => NtQueryInformationFile(this.io, { FileHandle: handle, FileInformationClass: C[cls], Length: length }))
    const bytes = r.buffer ?? new Uint8Array(0)
    const ok = (r.status >>> 0) < 0xc0000000 && bytes.length > 0
    return { status: r.status, information: r.information, name: statusName(r.status), bytes, ...(ok ? { info: decodeFileInformation(cls, bytes) } : {}) }
  }

  /** NtSetInformationFile with an encoded structure */
  set<K extends CodecClass & FileInformationClassName>(handle: number, cls: K, value: FileInformationInput<K>): Result {
    const enc = encodeFileInformation(cls, value, 4096)
    return this.setRaw(handle, cls, enc.bytes)
  }

  setRaw(handle: number, cls: FileInformationClassName, bytes: Uint8Array): Result {
    const r = this.run(() => NtSetInformationFile(this.io, { FileHandle: handle, FileInformationClass: C[cls], FileInformation: bytes }))
    return { ...r, name: statusName(r.status) }
  }

  rename(handle: number, newName: string, replace = false): Result {
    return this.setRaw(handle, 'FileRenameInformation', encodeRenameInformation({ ReplaceIfExists: replace, FileName: newName.startsWith('\\') || newName.startsWith(':') || !newName.includes('\\') ? newName : `\\??\\C:\\${newName}` }))
  }

  renameEx(handle: number, newName: string, flags: number): Result {
    return this.setRaw(handle, 'FileRenameInformationEx', encodeRenameInformationEx({ Flags: flags, FileName: newName.startsWith('\\') || newName.startsWith(':') || !newName.includes('\\') ? newName : `\\??\\C:\\${newName}` }))
  }

  link(handle: number, newName: string, replace = false): Result {
    return this.setRaw(handle, 'FileLinkInformation', encodeRenameInformation({ ReplaceIfExists: replace, FileName: newName.includes('\\') && !newName.startsWith('\\') ? `\\??\\C:\\${newName}` : newName }))
  }

  linkEx(handle: number, newName: string, flags: number): Result {
    return this.setRaw(handle, 'FileLinkInformationEx', encodeRenameInformationEx({ Flags: flags, FileName: newName.includes('\\') && !newName.startsWith('\\') ? `\\??\\C:\\${newName}` : newName }))
  }

  lock(handle: number, offset: number, length: number, o: { exclusive?: boolean; failImmediately?: boolean; key?: number } = {}): Result {
    const r = this.run(() => NtLockFile(this.io, { FileHandle: handle, ByteOffset: offset, Length: length, ExclusiveLock: o.exclusive ?? true, FailImmediately: o.failImmediately ?? true, Key: o.key ?? 0 }))
    return { ...r, name: statusName(r.status) }
  }

  unlock(handle: number, offset: number, length: number, key = 0): Result {
    const r = this.run(() => NtUnlockFile(this.io, { FileHandle: handle, ByteOffset: offset, Length: length, Key: key }))
    return { ...r, name: statusName(r.status) }
  }

  flush(handle: number): Result {
    const r = this.run(() => NtFlushBuffersFile(this.io, { FileHandle: handle }))
    return { ...r, name: statusName(r.status) }
  }

  // ---- the volume as the store has it ----

  /** the record of a path (C:\ relative, backslash separated), undefined if absent */
  lookup(path: string) {
    let dir = this.store.rootRecord
    const parts = path.split('\\').filter((p) => p.length > 0)
    let rec = this.store.readRecord(dir)
    for (const p of parts) {
      const e = this.store.lookup(dir, p)
      if (!e) return undefined
      rec = this.store.readRecord(e.record)
      dir = e.record
    }
    return rec
  }

  exists(path: string): boolean {
    return this.lookup(path) !== undefined
  }

  /** the names of a directory's entries as stored (DOS-only names left out) */
  entries(path: string): string[] {
    const r = this.lookup(path)
    if (!r) throw new Error(`no directory ${path}`)
    return [...this.store.list(r.record)].filter((e) => e.nameSpace !== 2).map((e) => e.name)
  }

  content(path: string, stream = ''): string {
    const r = this.lookup(path)
    if (!r) throw new Error(`no file ${path}`)
    const s = r.streams.find((x) => x.name === stream)
    if (!s) throw new Error(`no stream '${stream}' on ${path}`)
    return new TextDecoder().decode(this.store.readStream(r.record, stream, 0, s.size))
  }
}
