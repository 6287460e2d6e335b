// Interoperability with ntfs-3g, the independent oracle: volumes Altitude formats and writes
// are read back with ntfsls, ntfscat, ntfsinfo and checked with ntfsfix; volumes mkntfs makes
// are mounted and written by Altitude.

import { describe, it, expect, afterAll, beforeAll } from 'vitest'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import { createHash } from 'node:crypto'
import { openDiskStore, type DiskStore } from './disk-store.ts'
import { NameSpace } from '../store.ts'
import { TempImages, TEST_TIME } from './test-volume.ts'
import { stdInfo } from './store-conformance.ts'
import { generateShortName } from '../shortname.ts'
import { inheritedSd } from './security.ts'

const images = new TempImages()
afterAll(() => images.cleanup())

function tool(name: string, args: string[]): string {
  return execFileSync(name, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

function toolBytes(name: string, args: string[]): Buffer {
  return execFileSync(name, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 })
}

/** the names ntfsls printed, without the "." and ".." it adds */
function entries(out: string): string[] {
  return out.split('\n').filter((l) => l !== '' && l !== '.' && l !== '..')
}

function md5(b: Uint8Array): string {
  return createHash('md5').update(b).digest('hex')
}

function pattern(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n)
  let x = seed
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    b[i] = x >>> 24
  }
  return b
}

