// Starts the kernel worker from wherever this module runs:
// - from TypeScript sources (the CLI and web host under tsx, vitest): the worker is the .ts
//   file, loaded through a tiny bootstrap that registers tsx inside the worker thread, because
//   Node 20 does not apply `--import tsx` loader hooks to worker threads;
// - from the electron-vite build: the worker is out/main/kernel-worker.js, a second entry of
//   the main build, next to the module that starts it.

import { Worker } from 'node:worker_threads'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import type { WorkerConfig } from './worker-protocol.ts'

export interface WorkerEntry {
  /** what the worker runs: a file URL, or bootstrap code (eval) that imports the .ts entry */
  kind: 'file' | 'ts-bootstrap'
  url: URL
}

export function kernelWorkerEntry(from: string = import.meta.url): WorkerEntry {
  if (from.endsWith('.ts')) return { kind: 'ts-bootstrap', url: new URL('./kernel-worker.ts', from) }
  return { kind: 'file', url: new URL('./kernel-worker.js', from) }
}

export function spawnKernelWorker(config: WorkerConfig, entry: WorkerEntry = kernelWorkerEntry()): Worker {
  const options = { workerData: config, stdout: false, stderr: false }
  if (entry.kind === 'file') return new Worker(entry.url, options)
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href
  const bootstrap =
    `import(${JSON.stringify(tsxApi)})` +
    `.then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.url.href)}) })`
  return new Worker(bootstrap, { ...options, eval: true })
}
