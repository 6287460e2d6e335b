// NtQueryInformationFile / NtSetInformationFile with the structures encoded and decoded by
// their Windows field names, as kernelbase builds them on its stack.

import type { Co } from '../ke/index.ts'
import * as nt from '../io/services/index.ts'
import { FILE_INFORMATION_CLASS } from '../nt/infoclass.ts'
import { NT_SUCCESS, type NTSTATUS } from '../nt/status.ts'
import { FILE_INFO_LENGTH } from '../rtl/structs/fileinfo-lengths.ts'
import { decodeFileInformation, encodeFileInformation, type CodecClass, type FileInformationInput, type FileInformationOutput } from '../rtl/structs/fileinfo.ts'
import type { Win32Env } from './env.ts'

/** a buffer for the classes whose answer has a variable part (names, stream lists) */
const VARIABLE_BUFFER = 64 * 1024

export function* queryInfo<K extends CodecClass>(
  env: Win32Env,
  handle: number,
  cls: K,
  length?: number,
): Co<{ status: NTSTATUS; value?: FileInformationOutput<K> }> {
  const fixed = FILE_INFO_LENGTH[cls].query
  const len = length ?? (cls === 'FileStreamInformation' || cls === 'FileNameInformation' || cls === 'FileAllInformation' ? VARIABLE_BUFFER : fixed)
  const r = yield* nt.NtQueryInformationFile(env.io, { FileHandle: handle, FileInformationClass: FILE_INFORMATION_CLASS[cls], Length: len })
  if (!NT_SUCCESS(r.status) || !r.buffer) return { status: r.status }
  return { status: r.status, value: decodeFileInformation(cls, r.buffer) }
}

export function* setInfo<K extends CodecClass>(env: Win32Env, handle: number, cls: K, value: FileInformationInput<K>): Co<NTSTATUS> {
  const enc = encodeFileInformation(cls, value, VARIABLE_BUFFER)
  const r = yield* nt.NtSetInformationFile(env.io, { FileHandle: handle, FileInformationClass: FILE_INFORMATION_CLASS[cls], FileInformation: enc.bytes })
  return r.status
}
