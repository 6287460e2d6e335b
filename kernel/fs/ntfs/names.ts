// How NTFS reads the name of a create: components separated by one backslash, a trailing
// backslash meaning "a directory", and on the last component an optional stream part
// (name:stream, name:stream:$DATA, name::$DATA, dir::$INDEX_ALLOCATION, dir:$I30:$INDEX_ALLOCATION).
//
// Name rules (observed, WinBtrfs create/streams tests on NTFS; MS-FSCC 2.1.5.2):
// - a file name has 1 to 255 UTF-16 units and none of 0x00-0x1F " * / : < > ? \ |
//   (STATUS_OBJECT_NAME_INVALID); "." and ".." are not names;
// - a stream name has at most 255 units and none of 0x00 / : \ — < > " | ? * are allowed;
// - the stream type must be $DATA (or $INDEX_ALLOCATION on a directory's $I30);
//   any other type makes the name invalid.

export const MAX_NAME_LENGTH = 255

const INVALID_FILE_CHARS = /[\u0000-\u001f"*/:<>?\\|]/
const INVALID_STREAM_CHARS = /[\u0000/:\\]/

export function isValidFileName(name: string): boolean {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) return false
  if (name === '.' || name === '..') return false
  return !INVALID_FILE_CHARS.test(name)
}

export function isValidStreamName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && !INVALID_STREAM_CHARS.test(name)
}

export type StreamType = '$DATA' | '$INDEX_ALLOCATION'

export interface ParsedComponent {
  /** the file name part */
  readonly name: string
  /** the stream name: '' for the unnamed stream ("name" or "name::$DATA") */
  readonly stream: string
  /** the attribute type given after the second colon, if any */
  readonly type: StreamType | undefined
  /** the length of ":stream[:type]" in characters (0 when absent) */
  readonly suffixLength: number
}

/** name[:stream[:type]]; undefined when the syntax or a name is invalid */
export function parseComponent(component: string, allowStream: boolean): ParsedComponent | undefined {
  const colon = component.indexOf(':')
  if (colon < 0) return isValidFileName(component) ? { name: component, stream: '', type: undefined, suffixLength: 0 } : undefined
  if (!allowStream) return undefined
  const name = component.slice(0, colon)
  const rest = component.slice(colon + 1)
  const second = rest.indexOf(':')
  const stream = second < 0 ? rest : rest.slice(0, second)
  const typeText = second < 0 ? undefined : rest.slice(second + 1)
  // a name is required unless the open is relative to a file (":stream" with a related file object)
  if (name.length > 0 && !isValidFileName(name)) return undefined
  if (!isValidStreamName(stream)) return undefined
  let type: StreamType | undefined
  if (typeText !== undefined) {
    const t = typeText.toUpperCase()
    if (t === '$DATA') type = '$DATA'
    else if (t === '$INDEX_ALLOCATION' && (stream === '' || stream.toUpperCase() === '$I30')) type = '$INDEX_ALLOCATION'
    else return undefined
  } else if (stream === '') {
    // "name:" with nothing after the colon
    return undefined
  }
  return { name, stream: type === '$INDEX_ALLOCATION' ? '' : stream, type, suffixLength: component.length - colon }
}

export interface SplitName {
  readonly components: readonly string[]
  readonly trailingBackslash: boolean
}

/**
 * Splits a name relative to a directory (no leading backslash). An empty component (a double
 * backslash) makes the name invalid.
 */
export function splitRelative(name: string): SplitName | undefined {
  if (name === '') return { components: [], trailingBackslash: false }
  let trailingBackslash = false
  let body = name
  if (body.endsWith('\\')) {
    trailingBackslash = true
    body = body.slice(0, -1)
  }
  if (body === '') return undefined
  const components = body.split('\\')
  if (components.some((c) => c.length === 0)) return undefined
  return { components, trailingBackslash }
}
