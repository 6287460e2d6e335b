// The index entries of a fresh volume: the root directory's and $Extend's $I30 entries for
// the system files, $Secure's $SII/$SDH entries for its descriptors and $Quota's default
// entries ($Q: the defaults record and owner 0x100; $O: Administrators → 0x100), inserted
// through the same B+ tree code that maintains them afterwards.

import type { Collation } from './index/host.ts'
import { openRecordIndex } from './index-host.ts'
import type { Volume } from './volume.ts'
import { makeRef } from './record.ts'
import { encodeFileName, type FileNameValue } from './values.ts'
import { siiKey, sdhKey, sdhData, encodeSdsHeader, encodeSid, type SdsLocation } from './security.ts'
import { set32, set64, set64n } from './bytes.ts'
import { FILE_root, FILE_Extend, FILE_Secure } from './layout.ts'

const FILE_Quota = 24
/** QUOTA_FLAG_DEFAULT_LIMITS */
const QUOTA_DEFAULT_LIMITS = 1
/** the first owner id Windows assigns (QUOTA_FIRST_USER_ID) */
const QUOTA_FIRST_USER_ID = 0x100

export interface InitialIndexes {
  time: bigint
  sds: readonly SdsLocation[]
  files: ReadonlyArray<{ record: number; seq: number; name: FileNameValue }>
}

function quotaControl(time: bigint, sid?: Uint8Array): Uint8Array {
  const b = new Uint8Array(48 + (sid?.length ?? 0))
  set32(b, 0, 2) // version
  set32(b, 4, QUOTA_DEFAULT_LIMITS)
  set64(b, 8, 0) // bytes used
  set64n(b, 16, time) // change time
  set64n(b, 24, -1n) // threshold
  set64n(b, 32, -1n) // limit
  set64(b, 40, 0) // exceeded time
  if (sid) b.set(sid, 48)
  return b
}

export function initialIndexEntries(vol: Volume, init: InitialIndexes): void {
  const open = (record: number, name: string, collation: Collation) => openRecordIndex(vol, record, name, collation)
  const root = open(FILE_root, '$I30', 'filename')
  const extend = open(FILE_Extend, '$I30', 'filename')
  for (const f of init.files) {
    const parent = Number(f.name.parentRef & 0xffffffffffffn)
    const tree = parent === FILE_Extend ? extend : root
    tree.insert({ key: encodeFileName(f.name), data: new Uint8Array(0), fileReference: makeRef(f.record, f.seq) })
  }
  const sii = open(FILE_Secure, '$SII', 'ulong')
  const sdh = open(FILE_Secure, '$SDH', 'security-hash')
  for (const l of init.sds) {
    sii.insert({ key: siiKey(l.securityId), data: encodeSdsHeader(l), fileReference: 0n })
    sdh.insert({ key: sdhKey(l.hash, l.securityId), data: sdhData(l), fileReference: 0n })
  }
  const admins = encodeSid('S-1-5-32-544')
  const q = open(FILE_Quota, '$Q', 'ulong')
  const key = (v: number): Uint8Array => {
    const b = new Uint8Array(4)
    set32(b, 0, v)
    return b
  }
  q.insert({ key: key(1), data: quotaControl(init.time), fileReference: 0n })
  q.insert({ key: key(QUOTA_FIRST_USER_ID), data: quotaControl(init.time, admins), fileReference: 0n })
  const o = open(FILE_Quota, '$O', 'sid')
  const owner = new Uint8Array(8)
  set32(owner, 0, QUOTA_FIRST_USER_ID)
  set32(owner, 4, 32) // padding Windows writes after the owner id on NTFS 3.1
  o.insert({ key: admins, data: owner, fileReference: 0n })
}
