// Test helper: a FILETIME from a UTC civil time, computed independently of format.ts (by the
// scenario reader's ISO date conversion).

import { parseIsoFiletime } from '../scenario/args.ts'

export function filetimeFromCivil(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): bigint {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0')
  const ft = parseIsoFiletime(`${p(y, 4)}-${p(mo)}-${p(d)}T${p(h)}:${p(mi)}:${p(s)}Z`)
  if (ft === undefined) throw new Error(`not a date: ${y}-${mo}-${d}`)
  return ft
}
