// Volume recipes: YAML descriptions of a volume's contents (fixtures/volumes/*.yaml), built
// into an image on demand so no binary image is committed.
//
//   size: 64MiB                 # volume size (bytes, or with KiB/MiB/GiB)
//   label: DATA                 # optional
//   serial: 0x1234ABCD5678EF00  # optional 64-bit serial number
//   time: 2024-01-02T03:04:05Z  # optional default timestamp (ISO date or a FILETIME number)
//   files:
//     - { path: 'C:\docs', directory: true }
//     - { path: 'docs\a.txt', content: "hello" }            # text content
//     - { path: 'big.bin', size: 8MiB }                     # deterministic pattern content
//     - { path: 'raw.bin', hex: "00ff10" }                   # binary content
//     - path: 'a.txt'
//       streams: { Zone.Identifier: "[ZoneTransfer]\r\nZoneId=3\r\n", big: { size: 100KiB } }
//       attributes: [FILE_ATTRIBUTE_READONLY, FILE_ATTRIBUTE_HIDDEN]
//       times: { created: 2020-01-01T00:00:00Z, written: ..., changed: ..., accessed: ... }
//       eas: [{ name: MYEA, value: "text" }]               # or hex: "..."
//       objectId: 00112233445566778899aabbccddeeff
//       shortName: none                                    # auto (default) | none | an explicit 8.3 name
//     - { path: 'stub.dat', size: 1MiB, reparse: { tag: 0x80000019, guid: <32 hex>, hex: "..." } }
//     - { path: 'hard.txt', link: 'a.txt' }                 # another name of an existing file
//
// Paths use '\' or '/', with or without a drive letter; parent directories are created as
// needed. Pattern content: the byte at offset i is i mod 251 (see patternBytes).

import { parse as parseYaml } from 'yaml'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as nodePath from 'node:path'
import { createHash } from 'node:crypto'
import { formatVolume } from './format.ts'
import { openDiskStore, type DiskStore } from './disk-store.ts'
import { NameSpace, StoreError, type StandardInfo } from '../store.ts'
import { generateShortName, isLegal8dot3 } from '../shortname.ts'
import { inheritedSd } from './security.ts'

export interface RecipeFile {
  path: string
  directory?: boolean
  content?: string
  hex?: string
  size?: number | string
  link?: string
  streams?: Record<string, string | { size?: number | string; hex?: string; content?: string }>
  attributes?: Array<string | number>
  times?: { created?: string | number; written?: string | number; changed?: string | number; accessed?: string | number }
  eas?: Array<{ name: string; value?: string; hex?: string; flags?: number }>
  objectId?: string
  reparse?: { tag: number | string; guid?: string; hex?: string; content?: string }
  shortName?: string
}

export interface Recipe {
  size: number | string
  label?: string
  serial?: number | string | bigint
  time?: string | number
  files?: RecipeFile[]
}

export class RecipeError extends Error {}

const FILE_ATTRIBUTES: Record<string, number> = {
  FILE_ATTRIBUTE_READONLY: 0x1,
  FILE_ATTRIBUTE_HIDDEN: 0x2,
  FILE_ATTRIBUTE_SYSTEM: 0x4,
  FILE_ATTRIBUTE_DIRECTORY: 0x10,
  FILE_ATTRIBUTE_ARCHIVE: 0x20,
  FILE_ATTRIBUTE_NORMAL: 0x80,
  FILE_ATTRIBUTE_TEMPORARY: 0x100,
  FILE_ATTRIBUTE_SPARSE_FILE: 0x200,
  FILE_ATTRIBUTE_REPARSE_POINT: 0x400,
  FILE_ATTRIBUTE_COMPRESSED: 0x800,
  FILE_ATTRIBUTE_OFFLINE: 0x1000,
  FILE_ATTRIBUTE_NOT_CONTENT_INDEXED: 0x2000,
  FILE_ATTRIBUTE_ENCRYPTED: 0x4000,
  FILE_ATTRIBUTE_RECALL_ON_OPEN: 0x40000,
  FILE_ATTRIBUTE_RECALL_ON_DATA_ACCESS: 0x400000,
}

/** deterministic content for `size:` files: the byte at offset i is i mod 251 */
export function patternBytes(offset: number, length: number): Uint8Array {
  const b = new Uint8Array(length)
  let v = offset % 251
  for (let i = 0; i < length; i++) {
    b[i] = v
    v = v === 250 ? 0 : v + 1
  }
  return b
}

/** "64MiB", "100KiB", "1GiB", "4096" or a number → bytes */
export function parseSize(v: number | string | undefined, what: string): number {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && v >= 0) return v
    throw new RecipeError(`${what}: ${v} is not a byte count`)
  }
  const m = /^\s*(\d+)\s*(B|KiB|MiB|GiB|KB|MB|GB)?\s*$/i.exec(v ?? '')
  if (!m) throw new RecipeError(`${what}: ${JSON.stringify(v)} is not a size (use e.g. 4096, 100KiB, 64MiB)`)
  const unit = (m[2] ?? 'B').toLowerCase()
  const mult = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 ** 2 : unit.startsWith('g') ? 1024 ** 3 : 1
  return Number(m[1]) * mult
}

