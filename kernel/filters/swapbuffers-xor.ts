// swapBuffers with encryption: the WDK swapBuffers sample whose copies XOR the data with a key
// on the way to and from the disk. Only non-cached and paging transfers (IRP_NOCACHE or
// IRP_PAGING_IO) are transformed, so the cache and mapped views hold plaintext and the disk holds
// ciphertext: cached I/O and fast I/O reach the cache as they are, and the cache's paging reads
// and writes (read-in, lazy writer, mapped page writer, flushes) and the applications' non-cached
// I/O pass through the XOR. The key byte for a file byte depends on its offset in the file, so
// transfers of any size and alignment agree. Parameters: `Key` (a string, its UTF-8 bytes; or a
// number, one byte). INF: altitude 141010 ("SwapBuffersXor Instance"), automatic attachment.
//
// Like any filter that transforms data below the cache, it XORs what the file system makes up
// as well: bytes past valid data length read as zeros on disk come back as key bytes.

import { FLT_IS_IRP_OPERATION, IRP_FLAGS, type FLT_CALLBACK_DATA, type FilterDriverContext, type FilterModule, type NTSTATUS, STATUS } from '../flt/index.ts'
import { SwapBuffersDriverEntry } from './swapbuffers.ts'

export const NAME = 'swapbuffers-xor'

export const INF: FilterModule['INF'] = {
  DefaultInstance: 'SwapBuffersXor Instance',
  // unverified: an altitude of our own next to swapBuffers' 141000 in the Encryption group
  Instances: [{ Name: 'SwapBuffersXor Instance', Altitude: '141010', Flags: 0 }],
}

export const DEFAULT_KEY = 'Altitude'

/** the key bytes a `Key` parameter stands for, or a message saying why it is unusable */
export function xorKey(param: unknown): Uint8Array | string {
  if (param === undefined) return new TextEncoder().encode(DEFAULT_KEY)
  if (typeof param === 'number' || typeof param === 'bigint') {
    const n = Number(param)
    if (!Number.isInteger(n) || n < 1 || n > 255) return `Key: expected a byte value from 1 to 255 or a string, found ${String(param)}`
    return Uint8Array.of(n)
  }
  if (typeof param === 'string' && param.length > 0) return new TextEncoder().encode(param)
  return `Key: expected a non-empty string or a byte value, found ${JSON.stringify(param)}`
}

/** XORs `data`, which lies at `fileOffset` in the file, with the key (in place) */
export function xorAt(data: Uint8Array, fileOffset: number, key: Uint8Array): void {
  for (let i = 0; i < data.length; i++) data[i]! ^= key[(fileOffset + i) % key.length]!
}

export function DriverEntry(ctx: FilterDriverContext): NTSTATUS {
  const key = xorKey(ctx.Parameters['Key'])
  if (typeof key === 'string') {
    ctx.DbgPrint(`SwapBuffersXor!DriverEntry: ${key}`)
    return STATUS.STATUS_INVALID_PARAMETER
  }
  return SwapBuffersDriverEntry(ctx, 'SwapBuffersXor', (Data: FLT_CALLBACK_DATA, data: Uint8Array, fileOffset: number): boolean => {
    // fast I/O is always cached; only what goes to or comes from the disk is transformed
    if (!FLT_IS_IRP_OPERATION(Data)) return false
    if (!(Data.Iopb.IrpFlags & (IRP_FLAGS.IRP_NOCACHE | IRP_FLAGS.IRP_PAGING_IO))) return false
    xorAt(data, fileOffset, key)
    return true
  })
}
