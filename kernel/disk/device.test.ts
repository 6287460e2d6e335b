import { describe, it, expect, afterEach } from 'vitest'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { DiskDevice, DiskError, type DiskTraceEvent } from './device.ts'

const dirs: string[] = []
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'altitude-disk-'))
  dirs.push(d)
  return path.join(d, 'disk.img')
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

describe('DiskDevice', () => {
  it('creates an image of whole sectors and reads back written sectors', () => {
    const p = tmp()
    const d = DiskDevice.create(p, 64 * 1024 + 100)
    expect(d.size).toBe(64 * 1024)
    expect(d.sectorCount).toBe(128)
    const data = new Uint8Array(1024).map((_, i) => i & 0xff)
    d.writeSectors(3, data)
    expect(d.readSectors(3, 2)).toEqual(data)
    expect(d.readSectors(0, 1)).toEqual(new Uint8Array(512))
    d.flush()
    d.close()
    expect(fs.statSync(p).size).toBe(64 * 1024)
    const again = DiskDevice.open(p)
    expect(again.read(3 * 512 + 5, 3)).toEqual(Uint8Array.from([5, 6, 7]))
    again.close()
  })

  it('reports transfers to a listener with their purpose', () => {
    const d = DiskDevice.create(tmp(), 8192)
    const events: DiskTraceEvent[] = []
    d.setListener((e) => events.push(e))
    d.writeSectors(2, new Uint8Array(512), 'mft')
    d.readSectors(2, 1, 'mft')
    d.flush()
    expect(events).toEqual([
      { op: 'write', lba: 2, length: 512, purpose: 'mft' },
      { op: 'read', lba: 2, length: 512, purpose: 'mft' },
      { op: 'flush', lba: 0, length: 0, purpose: 'flush' },
    ])
    d.close()
  })

  it('refuses writes on a read-only image and never changes it', () => {
    const p = tmp()
    DiskDevice.create(p, 4096).close()
    const before = fs.readFileSync(p)
    const d = DiskDevice.open(p, { readOnly: true })
    expect(() => d.writeSectors(0, new Uint8Array(512))).toThrow(DiskError)
    d.close()
    expect(fs.readFileSync(p)).toEqual(before)
  })

  it('names the offset of an out-of-range transfer and a missing file', () => {
    const d = DiskDevice.create(tmp(), 4096)
    expect(() => d.readSectors(8, 1)).toThrow(/read of 512 bytes at byte 4096 is outside the disk \(4096 bytes\)/)
    expect(() => d.writeSectors(0, new Uint8Array(100))).toThrow(/not a whole number of sectors/)
    d.close()
    expect(() => d.readSectors(0, 1)).toThrow(/closed/)
    expect(() => DiskDevice.open('/nonexistent/dir/x.img')).toThrow(/cannot open image \/nonexistent\/dir\/x.img/)
  })
})
