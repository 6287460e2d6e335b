// parseScenario: YAML text → a fully validated Scenario (types.ts), or a ScenarioError listing
// every problem as `file:line:col: path: problem`.

import { readFileSync } from 'node:fs'
import { parseStatus, STATUS, statusName } from '../nt/status.ts'
import { FILE_ATTRIBUTE, CREATE_RESULT } from '../nt/file.ts'
import { ALL_MAJORS, FASTIO, IRP_FLAGS, OPLOCK } from '../nt/irp.ts'
import { TRACE_EVENT_KEYS, TRACE_PHASES } from '../trace/event.ts'
import { BUGCODE } from '../ke/types.ts'
import { dataArg, flagsArg, plain, unknownName, validateFields } from './args.ts'
import { Ctx, join } from './context.ts'
import type { NameKind } from './context.ts'
import { ScenarioError } from './errors.ts'
import { dosPathToNtPath, PathError } from './paths.ts'
import { REPARSE_FIELDS, SERVICE_NAMES, SERVICES } from './services.ts'
import type { MapEntry, MapNode, TreeNode } from './tree.ts'
import { describe, parseTree } from './tree.ts'
import type {
  ArgValue,
  Args,
  BugcheckExpectation,
  FileExpectation,
  FileTimes,
  FilterSpec,
  ReparseSpec,
  Scenario,
  SettingValue,
  Step,
  StepExpect,
  StepSource,
  StreamSpec,
  TraceMatcher,
  VolumeFile,
  VolumeSpec,
  ShellOperation,
  FltmcCommandName,
} from './types.ts'
import { FLTMC_COMMANDS, SHELL_OPERATIONS } from './types.ts'
import type { Int64 } from './units.ts'
import { parseDuration, parseSize, toInt64 } from './units.ts'

const TOP_KEYS = ['name', 'description', 'seed', 'volume', 'background', 'filters', 'steps', 'expect', 'settings']
const STEP_KINDS = ['call', 'win32', 'shell', 'app', 'wait', 'power', 'fltmc']
const STEP_COMMON = ['process', 'thread', 'as', 'expect']
const DEFAULT_VOLUME_SIZE = 64n << 20n

/**
 * Parses and validates a scenario file's text. `fileName` is used in messages and as the
 * default scenario name. Throws ScenarioError with every problem found.
 */
export function parseScenario(text: string, fileName: string): Scenario {
  const root = parseTree(text, fileName)
  const ctx = new Ctx(fileName)
  const scenario = validateScenario(ctx, root, fileName)
  if (ctx.problems.length > 0 || scenario === undefined) {
    if (ctx.problems.length === 0) ctx.problem(root.pos, '', 'the scenario is empty')
    // document order (stable for problems at one place)
    const sorted = [...ctx.problems].sort((a, b) => a.line - b.line || a.col - b.col)
    throw new ScenarioError(sorted)
  }
  return scenario
}

/**
 * Reads and parses a scenario file (synchronously). A missing or unreadable file is reported
 * as `altitude: cannot read 'x.yaml': no such file`.
 */
export function loadScenarioFile(path: string): Scenario {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : String((e as Error).message)
    throw new Error(`altitude: cannot read '${path}': ${why}`)
  }
  return parseScenario(text.replace(/^\uFEFF/, ''), path)
}

function baseName(file: string): string {
  const b = file.replace(/\\/g, '/').split('/').pop() ?? file
  return b.replace(/\.ya?ml$/i, '')
}

function validateScenario(ctx: Ctx, root: TreeNode, fileName: string): Scenario | undefined {
  if (root.kind === 'scalar' && root.value === null) {
    ctx.problem(root.pos, '', 'the file is empty; a scenario needs at least steps:')
    return undefined
  }
  const m = ctx.map(root, '', 'a scenario mapping (name:, steps: …)')
  if (!m) return undefined
  const e = ctx.keys(m, '', TOP_KEYS)
  ctx.required(m, '', e, ['steps'])

  const name = optString(ctx, e.get('name'), 'name') ?? baseName(fileName)
  const description = optString(ctx, e.get('description'), 'description')
  let seed: Int64 = 1
  const seedE = e.get('seed')
  if (seedE) {
    const v = ctx.integer(seedE.value, 'seed', 0n, (1n << 64n) - 1n)
    if (v !== undefined) seed = toInt64(v)
  }
  const volume = validateVolume(ctx, e.get('volume'))
  let background = true
  const bgE = e.get('background')
  if (bgE) background = ctx.bool(bgE.value, 'background') ?? true
  const filters = validateFilters(ctx, e.get('filters'))
  const settings = validateSettings(ctx, e.get('settings'))
  const steps = validateSteps(ctx, e.get('steps'))
  const expect = validateScenarioExpect(ctx, e.get('expect'))
  return { file: fileName, name, description, seed, volume, background, filters, steps, expect, settings }
}

