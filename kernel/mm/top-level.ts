// IoSetTopLevelIrp / IoGetTopLevelIrp as the Cache and Memory Managers use them: a thread that
// writes for the lazy writer or the mapped page writer marks itself, so the file system can tell
// its paging I/O apart (NTFS and FastFat check IoGetTopLevelIrp() == FSRTL_CACHE_TOP_LEVEL_IRP).

import type { Co, KThread } from '../ke/index.ts'

/** ntifs.h */
export const FSRTL_FSP_TOP_LEVEL_IRP = 1
export const FSRTL_CACHE_TOP_LEVEL_IRP = 2
export const FSRTL_MOD_WRITE_TOP_LEVEL_IRP = 3

const KEY = 'IoTopLevelIrp'

export function IoGetTopLevelIrp(thread: KThread | undefined): unknown {
  return thread?.tls.get(KEY)
}

/** runs `body` with the thread's top-level IRP set to `value`, as IoSetTopLevelIrp brackets do */
export function* withTopLevelIrp<T>(thread: KThread, value: unknown, body: () => Co<T>): Co<T> {
  const previous = thread.tls.get(KEY)
  thread.tls.set(KEY, value)
  try {
    return yield* body()
  } finally {
    if (previous === undefined) thread.tls.delete(KEY)
    else thread.tls.set(KEY, previous)
  }
}
