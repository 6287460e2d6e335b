// The Explorer rules the pane applies before it asks the machine: what a drop will do with the
// keys held (the cursor badge's words), which items a click, Ctrl+click or Shift+click selects,
// and where the Recycle Bin of the machine's user is. The machine's shell engine applies the
// same drop rules when the drop arrives (kernel/win32/shell/drop.ts).

import type { DropEffect } from '../../../main/host/api.ts'

export interface DropKeys {
  ctrl: boolean
  shift: boolean
  alt: boolean
}

/** the drive letter of a path, upper-case (`c:\x` → `C:`) */
export function driveOf(path: string): string {
  return path.slice(0, 2).toUpperCase()
}

/**
 * Raymond Chen, "Will dragging a file result in a move or a copy?": Alt or Ctrl+Shift make a
 * shortcut, Ctrl copies, Shift moves; with no key the same drive moves and another drive copies.
 */
export function dropEffectFor(keys: DropKeys, from: string, to: string): DropEffect {
  if (keys.alt || (keys.ctrl && keys.shift)) return 'link'
  if (keys.ctrl) return 'copy'
  if (keys.shift) return 'move'
  return driveOf(from) === driveOf(to) ? 'move' : 'copy'
}

/** the cursor badge Windows shows over a drop target: "Move to Documents", "Copy to Local Disk (D:)", "Create link in Desktop" */
export function badgeText(effect: DropEffect, targetName: string): string {
  if (effect === 'link') return `Create link in ${targetName}`
  return `${effect === 'copy' ? 'Copy' : 'Move'} to ${targetName}`
}

/**
 * A drop Explorer refuses (the "no" cursor): onto one of the dragged items or inside a dragged
 * folder, or a move onto the folder the items are already in.
 */
export function dropRefused(paths: readonly string[], target: string, effect: DropEffect): boolean {
  const t = target.toLowerCase().replace(/\\$/, '')
  for (const p of paths) {
    const q = p.toLowerCase()
    if (t === q || t.startsWith(`${q}\\`)) return true
    const parent = q.slice(0, q.lastIndexOf('\\')).replace(/^([a-z]:)$/, '$1')
    if (effect === 'move' && parent.replace(/\\$/, '') === t.replace(/^([a-z]:)$/, '$1')) return true
  }
  return false
}

/**
 * The selection after a click on `name` in `order` (the sorted names): a plain click selects it
 * alone, Ctrl+click toggles it, Shift+click selects from the anchor to it (Ctrl+Shift adds that
 * range to the selection).
 */
export function clickSelection(order: readonly string[], current: ReadonlySet<string>, anchor: string | null, name: string, keys: { ctrl: boolean; shift: boolean }): Set<string> {
  if (keys.shift && anchor !== null) {
    const a = order.indexOf(anchor)
    const b = order.indexOf(name)
    if (a >= 0 && b >= 0) {
      const range = order.slice(Math.min(a, b), Math.max(a, b) + 1)
      return new Set(keys.ctrl ? [...current, ...range] : range)
    }
  }
  if (keys.ctrl) {
    const next = new Set(current)
    if (next.has(name)) next.delete(name)
    else next.add(name)
    return next
  }
  return new Set([name])
}

/** the machine's interactive user (kernel/machine.ts USER_SID): its Recycle Bin folder is named after it */
export const USER_SID = 'S-1-5-21-3623811015-3361044348-30300820-1001'

/** the Recycle Bin folder of the user on a drive (`C:` → `C:\$Recycle.Bin\S-1-5-21-…-1001`) */
export function recycleBinOf(drive: string): string {
  return `${driveOf(drive)}\\$Recycle.Bin\\${USER_SID}`
}

export function isRecycleBin(path: string): boolean {
  return /^[A-Za-z]:\\\$Recycle\.Bin\\S-1-5-21-3623811015-3361044348-30300820-1001$/i.test(path)
}
