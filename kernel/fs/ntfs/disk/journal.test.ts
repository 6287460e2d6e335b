import { describe, it, expect, afterAll } from 'vitest'
import { DiskDevice } from '../../../disk/device.ts'
import { Journal, SECTOR } from './journal.ts'
import { TempImages } from './test-volume.ts'

const images = new TempImages()
afterAll(() => images.cleanup())

const AREA = 1024 * 1024
const AREA_BYTES = 64 * 1024

function setup(): { dev: DiskDevice; journal: Journal; path: string } {
  const path = images.path()
  const dev = DiskDevice.create(path, 2 * 1024 * 1024)
  dev.write(AREA, new Uint8Array(AREA_BYTES).fill(0xff))
  const journal = new Journal(dev, [{ areaOffset: 0, diskOffset: AREA, length: AREA_BYTES }], false)
  return { dev, journal, path }
}

function sector(v: number): Uint8Array {
  return new Uint8Array(SECTOR).fill(v)
}

describe('journal', () => {
  it('caches writes, applies them at a checkpoint and leaves an empty log for ntfs-3g', () => {
    const { dev, journal } = setup()
    journal.begin()
    journal.write(10 * SECTOR, sector(1))
    journal.write(11 * SECTOR, sector(2))
    journal.end()
    expect(dev.read(10 * SECTOR, 1)[0]).toBe(0)
    expect(journal.read(10 * SECTOR + 5, 600, 't')).toEqual(Uint8Array.from([...new Uint8Array(507).fill(1), ...new Uint8Array(93).fill(2)]))
    journal.checkpoint()
    expect(dev.read(10 * SECTOR, 2 * SECTOR)).toEqual(Uint8Array.from([...sector(1), ...sector(2)]))
    for (let pos = 0; pos < AREA_BYTES; pos = pos === 0 ? 512 : pos * 2) {
      expect(Array.from(dev.read(AREA + pos, 4)), `log offset ${pos}`).toEqual([0xff, 0xff, 0xff, 0xff])
    }
    expect(journal.inspect().state).toBe('empty')
  })

  it('rolls back the innermost group only', () => {
    const { journal } = setup()
    journal.begin()
    journal.write(20 * SECTOR, sector(1))
    journal.begin()
    journal.write(20 * SECTOR, sector(2))
    journal.write(21 * SECTOR, sector(3))
    journal.rollback()
    expect(journal.read(20 * SECTOR, 1, 't')[0]).toBe(1)
    expect(journal.read(21 * SECTOR, 1, 't')[0]).toBe(0)
    journal.begin()
    journal.write(21 * SECTOR, sector(4))
    journal.end()
    journal.rollback()
    expect(journal.read(20 * SECTOR, 1, 't')[0]).toBe(0)
    expect(journal.read(21 * SECTOR, 1, 't')[0]).toBe(0)
    expect(journal.dirtyBytes).toBe(0)
  })

  it('replays a transaction whose in-place writes never happened, and discards a torn one', () => {
    for (const torn of [false, true]) {
      const { dev, journal, path } = setup()
      journal.write(30 * SECTOR, sector(7))
      journal.write(40 * SECTOR, sector(8))
      dev.setListener((e) => {
        if (e.op === 'write' && e.purpose === 'journal') throw new Error('power lost')
      })
      expect(() => journal.checkpoint()).toThrow(/power lost/)
      dev.setListener(undefined)
      if (torn) dev.write(AREA + 3 * SECTOR + 20, Uint8Array.of(0x55))
      dev.close()
      const dev2 = DiskDevice.open(path)
      const j2 = new Journal(dev2, [{ areaOffset: 0, diskOffset: AREA, length: AREA_BYTES }], false)
      const state = j2.inspect()
      if (torn) {
        expect(state).toEqual({ state: 'torn', reason: 'payload checksum mismatch' })
        j2.clearArea()
        expect(dev2.read(30 * SECTOR, 1)[0]).toBe(0)
      } else {
        expect(state.state).toBe('pending')
        if (state.state !== 'pending') continue
        expect(state.journal.extents).toEqual([
          { lba: 30, count: 1 },
          { lba: 40, count: 1 },
        ])
        j2.replay(state.journal)
        expect(dev2.read(30 * SECTOR, 1)[0]).toBe(7)
        expect(dev2.read(40 * SECTOR, 1)[0]).toBe(8)
      }
      expect(j2.inspect().state).toBe('empty')
      dev2.close()
    }
  })

  it('splits a cache larger than the area into several transactions', () => {
    const { dev, journal } = setup()
    const sectors = journal.capacitySectors + 50
    for (let i = 0; i < sectors; i++) journal.write((100 + 2 * i) * SECTOR, sector(i & 0xff))
    journal.checkpoint()
    for (const i of [0, 1, sectors - 1]) expect(dev.read((100 + 2 * i) * SECTOR, 1)[0]).toBe(i & 0xff)
    dev.close()
  })
})
