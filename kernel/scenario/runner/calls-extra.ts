// `call:` adapters for services whose structures arrive with the volume, EA, reparse and
// notification codecs (kernel/rtl/structs).

import type { CallAdapter } from './calls.ts'

export const extraCalls: Record<string, CallAdapter> = {}
