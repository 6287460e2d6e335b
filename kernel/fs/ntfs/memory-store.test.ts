import { describe, expect, it } from 'vitest'
import { createMemoryStore } from './memory-store.ts'
import { NameSpace, StoreError, type NtfsStore, type StandardInfo } from './store.ts'

const T0 = 133_000_000_000_000_000n
const MiB = 1024 * 1024

function std(attrs = 0x20): StandardInfo {
  return { creationTime: T0, lastWriteTime: T0, changeTime: T0, lastAccessTime: T0, fileAttributes: attrs, securityId: 0x100, ownerId: 0, usn: 0n }
}

function fresh(sizeBytes = 64 * MiB): NtfsStore {
  return createMemoryStore({ sizeBytes, label: 'TEST', serialNumber: 0x1234_5678_9abc_def0n, time: T0 })
}

function file(s: NtfsStore, name: string, parent = s.rootRecord, isDirectory = false): number {
  const r = s.createRecord({ isDirectory, std: std(isDirectory ? 0x10 : 0x20), name: { parent, name, nameSpace: NameSpace.Win32 } })
  if (!isDirectory) s.createStream(r.record, '')
  return r.record
}

function names(s: NtfsStore, dir: number, after?: string): string[] {
  return [...s.list(dir, after)].map((e) => e.name)
}

function storeError(fn: () => unknown): StoreError {
  try {
    fn()
  } catch (e) {
    if (e instanceof StoreError) return e
    throw e
  }
  throw new Error('expected a StoreError')
}

describe('memory store: a fresh volume looks like mkntfs formatted it', () => {
  it('geometry: 4 KiB clusters, 1 KiB records, the last sector kept for the backup boot sector', () => {
    const s = fresh()
    // mkntfs on a 64 MiB image: "Volume Size in Clusters: 16383"
    expect(s.geometry).toEqual({
      bytesPerSector: 512,
      bytesPerCluster: 4096,
      mftRecordSize: 1024,
      totalClusters: 16383,
      serialNumber: 0x1234_5678_9abc_def0n,
      version: '3.1',
    })
    expect(s.volumeLabel()).toBe('TEST')
  })

  it('free clusters equal what mkntfs leaves on 64 MiB and 1 GiB volumes', () => {
    // ntfsinfo -m after mkntfs: 15758 of 16383 and 260713 of 262143 clusters free
    expect(fresh(64 * MiB).freeClusters()).toBe(15758)
    expect(fresh(1024 * MiB).freeClusters()).toBe(260713)
  })

  it('root is record 5 with sequence 5, named "." and listing the metafiles in upcase order', () => {
    const s = fresh()
    expect(s.rootRecord).toBe(5)
    const root = s.readRecord(5)!
    expect(root.seq).toBe(5)
    expect(root.isDirectory).toBe(true)
    expect(root.names).toEqual([{ parent: 5, name: '.', nameSpace: NameSpace.Win32AndDos }])
    // ntfsls -a -i on a fresh mkntfs volume
    expect(names(s, 5)).toEqual([
      '$AttrDef', '$BadClus', '$Bitmap', '$Boot', '$Extend', '$LogFile', '$MFT', '$MFTMirr', '$Secure', '$UpCase', '$Volume', '.',
    ])
    expect(names(s, 11)).toEqual(['$ObjId', '$Quota', '$Reparse'])
    expect(s.lookup(5, '$mft')).toEqual({ name: '$MFT', nameSpace: NameSpace.Win32AndDos, record: 0, seq: 1 })
    expect(s.readRecord(2)!.seq).toBe(2)
    expect(s.readRecord(24)!.seq).toBe(1)
    expect(s.readRecord(20)).toBeUndefined()
  })

  it('$UpCase holds the real table and $LogFile has the size mkntfs gives it', () => {
    const s = fresh()
    const up = s.readStream(10, '', 0x61 * 2, 2)
    expect(up[0]! | (up[1]! << 8)).toBe(0x41) // 'a' → 'A'
    expect(s.readRecord(2)!.streams[0]!.size).toBe(2 * MiB) // 64 MiB volume: 2 MiB
    expect(fresh(1024 * MiB).readRecord(2)!.streams[0]!.size).toBe(5365760) // 1 GiB: volume / 200, cluster-aligned
  })

  it('rejects a volume too small to hold anything', () => {
    expect(storeError(() => createMemoryStore({ sizeBytes: 4096, time: T0 })).kind).toBe('invalid')
  })
})

