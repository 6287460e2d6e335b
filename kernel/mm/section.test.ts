import { describe, expect, it } from 'vitest'
import { brief, pattern, sameBytes, SECOND, TestMachine } from '../cc/test-machine.ts'
import * as sec from '../io/services/section.ts'
import * as nt from '../io/services/index.ts'
import { ACCESS } from '../nt/access.ts'
import { PAGE, SEC, SECTION_ACCESS } from '../nt/file.ts'
import { STATUS } from '../nt/status.ts'
import { MM_STATUS } from './section.ts'

const MAP_RW = SECTION_ACCESS.SECTION_MAP_READ | SECTION_ACCESS.SECTION_MAP_WRITE

function section(t: TestMachine, process: string, file: number, protection: number, o: { size?: number; attributes?: number; access?: number } = {}) {
  return t.call(process, () =>
    sec.NtCreateSection(t.machine.io, { FileHandle: file, DesiredAccess: o.access ?? MAP_RW, MaximumSize: o.size, SectionPageProtection: protection, AllocationAttributes: o.attributes ?? SEC.SEC_COMMIT }),
  )
}

function map(t: TestMachine, process: string, s: number, protection: number, offset?: number) {
  return t.call(process, () => sec.NtMapViewOfSection(t.machine.io, { SectionHandle: s, Win32Protect: protection, SectionOffset: offset }))
}

