import { describe, expect, it } from 'vitest'
import * as nt from '../../io/services/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { CREATE_DISPOSITION as D, CREATE_OPTIONS as O, FILE_ATTRIBUTE } from '../../nt/file.ts'
import { decodeFullEaList, encodeFullEaList } from '../../rtl/structs/ea.ts'
import { COPY_FILE, COPYFILE2_MESSAGE_ACTION as A } from '../constants.ts'
import { fsOps, testMachine } from '../test-machine.ts'
import { CopyFile2 } from './api.ts'
import type { CopyMessage } from './progress.ts'

function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n)
  for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >> 8)) & 0xff
  return b
}

/** byte equality without vitest's element-by-element diff (slow on large buffers) */
function same(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i])
}

/** the reads or writes of a file, through an IRP or fast I/O */
function writes(tm: ReturnType<typeof testMachine>, path: string, op = 'IRP_MJ_WRITE') {
  const fast = op.replace('IRP_MJ_', 'FASTIO_')
  return tm.trace().filter((e) => (e.op === op || e.op === fast) && e.at === 'fs' && e.phase === 'dispatch' && e.path === path)
}

describe('the copy engine', () => {
  it('issues the documented sequence for one file: probes, source, destination, offload attempt, pre-allocation, data, times, cleanup', () => {
    const tm = testMachine()
    tm.make({ 'C:\\src.bin': pattern(3000) })
    tm.clearTrace()
    const r = tm.run((env) => CopyFile2(env, 'C:\\src.bin', 'C:\\dst.bin'))
    expect(r.hresult).toBe(0)
    expect(fsOps(tm.trace()).filter((o) => !o.startsWith('IRP_MJ_CLOSE'))).toEqual([
      'CreateFile C:\\src.bin',
      'QueryBasicInformationFile C:\\src.bin',
      'QueryStandardInformationFile C:\\src.bin',
      'QueryStreamInformationFile C:\\src.bin',
      'QueryEaInformationFile C:\\src.bin',
      'CreateFile C:\\dst.bin STATUS_OBJECT_NAME_NOT_FOUND',
      'QueryOpen C:\\dst.bin STATUS_FLT_DISALLOW_FAST_IO',
      'CreateFile C:\\dst.bin STATUS_OBJECT_NAME_NOT_FOUND',
      'CreateFile C:\\dst.bin',
      'FileSystemControl C:\\src.bin STATUS_INVALID_DEVICE_REQUEST',
      'SetEndOfFileInformationFile C:\\dst.bin',
      'SetAllocationInformationFile C:\\dst.bin',
      'ReadFile C:\\src.bin',
      'WriteFile C:\\dst.bin',
      'SetBasicInformationFile C:\\dst.bin',
      'CloseFile C:\\dst.bin',
      'CloseFile C:\\src.bin',
    ])
    const creates = tm.trace().filter((e) => e.op === 'IRP_MJ_CREATE' && e.phase === 'dispatch')
    expect((creates[0]!.params['CreateOptions'] as number) & O.FILE_SEQUENTIAL_ONLY).toBeTruthy()
    const dst = creates[3]!
    expect(dst.params['ShareAccess']).toBe(0)
    expect(dst.params['CreateDisposition']).toBe(D.FILE_OVERWRITE_IF)
    expect((dst.params['DesiredAccess'] as number) & (ACCESS.DELETE | ACCESS.WRITE_DAC | ACCESS.FILE_WRITE_DATA)).toBe(ACCESS.DELETE | ACCESS.WRITE_DAC | ACCESS.FILE_WRITE_DATA)
    expect(dst.params['FileAttributes']).toBe(FILE_ATTRIBUTE.FILE_ATTRIBUTE_ARCHIVE)
    const basic = tm.trace().find((e) => e.minor === 'FileBasicInformation' && e.op === 'IRP_MJ_SET_INFORMATION' && e.phase === 'complete')!
    expect(basic.detail).toContain('CreationTime: 1/1/1601')
    expect(basic.detail).toContain('FileAttributes: n/a')
    expect(same(tm.read('C:\\dst.bin'), pattern(3000))).toBe(true)
  })
  it('reads in copy.readChunk pieces and writes in copy.writeChunk pieces', () => {
    const size = 200_000
    for (const [read, write, reads, writesN] of [
      [1024 * 1024, 64 * 1024, 1, 4],
      [64 * 1024, 16 * 1024, 4, 13],
    ] as const) {
      const tm = testMachine({ settings: { 'copy.readChunk': read, 'copy.writeChunk': write } })
      tm.make({ 'C:\\big.bin': pattern(size) })
      tm.clearTrace()
      tm.run((env) => CopyFile2(env, 'C:\\big.bin', 'C:\\copy.bin'))
      const r = writes(tm, 'C:\\big.bin', 'IRP_MJ_READ')
      const w = writes(tm, 'C:\\copy.bin')
      expect(r.length, `reads of ${read}`).toBe(reads)
      expect(w.length, `writes of ${write}`).toBe(writesN)
      expect(r[0]!.params['Length']).toBe(Math.min(read, size))
      expect(w[0]!.params['Length']).toBe(write)
      expect(w.map((e) => e.params['ByteOffset'])).toEqual(Array.from({ length: writesN }, (_, i) => i * write))
      expect(same(tm.read('C:\\copy.bin'), pattern(size))).toBe(true)
    }
  })
  it('tries FSCTL_OFFLOAD_READ once per process and volume, and not at all when switched off', () => {
    const tm = testMachine()
    tm.make({ 'C:\\a.bin': pattern(100), 'C:\\b.bin': pattern(100) })
    tm.clearTrace()
    tm.run(function* (env) {
      yield* CopyFile2(env, 'C:\\a.bin', 'C:\\a2.bin')
      yield* CopyFile2(env, 'C:\\b.bin', 'C:\\b2.bin')
    })
    const fsctl = () => tm.trace().filter((e) => e.op === 'IRP_MJ_FILE_SYSTEM_CONTROL' && e.phase === 'dispatch' && e.minor === 'FSCTL_OFFLOAD_READ')
    expect(fsctl().length).toBe(1)
    // another process remembers nothing
    tm.run((env) => CopyFile2(env, 'C:\\a.bin', 'C:\\a3.bin'), 'robocopy.exe')
    expect(fsctl().length).toBe(2)
    const off = testMachine({ settings: { 'copy.offloadRead': false } })
    off.make({ 'C:\\a.bin': pattern(100) })
    off.run((env) => CopyFile2(env, 'C:\\a.bin', 'C:\\a2.bin'))
    expect(off.trace().some((e) => e.minor === 'FSCTL_OFFLOAD_READ')).toBe(false)
  })
  it('pre-allocates unless copy.preallocate is off or COPY_FILE_DISABLE_PRE_ALLOCATION is given', () => {
    const tm = testMachine()
    tm.make({ 'C:\\a.bin': pattern(5000) })
    tm.clearTrace()
    tm.run((env) => CopyFile2(env, 'C:\\a.bin', 'C:\\b.bin', { CopyFlags: COPY_FILE.COPY_FILE_DISABLE_PRE_ALLOCATION }))
    expect(tm.trace().some((e) => e.minor === 'FileEndOfFileInformation')).toBe(false)
    const off = testMachine({ settings: { 'copy.preallocate': false } })
    off.make({ 'C:\\a.bin': pattern(5000) })
    off.run((env) => CopyFile2(env, 'C:\\a.bin', 'C:\\b.bin'))
    expect(off.trace().some((e) => e.minor === 'FileEndOfFileInformation')).toBe(false)
    expect(same(off.read('C:\\b.bin'), pattern(5000))).toBe(true)
  })
  it('reports COPYFILE2 progress for the data stream and each named stream, and copies streams and EAs', () => {
    const tm = testMachine({ settings: { 'copy.readChunk': 4096 } })
    tm.make({ 'C:\\s.txt': pattern(5000), 'C:\\s.txt:meta': 'named stream' })
    tm.quietly(function* (env) {
      const h = yield* nt.NtCreateFile(env.io, { FileName: '\\??\\C:\\s.txt', DesiredAccess: ACCESS.FILE_WRITE_EA | ACCESS.SYNCHRONIZE, ShareAccess: 7, CreateDisposition: D.FILE_OPEN, CreateOptions: O.FILE_SYNCHRONOUS_IO_NONALERT })
      yield* nt.NtSetEaFile(env.io, { FileHandle: h.handle!, Buffer: encodeFullEaList([{ Name: 'COLOR', Value: new TextEncoder().encode('blue') }]) })
      yield* nt.NtClose(env.io, { Handle: h.handle! })
    })
    const msgs: CopyMessage[] = []
    tm.run((env) => CopyFile2(env, 'C:\\s.txt', 'C:\\t.txt', { ProgressRoutine: (m) => (msgs.push(m), A.COPYFILE2_PROGRESS_CONTINUE) }))
    expect(msgs.map((m) => `${m.Type.replace('COPYFILE2_CALLBACK_', '')} ${m.StreamNumber} ${m.TotalBytesTransferred}/${m.TotalFileSize}`)).toEqual([
      'STREAM_STARTED 1 0/5012',
      'CHUNK_STARTED 1 0/5012',
      'CHUNK_FINISHED 1 4096/5012',
      'CHUNK_STARTED 1 4096/5012',
      'CHUNK_FINISHED 1 5000/5012',
      'STREAM_FINISHED 1 5000/5012',
      'STREAM_STARTED 2 5000/5012',
      'CHUNK_STARTED 2 5000/5012',
      'CHUNK_FINISHED 2 5012/5012',
      'STREAM_FINISHED 2 5012/5012',
    ])
    expect(new TextDecoder().decode(tm.read('C:\\t.txt:meta'))).toBe('named stream')
    const eas = tm.quietly(function* (env) {
      const h = yield* nt.NtCreateFile(env.io, { FileName: '\\??\\C:\\t.txt', DesiredAccess: ACCESS.FILE_READ_EA | ACCESS.SYNCHRONIZE, ShareAccess: 7, CreateDisposition: D.FILE_OPEN, CreateOptions: O.FILE_SYNCHRONOUS_IO_NONALERT })
      const q = yield* nt.NtQueryEaFile(env.io, { FileHandle: h.handle!, Length: 4096, RestartScan: true })
      yield* nt.NtClose(env.io, { Handle: h.handle! })
      return decodeFullEaList(q.buffer!).map((e) => `${e.Name}=${new TextDecoder().decode(e.Value)}`)
    })
    expect(eas).toEqual(['COLOR=blue'])
    // the EAs travel in the destination's create (CreateFileW's template-file behaviour)
    const dstCreate = tm.trace().find((e) => e.op === 'IRP_MJ_CREATE' && e.phase === 'dispatch' && e.path === 'C:\\t.txt' && e.params['CreateDisposition'] === D.FILE_OVERWRITE_IF)
    expect(dstCreate).toBeDefined()
  })
})
