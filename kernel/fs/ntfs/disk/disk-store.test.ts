// On-disk store behaviour beyond the shared conformance checks: atomic units that fail leave
// nothing behind, security ids through $Secure, duplicated information in directory entries,
// read-only mounts, sparse and compressed streams from other drivers, the disk trace.

import { describe, it, expect, afterAll } from 'vitest'
import { execFileSync } from 'node:child_process'
import { openDiskStore } from './disk-store.ts'
import { NameSpace, StoreError } from '../store.ts'
import { TempImages } from './test-volume.ts'
import { stdInfo } from './store-conformance.ts'
import { runCheck } from './check/index.ts'
import { inheritedSd, ROOT_SD, SYSTEM_FILE_SD_RO } from './security.ts'
import { ATTR, ATTR_IS_SPARSE, ATTR_IS_COMPRESSED } from './layout.ts'
import { SPARSE } from './runlist.ts'
import type { NonResidentAttr } from './attribute.ts'
import type { DiskTraceEvent } from '../../../disk/device.ts'

const images = new TempImages()
afterAll(() => images.cleanup())

const tool = (name: string, args: string[]): string => execFileSync(name, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

function file(s: ReturnType<typeof openDiskStore>, name: string, parent = 5): number {
  const r = s.createRecord({ isDirectory: false, std: stdInfo(), name: { parent, name, nameSpace: NameSpace.Win32 } })
  s.createStream(r.record, '')
  return r.record
}

describe('disk store', () => {
  it('undoes every change of an atomic unit that throws', () => {
    const img = images.formatted()
    const s = openDiskStore(img)
    const keep = file(s, 'keep.txt')
    s.writeStream(keep, '', 0, new Uint8Array(50_000).fill(1))
    const free = s.freeClusters()
    expect(() =>
      s.atomic(() => {
        const d = s.createRecord({ isDirectory: true, std: stdInfo(0x10), name: { parent: 5, name: 'half done', nameSpace: NameSpace.Win32 } })
        for (let i = 0; i < 40; i++) file(s, `inner ${i}`, d.record)
        s.setStreamSizes(keep, '', { size: 10 })
        s.setEas(keep, [{ name: 'X', value: new Uint8Array(3), flags: 0 }])
        file(s, 'keep.txt') // duplicate: the unit fails here
      }),
    ).toThrow(StoreError)
    expect(s.lookup(5, 'half done')).toBeUndefined()
    expect(s.readRecord(keep)!.streams[0]!.size).toBe(50_000)
    expect(s.readRecord(keep)!.eas).toEqual([])
    expect(s.freeClusters()).toBe(free)
    // and the volume goes on working
    file(s, 'after.txt')
    s.close()
    expect(runCheck(img).lines.join('\n')).toMatch(/no problems found/)
  })

  it('undoes a failed call inside a unit and keeps the rest of the unit', () => {
    const img = images.formatted()
    const s = openDiskStore(img)
    const free = s.freeClusters()
    s.atomic(() => {
      file(s, 'outer.txt')
      // the record is allocated and written before the duplicate name is found
      expect(() => file(s, 'OUTER.TXT'.toLowerCase().replace('outer', 'outer'))).toThrow(StoreError)
      const big = file(s, 'too big.bin')
      expect(() => s.writeStream(big, '', 0, new Uint8Array(64 * 1024 * 1024))).toThrow(/disk full/)
      expect(s.readRecord(big)!.streams[0]!.size).toBe(0)
      file(s, 'outer2.txt')
    })
    expect([...s.list(5)].map((e) => e.name).filter((n) => !n.startsWith('$') && n !== '.')).toEqual(['outer.txt', 'outer2.txt', 'too big.bin'])
    expect(free - s.freeClusters()).toBeLessThan(32)
    s.close()
    expect(runCheck(img).lines.join('\n')).toMatch(/no problems found/)
  })

  it('finds or adds security descriptors in $Secure', () => {
    const img = images.formatted()
    const s = openDiskStore(img)
    expect(s.securityIdFor(SYSTEM_FILE_SD_RO)).toBe(0x100)
    expect(s.securityIdFor(ROOT_SD)).toBe(0x102)
    const a = s.securityIdFor(inheritedSd(false))
    const b = s.securityIdFor(inheritedSd(true))
    expect([a, b]).toEqual([0x103, 0x104])
    expect(s.securityIdFor(inheritedSd(false))).toBe(0x103)
    expect(s.securityDescriptor(0x104)).toEqual(inheritedSd(true))
    expect(s.securityDescriptor(0x999)).toBeUndefined()
    s.close()
    const again = openDiskStore(img)
    expect(again.securityIdFor(inheritedSd(true))).toBe(0x104)
    again.close()
    expect(runCheck(img).lines.join('\n')).toMatch(/no problems found/)
  })

  it('refreshes the sizes and times in directory entries by the next flush', () => {
    const img = images.formatted()
    const s = openDiskStore(img)
    const f = file(s, 'grows.bin')
    s.writeStream(f, '', 0, new Uint8Array(123_456))
    s.setStandardInfo(f, { lastWriteTime: 133_000_000_000_000_000n })
    s.flush()
    expect(tool('ntfsls', ['-l', img])).toMatch(/\s123456 .* grows\.bin/)
    s.close()
  })

  it('a read-only mount reads but refuses changes, and never writes', () => {
    const img = images.formatted()
    const w = openDiskStore(img)
    file(w, 'present.txt')
    w.close()
    const s = openDiskStore(img, { readOnly: true })
    const writes: DiskTraceEvent[] = []
    s.volume.dev.setListener((e) => e.op !== 'read' && writes.push(e))
    expect(s.lookup(5, 'PRESENT.TXT')).toBeDefined()
    expect(() => file(s, 'new.txt')).toThrow(/read-only/)
    s.flush()
    s.close()
    expect(writes).toEqual([])
  })

  it('reports disk transfers with their purpose', () => {
    const s = openDiskStore(images.formatted())
    const events: DiskTraceEvent[] = []
    s.volume.dev.setListener((e) => events.push(e))
    const f = file(s, 'traced.bin')
    s.writeStream(f, '', 0, new Uint8Array(8192).fill(9))
    s.flush()
    const purposes = new Set(events.map((e) => `${e.op}:${e.purpose}`))
    expect(purposes).toContain('write:data')
    expect(purposes).toContain('write:journal')
    expect(purposes).toContain('write:journal-apply')
    expect(purposes).toContain('flush:journal')
    s.close()
  })

  it('writes into the holes of a sparse stream and refuses compressed ones', () => {
    const img = images.formatted()
    const s = openDiskStore(img)
    const f = file(s, 'sparse.bin')
    s.writeStream(f, '', 0, new Uint8Array(8192).fill(5))
    // make it look like another driver's sparse file: 2 clusters of data, 8 of hole
    const vol = s.volume
    s.atomic(() => {
      const inode = vol.loadInode(f)!
      const data = inode.find(ATTR.DATA) as NonResidentAttr
      data.runs.push({ vcn: 2, lcn: SPARSE, length: 8 })
      data.flags |= ATTR_IS_SPARSE
      data.compressedSize = 8192
      data.allocatedSize = 10 * 4096
      data.dataSize = data.initializedSize = 10 * 4096
      vol.saveInode(inode)
    })
    s.setStandardInfo(f, { fileAttributes: 0x220 }) // FILE_ATTRIBUTE_SPARSE_FILE, as the attribute says
    expect(s.readStream(f, '', 4096, 8192)).toEqual(new Uint8Array(8192).fill(5, 0, 4096))
    s.writeStream(f, '', 5 * 4096 + 100, new Uint8Array(10).fill(7))
    const expected = new Uint8Array(10 * 4096)
    expected.fill(5, 0, 8192)
    expected.fill(7, 5 * 4096 + 100, 5 * 4096 + 110)
    expect(Buffer.from(s.readStream(f, '', 0, 10 * 4096)).equals(Buffer.from(expected))).toBe(true)
    s.close()
    expect(execFileSync('ntfscat', [img, '/sparse.bin']).equals(Buffer.from(expected))).toBe(true)
    const again = openDiskStore(img)
    const g = again.lookup(5, 'sparse.bin')!.record
    again.atomic(() => {
      const inode = again.volume.loadInode(g)!
      ;(inode.find(ATTR.DATA) as NonResidentAttr).flags |= ATTR_IS_COMPRESSED
      again.volume.saveInode(inode)
    })
    expect(() => again.readStream(g, '', 0, 10)).toThrow(/compressed on disk/)
    again.close()
  })
})
