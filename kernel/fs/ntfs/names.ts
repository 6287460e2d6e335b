// How NTFS reads the name of a create: components separated by one backslash, a trailing
// backslash meaning "a directory", and on the last component an optional stream part
// (name:stream, name:stream:$DATA, name::$DATA, dir::$INDEX_ALLOCATION, dir:$I30:$INDEX_ALLOCATION).
//
// The name rules themselves (legal characters, lengths, stream syntax) are RtlParse's in
// kernel/rtl/unicode.ts.

import { checkNtfsFileName, parseNtfsName } from '../../rtl/unicode.ts'
import { STATUS } from '../../nt/status.ts'

export function isValidFileName(name: string): boolean {
  return checkNtfsFileName(name) === STATUS.STATUS_SUCCESS
}

export type StreamType = '$DATA' | '$INDEX_ALLOCATION'

export interface ParsedComponent {
  /** the file name part ('' for ":stream" relative to a file) */
  readonly name: string
  /** the stream name: '' for the unnamed stream ("name" or "name::$DATA") */
  readonly stream: string
  /** the attribute type given after the second colon, if any */
  readonly type: StreamType | undefined
  /** the length of ":stream[:type]" in characters (0 when absent) */
  readonly suffixLength: number
}

/** name[:stream[:type]] by RtlParse's NTFS rules (kernel/rtl/unicode.ts); undefined when invalid */
export function parseComponent(component: string, allowStream: boolean): ParsedComponent | undefined {
  const p = parseNtfsName(component, { allowEmptyFileName: true })
  if (p.status !== STATUS.STATUS_SUCCESS) return undefined
  if (p.hasStreamPart && !allowStream) return undefined
  return {
    name: p.fileName,
    stream: p.streamName,
    type: p.explicitType ? p.streamType : undefined,
    suffixLength: component.length - p.fileName.length,
  }
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
