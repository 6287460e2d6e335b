// The choices of the SMB server's writer that change traces and that no public source settles:
// the size of each SMB2 WRITE the client sends and whether srv2 writes through MDLs. Each can be
// set per scenario (`settings:`) or per call.

export interface SrvSettings {
  /** bytes per SMB2 WRITE (a remote CopyFile sends 64 KiB to 1 MiB, by dialect and MTU) */
  readonly 'srv.writeChunk': number
  /** srv2 writes with FastIoPrepareMdlWrite / MdlWriteComplete (else FastIoWrite, a copy) */
  readonly 'srv.mdlWrites': boolean
}

export const DEFAULT_SRV_SETTINGS: SrvSettings = {
  // unverified: SMB 2.1+ clients with large MTU send 1 MiB writes; SMB 2.0.2 sends 64 KiB
  'srv.writeChunk': 1024 * 1024,
  // unverified: srv2 uses the MDL interface for large writes over RDMA; over TCP the copy path
  'srv.mdlWrites': false,
}

const MIN_CHUNK = 512
const MAX_CHUNK = 8 * 1024 * 1024

/** the SMB server's settings from a scenario's `settings:`; a bad value is an error naming it */
export function srvSettings(given: { readonly [key: string]: unknown } | undefined): SrvSettings {
  const chunk = given?.['srv.writeChunk']
  const mdl = given?.['srv.mdlWrites']
  return {
    'srv.writeChunk': chunk === undefined ? DEFAULT_SRV_SETTINGS['srv.writeChunk'] : chunkSize('settings.srv.writeChunk', chunk),
    'srv.mdlWrites': mdl === undefined ? DEFAULT_SRV_SETTINGS['srv.mdlWrites'] : flag('settings.srv.mdlWrites', mdl),
  }
}

export function chunkSize(what: string, v: unknown): number {
  const n = typeof v === 'string' ? sizeText(v) : typeof v === 'bigint' ? Number(v) : typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined
  if (n === undefined || n < MIN_CHUNK || n > MAX_CHUNK) {
    throw new SrvError(`${what}: expected a size from 512 bytes to 8MiB such as 64KiB or 1MiB, found ${String(v)}`)
  }
  return n
}

const UNITS: Record<string, number> = { '': 1, B: 1, KiB: 1024, MiB: 1024 * 1024 }

/** `64KiB`, `1MiB`, `4096` */
function sizeText(text: string): number | undefined {
  const m = /^\s*(\d+)\s*(B|KiB|MiB)?\s*$/.exec(text)
  return m ? Number(m[1]) * UNITS[m[2] ?? '']! : undefined
}

export function flag(what: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new SrvError(`${what}: expected true or false, found ${String(v)}`)
  return v
}

/** bad arguments or settings for the SMB server's writer */
export class SrvError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SrvError'
  }
}