/** ntfsinfo's rendering of a FILETIME (ctime-style, UTC) */
function ntfsTime(ft: bigint): string {
  const d = new Date(Number((ft - 116444736000000000n) / 10000n))
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
  const p = (n: number): string => String(n).padStart(2, '0')
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCFullYear()} UTC`
}

describe('format', () => {
  let ours: string
  let theirs: string
  beforeAll(() => {
    ours = images.formatted({ sizeBytes: 16 * 1024 * 1024, label: 'ALTITUDE' })
    theirs = images.path('mkntfs.img')
    fs.writeFileSync(theirs, '')
    fs.truncateSync(theirs, 16 * 1024 * 1024)
    tool('mkntfs', ['-F', '-Q', '-s', '512', '-c', '4096', '-L', 'MKNTFS', theirs])
  })

  it('passes ntfsfix and reports the geometry mkntfs would', () => {
    expect(tool('ntfsfix', ['-n', ours])).toMatch(/processed successfully/)
    const info = tool('ntfsinfo', ['-m', ours])
    const mk = tool('ntfsinfo', ['-m', theirs])
    expect(info).toMatch(/Volume Name: ALTITUDE/)
    expect(info).toMatch(/Volume Version: 3\.1/)
    for (const field of ['Cluster Size', 'Index Block Size', 'Volume Size in Clusters', 'MFT Record Size', 'LCN of Data Attribute for FILE_MFT', 'LCN of Data Attribute for File_MFTMirr', 'Size of Attribute Definition Table']) {
      const line = (s: string): string | undefined => s.split('\n').find((l) => l.includes(field))
      expect(line(info), field).toBe(line(mk))
    }
  })

  it('has the system files mkntfs makes, with the same $AttrDef and $UpCase', () => {
    const list = (img: string): string[] => tool('ntfsls', ['-s', img]).trim().split('\n').sort()
    expect(list(ours)).toEqual(list(theirs))
    expect(tool('ntfsls', ['-s', '-p', '/$Extend', ours]).trim().split('\n').sort()).toEqual(['$ObjId', '$Quota', '$Reparse'])
    for (const f of ['$AttrDef', '$UpCase']) expect(md5(toolBytes('ntfscat', [ours, f])), f).toBe(md5(toolBytes('ntfscat', [theirs, f])))
    // an empty log, as mkntfs leaves it, even though the journal was used to fill the indexes
    expect(toolBytes('ntfscat', [ours, '$LogFile']).every((b) => b === 0xff)).toBe(true)
  })

  it('is deterministic: the same options give the same image', () => {
    const again = images.formatted({ sizeBytes: 16 * 1024 * 1024, label: 'ALTITUDE' })
    expect(md5(fs.readFileSync(again))).toBe(md5(fs.readFileSync(ours)))
  })
})

describe('what the store writes, ntfs-3g reads', () => {
  let img: string
  let store: DiskStore
  const files: Array<{ path: string; data: Uint8Array }> = []
  let dirRecord = 0
  const unicode = 'Ünïcødé файл 日本語 ✓.txt'
  const longName = 'A rather long file name that is not 8.3 at all.document'
  const t1 = 132_500_000_000_000_000n

  beforeAll(() => {
    img = images.formatted({ sizeBytes: 32 * 1024 * 1024 })
    store = openDiskStore(img)
    const sd = store.securityIdFor(inheritedSd(false))
    const add = (parent: number, name: string, data: Uint8Array, ns = NameSpace.Win32AndDos): number => {
      const r = store.createRecord({ isDirectory: false, std: { ...stdInfo(0x20, t1), securityId: sd }, name: { parent, name, nameSpace: ns } })
      store.createStream(r.record, '')
      store.writeStream(r.record, '', 0, data)
      return r.record
    }
    add(5, 'small.txt', new TextEncoder().encode('resident content\n'))
    files.push({ path: '/small.txt', data: new TextEncoder().encode('resident content\n') })
    const big = pattern(5 * 1024 * 1024 + 17, 7)
    add(5, 'big.bin', big)
    files.push({ path: '/big.bin', data: big })
    const u = add(5, unicode, pattern(3000, 9), NameSpace.Win32)
    files.push({ path: '/' + unicode, data: pattern(3000, 9) })
    store.addName(u, { parent: 5, name: generateShortName(unicode, () => false)!, nameSpace: NameSpace.Dos })
    const l = add(5, longName, pattern(700, 3), NameSpace.Win32)
    store.addName(l, { parent: 5, name: generateShortName(longName, () => false)!, nameSpace: NameSpace.Dos })
    const d = store.createRecord({ isDirectory: true, std: stdInfo(0x10, t1), name: { parent: 5, name: 'Many Files', nameSpace: NameSpace.Win32 } })
    dirRecord = d.record
    for (let i = 0; i < 500; i++) add(d.record, `entry ${String(i).padStart(3, '0')}.dat`, new TextEncoder().encode(`entry ${i}`), NameSpace.Posix)
    files.push({ path: '/Many Files/entry 321.dat', data: new TextEncoder().encode('entry 321') })
    const ads = add(5, 'streams.txt', new TextEncoder().encode('main'))
    store.createStream(ads, 'Zone.Identifier')
    store.writeStream(ads, 'Zone.Identifier', 0, new TextEncoder().encode('[ZoneTransfer]\r\nZoneId=3\r\n'))
    store.createStream(ads, 'big')
    store.writeStream(ads, 'big', 0, pattern(200_000, 11))
    const link = add(5, 'stub.dat', new Uint8Array(0))
    store.setReparsePoint(link, { tag: 0x80000017, data: pattern(24, 2) }) // IO_REPARSE_TAG_WOF
    store.setStandardInfo(link, { fileAttributes: 0x420 })
    store.flush()
  })
  afterAll(() => store.close())

  it('passes ntfsfix while mounted and after a flush', () => {
    expect(tool('ntfsfix', ['-n', img])).toMatch(/processed successfully/)
  })

  it('lists long, Unicode and 8.3 names', () => {
    const names = tool('ntfsls', [img]).split('\n')
    for (const n of ['small.txt', 'big.bin', unicode, longName, 'Many Files', 'streams.txt', 'stub.dat']) expect(names).toContain(n)
    const dos = tool('ntfsls', ['-x', img]).split('\n')
    expect(dos).toContain(generateShortName(longName, () => false)!)
    expect(dos).toContain(generateShortName(unicode, () => false)!)
  })

  it('reads resident and non-resident content byte for byte', () => {
    for (const f of files) expect(md5(toolBytes('ntfscat', [img, f.path])), f.path).toBe(md5(f.data))
  })

  it('sees a directory with 500 entries', () => {
    // ntfsls prints "." for a subdirectory itself
    const listed = entries(tool('ntfsls', ['-a', '-p', '/Many Files', img]))
    expect(listed.sort()).toEqual(Array.from({ length: 500 }, (_, i) => `entry ${String(i).padStart(3, '0')}.dat`))
    expect([...store.list(dirRecord)].length).toBe(500)
  })

  it('reads named streams', () => {
    expect(tool('ntfscat', ['-a', '0x80', '-n', 'Zone.Identifier', img, '/streams.txt'])).toBe('[ZoneTransfer]\r\nZoneId=3\r\n')
    expect(md5(toolBytes('ntfscat', ['-a', '0x80', '-n', 'big', img, '/streams.txt']))).toBe(md5(pattern(200_000, 11)))
  })

  it('shows sizes and timestamps', () => {
    const long = tool('ntfsls', ['-l', img])
    expect(long).toMatch(new RegExp(`\\s${5 * 1024 * 1024 + 17} .* big\\.bin`))
    const info = tool('ntfsinfo', ['-F', '/big.bin', img])
    expect(info).toContain(`File Altered Time:\t ${ntfsTime(t1)}`)
    expect(info).toMatch(/Data Size:\s+5242897/)
  })

  it('shows the reparse point', () => {
    const info = tool('ntfsinfo', ['-v', '-F', '/stub.dat', img])
    expect(info).toMatch(/Reparse tag:\s+0x80000017/)
    expect(info).toMatch(/REPARSE_POINT/)
  })
})

describe('a volume made by mkntfs', () => {
  it('mounts, takes new files and stays consistent for ntfs-3g', () => {
    const img = images.path('mk.img')
    fs.writeFileSync(img, '')
    fs.truncateSync(img, 32 * 1024 * 1024)
    tool('mkntfs', ['-F', '-Q', '-s', '512', '-c', '4096', '-L', 'FROMMK', img])
    const s = openDiskStore(img)
    expect(s.volumeLabel()).toBe('FROMMK')
    expect(s.geometry.totalClusters).toBe(8191)
    expect(s.lookup(5, '$Secure')?.record).toBe(9)
    const d = s.createRecord({ isDirectory: true, std: stdInfo(0x10), name: { parent: 5, name: 'made by altitude', nameSpace: NameSpace.Win32AndDos } })
    for (let i = 0; i < 150; i++) {
      const r = s.createRecord({ isDirectory: false, std: stdInfo(), name: { parent: d.record, name: `file-${i}.bin`, nameSpace: NameSpace.Win32AndDos } })
      s.createStream(r.record, '')
      s.writeStream(r.record, '', 0, pattern(1000 + 97 * i, i))
    }
    s.close()
    expect(tool('ntfsfix', ['-n', img])).toMatch(/processed successfully/)
    expect(entries(tool('ntfsls', ['-p', '/made by altitude', img])).length).toBe(150)
    expect(md5(toolBytes('ntfscat', [img, '/made by altitude/file-77.bin']))).toBe(md5(pattern(1000 + 97 * 77, 77)))
    // and Altitude reads it back after the remount
    const again = openDiskStore(img, { readOnly: true })
    const e = again.lookup(again.lookup(5, 'MADE BY ALTITUDE')!.record, 'FILE-149.BIN')!
    expect(md5(again.readStream(e.record, '', 0, 100_000))).toBe(md5(pattern(1000 + 97 * 149, 149)))
    again.close()
  })
})

void TEST_TIME

describe('records that overflow into $ATTRIBUTE_LIST', () => {
  it('many hard links, many named streams and a fragmented runlist read back in ntfs-3g', () => {
    const img = images.formatted({ sizeBytes: 32 * 1024 * 1024 })
    const s = openDiskStore(img)
    const mk = (name: string): number => {
      const r = s.createRecord({ isDirectory: false, std: stdInfo(), name: { parent: 5, name, nameSpace: NameSpace.Win32AndDos } })
      s.createStream(r.record, '')
      return r.record
    }
    const links = mk('links')
    s.writeStream(links, '', 0, new TextEncoder().encode('linked'))
    for (let i = 0; i < 60; i++) s.addName(links, { parent: 5, name: `hard link ${i} with quite a long name`, nameSpace: NameSpace.Win32 })
    const streams = mk('streams')
    for (let i = 0; i < 80; i++) {
      s.createStream(streams, `stream${i}`)
      s.writeStream(streams, `stream${i}`, 0, new TextEncoder().encode(`value of stream ${i}`))
    }
    const a = mk('fragA')
    const b = mk('fragB')
    const expectA = new Uint8Array(400 * 4096)
    for (let i = 0; i < 400; i++) {
      s.writeStream(a, '', i * 4096, new Uint8Array(4096).fill(i & 255))
      s.writeStream(b, '', i * 4096, new Uint8Array(4096).fill((i * 3) & 255))
      expectA.fill(i & 255, i * 4096, (i + 1) * 4096)
    }
    s.close()
    expect(tool('ntfsfix', ['-n', img])).toMatch(/processed successfully/)
    for (const f of ['/links', '/streams', '/fragA']) expect(tool('ntfsinfo', ['-F', f, img]), f).toContain('$ATTRIBUTE_LIST')
    expect(tool('ntfsinfo', ['-F', '/links', img]).match(/Dumping attribute \$FILE_NAME/g)?.length).toBe(61)
    expect(tool('ntfscat', [img, '/hard link 59 with quite a long name'])).toBe('linked')
    expect(tool('ntfscat', ['-a', '0x80', '-n', 'stream77', img, '/streams'])).toBe('value of stream 77')
    expect(md5(toolBytes('ntfscat', [img, '/fragA']))).toBe(md5(expectA))
    const again = openDiskStore(img, { readOnly: true })
    expect(again.readRecord(links)!.names.length).toBe(61)
    expect(again.readRecord(streams)!.streams.length).toBe(81)
    expect(Buffer.from(again.readStream(a, '', 0, 400 * 4096)).equals(Buffer.from(expectA))).toBe(true)
    again.close()
  })
})

describe('mkntfs volumes with other cluster sizes', () => {
  for (const cluster of [512, 65536]) {
    it(`${cluster}-byte clusters`, () => {
      const img = images.path(`mk-${cluster}.img`)
      fs.writeFileSync(img, '')
      fs.truncateSync(img, 64 * 1024 * 1024)
      tool('mkntfs', ['-F', '-Q', '-s', '512', '-c', String(cluster), img])
      const s = openDiskStore(img)
      expect(s.geometry.bytesPerCluster).toBe(cluster)
      const d = s.createRecord({ isDirectory: true, std: stdInfo(0x10), name: { parent: 5, name: 'sub', nameSpace: NameSpace.Win32AndDos } })
      for (let i = 0; i < 200; i++) {
        const r = s.createRecord({ isDirectory: false, std: stdInfo(), name: { parent: d.record, name: `file ${i}`, nameSpace: NameSpace.Win32 } })
        s.createStream(r.record, '')
        s.writeStream(r.record, '', 0, pattern(3000 + i * 50, i))
      }
      s.close()
      expect(tool('ntfsfix', ['-n', img])).toMatch(/processed successfully/)
      expect(entries(tool('ntfsls', ['-p', '/sub', img])).length).toBe(200)
      expect(md5(toolBytes('ntfscat', [img, '/sub/file 150']))).toBe(md5(pattern(3000 + 150 * 50, 150)))
    })
  }
})
