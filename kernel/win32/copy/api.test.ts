import { describe, expect, it } from 'vitest'
import { COPY_FILE, COPYFILE2_MESSAGE_ACTION as A, PROGRESS } from '../constants.ts'
import { ERROR, GetLastError } from '../errors.ts'
import { GetFileAttributesExW, SetFileAttributesW } from '../fileinfo.ts'
import { FILE_ATTRIBUTE } from '../../nt/file.ts'
import { testMachine } from '../test-machine.ts'
import { CopyFile2, CopyFileExW, CopyFileW, hresultFromWin32, type ProgressRoutineCall } from './api.ts'

const data = (n: number) => new Uint8Array(n).map((_, i) => i & 0xff)

describe('CopyFile2, CopyFileExW, CopyFileW', () => {
  it('a cancel from the progress routine fails with ERROR_REQUEST_ABORTED and deletes the partial destination', () => {
    const tm = testMachine({ settings: { 'copy.readChunk': 4096 } })
    tm.make({ 'C:\\a.bin': data(20_000) })
    tm.clearTrace()
    const r = tm.run(function* (env) {
      let chunks = 0
      const c = yield* CopyFile2(env, 'C:\\a.bin', 'C:\\b.bin', {
        ProgressRoutine: (m) => (m.Type === 'COPYFILE2_CALLBACK_CHUNK_FINISHED' && ++chunks === 2 ? A.COPYFILE2_PROGRESS_CANCEL : A.COPYFILE2_PROGRESS_CONTINUE),
      })
      return { h: c.hresult, e: GetLastError(env.io.ke.currentThread), copied: c.outcome.bytesCopied }
    })
    expect(r).toEqual({ h: hresultFromWin32(ERROR.ERROR_REQUEST_ABORTED), e: ERROR.ERROR_REQUEST_ABORTED, copied: 8192 })
    const ops = tm.trace().filter((e) => e.at === 'fs' && e.phase === 'complete' && e.path === 'C:\\b.bin' && e.op !== 'IRP_MJ_CLOSE').map((e) => e.procmon)
    expect(ops.slice(-2)).toEqual(['SetDispositionInformationFile', 'CloseFile'])
    expect(tm.read('C:\\b.bin')).toBeUndefined()
  })
  it('PROGRESS_STOP keeps the partial destination; *pbCancel aborts before the next chunk', () => {
    const tm = testMachine({ settings: { 'copy.readChunk': 4096 } })
    tm.make({ 'C:\\a.bin': data(20_000) })
    const r = tm.run(function* (env) {
      const stop = yield* CopyFileExW(env, 'C:\\a.bin', 'C:\\stopped.bin', {
        ProgressRoutine: (c) => (c.CallbackReason === 'CALLBACK_CHUNK_FINISHED' ? PROGRESS.PROGRESS_STOP : PROGRESS.PROGRESS_CONTINUE),
      })
      const e1 = GetLastError(env.io.ke.currentThread)
      let reads = 0
      const cancel = yield* CopyFileExW(env, 'C:\\a.bin', 'C:\\cancelled.bin', { ProgressRoutine: () => (reads++, PROGRESS.PROGRESS_CONTINUE), Cancel: () => reads >= 3 })
      return { stop: stop.ok, kept: stop.outcome.destinationKept, e1, cancel: cancel.ok, e2: GetLastError(env.io.ke.currentThread) }
    })
    expect(r).toEqual({ stop: false, kept: true, e1: ERROR.ERROR_REQUEST_ABORTED, cancel: false, e2: ERROR.ERROR_REQUEST_ABORTED })
    expect(tm.read('C:\\stopped.bin')?.length).toBe(20_000) // pre-allocated to the full size, 4096 bytes written
    expect(tm.read('C:\\cancelled.bin')).toBeUndefined()
  })
  it('CopyFileExW reports CALLBACK_STREAM_SWITCH then CALLBACK_CHUNK_FINISHED per chunk', () => {
    const tm = testMachine({ settings: { 'copy.readChunk': 4096 } })
    tm.make({ 'C:\\a.bin': data(6000) })
    const calls: ProgressRoutineCall[] = []
    tm.run((env) => CopyFileExW(env, 'C:\\a.bin', 'C:\\b.bin', { ProgressRoutine: (c) => (calls.push(c), PROGRESS.PROGRESS_CONTINUE) }))
    expect(calls.map((c) => `${c.CallbackReason} ${c.StreamBytesTransferred}/${c.StreamSize}`)).toEqual([
      'CALLBACK_STREAM_SWITCH 0/6000',
      'CALLBACK_CHUNK_FINISHED 4096/6000',
      'CALLBACK_CHUNK_FINISHED 6000/6000',
    ])
  })
  it('CopyFileW with bFailIfExists fails with ERROR_FILE_EXISTS; replacing a read-only file is ERROR_ACCESS_DENIED', () => {
    const tm = testMachine()
    tm.make({ 'C:\\a.txt': 'new', 'C:\\b.txt': 'old', 'C:\\ro.txt': 'ro' })
    const r = tm.run(function* (env) {
      const t = env.io.ke.currentThread
      const a = yield* CopyFileW(env, 'C:\\a.txt', 'C:\\b.txt', true)
      const ea = GetLastError(t)
      yield* SetFileAttributesW(env, 'C:\\ro.txt', FILE_ATTRIBUTE.FILE_ATTRIBUTE_READONLY)
      const b = yield* CopyFileW(env, 'C:\\a.txt', 'C:\\ro.txt', false)
      const eb = GetLastError(t)
      const c = yield* CopyFileW(env, 'C:\\a.txt', 'C:\\b.txt', false)
      const d = yield* CopyFileW(env, 'C:\\missing.txt', 'C:\\x.txt', false)
      return { a, ea, b, eb, c, d, ed: GetLastError(t) }
    })
    expect(r).toEqual({ a: false, ea: ERROR.ERROR_FILE_EXISTS, b: false, eb: ERROR.ERROR_ACCESS_DENIED, c: true, d: false, ed: ERROR.ERROR_FILE_NOT_FOUND })
    expect(new TextDecoder().decode(tm.read('C:\\b.txt'))).toBe('new')
    expect(new TextDecoder().decode(tm.read('C:\\ro.txt'))).toBe('ro')
  })
  it('COPY_FILE_NO_BUFFERING reads and writes non-cached whole sectors and ends at the source size', () => {
    const tm = testMachine({ settings: { 'copy.noBufferingChunk': 8192 } })
    tm.make({ 'C:\\a.bin': data(10_000) })
    tm.clearTrace()
    const r = tm.run((env) => CopyFile2(env, 'C:\\a.bin', 'C:\\b.bin', { CopyFlags: COPY_FILE.COPY_FILE_NO_BUFFERING }))
    expect(r.hresult).toBe(0)
    // (the source's dirty cached data is flushed first by paging writes of a.bin: not the copy's own I/O)
    const io = tm.trace().filter((e) => ((e.op === 'IRP_MJ_READ' && e.path === 'C:\\a.bin') || (e.op === 'IRP_MJ_WRITE' && e.path === 'C:\\b.bin')) && e.at === 'fs' && e.phase === 'dispatch')
    expect(io.map((e) => `${e.op} ${e.params['ByteOffset']} ${e.params['Length']} ${e.flags.includes('IRP_NOCACHE')}`)).toEqual([
      'IRP_MJ_READ 0 8192 true',
      'IRP_MJ_WRITE 0 8192 true',
      'IRP_MJ_READ 8192 2048 true',
      'IRP_MJ_WRITE 8192 2048 true',
    ])
    const b = tm.read('C:\\b.bin')!
    expect(b.length).toBe(10_000)
    expect(b.every((x, i) => x === (i & 0xff))).toBe(true)
  })
  it('keeps the source\'s last-write time and attributes', () => {
    const tm = testMachine()
    tm.make({ 'C:\\a.txt': 'x' })
    tm.machine.runFor(50_000_000)
    const r = tm.run(function* (env) {
      yield* SetFileAttributesW(env, 'C:\\a.txt', FILE_ATTRIBUTE.FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE.FILE_ATTRIBUTE_ARCHIVE)
      yield* CopyFile2(env, 'C:\\a.txt', 'C:\\b.txt')
      const a = yield* GetFileAttributesExW(env, 'C:\\a.txt')
      const b = yield* GetFileAttributesExW(env, 'C:\\b.txt')
      return { a, b }
    })
    expect(r.b!.LastWriteTime).toBe(r.a!.LastWriteTime)
    expect(r.b!.CreationTime).toBeGreaterThan(r.a!.CreationTime)
    expect(r.b!.FileAttributes).toBe(FILE_ATTRIBUTE.FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE.FILE_ATTRIBUTE_ARCHIVE)
  })
})
