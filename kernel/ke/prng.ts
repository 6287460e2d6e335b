// The kernel's only source of randomness: xoshiro128** seeded through splitmix32, so a seed
// gives the same sequence on every machine and every run.

function splitmix32(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
}

export class Prng {
  private a: number
  private b: number
  private c: number
  private d: number
  constructor(seed: number) {
    const sm = splitmix32(seed)
    this.a = sm()
    this.b = sm()
    this.c = sm()
    this.d = sm()
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1
  }
  /** uniform 32-bit unsigned integer */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5) >>> 0, 7), 9) >>> 0
    const t = (this.b << 9) >>> 0
    this.c ^= this.a
    this.d ^= this.b
    this.b ^= this.c
    this.a ^= this.d
    this.c ^= t
    this.d = rotl(this.d, 11)
    return result
  }
  /** uniform integer in [0, n) without modulo bias */
  nextInt(n: number): number {
    if (!(n > 0 && n <= 0x100000000)) throw new RangeError(`Prng.nextInt: bad bound ${n}`)
    const limit = 0x100000000 - (0x100000000 % n)
    for (;;) {
      const x = this.nextU32()
      if (x < limit) return x % n
    }
  }
  /** uniform float in [0, 1) */
  nextFloat(): number {
    return this.nextU32() / 0x100000000
  }
  /** a new generator derived from this one (for independent streams) */
  fork(): Prng {
    return new Prng(this.nextU32())
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0
}