function optString(ctx: Ctx, e: MapEntry | undefined, path: string): string | undefined {
  if (!e) return undefined
  return ctx.string(e.value, path)
}

function source(ctx: Ctx, n: TreeNode, index: number): StepSource {
  return { file: ctx.file, line: n.pos.line, col: n.pos.col, index }
}

// ---- volume --------------------------------------------------------------------------------

function validateVolume(ctx: Ctx, e: MapEntry | undefined): VolumeSpec {
  const empty: VolumeSpec = { size: DEFAULT_VOLUME_SIZE, image: undefined, persist: false, label: undefined, files: [] }
  if (!e) return empty
  const m = ctx.map(e.value, 'volume')
  if (!m) return empty
  const k = ctx.keys(m, 'volume', ['size', 'image', 'persist', 'label', 'files'])
  let size: bigint | undefined = DEFAULT_VOLUME_SIZE
  const sizeE = k.get('size')
  const imageE = k.get('image')
  if (sizeE && imageE) ctx.problem(sizeE.keyPos, 'volume.size', 'give either size (a fresh volume) or image (an existing one), not both')
  if (sizeE) {
    const v = sizeValue(ctx, sizeE.value, 'volume.size')
    if (v !== undefined) {
      if (v < 1n << 20n) ctx.problem(sizeE.value.pos, 'volume.size', `${v} bytes is too small for an NTFS volume (at least 1MiB)`)
      size = v
    }
  }
  const image = imageE ? ctx.string(imageE.value, 'volume.image', 'an image file path') : undefined
  if (image !== undefined) size = undefined
  let persist = false
  const persistE = k.get('persist')
  if (persistE) {
    persist = ctx.bool(persistE.value, 'volume.persist') ?? false
    if (!imageE) ctx.problem(persistE.keyPos, 'volume.persist', 'persist applies only to an image:')
  }
  const label = optString(ctx, k.get('label'), 'volume.label')
  const files: VolumeFile[] = []
  const filesE = k.get('files')
  if (filesE) {
    const s = ctx.seq(filesE.value, 'volume.files')
    s?.items.forEach((item, i) => {
      const f = validateVolumeFile(ctx, item, join('volume.files', i))
      if (f) files.push(f)
    })
  }
  return { size, image, persist, label, files }
}

function sizeValue(ctx: Ctx, n: TreeNode, path: string): bigint | undefined {
  if (n.kind === 'scalar' && typeof n.value === 'bigint') {
    if (n.value < 0n) {
      ctx.problem(n.pos, path, `${n.value} is not a size`)
      return undefined
    }
    return n.value
  }
  if (n.kind === 'scalar' && typeof n.value === 'string') {
    const r = parseSize(n.value)
    if (typeof r === 'string') {
      ctx.problem(n.pos, path, r)
      return undefined
    }
    return r
  }
  ctx.problem(n.pos, path, `expected a size (4096, 4KiB, 64MiB), found ${describe(n)}`)
  return undefined
}

function filePath(ctx: Ctx, n: TreeNode, path: string): { path: string; nt: string } | undefined {
  const s = ctx.string(n, path, 'a path')
  if (s === undefined) return undefined
  try {
    const nt = dosPathToNtPath(s)
    if (!/^\\\?\?\\[A-Za-z]:\\/.test(nt)) {
      ctx.problem(n.pos, path, `'${s}' is not on a drive (write C:\\…)`)
      return undefined
    }
    return { path: s, nt }
  } catch (err) {
    if (err instanceof PathError) {
      ctx.problem(n.pos, path, err.message)
      return undefined
    }
    throw err
  }
}

const FILE_KEYS = ['path', 'content', 'size', 'directory', 'streams', 'attributes', 'times', 'reparse']

