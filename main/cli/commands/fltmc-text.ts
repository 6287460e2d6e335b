// fltmc.exe's output: the filters and instances tables with its column headings, and its
// "<Verb> failed with error: 0x…" lines. Filter Manager statuses (0xC01C00xx) come back from
// fltlib as HRESULTs 0x801F00xx (FACILITY_USERMODE_FILTER_MANAGER); others as
// HRESULT_FROM_WIN32 of the Win32 error the status maps to.

import type { FilterInfo, InstanceInfo } from '../../../kernel/flt/manager.ts'
import type { FltmcResult } from '../../../kernel/flt/fltmc.ts'
import { RtlNtStatusToDosErrorNoTeb } from '../../../kernel/win32/errors.ts'

const rule = (widths: readonly number[]): string => widths.map((w) => '-'.repeat(w)).join('  ')

export function filtersTable(filters: readonly FilterInfo[]): string {
  const lines = ['', 'Filter Name                     Num Instances    Altitude    Frame', rule([30, 13, 12, 5])]
  for (const f of filters) lines.push(`${f.name.padEnd(30)}  ${String(f.instances).padStart(11)}    ${f.altitude.padStart(10)}  ${String(f.frame).padStart(5)}`)
  return lines.join('\n') + '\n'
}

export function instancesTable(instances: readonly InstanceInfo[]): string {
  const lines = ['', 'Filter                Volume Name                              Altitude        Instance Name       Frame', rule([20, 37, 12, 22, 5])]
  for (const i of instances) {
    lines.push(`${i.filter.padEnd(20)}  ${(i.volume || i.device).padEnd(37)}  ${i.altitude.padStart(10)}    ${i.instance.padEnd(22)}  ${String(i.frame).padStart(5)}`)
  }
  return lines.join('\n') + '\n'
}

/** the HRESULT fltlib returns for a status */
export function fltmcHresult(status: number): number {
  const s = status >>> 0
  if ((s & 0xffff0000) >>> 0 === 0xc01c0000) return (0x801f0000 | (s & 0xffff)) >>> 0
  const win32 = RtlNtStatusToDosErrorNoTeb(s)
  return win32 === 0 ? 0 : (0x80070000 | (win32 & 0xffff)) >>> 0
}

const VERB: { readonly [k: string]: string } = { load: 'Load', unload: 'Unload', attach: 'Attach', detach: 'Detach' }

export function failureText(command: string, r: FltmcResult): string {
  const hr = fltmcHresult(r.status).toString(16).padStart(8, '0')
  return `${VERB[command] ?? command} failed with error: 0x${hr}\n${r.statusName}${r.message ? `: ${r.message}` : ''}\n`
}
