// The background services of the machine: MsMpEng.exe (Defender) scanning and
// SearchProtocolHost.exe (the indexer) indexing every new or changed file, each after its delay
// (settings app.defender.delay, app.indexer.delay), in virtual time, as emulated processes with
// their own threads. Scenarios switch them off with `background: false`.

import type { Machine } from '../../machine.ts'
import { settingNumber, TICKS_PER_MS, type AppSettings } from '../settings.ts'
import { defenderScan, DEFENDER_IMAGE } from './defender.ts'
import { indexFile, INDEXER_IMAGE } from './indexer.ts'
import { WatchingService } from './watch.ts'

export { DEFENDER_IMAGE, defenderScan } from './defender.ts'
export { INDEXER_IMAGE, indexFile, type IndexRun } from './indexer.ts'
export { WATCH_FILTER, WatchingService, watchersIdle } from './watch.ts'

export interface BackgroundServices {
  readonly services: readonly WatchingService[]
  /** every service is at rest: nothing queued, nothing being handled, every watch pending */
  readonly idle: boolean
}

/**
 * Starts Defender and the indexer on `machine`, watching every mounted volume. Their threads
 * open the volume roots and arm their notifications when the machine next runs; run the machine
 * until `idle` before tracing so that their setup stays out of a scenario's trace.
 */
export function startBackground(machine: Machine, settings: AppSettings): BackgroundServices {
  const letters = machine.volumes.map((v) => v.info.letter)
  const services = [
    new WatchingService(machine, machine.process(DEFENDER_IMAGE), settingNumber(settings, 'app.defender.delay') * TICKS_PER_MS, (name) => defenderScan(machine, settings, name)),
    new WatchingService(machine, machine.process(INDEXER_IMAGE), settingNumber(settings, 'app.indexer.delay') * TICKS_PER_MS, function* (name) {
      yield* indexFile(machine, settings, name)
    }),
  ]
  for (const s of services) s.start(letters)
  return {
    services,
    get idle() {
      return services.every((s) => s.idle)
    },
  }
}
