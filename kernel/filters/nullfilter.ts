// The WDK nullFilter sample as a built-in filter: the smallest legal registration. It registers
// no operations, no contexts and no InstanceSetup (so every offered volume is accepted), starts
// filtering and can be unloaded: its FilterUnload unregisters, its InstanceQueryTeardown allows
// every manual detach. Filter Manager never calls it for I/O. INF: "Null Instance" at 370020 with
// flag 0x1 (no automatic attachment): an instance appears only on a manual attach.

import {
  FltRegisterFilter,
  FltStartFiltering,
  FltUnregisterFilter,
  FLT_REGISTRATION_VERSION,
  NT_SUCCESS,
  STATUS,
  ref,
  type FLT_REGISTRATION,
  type FilterDriverContext,
  type FilterModule,
  type NTSTATUS,
  type PFLT_FILTER,
} from '../flt/index.ts'

export const NAME = 'nullfilter'

export const INF: FilterModule['INF'] = {
  DefaultInstance: 'Null Instance',
  // suppress automatic attachments
  Instances: [{ Name: 'Null Instance', Altitude: '370020', Flags: 0x1 }],
}

/** DriverEntry: registers with FltMgr, then starts filtering; unregisters if that fails */
export function DriverEntry(ctx: FilterDriverContext): NTSTATUS {
  /** NULL_FILTER_DATA */
  const NullFilterData = { FilterHandle: ref<PFLT_FILTER>() }

  /** NullUnload: not refused, whatever the flags say */
  function NullUnload(): NTSTATUS {
    FltUnregisterFilter(NullFilterData.FilterHandle.value!)
    return STATUS.STATUS_SUCCESS
  }

  /** NullQueryTeardown: a manual detach (FltDetachVolume, FilterDetach) is always allowed */
  function NullQueryTeardown(): NTSTATUS {
    return STATUS.STATUS_SUCCESS
  }

  const FilterRegistration: FLT_REGISTRATION = {
    Version: FLT_REGISTRATION_VERSION,
    Flags: 0,
    ContextRegistration: null,
    OperationRegistration: null,
    FilterUnloadCallback: NullUnload,
    InstanceSetupCallback: null,
    InstanceQueryTeardownCallback: NullQueryTeardown,
    InstanceTeardownStartCallback: null,
    InstanceTeardownCompleteCallback: null,
  }

  let status = FltRegisterFilter(ctx.DriverObject, FilterRegistration, NullFilterData.FilterHandle)
  if (NT_SUCCESS(status)) {
    status = FltStartFiltering(NullFilterData.FilterHandle.value!)
    if (!NT_SUCCESS(status)) FltUnregisterFilter(NullFilterData.FilterHandle.value!)
  }
  return status
}
