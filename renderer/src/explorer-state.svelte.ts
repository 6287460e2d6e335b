// The Explorer pane's state: where it is (This PC or a folder), the folder's items as
// explorer.exe listed them inside the machine, selection, sorting, history (Back, Forward, Up),
// the navigation tree's known subfolders and the Properties panel. Every listing and every
// properties read is a call into the machine, so it shows up in the trace.

import type { CommandResultData, ConflictChoice, FolderEntryData, ItemPropertiesData, Method, Params } from '../../main/host/api.ts'
import type { HostError, RecycleBinViewData } from '../../main/host/api.ts'
import type { CallOutcome } from './app-state.svelte.ts'
import { baseName, childPath, parentPath, pathChain, sortItems, type SortDirection, type SortKey } from './lib/explorer-format.ts'
import { clickSelection, dropEffectFor, isRecycleBin, recycleBinOf, type DropKeys } from './lib/file-operations.ts'

export type ExplorerLocation = { kind: 'this-pc' } | { kind: 'folder'; path: string }

export interface ExplorerHost {
  call<M extends Method>(method: M, params: Params<M>): Promise<CallOutcome<M>>
}

export interface PaneProblem {
  /** what the pane says, in Explorer's words where it has some */
  message: string
  /** the NTSTATUS name, when the machine refused */
  status?: string
}

/** A question the pane asks before a command goes on (Explorer's dialogs). */
export type PendingQuestion =
  | { kind: 'delete-permanently'; paths: string[]; name: string; directory: boolean }
  | { kind: 'rename-conflict'; path: string; newName: string }
  /** "Replace or Skip Files": a copy, move or drop found the name taken in the destination */
  | { kind: 'transfer-conflict'; verb: 'copying' | 'moving'; count: number; from: string; to: string; name: string; settle: (choice: ConflictChoice) => Promise<void> }

/** what Ctrl+C or Ctrl+X put on the clipboard */
export interface Clipboard {
  mode: 'copy' | 'cut'
  paths: string[]
}

type TransferMethod = 'explorer.copy' | 'explorer.move' | 'explorer.drop'

export interface PropertiesView {
  path: string
  loading: boolean
  data?: ItemPropertiesData
  problem?: PaneProblem
}

const THIS_PC: ExplorerLocation = { kind: 'this-pc' }

function sameLocation(a: ExplorerLocation, b: ExplorerLocation): boolean {
  if (a.kind === 'this-pc' || b.kind === 'this-pc') return a.kind === b.kind
  return a.path.toLowerCase() === b.path.toLowerCase()
}

export class ExplorerState {
  location = $state<ExplorerLocation>(THIS_PC)
  /** the folder's items as listed (unsorted) */
  items = $state.raw<FolderEntryData[]>([])
  /** the location is a Recycle Bin folder (its view shows the recycled items by their original names) */
  get inRecycleBin(): boolean {
    return this.location.kind === 'folder' && isRecycleBin(this.location.path)
  }
  loading = $state(false)
  problem = $state<PaneProblem | null>(null)
  /** the focused item's name: the last one clicked (the anchor of a Shift+click range) */
  selected = $state<string | null>(null)
  /** every selected item's name */
  selection = $state.raw<ReadonlySet<string>>(new Set())
  /** what Ctrl+C or Ctrl+X put on the clipboard */
  clipboard = $state<Clipboard | null>(null)
  /** the items being dragged */
  drag = $state.raw<{ paths: string[] } | null>(null)
  /** the folder under the dragged items (lower-case path) */
  dropTarget = $state<string | null>(null)
  /** the cursor badge while over a target */
  badge = $state<{ x: number; y: number; text: string; refused: boolean } | null>(null)
  /** in the Recycle Bin: what each `$R` item's `$I` record says (by `$R` name) */
  recycled = $state.raw<Record<string, RecycleBinViewData['items'][number]>>({})
  /** the context menu: where it opened */
  menu = $state<{ x: number; y: number; onItem: boolean } | null>(null)
  sortKey = $state<SortKey>('name')
  sortDirection = $state<SortDirection>('ascending')
  sorted = $derived(sortItems(this.items, this.sortKey, this.sortDirection))
  /** the Properties panel: open or not, and what it shows */
  propertiesOpen = $state(false)
  properties = $state<PropertiesView | null>(null)
  /** the subfolders known for each listed folder path (lower-case key), for the navigation tree */
  subfolders = $state.raw<Record<string, FolderEntryData[]>>({})
  /** tree nodes the user expanded (lower-case paths) */
  expanded = $state.raw<ReadonlySet<string>>(new Set())
  /** the item whose name is being edited (F2, or a new folder) */
  renaming = $state<string | null>(null)
  /** a command running in the machine */
  commandBusy = $state(false)
  /** what the last command could not do */
  notice = $state<PaneProblem | null>(null)
  /** a question waiting for the user's answer */
  question = $state<PendingQuestion | null>(null)
  private backStack = $state.raw<ExplorerLocation[]>([])
  private forwardStack = $state.raw<ExplorerLocation[]>([])
  /** numbers each listing request, so a late answer for a folder left meanwhile is ignored */
  private request = 0
  private propertiesRequest = 0

