// The public API of the emulated machine. Hosts (main/) import from here only.

export { Machine, USER_SID } from './machine.ts'
export type { MachineState, MachineInfo, MachineEvent, MachineOptions, BugcheckInfo, VolumeInfo, MountVolume, MountedVolume } from './machine.ts'
export { ntfsVolume, type VolumeSource } from './volumes.ts'
export type { TraceEvent } from './trace/event.ts'
export { STATUS, statusName, parseStatus, NT_SUCCESS } from './nt/status.ts'
export { BOOT_FILETIME, TICKS_PER_MS, TICKS_PER_SECOND } from './ke/clock.ts'
// fltmc for hosts: machine.fltmc.filters(), instances(volume?), load(nameOrModule, altitude?),
// unload(name), attach(name, volume, altitude?, instance?), detach(name, volume, instance?)
export type { Fltmc, FltmcResult, FilterInfo, InstanceInfo, FilterModule, FilterDriverContext } from './flt/index.ts'
export { BUILTIN_FILTERS } from './filters/index.ts'
export { preloadScenarioFilters, FilterModuleError } from './scenario/runner/filters.ts'
