// The WDK simrep sample as a built-in filter: it simulates a reparse point. A create whose opened
// name lies under the old mapping (`OldName`, default \x\y) gets the name <volume><NewName>
// <rest> (default \a\b) with IoReplaceFileObjectName and is completed with STATUS_REPARSE /
// IO_REPARSE: the I/O manager drops that file object (no cleanup or close) and sends a new create
// for the new name through every filter. Paging-file opens, volume opens, opens by file ID and
// target-directory opens are left alone, as the sample leaves them (its rename-remapping build is
// not ported). Network query opens (NtQueryAttributesFile's fast path) of a mapped name are
// refused as fast I/O, so the I/O manager sends the create IRP that gets redirected. Each
// redirection is published in `redirects`. INF: altitude 371100, "SimRep Instance"; the instance
// refuses automatic attachment (attach it by hand).

import {
  FltGetFileNameInformation,
  FltParseFileNameInformation,
  FltRegisterFilter,
  FltReleaseFileNameInformation,
  FltStartFiltering,
  FltUnregisterFilter,
  IoReplaceFileObjectName,
  FLT_FILE_NAME_OPENED,
  FLT_FILE_NAME_QUERY_DEFAULT,
  FLT_IS_FASTIO_OPERATION,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_DISALLOW_FASTIO,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_REGISTRATION_VERSION,
  FLTFL_INSTANCE_SETUP_AUTOMATIC_ATTACHMENT,
  FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO,
  FO,
  IRP_MJ,
  IRP_MJ_FLT,
  NT_SUCCESS,
  STATUS,
  ref,
  type Co,
  type FLT_CALLBACK_DATA,
  type FLT_FILE_NAME_INFORMATION,
  type FLT_PREOP_CALLBACK_STATUS,
  type FLT_REGISTRATION,
  type FLT_RELATED_OBJECTS,
  type FilterDriverContext,
  type FilterModule,
  type NTSTATUS,
  type PFLT_FILTER,
  type Ref,
} from '../flt/index.ts'
import type { Irp } from '../io/irp.ts'
import { CREATE_OPTIONS, IO_REPARSE } from '../nt/file.ts'
import { SL_FLAGS_CREATE } from '../nt/irp.ts'

export const NAME = 'simrep'

export const INF: FilterModule['INF'] = {
  DefaultInstance: 'SimRep Instance',
  Instances: [{ Name: 'SimRep Instance', Altitude: '371100', Flags: 0 }],
}

/** the sample's defaults for the mapping */
export const DEFAULT_OLD_NAME = '\\x\\y'
export const DEFAULT_NEW_NAME = '\\a\\b'

/** one create simrep sent elsewhere: the name opened and the name it reparsed to */
export interface SimRepRedirect {
  from: string
  to: string
  fileObject: string
}

/** a mapping path as the registry holds it: absolute, no trailing backslash; or a message */
export function mappingPath(param: unknown, key: string, fallback: string): string | { error: string } {
  if (param === undefined) return fallback
  if (typeof param !== 'string' || !/^\\[^\\]/.test(param) || param.endsWith('\\')) {
    return { error: `${key}: expected a path from the volume root such as ${fallback}, found ${JSON.stringify(param)}` }
  }
  return param
}

/**
 * SimRepCompareMapping: whether `path` (from the volume root) is `mapping` or lies under it — a
 * prefix followed by a backslash or the end of the name (\x\yz is not under \x\y), compared
 * without case unless the open is case-sensitive. Returns the rest of the name after the prefix.
 */
export function compareMapping(path: string, mapping: string, caseSensitive: boolean): string | undefined {
  const head = path.slice(0, mapping.length)
  const same = caseSensitive ? head === mapping : head.toUpperCase() === mapping.toUpperCase()
  if (!same) return undefined
  const rest = path.slice(mapping.length)
  if (rest !== '' && !rest.startsWith('\\')) return undefined
  return rest
}

