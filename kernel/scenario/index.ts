// Scenario files: parse and validate (parse.ts), the validated types (types.ts), path
// conversion (paths.ts), units, and comparing step results with their expectations.

export * from './types.ts'
export * from './errors.ts'
export { parseScenario, loadScenarioFile } from './parse.ts'
export { dosPathToNtPath, ntPathToDosPath, dosDeviceName, isBareName, PathError } from './paths.ts'
export { parseSize, parseDuration, toInt64, int64ToBigInt } from './units.ts'
export type { Int64 } from './units.ts'
export { matchStepExpect } from './expect.ts'
export type { StepResult, ExpectOutcome } from './expect.ts'
export { SERVICES, SERVICE_NAMES, SET_FILE_INFORMATION_FIELDS, FSCTL_INPUT_FIELDS } from './services.ts'
export type { ArgType, ServiceSpec, FieldTable } from './services.ts'
