// What the Filter Manager's tests import: the public API plus status names.

export * from './index.ts'
export { statusName as statusNameOf } from '../nt/status.ts'