function validateVolumeFile(ctx: Ctx, n: TreeNode, path: string): VolumeFile | undefined {
  const m = ctx.map(n, path, '{ path, content | size | directory }')
  if (!m) return undefined
  const k = ctx.keys(m, path, FILE_KEYS)
  ctx.required(m, path, k, ['path'])
  const p = k.get('path') ? filePath(ctx, k.get('path')!.value, join(path, 'path')) : undefined
  const directory = k.get('directory') ? (ctx.bool(k.get('directory')!.value, join(path, 'directory')) ?? false) : false
  const contentE = k.get('content')
  const sizeE = k.get('size')
  if (contentE && sizeE) ctx.problem(sizeE.keyPos, join(path, 'size'), 'give content or size, not both')
  if (directory && (contentE || sizeE)) ctx.problem((contentE ?? sizeE)!.keyPos, path, 'a directory has no content or size')
  const content = contentE ? dataArg(ctx, contentE.value, join(path, 'content')) : undefined
  const sizeRaw = sizeE ? sizeValue(ctx, sizeE.value, join(path, 'size')) : undefined
  const streams = k.get('streams') ? validateStreams(ctx, k.get('streams')!.value, join(path, 'streams')) : []
  const attributes = k.get('attributes') ? flagsArg(ctx, k.get('attributes')!.value, join(path, 'attributes'), FILE_ATTRIBUTE) : undefined
  const times = k.get('times') ? validateTimes(ctx, k.get('times')!.value, join(path, 'times')) : {}
  const reparse = k.get('reparse') ? validateReparse(ctx, k.get('reparse')!.value, join(path, 'reparse')) : undefined
  if (!p) return undefined
  return {
    path: p.path,
    ntPath: p.nt,
    directory,
    content: content ?? (contentE || sizeE || directory ? undefined : new Uint8Array(0)),
    size: sizeRaw !== undefined ? toInt64(sizeRaw) : undefined,
    streams,
    attributes,
    times,
    reparse,
  }
}

function validateStreams(ctx: Ctx, n: TreeNode, path: string): StreamSpec[] {
  const s = ctx.seq(n, path, 'a list of { name, content | size }')
  if (!s) return []
  const out: StreamSpec[] = []
  s.items.forEach((item, i) => {
    const p = join(path, i)
    const m = ctx.map(item, p, '{ name, content | size }')
    if (!m) return
    const k = ctx.keys(m, p, ['name', 'content', 'size'])
    ctx.required(m, p, k, ['name'])
    const name = k.get('name') ? ctx.string(k.get('name')!.value, join(p, 'name')) : undefined
    if (name !== undefined && /[\\/:]/.test(name)) ctx.problem(k.get('name')!.value.pos, join(p, 'name'), `a stream name cannot contain \\, / or :`)
    const contentE = k.get('content')
    const sizeE = k.get('size')
    if (contentE && sizeE) ctx.problem(sizeE.keyPos, join(p, 'size'), 'give content or size, not both')
    const content = contentE ? dataArg(ctx, contentE.value, join(p, 'content')) : undefined
    const size = sizeE ? sizeValue(ctx, sizeE.value, join(p, 'size')) : undefined
    if (name !== undefined) {
      out.push({ name, content: content ?? (sizeE ? undefined : new Uint8Array(0)), size: size !== undefined ? toInt64(size) : undefined })
    }
  })
  return out
}

function validateTimes(ctx: Ctx, n: TreeNode, path: string): FileTimes {
  const m = ctx.map(n, path, '{ CreationTime, LastAccessTime, LastWriteTime, ChangeTime }')
  if (!m) return {}
  const fields = {
    CreationTime: { t: 'filetime' },
    LastAccessTime: { t: 'filetime' },
    LastWriteTime: { t: 'filetime' },
    ChangeTime: { t: 'filetime' },
  } as const
  return validateFields(ctx, m, path, fields, []) as FileTimes
}

function validateReparse(ctx: Ctx, n: TreeNode, path: string): ReparseSpec | undefined {
  const m = ctx.map(n, path, '{ ReparseTag, SubstituteName, PrintName, Flags, Data }')
  if (!m) return undefined
  const v = validateFields(ctx, m, path, REPARSE_FIELDS, ['ReparseTag'])
  if (typeof v.ReparseTag !== 'number') return undefined
  return v as unknown as ReparseSpec
}

// ---- filters --------------------------------------------------------------------------------

