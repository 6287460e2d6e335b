export * from './object.ts'
export * from './handles.ts'
export * from './process.ts'
export * from './namespace.ts'
