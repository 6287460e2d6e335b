// Test support: an IndexHost over memory (root bytes in a field, blocks in a Map), so the tree
// can be exercised without an MFT record. It checks what a real host would: blocks are
// allocated before they are written, freed blocks are not read, VCNs step by blockVcnUnit.
import type { IndexHost } from './host.ts'
import { StoreError } from '../../store.ts'

export class MemoryIndexHost implements IndexHost {
  readonly blocks = new Map<number, Uint8Array>()
  readonly inUse = new Set<number>()
  reads = 0
  writes = 0
  private allocation = false

  constructor(
    public root: Uint8Array,
    readonly name = '$I30',
    readonly blockSize = 4096,
    readonly blockVcnUnit = 1,
    private readonly capacity: number | undefined = undefined,
  ) {}

  readRoot(): Uint8Array {
    return this.root
  }
  writeRoot(value: Uint8Array): void {
    this.root = value.slice()
  }
  readBlock(vcn: number): Uint8Array {
    this.reads++
    const b = this.blocks.get(vcn)
    if (!b || !this.inUse.has(vcn)) throw new StoreError(`${this.name}: read of unallocated index block VCN ${vcn}`, 'corrupt')
    return b
  }
  writeBlock(vcn: number, block: Uint8Array): void {
    this.writes++
    if (!this.inUse.has(vcn)) throw new StoreError(`${this.name}: write of unallocated index block VCN ${vcn}`, 'corrupt')
    if (block.length !== this.blockSize) throw new StoreError(`${this.name}: block of ${block.length} bytes`, 'invalid')
    this.blocks.set(vcn, block.slice())
  }
  allocateBlock(): number {
    this.allocation = true
    let i = 0
    while (this.inUse.has(i * this.blockVcnUnit)) i++
    const vcn = i * this.blockVcnUnit
    this.inUse.add(vcn)
    return vcn
  }
  freeBlock(vcn: number): void {
    if (!this.inUse.delete(vcn)) throw new StoreError(`${this.name}: free of unallocated index block VCN ${vcn}`, 'corrupt')
    this.blocks.delete(vcn)
  }
  hasAllocation(): boolean {
    return this.allocation
  }
  rootCapacity(): number {
    return this.capacity ?? 480
  }
}
