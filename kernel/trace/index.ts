// The trace: the event model, Process Monitor naming and Detail strings, recording, matching
// scenario expectations, and exports.

export * from './event.ts'
export * from './format.ts'
export * from './procmon.ts'
export * from './sink.ts'
export * from './match.ts'
export * from './export.ts'
