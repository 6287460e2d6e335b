// Store-level checks every NtfsStore must pass, in-memory and on-disk alike: the behaviour the
// semantic layer relies on through ../store.ts. Each check gets a fresh store from the
// factory (a freshly formatted volume of at least 16 MiB with the root directory at record
// 5) and throws on the first difference. Run them from a test:
//
//   for (const c of storeConformanceChecks(() => createMyStore())) it(c.name, c.run)

import { NameSpace, StoreError, type NtfsStore, type StandardInfo } from '../store.ts'

export interface ConformanceCheck {
  name: string
  run: () => void
}

class ConformanceError extends Error {}

function fail(msg: string): never {
  throw new ConformanceError(msg)
}

function eq<T>(actual: T, expected: T, what: string): void {
  const a = JSON.stringify(actual, big)
  const e = JSON.stringify(expected, big)
  if (a !== e) fail(`${what}: expected ${e}, got ${a}`)
}

/** JSON with bigints and byte arrays spelled out and object keys sorted, so field order does not matter */
function big(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return `${v}n`
  if (v instanceof Uint8Array) return Array.from(v)
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]))
  }
  return v
}

function throwsKind(fn: () => unknown, kind: StoreError['kind'], what: string): void {
  try {
    fn()
  } catch (err) {
    if (err instanceof StoreError && err.kind === kind) return
    fail(`${what}: expected StoreError '${kind}', got ${err instanceof StoreError ? `'${err.kind}': ${err.message}` : String(err)}`)
  }
  fail(`${what}: expected StoreError '${kind}', nothing was thrown`)
}

const T0 = 132_000_000_000_000_000n

export function stdInfo(fileAttributes = 0x20, t: bigint = T0): StandardInfo {
  return { creationTime: t, lastWriteTime: t, changeTime: t, lastAccessTime: t, fileAttributes, securityId: 0, ownerId: 0, usn: 0n }
}

function bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s)
}

function pattern(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n)
  let x = seed >>> 0 || 1
  for (let i = 0; i < n; i++) {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    b[i] = x & 0xff
  }
  return b
}

function same(a: Uint8Array, b: Uint8Array, what: string): void {
  if (a.length !== b.length) fail(`${what}: ${a.length} bytes instead of ${b.length}`)
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) fail(`${what}: byte ${i} is ${a[i]}, expected ${b[i]}`)
}

function newFile(s: NtfsStore, parent: number, name: string, ns = NameSpace.Win32): number {
  const r = s.createRecord({ isDirectory: false, std: stdInfo(), name: { parent, name, nameSpace: ns } })
  s.createStream(r.record, '')
  return r.record
}

function newDir(s: NtfsStore, parent: number, name: string): number {
  return s.createRecord({ isDirectory: true, std: stdInfo(0x10), name: { parent, name, nameSpace: NameSpace.Win32 } }).record
}

