// The offloaded data transfer (ODX) structures the copy engine sends: FSCTL_OFFLOAD_READ on the
// source, FSCTL_OFFLOAD_WRITE on the destination with the token it returned
// (ntifs.h FSCTL_OFFLOAD_READ_INPUT/OUTPUT, FSCTL_OFFLOAD_WRITE_INPUT/OUTPUT; x64 layouts).

/** the token's size (STORAGE_OFFLOAD_TOKEN) */
export const OFFLOAD_TOKEN_SIZE = 512
export const OFFLOAD_READ_INPUT_SIZE = 0x20
export const OFFLOAD_READ_OUTPUT_SIZE = 0x10 + OFFLOAD_TOKEN_SIZE
export const OFFLOAD_WRITE_INPUT_SIZE = 0x20 + OFFLOAD_TOKEN_SIZE
export const OFFLOAD_WRITE_OUTPUT_SIZE = 0x10

/** FSCTL_OFFLOAD_READ_INPUT */
export function encodeOffloadReadInput(fileOffset: number, copyLength: number, tokenTimeToLive = 0): Uint8Array {
  const b = new Uint8Array(OFFLOAD_READ_INPUT_SIZE)
  const dv = new DataView(b.buffer)
  dv.setUint32(0, OFFLOAD_READ_INPUT_SIZE, true) // Size
  dv.setUint32(4, 0, true) // Flags
  dv.setUint32(8, tokenTimeToLive, true) // TokenTimeToLive (ms; 0 = the target's default)
  dv.setUint32(12, 0, true) // Reserved
  dv.setBigUint64(16, BigInt(fileOffset), true)
  dv.setBigUint64(24, BigInt(copyLength), true)
  return b
}

/** FSCTL_OFFLOAD_READ_OUTPUT: the bytes the token stands for, and the token */
export function decodeOffloadReadOutput(b: Uint8Array): { TransferLength: number; Token: Uint8Array } | undefined {
  if (b.length < 0x10) return undefined
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
  return { TransferLength: Number(dv.getBigUint64(8, true)), Token: b.slice(0x10, 0x10 + OFFLOAD_TOKEN_SIZE) }
}

/** FSCTL_OFFLOAD_WRITE_INPUT */
export function encodeOffloadWriteInput(fileOffset: number, copyLength: number, transferOffset: number, token: Uint8Array): Uint8Array {
  const b = new Uint8Array(OFFLOAD_WRITE_INPUT_SIZE)
  const dv = new DataView(b.buffer)
  dv.setUint32(0, OFFLOAD_WRITE_INPUT_SIZE, true) // Size
  dv.setUint32(4, 0, true) // Flags
  dv.setBigUint64(8, BigInt(fileOffset), true)
  dv.setBigUint64(16, BigInt(copyLength), true)
  dv.setBigUint64(24, BigInt(transferOffset), true)
  b.set(token.subarray(0, OFFLOAD_TOKEN_SIZE), 0x20)
  return b
}

/** FSCTL_OFFLOAD_WRITE_OUTPUT: LengthWritten */
export function decodeOffloadWriteOutput(b: Uint8Array): number | undefined {
  if (b.length < 0x10) return undefined
  return Number(new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(8, true))
}