describe('memory store: MFT records', () => {
  it('the first user file gets record 64, sequence 1 (mkntfs + ntfscp), then 65', () => {
    const s = fresh()
    const a = s.createRecord({ isDirectory: false, std: std(), name: { parent: 5, name: 'a.txt', nameSpace: NameSpace.Win32 } })
    expect(a.record).toBe(64)
    expect(a.seq).toBe(1)
    expect(file(s, 'b.txt')).toBe(65)
    expect(s.lookup(5, 'A.TXT')).toEqual({ name: 'a.txt', nameSpace: NameSpace.Win32, record: 64, seq: 1 })
  })

  it('a freed record is reused with its sequence number bumped', () => {
    const s = fresh()
    const a = file(s, 'a')
    file(s, 'b')
    s.removeName(a, 5, 'a')
    s.deleteRecord(a)
    expect(s.readRecord(a)).toBeUndefined()
    const c = s.createRecord({ isDirectory: false, std: std(), name: { parent: 5, name: 'c', nameSpace: NameSpace.Win32 } })
    expect(c.record).toBe(64)
    expect(c.seq).toBe(2)
    expect(s.lookup(5, 'c')!.seq).toBe(2)
  })

  it('deleting a record that still has names, a non-empty directory or a metafile is refused', () => {
    const s = fresh()
    const d = file(s, 'd', 5, true)
    const f = file(s, 'f', d)
    expect(storeError(() => s.deleteRecord(f)).kind).toBe('invalid')
    s.removeName(d, 5, 'd')
    expect(storeError(() => s.deleteRecord(d)).kind).toBe('invalid')
    expect(storeError(() => s.deleteRecord(3)).kind).toBe('invalid')
    expect(storeError(() => s.deleteRecord(999)).kind).toBe('not-found')
  })

  it('readRecord returns a copy: changing it does not change the volume', () => {
    const s = fresh()
    const f = file(s, 'x')
    const r = s.readRecord(f)!
    r.std.fileAttributes = 0x1
    expect(s.readRecord(f)!.std.fileAttributes).toBe(0x20)
    s.setStandardInfo(f, { fileAttributes: 0x21, lastWriteTime: T0 + 5n })
    expect(s.readRecord(f)!.std).toMatchObject({ fileAttributes: 0x21, lastWriteTime: T0 + 5n, creationTime: T0 })
  })

  it('createRecord refuses an exact duplicate name and a parent that is not a directory', () => {
    const s = fresh()
    const f = file(s, 'same')
    expect(storeError(() => file(s, 'same')).kind).toBe('invalid')
    expect(storeError(() => file(s, 'child', f)).kind).toBe('invalid')
  })
})

