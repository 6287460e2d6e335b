// NTFS indexes: the B+ tree over $INDEX_ROOT / $INDEX_ALLOCATION, its collations, and the
// entry layouts of $I30 directories and the $SII, $SDH, $O and $R views.
export type { IndexHost, IndexTree, IndexEntry, Collation, OpenIndex, EmptyIndexRoot } from './host.ts'
export { openIndex, emptyIndexRoot, DEFAULT_ROOT_CAPACITY, type NtfsIndexTree } from './tree.ts'
export { COLLATION_RULE, collationFromRule, collationFunction, compareNames, type KeyCompare } from './collate.ts'
export {
  fileNameKey,
  parseFileNameKey,
  fileNameOf,
  nameProbe,
  exactNameProbe,
  lookupName,
  lookupExactName,
  splitFileReference,
  makeFileReference,
  MAX_NAME_LENGTH,
  type DuplicatedInfo,
  type FileNameKey,
  type FileNameSpace,
} from './filename.ts'
export {
  VIEW_INDEXES,
  siiEntry,
  siiKey,
  parseSiiKey,
  sdhEntry,
  sdhKey,
  parseSdhKey,
  encodeSecurityHeader,
  parseSecurityHeader,
  securityDescriptorHash,
  SECURITY_DESCRIPTOR_HEADER_SIZE,
  objectIdEntry,
  simpleObjectIdEntry,
  parseObjectIdEntry,
  reparseEntry,
  reparseKey,
  parseReparseKey,
  type SecurityDescriptorHeader,
  type ObjectIdEntry,
} from './views.ts'
export { verifyIndex, type IndexReport } from './verify.ts'