/** ISO date or FILETIME → FILETIME */
export function parseTime(v: string | number | undefined, what: string, fallback: bigint): bigint {
  if (v === undefined) return fallback
  if (typeof v === 'number') return BigInt(v)
  if (/^\d+$/.test(v)) return BigInt(v)
  const ms = Date.parse(v)
  if (Number.isNaN(ms)) throw new RecipeError(`${what}: ${JSON.stringify(v)} is not a date (use ISO 8601, e.g. 2024-01-02T03:04:05Z)`)
  return BigInt(ms) * 10000n + 116444736000000000n
}

function hexBytes(h: string, what: string): Uint8Array {
  const clean = h.replace(/[\s-]/g, '')
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new RecipeError(`${what}: ${JSON.stringify(h)} is not hex bytes`)
  const b = new Uint8Array(clean.length / 2)
  for (let i = 0; i < b.length; i++) b[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16)
  return b
}

function splitPath(p: string): string[] {
  return p.replace(/^[A-Za-z]:/, '').split(/[\\/]+/).filter((x) => x !== '')
}

function attributeBits(list: Array<string | number> | undefined, where: string): number {
  let bits = 0
  for (const a of list ?? []) {
    if (typeof a === 'number') bits |= a
    else if (FILE_ATTRIBUTES[a] !== undefined) bits |= FILE_ATTRIBUTES[a]!
    else throw new RecipeError(`${where}: unknown attribute ${a}`)
  }
  return bits
}

export function parseRecipe(text: string, source = 'recipe'): Recipe {
  let doc: unknown
  try {
    doc = parseYaml(text, { intAsBigInt: false })
  } catch (err) {
    throw new RecipeError(`${source}: ${(err as Error).message}`)
  }
  if (!doc || typeof doc !== 'object') throw new RecipeError(`${source}: expected a mapping with size and files`)
  const r = doc as Recipe
  if (r.size === undefined) throw new RecipeError(`${source}: size is missing`)
  if (r.files !== undefined && !Array.isArray(r.files)) throw new RecipeError(`${source}: files must be a list`)
  for (const [i, f] of (r.files ?? []).entries()) {
    if (!f || typeof f.path !== 'string') throw new RecipeError(`${source}: files[${i}] has no path`)
  }
  return r
}

export function loadRecipe(file: string): Recipe {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (err) {
    throw new RecipeError(`cannot read recipe ${file}: ${(err as Error).message}`)
  }
  return parseRecipe(text, file)
}

/** formats `path` and fills it as the recipe says */
export function buildVolumeFromRecipe(recipe: Recipe, path: string): void {
  const time = parseTime(recipe.time, 'time', 132_000_000_000_000_000n)
  const serial = recipe.serial === undefined ? 0x4a4c_5449_5455_4445n : BigInt(recipe.serial)
  formatVolume(path, { sizeBytes: parseSize(recipe.size, 'size'), label: recipe.label ?? '', serialNumber: serial, time })
  const store = openDiskStore(path)
  try {
    const fileSd = store.securityIdFor(inheritedSd(false))
    const dirSd = store.securityIdFor(inheritedSd(true))
    const std = (attrs: number, sd: number): StandardInfo => ({
      creationTime: time,
      lastWriteTime: time,
      changeTime: time,
      lastAccessTime: time,
      fileAttributes: attrs,
      securityId: sd,
      ownerId: 0,
      usn: 0n,
    })
    const ensureDir = (parts: string[], where: string): number => {
      let dir = store.rootRecord
      for (const part of parts) {
        const e = store.lookup(dir, part)
        if (e) {
          if (!store.readRecord(e.record)!.isDirectory) throw new RecipeError(`${where}: ${part} is a file, not a directory`)
          dir = e.record
        } else dir = createNamed(store, dir, part, true, std(0, dirSd), 'auto')
      }
      return dir
    }
    for (const [i, f] of (recipe.files ?? []).entries()) {
      const where = `files[${i}] (${f.path})`
      const parts = splitPath(f.path)
      const name = parts.pop()
      if (!name) throw new RecipeError(`${where}: the path names no file`)
      const parent = ensureDir(parts, where)
      if (f.link !== undefined) {
        const targetParts = splitPath(f.link)
        const targetName = targetParts.pop()!
        const target = store.lookup(ensureDir(targetParts, where), targetName)
        if (!target) throw new RecipeError(`${where}: link target ${f.link} does not exist`)
        store.addName(target.record, { parent, name, nameSpace: NameSpace.Win32 })
        continue
      }
      const attrs = attributeBits(f.attributes, where) | (f.reparse ? 0x400 : 0) | (f.directory ? 0 : f.attributes ? 0 : 0x20)
      const s: StandardInfo = {
        ...std(attrs & ~0x10, f.directory ? dirSd : fileSd),
        creationTime: parseTime(f.times?.created, `${where} times.created`, time),
        lastWriteTime: parseTime(f.times?.written, `${where} times.written`, time),
        changeTime: parseTime(f.times?.changed, `${where} times.changed`, time),
        lastAccessTime: parseTime(f.times?.accessed, `${where} times.accessed`, time),
      }
      let record: number
      const existing = store.lookup(parent, name)
      if (existing && f.directory) {
        record = existing.record
        store.setStandardInfo(record, s)
      } else {
        if (existing) throw new RecipeError(`${where}: ${name} already exists`)
        record = createNamed(store, parent, name, f.directory === true, s, f.shortName ?? 'auto')
      }
      if (!f.directory) {
        store.createStream(record, '')
        writeContent(store, record, '', f, where)
      }
      for (const [sname, spec] of Object.entries(f.streams ?? {})) {
        store.createStream(record, sname)
        writeContent(store, record, sname, typeof spec === 'string' ? { content: spec } : spec, `${where} stream ${sname}`)
      }
      if (f.eas) {
        store.setEas(
          record,
          f.eas.map((e) => ({
            name: e.name.toUpperCase(),
            value: e.hex !== undefined ? hexBytes(e.hex, `${where} ea ${e.name}`) : new TextEncoder().encode(e.value ?? ''),
            flags: e.flags ?? 0,
          })),
        )
      }
      if (f.objectId) store.setObjectId(record, hexBytes(f.objectId, `${where} objectId`))
      if (f.reparse) {
        const tag = Number(f.reparse.tag) >>> 0
        const data = f.reparse.hex !== undefined ? hexBytes(f.reparse.hex, `${where} reparse`) : new TextEncoder().encode(f.reparse.content ?? '')
        const guid = f.reparse.guid !== undefined ? hexBytes(f.reparse.guid, `${where} reparse guid`) : undefined
        if ((tag & 0x80000000) === 0 && (!guid || guid.length !== 16)) {
          throw new RecipeError(`${where}: reparse tag 0x${tag.toString(16)} is not a Microsoft tag and needs a 16-byte guid`)
        }
        store.setReparsePoint(record, { tag, data, ...(guid ? { guid } : {}) })
      }
      // the times the recipe asked for, after the writes above
      store.setStandardInfo(record, { lastWriteTime: s.lastWriteTime, changeTime: s.changeTime, lastAccessTime: s.lastAccessTime })
    }
  } catch (err) {
    if (err instanceof StoreError) throw new RecipeError(err.message)
    throw err
  } finally {
    store.close()
  }
}