  constructor(private readonly host: ExplorerHost) {}

  get canGoBack(): boolean {
    return this.backStack.length > 0
  }

  get canGoForward(): boolean {
    return this.forwardStack.length > 0
  }

  get canGoUp(): boolean {
    return this.location.kind === 'folder'
  }

  /** The machine was replaced (restart, boot): its volume is a fresh one, so start again at This PC. */
  machineReplaced(): void {
    this.request++
    this.propertiesRequest++
    this.location = THIS_PC
    this.items = []
    this.problem = null
    this.loading = false
    this.selected = null
    this.selection = new Set()
    this.clipboard = null
    this.properties = null
    this.subfolders = {}
    this.expanded = new Set()
    this.backStack = []
    this.forwardStack = []
    this.renaming = null
    this.notice = null
    this.question = null
    this.commandBusy = false
  }

  /** Goes to a location, keeping history (Back returns here). */
  async navigate(to: ExplorerLocation): Promise<void> {
    if (!sameLocation(to, this.location)) {
      this.backStack = [...this.backStack, this.location]
      this.forwardStack = []
    }
    await this.show(to)
  }

  async goBack(): Promise<void> {
    const to = this.backStack.at(-1)
    if (to === undefined) return
    this.backStack = this.backStack.slice(0, -1)
    this.forwardStack = [...this.forwardStack, this.location]
    await this.show(to)
  }

  async goForward(): Promise<void> {
    const to = this.forwardStack.at(-1)
    if (to === undefined) return
    this.forwardStack = this.forwardStack.slice(0, -1)
    this.backStack = [...this.backStack, this.location]
    await this.show(to)
  }

  /** Up: the parent folder; from a drive's root, This PC. */
  async goUp(): Promise<void> {
    const here = this.location
    if (here.kind !== 'folder') return
    const chain = pathChain(here.path)
    const parent = chain.length >= 2 ? chain[chain.length - 2] : undefined
    await this.navigate(parent === undefined ? THIS_PC : { kind: 'folder', path: parent })
  }

  /** Lists the current folder again (F5). */
  async refresh(): Promise<void> {
    await this.show(this.location)
  }

  /** Opens an item of the list: a folder is entered. */
  async open(item: FolderEntryData): Promise<void> {
    const here = this.location
    if (!item.directory || here.kind !== 'folder') return
    await this.navigate({ kind: 'folder', path: childPath(here.path, item.name) })
  }

  select(name: string | null): void {
    this.selected = name
    this.selection = name === null ? new Set() : new Set([name])
    if (this.propertiesOpen) void this.loadProperties()
  }

  /** a click on an item: alone, Ctrl toggles it, Shift selects the range from the last click */
  clickItem(name: string, keys: { ctrl: boolean; shift: boolean }): void {
    const order = this.sorted.map((i) => i.name)
    this.selection = clickSelection(order, this.selection, this.selected, name, keys)
    if (!keys.shift) this.selected = name
    if (this.propertiesOpen) void this.loadProperties()
  }

  /** Ctrl+A */
  selectAll(): void {
    this.selection = new Set(this.items.map((i) => i.name))
    if (this.selected === null) this.selected = this.sorted[0]?.name ?? null
  }

  isSelected(name: string): boolean {
    return this.selection.has(name)
  }

  /** the selected items' paths, in the list's order */
  selectedPaths(): string[] {
    const here = this.location
    if (here.kind !== 'folder') return []
    return this.sorted.filter((i) => this.selection.has(i.name)).map((i) => childPath(here.path, i.name))
  }

  /** Ctrl+C / Ctrl+X: the selection goes on the clipboard */
  toClipboard(mode: 'copy' | 'cut'): void {
    const paths = this.selectedPaths()
    if (paths.length > 0) this.clipboard = { mode, paths }
  }

