// Word's owner file (`~$name.docx`): a small hidden file next to an open document naming the
// user who has it open, so that others opening the document are told who locked it.
// [D] Microsoft support, "Description of how Word creates temporary files": the owner file is
// created in the document's folder when the document is opened and deleted when it is closed;
// its name replaces the start of the document's name with "~$".
// unverified: the naming rule for names of different lengths (up to 6 characters before the
// extension: "~$" before the name; 7: the first character replaced; 8 or more: the first two) and
// the 162-byte layout (a length byte and the ANSI user name padded to 54 bytes, then a 16-bit
// length and the UTF-16 user name, zero-padded) come from descriptions of observed files, not
// from a specification.

/** `~$name.docx` for `C:\dir\name.docx` (same folder) */
export function ownerFileName(path: string): string {
  const slash = path.lastIndexOf('\\')
  const dir = path.slice(0, slash + 1)
  const file = path.slice(slash + 1)
  const dot = file.lastIndexOf('.')
  const stem = dot > 0 ? file.slice(0, dot) : file
  const ext = dot > 0 ? file.slice(dot) : ''
  const kept = stem.length <= 6 ? stem : stem.length === 7 ? stem.slice(1) : stem.slice(2)
  return `${dir}~$${kept}${ext}`
}

export const OWNER_FILE_BYTES = 162

/** the owner file's bytes for `user` */
export function ownerFileContent(user: string): Uint8Array {
  const out = new Uint8Array(OWNER_FILE_BYTES)
  const name = user.slice(0, 53)
  out[0] = name.length
  for (let i = 0; i < name.length; i++) out[1 + i] = name.charCodeAt(i) & 0xff
  const dv = new DataView(out.buffer)
  dv.setUint16(54, name.length, true)
  for (let i = 0; i < name.length && 56 + 2 * i + 1 < OWNER_FILE_BYTES; i++) dv.setUint16(56 + 2 * i, name.charCodeAt(i), true)
  return out
}
