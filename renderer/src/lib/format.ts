// Display formats: Explorer's sizes, Process Monitor's times, bug check codes.

/** 100 ns ticks per second */
const TICKS_PER_SECOND = 10_000_000

/** Explorer-style size: 1024-based, three significant digits ("64.0 MB", "512 KB"). */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`
  const units = ['KB', 'MB', 'GB', 'TB', 'PB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2
  return `${value.toFixed(digits)} ${units[unit]}`
}

/** Virtual time since boot as Procmon's relative time: `00:00:12.3456789`. */
export function formatVirtualTime(ticks: number): string {
  const whole = Math.floor(ticks)
  const seconds = Math.floor(whole / TICKS_PER_SECOND)
  const fraction = String(whole % TICKS_PER_SECOND).padStart(7, '0')
  const h = String(Math.floor(seconds / 3600)).padStart(2, '0')
  const m = String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')
  const s = String(seconds % 60).padStart(2, '0')
  return `${h}:${m}:${s}.${fraction}`
}

/**
 * Procmon's Time of Day (`7:19:37.0147934 AM`) of an event `ticks` after the virtual boot
 * time. Shown in UTC, so that a trace reads the same on every machine.
 */
export function formatTimeOfDay(bootedAtIso: string, ticks: number): string {
  const bootMs = Date.parse(bootedAtIso)
  if (Number.isNaN(bootMs)) return formatVirtualTime(ticks)
  const dayTicks = 86_400 * TICKS_PER_SECOND
  const bootTicksOfDay = ((bootMs % 86_400_000) + 86_400_000) % 86_400_000 * 10_000
  const t = (bootTicksOfDay + Math.floor(ticks)) % dayTicks
  const seconds = Math.floor(t / TICKS_PER_SECOND)
  const fraction = String(t % TICKS_PER_SECOND).padStart(7, '0')
  const h24 = Math.floor(seconds / 3600)
  const h12 = h24 % 12 === 0 ? 12 : h24 % 12
  const m = String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')
  const s = String(seconds % 60).padStart(2, '0')
  return `${h12}:${m}:${s}.${fraction} ${h24 < 12 ? 'AM' : 'PM'}`
}

/** `0x00000133` */
export function formatBugcheckCode(code: number): string {
  return `0x${code.toString(16).toUpperCase().padStart(8, '0')}`
}

/** Procmon's Result column: NTSTATUS names without the STATUS_ prefix, words spaced. */
export function formatResult(status: string | undefined): string {
  if (status === undefined) return ''
  if (!status.startsWith('STATUS_')) return status
  return status.slice('STATUS_'.length).replace(/_/g, ' ')
}

/** The volume's display name as Explorer shows it: `Local Disk (C:)` or `Label (C:)`. */
export function volumeName(volume: { letter: string; label: string }): string {
  const letter = volume.letter.replace(/:?\\?$/, '')
  return `${volume.label !== '' ? volume.label : 'Local Disk'} (${letter}:)`
}
