// What the volume checker reports.

/** one thing wrong with the volume: where it is and what is wrong */
export interface Problem {
  /** e.g. "MFT record 37, attribute $FILE_NAME #2", "boot sector", "$Bitmap" */
  where: string
  what: string
}

/** the image cannot be checked at all (not NTFS, truncated before the MFT, unreadable) */
export class UnreadableImageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UnreadableImageError'
  }
}

/** "clusters 5-9, 12" from a sorted list of numbers */
export function formatRanges(values: readonly number[], limit = 20): string {
  const parts: string[] = []
  let i = 0
  while (i < values.length && parts.length < limit) {
    let j = i
    while (j + 1 < values.length && values[j + 1] === values[j]! + 1) j++
    parts.push(j > i ? `${values[i]}-${values[j]}` : `${values[i]}`)
    i = j + 1
  }
  if (i < values.length) parts.push(`… (${values.length} in all)`)
  return parts.join(', ')
}
