// Runlists: the (VCN → LCN, length) extents of a non-resident attribute, and their on-disk
// "mapping pairs" encoding (Linux-NTFS documentation, "Data Runs"): each pair starts with a
// byte whose low nibble is the size of the run length and high nibble the size of the signed
// LCN delta from the previous run; a zero-size delta is a sparse run; a zero byte ends the list.
// Every attribute extent's pairs start again from LCN 0.

export interface Run {
  vcn: number
  /** first cluster, or -1 for a sparse (unallocated) run */
  lcn: number
  length: number
}

export const SPARSE = -1

/** Why mapping pairs could not be decoded; `offset` is relative to the pairs' start. */
export class RunlistError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message)
  }
}

function readSigned(b: Uint8Array, o: number, n: number): number {
  let v = 0
  for (let i = n - 1; i >= 0; i--) v = v * 256 + (b[o + i] ?? 0)
  if (n > 0 && ((b[o + n - 1] ?? 0) & 0x80) !== 0) v -= 2 ** (8 * n)
  return v
}

/** decodes mapping pairs at b[start, end) for an extent beginning at `lowestVcn` */
export function decodeRuns(b: Uint8Array, start: number, end: number, lowestVcn: number): Run[] {
  const runs: Run[] = []
  let o = start
  let vcn = lowestVcn
  let lcn = 0
  while (o < end) {
    const head = b[o] ?? 0
    if (head === 0) return runs
    const lenBytes = head & 0x0f
    const lcnBytes = head >> 4
    if (lenBytes === 0 || lenBytes > 8 || lcnBytes > 8) {
      throw new RunlistError(`invalid mapping pair header 0x${head.toString(16)}`, o - start)
    }
    if (o + 1 + lenBytes + lcnBytes > end) throw new RunlistError('mapping pairs run past the attribute', o - start)
    const length = readSigned(b, o + 1, lenBytes)
    if (length <= 0) throw new RunlistError(`run length ${length} is not positive`, o - start)
    if (lcnBytes === 0) {
      runs.push({ vcn, lcn: SPARSE, length })
    } else {
      lcn += readSigned(b, o + 1 + lenBytes, lcnBytes)
      if (lcn < 0) throw new RunlistError(`run starts at negative cluster ${lcn}`, o - start)
      runs.push({ vcn, lcn, length })
    }
    vcn += length
    o += 1 + lenBytes + lcnBytes
  }
  throw new RunlistError('mapping pairs are not terminated', end - start)
}

function signedSize(v: number): number {
  let n = 1
  while (n < 8) {
    const lim = 2 ** (8 * n - 1)
    if (v >= -lim && v < lim) return n
    n++
  }
  return 8
}

function writeSigned(out: number[], v: number, n: number): void {
  let x = v < 0 ? 2 ** (8 * n) + v : v
  for (let i = 0; i < n; i++) {
    out.push(x % 256)
    x = Math.floor(x / 256)
  }
}

/** encodes runs as mapping pairs, terminated by a zero byte */
export function encodeRuns(runs: readonly Run[]): Uint8Array {
  const out: number[] = []
  let prev = 0
  for (const r of runs) {
    const lenBytes = signedSize(r.length)
    if (r.lcn === SPARSE) {
      out.push(lenBytes)
      writeSigned(out, r.length, lenBytes)
    } else {
      const delta = r.lcn - prev
      const lcnBytes = signedSize(delta)
      out.push(lenBytes | (lcnBytes << 4))
      writeSigned(out, r.length, lenBytes)
      writeSigned(out, delta, lcnBytes)
      prev = r.lcn
    }
  }
  out.push(0)
  return Uint8Array.from(out)
}

/** encoded size of one mapping pair: a run of `length` clusters at `delta` from the previous run (undefined: sparse) */
export function pairSize(length: number, delta: number | undefined): number {
  return 1 + signedSize(length) + (delta === undefined ? 0 : signedSize(delta))
}

/** encoded size in bytes (with the terminator) of runs[from, to) */
export function encodedSize(runs: readonly Run[], from = 0, to = runs.length): number {
  let n = 1
  let prev = 0
  for (let i = from; i < to; i++) {
    const r = runs[i]!
    n += 1 + signedSize(r.length)
    if (r.lcn !== SPARSE) {
      n += signedSize(r.lcn - prev)
      prev = r.lcn
    }
  }
  return n
}

/** total clusters covered (allocated or sparse) */
export function runsLength(runs: readonly Run[]): number {
  const last = runs[runs.length - 1]
  return last ? last.vcn + last.length : 0
}

/** LCN of a VCN and how many clusters from it are contiguous (lcn -1 when sparse); undefined past the end */
export function mapVcn(runs: readonly Run[], vcn: number): { lcn: number; count: number } | undefined {
  let lo = 0
  let hi = runs.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const r = runs[mid]!
    if (vcn < r.vcn) hi = mid - 1
    else if (vcn >= r.vcn + r.length) lo = mid + 1
    else return { lcn: r.lcn === SPARSE ? SPARSE : r.lcn + (vcn - r.vcn), count: r.length - (vcn - r.vcn) }
  }
  return undefined
}

/** appends a run, merging it into the last one when contiguous */
export function appendRun(runs: Run[], lcn: number, length: number): void {
  const last = runs[runs.length - 1]
  const vcn = last ? last.vcn + last.length : 0
  if (last && ((last.lcn === SPARSE && lcn === SPARSE) || (last.lcn !== SPARSE && last.lcn + last.length === lcn))) {
    last.length += length
    return
  }
  runs.push({ vcn, lcn, length })
}

/** cuts the runlist to `clusters` VCNs; returns the allocated runs that were cut off */
export function truncateRuns(runs: Run[], clusters: number): Run[] {
  const freed: Run[] = []
  while (runs.length > 0) {
    const last = runs[runs.length - 1]!
    if (last.vcn >= clusters) {
      runs.pop()
      if (last.lcn !== SPARSE) freed.push({ vcn: last.vcn, lcn: last.lcn, length: last.length })
      continue
    }
    if (last.vcn + last.length > clusters) {
      const keep = clusters - last.vcn
      if (last.lcn !== SPARSE) freed.push({ vcn: clusters, lcn: last.lcn + keep, length: last.length - keep })
      last.length = keep
    }
    break
  }
  return freed
}

/** the allocated (non-sparse) clusters of a runlist */
export function allocatedClusters(runs: readonly Run[]): number {
  let n = 0
  for (const r of runs) if (r.lcn !== SPARSE) n += r.length
  return n
}
