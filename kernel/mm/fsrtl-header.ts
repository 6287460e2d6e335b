// FSRTL_ADVANCED_FCB_HEADER as the Cache and Memory Managers read it: on Windows a file
// system's FsContext starts with this header, so Cc, Mm and FsRtl find a stream's sizes and
// resources from any of its file objects. Here a file system's per-stream context carries it
// as `header`.

import type { EResource } from '../ke/index.ts'
import type { FileObject } from '../io/file-object.ts'

export type FastIoPossible = 'FastIoIsPossible' | 'FastIoIsQuestionable' | 'FastIoIsNotPossible'

export interface FsRtlAdvancedFcbHeader {
  Resource: EResource
  PagingIoResource: EResource
  AllocationSize: number
  FileSize: number
  ValidDataLength: number
  IsFastIoPossible: FastIoPossible
}

/** the header of the stream a file object is open on, or undefined when its file system has none */
export function FsRtlHeaderOf(fo: FileObject): FsRtlAdvancedFcbHeader | undefined {
  const ctx = fo.FsContext as { header?: FsRtlAdvancedFcbHeader } | undefined
  const h = ctx && typeof ctx === 'object' ? ctx.header : undefined
  return h && typeof h.FileSize === 'number' ? h : undefined
}