function validateFilters(ctx: Ctx, e: MapEntry | undefined): FilterSpec[] {
  if (!e) return []
  const s = ctx.seq(e.value, 'filters', 'a list of { name | module, altitude }')
  if (!s) return []
  const out: FilterSpec[] = []
  const seen = new Map<string, number>()
  s.items.forEach((item, i) => {
    const p = join('filters', i)
    const m = ctx.map(item, p, '{ name | module, altitude }')
    if (!m) return
    const byKey = new Map(m.entries.map((x) => [x.key, x]))
    const nameE = byKey.get('name')
    const moduleE = byKey.get('module')
    const altE = byKey.get('altitude')
    if (nameE && moduleE) ctx.problem(moduleE.keyPos, join(p, 'module'), 'give name (a built-in filter) or module (your own), not both')
    if (!nameE && !moduleE) ctx.problem(m.pos, p, `missing 'name' (a built-in filter) or 'module' (your own filter's file)`)
    if (!altE) ctx.problem(m.pos, p, `missing 'altitude'`)
    const name = nameE ? ctx.string(nameE.value, join(p, 'name')) : undefined
    const module = moduleE ? ctx.string(moduleE.value, join(p, 'module'), 'a module path') : undefined
    let altitude: string | undefined
    if (altE) {
      const a = altE.value
      if (a.kind === 'scalar' && (typeof a.value === 'bigint' || typeof a.value === 'number' || typeof a.value === 'string')) {
        const str = String(a.value)
        if (/^[0-9]+(\.[0-9]+)?$/.test(str)) altitude = str
        else ctx.problem(a.pos, join(p, 'altitude'), `'${str}' is not an altitude (a decimal number such as 370000 or 385201.5)`)
      } else ctx.problem(a.pos, join(p, 'altitude'), `expected an altitude, found ${describe(a)}`)
    }
    const options: Record<string, ArgValue> = {}
    for (const x of m.entries) if (x.key !== 'name' && x.key !== 'module' && x.key !== 'altitude') options[x.key] = plain(x.value)
    if (altitude !== undefined) {
      const prev = seen.get(altitude)
      if (prev !== undefined) {
        ctx.problem(m.pos, p, `altitude ${altitude} is already used by filters[${prev}]; Filter Manager refuses two instances at one altitude`)
        return
      }
      seen.set(altitude, i)
    }
    if (altitude !== undefined && (name !== undefined || module !== undefined)) out.push({ name, module, altitude, options })
  })

  return out
}

// ---- settings -------------------------------------------------------------------------------

function validateSettings(ctx: Ctx, e: MapEntry | undefined): { [key: string]: SettingValue } {
  const out: { [key: string]: SettingValue } = {}
  if (!e) return out
  const m = ctx.map(e.value, 'settings', 'a mapping of setting names to values')
  if (!m) return out
  for (const x of m.entries) {
    const v = x.value
    if (v.kind === 'scalar' && (typeof v.value === 'bigint' || typeof v.value === 'number' || typeof v.value === 'string' || typeof v.value === 'boolean')) {
      out[x.key] = typeof v.value === 'bigint' ? toInt64(v.value) : v.value
    } else ctx.problem(v.pos, join('settings', x.key), `a setting is a number, a string or true/false, found ${describe(v)}`)
  }
  return out
}

// ---- steps ----------------------------------------------------------------------------------

function validateSteps(ctx: Ctx, e: MapEntry | undefined): Step[] {
  if (!e) return []
  const s = ctx.seq(e.value, 'steps', 'a list of steps')
  if (!s) return []
  const out: Step[] = []
  s.items.forEach((item, i) => {
    const step = validateStep(ctx, item, i)
    if (step) out.push(step)
  })
  return out
}

