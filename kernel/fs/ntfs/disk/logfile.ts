// Reading someone else's $LogFile: when a volume comes from Windows (or ntfs-3g after use),
// $LogFile holds NTFS log restart pages ('RSTR'/'CHKD'). Altitude does not replay NTFS log
// records; it only accepts such a volume read-write when the restart area says the volume
// was shut down cleanly (the rule ntfs-3g applies in ntfs_is_logfile_clean: no client in use,
// or RESTART_VOLUME_IS_CLEAN set). Layout: logfile.h RESTART_PAGE_HEADER, RESTART_AREA.

import { u16, u32, hex } from './bytes.ts'
import { removeFixups } from './fixup.ts'
import type { Journal } from './journal.ts'

const RSTR = 0x52545352
const CHKD = 0x444b4843
const LOGFILE_NO_CLIENT = 0xffff
const RESTART_VOLUME_IS_CLEAN = 0x0002

export function checkRestartArea(
  _journal: Journal,
  read: (offset: number, length: number) => Uint8Array,
): { clean: true } | { clean: false; reason: string } {
  const head = read(0, 512)
  const magic = u32(head, 0)
  if (magic !== RSTR && magic !== CHKD) {
    return { clean: false, reason: `restart page signature ${hex(magic, 8)} is neither empty (0xFFFFFFFF) nor 'RSTR'` }
  }
  const pageSize = u32(head, 0x10)
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    return { clean: false, reason: `restart page size ${pageSize} is invalid` }
  }
  const page = read(0, pageSize)
  const problem = removeFixups(page, 0, pageSize)
  if (problem) return { clean: false, reason: `restart page: ${problem.message} at byte ${problem.offset}` }
  const raOffset = u16(page, 0x18)
  if (raOffset + 16 > pageSize) return { clean: false, reason: `restart area offset ${raOffset} is invalid` }
  const inUse = u16(page, raOffset + 0x0c)
  const flags = u16(page, raOffset + 0x0e)
  if (inUse !== LOGFILE_NO_CLIENT && (flags & RESTART_VOLUME_IS_CLEAN) === 0) {
    return { clean: false, reason: 'the restart area has a client in use and no clean flag' }
  }
  return { clean: true }
}