  /** an item cut and not pasted yet (shown dimmed, as Explorer does) */
  isCut(name: string): boolean {
    const here = this.location
    const c = this.clipboard
    if (c === null || c.mode !== 'cut' || here.kind !== 'folder') return false
    const p = childPath(here.path, name).toLowerCase()
    return c.paths.some((x) => x.toLowerCase() === p)
  }

  /** Ctrl+V: what is on the clipboard is copied or moved into `folder` (the current one by default) */
  async paste(folder?: string): Promise<void> {
    const here = this.location
    const c = this.clipboard
    const to = folder ?? (here.kind === 'folder' ? here.path : undefined)
    if (c === null || to === undefined || this.commandBusy) return
    if (c.mode === 'copy') await this.transfer('explorer.copy', { paths: c.paths, to }, c.paths, to, 'copying')
    else {
      const done = await this.transfer('explorer.move', { paths: c.paths, to }, c.paths, to, 'moving')
      // a cut is pasted once
      if (done) this.clipboard = null
    }
  }

  /** items dragged onto the folder `to`, with the keys held at the drop */
  async dropOn(paths: string[], to: string, keys: DropKeys): Promise<void> {
    if (paths.length === 0 || this.commandBusy) return
    const verb = dropEffectFor(keys, paths[0] ?? '', to) === 'move' ? 'moving' : 'copying'
    await this.transfer('explorer.drop', { from: paths, to, keys: { ctrl: keys.ctrl, shift: keys.shift, alt: keys.alt } }, paths, to, verb)
  }

  /** Ctrl+Z: explorer.exe's last operation, reversed */
  async undo(): Promise<void> {
    if (this.commandBusy) return
    const done = await this.command('explorer.undo', {}, 'undo')
    if (done !== undefined) {
      this.subfolders = {}
      await this.refresh()
    }
  }

  /** New ▸ Text Document, whose name is then edited in place */
  async newTextDocument(): Promise<void> {
    const here = this.location
    if (here.kind !== 'folder' || this.commandBusy) return
    const made = await this.command('explorer.newTextDocument', { path: here.path }, 'make a new text document')
    const target = made?.targets[0]
    if (target === undefined) return
    await this.refresh()
    const name = baseName(target)
    this.select(name)
    this.renaming = name
  }

  /** the Recycle Bin of the machine's user on C:, as the file system holds it ($R items and their $I files) */
  async openRecycleBin(): Promise<void> {
    await this.navigate({ kind: 'folder', path: recycleBinOf('C:') })
  }

  /** After the power came back: the volumes were mounted again; list what survived. */
  async afterPowerCut(): Promise<void> {
    this.renaming = null
    this.question = null
    this.subfolders = {}
    if (this.location.kind === 'folder') await this.refresh()
  }

  /** a copy, move or drop; a name collision asks the user ("Replace or Skip Files") and goes on with the answer */
  private async transfer<M extends TransferMethod>(method: M, params: Params<M>, paths: string[], to: string, verb: 'copying' | 'moving', conflict?: ConflictChoice): Promise<boolean> {
    this.commandBusy = true
    this.notice = null
    let r: CallOutcome<M>
    try {
      r = await this.host.call(method, (conflict === undefined ? params : { ...params, conflict }) as Params<M>)
    } finally {
      this.commandBusy = false
    }
    if (!r.ok && r.error.code === 'conflict') {
      const name = conflictName(r.error) ?? baseName(paths[0] ?? '')
      this.question = {
        kind: 'transfer-conflict',
        verb,
        count: paths.length,
        from: folderName(parentPath(paths[0] ?? '') ?? ''),
        to: folderName(to),
        name,
        settle: async (choice) => {
          await this.transfer(method, params, paths, to, verb, choice)
        },
      }
      return false
    }
    if (!r.ok) {
      this.notice = commandProblem(verb === 'copying' ? 'copy' : 'move', r.error)
      return false
    }
    // the tree lists the folders it shows again when they are opened
    const nextTree = { ...this.subfolders }
    delete nextTree[to.toLowerCase()]
    for (const p of paths) delete nextTree[(parentPath(p) ?? '').toLowerCase()]
    this.subfolders = nextTree
    await this.refresh()
    return true
  }

  setSort(key: SortKey): void {
    if (this.sortKey === key) this.sortDirection = this.sortDirection === 'ascending' ? 'descending' : 'ascending'
    else {
      this.sortKey = key
      this.sortDirection = 'ascending'
    }
  }

  toggleProperties(): void {
    this.propertiesOpen = !this.propertiesOpen
    if (this.propertiesOpen) void this.loadProperties()
  }