/** creates a file or directory under its long name, with the 8.3 name Windows would give it */
function createNamed(store: DiskStore, parent: number, name: string, directory: boolean, std: StandardInfo, shortName: string): number {
  const upper = isLegal8dot3(name) && name === name.toUpperCase()
  const ns = shortName === 'auto' && upper ? NameSpace.Win32AndDos : NameSpace.Win32
  const r = store.createRecord({ isDirectory: directory, std, name: { parent, name, nameSpace: ns } })
  if (shortName !== 'none' && ns === NameSpace.Win32) {
    const short = shortName === 'auto' ? generateShortName(name, (c) => store.lookup(parent, c) !== undefined) : shortName
    if (short) store.addName(r.record, { parent, name: short, nameSpace: NameSpace.Dos })
  }
  return r.record
}

function writeContent(store: DiskStore, record: number, stream: string, spec: { content?: string; hex?: string; size?: number | string }, where: string): void {
  if (spec.content !== undefined) store.writeStream(record, stream, 0, new TextEncoder().encode(spec.content))
  else if (spec.hex !== undefined) store.writeStream(record, stream, 0, hexBytes(spec.hex, where))
  else if (spec.size !== undefined) {
    const size = parseSize(spec.size, `${where} size`)
    const chunk = 1024 * 1024
    for (let o = 0; o < size; o += chunk) store.writeStream(record, stream, o, patternBytes(o, Math.min(chunk, size - o)))
  }
}

/** bumped when the way recipes are built changes, so cached images are rebuilt */
const RECIPE_BUILD_VERSION = 1

/**
 * The image of a recipe file, built on first use into a cache directory (the OS temp
 * directory unless given) and reused while the recipe is unchanged. Callers that modify the
 * volume must copy the image first.
 */
export function cachedRecipeImage(recipeFile: string, cacheDir = nodePath.join(os.tmpdir(), 'altitude-volumes')): string {
  let text: string
  try {
    text = fs.readFileSync(recipeFile, 'utf8')
  } catch (err) {
    throw new RecipeError(`cannot read recipe ${recipeFile}: ${(err as Error).message}`)
  }
  const key = createHash('sha1').update(`${RECIPE_BUILD_VERSION}\n${text}`).digest('hex').slice(0, 16)
  const image = nodePath.join(cacheDir, `${nodePath.basename(recipeFile).replace(/\.ya?ml$/, '')}-${key}.img`)
  if (fs.existsSync(image)) return image
  fs.mkdirSync(cacheDir, { recursive: true })
  const building = `${image}.${process.pid}.tmp`
  try {
    buildVolumeFromRecipe(parseRecipe(text, recipeFile), building)
    fs.renameSync(building, image)
  } finally {
    fs.rmSync(building, { force: true })
  }
  return image
}
