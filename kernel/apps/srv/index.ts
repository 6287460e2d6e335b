// The SMB server (srv2.sys) as a process profile: what it does on this machine when a remote
// client copies a file in. `receiveCopy` runs on a System thread.

export { receiveCopy, planReceive, describeReceive, srvPattern, type ReceiveCopyArgs, type ReceiveCopyResult, type ReceivePlan, type SrvContext, type SrvWrite } from './receive.ts'
export { DEFAULT_SRV_SETTINGS, SrvError, srvSettings, type SrvSettings } from './settings.ts'
export { srvProfile } from './profile.ts'
