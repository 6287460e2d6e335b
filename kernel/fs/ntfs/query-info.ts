// IRP_MJ_QUERY_INFORMATION classes NTFS answers, with their real layouts (kernel/rtl/structs)
// and buffer rules: a buffer below the class's size → STATUS_INFO_LENGTH_MISMATCH, a name or
// chain that does not fit → the part that fits and STATUS_BUFFER_OVERFLOW.
// Field values follow MS-FSA 2.1.5.12 and what WinBtrfs's tests observed on NTFS (create.cpp,
// delete.cpp, links.cpp, streams.cpp).

import { FO } from '../../io/file-object.ts'
import { CREATE_OPTIONS } from '../../nt/file.ts'
import { FILE_INFORMATION_CLASS as C } from '../../nt/infoclass.ts'
import { STATUS } from '../../nt/status.ts'
import type { EncodeResult } from '../../rtl/structs/buffer.ts'
import { encodeFileInformation, failed, streamInfoName } from '../../rtl/structs/fileinfo.ts'
import { reportedAttributes } from './attributes.ts'
import { eaSize } from './ea.ts'
import { dosName, openPath } from './paths.ts'
import { streamInfo } from './sizes.ts'
import { NameSpace, type FileRecord } from './store.ts'
import type { Ccb } from './structures.ts'

/** FILE_WORD_ALIGNMENT: observed as the NTFS answer on a SATA disk (WinBtrfs create tests) */
const FILE_WORD_ALIGNMENT = 1

/** FILE_MODE_INFORMATION from the file object (MS-FSCC 2.4.26) */
export function modeOf(ccb: Ccb): number {
  const f = ccb.fileObject.Flags
  let m = 0
  if (f & FO.FO_WRITE_THROUGH) m |= CREATE_OPTIONS.FILE_WRITE_THROUGH
  if (f & FO.FO_SEQUENTIAL_ONLY) m |= CREATE_OPTIONS.FILE_SEQUENTIAL_ONLY
  if (f & FO.FO_NO_INTERMEDIATE_BUFFERING) m |= CREATE_OPTIONS.FILE_NO_INTERMEDIATE_BUFFERING
  if (f & FO.FO_SYNCHRONOUS_IO) m |= f & FO.FO_ALERTABLE_IO ? CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_ALERT : CREATE_OPTIONS.FILE_SYNCHRONOUS_IO_NONALERT
  if (ccb.flags.deleteOnClose) m |= CREATE_OPTIONS.FILE_DELETE_ON_CLOSE
  return m
}

/** the link counts of FILE_STANDARD(_LINK)_INFORMATION */
export function linkCounts(ccb: Ccb, r: FileRecord): { total: number; accessible: number } {
  const { fcb, vcb } = ccb
  if (fcb.posixDeleted) return { total: 1, accessible: 0 }
  const names = r.names.filter((n) => n.nameSpace !== NameSpace.Dos)
  let pending = 0
  for (const n of names) if (fcb.deletePendingLinks.has(vcb.linkKey(n))) pending++
  return { total: names.length, accessible: names.length - pending }
}

/** DeletePending as this handle sees it: its link, or its stream, is to be deleted */
export function deletePendingFor(ccb: Ccb): boolean {
  const { fcb, scb } = ccb
  if (fcb.posixDeleted) return true
  if (scb.deletePending) return true
  if (ccb.link) return fcb.isLinkDeletePending(ccb.link)
  // an open without a link (by id): pending when every link is
  const links = fcb.links()
  return links.length > 0 && links.every((l) => fcb.isLinkDeletePending(l))
}

/** the name FileNameInformation reports: the path, plus ":stream" for a named stream */
export function nameOf(ccb: Ccb): string {
  const base = openPath(ccb.vcb, ccb.fcb, ccb.link)
  return ccb.scb.kind === 'data' && ccb.scb.streamName !== '' ? `${base}:${ccb.scb.streamName}` : base
}

function times(r: FileRecord) {
  return {
    CreationTime: r.std.creationTime,
    LastAccessTime: r.std.lastAccessTime,
    LastWriteTime: r.std.lastWriteTime,
    ChangeTime: r.std.changeTime,
  }
}