  /** Expands or collapses a folder in the navigation tree; its subfolders are listed when not known yet. */
  async toggleExpanded(path: string): Promise<void> {
    const key = path.toLowerCase()
    const next = new Set(this.expanded)
    if (next.has(key)) {
      next.delete(key)
      this.expanded = next
      return
    }
    next.add(key)
    this.expanded = next
    if (this.subfolders[key] === undefined) {
      const r = await this.host.call('explorer.list', { path })
      if (r.ok) this.remember(r.value.path, r.value.entries)
    }
  }

  get selectedItem(): FolderEntryData | undefined {
    return this.selected === null ? undefined : this.items.find((i) => i.name === this.selected)
  }

  /** New ▸ Folder: made by explorer.exe in the machine, then its name is edited in place. */
  async newFolder(): Promise<void> {
    const here = this.location
    if (here.kind !== 'folder' || this.commandBusy) return
    const made = await this.command('explorer.newFolder', { path: here.path }, 'make a new folder')
    const target = made?.targets[0]
    if (target === undefined) return
    await this.refresh()
    const name = target.slice(target.lastIndexOf('\\') + 1)
    this.select(name)
    this.renaming = name
  }

  /** F2 on the selected item */
  startRename(): void {
    // one item: the selected one (with several, F2 renames none here)
    const only = this.selection.size === 1 ? [...this.selection][0] : undefined
    if (only !== undefined && this.location.kind === 'folder') {
      this.selected = only
      this.renaming = only
    }
  }

  cancelRename(): void {
    this.renaming = null
  }

  /** The typed name: unchanged ends editing; a new one is a rename in the machine. */
  async commitRename(newName: string, conflict?: ConflictChoice): Promise<void> {
    const here = this.location
    const old = this.renaming
    this.renaming = null
    if (here.kind !== 'folder' || old === null) return
    const name = newName.trim()
    if (name === '' || name === old) return
    const path = childPath(here.path, old)
    const r = await this.host.call('explorer.rename', { path, newName: name, ...(conflict !== undefined ? { conflict } : {}) })
    if (!r.ok && r.error.code === 'conflict') {
      this.question = { kind: 'rename-conflict', path, newName: name }
      return
    }
    if (!r.ok) {
      this.notice = commandProblem('rename', r.error)
      return
    }
    await this.refresh()
    const target = r.value.targets[0]
    if (target !== undefined) this.select(target.slice(target.lastIndexOf('\\') + 1))
  }

  /** Delete: the selected items to the Recycle Bin; Shift+Delete asks first, then removes them. */
  async deleteSelected(permanent: boolean): Promise<void> {
    const here = this.location
    const paths = this.selectedPaths()
    const first = this.items.find((i) => this.selection.has(i.name))
    if (here.kind !== 'folder' || first === undefined || this.commandBusy) return
    if (permanent) {
      this.question = { kind: 'delete-permanently', paths, name: first.name, directory: first.directory }
      return
    }
    await this.remove(paths, false)
  }

  /** The user's answer to the pending question (undefined: No / Cancel). */
  async answer(choice: 'yes' | ConflictChoice | undefined): Promise<void> {
    const q = this.question
    this.question = null
    if (q === null || choice === undefined) return
    if (q.kind === 'delete-permanently' && choice === 'yes') await this.remove(q.paths, true)
    else if (q.kind === 'transfer-conflict' && choice !== 'yes') await q.settle(choice)
    else if (q.kind === 'rename-conflict' && choice !== 'yes') {
      this.renaming = q.path.slice(q.path.lastIndexOf('\\') + 1)
      await this.commitRename(q.newName, choice)
    }
  }

  dismissNotice(): void {
    this.notice = null
  }

  private async remove(paths: string[], permanent: boolean): Promise<void> {
    const done = await this.command('explorer.delete', { paths, ...(permanent ? { permanent: true } : {}) }, permanent ? 'delete' : 'move to the Recycle Bin')
    if (done === undefined) return
    this.select(null)
    await this.refresh()
  }

  private async command<M extends 'explorer.newFolder' | 'explorer.delete' | 'explorer.newTextDocument' | 'explorer.undo'>(method: M, params: Params<M>, what: string): Promise<CommandResultData | undefined> {
    this.commandBusy = true
    this.notice = null
    try {
      const r = await this.host.call(method, params)
      if (r.ok) return r.value as CommandResultData
      this.notice = commandProblem(what, r.error)
      return undefined
    } finally {
      this.commandBusy = false
    }
  }

  /** The path of the selected item, or of the folder when nothing is selected. */
  selectedPath(): string | undefined {
    const here = this.location
    if (here.kind !== 'folder') return undefined
    return this.selected === null ? here.path : childPath(here.path, this.selected)
  }

