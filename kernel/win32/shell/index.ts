// What Explorer does for a user: copy, move, rename, delete (to the Recycle Bin or permanently),
// new folders and documents, drag and drop, undo.

export { ShellConflict, type ConflictChoice, type DropEffect, type ShellOutcome, type HistoryRecord } from './context.ts'
export { copyItems, moveItems, renameItem, listTree } from './transfer.ts'
export { deleteItems, recycleItems } from './remove.ts'
export { newFolder, newTextDocument, createShortcuts } from './create.ts'
export { drop, dropEffect, type DropKey } from './drop.ts'
export { undo, type UndoOutcome } from './undo.ts'
export { encodeRecycleInfo, decodeRecycleInfo, encodeShellLink } from './formats.ts'
export * from './names.ts'