function sizes(ccb: Ccb): { AllocationSize: number; EndOfFile: number } {
  // a directory reports 0 and 0 (observed, WinBtrfs create tests)
  const s = streamInfo(ccb.scb)
  return { AllocationSize: s?.allocated ?? 0, EndOfFile: s?.size ?? 0 }
}

/** FILE_ID_128: the 64-bit file reference, zero-extended (MS-FSCC 2.4.20) */
const fileId128 = (ccb: Ccb): bigint => ccb.fcb.fileReference

/** encodes class `cls` for the open `ccb` into a buffer of `length` bytes */
export function queryInformation(ccb: Ccb, cls: number, length: number): EncodeResult {
  const { fcb, scb, vcb, fileObject: fo } = ccb
  // a volume open answers only what belongs to the handle
  if (fcb.kind === 'volume') {
    switch (cls) {
      case C.FilePositionInformation:
        return encodeFileInformation('FilePositionInformation', { CurrentByteOffset: fo.CurrentByteOffset }, length)
      case C.FileModeInformation:
        return encodeFileInformation('FileModeInformation', { Mode: modeOf(ccb) }, length)
      case C.FileAccessInformation:
        return encodeFileInformation('FileAccessInformation', { AccessFlags: ccb.grantedAccess }, length)
      case C.FileAlignmentInformation:
        return encodeFileInformation('FileAlignmentInformation', { AlignmentRequirement: FILE_WORD_ALIGNMENT }, length)
      default:
        return failed(STATUS.STATUS_INVALID_PARAMETER)
    }
  }
  const r = fcb.read()
  // a file, or a named stream, its last cleanup deleted: what the WDK delete sample's check
  // after cleanup relies on (FltQueryInformationFile → STATUS_FILE_DELETED)
  if (!r || scb.streamDeleted) return failed(STATUS.STATUS_FILE_DELETED)
  const attributes = reportedAttributes(r)
  const isDir = scb.kind === 'index'
  const standard = () => {
    const lc = linkCounts(ccb, r)
    return {
      ...sizes(ccb),
      NumberOfLinks: lc.accessible,
      DeletePending: deletePendingFor(ccb),
      Directory: isDir,
      AlternateStream: scb.kind === 'data' && scb.streamName !== '',
      MetadataAttribute: false,
    }
  }
  switch (cls) {
    case C.FileBasicInformation:
      return encodeFileInformation('FileBasicInformation', { ...times(r), FileAttributes: attributes }, length)
    case C.FileStandardInformation:
      return encodeFileInformation('FileStandardInformation', standard(), length)
    case C.FileInternalInformation:
      return encodeFileInformation('FileInternalInformation', { IndexNumber: fcb.fileReference }, length)
    case C.FileEaInformation:
      return encodeFileInformation('FileEaInformation', { EaSize: eaSize(r.eas) }, length)
    case C.FileAccessInformation:
      return encodeFileInformation('FileAccessInformation', { AccessFlags: ccb.grantedAccess }, length)
    case C.FileNameInformation:
    case C.FileNormalizedNameInformation:
      return encodeFileInformation(cls === C.FileNameInformation ? 'FileNameInformation' : 'FileNormalizedNameInformation', { FileName: nameOf(ccb) }, length)
    case C.FilePositionInformation:
      return encodeFileInformation('FilePositionInformation', { CurrentByteOffset: fo.CurrentByteOffset }, length)
    case C.FileModeInformation:
      return encodeFileInformation('FileModeInformation', { Mode: modeOf(ccb) }, length)
    case C.FileAlignmentInformation:
      return encodeFileInformation('FileAlignmentInformation', { AlignmentRequirement: FILE_WORD_ALIGNMENT }, length)
    case C.FileAllInformation:
      return encodeFileInformation(
        'FileAllInformation',
        {
          BasicInformation: { ...times(r), FileAttributes: attributes },
          StandardInformation: standard(),
          InternalInformation: { IndexNumber: fcb.fileReference },
          EaInformation: { EaSize: eaSize(r.eas) },
          AccessInformation: { AccessFlags: ccb.grantedAccess },
          PositionInformation: { CurrentByteOffset: fo.CurrentByteOffset },
          ModeInformation: { Mode: modeOf(ccb) },
          AlignmentInformation: { AlignmentRequirement: FILE_WORD_ALIGNMENT },
          NameInformation: { FileName: nameOf(ccb) },
        },
        length,
      )
    case C.FileAlternateNameInformation: {
      // MS-FSA 2.1.5.12.3: a link with no 8.3 name → STATUS_OBJECT_NAME_NOT_FOUND
      const parent = ccb.link?.parent ?? r.names.find((n) => n.nameSpace !== NameSpace.Dos)?.parent
      const short = parent !== undefined ? dosName(r, parent) : undefined
      if (!short) return failed(STATUS.STATUS_OBJECT_NAME_NOT_FOUND)
      return encodeFileInformation('FileAlternateNameInformation', { FileName: short.name }, length)
    }
    case C.FileStreamInformation: {
      // the unnamed stream first ("::$DATA"), then the named ones; a directory lists only its named streams
      const streams = r.streams.map((s) => ({ StreamName: streamInfoName(s.name), StreamSize: s.size, StreamAllocationSize: s.allocated }))
      if (streams.length === 0) return { bytes: new Uint8Array(0), status: STATUS.STATUS_SUCCESS, information: 0 }
      return encodeFileInformation('FileStreamInformation', { Streams: streams }, length)
    }
    case C.FileCompressionInformation: {
      const s = streamInfo(scb)
      // an uncompressed stream: CompressedFileSize is its size, format and shifts 0 (WinBtrfs io tests)
      return encodeFileInformation('FileCompressionInformation', { CompressedFileSize: s?.size ?? 0 }, length)
    }
    case C.FileNetworkOpenInformation: {
      // MS-FSA 2.1.5.12.21: a data stream does not report TEMPORARY/COMPRESSED/SPARSE/ENCRYPTED from the file
      return encodeFileInformation('FileNetworkOpenInformation', { ...times(r), ...sizes(ccb), FileAttributes: attributes }, length)
    }
    case C.FileAttributeTagInformation:
      return encodeFileInformation('FileAttributeTagInformation', { FileAttributes: attributes, ReparseTag: r.reparse?.tag ?? 0 }, length)
    case C.FileHardLinkInformation: {
      const entries = r.names
        .filter((n) => n.nameSpace !== NameSpace.Dos)
        .map((n) => ({ ParentFileId: parentReference(ccb, n.parent), FileName: n.name }))
      return encodeFileInformation('FileHardLinkInformation', { Entries: entries }, length)
    }
    case C.FileStandardLinkInformation: {
      const lc = linkCounts(ccb, r)
      return encodeFileInformation(
        'FileStandardLinkInformation',
        { NumberOfAccessibleLinks: lc.accessible, TotalNumberOfLinks: lc.total, DeletePending: deletePendingFor(ccb), Directory: isDir },
        length,
      )
    }
    case C.FileIdInformation:
      return encodeFileInformation('FileIdInformation', { VolumeSerialNumber: vcb.store.geometry.serialNumber, FileId: fileId128(ccb) }, length)
    case C.FileStatInformation:
    case C.FileStatLxInformation: {
      const lc = linkCounts(ccb, r)
      const o = {
        FileId: fcb.fileReference,
        ...times(r),
        ...sizes(ccb),
        FileAttributes: attributes,
        ReparseTag: r.reparse?.tag ?? 0,
        NumberOfLinks: lc.accessible,
        EffectiveAccess: ccb.grantedAccess,
      }
      return cls === C.FileStatInformation ? encodeFileInformation('FileStatInformation', o, length) : encodeFileInformation('FileStatLxInformation', o, length)
    }
    case C.FileCaseSensitiveInformation:
      // per-directory case sensitivity is off on every directory of this volume
      if (!r.isDirectory) return failed(STATUS.STATUS_INVALID_PARAMETER)
      return encodeFileInformation('FileCaseSensitiveInformation', { Flags: 0 }, length)
    case C.FileIsRemoteDeviceInformation:
      return encodeFileInformation('FileIsRemoteDeviceInformation', { IsRemote: false }, length)
    default:
      // documented (MS-FSA 2.1.5.12): a class the file system does not support
      return failed(STATUS.STATUS_INVALID_PARAMETER)
  }
}

function parentReference(ccb: Ccb, parent: number): bigint {
  const r = ccb.vcb.store.readRecord(parent)
  return r ? (BigInt(r.seq & 0xffff) << 48n) | BigInt(parent) : BigInt(parent)
}