function validateStep(ctx: Ctx, n: TreeNode, index: number): Step | undefined {
  const path = join('steps', index)
  const m = ctx.map(n, path, 'a step (call:, win32:, shell:, app:, wait: or power:)')
  if (!m) return undefined
  const kinds = m.entries.filter((x) => STEP_KINDS.includes(x.key))
  if (kinds.length === 0) {
    const unknown = m.entries.find((x) => !STEP_COMMON.includes(x.key) && x.key !== 'args' && x.key !== 'action')
    const near = unknown ? closest(STEP_KINDS, unknown.key) : undefined
    ctx.problem(
      unknown ? unknown.keyPos : m.pos,
      unknown ? join(path, unknown.key) : path,
      near ? `unknown step kind '${unknown!.key}' (did you mean '${near}'?)` : `a step needs exactly one of ${STEP_KINDS.join(', ')}`,
    )
    return undefined
  }
  if (kinds.length > 1) {
    ctx.problem(kinds[1]!.keyPos, join(path, kinds[1]!.key), `a step is exactly one of ${STEP_KINDS.join(', ')}; this one also has '${kinds[0]!.key}'`)
    return undefined
  }
  const kind = kinds[0]!.key
  const allowed = [...STEP_COMMON, kind]
  if (kind === 'call' || kind === 'win32' || kind === 'shell' || kind === 'app' || kind === 'fltmc') allowed.push('args')
  if (kind === 'app') allowed.push('action')
  const k = ctx.keys(m, path, allowed, `in a ${kind} step`)
  const src = source(ctx, m, index)
  const process = k.get('process') ? (ctx.string(k.get('process')!.value, join(path, 'process'), 'a process image name') ?? 'explorer.exe') : 'explorer.exe'
  const thread = k.get('thread') ? threadName(ctx, k.get('thread')!.value, join(path, 'thread')) : 'main'
  const threadExplicit = k.get('thread') !== undefined
  const processExplicit = k.get('process') !== undefined
  const asE = k.get('as')
  const asName = asE ? ctx.string(asE.value, join(path, 'as'), 'a name') : undefined
  if (asName !== undefined && !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(asName)) {
    ctx.problem(asE!.value.pos, join(path, 'as'), `'${asName}' is not a name (letters, digits, _ . -; not starting with a digit)`)
  }
  const kindE = kinds[0]!
  let step: Step | undefined
  let returns: NameKind | undefined
  switch (kind) {
    case 'call': {
      const service = ctx.string(kindE.value, join(path, 'call'), 'an NT service name')
      if (service === undefined) return undefined
      const spec = SERVICES[service]
      if (!spec) {
        ctx.problem(kindE.value.pos, join(path, 'call'), unknownName('NT service', service, SERVICE_NAMES))
        return undefined
      }
      const argsE = k.get('args')
      let args: Args = {}
      if (argsE) {
        const am = ctx.map(argsE.value, join(path, 'args'), `the arguments of ${service}`)
        if (am) args = validateFields(ctx, am, join(path, 'args'), spec.params, spec.required, `for ${service}`)
      } else if (spec.required.length > 0) {
        ctx.problem(m.pos, path, `${service} needs args: ${spec.required.join(', ')}`)
      }
      const expect = k.get('expect') ? validateStepExpect(ctx, k.get('expect')!.value, join(path, 'expect'), false) : undefined
      if (asE && asName !== undefined && spec.returns === undefined) {
        ctx.problem(asE.keyPos, join(path, 'as'), `${service} returns no handle or view to name`)
      }
      returns = spec.returns
      step = { kind: 'call', service, args, source: src, process, thread, threadExplicit, processExplicit, as: asName, expect }
      break
    }
    case 'win32': {
      const fn = ctx.string(kindE.value, join(path, 'win32'), 'a kernel32 function name')
      if (fn === undefined) return undefined
      if (!/^[A-Za-z][A-Za-z0-9]*$/.test(fn)) ctx.problem(kindE.value.pos, join(path, 'win32'), `'${fn}' is not a function name`)
      const args = freeArgs(ctx, k.get('args'), join(path, 'args'))
      const expect = k.get('expect') ? validateStepExpect(ctx, k.get('expect')!.value, join(path, 'expect'), true) : undefined
      returns = 'handle'
      step = { kind: 'win32', function: fn, args, source: src, process, thread, threadExplicit, processExplicit, as: asName, expect }
      break
    }
    case 'shell': {
      const op = ctx.string(kindE.value, join(path, 'shell'), 'a shell operation')
      if (op === undefined) return undefined
      if (!(SHELL_OPERATIONS as readonly string[]).includes(op)) {
        ctx.problem(kindE.value.pos, join(path, 'shell'), unknownName('shell operation', op, SHELL_OPERATIONS))
        return undefined
      }
      const args = freeArgs(ctx, k.get('args'), join(path, 'args'))
      const expect = k.get('expect') ? validateStepExpect(ctx, k.get('expect')!.value, join(path, 'expect'), true) : undefined
      if (asE) ctx.problem(asE.keyPos, join(path, 'as'), 'a shell step returns no handle to name')
      step = { kind: 'shell', operation: op as ShellOperation, args, source: src, process, thread, threadExplicit, processExplicit, as: undefined, expect }
      break
    }
    case 'app': {
      const app = ctx.string(kindE.value, join(path, 'app'), 'a process profile such as notepad.exe')
      const actionE = k.get('action')
      if (!actionE) ctx.problem(m.pos, path, `an app step needs action: (what the user does in ${app ?? 'the app'})`)
      const action = actionE ? ctx.string(actionE.value, join(path, 'action'), 'an action name') : undefined
      if (k.get('process')) ctx.problem(k.get('process')!.keyPos, join(path, 'process'), 'an app step runs in the app itself; remove process:')
      const args = freeArgs(ctx, k.get('args'), join(path, 'args'))
      const expect = k.get('expect') ? validateStepExpect(ctx, k.get('expect')!.value, join(path, 'expect'), true) : undefined
      if (asE) ctx.problem(asE.keyPos, join(path, 'as'), 'an app step returns no handle to name')
      if (app === undefined || action === undefined) return undefined
      step = { kind: 'app', app, action, args, source: src, process: app, thread, threadExplicit, processExplicit, as: undefined, expect }
      break
    }
    case 'wait': {
      const v = kindE.value
      let ticks: bigint | undefined
      if (v.kind === 'scalar' && typeof v.value === 'string') {
        const r = parseDuration(v.value)
        if (typeof r === 'string') ctx.problem(v.pos, join(path, 'wait'), r)
        else ticks = r
      } else if (v.kind === 'scalar' && typeof v.value === 'bigint') {
        ctx.problem(v.pos, join(path, 'wait'), `'${v.value}' needs a unit (for example 5s, 200ms, 10us)`)
      } else ctx.problem(v.pos, join(path, 'wait'), `expected a duration such as 5s, found ${describe(v)}`)
      for (const key of ['as', 'expect'] as const) {
        const x = k.get(key)
        if (x) ctx.problem(x.keyPos, join(path, key), `a wait step has no ${key}`)
      }
      if (ticks === undefined) return undefined
      step = { kind: 'wait', ticks, source: src, process, thread, threadExplicit, processExplicit, as: undefined, expect: undefined }
      break
    }
    case 'power': {
      const v = kindE.value
      if (!(v.kind === 'scalar' && v.value === 'off')) {
        ctx.problem(v.pos, join(path, 'power'), `expected off (pull the plug), found ${describe(v)}`)
        return undefined
      }
      for (const key of ['as', 'expect'] as const) {
        const x = k.get(key)
        if (x) ctx.problem(x.keyPos, join(path, key), `a power step has no ${key}`)
      }
      step = { kind: 'power', state: 'off', source: src, process, thread, threadExplicit, processExplicit, as: undefined, expect: undefined }
      break
    }
    case 'fltmc': {
      const cmd = ctx.string(kindE.value, join(path, 'fltmc'), `a fltmc command (${FLTMC_COMMANDS.join(', ')})`)
      if (cmd === undefined) return undefined
      if (!(FLTMC_COMMANDS as readonly string[]).includes(cmd)) {
        ctx.problem(kindE.value.pos, join(path, 'fltmc'), unknownName('fltmc command', cmd, FLTMC_COMMANDS))
        return undefined
      }
      const args = freeArgs(ctx, k.get('args'), join(path, 'args'))
      const needsFilter = cmd !== 'filters' && cmd !== 'instances'
      if (needsFilter && typeof args['filter'] !== 'string' && typeof args['module'] !== 'string') {
        ctx.problem(m.pos, path, `fltmc ${cmd} needs args: { filter: <name> }${cmd === 'load' ? ' (or module: <file>)' : ''}`)
      }
      const expect = k.get('expect') ? validateStepExpect(ctx, k.get('expect')!.value, join(path, 'expect'), false) : undefined
      if (asE) ctx.problem(asE.keyPos, join(path, 'as'), 'a fltmc step returns no handle to name')
      // fltmc.exe runs the command unless the step names another process
      step = { kind: 'fltmc', command: cmd as FltmcCommandName, args, source: src, process: processExplicit ? process : 'fltmc.exe', thread, threadExplicit, processExplicit, as: undefined, expect }
      break
    }
  }
  // the name is defined for the steps that follow (file order)
  if (step && asName !== undefined && returns !== undefined) {
    ctx.names.set(asName, returns)
    ctx.nameOwners.set(asName, { process: step.process, step: index })
  }
  return step
}

