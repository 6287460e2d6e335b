export { runScenario, defaultVolume } from './run.ts'
export type { RunOptions, RunReport, Failure } from './run.ts'
export { writeSession, readSession, readSessions, joinSessions, compareTraces, SessionFileError } from './session.ts'
export type { TraceFormat, SessionHeader, RecordedSession } from './session.ts'