describe('memory store: directory index in COLLATION_FILE_NAME order', () => {
  it('orders by upcased UTF-16 code units: "_" (0x5F) sorts after letters, "a" with "A"', () => {
    const s = fresh()
    const d = file(s, 'dir', 5, true)
    for (const n of ['b', '_x', 'A1', 'a0', 'Z', '~', 'é', '0']) file(s, n, d)
    expect(names(s, d)).toEqual(['0', 'a0', 'A1', 'b', 'Z', '_x', '~', 'é'])
  })

  it('POSIX names differing only in case are distinct entries; lookup prefers the exact case', () => {
    const s = fresh()
    const d = file(s, 'dir', 5, true)
    const upper = s.createRecord({ isDirectory: false, std: std(), name: { parent: d, name: 'ABC', nameSpace: NameSpace.Posix } }).record
    const lower = s.createRecord({ isDirectory: false, std: std(), name: { parent: d, name: 'abc', nameSpace: NameSpace.Posix } }).record
    // case-insensitive ties break case-sensitively: 'ABC' (0x41) before 'abc' (0x61)
    expect(names(s, d)).toEqual(['ABC', 'abc'])
    expect(s.lookup(d, 'abc')!.record).toBe(lower)
    expect(s.lookup(d, 'ABC')!.record).toBe(upper)
    expect(s.lookup(d, 'Abc')!.record).toBe(upper)
    expect(s.lookup(d, 'abd')).toBeUndefined()
  })

  it('list(after) resumes after a name, whether or not it is still there', () => {
    const s = fresh()
    const d = file(s, 'dir', 5, true)
    for (const n of ['a', 'b', 'c', 'd']) file(s, n, d)
    expect(names(s, d, 'b')).toEqual(['c', 'd'])
    expect(names(s, d, 'B')).toEqual(['b', 'c', 'd'].slice(0)) // 'B' sorts before 'b'
    expect(names(s, d, 'bb')).toEqual(['c', 'd'])
    expect(names(s, d, 'd')).toEqual([])
  })

  it('hard links and 8.3 names are entries of their own; removeName removes exactly one', () => {
    const s = fresh()
    const d1 = file(s, 'd1', 5, true)
    const d2 = file(s, 'd2', 5, true)
    const f = file(s, 'Long File Name.txt', d1)
    s.addName(f, { parent: d1, name: 'LONGFI~1.TXT', nameSpace: NameSpace.Dos })
    s.addName(f, { parent: d2, name: 'link.txt', nameSpace: NameSpace.Win32 })
    expect(s.readRecord(f)!.names.map((n) => n.name)).toEqual(['Long File Name.txt', 'LONGFI~1.TXT', 'link.txt'])
    expect(names(s, d1)).toEqual(['Long File Name.txt', 'LONGFI~1.TXT'])
    expect(s.lookup(d1, 'longfi~1.txt')).toMatchObject({ record: f, nameSpace: NameSpace.Dos })
    s.removeName(f, d2, 'link.txt')
    expect(s.isEmptyDirectory(d2)).toBe(true)
    expect(storeError(() => s.removeName(f, d2, 'link.txt')).kind).toBe('not-found')
    expect(storeError(() => s.addName(f, { parent: d1, name: 'LONGFI~1.TXT', nameSpace: NameSpace.Dos })).kind).toBe('invalid')
  })

  it('a large directory costs index clusters that are returned when it is deleted', () => {
    const s = fresh()
    const before = s.freeClusters()
    const d = file(s, 'big', 5, true)
    const files: number[] = []
    for (let i = 0; i < 300; i++) files.push(file(s, `file number ${String(i).padStart(4, '0')}.dat`, d))
    const during = s.freeClusters()
    expect(during).toBeLessThan(before - 1) // INDX blocks plus MFT growth
    for (let i = 0; i < 300; i++) {
      s.removeName(files[i]!, d, `file number ${String(i).padStart(4, '0')}.dat`)
      s.deleteRecord(files[i]!)
    }
    expect(s.freeClusters()).toBe(during) // NTFS keeps the index allocation while the directory lives
    s.removeName(d, 5, 'big')
    s.deleteRecord(d)
    expect(s.freeClusters()).toBeGreaterThan(during)
  })
})

