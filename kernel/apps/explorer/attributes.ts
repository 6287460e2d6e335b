// File attributes and times as explorer.exe hands them to its views: attribute names
// (FILE_ATTRIBUTE_*) and FILETIMEs as ISO-8601 UTC strings.

import { fileTimeToIso } from '../../ke/index.ts'
import { FILE_ATTRIBUTE } from '../../nt/file.ts'

/**
 * The names of the bits set in `attributes`, lowest bit first. 0x40000 is reported as
 * FILE_ATTRIBUTE_RECALL_ON_OPEN (FILE_ATTRIBUTE_EA shares its value; NTFS uses it for recall).
 * Bits with no name are given as hex (`0x00800000`).
 */
export function attributeNames(attributes: number): string[] {
  const names: string[] = []
  let left = attributes >>> 0
  for (const [name, bit] of Object.entries(FILE_ATTRIBUTE)) {
    if (name === 'FILE_ATTRIBUTE_EA') continue
    if ((left & bit) !== 0) {
      names.push(name)
      left &= ~bit >>> 0
    }
  }
  for (let bit = 1; left !== 0 && bit !== 0; bit = (bit << 1) >>> 0) {
    if ((left & bit) !== 0) {
      names.push(`0x${bit.toString(16).padStart(8, '0')}`)
      left = (left & ~bit) >>> 0
    }
  }
  return names
}

/** A FILETIME as ISO-8601 (`2023-12-18T17:42:31.0000000Z`); 0 (never set) as the FILETIME epoch. */
export function isoTime(ft: bigint | number | undefined): string {
  return fileTimeToIso(BigInt(ft ?? 0))
}

/** A 64-bit file reference as hex (`0x0005000000000024`). */
export function fileIdHex(id: bigint | number | undefined): string {
  return `0x${BigInt.asUintN(64, BigInt(id ?? 0)).toString(16).padStart(16, '0')}`
}
