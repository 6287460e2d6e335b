// Process Monitor shows what a volume query answered (capture excerpt_win10-1709_explorer_…:
// "VolumeCreationTime: …, VolumeSerialNumber: A85A-5794, SupportsObjects: True, VolumeLabel: ").

import { describe, expect, it } from 'vitest'
import { Machine } from '../machine.ts'
import { ntfsVolume } from '../volumes.ts'
import { ACCESS } from '../nt/access.ts'
import { CREATE_DISPOSITION, CREATE_OPTIONS } from '../nt/file.ts'
import { NtClose, NtCreateFile, NtQueryVolumeInformationFile } from './services/index.ts'

describe('volume queries in the trace', () => {
  it('carry the answer, so the Detail reads as Procmon\'s', () => {
    const m = Machine.create({ seed: 1, strategy: 'run-to-block', volumes: [{ letter: 'C:', mount: ntfsVolume({ kind: 'memory', sizeBytes: 64 * 1024 * 1024 }) }] })
    m.boot()
    let done = false
    const p = m.process('explorer.exe')
    const t = m.ke.createThread(p, 'main', function* () {
      const h = yield* NtCreateFile(m.io, { FileName: '\\??\\C:\\', DesiredAccess: ACCESS.SYNCHRONIZE, ShareAccess: 3, CreateDisposition: CREATE_DISPOSITION.FILE_OPEN, CreateOptions: CREATE_OPTIONS.FILE_DIRECTORY_FILE | CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_NONALERT })
      yield* NtQueryVolumeInformationFile(m.io, { FileHandle: h.handle!, FsInformationClass: 1, Length: 280 })
      yield* NtQueryVolumeInformationFile(m.io, { FileHandle: h.handle!, FsInformationClass: 5, Length: 280 })
      yield* NtClose(m.io, { Handle: h.handle! })
      done = true
    })
    m.registerThread(p, t.tid)
    m.ke.runUntil(() => done, { deadline: m.ke.now + 60 * 10_000_000 })
    const q = m.trace.events.filter((e) => e.at === 'fs' && e.phase === 'complete' && e.op === 'IRP_MJ_QUERY_VOLUME_INFORMATION')
    expect(q.map((e) => e.procmon)).toEqual(['QueryInformationVolume', 'QueryAttributeInformationVolume'])
    expect(q[0]!.detail).toMatch(/^VolumeCreationTime: \d+\/\d+\/\d{4} \d+:\d\d:\d\d [AP]M, VolumeSerialNumber: [0-9A-F]{4}-[0-9A-F]{4}, SupportsObjects: True, VolumeLabel: /)
    expect(q[1]!.detail).toMatch(/FileSystemName: NTFS$/)
    expect(q[1]!.detail).toMatch(/^FileSystemAttributes: Case Preserved, Case Sensitive, Unicode/)
  })
})
