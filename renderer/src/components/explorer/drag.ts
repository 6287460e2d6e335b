// Drag and drop inside the Explorer pane (HTML5 drag and drop): items of the list are dragged
// onto a folder of the list or a drive or folder of the navigation pane. While over a target the
// cursor badge says what the drop will do with the keys held ("Move to …", "Copy to …",
// "Create link in …"); the drop asks the machine, whose shell engine applies the same rules.

import type { ExplorerState } from '../../explorer-state.svelte.ts'
import { badgeText, dropEffectFor, dropRefused, type DropKeys } from '../../lib/file-operations.ts'

/** the data type the pane's drags carry: the dragged items' paths, one a line */
export const DRAG_TYPE = 'application/x-altitude-items'

function keysOf(e: DragEvent): DropKeys {
  return { ctrl: e.ctrlKey, shift: e.shiftKey, alt: e.altKey }
}

/** a drag starts on an item: the selection (or the item alone, when it is not selected) */
export function startDrag(e: DragEvent, explorer: ExplorerState, name: string, path: string): void {
  if (!explorer.isSelected(name)) explorer.select(name)
  const paths = explorer.selectedPaths()
  explorer.drag = { paths: paths.length > 0 ? paths : [path] }
  if (e.dataTransfer !== null) {
    e.dataTransfer.setData(DRAG_TYPE, explorer.drag.paths.join('\n'))
    e.dataTransfer.setData('text/plain', explorer.drag.paths.join('\n'))
    e.dataTransfer.effectAllowed = 'all'
  }
}

/** over a drop target: the badge and the drop effect the cursor shows */
export function overTarget(e: DragEvent, explorer: ExplorerState, target: string, targetName: string): void {
  const drag = explorer.drag
  if (drag === null) return
  // the innermost target only (a tree item holds its subfolders' items)
  e.stopPropagation()
  const effect = dropEffectFor(keysOf(e), drag.paths[0] ?? '', target)
  const refused = dropRefused(drag.paths, target, effect)
  e.preventDefault()
  if (e.dataTransfer !== null) e.dataTransfer.dropEffect = refused ? 'none' : effect
  explorer.dropTarget = target.toLowerCase()
  explorer.badge = { x: e.clientX, y: e.clientY, text: refused ? '' : badgeText(effect, targetName), refused }
}

export function leaveTarget(e: DragEvent, explorer: ExplorerState, target: string): void {
  e.stopPropagation()
  if (explorer.dropTarget === target.toLowerCase()) {
    explorer.dropTarget = null
    explorer.badge = null
  }
}

/** the drop: the machine's shell engine copies, moves or links */
export function dropOnTarget(e: DragEvent, explorer: ExplorerState, target: string): void {
  const drag = explorer.drag
  e.preventDefault()
  e.stopPropagation()
  endDrag(explorer)
  if (drag === null) return
  const keys = keysOf(e)
  if (dropRefused(drag.paths, target, dropEffectFor(keys, drag.paths[0] ?? '', target))) return
  void explorer.dropOn(drag.paths, target, keys)
}

export function endDrag(explorer: ExplorerState): void {
  explorer.drag = null
  explorer.dropTarget = null
  explorer.badge = null
}
