// Directory changes as the driver's operations make them: every add, remove, rename and
// modification is reported here once, after it happened, to the volume's listeners (change
// notification, NtNotifyChangeDirectoryFile, is one of them; see ./driver.ts).

import type { RecordNo } from './store.ts'
import type { Vcb } from './structures.ts'

export function reportChange(vcb: Vcb, dir: RecordNo, name: string, action: number, filter: number): void {
  if (vcb.changeListeners.length === 0) return
  const change = { dir, dirFcb: vcb.fcbTable.get(dir), name, action, filter }
  for (const l of vcb.changeListeners) l(change)
}
