// explorer.exe as a process profile: opening a folder (the listing with
// FileIdBothDirectoryInformation, then a change notification kept pending on the folder while
// it is open), reacting to new and changed items in open folders (their attributes, then the
// first bytes for the thumbnail / property handlers), closing a folder, and an item's
// Properties.
// [O] Win10 1709 capture: Explorer's QueryDirectory with FileIdBothDirectoryInformation and
// its NotifyChangeDirectory on open folders; thumbnail and property reads of a new file by
// Explorer/dllhost after Notepad's save (irp-sequences.md §4.4 end).
// inferred: the shell watches an open folder without its subtree (SHChangeNotifyRegister on the
// view's folder), reads the new item's attributes and then its first bytes after a short delay
// (app.explorer.reactionDelay, app.explorer.thumbnailBytes).

import type { Co } from '../../ke/index.ts'
import { KeWaitForSingleObject } from '../../ke/index.ts'
import type { EProcess } from '../../ob/index.ts'
import { ACCESS } from '../../nt/access.ts'
import { FILE_ATTRIBUTE, FILE_NOTIFY_CHANGE as N, SHARE_ACCESS } from '../../nt/file.ts'
import { STATUS } from '../../nt/status.ts'
import * as w32 from '../../win32/index.ts'
import type { AppArgs } from '../args.ts'
import { failNt } from '../calls.ts'
import type { AppContext, AppOutcome, AppProfile } from '../registry.ts'
import { settingNumber, TICKS_PER_MS } from '../settings.ts'
import { WatchingService } from '../background/watch.ts'
import { listFolder } from './list.ts'
import { parseDosPath } from './paths.ts'
import { itemProperties } from './properties.ts'
import { EXPLORER_IMAGE } from './process.ts'

/** what the view of an open folder is told about */
const FOLDER_FILTER = N.FILE_NOTIFY_CHANGE_FILE_NAME | N.FILE_NOTIFY_CHANGE_DIR_NAME | N.FILE_NOTIFY_CHANGE_ATTRIBUTES | N.FILE_NOTIFY_CHANGE_SIZE | N.FILE_NOTIFY_CHANGE_LAST_WRITE

const watchers = new WeakMap<EProcess, WatchingService>()

/** `\??\C:\dir\a.txt` → `C:\dir\a.txt` */
function dosOf(ntName: string): string {
  return ntName.startsWith('\\??\\') ? ntName.slice(4) : ntName
}

/** what explorer.exe does when an item appears or changes in an open folder */
function* reactToItem(ctx: AppContext, ntName: string): Co<void> {
  const path = dosOf(ntName)
  const attrs = yield* w32.GetFileAttributesExW(ctx.env, path)
  if (!attrs || attrs.FileAttributes & FILE_ATTRIBUTE.FILE_ATTRIBUTE_DIRECTORY) return
  const h = yield* w32.CreateFileW(ctx.env, {
    FileName: path,
    DesiredAccess: ACCESS.GENERIC_READ,
    ShareMode: SHARE_ACCESS.FILE_SHARE_READ | SHARE_ACCESS.FILE_SHARE_WRITE | SHARE_ACCESS.FILE_SHARE_DELETE,
    CreationDisposition: w32.CREATION_DISPOSITION.OPEN_EXISTING,
    FlagsAndAttributes: 0,
  })
  if (h.handle === w32.INVALID_HANDLE_VALUE) return
  const size = Math.min(Number(attrs.FileSizeLow) + Number(attrs.FileSizeHigh) * 2 ** 32, settingNumber(ctx.settings, 'app.explorer.thumbnailBytes'))
  if (size > 0) yield* w32.ReadFile(ctx.env, { File: h.handle, NumberOfBytesToRead: size, Offset: 0 })
  yield* w32.CloseHandle(ctx.env, h.handle)
}

function watcherOf(ctx: AppContext): WatchingService {
  let w = watchers.get(ctx.process)
  if (!w) {
    const reactionCtx = ctx
    w = new WatchingService(ctx.machine, ctx.process, settingNumber(ctx.settings, 'app.explorer.reactionDelay') * TICKS_PER_MS, (name) => reactToItem(reactionCtx, name))
    watchers.set(ctx.process, w)
  }
  return w
}

function* openFolder(ctx: AppContext, args: AppArgs): Co<AppOutcome> {
  const given = args.path('path')
  const p = parseDosPath(given)
  if (!p.ok) return failNt(ctx, STATUS.STATUS_OBJECT_NAME_INVALID, `${given}: ${p.problem}`)
  const listing = yield* listFolder(ctx.env.io, p)
  if (!listing.ok) return failNt(ctx, listing.status, `${listing.call} ${listing.path}`)
  const w = watcherOf(ctx)
  if (!w.watching(p.nt)) {
    // as every folder open of Explorer in the 1709 capture: without FILE_OPEN_FOR_BACKUP_INTENT
    const ready = w.watch(p.nt, false, FOLDER_FILTER, `folder ${p.dos}`, false)
    yield* KeWaitForSingleObject(ready, undefined, `the view of ${p.dos} watching its folder`)
  }
  return { ok: true, output: { Entries: listing.value.entries.map((e) => e.name), Queries: listing.value.queries } }
}

function* closeFolder(ctx: AppContext, args: AppArgs): Co<AppOutcome> {
  const given = args.path('path')
  const p = parseDosPath(given)
  if (!p.ok) return failNt(ctx, STATUS.STATUS_OBJECT_NAME_INVALID, `${given}: ${p.problem}`)
  const w = watchers.get(ctx.process)
  const closed = w ? yield* w.unwatch(p.nt) : false
  return { ok: true, output: { WasOpen: closed } }
}

function* properties(ctx: AppContext, args: AppArgs): Co<AppOutcome> {
  const given = args.path('path')
  const p = parseDosPath(given)
  if (!p.ok) return failNt(ctx, STATUS.STATUS_OBJECT_NAME_INVALID, `${given}: ${p.problem}`)
  const r = yield* itemProperties(ctx.env.io, p)
  if (!r.ok) return failNt(ctx, r.status, `${r.call} ${r.path}`)
  const v = r.value
  return { ok: true, output: { Name: v.name, Directory: v.directory, Size: v.size, AllocationSize: v.allocationSize, Attributes: v.attributes, Links: v.links, Streams: v.streams.map((s) => s.name) } }
}

export const explorerApp: AppProfile = {
  image: EXPLORER_IMAGE,
  description: 'Windows Explorer: opens folders (listing, change notification kept pending, reactions to new items), closes them, shows Properties.',
  actions: {
    openFolder: { params: ['path'], summary: 'open a folder in a window: list it and watch it', run: openFolder },
    closeFolder: { params: ['path'], summary: 'close the folder\'s window: its change notification ends', run: closeFolder },
    properties: { params: ['path'], summary: 'the Properties dialog of an item', run: properties },
  },
}
