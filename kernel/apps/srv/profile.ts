// The SMB server as a process profile: `app: System`, `action: receiveCopy` — srv2.sys runs in the
// System process, so the profile is the System image's. Arguments: `path`, `content` or `size`,
// and the SMB2 write size `chunk` (default 1MiB) and `mdl` (MDL writes, default false), which no
// public source settles for a given client (see ./settings.ts).

import type { Co } from '../../ke/index.ts'
import { statusName } from '../../nt/status.ts'
import type { AppArgs } from '../args.ts'
import { AppArgError } from '../args.ts'
import { failNt } from '../calls.ts'
import type { AppContext, AppOutcome, AppProfile } from '../registry.ts'
import { receiveCopy, type ReceiveCopyArgs } from './receive.ts'
import { DEFAULT_SRV_SETTINGS } from './settings.ts'

function* receive(ctx: AppContext, args: AppArgs): Co<AppOutcome> {
  if (args.has('content') === args.has('size')) throw new AppArgError(`${args.has('content') ? 'content and size: give one of them, not both' : 'content or size: required (the file the client copies)'}`)
  const a: ReceiveCopyArgs = {
    path: args.path('path'),
    ...(args.has('content') ? { content: args.data('content') } : { size: args.int('size') }),
    chunk: args.int('chunk', DEFAULT_SRV_SETTINGS['srv.writeChunk']),
    mdl: args.bool('mdl', DEFAULT_SRV_SETTINGS['srv.mdlWrites']),
    ...(args.has('lastWriteTime') ? { lastWriteTime: args.int('lastWriteTime') } : {}),
  }
  const r = yield* receiveCopy({ io: ctx.machine.io }, a)
  const output = { Status: statusName(r.status), Writes: r.writes.map((w) => ({ ByteOffset: w.offset, Length: w.length, Via: w.via })) }
  if (r.failedAt !== undefined) return { ...failNt(ctx, r.status, r.failedAt), output }
  return { ok: true, output }
}

export const srvProfile: AppProfile = {
  image: 'System',
  description: 'The SMB server (srv2.sys, in the System process): receives a file a remote client copies in — create, end of file and allocation, FastIoWrite or MDL writes in SMB2 chunks, basic information, close.',
  actions: {
    receiveCopy: {
      params: ['path', 'content', 'size', 'chunk', 'mdl', 'lastWriteTime'],
      summary: 'A remote client copies a file into this machine through the SMB server',
      run: receive,
    },
  },
}