function closest(names: readonly string[], name: string): string | undefined {
  const lower = name.toLowerCase()
  return names.find((n) => n.toLowerCase() === lower) ?? names.find((n) => lower.startsWith(n) || n.startsWith(lower))
}

function threadName(ctx: Ctx, n: TreeNode, path: string): string {
  if (n.kind === 'scalar' && (typeof n.value === 'string' || typeof n.value === 'bigint')) return String(n.value)
  ctx.problem(n.pos, path, `expected a thread name, found ${describe(n)}`)
  return 'main'
}

/** Arguments of win32/shell/app steps: checked by their own modules; here only made plain. */
function freeArgs(ctx: Ctx, e: MapEntry | undefined, path: string): Args {
  if (!e) return {}
  const m = ctx.map(e.value, path, 'a mapping of arguments')
  if (!m) return {}
  const out: Record<string, ArgValue> = {}
  for (const x of m.entries) out[x.key] = plain(x.value)
  return out
}

// ---- expectations ---------------------------------------------------------------------------

function statusValue(ctx: Ctx, n: TreeNode, path: string): number | undefined {
  if (n.kind === 'scalar' && typeof n.value === 'bigint') {
    if (n.value < -0x80000000n || n.value > 0xffffffffn) {
      ctx.problem(n.pos, path, `${n.value} is not an NTSTATUS`)
      return undefined
    }
    return Number(BigInt.asUintN(32, n.value))
  }
  if (n.kind === 'scalar' && typeof n.value === 'string') {
    const s = parseStatus(n.value.trim())
    if (s !== undefined) return s
    ctx.problem(n.pos, path, unknownName('status', n.value, STATUS_NAMES))
    return undefined
  }
  ctx.problem(n.pos, path, `expected an NTSTATUS name or number, found ${describe(n)}`)
  return undefined
}
const STATUS_NAMES = Object.keys(STATUS)

