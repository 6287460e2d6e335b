// The built-in filters, by service name: ports of the WDK minifilter samples that a scenario
// loads with `filters: [{ name: passthrough, altitude: 370030 }]`.

import type { FilterModule } from '../flt/manager.ts'
import * as avscan from './avscan.ts'
import * as cancelsafe from './cancelsafe.ts'
import * as change from './change.ts'
import * as ctxFilter from './ctx.ts'
import * as deleteFilter from './delete.ts'
import * as hsm from './hsm.ts'
import * as minispy from './minispy.ts'
import * as nullfilter from './nullfilter.ts'
import * as passthrough from './passthrough.ts'
import * as stateTracking from './state-tracking.ts'
import * as scanner from './scanner.ts'
import * as simrep from './simrep.ts'
import * as swapbuffers from './swapbuffers.ts'
import * as swapbuffersXor from './swapbuffers-xor.ts'

export const BUILTIN_FILTERS: Readonly<Record<string, FilterModule>> = {
  passthrough,
  minispy,
  swapbuffers,
  'swapbuffers-xor': swapbuffersXor,
  simrep,
  delete: deleteFilter,
  avscan,
  'state-tracking': stateTracking,
  scanner,
  hsm,
  nullfilter,
  ctx: ctxFilter,
  cancelsafe,
  change,
}
