// explorer.exe: what the Explorer pane asks of the emulated machine (listing folders, reading
// an item's properties), done with the NT calls Explorer makes, on a thread of explorer.exe.

export { parseDosPath, type ParsedPath } from './paths.ts'
export { attributeNames, fileIdHex, isoTime } from './attributes.ts'
export { describeFailure, type ExplorerOutcome } from './outcome.ts'
export { listFolder, LIST_BUFFER_BYTES, LIST_CLASS, type FolderEntry, type FolderListing } from './list.ts'
export { itemProperties, type ItemProperties, type StreamProperties } from './properties.ts'
export { EXPLORER_IMAGE, explorerProcess, runInExplorer, ROUTINE_TIMEOUT_TICKS, type RoutineRun } from './process.ts'
export { checkTypedName, CONFLICT_CHOICES, deleteItemsAt, newFolderIn, renameAt, type CommandOutcome, type CommandResult, type ConflictChoice } from './commands.ts'
