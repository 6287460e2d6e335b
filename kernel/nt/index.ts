// Shared NT constants: status codes, access rights, file constants, information classes,
// IRP codes, and the helpers to decode them.

export * from './status.ts'
export * from './flags.ts'
export * from './access.ts'
export * from './file.ts'
export * from './infoclass.ts'
export * from './irp.ts'
