// The shape every handle-based service shares: reference the handle with the access the
// service needs, serialize on a synchronous file object, build one IRP, send it, wait.

import type { Co } from '../../ke/index.ts'
import type { NTSTATUS } from '../../nt/status.ts'
import type { FileObject } from '../file-object.ts'
import type { Irp, IoStackLocation } from '../irp.ts'
import type { IoManager } from '../iomgr.ts'
import { referenceFile } from './handles.ts'
import { acquireFileObjectLock, releaseFileObjectLock } from './sync.ts'

export interface FileIrpOutcome {
  status: NTSTATUS
  information: number
  irp?: Irp
  fo?: FileObject
}

export function* sendFileIrp(
  io: IoManager,
  handle: number,
  what: string,
  access: { all?: number; any?: number },
  major: number,
  minor: number,
  setup: (irp: Irp, sp: IoStackLocation, fo: FileObject) => NTSTATUS | void,
): Co<FileIrpOutcome> {
  const ref = referenceFile(io, handle, access.all ?? 0, access.any ?? 0)
  if ('status' in ref) return { status: ref.status, information: 0 }
  const fo = ref.fo
  fo.assertUsable(what)
  const held = yield* acquireFileObjectLock(io, fo)
  try {
    const { irp, sp, device } = io.buildIrp(fo, major, minor)
    const bad = setup(irp, sp, fo)
    if (bad !== undefined) return { status: bad, information: 0 }
    const status = yield* io.issue(fo, device, irp)
    return { status, information: irp.IoStatus.Information, irp, fo }
  } finally {
    releaseFileObjectLock(io, fo, held)
  }
}
