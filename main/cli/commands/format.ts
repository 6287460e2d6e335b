// altitude format IMAGE --size 64MiB [--label L]

import { flagString } from '../args.ts'
import type { CommandSpec, ParsedArgs } from '../args.ts'
import { randomBytes } from 'node:crypto'
import { CliError } from '../command.ts'
import { formatVolume } from '../../../kernel/fs/ntfs/disk/format.ts'
import { StoreError } from '../../../kernel/fs/ntfs/store.ts'
import type { CliIO, Command } from '../command.ts'
import { newFilePath, parseSize } from '../values.ts'

const MIN_BYTES = 1024 * 1024
const MAX_BYTES = 2 * 1024 ** 4
/** NTFS volume labels hold at most 32 UTF-16 code units ($Volume's $VOLUME_NAME) */
const MAX_LABEL = 32

const spec: CommandSpec = {
  name: 'format',
  summary: 'Creates an NTFS volume image (512-byte sectors, 4 KiB clusters) that Windows and ntfs-3g can read.',
  synopsis: 'format IMAGE --size 64MiB [--label L]',
  positionals: { label: 'IMAGE', min: 1, max: 1, description: 'the image file to create (must not exist)' },
  flags: [
    { name: 'size', value: 'SIZE', required: true, description: 'volume size with a binary unit: 64MiB, 1GiB (1 MiB – 2 TiB, whole sectors)' },
    { name: 'label', value: 'L', description: `volume label (at most ${MAX_LABEL} characters)` },
  ],
}

export interface FormatRequest {
  image: string
  sizeBytes: number
  label: string
}

export function readFormatArgs(args: ParsedArgs, cwd: string): FormatRequest {
  const image = newFilePath(args.positionals[0] as string, cwd, 'IMAGE')
  const sizeBytes = parseSize(flagString(args, 'size') ?? '', '--size')
  if (sizeBytes < MIN_BYTES) throw new CliError(`--size must be at least 1MiB for an NTFS volume, not ${flagString(args, 'size')}`)
  if (sizeBytes > MAX_BYTES) throw new CliError(`--size must be at most 2TiB, not ${flagString(args, 'size')}`)
  if (sizeBytes % 512 !== 0) throw new CliError(`--size must be a whole number of 512-byte sectors, not ${sizeBytes} bytes`)
  const label = flagString(args, 'label') ?? ''
  if (label.length > MAX_LABEL) throw new CliError(`--label must be at most ${MAX_LABEL} characters, not ${label.length}`)
  return { image, sizeBytes, label }
}

export const formatCommand: Command = {
  spec,
  async run(args: ParsedArgs, io: CliIO): Promise<number> {
    const req = readFormatArgs(args, io.cwd)
    // the command line uses host values the emulated machine would take from its virtual clock and seed
    const serialNumber = randomBytes(8).readBigUInt64LE(0)
    const time = BigInt(Date.now()) * 10_000n + 116444736000000000n
    try {
      formatVolume(req.image, { sizeBytes: req.sizeBytes, label: req.label, serialNumber, time })
    } catch (e) {
      if (e instanceof StoreError) throw new CliError(`${req.image}: ${e.message}`)
      throw e
    }
    io.out(`${req.image}: NTFS, ${req.sizeBytes} bytes, label '${req.label}', serial ${(serialNumber & 0xffffffffn).toString(16).toUpperCase().padStart(8, '0')}\n`)
    return 0
  },
}