describe('memory store: streams, sizes and clusters', () => {
  it('small data is resident with an 8-byte-aligned allocation (NTFS AllocationSize of a resident file)', () => {
    const s = fresh()
    const f = file(s, 'small')
    const free = s.freeClusters()
    s.writeStream(f, '', 0, new Uint8Array([1, 2, 3]))
    expect(s.readRecord(f)!.streams[0]).toEqual({ name: '', size: 3, allocated: 8, validDataLength: 3, resident: true })
    expect(s.freeClusters()).toBe(free)
    expect([...s.readStream(f, '', 0, 100)]).toEqual([1, 2, 3])
  })

  it('data that no longer fits in the 1 KiB record goes non-resident for good, in whole clusters', () => {
    const s = fresh()
    const f = file(s, 'grow5') // 5-character name: 1024 - 56 header - 8 end - 96 std - 104 name - 24 data header = 736 bytes fit
    s.writeStream(f, '', 0, new Uint8Array(736))
    expect(s.readRecord(f)!.streams[0]!.resident).toBe(true)
    const free = s.freeClusters()
    s.writeStream(f, '', 736, new Uint8Array(1))
    expect(s.readRecord(f)!.streams[0]).toMatchObject({ size: 737, allocated: 4096, resident: false })
    expect(s.freeClusters()).toBe(free - 1)
    s.setStreamSizes(f, '', { size: 10 })
    expect(s.readRecord(f)!.streams[0]).toMatchObject({ size: 10, allocated: 4096, validDataLength: 10, resident: false })
    s.setStreamSizes(f, '', { size: 0 })
    expect(s.readRecord(f)!.streams[0]).toMatchObject({ size: 0, allocated: 0, resident: false })
    expect(s.freeClusters()).toBe(free)
  })

  it('extending the size keeps valid data length; the bytes past it read as zero', () => {
    const s = fresh()
    const f = file(s, 'vdl')
    s.writeStream(f, '', 0, new Uint8Array(5000).fill(7))
    s.setStreamSizes(f, '', { size: 10000 })
    expect(s.readRecord(f)!.streams[0]).toMatchObject({ size: 10000, validDataLength: 5000, allocated: 12288 })
    const tail = s.readStream(f, '', 4998, 4)
    expect([...tail]).toEqual([7, 7, 0, 0])
    // a write past valid data moves it to the write's end and the gap stays zero
    s.writeStream(f, '', 8000, new Uint8Array([9]))
    expect(s.readRecord(f)!.streams[0]!.validDataLength).toBe(8001)
    expect([...s.readStream(f, '', 7999, 3)]).toEqual([0, 9, 0])
  })

  it('truncating and re-extending does not bring old bytes back', () => {
    const s = fresh()
    const f = file(s, 't')
    s.writeStream(f, '', 0, new Uint8Array(9000).fill(1))
    s.setStreamSizes(f, '', { size: 100 })
    s.setStreamSizes(f, '', { size: 9000, validDataLength: 9000 })
    expect(s.readStream(f, '', 100, 8900).every((b) => b === 0)).toBe(true)
  })

  it('reads are clipped to the size; a write far out stores little and costs the clusters of its size', () => {
    const s = fresh(1024 * MiB)
    const f = file(s, 'far')
    const free = s.freeClusters()
    s.writeStream(f, '', 512 * MiB, new Uint8Array([5]))
    expect(s.readRecord(f)!.streams[0]).toMatchObject({ size: 512 * MiB + 1, validDataLength: 512 * MiB + 1 })
    expect(free - s.freeClusters()).toBe(131073)
    expect([...s.readStream(f, '', 512 * MiB - 1, 10)]).toEqual([0, 5])
    expect(s.readStream(f, '', 600 * MiB, 10).length).toBe(0)
  })

  it('an explicit allocation is kept and rounded to clusters; a smaller one than the size is refused', () => {
    const s = fresh()
    const f = file(s, 'alloc')
    s.setStreamSizes(f, '', { allocated: 10000 })
    expect(s.readRecord(f)!.streams[0]).toMatchObject({ size: 0, allocated: 12288, resident: false })
    s.writeStream(f, '', 0, new Uint8Array(100))
    expect(s.readRecord(f)!.streams[0]!.allocated).toBe(12288)
    expect(storeError(() => s.setStreamSizes(f, '', { allocated: 50 })).kind).toBe('invalid')
    expect(storeError(() => s.setStreamSizes(f, '', { validDataLength: 200 })).kind).toBe('invalid')
  })

  it('a full disk throws StoreError disk-full and changes nothing', () => {
    const s = fresh(8 * MiB)
    const f = file(s, 'fill')
    const free = s.freeClusters()
    const e = storeError(() => s.setStreamSizes(f, '', { size: (free + 1) * 4096 }))
    expect(e.kind).toBe('disk-full')
    expect(s.readRecord(f)!.streams[0]).toMatchObject({ size: 0, resident: true })
    expect(s.freeClusters()).toBe(free)
    s.setStreamSizes(f, '', { size: free * 4096 })
    expect(s.freeClusters()).toBe(0)
  })

  it('a failed call leaves nothing behind: a new record that cannot grow the MFT on a full disk', () => {
    const s = fresh(8 * MiB)
    const filler = s.createRecord({ isDirectory: false, std: std(), name: { parent: 5, name: 'filler', nameSpace: NameSpace.Win32 } }).record
    s.createStream(filler, '')
    s.setStreamSizes(filler, '', { size: s.freeClusters() * 4096 })
    // records up to 67 fit in the MFT's 17 clusters; the next one needs more
    for (let i = 0; i < 3; i++) file(s, `f${i}`)
    const before = names(s, 5)
    const e = storeError(() => s.atomic(() => file(s, 'one too many')))
    expect(e.kind).toBe('disk-full')
    expect(names(s, 5)).toEqual(before)
    expect(s.freeClusters()).toBe(0)
    expect(s.readRecord(68)).toBeUndefined()
  })

  it('named streams: create, find case-insensitively, rename, delete; the unnamed stream stays first', () => {
    const s = fresh()
    const f = s.createRecord({ isDirectory: false, std: std(), name: { parent: 5, name: 'ads', nameSpace: NameSpace.Win32 } }).record
    s.createStream(f, 'Zone.Identifier')
    s.createStream(f, '')
    expect(s.readRecord(f)!.streams.map((x) => x.name)).toEqual(['', 'Zone.Identifier'])
    s.writeStream(f, 'zone.identifier', 0, new Uint8Array([1]))
    expect(storeError(() => s.createStream(f, 'ZONE.IDENTIFIER')).kind).toBe('invalid')
    s.renameStream(f, 'Zone.Identifier', 'other')
    expect([...s.readStream(f, 'OTHER', 0, 1)]).toEqual([1])
    s.deleteStream(f, 'other')
    expect(storeError(() => s.readStream(f, 'other', 0, 1)).kind).toBe('not-found')
    const d = file(s, 'dir', 5, true)
    expect(storeError(() => s.createStream(d, '')).kind).toBe('invalid')
    s.createStream(d, 'dirstream')
    expect(s.readRecord(d)!.streams.map((x) => x.name)).toEqual(['dirstream'])
  })
})

