// Test helper: a FILETIME from a UTC civil time, computed independently of format.ts.

const UNIX_EPOCH_FILETIME = 116444736000000000n

export function filetimeFromCivil(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): bigint {
  return BigInt(Date.UTC(y, mo - 1, d, h, mi, s)) * 10_000n + UNIX_EPOCH_FILETIME
}
