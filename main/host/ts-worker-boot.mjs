// Starts a TypeScript worker thread from the sources: registers tsx in this thread (Node 20
// does not apply `--import tsx` loader hooks to worker threads), then imports the entry named
// in workerData.entry. Used by worker-spawn.ts outside the electron-vite build.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.entry)
