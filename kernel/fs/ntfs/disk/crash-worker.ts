// Child process of the crash test: runs a seeded sequence of metadata operations on an image
// and reports progress on stdout — "op N" after operation N returned, "durable N" after the
// flush that followed it — until it is killed or has done `count` operations.
//
//   node --import tsx crash-worker.ts IMAGE SEED COUNT FLUSH_EVERY

import { openDiskStore } from './disk-store.ts'
import { CrashModel, CrashRunner } from './crash-ops.ts'
import { writeSync } from 'node:fs'

const [image, seedArg, countArg, flushArg] = process.argv.slice(2)
if (!image || !seedArg || !countArg || !flushArg) {
  process.stderr.write('usage: crash-worker IMAGE SEED COUNT FLUSH_EVERY\n')
  process.exit(2)
}
const store = openDiskStore(image)
const model = new CrashModel(Number(seedArg))
const runner = new CrashRunner(store)
const flushEvery = Number(flushArg)
for (let i = 1; i <= Number(countArg); i++) {
  const op = model.next()
  runner.run(op)
  model.apply(op)
  writeSync(1, `op ${i}\n`)
  if (i % flushEvery === 0) {
    store.flush()
    writeSync(1, `durable ${i}\n`)
  }
}
store.close()
writeSync(1, 'done\n')
