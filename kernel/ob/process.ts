// EPROCESS: a process with its image name, id, handle table and threads.

import type { KProcessLike, KThread } from '../ke/index.ts'
import { HandleTable } from './handles.ts'

export class EProcess implements KProcessLike {
  readonly handles = new HandleTable()
  readonly threads: KThread[] = []
  /** named threads of a scenario (thread: main) */
  readonly threadsByName = new Map<string, KThread>()
  constructor(
    readonly pid: number,
    readonly imageName: string,
    /** the full image path, as Process Monitor shows it */
    readonly imagePath: string,
    /** the user's SID (the Recycle Bin folder is named after it) */
    readonly userSid: string,
    readonly parentPid: number,
    readonly commandLine: string,
  ) {}
  toString(): string {
    return `${this.imageName} (${this.pid})`
  }
}