describe('memory store: reparse points, EAs, object ids, label, units', () => {
  it('keeps reparse data, EAs and object ids as given, as copies', () => {
    const s = fresh()
    const f = file(s, 'meta')
    const data = new Uint8Array([1, 2, 3])
    s.setReparsePoint(f, { tag: 0xa000000c, data })
    data[0] = 9
    expect(s.readRecord(f)!.reparse).toEqual({ tag: 0xa000000c, data: new Uint8Array([1, 2, 3]) })
    s.setReparsePoint(f, undefined)
    expect(s.readRecord(f)!.reparse).toBeUndefined()
    s.setEas(f, [{ name: 'USER.A', value: new Uint8Array([4]), flags: 0x80 }])
    expect(s.readRecord(f)!.eas).toEqual([{ name: 'USER.A', value: new Uint8Array([4]), flags: 0x80 }])
    const id = new Uint8Array(16).fill(0xab)
    s.setObjectId(f, id)
    expect(s.findByObjectId(new Uint8Array(16).fill(0xab))).toBe(f)
    const g = file(s, 'other')
    expect(storeError(() => s.setObjectId(g, id)).kind).toBe('invalid')
    expect(storeError(() => s.setObjectId(g, new Uint8Array(3))).kind).toBe('invalid')
    s.removeName(f, 5, 'meta')
    s.deleteRecord(f)
    expect(s.findByObjectId(id)).toBeUndefined()
  })

  it('label up to 32 characters; atomic returns its result and nests; a closed store refuses work', () => {
    const s = fresh()
    s.setVolumeLabel('Data')
    expect(s.volumeLabel()).toBe('Data')
    expect(storeError(() => s.setVolumeLabel('x'.repeat(33))).kind).toBe('invalid')
    expect(s.atomic(() => s.atomic(() => 42))).toBe(42)
    expect(s.upcase('straße.txt')).toBe('STRAßE.TXT') // $UpCase has no mapping for ß
    s.close()
    expect(storeError(() => s.readRecord(5)).kind).toBe('io')
  })
})