const INFORMATION_NAMES: { readonly [name: string]: number } = {
  ...CREATE_RESULT,
  FILE_OPLOCK_BROKEN_TO_LEVEL_2: OPLOCK.FILE_OPLOCK_BROKEN_TO_LEVEL_2,
  FILE_OPLOCK_BROKEN_TO_NONE: OPLOCK.FILE_OPLOCK_BROKEN_TO_NONE,
  FILE_OPBATCH_BREAK_UNDERWAY: OPLOCK.FILE_OPBATCH_BREAK_UNDERWAY,
  IO_REPARSE: 0,
  IO_REMOUNT: 1,
}

function validateStepExpect(ctx: Ctx, n: TreeNode, path: string, win32: boolean): StepExpect | undefined {
  const m = ctx.map(n, path, win32 ? '{ result, error, status, output }' : '{ status, information, output }')
  if (!m) return undefined
  const allowed = win32 ? ['result', 'error', 'status', 'information', 'output'] : ['status', 'information', 'output']
  const k = ctx.keys(m, path, allowed)
  const out: { -readonly [K in keyof StepExpect]: StepExpect[K] } = {}
  const st = k.get('status')
  if (st) {
    const v = statusValue(ctx, st.value, join(path, 'status'))
    if (v !== undefined) out.status = v
  }
  const info = k.get('information')
  if (info) {
    const v = info.value
    const p = join(path, 'information')
    if (v.kind === 'scalar' && typeof v.value === 'string') {
      const num = INFORMATION_NAMES[v.value]
      if (num !== undefined) out.information = num
      else ctx.problem(v.pos, p, unknownName('information value', v.value, Object.keys(INFORMATION_NAMES)) + '; or give a number')
    } else {
      const iv = ctx.integer(v, p, -(1n << 63n), (1n << 64n) - 1n)
      if (iv !== undefined) out.information = toInt64(iv)
    }
  }
  const output = k.get('output')
  if (output) {
    const om = ctx.map(output.value, join(path, 'output'), 'a mapping of output fields')
    if (om) out.output = plain(om) as { [key: string]: unknown }
  }
  const result = k.get('result')
  if (result) out.result = plain(result.value)
  const error = k.get('error')
  if (error) {
    const v = error.value
    if (v.kind === 'scalar' && typeof v.value === 'string') {
      if (!/^(ERROR_[A-Z0-9_]+|NO_ERROR)$/.test(v.value)) ctx.problem(v.pos, join(path, 'error'), `'${v.value}' is not a Win32 error name (ERROR_…)`)
      else out.error = v.value
    } else if (v.kind === 'scalar' && typeof v.value === 'bigint') out.error = Number(v.value)
    else ctx.problem(v.pos, join(path, 'error'), `expected a Win32 error name or number, found ${describe(v)}`)
  }
  return out
}

function validateScenarioExpect(ctx: Ctx, e: MapEntry | undefined): { files: FileExpectation[]; trace: TraceMatcher[]; bugcheck?: BugcheckExpectation } {
  const out: { files: FileExpectation[]; trace: TraceMatcher[]; bugcheck?: BugcheckExpectation } = { files: [], trace: [] }
  if (!e) return out
  const m = ctx.map(e.value, 'expect', '{ files, trace, bugcheck }')
  if (!m) return out
  const k = ctx.keys(m, 'expect', ['files', 'trace', 'bugcheck'])
  const bugE = k.get('bugcheck')
  if (bugE) {
    const b = validateBugcheckExpectation(ctx, bugE.value)
    if (b) out.bugcheck = b
  }
  const filesE = k.get('files')
  if (filesE) {
    const s = ctx.seq(filesE.value, 'expect.files')
    s?.items.forEach((item, i) => {
      const f = validateFileExpectation(ctx, item, join('expect.files', i), i)
      if (f) out.files.push(f)
    })
  }
  const traceE = k.get('trace')
  if (traceE) {
    const s = ctx.seq(traceE.value, 'expect.trace', 'an ordered list of trace event matchers')
    s?.items.forEach((item, i) => {
      const t = validateTraceMatcher(ctx, item, join('expect.trace', i), i)
      if (t) out.trace.push(t)
    })
  }
  return out
}

/** `bugcheck: { code: UNEXPECTED_KERNEL_MODE_TRAP }` or `{ code: 0x7F }` */
function validateBugcheckExpectation(ctx: Ctx, n: TreeNode): BugcheckExpectation | undefined {
  const path = 'expect.bugcheck'
  const m = ctx.map(n, path, '{ code }')
  if (!m) return undefined
  const k = ctx.keys(m, path, ['code'])
  ctx.required(m, path, k, ['code'])
  const c = k.get('code')
  if (!c) return undefined
  const v = c.value
  if (v.kind === 'scalar' && typeof v.value === 'bigint' && v.value > 0n && v.value <= 0xffffffffn) return { source: source(ctx, m, 0), code: Number(v.value) }
  if (v.kind === 'scalar' && typeof v.value === 'string' && v.value in BUGCODE) return { source: source(ctx, m, 0), code: BUGCODE[v.value as keyof typeof BUGCODE] }
  if (v.kind === 'scalar' && typeof v.value === 'string') ctx.problem(v.pos, join(path, 'code'), unknownName('bug check code', v.value, Object.keys(BUGCODE)))
  else ctx.problem(v.pos, join(path, 'code'), `expected a bug check code such as UNEXPECTED_KERNEL_MODE_TRAP or 0x7F, found ${describe(v)}`)
  return undefined
}

