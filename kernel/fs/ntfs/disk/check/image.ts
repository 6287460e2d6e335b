// Read-only access to a disk image for the volume checker: the file is opened with O_RDONLY
// and only read with fs.readSync, so checking can never change it.
import { openSync, readSync, fstatSync, closeSync } from 'node:fs'

export class ImageReader {
  private readonly fd: number
  readonly size: number

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r')
    this.size = fstatSync(this.fd).size
  }

  /** reads `length` bytes at `offset`; bytes past the end of the image read as zero, `short` tells how many were missing */
  read(offset: number, length: number): { bytes: Uint8Array; short: number } {
    const bytes = new Uint8Array(length)
    let done = 0
    while (done < length) {
      const n = readSync(this.fd, bytes, done, length - done, offset + done)
      if (n === 0) break
      done += n
    }
    return { bytes, short: length - done }
  }

  close(): void {
    closeSync(this.fd)
  }
}
