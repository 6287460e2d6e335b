// A disk over a raw image file on the host: 512-byte sectors, synchronous positional I/O on a
// kept-open descriptor (Decision 1: no async host I/O in the kernel). Everything above the
// disk (the NTFS on-disk layer, its journal) reaches the image only through this class, so
// the optional trace listener sees every transfer with the purpose its caller gave.

import * as fs from 'node:fs'

export const SECTOR_SIZE = 512

export type DiskOp = 'read' | 'write' | 'flush'

/** One disk-level transfer, below the file system. */
export interface DiskTraceEvent {
  op: DiskOp
  /** first sector (for byte-granular transfers, the sector holding the first byte) */
  lba: number
  /** bytes transferred (0 for flush) */
  length: number
  /** what the transfer is for, as the caller named it ('mft', 'bitmap', 'data', 'journal' …) */
  purpose: string
}

export type DiskListener = (event: DiskTraceEvent) => void

/** A failed host operation on the image; the file system turns it into its own error kind. */
export class DiskError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message)
    this.name = 'DiskError'
  }
}

export interface OpenDiskOptions {
  /** never writes: writes and flushes throw, the file is opened O_RDONLY */
  readOnly?: boolean
}

function hostError(what: string, path: string, err: unknown): DiskError {
  const e = err as NodeJS.ErrnoException
  return new DiskError(`${what} ${path}: ${e.message ?? String(err)}`, e.code)
}

export class DiskDevice {
  readonly sectorSize = SECTOR_SIZE
  private fd: number | undefined
  private listener: DiskListener | undefined

  private constructor(
    readonly path: string,
    fd: number,
    /** bytes; a multiple of the sector size (a trailing partial sector is not addressable) */
    readonly size: number,
    readonly readOnly: boolean,
    /** the image file's length in bytes, including a trailing partial sector */
    readonly fileBytes: number = size,
  ) {
    this.fd = fd
  }

  /** opens an existing image */
  static open(path: string, options: OpenDiskOptions = {}): DiskDevice {
    const readOnly = options.readOnly ?? false
    let fd: number
    try {
      fd = fs.openSync(path, readOnly ? 'r' : 'r+')
    } catch (err) {
      throw hostError('cannot open image', path, err)
    }
    let size: number
    try {
      size = fs.fstatSync(fd).size
    } catch (err) {
      fs.closeSync(fd)
      throw hostError('cannot stat image', path, err)
    }
    return new DiskDevice(path, fd, size - (size % SECTOR_SIZE), readOnly, size)
  }

  /** creates (or truncates) an image of `sizeBytes` (rounded down to whole sectors), all zeroes (sparse on the host) */
  static create(path: string, sizeBytes: number): DiskDevice {
    const size = sizeBytes - (sizeBytes % SECTOR_SIZE)
    if (size <= 0) throw new DiskError(`cannot create image ${path}: size ${sizeBytes} is less than one sector`, undefined)
    let fd: number
    try {
      fd = fs.openSync(path, 'w+')
      fs.ftruncateSync(fd, size)
    } catch (err) {
      throw hostError('cannot create image', path, err)
    }
    return new DiskDevice(path, fd, size, false)
  }

  get sectorCount(): number {
    return this.size / SECTOR_SIZE
  }

  get isOpen(): boolean {
    return this.fd !== undefined
  }

  /** sets (or clears) the disk-level trace listener */
  setListener(listener: DiskListener | undefined): void {
    this.listener = listener
  }

  readSectors(lba: number, count: number, purpose = 'io'): Uint8Array {
    const buf = new Uint8Array(count * SECTOR_SIZE)
    this.readInto(lba * SECTOR_SIZE, buf, purpose)
    return buf
  }

  writeSectors(lba: number, data: Uint8Array, purpose = 'io'): void {
    if (data.length % SECTOR_SIZE !== 0) {
      throw new DiskError(`write of ${data.length} bytes at sector ${lba} is not a whole number of sectors`, undefined)
    }
    this.write(lba * SECTOR_SIZE, data, purpose)
  }

  /** reads `length` bytes at a byte offset (any alignment) */
  read(offset: number, length: number, purpose = 'io'): Uint8Array {
    const buf = new Uint8Array(length)
    this.readInto(offset, buf, purpose)
    return buf
  }

  /** fills `buf` from a byte offset; reading past the end of the disk is an error */
  readInto(offset: number, buf: Uint8Array, purpose = 'io'): void {
    const fd = this.checkOpen()
    this.checkRange(offset, buf.length, 'read')
    let done = 0
    try {
      while (done < buf.length) {
        const n = fs.readSync(fd, buf, done, buf.length - done, offset + done)
        if (n === 0) throw new DiskError(`short read at byte ${offset + done} of ${this.path}`, 'EIO')
        done += n
      }
    } catch (err) {
      if (err instanceof DiskError) throw err
      throw hostError(`read of ${buf.length} bytes at byte ${offset} failed on`, this.path, err)
    }
    this.listener?.({ op: 'read', lba: Math.floor(offset / SECTOR_SIZE), length: buf.length, purpose })
  }

  /** writes bytes at a byte offset (any alignment) */
  write(offset: number, data: Uint8Array, purpose = 'io'): void {
    const fd = this.checkOpen()
    if (this.readOnly) throw new DiskError(`write to read-only image ${this.path}`, 'EROFS')
    this.checkRange(offset, data.length, 'write')
    let done = 0
    try {
      while (done < data.length) {
        done += fs.writeSync(fd, data, done, data.length - done, offset + done)
      }
    } catch (err) {
      throw hostError(`write of ${data.length} bytes at byte ${offset} failed on`, this.path, err)
    }
    this.listener?.({ op: 'write', lba: Math.floor(offset / SECTOR_SIZE), length: data.length, purpose })
  }

  /** makes every write so far durable on the host (fdatasync) */
  flush(purpose = 'flush'): void {
    const fd = this.checkOpen()
    if (this.readOnly) return
    try {
      fs.fdatasyncSync(fd)
    } catch (err) {
      throw hostError('flush failed on', this.path, err)
    }
    this.listener?.({ op: 'flush', lba: 0, length: 0, purpose })
  }

  close(): void {
    if (this.fd === undefined) return
    const fd = this.fd
    this.fd = undefined
    try {
      fs.closeSync(fd)
    } catch (err) {
      throw hostError('close failed on', this.path, err)
    }
  }

  private checkOpen(): number {
    if (this.fd === undefined) throw new DiskError(`image ${this.path} is closed`, 'EBADF')
    return this.fd
  }

  private checkRange(offset: number, length: number, what: string): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || length < 0 || offset + length > this.size) {
      throw new DiskError(
        `${what} of ${length} bytes at byte ${offset} is outside the disk (${this.size} bytes) of ${this.path}`,
        'EINVAL',
      )
    }
  }
}