describe('sections', () => {
  it('CreateFileMapping: the section synchronization pair with the file system\'s answer, then a SyncTypeOther pair', () => {
    const t = new TestMachine()
    t.prepare('note.txt', 129)
    const r = t.open('notepad.exe', 'note.txt', { access: ACCESS.GENERIC_READ })
    const start = t.lastSeq()
    const s = section(t, 'notepad.exe', r, PAGE.PAGE_READONLY, { access: SECTION_ACCESS.SECTION_MAP_READ })
    expect(s.status).toBe(STATUS.STATUS_SUCCESS)
    const ev = t.trace.filter((e) => e.seq > start && e.at === 'fs' && e.phase === 'complete')
    expect(ev.map((e) => `${e.procmon} ${e.status}`)).toEqual([
      'CreateFileMapping STATUS_FILE_LOCKED_WITH_ONLY_READERS',
      'QueryStandardInformationFile STATUS_SUCCESS',
      'FASTIO_RELEASE_FOR_SECTION_SYNCHRONIZATION STATUS_SUCCESS',
      // the SyncTypeOther pair has nothing inside (Win10 1709 capture rows 32095-32097)
      'CreateFileMapping STATUS_SUCCESS',
      'FASTIO_RELEASE_FOR_SECTION_SYNCHRONIZATION STATUS_SUCCESS',
    ])
    expect(ev[0]!.detail).toBe('SyncType: SyncTypeCreateSection, PageProtection: PAGE_READONLY')
    expect(ev[3]!.detail).toBe('SyncType: SyncTypeOther')
    expect(ev.every((e) => e.process === 'notepad.exe')).toBe(true)
    // a file open for writing answers WITH_WRITERS
    const w = t.open('app.exe', 'note.txt')
    const s2 = t.lastSeq()
    expect(section(t, 'app.exe', w, PAGE.PAGE_READWRITE).status).toBe(STATUS.STATUS_SUCCESS)
    expect(t.trace.find((e) => e.seq > s2 && e.procmon === 'CreateFileMapping' && e.phase === 'complete')!.status).toBe('STATUS_FILE_LOCKED_WITH_WRITERS')
  })

  it('maps views whose reads are page faults: synchronous paging reads in the faulting thread, clustered', () => {
    const t = new TestMachine()
    const data = t.prepare('map.bin', 128 * 1024)
    const f = t.open('app.exe', 'map.bin')
    const s = section(t, 'app.exe', f, PAGE.PAGE_READWRITE).handle!
    const v = map(t, 'app.exe', s, PAGE.PAGE_READWRITE)
    expect(v.status).toBe(STATUS.STATUS_SUCCESS)
    expect(v.viewSize).toBe(128 * 1024)
    const start = t.lastSeq()
    const r = t.call('app.exe', () => sec.NtReadVirtualMemory(t.machine.io, { BaseAddress: v.baseAddress! + 40000, NumberOfBytesToRead: 100 }))
    expect(sameBytes(r.data, data.subarray(40000, 40100))).toBe(true)
    const reads = t.fsOps(start)
    expect(reads.map(brief)).toEqual(['app.exe IRP_MJ_READ [IRP_NOCACHE,IRP_PAGING_IO,IRP_SYNCHRONOUS_PAGING_IO]'])
    expect(reads[0]!.params).toMatchObject({ ByteOffset: 36864, Length: 32768 })
    // resident now: no I/O
    const s2 = t.lastSeq()
    t.call('app.exe', () => sec.NtReadVirtualMemory(t.machine.io, { BaseAddress: v.baseAddress! + 36864, NumberOfBytesToRead: 32768 }))
    expect(t.fsOps(s2)).toEqual([])
    // outside the view: an access violation
    expect(t.call('app.exe', () => sec.NtReadVirtualMemory(t.machine.io, { BaseAddress: v.baseAddress! + 128 * 1024, NumberOfBytesToRead: 1 })).status).toBe(STATUS.STATUS_ACCESS_VIOLATION)
  })

  it('the mapped page writer writes modified pages: ACQUIRE_FOR_MOD_WRITE, an asynchronous paging write from System, RELEASE', () => {
    const t = new TestMachine({ settings: { mappedPageWriterIntervalMs: 1000 } })
    t.prepare('db-shm', 32768)
    const f = t.open('svchost.exe', 'db-shm')
    const s = section(t, 'svchost.exe', f, PAGE.PAGE_READWRITE).handle!
    const v = map(t, 'svchost.exe', s, PAGE.PAGE_READWRITE)
    const start = t.lastSeq()
    expect(t.call('svchost.exe', () => sec.NtWriteVirtualMemory(t.machine.io, { BaseAddress: v.baseAddress! + 16384, Data: pattern(16384, 7) })).status).toBe(STATUS.STATUS_SUCCESS)
    expect(t.fsOps(start).filter((e) => e.op === 'IRP_MJ_WRITE')).toEqual([])
    t.wait(SECOND + 1000)
    const ops = t.fsOps(start).filter((e) => e.process === 'System')
    expect(ops.map(brief)).toEqual(['System IRP_MJ_ACQUIRE_FOR_MOD_WRITE', 'System IRP_MJ_WRITE [IRP_NOCACHE,IRP_PAGING_IO]', 'System IRP_MJ_RELEASE_FOR_MOD_WRITE'])
    expect(ops[0]!.params).toEqual({ EndingOffset: 32768 })
    expect(ops[0]!.detail).toBe('EndingOffset: 32,768')
    expect(ops[1]!.params).toMatchObject({ ByteOffset: 16384, Length: 16384 })
    expect(sameBytes(t.onDisk('db-shm')!.subarray(16384), pattern(16384, 7))).toBe(true)
  })

  it('FlushViewOfFile writes the view\'s modified pages now, in the caller\'s thread', () => {
    const t = new TestMachine({ settings: { mappedPageWriterIntervalMs: 60000 } })
    t.prepare('fv.bin', 8192)
    const f = t.open('app.exe', 'fv.bin')
    const s = section(t, 'app.exe', f, PAGE.PAGE_READWRITE).handle!
    const v = map(t, 'app.exe', s, PAGE.PAGE_READWRITE)
    t.call('app.exe', () => sec.NtWriteVirtualMemory(t.machine.io, { BaseAddress: v.baseAddress!, Data: new TextEncoder().encode('mapped') }))
    const start = t.lastSeq()
    expect(t.call('app.exe', () => sec.NtFlushVirtualMemory(t.machine.io, { BaseAddress: v.baseAddress! })).status).toBe(STATUS.STATUS_SUCCESS)
    expect(t.fsOps(start).map(brief)).toEqual([
      'app.exe IRP_MJ_ACQUIRE_FOR_CC_FLUSH',
      'app.exe IRP_MJ_WRITE [IRP_NOCACHE,IRP_PAGING_IO,IRP_SYNCHRONOUS_PAGING_IO]',
      'app.exe IRP_MJ_RELEASE_FOR_CC_FLUSH',
    ])
    expect(new TextDecoder().decode(t.onDisk('fv.bin')!.subarray(0, 6))).toBe('mapped')
  })

  it('views and the cache share the file\'s pages: a mapped write is seen by ReadFile, a cached write by the view', () => {
    const t = new TestMachine()
    t.prepare('shared.bin', 16384)
    const f = t.open('app.exe', 'shared.bin')
    const s = section(t, 'app.exe', f, PAGE.PAGE_READWRITE).handle!
    const v = map(t, 'app.exe', s, PAGE.PAGE_READWRITE)
    t.call('app.exe', () => sec.NtWriteVirtualMemory(t.machine.io, { BaseAddress: v.baseAddress! + 10, Data: new TextEncoder().encode('via view') }))
    expect(new TextDecoder().decode(t.read('app.exe', f, 10, 8).data)).toBe('via view')
    t.write('app.exe', f, 5000, 'via cache')
    const r = t.call('app.exe', () => sec.NtReadVirtualMemory(t.machine.io, { BaseAddress: v.baseAddress! + 5000, NumberOfBytesToRead: 9 }))
    expect(new TextDecoder().decode(r.data)).toBe('via cache')
  })

  it('a mapped file cannot shrink or be overwritten (STATUS_USER_MAPPED_FILE); the close waits for the section and its views', () => {
    const t = new TestMachine()
    t.prepare('busy.bin', 16384)
    const f = t.open('app.exe', 'busy.bin', { share: 7 })
    const s = section(t, 'app.exe', f, PAGE.PAGE_READONLY, { access: SECTION_ACCESS.SECTION_MAP_READ }).handle!
    const v = map(t, 'app.exe', s, PAGE.PAGE_READONLY)
    expect(t.setEof('app.exe', f, 100)).toBe(STATUS.STATUS_USER_MAPPED_FILE)
    expect(t.setEof('app.exe', f, 20000)).toBe(STATUS.STATUS_SUCCESS)
    const o = t.call('other.exe', () => nt.NtCreateFile(t.machine.io, { FileName: '\\??\\C:\\busy.bin', DesiredAccess: ACCESS.GENERIC_WRITE | ACCESS.SYNCHRONIZE, ShareAccess: 7, CreateDisposition: 5, CreateOptions: 0x20 }))
    expect(o.status).toBe(STATUS.STATUS_USER_MAPPED_FILE)
    // nor be deleted while a user section or view references it (MmFlushImageSection for delete)
    const del = new Uint8Array([1])
    const d = t.call('other.exe', () => nt.NtCreateFile(t.machine.io, { FileName: '\\??\\C:\\busy.bin', DesiredAccess: ACCESS.DELETE | ACCESS.SYNCHRONIZE, ShareAccess: 7, CreateDisposition: 1, CreateOptions: 0x20 }))
    expect(t.call('other.exe', () => nt.NtSetInformationFile(t.machine.io, { FileHandle: d.handle!, FileInformationClass: 13, FileInformation: del })).status).toBe(STATUS.STATUS_CANNOT_DELETE)
    t.close('other.exe', d.handle!)
    // a read-only view cannot write
    expect(t.call('app.exe', () => sec.NtWriteVirtualMemory(t.machine.io, { BaseAddress: v.baseAddress!, Data: new Uint8Array(1) })).status).toBe(STATUS.STATUS_ACCESS_VIOLATION)
    const start = t.lastSeq()
    t.close('app.exe', f)
    t.close('app.exe', s)
    t.wait(SECOND)
    expect(t.fsOps(start).map((e) => e.op)).toEqual(['IRP_MJ_CLEANUP'])
    t.call('app.exe', () => sec.NtUnmapViewOfSection(t.machine.io, { BaseAddress: v.baseAddress! }))
    t.wait(SECOND)
    expect(t.fsOps(start).map((e) => `${e.process} ${e.op}`)).toEqual(['app.exe IRP_MJ_CLEANUP', 'app.exe IRP_MJ_CLOSE'])
  })

  it('checks sizes, protections and alignment as MmCreateSection and MmMapViewOfSection do', () => {
    const t = new TestMachine()
    t.prepare('small.bin', 100)
    const ro = t.open('app.exe', 'small.bin', { access: ACCESS.GENERIC_READ })
    const rw = t.open('app.exe', 'small.bin')
    const empty = t.open('app.exe', 'empty.bin', { disposition: 5 })
    expect(section(t, 'app.exe', empty, PAGE.PAGE_READONLY).status).toBe(STATUS.STATUS_MAPPED_FILE_SIZE_ZERO)
    expect(section(t, 'app.exe', ro, PAGE.PAGE_READWRITE).status).toBe(STATUS.STATUS_ACCESS_DENIED)
    expect(section(t, 'app.exe', ro, PAGE.PAGE_READONLY, { size: 8192 }).status).toBe(STATUS.STATUS_SECTION_TOO_BIG)
    // a writable section larger than the file extends it
    const start = t.lastSeq()
    const big = section(t, 'app.exe', rw, PAGE.PAGE_READWRITE, { size: 8192 })
    expect(big.status).toBe(STATUS.STATUS_SUCCESS)
    expect(t.fsOps(start).some((e) => e.op === 'IRP_MJ_SET_INFORMATION' && e.minor === 'FileEndOfFileInformation')).toBe(true)
    expect(t.onDisk('small.bin')!.length).toBe(8192)
    const roSec = section(t, 'app.exe', ro, PAGE.PAGE_READONLY, { access: SECTION_ACCESS.SECTION_MAP_READ }).handle!
    expect(map(t, 'app.exe', roSec, PAGE.PAGE_READWRITE).status).toBe(STATUS.STATUS_ACCESS_DENIED)
    const rwSec = section(t, 'app.exe', rw, PAGE.PAGE_READONLY).handle!
    expect(map(t, 'app.exe', rwSec, PAGE.PAGE_READWRITE).status).toBe(MM_STATUS.STATUS_SECTION_PROTECTION)
    expect(map(t, 'app.exe', big.handle!, PAGE.PAGE_READWRITE, 4096).status).toBe(MM_STATUS.STATUS_MAPPED_ALIGNMENT)
    expect(map(t, 'app.exe', big.handle!, PAGE.PAGE_READWRITE, 65536).status).toBe(STATUS.STATUS_INVALID_VIEW_SIZE)
    expect(section(t, 'app.exe', rw, 0x12345).status).toBe(STATUS.STATUS_INVALID_PAGE_PROTECTION)
    // a copy-on-write view writes privately
    const cow = map(t, 'app.exe', rwSec, PAGE.PAGE_WRITECOPY)
    expect(t.call('app.exe', () => sec.NtWriteVirtualMemory(t.machine.io, { BaseAddress: cow.baseAddress!, Data: new TextEncoder().encode('private') })).status).toBe(STATUS.STATUS_SUCCESS)
    expect(new TextDecoder().decode(t.call('app.exe', () => sec.NtReadVirtualMemory(t.machine.io, { BaseAddress: cow.baseAddress!, NumberOfBytesToRead: 7 })).data)).toBe('private')
    expect(sameBytes(t.read('app.exe', rw, 0, 7).data, pattern(7))).toBe(true)
  })

  it('image sections: a file without an MZ header is refused; an image view reads with non-cached paging reads', () => {
    const t = new TestMachine()
    t.prepare('data.bin', 4096)
    const d = t.open('explorer.exe', 'data.bin', { access: ACCESS.GENERIC_READ | ACCESS.GENERIC_EXECUTE })
    expect(section(t, 'explorer.exe', d, PAGE.PAGE_EXECUTE_READ, { attributes: SEC.SEC_IMAGE, access: SECTION_ACCESS.SECTION_MAP_READ }).status).toBe(MM_STATUS.STATUS_INVALID_IMAGE_NOT_MZ)
    const h = t.open('setup.exe', 'tool.dll', { disposition: 5 })
    const body = pattern(20000)
    body[0] = 0x4d
    body[1] = 0x5a
    t.write('setup.exe', h, 0, body)
    t.close('setup.exe', h)
    t.wait(30 * SECOND)
    const x = t.open('explorer.exe', 'tool.dll', { access: ACCESS.GENERIC_READ | ACCESS.GENERIC_EXECUTE })
    const s = section(t, 'explorer.exe', x, PAGE.PAGE_EXECUTE_READ, { attributes: SEC.SEC_IMAGE, access: SECTION_ACCESS.SECTION_ALL_ACCESS })
    expect(s.status).toBe(STATUS.STATUS_SUCCESS)
    expect(map(t, 'explorer.exe', s.handle!, PAGE.PAGE_EXECUTE_READWRITE).status).toBe(MM_STATUS.STATUS_SECTION_PROTECTION)
    const v = map(t, 'explorer.exe', s.handle!, PAGE.PAGE_EXECUTE_READ)
    const start = t.lastSeq()
    const r = t.call('explorer.exe', () => sec.NtReadVirtualMemory(t.machine.io, { BaseAddress: v.baseAddress! + 8192, NumberOfBytesToRead: 10 }))
    expect(sameBytes(r.data, body.subarray(8192, 8202))).toBe(true)
    expect(t.fsOps(start).map(brief)).toEqual(['explorer.exe IRP_MJ_READ [IRP_NOCACHE,IRP_PAGING_IO]'])
  })
})