function validateFileExpectation(ctx: Ctx, n: TreeNode, path: string, index: number): FileExpectation | undefined {
  const m = ctx.map(n, path, '{ path, content | size | exists | directory | attributes | streams }')
  if (!m) return undefined
  const k = ctx.keys(m, path, ['path', 'content', 'size', 'exists', 'directory', 'attributes', 'streams'])
  ctx.required(m, path, k, ['path'])
  const p = k.get('path') ? filePath(ctx, k.get('path')!.value, join(path, 'path')) : undefined
  const exists = k.get('exists') ? (ctx.bool(k.get('exists')!.value, join(path, 'exists')) ?? true) : true
  if (!exists) {
    for (const key of ['content', 'size', 'directory', 'attributes', 'streams']) {
      const x = k.get(key)
      if (x) ctx.problem(x.keyPos, join(path, key), `a file expected not to exist has no ${key}`)
    }
  }
  const content = k.get('content') ? dataArg(ctx, k.get('content')!.value, join(path, 'content')) : undefined
  const sizeE = k.get('size')
  const size = sizeE ? sizeValue(ctx, sizeE.value, join(path, 'size')) : undefined
  const directory = k.get('directory') ? ctx.bool(k.get('directory')!.value, join(path, 'directory')) : undefined
  const attributes = k.get('attributes') ? flagsArg(ctx, k.get('attributes')!.value, join(path, 'attributes'), FILE_ATTRIBUTE) : undefined
  const streams = k.get('streams') ? validateStreams(ctx, k.get('streams')!.value, join(path, 'streams')) : undefined
  if (!p) return undefined
  return {
    source: source(ctx, m, index),
    path: p.path,
    ntPath: p.nt,
    exists,
    content,
    size: size !== undefined ? toInt64(size) : undefined,
    directory,
    attributes,
    streams,
  }
}

const OP_NAMES = [...Object.keys(ALL_MAJORS), ...Object.keys(FASTIO)]
const IRP_FLAG_NAMES = Object.keys(IRP_FLAGS)

function validateTraceMatcher(ctx: Ctx, n: TreeNode, path: string, index: number): TraceMatcher | undefined {
  const m = ctx.map(n, path, 'a partial trace event ({ op, path, status … })')
  if (!m) return undefined
  const k = ctx.keys(m, path, TRACE_EVENT_KEYS as unknown as string[], 'of a trace event')
  const fields: Record<string, unknown> = {}
  for (const [key, e] of k) {
    const v = e.value
    const p = join(path, key)
    switch (key) {
      case 'op': {
        const s = ctx.string(v, p, 'an operation name')
        if (s === undefined) break
        if (!OP_NAMES.includes(s)) ctx.problem(v.pos, p, unknownName('operation', s, OP_NAMES))
        else fields.op = s
        break
      }
      case 'phase': {
        const s = ctx.string(v, p, 'pre, post, dispatch or complete')
        if (s === undefined) break
        if (!(TRACE_PHASES as readonly string[]).includes(s)) ctx.problem(v.pos, p, unknownName('phase', s, TRACE_PHASES))
        else fields.phase = s
        break
      }
      case 'status': {
        const st = statusValue(ctx, v, p)
        if (st !== undefined) fields.status = statusName(st)
        break
      }
      case 'flags': {
        const s = ctx.seq(v, p, 'a list of IRP flag names')
        if (!s) break
        const names: string[] = []
        for (const item of s.items) {
          const name = ctx.string(item, p, 'an IRP flag name')
          if (name === undefined) continue
          if (!IRP_FLAG_NAMES.includes(name)) ctx.problem(item.pos, p, unknownName('IRP flag', name, IRP_FLAG_NAMES))
          else names.push(name)
        }
        fields.flags = names
        break
      }
      case 'params': {
        const pm = ctx.map(v, p, 'a mapping of parameters')
        if (pm) fields.params = plain(pm)
        break
      }
      case 'path': {
        const s = ctx.string(v, p, 'a path')
        if (s !== undefined) fields.path = s
        break
      }
      default:
        fields[key] = plain(v)
    }
  }
  return { source: source(ctx, m, index), fields }
}

