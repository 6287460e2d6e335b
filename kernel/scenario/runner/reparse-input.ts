// A scenario's reparse point (volume.files[].reparse, FSCTL_SET_REPARSE_POINT input) as bytes.

import { encodeReparsePoint } from '../../rtl/structs/reparse.ts'
import type { ReparseSpec } from '../types.ts'

export function encodeReparseInput(r: ReparseSpec): Uint8Array {
  return encodeReparsePoint({
    ReparseTag: r.ReparseTag,
    ...(r.SubstituteName !== undefined ? { SubstituteName: r.SubstituteName } : {}),
    ...(r.PrintName !== undefined ? { PrintName: r.PrintName } : {}),
    ...(r.Flags !== undefined ? { Flags: r.Flags } : {}),
    ...(r.Data !== undefined ? { Data: r.Data } : {}),
    ...(r.ReparseGuid !== undefined ? { ReparseGuid: r.ReparseGuid } : {}),
  })
}
