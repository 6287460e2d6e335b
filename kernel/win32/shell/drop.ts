// Drag and drop: the effect comes from the keys held at the drop and from where the items go
// (Raymond Chen, "Will dragging a file result in a move or a copy?"; files-community/Files
// BaseLayoutViewModel; shared/reference/ui-anchors.md §3.2): Alt or Ctrl+Shift makes shortcuts,
// Ctrl copies, Shift moves; with no key a drop on the same volume moves and on another volume
// copies (decided by the first item, as one drop has one effect).

import type { Co } from '../../ke/index.ts'
import type { Win32Env } from '../env.ts'
import type { ConflictChoice, DropEffect, ShellOutcome } from './context.ts'
import { createShortcuts } from './create.ts'
import { driveOf } from './names.ts'
import { copyItems, moveItems } from './transfer.ts'

export type DropKey = 'ctrl' | 'shift' | 'alt'

/** the drop effect of the keys held and of the source and target volumes */
export function dropEffect(keys: readonly DropKey[], sourceDrive: string, targetDrive: string): DropEffect {
  const ctrl = keys.includes('ctrl')
  const shift = keys.includes('shift')
  if (keys.includes('alt') || (ctrl && shift)) return 'link'
  if (ctrl) return 'copy'
  if (shift) return 'move'
  return sourceDrive.toUpperCase() === targetDrive.toUpperCase() ? 'move' : 'copy'
}

/** the items dropped on the folder `to` */
export function* drop(env: Win32Env, from: readonly string[], to: string, keys: readonly DropKey[], conflict?: ConflictChoice): Co<ShellOutcome> {
  // inferred (§5 Drag-and-drop): a drop runs the copy, move and shortcut engines unchanged; the
  // shell's reads of the source for the drag image are not emulated (no capture shows them)
  const effect = dropEffect(keys, driveOf(from[0] ?? ''), driveOf(to))
  const r = effect === 'link' ? yield* createShortcuts(env, from, to) : effect === 'copy' ? yield* copyItems(env, from, to, conflict) : yield* moveItems(env, from, to, conflict)
  return { ...r, effect }
}
