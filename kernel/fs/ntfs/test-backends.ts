// The stores the driver's tests run on: the in-memory store and the on-disk store over a freshly
// formatted image. The driver must behave the same on both (store.ts: "no test may depend on
// which one is underneath").

import * as fs from 'node:fs'
import { afterAll, describe } from 'vitest'
import { openDiskStore } from './disk/disk-store.ts'
import { formatVolume } from './disk/format.ts'
import { TempImages } from './disk/test-volume.ts'
import { createMemoryStore } from './memory-store.ts'
import type { NtfsStore } from './store.ts'
import { TestVolume, type VolumeOptions } from './test-support.ts'

export interface StoreBackend {
  readonly name: string
  readonly store: (time: () => bigint) => NtfsStore
}

/** runs `body` once per store, each in its own describe block */
export function forEachStore(body: (vol: (o?: Omit<VolumeOptions, 'store'>) => TestVolume, backend: StoreBackend) => void): void {
  const images = new TempImages()
  const opened: NtfsStore[] = []
  // every test volume boots at the same virtual time: one formatted image serves as the template
  const templates = new Map<bigint, string>()
  const template = (time: bigint): string => {
    let t = templates.get(time)
    if (!t) {
      t = images.path('template.img')
      formatVolume(t, { sizeBytes: 16 * 1024 * 1024, label: 'TEST', serialNumber: 0x1c2b3a4958677685n, time })
      templates.set(time, t)
    }
    return t
  }
  const backends: StoreBackend[] = [
    { name: 'memory store', store: (time) => createMemoryStore({ sizeBytes: 64 * 1024 * 1024, label: 'TEST', time }) },
    {
      name: 'disk store',
      store: (time) => {
        const path = images.path()
        fs.copyFileSync(template(time()), path)
        const s = openDiskStore(path)
        opened.push(s)
        return s
      },
    },
  ]
  afterAll(() => {
    for (const s of opened.splice(0)) s.close()
    images.cleanup()
  })
  for (const b of backends) describe(b.name, () => body((o = {}) => new TestVolume({ ...o, store: b.store }), b))
}
