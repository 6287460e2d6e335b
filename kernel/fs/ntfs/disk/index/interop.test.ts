// The index B+ tree against ntfs-3g, the independent oracle: directories of hundreds and
// thousands of entries built through the disk store are listed by ntfsls and every sampled
// name is found by ntfs-3g's own index descent (ntfsinfo -F path), which only works when
// the on-disk order is the collation ntfs-3g expects. Then the volume checker finds the
// volume clean.
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { execFileSync } from 'node:child_process'
import { openDiskStore, type DiskStore } from '../disk-store.ts'
import { TempImages } from '../test-volume.ts'
import { stdInfo } from '../store-conformance.ts'
import { NameSpace } from '../../store.ts'
import { checkVolume } from '../check/index.ts'

const env = { ...process.env, LC_ALL: 'C.UTF-8' }

function ntfsls(img: string, dir: string): string[] {
  const out = execFileSync('ntfsls', ['-a', '-p', dir, img], { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] })
  return out.split('\n').filter((l) => l !== '' && l !== '.' && l !== '..')
}

/** the MFT record ntfs-3g reaches for a path, walking each directory's B+ tree by collation */
function ntfsInode(img: string, path: string): number {
  const out = execFileSync('ntfsinfo', ['-F', path, img], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] })
  const m = /^Dumping Inode (\d+)/m.exec(out)
  if (!m) throw new Error(`ntfsinfo did not find ${path}`)
  return Number(m[1])
}

const UNICODE = ['Ωμέγα.txt', 'ωμέγα (2).txt', 'Άλφα', '漢字テスト.doc', 'かな', '한국어', '😀 grin.png', '🎉🎉', 'école', 'ÉCOLE NORMALE', 'Straße', 'ǅemal', 'ﬁle ligature']
const CASES = ['readme', 'README', 'ReadMe', 'rEADME'] // POSIX names differing only in case

describe('index B+ trees read by ntfs-3g', () => {
  const images = new TempImages()
  let img = ''
  let store: DiskStore
  const records = new Map<string, number>() // "dir/name" → record
  const names500: string[] = []
  const names5000: string[] = []

  beforeAll(() => {
    img = images.formatted({ sizeBytes: 48 * 1024 * 1024 })
    store = openDiskStore(img)
    const mkdir = (name: string) => store.createRecord({ isDirectory: true, std: stdInfo(0x10), name: { parent: 5, name, nameSpace: NameSpace.Win32 } }).record
    const add = (dir: number, dirName: string, name: string, nameSpace: NameSpace) => {
      const r = store.createRecord({ isDirectory: false, std: stdInfo(), name: { parent: dir, name, nameSpace } })
      records.set(`${dirName}/${name}`, r.record)
    }
    const d500 = mkdir('five hundred')
    for (let i = 0; names500.length < 500 - UNICODE.length - CASES.length - 2; i++) names500.push(`entry ${i} ${'x'.repeat(i % 40)}.dat`)
    names500.push('L'.repeat(255), 'l'.repeat(200) + '.txt')
    for (const n of names500) add(d500, 'five hundred', n, NameSpace.Win32)
    for (const n of UNICODE) add(d500, 'five hundred', n, NameSpace.Win32)
    for (const n of CASES) add(d500, 'five hundred', n, NameSpace.Posix)
    names500.push(...UNICODE, ...CASES)
    const d5000 = mkdir('five thousand')
    for (let i = 0; i < 5000; i++) names5000.push(`f${(i * 7919) % 5000}`)
    for (const n of names5000) add(d5000, 'five thousand', n, NameSpace.Win32)
    // remove every third entry (leaves and internal entries alike, with merges)
    for (let i = 0; i < names5000.length; i += 3) {
      const n = names5000[i]!
      const rec = records.get(`five thousand/${n}`)!
      store.removeName(rec, d5000, n)
      store.deleteRecord(rec)
      records.delete(`five thousand/${n}`)
    }
    store.flush()
  })
  afterAll(() => {
    store.close()
    images.cleanup()
  })

  it('lists a directory of 500 entries with Unicode and case-only-different names', () => {
    expect(ntfsls(img, '/five hundred').sort()).toEqual([...names500].sort())
  })

  it('finds every kind of name by ntfs-3g index descent', () => {
    const sample = [...UNICODE, ...CASES, names500[0]!, names500[250]!, 'L'.repeat(255)]
    for (const n of sample) expect(ntfsInode(img, `/five hundred/${n}`), n).toBe(records.get(`five hundred/${n}`))
  })

  it('lists and finds entries of a 5,000-entry directory after a third were removed', () => {
    const left = names5000.filter((_, i) => i % 3 !== 0)
    expect(ntfsls(img, '/five thousand').sort()).toEqual([...left].sort())
    for (const n of [left[0]!, left[1]!, left[777]!, left[1500]!, left[2000]!, left[left.length - 1]!, 'f4999', 'f1']) {
      if (!records.has(`five thousand/${n}`)) continue
      expect(ntfsInode(img, `/five thousand/${n}`), n).toBe(records.get(`five thousand/${n}`))
    }
    expect(() => ntfsInode(img, `/five thousand/${names5000[0]}`)).toThrow()
  })

  it('leaves a volume the checker finds clean', () => {
    expect(checkVolume(img)).toEqual([])
  })
})