  private async loadProperties(): Promise<void> {
    const path = this.selectedPath()
    const n = ++this.propertiesRequest
    if (path === undefined) {
      this.properties = null
      return
    }
    this.properties = { path, loading: true }
    const r = await this.host.call('explorer.properties', { path })
    if (n !== this.propertiesRequest) return
    this.properties = r.ok ? { path, loading: false, data: r.value } : { path, loading: false, problem: problemOf(r.error) }
  }

  private remember(path: string, entries: readonly FolderEntryData[]): void {
    this.subfolders = { ...this.subfolders, [path.toLowerCase()]: sortItems(entries.filter((e) => e.directory), 'name', 'ascending') }
  }

  private async show(to: ExplorerLocation): Promise<void> {
    const n = ++this.request
    const changed = !sameLocation(to, this.location)
    this.location = to
    this.problem = null
    if (changed) this.select(null)
    if (to.kind === 'this-pc') {
      this.items = []
      this.loading = false
      if (this.propertiesOpen) void this.loadProperties()
      return
    }
    this.loading = true
    // the tree shows where the folder is, and what it holds
    const next = new Set(this.expanded)
    for (const p of pathChain(to.path)) next.add(p.toLowerCase())
    this.expanded = next
    const r = await this.host.call('explorer.list', { path: to.path })
    if (n !== this.request) return
    // the Recycle Bin's view: the $I records say what each $R item was and where
    const bin = isRecycleBin(to.path) ? await this.host.call('explorer.recycleBin', { drive: to.path.slice(0, 2) }) : undefined
    if (n !== this.request) return
    this.recycled = bin?.ok === true ? Object.fromEntries(bin.value.items.map((i) => [i.name, i])) : {}
    this.loading = false
    if (r.ok) {
      this.location = { kind: 'folder', path: r.value.path }
      this.items = r.value.entries
      this.remember(r.value.path, r.value.entries)
      if (this.selected !== null && !r.value.entries.some((e) => e.name === this.selected)) this.selected = null
      const names = new Set(r.value.entries.map((e) => e.name))
      if ([...this.selection].some((n) => !names.has(n))) this.selection = new Set([...this.selection].filter((n) => names.has(n)))
    } else if (isRecycleBin(to.path) && (r.error.status === 'STATUS_OBJECT_NAME_NOT_FOUND' || r.error.status === 'STATUS_OBJECT_PATH_NOT_FOUND')) {
      // nothing was ever recycled: the folder is made by the first delete
      this.items = []
    } else {
      this.items = []
      this.problem = problemOf(r.error, to.path)
    }
    if (this.propertiesOpen) void this.loadProperties()
  }
}

/** The machine's refusal in the words Explorer would use, with the status for the developer. */
function problemOf(error: { code: string; message: string; status?: string | undefined }, path?: string): PaneProblem {
  if (error.code === 'nt-status' && error.status !== undefined) {
    const where = path ?? 'the item'
    const words: Record<string, string> = {
      STATUS_OBJECT_NAME_NOT_FOUND: `Windows can't find '${where}'. Check the spelling and try again.`,
      STATUS_OBJECT_PATH_NOT_FOUND: `Windows can't find '${where}'. Check the spelling and try again.`,
      STATUS_NOT_A_DIRECTORY: `'${where}' is not a folder.`,
      STATUS_ACCESS_DENIED: `${where} is not accessible. Access is denied.`,
      STATUS_SHARING_VIOLATION: `The process cannot access '${where}' because it is being used by another process.`,
      STATUS_DELETE_PENDING: `'${where}' is being deleted.`,
    }
    return { message: words[error.status] ?? error.message, status: error.status }
  }
  return { message: error.message }
}

/** why a command failed, with the Win32 error and NTSTATUS the machine gave */
function commandProblem(what: string, error: { code: string; message: string; status?: string | undefined }): PaneProblem {
  const detail = error.message.replace(/^explorer\.exe could not [^:]*?(?=[A-Z]:\\)/, '')
  return { message: `Could not ${what}: ${detail}`, ...(error.status !== undefined ? { status: error.status } : {}) }
}

/** the name a conflict error names (`… C:\\Docs\\a.txt already exists; …`) */
function conflictName(error: HostError): string | undefined {
  const m = /([A-Za-z]:\\[^;]*?) already exists/.exec(error.message)
  return m?.[1] === undefined ? undefined : baseName(m[1])
}

/** a folder's name as the conflict dialog shows it (a drive's root as `C:`) */
function folderName(path: string): string {
  return baseName(path) || path.replace(/\\$/, '')
}
