import { describe, it, afterAll } from 'vitest'
import { storeConformanceChecks } from './store-conformance.ts'
import { openDiskStore } from './disk-store.ts'
import { createMemoryStore } from '../memory-store.ts'
import { TempImages, TEST_TIME } from './test-volume.ts'

const images = new TempImages()
afterAll(() => images.cleanup())

describe('store conformance: on-disk store', () => {
  for (const c of storeConformanceChecks(() => openDiskStore(images.formatted()))) it(c.name, c.run)
})

describe('store conformance: in-memory store', () => {
  for (const c of storeConformanceChecks(() => createMemoryStore({ sizeBytes: 16 * 1024 * 1024, time: TEST_TIME }))) it(c.name, c.run)
})