export function storeConformanceChecks(factory: () => NtfsStore): ConformanceCheck[] {
  const check = (name: string, body: (s: NtfsStore) => void): ConformanceCheck => ({
    name,
    run: () => {
      const s = factory()
      try {
        body(s)
      } finally {
        try {
          s.close()
        } catch {
          // a check may have closed it already
        }
      }
    },
  })
  return [
    check('a fresh volume has the root directory and the metafiles', (s) => {
      eq(s.rootRecord, 5, 'root record')
      const root = s.readRecord(5)
      if (!root) fail('record 5 is missing')
      eq(root.isDirectory, true, 'root is a directory')
      eq(s.geometry.bytesPerCluster, 4096, 'cluster size')
      eq(s.geometry.mftRecordSize, 1024, 'record size')
      eq(s.geometry.version, '3.1', 'version')
      eq(s.lookup(5, '$mft')?.record, 0, '$MFT by case-insensitive lookup')
      eq(s.lookup(5, '$Extend')?.record, 11, '$Extend')
      const names = [...s.list(5)].map((e) => e.name)
      for (const n of ['$AttrDef', '$BadClus', '$Bitmap', '$Boot', '$Extend', '$LogFile', '$MFT', '$MFTMirr', '$Secure', '$UpCase', '$Volume', '.']) {
        if (!names.includes(n)) fail(`root lacks ${n}: ${names.join(', ')}`)
      }
      eq(s.readRecord(0)?.seq, 1, '$MFT sequence number')
      eq(s.readRecord(9)?.seq, 9, '$Secure sequence number')
      eq(s.readRecord(12)?.names.length, 0, 'record 12 is reserved, nameless')
    }),

    check('creates files with names, reads them back, and allocates records from 64', (s) => {
      const f = s.createRecord({ isDirectory: false, std: stdInfo(0x20, T0 + 5n), name: { parent: 5, name: 'Hello World.txt', nameSpace: NameSpace.Win32 } })
      eq(f.record >= 64, true, 'first user record at or above 64')
      eq(f.names, [{ parent: 5, name: 'Hello World.txt', nameSpace: NameSpace.Win32 }], 'names')
      eq(f.streams, [], 'no stream until created')
      eq(f.std.creationTime, T0 + 5n, 'creation time')
      s.createStream(f.record, '')
      s.addName(f.record, { parent: 5, name: 'HELLOW~1.TXT', nameSpace: NameSpace.Dos })
      const r = s.readRecord(f.record)!
      eq(r.names.length, 2, 'Win32 + DOS names')
      eq(r.streams, [{ name: '', size: 0, allocated: 0, validDataLength: 0, resident: true }], 'empty resident stream')
      eq(s.lookup(5, 'hello world.TXT'), { name: 'Hello World.txt', nameSpace: NameSpace.Win32, record: f.record, seq: f.seq }, 'case-insensitive lookup')
      eq(s.lookup(5, 'hellow~1.txt')?.nameSpace, NameSpace.Dos, 'DOS name lookup')
      eq(s.lookup(5, 'nope'), undefined, 'missing name')
    }),

    check('keeps names unique case-insensitively unless the exact name differs (POSIX)', (s) => {
      newFile(s, 5, 'Data.bin')
      throwsKind(() => newFile(s, 5, 'Data.bin'), 'invalid', 'exact duplicate')
      const posix = s.createRecord({ isDirectory: false, std: stdInfo(), name: { parent: 5, name: 'DATA.BIN', nameSpace: NameSpace.Posix } })
      eq(s.lookup(5, 'DATA.BIN')?.record, posix.record, 'exact case wins')
      eq(s.lookup(5, 'Data.bin')?.name, 'Data.bin', 'exact case wins (other)')
      eq(['DATA.BIN', 'Data.bin'].includes(s.lookup(5, 'data.bin')?.name ?? ''), true, 'either for a third case')
    }),

    check('lists a directory in collation order and resumes after a name', (s) => {
      const d = newDir(s, 5, 'dir')
      const names = ['b', 'A', 'c', 'a1', 'Z', '_x', 'ä', 'É', '10', '9', 'éa']
      for (const n of names) newFile(s, d, n)
      const listed = [...s.list(d)].map((e) => e.name)
      const up = (x: string): string => s.upcase(x)
      const expected = names.slice().sort((x, y) => (up(x) < up(y) ? -1 : up(x) > up(y) ? 1 : x < y ? -1 : x > y ? 1 : 0))
      eq(listed, expected, 'collation order')
      eq([...s.list(d, 'a1')].map((e) => e.name), expected.slice(expected.indexOf('a1') + 1), 'resume after a name')
      // 'B' collates just before 'b' (equal upcased, then by code unit)
      eq([...s.list(d, 'B')].map((e) => e.name)[0], 'b', 'resume after a name in other case')
      eq(s.isEmptyDirectory(d), false, 'not empty')
      eq(s.isEmptyDirectory(newDir(s, d, 'empty')), true, 'empty directory')
    }),

    check('holds a directory with hundreds of entries', (s) => {
      const d = newDir(s, 5, 'many')
      const records = new Map<string, number>()
      for (let i = 0; i < 600; i++) records.set(`entry-${String(i).padStart(4, '0')} with a longer name.txt`, newFile(s, d, `entry-${String(i).padStart(4, '0')} with a longer name.txt`))
      const listed = [...s.list(d)]
      eq(listed.length, 600, 'entry count')
      for (const e of listed) if (records.get(e.name) !== e.record) fail(`entry ${e.name} points at ${e.record}`)
      eq(s.lookup(d, 'ENTRY-0321 WITH A LONGER NAME.TXT')?.record, records.get('entry-0321 with a longer name.txt'), 'lookup deep in the tree')
      for (let i = 0; i < 600; i += 2) {
        const name = `entry-${String(i).padStart(4, '0')} with a longer name.txt`
        const rec = records.get(name)!
        s.removeName(rec, d, name)
        s.deleteRecord(rec)
      }
      eq([...s.list(d)].length, 300, 'after removing half')
      eq(s.lookup(d, 'entry-0002 with a longer name.txt'), undefined, 'removed entry')
      eq(s.lookup(d, 'entry-0003 with a longer name.txt')?.record, records.get('entry-0003 with a longer name.txt'), 'kept entry')
    }),

    check('hard links, name removal, deletion and sequence numbers', (s) => {
      const d = newDir(s, 5, 'links')
      const f = newFile(s, 5, 'original')
      s.addName(f, { parent: d, name: 'second', nameSpace: NameSpace.Win32 })
      eq(s.readRecord(f)!.names.map((n) => `${n.parent}/${n.name}`), ['5/original', `${d}/second`], 'two links')
      eq(s.lookup(d, 'second')?.record, f, 'link lookup')
      throwsKind(() => s.deleteRecord(f), 'invalid', 'delete with names')
      throwsKind(() => s.removeName(f, 5, 'ORIGINAL'), 'not-found', 'removeName is case-sensitive')
      s.removeName(f, 5, 'original')
      s.removeName(f, d, 'second')
      eq(s.lookup(5, 'original'), undefined, 'name gone')
      const seq = s.readRecord(f)!.seq
      s.deleteRecord(f)
      eq(s.readRecord(f), undefined, 'deleted record')
      const again = s.createRecord({ isDirectory: false, std: stdInfo(), name: { parent: 5, name: 'reuse', nameSpace: NameSpace.Win32 } })
      eq(again.record, f, 'lowest free record is reused')
      eq(again.seq, seq + 1, 'sequence number bumped')
      throwsKind(() => s.deleteRecord(5), 'invalid', 'deleting a metafile')
      const nonEmpty = newDir(s, 5, 'full')
      newFile(s, nonEmpty, 'x')
      s.removeName(nonEmpty, 5, 'full')
      throwsKind(() => s.deleteRecord(nonEmpty), 'invalid', 'deleting a non-empty directory')
    }),

    check('resident streams stay resident while they fit, then move out for good', (s) => {
      const f = newFile(s, 5, 'grow.bin')
      const small = pattern(300, 1)
      s.writeStream(f, '', 0, small)
      eq(s.readRecord(f)!.streams[0], { name: '', size: 300, allocated: 304, validDataLength: 300, resident: true }, 'small resident')
      same(s.readStream(f, '', 0, 1000), small, 'resident content')
      const big = pattern(100_000, 2)
      s.writeStream(f, '', 0, big)
      eq(s.readRecord(f)!.streams[0], { name: '', size: 100_000, allocated: 102_400, validDataLength: 100_000, resident: false }, 'non-resident')
      same(s.readStream(f, '', 0, 100_000), big, 'non-resident content')
      same(s.readStream(f, '', 99_990, 100), big.subarray(99_990), 'read clipped at the end')
      s.setStreamSizes(f, '', { size: 10 })
      eq(s.readRecord(f)!.streams[0], { name: '', size: 10, allocated: 4096, validDataLength: 10, resident: false }, 'truncated, stays non-resident')
      same(s.readStream(f, '', 0, 100), big.subarray(0, 10), 'truncated content')
    }),

    check('writes past valid data read the gap as zeroes; sizes follow the rules', (s) => {
      const f = newFile(s, 5, 'sparse-ish')
      s.writeStream(f, '', 0, pattern(5000, 3))
      s.writeStream(f, '', 20_000, bytes('tail'))
      const r = s.readRecord(f)!.streams[0]!
      eq([r.size, r.validDataLength, r.allocated], [20_004, 20_004, 20_480], 'sizes after a write past the end')
      same(s.readStream(f, '', 5000, 15_000), new Uint8Array(15_000), 'gap reads as zeroes')
      same(s.readStream(f, '', 20_000, 4), bytes('tail'), 'tail')
      s.setStreamSizes(f, '', { size: 50_000 })
      eq(s.readRecord(f)!.streams[0]!.validDataLength, 20_004, 'extending the size keeps valid data')
      same(s.readStream(f, '', 20_004, 100), new Uint8Array(100), 'past valid data reads zero')
      s.setStreamSizes(f, '', { allocated: 65_536 })
      eq(s.readRecord(f)!.streams[0]!.allocated, 65_536, 'explicit allocation')
      throwsKind(() => s.setStreamSizes(f, '', { allocated: 100 }), 'invalid', 'allocation below size')
      throwsKind(() => s.setStreamSizes(f, '', { validDataLength: 60_000 }), 'invalid', 'valid data past the end')
      s.setStreamSizes(f, '', { validDataLength: 30_000 })
      same(s.readStream(f, '', 20_004, 9_996), new Uint8Array(9_996), 'newly valid range')
      throwsKind(() => s.readStream(f, '', -1, 5), 'invalid', 'negative offset')
      const before = s.freeClusters()
      s.setStreamSizes(f, '', { size: 0 })
      eq(s.readRecord(f)!.streams[0]!.allocated, 0, 'truncated to zero frees everything')
      if (s.freeClusters() <= before) fail('truncation did not free clusters')
    }),

    check('named streams: create, find case-insensitively, rename, delete', (s) => {
      const f = newFile(s, 5, 'ads.txt')
      s.createStream(f, 'Zone.Identifier')
      s.writeStream(f, 'zone.identifier', 0, bytes('[ZoneTransfer]'))
      s.createStream(f, 'second')
      throwsKind(() => s.createStream(f, 'SECOND'), 'invalid', 'duplicate stream')
      const order = s.readRecord(f)!.streams.map((x) => x.name)
      eq([order[0], order.slice(1).sort()], ['', ['Zone.Identifier', 'second']], 'unnamed stream first, then the named ones')
      same(s.readStream(f, 'Zone.Identifier', 0, 100), bytes('[ZoneTransfer]'), 'stream content')
      s.renameStream(f, 'second', 'third')
      throwsKind(() => s.renameStream(f, 'third', 'zone.identifier'), 'invalid', 'rename onto an existing stream')
      s.deleteStream(f, 'zone.identifier')
      eq(s.readRecord(f)!.streams.map((x) => x.name), ['', 'third'], 'after delete and rename')
      throwsKind(() => s.readStream(f, 'gone', 0, 1), 'not-found', 'missing stream')
      const d = newDir(s, 5, 'dir-with-ads')
      throwsKind(() => s.createStream(d, ''), 'invalid', 'unnamed stream on a directory')
      s.createStream(d, 'meta')
      s.writeStream(d, 'meta', 0, pattern(9000, 4))
      same(s.readStream(d, 'meta', 0, 9000), pattern(9000, 4), 'directory stream')
    }),

    check('reparse points, extended attributes, object ids', (s) => {
      const f = newFile(s, 5, 'stub')
      const guid = pattern(16, 5)
      s.setReparsePoint(f, { tag: 0x00000100, guid, data: bytes('hsm stub data') })
      eq(s.readRecord(f)!.reparse, { tag: 0x100, guid, data: bytes('hsm stub data') }, 'third-party reparse point')
      s.setReparsePoint(f, { tag: 0xa000000c, data: pattern(40, 6) })
      eq(s.readRecord(f)!.reparse, { tag: 0xa000000c, data: pattern(40, 6) }, 'Microsoft reparse point')
      s.setReparsePoint(f, undefined)
      eq(s.readRecord(f)!.reparse, undefined, 'removed')
      s.setEas(f, [
        { name: 'FIRST', value: bytes('one'), flags: 0 },
        { name: 'NEEDED', value: pattern(10, 7), flags: 0x80 },
      ])
      eq(s.readRecord(f)!.eas, [
        { name: 'FIRST', value: bytes('one'), flags: 0 },
        { name: 'NEEDED', value: pattern(10, 7), flags: 0x80 },
      ], 'EAs')
      s.setEas(f, [])
      eq(s.readRecord(f)!.eas, [], 'EAs removed')
      const oid = pattern(16, 8)
      s.setObjectId(f, oid)
      eq(s.readRecord(f)!.objectId, oid, 'object id')
      eq(s.findByObjectId(oid), f, 'found by object id')
      const g = newFile(s, 5, 'other')
      throwsKind(() => s.setObjectId(g, oid), 'invalid', 'object id owned by another file')
      throwsKind(() => s.setObjectId(g, new Uint8Array(5)), 'invalid', 'object id length')
      s.setObjectId(f, undefined)
      eq(s.findByObjectId(oid), undefined, 'object id released')
    }),

    check('standard information patches and the volume label', (s) => {
      const f = newFile(s, 5, 'times')
      s.setStandardInfo(f, { lastWriteTime: T0 + 100n, fileAttributes: 0x21 })
      const std = s.readRecord(f)!.std
      eq([std.lastWriteTime, std.creationTime, std.fileAttributes], [T0 + 100n, T0, 0x21], 'patched fields only')
      s.setVolumeLabel('NEW LABEL')
      eq(s.volumeLabel(), 'NEW LABEL', 'label')
      throwsKind(() => s.setVolumeLabel('x'.repeat(33)), 'invalid', 'label too long')
      eq(s.upcase('straße ǆ é'), 'STRAßE Ǆ É', 'upcase table')
    }),

    check('free clusters go down when data is written and up when it is deleted', (s) => {
      const start = s.freeClusters()
      const f = newFile(s, 5, 'space')
      s.writeStream(f, '', 0, new Uint8Array(1024 * 1024))
      const used = start - s.freeClusters()
      if (used < 256) fail(`1 MiB took ${used} clusters`)
      s.removeName(f, 5, 'space')
      s.deleteRecord(f)
      // $MFT grew for the file's record and never shrinks; everything else came back
      if (s.freeClusters() < start - 32) fail(`deleting left ${start - s.freeClusters()} clusters used`)
    }),

    check('atomic units nest and return their value; a closed store refuses work', (s) => {
      const r = s.atomic(() => s.atomic(() => newFile(s, 5, 'inside')))
      eq(s.lookup(5, 'inside')?.record, r, 'file made in a unit')
      s.flush()
      s.close()
      throwsKind(() => s.readRecord(5), 'io', 'closed store')
    }),
  ]
}