export function DriverEntry(ctx: FilterDriverContext): NTSTATUS {
  const gFilterHandle = ref<PFLT_FILTER>()
  const DebugFlags = Number(ctx.Parameters['DebugFlags'] ?? 0)
  const DEBUG_TRACE_REPARSE_OPERATIONS = 0x00000010
  const DEBUG_TRACE_ERROR = 0x00000001
  const DebugTrace = (level: number, text: string): void => {
    if (DebugFlags & level) ctx.DbgPrint(text)
  }
  const oldName = mappingPath(ctx.Parameters['OldName'], 'OldName', DEFAULT_OLD_NAME)
  const newName = mappingPath(ctx.Parameters['NewName'], 'NewName', DEFAULT_NEW_NAME)
  for (const m of [oldName, newName]) {
    if (typeof m !== 'string') {
      ctx.DbgPrint(`SimRep!DriverEntry: ${m.error}`)
      return STATUS.STATUS_INVALID_PARAMETER
    }
  }
  const OldMapping = oldName as string
  const NewMapping = newName as string
  const redirects: SimRepRedirect[] = []
  ctx.publish('redirects', redirects)

  /** the sample attaches only when asked to */
  function SimRepInstanceSetup(_FltObjects: FLT_RELATED_OBJECTS, Flags: number): NTSTATUS {
    if (Flags & FLTFL_INSTANCE_SETUP_AUTOMATIC_ATTACHMENT) {
      DebugTrace(DEBUG_TRACE_ERROR, 'SimRep!SimRepInstanceSetup: Automatic attachment refused')
      return STATUS.STATUS_FLT_DO_NOT_ATTACH
    }
    return STATUS.STATUS_SUCCESS
  }

  /** the opened name of the create and whether it maps; the new absolute name when it does */
  function* SimRepMunchName(Data: FLT_CALLBACK_DATA, caseSensitive: boolean): Co<{ status: NTSTATUS; newFileName?: string; opened?: string }> {
    const nameRef = ref<FLT_FILE_NAME_INFORMATION>()
    let status = yield* FltGetFileNameInformation(Data, FLT_FILE_NAME_OPENED | FLT_FILE_NAME_QUERY_DEFAULT, nameRef)
    if (!NT_SUCCESS(status)) return { status }
    const nameInfo = nameRef.value!
    try {
      status = FltParseFileNameInformation(nameInfo)
      if (!NT_SUCCESS(status)) return { status }
      // the name from the volume root: what the mapping is compared with
      const path = nameInfo.Name.slice(nameInfo.Volume.length)
      const rest = compareMapping(path, OldMapping, caseSensitive)
      if (rest === undefined) return { status: STATUS.STATUS_SUCCESS }
      // an absolute name with the volume's device name in front: the I/O manager parses it from the root
      return { status: STATUS.STATUS_SUCCESS, newFileName: nameInfo.Volume + NewMapping + rest, opened: nameInfo.Name }
    } finally {
      FltReleaseFileNameInformation(nameInfo)
    }
  }

  function* SimRepPreCreate(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, _CompletionContext: Ref<unknown>): Co<FLT_PREOP_CALLBACK_STATUS> {
    const iopb = Data.Iopb
    const fo = FltObjects.FileObject
    // paging files, volume opens, opens by file ID and target-directory opens are not remapped
    if (iopb.OperationFlags & SL_FLAGS_CREATE.SL_OPEN_PAGING_FILE) return FLT_PREOP_SUCCESS_NO_CALLBACK
    if (!fo || fo.Flags & FO.FO_VOLUME_OPEN) return FLT_PREOP_SUCCESS_NO_CALLBACK
    if (iopb.Parameters.Create.Options & CREATE_OPTIONS.FILE_OPEN_BY_FILE_ID) return FLT_PREOP_SUCCESS_NO_CALLBACK
    if (iopb.OperationFlags & SL_FLAGS_CREATE.SL_OPEN_TARGET_DIRECTORY) return FLT_PREOP_SUCCESS_NO_CALLBACK
    const caseSensitive = (iopb.OperationFlags & SL_FLAGS_CREATE.SL_CASE_SENSITIVE) !== 0
    const r = yield* SimRepMunchName(Data, caseSensitive)
    if (!NT_SUCCESS(r.status)) {
      // the name cannot be had: the create fails with that status, as the sample completes it
      DebugTrace(DEBUG_TRACE_ERROR, `SimRep!SimRepPreCreate: name query failed, status=0x${(r.status >>> 0).toString(16)}`)
      Data.IoStatus = { Status: r.status, Information: 0 }
      return FLT_PREOP_COMPLETE
    }
    if (r.newFileName === undefined) return FLT_PREOP_SUCCESS_NO_CALLBACK
    const status = IoReplaceFileObjectName(fo, r.newFileName, r.newFileName.length * 2)
    if (!NT_SUCCESS(status)) {
      Data.IoStatus = { Status: status, Information: 0 }
      return FLT_PREOP_COMPLETE
    }
    DebugTrace(DEBUG_TRACE_REPARSE_OPERATIONS, `SimRep!SimRepPreCreate: Reparsing "${r.opened}" to "${r.newFileName}"`)
    redirects.push({ from: r.opened!, to: r.newFileName, fileObject: `FO${fo.id}` })
    // the I/O manager looks the new name up from the root and sends a new create
    Data.IoStatus = { Status: STATUS.STATUS_REPARSE, Information: IO_REPARSE }
    return FLT_PREOP_COMPLETE
  }

  /** the fast path of NtQueryAttributesFile: refused for a mapped name, so the create IRP comes */
  function* SimRepPreNetworkQueryOpen(Data: FLT_CALLBACK_DATA, _FltObjects: FLT_RELATED_OBJECTS, _CompletionContext: Ref<unknown>): Co<FLT_PREOP_CALLBACK_STATUS> {
    if (!FLT_IS_FASTIO_OPERATION(Data)) return FLT_PREOP_SUCCESS_NO_CALLBACK
    const irp = Data.Iopb.Parameters.NetworkQueryOpen.Irp as Irp | undefined
    const sp = irp ? irp.Stack[irp.CurrentLocation - 1] : undefined
    const slFlags = sp?.Flags ?? 0
    const options = sp?.Parameters.Create?.Options ?? 0
    if (slFlags & SL_FLAGS_CREATE.SL_OPEN_PAGING_FILE || slFlags & SL_FLAGS_CREATE.SL_OPEN_TARGET_DIRECTORY) return FLT_PREOP_SUCCESS_NO_CALLBACK
    if (options & CREATE_OPTIONS.FILE_OPEN_BY_FILE_ID) return FLT_PREOP_SUCCESS_NO_CALLBACK
    const r = yield* SimRepMunchName(Data, (slFlags & SL_FLAGS_CREATE.SL_CASE_SENSITIVE) !== 0)
    if (!NT_SUCCESS(r.status)) {
      // unverified: the name of a query-open's file may not be had here; the create IRP the
      // I/O manager sends instead comes through SimRepPreCreate, which can name it
      DebugTrace(DEBUG_TRACE_ERROR, `SimRep!SimRepPreNetworkQueryOpen: name query failed, status=0x${(r.status >>> 0).toString(16)}`)
      return FLT_PREOP_DISALLOW_FASTIO
    }
    return r.newFileName === undefined ? FLT_PREOP_SUCCESS_NO_CALLBACK : FLT_PREOP_DISALLOW_FASTIO
  }

  function SimRepUnload(): NTSTATUS {
    FltUnregisterFilter(gFilterHandle.value!)
    return STATUS.STATUS_SUCCESS
  }

  const FilterRegistration: FLT_REGISTRATION = {
    Version: FLT_REGISTRATION_VERSION,
    Flags: 0,
    ContextRegistration: null,
    OperationRegistration: [
      { MajorFunction: IRP_MJ.IRP_MJ_CREATE, Flags: FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO, PreOperation: SimRepPreCreate, PostOperation: null },
      { MajorFunction: IRP_MJ_FLT.IRP_MJ_NETWORK_QUERY_OPEN, Flags: FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO, PreOperation: SimRepPreNetworkQueryOpen, PostOperation: null },
      { MajorFunction: 0x80 /* IRP_MJ_OPERATION_END */ },
    ],
    FilterUnloadCallback: SimRepUnload,
    InstanceSetupCallback: SimRepInstanceSetup,
    InstanceQueryTeardownCallback: () => STATUS.STATUS_SUCCESS,
  }

  let status = FltRegisterFilter(ctx.DriverObject, FilterRegistration, gFilterHandle)
  if (NT_SUCCESS(status)) {
    status = FltStartFiltering(gFilterHandle.value!)
    if (!NT_SUCCESS(status)) FltUnregisterFilter(gFilterHandle.value!)
  }
  return status
}
