// Starts the kernel worker from wherever this module runs:
// - from TypeScript sources (the CLI and web host under tsx, vitest): the worker is the .ts
//   file, loaded through ts-worker-boot.mjs, which registers tsx inside the worker thread,
//   because Node 20 does not apply `--import tsx` loader hooks to worker threads;
// - from the electron-vite build: the worker is out/main/kernel-worker.js, a second entry of
//   the main build, next to the module that starts it.

import { Worker } from 'node:worker_threads'
import type { WorkerConfig } from './worker-protocol.ts'

export interface WorkerEntry {
  /** what the worker runs: a built .js file, or a .ts file started through ts-worker-boot.mjs */
  kind: 'file' | 'ts-bootstrap'
  url: URL
}

export function kernelWorkerEntry(from: string = import.meta.url): WorkerEntry {
  if (from.endsWith('.ts')) return { kind: 'ts-bootstrap', url: new URL('./kernel-worker.ts', from) }
  return { kind: 'file', url: new URL('./kernel-worker.js', from) }
}

export function spawnKernelWorker(config: WorkerConfig, entry: WorkerEntry = kernelWorkerEntry()): Worker {
  if (entry.kind === 'file') return new Worker(entry.url, { workerData: config })
  const boot = new URL('./ts-worker-boot.mjs', entry.url)
  return new Worker(boot, { workerData: { ...config, entry: entry.url.href } })
}
